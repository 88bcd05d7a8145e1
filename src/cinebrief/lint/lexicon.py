"""Word-level matching for the linter: one tokenizer and phrase tables, fast to build and to run.

Text is split once into lower-case word tokens with their offsets. A phrase table maps a first word to
the phrases that start with it; the last word of a phrase also matches its plural. Hyphens, case and
punctuation do not matter: "Push-in", "push in" and "pushes in" all read as the words they are.
Offsets are positions in the original text, so findings point at what the user wrote.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)?")
_BOUNDARY = re.compile(r"[.!?;]+(?=\s|$)|\n")


@dataclass(frozen=True)
class Token:
    word: str  # lower case, curly apostrophe made straight
    start: int
    end: int


@dataclass
class Text:
    """A piece of text split into tokens and sentences, ready for phrase lookups."""

    raw: str
    tokens: list[Token] = field(init=False)
    _sentence_starts: list[int] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.tokens = [
            Token(match.group().lower().replace("’", "'"), match.start(), match.end())
            for match in _WORD.finditer(self.raw)
        ]
        self._sentence_starts = [0] + [match.end() for match in _BOUNDARY.finditer(self.raw)]

    def sentence_of(self, offset: int) -> int:
        return bisect_right(self._sentence_starts, offset) - 1

    def sentence_span(self, offset: int) -> tuple[int, int]:
        index = self.sentence_of(offset)
        start = self._sentence_starts[index]
        end = self._sentence_starts[index + 1] if index + 1 < len(self._sentence_starts) else len(self.raw)
        return start, end

    def sentence_tokens(self, offset: int) -> list[Token]:
        start, end = self.sentence_span(offset)
        return [token for token in self.tokens if start <= token.start < end]

    def words(self) -> list[str]:
        return [token.word for token in self.tokens]


@dataclass(frozen=True)
class Match:
    label: str  # the phrase as listed (its canonical spelling)
    value: str  # what the table maps it to (a family, a group key, or the label itself)
    start: int
    end: int
    first: int  # index of the first token
    last: int  # index of the last token


def _plurals(word: str) -> tuple[str, ...]:
    if not word[-1:].isalpha():
        return (word,)
    if word.endswith(("s", "x", "z", "ch", "sh")):
        return (word, word + "es")
    if word.endswith("y") and len(word) > 2 and word[-2] not in "aeiou":
        return (word, word[:-1] + "ies", word + "s")
    return (word, word + "s")


class Phrases:
    """A table of phrases (one or more words) to values, matched on tokens, longest phrase first."""

    def __init__(self, entries: dict[str, str] | Iterable[str], *, plural: bool = True) -> None:
        items = entries.items() if isinstance(entries, dict) else ((entry, entry) for entry in entries)
        self._table: dict[str, list[tuple[tuple[str, ...], str, str]]] = {}
        for label, value in items:
            words = tuple(_WORD.findall(label.lower()))
            if not words:
                continue
            last_forms = _plurals(words[-1]) if plural else (words[-1],)
            for last in last_forms:
                variant = (*words[:-1], last)
                self._table.setdefault(variant[0], []).append((variant, label, value))
        for candidates in self._table.values():
            candidates.sort(key=lambda item: len(item[0]), reverse=True)

    def __contains__(self, word: str) -> bool:
        return word in self._table

    def iter(self, text: Text, *, start: int = 0, end: int | None = None) -> Iterator[Match]:
        """Non-overlapping matches in token order (the longest phrase wins at each position)."""
        tokens = text.tokens
        stop = len(tokens) if end is None else end
        index = start
        while index < stop:
            candidates = self._table.get(tokens[index].word)
            matched = None
            if candidates:
                for words, label, value in candidates:
                    size = len(words)
                    if index + size <= stop and all(tokens[index + k].word == words[k] for k in range(1, size)):
                        matched = Match(
                            label, value, tokens[index].start, tokens[index + size - 1].end, index, index + size - 1
                        )
                        break
            if matched is None:
                index += 1
            else:
                yield matched
                index = matched.last + 1

    def find(self, text: Text) -> list[Match]:
        return list(self.iter(text))

    def first(self, text: Text) -> Match | None:
        return next(self.iter(text), None)


def words_set(*groups: str) -> frozenset[str]:
    """Whitespace-separated words (and their plurals) as a set for single-token lookups."""
    out: set[str] = set()
    for group in groups:
        for word in group.split():
            out.update(_plurals(word))
    return frozenset(out)
