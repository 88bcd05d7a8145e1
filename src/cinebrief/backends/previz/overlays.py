"""The animatic's graphics: slate, PREVIZ mark, action beat cards, subtitles, timeline and timecode.

Every piece of text is rendered once with Pillow when it first appears (a beat card per beat, a subtitle
per line, a sprite per whole second and per frame number of the timecode) and converted to a `YuvSprite`;
per frame the sprites are only blended into the yuv420p frame. Layout is in units of the frame's short
side / 720, so vertical and landscape frames read alike:

* top left: the slate (shot id; framing, lens and move) and under it the current action beat card;
* top right: the PREVIZ mark with the seed;
* bottom centre: the current dialogue line, ``SPEAKER  line``, wrapped to 80% of the width;
* bottom edge: the timeline (beats as alternating segments, dialogue as accent bars), a playhead and
  the timecode ``SS:FF`` at 24 fps.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import av
from PIL import Image, ImageDraw, ImageFont

from cinebrief.backends.previz.colours import RGB
from cinebrief.backends.previz.plan import FPS, Beat, Line, Storyboard
from cinebrief.media.yuv import YuvSprite, blend, planes

PANEL = (8, 9, 12, 178)
TEXT = (244, 242, 236, 255)
DIM = (190, 192, 198, 255)
MARK = (255, 255, 255, 190)
SPEAKER_COLOURS: tuple[RGB, ...] = ((255, 196, 92), (120, 214, 255), (190, 255, 150), (255, 150, 200))


@cache
def font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """Pillow's bundled font, so frames look the same on every machine."""
    return ImageFont.load_default(size=max(8, size))


@dataclass(frozen=True)
class Layout:
    width: int
    height: int

    @property
    def unit(self) -> float:
        return min(self.width, self.height) / 720

    def px(self, value: float) -> int:
        return max(1, round(value * self.unit))

    @property
    def margin(self) -> int:
        return self.px(28) // 2 * 2

    def beat_origin(self) -> tuple[int, int]:
        """Where beat cards go (top-left corner): under the tallest slate, so it never moves."""
        return self.margin, self.margin + self.px(32 + 2 * 24 + 24 + 10) // 2 * 2


def wrap(text: str, typeface: ImageFont.FreeTypeFont | ImageFont.ImageFont, width: float) -> list[str]:
    """Greedy word wrap to `width` pixels."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        trial = f"{current} {word}".strip()
        if current and typeface.getlength(trial) > width:
            lines.append(current)
            current = word
        else:
            current = trial
    return [*lines, current] if current else lines


def panel(size: tuple[int, int], radius: int, fill: tuple[int, int, int, int] = PANEL) -> Image.Image:
    image = Image.new("RGBA", size, (0, 0, 0, 0))
    ImageDraw.Draw(image).rounded_rectangle((0, 0, size[0] - 1, size[1] - 1), radius=radius, fill=fill)
    return image


def render_slate(board: Storyboard, layout: Layout) -> Image.Image:
    """``SHOT id`` over ``FRAMING · LENS · MOVE``."""
    title_font, detail_font = font(layout.px(26)), font(layout.px(18))
    title = f"SHOT {board.shot_id}"
    details = " · ".join(part.upper() for part in (board.framing, board.lens, board.move_label) if part) or "STATIC"
    pad = layout.px(12)
    limit = layout.width * 0.62
    detail_lines = wrap(details, detail_font, limit)[:2]
    text_w = max([title_font.getlength(title)] + [detail_font.getlength(line) for line in detail_lines])
    line_h = layout.px(24)
    size = (round(text_w) + 2 * pad, layout.px(32) + line_h * len(detail_lines) + 2 * pad)
    image = panel(size, layout.px(8))
    draw = ImageDraw.Draw(image)
    draw.text((pad, pad), title, font=title_font, fill=TEXT)
    for k, line in enumerate(detail_lines):
        draw.text((pad, pad + layout.px(34) + k * line_h), line, font=detail_font, fill=DIM)
    return image


def render_mark(seed: int, layout: Layout) -> Image.Image:
    """The PREVIZ mark: says on screen that this is a timing and composition preview."""
    big, small = font(layout.px(22)), font(layout.px(13))
    label, note = "P R E V I Z", f"seed {seed}"
    pad = layout.px(9)
    width = round(max(big.getlength(label), small.getlength(note))) + 2 * pad
    image = Image.new("RGBA", (width, layout.px(52) + pad), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((0, 0, width - 1, image.height - 1), radius=layout.px(5), outline=MARK, width=layout.px(2))
    draw.text((pad, pad), label, font=big, fill=MARK)
    draw.text((pad, pad + layout.px(27)), note, font=small, fill=MARK)
    return image


def render_beat_card(beat: Beat, layout: Layout) -> Image.Image:
    """``BEAT 2/3`` over the beat's text, with an accent bar; wrapped to half the frame's width."""
    label_font, text_font = font(layout.px(15)), font(layout.px(22))
    pad, bar = layout.px(12), layout.px(5)
    lines = wrap(beat.text, text_font, layout.width * 0.5)[:3]
    line_h = layout.px(28)
    label = f"BEAT {beat.index}/{beat.count}  {beat.start:.1f}-{beat.end:.1f} s"
    text_w = max([label_font.getlength(label)] + [text_font.getlength(line) for line in lines])
    size = (round(text_w) + 2 * pad + bar, layout.px(22) + line_h * len(lines) + 2 * pad)
    image = panel(size, layout.px(6))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, layout.px(4), bar - 1, size[1] - layout.px(4)), fill=(255, 196, 92, 255))
    draw.text((pad + bar, pad), label, font=label_font, fill=DIM)
    for k, line in enumerate(lines):
        draw.text((pad + bar, pad + layout.px(22) + k * line_h), line, font=text_font, fill=TEXT)
    return image


def render_subtitle(line: Line, layout: Layout) -> Image.Image:
    """``SPEAKER`` in the speaker's colour, then the line, centred, on a soft panel."""
    label_font, text_font = font(layout.px(19)), font(layout.px(30))
    speaker = line.speaker.upper()
    colour = (*SPEAKER_COLOURS[line.voice_index % len(SPEAKER_COLOURS)], 255)
    lines = wrap(line.text, text_font, layout.width * 0.8)[:3]
    pad, line_h = layout.px(12), layout.px(38)
    text_w = max([label_font.getlength(speaker)] + [text_font.getlength(text) for text in lines])
    size = (round(text_w) + 2 * pad, layout.px(26) + line_h * len(lines) + 2 * pad)
    image = panel(size, layout.px(8), (8, 9, 12, 150))
    draw = ImageDraw.Draw(image)
    draw.text(((size[0] - label_font.getlength(speaker)) / 2, pad), speaker, font=label_font, fill=colour)
    for k, text in enumerate(lines):
        x = (size[0] - text_font.getlength(text)) / 2
        draw.text((x, pad + layout.px(26) + k * line_h), text, font=text_font, fill=TEXT)
    return image


