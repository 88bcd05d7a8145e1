"""What the animatic shows and when: a `Storyboard` read from the request's shot (or its prompt text).

Everything the picture, overlays and sound need is decided here, as plain data: colours, light, setting,
figures, the camera path, and the timing of action beats and dialogue lines. A request without a brief
shot is read with `cinebrief.prompts.parse_prompt`; words in the prompt fill what the shot leaves unsaid.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from cinebrief.backends.base import GenerationRequest
from cinebrief.backends.previz import colours
from cinebrief.backends.previz.camera import CameraPath, Segment, parse_moves
from cinebrief.backends.previz.colours import RGB
from cinebrief.brief.schema import Brief, Shot
from cinebrief.prompts import vocabulary
from cinebrief.prompts.timing import TimedLine as Line
from cinebrief.prompts.timing import time_dialogue

FPS = 24


@dataclass(frozen=True)
class Beat:
    index: int
    count: int
    text: str
    start: float
    end: float


@dataclass(frozen=True)
class Lighting:
    key_side: float  # -1 camera left, +1 camera right, 0 frontal or overhead
    key_colour: RGB
    warmth: float  # -1 cool .. +1 warm
    rim: bool
    rim_colour: RGB
    night: bool
    low_key: bool


@dataclass(frozen=True)
class Storyboard:
    """The decisions for one clip."""

    shot_id: str
    width: int
    height: int
    seconds: float
    seed: int
    framing: str
    angle: str
    lens: str
    move_label: str
    palette: list[RGB]
    lighting: Lighting
    setting: str  # city, interior, nature, sea, desert, space or open
    weather: str | None  # rain, snow, fog or None
    figures: list[str]
    figure_colours: list[RGB | None]  # a costume colour per figure, from its description
    figure_scale: float  # a standing figure's height as a fraction of the frame height
    focal_mm: float
    shallow_focus: bool
    camera: CameraPath
    beats: list[Beat]
    lines: list[Line]
    sound: str
    scene_text: str  # every descriptive word of the shot and prompt, lower case, for set details
    dialogue_overrun: float = 1.0  # > 1 when the lines need more time than the clip has
    notes: list[str] = field(default_factory=list)

    @property
    def frames(self) -> int:
        return round(self.seconds * FPS)


def shot_for(request: GenerationRequest) -> tuple[Shot, Brief | None]:
    """The request's brief shot, else the prompt read as a one-shot brief."""
    if request.shot is not None:
        return request.shot, request.brief
    from cinebrief.prompts import parse_prompt

    parsed = parse_prompt(request.prompt)
    return parsed.shots[0], parsed


def _all_text(shot: Shot, brief: Brief | None, prompt: str) -> str:
    detail = shot.detail
    parts = [
        prompt,
        shot.scene or "",
        shot.lighting or "",
        shot.mood or "",
        (brief.style_of(shot) if brief else shot.style) or "",
        detail.atmosphere.model_dump_json() if detail.atmosphere else "",
        detail.location.model_dump_json() if detail.location else "",
    ]
    return " ".join(parts).casefold()


def build_storyboard(request: GenerationRequest, *, anchored: bool) -> Storyboard:
    """Read every decision for the clip from the request."""
    shot, brief = shot_for(request)
    text = _all_text(shot, brief, request.prompt)
    seconds = float(int(request.seconds))
    lighting = read_lighting(shot.lighting or "", text)
    figures = _figures(shot, brief, text)
    framing = shot.camera.framing or _found(_SHOT_SIZE, text) or ""
    lens = shot.camera.lens or _first(text, r"\b(\d{2,3}\s?mm)\b") or ""
    camera = _camera_path(shot, request.prompt, seconds, seed=request.seed, anchored=anchored)
    lines, overrun = time_dialogue(shot, brief, seconds)
    notes = []
    if overrun > 1.0:
        notes.append(f"dialogue needs {overrun:.1f}x the time the clip gives it; it is spoken faster")
    return Storyboard(
        shot_id=shot.id,
        width=request.width,
        height=request.height,
        seconds=seconds,
        seed=request.seed,
        framing=framing,
        angle=shot.camera.angle or _found(_ANGLE, text) or "",
        lens=lens,
        move_label=" / ".join(dict.fromkeys(move.label for move in camera.moves)) or "static",
        palette=read_palette(brief.palette_of(shot) if brief else list(shot.palette or []), text, lighting),
        lighting=lighting,
        setting=read_setting(" ".join([shot.scene or "", request.prompt]).casefold()) or read_setting(text) or "open",
        weather=read_weather(text),
        figures=figures,
        figure_colours=[_costume(name, brief) for name in figures],
        figure_scale=framing_scale(framing),
        focal_mm=float(re.sub(r"\D", "", lens) or 35),
        shallow_focus=bool(re.search(r"shallow|bokeh|soft background", (shot.camera.focus or "") + text)),
        camera=camera,
        beats=time_beats(shot, seconds),
        lines=lines,
        sound=" ".join(filter(None, [shot.sound, shot.detail.sound_mix and shot.detail.sound_mix.diegetic])) or text,
        scene_text=text,
        dialogue_overrun=overrun,
        notes=notes,
    )


