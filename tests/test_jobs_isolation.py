"""The render worker process: a cancel that arrives after its job finished does not kill the worker."""

from __future__ import annotations

from pathlib import Path

from cinebrief.backends.base import GenerationRequest
from cinebrief.jobs.isolation import ProcessWorker


def render(worker: ProcessWorker, output: Path) -> Path:
    request = GenerationRequest(prompt="A kite over a ridge, wide shot, static", model="m", size="64x36", seconds="4")
    result = worker.generate(
        model="m",
        backend_name="previz",
        backend_settings={},
        request=request,
        output_dir=output,
        progress=lambda fraction: None,
        cancelled=lambda: False,
        checkpoint=lambda state: None,
    )
    return result.video


def test_a_late_cancel_is_ignored_and_the_worker_keeps_serving(tmp_path: Path) -> None:
    worker = ProcessWorker("test-worker")
    try:
        assert render(worker, tmp_path / "one").stat().st_size > 0
        process = worker._process
        assert worker._connection is not None
        worker._connection.send(("cancel",))  # the race: the runner's cancel lands after the job is done
        assert render(worker, tmp_path / "two").stat().st_size > 0
        assert worker._process is process and process is not None and process.is_alive()
    finally:
        worker.close()


def test_a_worker_process_loads_the_backends_not_the_engine() -> None:
    """A worker child imports `cinebrief.jobs.isolation` when it starts: not the engine, the store,
    SQLAlchemy or Pillow (the package's names load on first use), so it starts in a fraction of the time."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "import cinebrief.jobs.isolation\n"
        "heavy = ('sqlalchemy', 'PIL', 'av', 'cinebrief.jobs.engine', 'cinebrief.jobs.store', 'cinebrief.server')\n"
        "print(sorted(m for m in sys.modules if m.startswith(heavy)))\n"
        "from cinebrief.jobs import Engine, JobStore\n"
        "print(Engine.__module__, JobStore.__module__)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert result.stdout.splitlines() == ["[]", "cinebrief.jobs.engine cinebrief.jobs.store"]
