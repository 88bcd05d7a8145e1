"""Load a brief from YAML, keeping line numbers so every error says ``file:line:col``.

Errors name the field path (``shots[0].camera.framing``), the value, and what is allowed. Unknown keys get
a "did you mean"; an unquoted ``seconds: 4`` is told to quote it. All problems are reported at once.
"""

from __future__ import annotations

import difflib
import types
import typing
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from cinebrief.brief.paths import Loc, field_path
from cinebrief.brief.schema import SECONDS_VALUES, Brief
from cinebrief.errors import BriefError, explain_invalid, kind_of


class BriefErrors(BriefError):
    """Several problems in one brief; `problems` holds each, in file order."""

    def __init__(self, problems: list[BriefError]) -> None:
        first = problems[0]
        super().__init__(first.message, field=first.field, path=first.path, line=first.line, column=first.column)
        self.problems = problems

    def __str__(self) -> str:
        return "\n".join(str(problem) for problem in self.problems)


def read_yaml(text: str, *, path: str = "<brief>") -> Any:
    """Parse YAML with positions (ruamel round-trip); a syntax error is a `BriefError` at its line."""
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True  # so that `cinebrief lint --fix` writes quotes back as they were
    try:
        return yaml.load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = " ".join(filter(None, [exc.context, exc.problem])) or "invalid YAML"
        raise BriefError(
            f"invalid YAML: {problem}",
            path=path,
            line=mark.line + 1 if mark else None,
            column=mark.column + 1 if mark else None,
        ) from None
    except YAMLError as exc:
        raise BriefError(f"invalid YAML: {exc}", path=path) from None


def load_brief(source: str | Path) -> Brief:
    """Load and check a brief file. Raises `BriefErrors` (exit code 2 in the CLI) on any problem."""
    return load_brief_tree(source)[0]


def load_brief_tree(source: str | Path) -> tuple[Brief, Any]:
    """Load and check a brief file; also return the ruamel tree (for positions and round-trip edits)."""
    path = Path(source)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise BriefError("no such brief file", path=str(path)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise BriefError(f"cannot read the brief: {exc}", path=str(path)) from None
    return parse_brief_tree(text, path=str(path))


def parse_brief(text: str, *, path: str = "<brief>") -> Brief:
    """Check YAML text as a brief."""
    return parse_brief_tree(text, path=path)[0]


def parse_brief_tree(text: str, *, path: str = "<brief>") -> tuple[Brief, Any]:
    """Check YAML text as a brief; also return the ruamel tree (for positions and round-trip edits)."""
    data = read_yaml(text, path=path)
    if data is None:
        raise BriefError("the brief is empty; it needs at least `shots:`", path=path, line=1, column=1)
    if not isinstance(data, CommentedMap):
        raise BriefError(
            f"a brief is a mapping of keys (schema, style, shots, ...), not a {kind_of(data)}",
            path=path,
            line=1,
            column=1,
        )
    try:
        return Brief.model_validate(_plain(data)), data
    except ValidationError as exc:
        problems = [_problem(error, data, path) for error in exc.errors()]
        problems.sort(key=lambda p: (p.line or 0, p.column or 0))
        raise BriefErrors(problems) from None


def position(data: Any, loc: Loc, *, key: bool = False) -> tuple[int | None, int | None]:
    """The 1-based line and column of the node at `loc` (of its key when `key`), or of its nearest parent."""
    node, line, column = data, None, None
    if isinstance(data, CommentedMap | CommentedSeq):
        line, column = data.lc.line + 1, data.lc.col + 1
    for index, part in enumerate(loc):
        last = index == len(loc) - 1
        if isinstance(node, CommentedMap) and part in node:
            key_line, key_col, value_line, value_col = node.lc.data[part]
            if last and key:
                return key_line + 1, key_col + 1
            line, column = (value_line + 1, value_col + 1) if value_line is not None else (key_line + 1, key_col + 1)
            node = node[part]
        elif isinstance(node, CommentedSeq) and isinstance(part, int) and part < len(node):
            item_line, item_col = node.lc.data[part]
            line, column = item_line + 1, item_col + 1
            node = node[part]
        else:
            break
    return line, column


def _problem(error: Any, data: Any, path: str) -> BriefError:
    loc: Loc = tuple(error["loc"])
    kind = error["type"]
    value = error.get("input")
    name = field_path(loc)
    if kind == "extra_forbidden":
        line, column = position(data, loc, key=True)
        allowed = _allowed_keys(loc[:-1])
        guess = difflib.get_close_matches(str(loc[-1]), allowed, n=1, cutoff=0.6)
        hint = f"; did you mean '{guess[0]}'?" if guess else "."
        message = f"{name}: unknown key '{loc[-1]}'{hint} Allowed keys here: {', '.join(allowed)}."
        return BriefError(message, field=name, path=path, line=line, column=column)
    line, column = position(data, loc)
    if kind == "missing":
        return BriefError(
            f"{name}: required key '{loc[-1]}' is missing", field=name, path=path, line=line, column=column
        )
    if loc and loc[-1] == "seconds" and isinstance(value, int | float) and not isinstance(value, bool):
        message = (
            f'{name}: got the number {value}; seconds is a string in the Videos API, so quote it: seconds: "{value}". '
            f"Allowed values: {', '.join(repr(s) for s in SECONDS_VALUES)}."
        )
        return BriefError(message, field=name, path=path, line=line, column=column)
    if loc == ("shots",) and kind == "too_short":
        return BriefError("shots: a brief needs at least one shot", field=name, path=path, line=line, column=column)
    return BriefError(f"{name}: {explain_invalid(error)}", field=name, path=path, line=line, column=column)


def _allowed_keys(loc: Loc) -> list[str]:
    """The keys the model at `loc` accepts (aliases as written in YAML)."""
    annotation: Any = Brief
    for part in loc:
        annotation = _unwrap(annotation)
        if isinstance(part, int):
            args = typing.get_args(annotation)
            annotation = args[0] if args else Any
        elif isinstance(annotation, type) and issubclass(annotation, BaseModel):
            fields = {f.alias or n: f for n, f in annotation.model_fields.items()}
            annotation = fields[part].annotation if part in fields else Any
    annotation = _unwrap(annotation)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [f.alias or n for n, f in annotation.model_fields.items()]
    return []


def _unwrap(annotation: Any) -> Any:
    """Strip Optional and Annotated down to the model or list type."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            options = [a for a in typing.get_args(annotation) if a is not type(None)]
            annotation = options[0] if len(options) == 1 else annotation
            if len(options) != 1:
                return annotation
        else:
            return annotation


def _plain(node: Any) -> Any:
    """ruamel's commented containers and scalar subclasses → plain Python for pydantic."""
    if isinstance(node, CommentedMap | dict):
        return {str(k) if not isinstance(k, int | float | bool) else k: _plain(v) for k, v in node.items()}
    if isinstance(node, CommentedSeq | list):
        return [_plain(v) for v in node]
    if isinstance(node, bool) or node is None:
        return node
    if isinstance(node, int):
        return int(node)
    if isinstance(node, float):
        return float(node)
    if isinstance(node, str):
        return str(node)
    return node
