"""Depth and initialisation measured (R19–R20): Glorot and Bengio's study, gradient norms per layer, chains, dying ReLU.

Every function is deterministic (fixed seeds, fixed data) and returns plain data: the figures of
deepderive.report.figures_depth and the checks of numeric.checks.depth_study both read these, so the
numbers a caption quotes are the numbers a check judged. All forward and backward passes are the
generated code's (numeric.generated.mlp, numeric.generated.depth); autograd appears only as a reference.
"""
from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from .data import Dataset, breast_cancer

#: Glorot and Bengio (2010) compare these two: "standard" U[±1/√q_in] and "normalised" (Glorot) init.
GB_SCHEMES = ("standard", "glorot")
#: The bound's factor per sigmoid layer: σ'(z) ≤ ¼ (R20).
SIGMOID_SLOPE_MAX = 0.25


@contextmanager
def _one_blas_thread():
    """Run small matrix products on one BLAS thread: at widths of tens of units, threads cost more than they
    save (dying_relu runs 3x faster on 2 busy cores). threadpoolctl is scikit-learn's own dependency."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1, user_api="blas"):
        yield


# ---- data ----------------------------------------------------------------------------------------

@lru_cache(maxsize=1)
def digits() -> Dataset:
    """scikit-learn's handwritten digits (1797 × 64 pixels), columns standardised (the always-blank
    pixels stay 0), y = 1 for the digits 5–9: a real input distribution for Glorot and Bengio's network."""
    from sklearn.datasets import load_digits

    X, label = load_digits(return_X_y=True)
    sd = X.std(axis=0)
    X = (X - X.mean(axis=0)) / np.where(sd > 0, sd, 1.0)
    return Dataset("digits", X, (label >= 5).astype(float),
                   f"digits, N={len(label)}, p={X.shape[1]}, standardised, y = 1 for digits 5-9")


def _rows(data: Dataset, n: int | None, seed: int):
    """n rows of `data` drawn without replacement (seed), in their original order; all rows for None."""
    if n is None or n >= len(data.y):
        return data.X, data.y
    keep = np.sort(np.random.default_rng(seed).choice(len(data.y), n, replace=False))
    return data.X[keep], data.y[keep]


def network(widths, scheme: str, seed: int):
    """(weights, biases) of numeric.init's `scheme` for these widths, zero biases, from default_rng(seed)."""
    from . import init

    return init.network(tuple(widths), scheme, np.random.default_rng(seed))


# ---- Glorot and Bengio's figures 6-7 -----------------------------------------------------------------

@dataclass(frozen=True)
class LayerStats:
    """One tanh network at initialisation, layer by layer (hidden layers 1 .. depth).

    activations[k], deltas[k]: (n, width) arrays h_(k+1) and ∂loss_n/∂z_(k+1) (per row, not divided by n);
    act_std[k], delta_std[k]: their standard deviations over rows and units; act_mean[k]: the mean of h_(k+1).

    Backward, per step k (0-based, the step from hidden layer k+2 down to k+1): delta_ratio[k] =
    Var(∂L/∂z_(k+1)) / Var(∂L/∂z_(k+2)); back_gain[k] = q_out Var(W_(k+2)), the linear gain the derivation
    proves, from the drawn weights' sample variance; tanh_prime_sq[k] = mean of tanh'(z_(k+1))² over rows and
    units (≤ 1); delta_pred[k] = back_gain[k] tanh_prime_sq[k], the linear gain times the measured E[tanh'²].
    Forward, per step k (hidden layer k+1 up to k+2): act_ratio[k] = Var(h_(k+2)) / Var(h_(k+1)); fwd_gain[k] =
    q_in Var(W_(k+2)); squash[k] = Var(tanh z_(k+2)) / Var(z_(k+2)) measured (≤ 1: |tanh z| ≤ |z|); act_pred[k] =
    fwd_gain[k] squash[k] E[h_(k+1)²]/Var(h_(k+1)).
    """

    scheme: str
    depth: int
    width: int
    n: int
    activations: tuple
    deltas: tuple
    act_std: np.ndarray
    act_mean: np.ndarray
    delta_std: np.ndarray
    delta_ratio: np.ndarray
    back_gain: np.ndarray
    tanh_prime_sq: np.ndarray
    delta_pred: np.ndarray
    act_ratio: np.ndarray
    fwd_gain: np.ndarray
    squash: np.ndarray
    act_pred: np.ndarray


