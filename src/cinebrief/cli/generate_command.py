"""Commands: generate (one clip, in-process).

``cinebrief generate "PROMPT" -o out.mp4`` or ``cinebrief generate --brief BRIEF --shot ID -o out.mp4``.
The backend renders into a hidden folder beside ``out.mp4``; the files are renamed into place only when
it succeeded, video last, so a failure leaves no ``out.mp4``. Beside it go ``out.thumbnail.webp`` (a
representative frame at the video's size) and ``out.spritesheet.jpg`` (the 4x4 contact sheet).
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from cinebrief.cli.app import app
from cinebrief.cli.output import stderr, stdout, warn
from cinebrief.contract.profile import SEED_MAX
from cinebrief.errors import InputError
from cinebrief.process import loading, reuse_freed_memory

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID

    from cinebrief.backends.base import Backend, GenerationResult
    from cinebrief.brief.schema import Brief, Shot

FIT_MODES = ("cover", "letterbox")


@dataclass
class Resolved:
    """The request after the brief, the flags and the contract had their say."""

    prompt: str
    model: str
    size: str
    seconds: str
    brief: Brief | None = None
    shot: Shot | None = None
    reference: Path | None = None


def sidecar_paths(output: Path) -> tuple[Path, Path]:
    """Where the thumbnail and spritesheet of `output` go: ``NAME.thumbnail.webp``, ``NAME.spritesheet.jpg``."""
    return output.with_name(f"{output.stem}.thumbnail.webp"), output.with_name(f"{output.stem}.spritesheet.jpg")


def _work_folder(output: Path) -> Path:
    """A hidden folder beside `output` to render into; the error names the folder when it cannot be made."""
    if output.suffix.casefold() != ".mp4":
        raise InputError(f"-o '{output}': the output must be an .mp4 file", field="output")
    folder = output.parent
    if output.is_dir():
        raise InputError(f"-o '{output}': that is a folder; name the .mp4 file to write", field="output")
    if not folder.is_dir():
        reason = "is not a folder" if folder.exists() else "does not exist"
        raise InputError(f"-o '{output}': the folder '{folder}' {reason}; create it first", field="output")
    try:
        return Path(tempfile.mkdtemp(prefix=f".{output.stem}.", suffix=".partial", dir=folder))
    except OSError as exc:
        raise InputError(
            f"-o '{output}': cannot write in the folder '{folder}' ({exc.strerror or exc})", field="output"
        ) from None


def _check_parameters(model: str, size: str, seconds: str, profile: str) -> None:
    """The contract for Sora model names (its own errors, word for word); the size's form for any other."""
    from cinebrief.contract.profile import OFFICIAL_MODELS, get_profile, parse_size

    if model in OFFICIAL_MODELS or model.casefold().startswith("sora"):
        get_profile(profile).check(model=model, size=size, seconds=seconds)
    else:
        parse_size(size)


def _from_brief(path: Path, shot_id: str | None, flags: dict[str, str | None], profile: str) -> Resolved:
    from cinebrief.brief import load_brief
    from cinebrief.prompts.request import shot_request

    brief = load_brief(path)
    if shot_id is None:
        if len(brief.shots) != 1:
            raise InputError(f"--shot is needed: '{path}' has shots {', '.join(brief.shot_ids())}", field="shot")
        shot_id = brief.shots[0].id
    shot = brief.shot(shot_id)
    # Flags override the shot; the reference is read here (so that --fit can apply), not by shot_request.
    update = {key: value for key, value in flags.items() if value is not None}
    checked_shot = shot.model_copy(update={**update, "input_reference": None})
    request = shot_request(brief, checked_shot, brief_dir=path.parent, profile=profile)
    reference = path.parent / shot.input_reference if shot.input_reference else None
    return Resolved(request.prompt, request.model, request.size, request.seconds, brief, checked_shot, reference)


