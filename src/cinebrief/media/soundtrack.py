"""A clip's soundtrack from its prompt: dialogue on its timing over a bed synthesised from the sound cue.

Previz uses it for every animatic, and the sound pass (`sound_pass`) gives it to a clip from a silent model
(Wan): the same speech, the same timing (`prompts.timing`), the same bed and the same loudness targets.

Speech is espeak-ng (one voice per speaker, spoken at the rate the line's slot needs) when it is
installed; otherwise each line becomes a pattern of tone bursts at syllable rate, so its timing stays
audible, and a warning is given once. The bed is layered noise shaped in the frequency domain (rain,
traffic hiss, hum, room tone, wind, crowd murmur, waves, birds, fire), seeded, so it is deterministic.
Levels: speech at -20 dBFS, the bed under it at -34 dBFS (-26 dBFS with no dialogue), peaks at -3 dBFS
(AAC overshoots the peaks it was given by a dB or two).
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from cinebrief.brief.schema import Brief, Shot
from cinebrief.media import audio
from cinebrief.media.encoder_settings import EncodeSettings
from cinebrief.prompts.timing import TimedLine as Line
from cinebrief.prompts.timing import time_dialogue

RATE = audio.AUDIO_RATE
VOICES = ("en-us+m3", "en-us+f3", "en-gb+m4", "en-us+f4", "en-gb-x-rp+m2", "en-us+m6")
PITCHES = (125.0, 205.0, 100.0, 180.0, 145.0, 230.0)  # tone pattern fallback, per voice
SPEECH_DB, BED_DB, BED_ALONE_DB, PEAK_DB = -20.0, -34.0, -26.0, -3.0
_log = logging.getLogger(__name__)
_warned = False


def espeak() -> str | None:
    return shutil.which("espeak-ng")


def _warn_once() -> None:
    global _warned
    if not _warned:
        _warned = True
        _log.warning("espeak-ng is not installed; previz dialogue is a tone pattern at syllable rate")


def speak(line: Line, *, executable: str) -> np.ndarray:
    """The line spoken by espeak-ng at the rate its slot needs, mono at 48 kHz."""
    duration = max(0.3, line.end - line.start)
    words_per_minute = int(min(320, max(130, line.words / duration * 60 * 0.95)))
    voice = line.voice or VOICES[line.voice_index % len(VOICES)]
    with tempfile.TemporaryDirectory(prefix="cinebrief-speech-") as folder:
        wav = Path(folder) / "line.wav"
        command = [executable, "-v", voice, "-s", str(words_per_minute), "-w", str(wav), "--", line.text]
        result = subprocess.run(command, capture_output=True, timeout=30, check=False)
        if result.returncode != 0 or not wav.exists():
            # An unknown voice from the brief: fall back to this speaker's default voice.
            command[2] = VOICES[line.voice_index % len(VOICES)]
            subprocess.run(command, capture_output=True, timeout=30, check=True)
        return audio.decode_audio(wav, rate=RATE, channels=1)[0]


def syllables(word: str) -> int:
    return max(1, len(re.findall(r"[aeiouy]+", word.casefold().rstrip("e"))))


def tone_pattern(line: Line) -> np.ndarray:
    """One soft tone burst per syllable across the line's slot, at the speaker's pitch."""
    count = sum(syllables(word) for word in line.text.split())
    length = int((line.end - line.start) * RATE)
    out = np.zeros(length, dtype=np.float32)
    step = length // max(1, count)
    burst = int(step * 0.7)
    if burst <= 0:
        return out
    pitch = PITCHES[line.voice_index % len(PITCHES)]
    t = np.arange(burst, dtype=np.float32) / RATE
    envelope = np.sin(np.pi * np.arange(burst) / burst).astype(np.float32)
    for k in range(count):
        glide = pitch * (1.0 + 0.08 * np.sin(k * 1.7))
        wave = np.sin(2 * np.pi * glide * t) + 0.4 * np.sin(4 * np.pi * glide * t) + 0.2 * np.sin(6 * np.pi * glide * t)
        out[k * step : k * step + burst] = wave * envelope
    return out


def speech_engine(executable: str | None) -> str:
    """What speaks the lines with `executable` (`espeak()`): espeak-ng when it is installed, else tones."""
    return "espeak-ng" if executable else "tones"


def dialogue_track(lines: Sequence[Line], length: int) -> tuple[np.ndarray, str, list[str]]:
    """Every line placed at its start, panned a little by speaker; the engine that spoke them; and the lines
    espeak-ng failed on (a tone pattern keeps their timing)."""
    executable = espeak()
    if not executable and lines:
        _warn_once()
    track = np.zeros((2, length), dtype=np.float32)
    unspoken: list[str] = []
    for line in lines:
        if executable is None:
            voice = tone_pattern(line)
        else:
            try:
                voice = speak(line, executable=executable)
            except (OSError, subprocess.SubprocessError) as exc:
                _log.warning("espeak-ng could not speak %r (%s); a tone pattern stands in", line.text, exc)
                voice = tone_pattern(line)
                unspoken.append(line.text)
        slot = int((line.end - line.start + 0.35) * RATE)
        voice = audio.fade(voice[:slot])
        placed = audio.place(voice, at=int(line.start * RATE), length=length)
        track += audio.pan(placed, (-0.25, 0.25, -0.1, 0.1)[line.voice_index % 4])
    return track, speech_engine(executable), unspoken


# -- the bed ------------------------------------------------------------------------------------------


# The beds work on whole-clip arrays (megabytes each): they are changed in place where the arithmetic is the
# same, because every new array of that size is fresh memory the kernel must map and zero.


@functools.cache
def _frequencies(length: int) -> np.ndarray:
    """The rfft bin frequencies of `length` samples (1 Hz at least), read-only."""
    frequencies = np.maximum(np.fft.rfftfreq(length, 1 / RATE).astype(np.float32), 1.0)
    frequencies.flags.writeable = False
    return frequencies


def shaped_noise(rng: np.random.Generator, length: int, gain: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
    """Gaussian noise whose spectrum is shaped by `gain(frequencies)`, normalised to unit RMS.

    White Gaussian noise has, in every frequency bin, independent Gaussian real and imaginary parts: the
    noise is drawn there directly and shaped, so it takes one inverse transform and no forward one.
    """
    bins = length // 2 + 1
    spectrum = rng.standard_normal(2 * bins, dtype=np.float32).view(np.complex64)  # real, imaginary pairs
    spectrum *= gain(_frequencies(length))
    signal = np.fft.irfft(spectrum, n=length).astype(np.float32, copy=False)
    signal /= float(np.sqrt(np.dot(signal, signal) / length)) or 1.0
    return signal


def band(low: float, high: float) -> Callable[[np.ndarray], np.ndarray]:
    return lambda f: 1.0 / (1.0 + (low / f) ** 2) / (1.0 + (f / high) ** 2)


def swells(rng: np.random.Generator, length: int, *, every: float, width: float, floor: float) -> np.ndarray:
    """Slow bumps in level (passing cars, gusts, waves, syllables), computed at 200 Hz and interpolated."""
    control = 200
    t = np.arange(int(length / RATE * control) + 2, dtype=np.float32) / control
    envelope = np.full(t.shape, floor, dtype=np.float32)
    for centre in np.arange(rng.uniform(0, every), length / RATE + every, every):
        centre += rng.uniform(-every / 3, every / 3)
        envelope += np.exp(-(((t - centre) / width) ** 2)).astype(np.float32)
    samples = np.arange(length, dtype=np.float32) / RATE
    return np.interp(samples, t, envelope).astype(np.float32)


def clicks(rng: np.random.Generator, length: int, per_second: float, decay: float) -> np.ndarray:
    """Sparse decaying impulses (raindrops, crackles, chirps are built on them).

    Each impulse starts an exponential tail of `decay` seconds, wrapping round the clip's end (the bed is
    seamless). The tails are summed directly: a few hundred thousand products, where a convolution over
    the whole clip would take three transforms of its length.
    """
    impulses = np.zeros(length, dtype=np.float32)
    count = int(per_second * length / RATE)
    positions = rng.integers(0, length, count)
    impulses[positions] = rng.uniform(0.2, 1.0, count).astype(np.float32) * rng.choice([-1.0, 1.0], count)
    starts = np.flatnonzero(impulses)  # an impulse drawn twice at one sample counts once
    taps = min(length, int(decay * RATE))
    tail = np.exp(-np.arange(taps) / (decay * RATE / 5))
    samples = (starts[:, None] + np.arange(taps)).ravel()
    summed = np.bincount(samples, weights=np.outer(impulses[starts], tail).ravel(), minlength=length + taps)
    summed[:taps] += summed[length : length + taps]  # the tails past the end wrap round to the start
    return summed[:length].astype(np.float32)


def _rain(rng: np.random.Generator, n: int) -> np.ndarray:
    hiss = shaped_noise(rng, n, band(900, 9000))
    drops = clicks(rng, n, 350, 0.004)
    drops *= 0.8
    hiss += drops
    return hiss


def _traffic(rng: np.random.Generator, n: int) -> np.ndarray:
    noise = shaped_noise(rng, n, band(60, 1400))
    noise *= swells(rng, n, every=3.0, width=1.1, floor=0.35)
    return noise


def _hum(rng: np.random.Generator, n: int) -> np.ndarray:
    t = np.arange(n, dtype=np.float32) / RATE
    return np.sin(2 * np.pi * 60 * t) + 0.5 * np.sin(2 * np.pi * 120 * t) + 0.25 * np.sin(2 * np.pi * 180 * t)


def _room(rng: np.random.Generator, n: int) -> np.ndarray:
    return shaped_noise(rng, n, band(30, 300))


def _wind(rng: np.random.Generator, n: int) -> np.ndarray:
    return shaped_noise(rng, n, band(150, 900)) * swells(rng, n, every=4.0, width=1.8, floor=0.25)


def _crowd(rng: np.random.Generator, n: int) -> np.ndarray:
    voices = np.zeros(n, dtype=np.float32)
    for _ in range(5):
        gate = (swells(rng, n, every=rng.uniform(0.18, 0.32), width=0.06, floor=0.0) > 0.5).astype(np.float32)
        voices += shaped_noise(rng, n, band(rng.uniform(250, 450), rng.uniform(1800, 3000))) * gate
    return voices


def _waves(rng: np.random.Generator, n: int) -> np.ndarray:
    return shaped_noise(rng, n, band(80, 2500)) * swells(rng, n, every=6.0, width=1.6, floor=0.15)


def _birds(rng: np.random.Generator, n: int) -> np.ndarray:
    t = np.arange(n, dtype=np.float32) / RATE
    sweep = np.sin(2 * np.pi * (3200 + 900 * np.sin(2 * np.pi * 9 * t)) * t).astype(np.float32)
    return sweep * clicks(rng, n, 4, 0.12) ** 2


def _fire(rng: np.random.Generator, n: int) -> np.ndarray:
    return 0.6 * shaped_noise(rng, n, band(40, 400)) + clicks(rng, n, 40, 0.002)


Bed = tuple[str, Callable[[np.random.Generator, int], np.ndarray], float]  # pattern, synthesiser, level in dB
BEDS: tuple[Bed, ...] = (
    (r"rain|drizzle|downpour|storm|awning", _rain, 0.0),
    (r"traffic|cars?\b|street|road|city|hiss|engine|highway", _traffic, -2.0),
    (r"\bhum|buzz|fluorescent|neon|electrical|transformer|fridge", _hum, -10.0),
    (r"room tone|air ?con|hvac|ventilation|quiet room|interior|silence", _room, -4.0),
    (r"\bwind\b|\bwinds\b|breeze|gust|gale", _wind, -2.0),
    (r"crowd|murmur|chatter|people|café|cafe|bar\b|restaurant|market|party", _crowd, -3.0),
    (r"waves?|ocean|sea\b|surf|shore|beach", _waves, 0.0),
    (r"birds?|birdsong|forest|dawn chorus", _birds, -6.0),
    (r"fire|crackl|campfire|fireplace", _fire, -3.0),
)


def chosen_beds(cue_text: str) -> list[Bed]:
    """The beds the cue names, in `BEDS` order; room tone when it names none."""
    cue = cue_text.casefold()
    return [bed for bed in BEDS if re.search(bed[0], cue)] or [BEDS[3]]


def bed_names(beds: Sequence[Bed]) -> list[str]:
    return [make.__name__.strip("_") for _, make, _ in beds]


def bed_track(cue_text: str, seed: int, length: int) -> tuple[np.ndarray, list[str]]:
    """The cue's beds layered in stereo (room tone when nothing matches); and which beds were used."""
    chosen = chosen_beds(cue_text)
    out = np.zeros((2, length), dtype=np.float32)
    rng = np.random.default_rng(seed)
    for _pattern, make, level in chosen:
        bed = make(rng, length)
        bed *= audio.db_to_gain(level)
        bed *= 0.1
        # The right channel hears the same bed 0.37 s later: wide, decorrelated, at half the synthesis cost.
        out[0] += bed
        out[1] += np.roll(bed, int(0.37 * RATE))
    return out, bed_names(chosen)


