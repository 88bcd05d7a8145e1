"""Commands: lint.

The command is registered on the typer app (so `cinebrief --help` lists it and test runners reach it) but
its options are read by argparse in `lint_run`: typer would build a pydantic adapter per option on every
call, and `cinebrief lint` runs per file in editors and CI loops. `cinebrief.cli.main` skips typer entirely
for `cinebrief lint`; both paths run `lint_run.run`.
"""

from __future__ import annotations

import typer

from cinebrief.cli.app import app
from cinebrief.cli.lint_run import HELP


@app.command(
    context_settings={"ignore_unknown_options": True, "allow_extra_args": True, "allow_interspersed_args": False},
    add_help_option=False,
    help=HELP + " See `cinebrief lint --help`.",
)
def lint(ctx: typer.Context) -> None:
    """Lint briefs or prompt text against the prompting guide and the Videos API contract."""
    import sys

    from cinebrief.cli.lint_run import run

    code = run(list(ctx.args), stdin=sys.stdin, stdout=sys.stdout)
    if code:
        raise typer.Exit(code)
