"""`python -m cinebrief.demo` (what `make demo` runs): prompts, lint findings, one animatic, one full run."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import av

from cinebrief.brief import load_brief

ROOT = Path(__file__).resolve().parent.parent


def test_demo_runs_the_main_job(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "cinebrief.demo"], cwd=tmp_path, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    examples = sorted((ROOT / "examples").glob("*.yaml"))
    assert len(examples) >= 4
    for path in examples:
        assert f"# {path.name}" in result.stdout
        brief = load_brief(path)
        for shot in brief.shots:
            assert shot.scene is None or shot.scene.split(".")[0] in result.stdout
    assert "2. Lint findings" in result.stdout
    assert "Optimized Shot List (3 shots / 8 s total)" in result.stdout

    preview = tmp_path / "demo-output" / "lamp-room.mp4"
    final = tmp_path / "demo-output" / "ferry" / "final.mp4"
    assert f"final cut: {final}" in result.stdout
    for name in ("timeline.otio", "timeline.edl", "run.json", "contact_sheet.png"):
        assert (final.parent / name).stat().st_size > 0
    with av.open(str(preview)) as container:
        assert container.streams.video[0].frames == 96
    with av.open(str(final)) as container:
        assert container.streams.video[0].frames == 3 * 96
        assert container.streams.audio
