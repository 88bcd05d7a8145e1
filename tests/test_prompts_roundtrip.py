"""Property: for generated briefs, parsing a rendered prompt keeps every field that style renders."""

from __future__ import annotations

import itertools

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cinebrief.brief import (
    Atmosphere,
    Brief,
    Camera,
    Character,
    Detail,
    DialogueLine,
    Finishing,
    Grade,
    Location,
    Shot,
    ShotListEntry,
    SoundMix,
    Wardrobe,
)
from cinebrief.errors import PromptError
from cinebrief.prompts import parse_prompt, render_shot

WORDS = (
    *("amber", "wet", "asphalt", "neon", "harbor", "gulls", "rope", "ferry", "lamp", "window", "glass", "dust"),
    *("quiet", "steam", "brick", "copper", "rain", "tile", "bench", "river", "paper", "wind", "stone", "moss"),
    *("kettle", "lantern", "chalk", "velvet", "orchard"),
)
NAMES = ("Mara", "Theo", "Inspector Hale", "Ana")
FRAMINGS = ("wide shot", "medium close-up", "wide establishing shot", "close-up", "aerial wide shot")
ANGLES = ("eye level", "low angle", "high angle", "slight downward angle", "overhead")

words = st.lists(st.sampled_from(WORDS), min_size=2, max_size=7).map(" ".join)
maybe = st.none() | words
sentence = words.map(lambda text: text[0].upper() + text[1:] + ".")


@st.composite
def shot_lists(draw: st.DrawFn) -> list[ShotListEntry]:
    cuts = sorted(draw(st.sets(st.integers(1, 1199), min_size=0, max_size=3)))
    bounds = [0, *cuts, 1200]
    return [
        ShotListEntry(
            start=start / 100,
            end=end / 100,
            title=draw(words).title(),
            lens=draw(st.none() | st.sampled_from(("24 mm", "32 mm", "50 mm", "85 mm"))),
            move=draw(maybe),
            description=draw(st.none() | sentence),
            purpose=draw(maybe),
        )
        for start, end in itertools.pairwise(bounds)
    ]


@st.composite
def details(draw: st.DrawFn) -> Detail:
    return Detail(
        format_look=draw(maybe),
        lenses=draw(maybe),
        grade=draw(st.none() | st.builds(Grade, highlights=maybe, mids=maybe, blacks=maybe)),
        atmosphere=draw(
            st.none()
            | st.builds(
                Atmosphere,
                key=maybe,
                bounce=maybe,
                negative_fill=st.none() | words | words.map("Negative fill from {}".format),
                practical=maybe,
                atmos=maybe,
            )
        ),
        location=draw(
            st.none()
            | st.builds(
                Location,
                setting=maybe,
                foreground=maybe,
                midground=maybe,
                background=maybe,
                avoid=st.none() | words.map("Avoid {}".format),
            )
        ),
        wardrobe=draw(st.none() | st.builds(Wardrobe, main_subject=maybe, extras=maybe, props=maybe)),
        sound_mix=draw(st.none() | st.builds(SoundMix, diegetic=maybe, note=maybe)),
        shot_list=draw(st.just([]) | shot_lists()),
        camera_notes=draw(st.lists(sentence, max_size=3)),
        finishing=draw(st.none() | st.builds(Finishing, grain=maybe, mix=maybe, poster_frame=maybe)),
    )


@st.composite
def briefs(draw: st.DrawFn, *, with_detail: bool = False) -> Brief:
    names = draw(st.lists(st.sampled_from(NAMES), unique=True, max_size=3))
    characters = [Character(name=name, description=draw(words)) for name in names]
    shots = []
    for index in range(draw(st.integers(1, 3))):
        cast = draw(st.lists(st.sampled_from(names), unique=True)) if names else []
        speakers = st.sampled_from(cast) if cast else st.sampled_from(NAMES)
        shots.append(
            Shot(
                id=f"shot-{index + 1}",
                scene=draw(st.none() | sentence),
                cast=cast,
                camera=Camera(
                    framing=draw(st.none() | st.sampled_from(FRAMINGS)),
                    angle=draw(st.none() | st.sampled_from(ANGLES)),
                    move=draw(maybe),
                    lens=draw(st.none() | st.sampled_from(("32 mm", "50 mm"))),
                    focus=draw(maybe),
                ),
                lighting=draw(maybe),
                mood=draw(maybe),
                actions=draw(st.lists(sentence, max_size=4)),
                dialogue=draw(
                    st.lists(st.builds(DialogueLine, speaker=speakers, line=sentence, manner=maybe), max_size=3)
                ),
                sound=draw(maybe),
                detail=draw(details()) if with_detail else Detail(),
            )
        )
    return Brief(
        style=draw(maybe),
        palette=draw(st.lists(st.sampled_from(WORDS), unique=True, max_size=5)),
        characters=characters,
        shots=shots,
    )


