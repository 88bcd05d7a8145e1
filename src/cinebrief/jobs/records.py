"""A job as plain data: every field of the Video plus what the runner needs to run it again after a crash."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cinebrief.contract.video import Video, VideoError
from cinebrief.jobs.owners import LOCAL_OWNER

QUEUED = "queued"
IN_PROGRESS = "in_progress"
COMPLETED = "completed"
FAILED = "failed"
UNFINISHED = (QUEUED, IN_PROGRESS)
TERMINAL = (COMPLETED, FAILED)


@dataclass(frozen=True)
class Job:
    """One row of the store. `progress` follows the contract: queued 0, running 1–99, completed 100."""

    id: str
    model: str
    backend: str
    status: str
    progress: int
    created_at: int
    prompt: str
    size: str
    seconds: str
    seed: int
    seq: int = 0
    started_at: int | None = None
    completed_at: int | None = None
    expires_at: int | None = None
    remixed_from_video_id: str | None = None
    remix_source_prompt: str | None = None
    remix_change: str | None = None
    error_code: str | None = None
    error_message: str | None = None
    options: dict[str, Any] = field(default_factory=dict)
    brief_json: dict[str, Any] | None = None
    shot_json: dict[str, Any] | None = None
    reference_path: str | None = None
    resume_state: dict[str, Any] = field(default_factory=dict)
    result_metadata: dict[str, Any] = field(default_factory=dict)
    idempotency_key: str | None = None
    body_hash: str | None = None
    output_dir: str | None = None
    attempts: int = 0
    character_ids: list[str] = field(default_factory=list)
    clip_seconds: str | None = None  # set on an extension: the backend renders this many seconds, then appends
    source_video_path: str | None = None  # an extension's source video, or an edit's uploaded video
    worker_id: str | None = None  # while in progress: the worker holding the lease
    lease_until: float | None = None  # while in progress: unix time the lease ends unless renewed
    effective_prompt: str | None = None  # a remix: the source's prompt with the change applied (what is rendered)
    change_record: dict[str, Any] | None = None  # a remix: {"changed": [...], "kept": [...], "unplaced": [...]}
    owner: str = LOCAL_OWNER  # the tenant that made it (`jobs/owners.py`): an API key's owner id, or "local"

    @property
    def extension(self) -> bool:
        return self.clip_seconds is not None and self.source_video_path is not None

    @property
    def terminal(self) -> bool:
        return self.status in TERMINAL

    @property
    def output_path(self) -> Path | None:
        return Path(self.output_dir) if self.output_dir else None

    def expired(self, now: float) -> bool:
        return self.expires_at is not None and now >= self.expires_at

    def to_video(self) -> Video:
        """The wire object: all 13 keys, `error` only on a failed job."""
        error = None
        if self.status == FAILED:
            error = VideoError(code=self.error_code or "backend_error", message=self.error_message or "The job failed.")
        return Video(
            id=self.id,
            model=self.model,
            status=self.status,  # type: ignore[arg-type]
            progress=self.progress,
            created_at=self.created_at,
            completed_at=self.completed_at,
            expires_at=self.expires_at,
            prompt=self.prompt,
            size=self.size,
            seconds=self.seconds,
            remixed_from_video_id=self.remixed_from_video_id,
            cinebrief=(
                {"effective_prompt": self.effective_prompt, "change": self.change_record}
                if self.change_record is not None
                else None
            ),
            error=error,
        )
