"""Capacity measured (R21, R22, R24): exact piece counts, the interpolant's error, R11's loss in ReLU pieces and by SGD, Barron's trade-off.

Every function is deterministic (fixed seeds, no timings) and cached: the checks of numeric.checks.capacity and
the figures of deepderive.report.figures_capacity read the same calls, so a caption quotes the numbers a check
judged. SGD uses the generated backpropagation (numeric.generated.mlp.layers) and numeric.optim.sgd.
"""
from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from . import capacity as C

def _one_blas_thread(fn):
    """Run fn on one BLAS thread: its matrices are tens of rows wide, where threads on 2 busy cores cost 10x more
    than they save (as in numeric.depth_study). threadpoolctl is scikit-learn's own dependency."""
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        from threadpoolctl import threadpool_limits

        with threadpool_limits(limits=1, user_api="blas"):
            return fn(*args, **kwargs)
    return wrapper


# ---- R24: constructions and random networks ---------------------------------------------------------

#: (q, L) of the constructions counted exactly; the last ones have more pieces than SAMPLES samples.
CONSTRUCTIONS = ((1, 3), (2, 1), (2, 3), (2, 10), (3, 2), (3, 4), (3, 6), (4, 3), (4, 5), (5, 2), (5, 4), (7, 3))
#: equally spaced samples of [0, 1] for the sampling count the exact one is compared with.
SAMPLES = 500


@dataclass(frozen=True)
class Construction:
    q: int
    L: int
    sawtooth: int          # exact count of sawtooth_network(q, L) on [0, 1]
    montufar: int          # exact count of montufar_network(q, L) on [0, 1]
    sawtooth_sampled: int  # what SAMPLES samples see
    montufar_sampled: int


@lru_cache(maxsize=None)
def constructions() -> tuple[Construction, ...]:
    out = []
    for q, L in CONSTRUCTIONS:
        saw, mon = C.sawtooth_network(q, L), C.montufar_network(q, L)
        out.append(Construction(q, L, C.count_regions(*saw, 0.0, 1.0), C.count_regions(*mon, 0.0, 1.0),
                                C.sampled_count(*saw, 0.0, 1.0, SAMPLES), C.sampled_count(*mon, 0.0, 1.0, SAMPLES)))
    return tuple(out)


#: Random networks: He weights N(0, 2/q_in) from numeric.init.network; biases N(0, BIAS_SD²) (zero biases
#: would make the network positively homogeneous, f(tx) = t f(x) for t > 0: at most 2 pieces); counted on
#: RANDOM_INTERVAL; RANDOM_SEEDS networks per shape.
RANDOM_WIDTHS = (8, 16, 32)
RANDOM_DEPTHS = (1, 2, 3, 4)
RANDOM_SEEDS = (0, 1, 2)
BIAS_SD = 0.5
RANDOM_INTERVAL = (-3.0, 3.0)


@dataclass(frozen=True)
class RandomCounts:
    width: int
    depth: int
    counts: tuple          # exact count per seed
    montufar_bound: int    # q^(L−1)(q+1): the construction's count (a lower bound on the maximum)
    serra_bound: int       # Π (n_l + 1): the maximum over all 1-D networks of these widths (Serra et al. 2018)

    @property
    def neurons(self) -> int:
        return self.width * self.depth

    @property
    def mean(self) -> float:
        return float(np.mean(self.counts))


def random_network(width: int, depth: int, seed: int):
    """(weights, biases): numeric.init.network's He weights for (1, width × depth, 1) from default_rng(seed), then
    hidden biases N(0, BIAS_SD²) from the same generator, the output bias 0."""
    from .init import network

    rng = np.random.default_rng(seed)
    weights, biases = network((1,) + (width,) * depth + (1,), "he", rng)
    biases = [rng.normal(0.0, BIAS_SD, size=b.shape) for b in biases[:-1]] + [np.zeros(1)]
    return weights, biases


