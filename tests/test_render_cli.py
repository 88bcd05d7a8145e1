"""`cinebrief render` through the CLI: layouts, JSON, shot selection, contract and reference-image checks."""

from __future__ import annotations

import io
import json
import re
import struct
import zlib
from pathlib import Path

import pytest
from PIL import Image

from cinebrief.prompts.labels import ULTRA_HEADERS

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
FORBIDDEN_IN_PROSE = re.compile(r"\b(sora-2(-pro)?|1280x720|720x1280|1792x1024|1024x1792|\d+-second|4k|1080p)\b", re.I)

BRIEF = """\
schema: cinebrief.brief/1
defaults: {{model: {model}, size: {size}, seconds: "4"}}
style: grainy 16 mm travelogue
palette: [ochre, slate, off-white]
shots:
  - id: one
    scene: A tram rattles past a bakery at dawn.
    camera: {{framing: wide shot, move: static}}
    {reference}
"""


def write_brief(tmp_path: Path, *, model: str = "sora-2", size: str = "1280x720", reference: str = "") -> Path:
    text = BRIEF.format(model=model, size=size, reference=f"input_reference: {reference}" if reference else "")
    path = tmp_path / "brief.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def one_error_line(result) -> str:
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    return lines[0]


def png_bytes(size: tuple[int, int]) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 120, 40)).save(buffer, format="PNG")
    return buffer.getvalue()