@lru_cache(maxsize=4)
def glorot_bengio(depth: int = 5, width: int = 1000, n: int = 500, scheme: str = "standard",
                  seed: int = 0) -> LayerStats:
    """Glorot and Bengio's setting: `depth` tanh hidden layers of `width` units on the standardised digits
    (n rows, seed), one sigmoid output unit, weights from numeric.init's `scheme`, zero biases; the
    activations and back-propagated gradients ∂L/∂z of every hidden layer, from mlp.layers. Cached: the
    figure and the checks read the same sample (treat the arrays as read-only)."""
    from .generated import mlp

    data = digits()
    X, y = _rows(data, n, seed)
    weights, biases = network((X.shape[1],) + (width,) * depth + (1,), scheme, seed)
    acts, deltas = mlp.layers(weights, biases, X, y, activation="tanh")
    deltas = deltas[:depth]                      # the hidden layers' (the last is the output logit's)
    act_var = np.array([a.var() for a in acts])
    dvar = np.array([d.var() for d in deltas])
    upper = range(1, depth)                      # W_(k+2) for the steps between hidden layers, 0-based weights[k+1]
    back_gain = np.array([weights[k].shape[1] * weights[k].var() for k in upper])
    fwd_gain = np.array([weights[k].shape[0] * weights[k].var() for k in upper])
    tps = np.array([np.mean((1.0 - a * a) ** 2) for a in acts[:-1]])       # tanh'(z) = 1 − tanh(z)²
    # z from h = tanh(z) by its inverse (exact away from |h| = 1, where a rounded h would lose z: then multiply)
    z = [np.arctanh(acts[k]) if np.all(np.abs(acts[k]) < 0.999) else acts[k - 1] @ weights[k] + biases[k]
         for k in upper]
    squash = np.array([acts[k].var() / zk.var() for k, zk in zip(upper, z)])
    second = np.array([np.mean(a * a) for a in acts[:-1]])
    return LayerStats(scheme, depth, width, len(y), tuple(acts), tuple(deltas), np.sqrt(act_var),
                      np.array([a.mean() for a in acts]), np.sqrt(dvar), dvar[:-1] / dvar[1:], back_gain, tps,
                      back_gain * tps, act_var[1:] / act_var[:-1], fwd_gain, squash,
                      fwd_gain * squash * second / act_var[:-1])


# ---- gradient norms per layer ------------------------------------------------------------------------

#: The derivation's per-layer variance gain of a (width, width) layer, in both directions: the linear gain q v
#: (exact for a linear layer; for tanh an upper bound, attained in its linear regime near 0, since |tanh z| ≤ |z|
#: and tanh' ≤ 1), halved for ReLU (ReLU halves the second moment of a symmetric pre-activation). Sigmoid is
#: not covered: σ(0) = ½, so its outputs are not zero-mean.
GAIN_FACTOR = {"tanh": 1.0, "relu": 0.5}
#: The largest slope of each hidden activation: σ' ≤ ¼ (R20), tanh' ≤ 1, ReLU' ≤ 1.
SLOPE_MAX = {"sigmoid": SIGMOID_SLOPE_MAX, "tanh": 1.0, "relu": 1.0}
#: A measured per-layer gain agrees with its prediction when |measured/predicted − 1| ≤ GAIN_TOL: a variance over
#: q = 100 units fluctuates by about √(2/q) ≈ 14% per layer, ≈ 5% over the 9 steps of a geometric mean; tanh's
#: saturation may only lower its gain (the linear gain is an upper bound), so 25% leaves room for both.
GAIN_TOL = 0.25


