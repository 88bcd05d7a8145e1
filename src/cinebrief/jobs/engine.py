"""The embedded engine: the job store, the runner and the events behind one Python API.

The HTTP server is one client of it; workflows use it in-process with no server at all::

    from cinebrief.jobs.owners import LOCAL

    with Engine(load_settings()) as engine:
        video = engine.submit(VideoRequest(prompt="A paper boat drifts", size="1280x720"), owner=LOCAL)
        video = engine.wait(video.id, owner=LOCAL)
        path = engine.content_path(video.id, "video", owner=LOCAL)

Every call names its owner (`jobs/owners.py`): the local owner in-process, the caller's key in the server.
There is no default, so that a route which forgot its caller fails instead of acting as the local admin.
"""

from __future__ import annotations

import builtins
import secrets
import shutil
import threading
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from cinebrief.backends.base import OUTPUT_FILES
from cinebrief.contract.capabilities import Capabilities
from cinebrief.contract.profile import check_prompt
from cinebrief.contract.video import Video, VideoDeleted, VideoList
from cinebrief.errors import ConflictError, ContractError, InputError, NotFoundError, quote_list, quoted
from cinebrief.jobs.admission import Admission, VideoRequest, body_hash, remove_kept, stored_output
from cinebrief.jobs.characters import CharacterStore
from cinebrief.jobs.derive import VideoSource, apply_remix, edit_upload, extend
from cinebrief.jobs.events import EventBus, JobEvent
from cinebrief.jobs.owners import Owner
from cinebrief.jobs.pool import BackendPool
from cinebrief.jobs.ray_pool import RayPool
from cinebrief.jobs.records import FAILED, TERMINAL, UNFINISHED, Job
from cinebrief.jobs.runner import DataFolders, Runner
from cinebrief.jobs.store import JobStore
from cinebrief.settings import Settings

SWEEP_INTERVAL_SECONDS = 60.0
MAX_LIST_LIMIT = 100


@dataclass(frozen=True)
class ModelInfo:
    """A served model: its backend and that backend's capabilities (or why they could not be read)."""

    name: str
    backend: str
    capabilities: Capabilities | None
    error: str | None = None
    workers: dict[str, Any] = field(default_factory=dict)  # where its jobs run: executor, count, resources


