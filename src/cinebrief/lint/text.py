"""Read plain prompt text into a located `Document`: labelled blocks, ultra-detailed headers, shot-list
entries and dialogue in every form the guide uses, each with its line and column.

This is the linter's view of text, not a brief: it keeps positions (a brief has none) and what a brief
cannot hold, such as quoted speech in the prose, a misspelled header or a shot-list line in the wrong
characters. The labels and headers are those of `cinebrief.prompts.labels` and the shot-list lines are read
by `cinebrief.prompts.shotlist` (loaded when a prompt has a shot list), the same plain-data modules the prompt
parser uses; nothing here loads the brief schema, so `cinebrief lint --text` starts fast.
"""

from __future__ import annotations

import re

from cinebrief.lint.document import (
    DialogueView,
    Document,
    EntryView,
    HeaderView,
    Mode,
    Parameter,
    Placement,
    ShotView,
    Span,
)
from cinebrief.lint.lexicon import words_in
from cinebrief.lint.vocabulary import SPEECH_VERBS, WRITTEN
from cinebrief.prompts import labels
from cinebrief.prompts.reader import Block, Header, read_blocks

# The guide's labels (lower case, no colon) → the role the linter reads them in; the vocabulary is the
# prompt package's (`cinebrief.prompts.labels`), so the linter and the prompt parser read the same labels.
LABEL_ROLES = {label: labels.ROLES[name] for label, name in labels.LABELS.items() if name in labels.ROLES}
_BULLET = labels.BULLET
_SPEAKER_LINE = re.compile(
    rf"^{labels.SPEAKER}\s*(?:\((?P<manner>[^)]*)\))?(?:\s+(?:{labels.SAID})\b[^:\"“]*)?\s*:\s*(?P<line>.+)$",
    re.IGNORECASE,
)
_ENTRY_START = re.compile(r"^\s*\d+(?:[.,]\d+)?\s*(?:[-–—]|to)\s*\d")
_PURPOSE = re.compile(r"\bpurpose\s*:", re.IGNORECASE)


def read_text(
    text: str,
    *,
    mode: Mode = "control",
    model: str | None = None,
    size: str | None = None,
    seconds: str | None = None,
    input_reference: str | None = None,
    remix_of: str | None = None,
    source: str | None = None,
) -> Document:
    """A plain prompt as a one-shot `Document` (the ultra shot list keeps its own entries)."""
    reading = read_blocks(text)
    blocks, headers = reading.blocks, [_header_view(header) for header in reading.headers]
    shot = ShotView(index=0, id=None, label="the prompt")
    shot.model = Parameter(model, Span(str(model), "model") if model is not None else None)
    shot.size = Parameter(size, Span(str(size), "size") if size is not None else None)
    shot.seconds = Parameter(seconds, Span(str(seconds), "seconds") if seconds is not None else None)
    if input_reference:
        shot.input_reference = Span(input_reference, "input_reference")
    shot.headers = headers
    shot.structured = bool(headers) or any(block.label for block in blocks)
    _fill(shot, blocks)
    return Document(kind="text", shots=[shot], mode=mode, source=source, remix_of=remix_of, prompt_text=text)


# A style ends with its first sentence when the line goes on with a capitalised sentence (the scene).
_STYLE_END = re.compile(r"[.!?]\s+(?=[A-Z0-9\"“])")


def _scene_after_style(style: Span) -> list[Span]:
    """The scene written on a one-line `Style:` after its first sentence (`Style: 1990s action movie. A hero
    runs ...`): the style stays whole, as the prompt parser reads it, and the motion rules read this part too."""
    end = _STYLE_END.search(style.text) if style.exact and style.column is not None else None
    if end is None or not style.text[end.end() :].strip():
        return []
    return [Span(style.text[end.end() :], style.field, style.line, style.column + end.end(), exact=True)]


def _header_view(header: Header) -> HeaderView:
    """A header as the linter keeps it; the shot-list header with its shot count and total seconds."""
    span = Span(header.text, header.canonical, header.number, header.column, exact=True)
    view = HeaderView(header.text, span, header.canonical, colon=header.colon)
    match = re.search(r"\(\s*(\d+)\s*shots?\s*/\s*(\d+(?:[.,]\d+)?)\s*s", header.text, re.IGNORECASE)
    if header.canonical == "Optimized Shot List" and match:
        view.count, view.total = int(match[1]), float(match[2].replace(",", "."))
    return view


def _span(block: Block, field_name: str) -> Span | None:
    """A block's lines as one span; exact when the block is one line."""
    if not block.lines:
        return None
    first = block.lines[0]
    text = "\n".join(line.text for line in block.lines)
    return Span(text, field_name, first.number, first.column, exact=len(block.lines) == 1)


def _line_spans(block: Block, field_name: str) -> list[Span]:
    """One span per line (bullets stripped); list items are numbered (`Actions[1]`), prose lines are not."""
    spans = []
    for index, line in enumerate(block.lines):
        bare = _BULLET.sub("", line.text)
        name = field_name if field_name == "prompt" else f"{field_name}[{index}]"
        spans.append(Span(bare, name, line.number, line.column + len(line.text) - len(bare), exact=True))
    return spans


