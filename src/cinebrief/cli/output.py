"""Console output shared by the commands: stdout for results, stderr for errors and progress."""

from __future__ import annotations

import sys

from rich.console import Console

stdout = Console(highlight=False, soft_wrap=True)
stderr = Console(stderr=True, highlight=False, soft_wrap=True)


def print_error(error: BaseException | str) -> None:
    """One line per problem, prefixed `error:`; a `BriefErrors` prints each of its problems."""
    problems = getattr(error, "problems", None) or [error]
    for problem in problems:
        sys.stderr.write(f"error: {problem}\n")
    sys.stderr.flush()


def warn(message: str) -> None:
    sys.stderr.write(f"warning: {message}\n")
    sys.stderr.flush()
