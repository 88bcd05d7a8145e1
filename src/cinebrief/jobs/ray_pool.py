"""The Ray executor: a pool of Ray Core actors per model, each holding its backend warm.

`RayPool` connects to the cluster at start (`[executor] address`), checks that every model's workers fit
its GPUs, and hands each runner lane a `RayWorker`: one actor (`RenderActor`) with `num_gpus` and
`num_cpus` from the model's settings, placed with the SPREAD strategy so a pool spans the machines. The
runner claims jobs from the store exactly as for local workers; only `generate` runs on the actor:

- the request goes to the actor, which builds its backend once (at start when `warm = true`) and renders
  into a temp folder of its own machine;
- progress and checkpoints stream back through a Ray generator (`num_returns="streaming"`);
- a cancel (a DELETE, a lost lease, a stop) reaches the running actor, which stops at the next step;
- the three output files come back as bytes and are written into the server's temp folder, which the
  runner renames into place as for local jobs (no shared filesystem).

An actor that dies (its node is lost, it is killed) raises `WorkerLost`: the runner puts the job back in
the queue for another actor, and Ray restarts the dead one where resources allow.
"""

from __future__ import annotations

import logging
import os
import queue
import shutil
import socket
import tempfile
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from cinebrief.backends.base import (
    OUTPUT_FILES,
    CancelledFn,
    CheckpointFn,
    GenerationRequest,
    GenerationResult,
    ProgressFn,
)
from cinebrief.errors import BackendError, ConfigError
from cinebrief.jobs.isolation import failure_reply, raise_failure
from cinebrief.jobs.leases import WorkerLost
from cinebrief.settings import Settings

log = logging.getLogger(__name__)

LOOPBACK_ENV = "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER"  # "0": Ray keeps 127.0.0.1 instead of the interface address
POLL_SECONDS = 0.05


class RenderActor:
    """Runs on a Ray worker process: one backend for one model, one job at a time (plus cancel calls)."""

    def __init__(self, model: str, backend_name: str, backend_settings: dict[str, Any]) -> None:
        self.model = model
        self.backend_name = backend_name
        self.backend_settings = backend_settings
        self._backend: Any = None
        self.loads = 0
        self.jobs: list[str] = []
        self._cancelled: set[str] = set()
        self._lock = threading.Lock()

    def backend(self) -> Any:
        with self._lock:
            if self._backend is None:
                from cinebrief.backends.registry import create_backend

                self._backend = create_backend(self.backend_name, **self.backend_settings)
                self.loads += 1
            return self._backend

    def warm(self) -> dict[str, Any]:
        """Build the backend now; a backend with a `warm(model)` method also loads its weights then."""
        backend = self.backend()
        hook = getattr(backend, "warm", None)
        if callable(hook):
            hook(self.model)
        return self.describe()

    def describe(self) -> dict[str, Any]:
        import ray

        context = ray.get_runtime_context()
        return {
            "node_id": context.get_node_id(),
            "gpu_ids": [str(gpu) for gpu in ray.get_gpu_ids()],
            "pid": os.getpid(),
            "loads": self.loads,
            "jobs": list(self.jobs),
        }

    def cancel(self, token: str) -> None:
        self._cancelled.add(token)

    def generate(self, token: str, label: str, request: GenerationRequest) -> Iterator[tuple[Any, ...]]:
        """Stream ("progress", f), ("checkpoint", state), then ("done", files, metadata) or ("error", ...)."""
        messages: queue.Queue[tuple[Any, ...]] = queue.Queue()
        folder = Path(tempfile.mkdtemp(prefix="cinebrief-ray-"))

        def run() -> None:
            try:
                result = self.backend().generate(
                    request,
                    folder,
                    progress=lambda fraction: messages.put(("progress", float(fraction))),
                    cancelled=lambda: token in self._cancelled,
                    checkpoint=lambda state: messages.put(("checkpoint", dict(state))),
                )
                files = {
                    name: (result.directory / file).read_bytes()
                    for name, file in OUTPUT_FILES.items()
                    if (result.directory / file).is_file()
                }
                self.jobs.append(label)
                messages.put(("done", files, dict(result.metadata)))
            except Exception as exc:
                messages.put(failure_reply(exc, self.backend_name, folder))

        worker = threading.Thread(target=run, name=f"render-{label}", daemon=True)
        worker.start()
        try:
            while True:
                message = messages.get()
                yield message
                if message[0] in ("done", "error"):
                    return
        finally:
            worker.join()
            shutil.rmtree(folder, ignore_errors=True)
            self._cancelled.discard(token)


