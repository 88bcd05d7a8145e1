"""Word-level matching for the linter: one tokenizer and phrase tables, fast to build and to run.

Text is split once into lower-case word tokens with their offsets. A phrase table maps a first word to
the phrases that start with it; the last word of a phrase also matches its plural. Hyphens, case and
punctuation do not matter: "Push-in", "push in" and "pushes in" all read as the words they are.
Offsets are positions in the original text, so findings point at what the user wrote.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator, Sequence
from itertools import chain
from typing import NamedTuple

# Punctuation becomes a space so that `str.split` (in C) finds the words; the apostrophe stays inside a word.
_PUNCTUATION = '!"#$%&()*+,-./:;<=>?@[\\]^_`{|}~“”‘–—…«»•·°×′″§¶'
_SPLIT = str.maketrans(dict.fromkeys(_PUNCTUATION, " "))


def words_of(text: str) -> list[str]:
    """The words of already lower-cased text, as `Text` reads them."""
    words = text.replace("’", "'").translate(_SPLIT).split()
    if "'" in text or "’" in text:  # quotes around a word are not part of it: 'ready' → ready
        words = [stripped for word in words if (stripped := word.strip("'"))]
    return words


def _lower(raw: str) -> str:
    """Lower case, offset for offset (a few characters change length when lowered: they keep one)."""
    lowered = raw.lower()
    return lowered if len(lowered) == len(raw) else "".join(c.lower()[:1] or c for c in raw)


def words_in(raw: str) -> list[str]:
    """The words of any text, exactly as `Text(raw).words_list` reads them, without building a `Text`."""
    return words_of(_lower(raw))


# A sentence ends at a newline or at a run of .!?; before a space. The character class comes first so that
# the regex engine skips to candidate characters in C.
_BOUNDARY = re.compile(r"[.!?;\n](?:(?<=\n)|[.!?;]*(?=\s|$))")


class Token(NamedTuple):
    word: str  # lower case, curly apostrophe made straight
    start: int
    end: int


class Text:
    """A piece of text split into words and sentences, ready for phrase lookups.

    Words come from C-level `translate` and `split`; token offsets and sentence bounds are computed only
    when a rule asks for them (most phrase lookups find nothing and never need them).
    """

    __slots__ = (
        "_index",
        "_lowered",
        "_sentence_starts",
        "_starts_list",
        "_tokens",
        "_word_set",
        "raw",
        "words_list",
    )

    def __init__(self, raw: str) -> None:
        self.raw = raw
        self._lowered = _lower(raw).replace("’", "'")
        self.words_list: list[str] = words_of(self._lowered)
        self._tokens: list[Token] | None = None
        self._starts_list: list[int] | None = None
        self._sentence_starts: list[int] | None = None
        self._word_set: frozenset[str] | None = None
        self._index: dict[str, list[int]] | None = None

    @property
    def lowered(self) -> str:
        """The text in lower case with straight apostrophes, offset for offset the same as `raw`."""
        return self._lowered

    @property
    def starts(self) -> list[int]:
        """The offset of each word (its end is the start plus the word's length)."""
        if self._starts_list is None:
            starts: list[int] = []
            find, add, position = self._lowered.find, starts.append, 0
            for word in self.words_list:
                position = find(word, position)
                add(position)
                position += len(word)
            self._starts_list = starts
        return self._starts_list

    def token(self, position: int) -> Token:
        word = self.words_list[position]
        start = self.starts[position]
        return Token(word, start, start + len(word))

    @property
    def tokens(self) -> list[Token]:
        if self._tokens is None:
            self._tokens = [self.token(position) for position in range(len(self.words_list))]
        return self._tokens

    @property
    def word_set(self) -> frozenset[str]:
        """The distinct words (built in C: membership tests need no positions)."""
        if self._word_set is None:
            self._word_set = frozenset(self.words_list)
        return self._word_set

    def positions(self, word: str) -> Sequence[int]:
        """The token positions of `word`. The first call indexes every word in one pass; every phrase
        table and word set the rules look up then reads the same index."""
        index = self._index
        if index is None:
            index = self._index = {}
            setdefault = index.setdefault
            for position, each in enumerate(self.words_list):
                setdefault(each, []).append(position)
        return index.get(word, ())

    def _starts(self) -> list[int]:
        if self._sentence_starts is None:
            self._sentence_starts = [0] + [match.end() for match in _BOUNDARY.finditer(self.raw)]
        return self._sentence_starts

    def sentence_of(self, offset: int) -> int:
        return bisect_right(self._starts(), offset) - 1

    def sentence_span(self, offset: int) -> tuple[int, int]:
        starts = self._starts()
        index = bisect_right(starts, offset) - 1
        start = starts[index]
        end = starts[index + 1] if index + 1 < len(starts) else len(self.raw)
        return start, end

    def sentence_words(self, offset: int) -> list[str]:
        """The words of the sentence around `offset`."""
        start, end = self.sentence_span(offset)
        starts = self.starts
        return self.words_list[bisect_left(starts, start) : bisect_left(starts, end)]

    def words(self) -> list[str]:
        return self.words_list


class Match(NamedTuple):
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
        # first word → (the phrase's words, their count, label, value), longest phrase first
        self._table: dict[str, list[tuple[list[str], int, str, str]]] = {}
        for label, value in items:
            words = words_of(label.lower())
            if not words:
                continue
            last_forms = _plurals(words[-1]) if plural else (words[-1],)
            for last in last_forms:
                variant = [*words[:-1], last]
                self._table.setdefault(variant[0], []).append((variant, len(variant), label, value))
        for candidates in self._table.values():
            candidates.sort(key=lambda item: item[1], reverse=True)
        self._keys = frozenset(self._table)

    def __contains__(self, word: str) -> bool:
        return word in self._table

    def iter(self, text: Text, *, offsets: bool = True) -> Iterator[Match]:
        """Non-overlapping matches in token order (the longest phrase wins at each position).

        Without `offsets` the matches carry -1 for start and end, and the text's offsets are not computed.
        """
        keys = text.word_set & self._keys
        if not keys:
            return
        table = self._table
        if len(keys) == 1:
            positions = text.positions(next(iter(keys)))
        else:
            positions = sorted(chain.from_iterable(map(text.positions, keys)))
        words_list = text.words_list
        starts = text.starts if offsets else None
        after = -1
        for position in positions:
            if position <= after:
                continue
            for words, size, label, value in table[words_list[position]]:
                if size == 1 or words_list[position : position + size] == words:
                    last = position + size - 1
                    if starts is None:
                        yield Match(label, value, -1, -1, position, last)
                    else:
                        end = starts[last] + len(words_list[last])
                        yield Match(label, value, starts[position], end, position, last)
                    after = last
                    break

    def found(self, text: Text) -> bool:
        """Whether any phrase occurs (no offsets computed)."""
        keys = text.word_set & self._keys
        if not keys:
            return False
        words_list = text.words_list
        for word in keys:
            for words, size, _, _ in self._table[word]:
                if size == 1:
                    return True
                for position in text.positions(word):
                    if words_list[position : position + size] == words:
                        return True
        return False

    def may_occur(self, text: Text) -> bool:
        """Whether the text has a first word of any phrase (a set test in C; no positions, no generator)."""
        return not self._keys.isdisjoint(text.word_set)

    def values(self, text: Text) -> list[str]:
        """The values of the phrases found, in order (offsets are not needed for that)."""
        if self._keys.isdisjoint(text.word_set):
            return []
        return [match.value for match in self.iter(text, offsets=False)]

    def find(self, text: Text) -> list[Match]:
        return list(self.iter(text)) if not self._keys.isdisjoint(text.word_set) else []

    def first(self, text: Text) -> Match | None:
        return next(self.iter(text), None) if not self._keys.isdisjoint(text.word_set) else None


def words_set(*groups: str) -> frozenset[str]:
    """Whitespace-separated words (and their plurals) as a set for single-token lookups."""
    out: set[str] = set()
    for group in groups:
        for word in group.split():
            out.update(_plurals(word))
    return frozenset(out)
