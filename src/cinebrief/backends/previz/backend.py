"""`PrevizBackend`: the embedded default backend, a deterministic animatic of the shot.

It renders exactly the requested size and seconds at 24 fps. The same request and seed give the same
bytes; another seed gives another set (building layout, handheld shake, noise in the sound bed).
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from concurrent.futures import Future, ThreadPoolExecutor, wait
from pathlib import Path
from typing import Any

import numpy as np

# JpegImagePlugin and WebPImagePlugin register the writers of spritesheet.jpg and thumbnail.webp up front:
# saving in a format Pillow has not registered yet makes it import every plugin it ships (about 40 ms, at
# the end of a process's first render).
from PIL import Image, JpegImagePlugin, WebPImagePlugin  # noqa: F401

from cinebrief.backends.base import (
    SPRITESHEET_FILE,
    THUMBNAIL_FILE,
    VIDEO_FILE,
    CancelledFn,
    CheckpointFn,
    GenerationRequest,
    GenerationResult,
    ProgressFn,
)
from cinebrief.backends.previz.overlays import Overlays
from cinebrief.backends.previz.plan import FPS, build_storyboard
from cinebrief.backends.previz.plate import SYNTH_SCALE, ReferencePlate
from cinebrief.backends.previz.render import Picture, encode_clip
from cinebrief.backends.previz.scene import build_plate
from cinebrief.backends.previz.weather import KINDS, Weather
from cinebrief.contract.capabilities import Capabilities
from cinebrief.contract.profile import EXTENDED_SECONDS
from cinebrief.errors import ReferenceImageError
from cinebrief.media.atomic import discard
from cinebrief.media.encode import EncodeSettings, VideoWriter
from cinebrief.media.soundtrack import soundtrack
from cinebrief.media.spritesheet import sprite_indices, tile_size, write_spritesheet
from cinebrief.media.thumbnail import representative_index, write_thumbnail

SECONDS = EXTENDED_SECONDS
# Constant quantiser 17: on previz pictures it gives the size and PSNR of crf 23 for a third less x264 CPU.
QP = 17
NOTES = (
    "Any size with even sides (the Sora 2 sizes included); a timing and composition preview, "
    "not a picture model. Deterministic for a seed."
)


def _no_checkpoint(state: Mapping[str, Any]) -> None:
    return None


class PrevizBackend:
    """Animatics: palette and lighting grade the set, the camera move animates it, beats and dialogue
    appear on their timing, espeak-ng speaks the lines over a bed from the sound cue."""

    name = "previz"

    def __init__(self, *, preset: str = "ultrafast", crf: int | None = None, qp: int = QP, **_settings: Any) -> None:
        """x264 at `preset` with a constant quantiser `qp`, or with `crf` rate control when one is given."""
        if crf is not None:
            self.settings = EncodeSettings(fps=FPS, preset=preset, crf=crf)
        else:
            self.settings = EncodeSettings(fps=FPS, preset=preset, qp=qp)

    def capabilities(self, model: str) -> Capabilities:
        return Capabilities(
            backend=self.name,
            sizes=(),
            size_multiple=2,
            seconds=SECONDS,
            fps=FPS,
            max_seconds=int(SECONDS[-1]),
            image_to_video=True,
            audio=True,
            notes=NOTES,
        )

    def check(self, request: GenerationRequest) -> None:
        """The backend's own limits: even sides (yuv420p) and whole seconds it knows."""
        self.capabilities(request.model).check(model=request.model, size=request.size, seconds=request.seconds)

    def _encode(
        self,
        board: Any,
        picture: Picture,
        soundtrack: Future[np.ndarray],
        pool: ThreadPoolExecutor,
        output_dir: Path,
        progress: ProgressFn,
        cancelled: CancelledFn,
    ) -> None:
        """Write video.mp4 (the audio joins when it is ready), thumbnail.webp and spritesheet.jpg.

        The images come from frames kept on the way: the thumbnail is written on `pool` as soon as its
        frame is encoded, the spritesheet while the encoder finishes the file. A failure leaves none of
        the three behind.
        """
        thumbnail_index = representative_index(board.frames)
        sheet_indices = sprite_indices(board.frames)
        tile = tile_size(board.width, board.height)
        keep = {index: tile for index in sheet_indices} | {thumbnail_index: (board.width, board.height)}
        images: dict[Path, Future[Path]] = {}

        def on_kept(index: int, rgb: np.ndarray) -> None:
            if index == thumbnail_index:
                path = output_dir / THUMBNAIL_FILE
                images[path] = pool.submit(write_thumbnail, rgb, path)

        written: list[Path] = []
        try:
            with VideoWriter(output_dir / VIDEO_FILE, board.width, board.height, self.settings) as writer:
                kept = encode_clip(
                    picture, soundtrack, writer, keep=keep, on_kept=on_kept, progress=progress, cancelled=cancelled
                )
                # A tile kept at full size (it is also the thumbnail) is scaled by write_spritesheet.
                tiles = [kept[index] for index in sheet_indices]
                sheet = output_dir / SPRITESHEET_FILE
                images[sheet] = pool.submit(write_spritesheet, tiles, sheet, video_size=(board.width, board.height))
            written.append(writer.path)
            for job in images.values():
                job.result()
        except BaseException:
            wait(list(images.values()))
            for path in [*images, *written]:
                discard(path)
            raise

    def generate(
        self,
        request: GenerationRequest,
        output_dir: Path,
        *,
        progress: ProgressFn,
        cancelled: CancelledFn,
        checkpoint: CheckpointFn = _no_checkpoint,
    ) -> GenerationResult:
        # 1. Check the request and read every decision out of the shot (or the prompt).
        self.check(request)
        reference = _open_reference(request)
        board = build_storyboard(request, anchored=reference is not None)
        progress(0.0)
        # 2. Build the plate and overlays; the soundtrack is made on a second thread meanwhile.
        sound_facts: dict[str, object] = {}

        def make_soundtrack() -> np.ndarray:
            track, facts = soundtrack(board.lines, board.sound, seed=board.seed, seconds=board.seconds)
            sound_facts.update(facts)
            return track

        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="previz-sound") as pool:
            sound_future = pool.submit(make_soundtrack)
            weather = None
            if reference is not None:
                plate: Any = ReferencePlate(reference, board.camera)
            else:
                plate = build_plate(board, round(board.width * SYNTH_SCALE), round(board.height * SYNTH_SCALE))
                if board.weather in KINDS:
                    light = board.lighting.key_colour
                    weather = Weather(board.weather, plate.width, plate.height, seed=board.seed, light=light, fps=FPS)
            overlays = Overlays(board, clean_first_frame=reference is not None)
            # 3. Encode, and write the images from frames kept on the way.
            output_dir = Path(output_dir)
            output_dir.mkdir(parents=True, exist_ok=True)
            picture = Picture(board, plate, overlays, weather)
            self._encode(
                board, picture, sound_future, pool, output_dir, lambda fraction: progress(0.97 * fraction), cancelled
            )
        progress(1.0)
        return GenerationResult(output_dir, metadata=_metadata(board, sound_facts, reference is not None))


