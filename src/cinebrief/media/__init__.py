"""Media: encode and probe MP4s, thumbnails, spritesheets, audio and overlays (PyAV, Pillow, numpy).

Generic on purpose: nothing here knows about briefs or backends. Image fitting lives with the contract
(`cinebrief.contract.reference.fit`), because the contract decides when an image must be fitted.
"""

from cinebrief.media.atomic import atomic_output
from cinebrief.media.encode import AUDIO_RATE, EncodeSettings, VideoWriter
from cinebrief.media.probe import MediaInfo, iter_frames, probe, read_frames
from cinebrief.media.spritesheet import sprite_indices, spritesheet_from_video, write_spritesheet
from cinebrief.media.thumbnail import representative_index, thumbnail_from_video, write_thumbnail

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
