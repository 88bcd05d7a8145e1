"""The latest Video of each job in memory, so that polling costs no database round trip.

This process's runner is the only writer of the jobs it runs, and every change it makes to what a Video
shows is published as an event carrying the fresh row; the cache follows those events. Events from
two threads can arrive out of order, so an entry only ever moves forward: by status (queued, then
in progress, then completed or failed) and, within a status, by progress.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from cinebrief.contract.video import Video
from cinebrief.jobs.events import JobEvent

_RANK = {"queued": 0, "in_progress": 1, "completed": 2, "failed": 2}


class VideoCache:
    def __init__(self, capacity: int = 10_000) -> None:
        self.capacity = capacity
        self._videos: OrderedDict[str, Video] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, video_id: str) -> Video | None:
        with self._lock:
            return self._videos.get(video_id)

    def put(self, video: Video) -> None:
        with self._lock:
            current = self._videos.get(video.id)
            if current is not None and (_RANK[current.status], current.progress) > (
                _RANK[video.status],
                video.progress,
            ):
                return
            self._videos[video.id] = video
            self._videos.move_to_end(video.id)
            while len(self._videos) > self.capacity:
                self._videos.popitem(last=False)

    def forget(self, video_id: str) -> None:
        with self._lock:
            self._videos.pop(video_id, None)

    def on_event(self, event: JobEvent) -> None:
        self.put(event.video)
