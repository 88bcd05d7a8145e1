"""Remix a video by one change, or a brief's shot by the one change made to it since its last video."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from cinebrief.brief.loader import load_brief
from cinebrief.errors import BackendError, InputError
from cinebrief.workflows.lineage import LineageStore, change_prompt, one_change, shot_changes
from cinebrief.workflows.service import VideoService, VideoState

POLL_SECONDS = 0.2
VideoStateFn = Callable[[VideoState], None]


def wait_for(service: VideoService, state: VideoState, progress: VideoStateFn | None = None) -> VideoState:
    while state.status not in ("completed", "failed"):
        if progress:
            progress(state)
        time.sleep(POLL_SECONDS)
        state = service.retrieve(state.id)
    if progress:
        progress(state)
    return state


def remix_video(
    service: VideoService,
    store: LineageStore,
    video_id: str,
    changes: list[str],
    *,
    force: bool = False,
    progress: VideoStateFn | None = None,
) -> VideoState:
    """One `--change` (several only with `force`, joined into one prompt); waits until it finishes."""
    state = start_remix(service, store, video_id, changes, force=force)
    state = wait_for(service, state, progress)
    if state.status == "failed":
        raise BackendError(f"remix {state.id} of {video_id} failed: {state.error}")
    return state


def start_remix(
    service: VideoService,
    store: LineageStore,
    video_id: str,
    changes: list[str],
    *,
    force: bool = False,
    shot_id: str | None = None,
) -> VideoState:
    """Check the one change, submit the remix and record it in the lineage; returns without waiting."""
    changes = [change.strip() for change in changes if change.strip()]
    one_change(changes, force=force, what=f"remix of {video_id}")
    prompt = " ".join(changes)
    if not force:
        refuse_compound_change(prompt, source_prompt=service.retrieve(video_id).prompt or "")
    state = service.remix(video_id, prompt)
    store.record_remix(state.id, parent=video_id, change=prompt, shot_id=shot_id)
    return state


def refuse_compound_change(change: str, *, source_prompt: str) -> None:
    """One `--change` that itself asks for several things ("make it night, add rain") is refused too."""
    from cinebrief.lint import lint

    for finding in lint(change, select=["remix-changes-more-than-one-thing"], remix_of=source_prompt):
        raise InputError(
            f"{finding.message} ({finding.code} {finding.name}); remix one change at a time, or pass --force",
            field="change",
        )


def remix_shot(
    service: VideoService,
    store: LineageStore,
    brief_path: Path,
    shot_id: str,
    *,
    force: bool = False,
    progress: VideoStateFn | None = None,
) -> list[VideoState]:
    """Diff the shot against the version that made its last videos; remix each of them by that one change."""
    brief = load_brief(brief_path)
    shot = brief.shot(shot_id)
    latest = store.latest(brief_path, shot_id)
    if latest is None:
        raise InputError(
            f"shot '{shot_id}' of {brief_path} has no video yet in this folder; `cinebrief run` it first",
            field="shot",
        )
    new = shot.model_dump(mode="json", exclude_none=True)
    changes = shot_changes(latest["shot"], new)
    one_change(changes, force=force, what=f"shot '{shot_id}'")
    prompt = change_prompt(latest["shot"], new) if len(changes) == 1 else "Same shot; " + "; ".join(changes)
    results = []
    for video_id in latest["videos"]:
        state = service.remix(video_id, prompt)
        store.record_remix(state.id, parent=video_id, change=prompt, shot_id=shot_id)
        results.append(state)
    results = [wait_for(service, state, progress) for state in results]
    failed = [state for state in results if state.status == "failed"]
    if failed:
        raise BackendError(f"remix {failed[0].id} of shot '{shot_id}' failed: {failed[0].error}")
    store.record_shot(brief_path, shot_id, new, [state.id for state in results])
    return results
