"""The brief, schema ``cinebrief.brief/1``: typed pydantic models of a video brief.

A brief is what a cinematographer would be handed: style and palette for the whole piece, characters
described once, and shots with framing, one camera move, action beats, lighting, dialogue and sound.
API parameters (`model`, `size`, `seconds`) live in `defaults` or on a shot, never in prose.
"""

from __future__ import annotations

import re
from typing import Annotated, Final, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator, model_validator

from cinebrief.contract.profile import EXTENDED_SECONDS, SEED_MAX, Seconds
from cinebrief.errors import InputError

SCHEMA_VERSION: Final = "cinebrief.brief/1"
SECONDS_VALUES = EXTENDED_SECONDS  # the union of every profile; the contract checks per model
NonEmptyStr = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
ShotId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$", max_length=64)]


class Model(BaseModel):
    """Base of every brief model: unknown keys are errors, values are checked on assignment too.

    Validators are built when a model is first used (`defer_build`): a command that reads one prompt
    uses the brief and shot models, so building every model of the schema at import cost its start-up
    about 8 ms of CPU.
    """

    model_config = ConfigDict(extra="forbid", validate_assignment=True, populate_by_name=True, defer_build=True)


class Parameters(Model):
    """The API request parameters: only here, never in prose."""

    model: NonEmptyStr | None = None
    size: Annotated[str, StringConstraints(pattern=r"^\d+x\d+$")] | None = None
    seconds: Seconds | None = None


class Camera(Model):
    framing: NonEmptyStr | None = None  # shot type, e.g. "wide establishing shot"
    angle: NonEmptyStr | None = None  # e.g. "eye level", "low angle"
    move: NonEmptyStr | None = None  # one move: "slow dolly left", "static"
    lens: NonEmptyStr | None = None  # "32 mm"
    focus: NonEmptyStr | None = None  # depth of field: "shallow", "deep focus"

    def is_empty(self) -> bool:
        return not any((self.framing, self.angle, self.move, self.lens, self.focus))


class Character(Model):
    name: NonEmptyStr
    description: NonEmptyStr | None = None  # reuse this exact phrasing in every shot
    reference: NonEmptyStr | None = None  # an image of the character (path relative to the brief)
    voice: NonEmptyStr | None = None  # an espeak-ng voice for previz speech, e.g. "en-us+m3"


class DialogueLine(Model):
    speaker: NonEmptyStr
    line: NonEmptyStr
    manner: NonEmptyStr | None = None  # "quietly", "under her breath"


class Grade(Model):
    highlights: NonEmptyStr | None = None
    mids: NonEmptyStr | None = None
    blacks: NonEmptyStr | None = None


class Atmosphere(Model):
    """`Lighting & Atmosphere`: key direction and time, then bounce, negative fill, practicals, atmos."""

    key: NonEmptyStr | None = None
    bounce: NonEmptyStr | None = None
    negative_fill: NonEmptyStr | None = None
    practical: NonEmptyStr | None = None
    atmos: NonEmptyStr | None = None


class Location(Model):
    """`Location & Framing`."""

    setting: NonEmptyStr | None = None
    foreground: NonEmptyStr | None = None
    midground: NonEmptyStr | None = None
    background: NonEmptyStr | None = None
    avoid: NonEmptyStr | None = None


class Wardrobe(Model):
    """`Wardrobe / Props / Extras`."""

    main_subject: NonEmptyStr | None = None
    extras: NonEmptyStr | None = None
    props: NonEmptyStr | None = None


class SoundMix(Model):
    """`Sound`: the diegetic list with a loudness cue, and a note such as "no score or added foley"."""

    diegetic: NonEmptyStr | None = None
    note: NonEmptyStr | None = None


class Finishing(Model):
    grain: NonEmptyStr | None = None  # the grain/LUT line
    mix: NonEmptyStr | None = None
    poster_frame: NonEmptyStr | None = None


class ShotListEntry(Model):
    """One line of an optimized shot list: ``0.00–2.40 — “Title” (lens, move)`` then a description."""

    start: Annotated[float, Field(ge=0)]
    end: Annotated[float, Field(gt=0)]
    title: NonEmptyStr
    lens: NonEmptyStr | None = None
    move: NonEmptyStr | None = None
    description: NonEmptyStr | None = None
    purpose: NonEmptyStr | None = None

    @model_validator(mode="after")
    def _end_after_start(self) -> ShotListEntry:
        if self.end <= self.start:
            raise ValueError(
                f"end ({self.end:.2f}) must be after start ({self.start:.2f}); shot-list entries run forward in time"
            )
        return self


