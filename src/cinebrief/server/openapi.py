"""The request bodies as pydantic models, once, and the OpenAPI document generated from them.

The routes read their bodies by hand (JSON and multipart with bracket keys, see `bodies.py`), so FastAPI
cannot infer them: each route's `openapi_extra` is made here from its model, and `bodies.py` takes the
field names from the same models. The document also states the errors the server really sends (OpenAI's
envelope with 400, 401, 404, 409, 413, 429), the bearer scheme, and no 422 (the server never sends one).
"""

from __future__ import annotations

import copy
from typing import Any, Literal

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel, ConfigDict, Field

from cinebrief.contract.profile import DEFAULTS, EXTENDED_SECONDS, PROMPT_MAX_CHARACTERS, SEED_MAX
from cinebrief.contract.video import Video
from cinebrief.jobs.characters import NAME_MAX_CHARACTERS

MAX_IMAGE_URL_CHARACTERS = 20_971_520
SIZE_PATTERN = r"^[0-9]{1,5}x[0-9]{1,5}$"
SECONDS_PATTERN = r"^[0-9]{1,3}$"
_STRICT = ConfigDict(extra="forbid")

Prompt = Field(min_length=1, max_length=PROMPT_MAX_CHARACTERS, description="What the video shows.")


class ImageReference(BaseModel):
    """`input_reference` in JSON: the image inline as a data: URL (this server fetches no remote URL)."""

    model_config = _STRICT
    image_url: str = Field(max_length=MAX_IMAGE_URL_CHARACTERS, pattern=r"^data:", description="A data: URL.")


class VideoId(BaseModel):
    model_config = _STRICT
    id: str = Field(max_length=200, description="A completed video's id (video_...).")


class CharacterRef(BaseModel):
    model_config = _STRICT
    id: str = Field(max_length=200, description="A character's id (char_...), extended profile only.")


class CinebriefExtras(BaseModel):
    """cinebrief's own fields (multipart: cinebrief[seed], cinebrief[options][steps], ...)."""

    model_config = _STRICT
    seed: int | None = Field(default=None, ge=0, le=SEED_MAX)
    options: dict[str, str | int | float | bool] | None = Field(
        default=None, description="Options the model declares in /v1/models (capabilities.options)."
    )
    shot: dict[str, Any] | None = Field(default=None, description="A brief shot (schema cinebrief.brief/1).")
    brief: dict[str, Any] | None = Field(default=None, description="A whole brief (schema cinebrief.brief/1).")


class CreateVideoBody(BaseModel):
    """POST /v1/videos."""

    model_config = _STRICT
    prompt: str = Prompt
    model: str = Field(default=DEFAULTS.model, max_length=200)
    seconds: str = Field(
        default=DEFAULTS.seconds,
        pattern=SECONDS_PATTERN,
        description=f"Official models: {', '.join(EXTENDED_SECONDS)}.",
    )
    size: str = Field(default=DEFAULTS.size, pattern=SIZE_PATTERN, description="{width}x{height}, e.g. 720x1280.")
    input_reference: ImageReference | None = None
    characters: list[CharacterRef] | None = Field(default=None, max_length=8)
    cinebrief: CinebriefExtras | None = None


class RemixBody(BaseModel):
    """POST /v1/videos/{video_id}/remix."""

    model_config = _STRICT
    prompt: str = Prompt


class EditBody(BaseModel):
    """POST /v1/videos/edits: by id a remix of a completed video; an uploaded MP4 starts from its first frame."""

    model_config = _STRICT
    prompt: str = Prompt
    video: VideoId
    model: str | None = Field(default=None, max_length=200, description="Only with an uploaded video.")


class ExtendBody(BaseModel):
    """POST /v1/videos/extensions."""

    model_config = _STRICT
    prompt: str = Prompt
    video: VideoId
    seconds: str = Field(pattern=SECONDS_PATTERN)
    model: str | None = Field(default=None, max_length=200, description="Only with an uploaded video.")


class CharacterBody(BaseModel):
    """POST /v1/videos/characters (multipart only)."""

    model_config = _STRICT
    name: str = Field(min_length=1, max_length=NAME_MAX_CHARACTERS)
    video: bytes = Field(description="An MP4 (H.264) clip of 2 to 4 seconds.")


