"""Sequence continuity rules (SQ…): drift between the shots of one brief, and remixes that change one thing."""

from __future__ import annotations

import re
from collections.abc import Iterator

from cinebrief.lint import vocabulary as vocab
from cinebrief.lint.document import Document, ShotView, Span
from cinebrief.lint.lexicon import Text
from cinebrief.lint.model import Edit, Finding, Fix, Location
from cinebrief.lint.registry import rule


def _attributes(text: Text, start: int = 0, end: int | None = None) -> set[str]:
    """Colour and garment words in a stretch of text: what makes a character recognisable."""
    stop = len(text.raw) if end is None else end
    return {
        t.word
        for t in text.tokens
        if start <= t.start < stop and (t.word in vocab.COLOUR_WORDS or t.word in vocab.GARMENTS)
    }


def _character_mentions(shot: ShotView, name: str) -> Iterator[tuple[Span, set[str]]]:
    """Each sentence of the shot's prose that names the character, with its colour and garment words."""
    pattern = re.compile(rf"\b{re.escape(name)}\b", re.IGNORECASE)
    for span in shot.prose + shot.actions:
        for match in pattern.finditer(span.text):
            _start, end = span.words.sentence_span(match.start())
            found = _attributes(span.words, match.end(), end)
            if found:
                yield span, found


@rule("SQ001", "continuity-drift", severity="warning", fix="unsafe")
def continuity_drift(document: Document) -> Iterator[Finding]:
    """
    ## What it does
    In a brief of several shots, finds a shot whose style or palette differs from the brief's (or from
    the first shot's), and a character described in a shot with colours or clothes that are not in
    their description.

    ## Why is this bad?
    Characters and looks drift easily: small wording changes alter identity and grade. Clips that are
    cut together need the same style, the same palette anchors and the exact same character phrasing.
    The fix removes the shot's override (unsafe: the change may be intended).

    ## Example
    ```yaml
    style: 1990s Hong Kong night cinema on 35 mm
    characters: [{name: Courier, description: young courier in a yellow rain shell}]
    shots:
      - {id: a, scene: "Courier waits at the crosswalk."}
      - {id: b, style: glossy 2020s commercial, scene: "Courier, in an orange jacket, runs."}
    ```

    ## Use instead
    ```yaml
    shots:
      - {id: a, scene: "Courier waits at the crosswalk."}
      - {id: b, scene: "Courier pedals off through the rain."}
    ```
    """
    if document.kind != "brief" or len(document.shots) < 2:
        return
    yield from _style_drift(document)
    yield from _palette_drift(document)
    yield from _character_drift(document)


def _style_drift(document: Document) -> Iterator[Finding]:
    reference = (
        document.style.text if document.style else (document.shots[0].style.text if document.shots[0].style else None)
    )
    for shot in document.shots:
        span = shot.style
        if span is None or reference is None or span.path != ("shots", shot.index, "style"):
            continue
        if _norm(span.text) != _norm(reference):
            yield Finding(
                f"{shot.label} changes the style to '{span.text}' (the sequence uses '{reference}')",
                span.location(),
                help="keep one style across shots that are cut together, or mark the change as intended (noqa)",
                fix=Fix("unsafe", "remove the shot's style override", (Edit(span.path, delete=True),)),
                shot=shot.index,
            )


def _palette_drift(document: Document) -> Iterator[Finding]:
    reference = document.palette or next((s.palette for s in document.shots if s.palette), None)
    if not reference:
        return
    base = {_norm(c) for c in reference}
    for shot in document.shots:
        if not shot.palette_on_shot or shot.palette is None:
            continue
        shared = base & {_norm(c) for c in shot.palette}
        if len(shared) * 2 >= len(base) and shot.palette is not reference:
            continue
        if shot.palette is reference:
            continue
        yield Finding(
            f"{shot.label} uses palette {', '.join(shot.palette)}, sharing {len(shared)} of "
            f"{len(base)} anchors with the sequence",
            shot.palette_span.location() if shot.palette_span else shot.anchor(),
            help="repeat the sequence's palette anchors in every shot",
            fix=Fix(
                "unsafe", "remove the shot's palette override", (Edit(("shots", shot.index, "palette"), delete=True),)
            ),
            shot=shot.index,
        )


