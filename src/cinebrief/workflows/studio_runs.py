"""The studio's runs: `run_brief` on the server's own job engine, in the background, durable across restarts.

    DATA_DIR/studio/runs/<run id>/studio.json   what was asked (brief version, shots, variants, picks) and the state
    DATA_DIR/studio/runs/<run id>/brief.yaml    the brief text the run was started from (only the chosen shots)
    DATA_DIR/studio/runs/<run id>/run.json ...  everything `cinebrief run` writes: clips/, final.mp4, timelines

A run is a folder like any `cinebrief run -o DIR`, so the same resume rules hold: clips are matched by hash
in `run.json` and their jobs live in the engine's store. A run left `running` by a stop or a crash is
started again when the server starts; picking a take re-runs it, which reuses every clip and re-cuts.
"""

from __future__ import annotations

import json
import logging
import re
import secrets
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from cinebrief.errors import BriefError, ConflictError, InputError, NotFoundError
from cinebrief.media.atomic import atomic_output
from cinebrief.workflows.lineage import LineageStore, describe_change
from cinebrief.workflows.manifest import MANIFEST_FILE
from cinebrief.workflows.service import ENGINE_FOLDER, EngineService, VideoState

log = logging.getLogger(__name__)

RUNS_FOLDER = Path("studio") / "runs"
RECORD_FILE = "studio.json"
BRIEF_FILE = "brief.yaml"
RUN_ID = re.compile(r"^run_[0-9a-f]{16}$")
MAX_VARIANTS = 8
CLIPS_AT_ONCE = 4  # jobs a run keeps submitted; the engine's own concurrency decides how many render
# What a run offers for download, by name (never a path from the request).
DOWNLOADS = {
    "final.mp4": "video/mp4",
    "timeline.otio": "application/json",
    "timeline.edl": "text/plain",
    "contact_sheet.png": "image/png",
    "run.json": "application/json",
}
SHOT_FIELD = re.compile(r"^shots\[(\d+)\]")


class _Stopping(Exception):
    """Raised into a run's threads when the server stops, so that none is left polling a closed engine."""


@dataclass
class RunRecord:
    id: str
    brief_id: str
    brief_version: int
    shots: list[str] | None  # None: every shot
    variants: int
    budget: float | None
    picks: dict[str, int] = field(default_factory=dict)
    status: str = "running"  # running | completed | failed | refused
    message: str | None = None
    created_at: int = field(default_factory=lambda: int(time.time()))
    finished_at: int | None = None
    cut: list[dict[str, Any]] = field(default_factory=list)  # the cut's clips: shot, start and length in seconds


