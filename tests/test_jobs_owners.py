"""Owners in the job store, on SQLite and on a real PostgreSQL server: scoped reads, per-owner
Idempotency-Keys, the claim order (round-robin by owner), and rows made before owners existed."""

from __future__ import annotations

import dataclasses
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import MetaData, Table, insert

from cinebrief.errors import ContractError
from cinebrief.jobs import migrations
from cinebrief.jobs.migrations import MIGRATIONS
from cinebrief.jobs.owners import LOCAL_OWNER
from cinebrief.jobs.records import Job
from cinebrief.jobs.store import DuplicateIdempotencyKey, JobStore, QueueFull, open_database

LANE = {"backends": ["tiny"]}


def job(index: int, owner: str, **fields) -> Job:
    values = {
        "id": f"video_{index:048x}",
        "model": "tiny",
        "backend": "tiny",
        "status": "queued",
        "progress": 0,
        "created_at": int(time.time()),
        "prompt": f"job {index} of {owner}",
        "size": "256x256",
        "seconds": "4",
        "seed": index,
        "owner": owner,
    }
    return Job(**{**values, **fields})


@pytest.fixture
def store(database_url: str):
    opened = JobStore(database_url)
    try:
        yield opened
    finally:
        opened.close()


def claim(store: JobStore, worker: str = "w/1", now: float | None = None) -> Job | None:
    return store.claim_next(worker_id=worker, now=now or time.time(), lease_seconds=30, **LANE)


def finish(store: JobStore, claimed: Job, worker: str = "w/1") -> None:
    store.complete(
        claimed.id, worker_id=worker, completed_at=int(time.time()), expires_at=None, output_dir="x", metadata={}
    )


def test_reads_are_scoped_by_owner(store: JobStore) -> None:
    mine, theirs = store.insert(job(1, "key_a")), store.insert(job(2, "key_b"))
    assert store.get(mine.id, owner="key_a") is not None and store.get(mine.id, owner="key_b") is None
    assert store.video(theirs.id, owner="key_a") is None and store.video(theirs.id, owner="key_b") is not None
    assert store.get(mine.id) is not None and store.video(theirs.id) is not None  # no owner: an admin's view
    assert [found.id for found in store.list(limit=10, order="asc", after=None, owner="key_a")[0]] == [mine.id]
    assert {found.id for found in store.list(limit=10, order="asc", after=None)[0]} == {mine.id, theirs.id}
    with pytest.raises(ContractError):  # another owner's id is no cursor
        store.list(limit=10, order="asc", after=theirs.id, owner="key_a")
    assert not store.delete(theirs.id, statuses=("queued",), owner="key_a")
    assert store.get(theirs.id) is not None
    assert store.delete(theirs.id, statuses=("queued",), owner="key_b")
    assert store.unfinished("key_a") == 1 and store.unfinished("key_b") == 0


def test_idempotency_keys_are_unique_per_owner(store: JobStore) -> None:
    store.insert(job(1, "key_a", idempotency_key="same"))
    store.insert(job(2, "key_b", idempotency_key="same"))  # another owner: no collision in the database
    with pytest.raises(DuplicateIdempotencyKey):
        store.insert(job(3, "key_a", idempotency_key="same"))
    assert store.find_by_idempotency_key("same", owner="key_b").id == job(2, "key_b").id
    store.release_idempotency_key("same", owner="key_a")
    assert store.find_by_idempotency_key("same", owner="key_a") is None
    assert store.find_by_idempotency_key("same", owner="key_b") is not None


def test_one_worker_takes_jobs_round_robin_by_owner(store: JobStore) -> None:
    for index in range(5):
        store.insert(job(index, "key_a"))
    store.insert(job(10, "key_b"))
    store.insert(job(11, "key_b"))
    order = []
    while (claimed := claim(store)) is not None:
        order.append(claimed.owner)
        finish(store, claimed)
    # oldest-first would be a, a, a, a, a, b, b
    assert order == ["key_a", "key_b", "key_a", "key_b", "key_a", "key_a", "key_a"]


