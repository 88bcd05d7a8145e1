"""Vague terms and the concrete phrases that show what each only claims.

In the spirit of the prompting guide's weak → strong pairs (§6): "a beautiful street at night" becomes
"wet asphalt, zebra crosswalk, neon signs reflecting in puddles". `vague-language` matches these terms and
proposes the replacements of the term it found.
"""

from __future__ import annotations

from cinebrief.lint.lexicon import Phrases, words_set

# Vague term → concrete phrases that show what it only claims (in the spirit of the guide's weak → strong).
_SCENERY = (
    "wet asphalt, zebra crosswalk, neon signs reflecting in puddles",
    "low sun raking across wheat, long shadows",
    "moss-covered birch trunks, knee-high fog",
)
_LOOK = (
    "anamorphic 2.0x lens, shallow depth of field, volumetric light",
    "35 mm film, 180° shutter, soft halation",
    "wide shot, low angle, warm backlight with soft rim",
)
_LIGHTING = (
    "soft window light with warm lamp fill, cool rim from the hallway",
    "a single hard key from camera left, cool edge light",
    "flat overcast daylight, no hard shadows",
)
_COLOURS = ("Palette anchors: amber, cream, walnut brown", "Palette anchors: teal, rust, bone white, charcoal")
_MOTION = (
    "pedals three times, brakes, and stops at the crosswalk",
    "takes four steps to the window, pauses, and pulls the curtain",
)
_DETAIL = (
    "name the visible detail: a material, a colour, a light source",
    "frost on the railing, breath visible in the cold air",
)
VAGUE_TERMS: dict[str, tuple[str, ...]] = {
    **dict.fromkeys(("beautiful", "gorgeous", "lovely", "picturesque", "pretty scene"), _SCENERY),
    **dict.fromkeys(
        (
            "stunning",
            "breathtaking",
            "spectacular",
            "amazing",
            "awesome",
            "incredible",
            "mesmerizing",
            "mesmerising",
            "jaw-dropping",
            "epic",
        ),
        (
            "shafts of pale morning sun through pine branches",
            "IMAX-scale aerial wide shot, tiny figures on the ridge",
            "spray backlit by low sun, every droplet catching light",
        ),
    ),
    **dict.fromkeys(
        (
            "cinematic",
            "cinematic look",
            "cinematic feel",
            "cinematic style",
            "cinematic vibe",
            "cinematic shot",
            "cinematic quality",
            "film look",
            "movie look",
            "hollywood look",
        ),
        _LOOK,
    ),
    **dict.fromkeys(("nice", "perfect", "wonderful", "fantastic", "magical", "majestic", "awesome-looking"), _DETAIL),
    **dict.fromkeys(
        (
            "nice lighting",
            "good lighting",
            "great lighting",
            "beautiful lighting",
            "dramatic lighting",
            "moody lighting",
            "interesting lighting",
            "cinematic lighting",
            "perfect lighting",
            "brightly lit",
            "well lit",
            "nicely lit",
            "nice light",
            "good light",
        ),
        _LIGHTING,
    ),
    **dict.fromkeys(
        (
            "vibrant colors",
            "vibrant colours",
            "colorful",
            "colourful",
            "nice colors",
            "nice colours",
            "bright colors",
            "bright colours",
            "pretty colors",
            "pretty colours",
            "rich colors",
            "rich colours",
        ),
        _COLOURS,
    ),
    **dict.fromkeys(
        (
            "moves quickly",
            "moves fast",
            "moves around",
            "moving around",
            "moves slowly",
            "moving quickly",
            "does something",
            "some action",
            "does stuff",
            "doing things",
            "walks around",
            "runs around",
            "goes somewhere",
            "something happens",
        ),
        _MOTION,
    ),
    **dict.fromkeys(
        (
            "interesting",
            "aesthetic",
            "vibe",
            "vibes",
            "atmospheric",
            "dynamic",
            "striking",
            "evocative",
            "immersive",
            "high-end look",
            "visually appealing",
            "eye-catching",
        ),
        (
            "say what the viewer sees: light direction, texture, one action",
            "knee-high fog, sodium streetlight, wet cobblestones",
        ),
    ),
}
VAGUE = Phrases({term: term for term in VAGUE_TERMS}, plural=False)
# A vague word followed by one of these is a different phrase: "nice, dry wood" is still vague, but
# "epic IMAX-scale" is the guide's own style phrase and "cinematic lighting" is caught as lighting.
VAGUE_EXEMPT_NEXT = {
    "epic": words_set("imax imax-scale"),
    "dynamic": words_set("range"),  # a measure of light, not praise
    "interesting": words_set("because"),  # a reason follows
}
