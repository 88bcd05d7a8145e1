"""The Videos API vocabulary: models, sizes, seconds, the Video object, capabilities and prices."""

from cinebrief.contract.capabilities import Capabilities, FrameRule
from cinebrief.contract.pricing import estimate_cost, price_per_second
from cinebrief.contract.profile import (
    ALL_SIZES,
    DEFAULTS,
    EXTENDED,
    OFFICIAL_MODELS,
    PROMPT_MAX_CHARACTERS,
    STANDARD,
    Profile,
    check_prompt,
    check_seconds,
    check_size,
    get_profile,
    parse_size,
)
from cinebrief.contract.reference import (
    FitRecord,
    ReferenceImage,
    check_reference_size,
    fit,
    read_reference,
    sniff_format,
)
from cinebrief.contract.video import VIDEO_KEYS, Video, VideoDeleted, VideoError, VideoList, new_id

__all__ = [
    "ALL_SIZES",
    "DEFAULTS",
    "EXTENDED",
    "OFFICIAL_MODELS",
    "PROMPT_MAX_CHARACTERS",
    "STANDARD",
    "VIDEO_KEYS",
    "Capabilities",
    "FitRecord",
    "FrameRule",
    "Profile",
    "ReferenceImage",
    "Video",
    "VideoDeleted",
    "VideoError",
    "VideoList",
    "check_prompt",
    "check_reference_size",
    "check_seconds",
    "check_size",
    "estimate_cost",
    "fit",
    "get_profile",
    "new_id",
    "parse_size",
    "price_per_second",
    "read_reference",
    "sniff_format",
]