def _character_drift(document: Document) -> Iterator[Finding]:
    for character in document.characters:
        canonical = _attributes(character.description.words) if character.description else set()
        first: set[str] | None = None
        for shot in document.shots:
            for span, found in _character_mentions(shot, character.name):
                reference = canonical or first
                if reference is None:
                    first = found
                    continue
                extra = sorted(
                    word for word in found - reference if word in vocab.COLOUR_WORDS or word in vocab.GARMENTS
                )
                if extra and found.isdisjoint(reference):
                    where = "their description" if canonical else "the first shot"
                    yield Finding(
                        f"{character.name} is described with {', '.join(extra)} in {shot.label}, unlike {where}",
                        span.location(),
                        help=f"reuse the exact phrasing of {character.name}'s description in every shot",
                        shot=shot.index,
                    )


def _norm(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", text.lower()).split())


@rule("SQ002", "lighting-drift", severity="warning")
def lighting_drift(document: Document) -> Iterator[Finding]:
    """
    ## What it does
    In a brief of several shots, finds shots whose time of day (dawn, midday, golden hour, dusk, night)
    or key-light side (from camera left or right) differs from the first shot that states one.

    ## Why is this bad?
    Clips cut together need the same lighting logic; golden hour in one shot and overhead noon sun in
    the next read as a jump. Mark an intended change with `noqa: [SQ002]` on the shot.

    ## Example
    ```yaml
    shots:
      - {id: a, lighting: "late golden hour, key from camera left"}
      - {id: b, lighting: "overhead noon sun"}
    ```

    ## Use instead
    ```yaml
    shots:
      - {id: a, lighting: "late golden hour, warm key from camera left"}
      - {id: b, lighting: "late golden hour, warm key from camera left"}
    ```
    """
    if document.kind != "brief" or len(document.shots) < 2:
        return
    first_time: tuple[str, ShotView] | None = None
    first_side: tuple[str, ShotView] | None = None
    for shot in document.shots:
        spans = shot.lighting + shot.prose
        times = {value for span in spans for value in vocab.TIMES.values(span.words)}
        side = next((m.group("side").lower() for span in shot.lighting for m in _KEY_SIDE.finditer(span.text)), None)
        where = (shot.lighting or shot.prose or [Span("", shot.label_field)])[0].location()
        if len(times) == 1:
            (time,) = times
            if first_time is None:
                first_time = (time, shot)
            elif time != first_time[0]:
                yield Finding(
                    f"{shot.label} is lit for {time}; {first_time[1].label} is {first_time[0]}",
                    where,
                    help="keep one time of day across a scene",
                    shot=shot.index,
                )
        if side:
            if first_side is None:
                first_side = (side, shot)
            elif side != first_side[0]:
                yield Finding(
                    f"{shot.label} keys from camera {side}; {first_side[1].label} from {first_side[0]}",
                    where,
                    help="keep the key light on one side across a scene",
                    shot=shot.index,
                )


_KEY_SIDE = re.compile(
    r"\b(?:key|sun|light)\b[^.;,\n]{0,30}?\bfrom\s+(?:camera\s+|frame\s+)?(?P<side>left|right)\b", re.IGNORECASE
)


@rule("SQ003", "palette-not-shared", severity="info", control_only=True)
def palette_not_shared(document: Document) -> Iterator[Finding]:
    """
    ## What it does
    In `mode: control`, in a brief of several shots with no brief-wide palette, finds shots with no
    palette while other shots have one.

    ## Why is this bad?
    Palette anchors keep the grade stable across clips only when every clip carries them.

    ## Example
    ```yaml
    shots:
      - {id: a, palette: [ochre, slate, off-white]}
      - {id: b}
    ```

    ## Use instead
    ```yaml
    palette: [ochre, slate, off-white]
    shots: [{id: a}, {id: b}]
    ```
    """
    if document.kind != "brief" or len(document.shots) < 2 or document.palette:
        return
    with_palette = [shot for shot in document.shots if shot.palette]
    if not with_palette:
        return
    for shot in document.shots:
        if not shot.palette:
            yield Finding(
                f"{shot.label} has no palette while {with_palette[0].label} has {', '.join(with_palette[0].palette)}",
                shot.anchor(),
                help="move the palette to the brief's `palette:` so every shot carries it",
                shot=shot.index,
            )


_CHANGE = re.compile(
    r"\b(?:make|add|adds|remove|delete|switch|change|replace|turn|set|swap|recolou?r|use|give|put|move|shift"
    r"|increase|decrease|raise|lower|darken|brighten|slow|speed|zoom|widen|tighten|drop|insert|introduce"
    r"|extend|shorten)\b",
    re.IGNORECASE,
)
_INVARIANT = re.compile(
    r"\b(?:same|keep|keeps|keeping|only|unchanged|as before|everything else|otherwise)\b", re.IGNORECASE
)
_CLAUSES = re.compile(r"[,;.\n]+|\band\b|\bthen\b|\balso\b|\bplus\b", re.IGNORECASE)


def remix_changes(remix: str, original: str | None) -> list[str]:
    """The changes a remix prompt asks for: change clauses, or for a pasted-back prompt, changed sentences."""
    if original and _similar(remix, original):
        before = {_norm(s) for s in re.split(r"(?<=[.!?])\s+|\n", original) if s.strip()}
        return [s.strip() for s in re.split(r"(?<=[.!?])\s+|\n", remix) if s.strip() and _norm(s) not in before]
    changes = []
    for clause in _CLAUSES.split(remix):
        clause = clause.strip()
        if not clause or (_INVARIANT.search(clause) and not re.search(r"\bonly\b", clause, re.IGNORECASE)):
            continue
        if _CHANGE.search(clause) or re.search(r"\bto\s+(?:a|an|\d)", clause) or re.search(r"\binstead\b", clause):
            changes.append(clause)
    return changes


def _similar(a: str, b: str) -> bool:
    words_a, words_b = set(_norm(a).split()), set(_norm(b).split())
    return bool(words_a and words_b) and len(words_a & words_b) / max(len(words_a), len(words_b)) > 0.6


@rule("SQ004", "remix-changes-more-than-one-thing", severity="warning")
def remix_changes_more_than_one_thing(document: Document) -> Iterator[Finding]:
    """
    ## What it does
    For a remix (`--remix-of TEXT`), counts the changes the new prompt asks for: change clauses ("make
    it night, add rain, switch to 85 mm"), or, when the whole prompt was pasted back with edits, the
    sentences that differ from the original.

    ## Why is this bad?
    Remix is nudging, not gambling: one controlled change at a time keeps whatever works locked, and
    tells you which change did what.

    ## Example
    ```text --remix-of "A woman in a red coat waits on a rooftop at dusk, medium shot, 50 mm."
    Make it night, add rain, switch to 85 mm and make her coat blue.
    ```

    ## Use instead
    ```text --remix-of "A woman in a red coat waits on a rooftop at dusk, medium shot, 50 mm."
    Same shot; switch to an 85 mm lens.
    ```
    """
    if document.remix_of is None or document.prompt_text is None:
        return
    changes = remix_changes(document.prompt_text, document.remix_of)
    if len(changes) > 1:
        listed = "; ".join(f"“{c[:40]}”" for c in changes[:4])
        yield Finding(
            f"the remix asks for {len(changes)} changes ({listed}); make one at a time",
            Location("prompt", 1, 1),
            help="keep the first change; remix again for the next",
            shot=0,
        )


@rule("SQ005", "remix-change-unstated", severity="warning")
def remix_change_unstated(document: Document) -> Iterator[Finding]:
    """
    ## What it does
    For a remix (`--remix-of TEXT`), finds a prompt that states no invariant ("same shot", "keep",
    "only"), or that is the original pasted back with no change.

    ## Why is this bad?
    An edit states what stays ("same shot, change only X"); without it the model may re-roll
    everything. A prompt identical to the original asks for nothing.

    ## Example
    ```text --remix-of "A woman in a red coat waits on a rooftop at dusk, medium shot, 50 mm."
    Blue coat.
    ```

    ## Use instead
    ```text --remix-of "A woman in a red coat waits on a rooftop at dusk, medium shot, 50 mm."
    Same framing and lighting; change only her coat to navy blue.
    ```
    """
    if document.remix_of is None or document.prompt_text is None:
        return
    text = document.prompt_text
    if _norm(text) == _norm(document.remix_of):
        yield Finding(
            "the remix prompt is the original unchanged; say the one thing to change",
            Location("prompt", 1, 1),
            help="e.g. 'Same shot; switch to an 85 mm lens.'",
            shot=0,
        )
    elif not _INVARIANT.search(text) and not _similar(text, document.remix_of):
        yield Finding(
            "the remix states no invariant; say what stays the same",
            Location("prompt", 1, 1),
            help="start with 'Same shot; change only …'",
            shot=0,
        )
