"""The optimized shot list's exact text: ``0.00–2.40 — “Arrival Drift” (32 mm, slow dolly left)``.

One module formats and reads these lines so that the renderer, the parser and the linter agree on every
character: two-decimal times joined by an EN DASH (U+2013) without spaces, a spaced EM DASH (U+2014), the
title in curly quotes (U+201C, U+201D), then ``(lens, camera move)``. The header is
``Optimized Shot List (N shots / T s total)``.

Reading is tolerant (hyphens, straight quotes, one decimal, missing spaces) so that a real prompt still
parses; every deviation from the exact form is listed in `EntryLine.format_problems` for the linter.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # only for annotations: the linter reads entry lines without loading the brief schema
    from cinebrief.brief import ShotListEntry

EN_DASH = "\u2013"
EM_DASH = "\u2014"
LEFT_QUOTE = "\u201c"
RIGHT_QUOTE = "\u201d"
HEADER_TITLE = "Optimized Shot List"

_NUMBER = r"\d+(?:[.,]\d+)?"
# Tolerant: any dash or "to" between times, any dash (or colon) before the title, any quotes around it.
_ENTRY = re.compile(
    rf"^\s*(?P<start>{_NUMBER})\s*(?P<range>[-–—]|to)\s*(?P<end>{_NUMBER})\s*s?"
    rf"\s*(?P<sep>[-–—:]+)?\s*"
    r"(?P<open>[\"“”'‘’]?)(?P<title>[^\"“”()]*?)(?P<close>[\"“”'‘’]?)"
    r"\s*(?:\((?P<paren>[^)]*)\))?\s*$"
)
_HEADER = re.compile(
    r"^\s*optimi[sz]ed\s+shot\s+list\s*(?:\(\s*(?P<count>\d+)\s*shots?\s*/\s*(?P<total>"
    + _NUMBER
    + r")\s*s(?:ec(?:onds?)?)?\s*total\s*\))?\s*:?\s*$",
    re.IGNORECASE,
)
_CANONICAL_TIME = re.compile(r"^\d+\.\d{2}$")
_LENS = re.compile(r"\b\d+(?:\.\d+)?\s*mm\b|\blens\b|\bprime\b|\bzoom lens\b|\banamorphic\b", re.IGNORECASE)
_PURPOSE = re.compile(r"\bPurpose:\s*", re.IGNORECASE)


@dataclass(frozen=True)
class EntryLine:
    """An entry line as read: times, title, lens and move, and how it differs from the exact form."""

    start: float
    end: float
    title: str
    lens: str | None
    move: str | None
    format_problems: tuple[str, ...] = ()

    @property
    def is_canonical(self) -> bool:
        return not self.format_problems


def format_time(seconds: float) -> str:
    """Seconds with two decimals: ``2.4`` → ``2.40``."""
    return f"{seconds:.2f}"


def format_total(seconds: float) -> str:
    """The header's total: ``4`` for whole seconds, else the shortest exact decimal (``4.5``)."""
    return f"{seconds:.2f}".rstrip("0").rstrip(".")


def format_header(entries: Sequence[ShotListEntry]) -> str:
    """``Optimized Shot List (2 shots / 4 s total)``; the total is the last entry's end."""
    count = len(entries)
    total = max((entry.end for entry in entries), default=0.0)
    noun = "shot" if count == 1 else "shots"
    return f"{HEADER_TITLE} ({count} {noun} / {format_total(total)} s total)"


def format_entry_line(entry: ShotListEntry) -> str:
    """``0.00–2.40 — “Arrival Drift” (32 mm, slow dolly left)``; the parentheses hold what is known."""
    camera = ", ".join(part for part in (entry.lens, entry.move) if part)
    line = (
        f"{format_time(entry.start)}{EN_DASH}{format_time(entry.end)} {EM_DASH} {LEFT_QUOTE}{entry.title}{RIGHT_QUOTE}"
    )
    return f"{line} ({camera})" if camera else line


def format_description(entry: ShotListEntry) -> str | None:
    """The line under an entry: its description, ending in ``Purpose: …`` when a purpose is given."""
    parts = [part for part in (entry.description, f"Purpose: {entry.purpose}" if entry.purpose else None) if part]
    return " ".join(parts) if parts else None


def format_entry(entry: ShotListEntry) -> str:
    """The entry line and, when there is one, its description line."""
    description = format_description(entry)
    line = format_entry_line(entry)
    return f"{line}\n{description}" if description else line


@dataclass(frozen=True)
class Header:
    """A shot-list header as read; `count` and `total` are None when the line leaves them out."""

    count: int | None
    total: float | None


def parse_header(line: str) -> Header | None:
    """The counts of a header line (``Optimized Shot List (2 shots / 4 s total)``); None if not a header."""
    match = _HEADER.match(line)
    if match is None:
        return None
    if match["count"] is None:
        return Header(None, None)
    return Header(int(match["count"]), _to_float(match["total"]))


def is_header(line: str) -> bool:
    return parse_header(line) is not None


def parse_entry_line(line: str) -> EntryLine | None:
    """Read an entry line in the exact or a near form; None when the line is not an entry at all."""
    match = _ENTRY.match(line)
    if match is None or not match["title"].strip():
        return None
    start, end = _to_float(match["start"]), _to_float(match["end"])
    lens, move = split_camera(match["paren"])
    return EntryLine(
        start=start,
        end=end,
        title=match["title"].strip(),
        lens=lens,
        move=move,
        format_problems=tuple(_format_problems(line, match)),
    )


def split_camera(paren: str | None) -> tuple[str | None, str | None]:
    """``32 mm, slow dolly left`` → lens and move; a single part is a lens when it looks like one."""
    if paren is None or not paren.strip():
        return None, None
    first, comma, rest = paren.partition(",")
    first, rest = first.strip(), rest.strip()
    if comma:
        return first or None, rest or None
    return (first, None) if _LENS.search(first) else (None, first)


def split_description(text: str) -> tuple[str | None, str | None]:
    """``Gulls lift off. Purpose: establish place.`` → description and purpose (split at the last Purpose:)."""
    matches = list(_PURPOSE.finditer(text))
    if not matches:
        return text.strip() or None, None
    last = matches[-1]
    description = text[: last.start()].strip()
    purpose = text[last.end() :].strip()
    return description or None, purpose or None


def _format_problems(line: str, match: re.Match[str]) -> list[str]:
    problems: list[str] = []
    for name in ("start", "end"):
        if not _CANONICAL_TIME.match(match[name]):
            problems.append(
                f"{name} time '{match[name]}' needs two decimals, e.g. '{format_time(_to_float(match[name]))}'"
            )
    if match["range"] != EN_DASH or line[match.end("start") : match.start("end")] != EN_DASH:
        problems.append("the times need an EN DASH '–' between them, with no spaces")
    sep_span = line[match.end("end") : match.start("open") if match["open"] else match.start("title")]
    if match["sep"] != EM_DASH or sep_span != f" {EM_DASH} ":
        problems.append("the title needs a spaced EM DASH ' — ' before it")
    if match["open"] != LEFT_QUOTE or match["close"] != RIGHT_QUOTE:
        problems.append("the title needs curly quotes “…”")
    if match["paren"] is None:
        problems.append("the entry needs '(lens, camera move)' after the title")
    elif re.search(r"\d+mm\b", match["paren"]):
        problems.append("write the lens with a space, e.g. '32 mm'")
    return problems


def _to_float(text: str) -> float:
    return float(text.replace(",", "."))
