"""The embedded engine: store, runner, progress, idempotency, delete rules, recovery, remix (no HTTP)."""

from __future__ import annotations

import time
from pathlib import Path

import av
import pytest
from PIL import Image
from sqlalchemy import update

from cinebrief.errors import ContractError, InputError, NotFoundError
from cinebrief.jobs import Engine, JobEvent, VideoRequest
from cinebrief.jobs.owners import LOCAL
from cinebrief.jobs.records import Job
from cinebrief.jobs.store import JobStore
from cinebrief.settings import load_settings
from server_backend import TinyBackend, tiny_factory


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr("cinebrief.jobs.pool.create_backend", tiny_factory)
    TinyBackend.calls.clear()
    return load_settings(
        environ={},
        overrides={
            "server": {"data_dir": str(tmp_path / "data")},
            "models": {"tiny": {"backend": "tiny"}},
            # in-process, so that the tiny backend stands in for every backend (the seam is patched here)
            "backends": {"tiny": {"isolation": "thread"}, "previz": {"isolation": "thread"}},
        },
    )


def test_a_job_runs_to_completion_with_progress_and_files(settings) -> None:
    events: list[JobEvent] = []
    with Engine(settings) as engine:
        engine.events.subscribe(events.append)
        video = engine.submit(VideoRequest(prompt="A paper boat", size="1280x720", seed=7), owner=LOCAL)
        assert (video.status, video.progress, video.completed_at) == ("queued", 0, None)
        done = engine.wait(video.id, timeout=30, owner=LOCAL)
        assert done.status == "completed" and done.progress == 100
        assert done.expires_at == done.completed_at + 3600
        with av.open(str(engine.content_path(video.id, "video", owner=LOCAL))) as container:
            assert sum(1 for _ in container.decode(video=0)) == 8
        assert Image.open(engine.content_path(video.id, "thumbnail", owner=LOCAL)).format == "WEBP"
        assert Image.open(engine.content_path(video.id, "spritesheet", owner=LOCAL)).format == "JPEG"
        assert engine.job(video.id, owner=LOCAL).resume_state == {"started": True, "seed": 7}
    progress = [event.video.progress for event in events if event.video_id == video.id]
    assert progress[0] == 0 and progress[-1] == 100
    assert progress == sorted(progress) and all(1 <= value <= 99 for value in progress[1:-1])
    statuses = [event.video.status for event in events if event.type == "status"]
    assert statuses == ["queued", "in_progress", "completed"]


def test_contract_checks_and_model_routing(settings) -> None:
    with Engine(settings) as engine:
        with pytest.raises(ContractError, match="Supported values are: 'sora-2'") as caught:
            engine.submit(VideoRequest(prompt="x", model="sora-1-turbo"), owner=LOCAL)
        assert caught.value.field == "model" and "'tiny'" in str(caught.value)
        with pytest.raises(ContractError) as caught:
            engine.submit(VideoRequest(prompt="x", seconds=8), owner=LOCAL)
        assert caught.value.code == "invalid_type"
        with pytest.raises(ContractError, match="not supported by model 'sora-2'"):
            engine.submit(VideoRequest(prompt="x", size="1792x1024"), owner=LOCAL)
        with pytest.raises(ContractError, match="multiples of 16"):
            engine.submit(VideoRequest(prompt="x", model="tiny", size="1000x1001"), owner=LOCAL)
        assert engine.list(owner=LOCAL).data == []


def test_idempotency_key_returns_the_original_job(settings) -> None:
    with Engine(settings) as engine:
        first = engine.submit(VideoRequest(prompt="Same", seed=1), idempotency_key="k1", owner=LOCAL)
        again = engine.submit(VideoRequest(prompt="Same", seed=1), idempotency_key="k1", owner=LOCAL)
        assert again.id == first.id
        with pytest.raises(InputError, match="already used for a different request") as caught:
            engine.submit(VideoRequest(prompt="Other", seed=1), idempotency_key="k1", owner=LOCAL)
        assert caught.value.code == "idempotency_key_reused"
        engine.wait(first.id, timeout=30, owner=LOCAL)
        assert len(engine.list(owner=LOCAL).data) == 1
        with engine.store.database.begin() as connection:  # the key's 24 hours pass
            table = engine.store.table
            connection.execute(update(table).where(table.c.id == first.id).values(created_at=first.created_at - 90_000))
        assert engine.submit(VideoRequest(prompt="Other", seed=1), idempotency_key="k1", owner=LOCAL).id != first.id


