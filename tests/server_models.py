"""Settings for test servers: the official models plus a small one, all on previz."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cinebrief.settings import Settings, load_settings

SMALL_MODEL = "previz-small"
SMALL_SIZE = "256x144"


def served_settings(data_dir: Path, *, models: dict[str, Any] | None = None, **server: Any) -> Settings:
    overrides: dict[str, Any] = {
        "server": {"data_dir": str(data_dir), "poll_after_ms": 100, **server},
        "models": {SMALL_MODEL: {"backend": "previz"}, **(models or {})},
    }
    return load_settings(environ={}, overrides=overrides)
