"""The runner: worker threads per backend (as many as its `concurrency`), one job at a time per thread.

Workers take their jobs from the store, not from memory: each claims the oldest queued job of its
backend (or one whose lease ran out because the server running it died), so several servers sharing
one database share one queue. A submit only wakes a worker early; an idle worker polls the store.

Running one job, in order:
1. claim it in the store (attempt counted, lease taken); a job interrupted too often fails, saying why;
2. if a previous attempt already renamed finished files into place, just record completion;
3. build the backend request from the row (reference image, brief shot, remix source, resume state);
4. generate into a fresh temp folder, reporting progress (1–99, never decreasing; each report renews the
   lease, and `LeaseKeeper` renews it between reports) and checkpoints;
5. an extension appends the new clip to its source video (`jobs.extension`);
6. check the three files, rename the folder into place, record completion (100, completed_at, expires_at).
Backend errors fail the job with their code. A stop (shutdown) hands the job back, queued, without
spending an attempt; a DELETE (or a lost lease) stops it at the next step and records nothing.
"""

from __future__ import annotations

import logging
import os
import shutil
import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from cinebrief.backends.base import OUTPUT_FILES, GenerationRequest, GenerationResult, RemixSource
from cinebrief.errors import BackendError, CancelledError, CinebriefError, storage_error
from cinebrief.jobs.events import EventBus, JobEvent
from cinebrief.jobs.extension import append_clip
from cinebrief.jobs.isolation import ProcessWorker
from cinebrief.jobs.leases import LeaseKeeper, WorkerLost, dead_on_this_host, process_identity
from cinebrief.jobs.pool import BackendPool
from cinebrief.jobs.ray_pool import RayPool, RayWorker
from cinebrief.jobs.records import Job
from cinebrief.jobs.store import JobStore
from cinebrief.settings import Settings, gpu_for_worker

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 3  # a job whose worker dies this often fails instead of looping forever
MAX_POLL_SECONDS = 1.0  # an idle worker looks for claimable jobs at least this often
MODEL_LANE = "model:"  # the lane of a model's Ray pool, as opposed to a local backend's lane


def to_percent(fraction: float) -> int:
    """A backend's fraction as in-progress percent: 1–99 (100 is reserved for completed)."""
    return min(99, max(1, int(fraction * 100)))


class DataFolders:
    """Where files live under the data folder."""

    def __init__(self, data_dir: Path) -> None:
        self.root = data_dir
        self.videos = data_dir / "videos"
        self.inputs = data_dir / "inputs"
        self.temp = data_dir / "tmp"
        self.characters = data_dir / "characters"
        for folder in (self.videos, self.inputs, self.temp, self.characters):
            folder.mkdir(parents=True, exist_ok=True)

    def clear_temp(self, keep: set[str], *, before: float) -> None:
        """Remove what interrupted attempts left half-written, except the folders named in `keep` (the
        attempts that live workers, maybe of another server sharing this folder, are writing) and those
        changed since `before` (an attempt another server started after `keep` was read)."""
        for leftover in self.temp.iterdir():
            try:
                if leftover.name in keep or leftover.stat().st_mtime >= before:
                    continue
            except FileNotFoundError:
                continue
            if leftover.is_dir():
                shutil.rmtree(leftover, ignore_errors=True)
            else:
                leftover.unlink(missing_ok=True)

    def output(self, job_id: str) -> Path:
        return self.videos / job_id

    def temp_output(self, job_id: str, attempt: int) -> Path:
        return self.temp / f"{job_id}.{attempt}"


def has_outputs(folder: Path) -> bool:
    return all((folder / name).is_file() and (folder / name).stat().st_size > 0 for name in OUTPUT_FILES.values())


