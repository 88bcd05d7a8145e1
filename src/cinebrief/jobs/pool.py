"""Model routing: which backend serves a model, one backend instance per model, built on first use."""

from __future__ import annotations

import logging
import threading

from cinebrief.backends.base import Backend
from cinebrief.backends.registry import create_backend, model_backend
from cinebrief.contract.capabilities import Capabilities
from cinebrief.contract.profile import unknown_model
from cinebrief.errors import BackendUnavailableError, ConfigError
from cinebrief.settings import Settings

_log = logging.getLogger(__name__)


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
        """Build every model's backend now (kept for its requests). A setting that is wrong on any machine, a
        backend name not installed, a key the backend does not take, a value it cannot use, is a ConfigError
        naming the model: the engine does not start. A backend that cannot be built on this machine for
        another reason (a library it needs is missing here, say) is logged; it is tried again when a request
        needs it, and until then its requests are refused (`BackendUnavailableError`, 503 on the server)."""
        for model in self.model_names:
            try:
                self.backend(model)
            except BackendUnavailableError as exc:
                _log.warning("%s; its requests are refused until it can be built", exc)

    def backend(self, model: str) -> Backend:
        """The backend instance for `model`, constructed with the model's settings the first time."""
        name = self.backend_name(model)
        with self._lock:
            instance = self._instances.get(model)
            if instance is None:
                settings = self.settings.models[model].backend_settings
                try:
                    # `create_backend` is this module's name for it: tests replace it with their factories.
                    instance = model_backend(model, name, settings, create_backend)
                except ConfigError:
                    raise
                except Exception as exc:
                    raise BackendUnavailableError(
                        f"models.{model}: backend '{name}' cannot be built here: {exc}"
                    ) from exc
                self._instances[model] = instance
        return instance

    def capabilities(self, model: str) -> Capabilities:
        """What `model` can do. A backend that cannot say here (its weights folder is missing on this host,
        say) makes the model unavailable (`BackendUnavailableError`), not the request wrong."""
        backend = self.backend(model)
        try:
            return backend.capabilities(model)
        except BackendUnavailableError:
            raise
        except ConfigError as exc:
            raise BackendUnavailableError(str(exc), field=exc.field) from exc
