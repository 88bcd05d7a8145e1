"""cinebrief: brief, lint, preview and generate video like a cinematographer.

A self-hosted, open rebuild of the Sora 2 Videos API and its prompting practice.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping
from typing import Any

__version__ = "0.1.0"

__all__ = ["__version__", "lint"]


def load_on_first_use(package: str, homes: Mapping[str, str]) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """A package's module `__getattr__` and `__dir__`: `__getattr__` imports `name` from its module
    `homes[name]` (relative to the package) when it is first used, then keeps it in the package, so that
    importing the package does not load its heavy modules (PyAV, Pillow, ruamel.yaml, the prompt parser);
    `__dir__` lists those names before they are loaded, once each."""

    def __getattr__(name: str) -> Any:
        home = homes.get(name)
        if home is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(f"{package}.{home}"), name)
        setattr(sys.modules[package], name, value)
        return value

    def __dir__() -> list[str]:
        return sorted(set(vars(sys.modules[package])) | set(homes))

    return __getattr__, __dir__


def __getattr__(name: str) -> Any:
    # `cinebrief.lint(brief_or_text)` without importing the linter on `import cinebrief`.
    if name == "lint":
        return importlib.import_module("cinebrief.lint")
    raise AttributeError(f"module 'cinebrief' has no attribute '{name}'")
