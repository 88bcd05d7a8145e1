"""Commands: lint.

`cinebrief lint BRIEF.yaml`, `--text "..."`, a `.txt` file, or `-` for stdin. The options are read with
argparse rather than typer's parameters: typer builds a pydantic adapter per parameter on every call,
which alone costs more than the whole lint of a prompt, and `cinebrief lint` runs in editors and CI
loops where start-up time is the user's wait. Only stdlib and typer are imported at module level.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import typer

from cinebrief.cli.app import app
from cinebrief.errors import InputError

FORMATS = ("text", "json", "sarif")
MODES = ("control", "explore")
HELP = "Lint briefs or prompt text against the prompting guide and the Videos API contract."


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cinebrief lint",
        description=HELP + " Exit code 1 when an error remains (or a warning, with --strict); 2 for usage errors.",
    )
    add = parser.add_argument
    add("sources", nargs="*", metavar="SOURCE", help="brief files (.yaml), prompt files (.txt), or '-' for stdin")
    add("--text", "-t", help="lint this prompt text")
    add("--model", help="the request's model, for prompt text")
    add("--size", help="the request's size, e.g. 1280x720, for prompt text")
    add("--seconds", help='the request\'s seconds ("4", "8", "12"), for prompt text')
    add("--input-reference", help="a reference image, for prompt text")
    add("--remix-of", metavar="TEXT", help="the original prompt: lint the text as its remix")
    add("--mode", choices=MODES, help="control or explore (prompt text counts as control)")
    add("--profile", default="standard", choices=("standard", "extended"), help="the contract profile")
    add("--format", dest="output_format", default="text", choices=FORMATS, help="output format")
    add("--select", action="append", default=[], help="only these rules: code prefixes or names (repeat or comma)")
    add("--ignore", action="append", default=[], help="skip these rules: code prefixes or names (repeat or comma)")
    add("--fix", action="store_true", help="apply safe fixes to YAML briefs (comments are kept)")
    add("--strict", action="store_true", help="fail on warnings too")
    add("--explain", metavar="CODE|NAME", help="print the documentation of a rule")
    return parser


def _split(values: list[str] | None) -> list[str]:
    return [part.strip() for value in values or [] for part in value.split(",") if part.strip()]


@app.command(
    context_settings={"ignore_unknown_options": True, "allow_extra_args": True, "allow_interspersed_args": False},
    add_help_option=False,
    help=HELP + " See `cinebrief lint --help`.",
)
def lint(ctx: typer.Context) -> None:
    """Lint briefs or prompt text against the prompting guide and the Videos API contract."""
    args = build_parser().parse_args(ctx.args)
    from cinebrief.lint import output

    if args.explain:
        typer.echo(output.explain(args.explain), nl=False)
        return
    documents = _documents(
        args.sources,
        args.text,
        model=args.model,
        size=args.size,
        seconds=args.seconds,
        mode=args.mode,
        input_reference=args.input_reference,
        remix_of=args.remix_of,
        profile=args.profile,
    )
    diagnostics, fixed = _lint_all(documents, _split(args.select), _split(args.ignore), fix=args.fix)
    if args.output_format == "json":
        typer.echo(output.as_json(diagnostics, fixed=fixed))
    elif args.output_format == "sarif":
        typer.echo(output.as_sarif(diagnostics))
    else:
        typer.echo(output.as_text(diagnostics, fixed=fixed))
    failing = {"error", "warning"} if args.strict else {"error"}
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
