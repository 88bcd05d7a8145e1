"""Render briefs to prompt text (descriptive, ultra, light) and parse prompt text back into briefs."""

from cinebrief.prompts.parse import parse_prompt
from cinebrief.prompts.render import STYLES, Style, render_brief, render_shot
from cinebrief.prompts.request import ShotRequest, shot_request

__all__ = ["STYLES", "ShotRequest", "Style", "parse_prompt", "render_brief", "render_shot", "shot_request"]
