"""What ReLU networks represent (R21, R24): exact linear-piece counts in 1-D, the sawtooth and Montúfar constructions, the ReLU interpolant."""
from __future__ import annotations

import math
import numbers
from fractions import Fraction

import numpy as np

# Every float is a dyadic rational m·2^e, so sums and products of weights are dyadic too: on a piece of the
# input line each pre-activation is exactly (a·x + c)/2^S with Python integers a, c and one shift S per
# layer. Breakpoints -c/a are the only non-dyadic numbers; they are Fractions and enter only sign tests
# a·P + c·Q (at x = P/Q, Q > 0), which are exact integer arithmetic.


# ---- checked inputs --------------------------------------------------------------------------------

# Budgets: every user-facing computation here refuses inputs whose cost would be unbounded in practice.
MAX_ENTRIES = 10 ** 7       # float entries a construction or a sample may allocate (80 MB)
MAX_WORK = 10 ** 6         # pieces × weights (or × units) breakpoints may evaluate per layer, in exact Python integers


def _float_array(a, what: str, ndim: int) -> np.ndarray:
    try:
        arr = np.asarray(a)
    except (TypeError, ValueError):
        raise ValueError(f"{what} must be a real array of {ndim} dimension(s); got {type(a).__name__}") from None
    if arr.dtype.kind not in "biuf":         # complex would lose its imaginary part silently
        raise TypeError(f"{what} must hold real numbers; got dtype {arr.dtype}")
    arr = arr.astype(np.float64)
    if arr.ndim != ndim:
        raise ValueError(f"{what} must have {ndim} dimension(s); got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{what} must be finite (an exact count needs exact rationals); it holds inf or nan")
    return arr


def _network(weights, biases) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """(weights, biases) as float64 arrays; ValueError unless weights[k] is (q_k, q_(k+1)), biases[k] is
    (q_(k+1),), q_0 = 1 input and q_L = 1 output, all finite."""
    if isinstance(weights, np.ndarray) or isinstance(biases, np.ndarray):
        raise ValueError("weights and biases must be sequences of arrays, one per layer (the output layer last)")
    try:
        weights, biases = list(weights), list(biases)
    except TypeError:
        raise ValueError("weights and biases must be sequences of arrays, one per layer (the output layer last)") from None
    if not weights or len(weights) != len(biases):
        raise ValueError(f"need as many bias vectors as weight matrices, at least one; got {len(weights)} weight "
                         f"matrices and {len(biases)} bias vectors")
    Ws = [_float_array(W, f"weights[{k}]", 2) for k, W in enumerate(weights)]
    bs = [_float_array(b, f"biases[{k}]", 1) for k, b in enumerate(biases)]
    q = 1
    for k, (W, b) in enumerate(zip(Ws, bs)):
        if W.shape[0] != q or W.shape[1] == 0 or b.shape != (W.shape[1],):
            raise ValueError(f"layer {k}: need weights[{k}] of shape ({q}, q_{k + 1}) and biases[{k}] of shape "
                             f"(q_{k + 1},) (1-D input, h_(k+1) = ReLU(W_k^T h_k + b_k)); got weights "
                             f"{[w.shape for w in Ws]}, biases {[c.shape for c in bs]}")
        q = W.shape[1]
    if q != 1:
        raise ValueError(f"the output layer (last) must have one unit; got weights[-1] of shape {Ws[-1].shape}")
    return Ws, bs


def _interval(lo, hi) -> tuple[Fraction, Fraction]:
    for name, v in (("lo", lo), ("hi", hi)):
        if isinstance(v, bool) or not isinstance(v, numbers.Real) or not math.isfinite(v):
            raise ValueError(f"{name} must be a finite real number; got {v!r}")
    a, b = Fraction(lo), Fraction(hi)
    if not a < b:
        raise ValueError(f"need lo < hi; got lo = {lo!r}, hi = {hi!r}")
    return a, b


def _dyadic(arr: np.ndarray) -> tuple[np.ndarray, int]:
    """(integers M as an object array, shift e) with arr == M / 2**e exactly."""
    pairs = [float(v).as_integer_ratio() for v in arr.ravel()]
    e = max((d.bit_length() - 1 for _, d in pairs), default=0)      # every denominator is a power of two
    ints = np.array([n << (e - (d.bit_length() - 1)) for n, d in pairs] or [], dtype=object)
    return ints.reshape(arr.shape), e


# ---- exact pieces ----------------------------------------------------------------------------------

def _num(xs) -> np.ndarray:
    return np.array([x.numerator for x in xs], dtype=object)


def _den(xs) -> np.ndarray:
    return np.array([x.denominator for x in xs], dtype=object)


