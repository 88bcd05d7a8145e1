"""Shared fixtures: the CLI through typer's runner, and the repository's paths."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from cinebrief.cli.app import app

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"


@pytest.fixture
def cli():
    """Run `cinebrief ARGS...` in-process; returns click's Result (exit_code, stdout, stderr)."""
    runner = CliRunner()

    def run(*args: str, input: str | None = None):
        return runner.invoke(app, [str(a) for a in args], input=input, catch_exceptions=False)

    return run


@pytest.fixture(scope="session")
def postgres_server():
    """A real PostgreSQL server for the whole session (started on first use, stopped at the end)."""
    from postgres_server import PostgresServer

    server = PostgresServer().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The job store's URL, once on SQLite and once on a fresh database of the test PostgreSQL server."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'jobs.db'}"
    server = request.getfixturevalue("postgres_server")
    return server.database(f"test_{abs(hash(request.node.nodeid)) % 10**12}")
