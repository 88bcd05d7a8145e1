"""Jobs made from a video: an edit of an uploaded video, and an extension (contract §11, §16).

* **Edit by id** is a remix (`Engine.remix`); **edit of an upload** checks the video, keeps it, and starts a
  new job whose `input_reference` is the upload's first frame, at the upload's size.
* **Extension** (by id or upload): the backend renders `seconds` more from the source's last frame, and the
  runner appends that clip to the source (`jobs.extension`). The Video's `seconds` is the stitched total,
  and `remixed_from_video_id` names the source when it was given by id.
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cinebrief.contract.profile import DEFAULTS, check_prompt
from cinebrief.contract.video import Video
from cinebrief.errors import ContractError, quote_list, quoted
from cinebrief.jobs.admission import Admission, body_hash, stored_output
from cinebrief.jobs.owners import Owner
from cinebrief.jobs.records import Job
from cinebrief.jobs.sources import StoredVideo, copy_into, frame_png, keep_upload, move_into, seconds_text

if TYPE_CHECKING:
    from cinebrief.prompts.change import Remixed

MAX_EXTENSION_SECONDS = 20
MAX_TOTAL_SECONDS = 120

VideoSource = str | bytes  # a video id, or the bytes of an uploaded MP4


def _size_for_model(admission: Admission, model: str, stored: StoredVideo, seconds: str) -> None:
    """The upload's size must be one the model serves; say so on `video`, the field the user sent."""
    try:
        admission.check_parameters(model, stored.info.size, seconds)
    except ContractError as exc:
        if exc.field != "size":
            raise
        allowed = f"Supported sizes: {quote_list(exc.allowed)}." if exc.allowed else exc.message
        raise ContractError(
            f"Invalid 'video': the uploaded video is {stored.info.size}, a size model '{model}' does not serve. "
            f"{allowed} Upload a video of such a size, or name another model in 'model'.",
            field="video",
            value=stored.info.size,
            allowed=exc.allowed,
        ) from None


def edit_upload(
    admission: Admission, video: bytes, prompt: str, *, model: str | None, idempotency_key: str | None, owner: Owner
) -> Video:
    """A new job that edits an uploaded MP4: its first frame is the reference, its size and length are kept."""
    check_prompt(prompt)
    model = model or DEFAULTS.model
    request_hash = body_hash("edit", video, prompt, model)
    if (replayed := admission.replay(idempotency_key, request_hash, owner)) is not None:
        return replayed
    admission.pool.backend_name(model)  # an unknown model is a 400 naming the models served
    stored = keep_upload(video, admission.layout.temp, field="video")
    try:
        first = frame_png(stored.path, 0, field="video")
        choices = admission.allowed_seconds(model)
        seconds = min(choices, key=lambda value: abs(float(value) - stored.seconds))
        _size_for_model(admission, model, stored, seconds)
        job_id, created_at = admission.new_id()
        kept = move_into(stored, admission.layout.inputs / f"{job_id}.source.mp4")
        stored = kept
        job = admission.queued_job(
            job_id,
            created_at,
            model=model,
            owner=owner,
            prompt=prompt,
            size=stored.info.size,
            seconds=seconds,
            seed=secrets.randbelow(2**31),
            reference_path=admission.save_reference(job_id, (first, "png")),
            source_video_path=str(kept.path),
            idempotency_key=idempotency_key or None,
            body_hash=request_hash,
        )
    except BaseException:
        stored.path.unlink(missing_ok=True)
        raise
    return admission.insert(job)


