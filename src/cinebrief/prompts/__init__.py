"""Render briefs to prompt text (descriptive, ultra, light) and parse prompt text back into briefs."""

from cinebrief.prompts.parse import parse_prompt

__all__ = ["parse_prompt"]