@lru_cache(maxsize=None)
@_one_blas_thread
def random_counts() -> tuple[RandomCounts, ...]:
    lo, hi = RANDOM_INTERVAL
    out = []
    for q in RANDOM_WIDTHS:
        for L in RANDOM_DEPTHS:
            counts = tuple(C.count_regions(*random_network(q, L, s), lo, hi) for s in RANDOM_SEEDS)
            out.append(RandomCounts(q, L, counts, C.montufar_pieces(q, L), (q + 1) ** L))
    return tuple(out)


def loglog_slope(rows) -> float:
    """Least-squares slope of log(mean count) against log(neurons): 1 for a linear law."""
    x = np.log([r.neurons for r in rows])
    y = np.log([r.mean for r in rows])
    return float(np.polyfit(x, y, 1)[0])


# ---- R21: the interpolant of sin 2πx -------------------------------------------------------------------

SINE_QS = (2, 4, 8, 16, 32, 64, 128, 256, 512, 1024)
GRID_PER_PIECE = 16


def sine(x):
    return np.sin(2.0 * np.pi * np.asarray(x, dtype=np.float64))


@dataclass(frozen=True)
class SineError:
    q: int
    sup: float             # the analytic maximum of |sin 2πx − chord| over the candidate pieces, at 30 digits
    grid_sup: float        # max |sin 2πx − f_q(x)| on GRID_PER_PIECE points per piece, in floats
    bound: float           # π²/(2q²) = (h²/8) max|f''|
    interp_diff: float     # max |f_q − numpy.interp| on the grid


def _piece_maximum(x0, x1, y0, y1):
    """max over [x0, x1] of |sin 2πx − chord(x)|, the chord through (x0, y0), (x1, y1), at 30 digits: the error's
    derivative 2π cos 2πx − s vanishes where cos 2πx = s/(2π) (|s| ≤ 2π by the mean value theorem); every such
    point inside the piece."""
    import mpmath

    with mpmath.workdps(30):
        two_pi = 2 * mpmath.pi
        x0, x1, y0, y1 = (mpmath.mpf(float(v)) for v in (x0, x1, y0, y1))
        s = (y1 - y0) / (x1 - x0)
        base = mpmath.acos(max(-1, min(1, s / two_pi))) / two_pi     # in [0, 1/2]
        worst = mpmath.mpf(0)
        for k in range(int(mpmath.floor(x0)) - 1, int(mpmath.ceil(x1)) + 2):
            for x in (k + base, k - base):
                if x0 <= x <= x1:
                    worst = max(worst, abs(mpmath.sin(two_pi * x) - (y0 + s * (x - x0))))
        return float(worst)


#: A piece's grid maximum (GRID_PER_PIECE = 16 points) is below its true maximum by at most a relative
#: ½|f''|(h/(2·16))² / ((h²/8)|f''|) = 1/256 near the largest errors; pieces within CANDIDATE of the best grid
#: maximum get the exact treatment, so the largest one is among them.
CANDIDATE = 1e-2


@lru_cache(maxsize=None)
@_one_blas_thread
def sine_errors() -> tuple[SineError, ...]:
    out = []
    for q in SINE_QS:
        g = C.relu_interpolant(sine, q)
        x = np.linspace(0.0, 1.0, GRID_PER_PIECE * q + 1)
        fx = g(x)
        err = np.abs(sine(x) - fx)
        per_piece = np.maximum(err[:-1].reshape(q, GRID_PER_PIECE).max(axis=1), err[GRID_PER_PIECE::GRID_PER_PIECE])
        candidates = np.flatnonzero(per_piece >= (1.0 - CANDIDATE) * per_piece.max())
        sup = max(_piece_maximum(g.knots[i], g.knots[i + 1], g.values[i], g.values[i + 1]) for i in candidates)
        out.append(SineError(q, sup, float(err.max()), math.pi ** 2 / (2 * q * q),
                             float(np.max(np.abs(fx - np.interp(x, g.knots, g.values))))))
    return tuple(out)


# ---- R21: R11's loss in 13 knots, and by SGD ---------------------------------------------------------

