"""Dialogue rules (PR02x): where lines are written, how many fit the clip, and who says them."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator

from cinebrief.lint.document import DialogueView, Document, ShotView
from cinebrief.lint.lexicon import words_of
from cinebrief.lint.model import Edit, Finding, Fix
from cinebrief.lint.registry import rule
from cinebrief.prompts.timing import SECONDS_PER_LINE, WORDS_PER_SECOND

MAX_WORDS_PER_LINE = 12


def budget(seconds: str) -> tuple[int, int]:
    """(max lines, max words) for a clip: 4 s → 2 lines and 12 words; 8 s → 4 and 24; 12 s → 6 and 36."""
    value = max(1, int(float(seconds)))
    return max(1, value // SECONDS_PER_LINE), int(value * WORDS_PER_SECOND)


@rule("PR020", "dialogue-outside-block", severity="warning")
def dialogue_outside_block(document: Document) -> Iterator[Finding]:
    """
    ## What it does
    Finds quoted speech written in the prose of a structured prompt (one with labels such as
    `Cinematography:` or `Actions:`), or in a brief's scene, instead of in a `Dialogue:` block (or a
    `<dialogue>` block, or `Speaker (manner): "line"` inside `Actions:`). One-line prompts are exempt.

    ## Why is this bad?
    Dialogue belongs in its own block below the prose, one labelled line per turn; lines buried in
    prose lose their speaker and their timing.

    ## Example
    ```text
    The clerk says "We're closed" and the boy answers "Just one, please."
    Cinematography: ...
    ```

    ## Use instead
    ```text
    Dialogue:
    - Clerk: "We're closed."
    - Boy: "Just one, please."
    ```
    """
    for shot in document.shots:
        if document.kind == "text" and not shot.structured:
            continue
        for line in shot.dialogue:
            if line.placement != "prose":
                continue
            yield Finding(
                f"quoted speech “{_short(line.line)}” is in the prose; move it to a Dialogue: block",
                line.span.location(),
                help='write it as `Dialogue:` then `- Speaker: "line"`, one turn per line',
                shot=shot.index,
            )


def _short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


@rule("PR021", "dialogue-too-long-for-duration", severity="warning")
def dialogue_too_long_for_duration(document: Document) -> Iterator[Finding]:
    """
    ## What it does
    Compares a shot's dialogue with its `seconds`: at most about 3 words per second and one line per
    2 seconds (4 s: 2 lines, 12 words; 8 s: 4 lines, 24 words; 12 s: 6 lines, 36 words), and at most 12
    words in any one line. Text without `--seconds` is judged at the API default, 4 s.

    ## Why is this bad?
    A 4 s shot fits about one or two short exchanges. Long speeches do not sync, and they break the
    pacing of the shot.

    ## Example
    ```yaml
    seconds: "4"
    dialogue:
      - {speaker: Mara, line: "I waited at the station for three hours, and you never came, not once."}
      - {speaker: Theo, line: "I know."}
      - {speaker: Mara, line: "Say something."}
    ```

    ## Use instead
    ```yaml
    seconds: "4"
    dialogue:
      - {speaker: Mara, line: "You came back."}
      - {speaker: Theo, line: "Never left."}
    ```
    """
    for shot in document.shots:
        if not shot.dialogue:
            continue
        seconds = shot.seconds_value()
        max_lines, max_words = budget(seconds)
        words = sum(len(words_of(line.line.lower())) for line in shot.dialogue)
        lines = len(shot.dialogue)
        note = "" if shot.seconds.value is not None else ' (seconds defaults to "4"; set it with --seconds)'
        if lines > max_lines or words > max_words:
            rate = words / float(seconds)
            yield Finding(
                f"{lines} dialogue line(s) with {words} words in a {seconds} s clip ({rate:.1f} words/s); "
                f"the budget is {max_lines} lines and {max_words} words{note}",
                shot.dialogue[0].span.location(),
                help="cut the lines to the budget, or split the exchange over more shots",
                shot=shot.index,
            )
            continue
        for line in shot.dialogue:
            count = len(words_of(line.line.lower()))
            if count > MAX_WORDS_PER_LINE:
                yield Finding(
                    f"a {count}-word line; keep each line to {MAX_WORDS_PER_LINE} words or fewer",
                    line.span.location(),
                    help="short, natural lines sync; long ones do not",
                    shot=shot.index,
                )


def _label_key(label: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", label.lower()).split())


@rule("PR022", "inconsistent-speaker-labels", severity="warning", fix="safe")
def inconsistent_speaker_labels(document: Document) -> Iterator[Finding]:
    """
    ## What it does
    Finds dialogue lines with no speaker label, one speaker under two labels (`Inspector Hale` then
    `Hale`, or `MARA` then `Mara`), and a label that names no one in the prose or the brief's
    characters.

    ## Why is this bad?
    The same label every time ties each line to the right character's gestures and voice. A label that
    changes, or is missing, makes the model guess who speaks. A label that differs only in case gets a
    safe fix to its first spelling.

    ## Example
    ```text
    Dialogue:
    - Inspector Hale: "Where were you?"
    - Hale: "Answer me."
    - "I was home."
    ```

    ## Use instead
    ```text
    Inspector Hale, in a grey trench coat, waits by the door; Mara, in a wet red jacket, stands at the window.
    Dialogue:
    - Hale: "Where were you?"
    - Mara: "I was home."
    ```
    """
    for shot in document.shots:
        yield from _unlabelled(shot)
        yield from _variants(shot)
        yield from _unknown_speakers(document, shot)


def _unlabelled(shot: ShotView) -> Iterator[Finding]:
    for line in shot.dialogue:
        if line.speaker is None and line.placement == "block":
            yield Finding(
                f"the line “{_short(line.line)}” has no speaker label",
                line.span.location(),
                help='write `- Speaker: "line"`',
                shot=shot.index,
            )


def _variants(shot: ShotView) -> Iterator[Finding]:
    first: dict[str, DialogueView] = {}
    for line in shot.dialogue:
        if line.speaker is None:
            continue
        key = _label_key(line.speaker)
        same = next((seen for k, seen in first.items() if k == key), None)
        if same is not None:
            if same.speaker != line.speaker:
                fix = (
                    Fix("safe", f"write '{same.speaker}'", (Edit(line.speaker_path, same.speaker),))
                    if line.speaker_path
                    else Fix("display-only", f"write '{same.speaker}'")
                )
                yield Finding(
                    f"speaker '{line.speaker}' is written '{same.speaker}' elsewhere; use one spelling",
                    line.span.location(),
                    help=f"label every line of this speaker '{same.speaker}'",
                    fix=fix,
                    shot=shot.index,
                )
            continue
        words = set(key.split())
        other = next((seen for k, seen in first.items() if words < set(k.split()) or set(k.split()) < words), None)
        if other is not None:
            yield Finding(
                f"'{line.speaker}' and '{other.speaker}' look like one speaker under two labels",
                line.span.location(),
                help="pick one label and use it for every line",
                fix=Fix("display-only", f"use one of '{other.speaker}' and '{line.speaker}'"),
                shot=shot.index,
            )
        first[key] = line


def _names_word(name: str, text: str) -> bool:
    """Whether `name` stands in `text` as a whole word (a substring test first: most names are absent)."""
    return name in text and re.search(rf"\b{re.escape(name)}\b", text) is not None


def _unknown_speakers(document: Document, shot: ShotView) -> Iterator[Finding]:
    if document.kind == "brief" and not document.characters:
        return
    known = " ".join([span.text for span in shot.spans()] + [c.name for c in document.characters]).lower()
    if document.kind == "text" and document.prompt_text:
        known = " ".join(span.text for span in shot.spans()).lower()
    reported: set[str] = set()
    for line in shot.dialogue:
        if line.speaker is None or line.placement == "prose":
            continue
        names = _label_key(line.speaker).split()
        if line.speaker in reported or any(_names_word(name, known) for name in names):
            continue
        reported.add(line.speaker)
        yield Finding(
            f"speaker '{line.speaker}' is never introduced in the prose"
            + (" or among the characters" if document.kind == "brief" else ""),
            line.span.location(),
            help=f"introduce {line.speaker} in the scene (with a trait or two) before they speak",
            shot=shot.index,
        )


@rule("PR023", "dialogue-turns-not-alternating", severity="info")
def dialogue_turns_not_alternating(document: Document) -> Iterator[Finding]:
    """
    ## What it does
    In an exchange between two or more speakers, finds one speaker taking two turns in a row.

    ## Why is this bad?
    Alternating turns help the model tie each line to the right face; two lines in a row from one
    speaker are often given to the other.

    ## Example
    ```text
    - Ana: "Ready?"
    - Ana: "Go."
    - Ben: "Wait."
    ```

    ## Use instead
    ```text
    - Ana: "Ready?"
    - Ben: "Wait."
    - Ana: "Now."
    ```
    """
    for shot in document.shots:
        labelled = [line for line in shot.dialogue if line.speaker]
        if len({_label_key(line.speaker or "") for line in labelled}) < 2:
            continue
        for previous, line in itertools.pairwise(labelled):
            if _label_key(previous.speaker or "") == _label_key(line.speaker or ""):
                yield Finding(
                    f"'{line.speaker}' speaks twice in a row; alternate turns or merge the lines",
                    line.span.location(),
                    help="merge the two lines into one, or give the other speaker a turn between them",
                    shot=shot.index,
                )
