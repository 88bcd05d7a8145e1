"""Shot structure rules (SH…): action beats and their budget, clip length, shot lists, ultra sections."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator

from cinebrief.lint import detect
from cinebrief.lint.document import Document
from cinebrief.lint.model import Edit, Finding, Fix
from cinebrief.lint.registry import rule
from cinebrief.prompts import labels


@rule("SH001", "actions-without-beats", severity="warning")
def actions_without_beats(document: Document) -> Iterator[Finding]:
    """
    ## What it does
    Finds a shot whose action is a motion with no count, pause or end point ("the dog runs around the
    yard", "person moves quickly", "rotating slowly") and that has no list of action beats. A participle
    used as an adjective before a noun ("flying cars", "with running water") is not an action; a motion
    closed by a particle at the end of its clause ("walks up.", "runs off, laughing") has an end point.

    ## Why is this bad?
    Actions written as beats (steps, gestures, pauses, an end point) are timed and followed; an
    open-ended motion is filled with whatever the model invents.

    ## Example
    ```text
    Actor walks across the room.
    ```

    ## Use instead
    ```text
    Actor takes four steps to the window, pauses, and pulls the curtain in the final second.
    ```
    """
    for shot in document.shots:
        if len(shot.actions) >= 2 or shot.shot_list:
            continue
        for span in shot.actions + shot.prose + shot.style_scene:
            match = detect.motion_without_beats(span)
            if match is not None:
                sentence = span.text[slice(*span.words.sentence_span(match.start))].strip()
                yield Finding(
                    f"'{_short(sentence)}' is a motion with no beats: no count, pause or end point",
                    span.location(match.start),
                    help="write it as beats, e.g. 'takes four steps to the window, pauses, pulls the curtain'",
                    shot=shot.index,
                )
                break


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def beat_budget(seconds: str) -> int:
    """At most 1 + seconds/2 beats: 3 at 4 s, 5 at 8 s, 7 at 12 s."""
    return 1 + int(float(seconds)) // 2


@rule("SH002", "too-many-beats-for-duration", severity="warning")
def too_many_beats_for_duration(document: Document) -> Iterator[Finding]:
    """
    ## What it does
    Counts a shot's action beats (its `actions`, or the bullets under `Actions:`) and compares them with
    the beat budget of its `seconds`: 1 + seconds/2, so 3 beats at 4 s, 5 at 8 s, 7 at 12 s.

    ## Why is this bad?
    Each beat needs time on screen. More beats than the clip can hold are rushed, merged or dropped;
    spread them over more 4 s shots.

    ## Example
    ```yaml
    seconds: "4"
    actions: [opens the door, steps in, drops the keys, sighs, sits, pulls off her boots]
    ```

    ## Use instead
    ```yaml
    seconds: "4"
    actions: [opens the door, steps in, drops the keys]
    # the rest in the next 4 s shot
    ```
    """
    for shot in document.shots:
        seconds = shot.seconds_value()
        budget = beat_budget(seconds)
        if len(shot.actions) > budget:
            shots_needed = -(-len(shot.actions) // beat_budget("4"))
            yield Finding(
                f"{len(shot.actions)} action beats in a {seconds} s clip; the budget is {budget}",
                shot.actions[budget].location(),
                help=f"keep {budget} beats, or spread them over {shots_needed} shots of 4 s",
                shot=shot.index,
            )


@rule("SH003", "long-clip-prefer-stitching", severity="info", fix="display-only")
def long_clip_prefer_stitching(document: Document) -> Iterator[Finding]:
    """
    ## What it does
    Finds shots of 8 seconds or more.

    ## Why is this bad?
    Shorter clips follow instructions more reliably: two 4 s clips stitched in the edit often beat one
    8 s generation. Keep long takes for when the continuity of one take matters.

    ## Example
    ```yaml
    seconds: "12"
    ```

    ## Use instead
    ```yaml
    # three shots of seconds: "4", each with one action, stitched by `cinebrief run`
    ```
    """
    for shot in document.shots:
        value = shot.seconds.value
        if value is None or not str(value).isdigit() or int(str(value)) < 8:
            continue
        pieces = int(str(value)) // 4
        yield Finding(
            f"{shot.label} is {value} s; {pieces} shots of 4 s stitched together follow the prompt more reliably",
            shot.seconds.span.location() if shot.seconds.span else shot.anchor(),
            help="split the shot into 4 s shots with one action each (cinebrief run stitches them)",
            fix=Fix("display-only", f'split into {pieces} shots of seconds "4"'),
            shot=shot.index,
        )


_LENS_NO_SPACE = re.compile(r"\b(\d+(?:\.\d+)?)mm\b")


@rule("SH004", "shot-list-format", severity="error", fix="safe")
def shot_list_format(document: Document) -> Iterator[Finding]:
    """
    ## What it does
    Checks each optimized shot-list entry against the guide's exact form
    `0.00–2.40 — “Title” (32 mm, slow dolly left)`: two-decimal times joined by an EN DASH without
    spaces, a spaced EM DASH, the title in curly quotes, then `(lens, camera move)` with the lens
    written with a space (`32 mm`). In a brief, a lens written `32mm` gets a safe fix.

    ## Why is this bad?
    The shot list is read for timing; entries in the exact form are followed as a schedule, near
    misses are read as prose.

    ## Example
    ```text
    Optimized Shot List (1 shot / 2.40 s)
    0-2.4 - "Harbor" (24mm, crane)
    ```

    ## Use instead
    ```text
    Optimized Shot List (1 shot / 2.40 s)
    0.00–2.40 — “Harbor Wake” (24 mm, slow crane down)
    ```
    """
    for shot in document.shots:
        for entry in shot.shot_list:
            for problem in entry.problems:
                yield Finding(
                    f"shot-list entry “{entry.title}”: {problem}",
                    entry.span.location(),
                    help="write `0.00–2.40 — “Title” (32 mm, slow dolly left)`",
                    shot=shot.index,
                )
            if entry.lens_path is not None and entry.lens and _LENS_NO_SPACE.search(entry.lens):
                fixed = _LENS_NO_SPACE.sub(r"\1 mm", entry.lens)
                yield Finding(
                    f"shot-list entry “{entry.title}”: write the lens with a space, '{fixed}'",
                    entry.span.location(),
                    help="lenses are written `32 mm`",
                    fix=Fix("safe", f"write '{fixed}'", (Edit(entry.lens_path, fixed),)),
                    shot=shot.index,
                )


@rule("SH005", "shot-list-timing-mismatch", severity="error")
def shot_list_timing_mismatch(document: Document) -> Iterator[Finding]:
    """
    ## What it does
    Checks a shot list's timing: the first entry starts at 0.00, entries are contiguous (no gaps or
    overlaps), the last ends at the clip's `seconds`, and the header's `(N shots / T s total)` matches
    the entries.

    ## Why is this bad?
    The shot list is a schedule for one clip; a gap, an overlap or a total that is not the clip's
    length makes the schedule impossible to follow.

    ## Example
    ```text
    Optimized Shot List (2 shots / 4 s total)
    0.00–1.80 — “Arrival” (32 mm, slow dolly left)
    2.00–4.50 — “Turn” (50 mm, slow arc in)
    ```

    ## Use instead
    ```text
    Optimized Shot List (2 shots / 4 s total)
    0.00–1.80 — “Arrival” (32 mm, slow dolly left)
    1.80–4.00 — “Turn” (50 mm, slow arc in)
    ```
    """
    for shot in document.shots:
        entries = shot.shot_list
        if not entries:
            continue
        seconds = float(shot.seconds_value())
        problems: list[tuple[str, object]] = []
        if abs(entries[0].start) > 0.005:
            problems.append((f"the first entry starts at {entries[0].start:.2f}, not 0.00", entries[0]))
        for previous, entry in itertools.pairwise(entries):
            if abs(entry.start - previous.end) > 0.005:
                kind = "a gap" if entry.start > previous.end else "an overlap"
                problems.append((f"{kind} between {previous.end:.2f} and {entry.start:.2f}", entry))
        if abs(entries[-1].end - seconds) > 0.005:
            problems.append(
                (f"the last entry ends at {entries[-1].end:.2f}, but the clip is {seconds:g} s", entries[-1])
            )
        header = shot.shot_list_header
        if header is not None and header.count is not None and header.count != len(entries):
            problems.append((f"the header says {header.count} shots, the list has {len(entries)}", header))
        if header is not None and header.total is not None and abs(header.total - entries[-1].end) > 0.005:
            problems.append(
                (f"the header says {header.total:g} s total, the entries end at {entries[-1].end:.2f}", header)
            )
        for message, where in problems:
            yield Finding(
                f"shot list: {message}",
                where.span.location(),  # type: ignore[attr-defined]
                help="start at 0.00, make each entry start where the last ended, end at `seconds`",
                shot=shot.index,
            )


@rule("SH006", "shot-missing-purpose", severity="info")
def shot_missing_purpose(document: Document) -> Iterator[Finding]:
    """
    ## What it does
    Finds optimized shot-list entries whose description has no `Purpose:` clause.

    ## Why is this bad?
    The purpose (establish place, one human action in close detail, release) tells the model what the
    entry is for, and so what to keep when time is short.

    ## Example
    ```text
    Optimized Shot List (1 shot / 3.00 s)
    0.00–3.00 — “Harbor Wake” (24 mm, slow crane down)
    Gulls lift off wet pilings.
    ```

    ## Use instead
    ```text
    Optimized Shot List (1 shot / 3.00 s)
    0.00–3.00 — “Harbor Wake” (24 mm, slow crane down)
    Gulls lift off wet pilings. Purpose: establish place and weather.
    ```
    """
    for shot in document.shots:
        for entry in shot.shot_list:
            if not entry.purpose:
                yield Finding(
                    f"shot-list entry “{entry.title}” has no Purpose:",
                    entry.span.location(),
                    help="end its description with `Purpose: …`",
                    shot=shot.index,
                )


_ORDER = tuple(text for _, text in labels.ULTRA_HEADERS)  # the guide's order


@rule("SH007", "ultra-section-order", severity="warning")
def ultra_section_order(document: Document) -> Iterator[Finding]:
    """
    ## What it does
    In an ultra-detailed prompt (two or more of the guide's headers), checks the headers: spelled as
    the guide spells them, on their own line without a colon, all ten present, and in the guide's
    order (Format & Look, Lenses & Filtration, Grade / Palette, Lighting & Atmosphere, Location &
    Framing, Wardrobe / Props / Extras, Sound, Optimized Shot List, Camera Notes (Why It Reads),
    Finishing).

    ## Why is this bad?
    The format works as a fixed sheet: the model (and the next person) finds each fact where it
    expects it. A header out of place or misspelled is read as prose.

    ## Example
    ```text
    Sound:
    Diegetic only: gulls, ferry horn, -20 LUFS
    Lighting & Atmosphere
    Overcast dawn, soft top light; negative fill from the harbour wall.
    ```

    ## Use instead
    ```text
    Format & Look
    Duration 4s; 180° shutter; 35 mm photochemical look.
    Lenses & Filtration
    24 mm spherical; 1/8 black diffusion.
    Grade / Palette
    Highlights: clean morning white. Mids: slate blue. Blacks: soft.
    Lighting & Atmosphere
    Overcast dawn, soft top light; negative fill from the harbour wall.
    Location & Framing
    A wet harbour pier; foreground pilings, background ferry.
    Wardrobe / Props / Extras
    A dock worker in a yellow oilskin; coiled ropes.
    Sound
    Diegetic only: gulls, ferry horn, -20 LUFS
    Optimized Shot List (1 shot / 4.00 s)
    0.00–4.00 — “Harbor Wake” (24 mm, slow crane down)
    Gulls lift off wet pilings. Purpose: establish place and weather.
    Camera Notes (Why It Reads)
    The crane down lands on the worker at eye level.
    Finishing
    Fine grain; no vignette.
    ```
    """
    for shot in document.shots:
        headers = [h for h in shot.headers if h.canonical]
        if len(headers) < 2:
            continue
        for header in headers:
            written = header.text.rstrip(":").strip()
            expected = header.canonical or ""
            if header.colon:
                yield Finding(
                    f"header '{header.text}' has a colon; headers stand alone without one",
                    header.span.location(),
                    help=f"write `{written}`",
                    shot=shot.index,
                )
            if expected != "Optimized Shot List" and written != expected:
                yield Finding(
                    f"header '{written}' should read '{expected}'",
                    header.span.location(),
                    help=f"write `{expected}`",
                    shot=shot.index,
                )
        positions = [_ORDER.index(h.canonical or "") for h in headers]
        for previous, (header, position) in zip(
            positions, list(zip(headers, positions, strict=True))[1:], strict=False
        ):
            if position < previous:
                yield Finding(
                    f"'{header.canonical}' comes after '{_ORDER[previous]}'; keep the guide's order",
                    header.span.location(),
                    help="order: " + " → ".join(_ORDER),
                    shot=shot.index,
                )
        missing = [name for name in _ORDER if name not in {h.canonical for h in headers}]
        if missing:
            yield Finding(
                f"ultra-detailed prompt lacks {', '.join(missing)}",
                headers[0].span.location(),
                help="write every section, even briefly, in the guide's order",
                shot=shot.index,
            )
