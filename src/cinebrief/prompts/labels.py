"""The guide's prompt vocabulary as data: descriptive labels, ultra-detailed headers and their sub-labels.

The renderer writes the canonical spelling; the parser (and the linter) read many spellings of the same
label and map them to one name. Headers stand on their own line without a colon; labels end in a colon.
"""

from __future__ import annotations

import re

# The ten ultra-detailed headers in the guide's order: (brief field in `Detail`, exact header text).
# The shot-list header carries its counts, so it is written by `prompts.shotlist.format_header`.
ULTRA_HEADERS: tuple[tuple[str, str], ...] = (
    ("format_look", "Format & Look"),
    ("lenses", "Lenses & Filtration"),
    ("grade", "Grade / Palette"),
    ("atmosphere", "Lighting & Atmosphere"),
    ("location", "Location & Framing"),
    ("wardrobe", "Wardrobe / Props / Extras"),
    ("sound_mix", "Sound"),
    ("shot_list", "Optimized Shot List"),
    ("camera_notes", "Camera Notes (Why It Reads)"),
    ("finishing", "Finishing"),
)
ULTRA_HEADER_TEXT = dict(ULTRA_HEADERS)

_HEADER_KEYS = {
    "format&look": "format_look",
    "lenses&filtration": "lenses",
    "lens&filtration": "lenses",
    "grade/palette": "grade",
    "lighting&atmosphere": "atmosphere",
    "location&framing": "location",
    "wardrobe/props/extras": "wardrobe",
    "sound": "sound_mix",
    "cameranotes": "camera_notes",
    "cameranotes(whyitreads)": "camera_notes",
    "finishing": "finishing",
}

# Canonical label text the renderer writes.
STYLE = "Style:"
CINEMATOGRAPHY = "Cinematography:"
CAMERA_SHOT = "Camera shot:"
CAMERA = "Camera:"
LENS = "Lens:"
DEPTH_OF_FIELD = "Depth of field:"
LIGHTING = "Lighting:"
LIGHTING_PALETTE = "Lighting + palette:"
PALETTE_ANCHORS = "Palette anchors:"
MOOD = "Mood:"
ACTIONS = "Actions:"
DIALOGUE = "Dialogue:"
BACKGROUND_SOUND = "Background Sound:"

# Every spelling we read (lower case, single spaces, no colon) → the field it fills.
LABELS: dict[str, str] = {
    "style": "style",
    "look": "style",
    "cinematography": "cinematography",
    "camera shot": "camera_shot",
    "shot": "camera_shot",
    "shot type": "camera_shot",
    "framing": "camera_shot",
    "camera": "move",
    "camera move": "move",
    "camera movement": "move",
    "movement": "move",
    "angle": "angle",
    "camera angle": "angle",
    "lens": "lens",
    "depth of field": "focus",
    "dof": "focus",
    "focus": "focus",
    "lighting": "lighting",
    "light": "lighting",
    "lighting + palette": "lighting",
    "lighting and palette": "lighting",
    "lighting & palette": "lighting",
    "palette anchors": "palette",
    "palette": "palette",
    "colors": "palette",
    "colours": "palette",
    "color palette": "palette",
    "colour palette": "palette",
    "mood": "mood",
    "tone": "mood",
    "actions": "actions",
    "action": "actions",
    "beats": "actions",
    "dialogue": "dialogue",
    "dialog": "dialogue",
    "background sound": "sound",
    "sound": "sound",
    "audio": "sound",
    "ambience": "sound",
    "ambient sound": "sound",
    "shot id": "shot_id",
    "scene": "scene",
    "setting": "scene",
    "subject": "scene",
    # Ultra-detailed sub-labels.
    "highlights": "grade.highlights",
    "mids": "grade.mids",
    "midtones": "grade.mids",
    "blacks": "grade.blacks",
    "shadows": "grade.blacks",
    "bounce": "atmosphere.bounce",
    "negative fill": "atmosphere.negative_fill",
    "practical": "atmosphere.practical",
    "practicals": "atmosphere.practical",
    "atmos": "atmosphere.atmos",
    "atmosphere": "atmosphere.atmos",
    "foreground": "location.foreground",
    "midground": "location.midground",
    "background": "location.background",
    "main subject": "wardrobe.main_subject",
    "extras": "wardrobe.extras",
    "props": "wardrobe.props",
    "diegetic only": "sound_mix.diegetic",
    "diegetic": "sound_mix.diegetic",
    "mix": "finishing.mix",
    "poster frame": "finishing.poster_frame",
}

# Labels that open a block of lines rather than hold one value.
BLOCKS = frozenset({"cinematography", "actions", "dialogue"})

_LABEL_LINE = re.compile(r"^\s*(?P<label>[A-Za-z][A-Za-z +&/]{0,30}?)\s*:\s*(?P<value>.*)$")
_SPACES = re.compile(r"\s+")


def normalise_label(label: str) -> str:
    return _SPACES.sub(" ", label.strip().rstrip(":").strip()).casefold()


def match_label(line: str) -> tuple[str, str, str] | None:
    """``Camera shot: wide shot`` → (field, value, label as written); None when no known label starts it."""
    match = _LABEL_LINE.match(line)
    if match is None:
        return None
    field = LABELS.get(normalise_label(match["label"]))
    if field is None:
        return None
    return field, match["value"].strip(), match["label"].strip()


def match_ultra_header(line: str) -> str | None:
    """The `Detail` field a header line opens (``Grade/Palette:`` → ``grade``), or None.

    The shot-list header is recognised by `prompts.shotlist.is_header`; this covers the other nine.
    """
    key = _SPACES.sub("", line.strip().rstrip(":").casefold()).replace("and", "&")
    return _HEADER_KEYS.get(key)
