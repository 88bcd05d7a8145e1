"""The one interface every backend implements, and the plain data that crosses it.

A backend turns a `GenerationRequest` into a folder holding ``video.mp4`` (H.264 + AAC),
``thumbnail.webp`` and ``spritesheet.jpg``. It reports progress as a fraction, checks `cancelled()` between
units of work (raising `CancelledError`), and may `checkpoint()` small state (such as an upstream job id)
that the job store keeps, so that after a crash the same job resumes with `request.resume_state`; a remix
of the job is handed it too (`RemixSource.resume_state`: remote's upstream id, the label of a soundtrack
previz may copy).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from cinebrief.contract.capabilities import Capabilities
from cinebrief.errors import ConfigError

if TYPE_CHECKING:
    from cinebrief.brief.schema import Brief, Shot

ProgressFn = Callable[[float], None]
CancelledFn = Callable[[], bool]
CheckpointFn = Callable[[Mapping[str, Any]], None]

VIDEO_FILE = "video.mp4"
THUMBNAIL_FILE = "thumbnail.webp"
SPRITESHEET_FILE = "spritesheet.jpg"
OUTPUT_FILES = {"video": VIDEO_FILE, "thumbnail": THUMBNAIL_FILE, "spritesheet": SPRITESHEET_FILE}


@dataclass(frozen=True)
class RemixSource:
    """What a remix starts from: the source job's id, prompt, clip and checkpointed state, and the change."""

    video_id: str
    prompt: str
    change: str
    video: bytes | None = None  # the source's video.mp4 (video-to-video backends start from it)
    resume_state: Mapping[str, Any] = field(default_factory=dict)  # what the source's backend checkpointed


@dataclass(frozen=True)
class GenerationRequest:
    """Everything a backend needs for one clip. `size` and `seconds` are already checked."""

    prompt: str
    model: str
    size: str
    seconds: str
    seed: int = 0
    input_reference: bytes | None = None  # a checked jpeg/png/webp at exactly `size`
    brief: Brief | None = None
    shot: Shot | None = None
    remix: RemixSource | None = None
    options: Mapping[str, Any] = field(default_factory=dict)  # backend extras: steps, guidance, ...
    resume_state: Mapping[str, Any] = field(default_factory=dict)  # what an earlier attempt checkpointed

    @property
    def width(self) -> int:
        return int(self.size.split("x")[0])

    @property
    def height(self) -> int:
        return int(self.size.split("x")[1])


@dataclass(frozen=True)
class GenerationResult:
    """The finished folder and what the backend recorded (fitting, frames, what it changed)."""

    directory: Path
    metadata: Mapping[str, Any] = field(default_factory=dict)

    @property
    def video(self) -> Path:
        return self.directory / VIDEO_FILE

    @property
    def thumbnail(self) -> Path:
        return self.directory / THUMBNAIL_FILE

    @property
    def spritesheet(self) -> Path:
        return self.directory / SPRITESHEET_FILE


def _no_checkpoint(state: Mapping[str, Any]) -> None:
    return None


def refuse_unknown_settings(backend: str, given: Iterable[str], allowed: Sequence[str]) -> None:
    """A `ConfigError` naming the settings `backend` does not take, and those it does: a setting is applied
    or refused, never dropped."""
    unknown = sorted(set(given) - set(allowed))
    if unknown:
        raise ConfigError(
            f"Unknown setting(s) for the {backend} backend: {', '.join(unknown)}. Allowed: {', '.join(allowed)}."
        )


def check_setting_names(name: str, backend: type, settings: Mapping[str, Any]) -> None:
    """Refuse settings that `backend`'s constructor does not name, or leave out one it requires. A
    constructor that takes any keyword (`**settings`) checks the names itself (`refuse_unknown_settings`)."""
    import inspect

    try:
        parameters = inspect.signature(backend).parameters.values()
    except (TypeError, ValueError):  # a compiled class, say: its call says what it does not take
        return
    if any(parameter.kind is inspect.Parameter.VAR_KEYWORD for parameter in parameters):
        return
    by_name = (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
    named = [parameter.name for parameter in parameters if parameter.kind in by_name]
    refuse_unknown_settings(name, settings, named)
    missing = [
        parameter.name
        for parameter in parameters
        if parameter.default is inspect.Parameter.empty and parameter.kind in by_name and parameter.name not in settings
    ]
    if missing:
        raise ConfigError(f"The {name} backend needs {', '.join(f'`{key}`' for key in missing)}.")


@runtime_checkable
class Backend(Protocol):
    """What the job runner calls. Construct with the model's settings: ``Backend(**settings)``.

    Every model's backend is built when an engine starts (its settings checked there, in the API's process,
    even when jobs run in worker processes or on Ray), so a constructor checks its settings and stays cheap:
    weights and heavy libraries load at the first job (or when the model is warmed)."""

    name: str

    def capabilities(self, model: str) -> Capabilities: ...

    def generate(
        self,
        request: GenerationRequest,
        output_dir: Path,
        *,
        progress: ProgressFn,
        cancelled: CancelledFn,
        checkpoint: CheckpointFn = _no_checkpoint,
    ) -> GenerationResult: ...
