"""Who holds a running job: worker ids that say which process on which host, and the thread that keeps leases.

A worker id is `host:pid:started_ms:token/backend-index`. The host, process id and process start time
let a server starting on the same host tell that the process that held a lease is gone (a crash), so
its jobs need not wait for the lease to run out; the token tells two engines of one process apart.
Leases of other hosts are only ever taken over once they expire.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import threading
from collections.abc import Callable

import psutil

log = logging.getLogger(__name__)


class WorkerLost(Exception):
    """The worker running a job is gone (its actor or node was lost): the job goes back to the queue."""


def process_identity() -> str:
    """This engine's prefix of worker ids: `host:pid:started_ms:token`."""
    started = int(psutil.Process().create_time() * 1000)
    return f"{socket.gethostname()}:{os.getpid()}:{started}:{secrets.token_hex(3)}"


def dead_on_this_host(worker_id: str) -> bool:
    """True when `worker_id` names a process of this host that no longer runs (so its leases are void)."""
    try:
        host, pid, started, _ = worker_id.split("/", 1)[0].split(":", 3)
        pid_number, started_ms = int(pid), int(started)
    except ValueError:
        return False  # not one of ours: wait for the lease to run out
    if host != socket.gethostname():
        return False
    try:
        return int(psutil.Process(pid_number).create_time() * 1000) != started_ms
    except psutil.NoSuchProcess:
        return True


class LeaseKeeper:
    """Renews the leases of the jobs this engine runs, every third of the lease, until stopped.

    `renew(job_id, worker_id)` returns False when the job is gone (deleted) or was taken over; then
    `lost(job_id)` is called so that the worker stops it at its next step.
    """

    def __init__(self, lease_seconds: float, renew: Callable[[str, str], bool], lost: Callable[[str], None]) -> None:
        self.interval = lease_seconds / 3
        self._renew = renew
        self._lost = lost
        self._running: dict[str, str] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="cinebrief-leases", daemon=True)

    def start(self) -> None:
        """Start renewing (once; later calls do nothing)."""
        with self._lock:
            if not self._thread.is_alive() and not self._stop.is_set():
                self._thread.start()

    def hold(self, job_id: str, worker_id: str) -> None:
        with self._lock:
            self._running[job_id] = worker_id

    def holds(self, job_id: str) -> bool:
        with self._lock:
            return job_id in self._running

    def drop(self, job_id: str) -> None:
        with self._lock:
            self._running.pop(job_id, None)

    def stop(self) -> None:
        self._stop.set()

    def renew_all(self) -> None:
        with self._lock:
            running = list(self._running.items())
        for job_id, worker_id in running:
            try:
                kept = self._renew(job_id, worker_id)
            except Exception:  # the database is away for a moment: try again next round
                log.exception("job %s: the lease could not be renewed", job_id)
                continue
            if not kept:
                self._lost(job_id)

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            self.renew_all()
