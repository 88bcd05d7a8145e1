"""Apply safe fixes to a brief file, keeping its comments and layout (ruamel.yaml round trip), atomically."""

from __future__ import annotations

import io
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import ScalarString

from cinebrief.lint.model import Diagnostic, Edit


def safe_edits(diagnostics: Sequence[Diagnostic]) -> list[Edit]:
    """The edits of every safe fix, first come first served when two touch the same path."""
    edits: dict[tuple[Any, ...], Edit] = {}
    for diagnostic in diagnostics:
        fix = diagnostic.fix
        if fix is None or fix.applicability != "safe":
            continue
        for edit in fix.edits:
            edits.setdefault(edit.path, edit)
    return list(edits.values())


def apply_edits(tree: Any, edits: Sequence[Edit]) -> int:
    """Change the tree in place; returns how many edits applied. A string keeps its quoting style."""
    applied = 0
    for edit in edits:
        parent: Any = tree
        for part in edit.path[:-1]:
            parent = parent[part]
        last = edit.path[-1]
        if edit.delete:
            del parent[last]
            applied += 1
            continue
        old = (
            parent[last] if (isinstance(parent, CommentedMap) and last in parent) or isinstance(parent, list) else None
        )
        parent[last] = _like(old, edit.value)
        applied += 1
    return applied


def _like(old: Any, new: Any) -> Any:
    if isinstance(old, ScalarString) and isinstance(new, str):
        return type(old)(new)
    if isinstance(old, CommentedSeq) and isinstance(new, list):
        seq = CommentedSeq(new)
        if old.fa.flow_style():
            seq.fa.set_flow_style()
        return seq
    return new


def dump_like(tree: Any, original: str) -> str:
    """The round-trip tree as text, in the original's own indentation (comments and quotes kept)."""
    from ruamel.yaml.util import load_yaml_guess_indent

    _, indent, sequence_dash = load_yaml_guess_indent(original)
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096
    # The guess is the indent of a sequence item's content and the dash's offset ("  - id: a" is 4 and 2).
    sequence = indent or 2
    dash = sequence_dash or 0
    yaml.indent(mapping=max(2, sequence - dash), sequence=sequence, offset=dash)
    buffer = io.StringIO()
    yaml.dump(tree, buffer)
    return buffer.getvalue()


def write_fixed(path: Path, tree: Any) -> None:
    """Dump the round-trip tree next to the file in the file's own indentation, then rename it into place."""
    text = dump_like(tree, path.read_text(encoding="utf-8"))
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
