"""The diffusers engine at full size: cinebrief's warm job against the same pipeline called directly.

Anchor: the same pipeline class called by hand over the very modules cinebrief loaded (so both share one
copy of the weights and one GPU), with the same arguments, frames taken as numpy: what a team calling
diffusers directly runs.
Measured: cinebrief's `DiffusersBackend.generate` on a warm pipeline (mapping, lease, step callback, uint8 on
the device, H.264 + AAC encode, thumbnail, spritesheet). The two alternate job by job; the first job of each
is the warm-up and is not counted. Per job: seconds per denoising step, text encode, VAE decode, the whole
job, peak GPU memory and the process's host memory. Then each speed setting (compile, first-block step
cache, attention backend, fp8 storage) on cinebrief's path, as a ratio to the plain cinebrief job.

Real weights cannot be downloaded here and speed does not depend on weight values, so the model is built
from its published configuration (`bench/configs/*.json`: Wan 2.2 TI2V-5B, LTX-2) with random bf16
weights, saved as a diffusers folder and loaded through the real path. Goals: cinebrief's warm job at most
1.05x the direct call; peak GPU memory at most the direct call's + 1 GB.

    python bench/gpu.py [--model wan2.2-ti2v-5b|ltx-2] [--steps 8] [--repeat 3] [--settings compile,...]  # GPU
    python bench/gpu.py --smoke      # the same code on a tiny model on the CPU (part of the test suite)
"""

from __future__ import annotations

import argparse
import inspect
import json
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psutil
import torch

from cinebrief.backends.base import GenerationRequest
from cinebrief.backends.diffusers import DiffusersBackend, PipelineCache
from cinebrief.backends.diffusers.tiny import write_tiny_model

CONFIGS = Path(__file__).parent / "configs"
SETTINGS = {
    "compile": {"compile": True},
    "step_cache": {"step_cache": "first_block", "step_cache_threshold": 0.05},
    "attention": {"attention_backend": "_native_flash"},
    "fp8": {"fp8_storage": True},
}


@dataclass
class Timings:
    """What one job cost, collected by forward hooks on the pipeline's modules (the same on both paths)."""

    steps: list[float] = field(default_factory=list)
    encode: float = 0.0
    decode: float = 0.0
    total: float = 0.0
    peak_gpu: int = 0
    host: int = 0


@contextmanager
def timed_modules(pipeline: Any, timings: Timings) -> Iterator[None]:
    """Time every transformer call (one per step and guidance branch), the text encoder and the VAE decoder."""
    handles = []
    started: dict[str, float] = {}

    def watch(module: Any, name: str, record: Callable[[float], None]) -> None:
        def before(*_: Any) -> None:
            _sync()
            started[name] = time.perf_counter()

        def after(*_: Any) -> None:
            _sync()
            record(time.perf_counter() - started[name])

        handles.append(module.register_forward_pre_hook(before))
        handles.append(module.register_forward_hook(after))

    watch(pipeline.transformer, "transformer", timings.steps.append)
    watch(pipeline.text_encoder, "encode", lambda seconds: setattr(timings, "encode", timings.encode + seconds))
    watch(pipeline.vae.decoder, "decode", lambda seconds: setattr(timings, "decode", timings.decode + seconds))
    try:
        yield
    finally:
        for handle in handles:
            handle.remove()


def _sync() -> None:
    if torch.cuda.is_available():
        torch.cuda.synchronize()


@contextmanager
def measured(timings: Timings) -> Iterator[None]:
    if torch.cuda.is_available():
        torch.cuda.reset_peak_memory_stats()
    started = time.perf_counter()
    yield
    _sync()
    timings.total = time.perf_counter() - started
    timings.peak_gpu = torch.cuda.max_memory_allocated() if torch.cuda.is_available() else 0
    timings.host = psutil.Process().memory_info().rss


COMPONENT_KEYS = ("transformer", "vae", "audio_vae", "connectors", "vocoder", "text_encoder")
FP32_COMPONENTS = ("vae",)  # the Wan VAE runs in float32 (as diffusers documents); cinebrief loads it so too


def _component_class(name: str) -> Any:
    import diffusers
    import transformers
    from diffusers.pipelines import ltx2

    for library in (diffusers, transformers, ltx2, ltx2.vocoder):
        if hasattr(library, name):
            return getattr(library, name)
    raise SystemExit(f"unknown component class {name}")


