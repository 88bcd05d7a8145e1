"""`DiffusersBackend`: open video models from a local diffusers folder behind the one backend interface.

Construct it with one model's settings (`path`, optionally `family`, `device`, `dtype`, `dtypes`,
`cpu_offload`, `vae_tiling`, `cache_bytes`, the speed settings of `speed.py`, and generation defaults such
as `fps`, `steps`, `guidance`, `flow_shift`, `remix_strength`). Nothing heavy happens until `generate`:
importing this module, building the backend and publishing capabilities read JSON only and never import torch.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from cinebrief.backends.base import (
    CancelledFn,
    CheckpointFn,
    GenerationRequest,
    GenerationResult,
    ProgressFn,
    _no_checkpoint,
    refuse_unknown_settings,
)
from cinebrief.backends.diffusers.call import LOADED, run_pipeline
from cinebrief.backends.diffusers.folder import FOLDER_DEFAULTS_FILE, ModelFolder, inspect_folder
from cinebrief.backends.diffusers.mapping import REQUEST_OPTIONS, SETTING_TYPES, CallPlan, ModelDefaults, make_call_plan
from cinebrief.backends.diffusers.runtime import (
    SHARED_CACHE,
    PipelineCache,
    RuntimeOptions,
    choose_device,
    choose_dtype,
    release_memory,
)
from cinebrief.backends.diffusers.settings import ALLOWED_KEYS, DiffusersSettings
from cinebrief.contract.capabilities import Capabilities
from cinebrief.contract.profile import EXTENDED_SECONDS
from cinebrief.errors import BackendError, CancelledError, ConfigError, InputError

CONTRACT_SECONDS = EXTENDED_SECONDS


class DiffusersBackend:
    """One diffusers model folder; loaded pipelines are shared through a process-wide `PipelineCache`."""

    name = "diffusers"

    def __init__(self, *, cache: PipelineCache | None = None, **settings: Any) -> None:
        if cache is not None and not isinstance(cache, PipelineCache):  # a settings file's `cache = ...`
            refuse_unknown_settings(self.name, ["cache"], ALLOWED_KEYS)
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
        """The family's published defaults, then the folder's `cinebrief.json`, then these settings."""
        folder = self.folder(model)
        defaults = ModelDefaults.for_variant(folder.variant)
        defaults = defaults.with_overrides(folder.defaults, source=str(folder.path / FOLDER_DEFAULTS_FILE))
        return defaults.with_overrides(dict(self.settings.generation), source=f"settings of model '{model}'")

    def capabilities(self, model: str) -> Capabilities:
        folder = self.folder(model)
        defaults = self.defaults(model)
        seconds = tuple(s for s in CONTRACT_SECONDS if int(s) <= defaults.max_seconds)
        variant = folder.variant
        sound = (
            "its own sound track"
            if variant.audio
            else ("the prompt's dialogue and sound bed (sound pass)" if self.settings.sound_pass else "a silent track")
        )
        # Any even size is accepted (H.264 needs even sides): the model generates at its own multiple and
        # the output is fitted back, so the native multiple is published in the notes, not as a limit.
        return Capabilities(
            backend=self.name,
            size_multiple=2,
            seconds=seconds,
            fps=defaults.fps,
            frame_rule=folder.frame_rule,
            max_seconds=defaults.max_seconds,
            image_to_video=folder.image_to_video_class is not None,
            text_to_video=folder.text_to_video_class is not None,
            audio=variant.audio or self.settings.sound_pass,
            remix=folder.video_to_video_class is not None,
            remix_refusal=variant.remix_refusal,
            settings={"variant": variant.name, **defaults.as_dict(), **self.runtime_settings()},
            options={key: SETTING_TYPES[key] for key in REQUEST_OPTIONS},
            notes=(
                f"{variant.name} ({folder.pipeline_class}) from {folder.path}; generated with sides multiple of "
                f"{folder.size_multiple} within {defaults.max_area} px, then fitted ({defaults.fit}) to the requested "
                f"size; frames {folder.frame_rule} at {defaults.fps} fps; {sound}"
            ),
        )

    def runtime_settings(self) -> dict[str, Any]:
        """The memory and speed settings as configured (before the device is known)."""
        shown: dict[str, Any] = {"dtype": self.settings.dtype}
        if dtypes := self.component_dtypes():
            shown["dtypes"] = dtypes
        if self.settings.cpu_offload:
            shown["cpu_offload"] = True
        if self.settings.vae_tiling:
            shown["vae_tiling"] = True
        return {**shown, **self.settings.speed.as_dict()}

    def call_plan(self, request: GenerationRequest) -> CallPlan:
        """The pipeline call for `request` (no torch): which pipeline, mode, size, frames, steps, guidance."""
        folder = self.folder(request.model)
        mode, pipeline_class = self._mode(request, folder)
        plan = make_call_plan(
            prompt=request.prompt,
            width=request.width,
            height=request.height,
            seconds=int(request.seconds),
            seed=request.seed,
            mode=mode,
            pipeline_class=pipeline_class,
            size_multiple=folder.size_multiple,
            frame_rule=folder.frame_rule,
            defaults=self.defaults(request.model),
            options=request.options,
        )
        self._check_mag_steps(plan.steps, request)
        return plan

    def _check_mag_steps(self, steps: int, request: GenerationRequest) -> None:
        """MagCache is set up once per loaded pipeline for `len(mag_ratios)` steps and only resets its state
        after that many: a call with another count would carry one job's cached residual into the next."""
        speed = self.settings.speed
        if speed.step_cache != "mag" or steps == len(speed.mag_ratios):
            return
        calibrated = f"step_cache 'mag' is calibrated for {len(speed.mag_ratios)} steps (one mag_ratio per step)"
        if "steps" in request.options:
            raise InputError(
                f"options.steps {steps}: model '{request.model}' uses {calibrated}; leave steps out.",
                field="options",
                code="unsupported_steps",
            )
        raise ConfigError(f"Model '{request.model}' runs {steps} steps, but its {calibrated}; make them agree.")

    def _mode(self, request: GenerationRequest, folder: ModelFolder) -> tuple[str, str]:
        """Video-to-video for a remix of a clip, image-to-video with a reference, else text-to-video."""
        label = f"Model '{request.model}' ({folder.variant.name}, {folder.pipeline_class})"
        if request.remix is not None:
            if request.remix.video is None:  # its files expired: a remix without its clip would not keep it
                raise InputError(
                    f"Video '{request.remix.video_id}' has no video file any more (it expired); a remix on "
                    f"{label} starts from the source clip. Generate the shot again instead.",
                    field="video_id",
                    code="source_expired",
                )
            if folder.video_to_video_class is None:
                raise InputError(
                    f"{label} cannot remix: {folder.variant.remix_refusal}.", field="video_id", code="unsupported_remix"
                )
            return "video-to-video", folder.video_to_video_class
        if request.input_reference is not None:
            if folder.image_to_video_class is None:
                raise InputError(
                    f"{label} cannot use an input_reference.",
                    field="input_reference",
                    code="unsupported_input_reference",
                )
            return "image-to-video", folder.image_to_video_class
        if folder.text_to_video_class is None:
            raise InputError(
                f"{label} needs an input_reference.", field="input_reference", code="missing_input_reference"
            )
        return "text-to-video", folder.text_to_video_class

    def component_dtypes(self) -> dict[str, str]:
        """The dtype of each component that does not take `dtype`: the family's, then these settings'."""
        return {**self.folder().variant.component_dtypes, **dict(self.settings.dtypes)}

    def runtime_options(self) -> RuntimeOptions:
        device = choose_device(self.settings.device)
        return RuntimeOptions(
            device=device,
            dtype=choose_dtype(device, self.settings.dtype),
            component_dtypes=tuple(sorted(self.component_dtypes().items())),
            cpu_offload=self.settings.cpu_offload,
            vae_tiling=self.settings.vae_tiling,
            speed=self.settings.speed,
        )

    def warm(self, model: str) -> None:
        """Load the folder's pipeline now (a worker started with `warm = true`), so the first job finds it loaded."""
        folder = self.folder(model)
        class_name = folder.text_to_video_class or folder.image_to_video_class or folder.pipeline_class
        self.cache.get(folder.path, class_name, self.runtime_options(), budget_bytes=self.settings.cache_bytes)

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
        plan = self.call_plan(request)
        options = self.runtime_options()
        progress(0.0)
        if cancelled():
            raise CancelledError()
        # 2. Take the warm pipeline (or load it), alone: one job runs on a pipeline at a time.
        loads_before = self.cache.loads
        lease = self.cache.lease(
            self.folder().path, plan.pipeline_class, options, budget_bytes=self.settings.cache_bytes
        )
        with lease as pipeline, _out_of_memory_is_a_job_error(pipeline, plan, options):
            progress(LOADED)
            # 3. Denoise (progress and cancel between steps) and decode to uint8 on the device.
            decoded = run_pipeline(
                pipeline,
                plan,
                family=self.folder().family,
                progress=progress,
                cancelled=cancelled,
                input_reference=request.input_reference,
                source_video=request.remix.video if request.remix is not None else None,
            )
        if cancelled():
            raise CancelledError()
        # 4. A silent model's clip gets the prompt's dialogue and sound bed (the sound pass, as previz makes them).
        sound_pass, sound_facts = None, {}
        if decoded.audio is None and self.settings.sound_pass:
            sound_pass, sound_facts = prompt_soundtrack(request, seconds=plan.duration)
        # 5. Fit to the requested size; write video.mp4, thumbnail and spritesheet.
        directory = Path(output_dir)
        write_outputs(decoded, plan, directory, sound_pass=sound_pass)
        progress(1.0)
        metadata = {
            "backend": self.name,
            "model": request.model,
            "family": self.folder().family,
            "variant": self.folder().variant.name,
            "folder": str(self.folder().path),
            "device": options.device,
            **({"cuda_visible_devices": visible} if (visible := os.environ.get("CUDA_VISIBLE_DEVICES")) else {}),
            "dtype": options.dtype,
            "dtypes": options.describe_dtypes(),
            "cpu_offload": options.cpu_offload,
            "vae_tiling": options.vae_tiling,
            **({"speed": options.speed.as_dict()} if options.speed.as_dict() else {}),
            "audio": "model" if decoded.audio is not None else ("sound pass" if sound_pass is not None else "silent"),
            **({"sound": sound_facts} if sound_facts else {}),
            "pipeline_loaded": self.cache.loads > loads_before,
            "elapsed_seconds": round(time.perf_counter() - started, 3),
            **plan.metadata(),
            "notes": list(plan.changes),  # shown to the user: nothing is changed silently
        }
        if request.remix is not None:
            metadata["remix"] = {
                "source": request.remix.video_id,
                "change": request.remix.change,
                "strength": plan.remix_strength,
            }
        return GenerationResult(directory=directory, metadata=metadata)