def _from_prompt(prompt: str, flags: dict[str, str | None], profile: str) -> Resolved:
    from cinebrief.contract.profile import DEFAULTS, check_prompt

    check_prompt(prompt)
    model = flags["model"] or DEFAULTS.model
    size = flags["size"] or DEFAULTS.size
    seconds = flags["seconds"] or DEFAULTS.seconds
    _check_parameters(model, size, seconds, profile)
    return Resolved(prompt, model, size, seconds)


def _reference_bytes(path: Path, size: str, fit_mode: str | None) -> bytes:
    """A checked reference at exactly `size`: refused when it differs, unless --fit says how to fit it."""
    from cinebrief.contract.profile import parse_size
    from cinebrief.contract.reference import check_reference_size, encode_png, fit, read_reference

    reference = read_reference(path)
    if reference.size == size:
        return reference.data
    if fit_mode is None:
        check_reference_size(reference, size)
    fitted, record = fit(reference.open(), parse_size(size), mode=fit_mode)  # type: ignore[arg-type]
    stderr().print(f"fit: {record.describe()}")
    return encode_png(fitted)


def _backend(name: str | None, model: str, model_path: Path | None = None) -> Backend:
    from cinebrief.backends.registry import create_backend, model_backend
    from cinebrief.settings import DEFAULT_BACKEND, load_settings

    if model_path is not None:
        # A model folder run directly, without settings: only the diffusers backend loads folders.
        if name not in (None, "diffusers"):
            raise InputError(f"--model-path is for --backend diffusers, not '{name}'", field="model_path")
        return create_backend("diffusers", path=str(model_path))
    routed = load_settings().model(model)
    if name is None:
        name = routed.backend if routed else DEFAULT_BACKEND
    if routed and routed.backend == name:
        return model_backend(model, name, routed.backend_settings)
    return create_backend(name)


class _ProgressBar:
    """Progress on stderr. On a terminal, a bar that appears at the backend's first report: rich's progress
    module loads then, while the backend has its first work under way (previz reports once its soundtrack has
    started). Into a file or a pipe (a log, a script) a bar is only noise, and redrawing it ten times a second
    costs the render CPU: `done` prints one line saying how long the clip took."""

    def __init__(self, description: str) -> None:
        self.description = description
        self.started = time.perf_counter()
        self._shown: tuple[Progress, TaskID] | None = None

    def report(self, fraction: float) -> None:
        if self._shown is None:
            if not stderr().is_terminal:
                return
            from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn

            # Plain text formats (no markup to parse at every redraw), styled by the columns.
            columns = (
                TextColumn("{task.description}", style="bold", markup=False),
                BarColumn(),
                TaskProgressColumn("{task.percentage:>3.0f}%", style="progress.percentage", markup=False),
                TimeElapsedColumn(),
            )
            bar = Progress(*columns, console=stderr(), transient=False)
            bar.start()
            self._shown = (bar, bar.add_task(self.description, total=1.0))
        bar, task = self._shown
        bar.update(task, completed=fraction)

    def done(self) -> None:
        """The clip is made: the bar shows it whole, or the line says so."""
        if self._shown is not None:
            bar, task = self._shown
            bar.update(task, completed=1.0)
        else:
            elapsed = time.perf_counter() - self.started
            stderr().print(f"{self.description}: done in {elapsed:.1f} s", markup=False)

    def close(self) -> None:
        if self._shown is not None:
            self._shown[0].stop()


def _run(backend: Backend, request: Any, folder: Path) -> GenerationResult:
    """Run the backend in-process with its progress on stderr."""
    reuse_freed_memory()  # frames and layers come and go for the whole render
    bar = _ProgressBar(f"{backend.name} {request.size} {request.seconds}s")
    try:
        result = backend.generate(request, folder, progress=bar.report, cancelled=lambda: False)
        bar.done()
        return result
    finally:
        bar.close()


def _place(result: GenerationResult, output: Path) -> tuple[Path, Path]:
    """Rename the results into place, the video last: its appearance means everything is there."""
    thumbnail, spritesheet = sidecar_paths(output)
    os.replace(result.thumbnail, thumbnail)
    os.replace(result.spritesheet, spritesheet)
    os.replace(result.video, output)
    return thumbnail, spritesheet


