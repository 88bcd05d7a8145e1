"""Request bodies: JSON or multipart (with bracket keys) into one checked dict, then into a `VideoRequest`.

Both encodings end in the same plain structure, so every rule is written once: multipart
``input_reference[image_url]`` and JSON ``{"input_reference": {"image_url": ...}}`` are the same field.
Only what an encoding can express differently is checked per encoding (a file part, a JSON integer).
"""

from __future__ import annotations

import base64
import binascii
import codecs
import json
import math
import re
from typing import Any, Literal, TypeVar
from urllib.parse import unquote_to_bytes

from pydantic import BaseModel, ValidationError
from starlette.datastructures import FormData, UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser
from starlette.requests import Request

from cinebrief.contract.profile import DEFAULTS
from cinebrief.errors import ContractError, InputError, explain_invalid, quoted
from cinebrief.jobs.engine import VideoRequest
from cinebrief.server.errors import APIError, input_error
from cinebrief.server.openapi import (
    MAX_IMAGE_URL_CHARACTERS,
    CharacterBody,
    CinebriefExtras,
    CreateVideoBody,
    EditBody,
    ExtendBody,
    RemixBody,
    fields,
)

Encoding = Literal["json", "multipart"]

CREATE_FIELDS = fields(CreateVideoBody)
REMIX_FIELDS = fields(RemixBody)
EDIT_FIELDS = fields(EditBody)
EXTEND_FIELDS = fields(ExtendBody)
CHARACTER_FIELDS = fields(CharacterBody)
EXTRA_FIELDS = fields(CinebriefExtras)
_BRACKETS = re.compile(r"\[([^\[\]]*)\]")