@dataclass(frozen=True)
class GradientNorms:
    """‖∂L/∂W_k‖_F at initialisation for each (activation, scheme) row and layer k = 1 .. depth+1.

    The hidden-to-hidden layers k = 2 .. depth all have shape (width, width), so their norms compare
    like with like: decay[r] = (‖g_2‖/‖g_depth‖)^(1/(depth-2)), the geometric mean of ‖g_k‖/‖g_(k+1)‖ over
    them (below 1: gradients shrink towards the input); spread[r] = max/min of those norms. delta_rms[r, k]:
    root mean square of ∂loss_n/∂z_(k+1) over rows and units; delta_decay[r] = (delta_rms[r, 0] /
    delta_rms[r, depth-1])^(1/(depth-1)), the same mean ratio for ∂L/∂z over the hidden layers; spectral[r, k] =
    ‖W_(k+1)‖₂, so that the sigmoid bound's factor per backward step from z_(k+1) to z_k is ¼ spectral[r, k]
    (σ' ≤ ¼), and bound[r] is its geometric mean over W_2 .. W_depth.

    Variance gains per layer, geometric means over the depth − 1 steps between hidden layers (all through
    (width, width) weights): fwd[r] = (Var h_depth / Var h_1)^(1/(depth-1)) (activations, going up), bwd[r] =
    (Var ∂L/∂z_1 / Var ∂L/∂z_depth)^(1/(depth-1)) (back-propagated gradients, going down); predicted[r] the
    derivation's gain (GAIN_FACTOR times q Var(W) of the scheme's derived variance; NaN for sigmoid); constant[r]
    = predicted 1 and both fwd and bwd within GAIN_TOL of it (within_band). act_mean[r, k], act_var[r, k]: mean and
    variance of h_(k+1) over rows and units. row_bound[r]: the largest, over rows n and steps k = 1 .. depth−1, of
    ‖∂loss_n/∂z_k‖ / (s ‖W_(k+1)‖₂ ‖∂loss_n/∂z_(k+1)‖) with s = SLOPE_MAX of the activation: at most 1, since
    ∂loss_n/∂z_k = (W_(k+1) ∂loss_n/∂z_(k+1)) ∘ f'(z_k) and |f'| ≤ s.
    """

    depth: int
    width: int
    rows: tuple                 # ((activation, scheme), ...)
    norms: np.ndarray           # (len(rows), depth + 1)
    delta_rms: np.ndarray       # (len(rows), depth + 1)
    decay: np.ndarray
    spread: np.ndarray
    constant: np.ndarray
    delta_decay: np.ndarray
    spectral: np.ndarray        # (len(rows), depth + 1)
    bound: np.ndarray
    data: str
    fwd: np.ndarray
    bwd: np.ndarray
    predicted: np.ndarray
    act_mean: np.ndarray        # (len(rows), depth)
    act_var: np.ndarray         # (len(rows), depth)
    row_bound: np.ndarray


def _square_band(depth: int) -> slice:
    """The layers W_2 .. W_depth (0-based 1 .. depth-1): every one (width, width)."""
    return slice(1, depth)


def predicted_gain(activation: str, scheme: str, width: int) -> float:
    """The 'init-variance' derivation's per-layer variance gain of a (width, width) `activation` layer whose
    weights have `scheme`'s derived variance (numeric.generated.init); NaN where it makes no prediction."""
    from .generated import init as derived

    if activation not in GAIN_FACTOR:
        return float("nan")
    variance = getattr(derived, f"{scheme}_variance")
    return GAIN_FACTOR[activation] * width * float(variance(width, width))


def _geometric_step(values, up: bool) -> float:
    """The geometric mean ratio per step of a per-layer sequence: (last/first)^(1/steps) going up, its inverse
    going down."""
    r = (values[-1] / values[0]) ** (1.0 / (len(values) - 1))
    return float(r if up else 1.0 / r)