class RayWorker:
    """The server's side of one actor: `generate` as `ProcessWorker.generate` has it."""

    def __init__(self, actor: Any, name: str) -> None:
        self.actor = actor
        self.name = name

    def ready(self, timeout: float) -> bool:
        """True once the actor runs (False while Ray is still placing or restarting it)."""
        import ray

        try:
            ray.get(self.actor.describe.remote(), timeout=timeout)
            return True
        except (ray.exceptions.GetTimeoutError, ray.exceptions.RayActorError):
            return False

    def describe(self, timeout: float = 30.0) -> dict[str, Any]:
        import ray

        return dict(ray.get(self.actor.describe.remote(), timeout=timeout))

    def generate(
        self,
        *,
        request: GenerationRequest,
        output_dir: Path,
        progress: ProgressFn,
        cancelled: CancelledFn,
        checkpoint: CheckpointFn,
        label: str = "",
    ) -> GenerationResult:
        import ray

        token = uuid.uuid4().hex
        stream = self.actor.generate.options(num_returns="streaming").remote(token, label, request)
        cancel_sent = False
        while True:
            ready, _pending = ray.wait([stream], timeout=POLL_SECONDS)
            if ready:
                try:
                    message = ray.get(next(stream))
                except StopIteration:
                    raise BackendError(f"The Ray worker '{self.name}' ended the job without a result.") from None
                except ray.exceptions.OutOfMemoryError as exc:
                    raise BackendError(
                        f"The Ray worker '{self.name}' ran out of memory: {_first_line(exc)}", code="out_of_memory"
                    ) from None
                except ray.exceptions.RayActorError as exc:
                    raise WorkerLost(f"The Ray worker '{self.name}' was lost: {_first_line(exc)}") from None
                kind, *rest = message
                if kind == "progress":
                    progress(rest[0])
                elif kind == "checkpoint":
                    checkpoint(rest[0])
                elif kind == "done":
                    files, metadata = rest
                    for name, data in files.items():
                        (output_dir / OUTPUT_FILES[name]).write_bytes(data)
                    return GenerationResult(directory=output_dir, metadata=metadata)
                else:
                    raise_failure(*rest)
            if not cancel_sent and cancelled():
                self.actor.cancel.remote(token)
                cancel_sent = True

    def close(self) -> None:
        import ray

        try:
            ray.kill(self.actor)
        except Exception:  # already gone with its node or the cluster
            log.debug("%s: the actor was already gone", self.name)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


