"""Durable jobs: the store (SQLAlchemy), the runner (threads per backend), events, and the embedded engine.

The names below load on first use: a render worker's child process imports `cinebrief.jobs.isolation`, which
needs the backends, not the engine, the store or SQLAlchemy.
"""

from typing import TYPE_CHECKING

from cinebrief import load_on_first_use

if TYPE_CHECKING:
    from cinebrief.jobs.admission import VideoRequest
    from cinebrief.jobs.engine import Engine, ModelInfo
    from cinebrief.jobs.events import EventBus, JobEvent
    from cinebrief.jobs.records import Job
    from cinebrief.jobs.store import JobStore

_LAZY = {
    "Engine": "engine",
    "EventBus": "events",
    "Job": "records",
    "JobEvent": "events",
    "JobStore": "store",
    "ModelInfo": "engine",
    "VideoRequest": "admission",
}

__all__ = ["Engine", "EventBus", "Job", "JobEvent", "JobStore", "ModelInfo", "VideoRequest"]
__getattr__, __dir__ = load_on_first_use(__name__, _LAZY)
