"""The runner: worker threads per backend (as many as its `concurrency`), one job at a time per thread.

Running one job, in order:
1. claim it in the store (queued or crash-interrupted → in_progress, attempt counted); gone → skip;
2. if a previous attempt already renamed finished files into place, just record completion;
3. build the backend request from the row (reference image, brief shot, remix source, resume state);
4. generate into a fresh temp folder, reporting progress (1–99, never decreasing) and checkpoints;
5. an extension appends the new clip to its source video (`jobs.extension`);
6. check the three files, rename the folder into place, record completion (100, completed_at, expires_at).
Backend errors fail the job with their code; a stop (shutdown) leaves it unfinished so the next start
runs it again, exactly once to completion.
"""

from __future__ import annotations

import logging
import os
import queue
import shutil
import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from cinebrief.backends.base import OUTPUT_FILES, GenerationRequest, GenerationResult, RemixSource
from cinebrief.errors import BackendError, CancelledError, CinebriefError
from cinebrief.jobs.events import EventBus, JobEvent
from cinebrief.jobs.extension import append_clip
from cinebrief.jobs.isolation import ProcessWorker
from cinebrief.jobs.pool import BackendPool
from cinebrief.jobs.records import Job
from cinebrief.jobs.store import JobStore
from cinebrief.settings import Settings, gpu_for_worker

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 3  # a job that brings the process down this often fails instead of looping forever


def to_percent(fraction: float) -> int:
    """A backend's fraction as in-progress percent: 1–99 (100 is reserved for completed)."""
    return min(99, max(1, int(fraction * 100)))


