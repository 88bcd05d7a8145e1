"""`POST /v1/videos/characters` (multipart `video` + `name`) and `GET /v1/videos/characters/{character_id}`."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from cinebrief.errors import ContractError, NotFoundError
from cinebrief.server.bodies import CHARACTER_FIELDS, read_body, reject_unknown
from cinebrief.server.deps import Authenticated, CallerDep, EngineDep, SettingsDep
from cinebrief.server.errors import APIError
from cinebrief.server.openapi import CHARACTER_BODY, errors
from cinebrief.server.routes.videos import IdempotencyKey

router = APIRouter(prefix="/v1/videos/characters", tags=["characters"], dependencies=[Authenticated])

CHARACTER_RESPONSE = {
    200: {
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "required": ["id", "name", "created_at"],
                    "properties": {
                        "id": {"type": "string"},
                        "name": {"type": "string"},
                        "created_at": {"type": "integer"},
                    },
                }
            }
        }
    },
}


@router.post(
    "",
    operation_id="CreateVideoCharacter",
    openapi_extra=CHARACTER_BODY,
    responses={**CHARACTER_RESPONSE, **errors(400, 401, 413)},
)
async def create_character(
    request: Request,
    engine: EngineDep,
    settings: SettingsDep,
    caller: CallerDep,
    idempotency_key: IdempotencyKey = None,
) -> JSONResponse:
    """Make a character (`char_…`) from a short clip; reference it on create with `characters: [{id}]`."""
    body, _ = await read_body(request, settings.server.max_request_bytes)
    reject_unknown(body, CHARACTER_FIELDS)
    for name in CHARACTER_FIELDS:
        if name not in body:
            raise ContractError(f"Missing required parameter: '{name}'.", field=name, code="missing_required_parameter")
    video: Any = body["video"]
    if not isinstance(video, UploadFile):
        raise ContractError(
            "Invalid type for 'video': expected a file (a multipart upload of an MP4 clip), "
            f"but got {'an object' if isinstance(video, dict) else 'a string'} instead.",
            field="video",
            code="invalid_type",
        )
    data = await video.read()
    character = await run_in_threadpool(
        engine.characters.create, body["name"], data, idempotency_key=idempotency_key, owner=caller
    )
    return JSONResponse(character.wire())


@router.get("/{character_id}", operation_id="GetVideoCharacter", responses={**CHARACTER_RESPONSE, **errors(401, 404)})
def get_character(character_id: str, engine: EngineDep, caller: CallerDep) -> JSONResponse:
    """The character, or 404 (another key's character too)."""
    try:
        return JSONResponse(engine.characters.get(character_id, owner=caller).wire())
    except NotFoundError as exc:
        raise APIError(404, str(exc), param="character_id", code="not_found") from None
