"""From the Videos API contract to one pipeline call, and a record of every number that was changed.

A request asks for a `size` and `seconds`; a Wan or LTX-Video model accepts sides that are multiples of 16
or 32, frame counts of the form 4k+1 or 8k+1, and works best below some pixel area. The `CallPlan` is the call we
make (working size, frames, steps, guidance, negative prompt, seed) and the `changes` it lists are copied
into the job's metadata: nothing is changed silently. Outputs are resized back to the requested size.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from cinebrief.backends.diffusers.families import Variant
from cinebrief.contract.capabilities import FrameRule
from cinebrief.errors import ConfigError, InputError


@dataclass(frozen=True)
class ModelDefaults:
    """Per-model generation settings: the family's authors' numbers, then a folder's `cinebrief.json`, then settings.

    `flow_shift` rebuilds the scheduler with that shift; `guidance_2` is Wan 2.2 A14B's low-noise guidance;
    `decode_timestep` / `decode_noise_scale` are LTX's decode noise; `remix_strength` is how far a remix moves
    from its source clip (0 keeps it, 1 ignores it).
    """

    fps: int
    steps: int
    guidance: float
    negative_prompt: str
    max_area: int  # working pixel area; larger requests are generated smaller and resized up
    max_sequence_length: int
    max_seconds: int = 12
    flow_shift: float | None = None
    guidance_2: float | None = None
    decode_timestep: float | None = None
    decode_noise_scale: float | None = None
    remix_strength: float | None = None
    fit: str = "cover"  # how the generated frames reach the requested size: "cover" (crop) or "letterbox"

    @classmethod
    def for_variant(cls, variant: Variant) -> ModelDefaults:
        """The authors' published settings for this kind of folder."""
        values = {key: variant.defaults[key] for key in OVERRIDABLE if key in variant.defaults}
        return cls(fps=variant.fps, max_seconds=variant.max_seconds, **values)

    def with_overrides(self, values: Mapping[str, Any], *, source: str) -> ModelDefaults:
        """These defaults with the matching keys of `values` (checked), e.g. from settings or a folder."""
        known = {key: values[key] for key in OVERRIDABLE if key in values and values[key] is not None}
        checked = {key: check_value(key, value, source=source, error=ConfigError) for key, value in known.items()}
        return replace(self, **checked)

    def as_dict(self) -> dict[str, Any]:
        """The settings as `cinebrief models` and `/v1/models` show them (unset ones left out)."""
        return {key: value for key, value in asdict(self).items() if value is not None}


# The type of every generation setting, as `/v1/models` publishes it and the server coerces multipart text.
SETTING_TYPES: dict[str, str] = {
    "fps": "integer",
    "steps": "integer",
    "guidance": "number",
    "negative_prompt": "string",
    "max_area": "integer",
    "max_sequence_length": "integer",
    "max_seconds": "integer",
    "flow_shift": "number",
    "guidance_2": "number",
    "decode_timestep": "number",
    "decode_noise_scale": "number",
    "remix_strength": "number",
    "fit": "string",
}
OVERRIDABLE = tuple(SETTING_TYPES)
# What a single request may override through `options` (the rest belong to the model).
REQUEST_OPTIONS = ("steps", "guidance", "guidance_2", "negative_prompt", "remix_strength", "fit")
FIT_MODES = ("cover", "letterbox")
_RANGES: dict[str, tuple[float, float]] = {
    "guidance": (0, 30),
    "guidance_2": (0, 30),
    "flow_shift": (0, 100),
    "decode_timestep": (0, 1),
    "decode_noise_scale": (0, 1),
    "remix_strength": (0, 1),
}


