"""Facts about float64 the checks measure against: EPS, TINY, distances in ulps and a grid of hard points."""
from __future__ import annotations

import math

import numpy as np

EPS = np.finfo(np.float64).eps     # 2**-52, the spacing of floats just above 1
TINY = np.finfo(np.float64).tiny   # 2**-1022, the smallest normal float; below it spacing is fixed


def ulps(got, true):
    """How far `got` (float64) is from `true`, in units in the last place of `true` rounded to float64
    (np.spacing(0), the smallest subnormal, at zero); inf where `got` is not finite.

    Arrays: elementwise. One value: `true` may be an mpmath number, the difference is then taken
    before `true` is rounded, so a correctly rounded `got` scores at most 0.5 (not 0)."""
    if np.ndim(got) or np.ndim(true):
        got = np.asarray(got, dtype=np.float64)
        with np.errstate(invalid="ignore", over="ignore"):
            err = np.abs(got - true) / np.spacing(np.abs(true))
        return np.where(np.isfinite(got), err, np.inf)
    if not math.isfinite(got):
        return math.inf
    # mpmath subtracts exactly rounded at its working precision: |true - got| keeps its 53 bits.
    return float(abs(true - float(got)) / float(np.spacing(abs(float(true)))))


def grid(quick: bool = False) -> np.ndarray:
    """Sorted points z in [-1000, 1000] where activations are hard to compute: the ends, where exp(-|z|)
    leaves the normal range (|z| near 745) and underflows, magnitudes from 1e-12 up (cancellation
    near 0), and a dense [-40, 40] where the logistic functions' rounding errors peak. `quick`: a
    tenth as many evenly spaced points, the same hard ones."""
    special = [-1000, -745, -40, -1e-8, 0, 1e-8, 40, 745, 1000]
    mag = np.logspace(-12, 3, 31 if quick else 301)
    edge = np.linspace(700, 750, 11 if quick else 101)   # around the float64 underflow threshold of exp
    even = np.linspace(-1000, 1000, 201 if quick else 2001)
    dense = np.linspace(-40, 40, 161 if quick else 1601)
    return np.unique(np.concatenate([even, dense, special, mag, -mag, edge, -edge]).astype(np.float64))


__all__ = ["EPS", "TINY", "grid", "ulps"]
