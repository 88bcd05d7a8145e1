"""From the Videos API contract to one pipeline call, and a record of every number that was changed.

A request asks for a `size` and `seconds`; a Wan or LTX-Video model accepts sides that are multiples of 16
or 32, frame counts of the form 4k+1 or 8k+1, and works best below some pixel area. The `Plan` is the call we
make (working size, frames, steps, guidance, negative prompt, seed) and the `changes` it lists are copied
into the job's metadata: nothing is changed silently. Outputs are resized back to the requested size.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from cinebrief.contract.capabilities import FrameRule
from cinebrief.errors import ConfigError, InputError

# The negative prompts the model authors publish with their examples.
WAN_NEGATIVE_PROMPT = (
    "Bright tones, overexposed, static, blurred details, subtitles, style, works, paintings, images, static, "
    "overall gray, worst quality, low quality, JPEG compression residue, ugly, incomplete, extra fingers, poorly "
    "drawn hands, poorly drawn faces, deformed, disfigured, misshapen limbs, fused fingers, still picture, "
    "messy background, three legs, many people in the background, walking backwards"
)
LTX_NEGATIVE_PROMPT = "worst quality, inconsistent motion, blurry, jittery, distorted"


@dataclass(frozen=True)
class ModelDefaults:
    """Per-model generation defaults; settings and a folder's `cinebrief.json` override the family's."""

    fps: int
    steps: int
    guidance: float
    negative_prompt: str
    max_area: int  # working pixel area; larger requests are generated smaller and resized up
    max_sequence_length: int
    max_seconds: int = 12

    @classmethod
    def for_family(cls, family: str, native_fps: int) -> ModelDefaults:
        if family == "wan":
            return cls(native_fps, 50, 5.0, WAN_NEGATIVE_PROMPT, 1280 * 720, 512)
        return cls(native_fps, 50, 3.0, LTX_NEGATIVE_PROMPT, 768 * 512, 128)

    def with_overrides(self, values: Mapping[str, Any], *, source: str) -> ModelDefaults:
        """These defaults with the matching keys of `values` (checked), e.g. from settings or a folder."""
        known = {key: values[key] for key in OVERRIDABLE if key in values and values[key] is not None}
        checked = {key: _check_value(key, value, source=source, error=ConfigError) for key, value in known.items()}
        return replace(self, **checked)


OVERRIDABLE = ("fps", "steps", "guidance", "negative_prompt", "max_area", "max_sequence_length", "max_seconds")
# What a single request may override through `request.options`.
REQUEST_OPTIONS = ("steps", "guidance", "negative_prompt")


def _check_value(key: str, value: Any, *, source: str, error: type[Exception]) -> Any:
    if key == "negative_prompt":
        if not isinstance(value, str):
            raise error(f"{source}: 'negative_prompt' must be text, got {value!r}.")
        return value
    if key == "guidance":
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 30:
            raise error(f"{source}: 'guidance' must be a number from 0 to 30, got {value!r}.")
        return float(value)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise error(f"{source}: '{key}' must be a whole number of at least 1, got {value!r}.")
    if key == "steps" and value > 200:
        raise error(f"{source}: 'steps' must be at most 200, got {value}.")
    return value


def nearest_multiple(value: float, multiple: int) -> int:
    """The multiple of `multiple` nearest to `value` (ties go down, to spare memory), at least `multiple`."""
    k = max(1, math.ceil(value / multiple - 0.5))
    return k * multiple


def working_size(width: int, height: int, *, multiple: int, max_area: int) -> tuple[int, int]:
    """The size to generate at: scaled down to `max_area` keeping the aspect ratio, sides snapped to `multiple`."""
    scale = min(1.0, math.sqrt(max_area / (width * height)))
    return nearest_multiple(width * scale, multiple), nearest_multiple(height * scale, multiple)


def frame_count(seconds: int, fps: int, rule: FrameRule) -> int:
    """Frames for `seconds` at `fps`, moved to the nearest count the model's frame rule accepts."""
    return rule.nearest(seconds * fps)


@dataclass(frozen=True)
class Plan:
    """One pipeline call, and how it differs from what was asked."""

    mode: str  # "text-to-video" | "image-to-video"
    pipeline_class: str
    prompt: str
    negative_prompt: str
    width: int  # generated
    height: int
    output_width: int  # requested, resized back to
    output_height: int
    frames: int
    fps: int
    steps: int
    guidance: float
    seed: int
    max_sequence_length: int
    changes: tuple[str, ...] = field(default=())

    @property
    def duration(self) -> float:
        return self.frames / self.fps

    def metadata(self) -> dict[str, Any]:
        return {
            "mode": self.mode,
            "pipeline": self.pipeline_class,
            "generated_size": f"{self.width}x{self.height}",
            "size": f"{self.output_width}x{self.output_height}",
            "frames": self.frames,
            "fps": self.fps,
            "duration": round(self.duration, 4),
            "steps": self.steps,
            "guidance": self.guidance,
            "negative_prompt": self.negative_prompt,
            "seed": self.seed,
            "changes": list(self.changes),
        }


def request_overrides(options: Mapping[str, Any]) -> dict[str, Any]:
    """The checked per-request overrides; an unknown option is an error that lists the allowed ones."""
    unknown = sorted(set(options) - set(REQUEST_OPTIONS))
    if unknown:
        raise InputError(
            f"Unknown option(s) for the diffusers backend: {', '.join(unknown)}. "
            f"Allowed options: {', '.join(REQUEST_OPTIONS)}.",
            field="options",
            code="unknown_option",
        )
    return {key: _check_value(key, value, source="options", error=InputError) for key, value in options.items()}


def make_plan(
    *,
    prompt: str,
    width: int,
    height: int,
    seconds: int,
    seed: int,
    image_to_video: bool,
    pipeline_class: str,
    size_multiple: int,
    frame_rule: FrameRule,
    defaults: ModelDefaults,
    options: Mapping[str, Any],
) -> Plan:
    """Map one request onto the model's numbers and list what had to change."""
    overrides = request_overrides(options)
    if seconds > defaults.max_seconds:
        raise InputError(
            f"seconds '{seconds}' is longer than this model allows (at most {defaults.max_seconds}).",
            field="seconds",
        )
    work_width, work_height = working_size(width, height, multiple=size_multiple, max_area=defaults.max_area)
    frames = frame_count(seconds, defaults.fps, frame_rule)
    changes: list[str] = []
    if (work_width, work_height) != (width, height):
        changes.append(
            f"size {width}x{height} generated at {work_width}x{work_height} (sides multiple of {size_multiple}, "
            f"area at most {defaults.max_area} px) and resized back to {width}x{height}"
        )
    if frames != seconds * defaults.fps:
        changes.append(
            f"seconds {seconds} at {defaults.fps} fps is {seconds * defaults.fps} frames; generated {frames} "
            f"(frame rule {frame_rule}), {frames / defaults.fps:.3f} s"
        )
    return Plan(
        mode="image-to-video" if image_to_video else "text-to-video",
        pipeline_class=pipeline_class,
        prompt=prompt,
        negative_prompt=overrides.get("negative_prompt", defaults.negative_prompt),
        width=work_width,
        height=work_height,
        output_width=width,
        output_height=height,
        frames=frames,
        fps=defaults.fps,
        steps=overrides.get("steps", defaults.steps),
        guidance=overrides.get("guidance", defaults.guidance),
        seed=seed,
        max_sequence_length=defaults.max_sequence_length,
        changes=tuple(changes),
    )