class StudioRuns:
    """Start, resume, read, pick, remix and serve the studio's runs of one server."""

    def __init__(
        self,
        data_dir: Path,
        service: EngineService,
        *,
        models: Callable[[], Mapping[str, Any]],
    ) -> None:
        self.root = data_dir / RUNS_FOLDER
        self.service = service
        self.models = models
        self._lock = threading.Lock()
        self._threads: dict[str, threading.Thread] = {}
        self._dirty: set[str] = set()  # runs whose picks changed while they were running
        self._closing = threading.Event()
        self._listeners: dict[int, Callable[[], None]] = {}
        self._next_listener = 0
        self._unsubscribe = service.engine.events.subscribe(self.notify)  # takes' and remixes' progress

    # -- life cycle ---------------------------------------------------------------------------------------------

    def resume(self) -> list[str]:
        """Start again every run left `running` (by a stop or a crash); returns their ids."""
        resumed = []
        if self.root.is_dir():
            for folder in sorted(self.root.iterdir()):
                known = RUN_ID.match(folder.name) and (folder / RECORD_FILE).is_file()
                if known and self._read(folder.name).status == "running":
                    self._launch(folder.name)
                    resumed.append(folder.name)
        return resumed

    def close(self) -> None:
        """Stop reporting; threads still waiting on the engine end with it, and are resumed on the next start."""
        self._closing.set()
        self._unsubscribe()
        self.notify()

    def notify(self, *_: object) -> None:
        """Something a reader may want to see changed: tell every listener (they must only hand it on)."""
        with self._lock:
            listeners = list(self._listeners.values())
        for listener in listeners:
            listener()

    def _progress(self, *_: object) -> None:
        """A run's progress: readers are told; once the server stops, the run's waiting threads end here."""
        if self._closing.is_set():
            raise _Stopping("the server is stopping; the run goes on when it starts again")
        self.notify()

    def listen(self, listener: Callable[[], None]) -> Callable[[], None]:
        """Call `listener` on every change; returns the function that stops it."""
        with self._lock:
            token = self._next_listener
            self._next_listener += 1
            self._listeners[token] = listener

        def stop() -> None:
            with self._lock:
                self._listeners.pop(token, None)

        return stop

    # -- start ----------------------------------------------------------------------------------------------------

    def start(
        self,
        *,
        brief_id: str,
        brief_version: int,
        text: str,
        shots: list[str] | None,
        variants: int,
        budget: float | None,
    ) -> RunRecord:
        """Lint, plan and budget now (a refusal is a 400 and leaves nothing), then generate in the background."""
        from cinebrief.workflows.brief_edit import load_text, only_shots, refuse_references
        from cinebrief.workflows.run import prepare

        if not 1 <= variants <= MAX_VARIANTS:
            raise InputError(f"variants must be 1 to {MAX_VARIANTS}, not {variants}.", field="variants")
        if shots is not None and not shots:
            raise InputError("shots lists the shots to run; leave it out to run them all.", field="shots")
        if shots is not None:
            text = only_shots(text, shots)
        try:
            refuse_references(load_text(text))
        except BriefError as exc:
            raise InputError(str(exc), field="brief", code="invalid_brief") from None
        run_id = f"run_{secrets.token_hex(8)}"
        folder = self.root / run_id
        folder.mkdir(parents=True)
        (folder / BRIEF_FILE).write_text(text, encoding="utf-8")
        record = RunRecord(run_id, brief_id, brief_version, shots, variants, budget)
        try:
            _, _, outcome = prepare(self._options(record))
        except Exception:
            _remove(folder)
            raise
        if outcome.refused:
            _remove(folder)
            errors = [f.as_dict() for f in outcome.findings if f.severity == "error"]
            first = f" First: {errors[0]['code']} {errors[0]['message']}" if errors else ""
            raise InputError(f"The run was refused: {outcome.refused}.{first}", field="brief", code="run_refused")
        self._write(record)
        self._launch(run_id)
        return record

    def _options(self, record: RunRecord) -> Any:
        from cinebrief.workflows.run import RunOptions

        folder = self.root / record.id
        return RunOptions(
            brief_path=folder / BRIEF_FILE,
            output=folder,
            concurrency=CLIPS_AT_ONCE,
            variants=record.variants,
            budget=record.budget,
            picks=dict(record.picks),
            models=self.models(),
        )

    def _launch(self, run_id: str) -> None:
        with self._lock:
            thread = self._threads.get(run_id)
            if thread is not None and thread.is_alive():
                self._dirty.add(run_id)  # it runs again with the new picks when this pass ends
                return
            thread = threading.Thread(target=self._work, args=(run_id,), name=f"studio-{run_id}", daemon=True)
            self._threads[run_id] = thread
        thread.start()

    def _work(self, run_id: str) -> None:
        from cinebrief.workflows.run import run_brief

        while not self._closing.is_set():
            record = self._read(run_id)
            try:
                outcome = run_brief(self._options(record), service=self.service, progress=self._progress)
            except _Stopping:
                return  # stays `running`: resumed on the next start
            except Exception as exc:  # a brief edited into an invalid state, a disk error: say so on the run
                log.exception("studio run %s stopped", run_id)
                outcome = None
                message: str | None = str(exc)
            if self._closing.is_set():
                return  # stays `running`: resumed on the next start
            with self._lock:
                again = run_id in self._dirty
                self._dirty.discard(run_id)
            record = self._read(run_id)  # picks may have changed meanwhile
            if outcome is None:
                record.status = "failed"
            elif outcome.refused:
                record.status, message = "refused", outcome.refused
            elif outcome.failed:
                record.status = "failed"
                message = "; ".join(f"{clip}: {error}" for clip, error in outcome.failed.items())
            else:
                record.status, message = "completed", None
                record.cut = _cut(self.root / run_id)
            record.message = message
            record.finished_at = int(time.time())
            if again:
                record.status = "running"
            self._write(record)
            self.notify()
            if not again:
                return

    # -- read ------------------------------------------------------------------------------------------------------

    def list(self) -> list[RunRecord]:
        if not self.root.is_dir():
            return []
        records = [
            self._read(folder.name)
            for folder in self.root.iterdir()
            if RUN_ID.match(folder.name) and (folder / RECORD_FILE).is_file()
        ]
        return sorted(records, key=lambda record: (record.created_at, record.id), reverse=True)

    def record(self, run_id: str) -> RunRecord:
        return self._read(run_id)

    def state(self, run_id: str) -> dict[str, Any]:
        """The run as the page shows it: per shot, its takes (live progress from the engine), findings and
        lineage; the cut and its downloads once there."""
        record = self._read(run_id)
        folder = self.root / run_id
        manifest = _json(folder / MANIFEST_FILE) or {}
        clips: dict[str, Any] = manifest.get("clips", {})
        shot_ids = list(dict.fromkeys(clip.get("shot_id") for clip in clips.values()))
        lineage = LineageStore(folder / ENGINE_FOLDER).data["videos"]
        shots: dict[str, dict[str, Any]] = {
            shot_id: {"id": shot_id, "takes": [], "findings": [], "lineage": []} for shot_id in shot_ids
        }
        for clip_id, clip in clips.items():
            shots[clip["shot_id"]]["takes"].append(self._take(clip_id, clip))
        brief_findings = []
        for finding in manifest.get("lint", []):
            match = SHOT_FIELD.match((finding.get("location") or {}).get("field") or "")
            if match and int(match.group(1)) < len(shot_ids):
                shots[shot_ids[int(match.group(1))]]["findings"].append(finding)
            else:
                brief_findings.append(finding)
        for shot in shots.values():
            shot["lineage"] = self._lineage(shot["takes"], lineage)
        files = {name: (folder / name).is_file() for name in DOWNLOADS} if record.status == "completed" else {}
        return {
            "object": "studio.run",
            **asdict(record),
            "title": (manifest.get("brief") or {}).get("title"),
            "estimate": manifest.get("estimate"),
            "findings": brief_findings,
            "shots": list(shots.values()),
            "downloads": [name for name, present in files.items() if present],
        }

    def _take(self, clip_id: str, clip: dict[str, Any]) -> dict[str, Any]:
        job_id = clip.get("job_id")
        status, progress = clip.get("status") or "queued", 100 if clip.get("status") == "completed" else 0
        if job_id and status != "completed":
            try:
                video = self.service.retrieve(job_id)
                status, progress = video.status, video.progress
            except NotFoundError:
                status = "failed"
        return {
            "clip_id": clip_id,
            "part": clip.get("part", 1),
            "parts": clip.get("parts", 1),
            "variant": clip.get("variant", 1),
            "seed": clip.get("seed"),
            "seconds": clip.get("seconds"),
            "size": clip.get("size"),
            "model": clip.get("model"),
            "picked": bool(clip.get("picked")),
            "job_id": job_id,
            "status": status,
            "progress": progress,
            "prompt": clip.get("prompt"),
            "error": clip.get("error"),
        }

    def _lineage(self, takes: list[dict[str, Any]], videos: dict[str, Any]) -> list[dict[str, Any]]:
        """The shot's takes and every remix below them, parents before children, each with its change."""
        children: dict[str, list[str]] = {}
        for video_id, entry in videos.items():
            if entry.get("parent"):
                children.setdefault(entry["parent"], []).append(video_id)
        nodes: list[dict[str, Any]] = []
        pending = [(take["job_id"], None) for take in takes if take["job_id"]]
        seen: set[str] = set()
        while pending:
            video_id, parent = pending.pop(0)
            if video_id in seen:
                continue
            seen.add(video_id)
            what = ""
            try:
                video = self.service.retrieve(video_id)
                status, progress, what = video.status, video.progress, describe_change(video)
            except NotFoundError:
                status, progress = "deleted", 0
            entry = videos.get(video_id, {})
            nodes.append(
                {
                    "id": video_id,
                    "parent": parent,
                    "change": entry.get("change"),
                    "changed": what,  # what the change did to the shot: "changed lens, framing"
                    "status": status,
                    "progress": progress,
                }
            )
            pending.extend((child, video_id) for child in sorted(children.get(video_id, [])))
        return nodes

    # -- act ---------------------------------------------------------------------------------------------------

    def pick(self, run_id: str, shot_id: str, variant: int) -> RunRecord:
        """Put take `variant` of `shot_id` into the cut; the run re-cuts (reusing every clip)."""
        record = self._read(run_id)
        clips = (_json(self.root / run_id / MANIFEST_FILE) or {}).get("clips") or {}
        shots = sorted({clip.get("shot_id") for clip in clips.values()})
        if shot_id not in shots:
            raise InputError(f"Run '{run_id}' has no shot '{shot_id}'; its shots: {', '.join(shots)}.", field="shot_id")
        if not 1 <= variant <= record.variants:
            raise InputError(f"variant runs from 1 to {record.variants}, not {variant}.", field="variant")
        if record.status == "refused":
            raise ConflictError(f"Run '{run_id}' was refused: {record.message}", field="run_id")
        record.picks[shot_id] = variant
        record.status = "running"
        self._write(record)
        self._launch(run_id)
        self.notify()
        return record

    def remix(self, run_id: str, video_id: str, change: str, *, force: bool = False) -> VideoState:
        """Remix a take (or a remix of one) of this run by one change; recorded in the run's lineage."""
        from cinebrief.workflows.remix import start_remix

        state = self.state(run_id)
        nodes = [(shot["id"], node["id"]) for shot in state["shots"] for node in shot["lineage"]]
        owner = next((shot_id for shot_id, node_id in nodes if node_id == video_id), None)
        if owner is None:
            raise NotFoundError(f"Run '{run_id}' has no take or remix with id '{video_id}'.")
        store = LineageStore(self.root / run_id / ENGINE_FOLDER)
        result = start_remix(self.service, store, video_id, [change], force=force, shot_id=owner)
        self.notify()
        return result

    def download(self, run_id: str, name: str) -> Path:
        self._read(run_id)
        if name not in DOWNLOADS:
            raise NotFoundError(f"A run has no file '{name}'; its files are: {', '.join(DOWNLOADS)}.")
        path = self.root / run_id / name
        if not path.is_file():
            raise NotFoundError(f"Run '{run_id}' has no {name} yet: it is written when every clip is done.")
        return path

    # -- records ------------------------------------------------------------------------------------------------

    def _read(self, run_id: str) -> RunRecord:
        data = _json(self.root / run_id / RECORD_FILE) if RUN_ID.match(run_id) else None
        if data is None:
            raise NotFoundError(f"No run found with id '{run_id}'.")
        return RunRecord(**data)

    def _write(self, record: RunRecord) -> None:
        with atomic_output(self.root / record.id / RECORD_FILE) as temporary:
            temporary.write_text(json.dumps(asdict(record), indent=2), encoding="utf-8")


def _json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return None


def _cut(folder: Path) -> list[dict[str, Any]]:
    """Each clip of `timeline.otio` with its shot and its start and length in seconds: the shot boundaries."""
    import opentimelineio as otio

    timeline = otio.adapters.read_from_file(str(folder / "timeline.otio"))
    cut = []
    for clip in timeline.find_clips():
        span = clip.range_in_parent()
        metadata = clip.metadata.get("cinebrief", {})
        cut.append(
            {
                "clip_id": clip.name,
                "shot_id": metadata.get("shot_id"),
                "job_id": metadata.get("job_id"),
                "variant": metadata.get("variant"),
                "start": span.start_time.to_seconds(),
                "seconds": span.duration.to_seconds(),
            }
        )
    return cut


def _remove(folder: Path) -> None:
    import shutil

    shutil.rmtree(folder, ignore_errors=True)
