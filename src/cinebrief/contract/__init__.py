"""The Videos API vocabulary: models, sizes, seconds, the Video object, capabilities and prices.

Names load on first use (module ``__getattr__``) so that importing the profile alone does not pull in
Pillow (reference images) or pydantic (the Video object): `cinebrief lint --text` must start fast.
"""

from __future__ import annotations

from cinebrief import load_on_first_use

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

__getattr__, __dir__ = load_on_first_use(__name__, _MODULE_OF)
