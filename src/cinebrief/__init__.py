"""cinebrief: brief, lint, preview and generate video like a cinematographer.

A self-hosted, open rebuild of the Sora 2 Videos API and its prompting practice.
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"

__all__ = ["__version__", "lint"]


def __getattr__(name: str) -> Any:
    # `cinebrief.lint(brief_or_text)` without importing the linter on `import cinebrief`.
    if name == "lint":
        import importlib

        return importlib.import_module("cinebrief.lint")
    raise AttributeError(f"module 'cinebrief' has no attribute '{name}'")
