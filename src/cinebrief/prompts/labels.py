"""The guide's prompt vocabulary as data: descriptive labels, ultra-detailed headers and their sub-labels.

The renderer writes the canonical spelling; the prompt parser and the linter read many spellings of the
same label and map them to one name, with the same functions (`split_labels`, `continues`, `header_key`,
`split_palette`), so that both read a prompt alike. Headers stand on their own line without a colon; labels
end in a colon. Plain data and regular expressions only: the linter imports this without the brief schema.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from cinebrief.prompts import vocabulary

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


_AND = re.compile(r"\band\b")
_NOT_LETTERS = re.compile(r"[^a-z]+")


def header_key(text: str) -> str:
    """How header spellings compare: letters only, lower case, a standalone "and" dropped
    (``Grade/Palette:`` and ``grade / palette`` → ``gradepalette``; ``Format and Look`` → ``formatlook``)."""
    folded = text.casefold()
    return _NOT_LETTERS.sub("", _AND.sub("", folded) if "and" in folded else folded)


# Every header spelling we read, by its key → the `Detail` field it opens.
HEADER_KEYS: dict[str, str] = {
    **{header_key(text): name for name, text in ULTRA_HEADERS},
    header_key("Lens & Filtration"): "lenses",
    header_key("Camera Notes"): "camera_notes",
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
    "lenses": "lens",
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
    "location": "scene",
    # What the clip must not show (a negative prompt): read as a request to avoid, never as the shot itself.
    "avoid": "avoid",
    "negative": "avoid",
    "negative prompt": "avoid",
    "exclude": "avoid",
    "do not include": "avoid",
    "do not show": "avoid",
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

# What part of a shot each label field or header field describes: the linter reads its text in this role.
# Fields without a role (``shot_id`` and the ultra sub-labels) are read only by the prompt parser.
ROLES: dict[str, str] = {
    "style": "style",
    "cinematography": "camera",
    "camera_shot": "camera",
    "move": "camera",
    "angle": "camera",
    "lens": "camera",
    "focus": "camera",
    "lighting": "lighting",
    "palette": "palette",
    "mood": "prose",
    "scene": "prose",
    "actions": "actions",
    "dialogue": "dialogue",
    "sound": "sound",
    "avoid": "avoid",
    # The ultra-detailed headers.
    "format_look": "format",
    "lenses": "camera",
    "grade": "palette",
    "atmosphere": "lighting",
    "location": "prose",
    "wardrobe": "prose",
    "sound_mix": "sound",
    "shot_list": "shotlist",
    "camera_notes": "notes",
    "finishing": "detail",
}


# How the lines of a prompt open, for the parser and the linter alike: a list item, a speaker (``Mara:``,
# ``Mara (quietly):``, ``Mara says softly:``), a ``<dialogue>`` tag.
BULLET = re.compile(r"^\s*(?:[-*•–]|\d+[.)])\s+")
SPEAKER = r"(?P<speaker>[^\W\d_][\w .'’-]{0,40}?)"
# A speech verb in the present, as a speaker line uses it ("Mara whispers:"), from the shared vocabulary.
SAID = "|".join(
    sorted({spelling for term in vocabulary.SPEECH_VERBS for spelling in term.spellings if spelling.endswith("s")})
)
# Quoted text on one line: speech, or words shown on screen (a sign, a label); never a request to the model.
# A straight quote opens only at the start or after a space or an opening mark, not after a full stop (text
# extracted with stray quotes, ``casino." 1960s aesthetic."``, is not quoted).
QUOTED = re.compile(r"(?:^|(?<=[\s(\[:—–-]))\"([^\"\n]{1,400})\"|“([^”\n]{1,400})”")
DIALOGUE_OPEN = re.compile(r"<dialogue>", re.IGNORECASE)
DIALOGUE_CLOSE = re.compile(r"</dialogue>", re.IGNORECASE)

_LABEL_LINE = re.compile(r"^\s*(?P<label>[A-Za-z][A-Za-z +&/]{0,30}?)\s*:(?P<value>.*)$")
# A further label on the same line, after a sentence ends: ``Style: 35 mm film. Camera: slow pan left.``
_INLINE_LABEL = re.compile(r"(?<=[.;!?])\s+(?P<label>[A-Z][A-Za-z +&/]{0,28}?)\s*:(?=\s|$)")
_HEADER_LINE = re.compile(r"^\s*[A-Za-z][A-Za-z &/()]*:?\s*$")
_UNFINISHED_MARKS = ",;:&+/–—-"
_UNFINISHED_WORDS = frozenset({"and", "or", "with"})
_PALETTE_SPLIT = re.compile(r"[,;/]|\band\b")
_PALETTE_IN_LIGHTING = re.compile(r"[\s;,.]*\bpalette(?:\s+anchors)?\s*:\s*", re.IGNORECASE)


def normalise_label(label: str) -> str:
    """``Camera  Shot :`` → ``camera shot``: how label spellings compare."""
    return " ".join(label.rstrip().rstrip(":").split()).casefold()


class LabelPiece(NamedTuple):
    """One label on a line: as written, the field it fills, and its value with the value's 0-based offset."""

    label: str
    field: str
    value: str
    offset: int


