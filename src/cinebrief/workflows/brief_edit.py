"""A brief as text being edited: its problems at line and column, a shot's prompts, form edits, its plan.

Everything here takes the YAML text as it is in the editor (not a file), so the studio can call it on each
keystroke: schema errors and lint findings come back in one list, in the linter's JSON shape.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from cinebrief.brief.schema import Brief
from cinebrief.errors import BriefError, InputError
from cinebrief.lint.fixes import dump_like

SOURCE = "brief"
PROMPT_STYLES = ("descriptive", "ultra", "light")
# The shot fields the form edits; everything else in the YAML (comments included) is kept as it was.
FORM_TEXT_FIELDS = ("scene", "lighting", "mood", "sound")
FORM_CAMERA_FIELDS = ("framing", "angle", "move", "lens", "focus")
FORM_LIST_FIELDS = ("actions", "dialogue")


def schema_problem(problem: BriefError) -> dict[str, Any]:
    """A brief that does not load, in the linter's diagnostic shape (code `schema`)."""
    return {
        "code": "schema",
        "name": "invalid-brief",
        "severity": "error",
        "message": problem.message,
        "location": {"field": problem.field, "line": problem.line, "column": problem.column},
        "fix": None,
        "help": "The brief must load before the linter can read it: fix this first.",
    }


def check_text(
    text: str, *, models: Mapping[str, Any] | None = None, profile: str = "standard", preview: bool = False
) -> tuple[Brief | None, list[dict[str, Any]]]:
    """The brief (None when it does not load) and every problem: schema errors, else the lint findings (the
    rules in preview too with `preview`)."""
    from cinebrief.brief.loader import parse_brief_tree
    from cinebrief.lint import run
    from cinebrief.lint.from_brief import read_brief

    try:
        brief, tree = parse_brief_tree(text, path=SOURCE)
    except BriefError as exc:
        return None, [schema_problem(problem) for problem in getattr(exc, "problems", [exc])]
    document = read_brief(brief, tree, source=SOURCE, profile=profile)
    document.profile = profile
    document.models = models if models is not None else {}
    return brief, [{**d.as_dict(), "help": d.help} for d in run(document, preview=preview)]


def load_text(text: str) -> Brief:
    """The brief, or a `BriefError` naming every problem at its line."""
    from cinebrief.brief.loader import parse_brief

    return parse_brief(text, path=SOURCE)


def shot_prompts(brief: Brief, shot_id: str) -> dict[str, str]:
    """The shot's prompt in each style, and under `auto` the style a run sends."""
    from cinebrief.prompts.render import render_shot

    shot = brief.shot(shot_id)
    prompts = {style: render_shot(brief, shot, style) for style in PROMPT_STYLES}  # type: ignore[arg-type]
    prompts["auto"] = "descriptive" if shot.detail.is_empty() else "ultra"
    return prompts


def only_shots(text: str, shot_ids: list[str]) -> str:
    """The brief text with only `shot_ids` left under `shots:` (comments kept): a run of some shots."""
    tree = _tree(text)
    shots = _shots(tree)
    known = [str(shot.get("id")) for shot in shots if isinstance(shot, Mapping)]
    unknown = [shot_id for shot_id in shot_ids if shot_id not in known]
    if unknown:
        raise InputError(f"The brief has no shot '{unknown[0]}'; its shots are: {', '.join(known)}.", field="shots")
    for index in reversed(range(len(shots))):
        if not isinstance(shots[index], Mapping) or str(shots[index].get("id")) not in shot_ids:
            del shots[index]
    return dump_like(tree, text)


