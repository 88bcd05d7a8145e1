"""Falling rain and snow: a seeded texture that scrolls down the frame, lightening what is behind it.

The texture is drawn once at the plate's resolution and wraps vertically, so a frame costs one slice and
one `np.maximum` (rain and snow only ever add light).
"""

from __future__ import annotations

import random

import numpy as np
from PIL import Image, ImageDraw

from cinebrief.backends.previz.colours import RGB, mix

# (drops per 10,000 pixels, fall speed in frame heights per second, slant in x per y)
KINDS = {"rain": (6.0, 1.6, 0.18), "snow": (5.0, 0.14, 0.0)}


class Weather:
    def __init__(self, kind: str, width: int, height: int, *, seed: int, light: RGB, fps: int) -> None:
        density, self.speed, slant = KINDS[kind]
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
        self.texture = np.concatenate([tile, tile], axis=0)

    @staticmethod
    def step(index: int) -> int:
        """Weather moves on twos (12 drawings a second, as hand animation does): half the work, same read."""
        return index - index % 2

    def apply(self, rgb: np.ndarray, index: int) -> np.ndarray:
        """A new frame: `rgb` with the falling texture at frame `index` lightened over it."""
        offset = int(self.step(index) * self.speed * self.height / self.fps) % self.height
        start = self.height - offset
        height, width = rgb.shape[:2]
        return np.maximum(rgb, self.texture[start : start + height, :width])
