"""Detectors the rules share: vague terms, camera moves, framing, light, colours, style, sound, beats.

Each works on a `Span` (located text) or a `ShotView` and returns what it found with offsets, so the
rules can point at the words. All matching goes through `lexicon` tables (see `vocabulary`).
"""

from __future__ import annotations

import re
from bisect import bisect_left
from typing import NamedTuple

from cinebrief.lint import vague_terms as vague
from cinebrief.lint import vocabulary as vocab
from cinebrief.lint.document import ShotView, Span
from cinebrief.lint.lexicon import Match, Text, words_in
from cinebrief.prompts import labels


class Found(NamedTuple):  # a tuple: the hot rules make many of these
    span: Span
    match: Match


def vague_terms(span: Span, *, lighting: bool = False) -> list[Found]:
    """Praise words and gestures that show nothing ("stunning", "cinematic look", "moves quickly"), except
    where the words around make them a plain description: the next word ("epic IMAX-scale", "dynamic
    range", "perfect circle"), the word before ("a historical epic", "cyberpunk aesthetic"), an object after
    an -ing word ("striking the anvil" is a verb), a capital inside a sentence (a name: "Nice", "Great
    Dane"), a clause that asks to avoid it ("AVOID: dramatic lighting"), a subject the prompt then spells
    out ("an elegant man in a charcoal suit and polished oxfords"), quoted words (speech, a sign), a gloss in
    parentheses after a number ("2.39:1 (cinematic)"), or a colour word in a `lighting` span."""
    text = span.words
    words, count = text.words_list, len(text.words_list)
    quoted = _quoted_ranges(text.raw)
    found = []
    for match in vague.VAGUE.iter(text):
        if quoted and any(start <= match.start < end for start, end in quoted):
            continue
        if lighting and match.label in vague.COLOUR_TERMS:
            continue
        if _glosses_number(text.raw, match):
            continue
        following = words[match.last + 1] if match.last + 1 < count else ""
        previous = words[match.first - 1] if match.first else ""
        if following in vague.VAGUE_EXEMPT_NEXT.get(match.label, ()):
            continue
        if previous and previous in vague.VAGUE_EXEMPT_BEFORE.get(match.label, ()):
            continue
        only_after = vague.VAGUE_ONLY_AFTER.get(match.label)
        if only_after is not None and previous and previous not in only_after and not _clause_starts_at(text, match):
            continue
        if match.label in vague.VAGUE_ALONE and following and not _clause_ends_after(text, match.last):
            continue
        if match.first == match.last and match.label.endswith("ing") and following in vague.VERB_OBJECTS:
            continue
        if match.first == match.last and _is_name(text, match.start):
            continue
        if _negated(text, match) or _spelled_out(text, match):
            continue
        found.append(Found(span, match))
    return found


def _quoted_ranges(raw: str) -> list[tuple[int, int]]:
    """Where quoted text is: what a character says or a sign reads is content, not a request."""
    if '"' not in raw and "“" not in raw:
        return []
    return [quoted.span() for quoted in labels.QUOTED.finditer(raw)]


def _glosses_number(raw: str, match: Match) -> bool:
    """Whether the match alone fills parentheses after a number: "Aspect: 2.39:1 (cinematic)" glosses a
    value the prompt states exactly."""
    before = raw[: match.start].rstrip()
    if not before.endswith("(") or not raw[match.end :].lstrip().startswith(")"):
        return False
    return before[:-1].rstrip()[-1:].isdigit()


def _clause_starts_at(text: Text, match: Match) -> bool:
    """Whether punctuation (or the start of the text) comes just before the match."""
    before = text.raw[: match.start].rstrip()
    return not before or before[-1] in ",.;:!?(\n"


def _negated(text: Text, match: Match) -> bool:
    """Whether the clause before the match asks to avoid it ("avoid", "no", "without", "not")."""
    start, _ = text.sentence_span(match.start)
    first = bisect_left(text.starts, start)
    return not vague.NEGATIONS.isdisjoint(text.words_list[first : match.first])


_SPELLING_OUT = frozenset({"with", "in", "wearing", "creating", "casting", "like"})


