"""Set pieces: the shapes of each kind of place, painted on a layer's `Canvas` (city, nature, sea, ...).

Each painter draws one depth layer; the seed (through `rng`) places the shapes. Emissive parts (windows,
signs, lamps, glints) go on the canvas's glow surface so that the key light does not shade them.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable

import numpy as np

from cinebrief.backends.previz import colours
from cinebrief.backends.previz.canvas import SUPERSAMPLE, Canvas, Roles
from cinebrief.backends.previz.colours import RGB
from cinebrief.backends.previz.plan import Storyboard


def _buildings(
    canvas: Canvas,
    rng: random.Random,
    colour: RGB,
    window: RGB,
    *,
    low: float,
    high: float,
    width: tuple[float, float],
    lit: float,
    base: float,
    gap: float,
) -> None:
    x = canvas.left
    while x < canvas.right:
        w = rng.uniform(*width)
        top = base - rng.uniform(low, high)
        box = (canvas.x(x), canvas.y(top), canvas.x(x + w), canvas.y(base) + canvas.unit)
        canvas.draw.rectangle(box, fill=(*colour, 255))
        if rng.random() < 0.35:  # a setback on top
            inset = w * rng.uniform(0.15, 0.3)
            canvas.draw.rectangle(
                (canvas.x(x + inset), canvas.y(top - 0.04), canvas.x(x + w - inset), canvas.y(top)), fill=(*colour, 255)
            )
        step_x, step_y = canvas.unit * 1.6, canvas.unit * 2.2
        for wx in np.arange(box[0] + step_x * 0.6, box[2] - step_x * 0.6, step_x):
            for wy in np.arange(box[1] + step_y * 0.7, box[3] - step_y * 1.2, step_y):
                if rng.random() < lit:
                    canvas.glow.rectangle((wx, wy, wx + step_x * 0.45, wy + step_y * 0.4), fill=(*window, 235))
        x += w + rng.uniform(0.0, gap)


def _ridge(canvas: Canvas, rng: random.Random, colour: RGB, *, base: float, height: float, roughness: int) -> None:
    xs = np.linspace(canvas.left, canvas.right, 240)
    phases = [rng.uniform(0, 6.28) for _ in range(3)]
    profile = sum(np.sin(xs * (k + 1) * roughness + phase) / (k + 1) for k, phase in enumerate(phases))
    ys = base - height * (0.55 + 0.35 * profile / 1.8)
    points = [(canvas.x(x), canvas.y(y)) for x, y in zip(xs, ys, strict=True)]
    points += [(canvas.x(canvas.right), canvas.y(1.2)), (canvas.x(canvas.left), canvas.y(1.2))]
    canvas.draw.polygon(points, fill=(*colour, 255))


def paint_city_far(canvas: Canvas, board: Storyboard, roles: Roles, rng: random.Random) -> None:
    colour = colours.mix(roles.mid, roles.horizon, 0.55)
    base = _frame_horizon(canvas) + 0.02
    _buildings(
        canvas,
        rng,
        colour,
        colours.mix(roles.accent, roles.horizon, 0.5),
        low=0.14,
        high=0.42,
        width=(0.025, 0.07),
        lit=0.1 if board.lighting.night else 0.03,
        base=base,
        gap=0.004,
    )


def paint_city_middle(canvas: Canvas, board: Storyboard, roles: Roles, rng: random.Random) -> None:
    base = _frame_horizon(canvas) + 0.04
    colour = colours.mix(roles.shadow, roles.mid, 0.35)
    _buildings(
        canvas,
        rng,
        colour,
        roles.accent,
        low=0.1,
        high=0.34,
        width=(0.07, 0.15),
        lit=0.18 if board.lighting.night else 0.05,
        base=base,
        gap=0.08,
    )
    for _ in range(rng.randint(2, 4)):  # neon or shop signs
        x, y = rng.uniform(0.0, 0.95), base - rng.uniform(0.08, 0.3)
        tint = rng.choice(board.palette)
        box = (canvas.x(x), canvas.y(y), canvas.x(x + rng.uniform(0.04, 0.09)), canvas.y(y + 0.035))
        canvas.glow.rounded_rectangle(box, radius=canvas.unit, fill=(*colours.mix(tint, (255, 255, 255), 0.2), 240))


def _frame_horizon(canvas: Canvas) -> float:
    return (canvas.horizon_y / SUPERSAMPLE - canvas.margin_y) / canvas.frame_h


def paint_ground(canvas: Canvas, board: Storyboard, roles: Roles, rng: random.Random) -> None:
    """The floor from the horizon down, with perspective lines to a vanishing point (and reflections)."""
    top = _frame_horizon(canvas) + (0.04 if board.setting == "city" else 0.0)
    surfaces = {
        "city": colours.mix(roles.shadow, (40, 42, 48), 0.4),
        "interior": colours.mix(roles.mid, roles.shadow, 0.55),
        "sea": colours.mix(colours.mix(roles.horizon, roles.shadow, 0.45), (28, 62, 92), 0.55),
        "desert": colours.mix(roles.light, (200, 160, 110), 0.5),
        "nature": colours.mix(roles.shadow, (50, 90, 45), 0.5),
    }
    surface = surfaces.get(board.setting, colours.mix(roles.shadow, roles.mid, 0.4))
    left, right = canvas.x(canvas.left), canvas.x(canvas.right)
    steps = 24
    for k in range(steps):  # a banded gradient: darker towards the camera
        y0 = top + (1.25 - top) * k / steps
        y1 = top + (1.25 - top) * (k + 1) / steps
        shade = colours.scale(surface, 1.0 - 0.45 * k / steps)
        canvas.draw.rectangle((left, canvas.y(y0), right, canvas.y(y1) + 1), fill=(*shade, 255))
    line = colours.mix(surface, roles.light, 0.25)
    vanish_x = 0.5 + 0.1 * board.lighting.key_side
    if board.setting in ("city", "interior", "open"):
        for k in range(-9, 10):
            canvas.draw.line(
                (canvas.x(vanish_x), canvas.y(top), canvas.x(vanish_x + k * 0.16), canvas.y(1.25)),
                fill=(*line, 150),
                width=max(1, round(canvas.unit * 0.25)),
            )
    if board.setting == "city" and re.search(r"crosswalk|zebra", board.scene_text):
        for k in range(-7, 8):
            x0 = vanish_x + k * 0.09
            canvas.draw.polygon(
                [
                    (canvas.x(x0), canvas.y(0.78)),
                    (canvas.x(x0 + 0.045), canvas.y(0.78)),
                    (canvas.x(x0 + 0.06), canvas.y(0.9)),
                    (canvas.x(x0 - 0.0), canvas.y(0.9)),
                ],
                fill=(*colours.mix(roles.light, (235, 235, 230), 0.7), 200),
            )
    if board.setting == "sea" or board.weather == "rain" or "wet" in board.scene_text:
        for _ in range(14):  # glints and reflections
            x = rng.uniform(0.0, 1.0)
            tint = colours.mix(rng.choice(board.palette), board.lighting.key_colour, 0.4)
            y = rng.uniform(top + 0.02, 0.95)
            canvas.glow.rectangle(
                (canvas.x(x), canvas.y(y), canvas.x(x + rng.uniform(0.01, 0.05)), canvas.y(y) + canvas.unit * 0.35),
                fill=(*tint, 120),
            )


def paint_nature_far(canvas: Canvas, board: Storyboard, roles: Roles, rng: random.Random) -> None:
    _ridge(
        canvas,
        rng,
        colours.mix(roles.mid, roles.horizon, 0.6),
        base=_frame_horizon(canvas) + 0.02,
        height=0.22,
        roughness=3,
    )


def paint_nature_middle(canvas: Canvas, board: Storyboard, roles: Roles, rng: random.Random) -> None:
    base = _frame_horizon(canvas) + 0.03
    foliage = colours.mix(roles.shadow, (40, 80, 45), 0.45)
    x = canvas.left
    while x < canvas.right:
        size = rng.uniform(0.12, 0.26)
        trunk = colours.scale(foliage, 0.7)
        canvas.draw.rectangle(
            (canvas.x(x - 0.004), canvas.y(base - size * 0.4), canvas.x(x + 0.004), canvas.y(base)), fill=(*trunk, 255)
        )
        canvas.draw.ellipse(
            (
                canvas.x(x - size * 0.22),
                canvas.y(base - size * 1.05),
                canvas.x(x + size * 0.22),
                canvas.y(base - size * 0.3),
            ),
            fill=(*foliage, 255),
        )
        x += rng.uniform(0.06, 0.2)


def paint_low_hills(canvas: Canvas, board: Storyboard, roles: Roles, rng: random.Random) -> None:
    _ridge(
        canvas,
        rng,
        colours.mix(roles.mid, roles.horizon, 0.5),
        base=_frame_horizon(canvas) + 0.01,
        height=0.07,
        roughness=2,
    )


def paint_dunes(canvas: Canvas, board: Storyboard, roles: Roles, rng: random.Random) -> None:
    _ridge(
        canvas,
        rng,
        colours.mix(roles.light, roles.mid, 0.45),
        base=_frame_horizon(canvas) + 0.06,
        height=0.12,
        roughness=2,
    )


def paint_interior_middle(canvas: Canvas, board: Storyboard, roles: Roles, rng: random.Random) -> None:
    """A window on the key side, a doorway, a counter and a practical lamp."""
    horizon = _frame_horizon(canvas)
    key_x = 0.5 + (0.3 + rng.uniform(-0.08, 0.08)) * (board.lighting.key_side or rng.choice((-1, 1)))
    window = colours.mix(board.lighting.key_colour, roles.light, 0.4)
    canvas.glow.rectangle(
        (canvas.x(key_x - 0.1), canvas.y(horizon - 0.5), canvas.x(key_x + 0.1), canvas.y(horizon - 0.12)),
        fill=(*window, 200),
    )
    frame = colours.mix(roles.shadow, roles.mid, 0.3)
    for offset in (-0.1, 0.0, 0.1):
        canvas.draw.rectangle(
            (
                canvas.x(key_x + offset - 0.006),
                canvas.y(horizon - 0.5),
                canvas.x(key_x + offset + 0.006),
                canvas.y(horizon - 0.12),
            ),
            fill=(*frame, 255),
        )
    door_x = 1.0 - key_x
    canvas.draw.rectangle(
        (canvas.x(door_x - 0.07), canvas.y(horizon - 0.45), canvas.x(door_x + 0.07), canvas.y(horizon + 0.02)),
        fill=(*colours.scale(frame, 0.7), 255),
    )
    canvas.draw.rectangle(
        (canvas.x(canvas.left), canvas.y(horizon - 0.02), canvas.x(canvas.right), canvas.y(horizon + 0.1)),
        fill=(*colours.mix(roles.shadow, roles.mid, 0.5), 255),
    )
    lamp_x = rng.uniform(0.2, 0.8)
    canvas.glow.ellipse(
        (canvas.x(lamp_x - 0.03), canvas.y(horizon - 0.1), canvas.x(lamp_x + 0.03), canvas.y(horizon - 0.04)),
        fill=(*colours.mix(roles.accent, (255, 220, 170), 0.5), 230),
    )


def paint_waterfront(canvas: Canvas, board: Storyboard, roles: Roles, rng: random.Random) -> None:
    """A pier on pilings and, when the text names one, a boat on the water."""
    horizon = _frame_horizon(canvas)
    wood = colours.mix(roles.shadow, (90, 70, 50), 0.4)
    if re.search(r"pier|dock|jetty|wharf|pilings|bollard", board.scene_text):
        side = -1 if rng.random() < 0.5 else 1
        inner, outer = (0.55, canvas.right) if side > 0 else (canvas.left, 0.45)
        deck = horizon + 0.16
        canvas.draw.polygon(
            [(canvas.x(inner), canvas.y(deck)), (canvas.x(outer), canvas.y(deck - 0.02)),
             (canvas.x(outer), canvas.y(deck + 0.05)), (canvas.x(inner), canvas.y(deck + 0.03))],
            fill=(*wood, 255),
        )  # fmt: skip
        for x in np.linspace(min(inner, outer), max(inner, outer), 9):
            canvas.draw.rectangle((canvas.x(x - 0.005), canvas.y(deck), canvas.x(x + 0.005), canvas.y(deck + 0.14)),
                                  fill=(*colours.scale(wood, 0.7), 255))  # fmt: skip
    if re.search(r"ferry|boat|ship|trawler|yacht|barge", board.scene_text):
        x, y = rng.uniform(0.3, 0.6), horizon + 0.05
        hull = colours.mix(roles.light, (220, 220, 215), 0.5)
        canvas.draw.polygon(
            [(canvas.x(x), canvas.y(y)), (canvas.x(x + 0.3), canvas.y(y)), (canvas.x(x + 0.27), canvas.y(y + 0.06)),
             (canvas.x(x + 0.02), canvas.y(y + 0.06))],
            fill=(*colours.scale(hull, 0.8), 255),
        )  # fmt: skip
        canvas.draw.rectangle((canvas.x(x + 0.07), canvas.y(y - 0.07), canvas.x(x + 0.2), canvas.y(y)),
                              fill=(*hull, 255))  # fmt: skip
        for k in range(5):
            wx = x + 0.085 + k * 0.022
            canvas.glow.rectangle((canvas.x(wx), canvas.y(y - 0.05), canvas.x(wx + 0.012), canvas.y(y - 0.03)),
                                  fill=(*roles.shadow, 230))  # fmt: skip


def paint_planet(canvas: Canvas, board: Storyboard, roles: Roles, rng: random.Random) -> None:
    """A planet low in frame, lit on the key side, with a thin atmosphere."""
    x, y, radius = rng.uniform(0.3, 0.7), rng.uniform(0.75, 0.95), rng.uniform(0.35, 0.5)
    body = colours.mix(roles.mid, roles.accent, 0.35)
    aspect = canvas.frame_h / canvas.frame_w
    box = (canvas.x(x - radius * aspect), canvas.y(y - radius), canvas.x(x + radius * aspect), canvas.y(y + radius))
    glow = tuple(value - 2 * canvas.unit if k < 2 else value + 2 * canvas.unit for k, value in enumerate(box))
    canvas.draw.ellipse(glow, fill=(*colours.mix(roles.light, (150, 200, 255), 0.5), 120))
    canvas.draw.ellipse(box, fill=(*body, 255))


def paint_foreground(canvas: Canvas, board: Storyboard, roles: Roles, rng: random.Random) -> None:
    """One dark out-of-focus shape at a frame edge: a post, a door frame or leaves."""
    side = -board.lighting.key_side or rng.choice((-1, 1))
    x = 0.03 if side < 0 else 0.97
    dark = colours.scale(roles.shadow, 0.6)
    if board.setting == "nature":
        for _ in range(5):
            cx, cy = x + rng.uniform(-0.06, 0.06), rng.uniform(-0.05, 0.4)
            canvas.draw.ellipse(
                (canvas.x(cx - 0.07), canvas.y(cy - 0.1), canvas.x(cx + 0.07), canvas.y(cy + 0.1)), fill=(*dark, 255)
            )
    else:
        canvas.draw.rectangle(
            (canvas.x(x - 0.025), canvas.y(-0.3), canvas.x(x + 0.025), canvas.y(1.3)), fill=(*dark, 255)
        )


def draw_figures(canvas: Canvas, board: Storyboard, roles: Roles, rng: random.Random) -> None:
    """Stand-in silhouettes for the cast, sized by the framing (a close-up is head and shoulders)."""
    count = len(board.figures)
    scale = board.figure_scale
    visible = 1 if scale >= 2.0 else count
    spots = {1: [rng.choice((0.42, 0.58))], 2: [0.34, 0.66], 3: [0.25, 0.5, 0.75]}[min(visible, 3)]
    feet = min(0.97, _frame_horizon(canvas) + 0.3) if scale < 1.2 else None
    shift = rng.uniform(-0.07, 0.07)
    for index, spot in enumerate(spot + shift for spot in spots[:visible]):
        height = scale
        top = (feet - height) if feet is not None else 0.36 - 0.065 * height
        body = board.figure_colours[index] if index < len(board.figure_colours) else None
        _figure(canvas, spot, top, height, roles, body)


def _figure(canvas: Canvas, centre: float, top: float, height: float, roles: Roles, body: RGB | None) -> None:
    """A stand-in: head, neck, shoulders and torso, legs; proportions of an adult about 7.5 heads tall."""
    aspect = canvas.frame_h / canvas.frame_w
    skin = colours.scale(colours.mix(roles.shadow, (150, 110, 90), 0.4), 0.9)
    cloth = colours.scale(colours.mix(body, roles.shadow, 0.3), 0.9) if body else colours.scale(roles.shadow, 0.8)

    def box(x0: float, y0: float, x1: float, y1: float) -> tuple[float, float, float, float]:
        return (
            canvas.x(centre + x0 * height * aspect),
            canvas.y(top + y0 * height),
            canvas.x(centre + x1 * height * aspect),
            canvas.y(top + y1 * height),
        )

    radius = canvas.unit * 100 * height * 0.06
    canvas.draw.rounded_rectangle(box(-0.125, 0.165, 0.125, 0.56), radius=radius, fill=(*cloth, 255))
    canvas.draw.rectangle(box(-0.022, 0.115, 0.022, 0.175), fill=(*colours.scale(skin, 0.85), 255))
    canvas.draw.ellipse(box(-0.05, 0.0, 0.05, 0.135), fill=(*skin, 255))
    canvas.draw.chord(box(-0.051, -0.004, 0.051, 0.1), 180, 360, fill=(*colours.scale(roles.shadow, 0.55), 255))
    legs = colours.scale(cloth, 0.7)
    canvas.draw.rounded_rectangle(box(-0.1, 0.52, -0.012, 1.0), radius=radius / 3, fill=(*legs, 255))
    canvas.draw.rounded_rectangle(box(0.012, 0.52, 0.1, 1.0), radius=radius / 3, fill=(*legs, 255))


Painter = Callable[[Canvas, Storyboard, Roles, random.Random], None]
LAYER_PAINTERS: dict[str, list[tuple[str, Painter]]] = {
    "city": [
        ("far", paint_city_far),
        ("middle", paint_city_middle),
        ("ground", paint_ground),
        ("foreground", paint_foreground),
    ],
    "nature": [
        ("far", paint_nature_far),
        ("ground", paint_ground),
        ("middle", paint_nature_middle),
        ("foreground", paint_foreground),
    ],
    "sea": [("far", paint_low_hills), ("ground", paint_ground), ("near", paint_waterfront)],
    "desert": [("far", paint_dunes), ("ground", paint_ground)],
    "interior": [("middle", paint_interior_middle), ("ground", paint_ground), ("foreground", paint_foreground)],
    "space": [("far", paint_planet)],
    "open": [("far", paint_low_hills), ("ground", paint_ground)],
}
