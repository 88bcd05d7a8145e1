"""The linter's vocabularies: the shared terms of `cinebrief.prompts.vocabulary` (camera moves, framing,
light, times of day, colours, sound, motion and action verbs) as phrase tables, and the linter's own word
lists (style, beat words, subjects; vague terms are in `vague_terms`). Matching lives in `lexicon`.

Every list follows the prompting guide: praise words that show nothing (§6), one camera move per shot
(§8), framing and angle (§2, §7), light sources, qualities and times of day (§9), palette anchors (§9),
style phrases (§5), sound cues (§11), and action beats written as counts, pauses and end points (§8).
"""

from __future__ import annotations

from cinebrief.lint.lexicon import Phrases, words_set
from cinebrief.prompts import vocabulary as shared
from cinebrief.prompts.vocabulary import Term


def phrases(text: str) -> tuple[str, ...]:
    """A comma-separated list of phrases as a tuple (long vocabularies stay readable as text)."""
    return tuple(part.strip() for part in text.split(",") if part.strip())


# Camera moves by family, from the shared vocabulary: only moves (a platform such as handheld, or a static
# camera, is not a move).
MOVE_TERMS: dict[str, Term] = {
    spelling: term
    for spelling, term in shared.spellings(shared.MOVES).items()
    if shared.FAMILIES[term.value][0] == "move"
}
MOVES = Phrases({spelling: term.value for spelling, term in MOVE_TERMS.items()}, plural=False)
MOVE_MERGES = shared.MOVE_MERGES
MOVE_DIRECTIONS = shared.MOVE_DIRECTIONS
CAMERA_CONTEXT = shared.CAMERA_WORDS
# Deciding what a verb's subject is: words that join clauses, relative pronouns (the subject is the word
# before them), and words that say nothing of the subject ("then slowly ...").
CLAUSE_JOINS = words_set("and then as while when where after before until so but")
RELATIVES = frozenset({"that", "which", "who"})
PRONOUNS = words_set("he she they we i you")
NOUN_USE_NEXT = words_set("shot move movement motion")  # "a slow panning shot" names a move
# "playing violin" is music, not a motion to break into beats.
NOT_MOTION_NEXT = words_set("violin guitar piano drums cello trumpet saxophone flute harp cards chess music")
PLAY = words_set("play plays playing played")
# An -ing word after these and before a noun is an adjective: "a flying saucer", "of running water".
MODIFIER_BEFORE = words_set(
    "a an the his her their its my your our this that these those some many two three four five six several "
    "of with without from among between like"
)
# After an -ing word these show it is a verb with a path, an object or a manner, not an adjective: "running
# around", "jumping over the fence", "dancing slowly".
NOT_NOUN = words_set(
    "in on at to into onto out up down off over under around across along through past toward towards away "
    "back forward behind beside by from with without a an the his her their its my your our this that and or "
    "then while as slowly quickly gently fast hard together alone again"
)
# A motion closed by one of these at the end of its clause has an end point: "walks up.", "runs off".
END_PARTICLES = words_set("up over in out off away back inside outside home")
CLAUSE_WORDS = words_set("and then while as before when until")

FRAMING_TERMS = shared.spellings(shared.FRAMINGS, without="camera field")
FRAMING = Phrases(list(FRAMING_TERMS), plural=False)
# In a camera field every framing word counts ("Camera: wide, low"); in prose a bare "wide" or "low" counts
# only before one of `SHOT_NOUNS` ("wide panoramic shot").
FRAMING_ALL_TERMS = shared.spellings(shared.FRAMINGS)
FRAMING_ALL = Phrases(list(FRAMING_ALL_TERMS), plural=False)
SHOT_NOUNS = words_set("shot angle view frame")
# Before "framing": words that say nothing about it ("identical framing", "the same framing").
UNDESCRIBED_FRAMING = shared.UNDESCRIBED_LIGHT | words_set("exact original identical same similar matching")

