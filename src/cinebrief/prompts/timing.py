"""When each line of dialogue is spoken in a clip: one speaking rate for the linter's budget, previz and the
media layer's sound pass.

The guide budgets dialogue by time: about 12 words in a 4 s clip, 2 lines per 4 s. `WORDS_PER_SECOND` is that
rate, and it is the rate the lines are timed at, so a shot the linter lets through is spoken without hurry.
The lines run one after another, each as long as its words take; the time left over is spread evenly before,
between and after them. When they need more than the clip, they are spoken faster and the overrun is said.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the linter imports the rate without loading the brief schema
    from cinebrief.brief.schema import Brief, Shot

WORDS_PER_SECOND = 3.0  # the guide's budget: 12 words in 4 s, 24 in 8 s, 36 in 12 s
SECONDS_PER_LINE = 2  # 2 lines per 4 s
MIN_LINE_SECONDS = 0.8  # even "Go." takes a moment


@dataclass(frozen=True)
class TimedLine:
    speaker: str
    text: str
    start: float
    end: float
    voice_index: int  # which voice: one per speaker, in order of first appearance
    voice: str | None = None  # the character's espeak-ng voice, when the brief names one

    @property
    def words(self) -> int:
        return max(1, len(self.text.split()))


def speaking_seconds(text: str) -> float:
    """How long a line takes at the shared rate."""
    return max(MIN_LINE_SECONDS, len(text.split()) / WORDS_PER_SECOND)


def time_dialogue(shot: Shot, brief: Brief | None, seconds: float) -> tuple[list[TimedLine], float]:
    """The shot's lines placed in a clip of `seconds`, and the overrun (needed / available, 1.0 when they fit)."""
    lines = shot.dialogue
    if not lines:
        return [], 1.0
    durations = [speaking_seconds(line.line) for line in lines]
    overrun = sum(durations) / max(0.5, seconds)
    if overrun > 1.0:
        durations = [duration / overrun for duration in durations]
    slack = max(0.0, seconds - sum(durations)) / (len(lines) + 1)
    speakers: list[str] = []
    timed: list[TimedLine] = []
    clock = slack
    for line, duration in zip(lines, durations, strict=True):
        if line.speaker not in speakers:
            speakers.append(line.speaker)
        character = brief.character(line.speaker) if brief else None
        timed.append(
            TimedLine(
                speaker=line.speaker,
                text=line.line,
                start=clock,
                end=clock + duration,
                voice_index=speakers.index(line.speaker),
                voice=character.voice if character else None,
            )
        )
        clock += duration + slack
    return timed, max(1.0, overrun)
