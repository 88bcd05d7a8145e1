"""The drawing surface of one layer and the palette's jobs: shared by the set pieces and the backdrop.

A `Canvas` is drawn at `SUPERSAMPLE` times the layer's resolution (smooth edges after reduction); its
coordinates are fractions of the frame at rest, the margins for camera travel lie beyond 0 and 1.
`to_layer` grades what was drawn with the light: brighter towards the key, a rim on the far side.
"""

from __future__ import annotations

import colorsys

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from cinebrief.backends.previz import colours
from cinebrief.backends.previz.plan import Storyboard
from cinebrief.backends.previz.plate import Layer

SUPERSAMPLE = 2
DEPTHS = {"far": 0.2, "middle": 0.5, "ground": 0.7, "near": 0.85, "subject": 1.0, "foreground": 1.7}


class Roles:
    """The palette by job: shadow, mid, light, accent; and the sky's top and horizon colours."""

    def __init__(self, board: Storyboard) -> None:
        ranked = sorted(board.palette, key=colours.luminance)
        self.shadow = colours.mix(ranked[0], (0, 0, 0), 0.35 if board.lighting.low_key else 0.15)
        self.light = ranked[-1]
        self.mid = ranked[len(ranked) // 2]
        self.accent = max(board.palette, key=lambda rgb: colorsys.rgb_to_hls(*(c / 255 for c in rgb))[2])
        light = board.lighting
        if light.night:
            self.sky_top = colours.mix(self.shadow, (4, 6, 16), 0.6)
            self.horizon = colours.scale(colours.mix(self.mid, self.accent, 0.35), 0.55)
        else:
            self.sky_top = colours.mix(self.mid, (30, 40, 70), 0.25)
            self.horizon = colours.mix(self.light, light.key_colour, 0.3)
        self.haze = colours.mix(self.horizon, self.sky_top, 0.3)


class Canvas:
    """An RGBA drawing surface for one layer at `SUPERSAMPLE` times the layer's resolution."""

    def __init__(self, width: int, height: int, margin: tuple[int, int], horizon: float) -> None:
        self.margin_x, self.margin_y = margin
        self.frame_w, self.frame_h = width, height
        self.size = (width + 2 * self.margin_x, height + 2 * self.margin_y)
        self.image = Image.new("RGBA", (self.size[0] * SUPERSAMPLE, self.size[1] * SUPERSAMPLE), (0, 0, 0, 0))
        self.draw = ImageDraw.Draw(self.image)
        self.emissive: Image.Image | None = None  # made when something glows (most layers have nothing)
        self._glow: ImageDraw.ImageDraw | None = None
        self.horizon_y = (self.margin_y + horizon * height) * SUPERSAMPLE
        self.blur_radius = 0.0

    @property
    def glow(self) -> ImageDraw.ImageDraw:
        """The drawing surface of emissive parts (windows, signs, lamps): the key light does not shade them."""
        if self._glow is None:
            self.emissive = Image.new("RGBA", self.image.size, (0, 0, 0, 0))
            self._glow = ImageDraw.Draw(self.emissive)
        return self._glow

    def x(self, fraction: float) -> float:
        """Frame fraction to drawing x (0 and 1 are the frame's edges at rest; margins lie beyond)."""
        return (self.margin_x + fraction * self.frame_w) * SUPERSAMPLE

    def y(self, fraction: float) -> float:
        return (self.margin_y + fraction * self.frame_h) * SUPERSAMPLE

    @property
    def unit(self) -> float:
        """One percent of the frame height, in drawing pixels."""
        return self.frame_h * SUPERSAMPLE / 100

    @property
    def left(self) -> float:
        return -0.02 - self.margin_x / self.frame_w

    @property
    def right(self) -> float:
        return 1.02 + self.margin_x / self.frame_w

    def blur(self, radius: float) -> None:
        """Defocus the layer (applied after reduction, on premultiplied colour, so edges do not darken)."""
        self.blur_radius = radius

    def to_layer(self, depth: float, board: Storyboard, roles: Roles) -> Layer:
        """Reduce, shade by the key, add the rim, lay the practicals on top, defocus and premultiply.

        The work is done only inside the box that has anything drawn in it (plus room for the blur).
        """
        # Reduced premultiplied (as Pillow's reduce does for RGBA), but made straight again only inside the box.
        base_image = self.image.convert("RGBa").reduce(SUPERSAMPLE)
        emissive = self.emissive
        glow_image = emissive.convert("RGBa").reduce(SUPERSAMPLE) if emissive and emissive.getbbox() else None
        full = np.zeros((base_image.height, base_image.width, 4), dtype=np.uint8)
        box = _union(base_image.getbbox(), glow_image.getbbox() if glow_image else None,
                     pad=int(3 * self.blur_radius) + 2, size=base_image.size)  # fmt: skip
        if box is None:
            return Layer.from_rgba(depth, full, self.margin_x, self.margin_y)
        left, top, right, bottom = box
        # In place on one float array: layers are large and painted two at a time.
        base = np.asarray(base_image.crop(box), dtype=np.float32)
        rgb, alpha = base[..., :3], base[..., 3:4]
        rgb *= 255.0 / np.maximum(alpha, 1.0)
        rgb *= key_ramp(base_image.size, board, depth)[top:bottom, left:right, None]
        light = board.lighting
        if light.rim and DEPTHS["middle"] <= depth <= DEPTHS["subject"]:
            edge = rim_mask(alpha[..., 0] > 127, light.key_side, max(1, round(self.unit / SUPERSAMPLE * 0.3)))
            rgb[edge] = rgb[edge] * 0.25 + np.array(light.rim_colour, np.float32) * 0.85
        if glow_image is not None and glow_image.getbbox() is not None:
            glow = np.asarray(glow_image.crop(box), dtype=np.float32)
            glow_alpha = glow[..., 3:4] / 255
            rgb *= 1 - glow_alpha
            rgb += glow[..., :3]  # premultiplied: the glow's colour times its alpha
            np.maximum(alpha, glow[..., 3:4], out=alpha)
            del glow, glow_alpha
        merged = np.clip(base, 0, 255, out=base).astype(np.uint8)
        del base
        blurred = bool(self.blur_radius)
        if blurred:  # kept premultiplied (RGBa) for the layer, which premultiplies anyway
            image = Image.fromarray(merged, "RGBA").convert("RGBa").filter(ImageFilter.GaussianBlur(self.blur_radius))
            merged = np.asarray(image)
        full[top:bottom, left:right] = merged
        return Layer.from_rgba(depth, full, self.margin_x, self.margin_y, premultiplied=blurred)


def _union(
    a: tuple[int, int, int, int] | None, b: tuple[int, int, int, int] | None, *, pad: int, size: tuple[int, int]
) -> tuple[int, int, int, int] | None:
    """The box holding both boxes, grown by `pad` and kept inside `size`."""
    boxes = [box for box in (a, b) if box is not None]
    if not boxes:
        return None
    return (
        max(0, min(box[0] for box in boxes) - pad),
        max(0, min(box[1] for box in boxes) - pad),
        min(size[0], max(box[2] for box in boxes) + pad),
        min(size[1], max(box[3] for box in boxes) + pad),
    )


def key_ramp(size: tuple[int, int], board: Storyboard, depth: float) -> np.ndarray:
    """Brightness across the canvas: brighter towards the key side, darker overall in low key."""
    width, height = size
    light = board.lighting
    x = np.linspace(-1.0, 1.0, width, dtype=np.float32)[None, :]
    y = np.linspace(0.0, 1.0, height, dtype=np.float32)[:, None]
    strength = 0.35 if light.low_key else 0.22
    ramp = 1.0 + strength * x * light.key_side - 0.12 * y * (depth >= 1.0)
    return np.broadcast_to((ramp * (0.78 if light.low_key else 1.0)).astype(np.float32), (height, width))


def rim_mask(mask: np.ndarray, key_side: float, width: int) -> np.ndarray:
    """Pixels of `mask` within `width` of its edge on the side away from the key (the top when frontal)."""
    shifted = np.zeros_like(mask)
    if key_side < 0:  # key from the left: the rim catches the right edges
        shifted[:, :-width] = mask[:, width:]
    elif key_side > 0:
        shifted[:, width:] = mask[:, :-width]
    else:
        shifted[width:, :] = mask[:-width, :]
    return mask & ~shifted
