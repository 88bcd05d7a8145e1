"""`/studio/v1/runs`: run a stored brief on this server's job engine, follow it, pick takes, remix, download.

A run is `cinebrief run` in the background (lint, plan, budget, generate, stitch, export) with its folder in
the data dir; it survives a page reload and a server restart. `/events` streams the run's whole state
each time it changes (server-sent events), so the page needs no polling.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import FileResponse, JSONResponse, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from cinebrief.server.deps import Authenticated
from cinebrief.server.studio import ERROR_RESPONSES, BriefStoreDep, StudioRunsDep
from cinebrief.workflows.studio_runs import DOWNLOADS, MAX_VARIANTS, StudioRuns

router = APIRouter(prefix="/studio/v1/runs", tags=["studio"], dependencies=[Authenticated], responses=ERROR_RESPONSES)

HEARTBEAT_SECONDS = 15.0
RunId = Annotated[str, Path(max_length=64)]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class NewRun(_Body):
    brief_id: str = Field(min_length=1, max_length=64)
    version: int | None = Field(default=None, ge=1, le=1_000_000, description="Default: the latest.")
    shots: list[str] | None = Field(default=None, max_length=500, description="Default: every shot.")
    variants: int = Field(default=1, ge=1, le=MAX_VARIANTS, description="Takes per shot, each with its own seed.")
    budget: float | None = Field(default=None, ge=0, description="Refuse to start above this many USD.")


class Pick(_Body):
    shot_id: str = Field(min_length=1, max_length=200)
    variant: int = Field(ge=1, le=MAX_VARIANTS)


class Remix(_Body):
    video_id: str = Field(min_length=1, max_length=200, description="A take of the run, or a remix of one.")
    change: str = Field(min_length=1, max_length=2000, description="The one change, e.g. 'same shot, at dusk'.")
    force: bool = Field(default=False, description="Allow a change that asks for several things.")


@router.post("", operation_id="studioStartRun")
def start_run(body: NewRun, runs: StudioRunsDep, store: BriefStoreDep) -> JSONResponse:
    """Lint, plan and check the budget (refused: 400, nothing kept), then generate in the background."""
    brief, text = store.text(body.brief_id, body.version)
    record = runs.start(
        brief_id=brief.id,
        brief_version=body.version or brief.latest.version,
        text=text,
        shots=body.shots,
        variants=body.variants,
        budget=body.budget,
    )
    return JSONResponse(runs.state(record.id))


@router.get("", operation_id="studioListRuns")
def list_runs(runs: StudioRunsDep) -> JSONResponse:
    """Every run, newest first (the record only; `GET /runs/{id}` has the takes)."""
    from dataclasses import asdict

    return JSONResponse({"object": "list", "data": [asdict(record) for record in runs.list()]})


@router.get("/{run_id}", operation_id="studioGetRun")
def get_run(run_id: RunId, runs: StudioRunsDep) -> JSONResponse:
    """The run: per shot its takes (job ids, progress, seeds), lint findings and lineage; the cut when done."""
    return JSONResponse(runs.state(run_id))


async def _stream(request: Request, runs: StudioRuns, run_id: str) -> AsyncIterator[str]:
    loop = asyncio.get_running_loop()
    changed = asyncio.Event()
    stop = runs.listen(lambda: loop.call_soon_threadsafe(changed.set))  # before reading, so nothing falls between
    sent = ""
    try:
        while not await request.is_disconnected():
            changed.clear()
            state = await run_in_threadpool(runs.state, run_id)
            text = json.dumps(state)
            yield f"event: run\ndata: {text}\n\n" if text != sent else ": keep-alive\n\n"
            sent = text
            # Wake on any change (a clip's progress, a pick, a remix), at the latest after a heartbeat.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(changed.wait(), HEARTBEAT_SECONDS)
            await asyncio.sleep(0.1)  # a burst of progress events becomes one frame
    finally:
        stop()


@router.get("/{run_id}/events", operation_id="studioRunEvents", response_class=StreamingResponse)
def run_events(run_id: RunId, request: Request, runs: StudioRunsDep) -> StreamingResponse:
    """Server-sent events: `run` with the whole state, first at once, then on every change; never ends by
    itself (remixes of a finished run still report), so the page closes it."""
    runs.record(run_id)  # 404 before the stream starts
    return StreamingResponse(
        _stream(request, runs, run_id),
        media_type="text/event-stream",
        headers={"cache-control": "no-cache", "x-accel-buffering": "no"},
    )


@router.post("/{run_id}/picks", operation_id="studioPickTake")
def pick_take(run_id: RunId, body: Pick, runs: StudioRunsDep) -> JSONResponse:
    """Put take `variant` of `shot_id` into the cut; the run re-cuts in the background (no clip is redone,
    except a chained shot whose first frame came from the shot before it)."""
    runs.pick(run_id, body.shot_id, body.variant)
    return JSONResponse(runs.state(run_id))


@router.post("/{run_id}/remixes", operation_id="studioRemixTake")
def remix_take(run_id: RunId, body: Remix, runs: StudioRunsDep) -> JSONResponse:
    """Remix a take by one change (a change asking for several things is refused unless `force`); the new
    video joins the shot's lineage."""
    state = runs.remix(run_id, body.video_id, body.change, force=body.force)
    return JSONResponse({"id": state.id, "status": state.status, "remixed_from_video_id": state.remixed_from_video_id})


@router.get("/{run_id}/files/{name}", operation_id="studioRunFile", response_class=FileResponse)
def run_file(run_id: RunId, name: Annotated[str, Path(max_length=64)], runs: StudioRunsDep) -> FileResponse:
    """`final.mp4`, `timeline.otio`, `timeline.edl`, `contact_sheet.png` or `run.json` of a finished run."""
    path = runs.download(run_id, name)
    return FileResponse(path, media_type=DOWNLOADS[name], filename=f"{run_id}-{name}")
