"""OpenAI's error envelope for every error the server returns, ours and FastAPI's alike.

``{"error": {"message": str, "type": str, "param": str | None, "code": str | None}}`` with OpenAI's status
codes. A 409 carries `x-should-retry: false`, because the SDK would otherwise retry it.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from cinebrief.errors import CinebriefError, ConflictError, InputError, NotFoundError

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


def from_cinebrief_error(exc: CinebriefError) -> JSONResponse:
    if isinstance(exc, InputError):
        return envelope(400, exc.message, param=exc.field, code=exc.code)
    if isinstance(exc, NotFoundError):
        return envelope(404, str(exc), param="video_id", code="not_found")
    if isinstance(exc, ConflictError):
        return envelope(409, str(exc), param="video_id", code="conflict", headers={"x-should-retry": "false"})
    log.error("server error: %s", exc)
    return envelope(500, str(exc), code="server_error", error_type="server_error")


def _validation_param(error: dict[str, Any]) -> str | None:
    location = [str(part) for part in error.get("loc", ()) if part not in ("body", "query", "path", "header")]
    return ".".join(location) or None


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(CinebriefError)
    async def cinebrief_error(_: Request, exc: CinebriefError) -> JSONResponse:
        return from_cinebrief_error(exc)

    @app.exception_handler(APIError)
    async def api_error(_: Request, exc: APIError) -> JSONResponse:
        return envelope(
            exc.status_code, exc.message, param=exc.param, code=exc.code, error_type=exc.error_type, headers=exc.headers
        )

    @app.exception_handler(RequestValidationError)
    async def validation_error(_: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0] if exc.errors() else {}
        param = _validation_param(first)
        value = first.get("input")
        message = f"Invalid value for '{param}': {value!r} ({first.get('msg', 'invalid')})."
        return envelope(400, message, param=param, code="invalid_value")

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 404:
            message = f"Invalid URL ({request.method} {request.url.path}): no such route."
        elif exc.status_code == 405:
            message = f"Method {request.method} is not allowed on {request.url.path}."
        else:
            message = str(exc.detail)
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code)
        return envelope(exc.status_code, message, code=code, headers=dict(exc.headers or {}))