def _spelled_out(text: Text, match: Match) -> bool:
    """Whether the words after a descriptive vague word spell out what it stands for: for a colour word, two
    colours later in the sentence; for a lighting phrase or a word such as "elegant", a "with", "in",
    "creating"... within three words, then concrete terms (a light source or quality, a colour, a garment)
    before the sentence ends, one for a lighting phrase and two otherwise."""
    _, end = text.sentence_span(match.start)
    after = words_in(text.raw[match.end : end])[:14]
    if match.label in vague.COLOUR_TERMS:
        return sum(1 for word in after if word in vocab.COLOUR_WORDS) >= 2
    names_light = "light" in match.label or "lit" in match.label.split()
    if match.label not in vague.SPELLABLE and not names_light:
        return False
    opener = next((index for index, word in enumerate(after[:3]) if word in _SPELLING_OUT), None)
    if opener is None:
        return False
    rest = Text(" ".join(after[opener + 1 :]))
    concrete = len(vocab.CONCRETE_LIGHT.find(rest)) + sum(
        1 for word in rest.words_list if word in vocab.COLOUR_WORDS or word in vocab.GARMENTS
    )
    lighting = names_light or "lighting" in words_in(text.raw[:end])
    return concrete >= (1 if lighting else 2)


def _is_name(text: Text, start: int) -> bool:
    """A capitalised word after a word in lower case, in a sentence that is not written in capitals or in
    Title Case: a name such as "Nice" or "a Great Dane", not a praise word ("A Beautiful Sunset" is praise)."""
    raw = text.raw
    if not raw[start : start + 1].isupper() or raw[start + 1 : start + 2].isupper():
        return False
    before = raw[:start].rstrip(" ")
    if not before or not (before[-1].islower() or before[-1].isdigit()):
        return False
    first, end = text.sentence_span(start)
    initials = [word[0] for word in raw[first:end].split() if word[0].isalpha()]
    return sum(initial.isupper() for initial in initials) * 2 < len(initials)


def camera_moves(span: Span, *, require_context: bool) -> list[Found]:
    """Camera moves in a span. In prose (`require_context`) a move is decided by its verb's subject: a verb
    whose subject is a thing in the scene is no camera move ("moths circle the lamp", "she tilts her head");
    a word the vocabulary marks ``camera`` counts only when its subject is the camera, the shot or the drone
    ("the drone skims the water"); a word marked ``context`` ("pan", "crane") with no subject stated counts
    next to a direction or in a sentence that talks about the camera."""
    text = span.words
    words = text.words_list
    found = []
    for match in vocab.MOVES.iter(text):
        term = vocab.MOVE_TERMS[match.label]
        following = words[match.last + 1] if match.last + 1 < len(words) else ""
        if following in term.not_next:
            continue
        if require_context and not _camera_move_in_prose(text, match, term, following):
            continue
        found.append(Found(span, match))
    return found


def _camera_move_in_prose(text: Text, match: Match, term: vocab.Term, following: str) -> bool:
    words = text.words_list
    verb = match.label != term.phrase and following not in vocab.NOUN_USE_NEXT  # "pans", not "a pan"
    subject = _subject_is_camera(text, match) if verb or "camera" in term.qualifiers else None
    if subject is False or ("camera" in term.qualifiers and subject is not True):
        return False
    if subject is True or "context" not in term.qualifiers:
        return True
    if match.first > 0 and words[match.first - 1] in term.not_before:
        return False
    sentence = set(text.sentence_words(match.start))
    if not (following in vocab.MOVE_DIRECTIONS or sentence & vocab.CAMERA_CONTEXT):
        return False
    return not (following in ("her", "his", "their", "its") and not sentence & vocab.CAMERA_CONTEXT)


def _subject_is_camera(text: Text, match: Match) -> bool | None:
    """Whether the subject of the move verb at `match` is the camera (True), a thing in the scene (False), or
    not stated in its sentence (None). Clauses are read back from the verb: a clause opened by "and",
    "then", "as"... or a comma with no subject of its own ("..., then circles the tower", "as it climbs")
    takes the subject of the clause before; after "that" or "who" the subject is the word before it."""
    start, _ = text.sentence_span(match.start)
    starts, raw, words = text.starts, text.raw, text.words_list
    first = bisect_left(starts, start)
    clause: list[str] = []
    index = match.first - 1
    while index >= first:
        word = words[index]
        gap = raw[starts[index] + len(word) : starts[index + 1]] if index + 1 < len(words) else ""
        if word in vocab.RELATIVES and not clause:
            return _judge_subject(words[index - 1 : index]) if index > first else None
        if word in vocab.CLAUSE_JOINS or any(mark in gap for mark in ",;:—–("):
            verdict = _judge_subject(clause)
            if verdict is not None:
                return verdict
            clause = []
            if word in vocab.CLAUSE_JOINS:
                index -= 1
                continue
        clause.append(word)
        index -= 1
    return _judge_subject(clause)


