"""API keys are tenants, through the official SDK on a loopback server with two keys and an admin key.

Each key sees only its own videos, characters and Idempotency-Keys; another key's id is answered exactly
like a missing one. An admin key sees and acts on every key's rows. The queue is fair between keys, and a
key beyond `max_queued_per_key` unfinished jobs gets a 429 in OpenAI's envelope.
"""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import openai
import pytest
from openai import OpenAI
from openai.types import Video

from cinebrief.jobs.owners import owner_id
from cinebrief.settings import load_settings
from server_backend import TinyBackend, tiny_factory
from server_harness import ServerThread
from server_models import SMALL_MODEL, SMALL_SIZE, TWO_SHOT_BRIEF, served_settings

K1, K2, ADMIN = "sk-tenant-one", "sk-tenant-two", "sk-admin-key"
MISSING = "video_" + "0" * 48
NAME = "Pip the paper boat"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    data = tmp_path_factory.mktemp("tenants")
    settings = served_settings(data, api_keys=[K1, K2], admin_keys=[ADMIN], profile="extended")
    with ServerThread(settings) as running:
        yield running


def sdk(server: ServerThread, key: str) -> OpenAI:
    return OpenAI(base_url=server.url, api_key=key, max_retries=0)


@pytest.fixture(scope="module")
def k1_video(server: ServerThread) -> Video:
    return sdk(server, K1).videos.create_and_poll(
        prompt="A paper boat drifts down a gutter", model=SMALL_MODEL, size=SMALL_SIZE, seconds="4", poll_interval_ms=50
    )


def not_found(call) -> openai.NotFoundError:
    with pytest.raises(openai.NotFoundError) as caught:
        call()
    return caught.value


def test_another_keys_video_is_answered_like_a_missing_one(server: ServerThread, k1_video: Video) -> None:
    k1, k2 = sdk(server, K1), sdk(server, K2)
    done = k1_video.id
    # retrieve: the same message and code as an id that does not exist
    theirs, missing = not_found(lambda: k2.videos.retrieve(done)), not_found(lambda: k2.videos.retrieve(MISSING))
    assert theirs.message.replace(done, "ID") == missing.message.replace(MISSING, "ID")
    assert (theirs.code, theirs.param) == (missing.code, missing.param) == ("not_found", "video_id")
    for variant in ("video", "thumbnail", "spritesheet"):
        not_found(lambda variant=variant: k2.videos.download_content(done, variant=variant))
    not_found(lambda: k2.videos.remix(done, prompt="Same shot, at dusk"))
    not_found(lambda: k2.post("/videos/edits", body={"prompt": "In fog", "video": {"id": done}}, cast_to=Video))
    not_found(
        lambda: k2.post(
            "/videos/extensions", body={"prompt": "On", "seconds": "4", "video": {"id": done}}, cast_to=Video
        )
    )
    events = httpx.get(f"{server.url}/videos/{done}/events", headers={"authorization": f"Bearer {K2}"})
    assert events.status_code == 404 and events.json()["error"]["code"] == "not_found"
    not_found(lambda: k2.videos.delete(done))
    # list: k2 sees none of k1's videos, and k1's id is no cursor for k2's pages
    assert done not in {video.id for video in k2.videos.list(limit=100)}
    with pytest.raises(openai.BadRequestError) as cursor:
        k2.videos.list(after=done)
    assert cursor.value.param == "after"
    # k1 still has it, whole
    assert k1.videos.retrieve(done).status == "completed"
    assert k1.videos.download_content(done).read()[4:8] == b"ftyp"
    assert done in {video.id for video in k1.videos.list(limit=100)}


def test_pages_hold_only_the_keys_own_videos(server: ServerThread) -> None:
    k1, k2 = sdk(server, K1), sdk(server, K2)
    mine = [k2.videos.create(prompt=f"k2 boat {index}", model=SMALL_MODEL, size=SMALL_SIZE).id for index in range(3)]
    k1.videos.create(prompt="k1 boat in between", model=SMALL_MODEL, size=SMALL_SIZE)
    first = k2.videos.list(limit=2, order="asc")
    assert [video.id for video in first.data] == mine[:2] and first.has_more
    second = k2.videos.list(limit=2, order="asc", after=mine[1])
    assert [video.id for video in second.data] == mine[2:] and not second.has_more
    assert [video.id for video in k2.videos.list(limit=100, order="asc")] == mine


