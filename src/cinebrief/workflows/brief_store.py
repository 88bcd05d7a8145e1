"""Briefs kept by the server for the studio: each a folder of numbered YAML versions, never overwritten.

    DATA_DIR/studio/briefs/<brief id>/brief.json          name, created_at, one record per version
    DATA_DIR/studio/briefs/<brief id>/versions/0001.yaml  the text exactly as it was saved

Saving text equal to the latest version adds nothing; any other save is a new version, so the history of
a brief is the list of what was saved. Briefs are stored as text, not checked: a draft may be invalid.
"""

from __future__ import annotations

import hashlib
import json
import re
import secrets
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from cinebrief.errors import InputError, NotFoundError
from cinebrief.media.atomic import atomic_output

BRIEFS_FOLDER = Path("studio") / "briefs"
RECORD_FILE = "brief.json"
VERSIONS_FOLDER = "versions"
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
MAX_NAME = 120


@dataclass(frozen=True)
class BriefVersion:
    version: int
    created_at: int
    sha256: str
    bytes: int


@dataclass
class StoredBrief:
    id: str
    name: str
    created_at: int
    versions: list[BriefVersion] = field(default_factory=list)

    @property
    def latest(self) -> BriefVersion:
        return self.versions[-1]

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "created_at": self.created_at,
            "updated_at": self.latest.created_at,
            "version": self.latest.version,
            "versions": [asdict(version) for version in self.versions],
        }


def _slug(name: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:48].strip("-")
    return slug or "brief"


class BriefStore:
    """The briefs under one data dir; safe to use from several threads of one process."""

    def __init__(self, data_dir: Path) -> None:
        self.root = data_dir / BRIEFS_FOLDER
        self._lock = threading.Lock()

    def create(self, name: str, text: str) -> StoredBrief:
        name = name.strip()
        if not name or len(name) > MAX_NAME:
            raise InputError(f"A brief's name is 1 to {MAX_NAME} characters, not {len(name)}.", field="name")
        with self._lock:
            brief_id = _slug(name)
            while (self.root / brief_id).exists():
                brief_id = f"{_slug(name)[:40]}-{secrets.token_hex(3)}"
            brief = StoredBrief(id=brief_id, name=name, created_at=int(time.time()))
            self._append(brief, text)
            return brief

    def list(self) -> list[StoredBrief]:
        if not self.root.is_dir():
            return []
        briefs = [self._read(folder.name) for folder in self.root.iterdir() if (folder / RECORD_FILE).is_file()]
        return sorted(briefs, key=lambda brief: (brief.latest.created_at, brief.id), reverse=True)

    def get(self, brief_id: str) -> StoredBrief:
        return self._read(brief_id)

    def text(self, brief_id: str, version: int | None = None) -> tuple[StoredBrief, str]:
        """The brief and the text of `version` (the latest when None)."""
        brief = self._read(brief_id)
        number = brief.latest.version if version is None else version
        if not any(v.version == number for v in brief.versions):
            raise NotFoundError(
                f"Brief '{brief_id}' has no version {number}; it has versions 1 to {brief.latest.version}."
            )
        return brief, self._version_path(brief_id, number).read_text(encoding="utf-8")

    def save(self, brief_id: str, text: str, *, name: str | None = None) -> StoredBrief:
        """A new version when `text` differs from the latest one (and a new name when given)."""
        with self._lock:
            brief = self._read(brief_id)
            if name is not None and name.strip():
                brief.name = name.strip()[:MAX_NAME]
            latest = self._version_path(brief_id, brief.latest.version).read_text(encoding="utf-8")
            if text != latest:
                self._append(brief, text)
            else:
                self._write_record(brief)
            return brief

    def _append(self, brief: StoredBrief, text: str) -> None:
        number = brief.latest.version + 1 if brief.versions else 1
        data = text.encode("utf-8")
        path = self._version_path(brief.id, number)
        path.parent.mkdir(parents=True, exist_ok=True)
        with atomic_output(path) as temporary:
            temporary.write_bytes(data)
        version = BriefVersion(number, int(time.time()), hashlib.sha256(data).hexdigest(), len(data))
        brief.versions.append(version)
        self._write_record(brief)  # the record names a version only once its file is in place

    def _write_record(self, brief: StoredBrief) -> None:
        record = {"id": brief.id, "name": brief.name, "created_at": brief.created_at}
        record["versions"] = [asdict(version) for version in brief.versions]
        with atomic_output(self.root / brief.id / RECORD_FILE) as temporary:
            temporary.write_text(json.dumps(record, indent=2), encoding="utf-8")

    def _read(self, brief_id: str) -> StoredBrief:
        path = self.root / brief_id / RECORD_FILE
        if not ID_PATTERN.match(brief_id) or not path.is_file():
            raise NotFoundError(f"No brief found with id '{brief_id}'.")
        record = json.loads(path.read_text(encoding="utf-8"))
        versions = [BriefVersion(**version) for version in record["versions"]]
        return StoredBrief(id=record["id"], name=record["name"], created_at=record["created_at"], versions=versions)

    def _version_path(self, brief_id: str, version: int) -> Path:
        return self.root / brief_id / VERSIONS_FOLDER / f"{version:04d}.yaml"