def rendered_facts(brief: Brief, shot: Shot) -> dict[str, object]:
    """The fields the detailed styles render, as plain data."""
    return {
        "style": brief.style_of(shot),
        "palette": brief.palette_of(shot),
        "cast": [(c.name, c.description) for c in brief.cast_of(shot) if c.description],
        "scene": shot.scene,
        "camera": shot.camera.model_dump(),
        "lighting": shot.lighting,
        "mood": shot.mood,
        "actions": shot.actions,
        "dialogue": [line.model_dump() for line in shot.dialogue],
        "sound": shot.sound,
    }


def _present(value: object) -> object:
    """Drop unset values and empty sections: an empty section renders nothing, so it cannot come back."""
    if isinstance(value, dict):
        kept = {key: _present(item) for key, item in value.items()}
        return {key: item for key, item in kept.items() if item not in (None, {}, [])}
    if isinstance(value, list):
        return [_present(item) for item in value]
    return value


PROPERTY = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(briefs())
def test_descriptive_round_trip_keeps_every_field(brief: Brief) -> None:
    for shot in brief.shots:
        text = render_shot(brief, shot, "descriptive")
        if not text:
            continue
        parsed = parse_prompt(text)
        assert rendered_facts(parsed, parsed.shots[0]) == rendered_facts(brief, shot), text
        assert render_shot(parsed, parsed.shots[0], "descriptive") == text


@PROPERTY
@given(briefs(with_detail=True))
def test_ultra_round_trip_keeps_every_field_and_section(brief: Brief) -> None:
    for shot in brief.shots:
        text = render_shot(brief, shot, "ultra")
        if not text:
            continue
        parsed = parse_prompt(text)
        again = parsed.shots[0]
        assert rendered_facts(parsed, again) == rendered_facts(brief, shot), text
        assert _present(again.detail.model_dump()) == _present(shot.detail.model_dump()), text
        assert render_shot(parsed, again, "ultra") == text


@PROPERTY
@given(briefs())
def test_light_round_trip_keeps_what_it_renders(brief: Brief) -> None:
    for shot in brief.shots:
        text = render_shot(brief, shot, "light")
        if not text:
            continue
        assert "\n" not in text
        parsed = parse_prompt(text)
        assert render_shot(parsed, parsed.shots[0], "light") == text
        for fact in (shot.lighting, shot.sound, *shot.actions, *(line.line for line in shot.dialogue)):
            if fact:
                assert fact[1:] in text


LINE_PIECES = st.sampled_from(
    [
        "Style:",
        "Camera shot: wide shot, low angle",
        "Actions:",
        "Dialogue:",
        "- ",
        '"',
        "“",
        ": ",
        "Format & Look",
        "Sound",
        "Optimized Shot List (2 shots / 4 s total)",
        "0.00–2.40 — “A” (32 mm, pan)",
        "3.00-1.00 - 'B' (24mm)",
        "<dialogue>",
        "</dialogue>",
        "Purpose:",
        "Mara (quietly): ",
        "Negative fill",
        "Avoid",
        "\n",
        "\n\n",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(LINE_PIECES | st.text(max_size=12), max_size=30).map("".join))
def test_parse_never_fails_except_with_a_prompt_error(text: str) -> None:
    try:
        brief = parse_prompt(text)
    except PromptError:
        return
    for style in ("descriptive", "ultra", "light"):
        render_shot(brief, brief.shots[0], style)
