"""Model routing: which backend serves a model, one backend instance per model, built on first use."""

from __future__ import annotations

import threading

from cinebrief.backends.base import Backend
from cinebrief.backends.registry import create_backend, model_backend
from cinebrief.contract.capabilities import Capabilities
from cinebrief.contract.profile import unknown_model
from cinebrief.errors import ConfigError
from cinebrief.settings import Settings


class BackendPool:
    """Backends by model name, as configured in `settings.models`."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._instances: dict[str, Backend] = {}
        self._lock = threading.Lock()

    @property
    def model_names(self) -> tuple[str, ...]:
        return tuple(self.settings.models)

    def backend_name(self, model: str) -> str:
        """The backend that serves `model`; an unknown model is a 400 naming the models served."""
        found = self.settings.models.get(model)
        if found is None:
            raise unknown_model(model, self.model_names)
        return found.backend

    def check_settings(self) -> None:
        """Build every model's backend once: a setting its backend does not take or cannot use is a
        ConfigError naming the model now, rather than a failure of each of its jobs. (A backend that cannot
        start on this machine, its weights elsewhere, say, is left to report that on its jobs.)"""
        for model in self.model_names:
            try:
                model_backend(
                    model, self.backend_name(model), self.settings.models[model].backend_settings, create_backend
                )
            except ConfigError:
                raise
            except Exception:
                pass

    def backend(self, model: str) -> Backend:
        """The backend instance for `model`, constructed with the model's settings the first time."""
        name = self.backend_name(model)
        with self._lock:
            instance = self._instances.get(model)
            if instance is None:
                try:
                    instance = create_backend(name, **self.settings.models[model].backend_settings)
                except ConfigError:
                    raise
                except Exception as exc:
                    raise ConfigError(f"Model '{model}': backend '{name}' cannot be started: {exc}") from exc
                self._instances[model] = instance
        return instance

    def capabilities(self, model: str) -> Capabilities:
        return self.backend(model).capabilities(model)
