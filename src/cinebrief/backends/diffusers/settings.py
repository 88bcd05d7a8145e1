"""The settings of one diffusers model, as given to `DiffusersBackend(**settings)`, checked once."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cinebrief.backends.base import refuse_unknown_settings
from cinebrief.backends.diffusers.families import FAMILIES
from cinebrief.backends.diffusers.mapping import OVERRIDABLE
from cinebrief.backends.diffusers.runtime import DTYPES
from cinebrief.backends.diffusers.speed import SPEED_KEYS, SpeedOptions
from cinebrief.errors import ConfigError

RUNTIME_KEYS = (
    "path", "family", "device", "dtype", "dtypes", "cpu_offload", "vae_tiling", "cache_bytes", "sound_pass",
)  # fmt: skip
ALLOWED_KEYS = (*RUNTIME_KEYS, *SPEED_KEYS, *OVERRIDABLE)
EXPLICIT_DTYPES = tuple(dtype for dtype in DTYPES if dtype != "auto")


@dataclass(frozen=True)
class DiffusersSettings:
    """`path` is required; generation defaults (`OVERRIDABLE`) are kept as given and checked by the mapping."""

    path: Path
    family: str | None = None
    device: str = "auto"
    dtype: str = "auto"
    dtypes: tuple[tuple[str, str], ...] = ()  # per component, over the family's own (e.g. the Wan VAE in fp32)
    cpu_offload: bool = False
    vae_tiling: bool = False
    cache_bytes: int | None = None
    sound_pass: bool = True  # a silent model's clip gets the prompt's dialogue and bed; never over a model's own
    speed: SpeedOptions = field(default_factory=SpeedOptions)
    generation: tuple[tuple[str, Any], ...] = ()  # (key, value) of fps, steps, guidance, ... when set

    @classmethod
    def from_mapping(cls, values: dict[str, Any]) -> DiffusersSettings:
        refuse_unknown_settings("diffusers", values, ALLOWED_KEYS)
        path = values.get("path")
        if not path or not isinstance(path, str | Path):
            raise ConfigError("The diffusers backend needs `path`: the local folder of a diffusers video model.")
        family = values.get("family")
        if family is not None and family not in FAMILIES:
            raise ConfigError(f"family '{family}' is not supported. Allowed: {', '.join(FAMILIES)}.")
        if values.get("dtype", "auto") not in DTYPES:
            raise ConfigError(f"dtype '{values['dtype']}' is not supported. Allowed: {', '.join(DTYPES)}.")
        for flag in ("cpu_offload", "vae_tiling", "sound_pass"):
            if not isinstance(values.get(flag, False), bool):
                raise ConfigError(f"`{flag}` must be true or false, got {values[flag]!r}.")
        if values.get("cpu_offload") and values.get("group_offload"):
            raise ConfigError(
                "`cpu_offload` and `group_offload` are two ways to keep weights off the GPU and cannot be combined; "
                "set one of them (group_offload moves less at a time, cpu_offload is faster when it fits)."
            )
        cache_bytes = values.get("cache_bytes")
        if cache_bytes is not None and (isinstance(cache_bytes, bool) or not isinstance(cache_bytes, int)):
            raise ConfigError(f"`cache_bytes` must be a whole number of bytes, got {cache_bytes!r}.")
        return cls(
            path=Path(path).expanduser(),
            family=family,
            device=str(values.get("device", "auto")),
            dtype=str(values.get("dtype", "auto")),
            dtypes=_component_dtypes(values.get("dtypes") or {}),
            cpu_offload=bool(values.get("cpu_offload", False)),
            vae_tiling=bool(values.get("vae_tiling", False)),
            cache_bytes=cache_bytes,
            sound_pass=bool(values.get("sound_pass", True)),
            speed=SpeedOptions.from_mapping(values),
            generation=tuple((key, values[key]) for key in OVERRIDABLE if key in values),
        )


def _component_dtypes(values: Any) -> tuple[tuple[str, str], ...]:
    """`dtypes = {vae = "float32", image_encoder = "float32"}`, each value checked."""
    if not isinstance(values, Mapping):
        raise ConfigError(f'`dtypes` must be a table of component = dtype, e.g. {{vae = "float32"}}; got {values!r}.')
    for component, dtype in values.items():
        if dtype not in EXPLICIT_DTYPES:
            raise ConfigError(f"dtypes.{component} '{dtype}' is not supported. Allowed: {', '.join(EXPLICIT_DTYPES)}.")
    return tuple(sorted((str(component), str(dtype)) for component, dtype in values.items()))
