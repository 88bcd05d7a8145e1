"""Diagnostics as plain data: where a problem is, what it is, and how it may be fixed."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Severity = Literal["error", "warning", "info"]
Applicability = Literal["safe", "unsafe", "display-only"]

# A path into the brief's YAML tree, e.g. ("shots", 0, "camera", "lens").
TreePath = tuple[int | str, ...]


@dataclass(slots=True)
class Location:
    """A field path (``shots[0].camera.move``, or ``prompt`` for text) and a 1-based line and column."""

    field: str | None = None
    line: int | None = None
    column: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"field": self.field, "line": self.line, "column": self.column}


@dataclass(frozen=True)
class Edit:
    """Set the value at `path` in the brief tree (`delete` removes the key or item instead)."""

    path: TreePath
    value: Any = None
    delete: bool = False


@dataclass(frozen=True)
class Fix:
    """A proposed change. Only `safe` fixes are applied by ``--fix``; the others are shown."""

    applicability: Applicability
    message: str
    edits: tuple[Edit, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        return {"applicability": self.applicability, "message": self.message}


@dataclass(slots=True)
class Finding:
    """What a rule reports; the engine turns it into a `Diagnostic` with the rule's code and severity."""

    message: str
    location: Location = field(default_factory=Location)
    help: str | None = None
    fix: Fix | None = None
    shot: int | None = None  # index of the shot, for `noqa` on that shot
    severity: Severity | None = None  # overrides the rule's default for this finding


@dataclass(slots=True)
class Diagnostic:
    code: str
    name: str
    severity: Severity
    message: str
    location: Location = field(default_factory=Location)
    help: str | None = None
    fix: Fix | None = None
    source: str | None = None  # the file linted, or None for text

    def as_dict(self) -> dict[str, Any]:
        """The stable JSON shape: code, name, severity, message, location, fix."""
        return {
            "code": self.code,
            "name": self.name,
            "severity": self.severity,
            "message": self.message,
            "location": self.location.as_dict(),
            "fix": self.fix.as_dict() if self.fix else None,
        }
