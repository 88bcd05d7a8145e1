"""The store's schema as a plain list of migrations, applied in order and recorded in `schema_migrations`.

A migration is a function of a connection; its position in `MIGRATIONS` (1-based) is its version. Never
edit a released migration: append a new one.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    Connection,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    insert,
    select,
    text,
)

Migration = Callable[[Connection], None]


def _create_jobs(connection: Connection) -> None:
    metadata = MetaData()
    table = Table(
        "jobs",
        metadata,
        Column("seq", Integer, primary_key=True, autoincrement=True),
        Column("id", String(64), nullable=False, unique=True),
        Column("model", String(200), nullable=False),
        Column("backend", String(200), nullable=False),
        Column("status", String(20), nullable=False, index=True),
        Column("progress", Integer, nullable=False, default=0),
        Column("created_at", BigInteger, nullable=False),
        Column("started_at", BigInteger),
        Column("completed_at", BigInteger),
        Column("expires_at", BigInteger),
        Column("prompt", Text, nullable=False),
        Column("size", String(20), nullable=False),
        Column("seconds", String(8), nullable=False),
        Column("seed", BigInteger, nullable=False),
        Column("remixed_from_video_id", String(64)),
        Column("remix_source_prompt", Text),
        Column("remix_change", Text),
        Column("error_code", String(100)),
        Column("error_message", Text),
        Column("options", JSON, nullable=False),
        Column("brief_json", JSON),
        Column("shot_json", JSON),
        Column("reference_path", Text),
        Column("resume_state", JSON, nullable=False),
        Column("result_metadata", JSON, nullable=False),
        Column("idempotency_key", String(255)),
        Column("body_hash", String(64)),
        Column("output_dir", Text),
        Column("attempts", Integer, nullable=False, default=0),
        Index("ix_jobs_idempotency_key", "idempotency_key", unique=True),
    )
    table.create(connection)


def _add_column(connection: Connection, table: str, column: Column[object]) -> None:
    kind = column.type.compile(dialect=connection.dialect)
    connection.execute(text(f"ALTER TABLE {table} ADD COLUMN {column.name} {kind}"))


def _videos_2026(connection: Connection) -> None:
    """Characters (`char_…`), and what edits, extensions and character references record on a job."""
    Table(
        "characters",
        MetaData(),
        Column("seq", Integer, primary_key=True, autoincrement=True),
        Column("id", String(64), nullable=False, unique=True),
        Column("name", String(200), nullable=False),
        Column("created_at", BigInteger, nullable=False),
        Column("video_path", Text, nullable=False),
        Column("idempotency_key", String(255)),
        Column("body_hash", String(64)),
        Index("ix_characters_idempotency_key", "idempotency_key", unique=True),
    ).create(connection)
    _add_column(connection, "jobs", Column("character_ids", JSON))  # characters referenced on create
    _add_column(connection, "jobs", Column("clip_seconds", String(8)))  # an extension: the new clip's length
    _add_column(connection, "jobs", Column("source_video_path", Text))  # the uploaded or extended source video


def _leases(connection: Connection) -> None:
    """A running job's lease: which worker holds it and until when (unix seconds); progress renews it."""
    _add_column(connection, "jobs", Column("worker_id", String(200)))
    _add_column(connection, "jobs", Column("lease_until", Float))
    connection.execute(text("CREATE INDEX ix_jobs_backend_status ON jobs (backend, status)"))


def _remix_records(connection: Connection) -> None:
    """A remix's effective prompt (its source with the change applied) and the record of what changed."""
    _add_column(connection, "jobs", Column("effective_prompt", Text))
    _add_column(connection, "jobs", Column("change_record", JSON))


def _webhook_outbox(connection: Connection) -> None:
    """Webhook deliveries waiting to be sent (`jobs/outbox.py`)."""
    Table(
        "webhook_outbox",
        MetaData(),
        Column("id", String(64), primary_key=True),
        Column("type", String(32), nullable=False),
        Column("video_id", String(64), nullable=False),
        Column("created_at", BigInteger, nullable=False),
        Column("attempts", Integer, nullable=False),
        Column("next_at", Float, nullable=False, index=True),
    ).create(connection)


def _owners(connection: Connection) -> None:
    """Tenants (`jobs/owners.py`): the owner of every job and character, Idempotency-Keys per owner, and when
    each owner's last job was dispatched (for round-robin claims). Rows made before get the local owner,
    which an admin key sees."""
    for table in ("jobs", "characters"):
        connection.execute(text(f"ALTER TABLE {table} ADD COLUMN owner VARCHAR(64) NOT NULL DEFAULT 'local'"))
        connection.execute(text(f"DROP INDEX ix_{table}_idempotency_key"))
        connection.execute(
            text(f"CREATE UNIQUE INDEX ix_{table}_owner_idempotency_key ON {table} (owner, idempotency_key)")
        )
    connection.execute(text("CREATE INDEX ix_jobs_owner_seq ON jobs (owner, seq)"))
    connection.execute(text("CREATE INDEX ix_jobs_status_owner ON jobs (status, owner)"))
    Table(
        "owners",
        MetaData(),
        Column("owner", String(64), primary_key=True),
        Column("last_claimed_at", Float, nullable=False),
    ).create(connection)


MIGRATIONS: list[Migration] = [_create_jobs, _videos_2026, _leases, _remix_records, _webhook_outbox, _owners]

_VERSIONS = Table(
    "schema_migrations",
    MetaData(),
    Column("version", Integer, primary_key=True),
    Column("name", String(200), nullable=False),
)


# Any constant will do: it names the lock that every cinebrief server takes while it migrates.
_ADVISORY_LOCK = 0x63696E65  # "cine"


def migrate(connection: Connection) -> int:
    """Apply every migration not yet recorded; return the schema version now in place.

    Call it inside a transaction. On PostgreSQL it first takes a transaction-level advisory lock, so that
    servers starting together on an empty database migrate one after the other (the second finds the
    work done); on SQLite the caller holds the lock (`JobStore` uses a file lock beside the database).
    """
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _ADVISORY_LOCK})
    _VERSIONS.create(connection, checkfirst=True)
    applied: set[int] = set(connection.scalars(select(_VERSIONS.c.version)))
    for version, migration in enumerate(MIGRATIONS, start=1):
        if version in applied:
            continue
        migration(connection)
        connection.execute(insert(_VERSIONS).values(version=version, name=migration.__name__.lstrip("_")))
    return len(MIGRATIONS)
