"""The remote backend between two cinebrief servers: A forwards to B with the openai SDK."""

from __future__ import annotations

import re
import time
from pathlib import Path

import openai
import pytest

from cinebrief.settings import Settings
from server_harness import ServerProcess, ServerThread, free_port
from server_models import SMALL_MODEL, SMALL_SIZE, served_settings

UPSTREAM_KEY = "upstream-key"


def remote_config(path: Path, upstream_url: str, upstream_model: str = SMALL_MODEL) -> Path:
    path.write_text(
        f"""
[models.forwarded]
backend = "remote"
base_url = "{upstream_url}"
api_key = "{UPSTREAM_KEY}"
upstream_model = "{upstream_model}"
poll_interval_seconds = 0.1
"""
    )
    return path


def failing_upstream(folder: Path) -> Settings:
    """An upstream server's settings with a model, `unreachable`, that forwards to a closed port: it fails."""
    closed_port = free_port()
    unreachable = {"backend": "remote", "base_url": f"http://127.0.0.1:{closed_port}/v1", "max_retries": 0}
    return served_settings(folder, models={"unreachable": unreachable})


def test_restart_mid_job_resumes_polling_the_same_upstream_job(tmp_path: Path) -> None:
    upstream_settings = served_settings(tmp_path / "b", api_keys=[UPSTREAM_KEY], poll_after_ms=100)
    with ServerThread(upstream_settings) as upstream:
        b = openai.OpenAI(base_url=upstream.url, api_key=UPSTREAM_KEY, max_retries=0)
        config = remote_config(tmp_path / "a.toml", upstream.url)
        first = ServerProcess(tmp_path / "a", config=config).start()
        try:
            a = openai.OpenAI(base_url=first.url, api_key="any", max_retries=0)
            video = a.videos.create(prompt="Forwarded boat", model="forwarded", size=SMALL_SIZE, seconds="12")
            deadline = time.monotonic() + 60
            while not b.videos.list().data and time.monotonic() < deadline:
                time.sleep(0.05)
            (upstream_video,) = b.videos.list().data
        finally:
            first.kill()
        with ServerProcess(tmp_path / "a", config=config) as second:
            a = openai.OpenAI(base_url=second.url, api_key="any", max_retries=0)
            done = a.videos.poll(video.id, poll_interval_ms=100)
            assert done.status == "completed" and done.model == "forwarded"
            assert [item.id for item in b.videos.list()] == [upstream_video.id]  # no second, billable job
            for variant in ("video", "thumbnail", "spritesheet"):
                ours = a.videos.download_content(video.id, variant=variant).read()
                assert ours == b.videos.download_content(upstream_video.id, variant=variant).read()

            remix = a.videos.poll(a.videos.remix(video.id, prompt="Now at night").id, poll_interval_ms=100)
            assert remix.status == "completed" and remix.remixed_from_video_id == video.id
            upstream_remix = b.videos.list(limit=1).data[0]
            assert upstream_remix.remixed_from_video_id == upstream_video.id


def test_upstream_failures_become_failed_jobs_with_the_upstream_code(tmp_path: Path) -> None:
    with ServerThread(failing_upstream(tmp_path / "b")) as upstream:
        settings = served_settings(
            tmp_path / "a",
            models={
                "broken": {
                    "backend": "remote",
                    "base_url": upstream.url,
                    "upstream_model": "unreachable",
                    "poll_interval_seconds": 0.1,
                },
                "refused": {"backend": "remote", "base_url": upstream.url, "upstream_model": "sora-1-turbo"},
            },
        )
        with ServerThread(settings) as server:
            a = openai.OpenAI(base_url=server.url, api_key="any", max_retries=0)
            failed = a.videos.create_and_poll(prompt="Doomed", model="broken", size=SMALL_SIZE, poll_interval_ms=100)
            assert failed.status == "failed" and failed.error.code == "backend_error"
            assert "Cannot reach the upstream server" in failed.error.message
            refused = a.videos.create_and_poll(prompt="Refused", model="refused", size=SMALL_SIZE, poll_interval_ms=100)
            assert refused.status == "failed" and refused.error.code == "invalid_value"
            assert "sora-1-turbo" in refused.error.message


def test_generate_through_a_remote_backend_says_when_it_is_done_and_only_then(
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """remote reports no 1.0 (the upstream says completed); into a pipe the CLI still says the clip is done,
    and says nothing of the kind when the upstream fails."""
    with ServerThread(failing_upstream(tmp_path / "b")) as upstream:
        config = remote_config(tmp_path / "a.toml", upstream.url)
        config.write_text(
            config.read_text()
            + f'\n[models.broken]\nbackend = "remote"\nbase_url = "{upstream.url}"\napi_key = "{UPSTREAM_KEY}"\n'
            'upstream_model = "unreachable"\npoll_interval_seconds = 0.1\n'
        )
        monkeypatch.setenv("CINEBRIEF_CONFIG", str(config))
        monkeypatch.setenv("TTY_COMPATIBLE", "0")  # stderr is not a terminal
        done = cli("generate", "A boat.", "--model", "forwarded", "--size", SMALL_SIZE, "-o", tmp_path / "ok.mp4")
        assert done.exit_code == 0, done.stderr
        assert re.search(rf"^remote {SMALL_SIZE} 4s: done in \d+\.\d s$", done.stderr, re.MULTILINE)
        failed = cli("generate", "A boat.", "--model", "broken", "--size", SMALL_SIZE, "-o", tmp_path / "no.mp4")
        assert failed.exit_code != 0 and "done in" not in failed.stderr
        assert not (tmp_path / "no.mp4").exists()