class Engine:
    """Submit, read, list, wait for, remix and delete video jobs; runs them on worker threads.

    Every call takes the `owner` asking (`jobs/owners.py`): what it makes is that owner's, and it sees only
    its own rows unless it is an admin; another owner's id is answered like a missing one. `LOCAL` is the
    one user of an in-process engine or of a server with no API keys; it is never assumed.
    """

    def __init__(self, settings: Settings, *, store: JobStore | None = None, start: bool = True) -> None:
        self.settings = settings
        self.store = store or JobStore(settings.server.resolved_database_url, outbox=settings.webhooks.enabled)
        self._owns_store = store is None
        self.events = EventBus()
        self.pool = BackendPool(settings)
        self.layout = DataFolders(settings.server.data_dir)
        self.ray = RayPool(settings) if settings.executor.kind == "ray" else None
        self.runner = Runner(settings, self.store, self.events, self.pool, self.layout, self.ray)
        self.characters = CharacterStore(self.store.database, self.layout.characters)
        self.admission = Admission(settings, self.store, self.pool, self.layout, self._queue)
        self._sweeper: threading.Thread | None = None
        self._closed = threading.Event()
        if start:
            self.start()

    # -- life cycle ------------------------------------------------------------------------------------

    def start(self) -> None:
        """Recover what a crash of this host left (leases of dead processes, temp folders no live worker
        writes), start the workers (they take queued jobs and expired leases from the store), then sweep
        expired files periodically. A model whose backend refuses its settings stops the start (ConfigError);
        an engine that fails to start is closed (its store, its Ray connection)."""
        try:
            self.pool.check_settings()
            if self.ray is not None:
                self.ray.connect()  # an unreachable cluster, or a model needing more GPUs than it has: ConfigError
                self.ray.warm_up()
            self.runner.recover()
            self.runner.start({name: self.pool.backend_name(name) for name in self.pool.model_names})
        except BaseException:
            self.close()
            raise
        self._sweeper = threading.Thread(target=self._sweep_loop, name="cinebrief-sweeper", daemon=True)
        self._sweeper.start()

    def close(self, timeout: float = 30.0) -> None:
        """Stop the workers (running jobs go back to the queue) and release the store; once is enough."""
        if self._closed.is_set():
            return
        self._closed.set()
        self.runner.stop(timeout)
        if self.ray is not None:
            self.ray.close()
        if self._owns_store:
            self.store.close()

    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    # -- create ----------------------------------------------------------------------------------------

    def submit(self, request: VideoRequest, *, idempotency_key: str | None = None, owner: Owner) -> Video:
        """Check the request, record the job (queued, progress 0) and hand it to the runner."""
        check_prompt(request.prompt)
        reference = self.admission.check_parameters(
            request.model, request.size, request.seconds, request.input_reference
        )
        options = self.pool.capabilities(request.model).coerce_options(dict(request.options), model=request.model)
        request = replace(request, options=options)
        characters = self.characters.check_references(
            request.characters, request.prompt, self.settings.server.profile, owner=owner
        )
        request_hash = request.hash()
        if (replayed := self.admission.replay(idempotency_key, request_hash, owner)) is not None:
            return replayed
        job_id, created_at = self.admission.new_id()
        job = self.admission.queued_job(
            job_id,
            created_at,
            model=request.model,
            owner=owner,
            prompt=request.prompt,
            size=request.size,
            seconds=request.seconds,
            seed=request.seed if request.seed is not None else secrets.randbelow(2**31),
            options=dict(request.options),
            brief_json=request.brief.model_dump(mode="json", exclude_none=True) if request.brief else None,
            shot_json=request.shot.model_dump(mode="json", exclude_none=True) if request.shot else None,
            reference_path=self.admission.save_reference(job_id, reference) if reference else None,
            idempotency_key=idempotency_key or None,
            body_hash=request_hash,
            character_ids=characters,
        )
        return self.admission.insert(job)

    def _queue(self, job: Job) -> None:
        """An inserted job: announce it, and wake a worker."""
        self.events.publish(JobEvent(type="status", video=job.to_video()))
        self.runner.enqueue(job)

    # -- read ------------------------------------------------------------------------------------------

    def job(self, video_id: str, *, owner: Owner) -> Job:
        """The full job record; `NotFoundError` for an unknown (or deleted, or another owner's) id."""
        job = self.store.get(video_id, owner=owner.scope)
        if job is None:
            raise NotFoundError(f"No video found with id '{video_id}'.")
        return job

    def get(self, video_id: str, *, owner: Owner) -> Video:
        """The Video as it is now, read from the store (so that every server sharing it answers the same)."""
        video = self.store.video(video_id, owner=owner.scope)
        if video is None:
            raise NotFoundError(f"No video found with id '{video_id}'.")
        return video

    def list(self, *, limit: int = 20, order: str = "desc", after: str | None = None, owner: Owner) -> VideoList:
        if not 0 <= limit <= MAX_LIST_LIMIT:
            raise ContractError(
                f"Invalid 'limit': {limit}. Expected an integer from 0 to {MAX_LIST_LIMIT}.", field="limit", value=limit
            )
        if order not in ("asc", "desc"):
            raise ContractError(
                f"Invalid value: '{quoted(order)}'. Supported values are: 'asc' and 'desc'.",
                field="order",
                value=order,
                allowed=("asc", "desc"),
            )
        jobs, has_more = self.store.list(limit=limit, order=order, after=after, owner=owner.scope)
        data = [job.to_video() for job in jobs]
        return VideoList(
            data=data,
            first_id=data[0].id if data else None,
            last_id=data[-1].id if data else None,
            has_more=has_more,
        )

    def wait(self, video_id: str, *, timeout: float | None = None, owner: Owner) -> Video:
        """Block until the job completes or fails; `TimeoutError` after `timeout` seconds."""
        changed = threading.Event()
        unsubscribe = self.events.subscribe(lambda event: changed.set() if event.video_id == video_id else None)
        deadline = None if timeout is None else time.monotonic() + timeout
        try:
            while True:
                video = self.get(video_id, owner=owner)
                if video.status in TERMINAL:
                    return video
                if deadline is not None and time.monotonic() >= deadline:
                    raise TimeoutError(f"Video '{video_id}' is still {video.status} after {timeout} s.")
                changed.wait(1.0 if deadline is None else max(0.0, min(1.0, deadline - time.monotonic())))
                changed.clear()
        finally:
            unsubscribe()

    def content_path(self, video_id: str, variant: str = "video", *, owner: Owner) -> Path:
        """The finished file of `variant`; 409 while unfinished, 404 once failed, expired or gone."""
        if variant not in OUTPUT_FILES:
            raise ContractError(
                f"Invalid value: '{quoted(variant)}'. Supported values are: {quote_list(tuple(OUTPUT_FILES))}.",
                field="variant",
                value=variant,
                allowed=tuple(OUTPUT_FILES),
            )
        job = self.job(video_id, owner=owner)
        if job.status in UNFINISHED:
            raise ConflictError(
                f"Video '{video_id}' is {job.status} ({job.progress}%); its content is available once it completes."
            )
        if job.status == FAILED:
            raise NotFoundError(f"Video '{video_id}' failed ({job.error_code}); it has no content.")
        return stored_output(job, variant)

    def models(self) -> builtins.list[ModelInfo]:
        infos = []
        for name in self.pool.model_names:
            backend = self.pool.backend_name(name)
            workers = self._workers(name, backend)
            try:
                infos.append(ModelInfo(name, backend, self.pool.capabilities(name), workers=workers))
            except Exception as exc:  # a backend not buildable here, or a weights folder elsewhere: listed with why
                infos.append(ModelInfo(name, backend, None, error=str(exc), workers=workers))
        return infos

    def _workers(self, model: str, backend: str) -> dict[str, Any]:
        """This server's workers for `model`: local threads per backend, or the model's Ray actor pool."""
        if self.ray is not None and self.settings.on_ray(backend):
            count, gpus, cpus = self.settings.models[model].placement
            started = self.ray.started(model)
            return {"executor": "ray", "count": count, "num_gpus": gpus, "num_cpus": cpus, "started": started}
        count = self.settings.concurrency_for(backend)
        return {"executor": "local", "count": count, "isolation": self.settings.isolation_for(backend)}

    # -- remix, edit, extend and delete ------------------------------------------------------------------------------

    def remix(
        self,
        video_id: str,
        prompt: str,
        *,
        idempotency_key: str | None = None,
        done: str = "remixed",
        owner: Owner,
    ) -> Video:
        """A new job from a completed source: same model, size, seconds, seed, shot and reference.

        Edits by id (`POST /v1/videos/edits`) come here too, with `done="edited"` for the error messages.
        """
        check_prompt(prompt)
        source = self.admission.completed_source(video_id, done, owner=owner)
        capabilities = self.pool.capabilities(source.model)
        if not capabilities.remix:
            reason = f": {capabilities.remix_refusal}" if capabilities.remix_refusal else ""
            raise InputError(
                f"Video '{video_id}' cannot be {done}: its model '{source.model}' cannot remix{reason}.",
                field="video_id",
                code="unsupported_remix",
            )
        request_hash = body_hash("remix", video_id, prompt)
        if (replayed := self.admission.replay(idempotency_key, request_hash, owner)) is not None:
            return replayed
        job_id, created_at = self.admission.new_id()
        reference_path = None
        if source.reference_path and Path(source.reference_path).is_file():
            suffix = Path(source.reference_path).suffix.lstrip(".")
            reference = (Path(source.reference_path).read_bytes(), suffix)
            reference_path = self.admission.save_reference(job_id, reference)
        remixed = apply_remix(source, prompt)
        job = self.admission.queued_job(
            job_id,
            created_at,
            model=source.model,
            owner=owner,
            prompt=prompt,
            size=source.size,
            seconds=source.seconds,
            seed=source.seed,
            remixed_from_video_id=source.id,
            remix_source_prompt=source.effective_prompt or source.prompt,
            remix_change=prompt,
            options=dict(source.options),
            brief_json=remixed.brief.model_dump(mode="json", exclude_none=True),
            shot_json=remixed.shot.model_dump(mode="json", exclude_none=True),
            effective_prompt=remixed.prompt,
            change_record=remixed.record.as_dict(),
            reference_path=reference_path,
            idempotency_key=idempotency_key or None,
            body_hash=request_hash,
        )
        return self.admission.insert(job)

    def edit(
        self,
        video: VideoSource,
        prompt: str,
        *,
        model: str | None = None,
        idempotency_key: str | None = None,
        owner: Owner,
    ) -> Video:
        """An edit: of a video by id, a remix (same path, same rules); of an uploaded MP4, see `jobs.derive`."""
        if isinstance(video, bytes):
            return edit_upload(self.admission, video, prompt, model=model, idempotency_key=idempotency_key, owner=owner)
        if model is not None:
            raise ContractError(
                "Invalid 'model': an edit of a video given by id keeps that video's model; leave 'model' out.",
                field="model",
                code="unknown_parameter",
            )
        return self.remix(video, prompt, idempotency_key=idempotency_key, done="edited", owner=owner)

    def extend(
        self,
        video: VideoSource,
        prompt: str,
        seconds: Any,
        *,
        model: str | None = None,
        idempotency_key: str | None = None,
        owner: Owner,
    ) -> Video:
        """`seconds` more of a video (by id or uploaded), appended to it; see `jobs.derive`."""
        return extend(self.admission, video, prompt, seconds, model=model, idempotency_key=idempotency_key, owner=owner)

    def delete(self, video_id: str, *, owner: Owner) -> VideoDeleted:
        """Delete a job and its files: a queued one never runs, a running one stops at its next step (its
        worker, here or on another server, finds the row gone), a finished one loses its files."""
        job = self.job(video_id, owner=owner)
        if not self.store.delete(video_id, statuses=(*UNFINISHED, *TERMINAL), owner=owner.scope):
            raise NotFoundError(f"No video found with id '{video_id}'.")  # another request deleted it first
        self.runner.cancel(video_id)
        self._remove_files(job)
        return VideoDeleted(id=video_id)

    def _remove_files(self, job: Job) -> None:
        if job.output_dir:
            shutil.rmtree(job.output_dir, ignore_errors=True)
        remove_kept(job)

    def _sweep_loop(self) -> None:
        while not self._closed.wait(SWEEP_INTERVAL_SECONDS):
            self.sweep()

    def sweep(self) -> int:
        """Delete the files of expired jobs (their metadata stays); returns how many were removed."""
        expired = self.store.expired_outputs(int(time.time()))
        for job in expired:
            if job.output_dir:
                shutil.rmtree(job.output_dir, ignore_errors=True)
            self.store.forget_output(job.id)
        return len(expired)
