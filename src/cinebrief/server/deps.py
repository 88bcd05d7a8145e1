"""Dependencies shared by the routes: the engine, the settings, bearer API key checking and the caller (owner).

All async: they never block, and FastAPI would otherwise hop to a worker thread for each of them.
"""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, Request

from cinebrief.jobs.engine import Engine
from cinebrief.jobs.owners import LOCAL, Owner, owner_id
from cinebrief.server.errors import APIError
from cinebrief.settings import Settings


async def get_engine(request: Request) -> Engine:
    return request.app.state.engine  # type: ignore[no-any-return]


async def get_settings(request: Request) -> Settings:
    return request.app.state.settings  # type: ignore[no-any-return]


EngineDep = Annotated[Engine, Depends(get_engine)]
SettingsDep = Annotated[Settings, Depends(get_settings)]


def _masked(key: str) -> str:
    return f"{key[:3]}***{key[-4:]}" if len(key) > 8 else "***"


async def require_api_key(request: Request, settings: SettingsDep) -> Owner:
    """With keys configured, `Authorization: Bearer <key>` must name one of them (401 in OpenAI's form).

    Returns who is asking: the key's owner (`jobs/owners.py`), an admin for `server.admin_keys`; with no
    keys configured, the one local user.
    """
    server = settings.server
    if not server.all_keys:
        return LOCAL  # no keys: the server only binds to loopback, any key is accepted
    scheme, _, supplied = request.headers.get("authorization", "").partition(" ")
    supplied = supplied.strip()
    if scheme.lower() != "bearer" or not supplied:
        raise APIError(
            401,
            "You didn't provide an API key. You need to provide your API key in an Authorization header "
            "using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
            code="invalid_api_key",
        )
    # Every key is compared (no early exit), so the time taken does not tell which list a key is in.
    tenant = [hmac.compare_digest(supplied.encode(), key.encode()) for key in server.api_keys]
    admin = [hmac.compare_digest(supplied.encode(), key.encode()) for key in server.admin_keys]
    if not any(tenant) and not any(admin):
        raise APIError(
            401,
            f"Incorrect API key provided: {_masked(supplied)}. Use one of the keys in this server's "
            "settings (server.api_keys or CINEBRIEF_API_KEYS).",
            code="invalid_api_key",
        )
    return Owner(owner_id(supplied), admin=any(admin))


Authenticated = Depends(require_api_key)
CallerDep = Annotated[Owner, Depends(require_api_key)]  # the same dependency: evaluated once per request