def render_timeline(board: Storyboard, layout: Layout) -> Image.Image:
    """The clip as a strip: beats as alternating segments, dialogue as accent bars above them."""
    width = layout.width - 2 * layout.margin
    height = max(6, layout.px(14))
    image = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, height // 2, width - 1, height - 1), fill=(30, 32, 38, 170))
    for beat in board.beats:
        x0, x1 = beat.start / board.seconds * width, beat.end / board.seconds * width
        shade = (120, 124, 134, 200) if beat.index % 2 else (80, 84, 94, 200)
        draw.rectangle((x0, height // 2, max(x0, x1 - 2), height - 1), fill=shade)
    for line in board.lines:
        x0, x1 = line.start / board.seconds * width, line.end / board.seconds * width
        colour = (*SPEAKER_COLOURS[line.voice_index % len(SPEAKER_COLOURS)], 230)
        draw.rectangle((x0, 0, x1, max(0, height // 2 - 2)), fill=colour)
    return image


def render_text(text: str, size: int, fill: tuple[int, int, int, int] = TEXT) -> Image.Image:
    typeface = font(size)
    _left, _top, right, bottom = typeface.getbbox(text)
    image = Image.new("RGBA", (right + 2, bottom + 2), (0, 0, 0, 0))
    ImageDraw.Draw(image).text((0, 0), text, font=typeface, fill=fill)
    return image


class Overlays:
    """All sprites of one clip and where each goes; `apply` blends those of frame `index` in place."""

    def __init__(self, board: Storyboard, *, clean_first_frame: bool) -> None:
        self.board = board
        self.layout = layout = Layout(board.width, board.height)
        self.clean_first_frame = clean_first_frame
        slate = render_slate(board, layout)
        self.slate = YuvSprite.from_image(slate)
        mark = render_mark(board.seed, layout)
        self.mark = YuvSprite.from_image(mark)
        self.mark_at = (board.width - layout.margin - mark.width, layout.margin)
        self.beat_at = layout.beat_origin()
        self.timeline = YuvSprite.from_image(render_timeline(board, layout))
        self.timeline_at = (layout.margin, board.height - layout.margin // 2 - self.timeline.height)
        self.playhead = YuvSprite.from_image(
            Image.new("RGBA", (layout.px(4), self.timeline.height + layout.px(6)), (255, 255, 255, 235))
        )
        self._beats: dict[int, YuvSprite] = {}
        self._lines: dict[int, YuvSprite] = {}
        self._digits: dict[str, YuvSprite] = {}

    def _beat(self, beat: Beat) -> YuvSprite:
        if beat.index not in self._beats:
            self._beats[beat.index] = YuvSprite.from_image(render_beat_card(beat, self.layout))
        return self._beats[beat.index]

    def _line(self, index: int, line: Line) -> YuvSprite:
        if index not in self._lines:
            self._lines[index] = YuvSprite.from_image(render_subtitle(line, self.layout))
        return self._lines[index]

    def _text(self, text: str) -> YuvSprite:
        if text not in self._digits:
            self._digits[text] = YuvSprite.from_image(render_text(text, self.layout.px(18), DIM))
        return self._digits[text]

    def apply(self, frame: av.VideoFrame, index: int) -> None:
        """Blend everything visible at frame `index` (none on a clean first frame)."""
        if index == 0 and self.clean_first_frame:
            return
        board, layout = self.board, self.layout
        seconds = index / FPS
        target = planes(frame)
        blend(target, self.slate, layout.margin, layout.margin)
        blend(target, self.mark, *self.mark_at)
        for beat in board.beats:
            if beat.start <= seconds < beat.end:
                blend(target, self._beat(beat), *self.beat_at)
        timeline_x, timeline_y = self.timeline_at
        for number, line in enumerate(board.lines):
            if line.start <= seconds < line.end:
                sprite = self._line(number, line)
                y = timeline_y - layout.px(16) - sprite.height
                blend(target, sprite, (board.width - sprite.width) // 2, y)
        blend(target, self.timeline, timeline_x, timeline_y)
        playhead_x = timeline_x + round(seconds / board.seconds * self.timeline.width) - self.playhead.width // 2
        blend(target, self.playhead, playhead_x, timeline_y - layout.px(3))
        whole, frames = divmod(index, FPS)
        clock = self._text(f"{whole:02d}:")
        clock_y = timeline_y - layout.px(8) - clock.height
        blend(target, clock, timeline_x, clock_y)
        blend(target, self._text(f"{frames:02d}"), timeline_x + clock.width, clock_y)
