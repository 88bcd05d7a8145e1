"""Models a server routes beyond the Sora profile (a local `wan-ti2v`) are known to the linter and to `run`."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx

from server_harness import ServerThread
from server_models import served_settings

BRIEF = """\
schema: cinebrief.brief/1
mode: explore
defaults: {model: studio-wan, size: 640x360, seconds: "4"}
style: 16 mm documentary, soft grain
palette: [moss green, slate, bone white]
shots:
  - id: kite
    scene: A red kite climbs over a windy ridge.
    camera: {framing: wide shot, move: static}
    lighting: flat overcast light
"""


def lint(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "cinebrief", "lint", *args]
    return subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=60)


def test_lint_knows_the_models_the_settings_route(tmp_path: Path) -> None:
    (tmp_path / "brief.yaml").write_text(BRIEF)
    unknown = lint(tmp_path, "brief.yaml", "--select", "API")
    assert unknown.returncode == 1
    assert "API001" in unknown.stdout and "not a Videos API model or a configured model" in unknown.stdout

    (tmp_path / "cinebrief.toml").write_text('[models."studio-wan"]\nbackend = "previz"\n')
    served = lint(tmp_path, "brief.yaml", "--select", "API")
    assert served.returncode == 0, served.stdout + served.stderr

    (tmp_path / "brief.yaml").write_text(BRIEF.replace("640x360", "641x361"))
    odd = lint(tmp_path, "brief.yaml", "--select", "API")
    assert odd.returncode == 1
    assert "size '641x361' is not supported by model 'studio-wan' (backend previz)" in odd.stdout


def test_run_lints_against_the_server_models(tmp_path: Path, cli) -> None:
    (tmp_path / "brief.yaml").write_text(BRIEF)
    settings = served_settings(tmp_path / "server", models={"studio-wan": {"backend": "previz"}})
    with ServerThread(settings) as server:
        response = httpx.post(f"{server.url}/lint", json={"brief": BRIEF, "select": ["API"]})
        assert response.json()["diagnostics"] == []
        result = cli("run", tmp_path / "brief.yaml", "-o", tmp_path / "cut", "--server", server.url)
    assert result.exit_code == 0, result.stderr
    assert (tmp_path / "cut" / "final.mp4").stat().st_size > 0
