"""Remix lineage: one change at a time, the tree of remixes, and which shot version made the last video.

The tree itself is the job store's: every remix job names its `remixed_from_video_id`. Beside it,
`lineage.json` (in the engine folder of a run or project) keeps what the store cannot know: for each
brief shot, the shot as it was when it produced its latest videos, so `remix --brief B --shot ID` can diff
the edited shot against it, and for each remix the change that was asked for.
"""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path
from typing import Any

from cinebrief.errors import InputError
from cinebrief.media.atomic import atomic_output

LINEAGE_FILE = "lineage.json"
IGNORED_SHOT_FIELDS = ("pick", "noqa")  # they choose or silence; they change nothing in the picture


class LineageStore:
    """`lineage.json`: remixes by video id, and the latest videos of each (brief, shot)."""

    def __init__(self, engine_folder: Path) -> None:
        self.path = engine_folder / LINEAGE_FILE
        self._lock = threading.Lock()
        self.data: dict[str, Any] = {"videos": {}, "shots": {}}
        if self.path.is_file():
            loaded = json.loads(self.path.read_text(encoding="utf-8"))
            self.data = {"videos": loaded.get("videos", {}), "shots": loaded.get("shots", {})}

    @staticmethod
    def shot_key(brief_path: Path, shot_id: str) -> str:
        return f"{brief_path.resolve()}#{shot_id}"

    def record_shot(self, brief_path: Path, shot_id: str, shot: dict[str, Any], video_ids: list[str]) -> None:
        """The shot version that produced `video_ids` (its clips in order) is now the latest."""
        with self._lock:
            self.data["shots"][self.shot_key(brief_path, shot_id)] = {"shot": shot, "videos": video_ids}
            for video_id in video_ids:
                self.data["videos"].setdefault(video_id, {}).update({"shot_id": shot_id})
            self._write()

    def latest(self, brief_path: Path, shot_id: str) -> dict[str, Any] | None:
        return self.data["shots"].get(self.shot_key(brief_path, shot_id))

    def record_remix(self, video_id: str, *, parent: str, change: str, shot_id: str | None = None) -> None:
        with self._lock:
            entry = {"parent": parent, "change": change, "created_at": int(time.time())}
            if shot_id is None:
                shot_id = self.data["videos"].get(parent, {}).get("shot_id")
            if shot_id is not None:
                entry["shot_id"] = shot_id
            self.data["videos"].setdefault(video_id, {}).update(entry)
            self._write()

    def video(self, video_id: str) -> dict[str, Any]:
        return dict(self.data["videos"].get(video_id, {}))

    def _write(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with atomic_output(self.path) as temporary:
            temporary.write_text(json.dumps(self.data, indent=2), encoding="utf-8")


# --- one change at a time ------------------------------------------------------------------------------------


def _flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(value, dict):
        flat: dict[str, Any] = {}
        for key, item in value.items():
            flat.update(_flatten(item, f"{prefix}.{key}" if prefix else str(key)))
        return flat
    return {prefix: value}


def shot_changes(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """Every field that differs, as ``camera.lens: '32 mm' → '85 mm'`` (lists compare whole)."""
    before = {k: v for k, v in _flatten(old).items() if k.split(".")[0] not in IGNORED_SHOT_FIELDS}
    after = {k: v for k, v in _flatten(new).items() if k.split(".")[0] not in IGNORED_SHOT_FIELDS}
    changes = []
    for key in sorted(set(before) | set(after)):
        if before.get(key) != after.get(key):
            changes.append(f"{key}: {_show(before.get(key))} → {_show(after.get(key))}")
    return changes


def _show(value: Any) -> str:
    if value is None:
        return "(unset)"
    if isinstance(value, str):
        return repr(value)
    return json.dumps(value, ensure_ascii=False)


def change_prompt(old: dict[str, Any], new: dict[str, Any]) -> str:
    """The remix prompt for exactly one change, worded the guide's way: keep the shot, change one thing."""
    before, after = _flatten(old), _flatten(new)
    (key,) = [k for k in sorted(set(before) | set(after)) if before.get(k) != after.get(k)]
    field = key.replace("_", " ").replace(".", " ")
    value = after.get(key)
    if value is None:
        return f"Same shot; remove the {field}."
    if isinstance(value, list):
        value = "; ".join(str(item.get("line", item)) if isinstance(item, dict) else str(item) for item in value)
    return f"Same shot; change the {field} to {value}."


def one_change(changes: list[str], *, force: bool, what: str) -> None:
    """Refuse none, and more than one unless forced, listing them: a remix should change one thing."""
    if not changes:
        raise InputError(f"{what}: nothing changed since the version that produced the last video", field="shot")
    if len(changes) > 1 and not force:
        listed = "\n".join(f"  - {change}" for change in changes)
        raise InputError(
            f"{what} changes {len(changes)} things; remix one change at a time (or pass --force):\n{listed}",
            field="shot",
            code="remix-changes-more-than-one-thing",
        )


# --- the tree ---------------------------------------------------------------------------------------------


def lineage_tree(video_id: str, videos: list[Any]) -> tuple[str, dict[str, list[str]], dict[str, Any]]:
    """(root id, children by id, videos by id) of the remix tree that holds `video_id`."""
    by_id = {video.id: video for video in videos}
    if video_id not in by_id:
        from cinebrief.errors import NotFoundError

        raise NotFoundError(f"No video found with id '{video_id}'.")
    root = video_id
    seen = {root}
    while (parent := by_id[root].remixed_from_video_id) and parent in by_id and parent not in seen:
        root = parent
        seen.add(root)
    children: dict[str, list[str]] = {}
    for video in videos:
        if video.remixed_from_video_id:
            children.setdefault(video.remixed_from_video_id, []).append(video.id)
    return root, children, by_id


def remix_record(video: Any) -> dict[str, Any] | None:
    """A remix's effective prompt and change record, from our `Video` or the SDK's (where it is an extra)."""
    found = getattr(video, "cinebrief", None)
    if found is None:
        found = (getattr(video, "model_extra", None) or {}).get("cinebrief")
    return found if isinstance(found, dict) else None


def describe_change(video: Any) -> str:
    """What a remix changed, for a tree or a table: "changed lens, framing; unplaced: ..."."""
    record = remix_record(video)
    change = (record or {}).get("change") or {}
    parts = []
    if change.get("changed"):
        parts.append("changed " + ", ".join(change["changed"]))
    if change.get("unplaced"):
        parts.append("unplaced: " + "; ".join(change["unplaced"]))
    return "; ".join(parts)
