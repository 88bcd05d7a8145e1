"""`cinebrief run` end to end with previz: the cut, the timeline, the EDL, run.json; resume after kill -9."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import av
import opentimelineio as otio
import pytest

DATA = Path(__file__).parent / "data"
BRIEF = DATA / "three-shots.yaml"
CUT = ["stall", "cook.1", "cook.2", "bowl"]


@pytest.fixture(scope="module")
def finished_run(tmp_path_factory) -> tuple[Path, object]:
    from typer.testing import CliRunner

    from cinebrief.cli.app import app

    folder = tmp_path_factory.mktemp("run")
    result = CliRunner().invoke(app, ["run", str(BRIEF), "-o", str(folder)], catch_exceptions=False)
    return folder, result


def test_run_writes_a_decodable_cut(finished_run) -> None:
    folder, result = finished_run
    assert result.exit_code == 0, result.stderr
    assert "generated 4 clip(s), reused 0" in result.stdout
    with av.open(str(folder / "final.mp4")) as container:
        video, audio = container.streams.video[0], container.streams.audio[0]
        assert (video.codec_context.width, video.codec_context.height) == (1280, 720)
        video_seconds = float(video.duration * video.time_base)
        audio_seconds = float(audio.duration * audio.time_base)
        frames = sum(1 for _ in container.decode(video=0))
    assert frames == 4 * 4 * 24
    assert video_seconds == pytest.approx(16.0, abs=1 / 24)
    assert audio_seconds == pytest.approx(16.0, abs=0.05)


def test_timeline_and_edl_read_back(finished_run) -> None:
    folder, _ = finished_run
    manifest = json.loads((folder / "run.json").read_text())
    timeline = otio.adapters.read_from_file(str(folder / "timeline.otio"))
    clips = list(timeline.tracks[0].find_clips())
    assert [clip.name for clip in clips] == CUT
    assert timeline.duration() == otio.opentime.RationalTime(16 * 24, 24)
    for clip in clips:
        assert clip.source_range.duration == otio.opentime.RationalTime(96, 24)
        metadata = clip.metadata["cinebrief"]
        record = manifest["clips"][clip.name]
        assert metadata["job_id"] == record["job_id"] and metadata["job_id"].startswith("video_")
        assert metadata["seed"] == record["seed"] and metadata["prompt"] == record["prompt"]
        assert Path(clip.media_reference.target_url.removeprefix("file://")).is_file()
    # The split shot's prompts carry the brief's style, palette and character wording in each part.
    for name in ("cook.1", "cook.2"):
        prompt = manifest["clips"][name]["prompt"]
        assert "Hong Kong night cinema" in prompt and "magenta" in prompt and "red headscarf" in prompt
    assert "tosses the noodles" in manifest["clips"]["cook.1"]["prompt"]
    assert "tosses the noodles" not in manifest["clips"]["cook.2"]["prompt"]
    edl = otio.adapters.read_from_file(str(folder / "timeline.edl"), adapter_name="cmx_3600", rate=24)
    edl_clips = list(edl.tracks[0].find_clips())
    assert len(edl_clips) == 4
    assert all(clip.source_range.duration.value == 96 for clip in edl_clips)


def test_run_json_is_complete(finished_run) -> None:
    folder, _ = finished_run
    manifest = json.loads((folder / "run.json").read_text())
    assert manifest["cut"] == CUT
    assert manifest["clips"]["bowl"]["chain_from"] == "cook.2"
    for clip_id in CUT:
        record = manifest["clips"][clip_id]
        for key in ("prompt", "model", "size", "seconds", "seed", "job_id", "sha256", "hash", "generation_seconds"):
            assert record[key] not in (None, ""), (clip_id, key)
        assert record["status"] == "completed" and record["estimated_cost_usd"] == pytest.approx(0.4)
    assert manifest["estimate"]["cost_usd"] == pytest.approx(1.6)
    assert manifest["actual"]["cost_usd"] == pytest.approx(1.6)
    assert manifest["actual"]["seconds"] > 0
    assert manifest["stitch"]["method"] == "copy" and manifest["stitch"]["frames"] == 384
    assert [finding["name"] for finding in manifest["lint"]] == ["long-clip-prefer-stitching"]
    assert (folder / "contact_sheet.png").stat().st_size > 0


def test_rerun_reuses_everything(finished_run, cli) -> None:
    folder, _ = finished_run
    result = cli("run", BRIEF, "-o", folder)
    assert result.exit_code == 0, result.stderr
    assert "generated 0 clip(s), reused 4" in result.stdout


def test_run_killed_midway_resumes_without_generating_twice(tmp_path, cli) -> None:
    folder = tmp_path / "run"
    command = [sys.executable, "-m", "cinebrief", "run", str(BRIEF), "-o", str(folder), "--concurrency", "1"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            manifest = folder / "run.json"
            if manifest.is_file():
                records = json.loads(manifest.read_text())["clips"].values()
                if sum(record.get("status") == "completed" for record in records) >= 1:
                    break
            time.sleep(0.05)
        else:
            pytest.fail("the first clip never completed")
    finally:
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
    done_before = [
        key
        for key, record in json.loads((folder / "run.json").read_text())["clips"].items()
        if record.get("status") == "completed"
    ]
    assert 1 <= len(done_before) < 4

    result = cli("run", BRIEF, "-o", folder)
    assert result.exit_code == 0, result.stderr
    manifest = json.loads((folder / "run.json").read_text())
    assert sorted(manifest["actual"]["reused"]) == sorted(done_before)
    assert sorted(manifest["actual"]["generated"] + manifest["actual"]["reused"]) == sorted(CUT)
    # One job per clip in the engine's store: nothing was generated twice.
    assert len(list((folder / ".cinebrief" / "videos").iterdir())) == 4
    with av.open(str(folder / "final.mp4")) as container:
        assert sum(1 for _ in container.decode(video=0)) == 384


def test_budget_refusal_prints_the_plan(tmp_path, cli) -> None:
    result = cli("run", BRIEF, "-o", tmp_path / "run", "--budget", "1.00")
    assert result.exit_code == 1
    assert "over budget: estimated $1.60 > budget $1.00" in result.stdout + result.stderr
    assert "cook.2" in result.stdout
    assert not (tmp_path / "run" / "clips").exists()


def test_plan_command_shows_cost_time_and_verdict(cli) -> None:
    result = cli("plan", BRIEF, "--budget", "5")
    assert result.exit_code == 0, result.stderr
    assert "estimated cost at Sora 2 list prices: $1.60" in result.stdout
    assert "previz ~" in result.stdout and "diffusers unknown" in result.stdout
    assert "within budget" in result.stdout
    result = cli("plan", BRIEF, "--no-split")
    assert "cook.1" not in result.stdout and "$0.80" in result.stdout


def test_lint_errors_stop_the_run(tmp_path, cli) -> None:
    brief = tmp_path / "bad.yaml"
    brief.write_text(BRIEF.read_text().replace("size: 1280x720", "size: 1000x1000"))
    result = cli("run", brief, "-o", tmp_path / "run")
    assert result.exit_code == 1
    assert "unsupported-size-for-model" in result.stderr
    assert "refused: the brief has" in result.stderr
    assert not (tmp_path / "run").exists()
