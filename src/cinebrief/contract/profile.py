"""The Sora 2 Videos API profile as data: models, sizes per model, seconds, defaults, limits.

`STANDARD` is the contract as last published (launch 2025-10 and the SDK's enums); `EXTENDED` adds the
2026 guide's `"16"`/`"20"` seconds and 1080p for `sora-2-pro`. Every check raises `ContractError` with
the field, the value and the allowed values, worded as OpenAI's API worded them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, get_args

from cinebrief.errors import ContractError, quote_list, quoted

PROMPT_MAX_CHARACTERS = 32000
SEED_MAX = 2**63 - 1  # seeds are stored as signed 64-bit integers: 0 to this

SIZE_720P = ("1280x720", "720x1280")
SIZE_PRO_TALL_WIDE = ("1024x1792", "1792x1024")
SIZE_1080P = ("1920x1080", "1080x1920")
ALL_SIZES = SIZE_720P + SIZE_PRO_TALL_WIDE + SIZE_1080P

# Every profile's seconds as one type (the brief schema's `seconds`); each profile allows a prefix of them.
Seconds = Literal["4", "8", "12", "16", "20"]
EXTENDED_SECONDS: tuple[str, ...] = get_args(Seconds)
STANDARD_SECONDS = EXTENDED_SECONDS[:3]

# Dated snapshots route to the family they belong to. There is no sora-2-pro-2025-12-08.
MODEL_FAMILY = {
    "sora-2": "sora-2",
    "sora-2-pro": "sora-2-pro",
    "sora-2-2025-10-06": "sora-2",
    "sora-2-pro-2025-10-06": "sora-2-pro",
    "sora-2-2025-12-08": "sora-2",
}
OFFICIAL_MODELS = tuple(MODEL_FAMILY)


def unknown_model(model: str, served: tuple[str, ...]) -> ContractError:
    """The one message for a model that is not served, naming those that are."""
    return ContractError(
        f"Invalid value: '{quoted(model)}'. Supported values are: {quote_list(served)}.",
        field="model",
        value=model,
        allowed=served,
    )


@dataclass(frozen=True)
class Defaults:
    model: str = "sora-2"
    size: str = "720x1280"
    seconds: str = "4"


DEFAULTS = Defaults()


@dataclass(frozen=True)
class ModelSpec:
    """What one model accepts."""

    name: str
    sizes: tuple[str, ...]
    seconds: tuple[str, ...]


@dataclass(frozen=True)
class Profile:
    """A named set of model specs; `standard` or `extended`."""

    name: str
    models: dict[str, ModelSpec] = field(default_factory=dict)
    max_characters: int = 0

    @property
    def model_names(self) -> tuple[str, ...]:
        return tuple(self.models)

    @property
    def all_seconds(self) -> tuple[str, ...]:
        values: list[str] = []
        for spec in self.models.values():
            values.extend(s for s in spec.seconds if s not in values)
        return tuple(sorted(values, key=int))

    def spec(self, model: str) -> ModelSpec:
        """The spec of `model` (a dated alias resolves to its family); `ContractError` when unknown."""
        found = self.models.get(model)
        if found is None:
            raise unknown_model(model, self.model_names)
        return found

    def check(self, *, model: str, size: str, seconds: object) -> None:
        """Check all three parameters; raise the first error."""
        spec = self.spec(model)
        check_size(size, spec)
        check_seconds(seconds, spec.seconds)


def _specs(sizes_by_family: dict[str, tuple[str, ...]], seconds: tuple[str, ...]) -> dict[str, ModelSpec]:
    return {
        name: ModelSpec(name=name, sizes=sizes_by_family[family], seconds=seconds)
        for name, family in MODEL_FAMILY.items()
    }


STANDARD = Profile(
    name="standard",
    models=_specs({"sora-2": SIZE_720P, "sora-2-pro": SIZE_720P + SIZE_PRO_TALL_WIDE}, STANDARD_SECONDS),
)
EXTENDED = Profile(
    name="extended",
    models=_specs({"sora-2": SIZE_720P, "sora-2-pro": SIZE_720P + SIZE_PRO_TALL_WIDE + SIZE_1080P}, EXTENDED_SECONDS),
    max_characters=2,
)
PROFILES = {"standard": STANDARD, "extended": EXTENDED}


def get_profile(name: str) -> Profile:
    try:
        return PROFILES[name]
    except KeyError:
        raise ContractError(
            f"Invalid value: '{quoted(name)}'. Supported profiles are: {quote_list(tuple(PROFILES))}.",
            field="profile",
            value=name,
            allowed=tuple(PROFILES),
        ) from None


def parse_size(size: str) -> tuple[int, int]:
    """``"1280x720"`` → ``(1280, 720)``; `ContractError` for anything else."""
    width, sep, height = str(size).partition("x")
    if sep and width.isdigit() and height.isdigit() and int(width) > 0 and int(height) > 0:
        return int(width), int(height)
    raise ContractError(
        f"Invalid value: '{quoted(size)}'. A size is written '{{width}}x{{height}}', for example '1280x720'.",
        field="size",
        value=size,
        allowed=ALL_SIZES,
    )


def check_size(size: str, spec: ModelSpec) -> tuple[int, int]:
    """A size outside every model's list is `invalid_value`; a known size wrong for the model names it."""
    if size not in ALL_SIZES and size not in spec.sizes:
        parse_size(size)
        raise ContractError(
            f"Invalid value: '{quoted(size)}'. Supported values are: {quote_list(spec.sizes)}.",
            field="size",
            value=size,
            allowed=spec.sizes,
        )
    if size not in spec.sizes:
        raise ContractError(
            f"Invalid value: '{quoted(size)}' is not supported by model '{spec.name}'. "
            f"Supported values for '{spec.name}' are: {quote_list(spec.sizes)}.",
            field="size",
            value=size,
            allowed=spec.sizes,
        )
    return parse_size(size)


