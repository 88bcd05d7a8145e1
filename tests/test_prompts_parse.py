"""Parsing real prompts: tolerant labels, camera-shot splitting, every dialogue form, ultra headers, shot lists."""

from __future__ import annotations

import pytest

from cinebrief.brief import Brief, Shot, ShotListEntry
from cinebrief.errors import PromptError
from cinebrief.prompts import parse_prompt, render_shot
from cinebrief.prompts.labels import match_ultra_header
from cinebrief.prompts.parse import UNLABELLED_SPEAKER
from cinebrief.prompts.shotlist import format_entry, format_header, parse_entry_line, parse_header


def only_shot(text: str) -> Shot:
    brief = parse_prompt(text)
    assert [shot.id for shot in brief.shots] == ["shot-1"]
    return brief.shots[0]


def test_unlabelled_prose_is_the_scene() -> None:
    text = 'A 90s documentary-style interview of an old Swedish man sitting in a study.\nHe says: "I still remember."'
    brief = parse_prompt(text)
    assert brief.shots[0].scene.startswith("A 90s documentary-style interview")
    assert brief.style is None and brief.palette == []


def test_labels_are_case_and_space_tolerant() -> None:
    shot = only_shot("  CINEMATOGRAPHY :\n  camera SHOT :   wide shot ,  low angle \n   mood:tense  \nLENS: 50 mm")
    assert (shot.camera.framing, shot.camera.angle, shot.camera.lens, shot.mood) == (
        "wide shot",
        "low angle",
        "50 mm",
        "tense",
    )


@pytest.mark.parametrize(
    ("value", "framing", "angle", "move"),
    [
        ("wide shot, low angle", "wide shot", "low angle", None),
        ("wide establishing shot, eye level", "wide establishing shot", "eye level", None),
        ("aerial wide shot, slight downward angle", "aerial wide shot", "slight downward angle", None),
        ("medium close-up shot, slight angle from behind", "medium close-up shot", "slight angle from behind", None),
        (
            "wide shot, tracking left to right with the charge",
            "wide shot",
            None,
            "tracking left to right with the charge",
        ),
        ("low angle", None, "low angle", None),
        ("low-angle wide shot", "low-angle wide shot", None, None),
        ("wide shot, symmetrical", "wide shot, symmetrical", None, None),
    ],
)
def test_camera_shot_split(value: str, framing: str | None, angle: str | None, move: str | None) -> None:
    camera = only_shot(f"Camera shot: {value}").camera
    assert (camera.framing, camera.angle, camera.move) == (framing, angle, move)


def test_dialogue_forms() -> None:
    text = (
        "Actions:\n"
        "- She lifts the cup.\n"
        '- Mara (quietly): "You came back."\n'
        "- Theo says under his breath: \u201cNever left.\u201d\n\n"
        "Dialogue:\n"
        '- Mara: "Good."\n'
        '- "Who said that?"\n'
        "<dialogue>\n"
        'Theo: "Me."\n'
        "</dialogue>\n"
    )
    shot = only_shot(text)
    assert shot.actions == ["She lifts the cup."]
    assert [(d.speaker, d.manner, d.line) for d in shot.dialogue] == [
        ("Mara", "quietly", "You came back."),
        ("Theo", "under his breath", "Never left."),
        ("Mara", None, "Good."),
        (UNLABELLED_SPEAKER, None, "Who said that?"),
        ("Theo", None, "Me."),
    ]


def test_inline_dialogue_tag() -> None:
    shot = only_shot('A quiet diner.\n<dialogue>Ana: "Ready?"</dialogue>\nRain on the window.')
    assert [(d.speaker, d.line) for d in shot.dialogue] == [("Ana", "Ready?")]
    assert shot.scene == "A quiet diner.\nRain on the window."


def test_style_paragraph_over_several_lines_and_sound_on_the_label_line() -> None:
    brief = parse_prompt("Style: 1970s film,\nwarm grain\n\nA kitchen at dawn.\n\nBackground Sound: kettle click, rain")
    assert brief.style == "1970s film, warm grain"
    assert brief.shots[0].scene == "A kitchen at dawn."
    assert brief.shots[0].sound == "kettle click, rain"


def test_a_finished_label_line_ends_there_and_the_next_line_is_prose() -> None:
    brief = parse_prompt("Style: 1970s film, warm grain.\nA kitchen at dawn.\nLighting: window light\nSteam rises.")
    assert brief.style == "1970s film, warm grain."
    assert brief.shots[0].lighting == "window light"
    assert brief.shots[0].scene == "A kitchen at dawn.\nSteam rises."


