"""`DiffusersBackend`: Wan and LTX-Video pipelines from a local folder behind the one backend interface.

Construct it with one model's settings (`path`, optionally `family`, `device`, `dtype`, `cpu_offload`,
`vae_tiling`, `cache_bytes`, and generation defaults `fps`, `steps`, `guidance`, `negative_prompt`,
`max_area`, `max_sequence_length`, `max_seconds`). Nothing heavy happens until `generate`: importing this
module, building the backend and publishing capabilities read JSON only and never import torch.
"""

from __future__ import annotations

import io
import time
from pathlib import Path
from typing import Any

from cinebrief.backends.base import (
    CancelledFn,
    CheckpointFn,
    GenerationRequest,
    GenerationResult,
    ProgressFn,
    _no_checkpoint,
)
from cinebrief.backends.diffusers.folder import ModelFolder, inspect_folder
from cinebrief.backends.diffusers.mapping import ModelDefaults, Plan, make_plan
from cinebrief.backends.diffusers.runtime import (
    SHARED_CACHE,
    PipelineCache,
    RuntimeOptions,
    choose_device,
    choose_dtype,
)
from cinebrief.backends.diffusers.settings import DiffusersSettings
from cinebrief.contract.capabilities import Capabilities
from cinebrief.errors import CancelledError, InputError

# Shares of the progress bar: loading, denoising steps (the bulk), then decoding and encoding.
_LOADED = 0.05
_DENOISED = 0.9


class DiffusersBackend:
    """One diffusers model folder; loaded pipelines are shared through a process-wide `PipelineCache`."""

    name = "diffusers"

    def __init__(self, *, cache: PipelineCache | None = None, **settings: Any) -> None:
        self.settings = DiffusersSettings.from_mapping(settings)
        self.cache = cache if cache is not None else SHARED_CACHE
        self._folder: ModelFolder | None = None

    # -- what the folder can do ------------------------------------------------------------------------
    def folder(self, model: str | None = None) -> ModelFolder:
        """The checked folder (read once); `ConfigError` names whatever is missing."""
        if self._folder is None:
            self._folder = inspect_folder(self.settings.path, family=self.settings.family, model=model)
        return self._folder

    def defaults(self, model: str | None = None) -> ModelDefaults:
        """The family's defaults, then the folder's `cinebrief.json`, then these settings."""
        folder = self.folder(model)
        defaults = ModelDefaults.for_family(folder.family, folder.native_fps)
        defaults = defaults.with_overrides(folder.defaults, source=str(folder.path / "cinebrief.json"))
        return defaults.with_overrides(dict(self.settings.generation), source=f"settings of model '{model}'")

    def capabilities(self, model: str) -> Capabilities:
        folder = self.folder(model)
        defaults = self.defaults(model)
        seconds = tuple(s for s in ("4", "8", "12", "16", "20") if int(s) <= defaults.max_seconds)
        # Any even size is accepted (H.264 needs even sides): the model generates at its own multiple and
        # the output is resized back, so the native multiple is published in the notes, not as a limit.
        return Capabilities(
            backend=self.name,
            size_multiple=2,
            seconds=seconds,
            fps=defaults.fps,
            frame_rule=folder.frame_rule,
            max_seconds=defaults.max_seconds,
            image_to_video=folder.image_to_video_class is not None,
            text_to_video=folder.text_to_video_class is not None,
            audio=False,
            remix=True,
            notes=(
                f"{folder.family} {folder.variant} ({folder.pipeline_class}) from {folder.path}; generated with "
                f"sides multiple of {folder.size_multiple} within {defaults.max_area} px, then resized to the "
                f"requested size; frames {folder.frame_rule} at {defaults.fps} fps; silent audio track"
            ),
        )

    def plan(self, request: GenerationRequest) -> Plan:
        """The pipeline call for `request` (no torch): which pipeline, size, frames, steps, guidance."""
        folder = self.folder(request.model)
        image_to_video = request.input_reference is not None
        pipeline_class = folder.image_to_video_class if image_to_video else folder.text_to_video_class
        if pipeline_class is None:
            need = "cannot use an input_reference" if image_to_video else "needs an input_reference"
            raise InputError(
                f"Model '{request.model}' ({folder.family} {folder.variant}, {folder.pipeline_class}) {need}.",
                field="input_reference",
                code="unsupported_input_reference" if image_to_video else "missing_input_reference",
            )
        return make_plan(
            prompt=request.prompt,
            width=request.width,
            height=request.height,
            seconds=int(request.seconds),
            seed=request.seed,
            image_to_video=image_to_video,
            pipeline_class=pipeline_class,
            size_multiple=folder.size_multiple,
            frame_rule=folder.frame_rule,
            defaults=self.defaults(request.model),
            options=request.options,
        )

    def runtime_options(self) -> RuntimeOptions:
        device = choose_device(self.settings.device)
        return RuntimeOptions(
            device=device,
            dtype=choose_dtype(device, self.settings.dtype),
            cpu_offload=self.settings.cpu_offload,
            vae_tiling=self.settings.vae_tiling,
        )

    # -- one job ---------------------------------------------------------------------------------------
    def generate(
        self,
        request: GenerationRequest,
        output_dir: Path,
        *,
        progress: ProgressFn,
        cancelled: CancelledFn,
        checkpoint: CheckpointFn = _no_checkpoint,
    ) -> GenerationResult:
        from cinebrief.backends.diffusers.output import write_outputs

        started = time.perf_counter()
        # 1. Check the folder and map the request onto the model's numbers.
        plan = self.plan(request)
        options = self.runtime_options()
        progress(0.0)
        if cancelled():
            raise CancelledError()
        # 2. Load the pipeline, or take the warm one.
        loads_before = self.cache.loads
        pipeline = self.cache.get(
            self.folder().path, plan.pipeline_class, options, budget_bytes=self.settings.cache_bytes
        )
        progress(_LOADED)
        # 3. Denoise (progress and cancel between steps) and decode.
        frames = run_pipeline(pipeline, plan, request.input_reference, progress=progress, cancelled=cancelled)
        if cancelled():
            raise CancelledError()
        # 4. Resize back to the requested size; write video.mp4 (silent AAC), thumbnail and spritesheet.
        directory = Path(output_dir)
        write_outputs(frames, plan, directory)
        progress(1.0)
        metadata = {
            "backend": self.name,
            "model": request.model,
            "family": self.folder().family,
            "folder": str(self.folder().path),
            "device": options.device,
            "dtype": options.dtype,
            "cpu_offload": options.cpu_offload,
            "vae_tiling": options.vae_tiling,
            "pipeline_loaded": self.cache.loads > loads_before,
            "elapsed_seconds": round(time.perf_counter() - started, 3),
            **plan.metadata(),
            "notes": list(plan.changes),  # shown to the user: nothing is changed silently
        }
        return GenerationResult(directory=directory, metadata=metadata)


