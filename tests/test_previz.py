"""The previz backend, judged by the files it writes: decoded video, audio, thumbnail and spritesheet."""

from __future__ import annotations

import dataclasses
import io
import math
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw

from cinebrief.backends import GenerationRequest, create_backend
from cinebrief.backends.previz import PrevizBackend
from cinebrief.backends.previz.overlays import Layout, render_beat_card
from cinebrief.backends.previz.plan import Beat
from cinebrief.brief import Camera, Detail, ShotListEntry, parse_brief
from cinebrief.errors import CancelledError, ContractError
from cinebrief.media import probe, read_frames
from cinebrief.media import soundtrack as sound
from cinebrief.media.audio import decode_audio
from cinebrief.media.spritesheet import SPRITE_COLUMNS, SPRITE_ROWS, tile_size

BRIEF = """
schema: cinebrief.brief/1
palette: [brass, slate blue, oxblood]
characters:
  - {name: Keeper, description: lighthouse keeper in a navy sweater}
shots:
  - id: lamp-room
    scene: A round lamp room at the top of a stone lighthouse, the sea going dark beyond the windows.
    camera: {framing: medium shot, move: slow dolly right, lens: 35 mm}
    lighting: cool dusk key from camera right, warm rim from an oil lamp
    actions:
      - Keeper winds the crank
      - He listens for the clockwork
      - The great lens begins to turn
    dialogue:
      - {speaker: Keeper, line: "Steady now."}
    sound: wind against the glazing, a low hum
"""
BEATS = ["Keeper winds the crank", "He listens for the clockwork", "The great lens begins to turn"]


def request(size: str = "320x180", seed: int = 0, **changes: object) -> GenerationRequest:
    brief = parse_brief(BRIEF)
    fields: dict[str, object] = {
        "prompt": "",
        "model": "sora-2",
        "size": size,
        "seconds": "4",
        "seed": seed,
        "brief": brief,
        "shot": brief.shots[0],
    }
    fields.update(changes)
    return GenerationRequest(**fields)  # type: ignore[arg-type]


def generate(req: GenerationRequest, folder: Path, **kwargs: object):
    progress: list[float] = []
    result = PrevizBackend().generate(
        req, folder, progress=progress.append, cancelled=kwargs.get("cancelled", lambda: False)
    )
    return result, progress


def psnr(a: np.ndarray, b: np.ndarray) -> float:
    mse = float(np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2))
    return math.inf if mse == 0 else 10 * math.log10(255**2 / mse)


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("clip")
    return generate(request(), folder)


def test_clip_has_exact_frames_size_and_audio(clip) -> None:
    result, progress = clip
    info = probe(result.video)
    assert (info.frames, info.width, info.height, info.fps) == (96, 320, 180, 24)
    assert (info.video_codec, info.audio_codec, info.audio_rate) == ("h264", "aac", 48000)
    assert abs(info.audio_duration - info.video_duration) < 0.05
    assert progress == sorted(progress) and progress[-1] == 1.0
    sound = decode_audio(result.video)
    assert float(np.sqrt(np.mean(sound**2))) > 0.01, "the soundtrack is not silent"
    assert sorted(p.name for p in result.directory.iterdir()) == ["spritesheet.jpg", "thumbnail.webp", "video.mp4"]


def test_thumbnail_and_spritesheet_formats_and_sizes(clip) -> None:
    result, _ = clip
    with Image.open(result.thumbnail) as thumbnail:
        assert (thumbnail.format, thumbnail.size) == ("WEBP", (320, 180))
    tile_w, tile_h = tile_size(320, 180)
    with Image.open(result.spritesheet) as sheet:
        assert (sheet.format, sheet.size) == ("JPEG", (tile_w * SPRITE_COLUMNS, tile_h * SPRITE_ROWS))


