"""Colours to RGB: palette anchors such as "sodium orange" or "deep teal", and the colour of a few lights.

The colour names are the shared vocabulary's (`cinebrief.prompts.vocabulary.COLOURS`, where phrases such as
"black and white" or "golden hour" are marked as naming no colour); this module gives each one its RGB, and
a test checks that every colour of the vocabulary has one. Words are matched longest first ("sodium orange"
before "orange"); modifiers (deep, pale, neon, muted...) shift the base colour. An anchor with no colour
word in it gets a stable colour from its letters, so a palette never silently collapses to grey.
"""

from __future__ import annotations

import colorsys
import hashlib
import re

from cinebrief.prompts import vocabulary

RGB = tuple[int, int, int]

# The colour of lights named in a lighting line (light words of the vocabulary, not palette colours).
LIGHT_COLOURS: dict[str, RGB] = {
    "tungsten": (255, 170, 90),
    "candlelight": (255, 160, 70),
    "golden hour": (255, 176, 84),
}
COLOURS: dict[str, RGB] = {
    "sodium orange": (255, 138, 36),
    "sodium": (255, 150, 40),
    "neon pink": (255, 40, 170),
    "hot pink": (255, 60, 160),
    "electric blue": (40, 110, 255),
    "midnight blue": (20, 28, 70),
    "sky blue": (120, 180, 235),
    "bottle green": (20, 90, 60),
    "forest green": (34, 90, 50),
    "red": (210, 40, 40),
    "crimson": (170, 20, 50),
    "scarlet": (230, 40, 30),
    "burgundy": (110, 20, 40),
    "maroon": (110, 25, 30),
    "magenta": (230, 30, 170),
    "fuchsia": (230, 40, 190),
    "pink": (240, 140, 180),
    "rose": (225, 110, 140),
    "coral": (250, 120, 100),
    "salmon": (245, 140, 115),
    "peach": (250, 190, 150),
    "orange": (245, 130, 40),
    "amber": (255, 175, 40),
    "rust": (170, 70, 35),
    "copper": (190, 105, 60),
    "bronze": (170, 120, 60),
    "brass": (190, 160, 80),
    "gold": (230, 180, 60),
    "golden": (235, 185, 70),
    "ochre": (200, 140, 50),
    "mustard": (210, 170, 50),
    "yellow": (245, 215, 60),
    "lemon": (250, 235, 100),
    "cream": (245, 235, 205),
    "ivory": (245, 240, 225),
    "beige": (220, 200, 170),
    "tan": (200, 160, 115),
    "sand": (215, 190, 145),
    "khaki": (190, 175, 120),
    "brown": (120, 75, 45),
    "umber": (100, 70, 45),
    "sepia": (140, 100, 65),
    "chocolate": (90, 55, 35),
    "olive": (120, 125, 50),
    "moss": (100, 120, 60),
    "sage": (150, 170, 130),
    "mint": (160, 230, 190),
    "lime": (170, 230, 60),
    "green": (50, 160, 80),
    "emerald": (20, 150, 100),
    "jade": (40, 160, 120),
    "teal": (20, 130, 130),
    "turquoise": (50, 200, 190),
    "aqua": (80, 220, 220),
    "cyan": (30, 210, 230),
    "blue": (40, 90, 210),
    "cobalt": (30, 70, 180),
    "azure": (60, 140, 230),
    "navy": (20, 30, 90),
    "indigo": (60, 40, 140),
    "ultramarine": (50, 50, 200),
    "violet": (140, 70, 200),
    "purple": (120, 50, 160),
    "plum": (120, 60, 110),
    "lavender": (180, 160, 220),
    "lilac": (200, 165, 220),
    "mauve": (170, 120, 160),
    "white": (240, 240, 236),
    "silver": (190, 195, 200),
    "grey": (128, 128, 128),
    "gray": (128, 128, 128),
    "slate": (90, 100, 115),
    "steel": (110, 125, 140),
    "charcoal": (45, 48, 52),
    "graphite": (60, 62, 66),
    "ink": (20, 22, 34),
    "black": (14, 14, 16),
    "bone": (225, 215, 195),
    "chrome": (200, 205, 210),
    "ash": (178, 174, 168),
    "bone white": (232, 224, 206),
    "off white": (238, 234, 224),
    "warm white": (250, 238, 215),
    "cool white": (232, 240, 250),
    "chartreuse": (190, 230, 40),
    "deep blue": (20, 45, 140),
    "steel blue": (70, 110, 150),
    "petrol": (20, 80, 95),
    "neon green": (60, 255, 90),
    "nicotine yellow": (215, 185, 90),
    "honey": (225, 165, 60),
    "oxblood": (90, 20, 25),
    "sienna": (160, 82, 45),
    "terracotta": (200, 100, 70),
    "taupe": (140, 125, 110),
    "walnut": (95, 65, 45),
    "walnut brown": (95, 65, 45),
    "pastel": (235, 200, 215),
}