def extend(
    admission: Admission,
    video: VideoSource,
    prompt: str,
    seconds: Any,
    *,
    model: str | None,
    idempotency_key: str | None,
    owner: Owner,
) -> Video:
    """A new job: `seconds` more of the source, from its last frame; its video is the source plus the new clip."""
    check_prompt(prompt)
    request_hash = body_hash("extend", video, prompt, seconds, model)
    if (replayed := admission.replay(idempotency_key, request_hash, owner)) is not None:
        return replayed
    job_id, created_at = admission.new_id()
    kept_path = admission.layout.inputs / f"{job_id}.source.mp4"
    source, model, size, base_seconds = _keep_source(admission, video, model, kept_path, owner)
    try:
        last = frame_png(kept_path, -1, field="video")
        _check_extension(admission, model, size, seconds, last, base_seconds)
        # By id, the new clip continues the source's storyboard (same set and palette) with the new beats.
        continued = apply_remix(source, prompt, extension=True) if source else None
        job = admission.queued_job(
            job_id,
            created_at,
            model=model,
            owner=owner,
            prompt=prompt,
            size=size,
            seconds=seconds_text(base_seconds + float(seconds)),
            seed=source.seed if source else secrets.randbelow(2**31),
            remixed_from_video_id=source.id if source else None,
            options=dict(source.options) if source else {},
            brief_json=continued.brief.model_dump(mode="json", exclude_none=True) if continued else None,
            shot_json=continued.shot.model_dump(mode="json", exclude_none=True) if continued else None,
            effective_prompt=continued.prompt if continued else None,
            reference_path=admission.save_reference(job_id, (last, "png")),
            idempotency_key=idempotency_key or None,
            body_hash=request_hash,
            clip_seconds=seconds,
            source_video_path=str(kept_path),
        )
    except BaseException:
        kept_path.unlink(missing_ok=True)
        raise
    return admission.insert(job)


def _keep_source(
    admission: Admission, video: VideoSource, model: str | None, kept_path: Path, owner: Owner
) -> tuple[Job | None, str, str, float]:
    """Copy the source (by id: its finished video) or move the checked upload to `kept_path`.

    Returns the source job (None for an upload), the model, the size and the source's length in seconds.
    """
    if isinstance(video, bytes):
        model = model or DEFAULTS.model
        admission.pool.backend_name(model)  # an unknown model is a 400 before the upload is read
        stored = move_into(keep_upload(video, admission.layout.temp, field="video"), kept_path)
        return None, model, stored.info.size, stored.seconds
    if model is not None:
        raise ContractError(
            "Invalid 'model': an extension of a video given by id keeps that video's model; leave 'model' out.",
            field="model",
            code="unknown_parameter",
        )
    source = admission.completed_source(video, "extended", owner=owner, field="video")
    copy_into(stored_output(source, "video"), kept_path)
    return source, source.model, source.size, float(source.seconds)


def _check_extension(admission: Admission, model: str, size: str, seconds: Any, last: bytes, base: float) -> None:
    """`seconds` as on create (type and the model's values), then the extension limits of §11."""
    admission.check_parameters(model, size, seconds, last)
    added = float(seconds)
    if added > MAX_EXTENSION_SECONDS:
        raise ContractError(
            f"Invalid value: '{quoted(seconds)}'. An extension adds at most {MAX_EXTENSION_SECONDS} seconds.",
            field="seconds",
            value=seconds,
        )
    if base + added > MAX_TOTAL_SECONDS:
        raise ContractError(
            f"Invalid value: '{quoted(seconds)}'. The source is {seconds_text(base)} s long, "
            f"and an extended video is at most {MAX_TOTAL_SECONDS} s; "
            f"add at most {seconds_text(max(0.0, MAX_TOTAL_SECONDS - base))} s.",
            field="seconds",
            value=seconds,
        )


__all__ = ["MAX_EXTENSION_SECONDS", "MAX_TOTAL_SECONDS", "VideoSource", "apply_remix", "edit_upload", "extend"]


def apply_remix(source: Job, change: str, *, extension: bool = False) -> Remixed:
    """What a remix (or an extension) of `source` renders: its brief shot, else its effective prompt, with the
    change applied (an extension: the source's storyboard with the new prompt's beats)."""
    from cinebrief.brief.schema import Brief, Shot
    from cinebrief.prompts.change import apply_change, continue_shot

    brief = shot = None
    if source.shot_json:
        shot = Shot.model_validate(source.shot_json)
        brief = Brief.model_validate(source.brief_json) if source.brief_json else Brief(shots=[shot])
    source_prompt = source.effective_prompt or source.prompt
    if extension:
        return continue_shot(change, source_prompt=source_prompt, brief=brief, shot=shot)
    if shot is not None and brief is not None:
        return apply_change(change, brief=brief, shot=shot)
    return apply_change(change, prompt=source_prompt)
