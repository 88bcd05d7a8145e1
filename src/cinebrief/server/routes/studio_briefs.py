"""`/studio/v1/briefs`, `/lint`, `/prompts`, `/form`, `/plan`: the studio's briefs and the brief being edited.

Briefs are kept by the server with every saved version; the other routes take the editor's YAML text as it
is, so the page can ask on every keystroke: problems at line and column, a shot's prompt in each style,
form edits written back into the YAML (comments kept), and the plan with its budget verdict.
"""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from cinebrief.errors import BriefError, InputError
from cinebrief.server.deps import Authenticated, EngineDep, SettingsDep
from cinebrief.server.studio import ERROR_RESPONSES, BriefStoreDep
from cinebrief.workflows import brief_edit

router = APIRouter(prefix="/studio/v1", tags=["studio"], dependencies=[Authenticated], responses=ERROR_RESPONSES)

BriefText = Field(max_length=1_000_000, description="The brief as YAML text (schema cinebrief.brief/1).")


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class NewBrief(_Body):
    name: str = Field(min_length=1, max_length=120, description="Shown in the list; the id is made from it.")
    text: str = BriefText


class SavedBrief(_Body):
    text: str = BriefText
    name: str | None = Field(default=None, max_length=120)


class BriefTextBody(_Body):
    text: str = BriefText
    profile: Literal["standard", "extended"] | None = None


class LintBriefBody(BriefTextBody):
    preview: bool = Field(default=False, description="Also run the rules in preview (see docs/rules.md).")


class PromptsBody(BriefTextBody):
    shot_id: str = Field(min_length=1, max_length=200)


class CameraForm(_Body):
    framing: str | None = Field(default=None, max_length=2000)
    angle: str | None = Field(default=None, max_length=2000)
    move: str | None = Field(default=None, max_length=2000)
    lens: str | None = Field(default=None, max_length=2000)
    focus: str | None = Field(default=None, max_length=2000)


class DialogueForm(_Body):
    speaker: str = Field(default="", max_length=200)
    line: str = Field(max_length=2000)


class FormBody(_Body):
    """The shot's form fields; a field left out is not touched, a blank one is removed from the YAML."""

    text: str = BriefText
    shot_id: str = Field(min_length=1, max_length=200)
    scene: str | None = Field(default=None, max_length=10_000)
    camera: CameraForm | None = None
    lighting: str | None = Field(default=None, max_length=10_000)
    mood: str | None = Field(default=None, max_length=10_000)
    actions: list[str] | None = Field(default=None, max_length=100)
    dialogue: list[DialogueForm] | None = Field(default=None, max_length=100)
    sound: str | None = Field(default=None, max_length=10_000)


class PlanBody(BriefTextBody):
    variants: int = Field(default=1, ge=1, le=8)
    budget: float | None = Field(default=None, ge=0, description="USD the run may cost at list prices.")


def _profile(body: BriefTextBody, settings: Any) -> str:
    return body.profile or settings.server.profile


def _loaded(text: str) -> Any:
    try:
        return brief_edit.load_text(text)
    except BriefError as exc:
        raise InputError(str(exc), field="text", code="invalid_brief") from None


# -- stored briefs --------------------------------------------------------------------------------------------


@router.get("/briefs", operation_id="studioListBriefs")
def list_briefs(store: BriefStoreDep) -> JSONResponse:
    """Every stored brief, the most recently saved first."""
    return JSONResponse({"object": "list", "data": [brief.as_dict() for brief in store.list()]})


@router.post("/briefs", operation_id="studioCreateBrief")
def create_brief(body: NewBrief, store: BriefStoreDep) -> JSONResponse:
    """Store a new brief (version 1). The text is kept as written, valid or not."""
    brief = store.create(body.name, body.text)
    return JSONResponse({**brief.as_dict(), "text": body.text})


@router.get("/briefs/{brief_id}", operation_id="studioGetBrief")
def get_brief(
    brief_id: str, store: BriefStoreDep, version: int | None = Query(default=None, ge=1, le=1_000_000)
) -> JSONResponse:
    """A brief with the text of one version (the latest unless `version` is given) and its history."""
    brief, text = store.text(brief_id, version)
    shown = version or brief.latest.version
    return JSONResponse({**brief.as_dict(), "text": text, "shown_version": shown})


@router.put("/briefs/{brief_id}", operation_id="studioSaveBrief")
def save_brief(brief_id: str, body: SavedBrief, store: BriefStoreDep) -> JSONResponse:
    """Save the text as a new version (nothing new when it equals the latest)."""
    brief = store.save(brief_id, body.text, name=body.name)
    return JSONResponse({**brief.as_dict(), "text": body.text, "shown_version": brief.latest.version})


# -- the text in the editor ---------------------------------------------------------------------------------


@router.post("/lint", operation_id="studioLintBrief")
def lint_brief_text(body: LintBriefBody, engine: EngineDep, settings: SettingsDep) -> JSONResponse:
    """Schema errors (code `schema`) or else the linter's findings, each at its line and column; the shots as
    data (for the form)."""
    models = {info.name: info.capabilities for info in engine.models()}
    profile = _profile(body, settings)
    brief, diagnostics = brief_edit.check_text(body.text, models=models, profile=profile, preview=body.preview)
    counts = {severity: 0 for severity in ("error", "warning", "info")}
    for diagnostic in diagnostics:
        counts[diagnostic["severity"]] += 1
    shots = [shot.model_dump(mode="json", exclude_none=True) for shot in brief.shots] if brief is not None else []
    return JSONResponse({"loaded": brief is not None, "shots": shots, "diagnostics": diagnostics, "summary": counts})


@router.post("/prompts", operation_id="studioRenderShot")
def shot_prompts(body: PromptsBody) -> JSONResponse:
    """The shot's prompt in each style (descriptive, ultra, light) and the style a run sends (`auto`)."""
    prompts = brief_edit.shot_prompts(_loaded(body.text), body.shot_id)
    return JSONResponse({"shot_id": body.shot_id, "style": prompts.pop("auto"), "prompts": prompts})


@router.post("/form", operation_id="studioApplyForm")
def apply_form(body: FormBody) -> JSONResponse:
    """Write the form's fields into the shot and return the whole YAML text, comments and layout kept."""
    values = body.model_dump(exclude_unset=True, exclude={"text", "shot_id"})
    return JSONResponse({"text": brief_edit.apply_form(body.text, body.shot_id, values)})


@router.post("/plan", operation_id="studioPlanBrief")
def plan_brief_text(body: PlanBody, store: BriefStoreDep) -> JSONResponse:
    """Clips, seconds, cost at Sora 2 list prices, time per backend and the budget verdict (relative paths
    in the brief are read from the caller's brief folder)."""
    plan = brief_edit.plan_text(_loaded(body.text), brief_dir=store.root, variants=body.variants, budget=body.budget)
    return JSONResponse(plan)