async def read_body(request: Request, max_bytes: int) -> tuple[dict[str, Any], Encoding]:
    """The body as a dict, from JSON or from a form (multipart or urlencoded)."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type == "multipart/form-data":
        body = unflatten((await _strict_multipart(request, max_bytes)).multi_items())
        check_values(body)
        return body, "multipart"
    if content_type == "application/x-www-form-urlencoded":
        form = await request.form(max_files=4, max_fields=64, max_part_size=max_bytes)
        body = unflatten(form.multi_items())
        check_values(body)
        return body, "multipart"
    raw = await request.body()
    if content_type not in ("application/json", "") and not content_type.endswith("+json"):
        raise APIError(
            400,
            f"Unsupported Content-Type '{quoted(content_type)}'. Send application/json or multipart/form-data.",
            code="unsupported_content_type",
        )
    body = parse_json(raw or b"{}")
    if not isinstance(body, dict):
        raise APIError(400, "The JSON body must be an object.", code="invalid_type")
    return body, "json"


MAX_DEPTH = 32  # levels of objects and arrays in a body; a brief needs fewer than ten


def parse_json(raw: bytes | str, field: str | None = None) -> Any:
    """JSON text → a value whose strings and numbers are all usable, nested at most `MAX_DEPTH` deep."""
    where = f"'{field}'" if field else "the JSON body of your request"
    try:
        value = json.loads(raw)
    except RecursionError:
        raise APIError(
            400, f"Invalid {where}: nested deeper than {MAX_DEPTH} levels.", param=field, code="invalid_json"
        ) from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise APIError(
            400,
            f"We could not parse {where} ({quoted(str(exc))}). Send a JSON object.",
            param=field,
            code="invalid_json",
        ) from None
    check_values(value, field)
    return value


def check_values(value: Any, field: str | None = None) -> None:
    """Every string valid Unicode without NUL, every number finite, nesting at most `MAX_DEPTH`: a 400 naming
    the first field that is not (databases and encoders refuse these later, with a 500)."""
    stack: list[tuple[str | None, Any, int]] = [(field, value, 0)]
    while stack:
        name, item, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise APIError(
                400, f"Invalid '{name}': nested deeper than {MAX_DEPTH} levels.", param=name, code="invalid_json"
            )
        if isinstance(item, str):
            _check_text(item, name)
        elif isinstance(item, float) and not math.isfinite(item):
            raise ContractError(
                f"Invalid value for '{name}': {item!r}. Expected a finite number.", field=name or "body"
            )
        elif isinstance(item, dict):
            for key, child in item.items():
                _check_text(key, name)
                stack.append((f"{name}[{key}]" if name else key, child, depth + 1))
        elif isinstance(item, list):
            stack.extend((f"{name}[{index}]", child, depth + 1) for index, child in enumerate(item))


def _check_text(text: str, field: str | None) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ContractError(
            f"Invalid value for '{quoted(field)}': a lone surrogate ({quoted(exc.object[exc.start])}) at "
            f"character {exc.start} is not Unicode text.",
            field=quoted(field or "body"),
            code="invalid_encoding",
        ) from None
    if "\x00" in text:
        raise ContractError(
            f"Invalid value for '{field}': a NUL character (\\u0000) at character {text.index(chr(0))}.",
            field=field or "body",
            code="invalid_encoding",
        )


class _StrictMultiPartParser(MultiPartParser):
    """Starlette's parser, but a text part that is not valid in its charset is a 400 naming the field
    (Starlette falls back to Latin-1, which would store mojibake)."""

    def on_part_end(self) -> None:
        part = self._current_part
        if part.file is None:
            try:
                part.data.decode(self._charset or "utf-8")
            except (UnicodeDecodeError, LookupError) as exc:
                field = quoted(part.field_name)
                charset = codecs.lookup(self._charset or "utf-8").name.upper().replace("UTF_8", "UTF-8")
                raise ContractError(
                    f"Invalid value for '{field}': not valid {charset} text ({quoted(str(exc))}).",
                    field=field,
                    code="invalid_encoding",
                ) from None
        super().on_part_end()


async def _strict_multipart(request: Request, max_bytes: int) -> FormData:
    parser = _StrictMultiPartParser(
        request.headers, request.stream(), max_files=4, max_fields=64, max_part_size=max_bytes
    )
    try:
        return await parser.parse()
    except MultiPartException as exc:
        raise APIError(400, exc.message, code="invalid_multipart") from None


M = TypeVar("M", bound=BaseModel)


def validated(model: type[M], body: dict[str, Any]) -> M:
    """`body` as `model`, or a 400 naming the first field pydantic refused (its value quoted short)."""
    try:
        return model.model_validate(body)
    except ValidationError as exc:
        raise input_error(exc.errors()) from None


def unflatten(items: list[tuple[str, Any]]) -> dict[str, Any]:
    """``a[b]=1``, ``c[][id]=x`` → ``{"a": {"b": "1"}, "c": [{"id": "x"}]}``; plain keys stay as they are."""
    result: dict[str, Any] = {}
    for key, value in items:
        head, _, _ = key.partition("[")
        path = [head, *_BRACKETS.findall(key[len(head) :])] if "[" in key else [key]
        if not head or "".join(f"[{part}]" for part in path[1:]) != key[len(head) :]:
            name = quoted(key)
            raise APIError(400, f"Malformed form field name '{name}'.", param=name, code="invalid_parameter")
        _assign(result, path, value, key)
    return result


def _assign(target: dict[str, Any], path: list[str], value: Any, key: str) -> None:
    node: Any = target
    for index, part in enumerate(path):
        last = index == len(path) - 1
        if part == "":  # `[]`: append a new element (objects in a list: c[][id])
            if not isinstance(node, list):
                raise APIError(400, f"Malformed form field name '{key}'.", param=key, code="invalid_parameter")
            if last:
                node.append(value)
                return
            node.append({})
            node = node[-1]
            continue
        if not isinstance(node, dict):
            raise APIError(400, f"Malformed form field name '{key}'.", param=key, code="invalid_parameter")
        if last:
            if part in node:
                raise APIError(400, f"Field '{key}' is given more than once.", param=key, code="duplicate_parameter")
            node[part] = value
            return
        node = node.setdefault(part, [] if path[index + 1] == "" else {})


def reject_unknown(body: dict[str, Any], allowed: tuple[str, ...], prefix: str = "") -> None:
    for key in body:
        if key not in allowed:
            name = f"{prefix}[{key}]" if prefix else key
            raise ContractError(f"Unknown parameter: '{name}'.", field=name, value=key, code="unknown_parameter")


def _text(body: dict[str, Any], name: str, default: str | None = None) -> str | None:
    value = body.get(name, default)
    if value is None or isinstance(value, str):
        return value
    kind = "a file" if isinstance(value, UploadFile) else f"{_json_kind(value)}"
    raise ContractError(
        f"Invalid type for '{name}': expected a string, but got {kind} instead.",
        field=name,
        value=None,
        code="invalid_type",
    )


def _json_kind(value: Any) -> str:
    if isinstance(value, UploadFile):
        return "a file"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "an array"
    return "a string"


def required_prompt(body: dict[str, Any]) -> str:
    if "prompt" not in body:
        raise ContractError("Missing required parameter: 'prompt'.", field="prompt", code="missing_required_parameter")
    return _text(body, "prompt") or ""


async def video_request(body: dict[str, Any], encoding: Encoding) -> VideoRequest:
    """Check the create fields common to both encodings and build the engine's request."""
    reject_unknown(body, CREATE_FIELDS)
    prompt = required_prompt(body)
    model = _text(body, "model", DEFAULTS.model) or DEFAULTS.model
    size = _text(body, "size", DEFAULTS.size) or DEFAULTS.size
    seconds = body.get("seconds", DEFAULTS.seconds)
    if isinstance(seconds, UploadFile | dict | list):
        raise ContractError(
            f"Invalid type for 'seconds': expected a string, but got {_json_kind(seconds)} instead.",
            field="seconds",
            code="invalid_type",
        )
    reference = await input_reference(body.get("input_reference"), encoding)
    extras = cinebrief_extras(body.get("cinebrief"))
    characters = character_ids(body.get("characters"))
    return VideoRequest(
        prompt=prompt,
        model=model,
        size=size,
        seconds=seconds,
        input_reference=reference,
        characters=characters,
        **extras,
    )


