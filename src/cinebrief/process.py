"""What a short-lived process does to start and run fast: modules loaded without the cyclic garbage
collector, and freed memory kept for reuse.

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
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator

_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3  # mallopt's parameters, from glibc's malloc.h
_MMAP_THRESHOLD_MAX = 32 << 20  # glibc's largest mmap threshold on 64-bit machines
_TRIM_THRESHOLD = 1 << 30


@contextlib.contextmanager
def loading() -> Iterator[None]:
    """No cyclic collections inside; what was made inside is frozen at the end (see above)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()


def reuse_freed_memory() -> bool:
    """Keep freed blocks in the heap for reuse rather than return them to the kernel (glibc; elsewhere
    nothing changes). True when glibc took the settings."""
    import ctypes  # here: `cinebrief lint` starts without it

    mallopt = getattr(ctypes.CDLL(None), "mallopt", None)
    if mallopt is None:
        return False
    return bool(mallopt(_M_MMAP_THRESHOLD, _MMAP_THRESHOLD_MAX) and mallopt(_M_TRIM_THRESHOLD, _TRIM_THRESHOLD))
