"""Composite RGBA sprites straight onto yuv420p frames, so that overlays never cost a full-frame pass.

A `YuvSprite` is converted once (BT.601 limited range, the same coefficients swscale uses for RGB to
yuv420p) and premultiplied; `blend` then touches only the sprite's own rectangle of the three planes, in
place. Sprites sit on even pixel positions so that their chroma lines up with the 2x2 subsampling.
"""

from __future__ import annotations

from dataclasses import dataclass

import av
import numpy as np
from PIL import Image

_Y = np.array([0.256788, 0.504129, 0.097906], dtype=np.float32)
_U = np.array([-0.148223, -0.290993, 0.439216], dtype=np.float32)
_V = np.array([0.439216, -0.367788, -0.071427], dtype=np.float32)


@dataclass(frozen=True)
class YuvSprite:
    """Premultiplied planes (uint16, scaled by 256) and 0..256 alphas for luma and chroma."""

    width: int
    height: int
    luma: np.ndarray  # (h, w): Y * alpha
    luma_alpha: np.ndarray  # (h, w): 256 - alpha, ready to multiply the background
    chroma: np.ndarray  # (2, h/2, w/2): U * alpha, V * alpha
    chroma_alpha: np.ndarray  # (h/2, w/2)

    @classmethod
    def from_image(cls, image: Image.Image) -> YuvSprite:
        """Convert an RGBA (or RGB, opaque) Pillow image; odd sides are padded with transparency."""
        rgba = image.convert("RGBA")
        width, height = rgba.width + rgba.width % 2, rgba.height + rgba.height % 2
        if (width, height) != rgba.size:
            padded = Image.new("RGBA", (width, height), (0, 0, 0, 0))
            padded.paste(rgba, (0, 0))
            rgba = padded
        pixels = np.asarray(rgba, dtype=np.float32)
        rgb, alpha = pixels[..., :3], pixels[..., 3] * (256.0 / 255.0)
        luma = 16.0 + rgb @ _Y
        # Chroma from the alpha-weighted 2x2 average, so that soft text edges keep their colour.
        weights = alpha[..., None]
        rgb_sum = _pool(rgb * weights)
        alpha_sum = _pool(weights)
        mean_rgb = np.divide(rgb_sum, alpha_sum, out=np.zeros_like(rgb_sum), where=alpha_sum > 0)
        chroma_alpha = alpha_sum[..., 0] / 4.0
        u = 128.0 + mean_rgb @ _U
        v = 128.0 + mean_rgb @ _V
        return cls(
            width=width,
            height=height,
            luma=np.rint(luma * alpha).astype(np.uint16),
            luma_alpha=np.rint(256.0 - alpha).astype(np.uint16),
            chroma=np.rint(np.stack([u, v]) * chroma_alpha).astype(np.uint16),
            chroma_alpha=np.rint(256.0 - chroma_alpha).astype(np.uint16),
        )


def _pool(values: np.ndarray) -> np.ndarray:
    h, w = values.shape[:2]
    return values.reshape(h // 2, 2, w // 2, 2, -1).sum(axis=(1, 3))


def planes(frame: av.VideoFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Writable numpy views of a yuv420p frame's Y, U and V planes (line padding cut off)."""
    views = []
    for plane in frame.planes:
        buffer = np.frombuffer(plane, dtype=np.uint8).reshape(plane.height, plane.line_size)
        views.append(buffer[:, : plane.width])
    return views[0], views[1], views[2]


def blend(frame: av.VideoFrame, sprite: YuvSprite, x: int, y: int) -> None:
    """Composite `sprite` onto the yuv420p `frame` in place, its top-left at (x, y), rounded down to even."""
    x, y = x - x % 2, y - y % 2
    luma_plane, u_plane, v_plane = planes(frame)
    frame_h, frame_w = luma_plane.shape
    left, top = max(x, 0), max(y, 0)
    right, bottom = min(x + sprite.width, frame_w), min(y + sprite.height, frame_h)
    if right <= left or bottom <= top:
        return
    sx, sy = left - x, top - y
    region = luma_plane[top:bottom, left:right]
    cut = (slice(sy, sy + bottom - top), slice(sx, sx + right - left))
    region[...] = (region * sprite.luma_alpha[cut] + sprite.luma[cut]) >> 8
    chroma_cut = (slice(sy // 2, (sy + bottom - top) // 2), slice(sx // 2, (sx + right - left) // 2))
    chroma_alpha = sprite.chroma_alpha[chroma_cut]
    for index, plane in enumerate((u_plane, v_plane)):
        region = plane[top // 2 : bottom // 2, left // 2 : right // 2]
        region[...] = (region * chroma_alpha + sprite.chroma[index][chroma_cut]) >> 8