R11_INTERVAL = (-5.0, 6.0)
R11_UNITS = 12                    # 13 knots x_0 .. x_12: 12 ReLU units
STRIP_PANELS = (1, 3, 6, 12)      # units added so far in each panel of the strip


def r11_loss(theta):
    """R11's loss 0.02((θ − 0.333)⁴ − 30θ²)."""
    t = np.asarray(theta, dtype=np.float64)
    return 0.02 * ((t - 0.333) ** 4 - 30.0 * t * t)


def r11_bound() -> float:
    """(h²/8) max|L''| on [−5, 6]: L'' = 0.02(12(θ − 0.333)² − 60), largest in size at an end of the interval."""
    lo, hi = R11_INTERVAL
    h = (hi - lo) / R11_UNITS
    second = max(abs(0.02 * (12.0 * (t - 0.333) ** 2 - 60.0)) for t in (lo, hi, 0.333))
    return h * h / 8.0 * second


def partial_interpolant(k: int):
    """The first k units of the 13-knot interpolant: f(x_0) + Σ_{i<k} c_i ReLU(x − x_i), the interpolant on
    [x_0, x_k] continued by its last chord (the lecture's animation adds the units one at a time)."""
    g = C.relu_interpolant(r11_loss, R11_UNITS, *R11_INTERVAL)
    c = g.coefficients[:k]
    return lambda x: g.values[0] + np.maximum(np.asarray(x, dtype=np.float64)[..., None] - g.knots[:k], 0.0) @ c


# SGD on a one-hidden-layer ReLU network of R11_UNITS units, squared loss. The input is rescaled to
# u = (θ − 0.5)/5.5 ∈ [−1, 1] for training and folded back into the first layer afterwards.
SGD_ROWS, SGD_EPOCHS, SGD_BATCH, SGD_LR = 512, 100, 32, 0.15
#: one run per seed (data, initialisation and batch order): SGD lands in different minima, all are shown.
SGD_SEEDS = (0, 1, 2, 3)
_CENTRE, _HALF = 0.5, 5.5


def squared_loss_and_grad(weights, biases, X, y):
    """(½ mean (s − y)², grad_weights, grad_biases) of a ReLU network with a linear output s, from the generated
    backpropagation numeric.generated.mlp.layers: its per-row deltas are linear in the output delta σ(s) − y, so
    the deltas at y = 0 minus those at y = 1 are ∂s/∂z_k (output delta σ(s) + σ(−s) = 1); times the residual
    (s − y)/N they are the squared loss's deltas. One call of `layers`, on the rows stacked twice (labels 0, then
    1); s is its last hidden layer times the output weights."""
    from .generated import mlp

    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    n = X.shape[0]
    acts, d = mlp.layers(weights, biases, np.concatenate([X, X]), np.repeat([0.0, 1.0], n), activation="relu")
    hs = [X] + [a[:n] for a in acts]
    s = (hs[-1] @ weights[-1] + biases[-1])[:, 0]
    r = ((s - y) / n)[:, None]
    deltas = [(dk[:n] - dk[n:]) * r for dk in d]
    grad_w = [h.T @ dk for h, dk in zip(hs, deltas)]
    grad_b = [np.add.reduce(dk, axis=0) for dk in deltas]
    return 0.5 * float(np.dot(s - y, s - y)) / n, grad_w, grad_b


def _pack(weights, biases):
    return np.concatenate([weights[0].ravel(), biases[0], weights[1].ravel(), biases[1]])


def _unpack(theta, q):
    """The inverse of _pack for one hidden layer of q units: views, no copies."""
    return [theta[:q].reshape(1, q), theta[2 * q:3 * q].reshape(q, 1)], [theta[q:2 * q], theta[3 * q:]]


