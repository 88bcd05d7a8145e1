"""Write files so that a failure never leaves anything that looks complete.

Every output is written to a hidden ``.NAME.XXXX.partial`` file beside its target and renamed into place
(`os.replace`, atomic on one filesystem) only when the writer finished without an exception.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Iterator
from pathlib import Path


def partial_path(target: Path) -> Path:
    """A hidden temporary name in `target`'s folder, so the final rename stays on one filesystem."""
    return target.with_name(f".{target.name}.{secrets.token_hex(4)}.partial")


def discard(path: Path) -> None:
    """Remove a temporary file if it is there."""
    with contextlib.suppress(FileNotFoundError):
        path.unlink()


@contextlib.contextmanager
def atomic_output(target: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path for `target`; rename it into place on success, delete it on any failure."""
    final = Path(target)
    temporary = partial_path(final)
    try:
        yield temporary
    except BaseException:
        discard(temporary)
        raise
    os.replace(temporary, final)