def character_ids(value: Any) -> tuple[str, ...]:
    """`characters: [{id}]` (multipart `characters[][id]`) → the ids, in order."""
    if value is None:
        return ()
    if not isinstance(value, list):
        raise ContractError(
            f'Invalid type for \'characters\': expected an array of objects such as [{{"id": "char_..."}}], '
            f"but got {_json_kind(value)} instead.",
            field="characters",
            code="invalid_type",
        )
    ids: list[str] = []
    for index, item in enumerate(value):
        field = f"characters[{index}]"
        if not isinstance(item, dict):
            raise ContractError(
                f"Invalid type for '{field}': expected an object with 'id', but got {_json_kind(item)} instead.",
                field=field,
                code="invalid_type",
            )
        reject_unknown(item, ("id",), prefix=field)
        ids.append(_required_text(item, "id", f"{field}[id]"))
    return tuple(ids)


def _required_text(body: dict[str, Any], name: str, field: str) -> str:
    if name not in body:
        raise ContractError(f"Missing required parameter: '{field}'.", field=field, code="missing_required_parameter")
    value = body[name]
    if not isinstance(value, str):
        raise ContractError(
            f"Invalid type for '{field}': expected a string, but got {_json_kind(value)} instead.",
            field=field,
            code="invalid_type",
        )
    return value


async def video_source(body: dict[str, Any], encoding: Encoding) -> str | bytes:
    """`video`: an uploaded file (its bytes) or `{"id": "video_..."}` (multipart `video[id]`) → the id."""
    if "video" not in body:
        raise ContractError("Missing required parameter: 'video'.", field="video", code="missing_required_parameter")
    value = body["video"]
    if isinstance(value, UploadFile):
        return await value.read()
    if isinstance(value, dict):
        reject_unknown(value, ("id",), prefix="video")
        return _required_text(value, "id", "video[id]")
    expected = "a file or an object with 'id' (video[id])" if encoding == "multipart" else "an object with 'id'"
    raise ContractError(
        f"Invalid type for 'video': expected {expected}, but got {_json_kind(value)} instead.",
        field="video",
        code="invalid_type",
    )


def optional_text(body: dict[str, Any], name: str) -> str | None:
    return _text(body, name)


def required_seconds(body: dict[str, Any]) -> Any:
    """`seconds` must be present; its type and value are checked as on create."""
    if "seconds" not in body:
        raise ContractError(
            "Missing required parameter: 'seconds'.", field="seconds", code="missing_required_parameter"
        )
    seconds = body["seconds"]
    if isinstance(seconds, UploadFile | dict | list):
        raise ContractError(
            f"Invalid type for 'seconds': expected a string, but got {_json_kind(seconds)} instead.",
            field="seconds",
            code="invalid_type",
        )
    return seconds


