"""Media: encode and probe MP4s, thumbnails, spritesheets, audio and overlays (PyAV, Pillow, numpy).

Generic on purpose: nothing here knows about briefs or backends. Image fitting lives with the contract
(`cinebrief.contract.reference.fit`), because the contract decides when an image must be fitted.

Importing the package (or one of its modules, the soundtrack say) does not load PyAV or Pillow: the
names from the encoder, the spritesheet and the thumbnail load their module on first use, and the
modules import PyAV where they use it, so a caller can start work while those load.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cinebrief import load_on_first_use

# Eager: light, and `probe` (the function) must shadow the module of the same name.
from cinebrief.media.atomic import atomic_output
from cinebrief.media.probe import MediaInfo, iter_frames, probe, read_frames

if TYPE_CHECKING:
    from cinebrief.media.encode import AUDIO_RATE, EncodeSettings, VideoWriter
    from cinebrief.media.spritesheet import sprite_indices, spritesheet_from_video, write_spritesheet
    from cinebrief.media.thumbnail import representative_index, thumbnail_from_video, write_thumbnail

_LAZY = {
    "AUDIO_RATE": "encode",
    "EncodeSettings": "encode",
    "VideoWriter": "encode",
    "sprite_indices": "spritesheet",
    "spritesheet_from_video": "spritesheet",
    "write_spritesheet": "spritesheet",
    "representative_index": "thumbnail",
    "thumbnail_from_video": "thumbnail",
    "write_thumbnail": "thumbnail",
}

__all__ = [
    "AUDIO_RATE",
    "EncodeSettings",
    "MediaInfo",
    "VideoWriter",
    "atomic_output",
    "iter_frames",
    "probe",
    "read_frames",
    "representative_index",
    "sprite_indices",
    "spritesheet_from_video",
    "thumbnail_from_video",
    "write_spritesheet",
    "write_thumbnail",
]
__getattr__, __dir__ = load_on_first_use(__name__, _LAZY)
