"""In-process events: every progress step and status change of a job, for SSE streams, webhooks and `wait`.

Subscribers are plain callables run on the publishing thread, so they must only hand the event on (put it
in a queue, call `loop.call_soon_threadsafe`). A subscriber that raises is logged and kept; the job goes on.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from cinebrief.contract.video import Video

EventType = Literal["progress", "status"]
Subscriber = Callable[["JobEvent"], None]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class JobEvent:
    """`progress`: the percentage moved; `status`: the status changed. `video` is the job as it is now."""

    type: EventType
    video: Video
    created_at: int = field(default_factory=lambda: int(time.time()))

    @property
    def video_id(self) -> str:
        return self.video.id


class EventBus:
    """Publish/subscribe within one process."""

    def __init__(self) -> None:
        self._subscribers: dict[int, Subscriber] = {}
        self._lock = threading.Lock()
        self._next = 0

    def subscribe(self, subscriber: Subscriber) -> Callable[[], None]:
        """Register `subscriber`; returns the function that unregisters it."""
        with self._lock:
            token = self._next
            self._next += 1
            self._subscribers[token] = subscriber

        def unsubscribe() -> None:
            with self._lock:
                self._subscribers.pop(token, None)

        return unsubscribe

    def publish(self, event: JobEvent) -> None:
        with self._lock:
            subscribers = list(self._subscribers.values())
        for subscriber in subscribers:
            try:
                subscriber(event)
            except Exception:  # one broken listener must not stop a job
                log.exception("event subscriber failed on %s %s", event.type, event.video_id)