def _fill(shot: ShotView, blocks: list[Block]) -> None:
    """Route each block to the shot's fields; dialogue is read from every block in its own way."""
    seen_scene = False
    for block in blocks:
        name = block.label or "prompt"
        role = block.role
        if role == "style":
            shot.style = _span(block, name)
            shot.style_scene = _scene_after_style(shot.style) if shot.style else []
            shot.style_first = not seen_scene if shot.style_first is None else shot.style_first
            continue
        if role in ("prose", "camera", "actions") and block.lines:
            seen_scene = True
        if role == "actions":
            for span in _line_spans(block, name):
                line = speaker_line(span, "actions")
                if line is not None:
                    shot.dialogue.append(line)
                else:
                    shot.actions.append(span)
                    shot.dialogue.extend(quoted_speech(span, "actions"))
        elif role == "dialogue":
            for span in _line_spans(block, name):
                line = speaker_line(span, "block") or _bare_line(span)
                if line is not None:
                    shot.dialogue.append(line)
        elif role == "shotlist":
            _read_entries(shot, block)
        elif role == "palette":
            span = _span(block, name)
            if span is not None:
                shot.detail.append(span)
                if block.label.lower() != "grade / palette":
                    shot.palette = labels.split_palette(span.text)
                    shot.palette_span = span
        else:
            _fill_prose_like(shot, block, role, name)


def _fill_prose_like(shot: ShotView, block: Block, role: str, name: str) -> None:
    span = _span(block, name)
    if span is None:
        return
    if role == "format":
        shot.format_look = span
        return
    target = {
        "camera": shot.camera,
        "lighting": shot.lighting,
        "sound": shot.sound,
        "notes": shot.camera_notes,
        "detail": shot.detail,
        "avoid": shot.avoid,
    }.get(role, shot.prose)
    if role == "prose" and not block.label:
        # Plain prose: a line shaped `Name: "line"` is dialogue outside a block; quotes may be speech.
        for line_span in _line_spans(block, name):
            quoted = '"' in line_span.text or "“" in line_span.text
            spoken = speaker_line(line_span, "prose") if quoted else None
            if spoken is not None and spoken.speaker:
                shot.dialogue.append(spoken)
            else:
                target.append(line_span)
                shot.dialogue.extend(quoted_speech(line_span, "prose"))
        return
    if role == "lighting" and "palette" in block.label.lower():
        span = _lighting_palette(shot, span)
    target.append(span)
    if role != "notes":
        shot.dialogue.extend(quoted_speech(span, "prose"))


def _lighting_palette(shot: ShotView, span: Span) -> Span:
    """``Lighting + palette: warm key; palette: amber, teal``: the lighting span, the anchors apart."""
    lighting, offset = labels.split_lighting_palette(span.text)
    if offset is None:
        return span
    line, column = _position(span, offset)
    anchors = Span(span.text[offset:], span.field, line, column, exact=span.exact)
    shot.palette = labels.split_palette(anchors.text)
    shot.palette_span = anchors
    shot.detail.append(anchors)
    return Span(lighting, span.field, span.line, span.column, exact=span.exact)


def _strip_quotes(text: str) -> str:
    return text.strip().strip('"“”').strip()


def speaker_line(span: Span, placement: Placement) -> DialogueView | None:
    """``Speaker (manner): "line"`` or ``Speaker says quietly: "line"``; None if the line is not speech."""
    match = _SPEAKER_LINE.match(span.text)
    if match is None:
        return None
    spoken = match["line"].strip()
    if placement != "block" and not re.match(r"^[\"“]", spoken):
        return None
    speaker = " ".join(match["speaker"].split())
    if speaker.lower() in LABEL_ROLES or speaker.lower() in ("purpose", "note", "notes"):
        return None
    return DialogueView(speaker, _strip_quotes(spoken), span, placement, manner=match["manner"])


def _bare_line(span: Span) -> DialogueView | None:
    text = span.text.strip()
    return DialogueView(None, _strip_quotes(text), span, "block") if text else None


def quoted_speech(span: Span, placement: Placement) -> list[DialogueView]:
    """Quoted words that someone says: a speech verb near the quote, no sign or title before it."""
    found: list[DialogueView] = []
    if '"' not in span.text and "“" not in span.text:
        return found
    for match in labels.QUOTED.finditer(span.text):
        before = words_in(span.text[max(0, match.start() - 50) : match.start()])[-5:]
        after = words_in(span.text[match.end() : match.end() + 30])[:3]
        if any(word in WRITTEN for word in before[-4:]):
            continue
        said = any(word in SPEECH_VERBS for word in before) or any(word in SPEECH_VERBS for word in after)
        said = said or span.text[: match.start()].rstrip().endswith(":")
        if not said:
            continue
        line, column = _position(span, match.start() + 1)
        sub = Span(match.group(1) or match.group(2) or "", span.field, line, column, exact=True)
        found.append(DialogueView(None, sub.text, sub, placement))
    return found


def _position(span: Span, offset: int) -> tuple[int | None, int | None]:
    location = span.location(offset)
    return location.line, location.column


def _read_entries(shot: ShotView, block: Block) -> None:
    """Shot-list entries with their description lines (tolerant reading, problems kept for the linter)."""
    from cinebrief.prompts import shotlist  # its patterns take a while to compile: only for prompts with a list

    entry: EntryView | None = None
    for line in block.lines:
        number, column, text = line.number, line.column, line.text
        parsed = shotlist.parse_entry_line(text) if _ENTRY_START.match(text) else None
        if parsed is not None:
            span = Span(text, f"Optimized Shot List[{len(shot.shot_list)}]", number, column, exact=True)
            entry = EntryView(
                parsed.start,
                parsed.end,
                parsed.title,
                span,
                lens=parsed.lens,
                move=parsed.move,
                problems=parsed.format_problems,
            )
            shot.shot_list.append(entry)
        elif entry is not None:
            match = _PURPOSE.search(text)
            if match:
                entry.purpose = text[match.end() :].strip() or None
            shot.prose.append(Span(text, entry.span.field, number, column, exact=True))
    if block.label and shot.headers:
        shot.shot_list_header = next((h for h in shot.headers if h.canonical == "Optimized Shot List"), None)
