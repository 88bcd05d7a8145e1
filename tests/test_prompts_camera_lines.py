"""`cinebrief import` of ``Camera:`` and ``Lens:`` lines as the prompting guide writes them: a leading shot type or
angle goes to framing/angle and the move stays the move; a depth-of-field clause after the lens goes to focus.
The parsed brief renders to a prompt that parses back to the same brief."""

from __future__ import annotations

import pytest

from cinebrief.brief import parse_brief
from cinebrief.prompts import parse_prompt, render_shot

GUIDE_PROMPT = """\
Style: Hand-painted 2D/3D hybrid animation with soft brush textures, warm tungsten lighting.

Inside a cluttered workshop, a small round robot sits on a wooden bench, its dented body patched with plates.

Cinematography:
Camera: medium close-up, slow push-in with gentle parallax from hanging tools
Lens: 35 mm virtual lens; shallow depth of field
Lighting: warm key from overhead practical; cool spill from window for contrast

Actions:
- The robot taps the bulb; sparks crackle.

Background Sound:
Rain, ticking clock, soft mechanical hum, faint bulb sizzle.
"""


def test_import_splits_the_guides_camera_and_lens_lines(cli) -> None:
    result = cli("import", "-", input=GUIDE_PROMPT)
    assert result.exit_code == 0, result.output
    camera = parse_brief(result.stdout).shots[0].camera
    assert camera.framing == "medium close-up"
    assert camera.angle is None
    assert camera.move == "slow push-in with gentle parallax from hanging tools"
    assert camera.lens == "35 mm virtual lens"
    assert camera.focus == "shallow depth of field"


@pytest.mark.parametrize(
    ("line", "framing", "angle", "move"),
    [
        ("Camera: wide shot, low angle", "wide shot", "low angle", None),
        ("Camera: close-up; eye level; slow push-in", "close-up", "eye level", "slow push-in"),
        ("Camera: wide angle shot, high angle, crane up", "wide angle shot", "high angle", "crane up"),
        ("Camera: slow dolly left", None, None, "slow dolly left"),
        ("Camera: handheld, medium shot", None, None, "handheld, medium shot"),  # the move comes first: kept whole
        ("Camera: 35 mm, slow pan", None, None, "35 mm, slow pan"),
        ("Camera: low-angle tracking shot", None, None, "low-angle tracking shot"),  # a move: not split
    ],
)
def test_camera_line(cli, line: str, framing: str | None, angle: str | None, move: str | None) -> None:
    result = cli("import", "-", input=f"A red kite over the dunes.\n{line}\n")
    assert result.exit_code == 0, result.output
    camera = parse_brief(result.stdout).shots[0].camera
    assert (camera.framing, camera.angle, camera.move) == (framing, angle, move)


@pytest.mark.parametrize(
    ("line", "lens", "focus"),
    [
        ("Lens: 50 mm", "50 mm", None),
        ("Lens: 85 mm, f/1.4, shallow focus, bokeh", "85 mm, f/1.4", "shallow focus, bokeh"),
        ("Lens: shallow depth of field", None, "shallow depth of field"),
        ("Lens: 24 mm anamorphic", "24 mm anamorphic", None),
    ],
)
def test_lens_line(cli, line: str, lens: str | None, focus: str | None) -> None:
    result = cli("import", "-", input=f"A red kite over the dunes.\n{line}\n")
    assert result.exit_code == 0, result.output
    camera = parse_brief(result.stdout).shots[0].camera
    assert (camera.lens, camera.focus) == (lens, focus)


@pytest.mark.parametrize("style", ["descriptive", "ultra"])
def test_the_split_brief_renders_and_parses_back_the_same(style: str) -> None:
    brief = parse_prompt(GUIDE_PROMPT)
    text = render_shot(brief, brief.shots[0], style)
    again = parse_prompt(text)
    assert again.shots[0].camera == brief.shots[0].camera
    assert render_shot(again, again.shots[0], style) == text
