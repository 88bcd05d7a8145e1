"""The 2026 additions of the Videos API (edits, extensions, characters) through the official SDK, sync and async.

SDK 3.54.0 rejects `video={"id": ...}` locally (contract §14.5), so edits and extensions by id use the
documented workarounds: `extra_body` (sent as multipart bracket keys) or the low-level `client.post` (JSON).
"""

from __future__ import annotations

import asyncio
import io
from pathlib import Path

import av
import numpy as np
import openai
import pytest
from openai import AsyncOpenAI, OpenAI
from openai.types import Video
from sqlalchemy import update

from cinebrief.jobs.owners import LOCAL
from server_harness import ServerThread
from server_models import SMALL_MODEL, SMALL_SIZE, served_settings

KEY = "test-key"
FPS = 24
NAME = "Pip the paper boat"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    settings = served_settings(tmp_path_factory.mktemp("server2026"), api_keys=[KEY], profile="extended")
    with ServerThread(settings) as running:
        yield running


@pytest.fixture
def client(server: ServerThread) -> OpenAI:
    return OpenAI(base_url=server.url, api_key=KEY, max_retries=0)


@pytest.fixture(scope="module")
def source(server: ServerThread) -> Video:
    client = OpenAI(base_url=server.url, api_key=KEY, max_retries=0)
    return client.videos.create_and_poll(
        prompt="A paper boat drifts down a gutter", model=SMALL_MODEL, size=SMALL_SIZE, seconds="4", poll_interval_ms=50
    )


@pytest.fixture(scope="module")
def source_mp4(server: ServerThread, source: Video) -> bytes:
    client = OpenAI(base_url=server.url, api_key=KEY, max_retries=0)
    return client.videos.download_content(source.id).read()


def by_id(video: Video) -> dict:
    return {"video": {"id": video.id}}


def frames_of(data: bytes) -> list[np.ndarray]:
    with av.open(io.BytesIO(data)) as container:
        return [frame.to_ndarray(format="rgb24") for frame in container.decode(video=0)]


def streams_of(data: bytes) -> tuple[float, float, float]:
    """Frame rate, and the video and audio durations in seconds."""
    with av.open(io.BytesIO(data)) as container:
        video, audio = container.streams.video[0], container.streams.audio[0]
        ends = {"video": 0.0, "audio": 0.0}
        for packet in container.demux(video, audio):
            if packet.pts is not None:
                end = float((packet.pts + (packet.duration or 0)) * packet.time_base)
                ends[packet.stream.type] = max(ends[packet.stream.type], end)
        return float(video.average_rate), ends["video"], ends["audio"]


def encoded(seconds: int, codec: str = "libx264") -> bytes:
    """A plain grey MP4 at the small size, made here with PyAV (no audio)."""
    width, height = (int(side) for side in SMALL_SIZE.split("x"))
    buffer = io.BytesIO()
    with av.open(buffer, mode="w", format="mp4") as container:
        stream = container.add_stream(codec, rate=FPS)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        if codec == "libx264":
            stream.options = {"preset": "ultrafast"}
        frame = av.VideoFrame.from_ndarray(np.full((height, width, 3), 128, np.uint8), format="rgb24")
        for _ in range(seconds * FPS):
            container.mux(stream.encode(frame))
        container.mux(stream.encode(None))
    return buffer.getvalue()


def close(a: np.ndarray, b: np.ndarray) -> bool:
    return float(np.abs(a.astype(np.int16) - b.astype(np.int16)).mean()) < 8


def test_edit_by_id_shares_the_remix_path(client: OpenAI, source: Video) -> None:
    with pytest.raises(RuntimeError, match="Expected entry at `video`"):
        client.videos.edit(prompt="Same shot, at dusk", video={"id": source.id})  # the SDK bug of §14.5
    multipart = client.videos.edit(prompt="Same shot, at dusk", video=openai.NOT_GIVEN, extra_body=by_id(source))
    json_body = client.post("/videos/edits", body={"prompt": "Same shot, in fog", **by_id(source)}, cast_to=Video)
    for created in (multipart, json_body):
        assert created.remixed_from_video_id == source.id and created.status in ("queued", "in_progress")
        done = client.videos.poll(created.id, poll_interval_ms=50)
        assert (done.status, done.model, done.size, done.seconds) == ("completed", SMALL_MODEL, SMALL_SIZE, "4")
    key = {"Idempotency-Key": "edit-once"}
    first = client.post("/videos/edits", body={"prompt": "Once", **by_id(source)}, cast_to=Video, options=key_opts(key))
    again = client.post("/videos/edits", body={"prompt": "Once", **by_id(source)}, cast_to=Video, options=key_opts(key))
    assert first.id == again.id
    raw = client.videos.with_raw_response.edit(prompt="Raw", video=openai.NOT_GIVEN, extra_body=by_id(source))
    assert raw.headers["x-request-id"].startswith("req_")
    client.videos.poll(first.id, poll_interval_ms=50)
    client.videos.poll(raw.parse().id, poll_interval_ms=50)


