"""When a previz remix copies its source's soundtrack, and when it makes its own.

The source lends its track when every line was spoken (its checkpoint names the track's recipe) and its file's
audio stream carries that recipe whole; a track that fell back to tones, a file cut short or a change to what
is heard (a line, the sound cue) gives the remix a track of its own. Run in-process: `speak` is replaced to
make espeak-ng fail, which a process worker would not see.
"""

from __future__ import annotations

import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from cinebrief.backends.base import GenerationRequest, GenerationResult, RemixSource
from cinebrief.backends.previz import PrevizBackend
from cinebrief.media import soundtrack as sound
from cinebrief.media.audio import decode_audio
from cinebrief.prompts.change import apply_change

PROMPT = (
    "A wet street at night, a courier waits at the line.\n\n"
    "Cinematography:\nCamera shot: wide shot, eye level, static, 28 mm\n\n"
    'Dialogue:\n- Courier: "Green. Come on."\n\n'
    "Background Sound:\ndistant traffic hiss"
)


def _render(folder: Path, prompt: str, remix: RemixSource | None = None) -> tuple[GenerationResult, dict[str, Any]]:
    saved: dict[str, Any] = {}

    def checkpoint(state: Mapping[str, Any]) -> None:
        saved.clear()
        saved.update(state)

    request = GenerationRequest(prompt=prompt, model="sora-2", size="320x180", seconds="4", seed=3, remix=remix)
    result = PrevizBackend().generate(
        request, folder, progress=lambda fraction: None, cancelled=lambda: False, checkpoint=checkpoint
    )
    return result, saved


def _remix(folder: Path, source: tuple[GenerationResult, dict[str, Any]], change: str, video: bytes | None = None):
    result, saved = source
    remix = RemixSource(
        video_id="video_source",
        prompt=PROMPT,
        change=change,
        video=result.video.read_bytes() if video is None else video,
        resume_state=saved,
    )
    return _render(folder, apply_change(change, prompt=PROMPT).prompt, remix)


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> tuple[GenerationResult, dict[str, Any]]:
    return _render(tmp_path_factory.mktemp("source"), PROMPT)


def test_a_picture_change_copies_the_track_and_lends_it_on(source, tmp_path: Path) -> None:
    result, saved = source
    assert saved["soundtrack_label"].startswith("cinebrief soundtrack ")
    remixed, remix_saved = _remix(tmp_path / "lens", source, "Same shot, switch to 85 mm")
    assert remixed.metadata["soundtrack_kept_from"] == "video_source"
    assert {key: remixed.metadata[key] for key in ("speech", "beds")} == {
        key: result.metadata[key] for key in ("speech", "beds")
    }
    np.testing.assert_array_equal(decode_audio(remixed.video, channels=2), decode_audio(result.video, channels=2))
    assert remix_saved == saved  # the same recipe: a remix of the remix may copy it again
    again, _ = _remix(tmp_path / "again", (remixed, remix_saved), "Same shot, at dusk")
    assert again.metadata["soundtrack_kept_from"] == "video_source"


@pytest.mark.parametrize(
    "change", ['Same shot, Courier says "Red again."', "Same shot, add the sound of a distant siren"]
)
def test_a_change_to_what_is_heard_makes_a_new_track(source, tmp_path: Path, change: str) -> None:
    remixed, saved = _remix(tmp_path / "heard", source, change)
    assert "soundtrack_kept_from" not in remixed.metadata
    assert saved["soundtrack_label"] != source[1]["soundtrack_label"]


def test_a_source_cut_short_lends_nothing(source, tmp_path: Path) -> None:
    whole = source[0].video.read_bytes()
    remixed, _ = _remix(tmp_path / "cut", source, "Same shot, switch to 85 mm", video=whole[: len(whole) // 2])
    assert "soundtrack_kept_from" not in remixed.metadata
    assert decode_audio(remixed.video, channels=2).shape == decode_audio(source[0].video, channels=2).shape


def test_a_track_that_fell_back_to_tones_is_not_lent(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(line: object, *, executable: str) -> np.ndarray:
        raise subprocess.TimeoutExpired(executable, 30)

    with monkeypatch.context() as patch:
        patch.setattr(sound, "espeak", lambda: "espeak-ng")  # installed (or not): it fails on the line
        patch.setattr(sound, "speak", fail)
        failed = _render(tmp_path / "failed", PROMPT)
    assert failed[0].metadata["speech_fallback"] == ["Green. Come on."] and failed[1] == {}
    remixed, saved = _remix(tmp_path / "remix", failed, "Same shot, switch to 85 mm")
    assert "soundtrack_kept_from" not in remixed.metadata and "speech_fallback" not in remixed.metadata
    assert saved["soundtrack_label"]  # spoken this time: this one may be lent
