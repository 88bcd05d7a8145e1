"""The last step of an extension job: the source video, then the new clip, as one video (contract §11).

The backend renders only the new clip (starting from the source's last frame); here it is appended to the
source with `cinebrief.media.stitch` (a stream copy when both have the same layout, one re-encode
otherwise), and the thumbnail and spritesheet are made again from the whole video.
"""

from __future__ import annotations

import os
from pathlib import Path

from cinebrief.backends.base import GenerationResult
from cinebrief.media.spritesheet import spritesheet_from_video
from cinebrief.media.stitch import stitch
from cinebrief.media.thumbnail import thumbnail_from_video

STITCHED_NAME = "stitched.mp4"
CLIP_NAME = "extension.mp4"


def append_clip(source: Path, result: GenerationResult) -> GenerationResult:
    """Replace the result's video by source + clip; returns the result with what the stitch did recorded."""
    clip = result.directory / CLIP_NAME
    os.replace(result.video, clip)
    stitched = stitch([source, clip], result.directory / STITCHED_NAME)
    os.replace(stitched.output, result.video)
    clip.unlink(missing_ok=True)
    thumbnail_from_video(result.video, result.thumbnail)
    spritesheet_from_video(result.video, result.spritesheet)
    metadata = {
        **result.metadata,
        "extension": {
            "stitch": stitched.method,
            "reasons": list(stitched.reasons),
            "frames": stitched.frames,
            "seconds": round(stitched.video_seconds, 3),
        },
    }
    return GenerationResult(directory=result.directory, metadata=metadata)