def _judge_subject(clause: list[str]) -> bool | None:
    """A clause's words before the verb (read backwards): the camera when a camera word is among them; a
    thing in the scene when a pronoun, a noun phrase opened by an article or possessive ("she", "a tear",
    "his head"), or a person, animal or body part right before the verb is ("head tilts"); not stated
    otherwise (bare words such as "slow" or "motorized" decide nothing)."""
    if not vocab.CAMERA_CONTEXT.isdisjoint(clause):
        return True
    if not vocab.PRONOUNS.isdisjoint(clause) or (clause and clause[0] in vocab.SCENE_SUBJECTS):
        return False
    return False if any(word in vocab.DETERMINERS for word in clause[1:]) else None


def move_families(found: list[Found]) -> list[str]:
    """Distinct moves, merging words that make one move (a dolly that pushes in is one push-in)."""
    families: list[str] = []
    for item in found:
        family = item.match.value
        if family not in families:
            families.append(family)
    for general, specific in vocab.MOVE_MERGES.items():
        if general in families and any(other in specific for other in families if other != general):
            families.remove(general)
    return families


def shot_moves(shot: ShotView) -> list[Found]:
    """Moves in the shot's camera fields and its prose (camera notes and shot-list entries are apart)."""
    found: list[Found] = []
    for span in shot.camera:
        found.extend(camera_moves(span, require_context=False))
    for span in shot.prose + shot.actions:
        found.extend(camera_moves(span, require_context=True))
    return found


def colours(texts: list[Text]) -> list[str]:
    """Distinct colour words in order ("golden hour" and "black-and-white" are not colours)."""
    out: list[str] = []
    for text in texts:
        for value in vocab.COLOUR_TABLE.values(text):
            if value and value not in out:
                out.append(value)
    return out


def motion_without_beats(span: Span) -> Match | None:
    """The first sentence with a motion verb and no count, pause or end point ("the dog runs around")."""
    text = span.words
    if vocab.MOTION.isdisjoint(text.word_set):
        return None
    words = text.words_list
    positions = sorted(p for word in vocab.MOTION & text.word_set for p in text.positions(word))
    for index in positions:
        following = words[index + 1] if index + 1 < len(words) else ""
        if following in vocab.NOT_MOTION_NEXT or (words[index] in vocab.PLAY and following in vocab.DETERMINERS):
            continue  # "playing violin", "a radio plays a bolero": music, not a motion to break into beats
        if _is_modifier(text, index) or _is_completed(text, index):
            continue
        token = text.token(index)
        start, end = text.sentence_span(token.start)
        if not _has_beat(text.sentence_words(token.start), text.raw[start:end]):
            return Match(token.word, token.word, token.start, token.end, index, index)
    return None


def _is_modifier(text: Text, index: int) -> bool:
    """A participle used as an adjective before a noun, not an action: "flying cars", "a dancing flame", "of
    running water". It opens a clause or follows an article, number or preposition, and a noun follows it."""
    words = text.words_list
    word = words[index]
    if not word.endswith("ing") or index + 1 >= len(words) or words[index + 1] in vocab.NOT_NOUN:
        return False
    if _clause_ends_after(text, index):
        return False
    return index == 0 or words[index - 1] in vocab.MODIFIER_BEFORE or _clause_ends_after(text, index - 1)


def _is_completed(text: Text, index: int) -> bool:
    """A motion closed by a particle at the end of its clause: "walks up.", "runs off, laughing", "climbs in
    and ...": the particle is the end point (an arrival or an exit)."""
    words = text.words_list
    if index + 1 >= len(words) or words[index + 1] not in vocab.END_PARTICLES:
        return False
    return index + 2 >= len(words) or words[index + 2] in vocab.CLAUSE_WORDS or _clause_ends_after(text, index + 1)


def _clause_ends_after(text: Text, index: int) -> bool:
    """Whether punctuation (or the end of the text) follows the word at `index`."""
    end = text.token(index).end
    return end >= len(text.raw) or text.raw[end] in ",.;:!?)\n"


_CLAUSE = re.compile(r",|;|\band\b|\bthen\b", re.IGNORECASE)


def _has_beat(words: list[str], sentence: str = "") -> bool:
    for index, word in enumerate(words):
        if word in vocab.BEAT_WORDS:
            return True
        if (word.isdigit() or word in vocab.NUMBER_WORDS) and any(
            w in vocab.BEAT_UNITS for w in words[index + 1 : index + 3]
        ):
            if not vocab.CLIP_WORDS.isdisjoint(words[index + 1 : index + 4]):
                continue  # "a 10-second clip" is a duration, not a beat
            return True
        if word in vocab.ENDPOINT_PREPOSITIONS and index + 1 < len(words) and words[index + 1] in vocab.DETERMINERS:
            return True
    # A chain of clauses that each open with a verb is a list of beats: "pedals, brakes, and stops".
    clauses = [words_in(piece)[:2] for piece in _CLAUSE.split(sentence)]
    return sum(1 for first in clauses if not vocab.ACTION_FORMS.isdisjoint(first)) >= 3


