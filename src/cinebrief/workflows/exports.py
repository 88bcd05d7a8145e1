"""What a finished run leaves for the editor: `final.mp4`, `timeline.otio`, `timeline.edl`, `contact_sheet.png`."""

from __future__ import annotations

from pathlib import Path

from cinebrief.media.probe import probe
from cinebrief.media.stitch import stitch
from cinebrief.workflows.contact_sheet import SheetEntry, timecode, write_contact_sheet
from cinebrief.workflows.manifest import Manifest, file_sha256
from cinebrief.workflows.plan import Plan
from cinebrief.workflows.timeline import TIMELINE_RATE, TimelineClip, build_timeline, write_timeline

FINAL_FILE = "final.mp4"
TIMELINE_FILE = "timeline.otio"
EDL_FILE = "timeline.edl"
CONTACT_SHEET_FILE = "contact_sheet.png"


def export_cut(plan: Plan, manifest: Manifest, folder: Path) -> dict[str, str]:
    """Stitch the picked clips and write the timeline, the EDL and the contact sheet; returns their paths."""
    records = [(clip, manifest.clip(clip.clip_id)) for clip in plan.cut]
    paths = [folder / record["file"] for _, record in records]
    result = stitch(paths, folder / FINAL_FILE)

    timeline_clips, sheet, position = [], [], 0
    for (clip, record), path in zip(records, paths, strict=True):
        frames = probe(path).frames
        metadata = {
            "clip_id": clip.clip_id,
            "shot_id": clip.shot_id,
            "part": clip.part,
            "variant": clip.variant,
            "prompt": clip.prompt,
            "job_id": record.get("job_id"),
            "seed": clip.seed,
            "model": clip.model,
            "size": clip.size,
            "seconds": clip.seconds,
            "hash": clip.hash,
            "sha256": record.get("sha256"),
        }
        timeline_clips.append(TimelineClip(name=clip.clip_id, path=path, frames=frames, metadata=metadata))
        sheet.append(SheetEntry(path=path, label=clip.clip_id, caption=f"{timecode(position)}  seed {clip.seed}"))
        position += frames
    timeline = build_timeline(plan.brief.title or "cinebrief cut", timeline_clips, rate=TIMELINE_RATE)
    write_timeline(timeline, folder / TIMELINE_FILE)
    write_timeline(timeline, folder / EDL_FILE)
    write_contact_sheet(sheet, folder / CONTACT_SHEET_FILE, title=plan.brief.title)
    manifest.update(
        stitch={
            "method": result.method,
            "reasons": list(result.reasons),
            "frames": result.frames,
            "video_seconds": result.video_seconds,
            "audio_seconds": result.audio_seconds,
            "sha256": file_sha256(result.output),
        }
    )
    return {
        "final": FINAL_FILE,
        "timeline": TIMELINE_FILE,
        "edl": EDL_FILE,
        "contact_sheet": CONTACT_SHEET_FILE,
    }
