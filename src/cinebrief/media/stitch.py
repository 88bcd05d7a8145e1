"""Stitch clips into one MP4: stream copy when the clips match, one normalising re-encode when they do not.

Stream copy needs identical streams (codec and its extradata, size, pixel format, frame rate, time bases,
audio rate and layout). Every AAC clip starts with a priming packet one AAC frame before zero and ends with
padding past its video, so naive concatenation makes audio timestamps run backwards at a join. Each clip's
audio is therefore placed at its video-aligned start, pushed later only as far as the previous clip's audio
needs; when that push would exceed one AAC frame, the previous clip's last audio packet is dropped instead.
Video timing stays exact and the audio delay at any join stays under one AAC frame (21 ms at 48 kHz),
never accumulating along the cut.

The re-encode path (also used for crossfades) decodes every clip, fits it to the first clip's size and frame
rate, resamples its audio and trims or pads it to exactly its video length, then encodes H.264 + AAC once.
The result's duration is the sum of the parts, minus one crossfade per join. Output goes to a temporary
name in the same folder and is renamed into place, so a failure never leaves a partial file.
"""

from __future__ import annotations

import hashlib
from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, fields
from fractions import Fraction
from pathlib import Path
from typing import Literal

import av
import numpy as np

from cinebrief.errors import InputError, NotFoundError
from cinebrief.media.atomic import atomic_output
from cinebrief.media.encode import AUDIO_RATE, EncodeSettings, VideoWriter

StitchMethod = Literal["copy", "reencode"]
AAC_FRAME_SAMPLES = 1024
HELD_PACKETS = 3  # a clip's audio overruns its video by less than two AAC frames


@dataclass(frozen=True)
class ClipLayout:
    """What stream copy needs to match between clips, read from one file without decoding it."""

    video_codec: str
    width: int
    height: int
    pix_fmt: str
    frame_rate: Fraction
    video_time_base: Fraction
    video_extradata: str  # a short hash: SPS/PPS must match for one avcC header
    audio_codec: str | None
    sample_rate: int | None
    audio_layout: str | None
    audio_time_base: Fraction | None
    audio_extradata: str | None
    # not part of the match: how long the clip is
    frames: int = field(default=0, compare=False)
    seconds: float = field(default=0.0, compare=False)

    @property
    def size(self) -> str:
        return f"{self.width}x{self.height}"


@dataclass(frozen=True)
class StitchResult:
    """What `stitch` wrote and how: the method, why it re-encoded, and the output's frames and durations."""

    output: Path
    method: StitchMethod
    reasons: tuple[str, ...]
    frames: int
    video_seconds: float
    audio_seconds: float | None
    clips: int


def _short_hash(data: bytes | None) -> str:
    return hashlib.sha256(data or b"").hexdigest()[:16]


def clip_layout(path: str | Path) -> ClipLayout:
    """Read a clip's stream parameters; `NotFoundError` when missing, `InputError` when it is not a video."""
    path = Path(path)
    if not path.is_file():
        raise NotFoundError(f"{path}: no such video file")
    try:
        with av.open(str(path)) as container:
            if not container.streams.video:
                raise InputError(f"{path}: has no video stream; stitching needs a video in every input")
            video = container.streams.video[0]
            audio = container.streams.audio[0] if container.streams.audio else None
            rate = Fraction(video.average_rate or video.guessed_rate or 24)
            seconds = _video_seconds(video, container, rate)
            frames = video.frames or round(seconds * rate)
            return ClipLayout(
                video_codec=video.codec_context.name,
                width=video.codec_context.width,
                height=video.codec_context.height,
                pix_fmt=video.codec_context.pix_fmt or "",
                frame_rate=rate,
                video_time_base=Fraction(video.time_base),
                video_extradata=_short_hash(video.codec_context.extradata),
                audio_codec=audio.codec_context.name if audio else None,
                sample_rate=audio.codec_context.sample_rate if audio else None,
                audio_layout=audio.codec_context.layout.name if audio else None,
                audio_time_base=Fraction(audio.time_base) if audio else None,
                audio_extradata=_short_hash(audio.codec_context.extradata) if audio else None,
                frames=frames,
                seconds=seconds,
            )
    except av.error.FFmpegError as exc:
        raise InputError(f"{path}: not a readable video ({exc.strerror or exc})") from None


