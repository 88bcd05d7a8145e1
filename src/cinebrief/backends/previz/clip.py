"""A storyboard to its files: the plate and overlays, video.mp4 with the soundtrack, thumbnail.webp and
spritesheet.jpg.

`PrevizBackend.generate` imports this module once the soundtrack is under way: in a fresh process its
libraries (PyAV, Pillow: about 0.1 s) load while the sound is made on the other core.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, wait
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

# JpegImagePlugin and WebPImagePlugin register the writers of spritesheet.jpg and thumbnail.webp up front:
# saving in a format Pillow has not registered yet makes it import every plugin it ships (about 40 ms, at
# the end of a process's first render).
from PIL import Image, JpegImagePlugin, WebPImagePlugin  # noqa: F401

from cinebrief.backends.base import SPRITESHEET_FILE, THUMBNAIL_FILE, VIDEO_FILE, CancelledFn, ProgressFn
from cinebrief.backends.previz.overlays import Overlays
from cinebrief.backends.previz.plan import FPS, Storyboard
from cinebrief.backends.previz.plate import SYNTH_SCALE, ReferencePlate, SyntheticPlate
from cinebrief.backends.previz.render import Picture, encode_clip
from cinebrief.backends.previz.scene import build_plate
from cinebrief.backends.previz.weather import KINDS, Weather
from cinebrief.media.atomic import discard
from cinebrief.media.encode import EncodeSettings, VideoWriter
from cinebrief.media.spritesheet import sprite_indices, tile_size, write_spritesheet
from cinebrief.media.thumbnail import representative_index, write_thumbnail

if TYPE_CHECKING:
    import av


def write_clip(
    board: Storyboard,
    reference: Image.Image | None,
    audio: Callable[[VideoWriter], list[av.Packet]],
    pool: ThreadPoolExecutor,
    output_dir: Path,
    settings: EncodeSettings,
    *,
    audio_label: str,
    progress: ProgressFn,
    cancelled: CancelledFn,
) -> None:
    """Build the plate (the reference, or the synthetic set) and the overlays, then write video.mp4 (the
    soundtrack, `audio(writer)` run on `pool`, joins when it is ready), its audio stream labelled with the
    soundtrack's recipe (`audio_label`), thumbnail.webp and spritesheet.jpg.

    The images come from frames kept on the way: the thumbnail is written on `pool` as soon as its
    frame is encoded, the spritesheet while the encoder finishes the file. A failure leaves none of
    the three behind.
    """
    # 1. The picture: plate, weather and overlays.
    weather = None
    if reference is not None:
        plate: SyntheticPlate | ReferencePlate = ReferencePlate(reference, board.camera)
    else:
        plate = build_plate(board, round(board.width * SYNTH_SCALE), round(board.height * SYNTH_SCALE))
        if board.weather in KINDS:
            light = board.lighting.key_colour
            weather = Weather(board.weather, plate.width, plate.height, seed=board.seed, light=light, fps=FPS)
    overlays = Overlays(board, clean_first_frame=reference is not None)
    output_dir.mkdir(parents=True, exist_ok=True)
    picture = Picture(board, plate, overlays, weather)

    # 2. The frames to keep for the images, then the encode.
    thumbnail_index = representative_index(board.frames)
    sheet_indices = sprite_indices(board.frames)
    tile = tile_size(board.width, board.height)
    keep = {index: tile for index in sheet_indices} | {thumbnail_index: (board.width, board.height)}
    images: dict[Path, Future[Path]] = {}

    def on_kept(index: int, rgb: np.ndarray) -> None:
        if index == thumbnail_index:
            path = output_dir / THUMBNAIL_FILE
            images[path] = pool.submit(write_thumbnail, rgb, path)

    written: list[Path] = []
    try:
        video = output_dir / VIDEO_FILE
        with VideoWriter(video, board.width, board.height, settings, audio_label=audio_label) as writer:
            # AAC is encoded (or copied) on the sound thread, off the frame loop's thread.
            packets = pool.submit(audio, writer)
            try:
                kept = encode_clip(
                    picture, packets, writer, keep=keep, on_kept=on_kept, progress=progress, cancelled=cancelled
                )
            finally:
                packets.cancel()
                wait([packets])  # the audio encoder is done before the writer closes, whatever happened
            # A tile kept at full size (it is also the thumbnail) is scaled by write_spritesheet.
            tiles = [kept[index] for index in sheet_indices]
            sheet = output_dir / SPRITESHEET_FILE
            images[sheet] = pool.submit(write_spritesheet, tiles, sheet, video_size=(board.width, board.height))
        written.append(writer.path)
        for job in images.values():
            job.result()
    except BaseException:
        wait(list(images.values()))
        for path in [*images, *written]:
            discard(path)
        raise
