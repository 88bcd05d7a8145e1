"""Console output shared by the commands: stdout for results, stderr for errors and progress.

The rich consoles are made on first use, so rich's console module loads when a command first prints: a
`generate` prints nothing before its render starts, and the module then loads while the render's first
work is under way.
"""

from __future__ import annotations

import functools
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console


@functools.cache
def stdout() -> Console:
    from rich.console import Console

    return Console(highlight=False, soft_wrap=True)


@functools.cache
def stderr() -> Console:
    from rich.console import Console

    return Console(stderr=True, highlight=False, soft_wrap=True)


def print_error(error: BaseException | str) -> None:
    """One line per problem, prefixed `error:`; a `BriefErrors` prints each of its problems."""
    problems = getattr(error, "problems", None) or [error]
    for problem in problems:
        sys.stderr.write(f"error: {problem}\n")
    sys.stderr.flush()


def warn(message: str) -> None:
    sys.stderr.write(f"warning: {message}\n")
    sys.stderr.flush()
