"""Bad briefs through the front door: each is one line on stderr, `file:line:col`, exit code 2, no traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from cinebrief.brief import dump_brief, load_brief, parse_brief

GOOD = """\
schema: cinebrief.brief/1
defaults: {model: sora-2, size: 1280x720, seconds: "4"}
style: grainy 16 mm travelogue
palette: [ochre, slate, off-white]
shots:
  - id: one
    scene: A tram rattles past a bakery at dawn.
    camera: {framing: wide shot, move: static}
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "brief.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def one_error_line(result) -> str:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    return lines[0]


def test_good_brief_renders(cli, tmp_path: Path) -> None:
    result = cli("render", write(tmp_path, GOOD))
    assert result.exit_code == 0, result.output
    assert "A tram rattles past a bakery at dawn." in result.stdout


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("shots: [\n  - id: one\n", "invalid YAML", id="invalid-yaml"),
        pytest.param(
            GOOD.replace("camera: {framing", "camra: {framing"),
            "brief.yaml:8:5: shots[0].camra: unknown key 'camra'; did you mean 'camera'?",
            id="misspelt-key",
        ),
        pytest.param(GOOD.replace('seconds: "4"', 'seconds: "10"'), "defaults.seconds: '10'", id="seconds-10"),
        pytest.param(GOOD.replace('seconds: "4"', "seconds: 4"), 'quote it: seconds: "4"', id="seconds-unquoted"),
        pytest.param(GOOD.split("shots:")[0] + "shots: []\n", "a brief needs at least one shot", id="no-shots"),
        pytest.param(
            GOOD + "    detail:\n      shot_list:\n        - {start: 2.0, end: 1.5, title: Back}\n",
            "end (1.50) must be after start (2.00)",
            id="shot-list-end-before-start",
        ),
    ],
)
def test_bad_brief_is_one_line_error(cli, tmp_path: Path, text: str, expected: str) -> None:
    line = one_error_line(cli("render", write(tmp_path, text)))
    assert expected in line
    assert "brief.yaml:" in line


def test_seconds_10_names_the_allowed_values(cli, tmp_path: Path) -> None:
    line = one_error_line(cli("render", write(tmp_path, GOOD.replace('seconds: "4"', 'seconds: "10"'))))
    assert "defaults.seconds" in line and "'10'" in line and "'4'" in line and "'8'" in line and "'12'" in line


def test_seconds_unquoted_points_at_the_value(cli, tmp_path: Path) -> None:
    line = one_error_line(cli("render", write(tmp_path, GOOD.replace('seconds: "4"', "seconds: 4"))))
    assert line.startswith("error: ") and "brief.yaml:2:" in line and "defaults.seconds" in line


def test_invalid_yaml_has_line_and_column(cli, tmp_path: Path) -> None:
    line = one_error_line(cli("render", write(tmp_path, "style: [unclosed\nshots: []\n")))
    assert "brief.yaml:" in line and "invalid YAML" in line


def test_missing_brief_file(cli, tmp_path: Path) -> None:
    line = one_error_line(cli("render", tmp_path / "nope.yaml"))
    assert "no such brief file" in line


def test_all_problems_are_reported_at_once(cli, tmp_path: Path) -> None:
    text = GOOD.replace("camera: {framing", "camra: {framing").replace('seconds: "4"', "seconds: 4")
    result = cli("render", write(tmp_path, text))
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 2 and all(line.startswith("error: ") for line in lines)
    assert "defaults.seconds" in lines[0] and "camra" in lines[1]


def test_dump_brief_reads_back_equal(tmp_path: Path) -> None:
    for path in sorted((Path(__file__).parent.parent / "examples").glob("*.yaml")):
        brief = load_brief(path)
        text = dump_brief(brief)
        assert text.startswith("schema: cinebrief.brief/1\n")
        assert parse_brief(text) == brief, path.name


def test_dump_brief_keeps_seconds_a_string() -> None:
    text = dump_brief(parse_brief(GOOD))
    assert "seconds: '4'" in text or 'seconds: "4"' in text
