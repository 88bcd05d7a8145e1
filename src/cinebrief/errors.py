"""The one exception tree of cinebrief.

It sits beneath every layer (it imports nothing of ours), so `contract/` and `brief/` may raise these too.
Every error carries `message`, `field` (the parameter or brief field it is about, when there is one) and
`code` (a stable word such as `invalid_value`, `not_found`, `storage_error`). The edges map the tree: the
CLI to exit codes (`exit_code`), the server to OpenAI's error envelope and its HTTP statuses
(`server/errors.py`)::

    CinebriefError
    ├── InputError                 a user's mistake: exit code 2, HTTP 400
    │   ├── ContractError          a request parameter outside the Videos API contract (field, value, allowed)
    │   ├── ReferenceImageError    an input_reference that cannot be used (format, size, bomb)
    │   ├── BriefError             a brief that does not load (file:line:col, field path, value)
    │   └── PromptError            prompt text that cannot be used (empty, too long)
    ├── NotFoundError              an unknown id or a missing file: HTTP 404
    ├── ConflictError              the right id in the wrong state: HTTP 409
    ├── TooManyJobsError           a key already has server.max_queued_per_key jobs waiting: HTTP 429
    ├── ConfigError                settings or a model folder that cannot be used: exit code 2 (HTTP 500)
    │   └── BackendUnavailableError  a model's backend that cannot work on this host: HTTP 503, no retry
    ├── StorageError               the data folder is full or read-only: HTTP 507, exit code 2
    └── BackendError               a backend failed a job: the job turns `failed` with `code`
        └── CancelledError         the job was cancelled while it ran
"""

from __future__ import annotations

import errno
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any


class CinebriefError(Exception):
    """Base of every error cinebrief raises on purpose: a message, the field it is about, a code."""

    exit_code = 1
    code = "error"

    def __init__(self, message: str = "", *, field: str | None = None, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        if code is not None:
            self.code = code


class InputError(CinebriefError):
    """The user gave something we cannot use; the message says what and what is allowed."""

    exit_code = 2
    code = "invalid_value"


def quote_list(values: Sequence[str]) -> str:
    """``'a', 'b', and 'c'``: the way OpenAI's errors list allowed values."""
    quoted = [f"'{value}'" for value in values]
    if len(quoted) <= 1:
        return "".join(quoted)
    if len(quoted) == 2:
        return f"{quoted[0]} and {quoted[1]}"
    return ", ".join(quoted[:-1]) + f", and {quoted[-1]}"


QUOTE_CHARACTERS = 40


def quoted(value: object) -> str:
    """At most a short prefix of what a client sent, safe to put in an error message (surrogates escaped)."""
    text = value if isinstance(value, str) else repr(value)
    short = text[:QUOTE_CHARACTERS] + ("…" if len(text) > QUOTE_CHARACTERS else "")
    return short.encode("utf-8", "backslashreplace").decode("utf-8")


class ContractError(InputError):
    """A request parameter that the Videos API contract does not allow."""

    def __init__(
        self,
        message: str,
        *,
        field: str,
        value: object = None,
        allowed: Sequence[str] = (),
        code: str = "invalid_value",
    ) -> None:
        super().__init__(message, field=field, code=code)
        self.value = value
        self.allowed = tuple(allowed)


class ReferenceImageError(ContractError):
    """An ``input_reference`` image of the wrong format or size, corrupt, or too large to decode."""


class PromptError(InputError):
    """Prompt text that cannot be sent (empty or over the length limit)."""


class BriefError(InputError):
    """A brief file that does not load; ``location`` is ``file:line:col`` when known."""

    def __init__(
        self,
        message: str,
        *,
        field: str | None = None,
        path: str | None = None,
        line: int | None = None,
        column: int | None = None,
    ) -> None:
        super().__init__(message, field=field, code="invalid_brief")
        self.path = path
        self.line = line
        self.column = column

    @property
    def location(self) -> str:
        parts = [self.path or "<brief>"]
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        return ":".join(parts)

    def __str__(self) -> str:
        return f"{self.location}: {self.message}"


class NotFoundError(CinebriefError):
    """An id or a file that does not exist; `field` names the parameter that held it."""

    exit_code = 2
    code = "not_found"

    def __init__(self, message: str, *, field: str = "video_id", code: str | None = None) -> None:
        super().__init__(message, field=field, code=code)


class ConflictError(CinebriefError):
    """An operation on an object in a state that does not allow it (e.g. delete while in progress)."""

    code = "conflict"

    def __init__(self, message: str, *, field: str = "video_id", code: str | None = None) -> None:
        super().__init__(message, field=field, code=code)


class TooManyJobsError(CinebriefError):
    """An API key already has as many queued and running jobs as `server.max_queued_per_key` allows."""

    code = "too_many_queued_jobs"


class ConfigError(CinebriefError):
    """Settings, a config file or a model folder that cannot be used."""

    exit_code = 2
    code = "config_error"


class BackendUnavailableError(ConfigError):
    """A model's backend cannot be built on this machine, its settings being fine (a library it needs is
    missing here, say): requests for the model are refused with this until it can be built."""

    code = "backend_unavailable"


class StorageError(CinebriefError):
    """The disk that holds the data folder is full or read-only: nothing can be written there."""

    exit_code = 2
    code = "storage_error"


STORAGE_ERRNOS = {errno.ENOSPC: "full", errno.EDQUOT: "over its quota", errno.EROFS: "read-only"}


def storage_error(exc: BaseException, folder: Path | str) -> StorageError | None:
    """A `StorageError` naming the disk when `exc` is a full or read-only disk; None for any other error."""
    if not isinstance(exc, OSError) or exc.errno not in STORAGE_ERRNOS:
        return None
    return StorageError(
        f"The disk that holds the data folder {folder} is {STORAGE_ERRNOS[exc.errno]} ({exc.strerror}); "
        "free space or make it writable, then try again."
    )


class BackendError(CinebriefError):
    """A backend could not finish a job. ``code`` becomes the failed job's ``error.code``."""

    code = "backend_error"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message, code=code)


