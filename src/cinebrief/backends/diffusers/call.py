"""One pipeline call: the family's keyword arguments for a `CallPlan`, progress and cancel per step, frames as uint8.

The frames come back as `output_type="pt"` tensors on the device and are turned into uint8 there, so a
121-frame 1280x704 clip never makes a float copy in host memory. A model that makes sound (LTX-2) also
returns its waveform.
"""

from __future__ import annotations

import inspect
import io
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np

from cinebrief.backends.base import CancelledFn, ProgressFn
from cinebrief.backends.diffusers.mapping import CallPlan
from cinebrief.errors import CancelledError

# Shares of the progress bar: loading, denoising steps (the bulk), then decoding and encoding.
LOADED = 0.05
DENOISED = 0.9


@dataclass(frozen=True)
class Decoded:
    """What a pipeline made: uint8 frames (frames, height, width, 3) and, from a model with sound, its audio."""

    frames: np.ndarray
    audio: np.ndarray | None = None  # float32 (channels, samples) in [-1, 1]
    audio_rate: int = 0


def _image(data: bytes) -> Any:
    from PIL import Image

    with Image.open(io.BytesIO(data)) as image:
        return image.convert("RGB")


def source_frames(video: bytes, count: int, width: int, height: int) -> list[Any]:
    """`count` frames of the source clip, evenly picked, at the working size: what video-to-video starts from."""
    import av
    from PIL import Image

    with av.open(io.BytesIO(video)) as container:
        total = container.streams.video[0].frames or sum(1 for _ in container.demux(video=0)) - 1
    if total <= 0:
        return []
    picks = np.linspace(0, total - 1, count).round().astype(int)
    wanted: dict[int, int] = {}
    for slot, index in enumerate(picks):
        wanted.setdefault(int(index), slot)
    frames: list[Any] = [None] * count
    with av.open(io.BytesIO(video)) as container:  # one frame at a time: only the picked ones are kept, small
        for index, frame in enumerate(container.decode(video=0)):
            if index in wanted:
                frames[wanted[index]] = frame.to_image().resize((width, height), Image.Resampling.LANCZOS)
    last = next((frame for frame in reversed(frames) if frame is not None), None)
    filled = []
    for frame in frames:  # a repeated pick (fewer source frames than asked) reuses the frame before it
        last_seen = frame if frame is not None else (filled[-1] if filled else last)
        filled.append(last_seen)
    return filled


def call_arguments(
    plan: CallPlan,
    pipeline: Any,
    *,
    family: str,
    input_reference: bytes | None = None,
    source_video: bytes | None = None,
) -> dict[str, Any]:
    """The keyword arguments of the pipeline call, without the generator and the callback."""
    arguments: dict[str, Any] = {
        "prompt": plan.prompt,
        "negative_prompt": plan.negative_prompt,
        "height": plan.height,
        "width": plan.width,
        "num_frames": plan.frames,
        "num_inference_steps": plan.steps,
        "guidance_scale": plan.guidance,
        "output_type": "pt",
        "max_sequence_length": plan.max_sequence_length,
    }
    if family in ("ltx", "ltx2"):
        arguments["frame_rate"] = plan.fps
        arguments["decode_timestep"] = plan.decode_timestep or 0.0
        arguments["decode_noise_scale"] = plan.decode_noise_scale
    if plan.guidance_2 is not None and getattr(pipeline.config, "boundary_ratio", None) is not None:
        arguments["guidance_scale_2"] = plan.guidance_2
    if input_reference is not None and plan.mode == "image-to-video":
        arguments["image"] = _image(input_reference)  # a remix starts from the source clip, which began there
    if plan.mode == "video-to-video":
        arguments.update(_video_to_video(plan, family, source_video or b""))
    return arguments


def _video_to_video(plan: CallPlan, family: str, video: bytes) -> dict[str, Any]:
    """The source clip as each family's video-to-video pipeline takes it, moved by `remix_strength`."""
    frames = source_frames(video, plan.frames, plan.width, plan.height)
    strength = plan.remix_strength if plan.remix_strength is not None else 0.6
    if family == "wan":
        # WanVideoToVideoPipeline counts frames from the video itself and noises it to `strength`.
        return {"video": frames, "strength": strength, "num_frames": None}
    if family == "ltx":
        # LTXConditionPipeline: the clip is a condition held at 1 - strength, denoised from `strength` of the way.
        return {"video": frames, "strength": 1.0 - strength, "denoise_strength": strength}
    from diffusers.pipelines.ltx2.pipeline_ltx2_condition import LTX2VideoCondition

    return {"conditions": [LTX2VideoCondition(frames=frames, index=0, strength=1.0 - strength)]}


