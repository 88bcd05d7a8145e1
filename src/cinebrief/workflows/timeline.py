"""Export the cut as an OpenTimelineIO timeline (`timeline.otio`) and a CMX 3600 EDL (`timeline.edl`).

One video track; each clip references its file and carries, under ``metadata["cinebrief"]``, its prompt,
job id, seed, shot and parameters. Time is rational frames at the cut's rate (24 fps), never float seconds.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cinebrief.media.atomic import atomic_output

TIMELINE_RATE = 24


@dataclass(frozen=True)
class TimelineClip:
    """One clip of the cut: its file, its length in frames and what made it."""

    name: str
    path: Path
    frames: int
    metadata: Mapping[str, Any] = field(default_factory=dict)


def build_timeline(title: str, clips: Sequence[TimelineClip], *, rate: int = TIMELINE_RATE) -> Any:
    """An `otio.schema.Timeline` with one video track holding `clips` in order."""
    import opentimelineio as otio

    track = otio.schema.Track(name="V1", kind=otio.schema.TrackKind.Video)
    for clip in clips:
        duration = otio.opentime.RationalTime(clip.frames, rate)
        available = otio.opentime.TimeRange(otio.opentime.RationalTime(0, rate), duration)
        reference = otio.schema.ExternalReference(target_url=clip.path.resolve().as_uri(), available_range=available)
        track.append(
            otio.schema.Clip(
                name=clip.name,
                media_reference=reference,
                source_range=available,
                metadata={"cinebrief": dict(clip.metadata)},
            )
        )
    timeline = otio.schema.Timeline(name=title)
    timeline.tracks.append(track)
    return timeline


def write_timeline(timeline: Any, path: Path) -> Path:
    """`.otio` (JSON) or `.edl` (CMX 3600), chosen by the suffix; written atomically."""
    import opentimelineio as otio

    adapter = {".otio": "otio_json", ".edl": "cmx_3600"}.get(path.suffix)
    if adapter is None:
        raise ValueError(f"{path}: timelines are written as .otio or .edl")
    if adapter == "cmx_3600":
        text = otio.adapters.write_to_string(timeline, adapter_name=adapter, rate=TIMELINE_RATE)
    else:
        text = otio.adapters.write_to_string(timeline, adapter_name=adapter)
    with atomic_output(path) as temporary:
        temporary.write_text(text, encoding="utf-8")
    return path
