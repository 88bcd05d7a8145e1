"""The Video object, the list envelope and the deleted object exactly as the wire carries them.

Every Video has all 13 keys, nulls included; the statuses are the four official ones only.
"""

from __future__ import annotations

import secrets
import time
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, SerializerFunctionWrapHandler, model_serializer

VideoStatus = Literal["queued", "in_progress", "completed", "failed"]
TERMINAL_STATUSES = ("completed", "failed")
VIDEO_KEYS = (
    "id",
    "object",
    "model",
    "status",
    "progress",
    "created_at",
    "completed_at",
    "expires_at",
    "prompt",
    "size",
    "seconds",
    "remixed_from_video_id",
    "error",
)


def new_id(prefix: str = "video", *, created_at: int | None = None) -> str:
    """``video_`` + 48 hex: the first 8 are `created_at`, the other 40 random, so ids sort by time."""
    stamp = int(time.time() if created_at is None else created_at)
    return f"{prefix}_{stamp:08x}{secrets.token_hex(20)}"


class VideoError(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: str
    message: str


class Video(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    object: Literal["video"] = "video"
    model: str
    status: VideoStatus
    progress: int
    created_at: int
    completed_at: int | None
    expires_at: int | None
    prompt: str | None
    size: str
    seconds: str
    remixed_from_video_id: str | None
    error: VideoError | None
    # cinebrief's own, on remixes only (never sent as null): {"effective_prompt": ..., "change": {"changed": [...],
    # "kept": [...], "unplaced": [...]}}. The SDK keeps it in `model_extra`.
    cinebrief: dict[str, Any] | None = None

    @model_serializer(mode="wrap")
    def _without_empty_extras(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        data: dict[str, Any] = handler(self)
        if data.get("cinebrief") is None:
            data.pop("cinebrief", None)
        return data

    def wire(self) -> dict[str, Any]:
        """The JSON-ready dict with all 13 keys in the contract's order (and `cinebrief` on a remix)."""
        return self.model_dump(mode="json")


class VideoList(BaseModel):
    object: Literal["list"] = "list"
    data: list[Video]
    first_id: str | None
    last_id: str | None
    has_more: bool


class VideoDeleted(BaseModel):
    id: str
    object: Literal["video.deleted"] = "video.deleted"
    deleted: bool = True
