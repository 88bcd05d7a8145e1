"""Camera moves: read a move from words ("slow dolly left", "push-in", "handheld") and animate it.

The words are the shared vocabulary's (`cinebrief.prompts.vocabulary.MOVES`); each move family maps to one
of the animations below (`FAMILIES`), so previz, the prompt parser and the linter name the same moves.

A move becomes a `CameraState` per moment: a pan/tilt offset that shifts every depth alike, a travel
offset that shifts each layer by its depth (parallax: truck, dolly sideways, crane), an arc offset that
turns layers around the subject plane (near and far move opposite ways), and a zoom (push-in, pull-out).
Offsets are fractions of the frame's width and height. Handheld is seeded, smooth jitter. Arc and orbit
are approximated by that counter-parallax plus a slight push; dollies in and out are approximated by a zoom.
"""

from __future__ import annotations

import math
import random
import re
from dataclasses import dataclass

from cinebrief.prompts import vocabulary

# How far each move goes over its segment at normal speed (fractions of the frame; zoom factor minus 1).
PAN_AMOUNT = 0.14
TRAVEL_AMOUNT = 0.09
ARC_AMOUNT = 0.10
ZOOM_AMOUNT = 0.18
HANDHELD_AMOUNT = 0.008

_SPEED_WORDS = {
    "imperceptible": 0.35,
    "subtle": 0.5,
    "slow": 0.6,
    "slowly": 0.6,
    "gentle": 0.6,
    "gently": 0.6,
    "gradual": 0.7,
    "steady": 1.0,
    "quick": 1.6,
    "fast": 1.8,
    "rapid": 1.8,
    "swift": 1.6,
    "whip": 2.6,
}

# Every spelling of every move of the shared vocabulary, longest first, so that "dolly-in" is one match. In
# prose, the verbs that are a move only when the camera is their subject ("rises", "turns") are left out.
_SPELLINGS = vocabulary.spellings(vocabulary.MOVES)
_MOVE = vocabulary.pattern(_SPELLINGS)
_PROSE_MOVE = vocabulary.pattern(vocabulary.spellings(vocabulary.MOVES, without="camera"))
# The default sign of each animation: +1 right / up / in; -1 left / down.
_SIGNS = {"tilt": -1, "static": 0, "handheld": 0}


@dataclass(frozen=True)
class CameraMove:
    """One move: `kind` is static, pan, tilt, travel, crane, push, pull, arc or handheld."""

    kind: str
    sign: int = 1  # +1 right / up / in; -1 left / down
    speed: float = 1.0
    label: str = "static"


def parse_moves(text: str | None, *, prose: bool = False) -> list[CameraMove]:
    """Every move `text` names, in the order named, one per animation ("handheld push-in" is both).

    Words of one move together count once ("slow dolly push-in" is a push-in, as the linter reads it). A
    static camera is an empty list; so is text that names no move. `prose` is a scene rather than a camera
    move: the verbs that are moves only with the camera as their subject ("she turns") are not read there.
    """
    if not text or not text.strip():
        return []
    lowered = text.casefold()
    named: list[tuple[str, re.Match[str]]] = []
    for match in (_PROSE_MOVE if prose else _MOVE).finditer(lowered):
        family = _SPELLINGS[vocabulary.spelling_of(match.group())].value
        if vocabulary.FAMILIES[family][0] == "static":
            return []
        if all(family != seen for seen, _ in named):
            named.append((family, match))
    families = {family for family, _ in named}
    moves: list[CameraMove] = []
    for family, match in named:
        if family in vocabulary.MOVE_MERGES and families & vocabulary.MOVE_MERGES[family] - {family}:
            continue  # a dolly that pushes in is the push-in
        kind = vocabulary.FAMILIES[family][1]
        if kind == "-" or any(move.kind == kind for move in moves):
            continue
        window = lowered[max(0, match.start() - 24) : match.end() + 24]
        sign = _direction(kind, window, _SIGNS.get(kind, 1))
        moves.append(CameraMove(kind, sign, _speed(window), _label(text, match)))
    return moves


def _direction(kind: str, window: str, default: int) -> int:
    if kind in ("pan", "travel", "arc"):
        if re.search(r"\b(left|leftward|counter[- ]?clockwise|anticlockwise)\b", window):
            return -1
        return 1 if re.search(r"\b(right|rightward|clockwise)\b", window) else default
    if kind in ("tilt", "crane"):
        if re.search(r"\b(down|downward|descends?|lowers?|drops?)\b", window):
            return -1
        return 1 if re.search(r"\b(up|upward|rises?|rising|raises?)\b", window) else default
    return default


def _speed(window: str) -> float:
    words = re.findall(r"[a-z]+", window)
    speeds = [_SPEED_WORDS[word] for word in words if word in _SPEED_WORDS]
    return speeds[0] if speeds else 1.0