def _first(text: str, pattern: str) -> str | None:
    match = re.search(pattern, text)
    return match.group(1) if match else None


def _found(pattern: re.Pattern[str], text: str) -> str | None:
    match = pattern.search(text)
    return match.group() if match else None


# Shot sizes and angles from the shared vocabulary (a bare "wide" counts here, as on a `Camera:` line), and
# the weather each word of the vocabulary's weather stands for, as previz draws it: rain, snow or fog.
_FRAMES = vocabulary.NAMED_FRAMINGS
_SHOT_SIZE = vocabulary.pattern(
    {spelling: term for spelling, term in _FRAMES.items() if term.value not in ("angle", "framing")}
)
_ANGLE = vocabulary.pattern({spelling: term for spelling, term in _FRAMES.items() if term.value == "angle"})
_WEATHER_TERMS = vocabulary.spellings(vocabulary.WEATHER)
_WEATHER = vocabulary.pattern(_WEATHER_TERMS)
_DRAWN_AS = {"rain": "rain", "storm": "rain", "snow": "snow", "fog": "fog"}


def read_weather(text: str) -> str | None:
    """The first weather the text names that previz draws (rain, snow or fog); a storm is rain. The weather
    itself wins over its signs ("fog" over "wet asphalt")."""
    found = [_WEATHER_TERMS[vocabulary.spelling_of(match.group())] for match in _WEATHER.finditer(text)]
    drawn = [term for term in found if term.value in _DRAWN_AS]
    weather = [term for term in drawn if "sign" not in term.qualifiers] or drawn
    return _DRAWN_AS[weather[0].value] if weather else None


def read_setting(text: str) -> str | None:
    """The broad kind of place, which picks the parallax layers; None when the text does not say."""
    kinds = (
        ("space", r"\b(space|orbit|planet|stars|nebula|asteroid)\b"),
        (
            "interior",
            r"\b(interior|int\.|room|kitchen|office|bar|diner|corridor|hallway|apartment|studio|"
            r"bedroom|café|cafe|restaurant|inside|lab|laboratory|warehouse|church|library|classroom|shop|store|"
            r"workshop|garage|counter|hall|cabin|attic|basement|lobby|elevator|bathroom|living room)\b",
        ),
        ("sea", r"\b(sea|ocean|beach|shore|waves?|harbou?r|coast|lake|boat|pier|lighthouse|ferry|dock)\b"),
        ("desert", r"\b(desert|dunes?|sand|canyon|mesa)\b"),
        ("nature", r"\b(forest|woods|trees?|jungle|mountains?|hills?|meadow|field|valley|garden|park|river)\b"),
        (
            "city",
            r"\b(city|street|crosswalk|avenue|alley|downtown|rooftop|neon|skyline|buildings?|traffic|"
            r"intersection|subway|metro|station|tokyo|new york|london|paris|hong kong)\b",
        ),
    )
    for kind, pattern in kinds:
        if re.search(pattern, text):
            return kind
    return None


def read_lighting(lighting: str, text: str) -> Lighting:
    """Key direction, warm or cool, rim and low key from the lighting line (then the rest of the text)."""
    source = (lighting or text).casefold()
    key_side = 0.0
    if re.search(r"(camera|frame|screen)[- ]left|from (the )?left|left side|left key", source):
        key_side = -1.0
    elif re.search(r"(camera|frame|screen)[- ]right|from (the )?right|right side|right key", source):
        key_side = 1.0
    warm = len(re.findall(r"warm|tungsten|sodium|amber|golden|sunset|candle|fire|orange|practical", source))
    cool = len(re.findall(r"cool|cold|blue|moon|fluorescent|cyan|teal|overcast|steel|neon", source))
    warmth = max(-1.0, min(1.0, (warm - cool) / 2))
    night_words = r"\b(night|midnight|dark|moonlit|neon|after hours|nocturnal|streetlights?|space|stars|nebula)\b"
    night = bool(re.search(night_words, text))
    key_colours = colours.find_colours(source)
    default_key = (255, 196, 140) if warmth > 0 else (150, 190, 255) if warmth < 0 else (245, 240, 230)
    rim_match = re.search(r"([\w -]{0,30})\brim|back ?light|edge light|kicker", source)
    rim_colours = colours.find_colours(rim_match.group(0)) if rim_match else []
    rim_text = rim_match.group(0) if rim_match else ""
    rim_warm = re.search(r"warm|amber|tungsten|sodium|golden", rim_text) or (warmth < 0 and "cool" not in rim_text)
    rim_default = (255, 200, 150) if rim_warm else (170, 210, 255)
    return Lighting(
        key_side=key_side,
        key_colour=key_colours[0] if key_colours else default_key,
        warmth=warmth,
        rim=bool(rim_match),
        rim_colour=rim_colours[-1] if rim_colours else rim_default,
        night=night,
        low_key=night or bool(re.search(r"low[- ]key|chiaroscuro|noir|silhouette|moody", text)),
    )


