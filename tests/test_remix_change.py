"""Remix keeps its source: the change applier (prompts.change), previz rendering the effective shot with the
source's seed, and the record of the change through the engine, the SDK and the CLI.

Frames are decoded back and compared: a lens change keeps the palette, a lighting change regrades, a
weather change adds rain.
"""

from __future__ import annotations

import difflib
from pathlib import Path

import numpy as np
import pytest

from cinebrief.jobs.engine import Engine, VideoRequest
from cinebrief.jobs.owners import LOCAL
from cinebrief.media.audio import decode_audio
from cinebrief.media.probe import iter_frames
from cinebrief.prompts.change import apply_change
from cinebrief.settings import load_settings

NEON = (
    "A neon-lit street crossing at night, wet asphalt, a courier on a bicycle waits at the line.\n\n"
    "Cinematography:\n"
    "Camera shot: wide shot, eye level, static, 28 mm\n"
    "Lighting: magenta and cyan neon signs from camera left, sodium street lamps pooling on the road\n"
    "Mood: tense\n\n"
    "Actions:\n- The courier pedals twice and stops at the line\n\n"
    'Dialogue:\n- Courier: "Green. Come on."\n\n'
    "Background Sound:\ndistant traffic hiss"
)
DRY = (
    "A village square at noon, a baker crosses with a basket of bread.\n\n"
    "Cinematography:\nCamera shot: wide shot, eye level, static, 35 mm\n"
    "Lighting: soft overcast daylight from above"
)

# One change each, in the guide's vocabulary, and the aspects it must change.
CHANGES = [
    ("Same shot, switch to 85 mm", ["framing", "lens"]),
    ("Same shot, 24mm lens", ["framing", "lens"]),
    ("Same shot, close-up", ["framing"]),
    ("Same shot, extreme wide shot", ["framing"]),
    ("Same shot, low angle", ["angle"]),
    ("Same shot, Low  Angle", ["angle"]),  # as typed: any case, two spaces
    ("Same shot, bird's-eye view", ["angle"]),
    ("Same shot, over the shoulder", ["angle"]),
    ("Same shot, slow push-in instead", ["move"]),
    ("Same shot, handheld", ["move"]),
    ("Same shot, slow dolly left", ["move"]),
    ("Same shot, at dusk", ["lighting"]),
    ("Same shot, warm golden backlight from behind", ["lighting"]),
    ("Same shot, lit by a single bare bulb overhead", ["lighting"]),
    ("Same shot, add rain", ["weather"]),
    ("Same shot, in heavy fog", ["weather"]),
    ("Same shot, palette of teal and orange", ["palette"]),
    ("Same shot, in the style of 1970s film noir", ["style"]),
    ("Same shot, the courier waves at the camera", ["actions"]),
    ('Same shot, Courier says "Red again."', ["dialogue"]),
    ('Same shot, Courier says "Red light. Wait here!"', ["dialogue"]),  # a quote's sentences stay one change
    ("Same shot, add the sound of a distant siren", ["sound"]),
    ("Same shot, make it feel hopeful", ["mood"]),
]


@pytest.mark.parametrize(("change", "changed"), CHANGES)
def test_one_change_replaces_its_aspect_and_keeps_the_rest(change: str, changed: list[str]) -> None:
    source = apply_change("", prompt=NEON)  # no change: the source as it renders
    remixed = apply_change(change, prompt=NEON)
    record = remixed.record
    assert list(record.changed) == changed and record.unplaced == ()
    assert set(record.kept) & set(changed) == set()
    assert {"scene", "actions", "dialogue", "sound"} - set(changed) <= set(record.kept)
    # Only the lines of the changed part differ; every other line is kept word for word.
    diff = [
        line
        for line in difflib.ndiff(source.prompt.splitlines(), remixed.prompt.splitlines())
        if line.startswith(("- ", "+ "))
    ]
    assert 1 <= len([line for line in diff if line.startswith("+ ")]) <= 2, diff


