"""Commands: lint."""

from __future__ import annotations

from cinebrief.cli.app import app  # noqa: F401
