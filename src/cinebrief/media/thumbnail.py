"""``thumbnail.webp``: one representative frame at the video's own size (WebP, quality 85)."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
from PIL import Image

from cinebrief.media.atomic import atomic_output
from cinebrief.media.probe import probe, read_frames

THUMBNAIL_QUALITY = 85
# A third of the way in: past any fade-in and first-frame plate, before the clip resolves.
REPRESENTATIVE_POSITION = 1 / 3


def representative_index(frames: int) -> int:
    """Which frame stands for the clip."""
    return min(max(frames - 1, 0), int(frames * REPRESENTATIVE_POSITION))


def write_thumbnail(frame: np.ndarray, path: str | os.PathLike[str]) -> Path:
    """Save an RGB uint8 frame as WebP, atomically."""
    target = Path(path)
    with atomic_output(target) as temporary:
        Image.fromarray(frame, mode="RGB").save(temporary, format="WEBP", quality=THUMBNAIL_QUALITY, method=2)
    return target


def thumbnail_from_video(video: str | os.PathLike[str], path: str | os.PathLike[str]) -> Path:
    """Decode the representative frame of `video` and save it."""
    index = representative_index(probe(video).frames)
    return write_thumbnail(read_frames(video, [index])[index], path)
