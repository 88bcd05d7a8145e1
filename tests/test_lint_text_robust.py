"""Any text lints without an exception, and every finding points inside the text."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import cinebrief

PIECES = st.sampled_from(
    [
        "Style: 35 mm film.", "Camera: dolly in, then pan left.", "Actions:", "- She turns.", "Dialogue:",
        '- Ana: "Go."', '- "Wait."', "<dialogue>", "</dialogue>", "Format & Look", "Sound:", "Optimized Shot List",
        "0-2.4 - \"Harbor\" (24mm, crane)", "0.00–4.00 — “Knot” (50 mm, locked-off)", "Purpose: place.",
        "A beautiful 4K street.", 'He says "hi".', "Palette anchors: teal, teal", "", "\t", "\r", "…", "😀",
        "Lighting + palette: nice lighting; palette: red", "Mara (quietly):", ":", "- ", "Ü", "İstanbul",
    ]
)  # fmt: skip


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(PIECES, st.text(max_size=40)), max_size=12))
def test_any_text_lints_and_points_inside(pieces: list[str]) -> None:
    text = "\n".join(pieces)
    lines = text.splitlines() or [""]
    for diagnostic in cinebrief.lint(text, seconds="4"):
        line, column = diagnostic.location.line, diagnostic.location.column
        if line is None:
            continue
        assert 1 <= line <= len(lines), (diagnostic, text)
        assert column is not None and 1 <= column <= len(lines[line - 1]) + 1, (diagnostic, text)


@pytest.mark.parametrize("seconds", ["", "abc", "nan", "inf", "-8", "0"])
def test_seconds_that_are_no_number_are_reported_not_a_crash(seconds: str, cli) -> None:
    """`unsupported-seconds` names the value; the budgets of the other rules read the API default."""
    text = "Actions:\n- She opens the door.\n- She steps in.\n- She drops the keys.\n- She sighs.\n- She sits."
    result = cli("lint", "--text", text, "--seconds", seconds, "--format", "json")
    assert result.exit_code == 1, result.stdout
    assert "API003" in {d["code"] for d in json.loads(result.stdout)["diagnostics"]}