# Light words and times of day (light that the time stands for), each with its term (qualifiers: `vague`,
# `prop`, `not light`); `missing-lighting` reads them through `detect.describes_light`.
LIGHT_TERMS: dict[str, Term] = {**shared.spellings(shared.LIGHT), **shared.spellings(shared.TIMES)}
LIGHT = Phrases(list(LIGHT_TERMS), plural=False)
GENERIC_LIGHT = frozenset({"light", "lighting", "lit", "lights"})
LIGHTS_SOMETHING = shared.LIGHTS_SOMETHING
UNDESCRIBED_LIGHT = shared.UNDESCRIBED_LIGHT
# After a bare "light" these say where it goes: "light from the left", "light streaming through".
LIGHT_GOES = words_set(
    "from through streams streaming spills spilling falls falling pours pouring filters filtering rakes raking "
    "hits catches catching washes washing pools pooling"
)

# Light named as what it is (a source, a direction, a quality), not the bare word "light" nor a vague phrase.
CONCRETE_LIGHT = Phrases(
    {
        spelling: term.value
        for spelling, term in shared.spellings(shared.LIGHT, without="vague").items()
        if term.phrase not in ("light", "lighting", "lit")
    },
    plural=False,
)

COLOURS = tuple(term.phrase for term in shared.COLOURS if "not a colour" not in term.qualifiers)
# Phrases with a colour word that name no palette colour map to "": matched first (longer), so they win.
COLOUR_TABLE = Phrases(
    {term.phrase: "" if "not a colour" in term.qualifiers else term.phrase for term in shared.COLOURS},
    plural=False,
)

STYLE = Phrases(
    phrases(
        "8 mm, 8mm, 16 mm, 16mm, 35 mm, 35mm, 65 mm, 65mm, 70 mm, 70mm, super 8, super-8, imax, vhs, betamax, "
        "camcorder, documentary, newsreel, anime, animation, animated, cartoon, claymation, stop-motion, stop "
        "motion, noir, film noir, black-and-white, black and white, monochrome, sepia, vintage, retro, "
        "technicolor, kodachrome, ektachrome, polaroid, film grain, grainy, grain, halation, anamorphic, "
        "found footage, found-footage, home video, phone clip, phone footage, smartphone, music video, "
        "commercial, hollywood, photoreal, photorealistic, hyperreal, hyperrealistic, watercolor, "
        "watercolour, oil painting, pixel art, 3d render, cgi, cel-shaded, shot on, filmic, arthouse, "
        "art-house, instant film, dv tape, security camera, cctv, bodycam, dashcam, film stock, nature film, "
        "wildlife film, mockumentary, sitcom, western, sci-fi, cyberpunk, steampunk, storybook, live-action, "
        "analog, analogue, style, 1920s, 1930s, 1940s, 1950s, 1960s, 1970s, 1980s, 1990s, 2000s, 2010s, 20s, "
        "30s, 40s, 50s, 60s, 70s, 80s, 90s, '70s, '80s, '90s, film, 35 mm film, 16 mm film, kodak, fujifilm, "
        "ektar, portra, tri-x, lomo, ugc, vlog, selfie video, nature documentary, period drama, thriller, "
        "horror, claymation style, handheld eng camera, eng camera, broadcast, news footage, infomercial, "
        "trailer, phone video, handheld phone, cooking show, game show, talk show, slow motion"
    )
)

SOUND = Phrases(list(shared.spellings(shared.SOUND)), plural=False)

MOTION = frozenset(spelling for term in shared.MOTION_VERBS for spelling in term.spellings)
NUMBER_WORDS = words_set("one two three four five six seven eight nine ten eleven twelve a few several single couple")
BEAT_UNITS = words_set(
    "step stride time pace beat second count lap turn spin hop jump bounce pull tap breath rotation stroke swing "
    "kick clap blink nod bow push shake knock bite sip puff stitch punch"
)
BEAT_WORDS = words_set(
    "pause paused pausing stop stopped stopping halt halted halting freeze froze then before after until finally "
    "beat land landed landing settle settled settling reach reached reaching arrive arrived arriving brake braked "
    "braking once twice thrice last final"
)
ENDPOINT_PREPOSITIONS = words_set("to into onto")
CLIP_WORDS = words_set("video clip film shot movie reel")
DETERMINERS = words_set("the a an her his their its my our your this that")
ACTION_FORMS = frozenset(spelling for term in shared.ACTION_VERBS for spelling in term.spellings)

