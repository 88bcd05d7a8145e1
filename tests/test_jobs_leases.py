"""Leases in the job store: graceful stops hand jobs back, start-up leaves live leases alone, dead ones are taken."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import update

from cinebrief.jobs import Engine, VideoRequest
from cinebrief.jobs.migrations import MIGRATIONS
from cinebrief.jobs.owners import LOCAL
from cinebrief.jobs.records import Job
from cinebrief.jobs.store import JobStore
from cinebrief.settings import load_settings
from server_backend import TinyBackend, tiny_factory


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, database_url: str):
    """Every test here runs on SQLite and on a real PostgreSQL server."""
    monkeypatch.setattr("cinebrief.jobs.pool.create_backend", tiny_factory)
    TinyBackend.calls.clear()
    TinyBackend.frames.clear()
    return load_settings(
        environ={},
        overrides={
            "server": {"data_dir": str(tmp_path / "data"), "database_url": database_url},
            "models": {"tiny": {"backend": "tiny"}, "slow": {"backend": "tiny", "delay": 0.2}},
            "backends": {"tiny": {"isolation": "thread"}, "previz": {"isolation": "thread"}},
        },
    )


def running_job(index: int, *, worker_id: str | None, lease_until: float | None, attempts: int) -> Job:
    return Job(
        id=f"video_{index:048x}",
        model="tiny",
        backend="tiny",
        status="in_progress",
        progress=30,
        created_at=int(time.time()),
        prompt=f"held {index}",
        size="256x256",
        seconds="4",
        seed=index,
        worker_id=worker_id,
        lease_until=lease_until,
        attempts=attempts,
    )


def wait_for(condition, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def test_graceful_stops_hand_the_job_back_without_spending_attempts(settings) -> None:
    video_id = ""
    for _ in range(4):  # four stops during the render: the job must not be given up
        with Engine(settings) as engine:
            if not video_id:
                video_id = engine.submit(
                    VideoRequest(prompt="stopped often", model="slow", size="256x256"), owner=LOCAL
                ).id
            wait_for(lambda engine=engine, video_id=video_id: engine.get(video_id, owner=LOCAL).progress >= 13)
        store = JobStore(settings.server.resolved_database_url)
        job = store.get(video_id)
        store.close()
        assert job is not None
        assert (job.status, job.progress, job.attempts, job.worker_id, job.lease_until) == ("queued", 0, 0, None, None)
    with Engine(settings) as engine:
        assert engine.wait(video_id, timeout=30, owner=LOCAL).status == "completed"
        assert engine.job(video_id, owner=LOCAL).attempts == 1
    assert [request.prompt for request in TinyBackend.calls] == ["stopped often"] * 5
    assert TinyBackend.frames["stopped often"] == 8


def test_start_up_leaves_live_leases_and_their_temp_folders_alone(settings) -> None:
    store = JobStore(settings.server.resolved_database_url)
    live = running_job(1, worker_id="other-host:41:7:ab/tiny-0", lease_until=time.time() + 600, attempts=1)
    store.insert(live)
    temp = settings.server.data_dir / "tmp"
    (temp / f"{live.id}.1").mkdir(parents=True)  # the other server is writing this attempt
    (temp / "video_gone.2").mkdir()  # left by a crash: nobody holds it
    store.close()
    with Engine(settings) as engine:
        time.sleep(0.5)
        job = engine.job(live.id, owner=LOCAL)
        assert (job.status, job.worker_id, job.attempts) == ("in_progress", live.worker_id, 1)
        assert sorted(path.name for path in temp.iterdir()) == [f"{live.id}.1"]
        assert TinyBackend.calls == []
        with engine.store.database.begin() as connection:  # the other server died: its lease runs out
            table = engine.store.table
            connection.execute(update(table).where(table.c.id == live.id).values(lease_until=time.time() - 1))
        assert engine.wait(live.id, timeout=30, owner=LOCAL).status == "completed"
        assert engine.job(live.id, owner=LOCAL).attempts == 2
    assert [request.prompt for request in TinyBackend.calls] == ["held 1"]


def test_a_dead_process_of_this_host_frees_its_lease_at_start(settings) -> None:
    finished = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead = f"{socket.gethostname()}:{int(finished.stdout)}:1000:cd/tiny-0"
    store = JobStore(settings.server.resolved_database_url)
    store.insert(running_job(2, worker_id=dead, lease_until=time.time() + 600, attempts=1))
    store.close()
    with Engine(settings) as engine:  # no wait for the ten-minute lease
        assert engine.wait(f"video_{2:048x}", timeout=30, owner=LOCAL).status == "completed"


def test_a_job_whose_worker_keeps_dying_fails_saying_why(settings) -> None:
    store = JobStore(settings.server.resolved_database_url)
    store.insert(running_job(3, worker_id="other-host:41:7:ab/tiny-0", lease_until=time.time() - 1, attempts=3))
    store.close()
    with Engine(settings) as engine:
        video = engine.wait(f"video_{3:048x}", timeout=30, owner=LOCAL)
    assert video.status == "failed" and video.error.code == "backend_error"
    assert "started 3 times" in video.error.message and "crash" in video.error.message
    assert TinyBackend.calls == []


def test_servers_starting_together_migrate_once(database_url: str) -> None:
    code = f"from cinebrief.jobs.store import JobStore; JobStore({database_url!r}).close()"
    starts = [subprocess.Popen([sys.executable, "-c", code], stderr=subprocess.PIPE) for _ in range(4)]
    assert [process.wait(60) for process in starts] == [0] * 4, [p.stderr.read() for p in starts if p.stderr]
    store = JobStore(database_url)
    with store.database.connect() as connection:
        versions = connection.exec_driver_sql("SELECT version FROM schema_migrations ORDER BY version").scalars()
        assert list(versions) == list(range(1, len(MIGRATIONS) + 1))
    store.close()
