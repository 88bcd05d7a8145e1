"""Prompt text rules (PR0xx): vague words, one camera move, framing, light, palette, style, subject, sound."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import cache, lru_cache

from cinebrief.lint import detect
from cinebrief.lint import vague_terms as vague
from cinebrief.lint import vocabulary as vocab
from cinebrief.lint.document import Document, Span
from cinebrief.lint.model import Finding, Fix
from cinebrief.lint.registry import rule


@rule("PR001", "vague-language", severity="warning", fix="display-only", preview=True)
def vague_language(document: Document) -> Iterator[Finding]:
    """
    ## What it does
    Finds praise words and gestures that show nothing: "beautiful", "stunning", "epic", "cinematic
    look", "nice lighting", "vibrant colors", "moves quickly", "make it look good", "super cool", "lots of
    action". Each finding proposes concrete phrases that show what the word only claims. A word is not
    praise where its neighbours make it a description: "epic music" or "a historical epic" (a genre),
    "perfect circle", "atmospheric haze", "striking the anvil" (a verb), "cool blue light" (a colour
    temperature), a name inside a sentence ("Nice", "Great Dane"), a named aesthetic ("cyberpunk
    aesthetic"), a clause that asks to avoid it ("AVOID: dramatic lighting"), a word the prompt then spells
    out ("an elegant man in a charcoal suit and polished oxfords", "cinematic lighting with a cool rim
    light"), words inside quotes (speech, a sign), a negative prompt (`AVOID:`, `Negative prompt:`), a
    gloss of an exact value ("2.39:1 (cinematic)"), a colour word in the lighting line, and a single soft
    word in a shot described in 150 words or more, where it stands in for nothing.

    ## Why is this bad?
    The model cannot render an opinion. Verbs and nouns that point to visible results (materials,
    light sources, counts) are followed; adjectives of praise leave everything to chance.

    ## Example
    ```text
    A beautiful street at night. The camera captures a cinematic look.
    ```

    ## Use instead
    ```text
    Wet asphalt, zebra crosswalk, neon signs reflecting in puddles.
    Anamorphic 2.0x lens, shallow depth of field, volumetric light.
    ```
    """
    for shot in document.shots:
        lighting = {id(span) for span in shot.lighting}
        spans = shot.spans()
        found_in = [
            (span, found) for span in spans for found in detect.vague_terms(span, lighting=id(span) in lighting)
        ]
        if len(found_in) == 1 and sum(len(span.words.words_list) for span in spans) >= DESCRIBED_WORDS:
            continue  # one soft word in a shot described at length stands in for nothing
        for span, found in found_in:
            term = found.match.label
            written = span.text[found.match.start : found.match.end]
            suggestion = _suggestion(term)
            yield Finding(
                f"'{written}' is vague: it tells the model an opinion, not what to show",
                span.location(found.match.start),
                help=f"show it instead, e.g. {suggestion}",
                fix=_vague_fix(written, suggestion),
                shot=shot.index,
            )


@cache
def _suggestion(term: str) -> str:
    """The first two concrete replacements of a vague term, quoted."""
    return "; ".join(f"“{text}”" for text in vague.VAGUE_TERMS[term][:2])


@lru_cache(maxsize=512)
def _vague_fix(written: str, suggestion: str) -> Fix:
    """The display-only fix of a vague word as written (a `Fix` is immutable, so findings share it)."""
    return Fix("display-only", f"replace '{written}' with concrete detail, e.g. {suggestion}")


# A shot described in at least this many words, with one vague term, is not vague: the term does not stand in
# for a description there (the guide's long prompts use "cinematic" once among hundreds of concrete words).
DESCRIBED_WORDS = 150


@rule("PR002", "multiple-camera-moves", severity="warning", preview=True)
def multiple_camera_moves(document: Document) -> Iterator[Finding]:
    """
    ## What it does
    Counts the distinct camera moves in one shot (dolly, push-in, pull-out, pan, whip pan, tilt, crane,
    truck, arc or orbit, zoom, tracking, roll, a drone that flies, skims or dives). Words that make one
    move together count once ("slow dolly push-in", a tracking shot that pushes in); platforms such as
    handheld or Steadicam are not moves. A move is decided by its verb's subject: "the drone climbs as it
    circles the tower" is two moves, "moths circle the lamp" or "her head tilts" none. Each shot-list
    entry is checked on its own.

    ## Why is this bad?
    Movement is the hardest part for the model. One clear camera move per shot is followed; a chain of
    moves is blended, dropped or garbled.

    ## Example
    ```text
    Camera: dolly in, then crane up and whip-pan to the door.
    ```

    ## Use instead
    ```text
    Camera: slow dolly-in at eye level.
    ```
    (and the crane and the whip pan in shots of their own)
    """
    for shot in document.shots:
        found = detect.shot_moves(shot)
        families = detect.move_families(found)
        if len(families) > 1:
            names = ", ".join(f"'{item.span.text[item.match.start : item.match.end]}'" for item in _firsts(found))
            yield Finding(
                f"{shot.label} has {len(families)} camera moves ({names}); keep one clear move per shot",
                found[0].span.location(found[0].match.start),
                help="keep the move that serves the shot and give the others shots of their own",
                shot=shot.index,
            )
        for entry in shot.shot_list:
            if entry.move:
                moves = detect.move_families(
                    detect.camera_moves(Span(entry.move, entry.span.field), require_context=False)
                )
                if len(moves) > 1:
                    yield Finding(
                        f"shot-list entry “{entry.title}” has {len(moves)} camera moves ({entry.move})",
                        entry.span.location(),
                        help="one move per entry; split the entry in two",
                        shot=shot.index,
                    )


def _firsts(found: list[detect.Found]) -> list[detect.Found]:
    seen: set[str] = set()
    out = []
    for item in found:
        if item.match.value not in seen:
            seen.add(item.match.value)
            out.append(item)
    return out


@rule("PR003", "style-not-set", severity="warning", control_only=True)
def style_not_set(document: Document) -> Iterator[Finding]:
    """
    ## What it does
    In `mode: control`, checks that a style is set: a `style:` in the brief or a `Style:` line, or a
    style phrase in the prose (a decade, a film gauge, documentary, animation, noir, VHS, IMAX...).

    ## Why is this bad?
    Style is one of the most powerful levers: the same details read differently as a polished drama, a
    phone clip or a grainy vintage commercial. Without one, the model picks for you.

    ## Example
    ```text
    A fisherman mends a net on the pier.
    ```

    ## Use instead
    ```text
    Style: 1970s 16 mm documentary, warm grain.
    A fisherman mends a net on the pier.
    ```
    """
    for shot in document.shots:
        if shot.style is not None or shot.mentions(vocab.STYLE):
            continue
        if shot.format_look is not None:
            continue
        yield Finding(
            f"{shot.label} sets no style; the model will choose one",
            shot.anchor(),
            help="set the style first, e.g. `Style: 1970s 16 mm documentary, warm grain`",
            shot=shot.index,
        )


@rule("PR004", "style-not-first", severity="info")
def style_not_first(document: Document) -> Iterator[Finding]:
    """
    ## What it does
    In prompt text, finds a `Style:` line that comes after the scene, the camera or the actions.

    ## Why is this bad?
    The guide sets style early, then layers shot, action and light on it; a style at the end is read
    after everything it should have coloured.

    ## Example
    ```text
    A potter shapes a bowl on a kick wheel.
    Style: 16 mm black-and-white newsreel, heavy grain.
    ```

    ## Use instead
    ```text
    Style: 16 mm black-and-white newsreel, heavy grain.
    A potter shapes a bowl on a kick wheel.
    ```
    """
    for shot in document.shots:
        if shot.style is not None and shot.style_first is False:
            yield Finding(
                "the Style: line comes after the scene; put it first",
                shot.style.location(),
                help="move `Style:` to the top of the prompt",
                shot=shot.index,
            )


@rule("PR005", "subject-unanchored", severity="info", control_only=True)
def subject_unanchored(document: Document) -> Iterator[Finding]:
    """
    ## What it does
    In `mode: control`, finds a main subject named with no distinguishing detail ("a man", "the dog")
    when no character description anchors it.

    ## Why is this bad?
    A few distinctive details keep a subject recognisable within the shot and across shots; a bare noun
    is re-invented on every run.

    ## Example
    ```text
    A man enters a bar.
    ```

    ## Use instead
    ```text
    A wiry man in a rain-dark wool coat and red scarf shoulders into a narrow bar.
    ```
    """
    anchored: list[set[str]] = []  # "the robot" after "a small round robot ... with mismatched plates"

    def is_anchored(word: str) -> bool:  # read on the first bare subject only
        if not anchored:
            anchored.append(_anchored_subjects(document))
        return _subject_word(word) in anchored[0]

    for shot in document.shots:
        if any(c.description for c in shot.cast):
            continue
        for span in shot.prose + shot.actions:
            hit = _bare_subject(span, is_anchored)
            if hit is not None:
                yield Finding(
                    f"'{span.text[hit[0] : hit[1]]}' has no distinguishing detail",
                    span.location(hit[0]),
                    help="add two or three visible traits: build, clothing with a colour, one prop",
                    shot=shot.index,
                )
                break


def _subject_word(word: str) -> str:
    """A subject noun in the singular when its singular is listed ("robots" → "robot")."""
    return word[:-1] if word.endswith("s") and word[:-1] in vocab.SUBJECTS else word


def _anchored_subjects(document: Document) -> set[str]:
    """Subject nouns that some mention in the prompt (any shot's scene, prose or actions) introduces with a
    detail: a word between the article and the noun ("a small round robot") or a detail after it ("a man in
    a grey coat"). A later "the robot" or "he" refers back to that mention."""
    anchored: set[str] = set()
    for shot in document.shots:
        for span in shot.prose + shot.actions:
            text = span.words
            words = text.words_list
            for word in vocab.SUBJECTS & text.word_set:
                for index in text.positions(word):
                    if _has_detail(words, index):
                        anchored.add(_subject_word(word))
                        break
    return anchored


def _has_detail(words: list[str], index: int) -> bool:
    """Whether the subject noun at `index` comes with a detail: one to three words between an article and
    the noun, or a detail word, colour or garment within the next few words."""
    for gap in (1, 2, 3):
        if index - gap - 1 < 0:
            break
        if words[index - gap - 1] in ("a", "an", "the", "one"):
            between = words[index - gap : index]
            return not any(word in vocab.DETERMINERS or word in vocab.NOT_DETAIL for word in between)
    after = words[index + 1 : index + 6]
    if after and after[0] in vocab.ANCHOR_NEXT:
        return True
    return not vocab.COLOUR_WORDS.isdisjoint(after) or not vocab.GARMENTS.isdisjoint(after)


def _bare_subject(span: Span, is_anchored: Callable[[str], bool]) -> tuple[int, int] | None:
    """The first subject noun with nothing that sets it apart: no adjective before it (the noun follows the
    article directly, or opens the sentence bare, "Kids play"), and no "in a / with / wearing" or colour or
    garment within the next few words."""
    text = span.words
    words = text.words_list
    if vocab.SUBJECTS.isdisjoint(text.word_set):
        return None
    judged: set[int] = set()  # only the first subject noun of a sentence is its subject
    for index in sorted(p for word in vocab.SUBJECTS & text.word_set for p in text.positions(word)):
        word = words[index]
        starts = text.starts
        sentence = text.sentence_of(starts[index])
        if sentence in judged:
            continue
        judged.add(sentence)
        previous = words[index - 1] if index > 0 else ""
        opens_sentence = index == 0 or text.sentence_of(starts[index]) != text.sentence_of(starts[index - 1])
        if previous in ("a", "an", "the"):
            before = words[index - 2] if index > 1 else ""
            if before in ("at", "to", "with", "from") or (
                before == "of"
                and words[index - 3 : index - 2]
                not in (
                    ["shot"],
                    ["up"],
                    ["closeup"],
                    ["view"],
                    ["angle"],
                    ["portrait"],
                    ["video"],
                    ["footage"],
                    ["clip"],
                )
            ):
                continue  # "looks at the man", "the hat of the man": not the subject
            start = starts[index - 1]
        elif opens_sentence and word.endswith("s"):
            start = starts[index]
        else:
            continue
        after = words[index + 1 : index + 6]
        if after and after[0] in vocab.ANCHOR_NEXT:
            continue
        if not vocab.COLOUR_WORDS.isdisjoint(after) or not vocab.GARMENTS.isdisjoint(after):
            continue
        if is_anchored(word):
            continue
        return start, starts[index] + len(word)
    return None


@rule("PR006", "competing-traits", severity="warning")
def competing_traits(document: Document) -> Iterator[Finding]:
    """
    ## What it does
    Finds descriptors of one subject that exclude each other in one sentence or one character
    description: bald with long hair, clean-shaven with a beard, young and elderly, barefoot in boots.

    ## Why is this bad?
    The model resolves a contradiction by picking one trait per run, so the character changes from
    take to take.

    ## Example
    ```text
    A bald man with long braided hair.
    ```

    ## Use instead
    ```text
    A bald man with a braided grey beard.
    ```
    """
    for character in document.characters:
        if character.description is not None:
            yield from _competing(character.description, None)
    for shot in document.shots:
        for span in shot.prose + shot.actions:
            yield from _competing(span, shot.index)


def _competing(span: Span, shot: int | None) -> Iterator[Finding]:
    text = span.words
    if vocab.COMPETING_WORDS.isdisjoint(text.word_set):
        return
    for topic, left, right in vocab.COMPETING:
        if not (left.may_occur(text) and right.may_occur(text)):
            continue
        one, other = left.first(text), right.first(text)
        if one is None or other is None:
            continue
        if text.sentence_of(one.start) != text.sentence_of(other.start):
            continue
        yield Finding(
            f"'{one.label}' and '{other.label}' compete ({topic}); the model will pick one per take",
            span.location(min(one.start, other.start)),
            help="keep one of the two traits",
            shot=shot,
        )


@rule("PR007", "silent-no-rhythm-cue", severity="info", control_only=True)
def silent_no_rhythm_cue(document: Document) -> Iterator[Finding]:
    """
    ## What it does
    In `mode: control`, finds a shot with no dialogue and no sound at all. A sound named in the prose
    counts: a sound word ("a low hiss") or something making one ("waves", "a kid yelling", "monitors
    beeping", "a clock ticking").

    ## Why is this bad?
    Sora 2 generates audio. Even a silent shot reads better with one small sound as a rhythm cue (a
    distant hiss, a single snap); with none, the model invents a soundtrack.

    ## Example
    ```text
    Close-up of a kettle on a stove, steam rising.
    ```

    ## Use instead
    ```text
    Close-up of a kettle on a stove, steam rising.
    Background Sound: a single kettle click, faint rain on glass.
    ```
    """
    for shot in document.shots:
        if shot.sound or shot.dialogue or shot.mentions(vocab.SOUND):
            continue
        yield Finding(
            f"{shot.label} has no sound or dialogue; give it one small rhythm cue",
            shot.anchor(),
            help="add `Background Sound:` with one or two sounds, e.g. 'a distant hiss, a single snap'",
            shot=shot.index,
        )


@rule("PR008", "missing-camera-framing", severity="warning", control_only=True)
def missing_camera_framing(document: Document) -> Iterator[Finding]:
    """
    ## What it does
    In `mode: control`, finds a shot with no shot type and no angle: no framing words (wide shot,
    close-up, macro, low angle, eye level, over-the-shoulder, aerial or drone view, first-person...). A
    tracking, dolly or crane shot is a move, not a framing; "the same framing" says none.

    ## Why is this bad?
    Framing sets the feel: a wide shot from above stresses space, an eye-level close-up stresses
    emotion. Left out, it is improvised.

    ## Example
    ```text
    A potter shapes a bowl on a wheel.
    ```

    ## Use instead
    ```text
    Medium close-up, eye level: a potter shapes a bowl on a wheel.
    ```
    """
    for shot in document.shots:
        if detect.has_framing(shot):
            continue
        yield Finding(
            f"{shot.label} has no framing: say the shot type and angle",
            shot.anchor(),
            help="e.g. `Camera shot: medium close-up, eye level`",
            shot=shot.index,
        )


@rule("PR009", "missing-lighting", severity="warning", control_only=True)
def missing_lighting(document: Document) -> Iterator[Finding]:
    """
    ## What it does
    In `mode: control`, finds a shot with no light source, light quality or time of day. Light named
    vaguely is not lighting ("moody lighting", "well lit", "professional lighting"), nor is a thing that
    gives light but only stands in the scene ("a torch on the wall", "glowing mushrooms", "stars"), unless
    the sentence says it lights something ("neon reflecting on wet asphalt"); "at night" alone names no
    light. See *How the corpus is labelled* for the definition.

    ## Why is this bad?
    Light sets the tone (a soft warm key invites, a single hard light feels dramatic) and keeps shots
    that are cut together consistent. Left out, each clip is lit differently.

    ## Example
    ```text
    Two chess players face off in a park.
    ```

    ## Use instead
    ```text
    Two chess players face off in a park under flat overcast light, a warm café lamp behind them.
    ```
    """
    for shot in document.shots:
        if detect.has_lighting(shot):
            continue
        yield Finding(
            f"{shot.label} says nothing about light: name a source, its quality or the time of day",
            shot.anchor(),
            help="e.g. `Lighting: soft window light with warm lamp fill, cool rim from the hallway`",
            shot=shot.index,
        )
