"""Commands: run, plan, stitch, remix, lineage, compare."""

from __future__ import annotations

from pathlib import Path

import typer

from cinebrief.cli.app import app
from cinebrief.cli.output import stdout


@app.command()
def stitch(
    inputs: list[Path] = typer.Argument(..., help="Videos to join, in order.", show_default=False),
    output: Path = typer.Option(..., "--output", "-o", help="The MP4 to write.", show_default=False),
    crossfade: float = typer.Option(0.0, "--crossfade", help="Dissolve video and audio for this many seconds."),
    reencode: bool = typer.Option(False, "--reencode", help="Re-encode even when the clips could be copied."),
) -> None:
    """Join videos into one MP4: stream copy when they match, one normalising re-encode when they do not."""
    from cinebrief.media.stitch import stitch as stitch_videos

    result = stitch_videos(inputs, output, crossfade=crossfade, reencode=reencode)
    audio = f", audio {result.audio_seconds:.3f} s" if result.audio_seconds is not None else ", no audio"
    stdout.print(
        f"{result.output}: {result.clips} clips, {result.frames} frames, "
        f"video {result.video_seconds:.3f} s{audio} ({'stream copy' if result.method == 'copy' else 're-encoded'})"
    )
    for reason in result.reasons:
        stdout.print(f"  re-encoded because {reason}")