def _positive(a, c, num, den) -> np.ndarray:
    """Row-wise a·x + c > 0 at x = num/den (den > 0), exactly: a, c are (pieces, units) integer object arrays,
    num, den (pieces,) integer object arrays."""
    return (a * num[:, None] + c * den[:, None] > 0).astype(bool)


def _split(lo, hi, a, c, W, b):
    """One hidden layer, all pieces at once. Piece k is [lo[k], hi[k]] (Fractions) and carries h = (a[k] x + c[k])/2^S;
    return the pieces of ReLU(Wᵀh + b) (same form), each old piece split where a pre-activation changes sign strictly
    inside it (an affine function crosses 0 inside an interval iff its signs at the ends are strictly opposite)."""
    za, zc = a.dot(W), c.dot(W) + b
    v_lo = za * _num(lo)[:, None] + zc * _den(lo)[:, None]       # numerators of z at the ends (denominators > 0)
    v_hi = za * _num(hi)[:, None] + zc * _den(hi)[:, None]
    crossing = ((v_lo > 0) & (v_hi < 0)) | ((v_lo < 0) & (v_hi > 0))
    pieces = len(lo) + int(np.count_nonzero(crossing.astype(bool)))        # at most, before equal cuts merge
    if pieces * za.shape[1] > MAX_WORK:
        raise ValueError(f"up to {pieces} linear pieces times {za.shape[1]} units exceeds the budget of {MAX_WORK} "
                         f"exact evaluations; use a smaller network or interval")
    parent, left, right = [], [], []
    for k in range(len(lo)):
        units = np.flatnonzero(crossing[k].astype(bool))
        cuts = sorted({Fraction(-zc[k, j], za[k, j]) for j in units})
        edges = [lo[k], *cuts, hi[k]]
        parent += [k] * (len(edges) - 1)
        left += edges[:-1]
        right += edges[1:]
    parent = np.array(parent)
    mid = [(x + y) / 2 for x, y in zip(left, right)]
    za, zc = za[parent], zc[parent]
    on = _positive(za, zc, _num(mid), _den(mid))          # the pattern is constant strictly inside a piece
    zero = np.zeros_like(za)
    return left, right, np.where(on, za, zero), np.where(on, zc, zero)


def breakpoints(weights, biases, lo, hi) -> list[Fraction]:
    """The kinks of the network's output on (lo, hi), exactly, as sorted Fractions: the points where its slope
    changes. The network is numeric.init.network's / numeric.generated.mlp's convention with one input and one
    output: weights[k] of shape (q_k, q_(k+1)), h_(k+1) = ReLU(W_kᵀ h_k + b_k), the last layer linear.

    Layer by layer, each piece of [lo, hi] on which every unit so far is affine is split where a unit's
    pre-activation crosses 0 inside it; adjacent pieces of the output with equal slopes are then merged (kinks
    that cancel are not kinks). Exact rational arithmetic throughout (the float weights are exact rationals):
    no sampling, no tolerance."""
    Ws, bs = _network(weights, biases)
    lo, hi = _interval(lo, hi)
    S = 0                                           # h_k = (a x + c) / 2**S on each piece
    left, right = [lo], [hi]
    a, c = np.array([[1]], dtype=object), np.array([[0]], dtype=object)
    for k, (W, b) in enumerate(zip(Ws, bs)):
        Wi, eW = _dyadic(W)
        bi, eb = _dyadic(b)
        # z = Wᵀh + b = (Wiᵀ(a x + c) 2**(T-S-eW) + bi 2**(T-eb)) / 2**T, T = max(S + eW, eb)
        T = max(S + eW, eb)
        Wi = Wi * (1 << (T - S - eW))
        bi = bi * (1 << (T - eb))
        S = T
        if k < len(Ws) - 1:
            if len(left) * W.size > MAX_WORK:
                raise ValueError(f"layer {k}: {len(left)} pieces times {W.size} weights exceeds the budget of "
                                 f"{MAX_WORK} exact evaluations; use a smaller network or interval")
            left, right, a, c = _split(left, right, a, c, Wi, bi)
        else:
            slopes = a.dot(Wi)[:, 0].tolist()
    return [left[i] for i in range(1, len(left)) if slopes[i] != slopes[i - 1]]


def count_regions(weights, biases, lo, hi) -> int:
    """The number of linear pieces of a 1-D-input, scalar-output ReLU network on [lo, hi], exactly (see
    `breakpoints`): maximal intervals on which the output is affine."""
    return len(breakpoints(weights, biases, lo, hi)) + 1


