"""The linter: the prompting guide and the Videos API contract as deterministic, explained, fixable rules.

`cinebrief.lint(brief_or_text, ...) -> list[Diagnostic]`: this package is itself callable, so the
function and the package share the name. Rules live in `cinebrief.lint.rules` and register in
`cinebrief.lint.registry.RULES`. Nothing heavy is imported until a brief or an image needs it.
"""

from __future__ import annotations

import sys
import types
from typing import Any

from cinebrief.lint.checker import lint, run
from cinebrief.lint.model import Diagnostic, Edit, Fix, Location
from cinebrief.lint.registry import RULES, Rule, find_rule, load_rules

__all__ = ["RULES", "Diagnostic", "Edit", "Fix", "Location", "Rule", "find_rule", "lint", "load_rules", "run"]


class _CallableModule(types.ModuleType):
    """`cinebrief.lint(...)` calls `lint(...)`: importing the package makes `cinebrief.lint` this module."""

    def __call__(self, brief_or_text: Any, **options: Any) -> list[Diagnostic]:
        return lint(brief_or_text, **options)


sys.modules[__name__].__class__ = _CallableModule
