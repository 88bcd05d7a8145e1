"""`cinebrief lint` itself: options, input forms, output and exit code, without typer or the other commands.

`cinebrief.cli.main` calls `main(argv)` directly when the command is `lint`, so the linter starts without
importing typer, rich or any other command (editors and CI loops call it per file); the typer command in
`lint_command` calls the same `run`, so `cinebrief --help` lists it and test runners reach it too.
Exit codes: 0 clean or warnings only, 1 an error-severity finding (or a warning with --strict), 2 a usage
or input error.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from cinebrief.contract.profile import STANDARD_SECONDS
from cinebrief.errors import CinebriefError, InputError

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
    add("--seconds", help=f"the request's seconds ({', '.join(STANDARD_SECONDS)}), for prompt text")
    add("--input-reference", help="a reference image, for prompt text")
    add("--remix-of", metavar="TEXT", help="the original prompt: lint the text as its remix")
    add("--mode", choices=MODES, help="control or explore (prompt text counts as control)")
    add("--profile", default="standard", choices=("standard", "extended"), help="the contract profile")
    add("--config", help="settings file whose models count as served (default: ./cinebrief.toml if present)")
    add("--format", dest="output_format", default="text", choices=FORMATS, help="output format")
    add("--select", action="append", default=[], help="only these rules: code prefixes or names (repeat or comma)")
    add("--ignore", action="append", default=[], help="skip these rules: code prefixes or names (repeat or comma)")
    add("--fix", action="store_true", help="apply safe fixes to YAML briefs (comments are kept)")
    add("--strict", action="store_true", help="fail on warnings too")
    add("--preview", action="store_true", help="also run the rules in preview (see docs/rules.md)")
    add("--explain", metavar="CODE|NAME", help="print the documentation of a rule")
    return parser


def _split(values: list[str] | None) -> list[str]:
    return [part.strip() for value in values or [] for part in value.split(",") if part.strip()]


def run(argv: list[str], *, stdin: Any = None, stdout: Any = None) -> int:
    """Lint as the command line says; returns the exit code. Raises our errors for input mistakes."""
    args = build_parser().parse_args(argv)
    out = stdout or sys.stdout
    from cinebrief.lint import output

    if args.explain:
        out.write(output.explain(args.explain))
        return 0
    text_options = {
        "model": args.model,
        "size": args.size,
        "seconds": args.seconds,
        "mode": args.mode or "control",
        "input_reference": args.input_reference,
        "remix_of": args.remix_of,
    }
    documents = _documents(
        args.sources, args.text, text_options, mode=args.mode, profile=args.profile, stdin=stdin or sys.stdin
    )
    from cinebrief.served_models import ConfiguredModels

    models = ConfiguredModels(args.config)  # read only when a model outside the Sora profile appears
    for document in documents:
        document.models = models
    rules = {"select": _split(args.select), "ignore": _split(args.ignore), "preview": args.preview}
    diagnostics, fixed = _lint_all(documents, rules, fix=args.fix)
    if args.output_format == "json":
        out.write(output.as_json(diagnostics, fixed=fixed) + "\n")
    elif args.output_format == "sarif":
        out.write(output.as_sarif(diagnostics) + "\n")
    else:
        out.write(output.as_text(diagnostics, fixed=fixed) + "\n")
    failing = {"error", "warning"} if args.strict else {"error"}
    return 1 if any(d.severity in failing for d in diagnostics) else 0


def _documents(
    sources: list[str], text: str | None, text_options: dict[str, Any], *, mode: str | None, profile: str, stdin: Any
) -> list[Any]:
    """One document per source; `--text` and stdin are prompt text, `.yaml`/`.yml` files are briefs."""
    from cinebrief.lint.checker import load_document
    from cinebrief.lint.text import read_text

    if text is None and not sources:
        raise InputError("nothing to lint: give a brief file, a prompt file, '-' for stdin, or --text", field="source")
    documents = []
    if text is not None:
        documents.append(read_text(text, **text_options))
    for source in sources:
        if source == "-":
            documents.append(read_text(stdin.read(), source="<stdin>", **text_options))
        elif Path(source).suffix.lower() in (".yaml", ".yml"):
            documents.append(load_document(source, profile=profile, **({"mode": mode} if mode else {})))
        else:
            documents.append(load_document(source, **text_options))
    for document in documents:
        document.profile = profile
    return documents


def _lint_all(documents: list[Any], rules: dict[str, Any], *, fix: bool) -> tuple[list[Any], int]:
    """Run the rules on each document; with `fix`, apply safe fixes to briefs and lint them again."""
    from cinebrief.lint.checker import load_document
    from cinebrief.lint.checker import run as run_rules

    diagnostics = []
    fixed = 0
    for document in documents:
        found = run_rules(document, **rules)
        if fix and document.kind == "brief" and document.source:
            from cinebrief.lint.fixes import apply_edits, safe_edits, write_fixed

            edits = safe_edits(found)
            if edits:
                fixed += apply_edits(document.tree, edits)
                write_fixed(Path(document.source), document.tree)
                again = load_document(document.source, profile=document.profile, mode=document.mode)
                found = run_rules(again, **rules)
        diagnostics.extend(found)
    return diagnostics, fixed


def main(argv: list[str] | None = None) -> int:
    """The fast entry: our errors become `error:` lines and exit code 2 (or their own code), never a traceback."""
    try:
        return run(sys.argv[2:] if argv is None else argv)
    except CinebriefError as exc:
        problems = getattr(exc, "problems", None) or [exc]
        for problem in problems:
            sys.stderr.write(f"error: {problem}\n")
        return exc.exit_code
    except KeyboardInterrupt:
        sys.stderr.write("error: interrupted\n")
        return 130
