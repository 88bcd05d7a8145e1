"""Commands: serve, videos (a client of any /v1/videos server)."""

from __future__ import annotations

from cinebrief.cli.app import app  # noqa: F401
