"""Camera words as plain data, shared by the prompt parser and the linter.

`FRAMING_PHRASES` is the shot-type and angle vocabulary: `cinebrief import` uses it to split a leading shot type
or angle off a ``Camera:`` line, and the linter's `missing-camera-framing` reads the same phrases. `FOCUS_WORDS`
tells a depth-of-field clause on a ``Lens:`` line. Both are text, so importing this module costs nothing.
"""

from __future__ import annotations

import re

# Comma-separated; any case, and a hyphen or a space between words, match alike.
FRAMING_PHRASES = (
    "wide shot, wide establishing shot, establishing shot, extreme wide shot, wide angle shot, medium "
    "shot, medium wide shot, medium close-up, medium close up, close-up, close up, closeup, extreme "
    "close-up, extreme close up, full shot, long shot, cowboy shot, two-shot, over-the-shoulder, over the "
    "shoulder, point of view, pov, insert shot, aerial, aerial shot, bird's-eye, birds-eye, bird's eye "
    "view, top-down, overhead shot, low angle, low-angle, high angle, high-angle, eye level, eye-level, "
    "dutch angle, profile shot, ecu, mcu, ots, wide, tight shot, macro shot, worm's-eye, drone shot, wide "
    "frame, mid shot, single shot, master shot, framed, framing, tracking shot, dolly shot, crane shot, "
    "follow shot"
)
FOCUS_WORDS = (
    "depth of field, dof, shallow focus, deep focus, soft focus, rack focus, focus pull, pull focus, split diopter, "
    "bokeh, focus on, in focus, out of focus, tilt-shift"
)


def phrase_pattern(phrases: str) -> re.Pattern[str]:
    """A case-insensitive pattern for comma-separated phrases, whole words only, a hyphen or spaces between."""
    alternatives = sorted((part.strip() for part in phrases.split(",") if part.strip()), key=len, reverse=True)
    body = "|".join(r"[\s-]+".join(map(re.escape, re.split(r"[\s-]+", part))) for part in alternatives)
    return re.compile(rf"(?<![\w'])(?:{body})(?![\w'])", re.IGNORECASE)
