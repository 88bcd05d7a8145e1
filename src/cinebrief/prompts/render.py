"""Render a shot of a brief to prompt text, in the guide's layouts.

Styles:

- ``descriptive``: ``Style:`` → prose (scene, then the cast's descriptions, verbatim) → ``Cinematography:``
  (``Camera shot:``, ``Camera:``, ``Lens:``, ``Depth of field:``, ``Lighting:`` or ``Lighting + palette:``,
  ``Palette anchors:``, ``Mood:``) → ``Actions:`` bullets → ``Dialogue:`` bullets → ``Background Sound:``.
- ``ultra``: ``Style:`` and the prose with its ``Actions:`` and ``Dialogue:`` blocks, then the ten
  ultra-detailed headers (no colon) in the guide's order, each with the guide's sub-labels.
- ``light``: one paragraph of plain sentences.
- ``auto``: ``ultra`` for a shot with ultra-detailed sections, else ``descriptive``.

Empty blocks are omitted. The style and palette anchors go into every shot's prompt, so that clips of one
brief cut together. API parameters (model, size, seconds) are never written into the prose.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal, get_args

from cinebrief.brief import Brief, Camera, Detail, DialogueLine, Shot
from cinebrief.prompts import labels, shotlist

Style = Literal["auto", "descriptive", "ultra", "light"]
STYLES: tuple[str, ...] = get_args(Style)


def render_shot(brief: Brief, shot: Shot | str, style: Style = "descriptive") -> str:
    """The prompt text of one shot (given as a `Shot` or its id) in `style`."""
    if isinstance(shot, str):
        shot = brief.shot(shot)
    if style == "auto":
        style = "descriptive" if shot.detail.is_empty() else "ultra"
    if style == "descriptive":
        return _join_blocks(_descriptive(brief, shot))
    if style == "ultra":
        return _join_blocks(_ultra(brief, shot))
    if style == "light":
        return _light(brief, shot)
    raise ValueError(f"unknown prompt style {style!r}; styles are: {', '.join(STYLES)}")


def render_brief(brief: Brief, style: Style = "descriptive") -> dict[str, str]:
    """Every shot's prompt, by shot id, in the brief's order."""
    return {shot.id: render_shot(brief, shot, style) for shot in brief.shots}


# --- shared pieces ----------------------------------------------------------------------------------


def _join_blocks(blocks: Iterable[str | None]) -> str:
    return "\n\n".join(block for block in blocks if block)


def _lines(*lines: str | None) -> str | None:
    kept = [line for line in lines if line]
    return "\n".join(kept) if kept else None


def _labelled(label: str, value: str | None) -> str | None:
    return f"{label} {value}" if value else None


def _camera_shot(camera: Camera) -> str | None:
    return ", ".join(part for part in (camera.framing, camera.angle) if part) or None


def _dialogue_line(line: DialogueLine) -> str:
    speaker = f"{line.speaker} ({line.manner})" if line.manner else line.speaker
    return f'{speaker}: "{line.line}"'


def _bullets(label: str, items: Iterable[str]) -> str | None:
    bullets = [f"- {item}" for item in items]
    return "\n".join([label, *bullets]) if bullets else None


def _prose(brief: Brief, shot: Shot) -> str | None:
    """The scene, then each cast member's description as ``Name: description`` (reused verbatim)."""
    cast = [f"{c.name}: {c.description}" for c in brief.cast_of(shot) if c.description]
    return _lines(shot.scene, *cast)


def _palette(brief: Brief, shot: Shot) -> str | None:
    return ", ".join(brief.palette_of(shot)) or None


def _story(brief: Brief, shot: Shot) -> list[str | None]:
    """Style, prose, actions and dialogue: the part both detailed styles share."""
    return [
        _labelled(labels.STYLE, brief.style_of(shot)),
        _prose(brief, shot),
        _bullets(labels.ACTIONS, shot.actions),
        _bullets(labels.DIALOGUE, (_dialogue_line(line) for line in shot.dialogue)),
    ]


# --- descriptive ------------------------------------------------------------------------------------


def _descriptive(brief: Brief, shot: Shot) -> list[str | None]:
    palette = _palette(brief, shot)
    cinematography = _lines(
        _labelled(labels.CAMERA_SHOT, _camera_shot(shot.camera)),
        _labelled(labels.CAMERA, shot.camera.move),
        _labelled(labels.LENS, shot.camera.lens),
        _labelled(labels.DEPTH_OF_FIELD, shot.camera.focus),
        _labelled(labels.LIGHTING_PALETTE if palette else labels.LIGHTING, shot.lighting),
        _labelled(labels.PALETTE_ANCHORS, palette),
        _labelled(labels.MOOD, shot.mood),
    )
    style, prose, actions, dialogue = _story(brief, shot)
    return [
        style,
        prose,
        f"{labels.CINEMATOGRAPHY}\n{cinematography}" if cinematography else None,
        actions,
        dialogue,
        f"{labels.BACKGROUND_SOUND}\n{shot.sound}" if shot.sound else None,
    ]


