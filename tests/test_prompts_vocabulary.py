"""The shared vocabulary: one table read by the prompt parser, the linter and previz, its forms from lemminflect."""

from __future__ import annotations

from pathlib import Path

import pytest

from cinebrief.backends.previz.camera import parse_moves
from cinebrief.lint import lint
from cinebrief.prompts import forms, parse_prompt, vocabulary


def test_stored_forms_are_what_lemminflect_gives() -> None:
    stored = (Path(forms.__file__).with_name("forms_data.py")).read_text(encoding="utf-8")
    assert forms.generated() == stored, "run `python -m cinebrief.prompts.forms` to write the forms again"


def test_a_marked_verb_is_read_in_its_forms() -> None:
    spellings = vocabulary.spellings(vocabulary.MOVES)
    for spelling in ("push in", "pushes in", "pushing in", "pushed in", "dollies in", "whip panned", "orbiting"):
        assert spelling in spellings, spelling
    assert spellings["dollied out"].value == "pull"


def test_notation_keeps_qualifiers_and_exceptions_beside_the_term() -> None:
    (pan,) = (term for term in vocabulary.MOVES if term.phrase == "pan")
    assert "context" in pan.qualifiers
    assert {"frying", "the", "her"} <= pan.not_before
    (zoom,) = (term for term in vocabulary.MOVES if term.phrase == "zoom")
    assert "lens" in zoom.not_next
    assert all(term.value in vocabulary.FAMILIES for term in vocabulary.MOVES)


@pytest.mark.parametrize(
    ("move", "kind"),
    [("slow dolly-in", "push"), ("pulls back", "pull"), ("trucks left", "travel"), ("orbits the car", "arc"),
     ("cranes up", "crane"), ("whip-pans right", "pan"), ("tilting down", "tilt"), ("handheld", "handheld")],
)  # fmt: skip
def test_every_reader_names_the_same_move(move: str, kind: str) -> None:
    """The parser files the words as the move, previz animates the family, the linter counts one move."""
    brief = parse_prompt(f"Camera: {move}")
    assert brief.shots[0].camera.move == move
    assert [found.kind for found in parse_moves(move)] == [kind]
    two = lint(f"Camera: {move}, then zoom in.", select=["multiple-camera-moves"], preview=True)
    assert [d.name for d in two] == ([] if kind == "handheld" else ["multiple-camera-moves"]), move


def test_previz_draws_every_colour_of_the_vocabulary() -> None:
    """The colour names are the vocabulary's; previz gives each an RGB, and skips phrases that name none."""
    from cinebrief.backends.previz import colours

    named = [term.phrase for term in vocabulary.COLOURS if "not a colour" not in term.qualifiers]
    assert [name for name in named if name not in colours.COLOURS] == []
    assert colours.find_colours("a black and white film") == []
    assert colours.find_colours("bone-white walls") == [colours.COLOURS["bone white"]]
