"""The studio's API (`/studio/v1`) against the real server on loopback: briefs with history, the text being
edited (problems at line and column, prompts, form edits with comments kept, plan and budget), and runs on the
server's own engine (takes, picks, remixes with lineage, the cut and its downloads, a restart mid-run)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import httpx
import opentimelineio as otio
import pytest

from cinebrief.jobs.owners import owner_id
from server_harness import ServerThread
from server_models import SMALL_MODEL, SMALL_SIZE, TWO_SHOT_BRIEF, served_settings

BRIEF = TWO_SHOT_BRIEF
RUN_TIMEOUT = 120.0  # a bound for a stuck run, not a speed expectation


def _client(server: ServerThread, key: str | None = None) -> httpx.Client:
    headers = {"authorization": f"Bearer {key}"} if key else {}
    return httpx.Client(base_url=server.url.removesuffix("/v1"), timeout=30, headers=headers)


def _finished(client: httpx.Client, run_id: str) -> dict[str, Any]:
    deadline = time.monotonic() + RUN_TIMEOUT
    while time.monotonic() < deadline:
        state = client.get(f"/studio/v1/runs/{run_id}").json()
        if state["status"] != "running":
            return state
        time.sleep(0.2)
    raise AssertionError(f"run {run_id} did not finish: {state}")


def test_briefs_keep_every_saved_version(tmp_path: Path) -> None:
    with ServerThread(served_settings(tmp_path / "data")) as server, _client(server) as client:
        created = client.post("/studio/v1/briefs", json={"name": "Night crossing", "text": BRIEF}).json()
        assert created["id"] == "night-crossing" and created["version"] == 1
        edited = BRIEF.replace("85 mm", "50 mm")
        saved = client.put(f"/studio/v1/briefs/{created['id']}", json={"text": edited}).json()
        assert saved["version"] == 2
        same = client.put(f"/studio/v1/briefs/{created['id']}", json={"text": edited}).json()
        assert same["version"] == 2  # nothing new to keep
        assert client.get(f"/studio/v1/briefs/{created['id']}").json()["text"] == edited
        assert client.get(f"/studio/v1/briefs/{created['id']}?version=1").json()["text"] == BRIEF
        listed = client.get("/studio/v1/briefs").json()["data"]
        assert [brief["id"] for brief in listed] == ["night-crossing"]
        assert [v["version"] for v in listed[0]["versions"]] == [1, 2]
        missing = client.get("/studio/v1/briefs/night-crossing?version=9")
        assert missing.status_code == 404 and "versions 1 to 2" in missing.json()["error"]["message"]
        assert client.get("/studio/v1/briefs/..%2Fetc").status_code == 404


def test_the_text_being_edited(tmp_path: Path) -> None:
    with ServerThread(served_settings(tmp_path / "data")) as server, _client(server) as client:
        clean = client.post("/studio/v1/lint", json={"text": BRIEF}).json()
        assert clean["loaded"] and [shot["id"] for shot in clean["shots"]] == ["arrival", "look"]
        assert clean["summary"]["error"] == 0 and clean["shots"][1]["camera"]["lens"] == "85 mm"

        # A schema error at its line and column; a lint finding at the line of the word it is about.
        broken = client.post("/studio/v1/lint", json={"text": BRIEF.replace('seconds: "4"', "seconds: 4")}).json()
        (problem,) = broken["diagnostics"]
        assert problem["code"] == "schema" and problem["location"]["line"] == 4 and "quote it" in problem["message"]
        vague = BRIEF.replace("The courier looks up", "A beautiful courier looks up")
        findings = client.post("/studio/v1/lint", json={"text": vague, "preview": True}).json()["diagnostics"]
        assert any(f["code"] == "PR001" and f["location"]["line"] == 15 for f in findings), findings
        plain = client.post("/studio/v1/lint", json={"text": vague}).json()["diagnostics"]
        assert not any(f["code"] == "PR001" for f in plain), "vague-language is in preview: off unless asked"

        prompts = client.post("/studio/v1/prompts", json={"text": BRIEF, "shot_id": "look"}).json()
        assert set(prompts["prompts"]) == {"descriptive", "ultra", "light"} and prompts["style"] == "descriptive"
        assert "85 mm" in prompts["prompts"]["descriptive"] and "magenta" in prompts["prompts"]["light"]
        unknown = client.post("/studio/v1/prompts", json={"text": BRIEF, "shot_id": "nope"})
        assert unknown.status_code == 400 and "arrival, look" in unknown.json()["error"]["message"]

        form = {"text": BRIEF, "shot_id": "arrival", "camera": {"lens": "50 mm"}, "sound": "", "mood": "tense"}
        written = client.post("/studio/v1/form", json=form).json()["text"]
        assert "# Two shots on the small previz model" in written and "- id: arrival  # the opening" in written
        assert "lens: 50 mm" in written and "rain on awnings" not in written and "mood: tense" in written
        assert "lens: 85 mm" in written  # the other shot is untouched
        refused = client.post("/studio/v1/form", json={**form, "camera": {"zoom": "2x"}})
        assert (
            refused.status_code == 400 and refused.json()["error"]["param"] == "camera[zoom]"
        )  # the server names nested fields as it reads them

        plan = client.post("/studio/v1/plan", json={"text": BRIEF, "variants": 2}).json()
        assert [c["clip_id"] for c in plan["clips"]] == ["arrival", "arrival~v2", "look", "look~v2"]
        assert plan["seconds"] == 8 and plan["budget"]["allowed"]
        sora = BRIEF.replace(f"model: {SMALL_MODEL}, size: {SMALL_SIZE}", "model: sora-2, size: 1280x720")
        priced = client.post("/studio/v1/plan", json={"text": sora, "budget": 0.5}).json()
        assert priced["cost_usd"] == 0.8 and not priced["budget"]["allowed"]
        assert "over budget" in priced["budget"]["verdict"]
        # No reference uploads yet: a path in the brief is refused, never read from the server's disk.
        with_reference = BRIEF.replace("  - id: look\n", "  - id: look\n    input_reference: /etc/hostname.png\n")
        refused = client.post("/studio/v1/plan", json={"text": with_reference})
        assert refused.status_code == 400 and refused.json()["error"]["param"] == "shots[1].input_reference"


def test_a_run_its_takes_picks_remixes_and_cut(tmp_path: Path) -> None:
    with ServerThread(served_settings(tmp_path / "data")) as server, _client(server) as client:
        brief = client.post("/studio/v1/briefs", json={"name": "Night crossing", "text": BRIEF}).json()
        # The budget guard refuses before anything is generated; a sora-2 brief has a known price.
        sora = BRIEF.replace(f"model: {SMALL_MODEL}, size: {SMALL_SIZE}", "model: sora-2, size: 1280x720")
        client.put(f"/studio/v1/briefs/{brief['id']}", json={"text": sora})
        refused = client.post("/studio/v1/runs", json={"brief_id": brief["id"], "budget": 0.1})
        assert refused.status_code == 400 and "over budget" in refused.json()["error"]["message"]
        assert client.get("/studio/v1/runs").json()["data"] == []

        started = client.post("/studio/v1/runs", json={"brief_id": brief["id"], "version": 1, "variants": 2})
        assert started.status_code == 200, started.text
        run = _finished(client, started.json()["id"])
        assert run["status"] == "completed", run["message"]
        assert [shot["id"] for shot in run["shots"]] == ["arrival", "look"]
        arrival = run["shots"][0]
        assert [take["variant"] for take in arrival["takes"]] == [1, 2]
        assert arrival["takes"][0]["seed"] + 1 == arrival["takes"][1]["seed"]
        assert all(take["status"] == "completed" and take["job_id"] for take in arrival["takes"])
        assert [clip["seconds"] for clip in run["cut"]] == [4.0, 4.0] and run["cut"][1]["start"] == 4.0
        assert run["cut"][0]["job_id"] == arrival["takes"][0]["job_id"]
        assert set(run["downloads"]) == {"final.mp4", "timeline.otio", "timeline.edl", "contact_sheet.png", "run.json"}

        # Pick take 2 of the first shot: the cut is made again from it, nothing is generated again.
        assert client.post(f"/studio/v1/runs/{run['id']}/picks", json={"shot_id": "arrival", "variant": 2}).is_success
        picked = _finished(client, run["id"])
        assert picked["cut"][0]["job_id"] == arrival["takes"][1]["job_id"]
        assert [take["job_id"] for take in picked["shots"][0]["takes"]] == [t["job_id"] for t in arrival["takes"]]
        timeline = client.get(f"/studio/v1/runs/{run['id']}/files/timeline.otio")
        parsed = otio.adapters.read_from_string(timeline.text, "otio_json")
        assert [clip.metadata["cinebrief"]["variant"] for clip in parsed.find_clips()] == [2, 1]
        assert parsed.duration().to_seconds() == 8.0
        bad_pick = client.post(f"/studio/v1/runs/{run['id']}/picks", json={"shot_id": "arrival", "variant": 3})
        assert bad_pick.status_code == 400 and bad_pick.json()["error"]["param"] == "variant"

        # Remix one change; two changes in one are refused with the linter's rule; the lineage grows.
        source = arrival["takes"][1]["job_id"]
        two = {"video_id": source, "change": "make it night and add rain"}
        refusal = client.post(f"/studio/v1/runs/{run['id']}/remixes", json=two)
        assert refusal.status_code == 400 and "remix-changes-more-than-one-thing" in refusal.json()["error"]["message"]
        remix = client.post(
            f"/studio/v1/runs/{run['id']}/remixes", json={"video_id": source, "change": "same shot, at dusk"}
        )
        assert remix.status_code == 200 and remix.json()["remixed_from_video_id"] == source
        lineage = client.get(f"/studio/v1/runs/{run['id']}").json()["shots"][0]["lineage"]
        node = next(node for node in lineage if node["id"] == remix.json()["id"])
        assert node["parent"] == source and node["change"] == "same shot, at dusk"
        assert node["changed"] == "changed lighting"  # what the change did to the shot (the remix's record)
        assert (
            client.post(
                f"/studio/v1/runs/{run['id']}/remixes", json={"video_id": "video_x", "change": "at dusk"}
            ).status_code
            == 404
        )

        for name in ("final.mp4", "timeline.edl", "contact_sheet.png", "run.json"):
            response = client.get(f"/studio/v1/runs/{run['id']}/files/{name}")
            assert response.status_code == 200 and response.content, name
        assert client.get(f"/studio/v1/runs/{run['id']}/files/brief.yaml").status_code == 404

        # The API is in the OpenAPI document under its own prefix; the Videos API paths are as they were.
        paths = client.get("/openapi.json").json()["paths"]
        assert {"/studio/v1/briefs", "/studio/v1/runs", "/studio/v1/runs/{run_id}/events"} <= set(paths)
        assert "404" in paths["/studio/v1/runs/{run_id}"]["get"]["responses"]


@pytest.mark.parametrize("key", [None, "sk-studio-user"], ids=["no-keys", "a-keys-own-run"])
def test_a_run_goes_on_after_a_server_restart(tmp_path: Path, key: str | None) -> None:
    keys = {"api_keys": [key]} if key else {}
    settings = served_settings(tmp_path / "data", **keys)
    with ServerThread(settings) as server, _client(server, key) as client:
        brief = client.post("/studio/v1/briefs", json={"name": "Night crossing", "text": BRIEF}).json()
        run_id = client.post("/studio/v1/runs", json={"brief_id": brief["id"], "shots": ["look"]}).json()["id"]
    # A key's runs live in its own folder (the owner id, never the key); the local owner's at the top.
    home = tmp_path / "data" / "tenants" / owner_id(key) if key else tmp_path / "data"
    assert (home / "studio" / "runs" / run_id).is_dir()
    # Stopped at once: the run is left `running` with its jobs in the store; the next start resumes it.
    with ServerThread(served_settings(tmp_path / "data", **keys)) as server, _client(server, key) as client:
        run = _finished(client, run_id)
        assert run["status"] == "completed", run["message"]
        assert [shot["id"] for shot in run["shots"]] == ["look"] and len(run["cut"]) == 1