def read_palette(anchors: list[str], text: str, lighting: Lighting) -> list[RGB]:
    """Three to five colours: the palette anchors, else colours named in the text, else the light's."""
    found = [colours.anchor_colour(anchor) for anchor in anchors]
    if len(found) < 3:
        found += [c for c in colours.find_colours(text) if c not in found]
    if len(found) < 3:
        if lighting.night:
            found += [(18, 24, 52), (60, 40, 110), lighting.key_colour]
        elif lighting.warmth > 0:
            found += [(70, 50, 60), (230, 150, 80), (250, 220, 170)]
        else:
            found += [(40, 60, 80), (120, 160, 190), (225, 230, 235)]
    return found[:5]


def framing_scale(framing: str) -> float:
    """A standing figure's height as a fraction of the frame height for a shot size."""
    lowered = framing.casefold()
    scales = (
        (r"extreme close|ecu|macro|insert", 4.2),
        (r"medium close|mcu", 1.9),
        (r"close", 2.7),
        (r"cowboy|medium wide|medium long|american", 0.95),
        (r"medium|waist|mid shot|two[- ]shot", 1.35),
        (r"extreme wide|extreme long|establishing|aerial", 0.16),
        (r"wide|long|full", 0.42),
    )
    for pattern, value in scales:
        if re.search(pattern, lowered):
            return value
    return 0.6


_PERSON = re.compile(
    r"\b(man|woman|men|women|person|people|girl|boy|child|kid|he|she|they|figure|couple|keeper|courier|cook|"
    r"chef|driver|rider|dancer|detective|soldier|worker|stranger|traveller|traveler|runner|musician|officer)\b"
)


def _figures(shot: Shot, brief: Brief | None, text: str) -> list[str]:
    """Who stands in the frame: the cast, then speakers; one unnamed figure when the text names a person."""
    names = [c.name for c in brief.cast_of(shot)] if brief else list(shot.cast or [])
    for line in shot.dialogue:
        if line.speaker not in names and line.speaker != "?":
            names.append(line.speaker)
    if not names and _PERSON.search(text):
        names.append("")
    return names[:3]


def _costume(name: str, brief: Brief | None) -> RGB | None:
    character = brief.character(name) if brief else None
    found = colours.find_colours(character.description or "") if character else []
    return found[0] if found else None


def _camera_path(shot: Shot, prompt: str, seconds: float, *, seed: int, anchored: bool) -> CameraPath:
    """Timed moves from the shot list when it names them; else the shot's one move (or the prompt's)."""
    timed = [entry for entry in shot.detail.shot_list if entry.move]
    if timed:
        segments = [
            Segment(move, min(entry.start, seconds), min(entry.end, seconds))
            for entry in timed
            for move in parse_moves(entry.move)
        ]
    else:
        # The shot's move; else a move written on its camera line ("wide shot, eye level, slow push-in, 28 mm");
        # else one the prose names.
        camera_line = shot.camera.move or shot.camera.framing
        moves = parse_moves(camera_line) if camera_line else []
        if not moves:
            moves = parse_moves(shot.scene or prompt, prose=True)
        segments = [Segment(move, 0.0, seconds) for move in moves]
    segments = [segment for segment in segments if segment.move.kind != "static"]
    return CameraPath(segments, seed=seed, anchored=anchored)


def time_beats(shot: Shot, seconds: float) -> list[Beat]:
    """Shot-list entries on their own ranges; else the action beats spread evenly over the clip."""
    entries = [entry for entry in shot.detail.shot_list if entry.start < seconds]
    if entries:
        return [
            Beat(k + 1, len(entries), entry.title, entry.start, min(entry.end, seconds))
            for k, entry in enumerate(entries)
        ]
    count = len(shot.actions)
    return [
        Beat(k + 1, count, action, seconds * k / count, seconds * (k + 1) / count)
        for k, action in enumerate(shot.actions)
    ]
