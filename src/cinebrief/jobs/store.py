"""The durable job store: SQLAlchemy over SQLite in WAL mode by default, or any URL (PostgreSQL) from settings.

The store is the source of truth. Every state change is one short transaction whose WHERE clause states
the state it expects, so a delete racing a worker's claim resolves in the database, not in Python.
"""

from __future__ import annotations

import builtins
import dataclasses
import fcntl
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Connection,
    Engine,
    MetaData,
    Table,
    and_,
    bindparam,
    create_engine,
    delete,
    event,
    func,
    insert,
    make_url,
    or_,
    select,
    update,
)
from sqlalchemy.engine import RowMapping
from sqlalchemy.exc import IntegrityError, OperationalError

from cinebrief.contract.video import VIDEO_KEYS, Video
from cinebrief.errors import ConfigError, ContractError
from cinebrief.jobs.dispatch import hold_owner, mark_dispatched, owned, owner_turns
from cinebrief.jobs.migrations import migrate
from cinebrief.jobs.outbox import Outbox
from cinebrief.jobs.records import COMPLETED, FAILED, IN_PROGRESS, QUEUED, Job

_JOB_FIELDS = tuple(field.name for field in dataclasses.fields(Job))
CLAIM_TRIES = 5
# What `Job.to_video` reads: the wire's keys that are columns, and the columns behind the others (`error`, the
# remix's `cinebrief`), plus the fields a Job cannot be built without.
_VIDEO_FIELDS = (
    *(key for key in VIDEO_KEYS if key not in ("object", "error")),
    *("backend", "seed", "error_code", "error_message", "effective_prompt", "change_record", "owner"),
)


class DuplicateIdempotencyKey(Exception):
    """Another job already holds this Idempotency-Key."""


class QueueFull(Exception):
    """The owner already has `waiting` unfinished jobs, as many as the insert's `queue_limit` or more."""

    def __init__(self, waiting: int) -> None:
        super().__init__(waiting)
        self.waiting = waiting


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def open_database(url: str) -> Engine:
    """An SQLAlchemy engine for `url`; for SQLite, create the folder and switch on WAL."""
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": 10}, pool_size=32, max_overflow=32
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_size=32, max_overflow=32, pool_pre_ping=True)


