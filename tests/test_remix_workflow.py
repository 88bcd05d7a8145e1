"""Remix one change at a time (by video id and by brief shot diff), the lineage tree, variants and compare."""

from __future__ import annotations

import json
from pathlib import Path

import av
import pytest
from PIL import Image

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def one_shot_run(tmp_path_factory) -> tuple[Path, Path]:
    """A one-shot brief run with two variants, picked to variant 2."""
    from typer.testing import CliRunner

    from cinebrief.cli.app import app

    folder = tmp_path_factory.mktemp("remix")
    text = (DATA / "three-shots.yaml").read_text()
    brief = folder / "brief.yaml"
    brief.write_text(text.split("  - id: cook")[0])  # the first shot only
    result = CliRunner().invoke(
        app, ["run", str(brief), "-o", str(folder), "--variants", "2", "--pick", "stall=2"], catch_exceptions=False
    )
    assert result.exit_code == 0, result.stderr
    return folder, brief


def _manifest(folder: Path) -> dict:
    return json.loads((folder / "run.json").read_text())


def test_variants_are_generated_and_the_pick_goes_into_the_cut(one_shot_run) -> None:
    folder, _ = one_shot_run
    manifest = _manifest(folder)
    assert set(manifest["clips"]) == {"stall", "stall~v2"}
    assert manifest["clips"]["stall~v2"]["seed"] == manifest["clips"]["stall"]["seed"] + 1
    assert manifest["cut"] == ["stall~v2"]
    assert manifest["clips"]["stall~v2"]["sha256"] != manifest["clips"]["stall"]["sha256"]


def test_compare_writes_a_grid_video_and_a_sheet(one_shot_run, cli) -> None:
    folder, _ = one_shot_run
    manifest = _manifest(folder)
    ids = [manifest["clips"][name]["job_id"] for name in ("stall", "stall~v2")]
    result = cli("compare", *ids, "-o", folder / "compare", "--dir", folder)
    assert result.exit_code == 0, result.stderr
    with av.open(str(folder / "compare" / "compare.mp4")) as container:
        stream = container.streams.video[0]
        assert (stream.codec_context.width, stream.codec_context.height) == (1280, 360 + 24)
        assert sum(1 for _ in container.decode(video=0)) == 96
        assert container.streams.audio
    with Image.open(folder / "compare" / "compare.png") as sheet:
        assert sheet.format == "PNG" and sheet.width > 2 * 320


def test_remix_by_shot_diff_refuses_two_changes_and_accepts_one(one_shot_run, cli) -> None:
    folder, brief = one_shot_run
    original = brief.read_text()
    source = _manifest(folder)["clips"]["stall~v2"]["job_id"]

    brief.write_text(original.replace("lens: 32 mm", "lens: 85 mm").replace("slow dolly left", "static"))
    result = cli("remix", "--brief", brief, "--shot", "stall", "--dir", folder)
    assert result.exit_code == 2
    assert "changes 2 things" in result.stderr
    assert "camera.lens: '32 mm' → '85 mm'" in result.stderr and "camera.move" in result.stderr

    brief.write_text(original.replace("lens: 32 mm", "lens: 85 mm"))
    result = cli("remix", "--brief", brief, "--shot", "stall", "--dir", folder)
    assert result.exit_code == 0, result.stderr
    assert f"completed (remix of {source}): Same shot; change the camera lens to 85 mm." in result.stdout
    remix_id = result.stdout.split()[0]

    result = cli("remix", "--brief", brief, "--shot", "stall", "--dir", folder)
    assert result.exit_code == 2 and "nothing changed" in result.stderr

    result = cli("remix", remix_id, "--change", "same shot, dusk light", "--change", "add rain", "--dir", folder)
    assert result.exit_code == 2 and "changes 2 things" in result.stderr
    result = cli("remix", remix_id, "--change", "make it night, add rain and switch to 85 mm", "--dir", folder)
    assert result.exit_code == 2 and "remix-changes-more-than-one-thing" in result.stderr
    result = cli("remix", remix_id, "--change", "same shot, switch to dusk light", "--dir", folder)
    assert result.exit_code == 0, result.stderr
    grandchild = result.stdout.split()[0]

    result = cli("lineage", grandchild, "--dir", folder)
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith(source) and "[stall]" in lines[0]
    # Each remix: its change, and on the next line what the change did to the shot.
    assert remix_id in lines[1] and "camera lens to 85 mm" in lines[1] and "(changed framing, lens)" in lines[2]
    assert grandchild in lines[3] and "dusk light" in lines[3] and "<- this video" in lines[3]
    assert "(changed lighting)" in lines[4]


def test_remix_unknown_video_is_not_found(one_shot_run, cli) -> None:
    folder, _ = one_shot_run
    result = cli("remix", "video_0000", "--change", "same shot, 85 mm", "--dir", folder)
    assert result.exit_code == 2
    assert "No video found with id 'video_0000'" in result.stderr
