"""OpenAI's error envelope for every error the server returns, ours and FastAPI's alike.

``{"error": {"message": str, "type": str, "param": str | None, "code": str | None}}`` with OpenAI's status
codes. A 409 and a 503 (a model whose backend cannot be built here) carry `x-should-retry: false`, because
the SDK would otherwise retry them.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import compile_path

from cinebrief.errors import (
    BackendUnavailableError,
    CinebriefError,
    ConflictError,
    ContractError,
    InputError,
    NotFoundError,
    StorageError,
    TooManyJobsError,
    explain_invalid,
    quoted,
    storage_error,
)

log = logging.getLogger(__name__)

_TYPES = {400: "invalid_request_error", 401: "invalid_request_error", 404: "invalid_request_error"}


class APIError(Exception):
    """An error the server raises itself (auth, encoding, size) with its exact status, param and code."""

    def __init__(
        self,
        status_code: int,
        message: str,
        *,
        param: str | None = None,
        code: str | None = None,
        error_type: str = "invalid_request_error",
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.message = message
        self.param = param
        self.code = code
        self.error_type = error_type
        self.headers = headers or {}


def envelope(
    status_code: int,
    message: str,
    *,
    param: str | None = None,
    code: str | None = None,
    error_type: str | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    kind = error_type or _TYPES.get(status_code) or ("server_error" if status_code >= 500 else "invalid_request_error")
    body = {"error": {"message": message, "type": kind, "param": param, "code": code}}
    return JSONResponse(body, status_code=status_code, headers=headers)


# Our exception tree to HTTP statuses: the one place they are mapped (the CLI maps to exit codes).
STATUS_OF: tuple[tuple[type[CinebriefError], int], ...] = (
    (InputError, 400),
    (NotFoundError, 404),
    (ConflictError, 409),
    (TooManyJobsError, 429),
    (BackendUnavailableError, 503),
    (StorageError, 507),
)


def from_cinebrief_error(exc: CinebriefError) -> JSONResponse:
    status = next((status for kind, status in STATUS_OF if isinstance(exc, kind)), 500)
    if status == 500:
        log.error("server error: %s", exc)
        return envelope(500, exc.message, code="server_error", error_type="server_error")
    # The SDK retries a 409 and every 5xx: not one that another try cannot change.
    headers = {"x-should-retry": "false"} if status in (409, 503) else None
    # OpenAI's rate limits answer 429 with type "requests"
    error_type = "server_error" if status >= 500 else "requests" if status == 429 else None
    return envelope(status, exc.message, param=exc.field, code=exc.code, error_type=error_type, headers=headers)


def input_error(errors: Sequence[Any]) -> InputError:
    """Pydantic's (or FastAPI's) first error as our 400: the field in bracket form, a short quote of the value."""
    first = errors[0] if errors else {}
    location = [str(part) for part in first.get("loc", ()) if part not in ("body", "query", "path", "header")]
    param = location[0] + "".join(f"[{part}]" for part in location[1:]) if location else None
    reason = str(first.get("msg", "invalid"))
    if param is None:
        return InputError(f"Invalid request body: {reason}. Send a JSON object.", code="invalid_value")
    if first.get("type") == "missing":
        return ContractError(f"Missing required parameter: '{param}'.", field=param, code="missing_required_parameter")
    if first.get("type") == "extra_forbidden":
        return ContractError(f"Unknown parameter: '{quoted(param)}'.", field=quoted(param), code="unknown_parameter")
    return ContractError(f"Invalid value for '{param}': {explain_invalid(first)}.", field=param)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(CinebriefError)
    async def cinebrief_error(_: Request, exc: CinebriefError) -> JSONResponse:
        return from_cinebrief_error(exc)

    @app.exception_handler(OSError)
    async def os_error(request: Request, exc: OSError) -> JSONResponse:
        disk = storage_error(exc, request.app.state.settings.server.data_dir)
        if disk is None:
            raise exc  # a server error: the outer middleware answers 500 in the envelope
        return from_cinebrief_error(disk)

    @app.exception_handler(OperationalError)
    async def database_error(request: Request, exc: OperationalError) -> JSONResponse:
        reason = str(exc.orig).lower()
        if "disk is full" not in reason and "readonly database" not in reason:  # SQLite's words for ENOSPC, EROFS
            raise exc
        where = request.app.state.settings.server.data_dir
        state = "full" if "full" in reason else "read-only"
        return from_cinebrief_error(
            StorageError(f"The disk that holds the data folder {where} is {state} (the job store cannot be written).")
        )

    @app.exception_handler(APIError)
    async def api_error(_: Request, exc: APIError) -> JSONResponse:
        return envelope(
            exc.status_code, exc.message, param=exc.param, code=exc.code, error_type=exc.error_type, headers=exc.headers
        )

    @app.exception_handler(RequestValidationError)
    async def validation_error(_: Request, exc: RequestValidationError) -> JSONResponse:
        return from_cinebrief_error(input_error(exc.errors()))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 404:
            message = f"Invalid URL ({request.method} {request.url.path}): no such route."
        elif exc.status_code == 405:
            message = f"Method {request.method} is not allowed on {request.url.path}."
        else:
            message = str(exc.detail)
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code)
        headers = {name: value for name, value in (exc.headers or {}).items() if name.lower() != "allow"}
        if exc.status_code == 405:  # Starlette names only the first route's methods; every route on the path counts
            headers["allow"] = ", ".join(sorted(_allowed_methods(request)))
        return envelope(exc.status_code, message, code=code, headers=headers)


def _allowed_methods(request: Request) -> set[str]:
    """The methods of every documented operation whose path template matches the request's path."""
    methods: set[str] = set()
    for template, operations in request.app.openapi().get("paths", {}).items():
        if compile_path(template)[0].fullmatch(request.url.path):
            methods |= {method.upper() for method in operations}
    return methods or {"GET"}
