"""Commands: models (every configured model, its backend and capabilities), dev tiny-model."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer

from cinebrief.cli.app import app
from cinebrief.cli.output import stdout

dev_app = typer.Typer(
    name="dev",
    help="Developer tools: tiny models for exercising the local backends without weights.",
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(dev_app)


def _describe_model(name: str, backend: str, settings: dict[str, Any]) -> dict[str, Any]:
    """One model's row: its capabilities; or `invalid`, settings its backend refuses (wrong on any machine);
    or `unavailable`, why it cannot be used here (a missing folder, a backend that fails to load, ...)."""
    from cinebrief.backends.registry import model_backend
    from cinebrief.errors import BackendUnavailableError, CinebriefError, ConfigError

    row: dict[str, Any] = {"model": name, "backend": backend}
    try:
        built = model_backend(name, backend, settings)
    except BackendUnavailableError as exc:
        return {**row, "unavailable": str(exc)}
    except ConfigError as exc:
        return {**row, "invalid": str(exc)}
    except Exception as exc:  # a broken third-party backend must not hide the other models
        return {**row, "unavailable": f"backend '{backend}' failed to load: {type(exc).__name__}: {exc}"}
    try:
        row["capabilities"] = built.capabilities(name).as_dict()
    except CinebriefError as exc:
        row["unavailable"] = str(exc)
    return row


def _summary(capabilities: dict[str, Any]) -> str:
    multiple = capabilities["size_multiple"]
    sizes = ", ".join(capabilities["sizes"]) or ("any even WxH" if multiple == 2 else f"sides x{multiple}")
    modes = [mode for mode, key in (("t2v", "text_to_video"), ("i2v", "image_to_video")) if capabilities[key]]
    settings = capabilities.get("settings") or {}
    shown = "  ".join(f"{key} {settings[key]}" for key in _SHOWN_SETTINGS if key in settings)
    remix = "remix" if capabilities.get("remix") else "no remix"
    return (
        f"{'+'.join(modes) or '-'}  sizes {sizes}  seconds {'/'.join(capabilities['seconds'])}  "
        f"{capabilities['fps']} fps  frames {capabilities['frame_rule']}  {remix}" + (f"  {shown}" if shown else "")
    )


# The settings a table row shows (`--json` shows them all).
_SHOWN_SETTINGS = ("variant", "steps", "guidance", "guidance_2", "flow_shift", "dtype")


@app.command("models")
def models(
    config: Path | None = typer.Option(None, "--config", help="Settings file (default: ./cinebrief.toml)."),
    as_json: bool = typer.Option(False, "--json", help="Print a JSON list instead of a table."),
) -> None:
    """List every configured model with its backend and capabilities. Exit code 2 when a model's settings
    are refused by its backend (`serve`, `run` and `generate` would not start); a model that is only
    unavailable on this machine (a folder elsewhere) is listed with the reason."""
    from cinebrief.settings import load_settings

    settings = load_settings(config)
    rows = [
        _describe_model(name, model.backend, model.backend_settings) for name, model in sorted(settings.models.items())
    ]
    if as_json:
        stdout().print(json.dumps(rows, indent=2), markup=False)
    else:
        width = max(len(row["model"]) for row in rows)
        backend_width = max(len(row["backend"]) for row in rows)
        for row in rows:
            if "capabilities" in row:
                detail = _summary(row["capabilities"])
            else:
                detail = f"invalid: {row['invalid']}" if "invalid" in row else f"unavailable: {row['unavailable']}"
            stdout().print(f"{row['model']:<{width}}  {row['backend']:<{backend_width}}  {detail}", markup=False)
    if any("invalid" in row for row in rows):
        raise typer.Exit(2)


@dev_app.command("tiny-model")
def tiny_model(
    directory: Path = typer.Argument(..., help="New or empty folder to write the model into."),
    family: str = typer.Option(
        ...,
        "--family",
        help="Which layout: wan (Wan 2.2 TI2V), wan2.1-t2v, wan2.1-i2v, wan2.2-a14b, ltx, ltx-condition (LTX-Video "
        "0.9.5+), ltx2 (LTX-2, with sound) or hunyuan15 (HunyuanVideo 1.5).",
    ),
) -> None:
    """Write a tiny random-weight diffusers model folder (a few hundred KB) that loads offline.

    It runs the real diffusers backend end to end on a CPU in about a second. Its weights are random:
    THE PICTURES IT MAKES ARE NOISE. Use it to test setups, servers and pipelines, never to judge quality.
    """
    from cinebrief.backends.diffusers.tiny import KINDS, write_tiny_model
    from cinebrief.errors import InputError

    if family not in KINDS:
        raise InputError(f"--family '{family}' is not supported. Allowed: {', '.join(KINDS)}.", field="family")
    path = write_tiny_model(directory, family)
    stdout().print(f"{path}  (tiny {family} model, random weights: its pictures are noise)", markup=False)
