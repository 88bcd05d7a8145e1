"""Draw `refs/pier.png`, the first frame of the ferry sequence: 1280x720, the request's exact size.

Deterministic (flat shapes, no randomness) and small: run it again and the bytes are the same.

    python examples/make_reference.py
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

SIZE = (1280, 720)
OUTPUT = Path(__file__).resolve().parent / "refs" / "pier.png"

# The brief's palette anchors: slate grey, oilskin yellow, rust orange, sea green.
SKY_TOP, SKY_LOW = (92, 101, 112), (168, 174, 178)
SEA, SEA_LINE = (58, 104, 96), (78, 124, 114)
TIMBER, PILING = (96, 70, 52), (70, 50, 38)
HULL, CABIN, FUNNEL, WINDOW = (184, 84, 44), (222, 220, 210), (226, 182, 44), (60, 66, 74)


def draw_pier() -> Image.Image:
    image = Image.new("RGB", SIZE, SKY_LOW)
    draw = ImageDraw.Draw(image)
    width, height = SIZE
    horizon = 400
    # 1. Overcast sky in flat bands, darker at the top.
    bands = 8
    for index in range(bands):
        mix = index / (bands - 1)
        colour = tuple(round(top + (low - top) * mix) for top, low in zip(SKY_TOP, SKY_LOW, strict=True))
        draw.rectangle((0, index * horizon // bands, width, (index + 1) * horizon // bands), fill=colour)
    # 2. Sea with a few ripple lines.
    draw.rectangle((0, horizon, width, height), fill=SEA)
    for row in range(horizon + 24, height, 36):
        draw.line((0, row, width, row), fill=SEA_LINE, width=2)
    # 3. The ferry, mid-distance, heading for the pier.
    draw.polygon([(180, 430), (620, 430), (590, 490), (220, 490)], fill=HULL)
    draw.rectangle((280, 370, 520, 430), fill=CABIN)
    for left in range(300, 500, 40):
        draw.rectangle((left, 385, left + 24, 405), fill=WINDOW)
    draw.rectangle((440, 320, 480, 370), fill=FUNNEL)
    # 4. The pier: a deck running in from the right on pilings, a bollard at its end.
    draw.polygon([(760, 520), (width, 470), (width, 520), (760, 560)], fill=TIMBER)
    for left in range(780, width, 70):
        top = 520 - (left - 760) * 50 // (width - 760) + 20
        draw.rectangle((left, top, left + 14, height), fill=PILING)
    draw.ellipse((790, 500, 822, 524), fill=PILING)
    return image


def main() -> None:
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    draw_pier().save(OUTPUT, format="PNG", optimize=True)
    print(f"wrote {OUTPUT.relative_to(Path.cwd()) if OUTPUT.is_relative_to(Path.cwd()) else OUTPUT}")


if __name__ == "__main__":
    main()
