"""The models a settings file serves beyond the Videos API profile, read lazily for the linter and for runs.

A module of its own at the package root (the backends' level) so that `cinebrief lint` can hold one without
importing the backend registry, the settings or pydantic until a model outside the Sora profile appears.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from cinebrief.contract.capabilities import Capabilities


class ConfiguredModels(Mapping[str, "Capabilities | None"]):
    """The models a settings file routes beyond the Videos API profile, with their capabilities.

    Read on first use, so that the linter stays fast when every model is a Sora one. A model whose backend
    cannot start here (a missing weights folder, say) maps to None: its name is known, its numbers are not.
    """

    def __init__(self, config: str | Path | None = None, *, settings: Any = None) -> None:
        self._config = config
        self._settings = settings
        self._models: dict[str, Capabilities | None] | None = None

    def _load(self) -> dict[str, Capabilities | None]:
        if self._models is None:
            from cinebrief.backends.registry import model_backend
            from cinebrief.contract.profile import OFFICIAL_MODELS
            from cinebrief.settings import load_settings

            settings = self._settings or load_settings(self._config)
            models: dict[str, Capabilities | None] = {}
            for name, model in settings.models.items():
                if name in OFFICIAL_MODELS:
                    continue
                try:
                    models[name] = model_backend(name, model.backend, model.backend_settings).capabilities(name)
                except Exception:  # the name is served; the capabilities are not known on this machine
                    models[name] = None
            self._models = models
        return self._models

    def __getitem__(self, name: str) -> Capabilities | None:
        return self._load()[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._load())

    def __len__(self) -> int:
        return len(self._load())
