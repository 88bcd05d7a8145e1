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
            "professional lighting",
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
            "vibrant",
            "nice colors",
            "nice colours",
            "bright colors",
            "bright colours",
            "pretty colors",
            "pretty colours",
            "rich colors",
            "rich colours",
            "colorful scene",
            "colourful scene",
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
            "adorable",
            "appealing",
            "stylish",
            "elegant",
            "chic",
            "premium feel",
            "premium look",
            "powerful",
            "visionary",
            "adrenaline",
            "dramatic",
            "silly",
            "awe-inspiring",
            "ever made",
            "of all time",
            "soft motions",
            "soft movements",
            "drives off fast",
            "runs fast",
        ),
        (
            "say what the viewer sees: light direction, texture, one action",
            "knee-high fog, sodium streetlight, wet cobblestones",
        ),
    ),
}
# Requests to look or feel good, and praise after an intensifier: "make it look good", "super cool", "looks
# amazing". Generated as phrases so that the longest wins over the bare word ("cool" alone is a colour
# temperature, "cool looking" is praise).
_PRAISE = [
    "good",
    "great",
    "nice",
    "cool",
    "amazing",
    "awesome",
    "better",
    "professional",
    "perfect",
    "incredible",
    "epic",
    "beautiful",
    "stunning",
    "cinematic",
    "gorgeous",
    "fantastic",
    "dope",
    "fun",
]
_APPEARANCE = ["look", "looks", "looking", "feel", "feels", "feeling", "seem", "seems"]
_INTENSIFIERS = ["really", "super", "so", "very", "pretty", "extremely", "insanely", "totally", "truly"]
_GENERIC = [
    "video",
    "videos",
    "shot",
    "shots",
    "clip",
    "clips",
    "effect",
    "effects",
    "stuff",
    "thing",
    "things",
    "visuals",
    "footage",
    "scene",
    "scenes",
]
_CLAIMS: tuple[str, ...] = (
    *(f"{verb} {word}" for verb in _APPEARANCE for word in _PRAISE),
    *(f"{word} {verb}" for verb in ("looking", "looks") for word in _PRAISE if word != "better"),
    *(f"{intensifier} {word}" for intensifier in _INTENSIFIERS for word in _PRAISE if word != "better"),
    *(f"{word} {noun}" for word in ("cool", "good", "great", "nice", "fun") for noun in _GENERIC),
    *(f"make it {word}" for word in ("pop", "better", "good", "great", "nice", "cool", "awesome", "interesting")),
    "hollywood level",
    "hollywood quality",
    "hollywood grade",
    "professional quality",
    "pro looking",
    "award winning",
    "next level",
    "top notch",
    "wow factor",
)
VAGUE_TERMS.update(
    dict.fromkeys(_CLAIMS, ("say what the viewer sees: light direction, texture, one action", *_LOOK[:1]))
)
VAGUE_TERMS.update(
    dict.fromkeys(
        (
            "lots of action",
            "lot of action",  # "a lot of action": not keyed on "a", which every prompt has
            "plenty of action",
            "full of action",
            "action packed",
            "lots of movement",
            "lot of movement",
            "lots going on",
            "lot going on",
            "lots of stuff",
            "high energy",
            "moving around",
            "move around",
            "jumping around",
            "running around",
        ),
        _MOTION,
    )
)
VAGUE = Phrases({term: term for term in VAGUE_TERMS}, plural=False)
# A vague word followed by one of these is a different phrase: "nice, dry wood" is still vague, but
# "epic IMAX-scale" is the guide's own style phrase and "cinematic lighting" is caught as lighting.
_SOUND_AND_GENRE = words_set(
    "music score soundtrack choir orchestra orchestral chorus theme fanfare anthem drums strings brass "
    "fantasy saga poem tale western"
)
VAGUE_EXEMPT_NEXT = {
    "epic": words_set("imax imax-scale") | _SOUND_AND_GENRE,  # "epic music" names a genre of score
    "dynamic": words_set("range"),  # a measure of light, not praise
    "interesting": words_set("because"),  # a reason follows
    "perfect": words_set(  # an exact shape or timing is a concrete instruction
        "circle half semicircle square line straight arc spiral symmetry sync unison loop stillness silence "
        "profile row grid center centre"
    ),
    "atmospheric": words_set("haze fog mist perspective scattering smoke dust pressure"),  # physical things
    "magical": words_set("realism realist girl energy portal spell spells powers runes creature creatures"),
    # "dramatic" before a noun is often the thing itself ("dramatic clouds"); "dramatic lighting" is listed
}
# Words that are vague only where nothing follows them in their clause ("..., dramatic."), or only after one
# of these words: "cyberpunk aesthetic" names an aesthetic, "a very aesthetic shot" is praise.
VAGUE_ALONE = frozenset({"dramatic"})
VAGUE_ONLY_AFTER = {"aesthetic": words_set("a an the very so super really more most pretty nice good great")}
# Descriptive words that the prompt may go on to spell out ("an elegant man in a charcoal suit and polished
# oxfords", "cinematic lighting with a rim light"): then they are not vague. Praise ("awesome") never is.
SPELLABLE = frozenset({"elegant", "stylish", "chic", "fancy", "cinematic", "moody", "dramatic", "atmospheric"})
COLOUR_TERMS = frozenset(term for term, fixes in VAGUE_TERMS.items() if fixes is _COLOURS) | {"vibrant"}
# A vague word in a clause that asks to avoid something is no request: "AVOID: dramatic lighting".
NEGATIONS = words_set("avoid no not without never")
# A vague word after one of these is a noun naming a genre: "a historical epic", "a space epic".
VAGUE_EXEMPT_BEFORE = {
    "epic": words_set("historical biblical war space fantasy western sword sandal costume period sci-fi"),
}
# Praise words ending in -ing before one of these are verbs: "striking the anvil", "stunning the guard".
VERB_OBJECTS = words_set("the a an her his their its my our your this that one each him them it")
