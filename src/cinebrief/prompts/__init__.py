"""Render briefs to prompt text (descriptive, ultra, light) and parse prompt text back into briefs.

The names below load their modules on first use, so that the plain-data modules of this package
(`labels`, `shotlist`) can be imported without the brief schema (the linter's fast path reads them).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cinebrief import load_on_first_use

if TYPE_CHECKING:
    from cinebrief.prompts.parse import parse_prompt
    from cinebrief.prompts.render import STYLES, Style, render_brief, render_shot
    from cinebrief.prompts.request import ShotRequest, shot_request

_HOMES = {
    "parse_prompt": "parse",
    "STYLES": "render",
    "Style": "render",
    "render_brief": "render",
    "render_shot": "render",
    "ShotRequest": "request",
    "shot_request": "request",
}
__all__ = ["STYLES", "ShotRequest", "Style", "parse_prompt", "render_brief", "render_shot", "shot_request"]

__getattr__, __dir__ = load_on_first_use(__name__, _HOMES)
