"""The typed brief (schema ``cinebrief.brief/1``) and its YAML loading with line numbers."""

from cinebrief.brief.loader import BriefErrors, field_path, load_brief, parse_brief, position, read_yaml
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
    "field_path",
    "load_brief",
    "parse_brief",
    "position",
    "read_yaml",
]
