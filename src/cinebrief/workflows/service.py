"""Where clips are generated: the embedded engine (in this process) or a `/v1/videos` server (official SDK).

Both speak the same small vocabulary, so a workflow never knows which one it talks to: `create` (with an
idempotency key, so a retry after a crash never pays twice), `retrieve`, `download`, `remix`, `list_all`.
"""

from __future__ import annotations

import base64
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from cinebrief.brief.schema import Brief, Shot
from cinebrief.contract.answers import sdk_errors
from cinebrief.contract.capabilities import Capabilities
from cinebrief.media.atomic import atomic_output

if TYPE_CHECKING:
    from cinebrief.jobs.engine import Engine
    from cinebrief.jobs.owners import Owner

ENGINE_FOLDER = ".cinebrief"  # the embedded engine's data under a run or project folder


@dataclass(frozen=True)
class VideoState:
    """What a workflow reads about a job."""

    id: str
    status: str
    progress: int
    prompt: str | None = None
    remixed_from_video_id: str | None = None
    error: str | None = None
    created_at: int = 0
    cinebrief: dict[str, Any] | None = None  # a remix: its effective prompt and change record


@dataclass(frozen=True)
class CreateRequest:
    prompt: str
    model: str
    size: str
    seconds: str
    seed: int
    input_reference: bytes | None = None
    reference_format: str = "png"
    brief: Brief | None = None
    shot: Shot | None = None


class VideoService(Protocol):
    name: str
    backend_names: dict[str, str]  # model -> backend, when known (embedded)

    def create(self, request: CreateRequest, *, idempotency_key: str) -> VideoState: ...
    def retrieve(self, video_id: str) -> VideoState: ...
    def download(self, video_id: str, path: Path, variant: str = "video") -> Path: ...
    def remix(self, video_id: str, prompt: str) -> VideoState: ...
    def list_all(self) -> list[VideoState]: ...
    def close(self) -> None: ...


class EngineService:
    """A job engine this process already runs (the server's own, for the studio's runs), acting as `owner`
    (the local owner for the CLI's embedded engine); `close` leaves it open."""

    name = "engine"

    def __init__(self, engine: Engine, *, owner: Owner) -> None:
        self.engine = engine
        self.owner = owner
        self.backend_names = {name: engine.pool.backend_name(name) for name in engine.settings.models}

    def create(self, request: CreateRequest, *, idempotency_key: str) -> VideoState:
        from cinebrief.jobs.engine import VideoRequest

        video = self.engine.submit(
            VideoRequest(
                prompt=request.prompt,
                model=request.model,
                size=request.size,
                seconds=request.seconds,
                input_reference=request.input_reference,
                seed=request.seed,
                brief=request.brief,
                shot=request.shot,
            ),
            idempotency_key=idempotency_key,
            owner=self.owner,
        )
        return _state(video)

    def retrieve(self, video_id: str) -> VideoState:
        return _state(self.engine.get(video_id, owner=self.owner))

    def download(self, video_id: str, path: Path, variant: str = "video") -> Path:
        source = self.engine.content_path(video_id, variant, owner=self.owner)
        with atomic_output(path) as temporary, source.open("rb") as reader, temporary.open("wb") as writer:
            while chunk := reader.read(1 << 20):
                writer.write(chunk)
        return path

    def remix(self, video_id: str, prompt: str) -> VideoState:
        return _state(self.engine.remix(video_id, prompt, owner=self.owner))

    def list_all(self) -> list[VideoState]:
        videos, after = [], None
        while True:
            page = self.engine.list(limit=100, order="asc", after=after, owner=self.owner)
            videos.extend(_state(video) for video in page.data)
            if not page.has_more:
                return videos
            after = page.last_id

    def close(self) -> None:
        """The engine belongs to whoever made it."""


class EmbeddedService(EngineService):
    """The same job store and runner as `cinebrief serve`, with its data under `data_dir`."""

    name = "embedded"

    def __init__(self, data_dir: Path, *, concurrency: int = 1, config: Path | None = None) -> None:
        from cinebrief.jobs.engine import Engine
        from cinebrief.jobs.owners import LOCAL
        from cinebrief.settings import load_settings

        settings = load_settings(config, overrides={"server": {"data_dir": str(data_dir), "retention_seconds": 0}})
        backends = {  # --concurrency for every backend the models use, over what the file says of each
            name: settings.backend_for(name).model_copy(update={"concurrency": concurrency})
            for name in {model.backend for model in settings.models.values()}
        }
        settings = settings.model_copy(update={"backends": {**settings.backends, **backends}})
        super().__init__(Engine(settings), owner=LOCAL)

    def close(self) -> None:
        self.engine.close()


