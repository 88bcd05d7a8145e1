"""The one vocabulary of prompt terms: camera moves and their families, framings, angles, focus, light words,
times of day, weather, colours, sound, and verbs of motion and action. The prompt parser, the linter and
previz read these tables.

One notation for every table, one term a line::

    phrase | value | qualifiers

`phrase` is the term in its base form (several terms that share a value and qualifiers may stand on one
line, separated by commas). A word marked ``~`` is a verb and is read in all its forms
(``~push in`` also reads "pushes in", "pushing in", "pushed in"); a word marked ``+`` is a noun and is read
in the plural too. The forms come from lemminflect, through the table in `forms` (see `forms.py`). `value`
is what the term stands for in its table (a move family, an angle, a time of day); empty means the phrase
itself. Qualifiers, separated by ``;``, say when the term counts, beside the term they qualify:

- ``context``: in prose the word is ambiguous ("a frying pan", "she tilts her head"): it counts next to a
  direction, or in a sentence about the camera.
- ``camera``: its subject must be the camera, the shot or the drone ("the drone skims the water", not "the
  swallow skims the water"); a direction alone is not enough. (Any move verb whose subject is a thing in the
  scene is no camera move: "moths circle the lamp", "a tear tracks down her cheek".)
- ``not before: w ...``: not the term after one of these words ("a frying pan", "the crane");
  ``@determiners`` stands for the articles and possessives.
- ``not next: w ...``: not the term before one of these words ("zoom lens", "tracking number").
- ``camera field``: counts only in a camera field (``Camera shot: wide, low``), never in prose.
- ``described``: counts only after a word that describes it ("tight framing", not "the same framing").
- ``prop``: a thing that gives light but is often only a prop or a setting (a torch on a wall, a lantern
  someone carries): it is lighting only when the text says it lights something.
- ``vague``: the phrase is light spoken of without saying what it is ("moody lighting", "well lit"): not a
  lighting description.
- ``not a colour``: a phrase with a colour word that names no colour ("golden hour", "black tie").
- ``not light``: a time of day that names no light by itself ("at night", "morning").
- ``sign``: a sign of the weather rather than the weather ("puddles", "wet asphalt"); previz draws it.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from cinebrief.prompts import forms


class Term(NamedTuple):
    """One term of a table: as listed (markers removed), its value, its qualifiers and its exceptions."""

    phrase: str
    value: str
    qualifiers: frozenset[str]
    not_before: frozenset[str]
    not_next: frozenset[str]
    spellings: tuple[str, ...]  # every form the term is read in (lower case, words separated by a space)


def table(notation: str) -> tuple[Term, ...]:
    """Read a table in the notation above."""
    terms = []
    for raw in notation.splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        phrase, value, qualifiers = ([*(part.strip() for part in line.split("|")), "", ""])[:3]
        flags, not_before, not_next = set(), frozenset[str](), frozenset[str]()
        for qualifier in filter(None, (part.strip() for part in qualifiers.split(";"))):
            key, _, words = qualifier.partition(":")
            if key == "not before":
                not_before = frozenset(_expand(words.split()))
            elif key == "not next":
                not_next = frozenset(words.split())
            else:
                flags.add(qualifier)
        for each in filter(None, (part.strip() for part in phrase.split(","))):
            bare = each.replace("~", "").replace("+", "")
            terms.append(Term(bare, value or bare, frozenset(flags), not_before, not_next, _spellings(each)))
    return tuple(terms)


_NAMED = {"@determiners": ("a", "an", "the", "his", "her", "their", "its", "my", "your", "our")}


def _expand(words: list[str]) -> list[str]:
    return [each for word in words for each in _NAMED.get(word, (word,))]


def _spellings(phrase: str) -> tuple[str, ...]:
    """Every form of a marked phrase: ``~push in`` → push in, pushes in, pushing in, pushed in."""
    variants: list[list[str]] = [[]]
    for word in phrase.lower().replace("-", " ").split():
        if word.startswith("~"):
            options = forms.verb_forms(word[1:])
        elif word.startswith("+"):
            options = forms.noun_forms(word[1:])
        else:
            options = (word,)
        variants = [[*variant, option] for variant in variants for option in options]
    return tuple(dict.fromkeys(" ".join(variant) for variant in variants))


def spellings(terms: tuple[Term, ...], *, without: str = "") -> dict[str, Term]:
    """Every spelling of the terms → its term (terms with the qualifier `without` left out)."""
    return {spelling: term for term in terms if without not in term.qualifiers for spelling in term.spellings}


def spelling_of(written: str) -> str:
    """The spelling a `pattern` match stands for, the key of `spellings`: lower case, a space between words
    ("Low  Angle", "close-up" → "low angle", "close up")."""
    return " ".join(written.casefold().replace("-", " ").split())


def pattern(terms: tuple[Term, ...] | dict[str, Term]) -> re.Pattern[str]:
    """A case-insensitive pattern of every spelling, whole words only, a hyphen or spaces between words."""
    found = terms if isinstance(terms, dict) else spellings(terms)
    body = "|".join(r"[\s-]+".join(map(re.escape, spelling.split())) for spelling in sorted(found, key=len)[::-1])
    return re.compile(rf"(?<![\w'])(?:{body})(?![\w'])", re.IGNORECASE)


def words(text: str) -> frozenset[str]:
    """Whitespace-separated words as a set (single words, read as written)."""
    return frozenset(text.split())


# Move families: what kind of thing each is, and the animation previz gives it ("-": none).
# A platform (handheld, Steadicam) is how the camera is carried, not a move; static is no move at all.
FAMILIES: dict[str, tuple[str, str]] = {
    family: (kind, animation)
    for family, kind, animation in (
        ("push", "move", "push"),
        ("pull", "move", "pull"),
        ("lateral", "move", "travel"),
        ("dolly", "move", "travel"),
        ("tracking", "move", "travel"),
        ("fly", "move", "travel"),
        ("pan", "move", "pan"),
        ("tilt", "move", "tilt"),
        ("crane", "move", "crane"),
        ("arc", "move", "arc"),
        ("zoom", "move", "push"),
        ("zoom-out", "move", "pull"),
        ("dolly-zoom", "move", "push"),
        ("roll", "move", "-"),
        ("handheld", "platform", "handheld"),
        ("stabilised", "platform", "travel"),
        ("static", "static", "static"),
    )
}
# Families that make one move together: a dolly (or truck) is how a tracking shot or a push-in is made.
MOVE_MERGES = {
    "dolly": {"push", "pull", "lateral", "tracking", "dolly-zoom"},
    "tracking": {"lateral", "dolly", "push", "pull"},  # a tracking shot that pushes in is the push-in
}

MOVES = table(
    """
    ~push in            | push
    ~push forward       | push
    ~push through       | push     | camera
    ~dolly in           | push
    ~dolly forward      | push
    ~creep in           | push
    ~track in           | push
    ~move in            | push     | context
    ~move closer        | push     | camera
    ~pull out           | pull
    ~pull back          | pull
    ~pull away          | pull     | context
    ~dolly out          | pull
    ~dolly back         | pull
    ~track out          | pull
    ~track back         | pull
    ~back away          | pull     | camera
    ~dolly left         | lateral
    ~dolly right        | lateral
    ~truck              | lateral  | context; not before: a the delivery fire pickup
    ~truck left         | lateral
    ~truck right        | lateral
    ~crab               | lateral  | camera
    lateral move        | lateral
    ~dolly              | dolly    | context
    dolly shot          | dolly
    ~track              | tracking | context; not next: number device code record records
    tracking shot       | tracking | context
    ~follow             | tracking | context
    follow shot         | tracking
    whip ~pan           | pan
    swish ~pan          | pan
    ~turn               | pan      | camera
    ~pan                | pan      | context; not before: @determiners frying white grey gray black
    ~tilt               | tilt     | context; not before: @determiners
    ~crane              | crane    | context; not before: @determiners construction; not next: kit
    crane shot          | crane
    ~jib                | crane    | context
    ~boom up            | crane
    ~boom down          | crane
    pedestal            | crane    | context
    ~rise up            | crane    | context
    ~rise               | crane    | camera
    ~descend            | crane    | context
    ~lift               | crane    | camera
    ~climb              | crane    | camera
    ~ascend             | crane    | camera
    +descent            | crane    | camera
    +ascent             | crane    | camera
    ~look up            | tilt     | camera
    ~look down          | tilt     | camera
    ~arc                | arc      | context; not before: @determiners trajectory
    ~orbit              | arc      | context
    ~circle             | arc      | camera
    ~circle around      | arc      | context
    ~rotate around      | arc      | camera
    ~swirl around       | arc      | camera
    360                 | arc      | context
    ~zoom               | zoom     | context; not next: lens
    ~zoom in            | zoom     | context
    crash ~zoom         | zoom
    snap ~zoom          | zoom
    ~zoom out           | zoom-out | context
    dolly ~zoom         | dolly-zoom
    vertigo effect      | dolly-zoom
    dutch roll          | roll
    barrel ~roll        | roll
    camera roll         | roll
    ~fly                | fly      | camera
    ~fly through        | fly      | camera
    ~fly over           | fly      | camera
    ~skim               | fly      | camera
    ~dive               | fly      | camera
    ~weave              | fly      | camera
    ~swoop              | fly      | camera
    ~glide              | fly      | camera
    ~sweep              | fly      | camera
    ~soar               | fly      | camera
    handheld            | handheld
    hand held           | handheld
    shaky cam           | handheld
    shoulder mounted    | handheld
    shoulder rig        | handheld
    on the shoulder     | handheld
    steadicam           | stabilised
    gimbal              | stabilised
    static              | static
    static shot         | static
    locked off          | static
    tripod              | static
    still frame         | static
    no movement         | static
    fixed camera        | static
    """
)
# Words that make an ambiguous move word a camera move when they follow it, or when the camera is named.
MOVE_DIRECTIONS = words(
    "in out up down left right back forward across around over toward towards past along behind away "
    "slowly gently quickly sharply"
)
CAMERA_WORDS = words("camera cam lens dolly steadicam gimbal drone fpv shot pov")

# Shot types and angles (the guide's §2 and §7): what `missing-camera-framing` looks for and what splits a
# leading framing off a ``Camera:`` line. A tracking, dolly or crane shot is a move, not a framing.
FRAMINGS = table(
    """
    wide +shot | wide
    wide establishing +shot | wide
    establishing +shot | wide
    extreme wide +shot | wide
    wide angle +shot | wide
    wide +frame | wide
    wide | wide | camera field
    ws | wide | camera field
    long +shot | wide
    full +shot | full
    full | full | camera field
    medium +shot | medium
    medium wide +shot | medium
    mid +shot | medium
    medium | medium | camera field
    ms | medium | camera field
    cowboy +shot | medium
    medium close +up | close
    mcu | close
    close +up | close
    +closeup | close
    cu | close | camera field
    extreme close +up | close
    ecu | close
    tight +shot | close
    insert +shot | close
    macro +shot | close
    two +shot | group
    single +shot | single
    master +shot | wide
    over the shoulder | angle
    ots | angle
    point of view | angle
    pov | angle
    profile +shot | angle
    aerial | angle
    aerial +shot | angle
    aerial +view | angle
    drone +shot | angle
    drone +view | angle
    drone camera | angle
    fpv | angle
    first person | angle
    first person +view | angle
    first person perspective | angle
    overhead +view | angle
    top +view | angle
    top down +view | angle
    side +view | angle
    macro | close
    macro photography | close
    macro lens | close
    bird's eye | angle
    birds eye | angle
    bird's eye view | angle
    top down | angle
    overhead +shot | angle
    overhead | angle | camera field
    low +angle | angle
    high +angle | angle
    eye level | angle
    dutch +angle | angle
    worm's eye | angle
    ground level | angle | camera field
    from above | angle | camera field
    from below | angle | camera field
    from behind | angle | camera field
    straight on | angle | camera field
    profile | angle | camera field
    dutch | angle | camera field
    low | angle | camera field
    high | angle | camera field
    +angle | angle | camera field
    framed | framing | described
    framing | framing | described
    +shot | framing | camera field
    extreme | framing | camera field
    establishing | framing | camera field
    insert | framing | camera field
    """
)
# The framings that name a shot wherever they stand (no ``camera field`` words), and a bare "wide", which is a
# shot size on a ``Camera:`` line and to previz ("wide, eye level"); the linter keeps it to camera fields.
NAMED_FRAMINGS: dict[str, Term] = {
    **spellings(FRAMINGS, without="camera field"),
    "wide": next(term for term in FRAMINGS if term.phrase == "wide"),
}
FOCUS = table(
    """
    depth of field
    dof
    shallow focus
    deep focus
    soft focus
    rack focus
    focus pull
    pull focus
    split diopter
    bokeh
    focus on
    in focus
    out of focus
    tilt shift
    """
)

# Light (the guide's §9): sources, qualities, directions. `source` words are lighting; `prop` words only
# when a word right before describes them ("red neon", "afternoon sun") or the sentence says they light
# something (`LIGHTS_SOMETHING`); `vague` phrases are light named without being
# described. The bare words "light", "lighting" and "lit" are lighting only with a word that describes them.
LIGHT = table(
    """
    +light | quality
    lighting | quality
    lit | quality
    +backlight | direction
    backlit | direction
    rim +light | direction
    rim | direction
    key +light | direction
    fill +light | direction
    key | direction
    sunlight | source
    sunlit | source
    sun | source | prop
    harsh sun | source
    +sunbeam | source
    sunshine | source
    moonlight | source
    moonlit | source
    neon | source | prop
    +lamp | source
    lamplight | source
    candlelight | source
    candlelit | source
    +fluorescent | source
    +searchlight | source
    +beam | source
    overcast | quality
    +shadow | quality
    +silhouette | quality
    silhouetted | quality
    glow | quality
    glowing | quality | prop
    glows | quality | prop
    torchlight | source
    +streetlight | source
    street +light | source
    +practical | source
    window +light | source
    daylight | source
    firelight | source
    +headlight | source
    +spotlight | source
    +floodlight | source
    +strobe | source
    halation | quality
    chiaroscuro | quality
    low key | quality
    high key | quality
    sodium vapor | source
    tungsten | source
    dim | quality
    dimly | quality
    +glare | quality
    +flare | quality
    lens +flare | quality
    lightning | source
    shade | quality
    sunny | quality
    +chandelier | source
    +bulb | source
    darkness | quality
    +candle | source | prop
    +lantern | source | prop
    +torch | source | prop
    fire | source | prop
    moon | source | prop
    lights | source | prop
    moody lighting | quality | vague
    good lighting | quality | vague
    great lighting | quality | vague
    nice lighting | quality | vague
    dramatic lighting | quality | vague
    beautiful lighting | quality | vague
    perfect lighting | quality | vague
    cinematic lighting | quality | vague
    great +light | quality | vague
    well lit | quality | vague
    professional lighting | quality | vague
    atmospheric lighting | quality | vague
    interesting lighting | quality | vague
    epic lighting | quality | vague
    lighting changes | quality | vague
    """
)
# Words that say a light lights something: a lamp "casting" shadows, neon "reflecting" on asphalt.
LIGHTS_SOMETHING = words(
    "illuminate illuminates illuminated illuminating illumination cast casts casting lit lights lighting bathe "
    "bathes bathed bathing wash washes washing spill spills spilling pool pools pooling reflect reflects "
    "reflected reflecting reflection reflections shine shines shining rays beams beam glare silhouetted"
)
# Words before a thing that gives light that make it the light of the shot: "red neon", "afternoon sun".
DESCRIBES_LIGHT = words(
    "warm cool soft hard harsh bright dim low high golden pale flickering afternoon morning evening midday "
    "noon setting rising winter summer late early stage fairy string overhead hanging"
)
# Words that describe nothing about light: "the lighting", "dramatic lighting", "framing and lighting".
UNDESCRIBED_LIGHT = words(
    "a an the and or of with its their his her this that same identical great good nice perfect beautiful "
    "dramatic cinematic professional atmospheric moody interesting epic amazing stunning cool proper "
    "better best correct right some any more"
)

# Times of day: the light they stand for. A time marked ``not light`` names no light by itself ("at night",
# "morning"): the lighting rule does not count it.
TIMES = table(
    """
    dawn | dawn
    sunrise | dawn
    first light | dawn
    daybreak | dawn
    early morning | dawn
    morning | day | not light
    afternoon | day | not light
    noon | midday
    midday | midday
    high sun | midday
    overhead sun | midday
    overhead noon sun | midday
    harsh midday sun | midday
    broad daylight | midday
    noon sun | midday
    golden hour | golden hour
    sunset | golden hour
    late afternoon | golden hour
    low sun | golden hour
    late golden hour | golden hour
    dusk | dusk
    blue hour | dusk
    twilight | dusk
    evening | dusk
    night | night | not light
    nighttime | night | not light
    midnight | night | not light
    after dark | night | not light
    at night | night | not light
    """
)
WEATHER = table(
    """
    rain | rain
    raining | rain
    rainy | rain
    drizzle | rain
    downpour | rain
    rainstorm | rain
    snow | snow
    snowing | snow
    snowy | snow
    snowfall | snow
    blizzard | snow
    fog | fog
    foggy | fog
    mist | fog
    misty | fog
    haze | fog
    hazy | fog
    storm | storm
    stormy | storm
    thunderstorm | storm
    overcast | cloud
    cloudy | cloud
    clear sky | clear
    +raindrop | rain
    +snowflake | snow
    flurries | snow
    wet | rain | sign
    +puddle | rain | sign
    smoke | fog | sign
    smoky | fog | sign
    """
)
COLOURS = table(
    """
    red
    orange
    yellow
    green
    blue
    purple
    violet
    pink
    magenta
    cyan
    teal
    turquoise
    amber
    gold
    ochre
    rust
    crimson
    scarlet
    maroon
    burgundy
    navy
    indigo
    cobalt
    azure
    mint
    olive
    emerald
    jade
    lime
    sage
    khaki
    beige
    cream
    ivory
    bone white
    off white
    white
    black
    grey
    gray
    charcoal
    slate
    silver
    brown
    walnut brown
    walnut
    tan
    sand
    sepia
    copper
    bronze
    sodium orange
    lavender
    lilac
    mauve
    peach
    coral
    salmon
    terracotta
    mustard
    chartreuse
    umber
    sienna
    taupe
    oxblood
    bottle green
    forest green
    sky blue
    steel blue
    petrol
    golden
    honey
    ash
    pastel
    neon pink
    neon green
    electric blue
    deep blue
    warm white
    cool white
    nicotine yellow
    aqua, bone, brass, chocolate, chrome, fuchsia, graphite, hot pink, ink, lemon, midnight blue, moss, plum
    rose, sodium, steel, ultramarine
    golden hour | | not a colour
    blue hour | | not a colour
    black and white | | not a colour
    white balance | | not a colour
    red carpet | | not a colour
    green screen | | not a colour
    white noise | | not a colour
    cool light | | not a colour
    warm light | | not a colour
    white light | | not a colour
    black tie | | not a colour
    blue jeans | | not a colour
    olive oil | | not a colour
    cream cheese | | not a colour
    gold medal | | not a colour
    sand dune | | not a colour
    sand dunes | | not a colour
    white haired | | not a colour
    grey haired | | not a colour
    gray haired | | not a colour
    silver screen | | not a colour
    """
)

# Verbs of motion (the guide's §8): a motion in a shot wants beats, a count, a pause or an end point.
MOTION_VERBS = table(
    """
    ~walk, ~run, ~move, ~dance, ~jump, ~wander, ~stroll, ~race, ~rush, ~hurry, ~drive, ~fly | motion
    ~swim, ~ride, ~roam, ~jog, ~sprint, ~spin, ~twirl, ~climb, ~chase, ~crawl, ~skate, ~glide | motion
    ~march, ~pace, ~stride, ~hop, ~leap, ~fight, ~play, ~cycle, ~pedal, ~dash, ~stumble, ~skip | motion
    ~bounce, ~scurry, ~prowl, ~frolic, ~trot, ~rotate, ~revolve, ~whirl | motion
    """
)
# Verbs of visible action: something happens in the shot.
ACTION_VERBS = table(
    """
    ~turn, ~walk, ~step, ~open, ~close, ~lift, ~raise, ~lower, ~smile, ~laugh, ~look, ~glance, ~reach | action
    ~grab, ~pull, ~push, ~run, ~jump, ~rise, ~fall, ~drop, ~throw, ~catch, ~pour, ~drink, ~nod, ~wave | action
    ~point, ~exit, ~enter, ~leave, ~approach, ~kneel, ~bow, ~spin, ~dance, ~fly, ~swim, ~climb, ~ride | action
    ~drive, ~roll, ~slide, ~drift, ~blink, ~breathe, ~shake, ~tap, ~knock, ~write, ~read, ~pick, ~place | action
    ~hand, ~hug, ~kiss, ~cry, ~shout, ~speak, ~sing, ~move, ~emerge, ~appear, ~vanish, ~fade, ~flicker | action
    ~sway, ~crawl, ~stretch, ~tilt, ~lean, ~press, ~cross, ~wipe, ~sprint, ~dash, ~pedal, ~brake, ~stop | action
    ~pause, ~bite, ~chew, ~sip, ~swing, ~kick, ~stomp, ~clap, ~shrug, ~wink, ~grin, ~frown, ~gasp, ~sigh | action
    ~shiver, ~tremble, ~rush, ~hurry, ~race, ~chase, ~flee, ~escape, ~fight, ~punch, ~dodge, ~duck | action
    ~leap, ~hop, ~skip, ~stumble, ~trip, ~slip, ~wobble, ~wander, ~stroll, ~march, ~pace, ~stride | action
    ~glide, ~float, ~soar, ~dive, ~splash, ~paddle, ~row, ~steer, ~twist, ~rotate, ~unfold, ~fold, ~tear | action
    ~rip, ~cut, ~slice, ~stir, ~knead, ~shape, ~carve, ~paint, ~draw, ~type, ~scroll, ~swipe, ~dial | action
    ~answer, ~hang, ~peel, ~unwrap | action
    """
)

# Sound (the guide's §11): sound words and things that make one ("waves", "a kettle clicks"); a sound named
# in the prose is a rhythm cue.
SOUND = table(
    """
    +sound, +audio, ~hear, +ambience, +ambient, +silence, +silent, +quiet, +noise, ~hiss, ~hum, ~buzz | sound
    ~click, +snap, ~thud, ~crackle, ~rumble, +whir, ~whirr, +murmur, +chatter, footsteps, ~echo, ~chime | sound
    ~ring, ~beep, ~whistle, +horn, +siren, +music, +score, +song, ~sing, +birdsong, ~chirp, ~bark, ~roar | sound
    ~whisper, ~splash, ~creak, ~clatter, ~rustle, ~drip, ~tick, lufs, +foley, +diegetic, +voice, +voiceover | sound
    speaks, ~say, ~shout, ~yell, ~laugh, +laughter, hushed, ~clang, ~patter, +thunder, tapping, ~crunch | sound
    ~sizzle, +gurgle, ~howl, +applause, ~cheer, +drumbeat, ~knock, ~slam, ~gasp, ~sigh, +hubbub, +din | sound
    drone of, traffic noise, +radio, +violin, +guitar, +piano, ~drum, +trumpet, +saxophone, +cello, +flute | sound
    +harp, +orchestra, ~crash, ~clack, +gong, lapping, cooing, calling, ~clink, ~purr, slapping, +crack | sound
    idling, +engine, ~croak, ~shatter, +bang, +pop, ~honk, ~rattle, ~squeak, ~scream, ~chant, +buzzer | sound
    +alarm, waves, +surf, ~giggle, ~whine, ~wail, tweeting, ~squawk, ~screech, ~thump, blaring, ding | sound
    dinging, ~jingle, ~tinkle, +whoosh, whooshing, ~growl, +meow, meowing, ~snarl, ~hoot, ~cackle, ~sob | sound
    crying, ~snore | sound
    """
)

# Verbs of speech: "Mara says softly:" opens a spoken line, "he whispers" near a quote makes it speech.
SPEECH_VERBS = table(
    """
    ~say, ~ask, ~whisper, ~shout, ~yell, ~mutter, ~answer, ~reply, ~call, ~murmur, ~exclaim, ~tell | speech
    ~add, ~sing, ~cry, ~announce, ~snap, ~respond, ~speak | speech
    """
)
