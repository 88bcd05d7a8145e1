"""The diffusers backend's cost per job against calling the same pipeline directly and encoding the result.

Anchor: the pipeline, loaded once, called with the same arguments, its frames resized to the requested size
and written with the media layer (H.264 + silent AAC, thumbnail, spritesheet). Backend: `generate` on a warm
cache (mapping, folder checks, cache lookup, step callback, metadata). Both run on the tiny random-weight
models of `cinebrief dev tiny-model`, interleaved job by job so that a busy machine slows both alike.
Goal: backend / anchor at most 1.1 (fastest job of each; medians shown too).
Peak RSS is reported (the process's high-water mark after each phase).

    .venv/bin/python bench/diffusers_overhead.py [--jobs 5]
"""

from __future__ import annotations

import argparse
import resource
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

from cinebrief.backends.base import SPRITESHEET_FILE, THUMBNAIL_FILE, VIDEO_FILE, GenerationRequest
from cinebrief.backends.diffusers import DiffusersBackend, PipelineCache
from cinebrief.backends.diffusers.backend import pipeline_arguments
from cinebrief.backends.diffusers.tiny import write_tiny_model
from cinebrief.media.encode import AUDIO_RATE, EncodeSettings, VideoWriter
from cinebrief.media.spritesheet import sprite_indices, write_spritesheet
from cinebrief.media.thumbnail import representative_index, write_thumbnail

SIZES = ("1280x720", "256x144")


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def anchor_job(pipeline, arguments: dict, width: int, height: int, fps: int, seed: int, out: Path) -> None:
    """The pipeline called by hand, then the frames written the plain way."""
    import torch
    from PIL import Image

    generator = torch.Generator(device="cpu").manual_seed(seed)
    with torch.inference_mode():
        frames = pipeline(**arguments, generator=generator).frames[0]
    pixels = (np.clip(frames, 0, 1) * 255 + 0.5).astype(np.uint8)
    resized = [np.asarray(Image.fromarray(f).resize((width, height), Image.Resampling.LANCZOS)) for f in pixels]
    out.mkdir(parents=True, exist_ok=True)
    with VideoWriter(out / VIDEO_FILE, width, height, EncodeSettings(fps=fps, preset="veryfast", crf=18)) as writer:
        for frame in resized:
            writer.write_frame(frame)
        writer.write_audio(np.zeros(round(len(resized) / fps * AUDIO_RATE), dtype=np.float32))
    write_thumbnail(resized[representative_index(len(resized))], out / THUMBNAIL_FILE)
    write_spritesheet([resized[i] for i in sprite_indices(len(resized))], out / SPRITESHEET_FILE)


def measure(family: str, folder: Path, size: str, jobs: int, work: Path) -> dict[str, float]:
    cache = PipelineCache()
    backend = DiffusersBackend(path=str(folder), cache=cache)
    request = GenerationRequest(prompt="a red cat dance in the city at night", model="tiny", size=size, seconds="4")
    plan = backend.plan(request)
    # Warm both paths: the backend's cache holds the very pipeline object the anchor calls.
    started = time.perf_counter()
    backend.generate(request, work / "warm", progress=lambda _: None, cancelled=lambda: False)
    cold = time.perf_counter() - started
    pipeline = cache.get(folder, plan.pipeline_class, backend.runtime_options())
    arguments = pipeline_arguments(plan, None, family)
    times: dict[str, list[float]] = {"anchor": [], "backend": []}

    def run(which: str, job: int) -> None:
        started = time.perf_counter()
        if which == "anchor":
            anchor_job(pipeline, arguments, plan.output_width, plan.output_height, plan.fps, job, work / f"a{job}")
        else:
            seeded = GenerationRequest(prompt=request.prompt, model="tiny", size=size, seconds="4", seed=job)
            backend.generate(seeded, work / f"b{job}", progress=lambda _: None, cancelled=lambda: False)
        times[which].append(time.perf_counter() - started)

    for job in range(jobs):
        # ABBA order: neither side always runs first on a machine whose load changes.
        for which in ("anchor", "backend") if job % 2 == 0 else ("backend", "anchor"):
            run(which, job)
    # The fastest run is the cost of the work itself; slower ones measure the other processes on the machine.
    anchor, ours = min(times["anchor"]), min(times["backend"])
    return {
        "cold": cold,
        "anchor": anchor,
        "backend": ours,
        "ratio": ours / anchor,
        "median_ratio": statistics.median(times["backend"]) / statistics.median(times["anchor"]),
        "rss": peak_rss_mb(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=6, help="jobs per family and size (fastest and median reported)")
    jobs = parser.parse_args().jobs
    print(f"peak RSS before torch: {peak_rss_mb():.0f} MB")
    with tempfile.TemporaryDirectory() as temporary:
        root = Path(temporary)
        folders = {family: write_tiny_model(root / family, family) for family in ("wan", "ltx")}
        rows = []
        for family, folder in folders.items():
            for size in SIZES:
                rows.append((family, size, measure(family, folder, size, jobs, root / f"{family}-{size}")))
    print(f"\n{jobs} jobs each, 4 s at 8 fps (33 frames), fastest seconds per job; anchor = pipeline + encode")
    header = (
        f"{'model':<6}{'size':>10}{'first job':>11}{'anchor':>9}{'backend':>9}{'ratio':>7}{'median ratio':>14}"
        f"{'peak RSS':>10}"
    )
    print(header)
    print("-" * len(header))
    for family, size, row in rows:
        print(
            f"{family:<6}{size:>10}{row['cold']:>10.3f}s{row['anchor']:>8.3f}s{row['backend']:>8.3f}s"
            f"{row['ratio']:>6.2f}x{row['median_ratio']:>13.2f}x{row['rss']:>8.0f}MB"
        )
    worst = max(row["ratio"] for _, _, row in rows)
    print(f"\nworst ratio {worst:.2f}x (goal <= 1.10x): {'met' if worst <= 1.1 else 'NOT met'}")


if __name__ == "__main__":
    main()
