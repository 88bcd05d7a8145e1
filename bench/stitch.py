"""Stitch 12 clips of 4 s at 1280x720: cinebrief's stream copy and re-encode against the ffmpeg binary's concat.

The anchor is the static ffmpeg that imageio-ffmpeg ships, run on the same files in the same run:
`-f concat -safe 0 -i list.txt -c copy` for the stream copy, and the same with libx264 veryfast + aac for
the re-encode. The clips are written by the media layer's encoder (the one every backend uses). Prints a
table of median times, the ratio to the anchor and the decoded outputs' frames and durations.

    .venv/bin/python bench/stitch.py [--clips 12] [--seconds 4] [--size 1280x720] [--repeat 5]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import imageio_ffmpeg
import numpy as np

from cinebrief.media.encode import AUDIO_RATE, VideoWriter
from cinebrief.media.probe import probe
from cinebrief.media.stitch import stitch


def make_clip(path: Path, *, index: int, seconds: int, width: int, height: int) -> None:
    """A moving gradient with a tone: real motion for x264, a real AAC track with priming."""
    fps = 24
    columns = np.linspace(0, 255, width, dtype=np.float32)[None, :]
    rows = np.linspace(0, 255, height, dtype=np.float32)[:, None]
    with VideoWriter(path, width, height) as writer:
        for frame in range(seconds * fps):
            shift = (frame * 6 + index * 40) % 256
            red = (columns + shift) % 256
            green = (rows + 2 * shift) % 256
            blue = np.full((height, width), (index * 20) % 256, dtype=np.float32)
            writer.write_frame(np.stack(np.broadcast_arrays(red, green, blue), axis=-1).astype(np.uint8))
            start = frame * AUDIO_RATE // fps
            end = (frame + 1) * AUDIO_RATE // fps
            time_axis = np.arange(start, end) / AUDIO_RATE
            writer.write_audio(0.2 * np.sin(2 * np.pi * (220 + 40 * index) * time_axis))


def timed(action: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def ffmpeg_concat(clips: list[Path], output: Path, codec_arguments: list[str]) -> None:
    listing = output.with_suffix(".txt")
    listing.write_text("".join(f"file '{clip}'\n" for clip in clips))
    command = [imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-y", "-f", "concat", "-safe", "0", "-i", str(listing)]
    subprocess.run([*command, *codec_arguments, str(output)], check=True)


def describe(path: Path) -> str:
    info = probe(path)
    return f"{info.frames} frames, video {info.video_duration:.3f} s, audio {info.audio_duration or 0:.3f} s"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clips", type=int, default=12)
    parser.add_argument("--seconds", type=int, default=4)
    parser.add_argument("--size", default="1280x720")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--reencode-repeat", type=int, default=1)
    arguments = parser.parse_args()
    width, height = (int(side) for side in arguments.size.split("x"))

    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        started = time.perf_counter()
        clips = [work / f"clip{index:02d}.mp4" for index in range(arguments.clips)]
        for index, clip in enumerate(clips):
            make_clip(clip, index=index, seconds=arguments.seconds, width=width, height=height)
        print(
            f"{arguments.clips} clips of {arguments.seconds} s at {arguments.size} written in "
            f"{time.perf_counter() - started:.1f} s\n"
        )

        rows = []
        ours = work / "ours_copy.mp4"
        anchor = work / "ffmpeg_copy.mp4"
        copy_ours = timed(lambda: stitch(clips, ours), arguments.repeat)
        copy_anchor = timed(lambda: ffmpeg_concat(clips, anchor, ["-c", "copy"]), arguments.repeat)
        rows.append(("stream copy", copy_ours, copy_anchor, describe(ours), describe(anchor)))

        ours = work / "ours_reencode.mp4"
        anchor = work / "ffmpeg_reencode.mp4"
        encode = ["-c:v", "libx264", "-preset", "veryfast", "-crf", "23", "-pix_fmt", "yuv420p", "-c:a", "aac"]
        reencode_ours = timed(lambda: stitch(clips, ours, reencode=True), arguments.reencode_repeat)
        reencode_anchor = timed(lambda: ffmpeg_concat(clips, anchor, encode), arguments.reencode_repeat)
        rows.append(("re-encode (veryfast)", reencode_ours, reencode_anchor, describe(ours), describe(anchor)))

        print("| method | cinebrief | ffmpeg concat | ratio | cinebrief output | ffmpeg output |")
        print("|---|---|---|---|---|---|")
        for name, mine, theirs, my_output, their_output in rows:
            print(f"| {name} | {mine:.3f} s | {theirs:.3f} s | {mine / theirs:.2f}x | {my_output} | {their_output} |")
        print(
            f"\ngoal: stream copy within 1.5x of the anchor: {'met' if rows[0][1] <= 1.5 * rows[0][2] else 'NOT met'}"
        )


if __name__ == "__main__":
    main()