SUBJECTS = words_set(
    "man woman men women person people girl boy child kid teen teenager guy lady gentleman dog cat horse bird "
    "cyclist runner dancer chef soldier worker driver courier musician detective officer doctor nurse student "
    "farmer fisherman skater surfer climber hiker barista clerk waiter waitress singer actor actress figure "
    "stranger traveler traveller knight robot creature monster astronaut pilot boxer athlete player couple "
    "grandmother grandfather mother father priest nun vendor kitten puppy fox wolf bear deer potter"
)
# Things in a scene that move by themselves: a move verb right after one is their motion ("head tilts").
SCENE_SUBJECTS = SUBJECTS | words_set(
    "head eye eyes tear tears hand hands arm arms face body shoulder shoulders leg legs finger fingers hair "
    "bird birds moth moths insect insects fish car cars planet earth moon ball wheel turntable dancer dancers"
)
# Words between an article and a subject noun that pick it out without describing it: "the other man".
NOT_DETAIL = words_set("other same only first second last next certain random generic main another")
ANCHOR_NEXT = words_set("in with wearing dressed whose clad carrying holding named called aged")

COMPETING_TRAITS: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = (
    (
        "hair",
        ("bald",),
        (
            "long hair",
            "braided hair",
            "curly hair",
            "flowing hair",
            "wavy hair",
            "ponytail",
            "dreadlocks",
            "pigtails",
            "braids",
            "bun",
            "afro",
            "mohawk",
            "shoulder-length hair",
        ),
    ),
    ("beard", ("clean-shaven", "clean shaven"), ("beard", "bearded", "mustache", "moustache", "stubble", "goatee")),
    (
        "age",
        ("young", "teenage", "teenaged", "youthful", "toddler", "child"),
        ("elderly", "aged", "wrinkled", "ancient", "grey-haired", "white-haired", "old man", "old woman"),
    ),
    ("feet", ("barefoot",), ("boots", "sneakers", "shoes", "heels", "sandals", "trainers", "slippers")),
    (
        "hair colour",
        ("blonde", "blond", "fair-haired"),
        ("black-haired", "dark-haired", "raven-haired", "redhead", "red-haired", "brunette"),
    ),
    ("height", ("tall",), ("short man", "short woman", "short person", "tiny man", "tiny woman", "petite")),
    (
        "build",
        ("skinny", "thin", "gaunt", "slender", "wiry"),
        ("stocky", "heavyset", "portly", "burly", "plump", "obese"),
    ),
    ("expression", ("smiling", "grinning"), ("frowning", "scowling", "crying", "weeping", "sobbing")),
)
COMPETING = tuple((topic, Phrases(left), Phrases(right)) for topic, left, right in COMPETING_TRAITS)
# Every first word of a competing trait: a span with none of them cannot have a pair.
COMPETING_WORDS = frozenset(
    phrase.split()[0].split("-")[0] for _, left, right in COMPETING_TRAITS for phrase in left + right
)

TIMES = Phrases({spelling: term.value for spelling, term in shared.spellings(shared.TIMES).items()}, plural=False)

GARMENTS = words_set(
    "coat jacket raincoat shell dress scarf hat cap shirt hoodie sweater jumper suit skirt trousers pants jeans "
    "boots gloves cloak robe uniform apron helmet vest blouse kimono parka poncho overalls beanie windbreaker"
)
COLOUR_WORDS = words_set(" ".join(c for c in COLOURS if " " not in c and "-" not in c))
# Words right before a thing that gives light that make it the shot's light ("red neon", "afternoon sun").
DESCRIBES_LIGHT = shared.DESCRIBES_LIGHT | COLOUR_WORDS

SPEECH_VERBS = frozenset(spelling for term in shared.SPEECH_VERBS for spelling in term.spellings)
# Quoted text that is written, not spoken: a sign reading "OPEN", a shirt that says "NO".
WRITTEN = words_set(
    "sign signs label labeled labelled banner poster screen title titled text card shirt t-shirt note letter "
    "headline reading reads caption subtitle graffiti logo word words neon plate marquee board menu tattoo "
    "stamped printed written engraved painted"
)
