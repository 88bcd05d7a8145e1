"""The command line. `main` is the `cinebrief` entry point.

`cinebrief lint ...` goes straight to the linter's own runner: it imports neither typer nor the other
commands, so linting a prompt starts about as fast as Python does. Every other command goes through the
typer app in `cinebrief.cli.app`.
"""

from __future__ import annotations

import sys


def main() -> None:
    if sys.argv[1:2] == ["lint"]:
        from cinebrief.cli.lint_run import main as lint_main

        sys.exit(lint_main(sys.argv[2:]))
    from cinebrief.cli.app import main as app_main

    app_main()
