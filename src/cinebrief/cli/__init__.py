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

Modules load without the cyclic garbage collector (`cinebrief.process.loading`), and the process ends
without the interpreter's teardown once every exit handler has run (`cinebrief.process.entry_point`: about
0.1 s of CPU after a `generate`). `generate` keeps freed memory for reuse while it renders.
"""

from __future__ import annotations

import os
import sys

from cinebrief.process import entry_point, loading


def main() -> None:
    """The `cinebrief` command; the process's entry point (it ends the process)."""
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # before numpy loads: see above
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "1")  # see above
    with entry_point():
        if sys.argv[1:2] == ["lint"]:
            from cinebrief.cli.lint_run import main as lint_main

            sys.exit(lint_main(sys.argv[2:]))
        with loading():
            if sys.argv[1:2] and not sys.argv[1].startswith("-"):  # a command, not --help or --version
                # typer coerces a command's options through pydantic TypeAdapters: it loads here, not mid-parse.
                from pydantic import BaseModel, TypeAdapter  # noqa: F401

            from cinebrief.cli.app import main as app_main
        app_main()