@dataclass(frozen=True)
class R11Fit:
    weights: tuple             # the trained network in θ coordinates, (W1, W2)
    biases: tuple
    loss_start: float          # ½ mean squared error on the training rows (u coordinates: same values)
    loss_end: float
    sgd_sup: float             # max |net − L| on the dense grid of [−5, 6]
    sgd_rms: float
    construction_sup: float    # the 13-knot interpolant's, same grid
    construction_rms: float
    sgd_pieces: int            # exact linear pieces of the trained net on [−5, 6]
    steps: int
    seed: int
    kinks: tuple = ()          # each hidden unit's kink −b/w in θ, sorted (a unit with w = 0 has none)

    def __call__(self, theta):
        h = np.maximum(np.asarray(theta, dtype=np.float64)[..., None] @ self.weights[0] + self.biases[0], 0.0)
        return (h @ self.weights[1] + self.biases[1])[..., 0]


def r11_grid() -> np.ndarray:
    return np.linspace(*R11_INTERVAL, 22001)


@lru_cache(maxsize=None)
@_one_blas_thread
def r11_fit(seed: int) -> R11Fit:
    """SGD (numeric.optim.sgd, constant step SGD_LR, batches of SGD_BATCH, SGD_EPOCHS epochs) from He weights
    (numeric.init.he) with first-layer biases placing the kinks uniformly in [−1, 1] (u coordinates), on
    SGD_ROWS rows θ ~ U[−5, 6], all drawn from default_rng(seed), which also orders the batches."""
    from .init import he
    from .optim import sgd

    q = R11_UNITS
    rng = np.random.default_rng(seed)
    theta = rng.uniform(*R11_INTERVAL, SGD_ROWS)
    U, y = ((theta - _CENTRE) / _HALF)[:, None], r11_loss(theta)
    W1, W2 = he((1, q), rng), he((q, 1), rng)
    b1 = -W1[0] * rng.uniform(-1.0, 1.0, q)
    start = _pack([W1, W2], [b1, np.zeros(1)])

    def grad_batch(p, idx):
        w, b = _unpack(p, q)
        _, gw, gb = squared_loss_and_grad(w, b, U[idx], y[idx])
        return _pack(gw, gb)

    res = sgd(grad_batch, start, SGD_ROWS, lr=SGD_LR, epochs=SGD_EPOCHS, batch_size=SGD_BATCH, seed=seed)
    (w1, w2), (c1, c2) = _unpack(res.theta, q)
    # back to θ: W1ᵀ u + b1 with u = (θ − centre)/half
    weights = (w1 / _HALF, w2.copy())
    biases = (c1 - w1[0] * _CENTRE / _HALF, c2.copy())
    loss = lambda p: squared_loss_and_grad(*_unpack(p, q), U, y)[0]
    grid = r11_grid()
    target = r11_loss(grid)
    g = C.relu_interpolant(r11_loss, q, *R11_INTERVAL)
    fit = R11Fit(weights, biases, loss(start), loss(res.theta), 0.0, 0.0, 0.0, 0.0, 0, res.steps, seed)
    net_err, con_err = fit(grid) - target, g(grid) - target
    return R11Fit(weights, biases, fit.loss_start, fit.loss_end, float(np.max(np.abs(net_err))),
                  float(np.sqrt(np.mean(net_err ** 2))), float(np.max(np.abs(con_err))),
                  float(np.sqrt(np.mean(con_err ** 2))), C.count_regions(list(weights), list(biases), *R11_INTERVAL),
                  res.steps, seed, tuple(sorted(float(-c / w) for w, c in zip(weights[0][0], biases[0]) if w != 0)))


def r11_fits() -> tuple[R11Fit, ...]:
    return tuple(r11_fit(s) for s in SGD_SEEDS)


# ---- R22: Barron's trade-off -------------------------------------------------------------------------

#: N noisy rows y = sin 2πx + ε, ε ~ N(0, BARRON_NOISE²), x ~ U[0, 1] (seed BARRON_SEED); q ReLU units
#: ReLU(x − i/q), i < q (the interpolant's units) with an output bias, output layer fitted by least squares.
BARRON_N, BARRON_NOISE, BARRON_SEED = 200, 0.5, 0
BARRON_QS = tuple(range(1, 41))
BARRON_GRID = 2001
BARRON_MC = 200       # noise draws for the Monte Carlo confirmation of the expectation


