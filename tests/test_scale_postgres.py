"""Two `cinebrief serve` processes on one real PostgreSQL server, sharing one queue and one data folder.

40 creates spread over both; one is killed (SIGKILL) while it renders; the other finishes every job once
the dead server's leases run out. Every job completes exactly once (the backend's calls are counted),
with a decodable video, and both servers answer list and retrieve alike. Also: PostgreSQL unreachable
at start is exit code 2 with the URL, without its password.
"""

from __future__ import annotations

import collections
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import av
import httpx
import openai
import pytest

from cinebrief.jobs import Engine, VideoRequest
from cinebrief.jobs.owners import LOCAL
from cinebrief.jobs.store import JobStore
from cinebrief.settings import load_settings
from server_backend import tiny_factory
from server_harness import ServerProcess, ServerThread, free_port
from server_models import SMALL_MODEL, SMALL_SIZE

TESTS = Path(__file__).resolve().parent
JOBS = 40
LEASE_SECONDS = 5


def read_calls(path: Path) -> tuple[dict[str, list[int]], dict[str, list[int]]]:
    starts: dict[str, list[int]] = collections.defaultdict(list)
    done: dict[str, list[int]] = collections.defaultdict(list)
    for line in path.read_text().splitlines():
        kind, pid, prompt = line.split(" ", 2)
        (starts if kind == "start" else done)[prompt].append(int(pid))
    return starts, done


def _rendering(pid: int, starts: dict[str, list[int]], done: dict[str, list[int]]) -> bool:
    """Whether the server `pid` has started a job it has not finished."""
    return any(pid in pids and pid not in done.get(prompt, []) for prompt, pids in starts.items())


@pytest.mark.slow
def test_two_servers_share_the_queue_and_finish_a_killed_servers_jobs(tmp_path: Path, postgres_server) -> None:
    url = postgres_server.database("two_servers")
    data_dir = tmp_path / "data"
    calls = tmp_path / "calls.txt"
    config = tmp_path / "cinebrief.toml"
    config.write_text(
        f'[models.{SMALL_MODEL}]\nbackend = "previz"\n\n[backends.previz]\nconcurrency = 2\nisolation = "thread"\n'
    )
    env = {
        "CINEBRIEF_DATABASE_URL": url,
        "CINEBRIEF_LEASE_SECONDS": str(LEASE_SECONDS),
        "CINEBRIEF_TEST_CALLS": str(calls),
        "CINEBRIEF_TEST_FRAME_DELAY": "0.05",  # each render lasts about half a second: long enough to be killed in
        "PYTHONPATH": os.pathsep.join(filter(None, [str(TESTS), os.environ.get("PYTHONPATH")])),
    }
    first = ServerProcess(data_dir, config=config, env=env, module="counting_serve").start()
    second = ServerProcess(data_dir, config=config, env=env, module="counting_serve").start()
    third = None
    try:
        servers = [first, second]
        clients = [openai.OpenAI(base_url=server.url, api_key="any", max_retries=0) for server in servers]
        ids = [
            clients[index % 2]
            .videos.create(prompt=f"Shared clip {index}, a kite over a ridge", model=SMALL_MODEL, size=SMALL_SIZE)
            .id
            for index in range(JOBS)
        ]
        assert len(set(ids)) == JOBS
        killed = first.process.pid if first.process else 0
        deadline = time.monotonic() + 120
        while not calls.exists() or not _rendering(killed, *read_calls(calls)):
            assert time.monotonic() < deadline, "the first server never started a job"
            time.sleep(0.05)
        first.kill()  # mid-render: its running jobs keep their leases until they run out

        videos = [clients[1].videos.poll(video_id, poll_interval_ms=200) for video_id in ids]
        assert [video.status for video in videos] == ["completed"] * JOBS
        for video in videos:
            path = tmp_path / f"{video.id}.mp4"
            clients[1].videos.download_content(video.id).write_to_file(path)
            with av.open(str(path)) as container:
                assert sum(1 for _ in container.decode(video=0)) > 0

        starts, done = read_calls(calls)
        assert len(done) == JOBS and all(len(pids) == 1 for pids in done.values())  # 0 lost, 0 run twice
        taken_over = [prompt for prompt, pids in starts.items() if len(pids) > 1]
        assert taken_over, "no job was running on the killed server"
        for prompt in taken_over:  # started on the killed server, finished once on the other
            assert starts[prompt] == [killed, second.process.pid] and done[prompt] == [second.process.pid]
        assert {pid for pids in starts.values() for pid in pids} == {killed, second.process.pid}

        third = ServerProcess(data_dir, config=config, env=env, module="counting_serve").start()
        clients[0] = openai.OpenAI(base_url=third.url, api_key="any", max_retries=0)
        pages = [client.videos.list(limit=100) for client in clients]
        assert [video.model_dump() for video in pages[0].data] == [video.model_dump() for video in pages[1].data]
        assert sorted(video.id for video in pages[0].data) == sorted(ids)
        for video_id in ids[::7]:
            assert clients[0].videos.retrieve(video_id) == clients[1].videos.retrieve(video_id)
    finally:
        first.kill()
        second.stop()
        if third is not None:
            third.stop()
    store = JobStore(url)
    try:
        jobs = [store.get(video_id) for video_id in ids]
    finally:
        store.close()
    attempts = {job.prompt: job.attempts for job in jobs if job is not None}
    assert all(attempts[prompt] == 2 for prompt in taken_over)
    assert sum(attempts.values()) == JOBS + len(taken_over)
    assert list((data_dir / "tmp").iterdir()) == []


