"""Encode MP4: H.264 (libx264, yuv420p, BT.601 tagged) with AAC audio at 48 kHz, ``+faststart``.

`VideoWriter` takes frames as uint8 RGB arrays ``(height, width, 3)`` or as ready `av.VideoFrame`s (any
pixel format; yuv420p frames go to the encoder untouched, which is the fast path), and audio as float
samples in ``[-1, 1]``, shaped ``(samples,)`` or ``(channels, samples)``. Audio is cut into the 1024-sample
frames AAC needs as it arrives, so callers can interleave it with the video in any chunk sizes; or a whole
soundtrack is encoded at once (`encode_audio`, on another thread if need be) and its packets written
(`write_packets`). A writer may label its audio stream with the recipe the audio was made from
(`audio_label`); `labelled_audio` reads a labelled stream's packets back, and `adopt_audio` makes them the
audio of another file, so that audio made once is copied rather than made and encoded again.

The file is written to a hidden ``.partial`` name in the target folder and renamed into place by
`close()`; `abort()` (or an exception inside ``with``) deletes it, so a failure leaves nothing behind.
"""

from __future__ import annotations

import contextlib
import io
import os
from fractions import Fraction
from pathlib import Path
from types import TracebackType

import av
import numpy as np

from cinebrief.media.atomic import discard, partial_path
from cinebrief.media.encoder_settings import EncodeSettings, encoder_threads

__all__ = ["AAC_FRAME", "AUDIO_RATE", "EncodeSettings", "VideoWriter", "encoder_threads", "labelled_audio"]

AUDIO_RATE = 48_000
AAC_FRAME = 1024
_LABEL_TAG = "handler_name"  # MP4 keeps a stream's handler name: where an audio stream's label goes
# swscale converts RGB to YUV with BT.601 coefficients in limited range; tag the stream so players agree.
_BT601 = 6  # smpte170m, the same code for matrix, primaries and transfer
_LIMITED_RANGE = 1


