"""`cinebrief generate` through the CLI: what it writes, and how it refuses bad input."""

from __future__ import annotations

import io
import re
import struct
import zlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from cinebrief.contract.profile import STANDARD, check_prompt
from cinebrief.errors import ContractError
from cinebrief.media import probe, read_frames

BRIEF = """
schema: cinebrief.brief/1
defaults: {model: sora-2, size: 1280x720, seconds: "4"}
palette: [sodium orange, jade green, steel grey]
characters:
  - {name: Cook, description: noodle cook in a white vest and red headband}
shots:
  - id: last-orders
    seed: 5
    scene: A narrow night-market alley, one noodle stall lit under an awning.
    camera: {framing: medium close-up, move: slow push-in, lens: 40 mm}
    lighting: bare sodium bulb overhead, jade neon spill from camera left
    actions: [Cook stretches the dough, Cook drops the noodles into the pot]
    dialogue: [{speaker: Cook, line: "Last bowl tonight."}]
    sound: stock bubbling, a scooter passing
  - id: second
    scene: The alley, empty.
"""


def png(width: int, height: int, colour: tuple[int, int, int] = (200, 120, 40)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(buffer, format="PNG")
    return buffer.getvalue()


def bomb_png(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims a huge picture (a decompression bomb)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b"")
    )


@pytest.fixture
def brief_file(tmp_path: Path) -> Path:
    path = tmp_path / "brief.yaml"
    path.write_text(BRIEF)
    return path


def outputs(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_prompt_to_mp4_with_sidecars(cli, tmp_path: Path) -> None:
    out = tmp_path / "out.mp4"
    result = cli("generate", "A lighthouse keeper climbs the stairs at dusk. Slow push-in.", "-o", out, "--seed", "2")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip() == str(out)
    info = probe(out)
    assert (info.width, info.height, info.frames) == (720, 1280, 96)  # the contract's defaults
    assert abs(info.audio_duration - info.video_duration) < 0.05
    assert outputs(tmp_path) == ["out.mp4", "out.spritesheet.jpg", "out.thumbnail.webp"]
    with Image.open(tmp_path / "out.thumbnail.webp") as thumbnail:
        assert thumbnail.size == (720, 1280)


@pytest.mark.parametrize("terminal", [False, True])
def test_progress_is_a_bar_on_a_terminal_and_one_line_elsewhere(
    cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, terminal: bool
) -> None:
    """A log or a pipe gets one line with the time taken, not a bar redrawn ten times a second."""
    monkeypatch.setenv("TTY_COMPATIBLE", "1" if terminal else "0")  # rich's switch: is stderr a terminal
    result = cli("generate", "A lighthouse at dusk.", "-o", tmp_path / "out.mp4", "--seconds", "4")
    assert result.exit_code == 0, result.stderr
    assert ("━" in result.stderr) is terminal
    assert bool(re.search(r"^previz 720x1280 4s: done in \d+\.\d s$", result.stderr, re.MULTILINE)) is not terminal


def test_brief_shot_with_a_fitted_reference(cli, tmp_path: Path, brief_file: Path) -> None:
    reference = tmp_path / "still.png"
    reference.write_bytes(png(640, 480))
    out = tmp_path / "clip.mp4"
    refused = cli("generate", "--brief", brief_file, "--shot", "last-orders", "--input-reference", reference, "-o", out)
    assert refused.exit_code == 2
    assert "640x480" in refused.stderr and "1280x720" in refused.stderr
    assert not out.exists()
    result = cli(
        "generate", "--brief", brief_file, "--shot", "last-orders", "--input-reference", reference,
        "--fit", "cover", "-o", out,
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert "fit: cover-cropped 640x480 to 1280x720" in result.stderr
    assert (probe(out).width, probe(out).height) == (1280, 720)
    first = read_frames(out, [0])[0].astype(np.float32)
    assert np.abs(first - np.array([200, 120, 40], np.float32)).mean() < 6, "the fitted reference is frame 0"


def contract_message(**parameters: object) -> str:
    with pytest.raises(ContractError) as caught:
        STANDARD.check(**parameters)  # type: ignore[arg-type]
    return str(caught.value)


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        (["--size", "1792x1024"], contract_message(model="sora-2", size="1792x1024", seconds="4")),
        (["--seconds", "5"], contract_message(model="sora-2", size="720x1280", seconds="5")),
        (["--model", "sora-3"], contract_message(model="sora-3", size="720x1280", seconds="4")),
    ],
)
def test_contract_errors_are_the_contracts_own(cli, tmp_path: Path, arguments: list[str], expected: str) -> None:
    result = cli("generate", "a quiet street", "-o", tmp_path / "out.mp4", *arguments)
    assert result.exit_code == 2
    assert result.stderr.strip() == f"error: {expected}"
    assert outputs(tmp_path) == []


