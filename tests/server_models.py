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


# A two-shot brief on the small model, as the studio tests write it (comments kept by the form).
TWO_SHOT_BRIEF = f"""# Two shots on the small previz model
schema: cinebrief.brief/1
title: Night crossing
defaults: {{model: {SMALL_MODEL}, size: {SMALL_SIZE}, seconds: "4"}}
style: 1990s Hong Kong night cinema on 35 mm, heavy grain
palette: [magenta, cyan, sodium orange]
shots:
  - id: arrival  # the opening
    scene: Wet asphalt, a zebra crosswalk, neon signs reflecting in puddles.
    camera: {{framing: wide establishing shot, angle: eye level, move: slow dolly left, lens: 32 mm}}
    lighting: neon key from camera left
    actions: [A courier brakes at the crosswalk line]
    sound: rain on awnings
  - id: look
    scene: The courier looks up at the red signal.
    camera: {{framing: close-up, angle: low angle, move: static, lens: 85 mm}}
    lighting: red signal glow from above
    actions: [The courier wipes rain from her visor]
    sound: distant traffic hiss
"""
