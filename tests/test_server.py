"""The /v1/videos server on a loopback port, driven by the official openai SDK (sync and async)."""

from __future__ import annotations

import asyncio
import base64
import io
import json
from pathlib import Path

import av
import httpx
import openai
import pytest
from openai import AsyncOpenAI, OpenAI
from openai.types import Video
from PIL import Image

from cinebrief.contract.video import VIDEO_KEYS
from server_harness import ServerThread
from server_models import SMALL_MODEL, SMALL_SIZE, served_settings

KEY = "test-key"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    settings = served_settings(
        tmp_path_factory.mktemp("server"), api_keys=[KEY], max_request_bytes=2 * 1024 * 1024, poll_after_ms=100
    )
    with ServerThread(settings) as running:
        yield running


@pytest.fixture
def client(server: ServerThread) -> OpenAI:
    return OpenAI(base_url=server.url, api_key=KEY, max_retries=0)


def create(client: OpenAI, prompt: str = "A paper boat drifts down a gutter", **extra) -> Video:
    return client.videos.create_and_poll(prompt=prompt, model=SMALL_MODEL, size=SMALL_SIZE, seconds="4", **extra)


def png(size: tuple[int, int], colour=(200, 30, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, format="PNG")
    return buffer.getvalue()


def test_sync_sdk_lifecycle(client: OpenAI, tmp_path: Path) -> None:
    video = create(client)
    assert video.status == "completed" and video.progress == 100 and video.error is None
    assert video.id.startswith("video_") and len(video.id) == len("video_") + 48
    assert video.expires_at == video.completed_at + 3600
    raw = client.videos.with_raw_response.retrieve(video.id)
    assert set(json.loads(raw.text)) == set(VIDEO_KEYS)
    assert raw.headers["x-request-id"].startswith("req_") and "openai-poll-after-ms" not in raw.headers
    for variant, name in (("video", "clip.mp4"), ("thumbnail", "thumb.webp"), ("spritesheet", "sheet.jpg")):
        client.videos.download_content(video.id, variant=variant).write_to_file(tmp_path / name)
    with av.open(str(tmp_path / "clip.mp4")) as container:
        frames = sum(1 for _ in container.decode(video=0))
        assert container.streams.video[0].codec_context.name == "h264"
    assert frames > 0
    assert Image.open(tmp_path / "thumb.webp").format == "WEBP"
    assert Image.open(tmp_path / "sheet.jpg").format == "JPEG"

    remix = client.videos.remix(video.id, prompt="Same shot, but at dusk")
    assert remix.remixed_from_video_id == video.id and remix.status in ("queued", "in_progress")
    remix = client.videos.poll(remix.id)
    assert (remix.status, remix.model, remix.size, remix.seconds) == ("completed", video.model, video.size, "4")

    assert client.videos.delete(remix.id).deleted
    with pytest.raises(openai.NotFoundError):
        client.videos.retrieve(remix.id)
    with pytest.raises(openai.NotFoundError):
        client.videos.download_content(remix.id)


def test_async_sdk_lifecycle(server: ServerThread, tmp_path: Path) -> None:
    async def scenario() -> None:
        client = AsyncOpenAI(base_url=server.url, api_key=KEY, max_retries=0)
        created = await client.videos.create(prompt="Async boat", model=SMALL_MODEL, size=SMALL_SIZE)
        video = await client.videos.poll(created.id)
        assert video.status == "completed"
        assert (await client.videos.retrieve(video.id)).id == video.id
        ids = [item.id async for item in client.videos.list(limit=1)]
        assert video.id in ids
        content = await client.videos.download_content(video.id, variant="thumbnail")
        assert Image.open(io.BytesIO(content.read())).format == "WEBP"
        remix = await client.videos.create_and_poll(prompt="Async again", model=SMALL_MODEL, size=SMALL_SIZE)
        remixed = await client.videos.remix(remix.id, prompt="Now in fog")
        assert (await client.videos.poll(remixed.id)).remixed_from_video_id == remix.id
        for video_id in (video.id, remix.id, remixed.id):
            assert (await client.videos.delete(video_id)).deleted
        with pytest.raises(openai.NotFoundError):
            await client.videos.retrieve(video.id)
        await client.close()

    asyncio.run(scenario())


def test_list_pages_iterate_in_order(client: OpenAI) -> None:
    made = [client.videos.create(prompt=f"Page clip {index}", model=SMALL_MODEL, size=SMALL_SIZE) for index in range(5)]
    page = client.videos.list(limit=2)
    assert len(page.data) == 2 and page.has_more
    newest_first = [video.id for video in client.videos.list(limit=2)]  # follows every page
    assert [video_id for video_id in newest_first if video_id in {v.id for v in made}] == [v.id for v in made][::-1]
    oldest_first = [video.id for video in client.videos.list(limit=3, order="asc")]
    assert oldest_first == newest_first[::-1]
    for video in made:
        client.videos.poll(video.id)


def test_bad_input_raises_typed_errors(client: OpenAI, server: ServerThread) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        client.post("/videos", body={"prompt": "x", "seconds": 8}, cast_to=Video)
    assert (caught.value.param, caught.value.code) == ("seconds", "invalid_type")
    assert "expected one of '4', '8', or '12', but got an integer" in caught.value.message
    with pytest.raises(openai.BadRequestError) as caught:
        client.videos.create(prompt="x", size="1920x1080")
    assert caught.value.param == "size"
    with pytest.raises(openai.BadRequestError) as caught:
        client.videos.create(prompt="x", model="sora-1-turbo")
    assert caught.value.param == "model" and "'sora-2'" in caught.value.message and SMALL_MODEL in caught.value.message
    with pytest.raises(openai.BadRequestError) as caught:
        client.videos.create(prompt="x", extra_body={"width": 5})
    assert (caught.value.param, caught.value.code) == ("width", "unknown_parameter")
    with pytest.raises(openai.BadRequestError) as caught:
        client.videos.create(prompt="x", size="1280x720", input_reference=("ref.png", png((64, 64)), "image/png"))
    assert caught.value.param == "input_reference"
    assert "must match the requested width and height" in caught.value.message
    with pytest.raises(openai.BadRequestError) as caught:
        client.videos.create(prompt="x", extra_body={"input_reference": {"image_url": "https://example.com/a.png"}})
    assert caught.value.code == "unsupported_url" and "does not fetch remote URLs" in caught.value.message
    with pytest.raises(openai.BadRequestError) as caught:
        client.post("/videos", body={"prompt": "x", "input_reference": "data:,"}, cast_to=Video)
    assert "expected an object, but got a string" in caught.value.message
    with pytest.raises(openai.BadRequestError) as caught:
        client.videos.list(after="video_nope")
    assert caught.value.param == "after"
    with pytest.raises(openai.NotFoundError):
        client.videos.retrieve("video_" + "0" * 48)
    with pytest.raises(openai.AuthenticationError) as caught:
        OpenAI(base_url=server.url, api_key="wrong-key", max_retries=0).videos.list()
    assert caught.value.code == "invalid_api_key"


def test_json_create_with_a_data_url_reference(client: OpenAI) -> None:
    width, height = (int(side) for side in SMALL_SIZE.split("x"))
    url = "data:image/png;base64," + base64.b64encode(png((width, height), (10, 200, 40))).decode()
    body = {
        "prompt": "Start from this frame",
        "model": SMALL_MODEL,
        "size": SMALL_SIZE,
        "input_reference": {"image_url": url},
    }
    created = client.post("/videos", body=body, cast_to=Video)
    assert client.videos.poll(created.id).status == "completed"
    multipart = client.videos.create(
        prompt="Same, as a file", model=SMALL_MODEL, size=SMALL_SIZE, extra_body={"input_reference": {"image_url": url}}
    )
    assert client.videos.poll(multipart.id).status == "completed"


def test_http_details(client: OpenAI, server: ServerThread) -> None:
    headers = {"authorization": f"Bearer {KEY}"}
    created = client.videos.with_raw_response.create(prompt="Headers", model=SMALL_MODEL, size=SMALL_SIZE, seconds="12")
    video = created.parse()
    retrieved = client.videos.with_raw_response.retrieve(video.id)
    assert retrieved.parse().status in ("queued", "in_progress")
    assert retrieved.headers["openai-poll-after-ms"] == "100"
    conflict = httpx.get(f"{server.url}/videos/{video.id}/content", headers=headers)
    assert conflict.status_code == 409 and conflict.headers["x-should-retry"] == "false"
    events = httpx.get(f"{server.url}/videos/{video.id}/events", headers=headers, timeout=60).text
    kinds = [line.split(": ", 1)[1] for line in events.splitlines() if line.startswith("event: ")]
    last = json.loads([line for line in events.splitlines() if line.startswith("data: ")][-1][6:])
    assert kinds[-1] == "status" and last["status"] == "completed" and last["progress"] == 100
    ranged = httpx.get(f"{server.url}/videos/{video.id}/content", headers={**headers, "range": "bytes=0-99"})
    assert ranged.status_code == 206 and len(ranged.content) == 100 and ranged.headers["content-type"] == "video/mp4"
    for response in (
        httpx.get(f"{server.url}/nowhere", headers=headers),
        httpx.put(f"{server.url}/videos", headers=headers),
        httpx.get(f"{server.url}/videos"),
    ):
        assert response.status_code in (401, 404, 405)
        assert set(response.json()["error"]) == {"message", "type", "param", "code"}
        assert response.headers["x-request-id"].startswith("req_")
    too_big = httpx.post(f"{server.url}/videos", headers=headers, content=b"x" * (3 * 1024 * 1024))
    assert too_big.status_code == 413 and too_big.json()["error"]["code"] == "request_too_large"
    key = {"Idempotency-Key": "same-request"}
    first = client.videos.create(prompt="Once", model=SMALL_MODEL, size=SMALL_SIZE, extra_headers=key)
    second = client.videos.create(prompt="Once", model=SMALL_MODEL, size=SMALL_SIZE, extra_headers=key)
    assert first.id == second.id
    client.videos.poll(first.id)
    models = {model.id: model for model in client.models.list()}
    assert {"sora-2", "sora-2-pro", SMALL_MODEL} <= set(models)
    assert models[SMALL_MODEL].model_extra["capabilities"]["backend"] == "previz"
    assert models[SMALL_MODEL].model_extra["workers"] == {"executor": "local", "count": 1, "isolation": "process"}


def test_delete_stops_a_running_video_and_content_meanwhile_is_a_conflict(client: OpenAI) -> None:
    video = client.videos.create(prompt="Long one", model=SMALL_MODEL, size=SMALL_SIZE, seconds="12")
    while (status := client.videos.retrieve(video.id).status) == "queued":
        pass
    assert status == "in_progress"
    retrying = OpenAI(base_url=client.base_url, api_key=KEY, max_retries=2)
    with pytest.raises(openai.ConflictError) as caught:
        retrying.videos.download_content(video.id)
    assert caught.value.response.headers["x-should-retry"] == "false"
    assert client.videos.delete(video.id).deleted
    with pytest.raises(openai.NotFoundError):
        client.videos.retrieve(video.id)
    assert video.id not in [listed.id for listed in client.videos.list(limit=100)]
    assert create(client, "The next one runs").status == "completed"
