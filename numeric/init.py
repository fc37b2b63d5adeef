"""Weight initialisation schemes (R20), each drawing with the variance derived in 'init-variance'."""
from __future__ import annotations

import math
import numbers
from typing import Callable

import numpy as np

from numeric.generated import init as derived


def _fans(shape) -> tuple[int, int]:
    """(q_in, q_out) of a weight matrix of z = h @ W + b; ValueError unless two positive integers."""
    try:
        q_in, q_out = shape
    except (TypeError, ValueError):
        raise ValueError(f"shape must be (q_in, q_out), two positive integers; got {shape!r}") from None
    for q in (q_in, q_out):
        # bool is an Integral too, but (True, 3) is a mistake, not a shape
        if isinstance(q, bool) or not isinstance(q, numbers.Integral) or q <= 0:
            raise ValueError(f"shape must be (q_in, q_out), two positive integers; got {shape!r}")
    return int(q_in), int(q_out)


def _generator(rng) -> np.random.Generator:
    """The rng itself; TypeError for anything else (a seed or the legacy RandomState would draw other numbers)."""
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy.random.Generator (e.g. np.random.default_rng(seed)), "
                        f"got {type(rng).__name__}")
    return rng


def _uniform(shape, rng, half_width: Callable[[int, int], float]) -> np.ndarray:
    q_in, q_out = _fans(shape)
    a = float(half_width(q_in, q_out))
    return _generator(rng).uniform(-a, a, size=(q_in, q_out))


def _normal(shape, rng, variance: Callable[[int, int], float]) -> np.ndarray:
    q_in, q_out = _fans(shape)
    return _generator(rng).normal(0.0, math.sqrt(float(variance(q_in, q_out))), size=(q_in, q_out))


def _half_width(variance):
    """U[−a, a] has variance a²/3, so a = √(3 variance)."""
    return lambda q_in, q_out: math.sqrt(3.0 * float(variance(q_in, q_out)))


def standard(shape, rng) -> np.ndarray:
    """U[−1/√q_in, 1/√q_in], Glorot & Bengio's (2010) baseline ("standard"), variance 1/(3 q_in)."""
    return _uniform(shape, rng, _half_width(derived.standard_variance))


def lecun(shape, rng) -> np.ndarray:
    """N(0, 1/q_in): keeps the forward variance of a linear (or tanh-near-0) layer (LeCun et al. 1998)."""
    return _normal(shape, rng, derived.lecun_variance)


def glorot(shape, rng) -> np.ndarray:
    """U[−a, a], a = √(6/(q_in + q_out)): variance 2/(q_in + q_out), between the forward and backward
    conditions (Glorot & Bengio 2010, "normalised")."""
    return _uniform(shape, rng, derived.glorot_bound)


def he(shape, rng) -> np.ndarray:
    """N(0, 2/q_in): ReLU halves the second moment, so twice LeCun's variance (He et al. 2015)."""
    return _normal(shape, rng, derived.he_variance)


#: every scheme by name; each is scheme((q_in, q_out), rng) -> float64 array of that shape.
SCHEMES: dict[str, Callable[..., np.ndarray]] = {"standard": standard, "lecun": lecun, "glorot": glorot, "he": he}


def _scheme(scheme) -> Callable[..., np.ndarray]:
    if callable(scheme):
        return scheme
    try:
        return SCHEMES[scheme]
    except (KeyError, TypeError):
        raise ValueError(f"scheme must be one of {', '.join(SCHEMES)} or a function (shape, rng) -> array; "
                         f"got {scheme!r}") from None


def network(widths, scheme, rng) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """(weights, biases) of an MLP with these layer widths, as numeric.generated.mlp takes them:
    weights[k] of shape (widths[k], widths[k+1]) drawn by `scheme` (a name or a function), zero biases
    of shape (widths[k+1],). Layers are drawn in order from the one generator."""
    draw = _scheme(scheme)
    widths = tuple(widths)
    if len(widths) < 2:
        raise ValueError(f"widths must list at least an input and an output width; got {widths!r}")
    for shape in zip(widths, widths[1:]):
        _fans(shape)
    _generator(rng)
    weights = [draw(shape, rng) for shape in zip(widths, widths[1:])]
    biases = [np.zeros(q) for q in widths[1:]]
    return weights, biases


__all__ = ["standard", "lecun", "glorot", "he", "SCHEMES", "network"]