@app.command()
def generate(
    prompt: str | None = typer.Argument(None, help="The prompt (plain or labelled text).", show_default=False),
    output: Path = typer.Option(..., "-o", "--output", help="The MP4 to write.", show_default=False),
    brief: Path | None = typer.Option(None, "--brief", help="A brief (YAML) to take the shot from."),
    shot: str | None = typer.Option(None, "--shot", help="The shot's id in --brief."),
    model: str | None = typer.Option(None, "--model", help="Model (default: the shot's, else sora-2)."),
    size: str | None = typer.Option(None, "--size", help="WIDTHxHEIGHT (default: the shot's, else 720x1280)."),
    seconds: str | None = typer.Option(None, "--seconds", help='Clip length: "4", "8" or "12".'),
    input_reference: Path | None = typer.Option(None, "--input-reference", help="First-frame image (jpeg/png/webp)."),
    seed: int | None = typer.Option(None, "--seed", min=0, max=SEED_MAX, help="Seed (default: the shot's, else 0)."),
    backend: str | None = typer.Option(None, "--backend", help="Backend (default: the model's, else previz)."),
    model_path: Path | None = typer.Option(
        None, "--model-path", help="A local diffusers Wan or LTX-Video folder to run directly (backend diffusers)."
    ),
    fit: str | None = typer.Option(None, "--fit", help="Fit a reference of another size: cover or letterbox."),
    profile: str = typer.Option("standard", "--profile", help="Contract profile: standard or extended."),
) -> None:
    """Generate one clip in-process; writes OUT.mp4, OUT.thumbnail.webp and OUT.spritesheet.jpg."""
    from cinebrief.backends.base import GenerationRequest

    # 1. Where the result goes, before any work.
    if fit is not None and fit not in FIT_MODES:
        raise InputError(f"--fit '{fit}': expected 'cover' or 'letterbox'", field="fit")
    if (prompt is None) == (brief is None):
        raise InputError('give either a PROMPT or --brief FILE --shot ID, for example: generate "..." -o out.mp4')
    if shot is not None and brief is None:
        raise InputError(f"--shot '{shot}' names a shot of --brief FILE; give the brief too", field="shot")
    folder = _work_folder(output)
    try:
        # 2. The request: the brief's shot or the prompt, overridden by flags, checked by the contract.
        # A folder run directly is its own model (named after the folder): its capabilities, not Sora's, decide.
        flags = {
            "model": model or (model_path.name if model_path is not None else None),
            "size": size,
            "seconds": seconds,
        }
        resolved = (
            _from_brief(brief, shot, flags, profile)
            if brief is not None
            else _from_prompt(prompt or "", flags, profile)
        )
        reference_path = input_reference or resolved.reference
        if fit is not None and reference_path is None:
            message = f"--fit {fit} fits a reference image: give --input-reference (or a shot with one)"
            raise InputError(message, field="fit")
        reference = _reference_bytes(reference_path, resolved.size, fit) if reference_path else None
        # 3. The backend and its own limits.
        with loading():  # the backend's modules
            engine = _backend(backend, resolved.model, model_path)
        engine.capabilities(resolved.model).check(
            model=resolved.model, size=resolved.size, seconds=resolved.seconds, has_reference=reference is not None
        )
        request = GenerationRequest(
            prompt=resolved.prompt,
            model=resolved.model,
            size=resolved.size,
            seconds=resolved.seconds,
            seed=seed if seed is not None else (resolved.shot.seed if resolved.shot and resolved.shot.seed else 0),
            input_reference=reference,
            brief=resolved.brief,
            shot=resolved.shot,
        )
        # 4. Render, then move the files into place.
        result = _run(engine, request, folder)
        thumbnail, spritesheet = _place(result, output)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    for note in result.metadata.get("notes", []):
        warn(str(note))
    stderr().print(f"thumbnail: {thumbnail}\nspritesheet: {spritesheet}")
    stdout().print(str(output))