def soundtrack(lines: Sequence[Line], cue: str, *, seed: int, seconds: float) -> tuple[np.ndarray, dict[str, object]]:
    """The mixed, levelled stereo track for the whole clip and what went into it: the speech engine, the beds
    and `speech_fallback`, the lines espeak-ng failed on, when there are any."""
    length = round(seconds * RATE)
    speech, engine, unspoken = dialogue_track(lines, length)
    bed, beds = bed_track(cue, seed, length)
    if lines:
        speech = audio.normalise(speech, target_db=SPEECH_DB)
        bed = audio.normalise(bed, target_db=BED_DB)
    else:
        bed = audio.normalise(bed, target_db=BED_ALONE_DB)
    mixed = audio.normalise(audio.mix([speech, bed], length=length), target_db=SPEECH_DB, peak_db=PEAK_DB)
    facts: dict[str, object] = {"speech": engine if lines else None, "beds": beds}
    if unspoken:
        facts["speech_fallback"] = unspoken
    return mixed, facts


def soundtrack_facts(lines: Sequence[Line], cue: str) -> dict[str, object]:
    """What `soundtrack` will say it made the track with, without making it: the speech engine and the beds."""
    return {"speech": speech_engine(espeak()) if lines else None, "beds": bed_names(chosen_beds(cue))}


