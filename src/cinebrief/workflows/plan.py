"""Plan a brief into clips: split long shots, render each clip's prompt, fix seeds, estimate cost and time.

A shot longer than `CLIP_SECONDS` becomes clips of that length (the guide: shorter clips follow instructions
better; stitch them), its actions, dialogue and shot-list entries shared out over the parts in order. Every
clip's prompt is rendered from the whole brief, so it carries the style, palette anchors and character
descriptions. Seeds are fixed at planning time (the shot's `seed`, else one derived from the brief and the
shot id), so a re-run plans the same clips and resumes by their hashes.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from cinebrief.brief.schema import Brief, Shot
from cinebrief.contract.pricing import estimate_cost
from cinebrief.contract.profile import DEFAULTS
from cinebrief.errors import InputError
from cinebrief.prompts.render import Style
from cinebrief.prompts.request import shot_request

CLIP_SECONDS = 4

# Compute seconds per second of output at 1280x720 (scaled by pixel count), measured on the team's 2-core
# CPU machines; None where no measurement exists (a GPU model's speed depends on the GPU).
MEASURED_SPEEDS: dict[str, float | None] = {"previz": 0.65, "diffusers": None, "remote": None}
REFERENCE_PIXELS = 1280 * 720


@dataclass(frozen=True)
class PlannedClip:
    """One clip to generate: which shot, part and variant, and the exact request."""

    shot_id: str
    part: int  # 1-based, of `parts`
    parts: int
    variant: int  # 1-based
    prompt: str
    model: str
    size: str
    seconds: str
    seed: int
    shot: Shot
    input_reference: Path | None = None  # an image file (resolved against the brief's folder)
    reference_sha256: str | None = None
    chain: bool = False  # the input_reference is the previous clip's last frame
    chain_from: str | None = None  # the clip id whose last frame is used
    picked: bool = True  # this variant goes into the cut
    cost: float | None = None  # list price in USD; None when unknown
    hash: str = ""

    @property
    def clip_id(self) -> str:
        return self.cut_id if self.variant == 1 else f"{self.cut_id}~v{self.variant}"

    @property
    def cut_id(self) -> str:
        """The id without the variant: the slot this clip fills in the cut."""
        return self.shot_id if self.parts == 1 else f"{self.shot_id}.{self.part}"


@dataclass(frozen=True)
class Plan:
    brief: Brief
    clips: list[PlannedClip] = field(default_factory=list)

    @property
    def cut(self) -> list[PlannedClip]:
        """The picked clips, in order: what goes into `final.mp4`."""
        return [clip for clip in self.clips if clip.picked]

    @property
    def seconds(self) -> int:
        return sum(int(clip.seconds) for clip in self.cut)

    @property
    def cost(self) -> float | None:
        """Total list price of every clip generated; None when any clip's price is unknown."""
        if any(clip.cost is None for clip in self.clips):
            return None
        return round(sum(clip.cost or 0.0 for clip in self.clips), 4)

    @property
    def unknown_cost_clips(self) -> list[str]:
        return [clip.clip_id for clip in self.clips if clip.cost is None]

    def estimated_time(self, backend: str, *, concurrency: int = 1) -> float | None:
        """Wall seconds on `backend` from its measured speed; chained clips run one after another."""
        speed = MEASURED_SPEEDS.get(backend)
        if speed is None:
            return None
        compute = [speed * int(c.seconds) * _pixels(c.size) / REFERENCE_PIXELS for c in self.clips]
        chained = sum(time for time, clip in zip(compute, self.clips, strict=True) if clip.chain)
        free = sum(compute) - chained
        return round(free / max(1, concurrency) + chained, 2)

    def budget_verdict(self, budget: float | None) -> tuple[bool, str]:
        """(allowed, message): over budget, or a budget that cannot be checked, is not allowed."""
        if budget is None:
            return True, "no budget set"
        cost = self.cost
        if cost is None:
            unknown = ", ".join(self.unknown_cost_clips)
            return False, f"cannot check the budget of ${budget:.2f}: no known price for {unknown}"
        if cost > budget:
            return False, f"over budget: estimated ${cost:.2f} > budget ${budget:.2f}"
        return True, f"within budget: estimated ${cost:.2f} <= budget ${budget:.2f}"


def _pixels(size: str) -> int:
    width, height = (int(side) for side in size.split("x"))
    return width * height


