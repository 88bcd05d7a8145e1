"""`POST /v1/lint`: the linter over HTTP, for prompt text or a YAML brief; the same JSON as `lint --format json`."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from cinebrief.errors import BriefError, InputError
from cinebrief.jobs.engine import Engine
from cinebrief.server.bodies import parse_json, validated
from cinebrief.server.deps import Authenticated, EngineDep
from cinebrief.server.openapi import errors

router = APIRouter(prefix="/v1/lint", tags=["lint"], dependencies=[Authenticated])


class LintBody(BaseModel):
    """Exactly one of `prompt` (plain text) or `brief` (YAML text); the rest as the CLI's flags."""

    model_config = ConfigDict(extra="forbid")

    prompt: str | None = Field(default=None, max_length=200_000)
    brief: str | None = Field(default=None, max_length=1_000_000)
    model: str | None = Field(default=None, max_length=200)
    size: str | None = Field(default=None, max_length=20)
    seconds: str | None = Field(default=None, max_length=8)
    remix_of: str | None = Field(default=None, max_length=200_000)  # the source prompt a remix changes
    preview: bool = False  # also run the rules in preview (heuristic rules not yet precise enough to be on)
    mode: Literal["control", "explore"] | None = None
    profile: Literal["standard", "extended"] = "standard"
    select: list[str] = Field(default_factory=list, max_length=100)
    ignore: list[str] = Field(default_factory=list, max_length=100)


LINT_BODY = {
    "requestBody": {"required": True, "content": {"application/json": {"schema": LintBody.model_json_schema()}}}
}


async def lint_body(request: Request) -> LintBody:
    """The JSON body as a `LintBody`: a 400 naming the field for anything else, an empty body included."""
    raw = await request.body()
    if not raw.strip():
        raise InputError(
            "The request body is empty: send a JSON object with 'prompt' (plain text) or 'brief' (YAML text).",
            code="missing_required_parameter",
        )
    body = parse_json(raw)
    if not isinstance(body, dict):
        raise InputError(
            "The request body must be a JSON object with 'prompt' (plain text) or 'brief' (YAML text).",
            code="invalid_type",
        )
    return validated(LintBody, body)


@router.post("", operation_id="lint", openapi_extra=LINT_BODY, responses=errors(400, 401, 413))
async def lint_route(request: Request, engine: EngineDep) -> JSONResponse:
    body = await lint_body(request)
    return await run_in_threadpool(_lint, body, engine)


def _lint(body: LintBody, engine: Engine) -> JSONResponse:
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
    diagnostics = run(document, select=body.select, ignore=body.ignore, preview=body.preview)
    # The CLI's stable JSON per finding, plus its `help:` line for people reading it in the studio.
    findings = [{**d.as_dict(), "help": d.help} for d in diagnostics]
    payload: dict[str, Any] = {"diagnostics": findings, "summary": summary(diagnostics)}
    return JSONResponse(payload)