def _video_seconds(video: av.VideoStream, container: av.container.InputContainer, rate: Fraction) -> float:
    if video.frames:
        return float(video.frames / rate)
    if video.duration is not None and video.time_base is not None:
        return float(video.duration * video.time_base)
    return float(container.duration or 0) / av.time_base


def layout_mismatches(layouts: Sequence[ClipLayout], names: Sequence[str]) -> list[str]:
    """Why these clips cannot be stream-copied together: one line per differing clip, naming each parameter."""
    reasons: list[str] = []
    first = layouts[0]
    for index, layout in enumerate(layouts[1:], start=1):
        differences = [
            f"{item.name} {getattr(layout, item.name)} (not {getattr(first, item.name)})"
            for item in fields(ClipLayout)
            if item.compare and getattr(layout, item.name) != getattr(first, item.name)
        ]
        if differences:
            reasons.append(f"{names[index]} differs from {names[0]}: {', '.join(differences)}")
    return reasons


def stitch(
    inputs: Sequence[str | Path],
    output: str | Path,
    *,
    crossfade: float = 0.0,
    reencode: bool = False,
    preset: str = "veryfast",
) -> StitchResult:
    """Join `inputs` in order into `output`.

    Stream copy when every clip has the same layout and there is no crossfade; otherwise one re-encode to
    the first clip's size and frame rate. `crossfade` (seconds) dissolves video and audio at each join.
    """
    # 1. Check the inputs once, here at the edge.
    paths = [Path(path) for path in inputs]
    output = Path(output)
    if not paths:
        raise InputError("stitching needs at least one input video", field="inputs")
    if output.resolve() in {path.resolve() for path in paths}:
        raise InputError(f"{output}: the output would overwrite one of the inputs; choose another name", field="output")
    layouts = [clip_layout(path) for path in paths]
    names = [path.name for path in paths]
    _check_crossfade(crossfade, layouts, names)

    # 2. Choose the method, and say why when it is not a stream copy.
    reasons = layout_mismatches(layouts, names)
    if crossfade > 0:
        reasons.insert(0, f"a crossfade of {crossfade:g} s needs new frames at each join")
    if reencode:
        reasons.insert(0, "a re-encode was requested")

    # 3. Write to a temporary name; rename into place when done.
    if not output.parent.is_dir():
        raise NotFoundError(f"{output.parent}: no such folder for the output")
    method: StitchMethod = "copy"
    if not reasons:
        try:
            with atomic_output(output) as temporary:
                _stream_copy(paths, temporary)
        except _CopyNotPossible as exc:
            reasons.append(str(exc))
    if reasons:
        _reencode(paths, layouts, output, crossfade=crossfade, preset=preset)
        method = "reencode"
    return _result(output, method, tuple(reasons), len(paths))


def _check_crossfade(crossfade: float, layouts: Sequence[ClipLayout], names: Sequence[str]) -> None:
    if crossfade < 0:
        raise InputError(f"crossfade must be zero or more seconds, not {crossfade:g}", field="crossfade")
    if crossfade == 0 or len(layouts) < 2:
        return
    for index, layout in enumerate(layouts):
        joins = (index > 0) + (index < len(layouts) - 1)
        if crossfade * joins > layout.seconds:
            raise InputError(
                f"crossfade of {crossfade:g} s is too long for {names[index]} ({layout.seconds:.2f} s, "
                f"{joins} join(s)); use at most {layout.seconds / joins:.2f} s",
                field="crossfade",
            )


