"""A pipeline's decoded frames to the job folder: fitted to the requested size, through the media layer.

The model generates at its own multiple (1280x704 for a 1280x720 request); the frames reach the requested
size by scaling when the aspect ratio is the same, and otherwise by `fit`: "cover" (scale to fill, crop the
centre) or "letterbox" (scale to fit, pad with black). Never a stretch. `video.mp4` is H.264 with an AAC
track: the model's own sound when it makes one (LTX-2), else silence (players and stitching expect an audio
stream). `thumbnail.webp` and `spritesheet.jpg` are taken from the same frames without decoding the file
again. Every file is renamed into place by the media layer, so a failure leaves none half-written.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

from cinebrief.backends.base import SPRITESHEET_FILE, THUMBNAIL_FILE, VIDEO_FILE
from cinebrief.backends.diffusers.call import Decoded
from cinebrief.backends.diffusers.mapping import CallPlan
from cinebrief.contract.reference import fit
from cinebrief.media.audio import AUDIO_RATE, mix, resample
from cinebrief.media.encode import EncodeSettings, VideoWriter
from cinebrief.media.spritesheet import sprite_indices, write_spritesheet
from cinebrief.media.thumbnail import representative_index, write_thumbnail

ENCODE_PRESET = "veryfast"  # generation takes minutes; a smaller file is worth the extra encode time
ENCODE_CRF = 18  # keep the model's detail: this file is the result, not a preview


def fit_frame(frame: np.ndarray, width: int, height: int, mode: str) -> np.ndarray:
    """One frame at exactly `width` x `height`: scaled, or cover-cropped / letterboxed when the aspect differs."""
    source_height, source_width = frame.shape[:2]
    if (source_width, source_height) == (width, height):
        return frame
    image = Image.fromarray(frame, mode="RGB")
    if source_width * height == source_height * width:
        return np.asarray(image.resize((width, height), Image.Resampling.LANCZOS))
    fitted, _ = fit(image, (width, height), mode="letterbox" if mode == "letterbox" else "cover")
    return np.asarray(fitted)


def audio_track(decoded: Decoded, frames: int, fps: int, sound_pass: np.ndarray | None = None) -> np.ndarray:
    """The clip's audio at the container's rate and length: the model's own sound (at most stereo), else the
    sound pass's track (dialogue and bed from the prompt), else silence."""
    length = round(frames / fps * AUDIO_RATE)
    if decoded.audio is not None and decoded.audio.size and decoded.audio_rate > 0:
        source = resample(decoded.audio, decoded.audio_rate, rate=AUDIO_RATE)[:2]
    elif sound_pass is not None:
        source = sound_pass
    else:
        return np.zeros(length, dtype=np.float32)
    return mix([source], length=length, channels=source.shape[0])


def write_outputs(decoded: Decoded, plan: CallPlan, directory: Path, *, sound_pass: np.ndarray | None = None) -> None:
    """Write video.mp4, thumbnail.webp and spritesheet.jpg for the decoded clip into `directory`."""
    directory.mkdir(parents=True, exist_ok=True)
    pixels = decoded.frames
    width, height = plan.output_width, plan.output_height
    count = pixels.shape[0]
    thumbnail_index = representative_index(count)
    wanted = set(sprite_indices(count)) | {thumbnail_index}
    kept: dict[int, np.ndarray] = {}
    with VideoWriter(
        directory / VIDEO_FILE, width, height, EncodeSettings(fps=plan.fps, preset=ENCODE_PRESET, crf=ENCODE_CRF)
    ) as writer:
        for index in range(count):
            frame = fit_frame(pixels[index], width, height, plan.fit)
            writer.write_frame(frame)
            if index in wanted:
                kept[index] = frame
        writer.write_audio(audio_track(decoded, count, plan.fps, sound_pass))
    write_thumbnail(kept[thumbnail_index], directory / THUMBNAIL_FILE)
    write_spritesheet([kept[i] for i in sprite_indices(count)], directory / SPRITESHEET_FILE)