def apply_form(text: str, shot_id: str, values: Mapping[str, Any]) -> str:
    """Write the form's fields into shot `shot_id` of the YAML text, keeping comments and layout.

    A blank value removes its key; `camera` takes framing/angle/move/lens/focus; `actions` is a list of
    strings, `dialogue` a list of {speaker, line}. Keys the form does not know are refused by name."""
    from ruamel.yaml.comments import CommentedMap

    allowed = (*FORM_TEXT_FIELDS, "camera", *FORM_LIST_FIELDS)
    for key in values:
        if key not in allowed:
            raise InputError(f"The form has no field '{key}'; its fields are: {', '.join(allowed)}.", field=key)
    tree = _tree(text)
    shot = _shot_node(tree, shot_id)
    for key in FORM_TEXT_FIELDS:
        if key in values:
            _set(shot, key, _blank_to_none(values[key]))
    if "camera" in values:
        camera_values = values["camera"] or {}
        for key in camera_values:
            if key not in FORM_CAMERA_FIELDS:
                raise InputError(
                    f"camera has no field '{key}' in the form; its fields are: {', '.join(FORM_CAMERA_FIELDS)}.",
                    field=f"camera.{key}",
                )
        camera = shot.get("camera")
        if not isinstance(camera, CommentedMap):
            camera = CommentedMap()
        for key in FORM_CAMERA_FIELDS:
            if key in camera_values:
                _set(camera, key, _blank_to_none(camera_values[key]))
        _set(shot, "camera", camera if len(camera) else None)
    if "actions" in values:
        actions = [str(item).strip() for item in values["actions"] or [] if str(item).strip()]
        _set(shot, "actions", _sequence(shot.get("actions"), actions))
    if "dialogue" in values:
        lines = []
        for item in values["dialogue"] or []:
            speaker, line = str(item.get("speaker", "")).strip(), str(item.get("line", "")).strip()
            if line:
                entry = CommentedMap()
                if speaker:
                    entry["speaker"] = speaker
                entry["line"] = line
                entry.fa.set_flow_style()
                lines.append(entry)
        _set(shot, "dialogue", _sequence(shot.get("dialogue"), lines))
    return dump_like(tree, text)


def _tree(text: str) -> Any:
    from ruamel.yaml.comments import CommentedMap

    from cinebrief.brief.loader import read_yaml

    tree = read_yaml(text, path=SOURCE)
    if not isinstance(tree, CommentedMap):
        raise BriefError("a brief is a mapping of keys (schema, style, shots, ...)", path=SOURCE, line=1, column=1)
    return tree


def _shot_node(tree: Any, shot_id: str) -> Any:
    shots = [shot for shot in _shots(tree) if isinstance(shot, Mapping)]
    for shot in shots:
        if str(shot.get("id")) == shot_id:
            return shot
    known = ", ".join(str(shot.get("id")) for shot in shots)
    raise InputError(f"The brief has no shot '{shot_id}'; its shots are: {known}.", field="shot_id")


def _shots(tree: Any) -> Any:
    from ruamel.yaml.comments import CommentedSeq

    shots = tree.get("shots")
    if not isinstance(shots, CommentedSeq):
        raise InputError("The brief has no list of shots under `shots:`.", field="shots")
    return shots


def _blank_to_none(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _set(node: Any, key: str, value: Any) -> None:
    """Set or remove `key`; a new key goes at the end, an existing one keeps its place and comment."""
    if value is None or value == []:
        if key in node:
            del node[key]
        return
    if node.get(key) == value:
        return
    node[key] = value


def _sequence(old: Any, items: list[Any]) -> Any:
    """`items` as a sequence written in `old`'s style (flow `[a, b]` or block), or block when new."""
    from ruamel.yaml.comments import CommentedSeq

    sequence = CommentedSeq(items)
    if isinstance(old, CommentedSeq) and old.fa.flow_style():
        sequence.fa.set_flow_style()
    return sequence


def refuse_references(brief: Brief) -> None:
    """The studio has no upload of reference images yet, so a shot naming a file is refused rather than read
    from wherever that path points on the server's disk."""
    for index, shot in enumerate(brief.shots):
        if shot.input_reference:
            raise InputError(
                f"shots[{index}].input_reference is '{shot.input_reference}', but the studio cannot take reference "
                "images yet and does not read files from the server's disk; remove it, or run the brief with "
                "`cinebrief run`.",
                field=f"shots[{index}].input_reference",
            )


def plan_text(
    brief: Brief,
    *,
    brief_dir: Path,
    variants: int = 1,
    budget: float | None = None,
    concurrency: int = 2,
) -> dict[str, Any]:
    """The plan of a brief as plain data: each clip, the totals, time per backend and the budget verdict."""
    from cinebrief.workflows.plan import plan_brief

    refuse_references(brief)
    plan = plan_brief(brief, brief_dir=brief_dir, variants=variants)
    allowed, verdict = plan.budget_verdict(budget)
    return {
        "clips": [
            {
                "clip_id": clip.clip_id,
                "shot_id": clip.shot_id,
                "variant": clip.variant,
                "seconds": clip.seconds,
                "model": clip.model,
                "size": clip.size,
                "seed": clip.seed,
                "picked": clip.picked,
                "chain_from": clip.chain_from,
                "cost_usd": clip.cost,
            }
            for clip in plan.clips
        ],
        "seconds": plan.seconds,
        "cost_usd": plan.cost,
        "unknown_cost_clips": plan.unknown_cost_clips,
        "time_seconds": {
            backend: plan.estimated_time(backend, concurrency=concurrency)
            for backend in ("previz", "diffusers", "remote")
        },
        "budget": {"usd": budget, "allowed": allowed, "verdict": verdict},
    }
