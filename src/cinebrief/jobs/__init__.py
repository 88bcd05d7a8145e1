"""Durable jobs: the store (SQLAlchemy), the runner (threads per backend), events, and the embedded engine."""

from cinebrief.jobs.admission import VideoRequest
from cinebrief.jobs.engine import Engine, ModelInfo
from cinebrief.jobs.events import EventBus, JobEvent
from cinebrief.jobs.records import Job
from cinebrief.jobs.store import JobStore

__all__ = ["Engine", "EventBus", "Job", "JobEvent", "JobStore", "ModelInfo", "VideoRequest"]