def pipeline_arguments(plan: Plan, input_reference: bytes | None, family: str) -> dict[str, Any]:
    """The keyword arguments of the pipeline call, without the generator and the callback."""
    arguments: dict[str, Any] = {
        "prompt": plan.prompt,
        "negative_prompt": plan.negative_prompt,
        "height": plan.height,
        "width": plan.width,
        "num_frames": plan.frames,
        "num_inference_steps": plan.steps,
        "guidance_scale": plan.guidance,
        "max_sequence_length": plan.max_sequence_length,
        "output_type": "np",
    }
    if family == "ltx":
        arguments["frame_rate"] = plan.fps
    if input_reference is not None:
        from PIL import Image

        with Image.open(io.BytesIO(input_reference)) as image:
            arguments["image"] = image.convert("RGB")
    return arguments


def run_pipeline(
    pipeline: Any,
    plan: Plan,
    input_reference: bytes | None,
    *,
    progress: ProgressFn,
    cancelled: CancelledFn,
) -> Any:
    """Call the pipeline; returns the decoded frames as floats in [0, 1], shaped (frames, height, width, 3)."""
    import torch

    family = "ltx" if plan.pipeline_class.startswith("LTX") else "wan"

    def on_step_end(pipe: Any, step: int, timestep: Any, tensors: dict[str, Any]) -> dict[str, Any]:
        progress(_LOADED + (_DENOISED - _LOADED) * (step + 1) / plan.steps)
        if cancelled():
            raise CancelledError(f"The job was cancelled after step {step + 1} of {plan.steps}.")
        return tensors

    # A CPU generator gives the same noise for a seed on every device.
    generator = torch.Generator(device="cpu").manual_seed(plan.seed)
    with torch.inference_mode():
        output = pipeline(
            **pipeline_arguments(plan, input_reference, family),
            generator=generator,
            callback_on_step_end=on_step_end,
        )
    return output.frames[0]