def _result(output: Path, method: StitchMethod, reasons: tuple[str, ...], clips: int) -> StitchResult:
    layout = clip_layout(output)
    with av.open(str(output)) as container:
        audio = container.streams.audio[0] if container.streams.audio else None
        audio_seconds = float(audio.duration * audio.time_base) if audio and audio.duration else None
    return StitchResult(
        output=output,
        method=method,
        reasons=reasons,
        frames=layout.frames,
        video_seconds=layout.seconds,
        audio_seconds=audio_seconds,
        clips=clips,
    )


# --- stream copy ---------------------------------------------------------------------------------------------


class _CopyNotPossible(Exception):
    """Timestamps the muxer would refuse; the caller falls back to a re-encode."""


class _AudioJoiner:
    """Places each clip's AAC packets so that DTS never runs backwards and the delay never accumulates.

    The latest packets (the last `HELD_PACKETS` AAC frames) are always held back, so at a join the previous
    clip's tail is still in hand when the next clip's first packet arrives; then as few of them are dropped as
    keep the new clip's audio within one AAC frame of its video.
    """

    def __init__(self, container: av.container.OutputContainer, stream: av.AudioStream) -> None:
        self.container = container
        self.stream = stream
        self.offset = 0
        self.held: deque[av.Packet] = deque()
        self.written_end: int | None = None  # end of the last packet muxed, output time base
        self.last_dts: int | None = None
        self.video_start = 0  # this clip's video-aligned start, audio time base
        self.first_seen = False

    def start_clip(self, video_start: int) -> None:
        self.video_start = video_start
        self.first_seen = False

    def add(self, packet: av.Packet) -> None:
        if not self.first_seen:
            self.first_seen = True
            self._settle_join(packet)
        packet.pts += self.offset
        packet.dts += self.offset
        packet.stream = self.stream
        self.held.append(packet)
        if len(self.held) > HELD_PACKETS:
            self._mux(self.held.popleft())

    def _settle_join(self, first: av.Packet) -> None:
        frame = first.duration or AAC_FRAME_SAMPLES
        while True:
            previous_end = self.held[-1].pts + self.held[-1].duration if self.held else self.written_end
            if previous_end is None:  # the first clip keeps its own (negative) priming timestamps
                self.offset = 0
                return
            self.offset = max(self.video_start, previous_end - first.dts)
            if self.offset - self.video_start < frame or not self.held:
                break
            self.held.pop()
        self.flush()

    def flush(self) -> None:
        while self.held:
            self._mux(self.held.popleft())

    def _mux(self, packet: av.Packet) -> None:
        if self.last_dts is not None and packet.dts <= self.last_dts:
            raise _CopyNotPossible("audio timestamps would run backwards at a join")
        self.container.mux(packet)
        self.last_dts = packet.dts
        self.written_end = packet.pts + packet.duration


def _stream_copy(paths: Sequence[Path], output: Path) -> None:
    options = {"movflags": "+faststart"}
    with av.open(str(paths[0])) as first, av.open(str(output), "w", format="mp4", options=options) as out:
        video_out = out.add_stream_from_template(first.streams.video[0])
        audio_in = first.streams.audio[0] if first.streams.audio else None
        audio_out = out.add_stream_from_template(audio_in) if audio_in else None
        joiner = _AudioJoiner(out, audio_out) if audio_out else None
        video_offset, last_video_dts = 0, None
        for path in paths:
            video_offset, last_video_dts = _copy_clip(path, out, video_out, joiner, video_offset, last_video_dts)
        if joiner:
            joiner.flush()


