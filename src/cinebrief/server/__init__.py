"""The /v1/videos server: a FastAPI app factory over the embedded job engine."""

from cinebrief.server.app import create_app

__all__ = ["create_app"]