def test_several_labels_on_one_line() -> None:
    brief = parse_prompt("Style: 1990s skate video, fisheye. Camera: low tracking dolly left. Lens: 8 mm\nA kerb.")
    assert brief.style == "1990s skate video, fisheye."
    assert brief.shots[0].camera.move == "low tracking dolly left."
    assert brief.shots[0].camera.lens == "8 mm"
    assert brief.shots[0].scene == "A kerb."


def test_palette_inside_lighting_and_palette() -> None:
    shot_text = "A bottle on a mirror.\n\nLighting + palette: soft top light, hard rim; palette: amber, black and gold."
    brief = parse_prompt(shot_text)
    assert brief.shots[0].lighting == "soft top light, hard rim"
    assert brief.palette == ["amber", "black", "gold"]


def test_cinematography_lines_are_camera_text() -> None:
    shot = only_shot("A pier.\n\nCinematography:\nwide shot, low angle\nLens: 32 mm\n\nGulls lift off.")
    assert (shot.camera.framing, shot.camera.angle, shot.camera.lens) == ("wide shot", "low angle", "32 mm")
    assert shot.scene == "A pier.\n\nGulls lift off."


def test_character_lines_in_the_prose_become_characters_and_cast() -> None:
    brief = parse_prompt("A pier at dawn.\nNoor: harbour pilot in a yellow oilskin\nNote: keep it calm")
    assert [(c.name, c.description) for c in brief.characters] == [("Noor", "harbour pilot in a yellow oilskin")]
    assert brief.shots[0].cast == ["Noor"]
    assert brief.shots[0].scene == "A pier at dawn.\nNote: keep it calm"


def test_shot_id_label() -> None:
    assert parse_prompt("Shot id: harbor wake\nA ferry leaves.").shots[0].id == "harbor-wake"


GUIDE_ULTRA = """\
Format & Look
Duration 4s; 180° shutter; digital capture emulating 65 mm photochemical contrast; fine grain.

Lenses & Filtration
32 mm / 50 mm spherical primes; Black Pro-Mist 1/4.

Grade/Palette:
Highlights: clean morning sunlight with amber lift.
Mids: balanced neutrals.
Blacks: soft, neutral.

Lighting & Atmosphere
Natural sunlight from camera left, low angle (07:30 AM).
Bounce: 4×4 ultrabounce silver from trackside.
Negative fill from opposite wall.
Practical: sodium platform lights on dim fade.
Atmos: gentle mist.

Location & Framing
Urban commuter platform, dawn.
Foreground: yellow safety line.
Midground: waiting passengers.
Background: arriving train.
Avoid signage or corporate branding.

Wardrobe / Props / Extras
Main subject: mid-30s traveler, navy coat.
Extras: commuters in muted tones.
Props: paper coffee cup.

Sound
Diegetic only: faint rail screech, train brakes hiss (-20 LUFS).
Footsteps and paper rustle; no score or added foley.

Optimized Shot List (2 shots / 4 s total)

0.00–2.40 — “Arrival Drift” (32 mm, shoulder-mounted slow dolly left)
Camera slides past signage; traveler mid-frame. Purpose: establish setting and tone.

2.40–4.00 — “Turn and Pause” (50 mm, slow arc in)
Traveler turns toward camera.
Eyes flick up. Purpose: human focal moment.

Camera Notes (Why It Reads)
Keep eyeline low.
Do not break continuity of light direction across cuts.

Finishing
Fine-grain overlay; warm-cool LUT.
Mix: prioritize train and ambient detail.
Poster frame: traveler mid-turn.
"""


