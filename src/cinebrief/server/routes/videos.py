"""`/v1/videos`: create, list, retrieve, delete, content and remix, as the Videos API defines them."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import FileResponse, JSONResponse
from starlette.concurrency import run_in_threadpool
from starlette.responses import MalformedRangeHeader, RangeNotSatisfiable

from cinebrief.contract.video import TERMINAL_STATUSES
from cinebrief.jobs.engine import MAX_LIST_LIMIT
from cinebrief.server.bodies import REMIX_FIELDS, read_body, reject_unknown, required_prompt, video_request
from cinebrief.server.deps import Authenticated, CallerDep, EngineDep, SettingsDep
from cinebrief.server.openapi import CREATE_BODY, CREATE_ERRORS, REMIX_BODY, VIDEO_RESPONSES, errors

router = APIRouter(prefix="/v1/videos", tags=["videos"], dependencies=[Authenticated])

CONTENT_TYPES = {"video": "video/mp4", "thumbnail": "image/webp", "spritesheet": "image/jpeg"}
CONTENT_SUFFIXES = {"video": "mp4", "thumbnail": "webp", "spritesheet": "jpg"}
IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key", max_length=255)]


class ContentResponse(FileResponse):
    """A file, with `Range` answered by 206; a range that is malformed or not satisfiable is ignored and the
    whole file sent (RFC 9110 §14.2 lets a server ignore Range), instead of Starlette's plain-text 400 or 416."""

    @classmethod
    def _parse_range_header(cls, http_range: str, file_size: int) -> list[tuple[int, int]]:
        try:
            return super()._parse_range_header(http_range, file_size)
        except (MalformedRangeHeader, RangeNotSatisfiable):
            return []


@router.post("", operation_id="createVideo", openapi_extra=CREATE_BODY, responses={**VIDEO_RESPONSES, **CREATE_ERRORS})
async def create_video(
    request: Request,
    engine: EngineDep,
    settings: SettingsDep,
    caller: CallerDep,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """Create a video job from a prompt (multipart or JSON); returns the queued Video."""
    body, encoding = await read_body(request, settings.server.max_request_bytes)
    video_request_ = await video_request(body, encoding)
    video = await run_in_threadpool(engine.submit, video_request_, idempotency_key=idempotency_key, owner=caller)
    return JSONResponse(video.wire())


@router.get("", operation_id="ListVideos", responses=errors(400, 401, 404))
def list_videos(
    engine: EngineDep,
    caller: CallerDep,
    limit: Annotated[int, Query(ge=0, le=MAX_LIST_LIMIT)] = 20,
    order: Annotated[Literal["asc", "desc"], Query()] = "desc",
    after: Annotated[str | None, Query(max_length=200)] = None,
) -> JSONResponse:
    """List this key's videos (an admin key: everyone's), newest first by default; page with `after` = the
    previous page's `last_id`."""
    page = engine.list(limit=limit, order=order, after=after, owner=caller)
    return JSONResponse(page.model_dump(mode="json"))


@router.get("/{video_id}", operation_id="GetVideo", responses={**VIDEO_RESPONSES, **errors(401, 404)})
async def retrieve_video(video_id: str, engine: EngineDep, settings: SettingsDep, caller: CallerDep) -> JSONResponse:
    """The Video; while unfinished the response says how long to wait (`openai-poll-after-ms`).

    Read from the job store, so every server sharing it answers the same: one indexed row, only the
    columns a Video shows. Async on purpose: that read is shorter than a hop to a worker thread, which
    under many pollers costs more than the read itself.
    """
    video = engine.get(video_id, owner=caller)
    headers = {}
    if video.status not in TERMINAL_STATUSES:
        headers["openai-poll-after-ms"] = str(settings.server.poll_after_ms)
    return JSONResponse(video.wire(), headers=headers)


@router.delete("/{video_id}", operation_id="DeleteVideo", responses=errors(401, 404, 409))
def delete_video(video_id: str, engine: EngineDep, caller: CallerDep) -> JSONResponse:
    """Delete a video and its files; a queued one never runs, a running one stops at its next step."""
    return JSONResponse(engine.delete(video_id, owner=caller).model_dump(mode="json"))


@router.get(
    "/{video_id}/content",
    operation_id="RetrieveVideoContent",
    response_class=ContentResponse,
    responses={200: {"content": {media: {} for media in CONTENT_TYPES.values()}}, **errors(400, 401, 404, 409)},
)
def video_content(
    video_id: str,
    engine: EngineDep,
    caller: CallerDep,
    variant: Annotated[Literal["video", "thumbnail", "spritesheet"], Query()] = "video",
) -> ContentResponse:
    """The finished file, streamed; `Range` requests are answered with 206 (an invalid range: the whole file)."""
    path = engine.content_path(video_id, variant, owner=caller)
    return ContentResponse(
        path,
        media_type=CONTENT_TYPES[variant],
        filename=f"{video_id}.{CONTENT_SUFFIXES[variant]}",
        content_disposition_type="inline",
    )


@router.post(
    "/{video_id}/remix",
    operation_id="CreateVideoRemix",
    openapi_extra=REMIX_BODY,
    responses={**VIDEO_RESPONSES, **CREATE_ERRORS},
)
async def remix_video(
    video_id: str,
    request: Request,
    engine: EngineDep,
    settings: SettingsDep,
    caller: CallerDep,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """A new job that applies one change to a completed video (same model, size and seconds)."""
    body, _ = await read_body(request, settings.server.max_request_bytes)
    reject_unknown(body, REMIX_FIELDS)
    prompt: Any = required_prompt(body)
    video = await run_in_threadpool(engine.remix, video_id, prompt, idempotency_key=idempotency_key, owner=caller)
    return JSONResponse(video.wire())
