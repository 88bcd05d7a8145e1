"""Applying a remix's one change to its source: "same shot, switch to 85 mm" gives the same shot through 85 mm.

The source is a brief shot (a job made from a brief) or a prompt read into one (`parse_prompt`). The change is
read with the one vocabulary (`prompts.vocabulary`) and sorted into the shot's aspects: lens (and the framing
that focal length implies unless the change names one), framing, angle, camera move, lighting and time of day,
weather, palette, style, an action beat, a dialogue line, the sound cue. What the change says replaces the
matching aspect; every other field is kept as it was, so the rendered prompt keeps its text word for word. A
part of the change that fits no aspect is kept as a note at the end of the scene and recorded as unplaced,
never dropped. Every backend renders the effective shot: previz with the source's seed (same set, one change),
diffusers as video-to-video from the source clip.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from cinebrief.brief.schema import Brief, DialogueLine, Shot
from cinebrief.prompts import labels
from cinebrief.prompts import vocabulary as vocab
from cinebrief.prompts.parse import parse_prompt
from cinebrief.prompts.render import render_shot

ASPECTS = (
    "scene", "framing", "angle", "move", "lens", "focus", "lighting", "weather", "palette", "style", "mood",
    "actions", "dialogue", "sound",
)  # fmt: skip

# "Same shot, ..." and the verbs that only say "change": what is left is the new value.
_LEAD = re.compile(
    r"^\s*(?:(?:the\s+)?same\s+(?:shot|scene|clip|take)\b[\s,;:.-]*|keep\s+everything(?:\s+else)?[^,;]*[,;]\s*)*"
    r"(?:(?:but|and|now|then|please|just)\s+)*"
    r"(?:(?:switch|change|swap|cut|go|move|set)\s+(?:it\s+|the\s+\w+\s+)?(?:to|into|for)\s+|"
    r"(?:make|turn)\s+(?:it|the\s+\w+)\s+(?:into\s+)?|use\s+(?:an?\s+|the\s+)?|add\s+(?:an?\s+|some\s+)?|"
    r"with\s+(?:an?\s+)?|at\s+(?=dusk|dawn|night|noon|sunset|sunrise|golden|blue)|in\s+(?=the\s+rain|rain|snow|fog))?",
    re.IGNORECASE,
)
# Between clauses: a semicolon, a new line, or the space after a sentence's end. Around a quoted line: after
# one that ends a sentence where a new one starts (`says "Go." Add rain`), and after any where a comma or a
# joining word brings another change (`says "Go", switch to 85 mm`, `says "Go" and add rain`); words that
# follow it directly are how it is said (`asks "Ready?" quietly`, see `_place`).
_CLAUSE_BREAK = re.compile(
    r"[;\n]|(?<=[.!?])\s+|(?<=[.!?][\"”])\s+(?=[\"“A-Z\d])"
    r"|(?<=[\"”])(?:,\s*|\s+(?=(?i:and|then|but|now|also|plus)\b))"
)
_LENS = re.compile(r"\b(\d{1,3}(?:\.\d)?)\s?-?mm\b(?:\s+lens)?", re.IGNORECASE)
_SPEECH = "|".join(sorted(vocab.spellings(vocab.SPEECH_VERBS), key=len, reverse=True))
_SPEAKER = re.compile(rf"^\s*(?:have\s+|let\s+)?(?P<name>[A-Z][\w-]*)\s+(?P<verb>{_SPEECH})\b")
_PLAIN_SPEECH = {"say", "says", "said", "saying"}  # speech verbs that say nothing of how
# Aspects named by words that cannot be a line's delivery (a focal length, a time of day, the weather...).
_UNMISTAKABLE = {"lens", "framing", "lighting", "weather", "palette", "style"}
_STYLE = re.compile(r"\b(style|styled|look|aesthetic|film stock|shot on|animated|anime|noir|in the manner of)\b", re.I)
_PALETTE = re.compile(r"\b(palette|colou?rs?|tones?|grade|graded|hues?)\b", re.IGNORECASE)
_SOUND = re.compile(r"\b(sound|sounds|audio|music|score|ambience|ambient|noise|hum|hiss|silence|silent)\b", re.I)
_MOOD = re.compile(r"\b(mood|feel|feels|feeling|tone|emotion|vibe)\b", re.IGNORECASE)
_ACTION = re.compile(r"\b(beat|action|instead of|then)\b", re.IGNORECASE)

_FRAMING_TERMS = vocab.spellings(vocab.FRAMINGS)
_FRAMINGS = vocab.pattern(vocab.spellings(vocab.FRAMINGS, without="camera field"))
_MOVES = vocab.pattern(vocab.spellings(vocab.MOVES))
_LIGHT = vocab.pattern(vocab.spellings(vocab.LIGHT, without="prop"))
_TIMES = vocab.pattern(vocab.spellings(vocab.TIMES))
_WEATHER = vocab.pattern(vocab.spellings(vocab.WEATHER, without="sign"))
_COLOURS = vocab.pattern(vocab.spellings(vocab.COLOURS, without="not a colour"))
_FOCUS = vocab.pattern(vocab.spellings(vocab.FOCUS))
_ANGLE_VALUE = "angle"
_ACTION_WORDS = frozenset(vocab.spellings(vocab.ACTION_VERBS)) | frozenset(vocab.spellings(vocab.MOTION_VERBS))


@dataclass(frozen=True)
class ChangeRecord:
    """What a change did: the aspects it replaced, the aspects kept as they were, the parts it could not place."""

    changed: tuple[str, ...]
    kept: tuple[str, ...]
    unplaced: tuple[str, ...]

    def as_dict(self) -> dict[str, list[str]]:
        return {"changed": list(self.changed), "kept": list(self.kept), "unplaced": list(self.unplaced)}


@dataclass(frozen=True)
class Remixed:
    """The effective shot and prompt of a remix, and the record of the change."""

    brief: Brief
    shot: Shot
    prompt: str
    record: ChangeRecord


def framing_for_focal_length(millimetres: float) -> str:
    """The shot size a focal length implies on a full-frame camera at a conversational distance."""
    if millimetres <= 24:
        return "wide shot"
    if millimetres <= 40:
        return "medium wide shot"
    if millimetres <= 60:
        return "medium shot"
    if millimetres <= 100:
        return "close-up"
    return "tight close-up"


def apply_change(
    change: str, *, prompt: str | None = None, brief: Brief | None = None, shot: Shot | None = None
) -> Remixed:
    """The source (a brief shot, or a prompt) with `change` applied; see the module docstring."""
    if shot is None or brief is None:
        brief = parse_prompt(prompt or "")
        shot = brief.shots[0]
    updates: dict[str, object] = {}
    camera: dict[str, object] = {}
    unplaced: list[str] = []
    placed: set[str] = set()
    for clause in _clauses(change):
        aspects = _place(clause, shot, updates, camera)
        if not aspects:
            unplaced.append(_value(clause))
        placed.update(aspects)
    if camera:
        updates["camera"] = _updated_camera(shot, camera)
    if unplaced:  # kept, never dropped: said at the end of the scene, as written
        scene = str(updates.get("scene", shot.scene) or "")
        notes = " ".join(
            note[:1].upper() + note[1:] + ("" if note.endswith((".", "!", "?")) else ".") for note in unplaced
        )
        updates["scene"] = f"{scene} {notes}".strip()
    return _remixed(brief, shot, shot.model_copy(update=updates), placed, unplaced)


def _remixed(brief: Brief, shot: Shot, effective: Shot, changed: set[str], unplaced: list[str]) -> Remixed:
    """The effective shot in its brief, rendered, with the record of what changed and what was kept."""
    effective_brief = brief.model_copy(
        update={"shots": [effective if item.id == shot.id else item for item in brief.shots]}
    )
    record = ChangeRecord(
        changed=tuple(aspect for aspect in ASPECTS if aspect in changed),
        kept=tuple(aspect for aspect in ASPECTS if aspect not in changed and _present(shot, brief, aspect)),
        unplaced=tuple(unplaced),
    )
    return Remixed(effective_brief, effective, render_shot(effective_brief, effective, "descriptive"), record)


def continue_shot(
    prompt: str, *, source_prompt: str | None = None, brief: Brief | None = None, shot: Shot | None = None
) -> Remixed:
    """An extension's shot: the source's set, camera, light, palette and style, with the new prompt's beats.

    The new prompt's actions (else its prose, as one beat), its dialogue and its sound cue replace the source's;
    the source's scene, camera, lighting, palette and style are kept, so the clip continues the same storyboard.
    """
    if shot is None or brief is None:
        brief = parse_prompt(source_prompt or "")
        shot = brief.shots[0]
    new = parse_prompt(prompt).shots[0]
    updates: dict[str, object] = {"actions": new.actions or [text for text in [new.scene] if text]}
    updates["dialogue"] = new.dialogue
    if new.sound:
        updates["sound"] = new.sound
    return _remixed(brief, shot, shot.model_copy(update=updates), set(updates), [])


def _clauses(change: str) -> list[str]:
    """The change's parts: one per sentence or semicolon (the guide asks for one change; more are each placed).

    A quoted line is one part whatever its punctuation: `Courier says "Red light. Wait."` is one change.
    """
    masked = labels.QUOTED.sub(_hide_breaks, change)  # the same length: its positions are the change's
    parts, start = [], 0
    for clause_break in _CLAUSE_BREAK.finditer(masked):
        parts.append(change[start : clause_break.start()])
        start = clause_break.end()
    parts = [part.strip(" ,.") for part in [*parts, change[start:]]]
    return [part for part in parts if part and not re.fullmatch(r"(?i)(the\s+)?same\s+(shot|scene)", part)]


def _hide_breaks(quote: re.Match[str]) -> str:
    """The quote with the clause breaks inside it hidden, but for a full stop (or ! or ?) just before its
    closing mark, which may end the clause's sentence."""
    text, last = quote.group(0), len(quote.group(0)) - 2  # the closing mark is the last character
    return "".join(
        "x" if char in ".!?;" and not (index == last and char in ".!?") else char for index, char in enumerate(text)
    )


