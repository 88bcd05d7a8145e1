"""API contract rules (API…): model, size, seconds and prompt limits, and API parameters written in prose."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator

from cinebrief.contract.profile import PROMPT_MAX_CHARACTERS, Profile, get_profile
from cinebrief.errors import quote_list
from cinebrief.lint.document import Document, ShotView, Span
from cinebrief.lint.lexicon import words_set
from cinebrief.lint.model import Edit, Finding, Fix, Location
from cinebrief.lint.registry import rule


def _profile(document: Document) -> Profile:
    return get_profile(document.profile)


def _where(shot: ShotView, name: str) -> Location:
    parameter = getattr(shot, name)
    return parameter.span.location() if parameter.span else Location(name)


@rule("API001", "unsupported-model", severity="error", fix="safe")
def unsupported_model(document: Document) -> Iterator[Finding]:
    """
    ## What it does
    Checks that `model` names a model of the Videos API profile in use (`sora-2`, `sora-2-pro` and their
    dated snapshots).

    ## Why is this bad?
    The API rejects any other name before generating anything. A near miss such as `Sora-2` or `sora2`
    gets a safe fix to the exact name.

    ## Example
    ```yaml
    defaults: {model: sora-2-ultra}
    ```

    ## Use instead
    ```yaml
    defaults: {model: sora-2-pro}
    ```
    """
    models = _profile(document).model_names
    reported: set[str] = set()
    for shot in document.shots:
        value = shot.model.value
        if value is None or value in models or value in document.models:
            continue
        span = shot.model.span
        key = span.field if span else "model"
        if key in reported:
            continue
        reported.add(key)
        squashed = {re.sub(r"[^a-z0-9]", "", m): m for m in models}
        exact = squashed.get(re.sub(r"[^a-z0-9]", "", str(value).lower()))
        close = exact or next(iter(difflib.get_close_matches(str(value), models, n=1, cutoff=0.6)), None)
        fix = None
        if exact and span and span.path:
            fix = Fix("safe", f"use '{exact}'", (Edit(span.path, exact),))
        elif close:
            fix = Fix("display-only", f"did you mean '{close}'?")
        served = quote_list((*models, *document.models))
        yield Finding(
            f"model '{value}' is not a Videos API model or a configured model; allowed: {served}",
            _where(shot, "model"),
            help="set `model` to one of the allowed names; a backend alias is configured on the server",
            fix=fix,
            shot=shot.index,
        )


@rule("API002", "unsupported-size-for-model", severity="error", fix="unsafe")
def unsupported_size_for_model(document: Document) -> Iterator[Finding]:
    """
    ## What it does
    Checks that `size` is one of the sizes the chosen model accepts: `sora-2` renders `1280x720` and
    `720x1280`; `sora-2-pro` adds `1024x1792` and `1792x1024` (and 1080p in the extended profile).

    ## Why is this bad?
    The API rejects a size the model does not render. When the size belongs to `sora-2-pro`, the fix
    switches the model; it is unsafe because the pro model costs more.

    ## Example
    ```yaml
    defaults: {model: sora-2, size: 1792x1024}
    ```

    ## Use instead
    ```yaml
    defaults: {model: sora-2-pro, size: 1792x1024}
    ```
    """
    profile = _profile(document)
    reported: set[str] = set()
    for shot in document.shots:
        size = shot.size.value
        if size is None:
            continue
        if shot.model_value() not in profile.models:
            yield from _size_for_configured_model(document, shot, str(size), reported)
            continue
        spec = profile.spec(shot.model_value())
        key = shot.size.span.field if shot.size.span else "size"
        if size in spec.sizes or key in reported:
            continue
        reported.add(key)
        fix = None
        pro = profile.models.get("sora-2-pro")
        model_span = shot.model.span
        if pro and size in pro.sizes and shot.model_value() != "sora-2-pro":
            edits = (Edit(model_span.path, "sora-2-pro"),) if model_span and model_span.path else ()
            fix = Fix("unsafe" if edits else "display-only", f"use model 'sora-2-pro', which renders {size}", edits)
        yield Finding(
            f"size '{size}' is not supported by model '{spec.name}'; allowed for '{spec.name}': "
            f"{quote_list(spec.sizes)}",
            _where(shot, "size"),
            help=f"pick a size {spec.name} renders, or a model that renders {size}",
            fix=fix,
            shot=shot.index,
        )


def _size_for_configured_model(document: Document, shot: ShotView, size: str, reported: set[str]) -> Iterator[Finding]:
    capabilities = document.models.get(shot.model_value())
    key = shot.size.span.field if shot.size.span else "size"
    if capabilities is None or capabilities.accepts_size(size) or key in reported:
        return
    reported.add(key)
    yield Finding(
        f"size '{size}' is not supported by model '{shot.model_value()}' (backend {capabilities.backend}); "
        f"allowed: {capabilities.describe_sizes()}",
        _where(shot, "size"),
        help=f"pick a size that {shot.model_value()} renders",
        shot=shot.index,
    )


@rule("API003", "unsupported-seconds", severity="error")
def unsupported_seconds(document: Document) -> Iterator[Finding]:
    """
    ## What it does
    Checks that `seconds` is one of the durations the model accepts: `"4"`, `"8"` or `"12"` (and `"16"`,
    `"20"` only in the extended profile), written as a string.

    ## Why is this bad?
    The API rejects other durations, and prose cannot change the length of a clip. Longer pieces are
    several shots stitched together.

    ## Example
    ```yaml
    defaults: {seconds: "16"}
    ```

    ## Use instead
    ```yaml
    defaults: {seconds: "8"}
    # and a second shot of "8" for the rest
    ```
    """
    profile = _profile(document)
    reported: set[str] = set()
    for shot in document.shots:
        seconds = shot.seconds.value
        if seconds is None:
            continue
        if shot.model_value() in profile.models:
            allowed = profile.models[shot.model_value()].seconds
        elif (configured := document.models.get(shot.model_value())) is not None:
            allowed = tuple(configured.seconds)
        else:
            allowed = profile.all_seconds
        key = shot.seconds.span.field if shot.seconds.span else "seconds"
        if (str(seconds) in allowed and isinstance(seconds, str)) or key in reported:
            continue
        reported.add(key)
        yield Finding(
            f'seconds "{seconds}" is not supported (profile {profile.name}); allowed: {quote_list(allowed)}',
            _where(shot, "seconds"),
            help="choose an allowed duration; split a longer idea into several shots and stitch them",
            shot=shot.index,
        )


def _prompt_length(document: Document, shot: ShotView) -> int:
    if document.prompt_text is not None:
        return len(document.prompt_text)
    parts = [span.text for span in shot.spans()] + [d.line for d in shot.dialogue] + [shot.characters_text]
    parts += [", ".join(shot.palette or ())]
    return sum(len(part) + 2 for part in parts)


@rule("API004", "prompt-too-long", severity="error")
def prompt_too_long(document: Document) -> Iterator[Finding]:
    """
    ## What it does
    Checks that a prompt (for a brief: each shot's rendered text, estimated) stays within the API's
    limit of 32000 characters.

    ## Why is this bad?
    The API refuses longer prompts. Long before the limit, long prompts restrict the model and are not
    followed reliably; split the idea into shots.

    ## Example
    A 40000-character prompt pasted from a script.

    ## Use instead
    One shot per prompt: one camera setup, one action, one lighting recipe.
    """
    for shot in document.shots:
        length = _prompt_length(document, shot)
        if length > PROMPT_MAX_CHARACTERS:
            yield Finding(
                f"{shot.label} is about {length} characters; the API allows at most {PROMPT_MAX_CHARACTERS}",
                shot.anchor() if document.kind == "brief" else Location("prompt", 1, 1),
                help="split it into several shots of one camera setup and one action each",
                shot=shot.index,
            )


@rule("API005", "empty-prompt", severity="error")
def empty_prompt(document: Document) -> Iterator[Finding]:
    """
    ## What it does
    Checks that there is something to send: prompt text that is not only white space, or a shot with
    at least a scene, an action, a camera or dialogue.

    ## Why is this bad?
    The API rejects an empty prompt; a shot with no text renders nothing anyone asked for.

    ## Example
    ```yaml
    shots:
      - id: opening
    ```

    ## Use instead
    ```yaml
    shots:
      - id: opening
        scene: A kite climbs over a windy ridge.
    ```
    """
    if document.prompt_text is not None:
        if not document.prompt_text.strip():
            yield Finding("the prompt is empty; describe the shot in 1 to 32000 characters", Location("prompt", 1, 1))
        return
    for shot in document.shots:
        if not (shot.prose or shot.actions or shot.camera or shot.dialogue or shot.shot_list or shot.detail):
            yield Finding(
                f"{shot.label} has no text to render: add a scene, actions, camera or dialogue",
                Location(shot.label_field, *(_shot_position(document, shot))),
                shot=shot.index,
            )


def _shot_position(document: Document, shot: ShotView) -> tuple[int | None, int | None]:
    from cinebrief.brief import position

    return position(document.tree, ("shots", shot.index)) if document.tree is not None else (None, None)


_NUMBER = r"(?:\d+(?:\.\d+)?|one|two|three|four|five|six|seven|eight|nine|ten|twelve|fifteen|twenty|thirty|sixty)"
# Nouns a duration may qualify inside the scene ("a three-second pause"): timing of an action, not the clip.
_IN_SCENE = (
    r"pause|hold|beat|delay|stare|silence|gap|interval|intervals|break|wait|exposure|countdown|window|mark|rule"
    r"|period|burst|bursts|glance|look|kiss|hug|breath|spin|turn|fade|flash|flicker|drop|fall|jump|shot|shots"
)
_UNIT = r"(?:s|sec|secs|seconds?|minutes?|mins?)"
# Matched on the span's lower-cased text (`Text.lowered`, same offsets), so no IGNORECASE is needed. Each
# pattern opens with one shared `\b`, so that the engine leaves a position inside a word after one test.
_PROSE_PARAMETERS = (
    (
        "duration",
        re.compile(
            rf"\b(?:{_NUMBER}[\s-]*{_UNIT}(?=[\s-]+(?:[\w-]+\s+){{0,3}}(?:video|clip|shot|film|sequence|spot|reel"
            r"|movie|animation|ad)\b)"
            rf"|(?:video|clip|film|animation)\s+(?:of|lasting|that\s+lasts|running)\s+(?:about\s+)?\d+\s*{_UNIT}\b"
            rf"|{_NUMBER}\s*{_UNIT}\s+long\b|make\s+(?:it|the\s+(?:video|clip|shot))\s+(?:longer|shorter)\b"
            r"|(?:longer|shorter|extended)\s+(?:video|clip|version|duration|cut)\b|(?:duration|length|runtime)\s*(?:of|:)?\s*\d+"
            # a duration written as an adjective of what is made: "a five-second loop", "15-second VHS intrusion"
            rf"|{_NUMBER}-(?:second|minute)(?=\s+(?!(?:{_IN_SCENE})\b)[a-z]))",
        ),
    ),
    (
        "resolution",
        re.compile(
            r"\b(?:(?:4k|8k|2k|1080p|720p|2160p|1440p|480p|uhd|ultra[\s-]?hd|full[\s-]?hd|fhd|hd"
            r"|high[\s-]?res(?:olution)?|hi[\s-]?res|low[\s-]?res(?:olution)?)\b|aspect\s+ratio\b"
            r"|(?:vertical|portrait|landscape|horizontal)(?=(?:\s+[\w-]+){0,2}\s+(?:video|format|orientation|mode"
            r"|clip|aspect|shot|frame)\b)"
            r"|in\s+(?:vertical|portrait|landscape)\b|\d{3,4}\s*[x×]\s*\d{3,4}\b"
            r"|\d+(?:\.\d+)?\s*fps\b|(?:high|higher|low)?\s*frame[\s-]rate\b)"
            r"|(?<![\d.])(?:16:9|9:16|1:1|4:5|21:9)(?!\d|\.\d)",
        ),
    ),
    (
        "model or quality",
        re.compile(
            # a model named as the request's: the API spelling ("sora-2-pro"), after "use", "with", "on"..., or
            # before "model"; "open Sora" or "Testing out Sora 2" name the app inside the scene
            r"\b(?:sora-2(?:-pro)?\b"
            r"|(?:(?<=use )|(?<=with )|(?<=using )|(?<=via )|(?<= on )|(?<=model ))sora(?:[\s-]?2)?(?:[\s-]?pro)?\b"
            r"|sora(?:[\s-]?2)?(?:[\s-]?pro)?(?=\s+model\b)|pro\s+model\b"
            r"|(?:highest|best|top|maximum|max|ultra|high|premium)(?:\s+possible)?[\s-]+quality\b"
            r"|(?:imax|cinema|broadcast|studio|hollywood)[\s-]quality\b"
            r"|(?:8k|4k|ultra[\s-]?hd)\s+render\b|masterpiece\b)",
        ),
    ),
)
_PARAMETER_NAMES = {"duration": "seconds", "resolution": "size", "model or quality": "model"}


_TRIGGERS = {
    "duration": words_set(
        "s sec secs second seconds minute minutes min mins longer shorter extended duration length runtime"
    ),
    "resolution": words_set(
        "4k 8k 2k 1080p 720p 2160p 1440p 480p uhd hd fhd res resolution aspect vertical portrait landscape horizontal "
        "fps frame"
    ),
    "model or quality": words_set("sora quality masterpiece pro render"),
}


_ALL_TRIGGERS = frozenset().union(*_TRIGGERS.values())
# A size or an aspect ratio (digits around an `x` or a colon: 1280x720, 9:16), or a frame rate (24fps).
_SIZE_OR_RATIO = re.compile(r"\d\s*[x×:]\s*\d|\dfps", re.IGNORECASE)


def _windows(span: Span, kind: str) -> list[tuple[int, int]]:
    """Stretches of the span around the kind's trigger words, merged: the patterns run only there.

    A full scan of a long paragraph with these alternations costs more than all other rules together;
    a phrase of the kind always contains one of its trigger words (or, for a resolution, digits around
    an `x` or a colon), so looking around those is enough.
    """
    text = span.words
    triggers = _TRIGGERS[kind]
    offsets = [text.starts[p] for word in text.word_set & triggers for p in text.positions(word)]
    if kind == "resolution":
        offsets += [match.start() for match in _SIZE_OR_RATIO.finditer(span.text)]
    offsets.sort()
    windows: list[tuple[int, int]] = []
    for offset in offsets:
        low, high = max(0, offset - 48), min(len(span.text), offset + 80)
        if windows and low <= windows[-1][1]:
            windows[-1] = (windows[-1][0], high)
        else:
            windows.append((low, high))
    return windows


def _without(text: str, start: int, end: int) -> str:
    """The text with [start:end) removed and the punctuation around it tidied."""
    joined = (text[:start].rstrip(" ,;") + " " + text[end:].lstrip(" ,;")).strip()
    joined = re.sub(r"\s{2,}", " ", joined)
    joined = re.sub(r"^(?:of|in|at|a|an)\s+", "", joined, flags=re.IGNORECASE) if start == 0 else joined
    return joined[:1].upper() + joined[1:] if start == 0 else joined


@rule("API006", "prose-sets-api-parameter", severity="warning", fix="unsafe")
def prose_sets_api_parameter(document: Document) -> Iterator[Finding]:
    """
    ## What it does
    Finds durations ("a 10-second video", "a five-second loop", "Length: 8s", "twelve seconds long"),
    resolutions, frame rates and aspect ratios ("4K", "1080p", "60fps", "vertical video", "9:16") and
    model or quality requests ("use sora-2-pro", "highest quality") written in the prompt's prose. A
    duration of something in the scene ("a two-second pause") is not one, nor is a model named as part of
    the scene ("she opens Sora on her phone").

    ## Why is this bad?
    Resolution, duration and quality are request parameters (`size`, `seconds`, `model`). Prose cannot
    change them; the words only take room from what prose does control. The fix removes the phrase
    (unsafe: read the sentence after it).

    ## Example
    ```text
    Vertical 4K shot of a barista pouring latte art.
    ```

    ## Use instead
    ```text --size 720x1280
    Close-up of a barista pouring latte art, steam curling up.
    ```
    (and `--size 720x1280` on the request)
    """
    for shot in document.shots:
        for span in shot.spans():
            if span.words.word_set.isdisjoint(_ALL_TRIGGERS) and not _SIZE_OR_RATIO.search(span.text):
                continue
            lowered = span.words.lowered
            for kind, pattern in _PROSE_PARAMETERS:
                seen: set[int] = set()
                for match in (m for low, high in _windows(span, kind) for m in pattern.finditer(lowered, low, high)):
                    start, end = match.span()
                    if start in seen:
                        continue
                    seen.add(start)
                    parameter = _PARAMETER_NAMES[kind]
                    written = span.text[start:end]
                    fix = None
                    if span.path is not None:
                        fix = Fix("unsafe", f"remove '{written}'", (Edit(span.path, _without(span.text, start, end)),))
                    yield Finding(
                        f"'{written}' asks for a {kind} in prose; set `{parameter}` on the request instead",
                        span.location(start),
                        help=f"prose cannot change {kind}; set `{parameter}` (--{parameter} for text)",
                        fix=fix,
                        shot=shot.index,
                    )


_DURATION = re.compile(r"\bduration\s*:?\s*(?P<value>\d+(?:\.\d+)?)\s*(?:s|sec|secs|seconds?)\b", re.IGNORECASE)


@rule("API007", "format-duration-mismatch", severity="error", fix="safe")
def format_duration_mismatch(document: Document) -> Iterator[Finding]:
    """
    ## What it does
    Checks that a `Format & Look` line that states a duration (`Duration 4s`) states the clip's
    `seconds`.

    ## Why is this bad?
    The only place the guide allows a duration in the text is the ultra-detailed `Format & Look` line,
    and only when it equals `seconds`; a different number contradicts the request. The fix writes the
    request's value (safe: `seconds` is what the API will use).

    ## Example
    ```yaml
    seconds: "4"
    detail: {format_look: "Duration 8s; 180° shutter; 35 mm"}
    ```

    ## Use instead
    ```yaml
    seconds: "4"
    detail: {format_look: "Duration 4s; 180° shutter; 35 mm"}
    ```
    """
    for shot in document.shots:
        span = shot.format_look
        if span is None:
            continue
        for match in _DURATION.finditer(span.text):
            stated = float(match["value"])
            seconds = shot.seconds_value()
            if stated == float(seconds):
                continue
            fix = None
            if span.path is not None:
                fixed = span.text[: match.start("value")] + seconds + span.text[match.end("value") :]
                fix = Fix("safe", f"write Duration {seconds}s", (Edit(span.path, fixed),))
            yield Finding(
                f'Format & Look says {match.group()} but seconds is "{seconds}"',
                span.location(match.start()),
                help="the duration in Format & Look must equal `seconds`, or be left out",
                fix=fix,
                shot=shot.index,
            )
