"""A crash (SIGKILL) of `cinebrief serve` during six jobs: after a restart all six complete, once each.

On SQLite and on a real PostgreSQL server.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import av
import openai

from cinebrief.jobs.store import JobStore
from server_harness import ServerProcess
from server_models import SMALL_MODEL, SMALL_SIZE


def test_kill_9_during_six_jobs_then_restart(tmp_path: Path, database_url: str) -> None:
    data_dir = tmp_path / "data"
    config = tmp_path / "cinebrief.toml"
    config.write_text(f'[models.{SMALL_MODEL}]\nbackend = "previz"\n\n[backends.previz]\nconcurrency = 2\n')
    env = {"CINEBRIEF_DATABASE_URL": database_url}
    first = ServerProcess(data_dir, config=config, env=env).start()
    try:
        client = openai.OpenAI(base_url=first.url, api_key="any", max_retries=0)
        ids = [
            client.videos.create(prompt=f"Crash clip {index}", model=SMALL_MODEL, size=SMALL_SIZE, seconds="8").id
            for index in range(6)
        ]
        deadline = time.monotonic() + 60
        while client.videos.retrieve(ids[0]).progress < 10 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert client.videos.retrieve(ids[-1]).status == "queued"
    finally:
        first.kill()

    with ServerProcess(data_dir, config=config, env=env) as second:
        client = openai.OpenAI(base_url=second.url, api_key="any", max_retries=0)
        videos = [client.videos.poll(video_id, poll_interval_ms=100) for video_id in ids]
        assert [video.status for video in videos] == ["completed"] * 6
        assert sorted(video.id for video in client.videos.list()) == sorted(ids)
        for video in videos:
            path = tmp_path / f"{video.id}.mp4"
            client.videos.download_content(video.id).write_to_file(path)
            with av.open(str(path)) as container:
                assert sum(1 for _ in container.decode(video=0)) > 0
    store = JobStore(database_url)
    try:
        jobs = [store.get(video_id) for video_id in ids]
    finally:
        store.close()
    assert all(job is not None and job.status == "completed" and 1 <= job.attempts <= 2 for job in jobs)
    assert list((data_dir / "tmp").iterdir()) == []


def test_graceful_stops_of_the_server_hand_the_job_back_without_spending_attempts(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    config = tmp_path / "cinebrief.toml"
    config.write_text(f'[models.{SMALL_MODEL}]\nbackend = "previz"\n\n[backends.previz]\nisolation = "thread"\n')
    env = {
        "CINEBRIEF_TEST_CALLS": str(tmp_path / "calls.txt"),
        "CINEBRIEF_TEST_FRAME_DELAY": "0.05",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(Path(__file__).parent), os.environ.get("PYTHONPATH")])),
    }
    video_id = ""
    for _ in range(4):  # four SIGTERMs while it renders: not "interrupted 3 times"
        with ServerProcess(data_dir, config=config, env=env, module="counting_serve") as server:
            client = openai.OpenAI(base_url=server.url, api_key="any", max_retries=0)
            if not video_id:
                video_id = client.videos.create(prompt="Stopped often", model=SMALL_MODEL, size=SMALL_SIZE).id
            deadline = time.monotonic() + 60
            while client.videos.retrieve(video_id).progress < 5:
                assert time.monotonic() < deadline
                time.sleep(0.05)
        store = JobStore(f"sqlite:///{data_dir / 'cinebrief.db'}")
        job = store.get(video_id)
        store.close()
        assert job is not None and (job.status, job.attempts, job.worker_id) == ("queued", 0, None)
    with ServerProcess(data_dir, config=config, env=env, module="counting_serve") as server:
        client = openai.OpenAI(base_url=server.url, api_key="any", max_retries=0)
        assert client.videos.poll(video_id, poll_interval_ms=100).status == "completed"
    lines = (tmp_path / "calls.txt").read_text().splitlines()
    assert [line.split(" ", 2)[0] for line in lines] == ["start"] * 5 + ["done"]