def png_header_only(width: int, height: int) -> bytes:
    """A PNG whose header claims `width` x `height`: a decompression bomb without allocating the image."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"")) + chunk(b"IEND", b"")


# --- layouts ----------------------------------------------------------------------------------------


def test_descriptive_block_order_and_labels(cli) -> None:
    result = cli("render", EXAMPLES / "radio-repair.yaml", "--style", "descriptive")
    assert result.exit_code == 0, result.output
    text = result.stdout
    order = ["Style: ", "Ines: radio repairer", "Cinematography:\n", "Actions:\n", "Dialogue:\n", "Background Sound:\n"]
    positions = [text.index(label) for label in order]
    assert positions == sorted(positions)
    cinematography = ["Camera shot: medium two-shot, eye level", "Camera: locked-off", "Lens: 50 mm"]
    cinematography += ["Depth of field: deep focus", "Lighting + palette: soft window light", "Palette anchors: walnut"]
    cinematography += ["Mood: wary, then warm"]
    positions = [text.index(line) for line in cinematography]
    assert positions == sorted(positions)
    assert '- Dev: "It was my grandad\'s. Can you save it?"' in text
    assert '- Ines (laughing): "Then it\'s tougher than you."' in text
    assert not FORBIDDEN_IN_PROSE.search(text)


def test_character_descriptions_reused_verbatim_in_every_shot(cli) -> None:
    result = cli("render", EXAMPLES / "ferry-sequence.yaml", "--format", "json")
    shots = json.loads(result.stdout)["shots"]
    noor = "Noor: harbour pilot in a yellow oilskin jacket and a grey knitted cap"
    assert [noor in shot["prompt"] for shot in shots] == [False, True, True]


def test_style_and_palette_repeated_in_every_shot(cli) -> None:
    for style in ("descriptive", "ultra", "light"):
        result = cli("render", EXAMPLES / "ferry-sequence.yaml", "--format", "json", "--style", style)
        assert result.exit_code == 0, result.output
        shots = json.loads(result.stdout)["shots"]
        assert len(shots) == 3
        for shot in shots:
            assert "naturalistic 35 mm coastal drama" in shot["prompt"].casefold()
            assert "slate grey, oilskin yellow, rust orange, sea green" in shot["prompt"]


def test_ultra_headers_in_the_guides_order_without_colons(cli) -> None:
    result = cli("render", EXAMPLES / "noodle-stall.yaml", "--style", "ultra")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    headers = [text for _, text in ULTRA_HEADERS if text != "Optimized Shot List"]
    found = [lines.index(header) for header in headers]
    shot_list = next(i for i, line in enumerate(lines) if line.startswith("Optimized Shot List"))
    found.insert(7, shot_list)
    assert found == sorted(found)
    assert lines[shot_list] == "Optimized Shot List (3 shots / 8 s total)"
    assert "0.00\u20133.20 \u2014 \u201cDough\u201d (40 mm, shoulder-mounted slow push-in)" in lines
    assert "3.20\u20136.00 \u2014 \u201cInto the Pot\u201d (75 mm, locked-off)" in lines
    description = lines[
        lines.index("6.00\u20138.00 \u2014 \u201cLift\u201d (40 mm, shoulder-mounted slow push-in)") + 1
    ]
    assert description.endswith("Purpose: release, and a human beat to end on")
    for sub_label in ("Highlights: ", "Mids: ", "Blacks: ", "Bounce: ", "Practical: ", "Atmos: ", "Foreground: "):
        assert any(line.startswith(sub_label) for line in lines), sub_label
    for sub_label in ("Midground: ", "Background: ", "Main subject: ", "Extras: ", "Props: ", "Diegetic only: "):
        assert any(line.startswith(sub_label) for line in lines), sub_label
    assert "Mix: boiling stock forward, the scooter as a passing accent" in lines
    assert any(line.startswith("Poster frame: ") for line in lines)
    assert "Avoid readable signage or brand logos" in lines
    assert "Duration 8s" in result.stdout  # equal to seconds, so allowed in Format & Look
    assert not any(line.endswith(f"{header}:") for line in lines for header in headers)


def test_auto_style_picks_ultra_for_detailed_shots(cli) -> None:
    assert "Format & Look" in cli("render", EXAMPLES / "noodle-stall.yaml").stdout
    assert "Cinematography:" in cli("render", EXAMPLES / "lamp-room.yaml").stdout


def test_light_is_one_paragraph(cli) -> None:
    result = cli("render", EXAMPLES / "radio-repair.yaml", "--style", "light")
    assert result.exit_code == 0
    text = result.stdout.strip()
    assert "\n" not in text
    assert text.startswith("Warm 1980s television drama on 16 mm")
    assert 'Ines says laughing: "Then it\'s tougher than you."' in text
    assert "Palette: walnut brown, mustard, teal, cream." in text


def test_every_example_renders_in_every_style(cli) -> None:
    for path in sorted(EXAMPLES.glob("*.yaml")):
        for style in ("descriptive", "ultra", "light"):
            result = cli("render", path, "--style", style)
            assert result.exit_code == 0, (path.name, style, result.output)
            assert result.stdout.strip()
            prose = "\n".join(line for line in result.stdout.splitlines() if not line.startswith("=== "))
            assert not FORBIDDEN_IN_PROSE.search(prose), (path.name, style)


# --- selection and JSON ------------------------------------------------------------------------------


def test_shot_option_renders_one_shot(cli) -> None:
    result = cli("render", EXAMPLES / "ferry-sequence.yaml", "--shot", "nod")
    assert result.exit_code == 0
    assert "===" not in result.stdout
    assert "Camera shot: close-up, eye level" in result.stdout
    assert "Camera: slow crane down" not in result.stdout


def test_several_shots_are_headed_by_id_and_parameters(cli) -> None:
    result = cli("render", EXAMPLES / "ferry-sequence.yaml")
    heads = [line for line in result.stdout.splitlines() if line.startswith("===")]
    assert heads == [
        "=== pier (sora-2, 1280x720, 4 s) ===",
        "=== rope (sora-2, 1280x720, 4 s) ===",
        "=== nod (sora-2, 1280x720, 4 s) ===",
    ]


def test_unknown_shot_names_the_shots(cli) -> None:
    line = one_error_line(cli("render", EXAMPLES / "ferry-sequence.yaml", "--shot", "dock"))
    assert "no shot 'dock'" in line and "pier, rope, nod" in line


def test_json_has_prompt_and_parameters(cli) -> None:
    result = cli("render", EXAMPLES / "ferry-sequence.yaml", "--format", "json")
    data = json.loads(result.stdout)
    first = data["shots"][0]
    assert set(first) == {"id", "prompt", "model", "size", "seconds", "input_reference"}
    assert (first["id"], first["model"], first["size"], first["seconds"]) == ("pier", "sora-2", "1280x720", "4")
    assert first["input_reference"].endswith("refs/pier.png")
    assert data["shots"][1]["input_reference"] is None


def test_api_defaults_fill_what_the_brief_leaves_out(cli, tmp_path: Path) -> None:
    path = tmp_path / "bare.yaml"
    path.write_text("shots:\n  - id: a\n    scene: A kite climbs over a windy ridge.\n", encoding="utf-8")
    result = cli("render", path, "--format", "json")
    shot = json.loads(result.stdout)["shots"][0]
    assert (shot["model"], shot["size"], shot["seconds"]) == ("sora-2", "720x1280", "4")


# --- the contract ------------------------------------------------------------------------------------


def test_sora_2_with_a_pro_size_is_refused(cli, tmp_path: Path) -> None:
    line = one_error_line(cli("render", write_brief(tmp_path, size="1792x1024")))
    assert "'1792x1024' is not supported by model 'sora-2'" in line
    assert "'1280x720' and '720x1280'" in line


def test_sora_2_pro_accepts_the_pro_size(cli, tmp_path: Path) -> None:
    result = cli("render", write_brief(tmp_path, model="sora-2-pro", size="1792x1024"))
    assert result.exit_code == 0, result.output


def test_misspelt_sora_model_is_refused(cli, tmp_path: Path) -> None:
    line = one_error_line(cli("render", write_brief(tmp_path, model="sora-2-por")))
    assert "Invalid value: 'sora-2-por'. Supported values are: 'sora-2', 'sora-2-pro'" in line


def test_self_hosted_model_is_left_to_its_backend(cli, tmp_path: Path) -> None:
    result = cli("render", write_brief(tmp_path, model="wan-2.1-t2v", size="832x480"), "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["shots"][0]["size"] == "832x480"


def test_extended_profile_allows_1080p_for_pro(cli, tmp_path: Path) -> None:
    path = write_brief(tmp_path, model="sora-2-pro", size="1920x1080")
    one_error_line(cli("render", path))
    assert cli("render", path, "--profile", "extended").exit_code == 0


# --- reference images --------------------------------------------------------------------------------


def test_reference_at_the_exact_size_is_accepted(cli, tmp_path: Path) -> None:
    (tmp_path / "still.png").write_bytes(png_bytes((1280, 720)))
    result = cli("render", write_brief(tmp_path, reference="still.png"), "--format", "json")
    assert result.exit_code == 0, result.output


def test_gif_named_png_is_refused(cli, tmp_path: Path) -> None:
    buffer = io.BytesIO()
    Image.new("RGB", (1280, 720), (10, 20, 30)).save(buffer, format="GIF")
    (tmp_path / "still.png").write_bytes(buffer.getvalue())
    line = one_error_line(cli("render", write_brief(tmp_path, reference="still.png")))
    assert "'still.png' is a GIF image" in line and "image/png" in line


def test_png_of_the_wrong_size_is_refused(cli, tmp_path: Path) -> None:
    (tmp_path / "still.png").write_bytes(png_bytes((1024, 1024)))
    line = one_error_line(cli("render", write_brief(tmp_path, reference="still.png")))
    assert "1024x1024" in line and "1280x720" in line


def test_decompression_bomb_header_is_refused_without_decoding(cli, tmp_path: Path) -> None:
    (tmp_path / "bomb.png").write_bytes(png_header_only(30000, 30000))
    line = one_error_line(cli("render", write_brief(tmp_path, reference="bomb.png")))
    assert "30000x30000" in line and "will not be decoded" in line


def test_missing_reference_file(cli, tmp_path: Path) -> None:
    line = one_error_line(cli("render", write_brief(tmp_path, reference="nowhere.png")))
    assert "no such file 'nowhere.png'" in line


@pytest.mark.parametrize("style", ["descriptive", "ultra", "light"])
def test_example_reference_image_is_small_and_exact(style: str, cli) -> None:
    image_path = EXAMPLES / "refs" / "pier.png"
    assert image_path.stat().st_size < 100_000
    with Image.open(image_path) as image:
        assert image.size == (1280, 720) and image.format == "PNG"
    assert cli("render", EXAMPLES / "ferry-sequence.yaml", "--shot", "pier", "--style", style).exit_code == 0


def test_unknown_style_is_a_usage_error(cli) -> None:
    result = cli("render", EXAMPLES / "lamp-room.yaml", "--style", "fancy")
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert "fancy" in result.output


def test_public_surface_of_prompts() -> None:
    import cinebrief.prompts as prompts

    assert sorted(prompts.__all__) == sorted(
        ["STYLES", "ShotRequest", "Style", "parse_prompt", "render_brief", "render_shot", "shot_request"]
    )
    assert prompts.STYLES == ("auto", "descriptive", "ultra", "light")
