"""Commands: render, import (prompt text ⇄ briefs)."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path

import typer

from cinebrief.cli.app import app
from cinebrief.errors import InputError, NotFoundError


class StyleChoice(StrEnum):
    auto = "auto"
    descriptive = "descriptive"
    ultra = "ultra"
    light = "light"


class RenderFormat(StrEnum):
    text = "text"
    json = "json"


@app.command()
def render(
    brief_path: Path = typer.Argument(..., metavar="BRIEF", help="The brief (YAML).", show_default=False),
    shot_id: str | None = typer.Option(None, "--shot", metavar="ID", help="Render only this shot."),
    style: StyleChoice = typer.Option(
        StyleChoice.auto,
        "--style",
        help="descriptive (the guide's template), ultra (the ten ultra-detailed sections), light (one paragraph); "
        "auto picks ultra for shots with `detail:` sections and descriptive otherwise.",
    ),
    output_format: RenderFormat = typer.Option(
        RenderFormat.text, "--format", help="text: the prompts; json: per shot the prompt and API parameters."
    ),
    profile: str = typer.Option("standard", "--profile", help="Contract profile: standard or extended."),
) -> None:
    """Render a brief's shots to prompt text, with each shot's request checked against the Videos API contract.

    Parameters come from the shot, else the brief's defaults, else the API's (sora-2, 720x1280, "4").
    An input_reference image must be JPEG, PNG or WebP (judged by its bytes) and exactly the shot's size.
    """
    from cinebrief.brief import load_brief
    from cinebrief.prompts.request import shot_request

    brief = load_brief(brief_path)
    shots = [brief.shot(shot_id)] if shot_id else brief.shots
    requests = [
        shot_request(brief, shot, brief_dir=brief_path.parent, profile=profile, style=style.value) for shot in shots
    ]
    if output_format is RenderFormat.json:
        shots_data = [{"id": r.shot_id, "prompt": r.prompt, **r.parameters()} for r in requests]
        data = {"brief": str(brief_path), "style": style.value, "shots": shots_data}
        typer.echo(json.dumps(data, indent=2, ensure_ascii=False))
        return
    if len(requests) == 1:
        typer.echo(requests[0].prompt)
        return
    blocks = [f"=== {r.shot_id} ({r.model}, {r.size}, {r.seconds} s) ===\n{r.prompt}" for r in requests]
    typer.echo("\n\n".join(blocks))


@app.command("import")
def import_prompt(
    prompt_file: str = typer.Argument(
        ..., metavar="PROMPT_FILE", help="A prompt as text; '-' reads standard input.", show_default=False
    ),
    output: Path | None = typer.Option(
        None, "--output", "-o", metavar="BRIEF", help="Write the brief here instead of printing it."
    ),
    force: bool = typer.Option(False, "--force", help="Replace BRIEF if it already exists."),
) -> None:
    """Read a prompt (the guide's labelled template, ultra-detailed sections, or plain prose) into a brief.

    Labels become fields (Camera shot, Lighting, Actions, Dialogue, ...); unlabelled prose becomes the scene.
    The brief is printed as YAML, or written to BRIEF with -o. An existing BRIEF is never replaced without
    --force: the command stops with exit code 2 and leaves the file as it was.
    """
    from cinebrief.brief import dump_brief
    from cinebrief.prompts import parse_prompt

    # 1. Read the prompt text.
    text = _read_prompt(prompt_file)
    # 2. Refuse to overwrite before doing any work.
    if output is not None and output.exists() and not force:
        raise InputError(f"{output} already exists; pass --force to replace it", field="output")
    # 3. Parse and write.
    yaml_text = dump_brief(parse_prompt(text))
    if output is None:
        typer.echo(yaml_text, nl=False)
        return
    output.parent.mkdir(parents=True, exist_ok=True)
    temporary = output.with_name(f".{output.name}.tmp")
    temporary.write_text(yaml_text, encoding="utf-8")
    temporary.replace(output)
    typer.echo(f"wrote {output}", err=True)


def _read_prompt(source: str) -> str:
    if source == "-":
        return sys.stdin.read()
    path = Path(source)
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise NotFoundError(f"{path}: no such prompt file") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a folder, not a prompt file", field="prompt_file") from None
    except UnicodeDecodeError:
        raise InputError(f"{path}: not UTF-8 text; save the prompt as UTF-8", field="prompt_file") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read the prompt ({exc.strerror})", field="prompt_file") from None