def prompt_soundtrack(request: GenerationRequest, *, seconds: float) -> tuple[Any, dict[str, object]]:
    """The sound pass for this request: its brief shot, else its prompt read as one."""
    from cinebrief.media.soundtrack import shot_soundtrack
    from cinebrief.prompts import parse_prompt

    if request.shot is not None:
        shot, brief = request.shot, request.brief
    else:
        brief = parse_prompt(request.prompt)
        shot = brief.shots[0]
    return shot_soundtrack(shot, brief, prose=shot.scene or request.prompt, seed=request.seed, seconds=seconds)


@contextmanager
def _out_of_memory_is_a_job_error(pipeline: Any, plan: CallPlan, options: RuntimeOptions) -> Iterator[None]:
    """GPU out of memory fails the job with what to try, frees what the attempt held, and keeps the worker."""
    import torch

    try:
        yield
    except torch.OutOfMemoryError:
        if hasattr(pipeline, "maybe_free_model_hooks"):
            pipeline.maybe_free_model_hooks()
        release_memory()
        untried = [] if options.cpu_offload or options.speed.group_offload else ["cpu_offload", "group_offload"]
        if not options.vae_tiling:  # the two offloads exclude each other; tiling goes with either
            untried.append("vae_tiling")
        raise BackendError(
            f"Out of memory on {options.device} generating {plan.frames} frames at {plan.width}x{plan.height} "
            f"in {options.dtype}. Try {' or '.join(untried) or 'fewer frames'} in the model's settings, "
            f"fewer seconds, or a smaller size.",
            code="out_of_memory",
        ) from None