# --- ultra ------------------------------------------------------------------------------------------


def _ultra(brief: Brief, shot: Shot) -> list[str | None]:
    detail, camera = shot.detail, shot.camera
    grade, atmosphere, location = detail.grade, detail.atmosphere, detail.location
    wardrobe, sound, finishing = detail.wardrobe, detail.sound_mix, detail.finishing
    sections: dict[str, str | None] = {
        "format_look": detail.format_look,
        "lenses": _lines(
            detail.lenses,
            _labelled(labels.CAMERA, camera.move),
            _labelled(labels.LENS, camera.lens),
            _labelled(labels.DEPTH_OF_FIELD, camera.focus),
        ),
        "grade": _lines(
            _labelled("Highlights:", grade and grade.highlights),
            _labelled("Mids:", grade and grade.mids),
            _labelled("Blacks:", grade and grade.blacks),
            _labelled(labels.PALETTE_ANCHORS, _palette(brief, shot)),
        ),
        "atmosphere": _lines(
            atmosphere and atmosphere.key,
            _labelled(labels.LIGHTING, shot.lighting),
            _labelled("Bounce:", atmosphere and atmosphere.bounce),
            _negative_fill(atmosphere and atmosphere.negative_fill),
            _labelled("Practical:", atmosphere and atmosphere.practical),
            _labelled("Atmos:", atmosphere and atmosphere.atmos),
            _labelled(labels.MOOD, shot.mood),
        ),
        "location": _lines(
            location and location.setting,
            _labelled(labels.CAMERA_SHOT, _camera_shot(camera)),
            _labelled("Foreground:", location and location.foreground),
            _labelled("Midground:", location and location.midground),
            _labelled("Background:", location and location.background),
            _avoid(location and location.avoid),
        ),
        "wardrobe": _lines(
            _labelled("Main subject:", wardrobe and wardrobe.main_subject),
            _labelled("Extras:", wardrobe and wardrobe.extras),
            _labelled("Props:", wardrobe and wardrobe.props),
        ),
        "sound_mix": _lines(
            _labelled("Diegetic only:", sound and sound.diegetic),
            sound and sound.note,
            _labelled(labels.BACKGROUND_SOUND, shot.sound),
        ),
        "shot_list": _shot_list(detail),
        "camera_notes": _lines(*detail.camera_notes),
        "finishing": _lines(
            finishing and finishing.grain,
            _labelled("Mix:", finishing and finishing.mix),
            _labelled("Poster frame:", finishing and finishing.poster_frame),
        ),
    }
    rendered = [_section(key, header, sections[key]) for key, header in labels.ULTRA_HEADERS]
    return [*_story(brief, shot), *rendered]


def _section(key: str, header: str, body: str | None) -> str | None:
    if not body:
        return None
    if key == "shot_list":
        return body  # carries its own header with counts
    return f"{header}\n{body}"


def _shot_list(detail: Detail) -> str | None:
    if not detail.shot_list:
        return None
    entries = [shotlist.format_entry(entry) for entry in detail.shot_list]
    return "\n\n".join([shotlist.format_header(detail.shot_list), *entries])


def _negative_fill(value: str | None) -> str | None:
    """The guide writes this line unlabelled (``Negative fill from opposite wall.``)."""
    if not value:
        return None
    lowered = value.casefold()
    return (
        value
        if lowered.startswith("negative fill") and not lowered.startswith("negative fill:")
        else f"Negative fill: {value}"
    )


def _avoid(value: str | None) -> str | None:
    """The guide's closing ``Avoid …`` line of `Location & Framing`."""
    if not value:
        return None
    return value if value.casefold().startswith("avoid") else f"Avoid {value}"


# --- light ------------------------------------------------------------------------------------------


def _light(brief: Brief, shot: Shot) -> str:
    """One paragraph: style, scene, cast, camera, light, palette, mood, beats, quoted lines, sound."""
    camera = shot.camera
    focus = camera.focus
    if focus and not any(word in focus.casefold() for word in ("focus", "depth")):
        head, comma, rest = focus.partition(",")
        focus = f"{head} depth of field{comma}{rest}"
    palette = _palette(brief, shot)
    parts = [
        brief.style_of(shot),
        " ".join((shot.scene or "").split()) or None,
        *(f"{c.name}, {c.description}" for c in brief.cast_of(shot) if c.description),
        ", ".join(part for part in (camera.framing, camera.angle, camera.move, camera.lens, focus) if part),
        shot.lighting,
        f"Palette: {palette}" if palette else None,
        shot.mood,
        *shot.actions,
        *(_said(line) for line in shot.dialogue),
        shot.sound,
    ]
    return " ".join(_sentence(part) for part in parts if part)


def _said(line: DialogueLine) -> str:
    verb = f"says {line.manner}" if line.manner else "says"
    return f'{line.speaker} {verb}: "{line.line}"'


def _sentence(text: str) -> str:
    text = text.strip()
    if text and text[0].islower():
        text = text[0].upper() + text[1:]
    return text if text[-1] in ".!?\"”'…" else f"{text}."
