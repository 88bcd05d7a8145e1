"""Admission: what every request that makes a job (or a character) goes through, in one place.

- `VideoRequest`, the create fields, and `check_parameters` (model, size, seconds, reference image): the
  parameter check, apart from the prompt check (`contract.profile.check_prompt`), which callers make first.
- `body_hash(kind, *parts)`: the one hash of a request body (bytes parts go in as their SHA-256), so the same
  request hashes the same whatever encoding carried it.
- `idempotent(...)`: the Idempotency-Key rule for videos and characters alike: within 24 hours the same
  key and body give back what the first request made; another body is a 400; after 24 hours the key is
  released and names a new request.
- `Admission`: the queued-job factory, reference saving, source lookup, and the insert that resolves a
  race between two requests with one key.

`jobs/engine.py` (create, remix) and `jobs/derive.py` (edits and extensions of uploads, extensions) use
it; neither imports the other's module for it.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from cinebrief.backends.base import OUTPUT_FILES
from cinebrief.contract.profile import DEFAULTS, OFFICIAL_MODELS, get_profile
from cinebrief.contract.reference import check_reference_size, read_reference
from cinebrief.contract.video import Video, new_id
from cinebrief.errors import ConflictError, InputError, NotFoundError, TooManyJobsError
from cinebrief.jobs.owners import LOCAL_OWNER, Owner
from cinebrief.jobs.pool import BackendPool
from cinebrief.jobs.records import FAILED, QUEUED, UNFINISHED, Job
from cinebrief.jobs.runner import DataFolders
from cinebrief.jobs.store import DuplicateIdempotencyKey, JobStore, QueueFull
from cinebrief.settings import Settings

if TYPE_CHECKING:
    from cinebrief.brief.schema import Brief, Shot

IDEMPOTENCY_WINDOW_SECONDS = 24 * 3600


@dataclass(frozen=True)
class VideoRequest:
    """What `Engine.submit` takes: the create fields of the API plus cinebrief's extras."""

    prompt: str
    model: str = DEFAULTS.model
    size: str = DEFAULTS.size
    seconds: Any = DEFAULTS.seconds  # checked: a string such as "4"
    input_reference: bytes | None = None
    seed: int | None = None  # None: a random seed, recorded on the job
    brief: Brief | None = None
    shot: Shot | None = None
    options: dict[str, Any] = field(default_factory=dict)
    characters: tuple[str, ...] = ()  # character ids (`char_…`), extended profile only

    def hash(self) -> str:
        """The same request gives the same hash, whatever encoding (JSON or multipart) carried it."""
        return body_hash(
            "create",
            {
                "prompt": self.prompt,
                "model": self.model,
                "size": self.size,
                "seconds": self.seconds,
                "seed": self.seed,
                "options": self.options,
                "brief": self.brief.model_dump(mode="json") if self.brief else None,
                "shot": self.shot.model_dump(mode="json") if self.shot else None,
                "reference": self.input_reference,
                "characters": list(self.characters),
            },
        )


