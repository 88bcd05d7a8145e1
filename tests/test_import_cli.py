"""`cinebrief import`: prompt text in, a brief out (stdout or -o), never overwriting without --force."""

from __future__ import annotations

from pathlib import Path

from cinebrief.brief import load_brief, parse_brief

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"

GUIDE_STYLE = """\
Style: Hand-painted 2D/3D hybrid animation with soft brush textures, warm tungsten lighting.

Inside a cluttered workshop, shelves overflow with gears and half-built machines.
A small round robot sits on a wooden bench, its dented body patched with mismatched plates.

Cinematography:
Camera shot: medium close-up, slow push-in
Lens: 35 mm
Lighting + palette: warm key from an overhead lamp, cool spill from the window
Palette anchors: amber, teal, brass
Mood: gentle, whimsical

Actions:
- The robot taps the bulb twice; sparks crackle.
- It flinches, dropping the bulb, eyes widening.
- Robot (whispering): "Almost... there."

Background Sound:
Rain, ticking clock, soft mechanical hum.
"""


def test_import_prints_yaml_that_loads(cli, tmp_path: Path) -> None:
    source = tmp_path / "prompt.txt"
    source.write_text(GUIDE_STYLE, encoding="utf-8")
    result = cli("import", source)
    assert result.exit_code == 0, result.output
    brief = parse_brief(result.stdout)
    shot = brief.shots[0]
    assert brief.style.startswith("Hand-painted 2D/3D hybrid animation")
    assert brief.palette == ["amber", "teal", "brass"]
    assert (shot.camera.framing, shot.camera.move, shot.camera.lens) == ("medium close-up", "slow push-in", "35 mm")
    assert shot.lighting == "warm key from an overhead lamp, cool spill from the window"
    assert shot.mood == "gentle, whimsical"
    assert shot.actions == [
        "The robot taps the bulb twice; sparks crackle.",
        "It flinches, dropping the bulb, eyes widening.",
    ]
    assert [(d.speaker, d.manner, d.line) for d in shot.dialogue] == [("Robot", "whispering", "Almost... there.")]
    assert shot.sound == "Rain, ticking clock, soft mechanical hum."
    assert shot.scene.startswith("Inside a cluttered workshop")


def test_import_from_stdin(cli) -> None:
    result = cli("import", "-", input="A fox trots over fresh snow, then stops to sniff the air.\n")
    assert result.exit_code == 0, result.output
    brief = parse_brief(result.stdout)
    assert brief.shots[0].id == "shot-1"
    assert brief.shots[0].scene == "A fox trots over fresh snow, then stops to sniff the air."


def test_import_writes_the_output_file(cli, tmp_path: Path) -> None:
    target = tmp_path / "briefs" / "robot.yaml"
    result = cli("import", "-", "-o", target, input=GUIDE_STYLE)
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert f"wrote {target}" in result.stderr
    assert load_brief(target).palette == ["amber", "teal", "brass"]


def test_import_refuses_to_overwrite_without_force(cli, tmp_path: Path) -> None:
    target = tmp_path / "brief.yaml"
    target.write_text("keep me\n", encoding="utf-8")
    result = cli("import", "-", "-o", target, input=GUIDE_STYLE)
    assert result.exit_code == 2
    assert result.stderr.strip() == f"error: {target} already exists; pass --force to replace it"
    assert target.read_text(encoding="utf-8") == "keep me\n"
    forced = cli("import", "-", "-o", target, "--force", input=GUIDE_STYLE)
    assert forced.exit_code == 0, forced.output
    assert load_brief(target).shots[0].mood == "gentle, whimsical"


def test_render_then_import_then_render_is_stable(cli, tmp_path: Path) -> None:
    for path in sorted(EXAMPLES.glob("*.yaml")):
        brief = load_brief(path)
        for shot_id in brief.shot_ids():
            for style in ("descriptive", "ultra", "light"):
                prompt = cli("render", path, "--shot", shot_id, "--style", style).stdout
                imported = cli("import", "-", input=prompt)
                assert imported.exit_code == 0, imported.output
                target = tmp_path / "again.yaml"
                target.write_text(imported.stdout, encoding="utf-8")
                again = cli("render", target, "--style", style).stdout
                assert again == prompt, (path.name, shot_id, style)


def test_import_of_empty_prompt_is_an_error(cli) -> None:
    result = cli("import", "-", input="  \n\n")
    assert result.exit_code == 2
    assert result.stderr.strip() == "error: the prompt is empty; there is nothing to read into a brief"


def test_import_of_missing_file_is_an_error(cli, tmp_path: Path) -> None:
    result = cli("import", tmp_path / "nope.txt")
    assert result.exit_code == 2
    assert result.stderr.strip().startswith("error: ") and "no such prompt file" in result.stderr
    assert "Traceback" not in result.output


def test_import_of_backwards_shot_list_entry_is_an_error(cli) -> None:
    prompt = "Optimized Shot List (1 shot / 4 s total)\n\n2.00\u20131.00 \u2014 \u201cBack\u201d (32 mm, static)\n"
    result = cli("import", "-", input=prompt)
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0] == (
        "error: line 3: shot-list entry \u201cBack\u201d: end (1.00) must be after start (2.00); "
        "shot-list entries run forward in time"
    )


def test_import_of_non_utf8_file_is_an_error(cli, tmp_path: Path) -> None:
    source = tmp_path / "latin1.txt"
    source.write_bytes("Café at dawn, steam over cups.".encode("latin-1"))
    result = cli("import", source)
    assert result.exit_code == 2
    assert "not UTF-8 text" in result.stderr
