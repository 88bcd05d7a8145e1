"""A pipeline's decoded frames to the job folder: resized to the requested size, through the media layer.

`video.mp4` is H.264 with a silent AAC track (the models make no sound; players and stitching expect an
audio stream), `thumbnail.webp` and `spritesheet.jpg` are taken from the same frames without decoding the
file again. Every file is renamed into place by the media layer, so a failure leaves none half-written.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

from cinebrief.backends.base import SPRITESHEET_FILE, THUMBNAIL_FILE, VIDEO_FILE
from cinebrief.backends.diffusers.mapping import Plan
from cinebrief.media.encode import AUDIO_RATE, EncodeSettings, VideoWriter
from cinebrief.media.spritesheet import sprite_indices, write_spritesheet
from cinebrief.media.thumbnail import representative_index, write_thumbnail

ENCODE_PRESET = "veryfast"  # generation takes minutes; a smaller file is worth the extra encode time
ENCODE_CRF = 18  # keep the model's detail: this file is the result, not a preview


def to_uint8(frames: np.ndarray) -> np.ndarray:
    """Float frames in [0, 1] (or uint8 already) to uint8 RGB, shaped (frames, height, width, 3)."""
    array = np.asarray(frames)
    if array.dtype == np.uint8:
        return array
    return (np.clip(array, 0.0, 1.0) * 255.0 + 0.5).astype(np.uint8)


def resize_frame(frame: np.ndarray, width: int, height: int) -> np.ndarray:
    """One frame at `width` x `height` (Lanczos), or the frame itself when it already is."""
    if frame.shape[1] == width and frame.shape[0] == height:
        return frame
    return np.asarray(Image.fromarray(frame, mode="RGB").resize((width, height), Image.Resampling.LANCZOS))


def write_outputs(frames: np.ndarray, plan: Plan, directory: Path) -> None:
    """Write video.mp4, thumbnail.webp and spritesheet.jpg for `frames` into `directory`."""
    directory.mkdir(parents=True, exist_ok=True)
    pixels = to_uint8(frames)
    width, height = plan.output_width, plan.output_height
    count = pixels.shape[0]
    thumbnail_index = representative_index(count)
    wanted = set(sprite_indices(count)) | {thumbnail_index}
    kept: dict[int, np.ndarray] = {}
    with VideoWriter(
        directory / VIDEO_FILE, width, height, EncodeSettings(fps=plan.fps, preset=ENCODE_PRESET, crf=ENCODE_CRF)
    ) as writer:
        for index in range(count):
            frame = resize_frame(pixels[index], width, height)
            writer.write_frame(frame)
            if index in wanted:
                kept[index] = frame
        writer.write_audio(np.zeros(round(count / plan.fps * AUDIO_RATE), dtype=np.float32))
    write_thumbnail(kept[thumbnail_index], directory / THUMBNAIL_FILE)
    write_spritesheet([kept[i] for i in sprite_indices(count)], directory / SPRITESHEET_FILE)