def test_empty_prompt(cli, tmp_path: Path) -> None:
    with pytest.raises(ContractError) as caught:
        check_prompt("  ")
    result = cli("generate", "  ", "-o", tmp_path / "out.mp4")
    assert (result.exit_code, result.stderr.strip()) == (2, f"error: {caught.value}")
    assert outputs(tmp_path) == []


@pytest.mark.parametrize(
    ("name", "data", "expected"),
    [
        ("moving.gif", b"GIF89a" + b"\0" * 64, "GIF image"),
        ("broken.png", b"\x89PNG\r\n\x1a\n" + b"garbage" * 10, "cannot be read"),
        ("bomb.png", bomb_png(20000, 20000), "over the limit"),
        ("large.png", png(1920, 1080), "1920x1080"),
    ],
)
def test_bad_references_are_refused(cli, tmp_path: Path, name: str, data: bytes, expected: str) -> None:
    reference = tmp_path / name
    reference.write_bytes(data)
    result = cli("generate", "a pier at dawn", "--input-reference", reference, "-o", tmp_path / "out.mp4")
    assert result.exit_code == 2
    assert expected in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert outputs(tmp_path) == [name]


def test_unwritable_outputs(cli, tmp_path: Path) -> None:
    missing = cli("generate", "a pier", "-o", tmp_path / "nowhere" / "out.mp4")
    assert missing.exit_code == 2 and "does not exist" in missing.stderr
    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("")
    assert cli("generate", "a pier", "-o", not_a_folder / "out.mp4").exit_code == 2
    read_only = cli("generate", "a pier", "-o", "/proc/out.mp4")  # refused even to root
    assert read_only.exit_code == 2 and "cannot write" in read_only.stderr
    assert cli("generate", "a pier", "-o", tmp_path / "out.mov").exit_code == 2
    (tmp_path / "taken.mp4").mkdir()
    assert cli("generate", "a pier", "-o", tmp_path / "taken.mp4").exit_code == 2
    assert outputs(tmp_path) == ["file", "taken.mp4"]


def test_brief_and_shot_mistakes(cli, tmp_path: Path, brief_file: Path) -> None:
    unknown = cli("generate", "--brief", brief_file, "--shot", "nope", "-o", tmp_path / "out.mp4")
    assert unknown.exit_code == 2 and "last-orders, second" in unknown.stderr
    ambiguous = cli("generate", "--brief", brief_file, "-o", tmp_path / "out.mp4")
    assert ambiguous.exit_code == 2 and "--shot" in ambiguous.stderr
    both = cli("generate", "text", "--brief", brief_file, "--shot", "second", "-o", tmp_path / "out.mp4")
    assert both.exit_code == 2
    bad_fit = cli("generate", "text", "--fit", "stretch", "-o", tmp_path / "out.mp4")
    assert bad_fit.exit_code == 2 and "cover" in bad_fit.stderr
    assert outputs(tmp_path) == ["brief.yaml"]
    assert "Traceback" not in unknown.stderr + ambiguous.stderr + both.stderr + bad_fit.stderr


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        (["--seed", "-1"], "greater than or equal to 0"),
        (["--seed", str(2**63)], "less than or equal to 9223372036854775807"),
        (["--fit", "cover"], "--fit cover fits a reference image"),
        (["--shot", "second"], "--shot 'second' names a shot of --brief FILE"),
    ],
)
def test_flags_that_cannot_apply_are_refused(cli, tmp_path: Path, arguments: list[str], expected: str) -> None:
    """A seed outside 0..2^63-1 (the server's range), --fit with no reference, --shot with no brief: exit 2,
    not a traceback from the renderer and not a flag silently ignored."""
    result = cli("generate", "a pier", "-o", tmp_path / "out.mp4", *arguments)
    assert result.exit_code == 2 and expected in result.stdout + result.stderr
    assert outputs(tmp_path) == []


def test_a_brief_seed_below_zero_is_refused_at_its_line(cli, tmp_path: Path) -> None:
    brief = tmp_path / "brief.yaml"
    brief.write_text("schema: cinebrief.brief/1\nshots:\n  - id: a\n    scene: A pier.\n    seed: -4\n")
    result = cli("generate", "--brief", brief, "-o", tmp_path / "out.mp4")
    assert result.exit_code == 2 and f"{brief}:5:11: shots[0].seed" in result.stderr
