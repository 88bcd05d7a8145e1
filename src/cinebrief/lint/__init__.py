"""The linter: the prompting guide and the Videos API contract as deterministic, explained, fixable rules.

`lint(brief_or_text) -> list[Diagnostic]`; rules live in `cinebrief.lint.rules` and register in
`cinebrief.lint.registry.RULES`. Nothing heavy is imported until a brief or an image needs it.
"""

from __future__ import annotations

from cinebrief.lint.engine import lint, run
from cinebrief.lint.model import Diagnostic, Edit, Fix, Location
from cinebrief.lint.registry import RULES, Rule, find_rule, load_rules

__all__ = ["RULES", "Diagnostic", "Edit", "Fix", "Location", "Rule", "find_rule", "lint", "load_rules", "run"]
