"""Compare variants side by side: a grid video (every clip playing at once, labelled) and a contact sheet."""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from pathlib import Path

import av
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from cinebrief.media.encode import AUDIO_RATE, EncodeSettings, VideoWriter
from cinebrief.media.probe import probe
from cinebrief.workflows.contact_sheet import SheetEntry, write_contact_sheet

GRID_WIDTH = 1280  # the whole grid's width; tiles share it
LABEL_BAR = 24


def grid_layout(count: int) -> tuple[int, int]:
    """(columns, rows): as square as possible, wider than tall."""
    columns = math.ceil(math.sqrt(count))
    return columns, math.ceil(count / columns)


def write_grid_video(videos: Sequence[Path], labels: Sequence[str], output: Path) -> Path:
    """All `videos` tiled in one frame, each labelled, as long as the longest (shorter ones hold their last
    frame); the audio is the first video's."""
    infos = [probe(video) for video in videos]
    columns, rows = grid_layout(len(videos))
    tile_width = GRID_WIDTH // columns // 2 * 2
    tile_height = round(tile_width * infos[0].height / infos[0].width) // 2 * 2
    width, height = tile_width * columns, (tile_height + LABEL_BAR) * rows
    frames = max(info.frames for info in infos)
    fps = round(infos[0].fps) or 24
    label_images = [_label(text, tile_width) for text in labels]
    streams = [_frames(video, tile_width, tile_height) for video in videos]
    current: list[np.ndarray] = [np.zeros((tile_height, tile_width, 3), np.uint8) for _ in videos]
    audio = _audio(videos[0])
    with VideoWriter(output, width, height, EncodeSettings(fps=fps, audio=audio is not None)) as writer:
        for index in range(frames):
            canvas = np.zeros((height, width, 3), dtype=np.uint8)
            for tile, stream in enumerate(streams):
                current[tile] = next(stream, current[tile])
                row, column = divmod(tile, columns)
                top, left = row * (tile_height + LABEL_BAR), column * tile_width
                canvas[top : top + LABEL_BAR, left : left + tile_width] = label_images[tile]
                canvas[top + LABEL_BAR : top + LABEL_BAR + tile_height, left : left + tile_width] = current[tile]
            writer.write_frame(canvas)
            if audio is not None:
                start, end = index * AUDIO_RATE // fps, (index + 1) * AUDIO_RATE // fps
                chunk = audio[:, start:end]
                if chunk.shape[1] < end - start:
                    chunk = np.pad(chunk, ((0, 0), (0, end - start - chunk.shape[1])))
                writer.write_audio(chunk)
    return output


def write_compare_sheet(videos: Sequence[Path], labels: Sequence[str], output: Path, *, title: str) -> Path:
    entries = [
        SheetEntry(path=video, label=label, caption=f"{probe(video).video_duration:.2f} s")
        for video, label in zip(videos, labels, strict=True)
    ]
    return write_contact_sheet(entries, output, title=title)


def _frames(video: Path, width: int, height: int) -> Iterator[np.ndarray]:
    with av.open(str(video)) as container:
        for frame in container.decode(video=0):
            yield frame.reformat(width=width, height=height, format="rgb24").to_ndarray()


def _audio(video: Path) -> np.ndarray | None:
    with av.open(str(video)) as container:
        if not container.streams.audio:
            return None
        resampler = av.AudioResampler(format="fltp", layout="stereo", rate=AUDIO_RATE)
        chunks = [out.to_ndarray() for frame in container.decode(audio=0) for out in resampler.resample(frame)]
        chunks += [out.to_ndarray() for out in resampler.resample(None)]
    return np.concatenate(chunks, axis=1) if chunks else None


def _label(text: str, width: int) -> np.ndarray:
    image = Image.new("RGB", (width, LABEL_BAR), (18, 18, 20))
    ImageDraw.Draw(image).text((6, 4), text, fill=(235, 235, 235), font=ImageFont.load_default(size=14))
    return np.asarray(image)
