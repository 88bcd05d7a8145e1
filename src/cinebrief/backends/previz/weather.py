"""Falling rain and snow: a seeded texture that scrolls down the frame, lightening what is behind it.

The texture is drawn once at the plate's resolution and wraps vertically. It is sparse (about one pixel
in a hundred is a drop), so it is kept as a list of lit pixels: per frame only those pixels of the YUV
plate are read, taken to RGB, lightened (`np.maximum`, as rain and snow only ever add light) and written
back, on a copy of the plate.
"""

from __future__ import annotations

import random

import numpy as np
from PIL import Image, ImageDraw

from cinebrief.backends.previz.colours import RGB, mix
from cinebrief.media.yuv import rgb_to_yuv, yuv_to_rgb

# (drops per 10,000 pixels, fall speed in frame heights per second, slant in x per y, frames a drawing is
# held). Weather is drawn on threes or twos, as hand animation times its effects: fast rain reads as rain
# at 8 drawings a second, and each new drawing is what the encoder pays for (a drawing moves every drop);
# slow snow is drawn on twos, so that its flakes glide rather than hop.
KINDS = {"rain": (6.0, 1.6, 0.18, 3), "snow": (5.0, 0.14, 0.0, 2)}


class Weather:
    def __init__(self, kind: str, width: int, height: int, *, seed: int, light: RGB, fps: int) -> None:
        density, self.speed, slant, self.hold = KINDS[kind]
        self.height, self.fps = height, fps
        rng = random.Random(f"{seed}-{kind}")
        image = Image.new("RGB", (width, height), (0, 0, 0))
        draw = ImageDraw.Draw(image)
        colour = mix(light, (255, 255, 255), 0.5)
        for _ in range(int(width * height * density / 10_000)):
            x, y = rng.uniform(0, width), rng.uniform(0, height)
            level = rng.uniform(0.25, 0.6)
            tint = tuple(round(channel * level) for channel in colour)
            for wrap in (0, -height):  # drawn twice, so the texture wraps top to bottom
                if kind == "rain":
                    length = rng.uniform(0.02, 0.045) * height
                    draw.line((x, y + wrap, x + slant * length, y + wrap + length), fill=tint, width=1)
                else:
                    radius = rng.uniform(0.6, 1.6)
                    draw.ellipse((x - radius, y + wrap - radius, x + radius, y + wrap + radius), fill=tint)
        tile = np.asarray(image)
        self._rows, self._columns = np.nonzero(tile.any(axis=2))
        self._colours = tile[self._rows, self._columns].astype(np.float32)  # (drops, 3) RGB
        self._out: np.ndarray | None = None

    def step(self, index: int) -> int:
        """The frame whose drawing frame `index` shows (each drawing is held `hold` frames)."""
        return index - index % self.hold

    def apply(self, planes: np.ndarray, index: int) -> np.ndarray:
        """YUV planes ``(3, h, w)`` of `planes` with the texture at frame `index` lightened over them.

        The result is a buffer of this object's, overwritten by the next call: copy it to keep it.
        """
        if self._out is None or self._out.shape != planes.shape:
            self._out = np.empty_like(planes)
        out = self._out
        np.copyto(out, planes)
        offset = int(self.step(index) * self.speed * self.height / self.fps) % self.height
        rows = self._rows + offset
        rows[rows >= self.height] -= self.height
        behind = yuv_to_rgb(out[:, rows, self._columns].T)
        lit = rgb_to_yuv(np.maximum(np.clip(behind, 0, 255, out=behind), self._colours, out=behind))
        out[:, rows, self._columns] = np.clip(np.rint(lit), 0, 255).T
        return out