def build_components(spec: dict[str, Any], device: str) -> dict[str, Any]:
    """Every module of `spec` from its config, with random weights, on `device` ("meta" builds no weights)."""
    components: dict[str, Any] = {}
    with torch.device(device):
        for name in COMPONENT_KEYS:
            if name not in spec:
                continue
            part_type = _component_class(spec[name]["class"])
            config = spec[name]["config"]
            if hasattr(part_type, "config_class") and not hasattr(part_type, "from_config"):  # a transformers model
                module = part_type(part_type.config_class(**config))
            else:
                module = part_type(**config)
            fp32 = name in FP32_COMPONENTS and spec["pipeline"].startswith("Wan")
            components[name] = module.to(torch.float32 if fp32 else torch.bfloat16)
    return components


def check_configs() -> None:
    """Build every published configuration on the meta device (no memory) and print its size."""
    for config_file in sorted(CONFIGS.glob("*.json")):
        spec = json.loads(config_file.read_text(encoding="utf-8"))
        components = build_components(spec, "meta")
        sizes = {name: sum(p.numel() for p in module.parameters()) / 1e9 for name, module in components.items()}
        shown = ", ".join(f"{name} {billions:.2f}B" for name, billions in sizes.items())
        print(f"{config_file.stem}: {spec['pipeline']}; {shown}")


def build_full_size_folder(config_file: Path, folder: Path, device: str) -> Path:
    """The model of `config_file` with random weights (bf16; the Wan VAE fp32), saved as a diffusers folder."""
    import diffusers

    from cinebrief.backends.diffusers.tiny import _gemma_tokenizer, _tokenizer

    spec = json.loads(config_file.read_text(encoding="utf-8"))
    components = build_components(spec, device)
    components["tokenizer"] = _gemma_tokenizer() if spec.get("tokenizer") == "gemma" else _tokenizer()
    scheduler = spec["scheduler"]
    components["scheduler"] = getattr(diffusers, scheduler["class"])(**scheduler["config"])
    pipeline_type = getattr(diffusers, spec["pipeline"])
    if "transformer_2" in pipeline_type._get_signature_keys(pipeline_type)[0]:
        components["transformer_2"] = None
    pipeline = pipeline_type(**components, **spec["pipeline_config"])
    pipeline.save_pretrained(str(folder))
    del pipeline, components
    if torch.cuda.is_available():
        torch.cuda.empty_cache()
    return folder


def direct_pipeline(backend: DiffusersBackend, request: GenerationRequest) -> Any:
    """The pipeline class called by hand over the very modules cinebrief loaded: the same weights, no copy."""
    loaded = backend.cache.get(
        backend.folder().path, backend.call_plan(request).pipeline_class, backend.runtime_options()
    )
    pipeline = type(loaded)(**loaded.components)
    pipeline.set_progress_bar_config(disable=True)
    return pipeline


def direct_job(pipeline: Any, job: dict[str, Any], prompt: str) -> Timings:
    timings = Timings()
    width, height = (int(side) for side in job["size"].split("x"))
    extra = {"frame_rate": job["fps"]} if "frame_rate" in inspect.signature(pipeline.__call__).parameters else {}
    with timed_modules(pipeline, timings), measured(timings), torch.inference_mode():
        pipeline(
            prompt=prompt,
            height=height,
            width=width,
            num_frames=job["frames"],
            num_inference_steps=job["steps"],
            guidance_scale=job["guidance"],
            generator=torch.Generator("cpu").manual_seed(0),
            output_type="np",
            **extra,
        )
    return timings


def job_request(job: dict[str, Any], prompt: str) -> GenerationRequest:
    return GenerationRequest(
        prompt=prompt, model="bench", size=job["size"], seconds=str(job["seconds"]), options={"steps": job["steps"]}
    )


def cinebrief_job(backend: DiffusersBackend, job: dict[str, Any], prompt: str, out: Path) -> Timings:
    timings = Timings()
    options = backend.runtime_options()
    request = job_request(job, prompt)
    pipeline = backend.cache.get(backend.folder().path, backend.call_plan(request).pipeline_class, options)
    with timed_modules(pipeline, timings), measured(timings):
        backend.generate(request, out, progress=lambda fraction: None, cancelled=lambda: False)
    return timings


def summary(runs: list[Timings]) -> dict[str, float]:
    counted = runs[1:] or runs  # the first job of each path is its warm-up
    return {
        "step": statistics.median(statistics.median(run.steps) for run in counted) if counted[0].steps else 0.0,
        "encode": statistics.median(run.encode for run in counted),
        "decode": statistics.median(run.decode for run in counted),
        "total": statistics.median(run.total for run in counted),
        "peak_gpu": max(run.peak_gpu for run in counted) / 2**30,
        "host": max(run.host for run in counted) / 2**30,
    }


