"""The typed brief (schema ``cinebrief.brief/1``) and its YAML loading with line numbers.

The schema's names load with the package; the YAML loader and writer (ruamel.yaml) load on first use, so
a command that only reads a prompt into a brief does not pay for them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cinebrief import load_on_first_use
from cinebrief.brief.schema import (
    SCHEMA_VERSION,
    Atmosphere,
    Brief,
    Camera,
    Character,
    Detail,
    DialogueLine,
    Finishing,
    Grade,
    Location,
    Parameters,
    Shot,
    ShotListEntry,
    SoundMix,
    Wardrobe,
)

if TYPE_CHECKING:
    from cinebrief.brief.loader import (
        BriefErrors,
        load_brief,
        load_brief_tree,
        parse_brief,
        parse_brief_tree,
        position,
        read_yaml,
    )
    from cinebrief.brief.paths import field_path
    from cinebrief.brief.writer import dump_brief

_LAZY = {
    **dict.fromkeys(
        (
            "BriefErrors",
            "load_brief",
            "load_brief_tree",
            "parse_brief",
            "parse_brief_tree",
            "position",
            "read_yaml",
        ),
        "loader",
    ),
    "dump_brief": "writer",
    "field_path": "paths",
}

__all__ = [
    "SCHEMA_VERSION",
    "Atmosphere",
    "Brief",
    "BriefErrors",
    "Camera",
    "Character",
    "Detail",
    "DialogueLine",
    "Finishing",
    "Grade",
    "Location",
    "Parameters",
    "Shot",
    "ShotListEntry",
    "SoundMix",
    "Wardrobe",
    "dump_brief",
    "field_path",
    "load_brief",
    "load_brief_tree",
    "parse_brief",
    "parse_brief_tree",
    "position",
    "read_yaml",
]

__getattr__, __dir__ = load_on_first_use(__name__, _LAZY)