def fields(model: type[BaseModel]) -> tuple[str, ...]:
    return tuple(model.model_fields)


_BINARY = {"type": "string", "format": "binary"}


def _schema(model: type[BaseModel], files: dict[str, Any] | None = None) -> dict[str, Any]:
    """The model's JSON schema with its `$defs` inlined; in `files`, fields a multipart body sends as a file."""
    schema = model.model_json_schema()
    definitions = schema.pop("$defs", {})

    def inline(node: Any) -> Any:
        if isinstance(node, dict):
            if "$ref" in node:
                return inline(copy.deepcopy(definitions[node["$ref"].rsplit("/", 1)[-1]]))
            return {key: inline(value) for key, value in node.items()}
        if isinstance(node, list):
            return [inline(item) for item in node]
        return node

    schema = inline(schema)
    for name, replacement in (files or {}).items():
        schema["properties"][name] = replacement
    return schema


def request_body(model: type[BaseModel], *, files: dict[str, Any] | None = None, json: bool = True) -> dict[str, Any]:
    """`openapi_extra` for a route whose body is `model`, as JSON and as multipart (`files` as file parts)."""
    content: dict[str, Any] = {"multipart/form-data": {"schema": _schema(model, files)}}
    if json:
        content["application/json"] = {"schema": _schema(model)}
    return {"requestBody": {"required": True, "content": content}}


CREATE_BODY = request_body(CreateVideoBody, files={"input_reference": _BINARY})
REMIX_BODY = request_body(RemixBody)
_VIDEO_PART = {"anyOf": [_BINARY, _schema(VideoId)]}
EDIT_BODY = request_body(EditBody, files={"video": _VIDEO_PART})
EXTEND_BODY = request_body(ExtendBody, files={"video": _VIDEO_PART})
CHARACTER_BODY = request_body(CharacterBody, files={"video": _BINARY}, json=False)


class ErrorDetail(BaseModel):
    message: str
    type: str
    param: str | None
    code: str | None


class ErrorEnvelope(BaseModel):
    """OpenAI's error envelope, as every error of this server is sent."""

    error: ErrorDetail


_ERROR_TEXT = {
    400: "Invalid request: the message names the parameter.",
    401: "Missing or incorrect API key.",
    404: "No such object (or its content is gone).",
    409: "The object is in a state that does not allow this (e.g. not completed yet).",
    413: "The request body is larger than server.max_request_bytes.",
    429: "Too many queued jobs for this API key.",
    507: "The data folder is full or read-only.",
}

ErrorStatus = Literal[400, 401, 404, 409, 413, 429, 507]


def errors(*statuses: ErrorStatus) -> dict[int | str, dict[str, Any]]:
    """`responses=` entries for the error statuses an operation can answer."""
    return {status: {"model": ErrorEnvelope, "description": _ERROR_TEXT[status]} for status in statuses}


VIDEO_RESPONSES: dict[int | str, dict[str, Any]] = {200: {"model": Video}}
CREATE_ERRORS = errors(400, 401, 404, 409, 413, 429)  # 404, 409: a character, source or remix id; 429: queue


def install_openapi(app: FastAPI) -> None:
    """The generated document, with the bearer scheme and without FastAPI's 422 (never sent here)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return app.openapi_schema
        document = get_openapi(
            title=app.title, version=app.version, summary=app.summary, description=app.description, routes=app.routes
        )
        for operations in document.get("paths", {}).values():
            for operation in operations.values():
                operation.get("responses", {}).pop("422", None)
        schemas = document.get("components", {}).get("schemas", {})
        for name in ("HTTPValidationError", "ValidationError"):
            schemas.pop(name, None)
        components = document.setdefault("components", {})
        components["securitySchemes"] = {
            "bearer": {"type": "http", "scheme": "bearer", "description": "One of server.api_keys."}
        }
        document["security"] = [{"bearer": []}]
        for path, operations in document.get("paths", {}).items():
            if not path.startswith("/v1/"):  # the studio's page and assets need no key
                for operation in operations.values():
                    operation["security"] = []
        app.openapi_schema = document
        return document

    app.openapi = openapi  # type: ignore[method-assign]
