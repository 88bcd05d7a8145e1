"""`POST /v1/lint`: the linter over HTTP, for prompt text or a YAML brief; the same JSON as `lint --format json`."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from cinebrief.errors import BriefError, InputError
from cinebrief.server.deps import Authenticated, EngineDep

router = APIRouter(prefix="/v1/lint", tags=["lint"], dependencies=[Authenticated])


class LintBody(BaseModel):
    """Exactly one of `prompt` (plain text) or `brief` (YAML text); the rest as the CLI's flags."""

    model_config = ConfigDict(extra="forbid")

    prompt: str | None = Field(default=None, max_length=200_000)
    brief: str | None = Field(default=None, max_length=1_000_000)
    model: str | None = None
    size: str | None = None
    seconds: str | None = None
    remix_of: str | None = None
    mode: Literal["control", "explore"] | None = None
    profile: Literal["standard", "extended"] = "standard"
    select: list[str] = Field(default_factory=list)
    ignore: list[str] = Field(default_factory=list)


@router.post("", operation_id="lint")
def lint_route(body: LintBody, engine: EngineDep) -> JSONResponse:
    from cinebrief.lint import run
    from cinebrief.lint.output import summary
    from cinebrief.lint.text import read_text

    if (body.prompt is None) == (body.brief is None):
        raise InputError("Send exactly one of 'prompt' (plain text) or 'brief' (YAML text).", field="prompt")
    if body.brief is not None:
        from cinebrief.brief import parse_brief_tree
        from cinebrief.lint.from_brief import read_brief

        try:
            brief, tree = parse_brief_tree(body.brief, path="brief")
        except BriefError as exc:
            raise InputError(str(exc), field="brief", code="invalid_brief") from None
        document = read_brief(brief, tree, source="brief", mode=body.mode, profile=body.profile)
    else:
        document = read_text(
            body.prompt or "",
            mode=body.mode or "control",
            model=body.model,
            size=body.size,
            seconds=body.seconds,
            remix_of=body.remix_of,
        )
    document.profile = body.profile
    document.models = {info.name: info.capabilities for info in engine.models()}  # what this server routes
    diagnostics = run(document, select=body.select, ignore=body.ignore)
    # The CLI's stable JSON per finding, plus its `help:` line for people reading it in the studio.
    findings = [{**d.as_dict(), "help": d.help} for d in diagnostics]
    payload: dict[str, Any] = {"diagnostics": findings, "summary": summary(diagnostics)}
    return JSONResponse(payload)