def test_same_seed_same_bytes_other_seed_other_video(clip, tmp_path: Path) -> None:
    result, _ = clip
    again, _ = generate(request(), tmp_path / "again")
    assert again.video.read_bytes() == result.video.read_bytes()
    other, _ = generate(request(seed=1), tmp_path / "other")
    assert other.video.read_bytes() != result.video.read_bytes()
    first, second = read_frames(result.video, [48])[48], read_frames(other.video, [48])[48]
    assert psnr(first, second) < 30, "another seed draws another set, not just other bytes"


SHOT_LIST = [  # uneven ranges: the cards must follow them, not an even split
    ShotListEntry(start=0.0, end=0.8, title="Crank", move="static"),
    ShotListEntry(start=0.8, end=3.2, title="Listen to the clockwork"),
    ShotListEntry(start=3.2, end=4.0, title="The beam"),
]


@pytest.mark.parametrize(
    ("shot_list", "ranges", "probes"),
    [
        ([], [(0, 4 / 3), (4 / 3, 8 / 3), (8 / 3, 4)], [16, 48, 80]),
        (SHOT_LIST, [(0.0, 0.8), (0.8, 3.2), (3.2, 4.0)], [6, 72, 90]),
    ],
    ids=["actions-spread-evenly", "timed-shot-list"],
)
def test_each_beat_shows_in_its_time_range(tmp_path: Path, shot_list, ranges, probes) -> None:
    width, height = 640, 360
    req = request(size=f"{width}x{height}")
    req = dataclasses.replace(req, shot=req.shot.model_copy(update={"detail": Detail(shot_list=shot_list)}))
    result, _ = generate(req, tmp_path)
    texts = [entry.title for entry in shot_list] or BEATS
    layout = Layout(width, height)
    left, top = layout.beat_origin()
    cards = [np.asarray(render_beat_card(Beat(k + 1, 3, text, *ranges[k]), layout)) for k, text in enumerate(texts)]
    box_w, box_h = max(card.shape[1] for card in cards), max(card.shape[0] for card in cards)
    candidates = []
    for card in cards:  # each card as it would look over black, in the same box
        canvas = np.zeros((box_h, box_w), np.float32)
        canvas[: card.shape[0], : card.shape[1]] = card[..., :3].mean(axis=-1) * card[..., 3] / 255
        candidates.append(canvas)
    frames = read_frames(result.video, probes)
    for beat, index in enumerate(probes):
        region = frames[index][top : top + box_h, left : left + box_w].mean(axis=-1).astype(np.float32)
        distances = [float(np.abs(region - candidate).mean()) for candidate in candidates]
        assert int(np.argmin(distances)) == beat, f"frame {index} should show beat {beat + 1}: {distances}"


def reference_image(width: int, height: int) -> bytes:
    x = np.linspace(0, 255, width, dtype=np.float32)[None, :]
    y = np.linspace(0, 255, height, dtype=np.float32)[:, None]
    pixels = np.stack([x + 0 * y, y + 0 * x, 255 - (x + y) / 2], axis=-1).astype(np.uint8)
    image = Image.fromarray(pixels)
    draw = ImageDraw.Draw(image)
    draw.ellipse((width * 0.3, height * 0.2, width * 0.6, height * 0.8), fill=(240, 200, 60))
    draw.rectangle((width * 0.65, height * 0.5, width * 0.9, height * 0.9), fill=(30, 40, 90))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.mark.parametrize("move", ["slow push-in", "pull out", "handheld", "truck left"])
def test_reference_is_the_first_frame_and_the_move_animates_it(tmp_path: Path, move: str) -> None:
    data = reference_image(320, 180)
    req = request(input_reference=data)
    req = dataclasses.replace(req, shot=req.shot.model_copy(update={"camera": Camera(move=move)}))
    result, _ = generate(req, tmp_path)
    frames = read_frames(result.video, [0, 95])
    original = np.asarray(Image.open(io.BytesIO(data)).convert("RGB"))
    assert psnr(frames[0], original) > 30
    assert psnr(frames[95], original) < 30, f"{move} should move the picture"