class Runner:
    def __init__(
        self,
        settings: Settings,
        store: JobStore,
        events: EventBus,
        pool: BackendPool,
        layout: DataFolders,
        ray: RayPool | None = None,
    ):
        self.settings = settings
        self.ray = ray
        self.store = store
        self.events = events
        self.pool = pool
        self.layout = layout
        self.identity = process_identity()
        self.lease_seconds = settings.server.lease_seconds
        self.poll_seconds = min(MAX_POLL_SECONDS, self.lease_seconds / 4)
        self.leases = LeaseKeeper(self.lease_seconds, self._renew, self.cancel)
        self._wake: dict[str, threading.Semaphore] = {}
        self._threads: list[threading.Thread] = []
        self._cancelled: set[str] = set()
        self._lock = threading.Lock()
        self._stopping = threading.Event()

    # -- life cycle ------------------------------------------------------------------------------------

    def recover(self) -> None:
        """At start: void the leases of this host's dead processes, and clear only temp folders no live
        worker is writing. Leases held by live servers (of this host or another) are left alone."""
        began = time.time()
        live = set()
        for job_id, worker_id, lease_until, attempts in self.store.held_leases():
            if worker_id and dead_on_this_host(worker_id):
                self.store.expire_lease(job_id, worker_id=worker_id)
            elif lease_until >= time.time():
                live.add(self.layout.temp_output(job_id, attempts).name)
        self.layout.clear_temp(live, before=began)

    def start(self, models: dict[str, str]) -> None:
        """Start the workers of the served `models` ({model: backend}) and of any job waiting in the store."""
        self.leases.start()
        pairs = set(models.items()) | {(model, backend) for backend, model in self.store.claimable(time.time())}
        for lane in sorted({self._lane(backend, model) for model, backend in pairs}):
            self._wake_for(lane)

    def enqueue(self, job: Job) -> None:
        """Wake one idle worker of the job's lane (workers find the job in the store)."""
        self._wake_for(self._lane(job.backend, job.model)).release()

    def _lane(self, backend: str, model: str) -> str:
        """Local workers serve a backend (`previz`); Ray workers a model's pool (`model:wan-small`)."""
        return f"{MODEL_LANE}{model}" if self.ray is not None and self.settings.on_ray(backend) else backend

    def cancel(self, job_id: str) -> None:
        """Stop `job_id` at its next step if it runs here (it was deleted, or its lease was taken over)."""
        if self.leases.holds(job_id):
            with self._lock:
                self._cancelled.add(job_id)

    def _wake_for(self, lane: str) -> threading.Semaphore:
        self.leases.start()  # workers may start on a submit before `start` (an engine built with start=False)
        with self._lock:
            found = self._wake.get(lane)
            if found is None:
                found = self._wake[lane] = threading.Semaphore(0)
                if lane.startswith(MODEL_LANE) and self.ray is not None:
                    count = self.ray.workers_of(lane.removeprefix(MODEL_LANE))
                else:
                    count = self.settings.concurrency_for(lane)
                for index in range(count):
                    thread = threading.Thread(
                        target=self._work,
                        args=(found, lane, index),
                        name=f"cinebrief-{lane}-{index}",
                        daemon=True,
                    )
                    thread.start()
                    self._threads.append(thread)
            return found

    def stop(self, timeout: float = 30.0) -> None:
        """Ask running backends to stop between units of work; their jobs go back to the queue."""
        self._stopping.set()
        with self._lock:
            for wake in self._wake.values():
                wake.release(len(self._threads))
            threads = list(self._threads)
        deadline = time.monotonic() + timeout
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        self.leases.stop()

    @property
    def stopping(self) -> bool:
        return self._stopping.is_set()

    def _work(self, wake: threading.Semaphore, lane: str, index: int) -> None:
        worker_id = f"{self.identity}/{lane}-{index}"
        model = lane.removeprefix(MODEL_LANE) if lane.startswith(MODEL_LANE) else None
        worker: ProcessWorker | RayWorker | None = None
        if model is None and self.settings.isolation_for(lane) == "process":
            worker = ProcessWorker(f"cinebrief-{lane}-{index}", gpu=gpu_for_worker(lane, index))
        lanes = {"models": [model]} if model is not None else {"backends": [lane]}
        try:
            while not self._stopping.is_set():
                if model is not None and self.ray is not None:
                    # A Ray actor exists only for a model with work (or `warm`); it must run before a claim.
                    if worker is None and not self.ray.has_worker(model, index) and not self._has_work(lanes):
                        wake.acquire(timeout=self.poll_seconds)
                        continue
                    worker = self.ray.worker(model, index)
                    if not worker.ready(timeout=self.poll_seconds):
                        wake.acquire(timeout=self.poll_seconds)  # Ray is still placing or restarting the actor
                        continue
                try:
                    job = self.store.claim_next(
                        worker_id=worker_id, now=time.time(), lease_seconds=self.lease_seconds, **lanes
                    )
                except Exception:  # the database is away for a moment: try again after a pause
                    log.exception("%s: claiming a job failed", worker_id)
                    job = None
                if job is None:
                    wake.acquire(timeout=self.poll_seconds)
                    continue
                self.leases.hold(job.id, worker_id)
                try:
                    self.run(job, worker_id, worker)
                except Exception:  # the worker must survive anything a job does
                    log.exception("job %s: unexpected error in the runner", job.id)
                finally:
                    self.leases.drop(job.id)
                    with self._lock:
                        self._cancelled.discard(job.id)
        finally:
            if worker is not None:
                worker.close()

    def _has_work(self, lanes: dict[str, list[str]]) -> bool:
        try:
            return self.store.has_claimable(now=time.time(), **lanes)
        except Exception:
            log.exception("looking for claimable jobs failed")
            return False

    def _renew(self, job_id: str, worker_id: str) -> bool:
        return self.store.renew(job_id, worker_id=worker_id, lease_until=time.time() + self.lease_seconds)

    # -- one job ---------------------------------------------------------------------------------------

    def run(self, job: Job, worker_id: str, worker: ProcessWorker | RayWorker | None = None) -> None:
        """Run a job this worker has claimed (`store.claim_next`)."""
        self._publish("status", job.id)
        if job.attempts > MAX_ATTEMPTS:
            self._fail(
                job,
                worker_id,
                "backend_error",
                f"The job was started {MAX_ATTEMPTS} times and each time the process running it stopped before "
                "it finished (a crash, a killed server or a lost node); it was given up.",
            )
            return
        final = self.layout.output(job.id)
        # 2. a previous attempt finished the files but stopped before recording it
        if has_outputs(final):
            self._complete(job, worker_id, final, job.result_metadata)
            return
        temp = self.layout.temp_output(job.id, job.attempts)
        try:  # the temp folder too: a full or read-only disk fails the job here, not the worker
            shutil.rmtree(temp, ignore_errors=True)
            temp.mkdir(parents=True)
            # 3. and 4. generate
            result = self._generate(job, worker_id, temp, worker)
            if job.extension and has_outputs(result.directory):
                result = append_clip(Path(job.source_video_path or ""), result)
            if not has_outputs(result.directory):
                missing = [name for name in OUTPUT_FILES.values() if not (result.directory / name).is_file()]
                raise BackendError(f"The backend '{job.backend}' finished without writing {', '.join(missing)}.")
            # 6. rename into place, then record
            shutil.rmtree(final, ignore_errors=True)
            os.replace(result.directory, final)
            self._complete(job, worker_id, final, result.metadata)
        except WorkerLost as exc:  # its actor or node is gone: another worker takes the job
            log.warning("job %s: %s; back to the queue", job.id, exc)
            if self.store.release(job.id, worker_id=worker_id, spend_attempt=True):
                self._publish("status", job.id)
        except CancelledError as exc:
            if job.id in self._cancelled:
                log.info("job %s: stopped (deleted, or taken over by another worker)", job.id)
            elif self._stopping.is_set():
                if self.store.release(job.id, worker_id=worker_id):
                    log.info("job %s: handed back to the queue by a stop", job.id)
                    self._publish("status", job.id)
            else:
                self._fail(job, worker_id, exc.code, exc.message)
        except BackendError as exc:
            self._fail(job, worker_id, exc.code, exc.message)
        except CinebriefError as exc:
            self._fail(job, worker_id, "backend_error", str(exc))
        except Exception as exc:  # a full or read-only disk says so; anything else names the exception
            failure: CinebriefError | None = storage_error(exc, self.layout.root)
            if failure is None:
                log.exception("job %s: backend '%s' raised", job.id, job.backend)
                failure = BackendError(f"The backend '{job.backend}' failed: {type(exc).__name__}: {exc}")
            self._fail(job, worker_id, failure.code, str(failure))
        finally:
            shutil.rmtree(temp, ignore_errors=True)

    def _generate(
        self, job: Job, worker_id: str, temp: Path, worker: ProcessWorker | RayWorker | None
    ) -> GenerationResult:
        request = self._request(job)
        progress = self._progress_reporter(job, worker_id)

        def cancelled() -> bool:
            return self._stopping.is_set() or job.id in self._cancelled

        def checkpoint(state: Mapping[str, Any]) -> None:
            self.store.checkpoint(job.id, state)

        if isinstance(worker, RayWorker):
            return worker.generate(
                request=request,
                output_dir=temp,
                progress=progress,
                cancelled=cancelled,
                checkpoint=checkpoint,
                label=job.id,
            )
        if worker is None:
            backend = self.pool.backend(job.model)
            return backend.generate(request, temp, progress=progress, cancelled=cancelled, checkpoint=checkpoint)
        return worker.generate(
            model=job.model,
            backend_name=self.pool.backend_name(job.model),
            backend_settings=self.settings.models[job.model].backend_settings,
            request=request,
            output_dir=temp,
            progress=progress,
            cancelled=cancelled,
            checkpoint=checkpoint,
        )

    def _request(self, job: Job) -> GenerationRequest:
        from cinebrief.brief.schema import Brief, Shot

        reference = Path(job.reference_path).read_bytes() if job.reference_path else None
        remix = None
        if job.remixed_from_video_id and not job.extension:
            source = self.store.get(job.remixed_from_video_id)
            video = Path(source.output_dir) / OUTPUT_FILES["video"] if source and source.output_dir else None
            remix = RemixSource(
                video_id=job.remixed_from_video_id,
                prompt=job.remix_source_prompt or "",
                change=job.remix_change or job.prompt,
                video=video.read_bytes() if video is not None and video.is_file() else None,
                resume_state=dict(source.resume_state) if source is not None else {},
            )
        return GenerationRequest(
            prompt=job.effective_prompt or job.prompt,  # a remix renders its source with the change applied
            model=job.model,
            size=job.size,
            seconds=job.clip_seconds or job.seconds,
            seed=job.seed,
            input_reference=reference,
            brief=Brief.model_validate(job.brief_json) if job.brief_json else None,
            shot=Shot.model_validate(job.shot_json) if job.shot_json else None,
            remix=remix,
            options=job.options,
            resume_state=job.resume_state,
        )

    def _progress_reporter(self, job: Job, worker_id: str) -> Callable[[float], None]:
        last = [job.progress]

        def report(fraction: float) -> None:
            percent = to_percent(fraction)
            if percent > last[0]:
                last[0] = percent
                until = time.time() + self.lease_seconds
                if self.store.set_progress(job.id, percent, worker_id=worker_id, lease_until=until):
                    self._publish("progress", job.id)

        return report

    def _complete(self, job: Job, worker_id: str, folder: Path, metadata: Mapping[str, Any]) -> None:
        now = int(time.time())
        retention = self.settings.server.retention_seconds
        expires_at = now + retention if retention > 0 else None
        if self.store.complete(
            job.id,
            worker_id=worker_id,
            completed_at=now,
            expires_at=expires_at,
            output_dir=str(folder),
            metadata=metadata,
        ):
            self._publish("status", job.id)
        elif self.store.get(job.id) is None:  # deleted while its files were being moved into place
            shutil.rmtree(folder, ignore_errors=True)

    def _fail(self, job: Job, worker_id: str, code: str, message: str) -> None:
        if self.store.fail(job.id, worker_id=worker_id, code=code, message=message, completed_at=int(time.time())):
            self._publish("status", job.id)

    def _publish(self, kind: str, job_id: str) -> None:
        job = self.store.get(job_id)
        if job is not None:
            self.events.publish(JobEvent(type=kind, video=job.to_video()))  # type: ignore[arg-type]
