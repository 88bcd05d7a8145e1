"""`/v1/videos/{id}/events`: server-sent events with the job's progress and status until it finishes.

Each event's data is the whole Video; the first is the current state, the stream ends after a terminal one.
Events of jobs this server runs arrive at once; between them the store is read every `STORE_POLL_SECONDS`,
so a job that another server (sharing the store) runs is followed too.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool

from cinebrief.contract.video import TERMINAL_STATUSES, Video
from cinebrief.errors import NotFoundError
from cinebrief.jobs.engine import Engine
from cinebrief.jobs.events import JobEvent
from cinebrief.jobs.owners import Owner
from cinebrief.server.deps import Authenticated, CallerDep, EngineDep
from cinebrief.server.openapi import errors

router = APIRouter(prefix="/v1/videos", tags=["videos"], dependencies=[Authenticated])

HEARTBEAT_SECONDS = 15.0
STORE_POLL_SECONDS = 0.5


def _frame(kind: str, video: Video) -> str:
    return f"event: {kind}\ndata: {json.dumps(video.wire())}\n\n"


async def _stream(request: Request, engine: Engine, video_id: str, owner: Owner) -> AsyncIterator[str]:
    loop = asyncio.get_running_loop()
    events: asyncio.Queue[JobEvent] = asyncio.Queue()

    def forward(event: JobEvent) -> None:
        if event.video_id == video_id:
            loop.call_soon_threadsafe(events.put_nowait, event)

    unsubscribe = engine.events.subscribe(forward)  # before reading the state, so nothing falls between
    try:
        last = engine.get(video_id, owner=owner)
        yield _frame("status", last)
        sent = loop.time()
        while last.status not in TERMINAL_STATUSES and not await request.is_disconnected():
            try:
                event = await asyncio.wait_for(events.get(), STORE_POLL_SECONDS)
                video, kind = event.video, event.type
            except TimeoutError:
                try:
                    video = await run_in_threadpool(engine.get, video_id, owner=owner)
                except NotFoundError:
                    return  # deleted
                kind = "status" if video.status != last.status else "progress"
            if video.status == last.status and video.progress <= last.progress:
                if loop.time() - sent >= HEARTBEAT_SECONDS:
                    sent = loop.time()
                    yield ": keep-alive\n\n"
                continue
            sent = loop.time()
            last = video
            yield _frame(kind, video)
    finally:
        unsubscribe()


@router.get(
    "/{video_id}/events",
    operation_id="streamVideoEvents",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {}}}, **errors(401, 404)},
)
def video_events(video_id: str, request: Request, engine: EngineDep, caller: CallerDep) -> StreamingResponse:
    engine.get(video_id, owner=caller)  # 404 before the stream starts (another key's video too)
    return StreamingResponse(
        _stream(request, engine, video_id, caller),
        media_type="text/event-stream",
        headers={"cache-control": "no-cache", "x-accel-buffering": "no"},
    )
