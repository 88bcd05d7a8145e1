"""The Videos API vocabulary: models, sizes, seconds, the Video object, capabilities and prices.

Names load on first use (module ``__getattr__``) so that importing the profile alone does not pull in
Pillow (reference images) or pydantic (the Video object): `cinebrief lint --text` must start fast.
"""

from __future__ import annotations

import importlib
from typing import Any

_SOURCES = {
    "capabilities": ("Capabilities", "FrameRule"),
    "pricing": ("estimate_cost", "price_per_second"),
    "profile": (
        "ALL_SIZES",
        "DEFAULTS",
        "EXTENDED",
        "OFFICIAL_MODELS",
        "PROMPT_MAX_CHARACTERS",
        "STANDARD",
        "Profile",
        "check_prompt",
        "check_seconds",
        "check_size",
        "get_profile",
        "parse_size",
    ),
    "reference": ("FitRecord", "ReferenceImage", "check_reference_size", "fit", "read_reference", "sniff_format"),
    "video": ("VIDEO_KEYS", "Video", "VideoDeleted", "VideoError", "VideoList", "new_id"),
}
_MODULE_OF = {name: module for module, names in _SOURCES.items() for name in names}

__all__ = sorted(_MODULE_OF)


def __getattr__(name: str) -> Any:
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module 'cinebrief.contract' has no attribute '{name}'")
    value = getattr(importlib.import_module(f"cinebrief.contract.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
