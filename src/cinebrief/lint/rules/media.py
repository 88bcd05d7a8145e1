"""Media reference rules (MD…): `input_reference` images, checked by their bytes and pixel size."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from cinebrief.lint import detect
from cinebrief.lint.document import Document, Span
from cinebrief.lint.model import Finding
from cinebrief.lint.registry import rule


def _references(document: Document) -> Iterator[tuple[int | None, Span, str | None]]:
    """(shot index, span, the size it must match) for every image the document points at."""
    for shot in document.shots:
        if shot.input_reference is not None:
            yield shot.index, shot.input_reference, shot.size_value()
    if document.tree is not None:
        from cinebrief.brief import position

        tree = document.tree
        for index, character in enumerate(tree.get("characters") or []):  # type: ignore[attr-defined]
            if isinstance(character, dict) and character.get("reference"):
                line, column = position(tree, ("characters", index, "reference"))
                yield None, Span(str(character["reference"]), f"characters[{index}].reference", line, column), None


def _resolve(document: Document, span: Span) -> Path:
    path = Path(span.text)
    return path if path.is_absolute() or document.base_dir is None else document.base_dir / path


@rule("MD001", "input-reference-format", severity="error")
def input_reference_format(document: Document) -> Iterator[Finding]:
    """
    ## What it does
    Checks that each `input_reference` (and each character's `reference`) exists and is a JPEG, PNG or
    WebP image, judged by the file's bytes rather than its name.

    ## Why is this bad?
    The API accepts `image/jpeg`, `image/png` and `image/webp` only. A HEIC photo or a GIF renamed
    `.png` is rejected at submission.

    ## Example
    ```yaml
    input_reference: refs/still.heic
    ```

    ## Use instead
    ```yaml
    input_reference: refs/still.webp
    ```
    """
    for shot, span, _ in _references(document):
        from cinebrief.contract.reference import ALLOWED_FORMATS, sniff_format  # Pillow: only with an image

        path = _resolve(document, span)
        try:
            with path.open("rb") as handle:
                head = handle.read(32)
        except OSError as exc:
            yield Finding(
                f"cannot read '{span.text}' ({exc.strerror or exc})",
                span.location(),
                help="check the path; it is relative to the brief file",
                shot=shot,
            )
            continue
        kind = sniff_format(head)
        if kind not in ALLOWED_FORMATS:
            found = f"a {kind.upper()} image" if kind else "not an image we recognise"
            yield Finding(
                f"'{span.text}' is {found}; allowed: image/jpeg, image/png, image/webp",
                span.location(),
                help="convert it to PNG, JPEG or WebP",
                shot=shot,
            )


@rule("MD002", "input-reference-size-mismatch", severity="error")
def input_reference_size_mismatch(document: Document) -> Iterator[Finding]:
    """
    ## What it does
    Checks that an `input_reference` image is exactly the shot's `size` in pixels (the API default is
    `720x1280` when no size is set).

    ## Why is this bad?
    The reference is the first frame; the API rejects an image whose width and height differ from the
    requested size. Fit it first (cover-crop or letterbox), and know what was cut.

    ## Example
    A 1024x1024 PNG with `size: 1280x720`.

    ## Use instead
    A 1280x720 PNG, or the same image fitted to 1280x720.
    """
    for shot, span, size in _references(document):
        if size is None:
            continue
        from cinebrief.contract.reference import read_reference  # Pillow: only with an image
        from cinebrief.errors import ReferenceImageError

        try:
            image = read_reference(_resolve(document, span), name=span.text)
        except ReferenceImageError:
            continue  # input-reference-format reports it
        if image.size != size:
            yield Finding(
                f"'{span.text}' is {image.size} but the shot's size is {size}; they must match exactly",
                span.location(),
                help=f"fit the image to {size} (cover-crop or letterbox) or change `size`",
                shot=shot,
            )


@rule("MD003", "reference-redescribed", severity="info")
def reference_redescribed(document: Document) -> Iterator[Finding]:
    """
    ## What it does
    Finds a shot with an `input_reference` whose text only describes a still scene: no action, no
    dialogue, nothing that happens.

    ## Why is this bad?
    The image already fixes the first frame: the character, the wardrobe, the set. The text should
    say what happens next; re-describing the picture adds nothing and may contradict it.

    ## Example
    ```text --input-reference first-frame.png
    A woman in a red coat stands on a rooftop at sunset, skyline behind her.
    ```
    (with a reference image as the first frame)

    ## Use instead
    ```text --input-reference first-frame.png
    She turns toward the camera, smiles, and walks out of frame left.
    ```
    """
    for shot in document.shots:
        if shot.input_reference is None or detect.has_action(shot):
            continue
        yield Finding(
            f"{shot.label} has a reference image but its text describes no action",
            shot.anchor(),
            help="describe what happens after the first frame: a turn, a step, an exit",
            shot=shot.index,
        )
