"""The inflected forms of the vocabulary's verbs and nouns, as lemminflect gives them.

Loading lemminflect (and numpy under it) costs more than the linter's whole start, so the forms of every
word the vocabulary marks are stored in `forms_data` and read from there; a word missing from it is
inflected by lemminflect on the spot. `python -m cinebrief.prompts.forms` writes `forms_data` again, and a
test checks that it is what lemminflect gives today.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from cinebrief.prompts.forms_data import NOUNS, VERBS

_ASKED: dict[str, set[str]] = {"VERB": set(), "NOUN": set()}  # every word the vocabulary asked for


def verb_forms(lemma: str) -> tuple[str, ...]:
    """``push`` → push, pushes, pushing, pushed (the base form first)."""
    _ASKED["VERB"].add(lemma)
    stored = VERBS.get(lemma)
    return stored if stored is not None else inflect(lemma, "VERB")


def noun_forms(lemma: str) -> tuple[str, ...]:
    """``lamp`` → lamp, lamps."""
    _ASKED["NOUN"].add(lemma)
    stored = NOUNS.get(lemma)
    return stored if stored is not None else inflect(lemma, "NOUN")


def inflect(lemma: str, upos: str) -> tuple[str, ...]:
    """The forms lemminflect gives a word (its rules for a word not in its lexicon), the base form first."""
    import lemminflect

    found = lemminflect.getAllInflections(lemma, upos=upos) or lemminflect.getAllInflectionsOOV(lemma, upos=upos)
    return tuple(dict.fromkeys([lemma, *(form.lower() for key in sorted(found) for form in found[key])]))


def _text(word: str) -> str:
    return json.dumps(word)  # double quotes, as the formatter (`ruff format`) writes them


def _tuple(words: tuple[str, ...]) -> str:
    inner = ", ".join(_text(word) for word in words)
    return f"({inner},)" if len(words) == 1 else f"({inner})"


def generated() -> str:
    """`forms_data` as lemminflect writes it for every word the vocabulary marks."""
    import cinebrief.prompts.vocabulary  # noqa: F401  (building the tables asks for every marked word)
    from cinebrief.prompts.forms import _ASKED as asked  # this module's state, also when run as __main__

    lines = ['"""Written by `python -m cinebrief.prompts.forms` from lemminflect: do not edit."""', ""]
    for name, upos in (("VERBS", "VERB"), ("NOUNS", "NOUN")):
        lines.append(f"{name}: dict[str, tuple[str, ...]] = {{")
        lines.extend(f"    {_text(word)}: {_tuple(inflect(word, upos))}," for word in sorted(asked[upos]))
        lines.append("}")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    target = Path(__file__).with_name("forms_data.py")
    target.write_text(generated(), encoding="utf-8")
    sys.stdout.write(f"wrote {target}\n")