def _label(text: str, match: re.Match[str]) -> str:
    """The clause that named the move (cut at punctuation), for the on-screen slate."""
    start = max(text.rfind(mark, 0, match.start()) for mark in ".;,\n") + 1
    ends = [index for index in (text.find(mark, match.end()) for mark in ".;,\n") if index >= 0]
    clause = text[start : min(ends) if ends else len(text)].strip()
    return clause if len(clause) <= 40 else text[match.start() : match.end()].strip()


@dataclass(frozen=True)
class CameraState:
    """Where the camera is at one moment (see the module docstring)."""

    pan_x: float = 0.0
    pan_y: float = 0.0
    travel_x: float = 0.0
    travel_y: float = 0.0
    arc_x: float = 0.0
    zoom: float = 1.0

    def layer_offset(self, depth: float) -> tuple[float, float]:
        """How far a layer at `depth` (0 far, 1 subject, >1 foreground) shifts, as frame fractions."""
        return (
            -(self.pan_x + self.travel_x * depth + self.arc_x * (depth - 1.0)),
            self.pan_y + self.travel_y * depth,
        )


@dataclass(frozen=True)
class Segment:
    """A move over `[start, end)` seconds."""

    move: CameraMove
    start: float
    end: float


def _ease(t: float) -> float:
    """Smoothstep: moves start and land softly, as a grip would."""
    t = min(1.0, max(0.0, t))
    return t * t * (3.0 - 2.0 * t)


class CameraPath:
    """The camera over a whole clip: segments play in time; a segment holds its end state afterwards."""

    def __init__(self, segments: list[Segment], *, seed: int, anchored: bool = False) -> None:
        self.segments = segments
        self.anchored = anchored  # the first frame must be the untouched plate (an input_reference)
        rng = random.Random(f"handheld-{seed}")
        self._jitter = [(rng.uniform(0.35, 1.9), rng.uniform(0, math.tau), rng.uniform(0.4, 1.0)) for _ in range(6)]
        self._origin = self._raw(0.0) if anchored else CameraState()

    @property
    def moves(self) -> list[CameraMove]:
        return [segment.move for segment in self.segments]

    def _raw(self, seconds: float) -> CameraState:
        pan_x = pan_y = travel_x = travel_y = arc_x = 0.0
        zoom = 1.0
        for segment in self.segments:
            move, span = segment.move, max(segment.end - segment.start, 1e-6)
            progress = _ease((seconds - segment.start) / span)
            amount = move.speed * move.sign
            if move.kind == "pan":
                pan_x += PAN_AMOUNT * amount * progress
            elif move.kind == "tilt":
                pan_y += PAN_AMOUNT * amount * progress
            elif move.kind == "travel":
                travel_x += TRAVEL_AMOUNT * amount * progress
            elif move.kind == "crane":
                travel_y += TRAVEL_AMOUNT * amount * progress
            elif move.kind == "arc":
                arc_x += ARC_AMOUNT * amount * progress
                zoom *= 1.0 + 0.04 * move.speed * progress
            elif move.kind == "push":
                zoom *= 1.0 + ZOOM_AMOUNT * move.speed * progress
            elif move.kind == "pull":
                zoom *= 1.0 + ZOOM_AMOUNT * move.speed * (1.0 - progress)
            elif move.kind == "handheld":
                jitter_x, jitter_y = self._shake(seconds, move.speed)
                pan_x += jitter_x
                pan_y += jitter_y
                zoom *= 1.0 + 3 * HANDHELD_AMOUNT
        return CameraState(pan_x, pan_y, travel_x, travel_y, arc_x, zoom)

    def _shake(self, seconds: float, speed: float) -> tuple[float, float]:
        values = [amp * math.sin(math.tau * freq * seconds * speed + phase) for freq, phase, amp in self._jitter]
        scale = HANDHELD_AMOUNT / 1.5
        return scale * sum(values[:3]), scale * sum(values[3:])

    def at(self, seconds: float) -> CameraState:
        """The camera at `seconds`; relative to the first frame when the path is anchored."""
        state = self._raw(seconds)
        if not self.anchored:
            return state
        origin = self._origin
        return CameraState(
            state.pan_x - origin.pan_x,
            state.pan_y - origin.pan_y,
            state.travel_x - origin.travel_x,
            state.travel_y - origin.travel_y,
            state.arc_x - origin.arc_x,
            state.zoom / origin.zoom,
        )

    def reach(self, depth: float, duration: float, *, samples: int = 48) -> tuple[float, float, float]:
        """The largest |x| and |y| shift of a layer at `depth` and the smallest zoom over the clip."""
        states = [self.at(duration * k / (samples - 1)) for k in range(samples)]
        offsets = [state.layer_offset(depth) for state in states]
        return (
            max(abs(x) for x, _ in offsets),
            max(abs(y) for _, y in offsets),
            min(state.zoom for state in states),
        )