def test_idempotency_keys_are_per_key(server: ServerThread) -> None:
    k1, k2 = sdk(server, K1), sdk(server, K2)
    header = {"Idempotency-Key": "same-key-for-both"}
    first = k1.videos.create(prompt="k1's boat", model=SMALL_MODEL, size=SMALL_SIZE, extra_headers=header)
    # k2's create with the same key and another body is a new video, not a 400 naming k1's video
    theirs = k2.videos.create(prompt="k2's boat", model=SMALL_MODEL, size=SMALL_SIZE, extra_headers=header)
    assert theirs.id != first.id and theirs.prompt == "k2's boat"
    # the same key and body from k2 is a new video too, then k2's replay
    same = k2.videos.create(
        prompt="k1's boat", model=SMALL_MODEL, size=SMALL_SIZE, extra_headers={"Idempotency-Key": "k1-only"}
    )
    assert (
        k1.videos.create(
            prompt="k1's boat", model=SMALL_MODEL, size=SMALL_SIZE, extra_headers={"Idempotency-Key": "k1-only"}
        ).id
        != same.id
    )
    assert (
        k2.videos.create(prompt="k2's boat", model=SMALL_MODEL, size=SMALL_SIZE, extra_headers=header).id == theirs.id
    )
    assert k1.videos.create(prompt="k1's boat", model=SMALL_MODEL, size=SMALL_SIZE, extra_headers=header).id == first.id
    with pytest.raises(openai.BadRequestError) as reused:
        k1.videos.create(prompt="another boat", model=SMALL_MODEL, size=SMALL_SIZE, extra_headers=header)
    assert first.id in reused.value.message and theirs.id not in reused.value.message


def test_characters_are_per_key(server: ServerThread, k1_video: Video, tmp_path: Path) -> None:
    k1, k2, admin = sdk(server, K1), sdk(server, K2), sdk(server, ADMIN)
    clip = tmp_path / "pip.mp4"
    clip.write_bytes(k1.videos.download_content(k1_video.id).read())
    made = k1.videos.create_character(name=NAME, video=clip, extra_headers={"Idempotency-Key": "pip"})
    assert k1.videos.get_character(made.id).name == NAME
    assert admin.videos.get_character(made.id).name == NAME
    assert not_found(lambda: k2.videos.get_character(made.id)).param == "character_id"
    # k2 may not reference k1's character, and k2's Idempotency-Key "pip" is its own
    with pytest.raises(openai.BadRequestError) as referenced:
        k2.videos.create(prompt=NAME, model=SMALL_MODEL, size=SMALL_SIZE, extra_body={"characters": [{"id": made.id}]})
    assert referenced.value.param == "characters[0][id]"
    other = k2.videos.create_character(name="Pip two", video=clip, extra_headers={"Idempotency-Key": "pip"})
    assert other.id != made.id


def test_an_admin_key_sees_and_acts_on_every_keys_videos(server: ServerThread, k1_video: Video) -> None:
    k1, k2, admin = sdk(server, K1), sdk(server, K2), sdk(server, ADMIN)
    k2_video = k2.videos.create(prompt="k2's queued boat", model=SMALL_MODEL, size=SMALL_SIZE)
    everyone = {video.id for video in admin.videos.list(limit=100)}
    assert {k1_video.id, k2_video.id} <= everyone
    assert admin.videos.retrieve(k1_video.id).id == k1_video.id
    assert admin.videos.download_content(k1_video.id, variant="thumbnail").read()
    remix = admin.videos.remix(k1_video.id, prompt="Same shot, at dusk")
    assert remix.remixed_from_video_id == k1_video.id
    # what the admin makes is the admin's: k1 does not see the remix of its video
    not_found(lambda: k1.videos.retrieve(remix.id))
    assert admin.videos.delete(k2_video.id).deleted
    not_found(lambda: k2.videos.retrieve(k2_video.id))
    # a tenant key is no admin: k2 still cannot see k1's video
    not_found(lambda: k2.videos.retrieve(k1_video.id))