@pytest.mark.parametrize(
    ("change", "changed", "lines"),
    [
        ('Same shot, Courier whispers "Go." to the camera', ["dialogue"], ["Go."]),
        ('Same shot, Courier says "Red light. Wait here!"', ["dialogue"], ["Red light. Wait here!"]),
        ('Same shot, Courier says "Red." Dispatcher says "Copy."', ["dialogue"], ["Red.", "Copy."]),
        ('Same shot, Courier says "Red again." Switch to 85 mm.', ["framing", "lens", "dialogue"], ["Red again."]),
        ('Same shot, Courier says "Go." then switch to 85 mm', ["framing", "lens", "dialogue"], ["Go."]),
        ('Same shot, Courier says "Go." 85 mm lens', ["framing", "lens", "dialogue"], ["Go."]),
        ('Same shot, Courier says "Go." and Dispatcher says "Wait."', ["dialogue"], ["Go.", "Wait."]),
        ('Same shot, Courier asks "Ready?" then cut to 85 mm', ["framing", "lens", "dialogue"], ["Ready?"]),
        ('Same shot, Courier says "Go", switch to 85 mm', ["framing", "lens", "dialogue"], ["Go"]),
        ('Same shot, Courier says "Go" and add rain', ["weather", "dialogue"], ["Go"]),
        ('Same shot, Courier says "Go." at dusk', ["lighting", "dialogue"], ["Go."]),
    ],
)
def test_a_change_is_cut_at_sentences_never_inside_a_quoted_line(
    change: str, changed: list[str], lines: list[str]
) -> None:
    remixed = apply_change(change, prompt=NEON)
    assert sorted(remixed.record.changed) == sorted(changed) and remixed.record.unplaced == ()
    assert [line.line for line in remixed.shot.dialogue] == lines


@pytest.mark.parametrize(
    ("change", "manner"),
    [
        ('Same shot, Courier asks "Ready?" quietly', "asks quietly"),
        ('Same shot, Courier whispers "Go."', "whispers"),
        ('Same shot, Courier says "Go" without looking up', "without looking up"),  # not a camera move
        ('Same shot, Courier says "Go."', "shouting"),  # the source line's manner, kept
    ],
)
def test_the_speech_verb_and_what_follows_the_line_are_how_it_is_said(change: str, manner: str) -> None:
    source = NEON.replace('- Courier: "Green. Come on."', '- Courier (shouting): "Green. Come on."')
    remixed = apply_change(change, prompt=source)
    assert [line.manner for line in remixed.shot.dialogue] == [manner]
    assert manner in remixed.prompt and remixed.record.changed == ("dialogue",) and remixed.record.unplaced == ()


def test_a_change_it_cannot_place_is_kept_as_a_note() -> None:
    unplaceable = apply_change("Same shot, xyzzy plugh", prompt=NEON)
    assert unplaceable.record.unplaced == ("xyzzy plugh",) and unplaceable.record.changed == ()
    assert "Xyzzy plugh." in unplaceable.prompt  # never dropped


@pytest.mark.parametrize(
    "change", ["Same shot, Dispatcher murmurs “Red again.”", 'Same shot, Dispatcher replies "Red again."']
)
def test_a_quoted_line_goes_to_the_speaker_the_change_names(change: str) -> None:
    """Any speech verb of the vocabulary names the speaker; curly quotes are quotes."""
    dialogue = apply_change(change, prompt=NEON).shot.dialogue
    speaker = change.split()[2]
    assert [line.line for line in dialogue if line.speaker == speaker] == ["Red again."]


def test_the_lens_change_keeps_the_camera_line_and_implies_the_framing() -> None:
    remixed = apply_change("Same shot, switch to 85 mm", prompt=NEON)
    assert "Camera shot: close-up, eye level, static, 85 mm" in remixed.prompt