@contextmanager
def _migration_lock(url: str) -> Iterator[None]:
    """SQLite: an exclusive lock on a file beside the database while migrating (PostgreSQL locks inside)."""
    path = url.split("///", 1)[-1] if url.startswith("sqlite") else ""
    if not path or path == ":memory:":
        yield
        return
    with open(f"{path}.migrate-lock", "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


# A job no worker holds any more (ended, or handed back to the queue).
_UNHELD: dict[str, Any] = {"worker_id": None, "lease_until": None}


class JobStore:
    """Jobs in a database. Thread-safe: each call is its own connection and transaction."""

    def __init__(self, url: str, *, outbox: bool = False) -> None:
        """`outbox`: a job that ends records its webhook event (`jobs/outbox.py`) in the same transaction."""
        self.url = url
        self.database = open_database(url)
        try:
            with _migration_lock(url), self.database.begin() as connection:
                migrate(connection)
        except OperationalError as exc:
            self.database.dispose()
            shown = make_url(url).render_as_string(hide_password=True)
            reason = str(exc.orig).strip().splitlines()[0] if exc.orig else type(exc).__name__
            raise ConfigError(f"Cannot reach the job database at {shown}: {reason}") from None
        self.table = Table("jobs", MetaData(), autoload_with=self.database)
        self.owners = Table("owners", MetaData(), autoload_with=self.database)
        self.outbox = Outbox(self.database) if outbox else None
        columns = [self.table.c[name] for name in _VIDEO_FIELDS]
        self._video_query = select(*columns).where(self.table.c.id == bindparam("job_id"))
        self._owned_video_query = self._video_query.where(self.table.c.owner == bindparam("owner"))

    def close(self) -> None:
        self.database.dispose()

    # -- reading ---------------------------------------------------------------------------------------

    def _owned(self, owner: str | None) -> Any:
        """The WHERE clause of an owner's rows (`owner` None: every row, an admin's view)."""
        return owned(self.table.c.owner, owner)

    def get(self, job_id: str, *, owner: str | None = None) -> Job | None:
        """The row, if it exists and belongs to `owner` (None: anyone's)."""
        query = select(self.table).where(self.table.c.id == job_id, self._owned(owner))
        with self.database.connect() as connection:
            row = connection.execute(query).mappings().first()
        return _to_job(row) if row else None

    def video(self, job_id: str, *, owner: str | None = None) -> Video | None:
        """The wire view of one job: only the columns a Video shows (what every poll reads, kept cheap)."""
        query, values = self._video_query, {"job_id": job_id}
        if owner is not None:
            query, values = self._owned_video_query, {**values, "owner": owner}
        with self.database.connect() as connection:
            row = connection.execute(query, values).mappings().first()
        return Job(**row).to_video() if row else None

    def find_by_idempotency_key(self, key: str, *, owner: str) -> Job | None:
        """The job `owner` made with this Idempotency-Key (keys are per owner)."""
        with self.database.connect() as connection:
            query = select(self.table).where(self.table.c.idempotency_key == key, self.table.c.owner == owner)
            row = connection.execute(query).mappings().first()
        return _to_job(row) if row else None

    def unfinished(self, owner: str) -> int:
        """How many of `owner`'s jobs are queued or running."""
        with self.database.connect() as connection:
            return self._unfinished(connection, owner)

    def _unfinished(self, connection: Connection, owner: str) -> int:
        columns = self.table.c
        query = select(func.count()).where(columns.owner == owner, columns.status.in_((QUEUED, IN_PROGRESS)))
        return int(connection.scalar(query) or 0)

    def list(
        self, *, limit: int, order: str, after: str | None, owner: str | None = None
    ) -> tuple[builtins.list[Job], bool]:
        """One page of `owner`'s jobs (None: everyone's) ordered by creation (`seq`); `after` is the last id of
        the previous page (another owner's id is no cursor, as if it did not exist)."""
        columns = self.table.c
        query = select(self.table).where(self._owned(owner))
        with self.database.connect() as connection:
            if after is not None:
                cursor = connection.scalar(select(columns.seq).where(columns.id == after, self._owned(owner)))
                if cursor is None:
                    raise ContractError(
                        f"Invalid 'after': no video with id '{after}'. Pass the last_id of the previous page.",
                        field="after",
                        value=after,
                    )
                query = query.where(columns.seq > cursor if order == "asc" else columns.seq < cursor)
            query = query.order_by(columns.seq.asc() if order == "asc" else columns.seq.desc()).limit(limit + 1)
            rows = connection.execute(query).mappings().all()
        jobs = [_to_job(row) for row in rows[:limit]]
        return jobs, len(rows) > limit

    def expired_outputs(self, now: int) -> builtins.list[Job]:
        with self.database.connect() as connection:
            columns = self.table.c
            query = select(self.table).where(columns.expires_at <= now, columns.output_dir.is_not(None))
            return [_to_job(row) for row in connection.execute(query).mappings()]

    def count(self) -> int:
        with self.database.connect() as connection:
            return int(connection.scalar(select(func.count()).select_from(self.table)) or 0)

    # -- writing ---------------------------------------------------------------------------------------

    def insert(self, job: Job, *, queue_limit: int = 0) -> Job:
        """Record `job`. With a `queue_limit`, only if its owner has fewer unfinished jobs than that (else
        `QueueFull`): counted and inserted in one transaction that holds the owner, so requests arriving
        together cannot all count below the limit."""
        values = {name: getattr(job, name) for name in _JOB_FIELDS if name != "seq"}
        try:
            with self.database.begin() as connection:
                if queue_limit:
                    hold_owner(connection, self.owners, job.owner)
                    if (waiting := self._unfinished(connection, job.owner)) >= queue_limit:
                        raise QueueFull(waiting)
                key = connection.execute(insert(self.table).values(**values)).inserted_primary_key
                assert key is not None  # a single-row INSERT always has one
                seq = int(key[0])
        except IntegrityError as exc:
            if job.idempotency_key and self.find_by_idempotency_key(job.idempotency_key, owner=job.owner):
                raise DuplicateIdempotencyKey(job.idempotency_key) from exc
            raise
        return dataclasses.replace(job, seq=seq)

    def claim_next(
        self,
        *,
        worker_id: str,
        now: float,
        lease_seconds: float,
        backends: Iterable[str] = (),
        models: Iterable[str] = (),
    ) -> Job | None:
        """Take a claimable job of `backends` or `models` for `worker_id` (queued, or running on an expired
        lease): the oldest of the owner whose turn it is (`jobs/dispatch.py`: round-robin by owner).

        The attempt is counted, the lease set and the owner's dispatch recorded in the same transaction. On
        PostgreSQL the candidate row is locked with `FOR UPDATE SKIP LOCKED`, so servers dispatching at once
        take different rows; the UPDATE's WHERE clause repeats the condition, so a lost race (SQLite) takes
        nothing.
        """
        for _ in range(CLAIM_TRIES):  # another worker may take the row between our SELECT and UPDATE (SQLite)
            found, job = self._claim_once(worker_id, now, lease_seconds, backends, models)
            if not found or job is not None:
                return job
        return None

    def _claim_once(
        self, worker_id: str, now: float, lease_seconds: float, backends: Iterable[str], models: Iterable[str]
    ) -> tuple[bool, Job | None]:
        """(whether there was a candidate, the job claimed or None when another worker won it)."""
        columns = self.table.c
        claimable = self._claimable(now)
        lane = or_(columns.backend.in_(list(backends)), columns.model.in_(list(models)))
        with self.database.begin() as connection:
            candidate = owner = None
            for owner in connection.scalars(owner_turns(self.table, self.owners, lane, claimable, now)).all():
                candidate = connection.scalar(
                    select(columns.id)
                    .where(lane, claimable, columns.owner == owner)
                    .order_by(columns.seq)
                    .limit(1)
                    .with_for_update(skip_locked=True)
                )
                if candidate is not None:
                    break
            if candidate is None or owner is None:
                return False, None
            result = connection.execute(
                update(self.table)
                .where(columns.id == candidate, claimable)
                .values(
                    status=IN_PROGRESS,
                    started_at=int(now),
                    attempts=columns.attempts + 1,
                    progress=func.max(columns.progress, 1) if self._sqlite else func.greatest(columns.progress, 1),
                    worker_id=worker_id,
                    lease_until=now + lease_seconds,
                )
            )
            if result.rowcount != 1:
                return True, None
            mark_dispatched(connection, self.owners, owner, now)
            row = connection.execute(select(self.table).where(columns.id == candidate)).mappings().first()
        return True, (_to_job(row) if row else None)

    def _claimable(self, now: float) -> Any:
        columns = self.table.c
        expired = or_(columns.lease_until.is_(None), columns.lease_until < now)
        return or_(columns.status == QUEUED, and_(columns.status == IN_PROGRESS, expired))

    def has_claimable(self, *, now: float, backends: Iterable[str] = (), models: Iterable[str] = ()) -> bool:
        columns = self.table.c
        lane = or_(columns.backend.in_(list(backends)), columns.model.in_(list(models)))
        with self.database.connect() as connection:
            return connection.scalar(select(columns.id).where(lane, self._claimable(now)).limit(1)) is not None

    def claimable(self, now: float) -> set[tuple[str, str]]:
        """(backend, model) of the jobs there are to claim now."""
        columns = self.table.c
        with self.database.connect() as connection:
            query = select(columns.backend, columns.model).where(self._claimable(now)).distinct()
            return {(row[0], row[1]) for row in connection.execute(query)}

    def renew(self, job_id: str, *, worker_id: str, lease_until: float) -> bool:
        """Extend `worker_id`'s lease; False when the job is gone (deleted) or no longer this worker's."""
        return self._update_held(job_id, worker_id, {"lease_until": lease_until})

    def release(self, job_id: str, *, worker_id: str, spend_attempt: bool = False) -> bool:
        """Hand a running job back, queued again: after a graceful stop the attempt is not counted; after a
        lost worker (`spend_attempt`) it is, so that a job that keeps killing its workers ends."""
        attempts = self.table.c.attempts - (0 if spend_attempt else 1)
        values = {"status": QUEUED, "progress": 0, "attempts": attempts, "started_at": None, **_UNHELD}
        return self._update_held(job_id, worker_id, values)

    def held_leases(self) -> builtins.list[tuple[str, str, float, int]]:
        """(job id, worker id, lease end, attempts) of every running job."""
        columns = self.table.c
        with self.database.connect() as connection:
            query = select(columns.id, columns.worker_id, columns.lease_until, columns.attempts).where(
                columns.status == IN_PROGRESS
            )
            return [(row[0], row[1] or "", float(row[2] or 0), int(row[3])) for row in connection.execute(query)]

    def expire_lease(self, job_id: str, *, worker_id: str) -> bool:
        """End a lease now (its worker is known to be dead), so that the job can be claimed again."""
        return self._update_held(job_id, worker_id, {"lease_until": 0.0})

    def set_progress(self, job_id: str, progress: int, *, worker_id: str, lease_until: float) -> bool:
        """Raise progress (never lower it) and renew the lease; True when the progress changed."""
        values = {"progress": progress, "lease_until": lease_until}
        return self._update_held(job_id, worker_id, values, self.table.c.progress < progress)

    def checkpoint(self, job_id: str, state: Mapping[str, Any]) -> None:
        with self.database.begin() as connection:
            connection.execute(update(self.table).where(self.table.c.id == job_id).values(resume_state=dict(state)))

    def complete(
        self,
        job_id: str,
        *,
        worker_id: str,
        completed_at: int,
        expires_at: int | None,
        output_dir: str,
        metadata: Mapping[str, Any],
    ) -> bool:
        """Record completion, only while `worker_id` still holds the job (a worker whose lease was taken over
        by another does not complete it a second time)."""
        values = {
            "status": COMPLETED,
            "progress": 100,
            "completed_at": completed_at,
            "expires_at": expires_at,
            "output_dir": output_dir,
            "result_metadata": dict(metadata),
            **_UNHELD,
        }
        return self._update_held(job_id, worker_id, values, ended=(COMPLETED, completed_at))

    def _update_held(
        self,
        job_id: str,
        worker_id: str,
        values: Mapping[str, Any],
        *conditions: Any,
        ended: tuple[str, float] | None = None,
    ) -> bool:
        """Update a running job only while `worker_id` holds it (and `conditions` hold), in one statement; a
        job that `ended` (its status, when) gets its webhook delivery in the outbox, in the same transaction."""
        columns = self.table.c
        held = (columns.id == job_id, columns.status == IN_PROGRESS, columns.worker_id == worker_id)
        with self.database.begin() as connection:
            result = connection.execute(update(self.table).where(*held, *conditions).values(**values))
            if ended is not None and self.outbox is not None and result.rowcount == 1:
                self.outbox.add(connection, job_id, ended[0], ended[1])
        return result.rowcount == 1

    def fail(self, job_id: str, *, worker_id: str, code: str, message: str, completed_at: int) -> bool:
        """Fail a job `worker_id` holds; progress keeps its last value."""
        values = {"status": FAILED, "error_code": code, "error_message": message, "completed_at": completed_at}
        return self._update_held(job_id, worker_id, {**values, **_UNHELD}, ended=(FAILED, completed_at))

    def delete(self, job_id: str, *, statuses: Iterable[str], owner: str | None = None) -> bool:
        """Delete the row if its status is one of `statuses` and it is `owner`'s (checked in the same statement)."""
        columns = self.table.c
        where = (columns.id == job_id, columns.status.in_(statuses), self._owned(owner))
        with self.database.begin() as connection:
            result = connection.execute(delete(self.table).where(*where))
        return result.rowcount == 1

    def release_idempotency_key(self, key: str, *, owner: str) -> None:
        """Free `owner`'s key whose 24-hour window has passed, so that it can name a new job."""
        columns = self.table.c
        with self.database.begin() as connection:
            connection.execute(
                update(self.table)
                .where(columns.idempotency_key == key, columns.owner == owner)
                .values(idempotency_key=None)
            )

    def forget_output(self, job_id: str) -> None:
        with self.database.begin() as connection:
            connection.execute(update(self.table).where(self.table.c.id == job_id).values(output_dir=None))

    @property
    def _sqlite(self) -> bool:
        return self.database.dialect.name == "sqlite"


def _to_job(row: RowMapping) -> Job:
    values = {name: row[name] for name in _JOB_FIELDS}
    for name in ("options", "resume_state", "result_metadata"):
        values[name] = dict(values[name] or {})
    values["character_ids"] = list(values["character_ids"] or [])
    return Job(**values)


__all__ = ["QUEUED", "DuplicateIdempotencyKey", "JobStore", "open_database"]