def _copy_clip(
    path: Path,
    out: av.container.OutputContainer,
    video_out: av.VideoStream,
    joiner: _AudioJoiner | None,
    video_offset: int,
    last_video_dts: int | None,
) -> tuple[int, int | None]:
    """Mux one clip's packets shifted onto the cut; returns the video end and the last video DTS written."""
    with av.open(str(path)) as container:
        video_in = container.streams.video[0]
        audio_in = container.streams.audio[0] if joiner else None
        if joiner and audio_in is not None:
            joiner.start_clip(round(video_offset * video_in.time_base / audio_in.time_base))
        video_end = video_offset
        for packet in container.demux(*(s for s in (video_in, audio_in) if s is not None)):
            if packet.dts is None:  # flush packets carry nothing
                continue
            if packet.stream.type == "video":
                packet.pts += video_offset
                packet.dts += video_offset
                if last_video_dts is not None and packet.dts <= last_video_dts:
                    raise _CopyNotPossible(f"{path.name}: video timestamps would run backwards at the join")
                last_video_dts = packet.dts
                video_end = max(video_end, packet.pts + packet.duration)
                packet.stream = video_out
                out.mux(packet)
            elif joiner is not None:
                joiner.add(packet)
    return video_end, last_video_dts


# --- re-encode -----------------------------------------------------------------------------------------------


def _reencode(
    paths: Sequence[Path],
    layouts: Sequence[ClipLayout],
    output: Path,
    *,
    crossfade: float,
    preset: str,
) -> None:
    """Decode, fit and encode every clip once: the first clip's size and frame rate, 48 kHz audio."""
    target = layouts[0]
    fps = target.frame_rate
    counts = [_frame_count(layout, fps) for layout in layouts]
    overlap = round(crossfade * fps)
    audio_layout = next((layout.audio_layout for layout in layouts if layout.audio_layout), None)
    channels = 1 if audio_layout == "mono" else 2
    audio = None
    if audio_layout is not None:
        audio = _joined_audio(paths, counts, fps, AUDIO_RATE, "mono" if channels == 1 else "stereo", overlap)
    settings = EncodeSettings(fps=fps, preset=preset, audio=audio is not None, audio_channels=channels)  # type: ignore[arg-type]
    with VideoWriter(output, target.width, target.height, settings) as writer:
        written = 0
        for index, frame in enumerate(_joined_frames(paths, counts, target.width, target.height, fps, overlap)):
            frame.time_base = 1 / fps  # the writer numbers frames in the output's own time base
            writer.write_frame(frame)
            if audio is not None:
                until = round((index + 1) / fps * AUDIO_RATE)
                writer.write_audio(audio[:, written:until])
                written = until
        if audio is not None and written < audio.shape[1]:
            writer.write_audio(audio[:, written:])


def _frame_count(layout: ClipLayout, fps: Fraction) -> int:
    if layout.frame_rate == fps and layout.frames:
        return layout.frames
    return max(1, round(layout.seconds * fps))


def _joined_frames(
    paths: Sequence[Path], counts: Sequence[int], width: int, height: int, fps: Fraction, overlap: int
) -> Iterator[av.VideoFrame]:
    """Every output frame in order; the last `overlap` frames of a clip dissolve into the next clip's first."""
    tail: list[np.ndarray] = []
    last = len(paths) - 1
    for index, (path, count) in enumerate(zip(paths, counts, strict=True)):
        head = overlap if index > 0 else 0
        keep: deque[np.ndarray] = deque()
        for position, frame in enumerate(_clip_frames(path, count, width, height, fps)):
            if position < head:
                weight = (position + 1) / (overlap + 1)
                mixed = tail[position] * (1 - weight) + frame.to_ndarray() * weight
                yield av.VideoFrame.from_ndarray(np.round(mixed).astype(np.uint8), format="yuv420p")
            elif index < last and overlap:
                keep.append(frame.to_ndarray())
                if len(keep) > overlap:
                    yield av.VideoFrame.from_ndarray(keep.popleft(), format="yuv420p")
            else:
                yield frame
        tail = [array.astype(np.float32) for array in keep]


