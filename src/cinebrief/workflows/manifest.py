"""`run.json`: the record of a run, written after every change so that a kill -9 loses nothing.

It holds every clip's prompt, parameters, seed, job id, file and file hash, the lint findings, the
estimated and actual cost and time. A clip is matched across runs by its hash (prompt, parameters, seed
and first-frame source), so a re-run knows what is done, what is still running and what is missing.
"""

from __future__ import annotations

import hashlib
import json
import threading
from pathlib import Path
from typing import Any, TypedDict, Unpack, cast

from cinebrief.errors import InputError
from cinebrief.media.atomic import atomic_output

MANIFEST_FILE = "run.json"
MANIFEST_SCHEMA = "cinebrief.run/1"


class ClipRecord(TypedDict, total=False):
    """One clip in `run.json`: what was asked (from the plan), then the job and its file as they happen."""

    hash: str  # prompt, parameters, seed and first-frame source: how a re-run recognises the clip
    shot_id: str
    part: int
    parts: int
    variant: int
    picked: bool
    prompt: str
    model: str
    size: str
    seconds: str
    seed: int
    input_reference: str | None
    chain_from: str | None
    estimated_cost_usd: float | None
    shot: dict[str, Any]  # the brief's shot as data
    job_id: str
    status: str  # the job's status: queued, in_progress, completed, failed
    attempt: int
    file: str  # relative to the run folder
    sha256: str
    generation_seconds: float
    cost_usd: float | None
    error: str | None


class RunRecord(TypedDict, total=False):
    """The run as a whole in `run.json` (besides `schema` and `clips`)."""

    brief: dict[str, Any]  # path, sha256, title
    service: str  # "embedded" or the server's base URL
    started_at: int
    finished_at: int
    options: dict[str, Any]  # variants, split, picks
    lint: list[dict[str, Any]]
    estimate: dict[str, Any]  # clips, seconds, cost_usd, unknown_cost_clips, time_seconds per backend
    actual: dict[str, Any]  # seconds, cost_usd, generated, reused, failed
    cut: list[str]  # clip ids in the order of the cut
    outputs: dict[str, str]
    stitch: dict[str, Any]  # method, reasons, frames, video and audio seconds, sha256


CLIP_RESULT_KEYS = ("job_id", "status", "file", "sha256", "attempt", "generation_seconds", "cost_usd", "error")


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


class Manifest:
    """The run folder's `run.json`, safe to update from several threads."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / MANIFEST_FILE
        self._lock = threading.Lock()
        self.data: dict[str, Any] = {"schema": MANIFEST_SCHEMA, "clips": {}}
        if self.path.is_file():
            try:
                loaded = json.loads(self.path.read_text(encoding="utf-8"))
            except (OSError, json.JSONDecodeError) as exc:
                raise InputError(f"{self.path}: cannot be read as a run manifest ({exc})") from None
            if isinstance(loaded, dict) and loaded.get("schema") == MANIFEST_SCHEMA:
                self.data = loaded
                self.data.setdefault("clips", {})

    def clip(self, clip_id: str) -> ClipRecord:
        with self._lock:
            return cast(ClipRecord, dict(self.data["clips"].get(clip_id, {})))

    def clips(self) -> list[ClipRecord]:
        with self._lock:
            return [cast(ClipRecord, dict(record)) for record in self.data["clips"].values()]

    def done_clip(self, clip_id: str, clip_hash: str, folder: Path) -> ClipRecord | None:
        """The record of a finished clip with this hash whose file is still there and intact, else None."""
        record = self.clip(clip_id)
        if record.get("hash") != clip_hash or record.get("status") != "completed" or not record.get("file"):
            return None
        path = folder / record["file"]
        if not path.is_file() or file_sha256(path) != record.get("sha256"):
            return None
        return record

    def update_clip(self, clip_id: str, **values: Unpack[ClipRecord]) -> None:
        with self._lock:
            self.data["clips"].setdefault(clip_id, {}).update(values)
            self._write()

    def update(self, **values: Unpack[RunRecord]) -> None:
        with self._lock:
            self.data.update(values)
            self._write()

    def drop_clips_except(self, clip_ids: set[str]) -> None:
        """Forget clips the current plan no longer has (their files stay on disk)."""
        with self._lock:
            self.data["clips"] = {key: value for key, value in self.data["clips"].items() if key in clip_ids}
            self._write()

    def _write(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with atomic_output(self.path) as temporary:
            temporary.write_text(json.dumps(self.data, indent=2, sort_keys=False, default=str), encoding="utf-8")
