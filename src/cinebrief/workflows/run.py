"""Run a brief end to end: lint, plan, generate in parallel, download, stitch, export; resumable.

1. lint the brief: error-severity findings stop the run before anything is generated;
2. plan the clips (long shots split into 4 s units; variants; picks) and check the budget;
3. generate every clip not already done (matched by its hash in `run.json`), in parallel, through the
   embedded engine or a server; chained clips wait for the clip whose last frame they start from;
4. download each clip to `clips/`, recording job id, file hash, cost and time in `run.json` at once;
5. stitch the picked clips into `final.mp4` and write `timeline.otio`, `timeline.edl`, `contact_sheet.png`.

Every state change is written to `run.json` before the next step, and the engine keeps its jobs in its
own store, so a run killed at any point resumes where it stopped without paying twice.
"""

from __future__ import annotations

import io
import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cinebrief.brief.loader import load_brief
from cinebrief.brief.schema import Brief
from cinebrief.errors import BackendError, NotFoundError
from cinebrief.workflows.lineage import LineageStore
from cinebrief.workflows.manifest import CLIP_RESULT_KEYS, ClipRecord, Manifest, file_sha256
from cinebrief.workflows.plan import Plan, PlannedClip, plan_brief
from cinebrief.workflows.service import (
    ENGINE_FOLDER,
    CreateRequest,
    ServerService,
    VideoService,
    VideoState,
    open_service,
)

CLIPS_FOLDER = "clips"
POLL_SECONDS = 0.2
ClipProgressFn = Callable[[str, int, str], None]  # clip id, percent, status


@dataclass(frozen=True)
class RunOptions:
    brief_path: Path
    output: Path
    server: str | None = None
    api_key: str | None = None
    concurrency: int = 2
    variants: int = 1
    budget: float | None = None
    split: bool = True
    picks: dict[str, int] = field(default_factory=dict)
    models: Mapping[str, Any] | None = None  # the models that will serve it, when the caller knows them


@dataclass
class RunOutcome:
    """What happened: refused (lint or budget), failed clips, or the outputs written."""

    plan: Plan | None = None
    findings: list[Any] = field(default_factory=list)
    refused: str | None = None
    failed: dict[str, str] = field(default_factory=dict)
    generated: list[str] = field(default_factory=list)
    reused: list[str] = field(default_factory=list)
    outputs: dict[str, str] = field(default_factory=dict)


def lint_brief(
    path: Path, *, server: str | None = None, api_key: str | None = None, models: Mapping[str, Any] | None = None
) -> list[Any]:
    """Every finding of the linter on the brief file (with file:line:col), knowing the models that will serve it:
    `models` when given, those of `--server`, or those the local settings route (a `wan-ti2v` is then no unknown
    model)."""
    from cinebrief.lint import lint
    from cinebrief.served_models import ConfiguredModels

    if models is None and server:
        service = ServerService(server, api_key=api_key)
        try:
            models = service.models()
        finally:
            service.close()
    elif models is None:
        models = ConfiguredModels()
    return list(lint(path, models=models))


def prepare(options: RunOptions) -> tuple[Brief, Plan, RunOutcome]:
    """Steps 1 and 2: lint, plan and budget; `outcome.refused` says why the run must not start."""
    brief = load_brief(options.brief_path)
    outcome = RunOutcome(
        findings=lint_brief(options.brief_path, server=options.server, api_key=options.api_key, models=options.models)
    )
    errors = [finding for finding in outcome.findings if finding.severity == "error"]
    if errors:
        outcome.refused = f"the brief has {len(errors)} error-severity lint finding(s); fix them first"
        return brief, Plan(brief=brief), outcome
    plan = plan_brief(
        brief,
        brief_dir=options.brief_path.resolve().parent,
        split=options.split,
        variants=options.variants,
        picks=options.picks,
    )
    outcome.plan = plan
    allowed, verdict = plan.budget_verdict(options.budget)
    if not allowed:
        outcome.refused = verdict
    return brief, plan, outcome