def test_a_plain_prompt_renders(tmp_path: Path) -> None:
    req = GenerationRequest(
        prompt="A courier brakes at a wet crosswalk at night, neon magenta light. Slow push-in.",
        model="sora-2",
        size="256x144",
        seconds="4",
    )
    result, _ = generate(req, tmp_path)
    assert probe(result.video).frames == 96
    assert result.metadata["camera_move"] == "Slow push-in"
    assert result.metadata["setting"] == "city"


def test_without_espeak_dialogue_is_a_tone_pattern(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "nothing-here"))
    monkeypatch.setattr(sound, "_warned", False)
    result, _ = generate(request(size="160x90"), tmp_path / "out")
    generate(request(size="160x90"), tmp_path / "again")
    assert result.metadata["speech"] == "tones"
    assert [r.message for r in caplog.records].count(
        "espeak-ng is not installed; previz dialogue is a tone pattern at syllable rate"
    ) == 1, "warned once"
    line = result.metadata["dialogue"][0]
    track = decode_audio(result.video)[0]
    inside = track[int(line["start"] * 48000) : int(line["end"] * 48000)]
    before = track[: int(0.15 * 48000)]
    assert np.sqrt(np.mean(inside**2)) > 2 * np.sqrt(np.mean(before**2)), "the line is audible over the bed"


@pytest.mark.parametrize("checks", [2, 4], ids=["before the thumbnail frame", "after the thumbnail was written"])
def test_cancel_between_batches_leaves_no_video(tmp_path: Path, checks: int) -> None:
    calls = []

    def cancelled() -> bool:
        calls.append(1)
        return len(calls) >= checks

    with pytest.raises(CancelledError):
        generate(request(size="160x90"), tmp_path, cancelled=cancelled)
    assert list(tmp_path.iterdir()) == [], "no video.mp4, and no partial file either"


def test_capabilities_and_registry() -> None:
    backend = create_backend("previz")
    capabilities = backend.capabilities("sora-2")
    assert capabilities.fps == 24 and capabilities.audio and capabilities.image_to_video
    assert capabilities.accepts_size("1792x1024") and capabilities.accepts_size("320x180")
    assert not capabilities.accepts_size("321x180")
    with pytest.raises(ContractError, match="even"):
        backend.generate(request(size="321x180"), Path("unused"), progress=print, cancelled=lambda: False)


def test_the_backend_module_loads_without_pyav_or_pillow() -> None:
    """generate starts the soundtrack before the picture's libraries load (they load while it is made): the
    backend's module, the soundtrack and `cinebrief.media` must not import PyAV or Pillow themselves."""
    code = (
        "import sys\n"
        "import cinebrief.backends.previz, cinebrief.media, cinebrief.media.soundtrack\n"
        "print(sorted(name for name in ('av', 'PIL') if name in sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


@pytest.mark.parametrize(("kind", "hold"), [("rain", 3), ("snow", 2)])
def test_weather_drawings_are_held_on_threes_or_twos(kind: str, hold: int) -> None:
    """Rain is drawn on threes (8 drawings a second) and snow on twos: the frames of one drawing are the
    same picture, the next drawing moves every drop."""
    from cinebrief.backends.previz.weather import Weather

    weather = Weather(kind, 160, 90, seed=3, light=(255, 240, 220), fps=24)
    plate = np.full((3, 90, 160), 60, dtype=np.uint8)
    drawn = [weather.apply(plate, index).copy() for index in range(2 * hold + 1)]
    for index in range(1, hold):
        np.testing.assert_array_equal(drawn[index], drawn[0])
    assert not np.array_equal(drawn[hold], drawn[0])
    np.testing.assert_array_equal(drawn[2 * hold - 1], drawn[hold])
    assert [weather.step(index) for index in range(2 * hold)] == [0] * hold + [hold] * hold