def within_band(measured, predicted, tol: float = GAIN_TOL):
    """|measured / predicted − 1| ≤ tol, elementwise."""
    return np.abs(np.asarray(measured) / np.asarray(predicted) - 1.0) <= tol


@lru_cache(maxsize=2)
def gradient_norms(depth: int = 10, width: int = 100, activations=("sigmoid", "tanh", "relu"),
                   schemes=("standard", "glorot", "he"), seed: int = 0) -> GradientNorms:
    """The weight-gradient norms per layer of `depth` hidden layers of `width` units on the breast cancer
    data (all rows), by mlp.value_and_grad (λ = 0), for every activation × scheme; one seed per scheme,
    so the rows of a scheme share their weights and differ only in the activation. Cached: the figure and
    the checks read the same numbers."""
    from .generated import mlp

    if depth < 3:
        raise ValueError(f"gradient_norms needs depth >= 3 (two square layers to compare), got {depth}")
    data = breast_cancer()
    widths = (data.X.shape[1],) + (width,) * depth + (1,)
    rows, norms, rms, spectral, fwd, bwd, amean, avar, row_bound = [], [], [], [], [], [], [], [], []
    for scheme in schemes:
        weights, biases = network(widths, scheme, seed)
        with _one_blas_thread():
            spec = [np.linalg.norm(W, 2) for W in weights]
        for activation in activations:
            with _one_blas_thread():
                _, gW, _ = mlp.value_and_grad(weights, biases, data.X, data.y, activation=activation)
                acts, deltas = mlp.layers(weights, biases, data.X, data.y, activation=activation)
            rows.append((activation, scheme))
            norms.append([np.linalg.norm(g) for g in gW])
            rms.append([np.sqrt(np.mean(d * d)) for d in deltas])
            spectral.append(spec)
            amean.append([a.mean() for a in acts])
            avar.append([a.var() for a in acts])
            fwd.append(_geometric_step(avar[-1], up=True))
            bwd.append(_geometric_step([d.var() for d in deltas[:depth]], up=False))
            row_bound.append(_row_bound(deltas, spec, SLOPE_MAX[activation], depth))
    norms, rms, spectral, band = np.array(norms), np.array(rms), np.array(spectral), _square_band(depth)
    fwd, bwd = np.array(fwd), np.array(bwd)
    predicted = np.array([predicted_gain(a, s, width) for a, s in rows])
    constant = (np.isclose(predicted, 1.0, rtol=1e-12, atol=0.0) & within_band(fwd, 1.0) & within_band(bwd, 1.0))
    sq = norms[:, band]
    decay = (sq[:, 0] / sq[:, -1]) ** (1.0 / (sq.shape[1] - 1))
    spread = sq.max(axis=1) / sq.min(axis=1)
    delta_decay = (rms[:, 0] / rms[:, depth - 1]) ** (1.0 / (depth - 1))
    bound = SIGMOID_SLOPE_MAX * np.exp(np.mean(np.log(spectral[:, band]), axis=1))
    return GradientNorms(depth, width, tuple(rows), norms, rms, decay, spread, constant, delta_decay, spectral,
                         bound, data.description, fwd, bwd, predicted, np.array(amean), np.array(avar),
                         np.array(row_bound))


