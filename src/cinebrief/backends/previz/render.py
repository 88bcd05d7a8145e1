"""The frame loop: synthesise frames on a worker thread while the encoder works on the calling thread.

The worker composes the plate (YUV planes) for each frame's camera state, crops the zoom and scales it
to the output's yuv420p planes, then blends the overlays in place. Frames travel through a small
bounded queue (memory stays flat whatever the clip's length); numpy, swscale and x264 release the GIL,
so both cores stay busy. Between batches of frames the loop reports progress and checks `cancelled()`.

The worker draws into a ring of `RING_FRAMES` frames rather than a new frame each time: at most
`QUEUE_FRAMES` frames wait in the queue, one is being encoded and one is being drawn, and x264 copies a
frame's pixels into its own buffers before `encode` returns, so a slot is free again when it comes round.
"""

from __future__ import annotations

import contextlib
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass

import av
import numpy as np
from av.video.reformatter import VideoReformatter

from cinebrief.backends.previz.overlays import Overlays
from cinebrief.backends.previz.plan import FPS, Storyboard
from cinebrief.backends.previz.plate import ReferencePlate, SyntheticPlate, to_output, zoom_box
from cinebrief.backends.previz.weather import Weather
from cinebrief.errors import CancelledError
from cinebrief.media.encode import VideoWriter
from cinebrief.media.yuv import Planes, fill_frame

BATCH = 12  # frames between progress reports and cancellation checks
QUEUE_FRAMES = 4
RING_FRAMES = QUEUE_FRAMES + 2  # the queue, the frame being encoded and the frame being drawn


@dataclass
class Picture:
    """What the worker needs: the plate (synthetic or the reference) and the overlays.

    When the camera's whole-pixel position has not changed since the last frame (a locked-off shot, the
    slow start of an eased move), the last plate (scaled, without overlays) is copied instead of composed
    and scaled again.
    """

    board: Storyboard
    plate: SyntheticPlate | ReferencePlate
    overlays: Overlays
    weather: Weather | None = None  # rain or snow over the synthetic set
    _last_key: tuple[object, ...] | None = None
    _last_plate: Planes | None = None  # the plate at the output size, without overlays

    def frame(self, index: int, into: av.VideoFrame) -> av.VideoFrame:
        """Frame `index`, drawn into `into` (a yuv420p frame of the output's size, from the ring)."""
        board = self.board
        state = board.camera.at(index / FPS)
        key = self.plate.picture_key(state)
        if self.weather is not None:
            key = (*key, self.weather.step(index))
        if key != self._last_key or self._last_plate is None:
            if isinstance(self.plate, ReferencePlate):
                plate = to_output(self.plate.canvas, self.plate.box(state), board.width, board.height)
            else:
                planes = self.plate.compose(state)
                if self.weather is not None:
                    planes = self.weather.apply(planes, index)
                box = zoom_box(self.plate.width, self.plate.height, state.zoom)
                plate = to_output(planes, box, board.width, board.height)
            self._last_key, self._last_plate = key, plate
        fill_frame(into, self._last_plate)
        self.overlays.apply(into, index)
        return into


_DONE = object()


def _produce(
    picture: Picture,
    frames: int,
    out: queue.Queue[object],
    stop: threading.Event,
    copy: Callable[[int, av.VideoFrame], None],
) -> None:
    try:
        board = picture.board
        ring = [av.VideoFrame(board.width, board.height, "yuv420p") for _ in range(min(RING_FRAMES, frames))]
        for index in range(frames):
            if stop.is_set():
                return
            frame = picture.frame(index, into=ring[index % len(ring)])
            copy(index, frame)
            out.put(frame)
        out.put(_DONE)
    except BaseException as exc:  # handed to the encoding thread, which raises it
        out.put(exc)


def encode_clip(
    picture: Picture,
    audio: Future[list[av.Packet]],
    writer: VideoWriter,
    *,
    keep: dict[int, tuple[int, int]],
    on_kept: Callable[[int, np.ndarray], None] = lambda index, rgb: None,
    progress: Callable[[float], None],
    cancelled: Callable[[], bool],
) -> dict[int, np.ndarray]:
    """Encode every frame and write the soundtrack's packets; returns RGB copies of the frames in `keep` at
    the size each asks. `on_kept(index, rgb)` is called as each of those copies is made.

    The calling thread sets the pace (x264 takes frames from it), so it only feeds the encoder: the
    soundtrack is made and encoded on another thread (`audio`, see `VideoWriter.encode_audio`) and its
    packets written when ready (the muxer interleaves them with the video); the RGB copies are made on
    the frames' thread, which has time to spare.
    """
    frames = picture.board.frames
    kept: dict[int, np.ndarray] = {}
    scaler = VideoReformatter()  # one swscale context for the kept copies, not one each

    def copy(index: int, frame: av.VideoFrame) -> None:
        if index in keep:
            width, height = keep[index]
            rgb = scaler.reformat(frame, width=width, height=height, format="rgb24", interpolation="AREA")
            kept[index] = rgb.to_ndarray()
            on_kept(index, kept[index])

    handoff: queue.Queue[object] = queue.Queue(maxsize=QUEUE_FRAMES)
    stop = threading.Event()
    worker = threading.Thread(
        target=_produce, args=(picture, frames, handoff, stop, copy), name="previz-frames", daemon=True
    )
    worker.start()
    audio_written = False
    try:
        for index in range(frames):
            item = handoff.get()
            if isinstance(item, BaseException):
                raise item
            assert isinstance(item, av.VideoFrame)
            writer.write_frame(item)
            if not audio_written and (audio.done() or index + 1 == frames):
                writer.write_packets(audio.result())
                audio_written = True
            if (index + 1) % BATCH == 0 or index + 1 == frames:
                progress((index + 1) / frames)
                if index + 1 < frames and cancelled():
                    raise CancelledError()
    finally:
        stop.set()
        while worker.is_alive():  # unblock a worker waiting on a full queue
            with contextlib.suppress(queue.Empty):
                handoff.get(timeout=0.05)
        worker.join()
    return kept