def test_delete_stops_a_running_job_and_frees_its_worker(settings) -> None:
    settings = settings.model_copy(deep=True)
    settings.models["slow"] = settings.models["tiny"].model_copy(update={"delay": 0.3})
    TinyBackend.frames.clear()
    with Engine(settings) as engine:
        running = engine.submit(VideoRequest(prompt="first", model="slow", size="256x256"), owner=LOCAL)
        waiting = engine.submit(VideoRequest(prompt="second", model="slow", size="256x256"), owner=LOCAL)
        queued = engine.submit(VideoRequest(prompt="third", model="slow", size="256x256"), owner=LOCAL)
        deadline = time.monotonic() + 20
        while engine.get(running.id, owner=LOCAL).progress < 25 and time.monotonic() < deadline:
            time.sleep(0.02)
        frames_at_delete = TinyBackend.frames["first"]
        assert engine.delete(running.id, owner=LOCAL).deleted
        with pytest.raises(NotFoundError):
            engine.get(running.id, owner=LOCAL)
        assert engine.delete(queued.id, owner=LOCAL).deleted  # a queued job: never runs
        while engine.get(waiting.id, owner=LOCAL).status == "queued" and time.monotonic() < deadline:
            time.sleep(0.02)
        # the worker stopped the deleted job at its next frame and took the next job
        assert TinyBackend.frames["first"] <= frames_at_delete + 1 < 8
        assert engine.wait(waiting.id, timeout=30, owner=LOCAL).status == "completed"
        assert not engine.layout.output(running.id).exists()
        assert list(engine.layout.temp.iterdir()) == []
        path = engine.content_path(waiting.id, owner=LOCAL)
        engine.delete(waiting.id, owner=LOCAL)
        assert not path.exists()
        with pytest.raises(NotFoundError):
            engine.content_path(waiting.id, owner=LOCAL)
    assert [request.prompt for request in TinyBackend.calls] == ["first", "second"]


def test_failure_keeps_progress_and_sets_error(settings) -> None:
    with Engine(settings) as engine:
        video = engine.wait(
            engine.submit(VideoRequest(prompt="please explode"), owner=LOCAL).id, timeout=30, owner=LOCAL
        )
        assert video.status == "failed" and video.error.code == "backend_error"
        assert "explode" in video.error.message
        assert video.progress == 1 and video.completed_at is not None and video.expires_at is None
        with pytest.raises(NotFoundError, match="failed"):
            engine.content_path(video.id, owner=LOCAL)
        with pytest.raises(InputError, match="only a completed video can be remixed"):
            engine.remix(video.id, "try again", owner=LOCAL)


def test_remix_inherits_and_hands_the_backend_the_source(settings) -> None:
    with Engine(settings) as engine:
        source = engine.wait(
            engine.submit(VideoRequest(prompt="Base shot", size="1280x720", seconds="8"), owner=LOCAL).id, owner=LOCAL
        )
        remix = engine.wait(engine.remix(source.id, "Make it dusk", owner=LOCAL).id, timeout=30, owner=LOCAL)
        assert remix.remixed_from_video_id == source.id
        assert (remix.model, remix.size, remix.seconds, remix.prompt) == ("sora-2", "1280x720", "8", "Make it dusk")
        last = TinyBackend.calls[-1]
        assert last.remix is not None
        assert (last.remix.video_id, last.remix.prompt, last.remix.change) == (source.id, "Base shot", "Make it dusk")
        # The source clip itself travels with the request: video-to-video backends start from it.
        assert last.remix.video == engine.content_path(source.id, owner=LOCAL).read_bytes()
        assert last.seed == TinyBackend.calls[0].seed


def test_list_pages_in_both_orders(settings) -> None:
    with Engine(settings) as engine:
        ids = [engine.submit(VideoRequest(prompt=f"clip {index}"), owner=LOCAL).id for index in range(5)]
        page = engine.list(limit=2, order="asc", owner=LOCAL)
        assert [video.id for video in page.data] == ids[:2] and page.has_more
        page = engine.list(limit=2, order="asc", after=page.last_id, owner=LOCAL)
        assert [video.id for video in page.data] == ids[2:4]
        assert [video.id for video in engine.list(owner=LOCAL).data] == ids[::-1]
        with pytest.raises(ContractError, match="after"):
            engine.list(after="video_unknown", owner=LOCAL)
        with pytest.raises(ContractError, match="limit"):
            engine.list(limit=101, owner=LOCAL)
        for video_id in ids:
            engine.wait(video_id, timeout=30, owner=LOCAL)


def test_jobs_left_unfinished_by_a_crash_run_once_on_start(settings, database_url: str) -> None:
    settings.server.database_url = database_url  # on SQLite and on a real PostgreSQL server
    store = JobStore(settings.server.resolved_database_url)
    now = int(time.time())
    for index, status in enumerate(["queued", "in_progress", "in_progress"]):
        store.insert(
            Job(
                id=f"video_{index:048x}",
                model="sora-2",
                backend="previz",
                status=status,
                progress=40 * (status != "queued"),
                created_at=now,
                prompt=f"left {index}",
                size="720x1280",
                seconds="4",
                seed=index,
                resume_state={"upstream_id": "kept"} if index == 2 else {},
            )
        )
    store.close()
    with Engine(settings) as engine:
        videos = [engine.wait(f"video_{index:048x}", timeout=30, owner=LOCAL) for index in range(3)]
        assert [video.status for video in videos] == ["completed"] * 3
    assert sorted(request.prompt for request in TinyBackend.calls) == ["left 0", "left 1", "left 2"]
    assert [request.resume_state for request in TinyBackend.calls if request.prompt == "left 2"] == [
        {"upstream_id": "kept"}
    ]
    with Engine(settings) as engine:  # a second start has nothing left to run
        time.sleep(0.2)
    assert len(TinyBackend.calls) == 3
