"""What a backend can make, as plain data: published at `/v1/models` and read by the linter."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

from cinebrief.contract.profile import STANDARD_SECONDS
from cinebrief.errors import ContractError, quote_list, quoted


@dataclass(frozen=True)
class FrameRule:
    """Frame counts the model accepts: ``multiple * k + offset`` (Wan 4k+1, LTX 8k+1; any count: 1k+0)."""

    multiple: int = 1
    offset: int = 0

    def nearest(self, frames: int) -> int:
        """The accepted count nearest to `frames` (ties go up), at least `multiple + offset`."""
        k = max(1, round((frames - self.offset) / self.multiple))
        return k * self.multiple + self.offset

    def __str__(self) -> str:
        return f"{self.multiple}k+{self.offset}" if self.offset else f"{self.multiple}k"

    @classmethod
    def parse(cls, text: str) -> FrameRule:
        """``"4k+1"`` → ``FrameRule(4, 1)``; ``"1k"`` → ``FrameRule(1, 0)``."""
        multiple, _, offset = text.replace(" ", "").partition("k")
        return cls(int(multiple or 1), int(offset.lstrip("+") or 0))


@dataclass(frozen=True)
class Capabilities:
    """A backend's numbers. `sizes` empty means any size whose sides are multiples of `size_multiple`."""

    backend: str
    sizes: tuple[str, ...] = ()
    size_multiple: int = 1
    seconds: tuple[str, ...] = STANDARD_SECONDS
    fps: int = 24
    frame_rule: FrameRule = field(default_factory=FrameRule)
    max_seconds: int = 12
    image_to_video: bool = True
    text_to_video: bool = True
    audio: bool = True
    remix: bool = True
    remix_refusal: str = ""  # why `remix` is false, said in the 400 a remix request gets
    settings: dict[str, object] = field(default_factory=dict)  # the model's generation and runtime settings
    options: dict[str, str] = field(default_factory=dict)  # per-request options and their types ("integer", ...)
    notes: str = ""

    def accepts_size(self, size: str) -> bool:
        if self.sizes:
            return size in self.sizes
        width, _, height = size.partition("x")
        return (
            width.isdigit()
            and height.isdigit()
            and int(width) % self.size_multiple == 0
            and int(height) % self.size_multiple == 0
        )

    def describe_sizes(self) -> str:
        if self.sizes:
            return ", ".join(f"'{size}'" for size in self.sizes)
        if self.size_multiple == 2:
            return "any WIDTHxHEIGHT with even width and height, e.g. '1280x720'"
        return f"any WIDTHxHEIGHT whose sides are multiples of {self.size_multiple}"

    def check(self, *, model: str, size: str, seconds: object, has_reference: bool = False) -> None:
        """The request's size, seconds and reference against these numbers; `ContractError` naming what is allowed."""
        if not self.accepts_size(size):
            raise ContractError(
                f"Invalid value: '{quoted(size)}' is not supported by model '{model}' (backend '{self.backend}'). "
                f"Supported sizes: {self.describe_sizes()}.",
                field="size",
                value=size,
                allowed=self.sizes,
            )
        if seconds not in self.seconds:
            raise ContractError(
                f"Invalid value: '{quoted(seconds)}' seconds is not supported by model '{model}' "
                f"(backend '{self.backend}'). "
                f"Supported values are: {quote_list(self.seconds)}.",
                field="seconds",
                value=seconds,
                allowed=self.seconds,
                code="invalid_type" if not isinstance(seconds, str) else "invalid_value",
            )
        if has_reference and not self.image_to_video:
            raise ContractError(
                f"Invalid 'input_reference': model '{model}' (backend '{self.backend}') does not start from an image.",
                field="input_reference",
            )

    def coerce_options(self, options: dict[str, object], *, model: str) -> dict[str, object]:
        """Each option converted to its declared type (multipart sends every value as text), or a 400 naming it.

        A backend that declares no options takes none: any option would be ignored, so it is refused.
        """
        if not self.options:
            if options:
                raise ContractError(
                    f"Model '{model}' takes no options (cinebrief[options]); got {', '.join(sorted(options))[:80]}.",
                    field="cinebrief[options]",
                    code="unknown_option",
                )
            return {}
        unknown = sorted(set(options) - set(self.options))
        if unknown:
            raise ContractError(
                f"Unknown option(s) for model '{model}': {', '.join(unknown)}. "
                f"Allowed options: {', '.join(self.options)}.",
                field="cinebrief[options]",
                code="unknown_option",
            )
        return {name: _coerce(name, value, self.options[name]) for name, value in options.items()}

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> Capabilities:
        """The inverse of `as_dict` (as `/v1/models` publishes it); unknown keys are ignored."""
        known = {name: value for name, value in data.items() if name in cls.__dataclass_fields__}
        if isinstance(known.get("frame_rule"), str):
            known["frame_rule"] = FrameRule.parse(str(known["frame_rule"]))
        for name in ("sizes", "seconds"):
            if isinstance(listed := known.get(name), list):
                known[name] = tuple(str(item) for item in listed)
        return cls(**known)  # type: ignore[arg-type]

    def as_dict(self) -> dict[str, object]:
        data = asdict(self)
        data["frame_rule"] = str(self.frame_rule)
        data["sizes"] = list(self.sizes)
        data["seconds"] = list(self.seconds)
        return data


def _coerce(name: str, value: object, kind: str) -> object:
    """`value` as `kind` ("integer", "number", "boolean", "string"): text is converted; JSON values keep their
    type (the backend checks their range), except a non-finite number, which is refused here."""
    field_name = f"cinebrief[options][{name}]"
    if isinstance(value, str) and kind != "string":
        text = value.strip()
        try:
            if kind == "integer":
                return int(text)
            if kind == "number" and math.isfinite(number := float(text)):
                return number
        except ValueError:
            pass
        if kind == "boolean" and text.lower() in ("true", "false"):
            return text.lower() == "true"
    elif not (isinstance(value, float) and not math.isfinite(value)):
        return value
    article = "an" if kind == "integer" else "a"
    raise ContractError(
        f"Invalid '{field_name}': expected {article} {kind}, got {str(value)[:40]!r}.",
        field=field_name,
        value=value,
        code="invalid_type",
    )
