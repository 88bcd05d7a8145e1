"""Audio as float32 numpy arrays ``(channels, samples)`` in ``[-1, 1]``: decode, resample, mix, level.

Resampling goes through `av.AudioResampler` (libswresample), never hand-written. Loudness is a gated RMS
in dBFS: blocks of 400 ms, blocks 40 dB under the loudest left out, so that pauses do not pull a line of
speech down. It is not EBU R128 (no K-weighting), which is enough to set levels within a mix.

PyAV is imported by the two functions that use it: a soundtrack can be made while it loads.
"""

from __future__ import annotations

import math
import os

import numpy as np

AUDIO_RATE = 48_000
SILENCE_DB = -120.0


def _layout_name(channels: int) -> str:
    return "mono" if channels == 1 else "stereo"


def decode_audio(path: str | os.PathLike[str], *, rate: int = AUDIO_RATE, channels: int = 1) -> np.ndarray:
    """Decode a file's first audio stream and resample it to `rate` Hz and `channels` (1 or 2)."""
    import av

    resampler = av.AudioResampler(format="fltp", layout=_layout_name(channels), rate=rate)
    blocks: list[np.ndarray] = []
    with av.open(str(path)) as container:
        for frame in container.decode(container.streams.audio[0]):
            blocks.extend(out.to_ndarray() for out in resampler.resample(frame))
    blocks.extend(out.to_ndarray() for out in resampler.resample(None))
    if not blocks:
        return np.zeros((channels, 0), dtype=np.float32)
    return np.concatenate(blocks, axis=1).astype(np.float32)


def resample(samples: np.ndarray, source_rate: int, *, rate: int = AUDIO_RATE) -> np.ndarray:
    """Resample float samples ``(channels, n)`` or ``(n,)`` from `source_rate` to `rate`."""
    import av

    block = np.atleast_2d(np.asarray(samples, dtype=np.float32))
    if source_rate == rate or block.shape[1] == 0:
        return block.copy()
    layout = _layout_name(block.shape[0])
    frame = av.AudioFrame.from_ndarray(np.ascontiguousarray(block), format="fltp", layout=layout)
    frame.sample_rate = source_rate
    frame.pts = 0
    resampler = av.AudioResampler(format="fltp", layout=layout, rate=rate)
    out = [f.to_ndarray() for f in resampler.resample(frame)] + [f.to_ndarray() for f in resampler.resample(None)]
    return np.concatenate(out, axis=1).astype(np.float32)


def db_to_gain(db: float) -> float:
    return 10.0 ** (db / 20.0)


def loudness(samples: np.ndarray, *, rate: int = AUDIO_RATE) -> float:
    """Gated RMS level in dBFS (see the module docstring); `SILENCE_DB` for silence."""
    block = np.atleast_2d(np.asarray(samples, dtype=np.float32))
    power = np.mean(np.square(block, dtype=np.float64), axis=0)  # one float64 array, not two
    size = max(1, int(0.4 * rate))
    count = max(1, len(power) // size)
    blocks = power[: count * size].reshape(count, -1).mean(axis=1) if len(power) >= size else power.mean()[None]
    loudest = float(blocks.max(initial=0.0))
    if loudest <= 0.0:
        return SILENCE_DB
    kept = blocks[blocks >= loudest * 1e-4]
    return 10.0 * math.log10(float(kept.mean()))


def normalise(samples: np.ndarray, *, target_db: float, peak_db: float = -1.0, rate: int = AUDIO_RATE) -> np.ndarray:
    """Scale to `target_db` gated RMS, then lower it if needed so no sample exceeds `peak_db`."""
    block = np.asarray(samples, dtype=np.float32)
    level = loudness(block, rate=rate)
    if level <= SILENCE_DB:
        return block.copy()
    gain = db_to_gain(target_db - level)
    peak = float(np.max(np.abs(block))) * gain
    ceiling = db_to_gain(peak_db)
    if peak > ceiling:
        gain *= ceiling / peak
    return (block * gain).astype(np.float32, copy=False)


def mix(tracks: list[np.ndarray], *, length: int, channels: int = 2) -> np.ndarray:
    """Sum tracks ``(channels, n)`` or ``(n,)`` (mono goes to every channel) into `length` samples."""
    out = np.zeros((channels, length), dtype=np.float32)
    for track in tracks:
        block = np.atleast_2d(np.asarray(track, dtype=np.float32))
        n = min(length, block.shape[1])
        out[:, :n] += block[:, :n] if block.shape[0] == channels else block[:1, :n]
    return out


def place(track: np.ndarray, *, at: int, length: int) -> np.ndarray:
    """`track` (mono) starting at sample `at` in a silent track of `length` samples; the overflow is cut."""
    out = np.zeros(length, dtype=np.float32)
    if at >= length:
        return out
    n = min(len(track), length - at)
    out[at : at + n] = track[:n]
    return out


def pan(track: np.ndarray, position: float) -> np.ndarray:
    """Mono to stereo with an equal-power pan: -1 left, 0 centre, +1 right."""
    angle = (max(-1.0, min(1.0, position)) + 1.0) * math.pi / 4.0
    return np.stack([track * math.cos(angle), track * math.sin(angle)]).astype(np.float32)


def fade(track: np.ndarray, *, rate: int = AUDIO_RATE, seconds: float = 0.01) -> np.ndarray:
    """Short linear fades at both ends, so that cut sounds do not click."""
    out = np.array(track, dtype=np.float32)
    n = min(int(rate * seconds), out.shape[-1] // 2)
    if n > 0:
        ramp = np.linspace(0.0, 1.0, n, dtype=np.float32)
        out[..., :n] *= ramp
        out[..., -n:] *= ramp[::-1]
    return out