async def input_reference(value: Any, encoding: Encoding) -> bytes | None:
    """A file part, or an object with `image_url` (a data: URL; remote URLs are refused) or `file_id`."""
    if value is None:
        return None
    if isinstance(value, UploadFile):
        return await value.read()
    if isinstance(value, str):
        expected = "a file" if encoding == "multipart" else "an object"
        raise ContractError(
            f"Invalid type for 'input_reference': expected {expected}, but got a string instead.",
            field="input_reference",
            code="invalid_type",
        )
    if not isinstance(value, dict):
        raise ContractError(
            f"Invalid type for 'input_reference': expected a file or an object, but got {_json_kind(value)} instead.",
            field="input_reference",
            code="invalid_type",
        )
    reject_unknown(value, ("image_url", "file_id"), prefix="input_reference")
    if len(value) != 1:
        raise ContractError(
            "Invalid 'input_reference': give exactly one of 'image_url' or 'file_id'.",
            field="input_reference",
            code="invalid_value",
        )
    if "file_id" in value:
        raise ContractError(
            "Invalid 'input_reference[file_id]': this server has no files endpoint, so file ids cannot be used. "
            "Upload the image as a file, or send it as a data: URL in 'image_url'.",
            field="input_reference[file_id]",
            code="unsupported_value",
        )
    return decode_image_url(value["image_url"])


def decode_image_url(url: Any) -> bytes:
    field = "input_reference[image_url]"
    if not isinstance(url, str):
        raise ContractError(
            f"Invalid type for '{field}': expected a string, but got {_json_kind(url)} instead.",
            field=field,
            code="invalid_type",
        )
    if len(url) > MAX_IMAGE_URL_CHARACTERS:
        raise ContractError(
            f"Invalid '{field}': {len(url)} characters, over the limit of {MAX_IMAGE_URL_CHARACTERS}.",
            field=field,
            code="string_above_max_length",
        )
    scheme = url.split(":", 1)[0].lower()
    if scheme in ("http", "https"):
        raise ContractError(
            f"Invalid '{field}': this server does not fetch remote URLs (it makes no outbound requests). "
            "Send the image as a file upload or inline it as a data: URL (data:image/png;base64,...).",
            field=field,
            code="unsupported_url",
        )
    if scheme != "data" or "," not in url:
        raise ContractError(
            f"Invalid '{field}': expected a data: URL such as 'data:image/png;base64,...'.",
            field=field,
            code="invalid_value",
        )
    header, _, payload = url.partition(",")
    try:
        if header.lower().endswith(";base64"):
            return base64.b64decode(payload, validate=True)
        return unquote_to_bytes(payload)
    except (binascii.Error, ValueError) as exc:
        raise ContractError(f"Invalid '{field}': the base64 data cannot be decoded ({exc}).", field=field) from None


def cinebrief_extras(value: Any) -> dict[str, Any]:
    """The namespaced extras: `cinebrief[seed]`, `cinebrief[options][...]`, `cinebrief[shot]`, `cinebrief[brief]`."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ContractError(
            f"Invalid type for 'cinebrief': expected an object, but got {_json_kind(value)} instead.",
            field="cinebrief",
            code="invalid_type",
        )
    reject_unknown(value, EXTRA_FIELDS, prefix="cinebrief")
    extras: dict[str, Any] = {}
    if "seed" in value:
        extras["seed"] = _seed(value["seed"])
    if "options" in value:
        options = _json_object(value["options"], "cinebrief[options]")
        extras["options"] = options
    for name in ("shot", "brief"):
        if name in value:
            extras[name] = _brief_model(name, _json_object(value[name], f"cinebrief[{name}]"))
    return extras


def _seed(value: Any) -> int:
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 2**63:
        return value
    raise ContractError(
        f"Invalid value for 'cinebrief[seed]': {value!r}. Expected an integer from 0 to 2**63-1.",
        field="cinebrief[seed]",
        value=value,
    )


def _json_object(value: Any, field: str) -> dict[str, Any]:
    if isinstance(value, str):  # multipart carries objects as JSON text
        value = parse_json(value, field)
    if not isinstance(value, dict):
        raise ContractError(
            f"Invalid type for '{field}': expected an object, but got {_json_kind(value)} instead.",
            field=field,
            code="invalid_type",
        )
    return value


def _brief_model(name: str, data: dict[str, Any]) -> Any:
    from cinebrief.brief.schema import Brief, Shot

    model = Shot if name == "shot" else Brief
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise InputError(
            f"Invalid 'cinebrief[{name}]': {where}: {explain_invalid(first)}.",
            field=f"cinebrief[{name}]",
            code="invalid_brief",
        ) from None
