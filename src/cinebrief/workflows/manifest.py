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
from typing import Any

from cinebrief.errors import InputError
from cinebrief.media.atomic import atomic_output

MANIFEST_FILE = "run.json"
MANIFEST_SCHEMA = "cinebrief.run/1"


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

    def clip(self, clip_id: str) -> dict[str, Any]:
        with self._lock:
            return dict(self.data["clips"].get(clip_id, {}))

    def done_clip(self, clip_id: str, clip_hash: str, folder: Path) -> dict[str, Any] | None:
        """The record of a finished clip with this hash whose file is still there and intact, else None."""
        record = self.clip(clip_id)
        if record.get("hash") != clip_hash or record.get("status") != "completed" or not record.get("file"):
            return None
        path = folder / record["file"]
        if not path.is_file() or file_sha256(path) != record.get("sha256"):
            return None
        return record

    def update_clip(self, clip_id: str, **values: Any) -> None:
        with self._lock:
            self.data["clips"].setdefault(clip_id, {}).update(values)
            self._write()

    def update(self, **values: Any) -> None:
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
