"""Contact sheets: one representative frame per clip, labelled with its id and a timecode, as a PNG grid."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from cinebrief.media.atomic import atomic_output
from cinebrief.media.probe import probe, read_frames
from cinebrief.media.thumbnail import representative_index

TILE_WIDTH = 320
MAX_COLUMNS = 4
LABEL_HEIGHT = 44
MARGIN = 8
BACKGROUND = (18, 18, 20)
TEXT = (235, 235, 235)
SUBTLE = (160, 160, 168)


@dataclass(frozen=True)
class SheetEntry:
    """One tile: the clip's file, its label and the caption under it (a timecode, a seed...)."""

    path: Path
    label: str
    caption: str


def timecode(frames: int, rate: int = 24) -> str:
    """``HH:MM:SS:FF`` (non-drop frame)."""
    seconds, frame = divmod(frames, rate)
    minutes, second = divmod(seconds, 60)
    hours, minute = divmod(minutes, 60)
    return f"{hours:02d}:{minute:02d}:{second:02d}:{frame:02d}"


def write_contact_sheet(entries: Sequence[SheetEntry], path: Path, *, title: str | None = None) -> Path:
    """A grid of tiles, `MAX_COLUMNS` wide at most, each frame scaled to `TILE_WIDTH`; written atomically."""
    if not entries:
        raise ValueError("a contact sheet needs at least one clip")
    tiles = [_tile_image(entry.path) for entry in entries]
    tile_height = max(tile.height for tile in tiles)
    columns = min(MAX_COLUMNS, len(entries))
    rows = -(-len(entries) // columns)
    header = LABEL_HEIGHT if title else 0
    sheet = Image.new(
        "RGB",
        (MARGIN + columns * (TILE_WIDTH + MARGIN), header + MARGIN + rows * (tile_height + LABEL_HEIGHT + MARGIN)),
        BACKGROUND,
    )
    draw = ImageDraw.Draw(sheet)
    font = ImageFont.load_default(size=16)
    small = ImageFont.load_default(size=13)
    if title:
        draw.text((MARGIN, MARGIN), title, fill=TEXT, font=font)
    for index, (entry, tile) in enumerate(zip(entries, tiles, strict=True)):
        row, column = divmod(index, columns)
        left = MARGIN + column * (TILE_WIDTH + MARGIN)
        top = header + MARGIN + row * (tile_height + LABEL_HEIGHT + MARGIN)
        sheet.paste(tile, (left, top))
        draw.text((left, top + tile.height + 4), entry.label, fill=TEXT, font=font)
        draw.text((left, top + tile.height + 24), entry.caption, fill=SUBTLE, font=small)
    with atomic_output(path) as temporary:
        sheet.save(temporary, format="PNG")
    return path


def _tile_image(video: Path) -> Image.Image:
    index = representative_index(probe(video).frames)
    frame: np.ndarray = read_frames(video, [index])[index]
    image = Image.fromarray(frame, mode="RGB")
    height = max(2, round(image.height * TILE_WIDTH / image.width))
    return image.resize((TILE_WIDTH, height), Image.Resampling.BILINEAR)