def _lab(rgb: np.ndarray) -> np.ndarray:
    """sRGB (0-255) to CIE Lab (D65), for colour distances the eye agrees with."""
    c = np.asarray(rgb, dtype=np.float64) / 255.0
    linear = np.where(c > 0.04045, ((c + 0.055) / 1.055) ** 2.4, c / 12.92)
    matrix = np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]])
    xyz = linear @ matrix.T / np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > 0.008856, np.cbrt(xyz), 7.787 * xyz + 16 / 116)
    return np.stack([116 * f[..., 1] - 16, 500 * (f[..., 0] - f[..., 1]), 200 * (f[..., 1] - f[..., 2])], -1)


def _frames(path: Path) -> np.ndarray:
    """Every fourth frame, as uint8 (a 4 s 1280x720 clip: 24 frames, 66 MB; all 96 as floats would be 2 GB)."""
    return np.stack([frame for index, frame in enumerate(iter_frames(path)) if index % 4 == 0])


def _difference(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.abs(a.astype(np.int16) - b.astype(np.int16))


def _palette_distance(a: np.ndarray, b: np.ndarray) -> float:
    """Mean ΔE76 between the mean Lab colours of matching frames."""
    return float(np.linalg.norm(_lab(a.mean(axis=(1, 2))) - _lab(b.mean(axis=(1, 2))), axis=-1).mean())


# ΔE76 of about 2.3 is a just-noticeable difference; 10 separates "the same palette, reframed" from a
# regrade: the 85 mm remix only crops into the same plate, the dusk remix moves every colour.
SAME_PALETTE = 10.0
LENS, LINE = "Same shot, switch to 85 mm", 'Same shot, Courier says "Red again."'


def test_previz_remixes_keep_the_set_and_move_only_the_change(tmp_path: Path) -> None:
    settings = load_settings(environ={}, overrides={"server": {"data_dir": str(tmp_path / "data")}})
    with Engine(settings) as engine:
        neon = engine.wait(
            engine.submit(VideoRequest(prompt=NEON, size="1280x720", seconds="4"), owner=LOCAL).id,
            timeout=120,
            owner=LOCAL,
        )
        dry = engine.wait(
            engine.submit(VideoRequest(prompt=DRY, size="1280x720", seconds="4"), owner=LOCAL).id,
            timeout=120,
            owner=LOCAL,
        )
        remixes = {}
        changes = (
            (neon, LENS),
            (neon, "Same shot, at dusk"),
            (dry, "add rain"),
            (neon, "Same shot, slow push-in instead"),
            (neon, LINE),
        )
        for source, change in changes:
            remix = engine.wait(engine.remix(source.id, change, owner=LOCAL).id, timeout=120, owner=LOCAL)
            assert remix.status == "completed", remix.error
            remixes[change] = (engine.store.get(remix.id), _frames(engine.content_path(remix.id, owner=LOCAL)))
            assert remix.prompt == change and remix.cinebrief["change"] == remixes[change][0].change_record
        base_neon, base_dry = (
            _frames(engine.content_path(neon.id, owner=LOCAL)),
            _frames(engine.content_path(dry.id, owner=LOCAL)),
        )
        neon_seed = engine.store.get(neon.id).seed
        engine_facts = {"neon": {key: engine.store.get(neon.id).result_metadata[key] for key in ("speech", "beds")}}
        heard = {"neon": neon.id, "lens": remixes[LENS][0].id, "line": remixes[LINE][0].id}
        sound = {
            name: decode_audio(engine.content_path(video_id, owner=LOCAL), channels=2)
            for name, video_id in heard.items()
        }

    lens_job, lens = remixes[LENS]
    assert lens_job.result_metadata["lens"] == "85 mm" and lens_job.result_metadata["seed"] == neon_seed
    assert _palette_distance(lens, base_neon) < SAME_PALETTE  # same set, same palette, reframed
    assert _difference(lens, base_neon).mean() > 1.0  # but not the same picture

    _, dusk = remixes["Same shot, at dusk"]
    assert dusk.mean(dtype=np.float64) < base_neon.mean(dtype=np.float64) - 5  # regraded darker
    assert _palette_distance(dusk, base_neon) > SAME_PALETTE

    rain_job, rain = remixes["add rain"]
    assert rain_job.result_metadata["weather"] == "rain"
    streaks = (_difference(rain, base_dry).max(axis=-1) > 20).mean()  # thin streaks over the same plate
    assert streaks > 0.0002 and _palette_distance(rain, base_dry) < SAME_PALETTE  # the same render is 0
    assert rain_job.change_record["changed"] == ["weather"]

    move_job, moved = remixes["Same shot, slow push-in instead"]
    assert move_job.result_metadata["camera_move"] != lens_job.result_metadata["camera_move"]  # re-animated
    assert "push" in move_job.result_metadata["camera_move"].casefold()
    assert _palette_distance(moved, base_neon) < SAME_PALETTE

    # The sound: a picture change keeps the source's soundtrack sample for sample (copied, not made again); a
    # dialogue change makes a new one with the new line.
    assert lens_job.result_metadata["soundtrack_kept_from"] == neon.id
    assert np.array_equal(sound["lens"], sound["neon"])
    source_facts = engine_facts["neon"]
    assert {key: lens_job.result_metadata[key] for key in ("speech", "beds")} == source_facts
    line_job = remixes[LINE][0]
    assert "soundtrack_kept_from" not in line_job.result_metadata
    assert [line["line"] for line in line_job.result_metadata["dialogue"]] == ["Red again."]
    assert sound["line"].shape == sound["neon"].shape and not np.allclose(sound["line"], sound["neon"], atol=1e-3)


def test_the_remix_record_through_the_sdk_and_the_cli(tmp_path: Path, cli) -> None:
    from openai import OpenAI

    from server_harness import ServerThread
    from server_models import served_settings

    settings = served_settings(tmp_path / "data", api_keys=["k"], poll_after_ms=50)
    with ServerThread(settings) as server:
        client = OpenAI(base_url=server.url, api_key="k", max_retries=0)
        source = client.videos.create_and_poll(prompt=NEON, model="sora-2", size="1280x720", seconds="4")
        remix = client.videos.poll(client.videos.remix(source.id, prompt="Same shot, switch to 85 mm").id)
        assert remix.status == "completed" and remix.prompt == "Same shot, switch to 85 mm"  # Sora's fields
        record = remix.model_extra["cinebrief"]
        assert record["change"]["changed"] == ["framing", "lens"] and "85 mm" in record["effective_prompt"]
        assert "cinebrief" not in (source.model_extra or {})  # an original video keeps Sora's 13 keys
        shown = cli("videos", "get", remix.id, "--base-url", server.url, "--api-key", "k")
        assert shown.exit_code == 0, shown.stderr
        assert "changed framing, lens" in shown.stdout and "Camera shot: close-up" in shown.stdout
        tree = cli("lineage", remix.id, "--server", server.url, "--api-key", "k", "--dir", tmp_path)
        assert tree.exit_code == 0, tree.stderr
        assert "(changed framing, lens)" in tree.stdout and source.id in tree.stdout


def test_an_extension_continues_the_source_storyboard_with_the_new_beats(tmp_path: Path) -> None:
    settings = load_settings(
        environ={}, overrides={"server": {"data_dir": str(tmp_path / "data"), "profile": "extended"}}
    )
    with Engine(settings) as engine:
        source = engine.wait(
            engine.submit(VideoRequest(prompt=NEON, size="1280x720", seconds="4"), owner=LOCAL).id,
            timeout=120,
            owner=LOCAL,
        )
        extended = engine.extend(source.id, "The courier rides off to the left.", "4", owner=LOCAL)
        done = engine.wait(extended.id, timeout=120, owner=LOCAL)
        assert done.status == "completed", done.error
        job = engine.store.get(done.id)
    assert job.effective_prompt is not None
    assert NEON.splitlines()[0] in job.effective_prompt  # the same set
    assert "magenta and cyan neon signs" in job.effective_prompt  # the same light and palette
    assert "- The courier rides off to the left." in job.effective_prompt  # the new beat
    assert "pedals twice" not in job.effective_prompt  # not the source's beats again
    assert [beat["text"] for beat in job.result_metadata["beats"]] == ["The courier rides off to the left."]
