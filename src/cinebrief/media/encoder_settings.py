"""What the MP4 encoder is asked for (`EncodeSettings`), apart from the encoder, so that it loads without PyAV."""

from __future__ import annotations

import os
from dataclasses import dataclass

X264_PRESETS = (
    "ultrafast", "superfast", "veryfast", "faster", "fast", "medium", "slow", "slower", "veryslow", "placebo",
)  # fmt: skip
QUANTISER_MAX = 51  # 8-bit H.264: qp and crf run from 0 (lossless) to 51


def encoder_threads() -> int:
    """x264 threads: one more than the cores, which kept both cores busy in our measurements."""
    return (os.cpu_count() or 1) + 1


@dataclass(frozen=True)
class EncodeSettings:
    """Encoder choices; the defaults favour speed (an animatic is previewed, not mastered)."""

    fps: int = 24
    preset: str = "ultrafast"
    crf: int = 23
    # A constant quantiser instead of `crf`: x264 then skips the lookahead analysis CRF needs (a third of
    # its CPU at ultrafast). On clean synthetic pictures (animatics) qp 17 matches crf 23 in size and PSNR.
    qp: int | None = None
    threads: int = 0  # 0: `encoder_threads()`
    audio: bool = True
    audio_channels: int = 2
    audio_bitrate: int = 128_000
    aac_coder: str = "fast"  # FFmpeg's default "twoloop" takes twice the CPU for no audible gain here

    def __post_init__(self) -> None:
        """x264 refuses these only once the file is open; say which value and what is allowed (ValueError)."""
        if self.preset not in X264_PRESETS:
            raise ValueError(f"preset '{self.preset}' is not an x264 preset. Allowed: {', '.join(X264_PRESETS)}.")
        for key, value in (("qp", self.qp), ("crf", self.crf)):
            if value is not None and (type(value) is not int or not 0 <= value <= QUANTISER_MAX):
                raise ValueError(f"{key} {value!r} is not a whole number from 0 to {QUANTISER_MAX}.")
