"""The rule registry: a plain dict from code to `Rule`, filled by the `@rule` decorator.

Codes are permanent and never reused; the prefix names the category:

====== ===========================================================
API    the Videos API contract (model, size, seconds, prompt limits)
PR     prompt text (vague words, framing, lighting, palette, dialogue)
SH     shot structure (beats, shot lists, ultra-detailed sections)
SQ     sequence continuity (drift between shots, remix)
MD     media references (input_reference images)
====== ===========================================================
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from cinebrief.errors import InputError
from cinebrief.lint.model import Applicability, Finding, Severity

CATEGORIES = {
    "API": "API contract",
    "PR": "Prompt text",
    "SH": "Shot structure",
    "SQ": "Sequence continuity",
    "MD": "Media references",
}
SECTIONS = ("What it does", "Why is this bad?", "Example", "Use instead")
_CODE = re.compile(r"^(API|PR|SH|SQ|MD)\d{3}$")
_NAME = re.compile(r"^[a-z]+(?:-[a-z0-9]+)+$")

Check = Callable[..., Iterable[Finding]]


@dataclass(frozen=True)
class Rule:
    code: str
    name: str
    severity: Severity
    check: Check
    fix: Applicability | None = None  # the best fix the rule can offer, if any
    control_only: bool = False  # a completeness check: runs only in `mode: control`
    preview: bool = False  # a heuristic not yet measured precise enough: runs only with `--preview`

    @property
    def category_prefix(self) -> str:
        return self.code.rstrip("0123456789")

    @property
    def category(self) -> str:
        return CATEGORIES[self.category_prefix]

    @property
    def doc(self) -> str:
        return inspect.cleandoc(self.check.__doc__ or "")

    @property
    def summary(self) -> str:
        """The first sentence of *What it does*."""
        section = self.section("What it does")
        return section.split("\n\n")[0].replace("\n", " ").strip()

    def section(self, title: str) -> str:
        """The text under ``## title`` in the docstring."""
        parts = re.split(r"^## (.+)$", self.doc, flags=re.MULTILINE)
        for heading, body in zip(parts[1::2], parts[2::2], strict=True):
            if heading.strip() == title:
                return body.strip()
        return ""


RULES: dict[str, Rule] = {}
_BY_NAME: dict[str, Rule] = {}


def rule(
    code: str,
    name: str,
    *,
    severity: Severity,
    fix: Applicability | None = None,
    control_only: bool = False,
    preview: bool = False,
) -> Callable[[Check], Check]:
    """Register a check under a permanent code and a kebab-case name for the problem it finds.

    A `preview` rule is off unless preview rules are asked for (`--preview`, `lint(..., preview=True)`):
    heuristic rules stay there until their precision on the frozen test corpus reaches 0.9."""

    def register(check: Check) -> Check:
        if not _CODE.match(code) or not _NAME.match(name):
            raise ValueError(f"rule {code} {name}: codes look like PR001, names like vague-language")
        if code in RULES or name in _BY_NAME:
            raise ValueError(f"rule {code} {name} is registered twice; codes and names are never reused")
        doc = inspect.cleandoc(check.__doc__ or "")
        missing = [title for title in SECTIONS if f"## {title}" not in doc]
        if missing:
            raise ValueError(f"rule {code} {name}: the docstring lacks {', '.join(missing)}")
        entry = Rule(
            code=code,
            name=name,
            severity=severity,
            check=check,
            fix=fix,
            control_only=control_only,
            preview=preview,
        )
        RULES[code] = entry
        _BY_NAME[name] = entry
        return check

    return register


def load_rules() -> dict[str, Rule]:
    """Import every rule module once (they register themselves) and return the registry."""
    from cinebrief.lint.rules import api, dialogue, media, palette, prompt, sequence, shot  # noqa: F401

    return RULES


def find_rule(key: str) -> Rule:
    """A rule by code (``PR001``, any case) or name (``vague-language``); `InputError` naming close ones."""
    rules = load_rules()
    found = rules.get(key.upper()) or _BY_NAME.get(key.lower())
    if found is not None:
        return found
    import difflib

    guesses = difflib.get_close_matches(key.lower(), list(_BY_NAME), n=3, cutoff=0.6)
    hint = f" Did you mean {', '.join(guesses)}?" if guesses else " See docs/rules.md for the list."
    raise InputError(f"unknown lint rule '{key}'.{hint}", field="rule")


def matches(rule_: Rule, selector: str) -> bool:
    """A selector is a code prefix (``PR``, ``PR0``, ``PR001``), a rule name, or ``ALL``."""
    key = selector.strip()
    return key.upper() == "ALL" or rule_.code.startswith(key.upper()) or rule_.name == key.lower()


def check_selectors(selectors: Iterable[str]) -> None:
    """Every selector must match at least one rule; a typo would otherwise silently select nothing."""
    rules = load_rules().values()
    for selector in selectors:
        if not any(matches(entry, selector) for entry in rules):
            find_rule(selector)  # raises with a suggestion