def _row_bound(deltas, spectral, slope: float, depth: int) -> float:
    """max over rows n and hidden steps k of ‖δ_(k,n)‖ / (slope ‖W_(k+1)‖₂ ‖δ_(k+1,n)‖); a zero over a zero (a row
    whose gradient vanished above, so below too) counts as 0, a nonzero over a zero as ∞."""
    worst = 0.0
    for k in range(depth - 1):
        lower = np.linalg.norm(deltas[k], axis=1)
        upper = slope * spectral[k + 1] * np.linalg.norm(deltas[k + 1], axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            r = np.where(lower == 0.0, 0.0, lower / upper)
        worst = max(worst, float(r.max()))
    return worst


# ---- scalar chains over depth ------------------------------------------------------------------------

@dataclass(frozen=True)
class ChainDepth:
    """|dŷ/dw₁| of random scalar chains, per depth (rows) and chain (columns).

    raw: |dŷ/dw₁|; normalised: |dŷ/dw₁| / (|x| Π_{k≥2} |w_k|), which the bound puts below (¼)^L for sigmoid
    and which is exactly 1 on an active ReLU path. relu_autograd_err: the largest |closed form − autograd|
    / |autograd| over every ReLU chain.
    """

    depths: np.ndarray
    sigmoid_raw: np.ndarray
    sigmoid_normalised: np.ndarray
    relu_raw: np.ndarray
    relu_normalised: np.ndarray
    relu_autograd_err: float
    chains: int


def _draw_chain(rng, L):
    """x and w_1 .. w_L, each U[−1, 1]: every |w_k| ≤ 1, the bound's shrinking regime."""
    return rng.uniform(-1.0, 1.0), rng.uniform(-1.0, 1.0, size=L)


def _active(x, w):
    """The same |x|, |w_k| with signs that make every ReLU of the chain active (w_1 x > 0, w_k > 0 after):
    U[−1, 1] conditioned on an active path, since the signs are independent of the magnitudes."""
    w = np.abs(w)
    w[0] *= np.sign(x)
    return x, w


def _relu_chain_autograd(x, W):
    """dŷ/dw₁ for each row of W (M chains, L layers), ŷ = relu(w_L ... relu(w_1 x)), by autograd."""
    import autograd
    import autograd.numpy as anp

    def total(W):
        h = x
        for k in range(W.shape[1]):
            h = anp.maximum(W[:, k] * h, 0.0)
        return anp.sum(h)          # chains are independent: the gradient of the sum is each chain's own
    return np.asarray(autograd.grad(total)(W))[:, 0]


def _padded(W, depth: int) -> np.ndarray:
    """Active-path ReLU weights of any depth ≤ `depth` padded with w = 1 layers: ReLU(1 · h) = h for h > 0, so
    the padded chain has the same output and the same dŷ/dw₁ (one autograd pass covers every depth)."""
    out = np.ones((len(W), depth))
    out[:, :W.shape[1]] = W
    return out


def _sigmoid_first_grads(xs, Ws) -> np.ndarray:
    """|dŷ/dw₁| of each sigmoid chain (x, w) by the generated chain_grad."""
    from .generated.depth import chain_grad

    return np.array([abs(float(np.ravel(chain_grad(x, w))[0])) for x, w in zip(xs, Ws)])


@lru_cache(maxsize=4)
def chain_gradient_vs_depth(depths=tuple(range(1, 51)), chains: int = 32, seed: int = 0) -> ChainDepth:
    """For each depth L, `chains` random chains (x, w ~ U[−1, 1], seed): sigmoid chains' dŷ/dw₁ by the
    generated chain_grad, ReLU chains' (on active paths) by the closed form x Π_{k≥2} w_k, checked
    against autograd. Cached: the figure and the checks read the same chains (treat as read-only)."""
    rng = np.random.default_rng(seed)
    depths = np.asarray(depths)
    shape = (len(depths), chains)
    s_raw, s_norm, r_raw, r_norm = (np.empty(shape) for _ in range(4))
    xs_all, Ws_all, closed_all = [], [], []
    for i, L in enumerate(depths):
        xs, Ws = zip(*(_draw_chain(rng, L) for _ in range(chains)))
        scale = np.array([abs(x) * np.prod(np.abs(w[1:])) for x, w in zip(xs, Ws)])
        s_raw[i] = _sigmoid_first_grads(xs, Ws)
        s_norm[i] = s_raw[i] / scale
        active = [_active(x, w.copy()) for x, w in zip(xs, Ws)]
        x = np.array([a[0] for a in active])
        W = np.array([a[1] for a in active])
        closed = x * np.prod(W[:, 1:], axis=1)
        xs_all.append(x)
        Ws_all.append(_padded(W, int(depths.max())))
        closed_all.append(closed)
        r_raw[i] = np.abs(closed)
        r_norm[i] = np.abs(closed) / (np.abs(x) * np.prod(np.abs(W[:, 1:]), axis=1))
    ref = _relu_chain_autograd(np.concatenate(xs_all), np.concatenate(Ws_all))
    closed = np.concatenate(closed_all)
    err = float(np.max(np.abs(closed - ref) / np.abs(ref)))
    return ChainDepth(depths, s_raw, s_norm, r_raw, r_norm, err, chains)


@dataclass(frozen=True)
class UnitChains:
    """Chains with x = 1 and |w_k| = 1 (random signs), so |dŷ/dw₁| / (|x| Π_{k≥2}|w_k|) = |dŷ/dw₁|.

    sigmoid[i, j]: |dŷ/dw₁| of chain j at depth depths[i] by the generated chain_grad (the bound: (¼)^L);
    relu_active[i]: dŷ/dw₁ of the ReLU chain on its active path (every w_k = +1), by autograd;
    relu_random[i, j]: |dŷ/dw₁| of the ReLU chain with chain j's signs, by autograd (1 on an active path, else 0).
    """

    depths: np.ndarray
    sigmoid: np.ndarray
    relu_active: np.ndarray
    relu_random: np.ndarray
    chains: int
    seed: int


@lru_cache(maxsize=2)
def unit_chains(depths=tuple(range(1, 21)), chains: int = 64, seed: int = 0) -> UnitChains:
    """R20's setting |w_k| = 1, x = 1: for each depth, `chains` sign patterns drawn uniformly (seed)."""
    rng = np.random.default_rng(seed)
    depths = np.asarray(depths)
    top = int(depths.max())
    sig, rel = np.empty((len(depths), chains)), np.empty((len(depths), chains))
    signs = []
    for i, L in enumerate(depths):
        Ws = [rng.choice((-1.0, 1.0), size=L) for _ in range(chains)]
        sig[i] = _sigmoid_first_grads([1.0] * chains, Ws)
        signs.extend(Ws)
    # ReLU, random signs: pad with +1 layers only where the path is still alive (padding a dead path keeps it dead)
    padded = np.array([np.concatenate([w, np.ones(top - len(w))]) for w in signs])
    rel = np.abs(_relu_chain_autograd(np.ones(len(padded)), padded)).reshape(len(depths), chains)
    active = np.array([abs(float(_relu_chain_autograd(np.ones(1), np.ones((1, L)))[0])) for L in depths])
    return UnitChains(depths, sig, active, rel, chains, seed)


# ---- dying ReLU ---------------------------------------------------------------------------------------

@dataclass(frozen=True)
class DyingRelu:
    """Fractions of hidden ReLU units inactive (output 0) on every training row, per seed and hidden layer.

    at_init: (seeds, layers) for the He-initialised networks; after[lr]: (seeds, layers) after `epochs` epochs
    of minibatch SGD with step lr from those same networks; loss[lr]: (seeds,) the training loss then
    (loss[None]: at initialisation).
    """

    widths: tuple
    seeds: tuple
    lrs: tuple
    epochs: int
    batch: int
    at_init: np.ndarray
    after: dict
    loss: dict
    data: str


def dead_units(weights, biases, X) -> list:
    """Per hidden layer, a boolean mask of the ReLU units whose output is 0 on every row of X."""
    from .generated import mlp

    acts, _ = mlp.layers(weights, biases, X, np.zeros(X.shape[0]), activation="relu")
    return [np.all(a <= 0.0, axis=0) for a in acts]


def dead_fraction(weights, biases, X) -> np.ndarray:
    """Per hidden layer, the fraction of ReLU units whose output is 0 on every row of X."""
    return np.array([np.mean(m) for m in dead_units(weights, biases, X)])


def _shapes(widths):
    return [(a, b) for a, b in zip(widths, widths[1:])]


def flatten(weights, biases) -> np.ndarray:
    """(weights, biases) -> one parameter vector θ: every weight matrix row-major, then every bias."""
    return np.concatenate([np.ravel(W) for W in weights] + [np.ravel(b) for b in biases])


def unflatten(theta, widths):
    """θ -> (weights, biases), the inverse of flatten for these widths."""
    shapes, weights, biases, at = _shapes(widths), [], [], 0
    for a, b in shapes:
        weights.append(theta[at:at + a * b].reshape(a, b))
        at += a * b
    for _, b in shapes:
        biases.append(theta[at:at + b])
        at += b
    return weights, biases


def train(weights, biases, X, y, *, lr: float, epochs: int, batch: int, seed: int, activation: str = "relu"):
    """Minibatch SGD (numeric.optim.sgd, constant step) on the mean cross-entropy by mlp.value_and_grad."""
    from .generated import mlp
    from .optim import sgd

    widths = (X.shape[1],) + tuple(b.shape[0] for b in biases)

    def grad(theta, rows):
        W, b = unflatten(theta, widths)
        _, gW, gb = mlp.value_and_grad(W, b, X[rows], y[rows], activation=activation)
        return flatten(gW, gb)

    r = sgd(grad, flatten(weights, biases), len(y), lr=lr, epochs=epochs, batch_size=batch, seed=seed)
    return unflatten(r.theta, widths)


#: The dying-ReLU study: a moderate step, a large one that kills units, and one that kills a whole layer.
DYING_WIDTHS, DYING_LRS, DYING_SEEDS, DYING_EPOCHS, DYING_BATCH = (30, 64, 64, 1), (0.1, 1.0, 2.0), (0, 1, 2), 10, 16


def dying_relu(widths=DYING_WIDTHS, lrs=DYING_LRS, seeds=DYING_SEEDS, epochs: int = DYING_EPOCHS,
               batch: int = DYING_BATCH) -> DyingRelu:
    """He-initialised ReLU networks on the breast cancer data (all rows), one per seed: the dead units at
    initialisation and after `epochs` epochs of SGD (batch `batch`, the same seed) for each step in lrs."""
    from .generated import mlp

    data = breast_cancer()
    X, y = data.X, data.y
    if widths[0] != X.shape[1]:
        raise ValueError(f"widths[0] must be the data's {X.shape[1]} features, got {widths[0]}")

    def loss(W, b):
        return mlp.value_and_grad(W, b, X, y, activation="relu")[0]

    starts = [network(widths, "he", seed) for seed in seeds]
    after, losses = {}, {None: np.array([loss(W, b) for W, b in starts])}
    for lr in lrs:
        with _one_blas_thread():
            trained = [train(W, b, X, y, lr=lr, epochs=epochs, batch=batch, seed=seed)
                       for (W, b), seed in zip(starts, seeds)]
        after[lr] = np.array([dead_fraction(W, b, X) for W, b in trained])
        losses[lr] = np.array([loss(W, b) for W, b in trained])
    return DyingRelu(tuple(widths), tuple(seeds), tuple(lrs), epochs, batch,
                     np.array([dead_fraction(W, b, X) for W, b in starts]), after, losses, data.description)


__all__ = ["digits", "network", "LayerStats", "glorot_bengio", "GradientNorms", "gradient_norms", "ChainDepth",
           "chain_gradient_vs_depth", "UnitChains", "unit_chains", "DyingRelu", "dead_units", "dead_fraction", "dying_relu", "train", "flatten",
           "unflatten", "GB_SCHEMES",
           "SIGMOID_SLOPE_MAX", "SLOPE_MAX", "GAIN_FACTOR", "GAIN_TOL", "predicted_gain", "within_band"]
