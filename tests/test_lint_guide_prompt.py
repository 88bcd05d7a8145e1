"""A prompt written the way the prompting guide writes them, linted through the CLI: a subject introduced with
its details in the scene is not "unanchored" when the actions refer to it as "the robot" or "it"."""

from __future__ import annotations

import json
from pathlib import Path

GUIDE_PROMPT = """\
Style: Hand-painted 2D/3D hybrid animation with soft brush textures, warm tungsten lighting, and a tactile, \
stop-motion feel.

Inside a cluttered workshop, shelves overflow with gears, bolts, and yellowing blueprints. At the center, a small \
round robot sits on a wooden bench, its dented body patched with mismatched plates.

Cinematography:
Camera: medium close-up, slow push-in with gentle parallax from hanging tools
Lens: 35 mm virtual lens; shallow depth of field
Lighting: warm key from overhead practical; cool spill from window for contrast
Mood: gentle, whimsical, a touch of suspense

Actions:
- The robot taps the bulb; sparks crackle.
- It flinches, dropping the bulb, eyes widening.
- The bulb tumbles in slow motion; it catches it just in time.
- Robot says quietly: "Almost lost it… but I got it!"

Background Sound:
Rain, ticking clock, soft mechanical hum, faint bulb sizzle.
"""


def _names(cli, *args: str, text: str | None = None) -> list[str]:
    result = cli("lint", *args, "--format", "json", input=text)
    return [item["name"] for item in json.loads(result.stdout)["diagnostics"]]


def test_subject_introduced_in_the_scene_anchors_later_mentions(cli, tmp_path: Path) -> None:
    prompt = tmp_path / "robot.txt"
    prompt.write_text(GUIDE_PROMPT, encoding="utf-8")
    names = _names(cli, str(prompt), "--seconds", "4")
    assert "subject-unanchored" not in names
    assert "missing-palette-anchors" in names  # the prompt really names no palette


def test_the_anchor_may_come_after_the_bare_mention(cli) -> None:
    text = "The dog waits by the gate. Close-up: a scruffy grey dog with a torn red collar, rain on its fur."
    assert "subject-unanchored" not in _names(cli, "-", text=text)


def test_bare_subjects_are_still_found(cli) -> None:
    assert "subject-unanchored" in _names(cli, "-", text="A man enters a bar.")
    assert "subject-unanchored" in _names(cli, "-", text="A man enters a bar. The man orders a drink.")
    # Another subject's details do not anchor this one.
    text = "A tall woman in a green coat waits. A man enters the bar."
    assert "subject-unanchored" in _names(cli, "-", text=text)