class Detail(Model):
    """The ultra-detailed sections, rendered under the guide's headers in the guide's order."""

    format_look: NonEmptyStr | None = None
    lenses: NonEmptyStr | None = None
    grade: Grade | None = None
    atmosphere: Atmosphere | None = None
    location: Location | None = None
    wardrobe: Wardrobe | None = None
    sound_mix: SoundMix | None = None
    shot_list: list[ShotListEntry] = Field(default_factory=list)
    camera_notes: list[NonEmptyStr] = Field(default_factory=list)
    finishing: Finishing | None = None

    def is_empty(self) -> bool:
        return self == Detail()


class Shot(Parameters):
    """One shot: one camera setup, one subject action, one lighting recipe."""

    id: ShotId
    input_reference: NonEmptyStr | None = None  # first-frame image, path relative to the brief
    style: NonEmptyStr | None = None  # overrides the brief's style (the linter flags drift)
    palette: list[NonEmptyStr] | None = None  # overrides the brief's palette (the linter flags drift)
    scene: NonEmptyStr | None = None  # prose: place, subjects, costumes, weather
    cast: list[NonEmptyStr] | None = None  # names of the characters in this shot; default: those the text names
    camera: Camera = Field(default_factory=Camera)
    lighting: NonEmptyStr | None = None
    mood: NonEmptyStr | None = None
    actions: list[NonEmptyStr] = Field(default_factory=list)
    dialogue: list[DialogueLine] = Field(default_factory=list)
    sound: NonEmptyStr | None = None
    detail: Detail = Field(default_factory=Detail)
    chain: bool = False  # use the previous clip's last frame as this clip's input_reference
    seed: Annotated[int, Field(ge=0, le=SEED_MAX)] | None = None
    pick: Annotated[int, Field(ge=1)] | None = None  # which variant goes into the cut
    noqa: list[NonEmptyStr] = Field(default_factory=list)  # lint codes or names silenced on this shot


class Brief(Model):
    schema_: Literal["cinebrief.brief/1"] = Field(default=SCHEMA_VERSION, alias="schema")
    title: NonEmptyStr | None = None
    mode: Literal["control", "explore"] = "control"
    defaults: Parameters = Field(default_factory=Parameters)
    style: NonEmptyStr | None = None
    palette: list[NonEmptyStr] = Field(default_factory=list)
    characters: list[Character] = Field(default_factory=list)
    shots: Annotated[list[Shot], Field(min_length=1)]

    @field_validator("shots")
    @classmethod
    def _unique_shot_ids(cls, shots: list[Shot]) -> list[Shot]:
        seen: set[str] = set()
        for shot in shots:
            if shot.id in seen:
                raise ValueError(f"shot id '{shot.id}' is used twice; every shot needs its own id")
            seen.add(shot.id)
        return shots

    def shot(self, shot_id: str) -> Shot:
        """The shot with this id; an `InputError` on `shot` naming the ids there are."""
        for shot in self.shots:
            if shot.id == shot_id:
                return shot
        raise InputError(f"no shot '{shot_id}'; the brief's shots are: {', '.join(self.shot_ids())}", field="shot")

    def shot_ids(self) -> list[str]:
        return [shot.id for shot in self.shots]

    def character(self, name: str) -> Character | None:
        for character in self.characters:
            if character.name.casefold() == name.casefold():
                return character
        return None

    def cast_of(self, shot: Shot) -> list[Character]:
        """The characters in a shot: its `cast`, else every character whose name its text mentions."""
        if shot.cast is not None:
            return [c for name in shot.cast if (c := self.character(name)) is not None]
        text = " ".join([shot.scene or "", *shot.actions, *(d.speaker for d in shot.dialogue)]).casefold()
        return [c for c in self.characters if re.search(rf"\b{re.escape(c.name.casefold())}\b", text)]

    def parameters(self, shot: Shot) -> Parameters:
        """The shot's API parameters after its overrides of `defaults` (unset ones stay None)."""
        return Parameters(
            model=shot.model or self.defaults.model,
            size=shot.size or self.defaults.size,
            seconds=shot.seconds or self.defaults.seconds,
        )

    def style_of(self, shot: Shot) -> str | None:
        return shot.style or self.style

    def palette_of(self, shot: Shot) -> list[str]:
        return list(shot.palette) if shot.palette is not None else list(self.palette)
