"""Characters (`char_…`): a named subject made from a short clip, stored durably, referenced on create.

Rules from the 2026 guide and skill (contract §11, §16): a name of 1–80 characters; a source clip of
2–4 seconds; at most `profile.max_characters` (2) per create, only in the `extended` profile; and the
prompt must name each referenced character verbatim.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine as Database
from sqlalchemy import MetaData, Table, insert, select, update
from sqlalchemy.exc import IntegrityError

from cinebrief.contract.profile import get_profile
from cinebrief.contract.video import new_id
from cinebrief.errors import ContractError, InputError, NotFoundError
from cinebrief.jobs.admission import body_hash, idempotent
from cinebrief.jobs.dispatch import owned
from cinebrief.jobs.owners import LOCAL_OWNER, Owner
from cinebrief.jobs.sources import StoredVideo, keep_upload, move_into

NAME_MAX_CHARACTERS = 80
CLIP_SECONDS = (2.0, 4.0)
CLIP_TOLERANCE_SECONDS = 0.1


@dataclass(frozen=True)
class Character:
    id: str
    name: str
    created_at: int
    video_path: str
    idempotency_key: str | None = None
    body_hash: str | None = None
    owner: str = LOCAL_OWNER  # the tenant that made it (`jobs/owners.py`)

    def wire(self) -> dict[str, Any]:
        """The Character object: `{id, name, created_at}`."""
        return {"id": self.id, "name": self.name, "created_at": self.created_at}


class CharacterStore:
    """The `characters` table (created by the store's migrations) and the clips under `folder`.

    Like videos, a character is its owner's: another owner's id is answered like a missing one."""

    def __init__(self, database: Database, folder: Path) -> None:
        self.database = database
        self.folder = folder
        self.table = Table("characters", MetaData(), autoload_with=database)

    def get(self, character_id: str, *, owner: Owner) -> Character:
        columns = self.table.c
        query = select(self.table).where(columns.id == character_id, owned(columns.owner, owner.scope))
        with self.database.connect() as connection:
            row = connection.execute(query).mappings().first()
        if row is None:
            raise NotFoundError(f"No character found with id '{character_id}'.", field="character_id")
        return _to_character(row)

    def find(self, character_id: str, *, owner: Owner) -> Character | None:
        try:
            return self.get(character_id, owner=owner)
        except NotFoundError:
            return None

    def create(self, name: Any, video: bytes, *, idempotency_key: str | None = None, owner: Owner) -> Character:
        """Check the name and the clip, keep the clip, record the character; the same key and body → the same one."""
        name = check_name(name)
        request_hash = body_hash("character", name, video)
        if idempotency_key:
            existing = self._by_key(idempotency_key, request_hash, owner.id)
            if existing is not None:
                return existing
        stored = keep_upload(video, self.folder, field="video")
        try:
            _check_clip(stored)
            created_at = int(time.time())
            character_id = new_id("char", created_at=created_at)
            stored = move_into(stored, self.folder / f"{character_id}.mp4")
            path = str(stored.path)
            character = Character(character_id, name, created_at, path, idempotency_key, request_hash, owner.id)
            with self.database.begin() as connection:
                connection.execute(insert(self.table).values(**{k: v for k, v in vars(character).items()}))
        except IntegrityError:
            stored.path.unlink(missing_ok=True)
            found = self._by_key(idempotency_key or "", request_hash, owner.id)
            if found is None:
                raise
            return found
        except InputError:
            stored.path.unlink(missing_ok=True)
            raise
        return character

    def _by_key(self, key: str, request_hash: str, owner: str) -> Character | None:
        """The character an earlier request of `owner` with `key` made (the same 24-hour rule as for videos)."""
        mine = (self.table.c.idempotency_key == key, self.table.c.owner == owner)
        with self.database.connect() as connection:
            row = connection.execute(select(self.table).where(*mine)).mappings().first()

        def release(_: str) -> None:
            with self.database.begin() as connection:
                connection.execute(update(self.table).where(*mine).values(idempotency_key=None))

        return idempotent(_to_character(row) if row else None, key, request_hash, release=release)

    def check_references(self, ids: Sequence[str], prompt: str, profile: str, *, owner: Owner) -> list[str]:
        """The ids a create may reference: extended profile only, at most the profile's limit, named verbatim."""
        if not ids:
            return []
        allowed = get_profile(profile).max_characters
        if allowed == 0:
            raise ContractError(
                f"Invalid 'characters': this server runs the '{profile}' profile, which has no characters. "
                "They are part of the 'extended' profile (setting server.profile: extended).",
                field="characters",
                code="unsupported_parameter",
            )
        if len(ids) > allowed:
            raise ContractError(
                f"Invalid 'characters': {len(ids)} given, at most {allowed} per video.",
                field="characters",
                code="array_above_max_length",
            )
        for index, character_id in enumerate(ids):
            character = self.find(character_id, owner=owner)
            if character is None:
                raise ContractError(
                    f"Invalid 'characters[{index}][id]': no character with id '{character_id}'. "
                    "Create one with POST /v1/videos/characters.",
                    field=f"characters[{index}][id]",
                    value=character_id,
                )
            if character.name not in prompt:
                raise ContractError(
                    f"Invalid 'prompt': it must name the character '{character.name}' ({character.id}) verbatim, "
                    "exactly as it was created, so the model knows where it appears.",
                    field="prompt",
                    code="character_not_named",
                )
        return list(ids)


def check_name(name: Any) -> str:
    if not isinstance(name, str):
        raise ContractError(
            "Invalid type for 'name': expected a string.", field="name", code="invalid_type", value=None
        )
    if not 1 <= len(name) <= NAME_MAX_CHARACTERS or not name.strip():
        raise ContractError(
            f"Invalid 'name': {len(name)} characters. A character's name has 1 to {NAME_MAX_CHARACTERS} characters "
            "and is not blank.",
            field="name",
            value=name,
        )
    return name


def _check_clip(stored: StoredVideo) -> None:
    low, high = CLIP_SECONDS
    if not low - CLIP_TOLERANCE_SECONDS <= stored.seconds <= high + CLIP_TOLERANCE_SECONDS:
        raise InputError(
            f"Invalid 'video': the clip is {stored.seconds:.2f} s long; a character is made from a clip of "
            f"{low:g} to {high:g} seconds.",
            field="video",
        )


def _to_character(row: Any) -> Character:
    return Character(
        id=row["id"],
        name=row["name"],
        created_at=int(row["created_at"]),
        video_path=row["video_path"],
        idempotency_key=row["idempotency_key"],
        body_hash=row["body_hash"],
        owner=row["owner"],
    )


__all__ = ["Character", "CharacterStore", "check_name"]
