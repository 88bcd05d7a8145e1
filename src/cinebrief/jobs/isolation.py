"""Run a backend in a child process, so that rendering never holds the server's interpreter lock.

Each runner thread of a backend with ``isolation = "process"`` owns one `ProcessWorker`: a child process
(spawned on first use, kept alive between jobs so loaded pipelines stay loaded) that runs one
`generate` at a time. Progress and checkpoints come back over a pipe and are handled by the runner
thread exactly as if the backend ran in-process; a stop request goes the other way. The child stops
its job when the parent disappears (a crash of the server), so an orphan never writes behind a restart.
"""

from __future__ import annotations

import multiprocessing
import os
import traceback
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, NoReturn

from cinebrief.backends.base import (
    CancelledFn,
    CheckpointFn,
    GenerationRequest,
    GenerationResult,
    ProgressFn,
)
from cinebrief.errors import BackendError, CancelledError, CinebriefError, storage_error

POLL_SECONDS = 0.1
RENDER_NICENESS = 15  # batch work: under contention the API thread wins by a wide margin


def _child_main(connection: Connection, parent_pid: int, gpu: str | None = None) -> None:
    """The child's loop: one job per message, until told to stop or the parent is gone."""
    if gpu is not None:  # before anything imports torch: this worker sees its one GPU as cuda:0
        os.environ["CUDA_VISIBLE_DEVICES"] = gpu
    # Rendering is batch work and the API is not: when the cores are busy, answering a poll comes first.
    os.nice(RENDER_NICENESS)
    backends: dict[str, Any] = {}
    while True:
        try:
            message = connection.recv()
        except (EOFError, OSError):
            return  # the parent is gone
        if message[0] == "stop":
            return
        if message[0] != "generate":
            continue  # a cancel that arrived after its job had already finished
        reply = _run_one(connection, parent_pid, backends, *message[1:])
        try:
            connection.send(reply)
        except (BrokenPipeError, OSError):
            return


def _run_one(
    connection: Connection,
    parent_pid: int,
    backends: dict[str, Any],
    model: str,
    backend_name: str,
    backend_settings: dict[str, Any],
    request: GenerationRequest,
    output_dir: str,
) -> tuple[Any, ...]:
    """Build the model's backend on first use, run one job, and return the reply for the parent."""
    from cinebrief.backends.registry import create_backend

    stop_requested = False

    def cancelled() -> bool:
        nonlocal stop_requested
        while connection.poll():
            if connection.recv()[0] == "cancel":
                stop_requested = True
        return stop_requested or os.getppid() != parent_pid

    try:
        backend = backends.get(model)
        if backend is None:
            backend = backends[model] = create_backend(backend_name, **backend_settings)
        result = backend.generate(
            request,
            Path(output_dir),
            progress=lambda fraction: connection.send(("progress", float(fraction))),
            cancelled=cancelled,
            checkpoint=lambda state: connection.send(("checkpoint", dict(state))),
        )
        return ("done", str(result.directory), dict(result.metadata))
    except Exception as exc:
        return failure_reply(exc, backend_name, Path(output_dir).parent.parent)


def failure_reply(exc: Exception, backend_name: str, folder: Path) -> tuple[Any, ...]:
    """A failed job as a worker sends it back: ("error", cancelled, code, message), read by `raise_failure`.

    Our own errors keep their code; a full or read-only disk (under `folder`) says so; anything else is a
    `backend_error` naming the exception, with its traceback printed on the worker's side.
    """
    if isinstance(exc, BackendError):  # CancelledError included
        return ("error", isinstance(exc, CancelledError), exc.code, exc.message)
    if isinstance(exc, CinebriefError):
        return ("error", False, "backend_error", str(exc))
    if (disk := storage_error(exc, folder)) is not None:
        return ("error", False, disk.code, str(disk))
    traceback.print_exception(exc)
    return ("error", False, "backend_error", f"The backend '{backend_name}' failed: {type(exc).__name__}: {exc}")


def raise_failure(cancelled: bool, code: str, message: str) -> NoReturn:
    """The parent's side of `failure_reply`: the error the job fails (or stops) with."""
    raise CancelledError(message) if cancelled else BackendError(message, code=code)


class ProcessWorker:
    """A child process that runs `generate` for any backend; one job at a time."""

    def __init__(self, name: str, *, gpu: str | None = None) -> None:
        self.name = name
        self.gpu = gpu  # the GPU this worker is pinned to (worker i: GPU i), None for CPU backends
        self._process: multiprocessing.process.BaseProcess | None = None
        self._connection: Connection | None = None

    def _start(self) -> Connection:
        if self._process is not None and self._process.is_alive() and self._connection is not None:
            return self._connection
        context = multiprocessing.get_context("spawn")
        parent_end, child_end = context.Pipe()
        self._process = context.Process(
            target=_child_main, args=(child_end, os.getpid(), self.gpu), name=self.name, daemon=True
        )
        self._process.start()
        child_end.close()
        self._connection = parent_end
        return parent_end

    def generate(
        self,
        *,
        model: str,
        backend_name: str,
        backend_settings: dict[str, Any],
        request: GenerationRequest,
        output_dir: Path,
        progress: ProgressFn,
        cancelled: CancelledFn,
        checkpoint: CheckpointFn,
    ) -> GenerationResult:
        connection = self._start()
        connection.send(("generate", model, backend_name, backend_settings, request, str(output_dir)))
        cancel_sent = False
        while True:
            if connection.poll(POLL_SECONDS):
                try:
                    kind, *rest = connection.recv()
                except (EOFError, OSError):
                    raise self._died() from None
                if kind == "progress":
                    progress(rest[0])
                elif kind == "checkpoint":
                    checkpoint(rest[0])
                elif kind == "done":
                    return GenerationResult(directory=Path(rest[0]), metadata=rest[1])
                else:
                    raise_failure(*rest)
            elif self._process is not None and not self._process.is_alive():
                raise self._died()
            if not cancel_sent and cancelled():
                connection.send(("cancel",))
                cancel_sent = True

    def _died(self) -> BackendError:
        code = self._process.exitcode if self._process is not None else None
        self._process = None
        self._connection = None
        return BackendError(f"The backend worker process '{self.name}' exited unexpectedly (exit code {code}).")

    def close(self, timeout: float = 5.0) -> None:
        if self._process is None:
            return
        try:
            if self._connection is not None:
                self._connection.send(("stop",))
        except (BrokenPipeError, OSError):
            pass
        self._process.join(timeout)
        if self._process.is_alive():
            self._process.terminate()
            self._process.join(timeout)
        self._process = None
        self._connection = None