class Layout:
    """Where files live under the data folder."""

    def __init__(self, data_dir: Path) -> None:
        self.videos = data_dir / "videos"
        self.inputs = data_dir / "inputs"
        self.temp = data_dir / "tmp"
        self.characters = data_dir / "characters"
        for folder in (self.videos, self.inputs, self.temp, self.characters):
            folder.mkdir(parents=True, exist_ok=True)

    def clear_temp(self) -> None:
        """Remove what interrupted attempts left half-written (only at start, when no attempt runs)."""
        for leftover in self.temp.iterdir():
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
    def __init__(self, settings: Settings, store: JobStore, events: EventBus, pool: BackendPool, layout: Layout):
        self.settings = settings
        self.store = store
        self.events = events
        self.pool = pool
        self.layout = layout
        self._queues: dict[str, queue.Queue[str | None]] = {}
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()
        self._stopping = threading.Event()

    # -- queueing --------------------------------------------------------------------------------------

    def enqueue(self, job: Job) -> None:
        self._queue_for(job.backend).put(job.id)

    def _queue_for(self, backend: str) -> queue.Queue[str | None]:
        with self._lock:
            found = self._queues.get(backend)
            if found is None:
                found = self._queues[backend] = queue.Queue()
                for index in range(self.settings.concurrency_for(backend)):
                    thread = threading.Thread(
                        target=self._work,
                        args=(found, backend, index),
                        name=f"cinebrief-{backend}-{index}",
                        daemon=True,
                    )
                    thread.start()
                    self._threads.append(thread)
            return found

    def stop(self, timeout: float = 30.0) -> None:
        """Ask running backends to stop between units of work; their jobs stay unfinished for the next start."""
        self._stopping.set()
        with self._lock:
            for work in self._queues.values():
                for _ in self._threads:  # one wake-up per thread is enough for any queue
                    work.put(None)
            threads = list(self._threads)
        deadline = time.monotonic() + timeout
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))

    @property
    def stopping(self) -> bool:
        return self._stopping.is_set()

    def _work(self, work: queue.Queue[str | None], backend: str, index: int) -> None:
        isolated = self.settings.isolation_for(backend) == "process"
        gpu = gpu_for_worker(backend, index)
        worker = ProcessWorker(f"cinebrief-{backend}-{index}", gpu=gpu) if isolated else None
        try:
            while not self._stopping.is_set():
                job_id = work.get()
                if job_id is None or self._stopping.is_set():
                    return
                try:
                    self.run(job_id, worker)
                except Exception:  # the worker must survive anything a job does
                    log.exception("job %s: unexpected error in the runner", job_id)
        finally:
            if worker is not None:
                worker.close()

    # -- one job ---------------------------------------------------------------------------------------

    def run(self, job_id: str, worker: ProcessWorker | None = None) -> None:
        # 1. claim
        job = self.store.claim(job_id, now=int(time.time()))
        if job is None:
            return  # deleted while queued, or already finished
        self._publish("status", job.id)
        if job.attempts > MAX_ATTEMPTS:
            self._fail(job, "backend_error", f"The job was interrupted {MAX_ATTEMPTS} times and was given up.")
            return
        final = self.layout.output(job.id)
        # 2. a previous attempt finished the files but stopped before recording it
        if has_outputs(final):
            self._complete(job, final, job.result_metadata)
            return
        temp = self.layout.temp_output(job.id, job.attempts)
        shutil.rmtree(temp, ignore_errors=True)
        temp.mkdir(parents=True)
        try:
            # 3. and 4. generate
            result = self._generate(job, temp, worker)
            if job.extension and has_outputs(result.directory):
                result = append_clip(Path(job.source_video_path or ""), result)
            if not has_outputs(result.directory):
                missing = [name for name in OUTPUT_FILES.values() if not (result.directory / name).is_file()]
                raise BackendError(f"The backend '{job.backend}' finished without writing {', '.join(missing)}.")
            # 6. rename into place, then record
            shutil.rmtree(final, ignore_errors=True)
            os.replace(result.directory, final)
            self._complete(job, final, result.metadata)
        except CancelledError as exc:
            if self._stopping.is_set():
                log.info("job %s: stopped; it will run again on the next start", job.id)
            else:
                self._fail(job, exc.code, exc.message)
        except BackendError as exc:
            self._fail(job, exc.code, exc.message)
        except CinebriefError as exc:
            self._fail(job, "backend_error", str(exc))
        except Exception as exc:
            log.exception("job %s: backend '%s' raised", job.id, job.backend)
            self._fail(job, "backend_error", f"The backend '{job.backend}' failed: {type(exc).__name__}: {exc}")
        finally:
            shutil.rmtree(temp, ignore_errors=True)

    def _generate(self, job: Job, temp: Path, worker: ProcessWorker | None) -> GenerationResult:
        request = self._request(job)
        progress = self._progress_reporter(job)

        def checkpoint(state: Mapping[str, Any]) -> None:
            self.store.checkpoint(job.id, state)

        if worker is None:
            backend = self.pool.backend(job.model)
            return backend.generate(
                request, temp, progress=progress, cancelled=self._stopping.is_set, checkpoint=checkpoint
            )
        return worker.generate(
            model=job.model,
            backend_name=self.pool.backend_name(job.model),
            backend_settings=self.settings.models[job.model].backend_settings,
            request=request,
            output_dir=temp,
            progress=progress,
            cancelled=self._stopping.is_set,
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

    def _progress_reporter(self, job: Job) -> Callable[[float], None]:
        last = [job.progress]

        def report(fraction: float) -> None:
            percent = to_percent(fraction)
            if percent > last[0]:
                last[0] = percent
                if self.store.set_progress(job.id, percent):
                    self._publish("progress", job.id)

        return report

    def _complete(self, job: Job, folder: Path, metadata: Mapping[str, Any]) -> None:
        now = int(time.time())
        retention = self.settings.server.retention_seconds
        expires_at = now + retention if retention > 0 else None
        if self.store.complete(
            job.id, completed_at=now, expires_at=expires_at, output_dir=str(folder), metadata=metadata
        ):
            self._publish("status", job.id)

    def _fail(self, job: Job, code: str, message: str) -> None:
        if self.store.fail(job.id, code=code, message=message, completed_at=int(time.time())):
            self._publish("status", job.id)

    def _publish(self, kind: str, job_id: str) -> None:
        job = self.store.get(job_id)
        if job is not None:
            self.events.publish(JobEvent(type=kind, video=job.to_video()))  # type: ignore[arg-type]
