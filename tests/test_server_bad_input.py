"""Bad input at the /v1 edge: never a 5xx, always OpenAI's error envelope naming the field.

Raw HTTP on purpose: the official SDK cannot send lone surrogates, invalid UTF-8, broken field names or
lying image headers, which is exactly what a careless or hostile client sends.
"""

from __future__ import annotations

import io
import struct
import zlib

import httpx
import pytest
from openai import OpenAI
from openai.types import Video
from PIL import Image

from server_harness import ServerThread
from server_models import SMALL_MODEL, SMALL_SIZE, served_settings

KEY = "test-key"
HEADERS = {"authorization": f"Bearer {KEY}"}
JSON = {**HEADERS, "content-type": "application/json"}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    settings = served_settings(tmp_path_factory.mktemp("bad-input"), api_keys=[KEY], profile="extended")
    with ServerThread(settings) as running:
        yield running


@pytest.fixture(scope="module")
def done(server: ServerThread) -> Video:
    client = OpenAI(base_url=server.url, api_key=KEY, max_retries=0)
    return client.videos.create_and_poll(
        prompt="A paper boat drifts down a gutter", model=SMALL_MODEL, size=SMALL_SIZE, poll_interval_ms=50
    )


def error_of(response: httpx.Response, status: int = 400) -> dict:
    assert response.status_code == status, response.text[:500]
    assert response.headers["content-type"].startswith("application/json")
    error = response.json()["error"]
    assert set(error) == {"message", "type", "param", "code"}
    return error


def post(server: ServerThread, path: str, raw: bytes | str, headers: dict[str, str] = JSON) -> httpx.Response:
    content = raw.encode() if isinstance(raw, str) else raw
    return httpx.post(f"{server.url}{path}", content=content, headers=headers, timeout=30)


def test_lone_surrogates_in_prompt_are_400s_naming_prompt(server: ServerThread, done: Video) -> None:
    model = f'"model": "{SMALL_MODEL}", "size": "{SMALL_SIZE}"'
    video = f'"video": {{"id": "{done.id}"}}'
    for path, body in (
        ("/videos", f'{{"prompt": "a \\ud800", {model}}}'),
        (f"/videos/{done.id}/remix", '{"prompt": "a \\udfff b"}'),
        ("/videos/edits", f'{{"prompt": "x \\ud800", {video}}}'),
        ("/videos/extensions", f'{{"prompt": "x \\ud800", "seconds": "4", {video}}}'),
    ):
        error = error_of(post(server, path, body))
        assert error["param"] == "prompt" and "surrogate" in error["message"], (path, error)
    error = error_of(post(server, "/videos", f'{{"prompt": "fine", "model": "\\ud800x", "size": "{SMALL_SIZE}"}}'))
    assert error["param"] == "model"


def test_deep_nesting_is_a_400(server: ServerThread) -> None:
    deep = '{"prompt": "x", "cinebrief": {"options": ' + "[" * 5000 + "]" * 5000 + "}}"
    error = error_of(post(server, "/videos", deep))
    assert error["code"] == "invalid_json" and "nested" in error["message"]
    shallow_but_deep = '{"prompt": "x", "cinebrief": {"options": {"a": ' + "[" * 200 + "]" * 200 + "}}}"
    assert error_of(post(server, "/videos", shallow_but_deep))["param"].startswith("cinebrief[options]")


def test_nul_and_non_finite_numbers_are_400s_naming_the_field(server: ServerThread) -> None:
    error = error_of(post(server, "/videos", f'{{"prompt": "a\\u0000b", "model": "{SMALL_MODEL}"}}'))
    assert error["param"] == "prompt" and "NUL" in error["message"]
    for constant in ("NaN", "Infinity", "-Infinity", "1e999"):
        body = f'{{"prompt": "x", "model": "{SMALL_MODEL}", "cinebrief": {{"options": {{"steps": {constant}}}}}}}'
        error = error_of(post(server, "/videos", body))
        assert error["param"] == "cinebrief[options][steps]", (constant, error)


def test_options_a_model_does_not_declare_are_refused(server: ServerThread) -> None:
    body = (
        f'{{"prompt": "x", "model": "{SMALL_MODEL}", "size": "{SMALL_SIZE}", "cinebrief": {{"options": {{"a": 1}}}}}}'
    )
    error = error_of(post(server, "/videos", body))
    assert error["param"] == "cinebrief[options]" and SMALL_MODEL in error["message"]
    fields = [(b"prompt", b"x"), (b"model", SMALL_MODEL.encode()), (b"cinebrief[options]", b'{"a": NaN}')]
    error = error_of(post(server, "/videos", *multipart(fields)))
    assert error["param"] == "cinebrief[options][a]"