class ServerService:
    """A `/v1/videos` server through the official openai SDK; cinebrief extras go in `extra_body`."""

    name = "server"

    def __init__(self, base_url: str, *, api_key: str | None = None) -> None:
        from openai import OpenAI

        url = base_url.rstrip("/")
        if not url.endswith("/v1"):
            url += "/v1"
        key = api_key or os.environ.get("CINEBRIEF_API_KEY") or os.environ.get("OPENAI_API_KEY") or "unused"
        self.base_url = url
        self.client = OpenAI(base_url=url, api_key=key, max_retries=3)
        self.backend_names: dict[str, str] = {}

    def create(self, request: CreateRequest, *, idempotency_key: str) -> VideoState:
        extras: dict[str, Any] = {"seed": request.seed}
        if request.shot is not None:
            extras["shot"] = request.shot.model_dump(mode="json", exclude_none=True)
        if request.brief is not None:
            extras["brief"] = request.brief.model_dump(mode="json", exclude_none=True, by_alias=True)
        body: dict[str, Any] = {"cinebrief": extras}
        if request.input_reference is not None:
            # A data URL object in the JSON body: the SDK's own field takes files only.
            encoded = base64.b64encode(request.input_reference).decode()
            body["input_reference"] = {"image_url": f"data:image/{request.reference_format};base64,{encoded}"}
        with sdk_errors(self.base_url):
            video = self.client.videos.create(
                prompt=request.prompt,
                model=request.model,
                size=request.size,  # type: ignore[arg-type]
                seconds=request.seconds,  # type: ignore[arg-type]
                extra_body=body,
                # JSON, not the SDK's default multipart: the brief's lists of objects survive it unflattened.
                extra_headers={"Idempotency-Key": idempotency_key, "Content-Type": "application/json"},
            )
        return _state(video)

    def models(self) -> dict[str, Capabilities | None]:
        """The models the server routes, with the capabilities `/v1/models` publishes for each."""
        served: dict[str, Capabilities | None] = {}
        with sdk_errors(self.base_url):
            listed = list(self.client.models.list())
        for model in listed:
            published = (model.model_extra or {}).get("capabilities")
            served[model.id] = Capabilities.from_dict(published) if isinstance(published, dict) else None
        return served

    def retrieve(self, video_id: str) -> VideoState:
        with sdk_errors(self.base_url):
            return _state(self.client.videos.retrieve(video_id))

    def download(self, video_id: str, path: Path, variant: str = "video") -> Path:
        with sdk_errors(self.base_url), atomic_output(path) as temporary:
            self.client.videos.download_content(video_id, variant=variant).write_to_file(temporary)  # type: ignore[arg-type]
        return path

    def remix(self, video_id: str, prompt: str) -> VideoState:
        with sdk_errors(self.base_url):
            return _state(self.client.videos.remix(video_id, prompt=prompt))

    def list_all(self) -> list[VideoState]:
        with sdk_errors(self.base_url):
            return [_state(video) for video in self.client.videos.list(limit=100, order="asc")]

    def close(self) -> None:
        self.client.close()


def _state(video: Any) -> VideoState:
    error = getattr(video, "error", None)
    message = None
    if error is not None:
        message = f"{getattr(error, 'code', '')}: {getattr(error, 'message', '')}".strip(": ")
    return VideoState(
        id=video.id,
        status=video.status,
        progress=int(video.progress or 0),
        prompt=video.prompt,
        remixed_from_video_id=video.remixed_from_video_id,
        error=message,
        created_at=int(video.created_at or 0),
        cinebrief=getattr(video, "cinebrief", None) or (getattr(video, "model_extra", None) or {}).get("cinebrief"),
    )


def open_service(*, server: str | None, folder: Path, concurrency: int = 1, api_key: str | None = None) -> VideoService:
    """`--server URL` when given, else the embedded engine with its data in `folder/.cinebrief`."""
    if server:
        return ServerService(server, api_key=api_key)
    folder.mkdir(parents=True, exist_ok=True)
    return EmbeddedService(folder / ENGINE_FOLDER, concurrency=concurrency)
