"""The soundtrack's label: equal for the same recipe, different when anything the track is made from differs
(so a remix never borrows a soundtrack it would not have made), and the facts match the made track's."""

from __future__ import annotations

from dataclasses import replace

import pytest

from cinebrief.media import soundtrack as soundtrack_module
from cinebrief.media.encoder_settings import EncodeSettings
from cinebrief.media.soundtrack import soundtrack, soundtrack_facts, soundtrack_label
from cinebrief.prompts.timing import TimedLine

LINE = TimedLine(speaker="Courier", text="Green. Come on.", start=0.5, end=1.5, voice_index=0)


def _label(
    lines: tuple[TimedLine, ...] = (LINE,),
    cue: str = "distant traffic hiss",
    seed: int = 7,
    seconds: float = 4.0,
    encoding: EncodeSettings = EncodeSettings(),
) -> str:
    return soundtrack_label(lines, cue, seed=seed, seconds=seconds, encoding=encoding)


def test_the_label_names_the_recipe_and_changes_with_each_part() -> None:
    assert _label() == _label(encoding=EncodeSettings(qp=30, preset="fast"))  # the picture's settings: same sound
    variants = [
        _label(lines=(replace(LINE, text="Red again."),)),
        _label(lines=(replace(LINE, start=0.6),)),
        _label(lines=(replace(LINE, voice="en-gb+m4"),)),
        _label(lines=(replace(LINE, speaker="Dispatcher"),)),
        _label(lines=(replace(LINE, voice_index=1),)),
        _label(lines=()),
        _label(cue="rain on awnings"),
        _label(cue="no sound it knows"),  # room tone
        _label(seed=8),
        _label(seconds=8.0),
        _label(encoding=EncodeSettings(audio_bitrate=96_000)),
        _label(encoding=EncodeSettings(audio_channels=1)),
    ]
    assert len({_label(), *variants}) == len(variants) + 1
    assert _label().startswith("cinebrief soundtrack ")


def test_the_facts_without_the_track_are_the_tracks_facts() -> None:
    for lines, cue in (([LINE], "distant traffic hiss, rain on awnings"), ([], "nothing it knows")):
        _track, made = soundtrack(lines, cue, seed=1, seconds=1.0)
        assert soundtrack_facts(lines, cue) == made


def test_the_label_follows_the_beds_the_cue_chooses_not_its_words(monkeypatch: pytest.MonkeyPatch) -> None:
    """A shot without a sound cue is heard through its scene's words: a lens change rewrites them, not the bed."""
    assert _label(cue="distant traffic hiss") == _label(cue="a wide shot of a city street, traffic, 85 mm")
    spoken, silent = _label(), _label(lines=())
    monkeypatch.setattr(soundtrack_module, "espeak", lambda: None)  # tones: another track
    assert _label() != spoken
    assert _label(lines=()) == silent  # nothing to speak: the engine does not matter