def _png_lying_about_its_size(width: int, height: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buffer, format="PNG")
    data = bytearray(buffer.getvalue())
    header = b"IHDR" + struct.pack(">II", width, height) + bytes(data[24:29])
    data[12:29] = header
    data[29:33] = struct.pack(">I", zlib.crc32(header))
    return bytes(data)


def test_a_png_whose_header_lies_is_refused_at_the_edge(server: ServerThread) -> None:
    width, height = (int(part) for part in SMALL_SIZE.split("x"))
    liar = _png_lying_about_its_size(width, height)
    form = {"prompt": "Liar", "model": SMALL_MODEL, "size": SMALL_SIZE}
    response = httpx.post(
        f"{server.url}/videos", data=form, files={"input_reference": ("liar.png", liar, "image/png")}, headers=HEADERS
    )
    error = error_of(response)
    assert error["param"] == "input_reference" and error["code"] == "invalid_image"


def multipart(fields: list[tuple[bytes, bytes]]) -> tuple[bytes, dict[str, str]]:
    boundary = b"cinebriefboundary"
    parts = [
        b"--" + boundary + b'\r\nContent-Disposition: form-data; name="' + name + b'"\r\n\r\n' + value + b"\r\n"
        for name, value in fields
    ]
    body = b"".join(parts) + b"--" + boundary + b"--\r\n"
    return body, {**HEADERS, "content-type": f"multipart/form-data; boundary={boundary.decode()}"}


def test_multipart_field_names_and_encoding(server: ServerThread) -> None:
    body, headers = multipart([(b"prompt[", b"Open bracket"), (b"model", SMALL_MODEL.encode())])
    error = error_of(post(server, "/videos", body, headers))
    assert error["param"] == "prompt[" and error["code"] == "invalid_parameter"
    body, headers = multipart([(b"prompt", b"caf\xe9 \xff"), (b"model", SMALL_MODEL.encode())])
    error = error_of(post(server, "/videos", body, headers))
    assert error["param"] == "prompt" and "UTF-8" in error["message"]


def test_error_messages_quote_a_short_prefix(server: ServerThread) -> None:
    huge = "z" * 1_000_000
    for path, body in (
        ("/lint", {"prompt": "x", "model": huge}),
        ("/lint", {"prompt": "x", "mode": huge}),
        ("/videos", {"prompt": "x", "model": huge}),
        ("/videos", {"prompt": "x", "size": huge}),
        ("/videos", {"prompt": "x", "seconds": huge}),
    ):
        response = httpx.post(f"{server.url}{path}", json=body, headers=HEADERS, timeout=30)
        if response.status_code == 200:  # lint reports findings instead of refusing
            assert len(response.content) < 20_000, path
            continue
        assert len(error_of(response)["message"]) < 1_000, (path, list(body))


def test_invalid_ranges_answer_in_the_envelope_or_send_the_whole_file(server: ServerThread, done: Video) -> None:
    url = f"{server.url}/videos/{done.id}/content"
    whole = httpx.get(url, headers=HEADERS).content
    for value in ("bytes=abc", "bytes=99999999-", "items=0-1", "bytes=5-2"):
        response = httpx.get(url, headers={**HEADERS, "range": value})
        if response.status_code == 200:
            assert response.content == whole, value
        else:
            assert response.status_code in (400, 416), value
            assert response.json()["error"]["param"] == "range", value


def test_allow_models_and_lint_without_a_body(server: ServerThread, done: Video) -> None:
    response = httpx.put(f"{server.url}/videos/{done.id}", headers=HEADERS)
    error_of(response, 405)
    assert set(response.headers["allow"].replace(" ", "").split(",")) == {"GET", "DELETE"}
    error = error_of(httpx.get(f"{server.url}/models/nope", headers=HEADERS), 404)
    assert error["param"] == "model"
    for raw in (b"", b"null"):
        error = error_of(post(server, "/lint", raw))
        assert "None" not in error["message"] and "body" in error["message"].lower(), error


def test_nul_and_nan_on_postgresql_are_400s(tmp_path, database_url: str) -> None:
    """PostgreSQL refuses NUL in text and JSON; the edge refuses them first, on either store."""
    settings = served_settings(tmp_path / "data", api_keys=[KEY], database_url=database_url)
    with ServerThread(settings) as running:
        error = error_of(post(running, "/videos", f'{{"prompt": "a\\u0000b", "model": "{SMALL_MODEL}"}}'))
        assert error["param"] == "prompt"
        body = f'{{"prompt": "x", "model": "{SMALL_MODEL}", "cinebrief": {{"options": {{"steps": NaN}}}}}}'
        assert error_of(post(running, "/videos", body))["param"] == "cinebrief[options][steps]"
        fine = post(running, "/videos", f'{{"prompt": "a b", "model": "{SMALL_MODEL}", "size": "{SMALL_SIZE}"}}')
        assert fine.status_code == 200, fine.text