def set_flow_shift(pipeline: Any, shift: float | None) -> None:
    """Rebuild the scheduler with the model's flow shift (Wan's UniPC calls it `flow_shift`, flow-match `shift`)."""
    if shift is None:
        return
    scheduler = pipeline.scheduler
    key = "flow_shift" if "flow_shift" in scheduler.config else "shift"
    if key in scheduler.config and scheduler.config[key] != shift:
        pipeline.scheduler = type(scheduler).from_config(scheduler.config, **{key: shift})


def reset_step_caches(pipeline: Any) -> None:
    """Start every job with fresh step-cache state: a cache hook (MagCache, first-block cache) counts the steps
    of a whole schedule and resets only at its end, so a cancelled job or a remix (fewer steps, from part-way
    into the schedule) would otherwise hand its count on to the next job on the warm pipeline."""
    for component in getattr(pipeline, "components", {}).values():
        registry = getattr(component, "_diffusers_hook", None)
        if registry is not None:
            registry.reset_stateful_hooks()


def run_pipeline(
    pipeline: Any,
    plan: CallPlan,
    *,
    family: str,
    progress: ProgressFn,
    cancelled: CancelledFn,
    input_reference: bytes | None = None,
    source_video: bytes | None = None,
) -> Decoded:
    """Call the pipeline with progress and cancel between steps; the frames as uint8, the audio when made."""
    import torch

    def on_step_end(pipe: Any, step: int, timestep: Any, tensors: dict[str, Any]) -> dict[str, Any]:
        progress(LOADED + (DENOISED - LOADED) * min(1.0, (step + 1) / plan.steps))
        if cancelled():
            raise CancelledError(f"The job was cancelled after step {step + 1} of {plan.steps}.")
        return tensors

    set_flow_shift(pipeline, plan.flow_shift)
    reset_step_caches(pipeline)
    accepted = inspect.signature(pipeline.__call__).parameters
    arguments = call_arguments(
        plan, pipeline, family=family, input_reference=input_reference, source_video=source_video
    )
    arguments = {key: value for key, value in arguments.items() if value is not None and key in accepted}
    if "guidance_scale" not in accepted and getattr(pipeline, "guider", None) is not None:
        pipeline.guider.guidance_scale = plan.guidance  # pipelines with a guider (HunyuanVideo 1.5) read it there
    # A CPU generator gives the same noise for a seed on every device.
    generator = torch.Generator(device="cpu").manual_seed(plan.seed)
    with torch.inference_mode(), _steps_reported(pipeline, accepted, on_step_end) as callback:
        output = pipeline(**arguments, generator=generator, **callback)
        frames = to_uint8(output.frames[0])
        audio = getattr(output, "audio", None)
        waveform = _waveform(audio[0]) if audio is not None else None
    rate = int(getattr(getattr(pipeline, "vocoder", None), "config", {}).get("output_sampling_rate", 0) or 0)
    return Decoded(frames=frames, audio=waveform, audio_rate=rate)


@contextmanager
def _steps_reported(pipeline: Any, accepted: Mapping[str, Any], on_step_end: Any) -> Iterator[dict[str, Any]]:
    """The step callback for the pipeline: its own `callback_on_step_end`, or, for a pipeline without one, a
    wrapper around its scheduler's `step` (one call per denoising step) for the time of this call."""
    if "callback_on_step_end" in accepted:
        yield {"callback_on_step_end": on_step_end}
        return
    scheduler = pipeline.scheduler
    step = scheduler.step
    count = [0]

    def counted(*args: Any, **kwargs: Any) -> Any:
        result = step(*args, **kwargs)
        on_step_end(pipeline, count[0], None, {})
        count[0] += 1
        return result

    scheduler.step = counted
    try:
        yield {}
    finally:
        del scheduler.step  # back to the class's own method


def to_uint8(video: Any) -> np.ndarray:
    """A (frames, channels, height, width) float tensor in [0, 1] to uint8 (frames, height, width, 3), on its device."""
    import torch

    if not isinstance(video, torch.Tensor):  # a pipeline that ignored output_type="pt"
        array = np.asarray(video)
        return array if array.dtype == np.uint8 else (np.clip(array, 0, 1) * 255 + 0.5).astype(np.uint8)
    pixels = video.mul(255).add_(0.5).clamp_(0, 255).to(torch.uint8)
    return pixels.permute(0, 2, 3, 1).contiguous().cpu().numpy()


def _waveform(audio: Any) -> np.ndarray:
    """A (channels, samples) tensor or array as float32 (channels, samples) in [-1, 1]."""
    array = audio.float().cpu().numpy() if hasattr(audio, "cpu") else np.asarray(audio, dtype=np.float32)
    return np.clip(np.atleast_2d(array), -1.0, 1.0).astype(np.float32)
