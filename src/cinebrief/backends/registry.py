"""Backends by name: every backend, ours included, is found through the `cinebrief.backends` entry points."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from importlib.metadata import entry_points
from typing import Any

from cinebrief.backends.base import Backend, check_setting_names
from cinebrief.errors import ConfigError

ENTRY_POINT_GROUP = "cinebrief.backends"


def backend_names() -> list[str]:
    return sorted({ep.name for ep in entry_points(group=ENTRY_POINT_GROUP)})


def backend_class(name: str) -> type[Backend]:
    """The class registered under `name`; imported only now, so heavy backends cost nothing until used."""
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        if ep.name == name:
            return ep.load()  # type: ignore[no-any-return]
    raise ConfigError(f"Unknown backend '{name}'. Installed backends: {', '.join(backend_names()) or 'none'}.")


def create_backend(name: str, **settings: Any) -> Backend:
    """The backend `name` built with `settings`. The names are checked against its constructor first, for
    every backend (ours and others'): a key it does not take, or a required one left out, is a ConfigError
    naming it, not Python's TypeError from inside the call; so is a value its constructor refuses with a
    ValueError (another package's backend does not know our ConfigError)."""
    cls = backend_class(name)
    check_setting_names(name, cls, settings)
    try:
        return cls(**settings)
    except TypeError as exc:
        if exc.__traceback__ is not None and exc.__traceback__.tb_next is None:  # raised by the call, not inside
            raise ConfigError(f"The {name} backend does not take these settings: {exc}") from exc
        raise
    except ValueError as exc:
        raise ConfigError(f"The {name} backend refused a setting: {exc}") from exc


def model_backend(
    model: str, backend: str, settings: Mapping[str, Any], create: Callable[..., Backend] = create_backend
) -> Backend:
    """The backend of the served model `model`, built (by `create`) with its settings (`[models.<model>]` in
    the settings file); a setting the backend refuses is named with the model's key."""
    try:
        return create(backend, **settings)
    except ConfigError as exc:
        raise ConfigError(f"models.{model}: {exc}") from exc