def plan_brief(
    brief: Brief,
    *,
    brief_dir: Path,
    split: bool = True,
    variants: int = 1,
    picks: dict[str, int] | None = None,
    style: Style = "auto",
    profile: str = "standard",
) -> Plan:
    """Every clip of the brief, in cut order (variants of one slot next to each other)."""
    if variants < 1:
        raise InputError(f"--variants must be 1 or more, not {variants}", field="variants")
    picks = dict(picks or {})
    _check_picks(brief, picks, variants)
    clips: list[PlannedClip] = []
    previous_cut: PlannedClip | None = None
    for shot in brief.shots:
        pick = picks.get(shot.id) or shot.pick or 1
        for part_shot, part, parts in _parts(brief, shot, split=split):
            chain = shot.chain and previous_cut is not None
            if chain:  # the previous clip's last frame replaces any reference image
                part_shot = part_shot.model_copy(update={"input_reference": None})
            request = shot_request(brief, part_shot, brief_dir=brief_dir, profile=profile, style=style)
            base_seed = shot.seed if shot.seed is not None else _derived_seed(brief, shot.id, part)
            for variant in range(1, variants + 1):
                clip = PlannedClip(
                    shot_id=shot.id,
                    part=part,
                    parts=parts,
                    variant=variant,
                    prompt=request.prompt,
                    model=request.model,
                    size=request.size,
                    seconds=request.seconds,
                    seed=base_seed + variant - 1,
                    shot=part_shot,
                    input_reference=request.input_reference,
                    reference_sha256=_sha256(request.reference_data),
                    chain=chain,
                    chain_from=previous_cut.clip_id if chain and previous_cut else None,
                    picked=variant == pick,
                    cost=estimate_cost(request.model, request.size, request.seconds),
                )
                clip = _with_hash(clip, previous_cut)
                clips.append(clip)
            previous_cut = next(c for c in clips[-variants:] if c.picked)
    return Plan(brief=brief, clips=clips)


def _check_picks(brief: Brief, picks: dict[str, int], variants: int) -> None:
    for shot_id, pick in picks.items():
        if shot_id not in brief.shot_ids():
            raise InputError(
                f"--pick names shot '{shot_id}', which the brief does not have; shots: {', '.join(brief.shot_ids())}",
                field="pick",
            )
        if not 1 <= pick <= variants:
            raise InputError(f"--pick {shot_id}={pick}: variants run from 1 to {variants}", field="pick")
    for shot in brief.shots:
        if shot.id not in picks and shot.pick is not None and shot.pick > variants:
            raise InputError(
                f"shot '{shot.id}' has pick: {shot.pick}, but only {variants} variant(s) are generated "
                f"(use --variants {shot.pick} or more)",
                field=f"shots[{brief.shot_ids().index(shot.id)}].pick",
            )


def _sha256(data: bytes | None) -> str | None:
    return hashlib.sha256(data).hexdigest() if data is not None else None


def _derived_seed(brief: Brief, shot_id: str, part: int) -> int:
    text = json.dumps([brief.title, shot_id, part])
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:4], "big") & 0x7FFFFFFF


def _with_hash(clip: PlannedClip, previous: PlannedClip | None) -> PlannedClip:
    """The resume key: prompt, parameters, seed, and what the first frame comes from."""
    reference = f"last-frame-of:{previous.hash}" if clip.chain and previous is not None else clip.reference_sha256
    key = [clip.prompt, clip.model, clip.size, clip.seconds, clip.seed, reference]
    digest = hashlib.sha256(json.dumps(key).encode()).hexdigest()[:20]
    return PlannedClip(**{**clip.__dict__, "hash": digest})


def _parts(brief: Brief, shot: Shot, *, split: bool) -> list[tuple[Shot, int, int]]:
    """The shot as it is, or cut into `CLIP_SECONDS` parts with its beats shared out in order."""
    seconds = int(brief.parameters(shot).seconds or DEFAULTS.seconds)
    if not split or seconds <= CLIP_SECONDS:
        return [(shot, 1, 1)]
    parts = -(-seconds // CLIP_SECONDS)
    result = []
    for index in range(parts):
        start, end = index * CLIP_SECONDS, (index + 1) * CLIP_SECONDS
        shot_list = [
            entry.model_copy(update={"start": max(0.0, entry.start - start), "end": min(entry.end, end) - start})
            for entry in shot.detail.shot_list
            if entry.start < end and entry.end > start
        ]
        part = shot.model_copy(
            update={
                "seconds": str(CLIP_SECONDS),
                "actions": _share(shot.actions, index, parts),
                "dialogue": _share(shot.dialogue, index, parts),
                "detail": shot.detail.model_copy(update={"shot_list": shot_list}),
            }
        )
        result.append((part, index + 1, parts))
    return result


def _share(items: list, index: int, parts: int) -> list:
    """The `index`-th of `parts` contiguous, nearly equal slices of `items`."""
    start = len(items) * index // parts
    end = len(items) * (index + 1) // parts
    return list(items[start:end])
