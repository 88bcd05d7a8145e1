"""The one reader of prompt text: lines become located blocks (a role, the label as written, the field it
fills, and its lines with line and column).

`parse_prompt` turns the blocks into a brief, the linter into its located document, previz reads the brief.
How a prompt is cut is decided here only: a label opens a block (several labels may share a line), a value
that stops mid-phrase goes on over the next lines, a blank line closes a prose-like block, ``<dialogue>``
tags hold their lines, ultra-detailed headers open sections (``Sound:`` is the sound label unless another header
stands in the text), and a label inside the shot list is a line of it. Plain data: no brief schema is loaded.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

from cinebrief.prompts import labels


@dataclass(frozen=True)
class Line:
    """One line of a block: its 1-based line number and column, and its text (stripped)."""

    number: int
    column: int
    text: str


@dataclass
class Block:
    """Consecutive lines read in one role.

    `role` is one of style camera lighting palette prose actions dialogue sound format shotlist notes detail
    avoid (a negative prompt: what the clip must not show);
    `label` is the label or header as written ("" for prose, ``<dialogue>`` for tags); `field` is what it
    fills (a `labels.LABELS` field, an ultra header's `Detail` field, or "" for prose).
    """

    role: str
    label: str
    field: str
    lines: list[Line] = field(default_factory=list)


@dataclass(frozen=True)
class Header:
    """An ultra-detailed header line: as written, the guide's spelling, its field and where it stands."""

    text: str
    canonical: str
    field: str
    number: int
    column: int
    colon: bool


@dataclass
class Reading:
    blocks: list[Block]
    headers: list[Header]


_CANONICAL = {key: labels.ULTRA_HEADER_TEXT[name] for key, name in labels.HEADER_KEYS.items()}
_FIELD_OF = {text: name for name, text in labels.ULTRA_HEADERS}
_SHOT_LIST_HEADER = re.compile(r"^\s*optimi[sz]ed\s+shot\s+list\b", re.IGNORECASE)
# Blocks whose lines go on past a blank line (a list or a section), and those a blank line closes once filled.
_OPEN_PAST_BLANK = ("actions", "dialogue", "shotlist", "notes")
_LISTS = ("actions", "dialogue")
# Labels whose value runs on over the next lines up to a blank line (or the next label).
_RUN_TO_BLANK = ("actions", "dialogue", "format", "avoid")


def header_of(line: str, *, fuzzy: bool = True) -> tuple[str | None, bool]:
    """The guide's header a line stands for (tolerating case, spacing and a colon, and with `fuzzy` a close
    misspelling), and whether it had a colon. Without `fuzzy` a cheap test: most lines leave at the lookup."""
    stripped = line.strip()
    if not stripped or len(stripped) > 60:
        return None, False
    colon = stripped.endswith(":")
    key = labels.header_key(stripped)
    if not fuzzy and key not in _CANONICAL and not key.startswith(("optimizedshotlist", "optimisedshotlist")):
        return None, colon
    if labels.BULLET.match(line):
        return None, False
    if _SHOT_LIST_HEADER.match(stripped):
        return "Optimized Shot List", colon
    if key in _CANONICAL:
        return _CANONICAL[key], colon
    if not fuzzy or re.search(r"[.!?,;\"]", stripped.rstrip(":")) or len(key) < 8 or len(stripped.split()) > 6:
        return None, colon
    close = difflib.get_close_matches(key, list(_CANONICAL), n=1, cutoff=0.82)
    return (_CANONICAL[close[0]], colon) if close else (None, colon)


def _opens_section(canonical: str | None, colon: bool) -> bool:
    """Whether a header line opens the ultra-detailed sections on its own: any header but ``Sound:``, which
    is the descriptive template's sound label unless another header stands in the text."""
    return canonical is not None and not (canonical == "Sound" and colon)


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip()) + 1


def read_blocks(text: str) -> Reading:
    """Cut prompt text into located blocks and the ultra headers it has (see the module docstring)."""
    lines = text.splitlines()
    blocks: list[Block] = []
    headers: list[Header] = []
    current: Block | None = None
    in_tag = False
    exact = [header_of(line, fuzzy=False) for line in lines]
    several = sum(1 for canonical, _ in exact if canonical) >= 2
    ultra = several or any(_opens_section(*found) for found in exact)
    for number, line in enumerate(lines, start=1):
        stripped = line.strip()
        if "<" in stripped and (labels.DIALOGUE_OPEN.search(stripped) or labels.DIALOGUE_CLOSE.search(stripped)):
            in_tag, current = _dialogue_tag(line, number, blocks), None
            continue
        if in_tag:
            if stripped:
                blocks[-1].lines.append(Line(number, _indent(line), stripped))
            continue
        if not stripped:
            if current is not None and (
                current.role not in _OPEN_PAST_BLANK or (current.role in _LISTS and current.lines)
            ):
                current = None
            continue
        canonical, colon = header_of(line) if ultra or _SHOT_LIST_HEADER.match(line) else (None, False)
        if canonical and not (several or headers or _opens_section(canonical, colon)):
            canonical = None  # `Sound:` as the only header is the sound label
        pieces = labels.split_labels(line)
        if pieces and pieces[0].field not in labels.ROLES:
            pieces = []  # an ultra sub-label (`Highlights:`) is a line of its section
        if canonical and not (pieces and pieces[0].value):
            headers.append(Header(stripped, canonical, _FIELD_OF[canonical], number, _indent(line), colon))
            name = _FIELD_OF[canonical]
            current = Block(labels.ROLES[name], canonical, name)
            blocks.append(current)
            continue
        if pieces and not (current and current.role == "shotlist"):
            in_format = current is not None and current.role == "format"
            for piece in pieces:
                role = labels.ROLES[piece.field]
                current = Block("format" if in_format and role != "style" else role, piece.label, piece.field)
                blocks.append(current)
                if piece.value:
                    current.lines.append(Line(number, piece.offset + 1, piece.value))
            if current.role not in _RUN_TO_BLANK and not labels.continues(pieces[-1].value):
                # A one-line label: the next lines are prose again, or the ultra section it stands in.
                current = _resume(headers, blocks)
            continue
        if current is None:
            current = Block("prose", "", "")
            blocks.append(current)
        current.lines.append(Line(number, _indent(line), stripped))
    return Reading(blocks, headers)


def _resume(headers: list[Header], blocks: list[Block]) -> Block | None:
    """After a one-line label inside an ultra section (not the shot list), the section goes on."""
    if not headers:
        return None
    section = next((block for block in reversed(blocks) if block.label == headers[-1].canonical), None)
    if section is None or section.role in ("shotlist", "format"):
        return None
    blocks.append(Block(section.role, section.label, section.field))
    return blocks[-1]


def _dialogue_tag(line: str, number: int, blocks: list[Block]) -> bool:
    """Open or close a ``<dialogue>`` block (text on the tag's own line belongs inside); True while open."""
    opening = labels.DIALOGUE_OPEN.search(line)
    closing = labels.DIALOGUE_CLOSE.search(line)
    if opening:
        blocks.append(Block("dialogue", "<dialogue>", "dialogue"))
        inner = line[opening.end() : closing.start() if closing else len(line)]
        if inner.strip():
            blocks[-1].lines.append(Line(number, opening.end() + 1 + len(inner) - len(inner.lstrip()), inner.strip()))
        return not closing
    inner = line[: closing.start()] if closing else line
    if inner.strip() and blocks:
        blocks[-1].lines.append(Line(number, _indent(inner), inner.strip()))
    return False
