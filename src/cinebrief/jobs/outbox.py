"""The webhook outbox: one row per event to deliver, written in the same transaction as the job's end.

A job that completes or fails while webhooks are on gets its `video.completed` / `video.failed` row with
its event id at once, so a crash after the job ends loses no delivery, and a restart delivers what was
waiting (with the same id: receivers deduplicate on `webhook-id`). Deliverers claim a row by moving its
`next_at` forward in one conditional update, so servers sharing the store do not send it together.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, Engine, MetaData, Table, delete, insert, select, update

from cinebrief.contract.video import new_id

EVENT_TYPES = {"completed": "video.completed", "failed": "video.failed"}


@dataclass(frozen=True)
class OutboxEvent:
    id: str
    type: str
    video_id: str
    created_at: int
    attempts: int
    next_at: float

    def payload(self) -> dict[str, object]:
        """The event as it is sent, the same bytes on every attempt (the id only, as OpenAI's)."""
        return {
            "id": self.id,
            "object": "event",
            "created_at": self.created_at,
            "type": self.type,
            "data": {"id": self.video_id},
        }


class Outbox:
    """The `webhook_outbox` table (created by the store's migrations)."""

    def __init__(self, database: Engine) -> None:
        self.database = database
        self.table = Table("webhook_outbox", MetaData(), autoload_with=database)

    def add(self, connection: Connection, video_id: str, status: str, now: float) -> None:
        """Inside the transaction that ends the job."""
        created_at = int(now)
        connection.execute(
            insert(self.table).values(
                id=new_id("evt", created_at=created_at),
                type=EVENT_TYPES[status],
                video_id=video_id,
                created_at=created_at,
                attempts=0,
                next_at=now,
            )
        )

    def claim_due(self, now: float, hold_seconds: float, limit: int = 20) -> list[OutboxEvent]:
        """Events due by `now`, each claimed for `hold_seconds` (another deliverer skips it meanwhile)."""
        columns = self.table.c
        with self.database.connect() as connection:
            rows = connection.execute(
                select(self.table).where(columns.next_at <= now).order_by(columns.next_at).limit(limit)
            ).mappings()
            found = [OutboxEvent(**row) for row in rows]
        claimed = []
        for event in found:
            with self.database.begin() as connection:
                taken = connection.execute(
                    update(self.table)
                    .where(columns.id == event.id, columns.next_at == event.next_at)
                    .values(next_at=now + hold_seconds)
                )
            if taken.rowcount == 1:
                claimed.append(event)
        return claimed

    def delivered(self, event_id: str) -> None:
        with self.database.begin() as connection:
            connection.execute(delete(self.table).where(self.table.c.id == event_id))

    def retry(self, event_id: str, attempts: int, next_at: float) -> None:
        with self.database.begin() as connection:
            connection.execute(
                update(self.table).where(self.table.c.id == event_id).values(attempts=attempts, next_at=next_at)
            )
