"""The command line. `main` is the `cinebrief` entry point.

`cinebrief lint ...` goes straight to the linter's own runner: it imports neither typer nor the other
commands, so linting a prompt starts about as fast as Python does. Every other command goes through the
typer app in `cinebrief.cli.app`.

numpy's OpenBLAS starts its worker threads when numpy loads, and they spin for about 50 ms of CPU before
they sleep; cinebrief's numpy work is elementwise and its parallelism its own (frame, encoder and
sound threads, worker processes), so `main` asks for one BLAS thread unless the environment already says
(`OPENBLAS_NUM_THREADS`): that spinning would take the second core from the soundtrack and the encoder.

pydantic looks for plugins among every installed package's entry points when it builds its first model
(about 20 ms with torch and diffusers installed); cinebrief uses none, so `main` turns the search off
unless the environment says otherwise (`PYDANTIC_DISABLE_PLUGINS`).

A command is short-lived, so the cyclic garbage collector is kept out of the way where it only costs time:
while modules load (`loading()`: tens of thousands of new objects, next to no garbage) and at exit, where
the objects still alive are frozen so that the interpreter's shutdown does not walk them again (about
60 ms after a `generate`).
"""

from __future__ import annotations

import contextlib
import gc
import os
import sys
from collections.abc import Iterator


@contextlib.contextmanager
def loading() -> Iterator[None]:
    """No cyclic collections inside: for imports, which make many objects and no garbage worth a pass."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def main() -> None:
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # before numpy loads: see above
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "1")  # see above
    try:
        if sys.argv[1:2] == ["lint"]:
            from cinebrief.cli.lint_run import main as lint_main

            sys.exit(lint_main(sys.argv[2:]))
        with loading():
            from cinebrief.cli.app import main as app_main
        app_main()
    finally:
        gc.freeze()  # the process ends here: shutdown's collections skip what is frozen