MODIFIERS = ("deep", "dark", "pale", "light", "soft", "pastel", "neon", "bright", "vivid", "muted", "dusty", "faded")
# The vocabulary's colour phrases (and those that name no colour, so that they win over their words) and the
# light words above, longest first; a hyphen or spaces between words, a plural "s" allowed.
_NAMES: dict[str, RGB | None] = {
    **{term.phrase: None if "not a colour" in term.qualifiers else COLOURS[term.phrase] for term in vocabulary.COLOURS},
    **LIGHT_COLOURS,
}
_WORDS = sorted(_NAMES, key=len, reverse=True)
_PATTERN = re.compile(r"\b(" + "|".join(r"[\s-]+".join(map(re.escape, word.split())) for word in _WORDS) + r")s?\b")
_MODIFIER = re.compile(r"\b(" + "|".join(MODIFIERS) + r")\b")


def _shift(rgb: RGB, modifiers: set[str]) -> RGB:
    hue, lightness, saturation = colorsys.rgb_to_hls(*(channel / 255 for channel in rgb))
    if modifiers & {"deep", "dark"}:
        lightness *= 0.6
    if modifiers & {"pale", "light", "soft", "pastel"}:
        lightness = lightness + (1 - lightness) * 0.45
        saturation *= 0.7
    if modifiers & {"neon", "bright", "vivid"}:
        saturation = min(1.0, saturation * 1.3 + 0.1)
        lightness = min(0.65, max(lightness, 0.5))
    if modifiers & {"muted", "dusty", "faded"}:
        saturation *= 0.45
    red, green, blue = colorsys.hls_to_rgb(hue, lightness, saturation)
    return round(red * 255), round(green * 255), round(blue * 255)


def find_colours(text: str) -> list[RGB]:
    """Every colour named in `text`, in order, each shifted by the modifier just before it."""
    found: list[RGB] = []
    lowered = text.casefold()
    for match in _PATTERN.finditer(lowered):
        rgb = _NAMES[vocabulary.spelling_of(match.group(1))]
        if rgb is None:
            continue  # "black and white", "golden hour light", "red carpet": no colour of the palette
        before = lowered[max(0, match.start() - 12) : match.start()]
        found.append(_shift(rgb, set(_MODIFIER.findall(before))))
    return found


def stable_colour(text: str) -> RGB:
    """A colour derived from the text itself: same words, same colour, mid lightness."""
    digest = hashlib.sha256(text.casefold().encode()).digest()
    red, green, blue = colorsys.hls_to_rgb(digest[0] / 255, 0.45 + digest[1] / 255 * 0.15, 0.45 + digest[2] / 255 * 0.3)
    return round(red * 255), round(green * 255), round(blue * 255)


def anchor_colour(anchor: str) -> RGB:
    """One palette anchor to one colour (its first colour word, else `stable_colour`)."""
    found = find_colours(anchor)
    return found[0] if found else stable_colour(anchor)


def mix(a: RGB, b: RGB, amount: float) -> RGB:
    """`a` moved towards `b` by `amount` (0..1)."""
    return tuple(round(x + (y - x) * amount) for x, y in zip(a, b, strict=True))  # type: ignore[return-value]


def scale(rgb: RGB, factor: float) -> RGB:
    return tuple(max(0, min(255, round(channel * factor))) for channel in rgb)  # type: ignore[return-value]


def luminance(rgb: RGB) -> float:
    """Relative brightness 0..1 (BT.601 weights)."""
    return (0.299 * rgb[0] + 0.587 * rgb[1] + 0.114 * rgb[2]) / 255