def _open_reference(request: GenerationRequest) -> Image.Image | None:
    if request.input_reference is None:
        return None
    try:
        with Image.open(io.BytesIO(request.input_reference)) as image:
            picture = image.convert("RGB")
    except Exception as exc:  # Pillow raises many kinds for bad data; the caller checked it already
        raise ReferenceImageError(
            f"Invalid 'input_reference': the image cannot be decoded ({exc}).", field="input_reference"
        ) from None
    if picture.size != (request.width, request.height):
        size = f"{picture.width}x{picture.height}"
        raise ReferenceImageError(
            f"Invalid 'input_reference': the image is {size} but it must match the requested width and height "
            f"({request.size}). Resize it, or fit it (cover-crop or letterbox) first.",
            field="input_reference",
            value=size,
            allowed=(request.size,),
            code="invalid_image_size",
        )
    return picture


def _metadata(board: Any, sound_facts: dict[str, object], referenced: bool) -> dict[str, Any]:
    return {
        "backend": "previz",
        "frames": board.frames,
        "fps": FPS,
        "size": f"{board.width}x{board.height}",
        "seconds": str(int(board.seconds)),
        "seed": board.seed,
        "shot_id": board.shot_id,
        "setting": board.setting,
        "framing": board.framing,
        "lens": board.lens,
        "weather": board.weather,
        "camera_move": board.move_label,
        "beats": [{"text": beat.text, "start": beat.start, "end": beat.end} for beat in board.beats],
        "dialogue": [
            {"speaker": line.speaker, "line": line.text, "start": round(line.start, 3), "end": round(line.end, 3)}
            for line in board.lines
        ],
        "input_reference": referenced,
        "notes": list(board.notes),
        **sound_facts,
    }
