"""Commands: run, plan, stitch, remix, lineage, compare."""

from __future__ import annotations

from cinebrief.cli.app import app  # noqa: F401
