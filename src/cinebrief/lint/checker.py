"""Run the rules on a document: select, skip completeness checks outside `mode: control`, honour `noqa`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

from cinebrief.lint.document import Document
from cinebrief.lint.model import Diagnostic
from cinebrief.lint.registry import Rule, check_selectors, load_rules, matches


@lru_cache(maxsize=64)
def _selected(select: tuple[str, ...], ignore: tuple[str, ...], preview: bool = False) -> tuple[Rule, ...]:
    check_selectors([*select, *ignore])
    rules = [r for r in load_rules().values() if preview or not r.preview]
    chosen = [r for r in rules if not select or any(matches(r, s) for s in select)]
    return tuple(r for r in chosen if not any(matches(r, s) for s in ignore))


def _silenced(rule: Rule, noqa: frozenset[str]) -> bool:
    return any(matches(rule, key) for key in noqa)


def run(
    document: Document, *, select: Sequence[str] = (), ignore: Sequence[str] = (), preview: bool = False
) -> list[Diagnostic]:
    """Every finding of the chosen rules, in file order (preview rules only with `preview`)."""
    diagnostics: list[Diagnostic] = []
    for rule in _selected(tuple(select), tuple(ignore), preview):
        if rule.control_only and document.mode != "control":
            continue
        for finding in rule.check(document):
            noqa = document.shots[finding.shot].noqa if finding.shot is not None else None
            if noqa and _silenced(rule, noqa):
                continue
            diagnostics.append(
                Diagnostic(
                    code=rule.code,
                    name=rule.name,
                    severity=finding.severity or rule.severity,
                    message=finding.message,
                    location=finding.location,
                    help=finding.help,
                    fix=finding.fix,
                    source=document.source,
                )
            )
    diagnostics.sort(key=lambda d: (d.location.line or 0, d.location.column or 0, d.code))
    return diagnostics


def load_document(path: str | Path, **options: Any) -> Document:
    """A brief file (YAML) or a prompt file (any other text) as a `Document`."""
    path = Path(path)
    if path.suffix.lower() in (".yaml", ".yml"):
        from cinebrief.brief.loader import load_brief_tree
        from cinebrief.lint.from_brief import read_brief

        brief, tree = load_brief_tree(path)
        brief_options = {k: v for k, v in options.items() if k in ("mode", "profile")}
        return read_brief(brief, tree, source=str(path), **brief_options)
    from cinebrief.errors import InputError
    from cinebrief.lint.text import read_text

    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"no such prompt file '{path}'", field="source") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read '{path}': {exc}", field="source") from None
    return read_text(text, source=str(path), **options)


def lint(
    brief_or_text: Any,
    *,
    select: Sequence[str] = (),
    ignore: Sequence[str] = (),
    mode: str | None = None,
    model: str | None = None,
    size: str | None = None,
    seconds: str | None = None,
    input_reference: str | None = None,
    remix_of: str | None = None,
    profile: str = "standard",
    models: Mapping[str, Any] | None = None,
    preview: bool = False,
) -> list[Diagnostic]:
    """Lint a `Brief`, a `Path` to a brief or prompt file, or prompt text; returns the diagnostics.

    Text counts as `mode: control` unless `mode="explore"`; a brief uses its own `mode` unless overridden.
    `model`, `size`, `seconds` and `input_reference` apply to text (a brief carries its own). `models` names
    the models a server routes beyond the Videos API profile (name → `Capabilities`, or None if unknown).
    `preview` turns on the rules in preview (heuristics not yet measured precise enough on the test corpus).
    """
    from cinebrief.lint.text import read_text

    text_options: dict[str, Any] = {
        "mode": mode or "control",
        "model": model,
        "size": size,
        "seconds": seconds,
        "input_reference": input_reference,
        "remix_of": remix_of,
    }
    document: Document
    if isinstance(brief_or_text, Document):
        document = brief_or_text
    elif isinstance(brief_or_text, Path) and brief_or_text.suffix.lower() in (".yaml", ".yml"):
        document = load_document(brief_or_text, profile=profile, **({"mode": mode} if mode else {}))
    elif isinstance(brief_or_text, Path):
        document = load_document(brief_or_text, **text_options)
    elif isinstance(brief_or_text, str):
        document = read_text(brief_or_text, **text_options)
    else:
        from cinebrief.lint.from_brief import read_brief

        document = read_brief(brief_or_text, None, mode=mode, profile=profile)  # type: ignore[arg-type]
    document.profile = profile
    document.models = models if models is not None else {}  # may be lazy: read only for other models
    return run(document, select=select, ignore=ignore, preview=preview)
