"""Commands: lint.

`cinebrief lint BRIEF.yaml`, `--text "..."`, a `.txt` file, or `-` for stdin. Only typer is imported at
module level; the linter is imported inside the command and imports nothing heavy for prompt text.
"""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from cinebrief.cli.app import app
from cinebrief.errors import InputError

FORMATS = ("text", "json", "sarif")
MODES = ("control", "explore")


def _split(values: list[str] | None) -> list[str]:
    return [part.strip() for value in values or [] for part in value.split(",") if part.strip()]


@app.command()
def lint(
    sources: list[str] = typer.Argument(None, help="Brief files (.yaml), prompt files (.txt), or '-' for stdin."),
    text: str | None = typer.Option(None, "--text", "-t", help="Lint this prompt text."),
    model: str | None = typer.Option(None, "--model", help="The request's model, for prompt text."),
    size: str | None = typer.Option(None, "--size", help="The request's size, e.g. 1280x720, for prompt text."),
    seconds: str | None = typer.Option(None, "--seconds", help='The request\'s seconds ("4", "8", "12").'),
    input_reference: str | None = typer.Option(None, "--input-reference", help="Reference image, for prompt text."),
    remix_of: str | None = typer.Option(None, "--remix-of", help="The original prompt: lint the text as its remix."),
    mode: str | None = typer.Option(None, "--mode", help="control or explore (text counts as control)."),
    profile: str = typer.Option("standard", "--profile", help="Contract profile: standard or extended."),
    output_format: str = typer.Option("text", "--format", help="text, json or sarif."),
    select: list[str] = typer.Option(None, "--select", help="Only these rules: code prefixes or names."),
    ignore: list[str] = typer.Option(None, "--ignore", help="Skip these rules: code prefixes or names."),
    fix: bool = typer.Option(False, "--fix", help="Apply safe fixes to YAML briefs (comments are kept)."),
    strict: bool = typer.Option(False, "--strict", help="Fail on warnings too."),
    explain: str | None = typer.Option(None, "--explain", help="Print the documentation of a rule (code or name)."),
) -> None:
    """Lint briefs or prompt text against the prompting guide and the Videos API contract."""
    from cinebrief.lint import output

    if explain:
        typer.echo(output.explain(explain), nl=False)
        return
    if output_format not in FORMATS:
        raise InputError(f"--format '{output_format}' is not allowed; allowed: {', '.join(FORMATS)}", field="format")
    if mode is not None and mode not in MODES:
        raise InputError(f"--mode '{mode}' is not allowed; allowed: control, explore", field="mode")
    documents = _documents(
        sources or [],
        text,
        model=model,
        size=size,
        seconds=seconds,
        mode=mode,
        input_reference=input_reference,
        remix_of=remix_of,
        profile=profile,
    )
    diagnostics, fixed = _lint_all(documents, _split(select), _split(ignore), fix=fix)
    if output_format == "json":
        typer.echo(output.as_json(diagnostics, fixed=fixed))
    elif output_format == "sarif":
        typer.echo(output.as_sarif(diagnostics))
    else:
        typer.echo(output.as_text(diagnostics, fixed=fixed))
    failing = {"error", "warning"} if strict else {"error"}
    if any(d.severity in failing for d in diagnostics):
        raise typer.Exit(1)


def _documents(sources: list[str], text: str | None, **options: str | None) -> list:
    """One document per source; `--text` and stdin are prompt text."""
    from cinebrief.lint.engine import load_document
    from cinebrief.lint.text import read_text

    if text is None and not sources:
        raise InputError("nothing to lint: give a brief file, a prompt file, '-' for stdin, or --text", field="source")
    profile = options.pop("profile") or "standard"
    text_options = {k: v for k, v in options.items()}
    text_options["mode"] = text_options.get("mode") or "control"
    documents = []
    if text is not None:
        documents.append(read_text(text, **text_options))  # type: ignore[arg-type]
    for source in sources:
        if source == "-":
            documents.append(read_text(sys.stdin.read(), source="<stdin>", **text_options))  # type: ignore[arg-type]
            continue
        path = Path(source)
        if path.suffix.lower() in (".yaml", ".yml"):
            brief_options = {"mode": options["mode"]} if options.get("mode") else {}
            documents.append(load_document(path, profile=profile, **brief_options))
        else:
            documents.append(load_document(path, **text_options))
    for document in documents:
        document.profile = profile
    return documents


def _lint_all(documents: list, select: list[str], ignore: list[str], *, fix: bool) -> tuple[list, int]:
    from cinebrief.lint.engine import run

    diagnostics = []
    fixed = 0
    for document in documents:
        found = run(document, select=select, ignore=ignore)
        if fix and document.kind == "brief" and document.source:
            from cinebrief.lint.engine import load_document
            from cinebrief.lint.fixes import apply_edits, safe_edits, write_fixed

            edits = safe_edits(found)
            if edits:
                fixed += apply_edits(document.tree, edits)
                write_fixed(Path(document.source), document.tree)
                again = load_document(document.source, profile=document.profile, mode=document.mode)
                found = run(again, select=select, ignore=ignore)
        diagnostics.extend(found)
    return diagnostics, fixed
