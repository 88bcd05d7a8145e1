"""`python -m cinebrief.demo` prints the rendered prompt of every example shot."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from cinebrief.brief import load_brief

ROOT = Path(__file__).resolve().parent.parent


def test_demo_prints_every_example_shot(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "cinebrief.demo"], cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    examples = sorted((ROOT / "examples").glob("*.yaml"))
    assert len(examples) >= 4
    for path in examples:
        brief = load_brief(path)
        assert f"# {path.name}: {brief.title}" in result.stdout
        for shot in brief.shots:
            assert f"\n## {shot.id}: " in result.stdout
    assert "input_reference pier.png" in result.stdout
    assert "Optimized Shot List (3 shots / 8 s total)" in result.stdout