class VideoWriter:
    """Write one MP4. Use as a context manager, or call `close()` (commit) or `abort()` (discard)."""

    def __init__(
        self,
        path: str | os.PathLike[str],
        width: int,
        height: int,
        settings: EncodeSettings | None = None,
        *,
        audio_label: str | None = None,
    ):
        """`audio_label` names the recipe of the audio to come (`soundtrack_label`); it is stored with the
        audio stream, so that `labelled_audio` can find it again for a clip with the same recipe."""
        if width <= 0 or height <= 0 or width % 2 or height % 2:
            raise ValueError(f"H.264 yuv420p needs positive even sides; got {width}x{height}")
        self.path = Path(path)
        self.width, self.height = width, height
        self.settings = settings or EncodeSettings()
        self.frames_written = 0
        self._temporary = partial_path(self.path)
        self._frame_time_base = Fraction(1, self.settings.fps)
        self._pending_audio = np.zeros((self.settings.audio_channels, 0), dtype=np.float32)
        self._audio_samples = 0
        self._audio_finished = False  # encode_audio took the whole soundtrack
        self._audio_label = audio_label
        self._container = av.open(str(self._temporary), mode="w", format="mp4", options={"movflags": "+faststart"})
        try:
            self._video = self._add_video_stream()
            self._audio = self._add_audio_stream() if self.settings.audio else None
        except BaseException:
            self.abort()
            raise

    def _add_video_stream(self) -> av.VideoStream:
        settings = self.settings
        stream = self._container.add_stream("libx264", rate=settings.fps)
        stream.width, stream.height, stream.pix_fmt = self.width, self.height, "yuv420p"
        quality = {"crf": str(settings.crf)} if settings.qp is None else {"qp": str(settings.qp)}
        stream.options = {"preset": settings.preset, **quality}
        context = stream.codec_context
        context.thread_count = settings.threads or encoder_threads()
        context.thread_type = "FRAME"
        context.colorspace = context.color_primaries = context.color_trc = _BT601
        context.color_range = _LIMITED_RANGE
        return stream

    def _add_audio_stream(self) -> av.AudioStream:
        layout = "mono" if self.settings.audio_channels == 1 else "stereo"
        stream = self._container.add_stream("aac", rate=AUDIO_RATE, layout=layout)
        stream.bit_rate = self.settings.audio_bitrate
        stream.options = {"aac_coder": self.settings.aac_coder}
        if self._audio_label:
            stream.metadata[_LABEL_TAG] = self._audio_label
        return stream

    # -- video ---------------------------------------------------------------------------------------
    def write_frame(self, frame: np.ndarray | av.VideoFrame) -> None:
        """Encode one frame: an RGB uint8 array of the writer's size, or an `av.VideoFrame`."""
        if isinstance(frame, np.ndarray):
            if frame.shape != (self.height, self.width, 3) or frame.dtype != np.uint8:
                raise ValueError(
                    f"expected a uint8 RGB frame of shape {(self.height, self.width, 3)}, "
                    f"got {frame.dtype} {frame.shape}"
                )
            frame = av.VideoFrame.from_ndarray(frame, format="rgb24")
        if frame.format.name != "yuv420p" or (frame.width, frame.height) != (self.width, self.height):
            frame = frame.reformat(width=self.width, height=self.height, format="yuv420p")
        frame.pts = self.frames_written
        frame.time_base = self._frame_time_base  # decoded frames arrive with their own source's time base
        self._container.mux(self._video.encode(frame))
        self.frames_written += 1

    # -- audio ---------------------------------------------------------------------------------------
    def write_audio(self, samples: np.ndarray) -> None:
        """Queue float samples (mono is copied to every channel) and encode every complete AAC frame."""
        self._queue_audio(samples)
        self._container.mux(self._encode_pending_audio(final=False))

    def encode_audio(self, samples: np.ndarray) -> list[av.Packet]:
        """The whole soundtrack as AAC packets, the encoder flushed, nothing written yet: `write_packets`
        writes them. It uses the audio encoder alone, so another thread may run it while frames are
        written; the writer takes no more audio after it."""
        self._queue_audio(samples)
        return self._finish_audio()

    def adopt_audio(self, packets: list[av.Packet]) -> list[av.Packet]:
        """Another file's audio packets (`labelled_audio`) as this writer's audio, for `write_packets`: the
        audio made once and copied, not made and encoded again. The writer takes no more audio after."""
        if self._audio is None:
            raise ValueError("this writer was opened without audio")
        if self._audio_finished or self._pending_audio.shape[1] or self._audio_samples:
            raise ValueError("this writer already has audio of its own")
        for packet in packets:
            packet.stream = self._audio
        self._audio_finished = True
        return packets

    def write_packets(self, packets: list[av.Packet]) -> None:
        """Write packets from `encode_audio` or `adopt_audio` (the muxer interleaves them with the video)."""
        self._container.mux(packets)

    def _queue_audio(self, samples: np.ndarray) -> None:
        if self._audio is None:
            raise ValueError("this writer was opened without audio")
        if self._audio_finished:
            raise ValueError("this writer's audio was already encoded to the end")
        block = np.asarray(samples, dtype=np.float32)
        if block.ndim == 1:
            block = np.broadcast_to(block, (self.settings.audio_channels, block.shape[0]))
        if block.shape[0] != self.settings.audio_channels:
            raise ValueError(f"expected {self.settings.audio_channels} audio channels, got {block.shape[0]}")
        self._pending_audio = np.concatenate([self._pending_audio, np.clip(block, -1.0, 1.0)], axis=1)

    def _finish_audio(self) -> list[av.Packet]:
        """The queued tail and the encoder's last packets; the writer takes no more audio after."""
        assert self._audio is not None
        packets = [*self._encode_pending_audio(final=True), *self._audio.encode(None)]
        self._audio_finished = True
        return packets

    def _encode_pending_audio(self, *, final: bool) -> list[av.Packet]:
        """Encode every complete AAC frame queued (with `final`, the tail too, padded with silence)."""
        assert self._audio is not None
        pending = self._pending_audio
        complete = pending.shape[1] // AAC_FRAME * AAC_FRAME
        if final and complete < pending.shape[1]:
            # AAC encodes whole frames only: pad the tail with silence (under 21.3 ms at 48 kHz).
            tail = np.zeros((pending.shape[0], AAC_FRAME - (pending.shape[1] - complete)), dtype=np.float32)
            pending = np.concatenate([pending, tail], axis=1)
            complete = pending.shape[1]
        layout = "mono" if pending.shape[0] == 1 else "stereo"
        packets: list[av.Packet] = []
        for start in range(0, complete, AAC_FRAME):
            chunk = np.ascontiguousarray(pending[:, start : start + AAC_FRAME])
            frame = av.AudioFrame.from_ndarray(chunk, format="fltp", layout=layout)
            frame.sample_rate = AUDIO_RATE
            frame.pts = self._audio_samples
            self._audio_samples += AAC_FRAME
            packets.extend(self._audio.encode(frame))
        self._pending_audio = pending[:, complete:]
        return packets

    # -- finish --------------------------------------------------------------------------------------
    def close(self) -> Path:
        """Flush both encoders, finish the file and rename it into place; returns the final path."""
        try:
            if self._audio is not None and not self._audio_finished:
                self._container.mux(self._finish_audio())
            self._container.mux(self._video.encode(None))
            self._container.close()
        except BaseException:
            self.abort()
            raise
        os.replace(self._temporary, self.path)
        return self.path

    def abort(self) -> None:
        """Stop and delete the temporary file; nothing is left at `path`."""
        # Closing a half-written container may fail; the file is discarded either way.
        with contextlib.suppress(Exception):
            self._container.close()
        discard(self._temporary)

    def __enter__(self) -> VideoWriter:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, traceback: TracebackType | None
    ) -> None:
        if kind is None:
            self.close()
        else:
            self.abort()


def labelled_audio(video: bytes, label: str) -> list[av.Packet] | None:
    """The AAC packets of `video`'s audio stream when that stream carries `label` (written by a
    `VideoWriter(audio_label=label)`: the label names how the audio was encoded too) and is whole (as many
    packets as its index lists); None otherwise, or when `video` cannot be read."""
    if not label:
        return None
    try:
        with av.open(io.BytesIO(video), mode="r") as container:
            streams = [stream for stream in container.streams.audio if stream.metadata.get(_LABEL_TAG) == label]
            if not streams:
                return None
            stream = streams[0]
            context = stream.codec_context
            if (context.name, context.sample_rate) != ("aac", AUDIO_RATE):
                return None
            packets = [packet for packet in container.demux(stream) if packet.size]
            return packets if len(packets) == stream.frames else None  # a cut-short file lends nothing
    except (av.FFmpegError, ValueError):
        return None