def _value(clause: str) -> str:
    """The clause without "same shot," and the verbs that only say "change to"."""
    return _LEAD.sub("", clause, count=1).strip(" ,.") or clause.strip(" ,.")


def _place(clause: str, shot: Shot, updates: dict[str, object], camera: dict[str, object]) -> list[str]:
    """Write the clause into the aspect(s) it names; returns them (empty: it fits none)."""
    value = _value(clause)
    quote = labels.QUOTED.search(clause)
    if quote:
        # Words right after the line: a change in the unmistakable vocabulary (`"Go." at dusk`), else how
        # the line is said (`"Ready?" quietly`, `"Go." without looking up`).
        tail = clause[quote.end() :].strip(" ,.")
        trial_updates, trial_camera = dict(updates), dict(camera)
        also = _place(tail, shot, trial_updates, trial_camera) if tail else []
        if also and set(also) <= _UNMISTAKABLE:
            updates.update(trial_updates)
            camera.update(trial_camera)
        else:
            also = []
        delivery = tail if tail and not also else None
        return [*_dialogue(value, quote.group(1) or quote.group(2), delivery, shot, updates), *also]
    if lens := _LENS.search(value):
        camera["lens"] = f"{lens.group(1)} mm"
        framing = _FRAMINGS.search(value)
        camera["framing"] = framing.group(0) if framing else framing_for_focal_length(float(lens.group(1)))
        return ["lens", "framing"]
    if _SOUND.search(value):
        updates["sound"] = value
        return ["sound"]
    if _STYLE.search(value):
        updates["style"] = value
        return ["style"]
    if _PALETTE.search(value) and (colours := [m.group(0) for m in _COLOURS.finditer(value)]):
        light, inline, _ = _inline_palette(shot.lighting)
        if inline:  # the palette is written on the lighting line: it is replaced there
            updates["lighting"] = f"{light}; {', '.join(colours)}"
        else:
            updates["palette"] = colours
        return ["palette"]
    if _WEATHER.search(value):
        updates["scene"] = _replace_sentences(shot.scene, _WEATHER, value)
        return ["weather"]
    if _LIGHT.search(value) or _TIMES.search(value):
        updates["lighting"] = _replace_lighting(shot.lighting, value)
        return ["lighting"]
    if _FOCUS.search(value) and not _MOVES.search(value):
        camera["focus"] = value
        return ["focus"]
    if match := _FRAMINGS.search(value):
        term = _FRAMING_TERMS[vocab.spelling_of(match.group(0))]
        camera["angle" if term.value == _ANGLE_VALUE else "framing"] = value
        return ["angle" if term.value == _ANGLE_VALUE else "framing"]
    if re.search(r"\bangle\b", value, re.I):
        camera["angle"] = value
        return ["angle"]
    if _MOVES.search(value) or re.search(r"\b(static|locked[- ]off|handheld)\b", value, re.I):
        camera["move"] = value
        return ["move"]
    if _MOOD.search(value):
        updates["mood"] = re.sub(r"(?i)^(?:(?:more|feel|feels|feeling|a|an)\s+)+", "", value) or value
        return ["mood"]
    if _ACTION.search(clause) or _is_action(value):
        updates["actions"] = [*shot.actions, value[:1].upper() + value[1:]]
        return ["actions"]
    return []


