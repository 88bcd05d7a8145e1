"""What the rules read: a linted document as shots of located text, from a brief or from prompt text.

A brief and a plain prompt become the same plain data (`Document` of `ShotView`s), so every rule runs on
both. Each piece of text is a `Span` that knows its field path (``shots[0].scene``, or a prompt label)
and its line and column, so a finding can point at what the user wrote.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

from cinebrief.lint.lexicon import Phrases, Text
from cinebrief.lint.model import Location, TreePath

Mode = Literal["control", "explore"]
Placement = Literal["block", "actions", "prose"]


@dataclass
class Span:
    """A piece of text and where it came from. `exact` when the text is a verbatim slice of the source,
    so that an offset inside it maps to a line and column."""

    text: str
    field: str
    line: int | None = None
    column: int | None = None
    exact: bool = False
    path: TreePath | None = None  # where it sits in the brief's YAML tree, for fixes

    def location(self, offset: int = 0) -> Location:
        if not self.exact or self.line is None or self.column is None or offset <= 0:
            return Location(self.field, self.line, self.column)
        before = self.text[:offset]
        newlines = before.count("\n")
        if newlines:
            return Location(self.field, self.line + newlines, offset - before.rfind("\n"))
        return Location(self.field, self.line, self.column + offset)

    @cached_property
    def words(self) -> Text:
        return Text(self.text)


@dataclass
class Parameter:
    """An API parameter as set (or None when unset), with where it was set."""

    value: object
    span: Span | None = None


@dataclass
class DialogueView:
    speaker: str | None
    line: str
    span: Span
    placement: Placement
    manner: str | None = None
    speaker_path: TreePath | None = None


@dataclass
class EntryView:
    """An optimized shot-list entry: times, title, lens and move, purpose, and format problems as read."""

    start: float
    end: float
    title: str
    span: Span
    lens: str | None = None
    move: str | None = None
    purpose: str | None = None
    problems: tuple[str, ...] = ()
    lens_path: TreePath | None = None


@dataclass
class HeaderView:
    """An ultra-detailed header line as written in prompt text."""

    text: str
    span: Span
    canonical: str | None  # the guide's header it stands for, when recognised
    colon: bool = False
    count: int | None = None  # the shot-list header's N shots
    total: float | None = None  # and T s total


@dataclass
class CharacterView:
    name: str
    description: Span | None = None


@dataclass
class ShotView:
    index: int
    id: str | None
    label: str  # how messages name it: "shot 'arrival'" or "the prompt"
    model: Parameter = field(default_factory=lambda: Parameter(None))
    size: Parameter = field(default_factory=lambda: Parameter(None))
    seconds: Parameter = field(default_factory=lambda: Parameter(None))
    style: Span | None = None
    style_scene: list[Span] = field(default_factory=list)  # text only: a scene on the `Style:` line, after it
    style_first: bool | None = None  # text only: the style came before the scene and camera blocks
    palette: list[str] | None = None  # anchors as listed; None when no palette was given
    palette_span: Span | None = None
    palette_on_shot: bool = False  # a brief shot that overrides the brief's palette
    prose: list[Span] = field(default_factory=list)
    camera: list[Span] = field(default_factory=list)
    lighting: list[Span] = field(default_factory=list)
    actions: list[Span] = field(default_factory=list)
    dialogue: list[DialogueView] = field(default_factory=list)
    sound: list[Span] = field(default_factory=list)
    detail: list[Span] = field(default_factory=list)  # ultra sections not read elsewhere
    camera_notes: list[Span] = field(default_factory=list)
    avoid: list[Span] = field(default_factory=list)  # a negative prompt: not a description of the shot
    format_look: Span | None = None
    shot_list: list[EntryView] = field(default_factory=list)
    shot_list_header: HeaderView | None = None
    headers: list[HeaderView] = field(default_factory=list)
    input_reference: Span | None = None
    cast: list[CharacterView] = field(default_factory=list)
    noqa: frozenset[str] = frozenset()
    structured: bool = True  # text: the prompt has labels or headers (one-line prompts are not)
    characters_text: str = ""  # brief: the cast's descriptions, which the renderer adds to the prompt

    def spans(self) -> list[Span]:
        """Every descriptive span (not dialogue): what vague-language and the vocabularies read."""
        out = [self.style] if self.style else []
        return out + self.prose + self.camera + self.lighting + self.actions + self.sound + self.detail

    @cached_property
    def texts(self) -> list[Text]:
        """All the shot's words, span by span (each span is read once): what the vocabularies look through."""
        spans = self.spans() + ([self.format_look] if self.format_look else [])
        out = [span.words for span in spans] + [entry.span.words for entry in self.shot_list]
        extra = "\n".join(part for part in (self.characters_text, ", ".join(self.palette or ())) if part)
        return [*out, Text(extra)] if extra else out

    def mentions(self, table: Phrases) -> bool:
        """Whether any phrase of the table occurs anywhere in the shot."""
        return any(table.found(text) for text in self.texts)

    def seconds_value(self) -> str:
        """The clip's seconds as the budgets read them: as set, else (unset, or not a number such as "",
        which `unsupported-seconds` reports) the API default "4"."""
        value = str(self.seconds.value) if self.seconds.value is not None else "4"
        try:
            number = float(value)
        except ValueError:
            return "4"
        return value if math.isfinite(number) and number > 0 else "4"

    def size_value(self) -> str:
        return str(self.size.value) if self.size.value is not None else "720x1280"

    def model_value(self) -> str:
        return str(self.model.value) if self.model.value is not None else "sora-2"

    def anchor(self) -> Location:
        """Where to point when a finding is about the shot as a whole."""
        spans = [s for s in (self.prose + self.camera + self.actions) if s.line is not None]
        return spans[0].location() if spans else Location(self.label_field, None, None)

    @property
    def label_field(self) -> str:
        return f"shots[{self.index}]" if self.id is not None else "prompt"


@dataclass
class Document:
    kind: Literal["brief", "text"]
    shots: list[ShotView]
    mode: Mode = "control"
    profile: str = "standard"
    source: str | None = None  # file name, for output; None for text given inline
    base_dir: Path | None = None  # where relative input_reference paths resolve
    style: Span | None = None  # the brief's own style
    palette: list[str] = field(default_factory=list)
    palette_span: Span | None = None
    characters: list[CharacterView] = field(default_factory=list)
    remix_of: str | None = None
    prompt_text: str | None = None  # the text as given (text documents)
    tree: object = None  # the brief's ruamel tree, kept for --fix
    # Models routed beyond the Videos API profile (a server's `wan-ti2v`...): name → Capabilities, or None when
    # only the name is known. Their size and seconds are checked against those capabilities.
    models: Mapping[str, Any] = field(default_factory=dict)
