"""Draw the synthetic set once: a graded backdrop, then far, middle, ground, subject and foreground layers.

The palette grades everything: its darkest colour is the shadows, its lightest the sky at the horizon,
its most saturated the practicals (windows, neon, lamps). The lighting puts a soft key glow on the key
side, shades every layer brighter towards the key, and draws a rim on the side away from it. The setting
(city, interior, nature, sea, desert, space, open) picks the shapes; the seed places them. Shapes are
drawn at twice the canvas resolution and reduced, so their edges are smooth.
"""

from __future__ import annotations

import random
import re
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from cinebrief.backends.previz import colours
from cinebrief.backends.previz.canvas import DEPTHS, Canvas, Roles
from cinebrief.backends.previz.colours import RGB
from cinebrief.backends.previz.plan import Storyboard
from cinebrief.backends.previz.plate import Layer, SyntheticPlate, has_parallax, margins
from cinebrief.backends.previz.set_pieces import LAYER_PAINTERS, Painter, draw_figures


def build_plate(board: Storyboard, width: int, height: int) -> SyntheticPlate:
    """Every layer of the set for `board`, at the half-resolution frame size `width` x `height`.

    Layers are painted on two threads (Pillow and numpy release the GIL); each has its own seeded random
    source, so the result does not depend on which thread ran first.
    """
    roles = Roles(board)
    path = board.camera
    # The seed recomposes the set a little: another seed is another take on the same description.
    horizon = horizon_line(board) + random.Random(f"{board.seed}-horizon").uniform(-0.06, 0.06)
    parallax = has_parallax(path)
    backdrop_margin = margins(path, 0.0, board.seconds, width, height)
    painters = list(LAYER_PAINTERS.get(board.setting, LAYER_PAINTERS["open"]))
    if board.figures:
        painters.append(("subject", draw_figures))

    def paint(name: str, draw: Painter) -> Layer:
        depth = lens_depth(DEPTHS[name], board.focal_mm)
        margin = margins(path, depth, board.seconds, width, height) if parallax else backdrop_margin
        canvas = Canvas(width, height, margin, horizon)
        draw(canvas, board, roles, random.Random(f"{board.seed}-{board.shot_id}-{name}"))
        if name in ("far", "middle") and board.shallow_focus:
            canvas.blur(2.5 if name == "middle" else 4.0)
        if name == "foreground":
            canvas.blur(5.0)
        return canvas.to_layer(depth, board, roles)

    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="previz-layers") as pool:
        painted = [pool.submit(paint, name, draw) for name, draw in painters]
        rng = random.Random(f"{board.seed}-{board.shot_id}-backdrop")
        backdrop = draw_backdrop(board, roles, width, height, backdrop_margin, horizon, rng)
        layers = sorted((future.result() for future in painted), key=lambda layer: layer.depth)
    return SyntheticPlate(backdrop, layers, width, height, flatten=not parallax)


def lens_depth(depth: float, focal_mm: float) -> float:
    """A long lens compresses depth (layers move more alike), a wide one stretches it; 35 mm is neutral."""
    spread = min(1.6, max(0.4, 35.0 / max(focal_mm, 1.0)))
    return 1.0 + (depth - 1.0) * spread


def horizon_line(board: Storyboard) -> float:
    """Where the horizon sits (fraction of the height): low for a low angle, high for a high one."""
    angle = board.angle.casefold()
    if re.search(r"overhead|top[- ]down|bird", angle):
        return 0.12
    if re.search(r"high", angle):
        return 0.34
    if re.search(r"low|worm|ground", angle):
        return 0.74
    return 0.58 if board.setting != "interior" else 0.66


def vertical_gradient(height: int, width: int, stops: list[tuple[float, RGB]]) -> np.ndarray:
    positions = np.linspace(0.0, 1.0, height, dtype=np.float32)
    columns = [np.interp(positions, [p for p, _ in stops], [c[i] for _, c in stops]) for i in range(3)]
    return np.broadcast_to(np.stack(columns, axis=-1)[:, None, :], (height, width, 3)).astype(np.float32)


def draw_backdrop(
    board: Storyboard,
    roles: Roles,
    width: int,
    height: int,
    margin: tuple[int, int],
    horizon: float,
    rng: random.Random,
) -> np.ndarray:
    """The opaque back plane: sky (or the back wall) graded by the palette, the key glow, sun or stars."""
    margin_x, margin_y = margin
    full_w, full_h = width + 2 * margin_x, height + 2 * margin_y
    horizon_at = (margin_y + horizon * height) / full_h
    ground = colours.mix(roles.shadow, roles.mid, 0.25)
    if board.setting == "interior":
        wall = colours.mix(roles.mid, roles.shadow, 0.45)
        stops = [(0.0, colours.scale(wall, 0.55)), (horizon_at, wall), (1.0, colours.scale(ground, 0.7))]
    else:
        stops = [(0.0, roles.sky_top), (max(0.01, horizon_at - 0.02), roles.horizon), (1.0, ground)]
    sky = vertical_gradient(full_h, full_w, stops)
    light = board.lighting
    glow_x = margin_x + (0.5 + 0.42 * light.key_side) * width
    glow_y = margin_y + (horizon - 0.12) * height
    # Distances from one row and one column, broadcast: no full-size coordinate grids.
    across = ((np.arange(full_w, dtype=np.float32) - glow_x) / (0.7 * width)) ** 2
    down = ((np.arange(full_h, dtype=np.float32)[:, None] - glow_y) / (0.55 * height)) ** 2
    glow = np.clip(1.0 - np.sqrt(across + down), 0.0, 1.0)[..., None] ** 2 * (0.55 if light.night else 0.4)
    sky *= 1 - glow
    sky += np.array(light.key_colour, np.float32) * glow
    if board.setting == "space" or (light.night and board.setting in ("open", "desert", "sea", "nature")):
        stars = np.random.default_rng(board.seed).random((full_h, full_w)) > 0.9985
        if board.setting != "space":
            stars &= np.arange(full_h)[:, None] < margin_y + horizon * height * 0.9
        sky[stars] = 225.0
    return np.clip(sky, 0, 255, out=sky).astype(np.uint8)