def soundtrack_label(lines: Sequence[Line], cue: str, *, seed: int, seconds: float, encoding: EncodeSettings) -> str:
    """The name of the soundtrack's recipe: the timed lines and their voices, the beds the cue chooses, the
    seed, the length, the speech engine and how the track is encoded.

    A clip's audio stream carries it (`VideoWriter(audio_label=...)`), so that a remix with the same recipe
    (a change to the picture only) copies its source's track rather than making it again. The versions of
    espeak-ng, of the encoder and of this code are left out on purpose: a remix keeps its source's sound as
    it was made. A track that fell back to tones is not lent (previz checks that, see `PrevizBackend`).
    """
    facts = soundtrack_facts(lines, cue)
    recipe = {
        "lines": [[line.speaker, line.text, line.start, line.end, line.voice_index, line.voice] for line in lines],
        "beds": facts["beds"],
        "speech": facts["speech"],
        "seed": seed,
        "seconds": seconds,
        "encoding": [encoding.audio_channels, encoding.audio_bitrate, encoding.aac_coder],
    }
    digest = hashlib.sha256(json.dumps(recipe, sort_keys=True).encode()).hexdigest()[:24]
    return f"cinebrief soundtrack {digest}"


def shot_soundtrack(
    shot: Shot, brief: Brief | None, *, prose: str, seed: int, seconds: float
) -> tuple[np.ndarray, dict[str, object]]:
    """The sound pass: the shot's dialogue timed over `seconds` and a bed from its sound cue (else its prose)."""
    lines, overrun = time_dialogue(shot, brief, seconds)
    cue = " ".join(filter(None, [shot.sound, shot.detail.sound_mix and shot.detail.sound_mix.diegetic])) or prose
    track, facts = soundtrack(lines, cue, seed=seed, seconds=seconds)
    timing = [{"speaker": line.speaker, "start": round(line.start, 3), "end": round(line.end, 3)} for line in lines]
    return track, {**facts, "dialogue": timing, "dialogue_overrun": round(overrun, 3)}
