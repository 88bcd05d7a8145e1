"""Sora 2 list prices per second of output, as last published; unknown prices stay unknown (None)."""

from __future__ import annotations

from cinebrief.contract.profile import MODEL_FAMILY, SIZE_720P, SIZE_1080P, SIZE_PRO_TALL_WIDE

# (family, size group) -> USD per second. Sources: the sora-2 model page (720p), repeated third-party
# reports for the pro tall/wide and 1080p sizes.
_PRICE_PER_SECOND: dict[tuple[str, str], float] = {
    ("sora-2", "720p"): 0.10,
    ("sora-2-pro", "720p"): 0.30,
    ("sora-2-pro", "tall-wide"): 0.50,
    ("sora-2-pro", "1080p"): 0.70,
}


def _size_group(size: str) -> str | None:
    if size in SIZE_720P:
        return "720p"
    if size in SIZE_PRO_TALL_WIDE:
        return "tall-wide"
    if size in SIZE_1080P:
        return "1080p"
    return None


def price_per_second(model: str, size: str) -> float | None:
    """USD per second of output for a Sora 2 model and size, or None when no price is known."""
    family = MODEL_FAMILY.get(model)
    group = _size_group(size)
    if family is None or group is None:
        return None
    return _PRICE_PER_SECOND.get((family, group))


def estimate_cost(model: str, size: str, seconds: str | int) -> float | None:
    """The list price of one clip, or None when unknown (never a silent zero)."""
    rate = price_per_second(model, size)
    return None if rate is None else round(rate * int(seconds), 4)
