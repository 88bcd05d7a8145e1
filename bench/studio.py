"""Benchmark: lint as you type in the studio, for a 3-shot brief (examples/ferry-sequence.yaml).

The page sends the whole editor text to `POST /studio/v1/lint` after each pause in typing. This script types
the brief's last scene line one character at a time (K keystrokes) and times each request on loopback, as the
page would send it, against `cinebrief serve` run in this process (uvicorn in a thread). Anchors, measured in
the same run on the same texts, interleaved so that the shared machine's load hits all alike:

- `POST /v1/lint` with the brief: the linter the server already had (findings only, no shots, no schema list);
- `check_text` called in this process: the same work as the studio route without HTTP.

Goal: studio p95 < 50 ms. Run: `.venv/bin/python bench/studio.py [--keystrokes 300]`.
"""

from __future__ import annotations

import argparse
import socket
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import uvicorn

from cinebrief.server import create_app
from cinebrief.settings import load_settings
from cinebrief.workflows.brief_edit import check_text

BRIEF = Path(__file__).resolve().parent.parent / "examples" / "ferry-sequence.yaml"
GOAL_P95_MS = 50.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def typed_texts(text: str, keystrokes: int) -> list[str]:
    """The brief as it is while its last `scene:` line is typed, one character more each time."""
    lines = text.splitlines(keepends=True)
    index = max(i for i, line in enumerate(lines) if line.strip().startswith("scene:"))
    prefix, _, scene = lines[index].partition("scene:")
    typed = (scene.strip() + " Gulls circle above the wake while the horn sounds twice. ") * 8
    return [
        "".join(lines[:index])
        + f"{prefix}scene: {typed[: len(typed) - keystrokes + step]}\n"
        + "".join(lines[index + 1 :])
        for step in range(keystrokes)
    ]


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keystrokes", type=int, default=300)
    options = parser.parse_args()
    texts = typed_texts(BRIEF.read_text(encoding="utf-8"), options.keystrokes)

    with tempfile.TemporaryDirectory(prefix="cinebrief-bench-studio-") as work:
        settings = load_settings(environ={}, overrides={"server": {"data_dir": str(Path(work) / "data")}})
        app = create_app(settings)
        port = free_port()
        server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        while not server.started:
            time.sleep(0.02)
        models = {info.name: info.capabilities for info in app.state.engine.models()}
        try:
            with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
                ways: dict[str, Callable[[str], object]] = {
                    "POST /studio/v1/lint (the page)": lambda text: client.post(
                        "/studio/v1/lint", json={"text": text}
                    ).raise_for_status(),
                    "POST /v1/lint brief (anchor)": lambda text: client.post(
                        "/v1/lint", json={"brief": text}
                    ).raise_for_status(),
                    "check_text in process": lambda text: check_text(text, models=models),
                }
                for way in ways.values():  # warm up: rules loaded, connections open
                    for text in texts[:5]:
                        way(text)
                timings: dict[str, list[float]] = {name: [] for name in ways}
                for text in texts:
                    for name, way in ways.items():
                        started = time.perf_counter()
                        way(text)
                        timings[name].append((time.perf_counter() - started) * 1000)
        finally:
            server.should_exit = True
            thread.join(30)

    anchor = percentile(timings["POST /v1/lint brief (anchor)"], 0.95)
    print(f"lint as you type: {BRIEF.name} (3 shots, {len(texts[-1])} characters), {len(texts)} keystrokes")
    print(f"{'way':<34} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'p95 / anchor':>13}")
    for name, values in timings.items():
        p95 = percentile(values, 0.95)
        print(f"{name:<34} {statistics.median(values):8.1f} {p95:8.1f} {max(values):8.1f} {p95 / anchor:13.2f}")
    studio = percentile(timings["POST /studio/v1/lint (the page)"], 0.95)
    verdict = "meets" if studio < GOAL_P95_MS else "misses"
    print(f"goal: studio p95 < {GOAL_P95_MS:.0f} ms: {verdict} ({studio:.1f} ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
