"""Probe and decode media files with PyAV (there is no ffprobe): stream facts and frames as numpy arrays.

PyAV is imported by the functions that use it, so that `cinebrief.media` (which re-exports these) loads
without it.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np


@dataclass(frozen=True)
class MediaInfo:
    """What a file holds. Durations are in seconds; `audio_*` are None when there is no audio stream."""

    path: Path
    width: int
    height: int
    fps: Fraction
    frames: int
    video_codec: str
    video_duration: float
    pixel_format: str
    audio_codec: str | None = None
    audio_duration: float | None = None
    audio_rate: int | None = None
    audio_channels: int | None = None

    @property
    def size(self) -> str:
        return f"{self.width}x{self.height}"


def probe(path: str | os.PathLike[str]) -> MediaInfo:
    """Count frames by demuxing packets (exact, no decoding) and measure both streams' durations."""
    import av

    with av.open(str(path)) as container:
        video = container.streams.video[0]
        audio = container.streams.audio[0] if container.streams.audio else None
        frames, video_end = 0, 0.0
        audio_end = 0.0
        streams = [video] + ([audio] if audio is not None else [])
        for packet in container.demux(*streams):
            if packet.pts is None or packet.time_base is None:
                continue
            end = float((packet.pts + (packet.duration or 0)) * packet.time_base)
            if packet.stream.type == "video":
                frames += 1
                video_end = max(video_end, end)
            else:
                audio_end = max(audio_end, end)
        return MediaInfo(
            path=Path(path),
            width=video.codec_context.width,
            height=video.codec_context.height,
            fps=Fraction(video.average_rate or video.guessed_rate or 0),
            frames=frames,
            video_codec=video.codec_context.name,
            video_duration=video_end,
            pixel_format=video.codec_context.pix_fmt or "",
            audio_codec=audio.codec_context.name if audio is not None else None,
            audio_duration=audio_end if audio is not None else None,
            audio_rate=audio.codec_context.sample_rate if audio is not None else None,
            audio_channels=audio.codec_context.channels if audio is not None else None,
        )


def iter_frames(path: str | os.PathLike[str]) -> Iterator[np.ndarray]:
    """Every video frame in order, as uint8 RGB arrays ``(height, width, 3)``."""
    import av

    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        for frame in container.decode(stream):
            yield frame.to_ndarray(format="rgb24")


def read_frames(path: str | os.PathLike[str], indices: Iterable[int]) -> dict[int, np.ndarray]:
    """The frames at `indices` (0-based), decoded in one pass; indices past the end are left out."""
    import av

    wanted = set(indices)
    found: dict[int, np.ndarray] = {}
    if not wanted:
        return found
    last = max(wanted)
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        for index, frame in enumerate(container.decode(stream)):
            if index in wanted:
                found[index] = frame.to_ndarray(format="rgb24")
            if index >= last:
                break
    return found
