"""Where a value sits in a brief, as the errors and the linter write it: ``shots[0].camera``."""

from __future__ import annotations

Loc = tuple[int | str, ...]


def field_path(loc: Loc) -> str:
    """``('shots', 0, 'camera')`` → ``shots[0].camera``."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out
