"""OpenAPI pieces the routes cannot infer, because they read their bodies by hand (JSON and multipart)."""

from __future__ import annotations

from typing import Any

from cinebrief.contract.profile import ALL_SIZES, EXTENDED_SECONDS, PROMPT_MAX_CHARACTERS
from cinebrief.contract.video import Video

_PROMPT = {"type": "string", "minLength": 1, "maxLength": PROMPT_MAX_CHARACTERS}
_EXTRAS = {
    "type": "object",
    "description": "cinebrief extras (multipart: cinebrief[seed], ...).",
    "additionalProperties": False,
    "properties": {
        "seed": {"type": "integer", "minimum": 0},
        "options": {"type": "object"},
        "shot": {"type": "object", "description": "A brief shot (schema cinebrief.brief/1)."},
        "brief": {"type": "object", "description": "A whole brief (schema cinebrief.brief/1)."},
    },
}


def _create_schema(reference: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["prompt"],
        "additionalProperties": False,
        "properties": {
            "prompt": _PROMPT,
            "model": {"type": "string", "default": "sora-2"},
            "seconds": {"type": "string", "enum": list(EXTENDED_SECONDS), "default": "4"},
            "size": {"type": "string", "enum": list(ALL_SIZES), "default": "720x1280"},
            "input_reference": reference,
            "cinebrief": _EXTRAS,
        },
    }


_REFERENCE_OBJECT = {
    "type": "object",
    "additionalProperties": False,
    "properties": {"image_url": {"type": "string", "description": "A data: URL."}, "file_id": {"type": "string"}},
}

CREATE_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {"schema": _create_schema({"type": "string", "format": "binary"})},
            "application/json": {"schema": _create_schema(_REFERENCE_OBJECT)},
        },
    }
}

_REMIX_SCHEMA = {
    "type": "object",
    "required": ["prompt"],
    "additionalProperties": False,
    "properties": {"prompt": _PROMPT},
}
REMIX_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": _REMIX_SCHEMA}, "multipart/form-data": {"schema": _REMIX_SCHEMA}},
    }
}

VIDEO_RESPONSES: dict[int | str, dict[str, Any]] = {200: {"model": Video}}