def local_slopes(weights, biases, x, side: int = 1) -> np.ndarray:
    """The output's one-sided slope at each point of x, in float forward mode: from the right (side = 1) or the
    left (side = −1). A unit at exactly 0 counts as on iff its pre-activation grows on that side, so the slope
    is that of the piece just beside the point, never a mix. For sampling counts only."""
    if side not in (1, -1):
        raise ValueError(f"side must be 1 (right) or -1 (left); got {side!r}")
    Ws, bs = _network(weights, biases)
    h = _float_array(np.ravel(x) if np.ndim(x) else [x], "x", 1).reshape(-1, 1)
    dh = np.ones_like(h)
    for W, b in zip(Ws[:-1], bs[:-1]):
        z, dz = h @ W + b, dh @ W
        on = (z > 0) | ((z == 0) & (side * dz > 0))
        h, dh = np.where(on, z, 0.0), np.where(on, dz, 0.0)
    return (dh @ Ws[-1])[:, 0]


def sampled_count(weights, biases, lo, hi, n: int, rtol: float = 1e-9) -> int:
    """Linear pieces SEEN by n equally spaced samples of [lo, hi]: 1 + the number of changes of the local slope
    between consecutive samples (slopes within rtol count as equal). Each piece is an interval, so the runs of
    one slope are at most the pieces: sampling can only undercount (two pieces whose slopes agree to rtol
    excepted). The exact count is `count_regions`."""
    if isinstance(n, bool) or not isinstance(n, numbers.Integral) or n < 2:
        raise ValueError(f"n must be an integer >= 2; got {n!r}")
    if n > MAX_ENTRIES:
        raise ValueError(f"n must be at most {MAX_ENTRIES}; got {n}")
    lo, hi = (float(v) for v in _interval(lo, hi))
    x = np.linspace(lo, hi, int(n))
    # the slope just right of each sample but the last, just left of the last: always a piece inside [lo, hi]
    s = np.append(local_slopes(weights, biases, x[:-1], 1), local_slopes(weights, biases, x[-1:], -1))
    scale = np.maximum(np.abs(s[1:]), np.abs(s[:-1]))
    return 1 + int(np.count_nonzero(np.abs(s[1:] - s[:-1]) > rtol * scale))


# ---- constructions (R24) ---------------------------------------------------------------------------

def _positive_int(v, name: str) -> int:
    if isinstance(v, bool) or not isinstance(v, numbers.Integral) or v < 1:
        raise ValueError(f"{name} must be a positive integer; got {v!r}")
    return int(v)


def _within_budget(q: int, L: int) -> None:
    """ValueError unless the L layers of width q (about L q² weights) fit in MAX_ENTRIES."""
    if q * q * L > MAX_ENTRIES:
        raise ValueError(f"q = {q}, L = {L} needs about q^2 L = {q * q * L} weights, more than the budget of "
                         f"{MAX_ENTRIES}")


def _zigzag(q: int) -> tuple[np.ndarray, np.ndarray]:
    """The q-tooth zig-zag g on [0, 1] as hidden units ReLU(q x − i), i < q, and output coefficients c:
    g = Σ c_i ReLU(q x − i) with c_0 = 1, c_i = 2(−1)^i, so g(x) rises 0 → 1 on [0, 1/q], falls back on
    [1/q, 2/q], ...: q pieces, each onto [0, 1]. Integers only: every kink and value is exact in floats."""
    shifts = -np.arange(q, dtype=np.float64)
    c = np.array([1.0] + [2.0 * (-1) ** i for i in range(1, q)])
    return shifts, c


def sawtooth_network(q, L) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """(weights, biases), output layer last: L hidden layers of width q, each the q-tooth zig-zag of the
    previous one's output, so the network is g∘…∘g (L times), with exactly q^L linear pieces on [0, 1]."""
    q, L = _positive_int(q, "q"), _positive_int(L, "L")
    _within_budget(q, L)
    shifts, c = _zigzag(q)
    weights = [np.full((1, q), float(q))] + [np.outer(c, np.full(q, float(q))) for _ in range(L - 1)]
    weights.append(c.reshape(q, 1))
    biases = [shifts.copy() for _ in range(L)] + [np.zeros(1)]
    return weights, biases


def montufar_network(q, L) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """(weights, biases), output layer last: L − 1 zig-zag layers of width q (q^(L−1) pieces, each onto [0, 1]),
    then a layer of width q with q kinks inside (0, 1) and nonzero end slopes, so every piece splits into
    q + 1 and no kink between pieces cancels: exactly q^(L−1)(q + 1) linear pieces on [0, 1] (Montúfar et
    al.'s bound for one input).

    The last layer: u = previous output, units ReLU(1 − 2q u) and ReLU(2q u − (2i+1)) for 1 ≤ i < q (kinks
    (2i+1)/(2q)), summed: slopes −2q, 0, 2q, ..., 2q(q−1) from left to right, all adjacent ones distinct."""
    q, L = _positive_int(q, "q"), _positive_int(L, "L")
    _within_budget(q, L)
    shifts, c = _zigzag(q)
    sign = np.array([-1.0] + [1.0] * (q - 1))
    last_shift = -sign * (2.0 * np.arange(q) + 1.0)
    saw, _ = sawtooth_network(q, L - 1) if L > 1 else ([], None)
    if L == 1:
        weights, biases = [(2.0 * q * sign).reshape(1, q)], [last_shift]
    else:
        weights = saw[:-1] + [np.outer(c, 2.0 * q * sign)]
        biases = [shifts.copy() for _ in range(L - 1)] + [last_shift]
    return weights + [np.ones((q, 1))], biases + [np.zeros(1)]