def check_value(key: str, value: Any, *, source: str, error: type[Exception]) -> Any:
    """One setting checked against its declared type and range; the error names the key, value and what is allowed."""
    kind = SETTING_TYPES[key]
    if kind == "string":
        if not isinstance(value, str):
            raise error(f"{source}: '{key}' must be text, got {value!r}.")
        if key == "fit" and value not in FIT_MODES:
            raise error(f"{source}: 'fit' must be one of {', '.join(FIT_MODES)}, got {value!r}.")
        return value
    if kind == "number":
        low, high = _RANGES[key]
        if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
            raise error(f"{source}: '{key}' must be a number from {low:g} to {high:g}, got {value!r}.")
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
class CallPlan:
    """One pipeline call, and how it differs from what was asked."""

    mode: str  # "text-to-video" | "image-to-video" | "video-to-video"
    pipeline_class: str
    prompt: str
    negative_prompt: str
    width: int  # generated
    height: int
    output_width: int  # requested, fitted back to (see `fit`)
    output_height: int
    frames: int
    fps: int
    steps: int
    guidance: float
    seed: int
    max_sequence_length: int
    guidance_2: float | None = None
    flow_shift: float | None = None
    decode_timestep: float | None = None
    decode_noise_scale: float | None = None
    remix_strength: float | None = None
    fit: str = "cover"
    changes: tuple[str, ...] = field(default=())

    @property
    def duration(self) -> float:
        return self.frames / self.fps

    def metadata(self) -> dict[str, Any]:
        optional = ("guidance_2", "flow_shift", "decode_timestep", "decode_noise_scale", "remix_strength")
        return {
            "mode": self.mode,
            "pipeline": self.pipeline_class,
            "generated_size": f"{self.width}x{self.height}",
            "size": f"{self.output_width}x{self.output_height}",
            "fit": self.fit,
            "frames": self.frames,
            "fps": self.fps,
            "duration": round(self.duration, 4),
            "steps": self.steps,
            "guidance": self.guidance,
            **{key: getattr(self, key) for key in optional if getattr(self, key) is not None},
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
    return {key: check_value(key, value, source="options", error=InputError) for key, value in options.items()}


def make_call_plan(
    *,
    prompt: str,
    width: int,
    height: int,
    seconds: int,
    seed: int,
    mode: str,
    pipeline_class: str,
    size_multiple: int,
    frame_rule: FrameRule,
    defaults: ModelDefaults,
    options: Mapping[str, Any],
) -> CallPlan:
    """Map one request onto the model's numbers and list what had to change."""
    overrides = request_overrides(options)
    settings = replace(defaults, **overrides)
    if seconds > settings.max_seconds:
        raise InputError(
            f"seconds '{seconds}' is longer than this model allows (at most {settings.max_seconds}).",
            field="seconds",
        )
    strength = settings.remix_strength
    if mode == "video-to-video" and strength is not None and settings.steps * strength < 1:
        raise InputError(
            f"remix_strength {settings.remix_strength:g} of {settings.steps} steps denoises no step; "
            f"raise 'steps' or 'remix_strength' (at least {1 / settings.steps:.2f}).",
            field="options",
        )
    work_width, work_height = working_size(width, height, multiple=size_multiple, max_area=settings.max_area)
    frames = frame_count(seconds, settings.fps, frame_rule)
    changes: list[str] = []
    if (work_width, work_height) != (width, height):
        same_aspect = work_width * height == work_height * width
        how = "scaled" if same_aspect else ("cover-cropped" if settings.fit == "cover" else "letterboxed")
        changes.append(
            f"size {width}x{height} generated at {work_width}x{work_height} (sides multiple of {size_multiple}, "
            f"area at most {settings.max_area} px) and {how} to {width}x{height}"
        )
    if frames != seconds * settings.fps:
        changes.append(
            f"seconds {seconds} at {settings.fps} fps is {seconds * settings.fps} frames; generated {frames} "
            f"(frame rule {frame_rule}), {frames / settings.fps:.3f} s"
        )
    return CallPlan(
        mode=mode,
        pipeline_class=pipeline_class,
        prompt=prompt,
        negative_prompt=settings.negative_prompt,
        width=work_width,
        height=work_height,
        output_width=width,
        output_height=height,
        frames=frames,
        fps=settings.fps,
        steps=settings.steps,
        guidance=settings.guidance,
        seed=seed,
        max_sequence_length=settings.max_sequence_length,
        guidance_2=settings.guidance_2,
        flow_shift=settings.flow_shift,
        decode_timestep=settings.decode_timestep,
        decode_noise_scale=settings.decode_noise_scale,
        remix_strength=settings.remix_strength if mode == "video-to-video" else None,
        fit=settings.fit,
        changes=tuple(changes),
    )
