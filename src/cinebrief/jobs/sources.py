"""Source videos for edits, extensions and characters: check an upload, keep it, take a frame of it as a still.

An uploaded video must be an MP4 holding H.264 video that decodes; anything else is a 400 on the field that
carried it. Files are written under a temporary name and renamed into place, like every other file we keep.
"""

from __future__ import annotations

import io
import os
import secrets
import shutil
from dataclasses import dataclass
from pathlib import Path

import av
from PIL import Image

from cinebrief.errors import InputError
from cinebrief.media.probe import MediaInfo, probe, read_frames

MP4_BRANDS = (b"ftyp",)


@dataclass(frozen=True)
class StoredVideo:
    """A checked video kept on disk, and what probing it found."""

    path: Path
    info: MediaInfo

    @property
    def seconds(self) -> float:
        return self.info.video_duration


def seconds_text(seconds: float) -> str:
    """A length as the API writes it: ``"8"``, or ``"7.5"`` when it is not whole."""
    rounded = round(seconds, 1)
    return str(int(rounded)) if rounded == int(rounded) else f"{rounded:g}"


def keep_upload(data: bytes, folder: Path, *, field: str) -> StoredVideo:
    """Write `data` under `folder`, check it is a decodable H.264 MP4 and return it; 400 on `field` if not."""
    if not data:
        raise InputError(f"Invalid '{field}': the uploaded file is empty. Upload an MP4 (H.264) video.", field=field)
    if data[4:8] not in MP4_BRANDS:
        raise InputError(
            f"Invalid '{field}': the uploaded file is not an MP4 video (no 'ftyp' header). "
            "Upload an MP4 file with H.264 video.",
            field=field,
        )
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"upload-{secrets.token_hex(8)}.mp4"
    temporary = path.with_suffix(".partial")
    temporary.write_bytes(data)
    os.replace(temporary, path)
    try:
        return StoredVideo(path, check_video(path, field=field))
    except InputError:
        path.unlink(missing_ok=True)
        raise


def check_video(path: Path, *, field: str) -> MediaInfo:
    """Probe `path` and decode its first frame; `InputError` naming `field` when it is not a usable H.264 video."""
    try:
        info = probe(path)
        first = read_frames(path, [0])
    except (av.error.FFmpegError, IndexError, ValueError) as exc:
        raise InputError(
            f"Invalid '{field}': the uploaded video cannot be read ({exc}). Upload an MP4 file with H.264 video.",
            field=field,
        ) from None
    if info.video_codec != "h264":
        raise InputError(
            f"Invalid '{field}': the video is encoded as '{info.video_codec}'; only H.264 video is accepted.",
            field=field,
        )
    if not first or info.frames == 0 or info.width <= 0 or info.height <= 0:
        raise InputError(f"Invalid '{field}': the uploaded video has no frames that decode.", field=field)
    return info


def move_into(video: StoredVideo, path: Path) -> StoredVideo:
    """Rename a kept upload to its final name (same file system: the data folder)."""
    os.replace(video.path, path)
    return StoredVideo(path, video.info)


def copy_into(source: Path, path: Path) -> Path:
    """Copy a finished video to `path` (temporary name, then rename), so the source can be deleted meanwhile."""
    temporary = path.with_suffix(".partial")
    shutil.copyfile(source, temporary)
    os.replace(temporary, path)
    return path


def frame_png(path: Path, index: int, *, field: str) -> bytes:
    """Frame `index` of a video as PNG bytes (`-1`: the last frame); a 400 on `field` when it cannot be read."""
    try:
        if index < 0:
            index = probe(path).frames + index
        frame = read_frames(path, [index]).get(index)
    except (av.error.FFmpegError, IndexError, ValueError) as exc:
        raise InputError(f"Invalid '{field}': a frame of the video cannot be read ({exc}).", field=field) from None
    if frame is None:
        raise InputError(f"Invalid '{field}': the video has no frame {index} that decodes.", field=field)
    buffer = io.BytesIO()
    Image.fromarray(frame, mode="RGB").save(buffer, format="PNG")
    return buffer.getvalue()