def sawtooth_pieces(q: int, L: int) -> int:
    """q^L."""
    return q ** L


def montufar_pieces(q: int, L: int) -> int:
    """q^(L−1)(q + 1)."""
    return q ** (L - 1) * (q + 1)


# ---- the ReLU interpolant (R21) -----------------------------------------------------------------------

class ReluInterpolant:
    """f_q(x) = f(lo) + Σ_{i<q} c_i ReLU(x − x_i) on the knots x_i = lo + i h, h = (hi − lo)/q, with c_0 = s_0
    and c_i = s_i − s_(i−1), s_i the slope of f's chord on [x_i, x_(i+1)]: f_q interpolates f at every knot and
    is linear between. Beyond the knots it goes on as q ReLU units do: constant f(lo) left of lo, the last
    chord's line right of hi."""

    def __init__(self, knots: np.ndarray, values: np.ndarray):
        self.knots = knots
        self.values = values
        with np.errstate(over="ignore", invalid="ignore"):
            self.slopes = np.diff(values) / np.diff(knots)
            self.coefficients = np.diff(self.slopes, prepend=0.0)
        if not (np.all(np.isfinite(self.slopes)) and np.all(np.isfinite(self.coefficients))):
            raise ValueError("the chord slopes of f between the knots (or their differences) overflow float64: "
                             "f's values are too large for the knots' spacing")

    def __call__(self, x):
        """f_q(x), evaluated on the piece holding x as values[i] + s_i (x − x_i): the same function as the sum of
        ReLU units, without summing q terms of alternating sign (which cancel, losing digits as q grows)."""
        x = np.asarray(x)
        if x.dtype.kind not in "biuf":
            raise TypeError(f"x must hold real numbers; got dtype {x.dtype}")
        x = x.astype(np.float64)
        i = np.clip(np.searchsorted(self.knots, x, side="right") - 1, 0, len(self.slopes) - 1)
        s, k, v = self.slopes[i], self.knots[i], self.values[i]
        with np.errstate(over="ignore", invalid="ignore"):
            d = x - k
            d = np.where(np.isinf(d) & np.isfinite(x), 2.0 * (0.5 * x - 0.5 * k), d)    # x − x_i beyond float64
            y = np.where(s == 0.0, v, v + s * d)            # slope 0 at x = ±inf is the constant, not 0·inf
        return np.where(x < self.knots[0], self.values[0], y)

    def network(self) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """The same function as (weights, biases), output layer last: q hidden units ReLU(x − x_i)."""
        q = len(self.coefficients)
        return [np.ones((1, q)), self.coefficients.reshape(q, 1)], [-self.knots[:-1], np.array([self.values[0]])]


def relu_interpolant(f, q, lo=0.0, hi=1.0) -> ReluInterpolant:
    """The q-unit ReLU interpolant of f on [lo, hi] (R21), a vectorised callable. f is called once, on the
    q + 1 knots as an array, and must return q + 1 finite values."""
    q = _positive_int(q, "q")
    a, b = _interval(lo, hi)
    if not callable(f):
        raise TypeError(f"f must be callable; got {type(f).__name__}")
    if q > MAX_ENTRIES:
        raise ValueError(f"q must be at most {MAX_ENTRIES}; got {q}")
    s = np.arange(q + 1) / q
    knots = float(a) * (1.0 - s) + float(b) * s        # no hi − lo: it overflows for lo = −1e308, hi = 1e308
    knots[0], knots[-1] = float(a), float(b)
    if not np.all(np.diff(knots) > 0):
        raise ValueError(f"[{lo!r}, {hi!r}] is too narrow for {q + 1} distinct float knots")
    values = np.asarray(f(knots))
    if values.dtype.kind not in "biuf":
        raise TypeError(f"f must return real numbers; got dtype {values.dtype}")
    values = values.astype(np.float64)
    if values.shape != knots.shape or not np.all(np.isfinite(values)):
        raise ValueError(f"f must map the {q + 1} knots to {q + 1} finite values; got shape {values.shape}")
    return ReluInterpolant(knots, values)


__all__ = ["breakpoints", "count_regions", "local_slopes", "sampled_count", "sawtooth_network", "montufar_network",
           "sawtooth_pieces", "montufar_pieces", "relu_interpolant", "ReluInterpolant"]