def key_opts(headers: dict[str, str]) -> dict:
    return {"headers": headers}


def test_edit_an_uploaded_mp4_starts_from_its_first_frame(client: OpenAI, source_mp4: bytes) -> None:
    small = {"model": SMALL_MODEL}
    created = client.videos.edit(
        prompt="The boat turns red", video=("boat.mp4", source_mp4, "video/mp4"), extra_body=small
    )
    assert created.remixed_from_video_id is None
    done = client.videos.poll(created.id, poll_interval_ms=50)
    assert (done.status, done.size, done.seconds) == ("completed", SMALL_SIZE, "4")
    edited = frames_of(client.videos.download_content(done.id).read())
    assert close(edited[0], frames_of(source_mp4)[0])
    with pytest.raises(openai.BadRequestError) as caught:
        client.videos.edit(prompt="x", video=("notes.mp4", b"not a video at all", "video/mp4"))
    assert caught.value.param == "video" and "not an MP4" in caught.value.message
    with pytest.raises(openai.BadRequestError) as caught:
        client.videos.edit(prompt="x", video=("mpeg4.mp4", encoded(1, "mpeg4"), "video/mp4"), extra_body=small)
    assert caught.value.param == "video" and "only H.264" in caught.value.message
    with pytest.raises(openai.BadRequestError) as caught:  # sora-2 serves 720p, not the upload's 256x144
        client.videos.edit(prompt="x", video=("boat.mp4", source_mp4, "video/mp4"))
    assert caught.value.param == "video" and SMALL_SIZE in caught.value.message and "sora-2" in caught.value.message
    with pytest.raises(openai.BadRequestError) as caught:
        client.videos.edit(prompt="x", video=openai.NOT_GIVEN, extra_body={"video": {"id": "v", "model": "m"}})
    assert (caught.value.param, caught.value.code) == ("video[model]", "unknown_parameter")


