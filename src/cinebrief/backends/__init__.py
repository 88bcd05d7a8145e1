"""Backends behind one interface: previz (embedded), diffusers (local weights), remote (another server)."""

from cinebrief.backends.base import (
    OUTPUT_FILES,
    Backend,
    GenerationRequest,
    GenerationResult,
    RemixSource,
)
from cinebrief.backends.registry import backend_class, backend_names, create_backend

__all__ = [
    "OUTPUT_FILES",
    "Backend",
    "GenerationRequest",
    "GenerationResult",
    "RemixSource",
    "backend_class",
    "backend_names",
    "create_backend",
]