def _aspect_of_camera_part(part: str) -> str | None:
    """Which camera aspect one comma-separated part of a camera line states."""
    if _LENS.search(part):
        return "lens"
    if _MOVES.search(part) or re.search(r"\b(static|locked[- ]off|handheld)\b", part, re.I):
        return "move"
    if match := _FRAMINGS.search(part):
        term = _FRAMING_TERMS.get(vocab.spelling_of(match.group(0)))
        return "angle" if term is not None and term.value == _ANGLE_VALUE else "framing"
    if re.search(r"\b(angle|eye level|overhead|bird'?s?[- ]eye)\b", part, re.I):
        return "angle"
    if _FOCUS.search(part):
        return "focus"
    return None


def _updated_camera(shot: Shot, camera: dict[str, object]) -> object:
    """The camera with the changed aspects replaced. A camera written as one line ("wide shot, eye level,
    slow dolly left, 32 mm") keeps that line: only the part that states the changed aspect is replaced."""
    current = shot.camera
    combined = current.framing and "," in current.framing and not any((current.angle, current.move, current.lens))
    if not combined:
        return current.model_copy(update=camera)
    parts = [part.strip() for part in (current.framing or "").split(",") if part.strip()]
    for aspect, value in camera.items():
        index = next((i for i, part in enumerate(parts) if _aspect_of_camera_part(part) == aspect), None)
        if index is None:
            parts.append(str(value))
        else:
            parts[index] = str(value)
    return current.model_copy(update={"framing": ", ".join(parts)})


