"""Benchmark: what the /v1/videos server costs on top of rendering, and how it answers under poll load.

1. Overhead. N clips (default 24 × 4 s at 1280x720) rendered by the previz backend directly in this
   process (the anchor), and the same clips (same prompts and seeds) through `cinebrief serve` with
   the openai SDK: create all, poll each, download each video. Both run in alternating rounds of 6
   clips, after one warm-up clip each, so that the shared machine's load hits both alike.
   Goal: server / anchor ≤ 1.25.
2. Poll load. While jobs render, C concurrent clients (default 64) poll GET /v1/videos/{id} for T
   seconds (default 10), first paced as the SDK paces itself (the `openai-poll-after-ms` hint), then
   back to back. Goal: zero errors, p99 < 50 ms; requests/s reported.

Only loopback traffic. Run: `.venv/bin/python bench/server.py [--clips 24] [--pollers 64]`.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any

import httpx
import openai

from cinebrief.backends.base import GenerationRequest
from cinebrief.backends.registry import create_backend

warnings.filterwarnings("ignore", message="The Sora API", category=DeprecationWarning)

RENDERING_JOBS = 16  # 12 s clips at 1280x720, enough to keep the server rendering through both poll runs
PROMPT = "Wet asphalt at night, a courier in a yellow rain shell brakes at a neon crosswalk (clip {index})."


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def anchor(backend: Any, indexes: range, size: str, seconds: str, work: Path) -> float:
    """The same renders with no server: the previz backend called in this process, one after another."""
    started = time.perf_counter()
    for index in indexes:
        output = work / f"anchor-{index}"
        output.mkdir(parents=True)
        request = GenerationRequest(
            prompt=PROMPT.format(index=index), model="sora-2", size=size, seconds=seconds, seed=index
        )
        backend.generate(request, output, progress=lambda fraction: None, cancelled=lambda: False)
    return time.perf_counter() - started


class Server:
    """`cinebrief serve` as a child process on a free loopback port."""

    def __init__(self, work: Path, concurrency: int) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/v1"
        config = work / "cinebrief.toml"
        config.write_text(f"[server]\npoll_after_ms = 250\n\n[backends.previz]\nconcurrency = {concurrency}\n")
        command = [sys.executable, "-m", "cinebrief", "serve", "--port", str(self.port)]
        command += ["--data-dir", str(work / "data"), "--config", str(config), "--log-level", "warning"]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                httpx.get(f"{self.url}/models", timeout=1)
                return
            except httpx.HTTPError:
                time.sleep(0.1)
        raise RuntimeError("the server did not start")

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(60)


def through_server(client: openai.OpenAI, indexes: range, size: str, seconds: str, work: Path) -> float:
    """Create every clip with the SDK, then poll each and download its video."""
    started = time.perf_counter()
    ids = [
        client.videos.create(
            prompt=PROMPT.format(index=index),
            model="sora-2",
            size=size,  # type: ignore[arg-type]
            seconds=seconds,  # type: ignore[arg-type]
            extra_body={"cinebrief": {"seed": index}},
        ).id
        for index in indexes
    ]
    for video_id in ids:
        video = client.videos.poll(video_id)
        if video.status != "completed":
            raise RuntimeError(f"{video_id} {video.status}: {video.error}")
        client.videos.download_content(video_id).write_to_file(work / f"{video_id}.mp4")
    return time.perf_counter() - started


async def poll_load(url: str, video_ids: list[str], pollers: int, duration: float, *, paced: bool) -> dict[str, float]:
    """`pollers` clients, each with its own keep-alive connection.

    paced: like the SDK, each client sleeps the `openai-poll-after-ms` of its first answer between polls;
    otherwise back to back (a stress test: with a closed loop, latency is pollers / throughput).
    """
    latencies: list[float] = []
    errors = 0
    clients = [httpx.AsyncClient(timeout=30) for _ in range(pollers)]
    hints = []
    for client in clients:  # connect before the clock starts
        hint = (await client.get(f"{url}/videos/{video_ids[-1]}")).headers.get("openai-poll-after-ms")
        hints.append(int(hint) / 1000 if hint else 0.0)
    pause = max(hints) if paced else 0.0
    stop_at = time.perf_counter() + duration

    async def poller(index: int) -> None:
        nonlocal errors
        position = index
        client = clients[index]
        while time.perf_counter() < stop_at:
            video_id = video_ids[position % len(video_ids)]
            position += 1
            started = time.perf_counter()
            try:
                response = await client.get(f"{url}/videos/{video_id}")
                if response.status_code != 200:
                    errors += 1
            except httpx.HTTPError:
                errors += 1
            latencies.append(time.perf_counter() - started)
            if pause:
                await asyncio.sleep(pause)

    await asyncio.gather(*(poller(index) for index in range(pollers)))
    for client in clients:
        await client.aclose()
    latencies.sort()
    return {
        "requests": len(latencies),
        "errors": errors,
        "rps": len(latencies) / duration,
        "p50_ms": 1000 * statistics.median(latencies),
        "p99_ms": 1000 * latencies[int(0.99 * (len(latencies) - 1))],
        "max_ms": 1000 * latencies[-1],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clips", type=int, default=24)
    parser.add_argument("--size", default="1280x720")
    parser.add_argument("--seconds", default="4")
    parser.add_argument("--concurrency", type=int, default=1, help="previz workers in the server")
    parser.add_argument("--round", type=int, default=6, help="clips per alternating anchor/server round")
    parser.add_argument("--pollers", type=int, default=64)
    parser.add_argument("--poll-seconds", type=float, default=10.0)
    arguments = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="cinebrief-bench-"))
    try:
        print(f"overhead: {arguments.clips} clips of {arguments.seconds} s at {arguments.size}", flush=True)
        backend = create_backend("previz")
        server = Server(work, arguments.concurrency)
        try:
            # Rounds that alternate anchor and server, so the shared machine's changing load hits both alike.
            client = openai.OpenAI(base_url=server.url, api_key="bench")
            client.videos.poll(client.videos.create(prompt="warm-up", size=arguments.size).id)  # start workers
            anchor(backend, range(1), arguments.size, arguments.seconds, work / "warm-up")
            anchor_seconds = server_seconds = 0.0
            for start in range(0, arguments.clips, arguments.round):
                indexes = range(start, min(start + arguments.round, arguments.clips))
                anchor_seconds += anchor(backend, indexes, arguments.size, arguments.seconds, work / "anchor")
                server_seconds += through_server(client, indexes, arguments.size, arguments.seconds, work)
            print(f"poll load: {arguments.pollers} clients, twice {arguments.poll_seconds:.0f} s, while jobs render")
            client = openai.OpenAI(base_url=server.url, api_key="bench")
            rendering = [
                client.videos.create(prompt=PROMPT.format(index=index), size="1280x720", seconds="12").id
                for index in range(RENDERING_JOBS)
            ]
            paced = asyncio.run(poll_load(server.url, rendering, arguments.pollers, arguments.poll_seconds, paced=True))
            load = asyncio.run(poll_load(server.url, rendering, arguments.pollers, arguments.poll_seconds, paced=False))
            still_rendering = sum(client.videos.retrieve(video_id).status != "completed" for video_id in rendering)
        finally:
            server.stop()
    finally:
        shutil.rmtree(work, ignore_errors=True)

    ratio = server_seconds / anchor_seconds
    per_clip = arguments.clips
    rows = [
        (
            "in-process renders (anchor)",
            f"{anchor_seconds:.2f} s",
            f"{anchor_seconds / per_clip:.3f} s/clip",
            "",
        ),
        ("through the server (SDK)", f"{server_seconds:.2f} s", f"{server_seconds / per_clip:.3f} s/clip", ""),
        ("server / anchor", f"{ratio:.3f}x", "goal <= 1.25x", "ok" if ratio <= 1.25 else "MISSED"),
        ("paced polls (SDK-like)", f"{paced['requests']:.0f}", f"{paced['rps']:.0f} req/s, pause = poll hint", ""),
        ("  errors", f"{paced['errors']:.0f}", "goal 0", "ok" if paced["errors"] == 0 else "MISSED"),
        ("  latency p50", f"{paced['p50_ms']:.1f} ms", "", ""),
        ("  latency p99", f"{paced['p99_ms']:.1f} ms", "goal < 50 ms", "ok" if paced["p99_ms"] < 50 else "MISSED"),
        ("  latency max", f"{paced['max_ms']:.1f} ms", "", ""),
        ("back-to-back polls (stress)", f"{load['requests']:.0f}", f"{load['rps']:.0f} req/s, no pause", ""),
        ("  errors", f"{load['errors']:.0f}", "goal 0", "ok" if load["errors"] == 0 else "MISSED"),
        ("  latency p50", f"{load['p50_ms']:.1f} ms", "", ""),
        ("  latency p99", f"{load['p99_ms']:.1f} ms", "goal < 50 ms", "ok" if load["p99_ms"] < 50 else "MISSED"),
        (
            "  latency max",
            f"{load['max_ms']:.1f} ms",
            f"{still_rendering} of {RENDERING_JOBS} jobs unfinished after",
            "",
        ),
    ]
    width = max(len(row[0]) for row in rows)
    print()
    for name, value, detail, verdict in rows:
        print(f"{name:<{width}}  {value:>12}  {detail:<36} {verdict}")
    print(f"\n(cpu count {os.cpu_count()}; concurrency {arguments.concurrency})")


if __name__ == "__main__":
    main()