def test_an_unreachable_postgresql_is_exit_2_naming_the_url_without_its_password(tmp_path: Path) -> None:
    url = f"postgresql+psycopg://cinebrief:s3cret-pw@127.0.0.1:{free_port()}/jobs"
    result = subprocess.run(
        [sys.executable, "-m", "cinebrief", "serve", "--data-dir", str(tmp_path), "--port", str(free_port())],
        env={**os.environ, "CINEBRIEF_DATABASE_URL": url},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    output = result.stdout + result.stderr
    assert "postgresql+psycopg://cinebrief:***@127.0.0.1" in output and "s3cret-pw" not in output
    assert "Traceback" not in output


def test_a_server_that_runs_nothing_follows_another_servers_job_in_retrieve_and_events(
    tmp_path: Path, postgres_server, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Server B has no workers; server A renders. B's retrieve, list and SSE stream follow A's job."""
    monkeypatch.setattr("cinebrief.jobs.pool.create_backend", tiny_factory)
    url = postgres_server.database("followers")
    settings = load_settings(
        environ={},
        overrides={
            "server": {"data_dir": str(tmp_path / "data"), "database_url": url},
            "models": {"slow": {"backend": "tiny", "delay": 0.2}},
            "backends": {"tiny": {"isolation": "thread"}},
        },
    )
    idle = Engine(settings, start=False)  # B: answers requests, runs no job
    try:
        with Engine(settings) as renderer, ServerThread(settings, engine=idle) as follower:
            video = renderer.submit(
                VideoRequest(prompt="rendered elsewhere", model="slow", size="256x256"), owner=LOCAL
            )
            stream = httpx.get(f"{follower.url}/videos/{video.id}/events", timeout=60).text
            frames = [json.loads(line[6:]) for line in stream.splitlines() if line.startswith("data: ")]
            assert frames[-1]["status"] == "completed" and frames[-1]["progress"] == 100
            assert any(0 < frame["progress"] < 100 for frame in frames)  # progress seen while A rendered
            progress = [frame["progress"] for frame in frames]
            assert progress == sorted(progress)
            client = openai.OpenAI(base_url=follower.url, api_key="any", max_retries=0)
            seen, truth = client.videos.retrieve(video.id), renderer.get(video.id, owner=LOCAL)
            assert (seen.status, seen.progress, seen.completed_at) == ("completed", 100, truth.completed_at)
            assert [listed.id for listed in client.videos.list()] == [video.id]
    finally:
        idle.close()
