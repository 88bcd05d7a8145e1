"""`PrevizBackend`: the embedded default backend, a deterministic animatic of the shot.

It renders exactly the requested size and seconds at 24 fps. The same request and seed give the same
bytes; another seed gives another set (building layout, handheld shake, noise in the sound bed).
"""

from __future__ import annotations

import functools
import io
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cinebrief.backends.base import (
    CancelledFn,
    CheckpointFn,
    GenerationRequest,
    GenerationResult,
    ProgressFn,
)
from cinebrief.backends.previz.plan import FPS, build_storyboard
from cinebrief.contract.capabilities import Capabilities
from cinebrief.contract.profile import EXTENDED_SECONDS
from cinebrief.errors import ConfigError, ReferenceImageError
from cinebrief.media.encoder_settings import EncodeSettings
from cinebrief.media.soundtrack import soundtrack, soundtrack_facts, soundtrack_label
from cinebrief.process import loading, one_render

if TYPE_CHECKING:
    import av
    import numpy as np
    from PIL import Image

    from cinebrief.media.encode import VideoWriter

SECONDS = EXTENDED_SECONDS
# The checkpointed label of a clip's soundtrack when a remix may copy it (every line was spoken; see generate).
LENDS_SOUNDTRACK = "soundtrack_label"
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

    def __init__(self, *, preset: str = "ultrafast", crf: int | None = None, qp: int | None = None) -> None:
        """x264 at `preset` with a constant quantiser `qp` (default `QP`), or with `crf` rate control instead.
        A value x264 cannot take is a ValueError from `EncodeSettings` (the registry names the model)."""
        if crf is not None and qp is not None:
            raise ConfigError(f"qp ({qp}) and crf ({crf}) are two ways to set the quality: set one of them.")
        quality = {"crf": crf} if crf is not None else {"qp": QP if qp is None else qp}
        self.settings = EncodeSettings(fps=FPS, preset=preset, **quality)

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
            settings=self.encoder_settings(),
            notes=NOTES,
        )

    def encoder_settings(self) -> dict[str, object]:
        """The x264 settings as applied: the preset and the constant quantiser or the CRF."""
        quality = {"crf": self.settings.crf} if self.settings.qp is None else {"qp": self.settings.qp}
        return {"preset": self.settings.preset, **quality}

    def check(self, request: GenerationRequest) -> None:
        """The backend's own limits: even sides (yuv420p) and whole seconds it knows."""
        self.capabilities(request.model).check(model=request.model, size=request.size, seconds=request.seconds)

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
        # 2. The soundtrack: a remix whose change leaves the sound alone copies its source's; otherwise it is
        # made on a second thread from here on (the first report follows its start).
        label = soundtrack_label(
            board.lines, board.sound, seed=board.seed, seconds=board.seconds, encoding=self.settings
        )
        remix = request.remix
        source_audio = None
        if remix is not None and remix.video is not None and remix.resume_state.get(LENDS_SOUNDTRACK) == label:
            from cinebrief.media.encode import labelled_audio

            source_audio = labelled_audio(remix.video, label)
        sound_facts: dict[str, object] = {}

        def make_soundtrack() -> np.ndarray:
            track, facts = soundtrack(board.lines, board.sound, seed=board.seed, seconds=board.seconds)
            sound_facts.update(facts)
            return track

        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="previz-sound") as pool:
            # The soundtrack's AAC packets, made on the sound thread for the writer: the source's, or a new track.
            audio: Callable[[VideoWriter], list[av.Packet]]
            if remix is not None and source_audio is not None:
                sound_facts.update(soundtrack_facts(board.lines, board.sound), soundtrack_kept_from=remix.video_id)
                audio = functools.partial(_adopt, source_audio)
            else:
                audio = functools.partial(_encode, pool.submit(make_soundtrack))
            progress(0.0)
            # 3. The picture: its modules load now, while the soundtrack is made (see clip.py).
            with loading(freeze=one_render()):
                from cinebrief.backends.previz.clip import write_clip

            write_clip(
                board,
                reference,
                audio,
                pool,
                Path(output_dir),
                self.settings,
                audio_label=label,
                progress=lambda fraction: progress(0.97 * fraction),
                cancelled=cancelled,
            )
        # 4. A soundtrack every line of which was spoken may be lent to this clip's remixes (see step 2); an
        # earlier attempt's word is replaced either way.
        checkpoint({LENDS_SOUNDTRACK: label} if "speech_fallback" not in sound_facts else {})
        progress(1.0)
        return GenerationResult(output_dir, metadata=_metadata(board, sound_facts, reference is not None))


def _adopt(packets: list[av.Packet], writer: VideoWriter) -> list[av.Packet]:
    return writer.adopt_audio(packets)


def _encode(track: Future[np.ndarray], writer: VideoWriter) -> list[av.Packet]:
    return writer.encode_audio(track.result())


def _open_reference(request: GenerationRequest) -> Image.Image | None:
    if request.input_reference is None:
        return None
    from PIL import Image

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