def test_each_key_has_its_own_studio_briefs_and_runs(server: ServerThread) -> None:
    """A key's stored briefs and runs are its own, and a run's takes are that key's videos."""
    root = server.url.removesuffix("/v1")
    k1, k2, admin = (
        httpx.Client(base_url=root, headers={"authorization": f"Bearer {key}"}, timeout=30) for key in (K1, K2, ADMIN)
    )
    with k1, k2, admin:
        brief = k1.post("/studio/v1/briefs", json={"name": "Night crossing", "text": TWO_SHOT_BRIEF}).json()
        started = k1.post("/studio/v1/runs", json={"brief_id": brief["id"], "shots": ["arrival"]})
        assert started.status_code == 200, started.text
        run_id = started.json()["id"]
        deadline = time.monotonic() + 120  # a bound for a stuck run, not a speed expectation
        while (state := k1.get(f"/studio/v1/runs/{run_id}").json())["status"] == "running":
            assert time.monotonic() < deadline, state
            time.sleep(0.2)
        assert state["status"] == "completed", state
        take = state["shots"][0]["takes"][0]["job_id"]

        assert [b["id"] for b in k1.get("/studio/v1/briefs").json()["data"]] == [brief["id"]]
        for other in (k2, admin):  # the admin sees every key's videos, but its briefs and runs are its own
            assert other.get("/studio/v1/briefs").json()["data"] == []
            assert other.get("/studio/v1/runs").json()["data"] == []
            assert other.get(f"/studio/v1/briefs/{brief['id']}").status_code == 404
            assert other.get(f"/studio/v1/runs/{run_id}").status_code == 404
            refused = other.post("/studio/v1/runs", json={"brief_id": brief["id"]})
            assert refused.status_code == 404
        # the take is k1's video: k1 downloads it through /v1, k2 gets the 404 of a missing id
        assert sdk(server, K1).videos.retrieve(take).status == "completed"
        not_found(lambda: sdk(server, K2).videos.retrieve(take))
        assert sdk(server, ADMIN).videos.retrieve(take).id == take
        # the editor's stateless helpers work with any key
        linted = k2.post("/studio/v1/lint", json={"text": "shots:\n  - id: a\n    scene: A street.\n"})
        assert linted.status_code == 200


@pytest.fixture
def queue_server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """One slow worker (the tiny backend, a thread), and at most 4 unfinished jobs per key."""
    monkeypatch.setattr("cinebrief.jobs.pool.create_backend", tiny_factory)
    TinyBackend.calls.clear()
    settings = load_settings(
        environ={},
        overrides={
            "server": {"data_dir": str(tmp_path / "data"), "api_keys": [K1, K2], "max_queued_per_key": 4},
            "models": {"slow": {"backend": "tiny", "delay": 0.1}},
            "backends": {"tiny": {"isolation": "thread", "concurrency": 1}},
        },
    )
    with ServerThread(settings) as running:
        yield running


def test_the_queue_is_fair_between_keys_and_limited_per_key(queue_server: ServerThread) -> None:
    k1, k2 = sdk(queue_server, K1), sdk(queue_server, K2)
    k1_jobs = [k1.videos.create(prompt=f"k1 job {index}", model="slow", size="16x16").id for index in range(4)]
    with pytest.raises(openai.RateLimitError) as limited:
        k1.videos.create(prompt="k1 job 4", model="slow", size="16x16")
    error = limited.value
    assert error.status_code == 429 and error.code == "too_many_queued_jobs" and error.param is None
    assert "at most 4" in error.message and "max_queued_per_key" in error.message
    assert isinstance(error.body, dict) and set(error.body) == {"message", "type", "param", "code"}
    assert error.body["type"] == "requests" and error.body["message"] in error.message
    # k2 has a queue of its own, and its one job does not wait behind k1's four
    k2_job = k2.videos.create(prompt="k2 job", model="slow", size="16x16").id
    for video_id, client in [*((job, k1) for job in k1_jobs), (k2_job, k2)]:
        assert client.videos.poll(video_id, poll_interval_ms=50).status == "completed"
    order = [call.prompt for call in TinyBackend.calls]
    assert sorted(order) == sorted([f"k1 job {index}" for index in range(4)] + ["k2 job"])
    assert order.index("k2 job") <= 2, order  # oldest-first would run it last (index 4)
    # once k1's jobs are done, k1 may queue again; remixes, edits and extensions count against the same limit
    for index in range(5, 9):
        assert k1.videos.create(prompt=f"k1 job {index}", model="slow", size="16x16").status == "queued"
    source = {"video": {"id": k1_jobs[0]}}
    for refused in (
        lambda: k1.videos.remix(k1_jobs[0], prompt="Same shot, at dusk"),
        lambda: k1.post("/videos/edits", body={"prompt": "In fog", **source}, cast_to=Video),
        lambda: k1.post("/videos/extensions", body={"prompt": "On", "seconds": "4", **source}, cast_to=Video),
    ):
        with pytest.raises(openai.RateLimitError):
            refused()


def test_owner_ids_are_stable_and_not_the_key() -> None:
    assert owner_id(K1) == owner_id(K1) != owner_id(K2)
    assert K1 not in owner_id(K1) and owner_id(K1).startswith("key_") and len(owner_id(K1)) == 20


def test_admin_keys_alone_turn_authentication_on(tmp_path: Path) -> None:
    with ServerThread(served_settings(tmp_path / "data", admin_keys=[ADMIN])) as running:
        assert httpx.get(f"{running.url}/videos").status_code == 401
        answer = httpx.get(f"{running.url}/videos", headers={"authorization": f"Bearer {ADMIN}"})
        assert answer.status_code == 200