def run_brief(
    options: RunOptions,
    *,
    progress: ClipProgressFn | None = None,
    on_plan: Callable[[list[str]], None] | None = None,
    service: VideoService | None = None,
) -> RunOutcome:
    """The whole run; see the module docstring. Never raises for a clip's failure: see `outcome.failed`.

    `service` runs the clips on a service the caller owns (and closes), such as the server's own engine."""
    brief, plan, outcome = prepare(options)
    if outcome.refused:
        return outcome
    if on_plan is not None:
        on_plan([clip.clip_id for clip in plan.clips])
    folder = options.output
    (folder / CLIPS_FOLDER).mkdir(parents=True, exist_ok=True)
    manifest = Manifest(folder)
    _record_start(manifest, options, plan, outcome)
    started = time.monotonic()
    owned = service is None
    service = service or open_service(
        server=options.server, folder=folder, concurrency=options.concurrency, api_key=options.api_key
    )
    try:
        generator = _Generator(service, manifest, folder, brief, progress or (lambda *_: None))
        generator.run(plan.clips, concurrency=options.concurrency)
    finally:
        if owned:
            service.close()
    outcome.failed, outcome.generated, outcome.reused = generator.failed, generator.generated, generator.reused
    if not outcome.failed:
        from cinebrief.workflows.exports import export_cut

        outcome.outputs = export_cut(plan, manifest, folder)
        _record_lineage(options.brief_path, brief, plan, manifest, folder)
    manifest.update(
        finished_at=int(time.time()),
        actual={
            "seconds": round(time.monotonic() - started, 3),
            "cost_usd": _actual_cost(manifest),
            "generated": outcome.generated,
            "reused": outcome.reused,
            "failed": outcome.failed,
        },
        outputs=outcome.outputs,
    )
    return outcome


def _record_lineage(brief_path: Path, brief: Brief, plan: Plan, manifest: Manifest, folder: Path) -> None:
    """Each shot's version and the videos it produced, for `remix --brief` to diff against."""
    store = LineageStore(folder / ENGINE_FOLDER)
    for shot in brief.shots:
        jobs = [manifest.clip(clip.clip_id).get("job_id") for clip in plan.cut if clip.shot_id == shot.id]
        videos = [job for job in jobs if job]
        if videos and len(videos) == len(jobs):
            store.record_shot(brief_path, shot.id, shot.model_dump(mode="json", exclude_none=True), videos)


def _record_start(manifest: Manifest, options: RunOptions, plan: Plan, outcome: RunOutcome) -> None:
    manifest.drop_clips_except({clip.clip_id for clip in plan.clips})
    manifest.update(
        brief={
            "path": str(options.brief_path.resolve()),
            "sha256": file_sha256(options.brief_path),
            "title": plan.brief.title,
        },
        service=options.server or "embedded",
        started_at=int(time.time()),
        options={"variants": options.variants, "split": options.split, "picks": options.picks},
        lint=[finding.as_dict() for finding in outcome.findings],
        estimate={
            "clips": len(plan.clips),
            "seconds": plan.seconds,
            "cost_usd": plan.cost,
            "unknown_cost_clips": plan.unknown_cost_clips,
            "time_seconds": {
                backend: plan.estimated_time(backend, concurrency=options.concurrency)
                for backend in ("previz", "diffusers", "remote")
            },
        },
        cut=[clip.clip_id for clip in plan.cut],
    )
    for clip in plan.clips:
        previous = manifest.clip(clip.clip_id)
        if previous.get("hash") != clip.hash:  # new or changed: forget the old job
            previous = ClipRecord()
        record = _clip_record(clip)
        record.update(_kept(previous))
        manifest.update_clip(clip.clip_id, **record)


def _kept(previous: ClipRecord) -> ClipRecord:
    """The job's part of a clip's record (what happened), kept while the clip's hash is unchanged."""
    kept = ClipRecord()
    for key in CLIP_RESULT_KEYS:
        if key in previous:
            kept[key] = previous[key]  # type: ignore[literal-required]
    return kept


def _clip_record(clip: PlannedClip) -> ClipRecord:
    return {
        "hash": clip.hash,
        "shot_id": clip.shot_id,
        "part": clip.part,
        "parts": clip.parts,
        "variant": clip.variant,
        "picked": clip.picked,
        "prompt": clip.prompt,
        "model": clip.model,
        "size": clip.size,
        "seconds": clip.seconds,
        "seed": clip.seed,
        "input_reference": str(clip.input_reference) if clip.input_reference else None,
        "chain_from": clip.chain_from,
        "estimated_cost_usd": clip.cost,
        "shot": clip.shot.model_dump(mode="json", exclude_none=True),
    }


def _actual_cost(manifest: Manifest) -> float | None:
    costs = [record.get("cost_usd") for record in manifest.clips() if record.get("status")]
    known = [cost for cost in costs if cost is not None]
    return round(sum(known), 4) if len(known) == len(costs) else None


