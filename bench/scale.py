"""Benchmark: the Ray executor against the local one, on previz clips, in one run.

1. Throughput. N clips (default 24 × 4 s at 1280x720, fixed seeds) submitted at once to an embedded
   engine and waited for: on the local executor with one worker (the anchor: a render child process,
   as `make demo` runs), on Ray with one worker and on Ray with two (a one-machine Ray cluster started
   in this process; one CPU per actor). Each after one warm-up clip, so that process and actor start-up
   are not counted. Reported: clips per minute, each against the anchor, and Ray 2 / Ray 1 beside the
   ideal 2.0 (this machine has as many cores as `os.cpu_count()` says; other work may share them).
2. Dispatch overhead. The same clip rendered K times (default 8) by the previz backend called in this
   process, and by `RayWorker.generate` on a warm actor (request out, progress streamed back, the three
   files returned as bytes and written here), alternating. Overhead per job = median(Ray) - median(direct).
   Goal: ≤ 50 ms.
3. One job end to end (submit to completed, files in place) on Ray (one worker) against local (one
   worker), alternating K times each; medians. Goal: Ray / local ≤ 1.1.

Only loopback: RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER=0 before Ray starts.
Run: `.venv/bin/python bench/scale.py [--clips 24] [--repeats 8]`.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any

os.environ.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")  # before Ray starts: stay on loopback

from cinebrief.backends.base import GenerationRequest
from cinebrief.backends.registry import create_backend
from cinebrief.jobs import Engine, VideoRequest
from cinebrief.jobs.owners import LOCAL
from cinebrief.settings import Settings, load_settings

warnings.filterwarnings("ignore", message="The Sora API", category=DeprecationWarning)

PROMPT = "A paper boat drifts down a rain gutter at dusk, slow push-in (clip {index})."
SIZE, SECONDS = "1280x720", "4"


def settings_for(work: Path, name: str, ray_workers: int | None) -> Settings:
    model: dict[str, Any] = {"backend": "previz"}
    overrides: dict[str, Any] = {"server": {"data_dir": str(work / name)}, "models": {"sora-2": model}}
    if ray_workers is not None:
        model.update(workers=ray_workers, num_cpus=1, warm=True)
        overrides["executor"] = {"kind": "ray", "address": "local"}
    return load_settings(environ={}, overrides=overrides)


def request(index: int) -> VideoRequest:
    return VideoRequest(prompt=PROMPT.format(index=index), size=SIZE, seconds=SECONDS, seed=index)


def throughput(engine: Engine, clips: int) -> float:
    """Clips per minute: all submitted at once, timed until the last completes."""
    assert (
        engine.wait(engine.submit(request(10_001), owner=LOCAL).id, timeout=600, owner=LOCAL).status == "completed"
    )  # warm-up
    started = time.perf_counter()
    ids = [engine.submit(request(index), owner=LOCAL).id for index in range(clips)]
    for video_id in ids:
        assert engine.wait(video_id, timeout=1800, owner=LOCAL).status == "completed"
    return clips / (time.perf_counter() - started) * 60


def one_job(engine: Engine, index: int) -> float:
    started = time.perf_counter()
    assert (
        engine.wait(engine.submit(request(1000 + index), owner=LOCAL).id, timeout=600, owner=LOCAL).status
        == "completed"
    )
    return time.perf_counter() - started


def dispatch_overhead(engine: Engine, repeats: int, work: Path) -> tuple[float, float]:
    """Median seconds of the same render in this process and on a warm actor."""
    assert engine.ray is not None
    backend = create_backend("previz")
    worker = engine.ray.worker("sora-2", 0)
    direct, remote = [], []
    for index in range(repeats):
        generation = GenerationRequest(
            prompt=PROMPT.format(index=0), model="sora-2", size=SIZE, seconds=SECONDS, seed=0
        )
        for kind, times in (("direct", direct), ("ray", remote)):
            folder = work / f"dispatch-{kind}-{index}"
            folder.mkdir(parents=True)
            started = time.perf_counter()
            if kind == "direct":
                backend.generate(generation, folder, progress=lambda fraction: None, cancelled=lambda: False)
            else:
                worker.generate(
                    request=generation,
                    output_dir=folder,
                    progress=lambda fraction: None,
                    cancelled=lambda: False,
                    checkpoint=lambda state: None,
                )
            times.append(time.perf_counter() - started)
    return statistics.median(direct), statistics.median(remote)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clips", type=int, default=24)
    parser.add_argument("--repeats", type=int, default=8)
    args = parser.parse_args()

    import ray

    ray.init(
        address="local",
        include_dashboard=False,
        _node_ip_address="127.0.0.1",
        logging_level="WARNING",
        log_to_driver=False,
    )
    work = Path(tempfile.mkdtemp(prefix="cinebrief-bench-scale-"))
    rates: dict[str, float] = {}
    for name, ray_workers in (("local, 1 worker", None), ("ray, 1 worker", 1), ("ray, 2 workers", 2)):
        with Engine(settings_for(work, name.replace(", ", "-").replace(" ", "_"), ray_workers)) as engine:
            rates[name] = throughput(engine, args.clips)
        print(f"  measured {name}: {rates[name]:.1f} clips/min", flush=True)

    with Engine(settings_for(work, "dispatch", 1)) as engine:
        engine.wait(engine.submit(request(10_002), owner=LOCAL).id, timeout=600, owner=LOCAL)
        direct, remote = dispatch_overhead(engine, args.repeats, work)

    latencies: dict[str, list[float]] = {"local": [], "ray": []}
    with Engine(settings_for(work, "e2e-local", None)) as local, Engine(settings_for(work, "e2e-ray", 1)) as on_ray:
        for engine in (local, on_ray):
            engine.wait(engine.submit(request(10_003), owner=LOCAL).id, timeout=600, owner=LOCAL)
        for index in range(args.repeats):
            latencies["local"].append(one_job(local, index))
            latencies["ray"].append(one_job(on_ray, index))
    ray.shutdown()

    anchor = rates["local, 1 worker"]
    print()
    print(f"cinebrief scale bench: {args.clips} previz clips of {SECONDS} s at {SIZE}; {os.cpu_count()} cores here")
    print(f"{'executor':<18} {'clips/min':>10} {'vs local':>9}")
    for name, rate in rates.items():
        print(f"{name:<18} {rate:>10.1f} {rate / anchor:>8.2f}x")
    scaling = rates["ray, 2 workers"] / rates["ray, 1 worker"]
    print(f"ray 2 workers / 1 worker: {scaling:.2f} (ideal 2.0 with 2 free cores)")
    overhead_ms = (remote - direct) * 1000
    print(
        f"dispatch overhead per job: {overhead_ms:.0f} ms (median of {args.repeats}: in-process render "
        f"{direct * 1000:.0f} ms, on a warm actor {remote * 1000:.0f} ms; goal <= 50 ms)"
    )
    local_median, ray_median = statistics.median(latencies["local"]), statistics.median(latencies["ray"])
    print(
        f"one job end to end: local {local_median:.2f} s, ray {ray_median:.2f} s, ray / local "
        f"{ray_median / local_median:.2f} (goal <= 1.1)"
    )


if __name__ == "__main__":
    main()