def _clip_frames(path: Path, count: int, width: int, height: int, fps: Fraction) -> Iterator[av.VideoFrame]:
    """Exactly `count` frames at `fps` and `width`x`height` (yuv420p): the nearest source frame for each instant."""
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        decoded = container.decode(stream)
        current = next(decoded, None)
        if current is None:
            raise InputError(f"{path}: the video stream has no frames")
        start = current.time or 0.0
        upcoming = next(decoded, None)
        half_frame = 0.5 / float(fps)
        for index in range(count):
            instant = index / float(fps)
            while upcoming is not None and (upcoming.time or 0.0) - start <= instant + half_frame - 1e-9:
                current, upcoming = upcoming, next(decoded, None)
            yield _fit(current, width, height)


def _fit(frame: av.VideoFrame, width: int, height: int) -> av.VideoFrame:
    """`frame` at exactly `width`x`height` in yuv420p; a different aspect ratio is letterboxed, never stretched."""
    if frame.width == width and frame.height == height and frame.format.name == "yuv420p":
        return frame
    if frame.width * height == frame.height * width:
        return frame.reformat(width=width, height=height, format="yuv420p")
    scale = min(width / frame.width, height / frame.height)
    inner_width = max(2, round(frame.width * scale) // 2 * 2)
    inner_height = max(2, round(frame.height * scale) // 2 * 2)
    inner = frame.reformat(width=inner_width, height=inner_height, format="rgb24").to_ndarray()
    canvas = np.zeros((height, width, 3), dtype=np.uint8)
    top, left = (height - inner_height) // 2, (width - inner_width) // 2
    canvas[top : top + inner_height, left : left + inner_width] = inner
    return av.VideoFrame.from_ndarray(canvas, format="rgb24").reformat(format="yuv420p")


def _joined_audio(
    paths: Sequence[Path], counts: Sequence[int], fps: Fraction, rate: int, layout: str, overlap: int
) -> np.ndarray:
    """All clips' audio (channels x samples, float32), each exactly its video's length, crossfaded at joins."""
    channels = len(av.AudioLayout(layout).channels)
    fade = round(overlap / fps * rate)
    total_frames = sum(counts) - overlap * (len(counts) - 1)
    result = np.zeros((channels, round(total_frames / fps * rate)), dtype=np.float32)
    frames_before = 0
    for index, (path, count) in enumerate(zip(paths, counts, strict=True)):
        start = round(frames_before / fps * rate)
        length = round((frames_before + count) / fps * rate) - start
        samples = _clip_samples(path, rate, layout, channels, length)
        if index > 0 and fade:
            samples[:, :fade] *= np.linspace(0.0, 1.0, fade, dtype=np.float32)
        if index < len(paths) - 1 and fade:
            samples[:, length - fade :] *= np.linspace(1.0, 0.0, fade, dtype=np.float32)
        end = min(result.shape[1], start + length)
        result[:, start:end] += samples[:, : end - start]
        frames_before += count - overlap
    return result


def _clip_samples(path: Path, rate: int, layout: str, channels: int, length: int) -> np.ndarray:
    """A clip's audio resampled to `rate`/`layout`, trimmed or padded with silence to `length` samples."""
    samples = np.zeros((channels, length), dtype=np.float32)
    with av.open(str(path)) as container:
        if not container.streams.audio:
            return samples
        resampler = av.AudioResampler(format="fltp", layout=layout, rate=rate)
        written = 0
        for decoded in container.decode(container.streams.audio[0]):
            for frame in resampler.resample(decoded):
                written = _place(samples, frame.to_ndarray(), written)
        for frame in resampler.resample(None):
            written = _place(samples, frame.to_ndarray(), written)
    return samples


def _place(samples: np.ndarray, chunk: np.ndarray, written: int) -> int:
    room = samples.shape[1] - written
    if room > 0:
        take = min(room, chunk.shape[1])
        samples[:, written : written + take] = chunk[:, :take]
    return written + chunk.shape[1]
