"""A small backend for the job tests: real tiny MP4/WebP/JPEG files written with PyAV and Pillow.

It sits at the backend seam only; the contract tests themselves run on `previz`.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import av
import numpy as np
from PIL import Image

from cinebrief.backends.base import GenerationRequest, GenerationResult
from cinebrief.contract.capabilities import Capabilities
from cinebrief.errors import BackendError, CancelledError

FRAMES = 8
SCALE = 16  # render at size / SCALE to stay fast


class TinyBackend:
    """Counts its calls; `delay` seconds per frame; a prompt containing 'explode' fails the job."""

    name = "tiny"
    calls: list[GenerationRequest] = []  # noqa: RUF012 - shared on purpose: tests read it across instances
    frames: dict[str, int] = {}  # noqa: RUF012 - frames rendered, by prompt
    lock = threading.Lock()

    def __init__(self, delay: float = 0.0, **_: Any) -> None:
        self.delay = float(delay)

    def capabilities(self, model: str) -> Capabilities:
        return Capabilities(backend=self.name, sizes=(), size_multiple=16, seconds=("4", "8", "12"))

    def generate(self, request: GenerationRequest, output_dir: Path, *, progress, cancelled, checkpoint=None):
        with self.lock:
            TinyBackend.calls.append(request)
        if checkpoint is not None:
            checkpoint({"started": True, "seed": request.seed})
        if "explode" in request.prompt:
            raise BackendError("The tiny backend was asked to explode.", code="backend_error")
        width, height = max(16, request.width // SCALE // 2 * 2), max(16, request.height // SCALE // 2 * 2)
        frames = []
        for index in range(FRAMES):
            if cancelled():
                raise CancelledError()
            time.sleep(self.delay)
            frame = np.full((height, width, 3), (request.seed * 37 + index * 20) % 256, dtype=np.uint8)
            frames.append(frame)
            with self.lock:
                TinyBackend.frames[request.prompt] = index + 1
            progress((index + 1) / FRAMES)
        write_outputs(output_dir, frames)
        return GenerationResult(directory=output_dir, metadata={"frames": FRAMES, "remix": bool(request.remix)})


def write_outputs(folder: Path, frames: list[np.ndarray]) -> None:
    with av.open(str(folder / "video.mp4"), "w") as container:
        stream = container.add_stream("libx264", rate=8)
        stream.height, stream.width = frames[0].shape[:2]
        stream.pix_fmt = "yuv420p"
        for frame in frames:
            for packet in stream.encode(av.VideoFrame.from_ndarray(frame, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    Image.fromarray(frames[0]).save(folder / "thumbnail.webp", format="WEBP")
    Image.fromarray(np.concatenate(frames[:4], axis=1)).save(folder / "spritesheet.jpg", format="JPEG")


def tiny_factory(name: str, **settings: Any) -> TinyBackend:
    """Stands in for `registry.create_backend` in tests."""
    return TinyBackend(**settings)