def test_the_queue_limit_holds_for_requests_arriving_together(store: JobStore) -> None:
    """Twelve inserts of one owner at once with a limit of 3: counting and inserting in one transaction that
    holds the owner admits exactly 3 (counting first and inserting after admitted nearly all)."""
    store.insert(job(100, "key_b"), queue_limit=3)  # another owner's job counts for nobody else

    def admit(index: int) -> bool:
        try:
            store.insert(job(index, "key_a"), queue_limit=3)
        except QueueFull as full:
            assert full.waiting >= 3
            return False
        return True

    with ThreadPoolExecutor(max_workers=12) as pool:
        admitted = list(pool.map(admit, range(12)))
    assert sum(admitted) == 3
    assert store.unfinished("key_a") == 3 and store.unfinished("key_b") == 1


def test_the_owner_with_fewer_running_jobs_goes_first(store: JobStore) -> None:
    for index in range(4):
        store.insert(job(index, "key_a"))
    store.insert(job(10, "key_b"))
    first = claim(store, "w/1")
    second = claim(store, "w/2")  # key_a has one running, key_b none
    assert (first.owner, second.owner) == ("key_a", "key_b")
    third = claim(store, "w/3")
    assert third.owner == "key_a" and third.id == job(1, "key_a").id  # that owner's oldest


def test_an_expired_lease_is_still_taken_in_its_owners_turn(store: JobStore) -> None:
    store.insert(job(1, "key_a", status="in_progress", worker_id="dead/1", lease_until=time.time() - 5, attempts=1))
    store.insert(job(2, "key_b"))
    now = time.time()
    # key_a's expired lease is not a running job, so key_a (0 running, key_b never dispatched either: ties go
    # by owner id) is first; if the dead lease counted as running, key_b would be.
    recovered = claim(store, "w/1", now)
    assert recovered is not None and recovered.id == job(1, "key_a").id
    assert recovered.worker_id == "w/1" and recovered.attempts == 2
    assert claim(store, "w/2", now).id == job(2, "key_b").id
    assert claim(store, "w/3") is None


def test_rows_made_before_owners_belong_to_the_local_owner(database_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Migrate to the version before owners, write a row, then open the store: the row is the local owner's."""
    database = open_database(database_url)
    try:
        before_owners = [migration.__name__ for migration in MIGRATIONS].index("_owners")
        monkeypatch.setattr(migrations, "MIGRATIONS", MIGRATIONS[:before_owners])
        with database.begin() as connection:
            migrations.migrate(connection)
            table = Table("jobs", MetaData(), autoload_with=connection)
            assert "owner" not in table.c
            values = dataclasses.asdict(job(1, "ignored"))
            connection.execute(
                insert(table).values({column.name: values[column.name] for column in table.c if column.name != "seq"})
            )
    finally:
        database.dispose()
    monkeypatch.undo()
    store = JobStore(database_url)
    try:
        legacy = store.get(job(1, "x").id)
        assert legacy is not None and legacy.owner == LOCAL_OWNER
        assert store.get(legacy.id, owner="key_a") is None and store.get(legacy.id, owner=LOCAL_OWNER) is not None
    finally:
        store.close()


def test_every_engine_and_character_call_names_its_owner() -> None:
    """No default owner: a caller (a route, a workflow) that forgets to pass its owner is an error, not the
    local owner, who is an admin and would see every tenant's rows."""
    import inspect

    from cinebrief.jobs.characters import CharacterStore
    from cinebrief.jobs.engine import Engine
    from cinebrief.workflows.service import EngineService

    checked = []
    for cls in (Engine, CharacterStore, EngineService):
        for name, method in inspect.getmembers(cls, inspect.isfunction):
            owner = inspect.signature(method).parameters.get("owner")
            if owner is not None and (name == "__init__" or not name.startswith("_")):
                assert owner.default is inspect.Parameter.empty, f"{cls.__name__}.{name} has a default owner"
                checked.append(name)
    assert {"submit", "get", "list", "wait", "remix", "edit", "extend", "delete", "content_path", "create"} <= set(
        checked
    )
    assert "__init__" in checked  # EngineService acts as the owner it is given
