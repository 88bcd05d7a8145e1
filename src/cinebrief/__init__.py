"""cinebrief: brief, lint, preview and generate video like a cinematographer.

A self-hosted, open rebuild of the Sora 2 Videos API and its prompting practice.
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
