"""Diagnostics as text (ruff-like, with a `help:` line), JSON (a stable schema) and SARIF 2.1.0."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from cinebrief import __version__
from cinebrief.lint.model import Diagnostic

SARIF_LEVELS = {"error": "error", "warning": "warning", "info": "note"}


def summary(diagnostics: Sequence[Diagnostic], *, fixed: int = 0) -> dict[str, Any]:
    counts = {
        severity: sum(1 for d in diagnostics if d.severity == severity) for severity in ("error", "warning", "info")
    }
    return {
        "errors": counts["error"],
        "warnings": counts["warning"],
        "info": counts["info"],
        "total": len(diagnostics),
        "fixable": sum(1 for d in diagnostics if d.fix and d.fix.applicability == "safe" and d.fix.edits),
        "fixed": fixed,
    }


def as_text(diagnostics: Sequence[Diagnostic], *, fixed: int = 0) -> str:
    """``path:line:col: CODE [severity] message (name)`` then ``  field: …`` and ``  help: …`` lines."""
    lines: list[str] = []
    for d in diagnostics:
        where = d.source or "<prompt>"
        if d.location.line is not None:
            where += f":{d.location.line}:{d.location.column or 1}"
        lines.append(f"{where}: {d.code} [{d.severity}] {d.message} ({d.name})")
        if d.location.field and d.location.field != "prompt":
            lines.append(f"  field: {d.location.field}")
        if d.help:
            lines.append(f"  help: {d.help}")
        if d.fix and d.fix.applicability != "display-only":
            lines.append(f"  fix ({d.fix.applicability}): {d.fix.message}")
    counts = summary(diagnostics, fixed=fixed)
    if not diagnostics:
        lines.append("All checks passed." + (f" Fixed {fixed}." if fixed else ""))
    else:
        text = f"Found {counts['errors']} error(s), {counts['warnings']} warning(s), {counts['info']} info."
        if fixed:
            text += f" Fixed {fixed}."
        if counts["fixable"]:
            text += f" {counts['fixable']} fixable with --fix."
        lines.append(text)
    return "\n".join(lines)


def as_json(diagnostics: Sequence[Diagnostic], *, fixed: int = 0) -> str:
    """``{"diagnostics": [{code, name, severity, message, location: {field, line, column}, fix}], "summary": …}``."""
    payload = {"diagnostics": [d.as_dict() for d in diagnostics], "summary": summary(diagnostics, fixed=fixed)}
    return json.dumps(payload, indent=2, ensure_ascii=False)


def as_sarif(diagnostics: Sequence[Diagnostic]) -> str:
    """A SARIF 2.1.0 log with one run: the rules used, and a result per diagnostic."""
    from cinebrief.lint.registry import load_rules

    rules = load_rules()
    used = sorted({d.code for d in diagnostics})
    index = {code: i for i, code in enumerate(used)}
    results = []
    for d in diagnostics:
        result: dict[str, Any] = {
            "ruleId": d.code,
            "ruleIndex": index[d.code],
            "level": SARIF_LEVELS[d.severity],
            "message": {"text": d.message + (f" ({d.help})" if d.help else "")},
            "locations": [_sarif_location(d)],
        }
        results.append(result)
    driver = {
        "name": "cinebrief-lint",
        "version": __version__,
        "rules": [
            {
                "id": code,
                "name": rules[code].name,
                "shortDescription": {"text": rules[code].summary},
                "fullDescription": {"text": rules[code].section("Why is this bad?")},
                "defaultConfiguration": {"level": SARIF_LEVELS[rules[code].severity]},
                "help": {"text": rules[code].section("Use instead")},
            }
            for code in used
        ],
    }
    log = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{"tool": {"driver": driver}, "results": results}],
    }
    return json.dumps(log, indent=2, ensure_ascii=False)


def _sarif_location(d: Diagnostic) -> dict[str, Any]:
    location: dict[str, Any] = {}
    physical: dict[str, Any] = {"artifactLocation": {"uri": d.source or "prompt.txt"}}
    if d.location.line is not None:
        physical["region"] = {"startLine": d.location.line, "startColumn": d.location.column or 1}
    location["physicalLocation"] = physical
    if d.location.field:
        location["logicalLocations"] = [{"fullyQualifiedName": d.location.field}]
    return location


def explain(key: str) -> str:
    """The rule's documentation, as `--explain CODE|NAME` prints it."""
    from cinebrief.lint.registry import find_rule

    rule = find_rule(key)
    head = f"{rule.code} {rule.name} ({rule.severity}; {rule.category}"
    head += "; control mode only" if rule.control_only else ""
    head += f"; fix: {rule.fix}" if rule.fix else ""
    return head + ")\n\n" + rule.doc.replace("## ", "") + "\n"
