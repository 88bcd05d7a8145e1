"""Outermost ASGI layer: `x-request-id` on every response, the request size limit, and a 500 envelope.

It wraps everything FastAPI does, so even an unexpected exception answers in OpenAI's envelope with an id.
"""

from __future__ import annotations

import json
import logging
import secrets
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger(__name__)


class RequestTooLarge(Exception):
    pass


def new_request_id() -> str:
    return f"req_{secrets.token_hex(16)}"


class RequestContextMiddleware:
    def __init__(self, app: ASGIApp, *, max_request_bytes: int) -> None:
        self.app = app
        self.max_request_bytes = max_request_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = new_request_id()
        started = False

        async def send_with_id(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = list(message.get("headers", []))
                headers.append((b"x-request-id", request_id.encode()))
                message = {**message, "headers": headers}
            await send(message)

        declared = _content_length(scope)
        if declared is not None and declared > self.max_request_bytes:
            await self._too_large(send_with_id)
            return
        received = 0

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_request_bytes:
                    raise RequestTooLarge
            return message

        try:
            await self.app(scope, counting_receive, send_with_id)
        except RequestTooLarge:
            if not started:
                await self._too_large(send_with_id)
        except Exception:
            log.exception("unhandled error on %s %s (%s)", scope.get("method"), scope.get("path"), request_id)
            if not started:
                message = f"The server had an error while processing your request (request id {request_id})."
                await _send_json(send_with_id, 500, _error(message, "server_error", "server_error"))

    async def _too_large(self, send: Send) -> None:
        message = (
            f"The request body is larger than this server accepts ({self.max_request_bytes} bytes; "
            "setting server.max_request_bytes)."
        )
        await _send_json(send, 413, _error(message, "invalid_request_error", "request_too_large"))


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


def _error(message: str, error_type: str, code: str) -> dict[str, Any]:
    return {"error": {"message": message, "type": error_type, "param": None, "code": code}}


async def _send_json(send: Send, status: int, body: dict[str, Any]) -> None:
    payload = json.dumps(body).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": payload})
