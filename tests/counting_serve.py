"""`cinebrief serve` whose previz backend records each generate call (start and finish) in `$CINEBRIEF_TEST_CALLS`.

The two-server tests run this module instead of `python -m cinebrief`, with `[backends.previz]
isolation = "thread"` so that the calls happen in this process. Each line: `start|done <pid> <prompt>`.
`$CINEBRIEF_TEST_FRAME_DELAY` (seconds) slows each progress report down, so that a test can act mid-render.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Any

from cinebrief.backends.base import GenerationRequest, GenerationResult
from cinebrief.backends.previz import PrevizBackend
from cinebrief.backends.registry import create_backend


def _record(kind: str, prompt: str) -> None:
    line = f"{kind} {os.getpid()} {prompt}\n".encode()
    descriptor = os.open(os.environ["CINEBRIEF_TEST_CALLS"], os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(descriptor, line)  # one write of a short line with O_APPEND: lines never interleave
    finally:
        os.close(descriptor)


class CountingPreviz(PrevizBackend):
    def generate(self, request: GenerationRequest, output_dir: Path, **callbacks: Any) -> GenerationResult:
        _record("start", request.prompt)
        delay = float(os.environ.get("CINEBRIEF_TEST_FRAME_DELAY") or 0)
        if delay:
            report = callbacks["progress"]

            def slow(fraction: float) -> None:
                time.sleep(delay)
                report(fraction)

            callbacks["progress"] = slow
        result = super().generate(request, output_dir, **callbacks)
        _record("done", request.prompt)
        return result


def _create(name: str, **settings: Any) -> Any:
    return CountingPreviz(**settings) if name == "previz" else create_backend(name, **settings)


if __name__ == "__main__":
    import cinebrief.jobs.pool
    from cinebrief.cli import main

    cinebrief.jobs.pool.create_backend = _create  # type: ignore[assignment]
    sys.argv[0] = "cinebrief"
    main()
