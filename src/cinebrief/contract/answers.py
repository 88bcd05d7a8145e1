"""A /v1/videos server's error answers (as the official `openai` SDK raises them) in our exception tree.

The one translation of the SDK's errors: the CLI's server commands and `run --server` (through
`workflows.service`) raise what `sdk_errors` gives, so a 404 is a `NotFoundError`, a 400 an `InputError`
naming the server's `param` and `code`, and an unreachable server one line that names it. The remote
backend reads the server's words with `answer_message` and fails its job with them.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from cinebrief.errors import CinebriefError, ConflictError, InputError, NotFoundError, StorageError, TooManyJobsError


def answer_message(exc: Any) -> str:
    """The `message` of the server's error envelope (the SDK keeps the envelope's `error` as `body`)."""
    body = getattr(exc, "body", None)
    if isinstance(body, dict) and isinstance(body.get("message"), str):
        return str(body["message"])
    return str(exc)


def from_answer(status: int, message: str, *, param: str | None = None, code: str | None = None) -> CinebriefError:
    """An error answer of the server as our error: 404 not found, 409 conflict, 429 too many queued jobs, other
    4xx the user's input, 507 disk."""
    if status == 404:
        return NotFoundError(message, field=param or "video_id", code=code)
    if status == 409:
        return ConflictError(message, field=param or "video_id", code=code)
    if status == 429:
        return TooManyJobsError(message, code=code)
    if status == 507:
        return StorageError(message, code=code)
    if 400 <= status < 500:
        return InputError(message, field=param, code=code)
    return CinebriefError(f"The server answered {status}: {message}", code=code)


@contextmanager
def sdk_errors(base_url: str) -> Iterator[None]:
    """Raise the SDK's errors inside the block as ours (see `from_answer`)."""
    import openai

    try:
        yield
    except openai.APIStatusError as exc:
        raise from_answer(
            exc.status_code, answer_message(exc), param=getattr(exc, "param", None), code=getattr(exc, "code", None)
        ) from None
    except openai.APIConnectionError:
        raise CinebriefError(f"Cannot reach the server at {base_url}. Is `cinebrief serve` running?") from None