def has_lighting(shot: ShotView) -> bool:
    """Whether the shot describes its light: a lighting field that says more than vague words, or light
    named anywhere as a source, direction or quality, or a time of day that stands for a light."""
    if any(_labelled_light(span.words) for span in shot.lighting):
        return True
    return any(describes_light(text) for text in shot.texts)


def _labelled_light(text: Text) -> bool:
    """A `Lighting:` value counts unless every word in it is vague ("Lighting: dramatic")."""
    return any(
        word not in vocab.UNDESCRIBED_LIGHT and word not in vocab.GENERIC_LIGHT for word in text.words_list
    ) or describes_light(text)


def describes_light(text: Text) -> bool:
    """Light named as light: not a vague phrase ("moody lighting"), not a time that names no light ("at
    night"), not a thing that gives light unless the sentence says it lights something ("a lantern casting
    shadows", not "a torch on the wall"), and the bare words "light", "lighting", "lit" only with a word that
    describes them ("soft light", "light from the left", not "the lighting")."""
    if not vocab.LIGHT.may_occur(text):
        return False
    words = text.words_list
    for match in vocab.LIGHT.iter(text):
        term = vocab.LIGHT_TERMS[match.label]
        if "vague" in term.qualifiers or "not light" in term.qualifiers:
            continue
        if "prop" in term.qualifiers:
            sentence = text.sentence_words(match.start)
            own = words[match.first : match.last + 1]
            lights = any(word in vocab.LIGHTS_SOMETHING and word not in own for word in sentence)
            if not (lights or _described_before(text, match, vocab.DESCRIBES_LIGHT)):
                continue
        elif match.label in vocab.GENERIC_LIGHT and not _light_described(text, match):
            continue
        return True
    return False


def _described_before(text: Text, match: Match, describing: frozenset[str] | None = None) -> bool:
    """Whether the word right before (no punctuation between) describes the light: any word but a vague or
    function word ("soft light", "window light"), or for a thing that gives light one of `describing`
    ("red neon", "afternoon sun", not "camp fire")."""
    if not match.first:
        return False
    previous = text.token(match.first - 1)
    if text.raw[previous.end : match.start].strip(" -"):
        return False  # a comma or other mark between: a list, not a description
    if describing is not None:
        return previous.word in describing
    return previous.word not in vocab.UNDESCRIBED_LIGHT and not previous.word.isdigit()


def _light_described(text: Text, match: Match) -> bool:
    words = text.words_list
    following = words[match.last + 1] if match.last + 1 < len(words) else ""
    if _described_before(text, match):
        return True
    if following in vocab.LIGHT_GOES or following == "by":
        return True
    after = words[match.last + 2] if match.last + 2 < len(words) else ""
    return following in ("is", "was") and bool(after) and after not in vocab.UNDESCRIBED_LIGHT


def has_framing(shot: ShotView) -> bool:
    """Whether the shot says its shot size or angle (a shot list has its own per entry). "Framing" itself
    counts only with a word that describes it ("tight framing", not "the exact original framing")."""
    if shot.shot_list or any(_names_framing(span.words, camera=True) for span in shot.camera):
        return True
    return any(_names_framing(text, camera=False) for text in shot.texts)


def _names_framing(text: Text, *, camera: bool) -> bool:
    """Framing words in a text: in prose, a word the vocabulary keeps to camera fields ("wide", "low")
    counts only among camera words (`_in_camera_words`)."""
    if not vocab.FRAMING_ALL.may_occur(text):
        return False
    words = text.words_list
    for match in vocab.FRAMING_ALL.iter(text, offsets=False):
        term = vocab.FRAMING_ALL_TERMS[match.label]
        if "described" in term.qualifiers:
            previous = words[match.first - 1] if match.first else ""
            if not previous or previous in vocab.UNDESCRIBED_FRAMING:
                continue
        if not camera and "camera field" in term.qualifiers and not _in_camera_words(words, match):
            continue
        return True
    return False


def _in_camera_words(words: list[str], match: Match) -> bool:
    """Whether a bare framing word stands among camera words: before a shot noun ("wide panoramic shot") or
    right after "camera" ("Camera: wide establishing" inside a sentence)."""
    if not vocab.SHOT_NOUNS.isdisjoint(words[match.last + 1 : match.last + 3]):
        return True
    return "camera" in words[max(0, match.first - 2) : match.first]


def has_action(shot: ShotView) -> bool:
    """Something happens: an action beat, dialogue, or an action verb in the prose."""
    if shot.actions or shot.dialogue:
        return True
    return any(not vocab.ACTION_FORMS.isdisjoint(span.words.word_set) for span in shot.prose)