def print_table(title: str, rows: dict[str, dict[str, float]], anchor: str) -> None:
    base = rows[anchor]
    print(f"\n{title}")
    print(f"{'path':<22}{'s/step':>9}{'encode s':>10}{'decode s':>10}{'job s':>9}{'x anchor':>10}{'GPU GiB':>9}"
          f"{'host GiB':>10}")  # fmt: skip
    for name, row in rows.items():
        ratio = row["total"] / base["total"] if base["total"] else 0.0
        print(
            f"{name:<22}{row['step']:>9.3f}{row['encode']:>10.3f}{row['decode']:>10.3f}{row['total']:>9.2f}"
            f"{ratio:>10.3f}{row['peak_gpu']:>9.2f}{row['host']:>10.2f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--smoke", action="store_true", help="tiny model on the CPU: checks the code, not the speed")
    parser.add_argument("--check-configs", action="store_true", help="build each published config on meta, print")
    parser.add_argument("--steps", type=int, default=8, help="denoising steps per job (s/step is the figure)")
    parser.add_argument("--repeat", type=int, default=3, help="jobs per path, the first one a warm-up")
    parser.add_argument("--settings", default=",".join(SETTINGS), help="speed settings to try, comma-separated")
    parser.add_argument("--folder", type=Path, help="reuse a full-size folder built by an earlier run")
    parser.add_argument("--model", default="wan2.2-ti2v-5b", choices=[p.stem for p in sorted(CONFIGS.glob("*.json"))])
    args = parser.parse_args()
    if args.check_configs:
        check_configs()
        return

    device = "cuda" if torch.cuda.is_available() and not args.smoke else "cpu"
    prompt = "a red car in the city at night, slow dolly left, neon reflections on wet asphalt"
    with tempfile.TemporaryDirectory() as scratch_dir:
        scratch = Path(scratch_dir)
        if args.smoke:
            folder = write_tiny_model(scratch / "model", "wan")
            job = {"size": "256x144", "seconds": 1, "frames": 9, "fps": 8, "steps": 2, "guidance": 6.0}
            settings = {"dtype": "float32", "max_area": 256 * 144}  # generated at 256x144
        else:
            config_file = CONFIGS / f"{args.model}.json"
            spec = json.loads(config_file.read_text(encoding="utf-8"))
            folder = args.folder or build_full_size_folder(config_file, scratch / "model", device)
            job = {**spec["job"], "seconds": 5, "steps": args.steps}
            settings = {"dtype": "bfloat16", "max_area": 1280 * 704, "fps": 24}
        # 1. cinebrief's warm job against the direct call, alternating.
        backend = DiffusersBackend(path=str(folder), cache=PipelineCache(), **settings)
        direct = direct_pipeline(backend, job_request(job, prompt))
        runs: dict[str, list[Timings]] = {"direct diffusers": [], "cinebrief": []}
        for index in range(2 if args.smoke else max(2, args.repeat)):
            runs["direct diffusers"].append(direct_job(direct, job, prompt))
            runs["cinebrief"].append(cinebrief_job(backend, job, prompt, scratch / f"job{index}"))
        del direct
        rows = {name: summary(timings) for name, timings in runs.items()}
        print(f"device: {torch.cuda.get_device_name() if device == 'cuda' else 'cpu'}; "
              f"job: {job['size']} x {job['frames']} frames, {job['steps']} steps")  # fmt: skip
        print_table("warm job, cinebrief against the direct call", rows, "direct diffusers")
        # 2. Each speed setting on cinebrief's path, against the plain cinebrief job.
        speed_rows = {"cinebrief": rows["cinebrief"]}
        for name in filter(None, args.settings.split(",")):
            extra = dict(SETTINGS[name])
            if device == "cpu" and name == "attention":
                extra = {"attention_backend": "native"}  # the flash kernels need a GPU
            if device == "cpu" and name == "compile":
                continue  # compiling on the CPU measures the compiler, not the setting
            tuned = DiffusersBackend(path=str(folder), cache=PipelineCache(), **settings, **extra)
            timings = [cinebrief_job(tuned, job, prompt, scratch / f"{name}{index}") for index in range(2)]
            speed_rows[name] = summary(timings)
            tuned.cache.clear()
        print_table("speed settings on cinebrief's path", speed_rows, "cinebrief")


if __name__ == "__main__":
    main()
