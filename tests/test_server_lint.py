"""`POST /v1/lint` on the real server: the linter's JSON for prompt text and for a YAML brief."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from openai import BadRequestError, OpenAI

from server_harness import ServerThread
from server_models import served_settings

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    with ServerThread(served_settings(tmp_path_factory.mktemp("lint-server"))) as running:
        yield running


def test_lint_prompt_text_names_the_findings(server: ServerThread) -> None:
    body = {"prompt": "A beautiful street at night, 4K, make it 10 seconds long.", "model": "sora-2", "preview": True}
    response = httpx.post(f"{server.url}/lint", json=body)
    assert response.status_code == 200
    payload = response.json()
    names = {d["name"] for d in payload["diagnostics"]}
    assert {"vague-language", "prose-sets-api-parameter"} <= names
    assert set(payload["diagnostics"][0]) == {"code", "name", "severity", "message", "location", "fix", "help"}
    assert all(d["help"] for d in payload["diagnostics"])
    assert payload["summary"]


def test_preview_rules_run_only_when_asked_and_a_remix_source_may_be_long(server: ServerThread) -> None:
    prompt = "The camera pans left, then tilts up and pushes in on the door."
    plain = httpx.post(f"{server.url}/lint", json={"prompt": prompt}).json()
    previewed = httpx.post(f"{server.url}/lint", json={"prompt": prompt, "preview": True}).json()
    names = [{d["name"] for d in payload["diagnostics"]} for payload in (plain, previewed)]
    assert "multiple-camera-moves" not in names[0] and "multiple-camera-moves" in names[1]
    source = "A neon street at night, wide shot, slow dolly left. " * 20  # a real source prompt: over 1,000 chars
    remix = httpx.post(f"{server.url}/lint", json={"prompt": "Same shot, switch to 85 mm", "remix_of": source})
    assert remix.status_code == 200, remix.text


def test_lint_a_brief_gives_positions_and_the_same_result_as_the_cli(server: ServerThread, cli) -> None:
    path = ROOT / "examples" / "radio-repair.yaml"
    response = httpx.post(f"{server.url}/lint", json={"brief": path.read_text()})
    assert response.status_code == 200
    local = cli("lint", path, "--format", "json")
    remote_codes = [(d["code"], d["location"]["line"]) for d in response.json()["diagnostics"]]
    assert remote_codes == [(d["code"], d["location"]["line"]) for d in json.loads(local.stdout)["diagnostics"]]


def test_bad_lint_requests_are_openai_errors(server: ServerThread) -> None:
    client = OpenAI(base_url=server.url, api_key="any", max_retries=0)
    with pytest.raises(BadRequestError) as caught:
        client.post("/lint", body={"brief": "shots: [\n  {id: a"}, cast_to=object)
    assert caught.value.param == "brief"
    assert "brief:2:" in caught.value.message
    with pytest.raises(BadRequestError) as caught:
        client.post("/lint", body={}, cast_to=object)
    assert caught.value.param == "prompt"
