"""Read prompt text back into a one-shot brief.

A labelled prompt (the guide's descriptive template, the ultra-detailed headers, ``<dialogue>`` tags,
``Dialogue:`` bullets, ``Speaker (manner): "line"`` inside ``Actions:``) becomes the matching brief fields;
unlabelled prose becomes the shot's ``scene``. Real prompts are tolerated: any case, extra spaces, label
synonyms, and ``Camera shot: wide shot, low angle`` split into framing and angle where the words tell.
`render_shot(parse_prompt(p))` keeps every labelled fact of `p`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from cinebrief.brief import Brief, DialogueLine
from cinebrief.brief.paths import field_path
from cinebrief.errors import PromptError, explain_invalid
from cinebrief.prompts import labels, shotlist, vocabulary
from cinebrief.prompts.reader import Block, Line, read_blocks

DEFAULT_SHOT_ID = "shot-1"
UNLABELLED_SPEAKER = "?"  # a quoted line in a dialogue block with no `Speaker:` label

_BULLET = labels.BULLET
_QUOTE = r"[\"“”]"
_SPEECH = re.compile(rf"^{labels.SPEAKER}\s*(?:\((?P<manner>[^)]*)\))?\s*:\s*{_QUOTE}(?P<line>.*){_QUOTE}\s*$")
_SAYS = re.compile(
    rf"^{labels.SPEAKER}\s+(?P<verb>{labels.SAID})\b(?P<rest>[^:\"“]*?)\s*:\s*{_QUOTE}(?P<line>.*){_QUOTE}\s*$",
    re.IGNORECASE,
)
_BARE_QUOTE = re.compile(rf"^{_QUOTE}(?P<line>.*){_QUOTE}\s*$")
_CHARACTER = re.compile(
    r"^(?P<name>(?:(?:Dr|Mr|Mrs|Ms|Mx|St)\. )?[A-Z][\w'’-]*(?: [A-Z][\w'’-]*){0,2})\s*:\s*(?P<description>[^\"“].*)$"
)
# Camera words from the shared vocabulary: an angle, a move (platforms and a static camera included: the
# move field says how the camera moves or stays), a shot type, and the framing and focus phrases.
_FRAMES = vocabulary.spellings(vocabulary.FRAMINGS)
_ANGLE = vocabulary.pattern({spelling: term for spelling, term in _FRAMES.items() if term.value == "angle"})
_MOVE = vocabulary.pattern(vocabulary.MOVES)
_FRAMING = vocabulary.pattern({spelling: term for spelling, term in _FRAMES.items() if term.value != "angle"})
# A leading clause of a `Camera:` line that is a framing: the framing phrases, and a bare "wide".
_FRAMING_PHRASE = vocabulary.pattern(vocabulary.NAMED_FRAMINGS)
_FOCUS = vocabulary.pattern(vocabulary.FOCUS)
_CLAUSES = re.compile(r"\s*[,;]\s*")
_TRAILING_SEPARATOR = re.compile(r"\s*[,;]\s*$")
_NOT_CHARACTERS = frozenset(
    {"note", "notes", "time", "weather", "location", "characters", "character", "story", "context", "prompt"}
    | {"summary", "description", "goal", "purpose", "format", "duration", "size", "resolution", "title", "setup"}
)


@dataclass
class _Draft:
    """Facts collected line by line; turned into a `Brief` at the end."""

    shot_id: str = DEFAULT_SHOT_ID
    style: list[str] = field(default_factory=list)
    palette: list[str] = field(default_factory=list)
    characters: dict[str, str] = field(default_factory=dict)
    scene: list[str] = field(default_factory=list)
    camera: dict[str, str] = field(default_factory=dict)
    text: dict[str, list[str]] = field(default_factory=dict)  # lighting, mood, sound
    actions: list[str] = field(default_factory=list)
    dialogue: list[DialogueLine] = field(default_factory=list)
    detail: dict[str, Any] = field(default_factory=dict)
    shot_list: list[dict[str, Any]] = field(default_factory=list)


class _Reader:
    """Turns the located blocks of `prompts.reader` into brief facts, block by block, by the field each fills."""

    def __init__(self, blank: frozenset[int]) -> None:
        self.draft = _Draft()
        self.blank = blank  # the numbers of blank lines: a blank line between prose lines is a paragraph break
        self.last_scene_line = 0

    def block(self, block: Block) -> None:
        name = block.field
        if name in ("actions", "dialogue"):
            fallback = "action" if name == "actions" else "dialogue"
            for line in block.lines:
                self._speech_or(_BULLET.sub("", line.text), fallback=fallback)
        elif name == "shot_list":
            for line in block.lines:
                self._shot_list_line(line.text, line.number)
        elif name in labels.ULTRA_HEADER_TEXT:
            for line in block.lines:
                if not self._unread_label(line.text):
                    self._ultra_line(name, _BULLET.sub("", line.text))
        elif not name:
            for line in block.lines:
                if not self._unread_label(line.text):
                    self._prose_line(line, bulleted=_BULLET.match(line.text) is not None)
        elif block.role == "format" and block.lines:  # a label inside Format & Look holds its own line
            self._set(name, block.lines[0].text)
            for line in block.lines[1:]:
                self._ultra_line("format_look", line.text)
        elif name == "avoid":  # the brief has no field for it: kept in the scene text as written
            self.draft.scene.append(f"{block.label}: " + " ".join(line.text for line in block.lines))
        elif name == "lighting" and "palette" in block.label.casefold():
            self._set(name, self._lighting_palette(" ".join(line.text for line in block.lines)))
        else:
            for line in block.lines:
                self._set(name, line.text)

    def _unread_label(self, line: str) -> bool:
        """A label the reader leaves in the text (the shot id, an ultra sub-label such as ``Highlights:``)."""
        pieces = labels.split_labels(line)
        if not pieces or pieces[0].field in labels.ROLES:
            return False
        for piece in pieces:
            if piece.value:
                self._set(piece.field, piece.value)
        return True

    def _lighting_palette(self, value: str) -> str:
        """``Lighting + palette: warm key; palette: amber, teal`` → the lighting; the anchors join the palette."""
        lighting, offset = labels.split_lighting_palette(value)
        if offset is not None:
            self.draft.palette.extend(labels.split_palette(value[offset:]))
        return lighting.strip()

    def _set(self, name: str, value: str) -> None:
        draft = self.draft
        if name in ("camera_shot", "cinematography"):
            self._camera_shot(value)
        elif name == "move":
            self._camera_line(value)
        elif name == "lens":
            self._lens_line(value)
        elif name in ("angle", "focus"):
            draft.camera[name] = _join(draft.camera.get(name), value)
        elif name == "palette":
            draft.palette.extend(labels.split_palette(value))
        elif name == "shot_id":
            draft.shot_id = re.sub(r"[^A-Za-z0-9_.-]+", "-", value).strip("-.") or DEFAULT_SHOT_ID
        elif name == "scene":
            draft.scene.append(value)
        elif name == "style":
            draft.style.append(value)
        elif "." in name:
            section, key = name.split(".", 1)
            entries = draft.detail.setdefault(section, {})
            entries[key] = _join(entries.get(key), value)
        else:  # lighting, mood, sound
            draft.text.setdefault(name, []).append(value)

    def _camera_shot(self, value: str) -> None:
        """``wide shot, low angle`` → framing + angle; a trailing move (``tracking left``) → move."""
        camera = self.draft.camera
        parts = [part.strip() for part in value.split(",") if part.strip()]
        while parts:
            last, alone = parts[-1], len(parts) == 1
            if alone and _FRAMING.search(last):
                break
            if "angle" not in camera and _ANGLE.search(last) and not _MOVE.search(last):
                camera["angle"] = last
            elif "move" not in camera and _MOVE.search(last) and not alone:
                camera["move"] = last
            else:
                break
            parts.pop()
        if parts:
            camera["framing"] = _join(camera.get("framing"), ", ".join(parts))

    def _camera_line(self, value: str) -> None:
        """``Camera: medium close-up, slow push-in`` → framing ``medium close-up`` + move ``slow push-in``: the
        leading clauses that are a shot type or an angle (and name no move) leave the move."""
        camera, text = self.draft.camera, value.strip()
        move_start = 0
        for start, end in _clauses(text):
            clause = text[start:end]
            if not clause or _MOVE.search(clause):
                break
            if _ANGLE.search(clause) and not _FRAMING.search(clause):  # "low angle", not "wide angle shot"
                if "angle" in camera:
                    break
                camera["angle"] = clause
            elif _FRAMING_PHRASE.search(clause):
                camera["framing"] = _join(camera.get("framing"), clause)
            else:
                break
            move_start = _after_separator(text, end)
        if text[move_start:]:
            camera["move"] = _join(camera.get("move"), text[move_start:])

    def _lens_line(self, value: str) -> None:
        """``Lens: 35 mm; shallow depth of field`` → lens ``35 mm`` + focus ``shallow depth of field``: the
        trailing clauses about focus go to focus."""
        camera, text = self.draft.camera, value.strip()
        lens_end = len(text)
        for start, end in reversed(_clauses(text)):
            if not _FOCUS.search(text[start:end]):
                break
            lens_end = start
        if lens_end < len(text):
            camera["focus"] = _join(camera.get("focus"), text[lens_end:])
        lens = _TRAILING_SEPARATOR.sub("", text[:lens_end])
        if lens:
            camera["lens"] = _join(camera.get("lens"), lens)

    def _prose_line(self, line: Line, *, bulleted: bool) -> None:
        text = _BULLET.sub("", line.text)
        if self._speech(text):
            return
        character = _CHARACTER.match(text)
        if character and not bulleted and character["name"].casefold() not in _NOT_CHARACTERS:
            self.draft.characters[character["name"]] = character["description"].strip()
            return
        scene = self.draft.scene
        if scene and scene[-1] and any(n in self.blank for n in range(self.last_scene_line + 1, line.number)):
            scene.append("")
        scene.append(text)
        self.last_scene_line = line.number

    def _speech_or(self, line: str, *, fallback: str) -> None:
        if self._speech(line):
            return
        if fallback == "action":
            self.draft.actions.append(line)
            return
        bare = _BARE_QUOTE.match(line)
        self._add_line(UNLABELLED_SPEAKER, bare["line"] if bare else line, None)

    def _speech(self, line: str) -> bool:
        """A ``Speaker: "line"``, ``Speaker (manner): "line"`` or ``Speaker says quietly: "line"`` line."""
        said = _SAYS.match(line)
        if said:
            verb, rest = said["verb"].casefold(), said["rest"].strip()
            manner = rest if verb == "says" else f"{verb} {rest}".strip()
            self._add_line(said["speaker"], said["line"], manner or None)
            return True
        speech = _SPEECH.match(line)
        if speech is None or labels.match_label(line) is not None:
            return False
        self._add_line(speech["speaker"], speech["line"], (speech["manner"] or "").strip() or None)
        return True

    def _add_line(self, speaker: str, line: str, manner: str | None) -> None:
        if line.strip():
            self.draft.dialogue.append(DialogueLine(speaker=speaker.strip(), line=line.strip(), manner=manner))

    def _ultra_line(self, section: str, line: str) -> None:
        detail = self.draft.detail
        if section == "camera_notes":
            detail.setdefault("camera_notes", []).append(line)
        elif section in ("format_look", "lenses"):
            detail[section] = _join(detail.get(section), line)
        else:
            key = _free_key(section, line, detail.get(section, {}))
            entries = detail.setdefault(section, {})
            entries[key] = _join(entries.get(key), line)

    def _shot_list_line(self, line: str, number: int) -> None:
        entry = shotlist.parse_entry_line(line)
        if entry is not None:
            fields = {"start": entry.start, "end": entry.end, "title": entry.title, "lens": entry.lens}
            self.draft.shot_list.append({**fields, "move": entry.move, "text": "", "line": number})
        elif self.draft.shot_list:
            current = self.draft.shot_list[-1]
            current["text"] = _join(current["text"], line)
        else:  # text between the header and the first entry
            self.draft.detail.setdefault("camera_notes", []).append(line)


def _free_key(section: str, line: str, entries: dict[str, Any]) -> str:
    """Where an unlabelled line of an ultra section goes (the guide's unlabelled first lines)."""
    lowered = line.casefold()
    if section == "atmosphere":
        return "negative_fill" if lowered.startswith("negative fill") else "key"
    if section == "location":
        return "avoid" if lowered.startswith("avoid") else "setting"
    if section == "wardrobe":
        return "main_subject"
    if section == "sound_mix":
        return "note"
    if section == "finishing":
        return "grain"
    return "mids" if section == "grade" else "note"


def _clauses(text: str) -> list[tuple[int, int]]:
    """The (start, end) of each clause of `text` between commas and semicolons."""
    bounds, start = [], 0
    for separator in _CLAUSES.finditer(text):
        bounds.append((start, separator.start()))
        start = separator.end()
    return [*bounds, (start, len(text))]


def _after_separator(text: str, end: int) -> int:
    """Where the next clause starts after a clause that ends at `end`."""
    match = _CLAUSES.match(text, end)
    return match.end() if match else end


def _join(existing: str | None, value: str) -> str:
    return f"{existing} {value}" if existing else value


def parse_prompt(text: str) -> Brief:
    """Read prompt text into a one-shot brief (shot id ``shot-1`` unless a ``Shot id:`` label names it).

    Raises `PromptError` for empty text or facts that cannot stand (a shot-list entry ending before it starts).
    """
    if not isinstance(text, str) or not text.strip():
        raise PromptError("the prompt is empty; there is nothing to read into a brief", field="prompt")
    reader = _Reader(frozenset(number for number, line in enumerate(text.splitlines(), start=1) if not line.strip()))
    for block in read_blocks(text).blocks:
        reader.block(block)
    return _build(reader.draft)


def _build(draft: _Draft) -> Brief:
    scene = "\n".join(draft.scene).strip()
    shot: dict[str, Any] = {
        "id": draft.shot_id,
        "scene": re.sub(r"\n{3,}", "\n\n", scene) or None,
        "camera": dict(draft.camera),
        "actions": draft.actions,
        "dialogue": draft.dialogue,
        **{name: " ".join(values) for name, values in draft.text.items() if values},
    }
    if draft.characters:
        shot["cast"] = list(draft.characters)
    detail = dict(draft.detail)
    if draft.shot_list:
        detail["shot_list"] = [_entry(entry) for entry in draft.shot_list]
    shot["detail"] = detail
    data = {
        "style": " ".join(draft.style) or None,
        "palette": draft.palette,
        "characters": [{"name": name, "description": text} for name, text in draft.characters.items()],
        "shots": [shot],
    }
    try:
        return Brief.model_validate(data)
    except ValidationError as exc:
        raise PromptError(_explain(exc, draft), field="prompt") from None


def _entry(entry: dict[str, Any]) -> dict[str, Any]:
    description, purpose = shotlist.split_description(entry["text"])
    fields = {key: entry[key] for key in ("start", "end", "title", "lens", "move")}
    return {**fields, "description": description, "purpose": purpose}


def _explain(exc: ValidationError, draft: _Draft) -> str:
    error = exc.errors()[0]
    loc = tuple(error["loc"])
    if "shot_list" in loc:
        index = next(part for part in loc[loc.index("shot_list") + 1 :] if isinstance(part, int))
        entry = draft.shot_list[index]
        return f"line {entry['line']}: shot-list entry “{entry['title']}”: {error['msg'].removeprefix('Value error, ')}"
    return f"{field_path(loc)}: {explain_invalid(error)}"
