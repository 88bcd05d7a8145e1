"""The web studio at `/`: one page, its stylesheet and script, and the contract numbers it fills selectors from;
and what the studio's own API (`/studio/v1`, in `routes/studio_*.py`) is served by: the brief store and runs.

The page and its files need no API key (the page asks for one when the API answers 401, and keeps it in
sessionStorage), and none of them is in the OpenAPI document: the page is a client of `/v1` and `/studio/v1`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import FileResponse, JSONResponse

from cinebrief.contract.profile import ALL_SIZES, DEFAULTS, MODEL_FAMILY, get_profile
from cinebrief.jobs.engine import Engine
from cinebrief.server.deps import CallerDep, SettingsDep
from cinebrief.server.errors import APIError
from cinebrief.server.openapi import ErrorEnvelope
from cinebrief.settings import Settings
from cinebrief.workflows.brief_store import BriefStore
from cinebrief.workflows.studio_runs import StudioRuns
from cinebrief.workflows.studio_spaces import StudioSpaces

STATIC = Path(__file__).resolve().parent / "static"
ASSETS = {
    "studio.css": "text/css",
    "common.js": "text/javascript",
    "studio.js": "text/javascript",
    "brief.js": "text/javascript",
    "run.js": "text/javascript",
}

# The page loads nothing from elsewhere and runs no inline script; media may come from blob: URLs when a key is used.
PAGE_HEADERS = {
    "content-security-policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
        "img-src 'self' blob: data:; media-src 'self' blob:; form-action 'none'; base-uri 'none'; "
        "frame-ancestors 'none'"
    ),
    "cache-control": "no-cache",
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
}

router = APIRouter(include_in_schema=False)
# The studio's errors are the server's: one envelope model in the OpenAPI document (server/openapi.py).


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorEnvelope, "description": "Bad input: the message names the field, value and what is allowed."},
    401: {"model": ErrorEnvelope, "description": "A missing or unknown API key."},
    404: {"model": ErrorEnvelope, "description": "No such brief, version, run, take or file."},
    409: {"model": ErrorEnvelope, "description": "The run is in a state that does not allow it."},
}


def attach_studio(app: FastAPI, settings: Settings, engine: Engine) -> None:
    """Each owner's briefs and runs on `app.state.studio`; the app's lifespan resumes and closes the runs."""
    app.state.studio = StudioSpaces(
        settings.server.data_dir, engine, models=lambda: {info.name: info.capabilities for info in engine.models()}
    )


def _spaces(request: Request) -> StudioSpaces:
    return request.app.state.studio  # type: ignore[no-any-return]


async def get_brief_store(request: Request, caller: CallerDep) -> BriefStore:
    """The caller's stored briefs (each API key has its own; no keys: the server's one user's)."""
    return _spaces(request).briefs(caller)


async def get_studio_runs(request: Request, caller: CallerDep) -> StudioRuns:
    """The caller's runs, whose clips are the caller's videos."""
    return _spaces(request).runs(caller)


BriefStoreDep = Annotated[BriefStore, Depends(get_brief_store)]
StudioRunsDep = Annotated[StudioRuns, Depends(get_studio_runs)]


@router.get("/")
def studio_page() -> FileResponse:
    return FileResponse(STATIC / "index.html", media_type="text/html", headers=PAGE_HEADERS)


@router.get("/studio/contract.json")
def studio_contract(settings: SettingsDep) -> JSONResponse:
    """The Videos API sizes and seconds per official model under this server's profile; the page pairs them with
    each model's capabilities from `/v1/models`."""
    profile = get_profile(settings.server.profile)
    models: dict[str, Any] = {
        name: {"family": MODEL_FAMILY[name], "sizes": list(spec.sizes), "seconds": list(spec.seconds)}
        for name, spec in profile.models.items()
    }
    defaults = {"model": DEFAULTS.model, "size": DEFAULTS.size, "seconds": DEFAULTS.seconds}
    body = {"profile": profile.name, "models": models, "all_sizes": list(ALL_SIZES), "defaults": defaults}
    return JSONResponse(body, headers={"cache-control": "no-cache"})


@router.get("/studio/{asset}")
def studio_asset(asset: str) -> FileResponse:
    media_type = ASSETS.get(asset)
    if media_type is None:  # only the named files: a path never reaches the file system
        raise APIError(
            404, f"The studio has no file '{asset}'; it serves {', '.join(sorted(ASSETS))}.", code="not_found"
        )
    return FileResponse(STATIC / asset, media_type=media_type, headers=PAGE_HEADERS)
