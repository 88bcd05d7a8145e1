"""Palette rules (PR010–PR012): three to five anchors, named once, in every shot."""

from __future__ import annotations

from collections.abc import Iterator

from cinebrief.lint import detect
from cinebrief.lint.document import Document
from cinebrief.lint.model import Edit, Finding, Fix
from cinebrief.lint.registry import rule


@rule("PR010", "missing-palette-anchors", severity="warning", control_only=True)
def missing_palette_anchors(document: Document) -> Iterator[Finding]:
    """
    ## What it does
    In `mode: control`, finds a shot whose palette has fewer than 3 colours: no `palette:` (or
    `Palette anchors:`) and fewer than 3 colour words in the text, or a palette of one or two colours.

    ## Why is this bad?
    Three to five named colours keep the palette stable within a clip and across clips that are cut
    together.

    ## Example
    ```text
    Palette anchors: teal
    ```

    ## Use instead
    ```text
    Palette anchors: teal, rust, bone white, charcoal
    ```
    """
    for shot in document.shots:
        if shot.palette is not None:
            if len(shot.palette) >= 3:
                continue
            where = shot.palette_span.location() if shot.palette_span else shot.anchor()
            yield Finding(
                f"{shot.label} names {len(shot.palette)} palette colour(s); name 3 to 5",
                where,
                help="e.g. `palette: [amber, cream, walnut brown]`",
                shot=shot.index,
            )
            continue
        named = detect.colours(shot.texts)
        if len(named) >= 3:
            continue
        yield Finding(
            f"{shot.label} has no palette anchors"
            + (f" (only {', '.join(named)} named)" if named else "")
            + "; name 3 to 5 colours",
            shot.anchor(),
            help="add `Palette anchors: amber, cream, walnut brown` (or `palette:` in a brief)",
            shot=shot.index,
        )


@rule("PR011", "too-many-palette-anchors", severity="warning", fix="unsafe")
def too_many_palette_anchors(document: Document) -> Iterator[Finding]:
    """
    ## What it does
    Finds a palette of more than 5 colours.

    ## Why is this bad?
    Anchors work because there are few of them; eight colours are no palette, and the model averages
    them away. The fix keeps the first five (unsafe: choose the five yourself).

    ## Example
    ```yaml
    palette: [red, orange, yellow, green, blue, indigo, violet]
    ```

    ## Use instead
    ```yaml
    palette: [red, orange, yellow, teal, charcoal]
    ```
    """
    reported: set[str] = set()
    for shot in document.shots:
        if shot.palette is None or len(shot.palette) <= 5:
            continue
        span = shot.palette_span
        key = span.field if span else shot.label
        if key in reported:
            continue
        reported.add(key)
        path = ("shots", shot.index, "palette") if shot.palette_on_shot else ("palette",)
        fix = Fix("unsafe", "keep the first five", (Edit(path, shot.palette[:5]),)) if document.tree else None
        yield Finding(
            f"{len(shot.palette)} palette colours; keep 3 to 5 anchors",
            span.location() if span else shot.anchor(),
            help="keep the 3 to 5 colours that define the look",
            fix=fix,
            shot=shot.index if shot.palette_on_shot or document.kind == "text" else None,
        )


@rule("PR012", "duplicate-palette-anchor", severity="warning", fix="safe")
def duplicate_palette_anchor(document: Document) -> Iterator[Finding]:
    """
    ## What it does
    Finds a colour listed twice in one palette ("teal, Teal").

    ## Why is this bad?
    A repeated anchor adds nothing and hides that the palette is smaller than it looks. The fix
    removes the repeat (safe).

    ## Example
    ```yaml
    palette: [teal, rust, Teal, charcoal]
    ```

    ## Use instead
    ```yaml
    palette: [teal, rust, charcoal]
    ```
    """
    reported: set[str] = set()
    for shot in document.shots:
        if not shot.palette:
            continue
        seen: dict[str, str] = {}
        kept: list[str] = []
        repeats: list[str] = []
        for colour in shot.palette:
            key = " ".join(colour.lower().split())
            if key in seen:
                repeats.append(colour)
            else:
                seen[key] = colour
                kept.append(colour)
        span = shot.palette_span
        where = span.field if span else shot.label
        if not repeats or where in reported:
            continue
        reported.add(where)
        path = ("shots", shot.index, "palette") if shot.palette_on_shot else ("palette",)
        fix = Fix("safe", "remove the repeat", (Edit(path, kept),)) if document.tree is not None else None
        yield Finding(
            f"palette lists {', '.join(repr(r) for r in repeats)} twice",
            span.location() if span else shot.anchor(),
            help="list each anchor once",
            fix=fix,
            shot=shot.index if shot.palette_on_shot or document.kind == "text" else None,
        )
