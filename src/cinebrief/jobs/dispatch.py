"""Fair dispatch: which owner's job a worker claims next (round-robin by owner, not oldest-first overall).

Among the owners with a claimable job in the worker's lane, the turn goes to the owner with the fewest jobs
running in that lane now (an expired lease does not count), ties to the owner whose last dispatch is the
oldest (`owners.last_claimed_at`; never dispatched comes first), then by owner id. That owner's oldest
claimable job is taken. So one key's 200 queued jobs do not hold another key's one job behind them: the
other key's job is dispatched as soon as a worker frees, whatever the queue's order.

`JobStore.claim_next` runs these in its claim transaction: the turns, then per owner in turn the oldest row
(`FOR UPDATE SKIP LOCKED` on PostgreSQL, so an owner whose rows other servers are claiming this moment
passes the turn on), and records the dispatch in the same transaction. The owners' SQL lives here too:
`owned`, the filter of one owner's rows that the store and the characters use, and `hold_owner`.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Select, Table, func, select, true

from cinebrief.jobs.records import IN_PROGRESS


def owner_turns(jobs: Table, owners: Table, lane: Any, claimable: Any, now: float) -> Select[Any]:
    """The owners with claimable jobs in `lane`, in the order they get the next job."""
    columns = jobs.c
    waiting = select(columns.owner).where(lane, claimable).distinct().subquery()
    held = columns.lease_until >= now  # a running job whose lease has not run out
    running = (
        select(columns.owner, func.count().label("running"))
        .where(lane, columns.status == IN_PROGRESS, held)
        .group_by(columns.owner)
        .subquery()
    )
    return (
        select(waiting.c.owner)
        .select_from(
            waiting.outerjoin(running, running.c.owner == waiting.c.owner).outerjoin(
                owners, owners.c.owner == waiting.c.owner
            )
        )
        .order_by(func.coalesce(running.c.running, 0), func.coalesce(owners.c.last_claimed_at, 0.0), waiting.c.owner)
    )


def owned(column: Any, scope: str | None) -> Any:
    """The WHERE clause of the rows whose owner `column` is `scope` (an `Owner.scope`; None: every row)."""
    return true() if scope is None else column == scope


def _upsert(connection: Connection, owners: Table) -> Any:
    """The dialect's own INSERT (it has ON CONFLICT), imported here: PostgreSQL's dialect costs a SQLite
    start-up 30 ms."""
    if connection.dialect.name == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        return sqlite_insert(owners)
    from sqlalchemy.dialects.postgresql import insert as postgresql_insert

    return postgresql_insert(owners)


def mark_dispatched(connection: Connection, owners: Table, owner: str, now: float) -> None:
    """Record that `owner` was given a job at `now` (an upsert on SQLite and PostgreSQL alike)."""
    statement = _upsert(connection, owners).values(owner=owner, last_claimed_at=now)
    connection.execute(statement.on_conflict_do_update(index_elements=[owners.c.owner], set_={"last_claimed_at": now}))


def hold_owner(connection: Connection, owners: Table, owner: str) -> None:
    """Take `owner`'s row for the rest of the transaction (made if missing, left as it is), so that two
    transactions admitting jobs of one owner run one after the other: its row lock on PostgreSQL, the
    database's write lock on SQLite."""
    statement = _upsert(connection, owners).values(owner=owner, last_claimed_at=0.0)
    unchanged = {"last_claimed_at": owners.c.last_claimed_at}
    connection.execute(statement.on_conflict_do_update(index_elements=[owners.c.owner], set_=unchanged))


__all__ = ["hold_owner", "mark_dispatched", "owned", "owner_turns"]
