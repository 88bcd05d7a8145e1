"""`cinebrief run --server URL` against a live `cinebrief serve` on loopback (the official SDK underneath)."""

from __future__ import annotations

import json
from pathlib import Path

import av
from openai import OpenAI

from server_harness import ServerProcess

DATA = Path(__file__).parent / "data"


def test_run_remix_and_lineage_through_a_server(tmp_path, cli) -> None:
    text = (DATA / "three-shots.yaml").read_text()
    head, rest = text.split("  - id: cook")
    brief = tmp_path / "brief.yaml"
    brief.write_text(head + "  - id: bowl" + rest.split("  - id: bowl")[1])  # stall, then bowl chained to it
    folder = tmp_path / "run"
    with ServerProcess(tmp_path / "server") as server:
        result = cli("run", brief, "-o", folder, "--server", server.url)
        assert result.exit_code == 0, result.stderr
        assert "generated 2 clip(s)" in result.stdout
        manifest = json.loads((folder / "run.json").read_text())
        assert manifest["service"] == server.url
        assert manifest["clips"]["bowl"]["chain_from"] == "stall"
        with av.open(str(folder / "final.mp4")) as container:
            assert sum(1 for _ in container.decode(video=0)) == 2 * 96
            assert container.streams.audio
        # The jobs live on the server, with the seeds and prompts the run recorded.
        client = OpenAI(base_url=server.url, api_key="unused")
        for clip_id in ("stall", "bowl"):
            video = client.videos.retrieve(manifest["clips"][clip_id]["job_id"])
            assert video.status == "completed" and video.prompt == manifest["clips"][clip_id]["prompt"]
        # Not a single clip is generated again on a re-run against the same server.
        result = cli("run", brief, "-o", folder, "--server", server.url)
        assert "generated 0 clip(s), reused 2" in result.stdout

        source = manifest["clips"]["stall"]["job_id"]
        result = cli("remix", source, "--change", "same shot, switch to 85 mm", "--server", server.url, "--dir", folder)
        assert result.exit_code == 0, result.stderr
        remix_id = result.stdout.split()[0]
        assert client.videos.retrieve(remix_id).remixed_from_video_id == source
        result = cli("lineage", remix_id, "--server", server.url, "--dir", folder)
        assert result.exit_code == 0, result.stderr
        lines = result.stdout.splitlines()
        assert lines[0].startswith(source) and remix_id in lines[1] and "85 mm" in lines[1]
