"""yuv420p frames as numpy planes: colour conversion, plane scaling, frame assembly and sprite overlays.

Pictures can be made in YUV from the start (BT.601 limited range, the same coefficients swscale uses for
RGB to yuv420p): `rgb_to_yuv` and `yuv_to_rgb` convert colours, `yuv_planes` converts a whole image to
planar YUV 4:4:4 once, `scale_plane` crops and scales one plane with swscale (bilinear) and
`frame_from_planes` copies three planes into a new `av.VideoFrame` (`fill_frame` into one that exists). A
frame made this way costs one luma scale and no per-frame colour conversion.

A `YuvSprite` is converted once and premultiplied; `blend` then touches only the sprite's own rectangle
of the three planes, in place. Sprites sit on even pixel positions so that their chroma lines up with
the 2x2 subsampling.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import av
import numpy as np
from av.video.reformatter import VideoReformatter
from PIL import Image

_Y = np.array([0.256788, 0.504129, 0.097906], dtype=np.float32)
_U = np.array([-0.148223, -0.290993, 0.439216], dtype=np.float32)
_V = np.array([0.439216, -0.367788, -0.071427], dtype=np.float32)
_TO_YUV = np.stack([_Y, _U, _V]).T  # rgb @ _TO_YUV + _OFFSET
_OFFSET = np.array([16.0, 128.0, 128.0], dtype=np.float32)
Planes = tuple[np.ndarray, np.ndarray, np.ndarray]  # Y, U, V views of one yuv420p frame
_TO_RGB = np.linalg.inv(_TO_YUV.astype(np.float64)).astype(np.float32)


# Below this many pixels OpenBLAS computes a product on the calling thread (its threading starts at a few
# tens of thousands of elements) and is faster than einsum's loop: the weather's few thousand drops a frame.
_BLAS_PIXELS = 4096


def _transform(values: np.ndarray, matrix: np.ndarray) -> np.ndarray:
    """`values @ matrix` over the last axis; a large one without BLAS.

    numpy hands a matrix product to OpenBLAS, which splits a large one across its own threads and leaves
    them spinning afterwards, waiting for more: on a busy machine that spinning takes CPU from the encoder
    (about a tenth of a second per clip on two cores). A 3x3 colour transform gains nothing from threads.
    """
    if values.size <= _BLAS_PIXELS * values.shape[-1]:
        return values @ matrix
    return np.einsum("...i,ij->...j", values, matrix)


def rgb_to_yuv(rgb: np.ndarray) -> np.ndarray:
    """Float Y, U, V (last axis) of RGB values in 0..255 (last axis), unrounded."""
    return _transform(np.asarray(rgb, dtype=np.float32), _TO_YUV) + _OFFSET


def yuv_to_rgb(yuv: np.ndarray) -> np.ndarray:
    """Float R, G, B (last axis) of Y, U, V values (last axis), unrounded and unclipped."""
    return _transform(np.asarray(yuv, dtype=np.float32) - _OFFSET, _TO_RGB)


def yuv_planes(rgb: np.ndarray) -> np.ndarray:
    """An RGB uint8 image ``(h, w, 3)`` as planar YUV 4:4:4 uint8 ``(3, h, w)``."""
    planar = np.empty((3, *rgb.shape[:2]), dtype=np.uint8)
    for row in range(0, rgb.shape[0], 64):  # in bands, so the float copy stays small
        band = np.rint(rgb_to_yuv(rgb[row : row + 64]))
        planar[:, row : row + 64] = np.clip(band, 0, 255).transpose(2, 0, 1)
    return planar


class _Scaler(threading.local):
    """Per thread: one swscale context kept from call to call (`VideoFrame.reformat` sets up a new one each
    time, which cost as much as the scaling) and a source frame of the last shape, written over."""

    def __init__(self) -> None:
        self.reformatter = VideoReformatter()
        self.source: av.VideoFrame | None = None

    def scale(self, plane: np.ndarray, width: int, height: int) -> av.VideoFrame:
        source = self.source
        if source is None or (source.height, source.width) != plane.shape:
            source = self.source = av.VideoFrame(plane.shape[1], plane.shape[0], "gray")
        np.copyto(_plane_view(source.planes[0]), plane)
        return self.reformatter.reformat(source, width=width, height=height, interpolation="BILINEAR", threads=1)


_SCALER = _Scaler()


def scale_plane(plane: np.ndarray, width: int, height: int) -> np.ndarray:
    """A new array: `plane` (uint8, any strides) scaled to ``(height, width)`` by swscale, bilinear, or copied."""
    if plane.shape == (height, width):
        return plane.copy()
    return _plane_view(_SCALER.scale(plane, width, height).planes[0])


def frame_from_planes(luma: np.ndarray, u: np.ndarray, v: np.ndarray) -> av.VideoFrame:
    """A new yuv420p frame holding copies of the three planes (chroma at half the luma's size)."""
    height, width = luma.shape
    frame = av.VideoFrame(width, height, "yuv420p")
    fill_frame(frame, (luma, u, v))
    return frame


def fill_frame(frame: av.VideoFrame, source: Planes) -> None:
    """Copy three planes into an existing yuv420p `frame` of their size.

    Writing over frames kept from earlier (a ring) spares the fresh memory a new frame needs every time:
    the kernel zero-fills those pages on first touch, which cost as much as the copy itself.
    """
    for target, plane in zip(planes(frame), source, strict=True):
        np.copyto(target, plane)


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
        luma = 16.0 + _transform(rgb, _Y[:, None])[..., 0]
        # Chroma from the alpha-weighted 2x2 average, so that soft text edges keep their colour.
        weights = alpha[..., None]
        rgb_sum = _pool(rgb * weights)
        alpha_sum = _pool(weights)
        mean_rgb = np.divide(rgb_sum, alpha_sum, out=np.zeros_like(rgb_sum), where=alpha_sum > 0)
        chroma_alpha = alpha_sum[..., 0] / 4.0
        u, v = np.moveaxis(128.0 + _transform(mean_rgb, _TO_YUV[:, 1:]), -1, 0)
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


def _plane_view(plane: av.video.plane.VideoPlane) -> np.ndarray:
    buffer = np.frombuffer(plane, dtype=np.uint8).reshape(plane.height, plane.line_size)
    return buffer[:, : plane.width]


def planes(frame: av.VideoFrame) -> Planes:
    """Writable numpy views of a yuv420p frame's Y, U and V planes (line padding cut off)."""
    luma, u, v = (_plane_view(plane) for plane in frame.planes)
    return luma, u, v


def blend(frame: av.VideoFrame | Planes, sprite: YuvSprite, x: int, y: int) -> None:
    """Composite `sprite` onto the yuv420p `frame` in place, its top-left at (x, y), rounded down to even.

    `frame` may also be its `planes`, taken once for many blends.
    """
    x, y = x - x % 2, y - y % 2
    luma_plane, u_plane, v_plane = planes(frame) if isinstance(frame, av.VideoFrame) else frame
    frame_h, frame_w = luma_plane.shape
    left, top = max(x, 0), max(y, 0)
    right, bottom = min(x + sprite.width, frame_w), min(y + sprite.height, frame_h)
    if right <= left or bottom <= top:
        return
    sx, sy = left - x, top - y
    cut = (slice(sy, sy + bottom - top), slice(sx, sx + right - left))
    _over(luma_plane[top:bottom, left:right], sprite.luma_alpha[cut], sprite.luma[cut])
    chroma_cut = (slice(sy // 2, (sy + bottom - top) // 2), slice(sx // 2, (sx + right - left) // 2))
    chroma_alpha = sprite.chroma_alpha[chroma_cut]
    for index, plane in enumerate((u_plane, v_plane)):
        _over(plane[top // 2 : bottom // 2, left // 2 : right // 2], chroma_alpha, sprite.chroma[index][chroma_cut])


def _over(region: np.ndarray, inverse_alpha: np.ndarray, premultiplied: np.ndarray) -> None:
    """``region = (region * inverse_alpha + premultiplied) >> 8`` in place, with one temporary."""
    work = np.multiply(region, inverse_alpha, dtype=np.uint16)
    work += premultiplied
    np.right_shift(work, 8, out=region, casting="unsafe")
