"""Stitching: stream copy of matching clips, re-encode of mismatched ones, crossfades; decoded, not trusted."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np
import pytest

from cinebrief.media.stitch import stitch

RATE = 48000


def make_clip(
    path: Path,
    *,
    seconds: float,
    gray: int,
    amplitude: float = 0.3,
    size: tuple[int, int] = (160, 96),
    fps: int = 24,
    sample_rate: int = RATE,
    layout: str = "stereo",
    audio: bool = True,
    preset: str = "veryfast",
) -> Path:
    """A solid-gray clip with a 1 kHz tone of `amplitude`: both are easy to find again after stitching."""
    width, height = size
    with av.open(str(path), "w") as container:
        video = container.add_stream("libx264", rate=fps)
        video.width, video.height, video.pix_fmt = width, height, "yuv420p"
        video.options = {"preset": preset}
        sound = container.add_stream("aac", rate=sample_rate, layout=layout) if audio else None
        for _ in range(round(seconds * fps)):
            picture = np.full((height, width, 3), gray, dtype=np.uint8)
            container.mux(video.encode(av.VideoFrame.from_ndarray(picture, format="rgb24")))
        container.mux(video.encode(None))
        if sound is not None:
            channels = len(av.AudioLayout(layout).channels)
            total = round(seconds * sample_rate)
            tone = (amplitude * np.sin(2 * np.pi * 1000 * np.arange(total) / sample_rate)).astype(np.float32)
            for start in range(0, total, 1024):
                chunk = np.ascontiguousarray(np.tile(tone[start : start + 1024], (channels, 1)))
                frame = av.AudioFrame.from_ndarray(chunk, format="fltp", layout=layout)
                frame.sample_rate, frame.pts = sample_rate, start
                container.mux(sound.encode(frame))
            container.mux(sound.encode(None))
    return path


def decode(path: Path) -> dict:
    """Frames (mean luma each), mono audio samples, stream durations and whether DTS ever ran backwards."""
    with av.open(str(path)) as container:
        streams = {stream.type: stream for stream in container.streams}
        durations = {kind: float(s.duration * s.time_base) for kind, s in streams.items() if s.duration}
        size = (streams["video"].codec_context.width, streams["video"].codec_context.height)
        monotonic = True
        last: dict[str, int] = {}
        for packet in container.demux():
            if packet.dts is None:
                continue
            kind = packet.stream.type
            monotonic &= kind not in last or packet.dts > last[kind]
            last[kind] = packet.dts
    with av.open(str(path)) as container:
        luma = [float(frame.to_ndarray(format="gray").mean()) for frame in container.decode(video=0)]
    samples = np.zeros(0, dtype=np.float32)
    with av.open(str(path)) as container:
        if container.streams.audio:
            frames = [frame.to_ndarray()[0] for frame in container.decode(audio=0)]
            samples = np.concatenate(frames)
    return {"luma": luma, "samples": samples, "durations": durations, "size": size, "monotonic": monotonic}


def envelope_switch(samples: np.ndarray, after: float, amplitude: float, window: int = 240) -> float:
    """The first time after `after` seconds where the tone's amplitude is `amplitude` (±0.05)."""
    start = int(after * RATE)
    for index in range(start, len(samples) - window, window):
        block = samples[index : index + window]
        if abs(np.sqrt(np.mean(block**2)) * np.sqrt(2) - amplitude) < 0.05:
            return index / RATE
    raise AssertionError(f"the tone never reached amplitude {amplitude} after {after} s")


@pytest.fixture
def matching_clips(tmp_path: Path) -> list[Path]:
    lengths = [1.0, 1.5, 1.0, 1.5]
    amplitudes = [0.1, 0.5, 0.2, 0.6]
    return [
        make_clip(tmp_path / f"clip{index}.mp4", seconds=seconds, gray=40 + 50 * index, amplitude=amplitude)
        for index, (seconds, amplitude) in enumerate(zip(lengths, amplitudes, strict=True))
    ]


def test_matching_clips_are_stream_copied_with_exact_video_and_bounded_audio_delay(matching_clips, tmp_path) -> None:
    output = tmp_path / "cut.mp4"
    result = stitch(matching_clips, output)
    assert result.method == "copy" and result.reasons == ()
    decoded = decode(output)
    assert len(decoded["luma"]) == 24 * 5 == result.frames
    assert decoded["durations"]["video"] == pytest.approx(5.0, abs=1e-6)
    assert decoded["durations"]["audio"] == pytest.approx(5.0, abs=2 * 1024 / RATE)
    assert decoded["monotonic"]
    # Each clip's picture starts exactly at its join...
    for index, join in enumerate([0, 24, 60, 84]):
        assert decoded["luma"][join] == pytest.approx(40 + 50 * index, abs=4)
    # ...and its sound within one AAC frame of it, at every join (the delay never accumulates).
    for join, amplitude in [(1.0, 0.5), (2.5, 0.2), (3.5, 0.6)]:
        delay = envelope_switch(decoded["samples"], join - 0.1, amplitude) - join
        assert -0.006 <= delay <= 1024 / RATE + 0.006, f"audio at the {join} s join is off by {delay:.4f} s"
    assert not list(tmp_path.glob(".*partial"))


