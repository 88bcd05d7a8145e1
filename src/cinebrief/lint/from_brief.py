"""Read a loaded brief (and its ruamel tree) into a located `Document`: field paths and file:line:col."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ruamel.yaml.scalarstring import DoubleQuotedScalarString, ScalarString, SingleQuotedScalarString

from cinebrief.brief import Brief, Shot, field_path, position
from cinebrief.lint.document import (
    CharacterView,
    DialogueView,
    Document,
    EntryView,
    Mode,
    Parameter,
    ShotView,
    Span,
)
from cinebrief.lint.model import TreePath
from cinebrief.lint.text import quoted_speech, speaker_line


class _Locator:
    def __init__(self, tree: Any) -> None:
        self.tree = tree

    def span(self, text: str | None, path: TreePath) -> Span | None:
        """The value at `path` with its position; exact (so a word inside points at its own column) when
        the YAML writes the value on one line as it reads: plain, or quoted without escapes."""
        if text is None:
            return None
        if self.tree is None:
            return Span(str(text), field_path(path), path=path)
        line, column = position(self.tree, path)
        node = self._node(path)
        exact = isinstance(node, str) and "\n" not in node and node == str(text)
        if isinstance(node, DoubleQuotedScalarString | SingleQuotedScalarString):
            exact = exact and not any(mark in node for mark in ("\\", '"', "'"))
            column = column + 1 if column is not None else None
        elif isinstance(node, ScalarString):
            exact = False  # literal or folded blocks start on the next line
        return Span(str(text), field_path(path), line, column, exact=exact, path=path)

    def _node(self, path: TreePath) -> Any:
        node = self.tree
        for part in path:
            try:
                node = node[part]
            except (KeyError, IndexError, TypeError):
                return None
        return node


def read_brief(
    brief: Brief,
    tree: Any = None,
    *,
    source: str | None = None,
    mode: Mode | None = None,
    profile: str = "standard",
) -> Document:
    """A brief as a `Document`; `tree` (from `parse_brief_tree`) gives positions and enables fixes."""
    at = _Locator(tree)
    document = Document(
        kind="brief",
        shots=[],
        mode=mode or brief.mode,
        profile=profile,
        source=source,
        base_dir=Path(source).parent if source else None,
        style=at.span(brief.style, ("style",)),
        palette=list(brief.palette),
        palette_span=at.span(", ".join(brief.palette), ("palette",)) if brief.palette else None,
        characters=[
            CharacterView(c.name, at.span(c.description, ("characters", i, "description")))
            for i, c in enumerate(brief.characters)
        ],
        tree=tree,
    )
    for index, shot in enumerate(brief.shots):
        document.shots.append(_shot(brief, shot, index, at))
    return document


def _parameter(shot: Shot, brief: Brief, name: str, index: int, at: _Locator) -> Parameter:
    if getattr(shot, name) is not None:
        return Parameter(getattr(shot, name), at.span(str(getattr(shot, name)), ("shots", index, name)))
    default = getattr(brief.defaults, name)
    return Parameter(default, at.span(str(default), ("defaults", name)) if default is not None else None)


def _shot(brief: Brief, shot: Shot, index: int, at: _Locator) -> ShotView:
    base: TreePath = ("shots", index)
    view = ShotView(index=index, id=shot.id, label=f"shot '{shot.id}'", noqa=frozenset(shot.noqa))
    view.model = _parameter(shot, brief, "model", index, at)
    view.size = _parameter(shot, brief, "size", index, at)
    view.seconds = _parameter(shot, brief, "seconds", index, at)
    view.style = at.span(shot.style, (*base, "style")) or (
        Span(brief.style, "style", *position(at.tree, ("style",)), path=("style",)) if brief.style else None
    )
    if shot.palette is not None:
        view.palette, view.palette_on_shot = list(shot.palette), True
        view.palette_span = at.span(", ".join(shot.palette), (*base, "palette"))
    elif brief.palette:
        view.palette = list(brief.palette)
        view.palette_span = Span(", ".join(brief.palette), "palette", *position(at.tree, ("palette",)))
    view.prose = [s for s in (at.span(shot.scene, (*base, "scene")), at.span(shot.mood, (*base, "mood"))) if s]
    for span in view.prose:
        view.dialogue.extend(quoted_speech(span, "prose"))
    camera = shot.camera
    view.camera = [
        s
        for key in ("framing", "angle", "move", "lens", "focus")
        if (s := at.span(getattr(camera, key), (*base, "camera", key)))
    ]
    view.lighting = [s for s in (at.span(shot.lighting, (*base, "lighting")),) if s]
    for i, action in enumerate(shot.actions):
        span = at.span(action, (*base, "actions", i))
        assert span is not None
        spoken = speaker_line(span, "actions")  # `Name (manner): "line"` inside actions, as the guide allows
        if spoken is not None:
            view.dialogue.append(spoken)
        else:
            view.actions.append(span)
    view.sound = [s for s in (at.span(shot.sound, (*base, "sound")),) if s]
    for i, line in enumerate(shot.dialogue):
        span = at.span(line.line, (*base, "dialogue", i, "line"))
        assert span is not None
        view.dialogue.append(
            DialogueView(
                line.speaker,
                line.line,
                span,
                "block",
                manner=line.manner,
                speaker_path=(*base, "dialogue", i, "speaker"),
            )
        )
    _detail(view, shot, base, at)
    view.input_reference = at.span(shot.input_reference, (*base, "input_reference"))
    cast = brief.cast_of(shot)
    view.cast = [
        CharacterView(c.name, at.span(c.description, ("characters", brief.characters.index(c), "description")))
        for c in cast
    ]
    view.characters_text = "\n".join(f"{c.name}: {c.description or ''}" for c in cast)
    return view


def _detail(view: ShotView, shot: Shot, base: TreePath, at: _Locator) -> None:
    """The ultra-detailed sections: format line, shot list, camera notes, and the rest as detail text."""
    detail = shot.detail
    where: TreePath = (*base, "detail")
    view.format_look = at.span(detail.format_look, (*where, "format_look"))
    if detail.lenses:
        view.camera.append(at.span(detail.lenses, (*where, "lenses")))  # type: ignore[arg-type]
    for section in ("grade", "atmosphere", "location", "wardrobe", "sound_mix", "finishing"):
        value = getattr(detail, section)
        if value is None:
            continue
        for key, text in value.model_dump(exclude_none=True).items():
            span = at.span(text, (*where, section, key))
            target = {"atmosphere": view.lighting, "sound_mix": view.sound}.get(section, view.detail)
            target.append(span)  # type: ignore[arg-type]
    view.camera_notes = [s for i, n in enumerate(detail.camera_notes) if (s := at.span(n, (*where, "camera_notes", i)))]
    for i, entry in enumerate(detail.shot_list):
        path: TreePath = (*where, "shot_list", i)
        span = at.span(entry.title, (*path, "title"))
        assert span is not None
        span.field = field_path(path)
        view.shot_list.append(
            EntryView(
                entry.start,
                entry.end,
                entry.title,
                span,
                lens=entry.lens,
                move=entry.move,
                purpose=entry.purpose,
                lens_path=(*path, "lens"),
            )
        )
        if entry.description:
            view.prose.append(at.span(entry.description, (*path, "description")))  # type: ignore[arg-type]
