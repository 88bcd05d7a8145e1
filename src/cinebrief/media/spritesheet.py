"""``spritesheet.jpg``: a contact sheet of frames sampled evenly through the clip.

Layout (documented for players that scrub with it):

* `SPRITE_COLUMNS` x `SPRITE_ROWS` tiles (4 x 4 = 16), filled row-major: left to right, then top to bottom,
  in time order, with no gutters or borders;
* tile ``k`` (0-based) shows frame ``floor((k + 0.5) * frames / 16)``, the middle of the k-th sixteenth of
  the clip, so tile ``k`` covers the time range ``[k, k + 1) * duration / 16``;
* every tile has the video's aspect ratio, scaled so that its longer side is `TILE_LONG_SIDE` (240) pixels,
  rounded to even numbers: a 1280x720 video gives 240x136 tiles and a 960x544 sheet, a 720x1280 video
  136x240 tiles and a 544x960 sheet;
* JPEG, quality 85, baseline.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from PIL import Image

from cinebrief.media.atomic import atomic_output
from cinebrief.media.probe import probe, read_frames

SPRITE_COLUMNS = 4
SPRITE_ROWS = 4
TILE_LONG_SIDE = 240
SPRITE_QUALITY = 85


def sprite_indices(frames: int, count: int = SPRITE_COLUMNS * SPRITE_ROWS) -> list[int]:
    """The frame shown by each tile, in tile order."""
    return [min(frames - 1, int((k + 0.5) * frames / count)) for k in range(count)] if frames > 0 else []


def tile_size(width: int, height: int) -> tuple[int, int]:
    """A tile's size for a video of `width` x `height`."""
    scale = TILE_LONG_SIDE / max(width, height)
    return max(2, round(width * scale / 2) * 2), max(2, round(height * scale / 2) * 2)


def write_spritesheet(
    frames: Sequence[np.ndarray],
    path: str | os.PathLike[str],
    *,
    columns: int = SPRITE_COLUMNS,
    video_size: tuple[int, int] | None = None,
) -> Path:
    """Lay RGB frames out row-major in a grid of `columns` and save the JPEG atomically.

    Frames are scaled to `tile_size(*video_size)`; pass `video_size` when the frames are already tiles.
    """
    if not frames:
        raise ValueError("a spritesheet needs at least one frame")
    height, width = frames[0].shape[:2]
    tile_w, tile_h = tile_size(*(video_size or (width, height)))
    rows = -(-len(frames) // columns)
    sheet = Image.new("RGB", (tile_w * columns, tile_h * rows))
    for k, frame in enumerate(frames):
        tile = Image.fromarray(frame, mode="RGB")
        if tile.size != (tile_w, tile_h):
            tile = tile.resize((tile_w, tile_h), Image.Resampling.BILINEAR, reducing_gap=2.0)
        sheet.paste(tile, ((k % columns) * tile_w, (k // columns) * tile_h))
    target = Path(path)
    with atomic_output(target) as temporary:
        sheet.save(temporary, format="JPEG", quality=SPRITE_QUALITY)
    return target


def spritesheet_from_video(video: str | os.PathLike[str], path: str | os.PathLike[str]) -> Path:
    """Decode the evenly sampled frames of `video` and lay them out."""
    indices = sprite_indices(probe(video).frames)
    found = read_frames(video, indices)
    return write_spritesheet([found[i] for i in indices], path)
