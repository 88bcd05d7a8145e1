"""Turn one shot of a brief into a checked Videos API request: prompt, model, size, seconds, reference.

The parameters are the shot's own, else the brief's `defaults`, else the contract's DEFAULTS. They are
checked against the contract profile (`standard` unless told otherwise) for Sora model names; any other
model name (a self-hosted one) is left for its backend to judge. The `input_reference` path is read
relative to the brief's folder, its format sniffed from its bytes and its size matched to `size`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from cinebrief.brief import Brief, Shot
from cinebrief.contract.profile import DEFAULTS, OFFICIAL_MODELS, check_prompt, get_profile, parse_size
from cinebrief.prompts.render import Style, render_shot


@dataclass(frozen=True)
class ShotRequest:
    """Everything one `POST /v1/videos` for this shot needs, checked."""

    shot_id: str
    prompt: str
    model: str
    size: str
    seconds: str
    input_reference: Path | None = None
    reference_format: str | None = None  # sniffed from the bytes: jpeg, png or webp
    reference_data: bytes | None = field(default=None, repr=False, compare=False)

    @property
    def width(self) -> int:
        return parse_size(self.size)[0]

    @property
    def height(self) -> int:
        return parse_size(self.size)[1]

    def parameters(self) -> dict[str, str | None]:
        """The request's parameters as plain data (paths as text), for JSON output and manifests."""
        return {
            "model": self.model,
            "size": self.size,
            "seconds": self.seconds,
            "input_reference": str(self.input_reference) if self.input_reference else None,
        }


def shot_request(
    brief: Brief,
    shot: Shot | str,
    *,
    brief_dir: str | Path,
    profile: str = "standard",
    style: Style = "auto",
) -> ShotRequest:
    """Build and check the request of one shot. Raises `ContractError` (or `ReferenceImageError`)."""
    # 1. The shot and its parameters after defaults.
    if isinstance(shot, str):
        shot = brief.shot(shot)
    parameters = brief.parameters(shot)
    model = parameters.model or DEFAULTS.model
    size = parameters.size or DEFAULTS.size
    seconds = parameters.seconds or DEFAULTS.seconds

    # 2. The contract, for the models it describes (a misspelt `sora-…` name is its business too).
    if model in OFFICIAL_MODELS or model.casefold().startswith("sora"):
        get_profile(profile).check(model=model, size=size, seconds=seconds)
    else:
        parse_size(size)

    # 3. The prompt.
    prompt = check_prompt(render_shot(brief, shot, style))

    # 4. The reference image: real format, exact size, no decompression bomb.
    reference_path = reference_format = reference_data = None
    if shot.input_reference:
        from cinebrief.contract.reference import check_reference_size, read_reference

        reference_path = Path(brief_dir) / shot.input_reference
        reference = read_reference(reference_path, name=shot.input_reference)
        check_reference_size(reference, size)
        reference_format, reference_data = reference.format, reference.data

    return ShotRequest(
        shot_id=shot.id,
        prompt=prompt,
        model=model,
        size=size,
        seconds=seconds,
        input_reference=reference_path,
        reference_format=reference_format,
        reference_data=reference_data,
    )
