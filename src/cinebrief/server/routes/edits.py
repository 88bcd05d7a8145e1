"""`POST /v1/videos/edits` and `POST /v1/videos/extensions`: new videos made from a video (contract §11).

`video` is an uploaded MP4 or `{"id": "video_..."}` (multipart `video[id]`). An edit by id shares the remix
path; an extension appends `seconds` more to the source, and its `seconds` is the stitched total.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from cinebrief.server.bodies import (
    EDIT_FIELDS,
    EXTEND_FIELDS,
    optional_text,
    read_body,
    reject_unknown,
    required_prompt,
    required_seconds,
    video_source,
)
from cinebrief.server.deps import Authenticated, CallerDep, EngineDep, SettingsDep
from cinebrief.server.openapi import CREATE_ERRORS, EDIT_BODY, EXTEND_BODY, VIDEO_RESPONSES
from cinebrief.server.routes.videos import IdempotencyKey

router = APIRouter(prefix="/v1/videos", tags=["videos"], dependencies=[Authenticated])


@router.post(
    "/edits", operation_id="CreateVideoEdit", openapi_extra=EDIT_BODY, responses={**VIDEO_RESPONSES, **CREATE_ERRORS}
)
async def edit_video(
    request: Request,
    engine: EngineDep,
    settings: SettingsDep,
    caller: CallerDep,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """Edit a video: by id, a remix of a completed video; an uploaded MP4 starts from its first frame."""
    body, encoding = await read_body(request, settings.server.max_request_bytes)
    reject_unknown(body, EDIT_FIELDS)
    prompt: Any = required_prompt(body)
    video = await video_source(body, encoding)
    model = optional_text(body, "model")
    created = await run_in_threadpool(
        engine.edit, video, prompt, model=model, idempotency_key=idempotency_key, owner=caller
    )
    return JSONResponse(created.wire())


@router.post(
    "/extensions",
    operation_id="CreateVideoExtend",
    openapi_extra=EXTEND_BODY,
    responses={**VIDEO_RESPONSES, **CREATE_ERRORS},
)
async def extend_video(
    request: Request,
    engine: EngineDep,
    settings: SettingsDep,
    caller: CallerDep,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """Extend a video by `seconds` from its last frame; the new video is the source followed by the new clip."""
    body, encoding = await read_body(request, settings.server.max_request_bytes)
    reject_unknown(body, EXTEND_FIELDS)
    prompt: Any = required_prompt(body)
    video = await video_source(body, encoding)
    seconds = required_seconds(body)
    model = optional_text(body, "model")
    created = await run_in_threadpool(
        engine.extend, video, prompt, seconds, model=model, idempotency_key=idempotency_key, owner=caller
    )
    return JSONResponse(created.wire())