def body_hash(kind: str, *parts: Any) -> str:
    """One SHA-256 of a request body: its kind and parts as canonical JSON, bytes as their own SHA-256."""

    def plain(value: Any) -> Any:
        if isinstance(value, bytes):
            return "sha256:" + hashlib.sha256(value).hexdigest()
        if isinstance(value, dict):
            return {str(key): plain(item) for key, item in value.items()}
        if isinstance(value, list | tuple):
            return [plain(item) for item in value]
        return value

    text = json.dumps([kind, *plain(list(parts))], sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


class Keyed(Protocol):
    """What an Idempotency-Key made (a job or a character), read-only."""

    @property
    def id(self) -> str: ...

    @property
    def created_at(self) -> int: ...

    @property
    def body_hash(self) -> str | None: ...


K = TypeVar("K", bound=Keyed)


def idempotent(found: K | None, key: str, request_hash: str, *, release: Callable[[str], None]) -> K | None:
    """What an earlier request with `key` made, if it is to be returned instead of making a new one.

    Past the 24-hour window the key is released (`release(key)`) and None is returned; a different body
    under a live key is a 400 naming what the key made.
    """
    if found is None:
        return None
    if found.created_at < time.time() - IDEMPOTENCY_WINDOW_SECONDS:
        release(key)
        return None
    if found.body_hash != request_hash:
        noun = "character" if found.id.startswith("char_") else "video"
        raise InputError(
            f"Idempotency-Key '{key}' was already used for a different request ({noun} '{found.id}'). "
            "Use a new key for a new request.",
            field=None,
            code="idempotency_key_reused",
        )
    return found


class Admission:
    """Checks, records and queues new jobs; `on_insert` hands an inserted job to the runner."""

    def __init__(
        self,
        settings: Settings,
        store: JobStore,
        pool: BackendPool,
        layout: DataFolders,
        on_insert: Callable[[Job], None],
    ) -> None:
        self.settings = settings
        self.store = store
        self.pool = pool
        self.layout = layout
        self._on_insert = on_insert

    def check_parameters(
        self, model: str, size: str, seconds: Any, input_reference: bytes | None = None
    ) -> tuple[bytes, str] | None:
        """Every rule for the parameters of a create (not the prompt); returns the reference and its format."""
        self.pool.backend_name(model)  # an unknown model is a 400 naming the models served
        if model in OFFICIAL_MODELS:
            get_profile(self.settings.server.profile).check(model=model, size=size, seconds=seconds)
        else:
            self.pool.capabilities(model).check(model=model, size=size, seconds=seconds)
        if input_reference is None:
            return None
        image = read_reference(input_reference)
        check_reference_size(image, size)
        return image.data, image.format

    def allowed_seconds(self, model: str) -> tuple[str, ...]:
        if model in OFFICIAL_MODELS:
            return get_profile(self.settings.server.profile).spec(model).seconds
        return self.pool.capabilities(model).seconds

    def replay(self, key: str | None, request_hash: str, owner: Owner) -> Video | None:
        """The Video an earlier request of `owner` with this key and body made, to return instead of a new one
        (Idempotency-Keys are per owner: another key's never collides)."""
        if not key:
            return None

        def release(stale: str) -> None:
            self.store.release_idempotency_key(stale, owner=owner.id)

        found = idempotent(self.store.find_by_idempotency_key(key, owner=owner.id), key, request_hash, release=release)
        return found.to_video() if found is not None else None

    def new_id(self) -> tuple[str, int]:
        created_at = int(time.time())
        return new_id("video", created_at=created_at), created_at

    def queued_job(self, job_id: str, created_at: int, *, model: str, owner: Owner, **fields: Any) -> Job:
        """A new job row of `owner`: queued at progress 0, routed to the backend that serves `model`."""
        backend = self.pool.backend_name(model)
        return Job(
            id=job_id,
            model=model,
            backend=backend,
            status=QUEUED,
            progress=0,
            created_at=created_at,
            owner=owner.id,
            **fields,
        )

    def save_reference(self, job_id: str, reference: tuple[bytes, str]) -> str:
        data, image_format = reference
        path = self.layout.inputs / f"{job_id}.{image_format}"
        temp = path.with_suffix(".partial")
        temp.write_bytes(data)
        os.replace(temp, path)
        return str(path)

    def completed_source(self, video_id: str, done: str = "remixed", *, owner: Owner, field: str = "video_id") -> Job:
        """The job a remix, edit or extension starts from: 404 unless `owner` sees it, 409 while it is
        unfinished, 400 when it failed."""
        source = self.store.get(video_id, owner=owner.scope)
        if source is None:
            raise NotFoundError(f"No video found with id '{video_id}'.")
        if source.status in UNFINISHED:
            raise ConflictError(f"Video '{video_id}' is {source.status}; only a completed video can be {done}.")
        if source.status == FAILED:
            raise InputError(f"Video '{video_id}' failed; only a completed video can be {done}.", field=field)
        return source

    def insert(self, job: Job) -> Video:
        """Record the job and queue it; a concurrent request with the same key that won the race is returned.

        Beyond `server.max_queued_per_key` unfinished jobs of its owner (an API key; the local owner has no
        limit) nothing is recorded: a 429."""
        limit = self.settings.server.max_queued_per_key if job.owner != LOCAL_OWNER else 0
        try:
            job = self.store.insert(job, queue_limit=limit)
        except DuplicateIdempotencyKey:
            remove_kept(job)
            found = self.replay(job.idempotency_key, job.body_hash or "", Owner(job.owner))
            if found is None:
                raise
            return found
        except QueueFull as full:
            remove_kept(job)
            raise TooManyJobsError(
                f"Too many queued jobs for this API key: it has {full.waiting} queued or in progress, and this "
                f"server accepts at most {limit} per key (setting server.max_queued_per_key). Wait for some to "
                "finish, or delete queued ones, then try again."
            ) from None
        self._on_insert(job)
        return job.to_video()


def stored_output(job: Job, variant: str) -> Path:
    """A completed job's file of `variant`; 404 once it expired or is gone."""
    if job.expired(time.time()):
        raise NotFoundError(f"The content of video '{job.id}' expired at {job.expires_at} (unix time).")
    path = job.output_path / OUTPUT_FILES[variant] if job.output_path else None
    if path is None or not path.is_file():
        raise NotFoundError(f"The {variant} of video '{job.id}' is no longer stored.")
    return path


def remove_kept(job: Job) -> None:
    """Delete the files a job kept as its inputs (reference image, source video)."""
    for kept in (job.reference_path, job.source_video_path):
        if kept:
            Path(kept).unlink(missing_ok=True)