def test_extend_by_id_stitches_source_and_new_clip(
    client: OpenAI, server: ServerThread, source: Video, source_mp4: bytes
) -> None:
    created = client.videos.extend(
        prompt="The boat reaches the drain", seconds="4", video=openai.NOT_GIVEN, extra_body=by_id(source)
    )
    assert created.remixed_from_video_id == source.id and created.seconds == "8"
    done = client.videos.poll(created.id, poll_interval_ms=50)
    assert (done.status, done.model, done.size, done.seconds) == ("completed", SMALL_MODEL, SMALL_SIZE, "8")
    data = client.videos.download_content(done.id).read()
    fps, video_seconds, audio_seconds = streams_of(data)
    frames, original = frames_of(data), frames_of(source_mp4)
    assert fps == FPS and len(original) == 4 * FPS and len(frames) == len(original) + 4 * FPS
    assert video_seconds == pytest.approx(8.0, abs=1 / FPS) and audio_seconds == pytest.approx(8.0, abs=0.05)
    assert all(close(a, b) for a, b in zip(frames[:: FPS // 2][:8], original[:: FPS // 2], strict=True))
    assert close(frames[len(original)], original[-1])  # the new clip starts from the source's last frame
    assert server.app.state.engine.job(done.id, owner=LOCAL).result_metadata["extension"]["stitch"] == "copy"
    json_body = client.post(
        "/videos/extensions", body={"prompt": "Further", "seconds": "4", **by_id(done)}, cast_to=Video
    )
    assert (json_body.seconds, json_body.remixed_from_video_id) == ("12", done.id)
    assert client.videos.poll(json_body.id, poll_interval_ms=50).status == "completed"


def test_extend_an_upload(client: OpenAI, source_mp4: bytes) -> None:
    created = client.videos.extend(
        prompt="More drifting",
        seconds="4",
        video=("boat.mp4", source_mp4, "video/mp4"),
        extra_body={"model": SMALL_MODEL},
    )
    assert (created.seconds, created.remixed_from_video_id) == ("8", None)
    done = client.videos.poll(created.id, poll_interval_ms=50)
    assert len(frames_of(client.videos.download_content(done.id).read())) == 8 * FPS
    key, again = {"Idempotency-Key": "extend-once"}, {"video": {"id": done.id}}
    once = client.videos.extend(prompt="Once", seconds="4", video=openai.NOT_GIVEN, extra_body=again, extra_headers=key)
    twice = client.videos.extend(
        prompt="Once", seconds="4", video=openai.NOT_GIVEN, extra_body=again, extra_headers=key
    )
    assert once.id == twice.id and once.seconds == "12"
    client.videos.poll(once.id, poll_interval_ms=50)
    with pytest.raises(openai.BadRequestError) as caught:  # 117 s + 4 s is over the 120 s an extended video may last
        client.videos.extend(
            prompt="x", seconds="4", video=("long.mp4", encoded(117), "video/mp4"), extra_body={"model": SMALL_MODEL}
        )
    assert caught.value.param == "seconds" and "at most 120 s" in caught.value.message


def test_characters(client: OpenAI, server: ServerThread, source_mp4: bytes, tmp_path: Path) -> None:
    clip = tmp_path / "pip.mp4"
    clip.write_bytes(source_mp4)
    made = client.videos.create_character(name=NAME, video=clip)
    assert made.id and made.id.startswith("char_") and made.name == NAME and made.created_at > 0
    got = client.videos.get_character(made.id)
    assert (got.id, got.name, got.created_at) == (made.id, NAME, made.created_at)
    with pytest.raises(openai.NotFoundError) as missing:
        client.videos.get_character("char_" + "0" * 48)
    assert missing.value.param == "character_id"
    key = {"Idempotency-Key": "pip-once"}
    once = client.videos.create_character(name="Pip once", video=clip, extra_headers=key)
    assert client.videos.create_character(name="Pip once", video=clip, extra_headers=key).id == once.id
    with pytest.raises(openai.BadRequestError, match="already used for a different request"):
        client.videos.create_character(name="Pip twice", video=clip, extra_headers=key)
    characters = server.app.state.engine.characters
    with characters.database.begin() as connection:  # the key's 24 hours pass, as they do for video keys
        table = characters.table
        connection.execute(update(table).where(table.c.id == once.id).values(created_at=once.created_at - 25 * 3600))
    assert client.videos.create_character(name="Pip twice", video=clip, extra_headers=key).id != once.id

    video = client.videos.create(
        prompt=f"{NAME} sails past a drain",
        model=SMALL_MODEL,
        size=SMALL_SIZE,
        extra_body={"characters": [{"id": made.id}]},
    )
    assert client.videos.poll(video.id, poll_interval_ms=50).status == "completed"
    assert server.app.state.engine.job(video.id, owner=LOCAL).character_ids == [made.id]
    with pytest.raises(openai.BadRequestError) as caught:
        client.videos.create(
            prompt="A boat sails", model=SMALL_MODEL, size=SMALL_SIZE, extra_body={"characters": [{"id": made.id}]}
        )
    assert caught.value.param == "prompt" and NAME in caught.value.message
    with pytest.raises(openai.BadRequestError) as caught:
        client.videos.create(prompt=NAME, extra_body={"characters": [{"id": made.id}] * 3})
    assert caught.value.param == "characters" and "at most 2" in caught.value.message
    with pytest.raises(openai.BadRequestError) as caught:
        client.videos.create(prompt=NAME, extra_body={"characters": [{"id": "char_nope"}]})
    assert caught.value.param == "characters[0][id]"
    with pytest.raises(openai.BadRequestError) as caught:
        client.videos.create_character(name="x" * 81, video=clip)
    assert caught.value.param == "name"
    with pytest.raises(openai.BadRequestError) as caught:
        client.videos.create_character(name="Long", video=("long.mp4", long_clip(client, source_mp4), "video/mp4"))
    assert caught.value.param == "video" and "2 to 4 seconds" in caught.value.message


def long_clip(client: OpenAI, source_mp4: bytes) -> bytes:
    done = client.videos.create_and_poll(
        prompt="A long drift", model=SMALL_MODEL, size=SMALL_SIZE, seconds="8", poll_interval_ms=50
    )
    return client.videos.download_content(done.id).read()


def test_characters_need_the_extended_profile(tmp_path: Path) -> None:
    with ServerThread(served_settings(tmp_path)) as standard:
        client = OpenAI(base_url=standard.url, api_key=KEY, max_retries=0)
        with pytest.raises(openai.BadRequestError) as caught:
            client.videos.create(prompt=NAME, extra_body={"characters": [{"id": "char_x"}]})
        assert caught.value.param == "characters"
        assert "'standard' profile" in caught.value.message and "extended" in caught.value.message


def test_errors(client: OpenAI, source: Video) -> None:
    unknown = {"video": {"id": "video_" + "0" * 48}}
    with pytest.raises(openai.NotFoundError):
        client.videos.edit(prompt="x", video=openai.NOT_GIVEN, extra_body=unknown)
    with pytest.raises(openai.NotFoundError):
        client.videos.extend(prompt="x", seconds="4", video=openai.NOT_GIVEN, extra_body=unknown)
    running = client.videos.create(prompt="Long one", model=SMALL_MODEL, size=SMALL_SIZE, seconds="12")
    for call in (
        lambda: client.videos.edit(prompt="x", video=openai.NOT_GIVEN, extra_body=by_id(running)),
        lambda: client.videos.extend(prompt="x", seconds="4", video=openai.NOT_GIVEN, extra_body=by_id(running)),
    ):
        with pytest.raises(openai.ConflictError) as conflict:
            call()
        assert conflict.value.response.headers["x-should-retry"] == "false"
    with pytest.raises(openai.BadRequestError) as caught:
        client.videos.extend(prompt="x", seconds="5", video=openai.NOT_GIVEN, extra_body=by_id(source))  # type: ignore[arg-type]
    assert (caught.value.param, caught.value.code) == ("seconds", "invalid_value")
    with pytest.raises(openai.BadRequestError) as caught:
        client.post("/videos/extensions", body={"prompt": "x", "seconds": 4, **by_id(source)}, cast_to=Video)
    assert (caught.value.param, caught.value.code) == ("seconds", "invalid_type")
    with pytest.raises(openai.BadRequestError) as caught:
        client.post("/videos/extensions", body={"prompt": "x", **by_id(source)}, cast_to=Video)
    assert (caught.value.param, caught.value.code) == ("seconds", "missing_required_parameter")
    with pytest.raises(openai.BadRequestError) as caught:
        client.post("/videos/edits", body={"prompt": "x", "video": source.id}, cast_to=Video)
    assert (caught.value.param, caught.value.code) == ("video", "invalid_type")
    with pytest.raises(openai.BadRequestError) as caught:
        client.post("/videos/edits", body={"prompt": "x", "model": SMALL_MODEL, **by_id(source)}, cast_to=Video)
    assert caught.value.param == "model"
    client.videos.poll(running.id, poll_interval_ms=50)


def test_async_sdk(server: ServerThread, source: Video, source_mp4: bytes) -> None:
    async def scenario() -> None:
        client = AsyncOpenAI(base_url=server.url, api_key=KEY, max_retries=0)
        edit = await client.videos.edit(prompt="Async dusk", video=openai.NOT_GIVEN, extra_body=by_id(source))
        posted = await client.post("/videos/edits", body={"prompt": "Async fog", **by_id(source)}, cast_to=Video)
        upload = await client.videos.edit(
            prompt="Async upload", video=("boat.mp4", source_mp4, "video/mp4"), extra_body={"model": SMALL_MODEL}
        )
        extended = await client.videos.extend(
            prompt="Async more", seconds="4", video=openai.NOT_GIVEN, extra_body=by_id(source)
        )
        for created in (edit, posted, upload, extended):
            done = await client.videos.poll(created.id, poll_interval_ms=50)
            assert done.status == "completed"
        assert (await client.videos.retrieve(extended.id)).seconds == "8"
        made = await client.videos.create_character(name="Async Pip", video=("pip.mp4", source_mp4, "video/mp4"))
        assert (await client.videos.get_character(made.id or "")).name == "Async Pip"
        with pytest.raises(openai.NotFoundError):
            await client.videos.get_character("char_missing")
        await client.close()

    asyncio.run(scenario())
