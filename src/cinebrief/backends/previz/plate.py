"""The moving picture under the overlays: parallax layers composed per frame at half resolution, in YUV.

Everything is converted to planar YUV 4:4:4 (BT.601 limited range) once, when the set is built, so no
frame pays for a colour conversion. Layers are premultiplied; a frame is composed by slicing each layer
at its camera offset (integer pixels of the half-resolution canvas) and blending only the rows the layer
covers. When the move has no parallax every layer shifts alike, so they are flattened into one plate at
build time and a frame costs a slice. The half-resolution chroma planes are exactly the chroma of the
yuv420p output: only the luma is scaled (by swscale, bilinear), and the chroma only under a zoom, whose
centred crop is scaled to the output size. A reference image is a single full-resolution plate with a
mirrored, softened border, so that a pull-out has something to reveal; lateral moves over it zoom in
just enough to stay inside.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageFilter

from cinebrief.backends.previz.camera import CameraPath, CameraState
from cinebrief.media.yuv import Planes, rgb_to_yuv, scale_plane, yuv_planes

SYNTH_SCALE = 0.5  # the synthetic scene is drawn at half the output's width and height
REFERENCE_BORDER = 0.2  # mirrored border around a reference, as a fraction of each side
_YUV_BLACK = rgb_to_yuv(np.zeros(3, dtype=np.float32))  # the offsets of Y, U and V


@dataclass
class Layer:
    """One depth plane on a canvas with margins: premultiplied YUV and inverse alpha (scaled by 256).

    `rows` and `columns` bound the layer's coverage; inside them, `solid` rows are opaque edge to edge and
    are copied rather than blended. The premultiplied planes carry a rounding half (128), so that the
    blend's shift rounds rather than truncates.
    """

    depth: float
    premultiplied: np.ndarray  # (3, H, W) uint16: Y, U, V times alpha, plus 128
    inverse_alpha: np.ndarray  # (H, W) uint16: 256 - alpha
    margin_x: int
    margin_y: int
    rows: tuple[int, int]
    columns: tuple[int, int]
    solid: tuple[int, int]

    @classmethod
    def from_rgba(
        cls, depth: float, rgba: np.ndarray, margin_x: int, margin_y: int, *, premultiplied: bool = False
    ) -> Layer:
        """From an RGBA uint8 canvas ``(H, W, 4)``, its colour already multiplied by alpha if `premultiplied`.

        The colour is converted only where something is drawn.
        """
        alpha = rgba[..., 3].astype(np.uint16) + (rgba[..., 3] >> 7)  # 0..255 to 0..256
        covered = alpha > 0
        rows, columns = np.flatnonzero(covered.any(axis=1)), np.flatnonzero(covered.any(axis=0))
        opaque_rows = np.flatnonzero((alpha == 256).all(axis=1))
        colour = np.zeros((3, *alpha.shape), dtype=np.uint16)
        inverse_alpha = 256 - alpha
        bounds = (int(rows[0]), int(rows[-1]) + 1, int(columns[0]), int(columns[-1]) + 1) if rows.size else None
        if bounds is not None:
            top, bottom, left, right = bounds
            for row in range(top, bottom, 64):  # in bands, so the float copy stays small
                band = (slice(row, min(row + 64, bottom)), slice(left, right))
                yuv = rgb_to_yuv(rgba[band][..., :3])
                if premultiplied:  # 256 * (M rgb a/255) + offset * alpha, where rgb_to_yuv(0) is the offset
                    yuv = yuv * 256.0 - _YUV_BLACK * inverse_alpha[band][..., None]
                else:
                    yuv *= alpha[band][..., None]
                colour[:, band[0], band[1]] = np.rint(yuv + 128.0).transpose(2, 0, 1)
        return cls(
            depth=depth,
            premultiplied=colour,
            inverse_alpha=inverse_alpha,
            margin_x=margin_x,
            margin_y=margin_y,
            rows=(bounds[0], bounds[1]) if bounds else (0, 0),
            columns=(bounds[2], bounds[3]) if bounds else (0, 0),
            solid=_longest_run(opaque_rows),
        )

    def draw(self, out: np.ndarray, left: int, top: int, scratch: np.ndarray) -> None:
        """Composite onto `out` (the frame's planes) with the frame's corner at canvas position (left, top).

        `scratch` is a uint16 array of `out`'s shape that the blend may overwrite.
        """
        height, width = out.shape[1:]
        x0, x1 = max(self.columns[0] - left, 0), min(self.columns[1] - left, width)
        for first, last, solid in self._bands(top, height):
            if last <= first or x1 <= x0:
                continue
            rows, columns = slice(top + first, top + last), slice(left + x0, left + x1)
            region, colour = out[:, first:last, x0:x1], self.premultiplied[:, rows, columns]
            if solid:  # opaque: the premultiplied colour is the colour times 256 (plus the rounding half)
                np.right_shift(colour, 8, out=region, casting="unsafe")
            else:
                work = scratch[:, first:last, x0:x1]
                np.multiply(region, self.inverse_alpha[rows, columns], out=work)
                work += colour
                np.right_shift(work, 8, out=region, casting="unsafe")

    def _bands(self, top: int, height: int) -> list[tuple[int, int, bool]]:
        """Frame row ranges to blend, copy, blend (the solid run in the middle)."""
        start, stop = max(self.rows[0] - top, 0), min(self.rows[1] - top, height)
        solid_start, solid_stop = min(max(self.solid[0] - top, start), stop), max(min(self.solid[1] - top, stop), start)
        if solid_stop <= solid_start:
            return [(start, stop, False)]
        return [(start, solid_start, False), (solid_start, solid_stop, True), (solid_stop, stop, False)]


def _longest_run(indices: np.ndarray) -> tuple[int, int]:
    """The longest run of consecutive integers in sorted `indices`, as a half-open range."""
    if indices.size == 0:
        return (0, 0)
    breaks = np.flatnonzero(np.diff(indices) != 1)
    starts = np.concatenate([[0], breaks + 1])
    stops = np.concatenate([breaks + 1, [indices.size]])
    best = int(np.argmax(stops - starts))
    return int(indices[starts[best]]), int(indices[stops[best] - 1]) + 1


def margins(path: CameraPath, depth: float, seconds: float, width: int, height: int) -> tuple[int, int]:
    """Canvas margins (pixels) a layer at `depth` needs so the camera never sees past its edges."""
    reach_x, reach_y, _ = path.reach(depth, seconds)
    return int(np.ceil(reach_x * width)) + 4, int(np.ceil(reach_y * height)) + 4


def has_parallax(path: CameraPath) -> bool:
    return any(move.kind in ("travel", "crane", "arc") for move in path.moves)


class SyntheticPlate:
    """Composes the scene's layers for a camera state; the first layer is the opaque backdrop.

    `backdrop` is RGB uint8 ``(H, W, 3)``; it is converted to YUV planes here.
    """

    def __init__(self, backdrop: np.ndarray, layers: list[Layer], width: int, height: int, *, flatten: bool):
        self.width, self.height = width, height  # the half-resolution frame
        self.margin_x = (backdrop.shape[1] - width) // 2
        self.margin_y = (backdrop.shape[0] - height) // 2
        self.backdrop = yuv_planes(backdrop)
        self.layers = layers
        self._scratch = np.empty((3, height, width), dtype=np.uint16)
        if flatten:
            self.backdrop = self._flatten()
            self.layers = []
        # One buffer per partial stack (backdrop + layers[0..k]) and the offsets it was drawn with.
        self._stack = [np.empty((3, height, width), dtype=np.uint8) for _ in self.layers]
        self._keys: list[tuple[int, int]] = []

    def _flatten(self) -> np.ndarray:
        flat = self.backdrop.copy()
        scratch = np.empty(flat.shape, dtype=np.uint16)
        for layer in self.layers:
            layer.draw(flat, layer.margin_x - self.margin_x, layer.margin_y - self.margin_y, scratch)
        return flat

    def compose(self, state: CameraState) -> np.ndarray:
        """The half-resolution YUV planes ``(3, h, w)`` for `state` (a view or a reused buffer: copy to keep it).

        Layers are stacked back to front and every partial stack is cached with the whole-pixel offsets
        it was drawn at: in a slow move the far layers keep their offset for many frames, so only the
        layers that did move are drawn again.
        """
        dx, dy = state.layer_offset(0.0)
        base = self._slice(self.backdrop, self.margin_x, self.margin_y, dx, dy)
        if not self.layers:
            return base
        keys = self.offsets(state)
        reuse = 0
        while reuse < len(self.layers) and self._keys[: reuse + 2] == keys[: reuse + 2]:
            reuse += 1
        for level in range(reuse, len(self.layers)):
            out = self._stack[level]
            if level > 0:
                np.copyto(out, self._stack[level - 1])
            else:
                np.copyto(out, base)
            layer = self.layers[level]
            shift_x, shift_y = keys[level + 1]
            layer.draw(out, layer.margin_x + shift_x, layer.margin_y + shift_y, self._scratch)
        self._keys = keys
        return self._stack[-1]

    def offsets(self, state: CameraState) -> list[tuple[int, int]]:
        """The whole-pixel shift of the backdrop and of every layer: equal offsets, equal pictures."""
        depths = [0.0] + [layer.depth for layer in self.layers]
        shifts = [state.layer_offset(depth) for depth in depths]
        return [(round(dx * self.width), round(dy * self.height)) for dx, dy in shifts]

    def picture_key(self, state: CameraState) -> tuple[object, ...]:
        """Two states with the same key give the same output frame."""
        return (*self.offsets(state), zoom_box(self.width, self.height, state.zoom))

    def _slice(self, canvas: np.ndarray, margin_x: int, margin_y: int, dx: float, dy: float) -> np.ndarray:
        left = min(max(margin_x + round(dx * self.width), 0), canvas.shape[2] - self.width)
        top = min(max(margin_y + round(dy * self.height), 0), canvas.shape[1] - self.height)
        return canvas[:, top : top + self.height, left : left + self.width]


def zoom_box(width: int, height: int, zoom: float) -> tuple[int, int, int, int]:
    """The centred crop (left, top, crop width, crop height) that a zoom of `zoom` shows."""
    crop_w = min(width, max(2, round(width / zoom)))
    crop_h = min(height, max(2, round(height / zoom)))
    return (width - crop_w) // 2, (height - crop_h) // 2, crop_w, crop_h


def to_output(planes: np.ndarray, box: tuple[int, int, int, int], width: int, height: int) -> Planes:
    """Crop `box` out of YUV 4:4:4 `planes` and scale it to new yuv420p planes of the output size.

    The luma goes to the full size, the chroma to half of it (often already its size: then it is copied).
    """
    left, top, crop_w, crop_h = box
    crop = planes[:, top : top + crop_h, left : left + crop_w]
    luma = scale_plane(crop[0], width, height)
    u, v = (scale_plane(crop[index], width // 2, height // 2) for index in (1, 2))
    return luma, u, v


class ReferencePlate:
    """An input_reference as the plate: frame 0 is the image itself; the camera moves over it."""

    def __init__(self, image: Image.Image, path: CameraPath) -> None:
        self.width, self.height = image.size
        self.border_x = round(self.width * REFERENCE_BORDER)
        self.border_y = round(self.height * REFERENCE_BORDER)
        self.canvas = yuv_planes(self._extend(np.asarray(image.convert("RGB"))))  # (3, H, W) YUV
        self.path = path

    def _extend(self, pixels: np.ndarray) -> np.ndarray:
        """Mirror the image into a border, then soften and darken only the border."""
        padded = np.pad(pixels, ((self.border_y, self.border_y), (self.border_x, self.border_x), (0, 0)), "reflect")
        soft = np.asarray(Image.fromarray(padded).filter(ImageFilter.GaussianBlur(radius=12)), dtype=np.uint16)
        soft = (soft * 180 >> 8).astype(np.uint8)
        soft[self.border_y : self.border_y + self.height, self.border_x : self.border_x + self.width] = pixels
        return soft

    def picture_key(self, state: CameraState) -> tuple[object, ...]:
        return self.box(state)

    def box(self, state: CameraState) -> tuple[int, int, int, int]:
        """The crop of the extended canvas the camera sees in `state`."""
        dx, dy = state.layer_offset(1.0)
        # Lateral moves zoom in just enough to stay inside the picture (Ken Burns), pull-outs reveal the border.
        zoom = state.zoom
        if zoom >= 1.0 or dx or dy:
            zoom = max(zoom, 1.0 / max(1e-3, 1.0 - 2.0 * abs(dx)), 1.0 / max(1e-3, 1.0 - 2.0 * abs(dy)))
        canvas_h, canvas_w = self.canvas.shape[1:]
        crop_w = min(canvas_w, round(self.width / zoom))
        crop_h = min(canvas_h, round(self.height / zoom))
        centre_x = self.border_x + self.width / 2 + dx * self.width
        centre_y = self.border_y + self.height / 2 + dy * self.height
        left = int(min(max(round(centre_x - crop_w / 2), 0), canvas_w - crop_w))
        top = int(min(max(round(centre_y - crop_h / 2), 0), canvas_h - crop_h))
        return left, top, crop_w, crop_h
