"""What a backend can make, as plain data: published at `/v1/models` and read by the linter."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class FrameRule:
    """Frame counts the model accepts: ``multiple * k + offset`` (Wan 4k+1, LTX 8k+1; any count: 1k+0)."""

    multiple: int = 1
    offset: int = 0

    def nearest(self, frames: int) -> int:
        """The accepted count nearest to `frames` (ties go up), at least `multiple + offset`."""
        k = max(1, round((frames - self.offset) / self.multiple))
        return k * self.multiple + self.offset

    def __str__(self) -> str:
        return f"{self.multiple}k+{self.offset}" if self.offset else f"{self.multiple}k"


@dataclass(frozen=True)
class Capabilities:
    """A backend's numbers. `sizes` empty means any size whose sides are multiples of `size_multiple`."""

    backend: str
    sizes: tuple[str, ...] = ()
    size_multiple: int = 1
    seconds: tuple[str, ...] = ("4", "8", "12")
    fps: int = 24
    frame_rule: FrameRule = field(default_factory=FrameRule)
    max_seconds: int = 12
    image_to_video: bool = True
    text_to_video: bool = True
    audio: bool = True
    remix: bool = True
    notes: str = ""

    def accepts_size(self, size: str) -> bool:
        if self.sizes:
            return size in self.sizes
        width, _, height = size.partition("x")
        return (
            width.isdigit()
            and height.isdigit()
            and int(width) % self.size_multiple == 0
            and int(height) % self.size_multiple == 0
        )

    def as_dict(self) -> dict[str, object]:
        data = asdict(self)
        data["frame_rule"] = str(self.frame_rule)
        data["sizes"] = list(self.sizes)
        data["seconds"] = list(self.seconds)
        return data