class RayPool:
    """The connection to the Ray cluster and the actors of every model's pool."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.address = settings.executor.address
        self._owns_connection = False
        self._workers: dict[tuple[str, int], RayWorker] = {}
        self._lock = threading.Lock()

    def connect(self) -> None:
        """Join (or, for "local", start) the cluster and check that every model's workers fit its GPUs."""
        os.environ.setdefault(LOOPBACK_ENV, "0")
        try:
            import ray
        except ImportError:
            raise ConfigError("[executor] kind = 'ray' needs Ray: pip install 'cinebrief[ray]'.") from None
        if not ray.is_initialized():
            self._check_reachable()
            options: dict[str, Any] = {"logging_level": logging.WARNING, "log_to_driver": False}
            try:
                if self.address == "local":  # always a new cluster, even where RAY_ADDRESS names another
                    ray.init(address="local", include_dashboard=False, _node_ip_address="127.0.0.1", **options)
                else:
                    ray.init(address=self.address, **options)
            except Exception as exc:
                raise ConfigError(f"Cannot reach the Ray cluster at {self.address}: {_first_line(exc)}") from None
            self._owns_connection = True
        self.check_resources()

    def _check_reachable(self, timeout: float = 5.0) -> None:
        """A `host:port` (or `ray://host:port`) that answers no TCP connection is an error at once (Ray itself
        would retry for minutes)."""
        if self.address in ("local", "auto"):
            return
        host, _, port = self.address.removeprefix("ray://").rpartition(":")
        try:
            socket.create_connection((host.strip("[]"), int(port)), timeout=timeout).close()
        except ValueError:
            raise ConfigError(
                f"Invalid [executor] address '{self.address}': expected 'local', 'auto', 'ray://host:port' or "
                "'host:port'."
            ) from None
        except OSError as exc:
            raise ConfigError(f"Cannot reach the Ray cluster at {self.address}: {exc.strerror or exc}") from None

    def check_resources(self) -> None:
        import ray

        resources = ray.cluster_resources()  # type: ignore[no-untyped-call]  # Ray leaves it untyped
        gpus, cpus = float(resources.get("GPU", 0)), float(resources.get("CPU", 0))
        for name, model in self.settings.models.items():
            if not self.settings.on_ray(model.backend):
                continue
            workers, per_gpu, per_cpu = model.placement
            if workers * per_gpu > gpus:
                raise ConfigError(
                    f"Model '{name}' needs {workers * per_gpu:g} GPUs ({workers} workers × {per_gpu:g}), but the "
                    f"Ray cluster at {self.address} has {gpus:g}. Lower models.{name}.workers or num_gpus, or add "
                    "machines with GPUs."
                )
            if per_cpu > cpus:
                raise ConfigError(
                    f"Model '{name}' needs {per_cpu:g} CPUs per worker, but the Ray cluster at {self.address} has "
                    f"{cpus:g} in all."
                )

    def workers_of(self, model: str) -> int:
        return self.settings.models[model].placement[0]

    def started(self, model: str) -> int:
        """How many of `model`'s actors have been created (they are created on first work, or at start)."""
        with self._lock:
            return sum(1 for name, _ in self._workers if name == model)

    def has_worker(self, model: str, index: int) -> bool:
        with self._lock:
            return (model, index) in self._workers

    def worker(self, model: str, index: int) -> RayWorker:
        """The actor of `model`'s pool at `index`, created on first use."""
        with self._lock:
            found = self._workers.get((model, index))
            if found is None:
                found = self._workers[(model, index)] = self._create(model, index)
            return found

    def _create(self, model: str, index: int) -> RayWorker:
        import ray

        settings = self.settings.models[model]
        _, gpus, cpus = settings.placement
        actor_class = ray.remote(RenderActor).options(
            num_gpus=gpus,
            num_cpus=cpus,
            max_concurrency=4,  # the job's stream, cancel and describe calls run side by side
            max_restarts=-1,  # a lost actor comes back where resources allow
            max_task_retries=0,  # a job on a lost actor goes back to the queue, not replayed by Ray
            scheduling_strategy="SPREAD",
        )
        actor = actor_class.remote(model, settings.backend, settings.backend_settings)
        worker = RayWorker(actor, f"{model}-{index}")
        if settings.warm:
            ray.get(actor.warm.remote())  # type: ignore[attr-defined]  # Ray types an actor method as a plain function
        return worker

    def warm_up(self) -> None:
        """Create the actors of every model with `warm = true` now, each building its backend once."""
        for name, model in self.settings.models.items():
            if model.warm and self.settings.on_ray(model.backend):
                for index in range(self.workers_of(name)):
                    self.worker(name, index)

    def describe(self) -> dict[str, list[dict[str, Any]]]:
        """Each model's actors as they report themselves (node, GPUs, backend loads, jobs run)."""
        with self._lock:
            workers = dict(self._workers)
        found: dict[str, list[dict[str, Any]]] = {}
        for (model, _), worker in sorted(workers.items()):
            found.setdefault(model, []).append(worker.describe())
        return found

    def close(self) -> None:
        with self._lock:
            workers = list(self._workers.values())
            self._workers.clear()
        for worker in workers:
            worker.close()
        if self._owns_connection:
            import ray

            ray.shutdown()
            self._owns_connection = False
