"""The web studio at `/`: one page, its stylesheet and script, and the contract numbers it fills selectors from.

None of it needs an API key (the page asks for one when `/v1` answers 401, and keeps it in sessionStorage),
and none of it is in the OpenAPI document: it is a client of `/v1`, not part of it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import APIRouter
from fastapi.responses import FileResponse, JSONResponse

from cinebrief.contract.profile import ALL_SIZES, DEFAULTS, MODEL_FAMILY, get_profile
from cinebrief.server.deps import SettingsDep
from cinebrief.server.errors import APIError

STATIC = Path(__file__).resolve().parent / "static"
ASSETS = {"studio.css": "text/css", "studio.js": "text/javascript"}

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