def split_labels(line: str) -> list[LabelPiece]:
    """The labels a line holds, each with its value; empty when no known label starts the line.

    ``Style: 35 mm film. Camera: slow pan left.`` → a ``style`` piece and a ``move`` piece. A further label
    counts only after a sentence ends and only when it names a part of the shot (one with a role).
    """
    first = _LABEL_LINE.match(line) if ":" in line else None
    if first is None or (field := LABELS.get(normalise_label(first["label"]))) is None:
        return []
    found = [(first["label"].strip(), field, first.start("value"))]
    for match in _INLINE_LABEL.finditer(line, first.start("value")):
        inline = LABELS.get(normalise_label(match["label"]))
        if inline in ROLES:
            found.append((match["label"].strip(), inline, match.end()))
    pieces = []
    for index, (label, name, start) in enumerate(found):
        end = line.rfind(found[index + 1][0], start, found[index + 1][2]) if index + 1 < len(found) else len(line)
        value = line[start:end]
        pieces.append(LabelPiece(label, name, value.strip(), start + len(value) - len(value.lstrip())))
    return pieces


def continues(value: str) -> bool:
    """Whether a label's value is missing or stops mid-phrase (``Style: 1970s film,``): then the lines below
    carry it on, up to a blank line or the next label. Otherwise the label holds its own line only."""
    tail = value.rstrip()
    if not tail or tail[-1] in _UNFINISHED_MARKS:
        return True
    return tail.rsplit(None, 1)[-1].casefold() in _UNFINISHED_WORDS


def match_label(line: str) -> tuple[str, str, str] | None:
    """``Camera shot: wide shot`` → (field, value, label as written); None when no known label starts it."""
    pieces = split_labels(line)
    return (pieces[0].field, pieces[0].value, pieces[0].label) if pieces else None


def match_ultra_header(line: str) -> str | None:
    """The `Detail` field a header line opens (``Grade/Palette:`` → ``grade``), or None.

    The shot-list header is recognised by `prompts.shotlist.is_header`; this covers the other nine.
    """
    if not _HEADER_LINE.match(line):
        return None
    return HEADER_KEYS.get(header_key(line))


def split_palette(text: str) -> list[str]:
    """Palette anchors as listed: ``amber, cream and walnut brown.`` → ``["amber", "cream", "walnut brown"]``."""
    return [anchor for part in _PALETTE_SPLIT.split(text) if (anchor := part.strip(" ."))]


def split_lighting_palette(text: str) -> tuple[str, int | None]:
    """``Lighting + palette:`` text → (the lighting, the offset where its palette anchors start, or None).

    ``warm key from the left; palette: amber, teal`` → (``warm key from the left``, offset of ``amber``).
    """
    match = _PALETTE_IN_LIGHTING.search(text)
    if match is None:
        return text, None
    return text[: match.start()], match.end()