def _inline_palette(lighting: str | None) -> tuple[str, str, bool]:
    """A lighting line split into its light and the palette written after it ("...; magenta, cyan")."""
    if lighting and ";" in lighting:
        light, _, palette = lighting.rpartition(";")
        if _COLOURS.search(palette) and not _LIGHT.search(palette):
            return light.strip(), palette.strip(), True
    return lighting or "", "", False


def _replace_lighting(lighting: str | None, value: str) -> str:
    """The new lighting, keeping a palette written after it on the same line."""
    _, palette, inline = _inline_palette(lighting)
    return f"{value}; {palette}" if inline else value


def _is_action(value: str) -> bool:
    return any(word in _ACTION_WORDS for word in re.findall(r"[a-z]+", value.casefold()))


def _dialogue(value: str, line: str, delivery: str | None, shot: Shot, updates: dict[str, object]) -> list[str]:
    """A quoted line replaces the named speaker's line (else the first line); a new speaker adds one. How it
    is said (its manner) is the speech verb (`whispers`; `says` says nothing) and the `delivery` after the
    quote, as the prompt reader takes `Speaker whispers quietly: "..."`; with neither, the line keeps its
    manner. `value` is the clause without "same shot,", so that the speaker opens it."""
    speaker_match = _SPEAKER.search(value)
    speaker = speaker_match.group("name") if speaker_match else None
    verb = speaker_match.group("verb").casefold() if speaker_match else ""
    said = " ".join(part for part in (verb if verb not in _PLAIN_SPEECH else "", delivery) if part) or None
    dialogue = list(updates.get("dialogue", shot.dialogue))  # a second line in the same change adds to the first
    index = next((i for i, item in enumerate(dialogue) if speaker is None or item.speaker == speaker), None)
    if index is None:
        dialogue.append(DialogueLine(speaker=speaker or "Narrator", line=line, manner=said))
    else:
        manner = said or dialogue[index].manner
        dialogue[index] = dialogue[index].model_copy(update={"line": line, "manner": manner})
    updates["dialogue"] = dialogue
    return ["dialogue"]


def _replace_sentences(text: str | None, about: re.Pattern[str], value: str) -> str:
    """`text` with its sentences about the aspect replaced by `value` (added at the end when none is)."""
    sentences = re.split(r"(?<=[.!?])\s+", text or "") if text else []
    kept = [sentence for sentence in sentences if not about.search(sentence)]
    addition = value[:1].upper() + value[1:]
    return " ".join([*kept, addition if addition.endswith((".", "!", "?")) else addition + "."]).strip()


def _camera_aspects(shot: Shot) -> dict[str, object]:
    camera = shot.camera
    aspects: dict[str, object] = {
        "framing": camera.framing,
        "angle": camera.angle,
        "move": camera.move,
        "lens": camera.lens,
        "focus": camera.focus,
    }
    if camera.framing and "," in camera.framing:  # one camera line: each part states its own aspect
        aspects["framing"] = None
        for part in camera.framing.split(","):
            aspect = _aspect_of_camera_part(part)
            aspects[aspect or "framing"] = aspects.get(aspect or "framing") or part.strip()
    return aspects


def _present(shot: Shot, brief: Brief, aspect: str) -> bool:
    """Whether the source says anything about `aspect` (what a change keeps)."""
    values = {
        "scene": shot.scene,
        **_camera_aspects(shot),
        "lighting": shot.lighting,
        "weather": shot.scene and _WEATHER.search(shot.scene),
        "palette": shot.palette or brief.palette or _inline_palette(shot.lighting)[2],
        "style": shot.style or brief.style,
        "mood": shot.mood,
        "actions": shot.actions,
        "dialogue": shot.dialogue,
        "sound": shot.sound,
    }
    return bool(values[aspect])
