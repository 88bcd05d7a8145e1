"""What a short-lived process does to start, run and end fast: modules loaded without the cyclic garbage
collector, freed memory kept for reuse, and an end without the interpreter's teardown.

**Loading** (`loading()`): importing makes tens of thousands of objects and next to no garbage, yet every
700 new objects start a collection, and the objects a block of imports made stay in the young generations
until two more collections have walked them again (about 30 ms of a `cinebrief generate`). Inside
`loading()` the collector is off; at its end the new objects are frozen (`gc.freeze`: moved to a
generation no collection walks), as modules live until the process ends.

**Freed memory** (`reuse_freed_memory()`): a render allocates and frees tens of megabytes a second
(frames, layers, sound buffers). glibc returns large freed blocks to the kernel and takes fresh pages
for the next one, which the kernel zero-fills on first touch: a third of a 12 s previz clip's process
time was spent in the kernel. It asks glibc to keep freed memory for the next allocation instead; for a
process that ends when its render does (the command line), its peak is what it would hold anyway.

**Ending** (`entry_point()`): once a command is done, the interpreter's teardown frees every object and
module one by one (about 0.1 s of CPU after a `generate`, with numpy, PyAV and pydantic loaded), memory the
kernel takes back at once anyway. An entry point run in `entry_point()` registers an exit handler as it
starts, so it runs after every handler registered later (temporary files, thread pools; non-daemon threads
were joined before any handler); it shuts logging down (whose own handler may have been registered earlier,
and would not run), flushes stdout and stderr and ends the process with the command's status. Files still
open and never closed would lose what they buffered: everything cinebrief writes is closed where it is
written.
"""

from __future__ import annotations

import atexit
import contextlib
import gc
import os
import sys
from collections.abc import Iterator

_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3  # mallopt's parameters, from glibc's malloc.h
_MMAP_THRESHOLD_MAX = 32 << 20  # glibc's largest mmap threshold on 64-bit machines
_TRIM_THRESHOLD = 1 << 30


class _Lifetime:
    """Whether this process ends when its one render does (`generate`), set by `reuse_freed_memory`."""

    one_render = False


@contextlib.contextmanager
def loading(*, freeze: bool = True) -> Iterator[None]:
    """No cyclic collections inside; at the end, if modules were loaded and `freeze`, every object alive is
    frozen (see above). A block that found its modules loaded already freezes nothing. Code that also runs
    in long-lived processes (a backend in a server's worker) passes `freeze=one_render()`: there the objects
    alive at its first job (the server's, the job's) must stay collectable."""
    enabled = gc.isenabled()
    modules = len(sys.modules)
    gc.disable()
    try:
        yield
    finally:
        if freeze and len(sys.modules) > modules:
            gc.freeze()
        if enabled:
            gc.enable()


def one_render() -> bool:
    """True in a process that ends when its render does (`cinebrief generate`)."""
    return _Lifetime.one_render


def reuse_freed_memory() -> bool:
    """For a process that ends when its render does: keep freed blocks in the heap for reuse rather than
    return them to the kernel (glibc; elsewhere nothing changes), and mark the process so (`one_render`).
    True when glibc took the settings."""
    _Lifetime.one_render = True
    if not sys.platform.startswith("linux"):
        return False
    import ctypes  # here: `cinebrief lint` starts without it

    mallopt = getattr(ctypes.CDLL(None), "mallopt", None)
    if mallopt is None:
        return False
    return bool(mallopt(_M_MMAP_THRESHOLD, _MMAP_THRESHOLD_MAX) and mallopt(_M_TRIM_THRESHOLD, _TRIM_THRESHOLD))


class _Status:
    """The status the process ends with: 1 (a failure) until the entry point says otherwise."""

    code = 1


@contextlib.contextmanager
def entry_point() -> Iterator[None]:
    """Run a process's entry point, then end the process without the teardown (see above)."""
    status = _Status()
    atexit.register(_end, status)  # registered first, so run last
    try:
        yield
        status.code = 0
    except SystemExit as stop:
        # As the interpreter reads it: None is success, a number is the status, anything else is printed and 1.
        status.code = 0 if stop.code is None else stop.code if isinstance(stop.code, int) else 1
        raise
    except KeyboardInterrupt:
        status.code = 130  # the shell's status for a command stopped by Ctrl-C
        raise


def _end(status: _Status) -> None:
    if "logging" in sys.modules:  # its own exit handler may have been registered before ours, so never run
        sys.modules["logging"].shutdown()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError, AttributeError):
            stream.flush()
    os._exit(status.code)