def check_seconds(seconds: object, allowed: tuple[str, ...] = STANDARD_SECONDS) -> str:
    """`seconds` must be one of the allowed strings; a number is `invalid_type`, as the API said."""
    if isinstance(seconds, int | float):  # bool is an int too
        kind = "an integer" if isinstance(seconds, int) and not isinstance(seconds, bool) else "a number"
        raise ContractError(
            f"Invalid type for 'seconds': expected one of {_or_list(allowed)}, but got {kind} instead. "
            f'Quote it: seconds: "{seconds}".',
            field="seconds",
            value=seconds,
            allowed=allowed,
            code="invalid_type",
        )
    if not isinstance(seconds, str):
        raise ContractError(
            f"Invalid type for 'seconds': expected one of {_or_list(allowed)}, "
            f"but got {type(seconds).__name__} instead.",
            field="seconds",
            value=seconds,
            allowed=allowed,
            code="invalid_type",
        )
    if seconds not in allowed:
        raise ContractError(
            f"Invalid value: '{quoted(seconds)}'. Supported values are: {quote_list(allowed)}.",
            field="seconds",
            value=seconds,
            allowed=allowed,
        )
    return seconds


def check_prompt(prompt: object) -> str:
    """1–32000 characters of text that is not only white space."""
    if not isinstance(prompt, str):
        raise ContractError(
            f"Invalid type for 'prompt': expected a string, but got {type(prompt).__name__} instead.",
            field="prompt",
            value=prompt,
            code="invalid_type",
        )
    if not prompt.strip():
        raise ContractError(
            "Invalid 'prompt': the prompt is empty. Describe the shot in 1 to 32000 characters.",
            field="prompt",
            value=prompt,
            code="empty_string",
        )
    if len(prompt) > PROMPT_MAX_CHARACTERS:
        raise ContractError(
            f"Invalid 'prompt': string too long. Expected a string with maximum length "
            f"{PROMPT_MAX_CHARACTERS}, but got a string with length {len(prompt)} instead.",
            field="prompt",
            value=f"<{len(prompt)} characters>",
            code="string_above_max_length",
        )
    return prompt


def _or_list(values: tuple[str, ...]) -> str:
    quoted = [f"'{value}'" for value in values]
    return ", ".join(quoted[:-1]) + f", or {quoted[-1]}" if len(quoted) > 2 else " or ".join(quoted)
