"""The `cinebrief` command: one typer app; each command lives in its own module and registers here.

Exit codes: 0 ok, 1 findings or a failed job, 2 a usage or input error. A user's mistake is printed as
one clear line per problem on stderr, never as a traceback. Command modules import heavy libraries inside
their functions so that `cinebrief lint` starts fast.
"""

from __future__ import annotations

import sys
from typing import Any

import click
import typer
from typer.core import TyperGroup

from cinebrief import __version__
from cinebrief.cli.output import print_error
from cinebrief.errors import CinebriefError


class CinebriefGroup(TyperGroup):
    """Maps our exception tree to exit codes, for `main()` and for test runners alike."""

    def get_help_option(self, ctx: click.Context) -> Any:
        # typer coerces a flag left at None through a pydantic adapter on every call (~70 ms of start-up);
        # a False default is a bool already, so it is skipped.
        option = super().get_help_option(ctx)
        if option is not None:
            option.default = False
        return option

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except CinebriefError as exc:
            print_error(exc)
            ctx.exit(exc.exit_code)
        except KeyboardInterrupt:
            print_error("interrupted")
            ctx.exit(130)


app = typer.Typer(
    cls=CinebriefGroup,
    name="cinebrief",
    help="Brief, lint, preview and generate video like a cinematographer.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"cinebrief {__version__}")
        raise typer.Exit(0)


@app.callback()
def root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """Brief, lint, preview and generate video like a cinematographer."""


def main() -> None:
    app()


# Command modules register themselves on `app` when imported.
from cinebrief.cli import (  # noqa: E402, F401
    generate_command,
    lint_command,
    model_commands,
    prompts_commands,
    server_commands,
    workflow_commands,
)

if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