class _Generator:
    """Generates the clips of a plan with a thread pool; chained clips wait for their source clip."""

    def __init__(
        self, service: VideoService, manifest: Manifest, folder: Path, brief: Brief, progress: ClipProgressFn
    ) -> None:
        self.service = service
        self.manifest = manifest
        self.folder = folder
        self.brief = brief
        self.progress = progress
        self.futures: dict[str, Future[Path]] = {}
        self.failed: dict[str, str] = {}
        self.generated: list[str] = []
        self.reused: list[str] = []
        self._lock = threading.Lock()

    def run(self, clips: list[PlannedClip], *, concurrency: int) -> None:
        # Clips are queued in plan order and a pool runs them first in, first out, so a chained clip's
        # source has always been started before the chained clip waits for it.
        with ThreadPoolExecutor(max_workers=max(1, concurrency), thread_name_prefix="cinebrief-run") as pool:
            for clip in clips:
                self.futures[clip.clip_id] = pool.submit(self._clip, clip)
            for clip in clips:
                try:
                    self.futures[clip.clip_id].result()
                except Exception as exc:
                    with self._lock:
                        self.failed[clip.clip_id] = str(exc)
                    self.progress(clip.clip_id, 0, "failed")

    def _clip(self, clip: PlannedClip) -> Path:
        done = self.manifest.done_clip(clip.clip_id, clip.hash, self.folder)
        if done is not None:
            with self._lock:
                self.reused.append(clip.clip_id)
            self.progress(clip.clip_id, 100, "reused")
            return self.folder / done["file"]
        reference, reference_format = self._reference(clip)
        started = time.monotonic()
        state = self._job(clip, reference, reference_format)
        state = self._wait(clip, state)
        if state.status != "completed":
            self.manifest.update_clip(clip.clip_id, status="failed", error=state.error)
            raise BackendError(f"clip {clip.clip_id} (video {state.id}) failed: {state.error}")
        path = self.folder / CLIPS_FOLDER / f"{clip.clip_id}.mp4"
        self.service.download(state.id, path)
        self.manifest.update_clip(
            clip.clip_id,
            status="completed",
            file=str(path.relative_to(self.folder)),
            sha256=file_sha256(path),
            generation_seconds=round(time.monotonic() - started, 3),
            cost_usd=clip.cost,
            error=None,
        )
        with self._lock:
            self.generated.append(clip.clip_id)
        self.progress(clip.clip_id, 100, "completed")
        return path

    def _reference(self, clip: PlannedClip) -> tuple[bytes | None, str]:
        if clip.chain and clip.chain_from:
            source = self.futures[clip.chain_from].result()
            return last_frame_png(source), "png"
        if clip.input_reference is not None:
            data = clip.input_reference.read_bytes()
            return data, _image_format(data)
        return None, "png"

    def _job(self, clip: PlannedClip, reference: bytes | None, reference_format: str) -> VideoState:
        """The clip's job: the one `run.json` already names when it is still good, else a new one."""
        record = self.manifest.clip(clip.clip_id)
        attempt = int(record.get("attempt", 1))
        if record.get("job_id"):
            try:
                state = self.service.retrieve(record["job_id"])
                if state.status != "failed":
                    return state
                attempt += 1
            except NotFoundError:
                attempt += 1
        request = CreateRequest(
            prompt=clip.prompt,
            model=clip.model,
            size=clip.size,
            seconds=clip.seconds,
            seed=clip.seed,
            input_reference=reference,
            reference_format=reference_format,
            brief=self.brief,
            shot=clip.shot,
        )
        state = self.service.create(request, idempotency_key=f"cinebrief-run-{clip.hash}-{attempt}")
        self.manifest.update_clip(clip.clip_id, job_id=state.id, status=state.status, attempt=attempt)
        return state

    def _wait(self, clip: PlannedClip, state: VideoState) -> VideoState:
        while state.status not in ("completed", "failed"):
            self.progress(clip.clip_id, state.progress, state.status)
            time.sleep(POLL_SECONDS)
            state = self.service.retrieve(state.id)
        return state


def last_frame_png(video: Path) -> bytes:
    """The last frame of a clip as PNG bytes: the next chained clip's input_reference."""
    from PIL import Image

    from cinebrief.media.probe import probe, read_frames

    last = probe(video).frames - 1
    buffer = io.BytesIO()
    Image.fromarray(read_frames(video, [last])[last], mode="RGB").save(buffer, format="PNG")
    return buffer.getvalue()


def _image_format(data: bytes) -> str:
    if data.startswith(b"\xff\xd8"):
        return "jpeg"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    return "png"