class CancelledError(BackendError):
    """The job was cancelled between two units of work."""

    def __init__(self, message: str = "The job was cancelled.") -> None:
        super().__init__(message, code="cancelled")


def explain_invalid(error: Mapping[str, Any]) -> str:
    """One of pydantic's errors (an entry of `ValidationError.errors()`) in plain words, with the value quoted
    short: the one translation of validation errors that the brief loader, the prompt parser, the settings
    and the server's bodies use."""
    kind, value, ctx = error["type"], error.get("input"), error.get("ctx") or {}
    quoted_value = shown(value)
    if kind == "literal_error":
        return f"{quoted_value} is not allowed; allowed values: {ctx.get('expected')}"
    if kind == "string_pattern_mismatch":
        if "x" in str(ctx.get("pattern", "")):
            return f"{quoted_value} is not a size; write it as WIDTHxHEIGHT, for example '1280x720'"
        return f"{quoted_value} is not a valid id; use letters, digits, '-', '_' or '.'"
    if kind in ("string_type", "list_type", "dict_type", "model_type", "int_type", "float_type", "bool_type"):
        wanted = {
            "string_type": "text",
            "list_type": "a list",
            "dict_type": "a mapping",
            "model_type": "a mapping of keys",
            "int_type": "a whole number",
            "float_type": "a number",
            "bool_type": "true or false",
        }[kind]
        return f"expected {wanted}, got {kind_of(value)} {quoted_value}"
    if kind == "string_too_short":
        return "must not be empty"
    if kind == "value_error":
        return str(ctx.get("error", error["msg"]))
    return f"{error['msg'].rstrip('.')} (got {quoted_value})"


def kind_of(value: Any) -> str:
    """What a value is, in the words of a YAML or TOML file ("a mapping", "a list"); the server's bodies name
    JSON's kinds ("an object", "an array") in `server/bodies.py`."""
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return type(value).__name__


def shown(value: Any) -> str:
    """A value as an error message shows it: text in quotes, anything else as Python writes it; a short prefix
    only (`quoted`)."""
    return f"'{quoted(value)}'" if isinstance(value, str) else quoted(value)