def test_ultra_headers_and_sub_labels() -> None:
    detail = only_shot(GUIDE_ULTRA).detail
    assert detail.format_look.startswith("Duration 4s; 180° shutter")
    assert detail.lenses == "32 mm / 50 mm spherical primes; Black Pro-Mist 1/4."
    assert detail.grade.highlights == "clean morning sunlight with amber lift."
    assert detail.atmosphere.key == "Natural sunlight from camera left, low angle (07:30 AM)."
    assert detail.atmosphere.negative_fill == "Negative fill from opposite wall."
    assert detail.atmosphere.bounce == "4×4 ultrabounce silver from trackside."
    assert (detail.location.setting, detail.location.avoid) == (
        "Urban commuter platform, dawn.",
        "Avoid signage or corporate branding.",
    )
    assert detail.wardrobe.props == "paper coffee cup."
    assert detail.sound_mix.diegetic.endswith("(-20 LUFS).")
    assert detail.sound_mix.note == "Footsteps and paper rustle; no score or added foley."
    assert detail.camera_notes == ["Keep eyeline low.", "Do not break continuity of light direction across cuts."]
    assert (detail.finishing.grain, detail.finishing.poster_frame) == (
        "Fine-grain overlay; warm-cool LUT.",
        "traveler mid-turn.",
    )
    first, second = detail.shot_list
    assert (first.start, first.end, first.title, first.lens, first.move) == (
        0.0,
        2.4,
        "Arrival Drift",
        "32 mm",
        "shoulder-mounted slow dolly left",
    )
    assert first.purpose == "establish setting and tone."
    assert (second.description, second.purpose) == (
        "Traveler turns toward camera. Eyes flick up.",
        "human focal moment.",
    )


def test_ultra_render_of_the_parsed_guide_keeps_its_headers_in_order() -> None:
    brief = parse_prompt(GUIDE_ULTRA)
    text = render_shot(brief, brief.shots[0], "ultra")
    assert text.startswith("Format & Look\nDuration 4s;")
    assert "\nGrade / Palette\nHighlights: " in text
    assert "\nOptimized Shot List (2 shots / 4 s total)\n\n0.00–2.40 — “Arrival Drift”" in text


@pytest.mark.parametrize(
    ("line", "key"),
    [
        ("Format & Look", "format_look"),
        ("format and look:", "format_look"),
        ("Grade/Palette", "grade"),
        ("Wardrobe/Props/Extras", "wardrobe"),
        ("Camera Notes", "camera_notes"),
        ("Camera Notes (Why It Reads)", "camera_notes"),
        ("Lighting & Atmosphere:", "atmosphere"),
        ("Cinematography:", None),
    ],
)
def test_ultra_header_spellings(line: str, key: str | None) -> None:
    assert match_ultra_header(line) == key


def test_descriptive_sound_label_is_not_the_ultra_sound_header() -> None:
    shot = only_shot("A harbour.\n\nSound:\ngulls, rigging slap")
    assert shot.sound == "gulls, rigging slap"
    assert shot.detail.is_empty()


def test_backwards_shot_list_entry_is_a_prompt_error() -> None:
    with pytest.raises(PromptError, match=r"line 2: shot-list entry “X”: end \(1\.00\) must be after start"):
        parse_prompt("Optimized Shot List\n2.00–1.00 — “X” (32 mm, pan)")


@pytest.mark.parametrize("text", ["", "   \n\t\n"])
def test_empty_prompt_is_a_prompt_error(text: str) -> None:
    with pytest.raises(PromptError, match="the prompt is empty"):
        parse_prompt(text)


# --- shot-list lines ----------------------------------------------------------------------------------


def test_shot_list_entry_exact_characters() -> None:
    entry = ShotListEntry(start=0, end=2.4, title="Arrival Drift", lens="32 mm", move="slow dolly left", purpose="x")
    assert format_entry(entry) == "0.00\u20132.40 \u2014 \u201cArrival Drift\u201d (32 mm, slow dolly left)\nPurpose: x"
    assert format_header([entry]) == "Optimized Shot List (1 shot / 2.4 s total)"


def test_shot_list_near_forms_parse_and_list_their_problems() -> None:
    exact = parse_entry_line("0.00–2.40 — “Harbor Wake” (24 mm, slow crane down)")
    assert exact is not None and exact.is_canonical
    sloppy = parse_entry_line('0-2.4 - "Harbor" (24mm, crane)')
    assert sloppy is not None
    assert (sloppy.start, sloppy.end, sloppy.title, sloppy.lens, sloppy.move) == (0.0, 2.4, "Harbor", "24mm", "crane")
    problems = " / ".join(sloppy.format_problems)
    for fragment in ("two decimals", "EN DASH", "EM DASH", "curly quotes", "with a space"):
        assert fragment in problems
    assert parse_entry_line("Camera slides past signage.") is None


def test_shot_list_header_counts() -> None:
    header = parse_header("Optimized Shot List (3 shots / 8 s total)")
    assert header is not None and (header.count, header.total) == (3, 8.0)
    bare = parse_header("optimised shot list:")
    assert bare is not None and bare.count is None
    assert parse_header("Shot list of the day") is None


def test_parse_prompt_returns_a_brief() -> None:
    assert isinstance(parse_prompt("A kite over a ridge."), Brief)