def barron_target(x):
    return np.sin(2.0 * np.pi * np.asarray(x, dtype=np.float64))


def _features(x, q):
    x = np.asarray(x, dtype=np.float64)
    return np.column_stack([np.ones_like(x), np.maximum(x[:, None] - np.arange(q) / q, 0.0)])


@dataclass(frozen=True)
class Barron:
    qs: tuple
    bias2: np.ndarray          # integrated squared bias, per q (exact given the design)
    variance: np.ndarray       # integrated variance σ² mean_g diag(F_g (FᵀF)⁺ F_gᵀ), per q
    mc: np.ndarray             # Monte Carlo mean over BARRON_MC noise draws of the integrated squared error
    mc_se: np.ndarray          # its standard error
    a: float                   # fitted C²  (the bound's shape a/q + b (q p/N) log N, p = 1, fitted)
    b: float
    n: int

    @property
    def mise(self) -> np.ndarray:
        return self.bias2 + self.variance

    @property
    def q_best(self) -> int:
        return int(self.qs[int(np.argmin(self.mise))])

    @property
    def q_star(self) -> float:
        """argmin of a/q + b q log N/N: √(a/b) √(N/(p log N)), i.e. C √(N/(p log N)) with C² = a/b."""
        return math.sqrt(self.a / self.b * self.n / math.log(self.n))

    def shape(self, q):
        q = np.asarray(q, dtype=np.float64)
        return self.a / q + self.b * q * math.log(self.n) / self.n


@lru_cache(maxsize=None)
@_one_blas_thread
def barron() -> Barron:
    """The mean integrated squared error of the least-squares fit against q, for the fixed design: bias² + variance
    in closed form (the fit is linear in y), confirmed by a Monte Carlo over noise draws; the bound's shape fitted to
    it by nonnegative least squares on the relative error."""
    from scipy.optimize import nnls

    rng = np.random.default_rng(BARRON_SEED)
    N = BARRON_N
    x = rng.uniform(0.0, 1.0, N)
    noise = rng.normal(0.0, BARRON_NOISE, (N, BARRON_MC))
    grid = np.linspace(0.0, 1.0, BARRON_GRID)
    f, fg = barron_target(x), barron_target(grid)
    bias2, var, mc, se = [], [], [], []
    mean_f2 = float(np.mean(fg * fg))
    for q in BARRON_QS:
        F, G = _features(x, q), _features(grid, q)
        A = np.linalg.pinv(F)                              # coefficients of the fit, per unit of y
        M, m = G.T @ G / len(grid), G.T @ fg / len(grid)   # the grid mean of (G c − f)² = cᵀMc − 2cᵀm + mean f²
        c_f = A @ f
        bias2.append(float(c_f @ M @ c_f - 2.0 * c_f @ m + mean_f2))
        var.append(BARRON_NOISE ** 2 * float(np.sum((M @ A) * A)))          # σ² tr(Aᵀ M A)
        c = A @ (f[:, None] + noise)
        ise = np.einsum("ij,ij->j", c, M @ c) - 2.0 * (m @ c) + mean_f2     # one per noise draw
        mc.append(float(ise.mean()))
        se.append(float(ise.std(ddof=1) / math.sqrt(BARRON_MC)))
    bias2, var, mc, se = np.array(bias2), np.array(var), np.array(mc), np.array(se)
    qs = np.array(BARRON_QS, dtype=np.float64)
    A = np.column_stack([1.0 / qs, qs * math.log(N) / N])
    mise = bias2 + var
    (a, b), _ = nnls(A / mise[:, None], np.ones_like(mise))
    return Barron(BARRON_QS, bias2, var, mc, se, float(a), float(b), N)


__all__ = ["constructions", "random_counts", "random_network", "sine_errors", "r11_fit", "r11_fits", "r11_bound",
           "partial_interpolant", "squared_loss_and_grad", "barron", "loglog_slope"]
