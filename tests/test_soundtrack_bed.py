"""The bed's raindrops and crackles: each impulse's decaying tail, summed, is the circular convolution of the
impulses with the tail (what the bed was first written as), so the sound did not change when the sum
replaced three whole-clip transforms."""

from __future__ import annotations

import numpy as np
import pytest

from cinebrief.media.soundtrack import RATE, clicks


@pytest.mark.parametrize(("per_second", "decay"), [(350, 0.004), (4, 0.12), (40, 0.002)])
def test_clicks_are_impulses_convolved_with_a_wrapping_tail(per_second: float, decay: float) -> None:
    length = 3 * RATE + 17  # not a whole number of tails, so the wrap round the end is exercised
    got = clicks(np.random.default_rng(5), length, per_second, decay)

    rng = np.random.default_rng(5)  # the same draws, in the same order
    impulses = np.zeros(length, dtype=np.float32)
    count = int(per_second * length / RATE)
    positions = rng.integers(0, length, count)
    impulses[positions] = rng.uniform(0.2, 1.0, count).astype(np.float32) * rng.choice([-1.0, 1.0], count)
    taps = int(decay * RATE)
    kernel = np.zeros(length)
    kernel[:taps] = np.exp(-np.arange(taps) / (decay * RATE / 5))
    expected = np.fft.irfft(np.fft.rfft(impulses) * np.fft.rfft(kernel), n=length)

    assert got.dtype == np.float32 and got.shape == (length,)
    assert np.count_nonzero(impulses) > 0
    np.testing.assert_allclose(got, expected, atol=1e-5)