def test_mismatched_clips_are_reencoded_to_the_first_clip(tmp_path) -> None:
    first = make_clip(tmp_path / "a.mp4", seconds=1.0, gray=60)
    other = make_clip(
        tmp_path / "b.mp4", seconds=1.5, gray=180, size=(320, 240), fps=30, sample_rate=44100, layout="mono"
    )
    silent = make_clip(tmp_path / "c.mp4", seconds=0.5, gray=120, audio=False)
    result = stitch([first, other, silent], tmp_path / "cut.mp4")
    assert result.method == "reencode"
    assert any("b.mp4 differs from a.mp4" in reason and "frame_rate 30" in reason for reason in result.reasons)
    decoded = decode(tmp_path / "cut.mp4")
    assert decoded["size"] == (160, 96)
    assert len(decoded["luma"]) == 24 + 36 + 12
    assert decoded["durations"]["video"] == pytest.approx(3.0, abs=1 / 24)
    assert decoded["durations"]["audio"] == pytest.approx(3.0, abs=1 / 24)
    # The 4:3 clip is letterboxed into 5:3, not stretched: its frame has black bars at the sides.
    with av.open(str(tmp_path / "cut.mp4")) as container:
        frame = next(frame for index, frame in enumerate(container.decode(video=0)) if index == 30)
    gray = frame.to_ndarray(format="gray")
    assert gray[:, :8].mean() < 25 and gray[:, 20:140].mean() == pytest.approx(180, abs=4)
    # The clip without audio contributes silence of its own length.
    assert np.abs(decoded["samples"][int(2.6 * RATE) : int(2.95 * RATE)]).max() < 0.02


def test_crossfade_overlaps_video_and_audio(tmp_path) -> None:
    clips = [
        make_clip(tmp_path / "a.mp4", seconds=1.0, gray=40, amplitude=0.2),
        make_clip(tmp_path / "b.mp4", seconds=1.0, gray=200, amplitude=0.6),
    ]
    result = stitch(clips, tmp_path / "cut.mp4", crossfade=0.5)
    assert result.method == "reencode"
    decoded = decode(tmp_path / "cut.mp4")
    assert len(decoded["luma"]) == 48 - 12
    assert decoded["durations"]["video"] == pytest.approx(1.5, abs=1 / 24)
    middle = decoded["luma"][18]  # half way through the dissolve
    assert 90 < middle < 150
    assert decoded["luma"][0] == pytest.approx(40, abs=4) and decoded["luma"][-1] == pytest.approx(200, abs=4)
    fade = decoded["samples"][int(0.74 * RATE) : int(0.76 * RATE)]
    assert 0.2 < np.sqrt(np.mean(fade**2)) * np.sqrt(2) < 0.6


def test_stitch_command(cli, matching_clips, tmp_path) -> None:
    output = tmp_path / "cut.mp4"
    result = cli("stitch", *matching_clips[:2], "-o", output)
    assert result.exit_code == 0, result.stderr
    assert "stream copy" in result.stdout and "60 frames" in result.stdout
    result = cli("stitch", *matching_clips[:2], "-o", output, "--crossfade", "0.25")
    assert result.exit_code == 0, result.stderr
    assert "re-encoded because a crossfade of 0.25 s" in result.stdout
    assert len(decode(output)["luma"]) == 60 - 6


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["missing.mp4"], "no such video file"),
        (["clip0.mp4", "clip1.mp4", "--crossfade", "1.2"], "crossfade of 1.2 s is too long for clip0.mp4"),
        (["clip0.mp4", "--crossfade", "-1"], "crossfade must be zero or more seconds"),
        (["clip0.mp4", "clip1.mp4", "-o", "clip0.mp4"], "would overwrite one of the inputs"),
        (["clip0.mp4", "-o", "nowhere/cut.mp4"], "no such folder"),
    ],
)
def test_stitch_command_rejects_bad_input(cli, matching_clips, tmp_path, monkeypatch, arguments, message) -> None:
    monkeypatch.chdir(tmp_path)
    if "-o" not in arguments:
        arguments = [*arguments, "-o", "cut.mp4"]
    result = cli("stitch", *arguments)
    assert result.exit_code == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "cut.mp4").exists()
