"""Checks behind the depth study's claims (R19–R20): backward variance per init, the sigmoid bound per layer and per chain, dead ReLUs.

Each check reads numeric.depth_study, the functions the figures draw from, at a size that runs in about
a second; every claim is either a theorem checked up to rounding, or a prediction of the 'init-variance'
derivation checked with a tolerance stated next to it.
"""
from __future__ import annotations

import numpy as np

from .. import depth_study as S
from . import register
from .result import CheckResult, result as _result

#: Glorot and Bengio's network at a width the checks can afford (the figure uses 1000).
GB_WIDTH, GB_ROWS, GB_SEED = 250, 300, 0
#: The mean-field prediction Var(∂L/∂z_k) = q Var(W) E[f'(z_k)²] Var(∂L/∂z_(k+1)) holds as width → ∞; at
#: width 250 a variance over q terms fluctuates by about √(2/q) ≈ 9% per layer, so 25% is ~3 of those.
MEAN_FIELD_TOL = 0.25
#: Standard init: q Var(W) = 1/3 and tanh' ≤ 1 predict a ratio ≤ 1/3; a ratio ≤ 1/2 (more than a factor 2 lost
#: per layer) leaves room for the same finite-width fluctuation. Glorot: the prediction is E[tanh'²] near 1;
#: the claim checked is a ratio ≥ 1/2 (less than a factor 2 lost per layer).
SHRINK_AT_MOST, KEEP_AT_LEAST = 0.5, 0.5
#: Theorems in floating point: a product or sum of at most a few hundred rounded terms, each 2^-53 off.
ROUNDING = 1e-12
CHAIN_CHECK_CHAINS = 8        # chains per depth in the check (the figure draws 64)


# ---- init-variance: Glorot and Bengio's backward variances ------------------------------------------

def _tanh_prime_sq(h):
    """tanh'(z)² from h = tanh(z): (1 − h²)²."""
    return (1.0 - h * h) ** 2


def _mean_field(stats: S.LayerStats, seed: int) -> np.ndarray:
    """The derivation's prediction of each backward ratio: q_out Var(W_(k+1)) E[tanh'(z_k)²], from the drawn
    weights' sample variance and the layer's own activations."""
    X = S.digits().X
    weights, _ = S.network((X.shape[1],) + (stats.width,) * stats.depth + (1,), stats.scheme, seed)
    return np.array([weights[k + 1].shape[1] * weights[k + 1].var() * np.mean(_tanh_prime_sq(stats.activations[k]))
                     for k in range(stats.depth - 1)])


@register("init-variance")
def glorot_bengio_backward() -> list[CheckResult]:
    """Backward variance ratios of the tanh network, standard vs Glorot init, against the derivation."""
    out = []
    data = f"digits, {GB_ROWS} rows (seed {GB_SEED}), tanh, depth 5, width {GB_WIDTH}"
    ratios = {}
    for scheme in S.GB_SCHEMES:
        st = S.glorot_bengio(width=GB_WIDTH, n=GB_ROWS, scheme=scheme, seed=GB_SEED)
        pred = _mean_field(st, GB_SEED)
        rel = np.abs(st.delta_ratio / pred - 1.0)
        ratios[scheme] = st.delta_ratio
        out.append(_result("init-variance", f"{scheme} init: backward variance ratio per layer vs q Var(W) E[tanh'^2]",
                           "Var(dL/dz_k)/Var(dL/dz_(k+1)) measured vs the mean-field prediction", data,
                           np.max(np.abs(st.delta_ratio - pred)), rel.max(), MEAN_FIELD_TOL,
                           rel.max() <= MEAN_FIELD_TOL,
                           f"measured {np.round(st.delta_ratio, 3).tolist()}, predicted {np.round(pred, 3).tolist()}"))
    worst = float(ratios["standard"].max())
    out.append(_result("init-variance", "standard init: dL/dz variance shrinks backward, by > 2 per layer",
                       "largest Var(dL/dz_k)/Var(dL/dz_(k+1)) over the hidden layers", data,
                       worst, worst, SHRINK_AT_MOST, worst <= SHRINK_AT_MOST,
                       f"ratios {np.round(ratios['standard'], 3).tolist()} (prediction <= 1/3)"))
    least = float(ratios["glorot"].min())
    out.append(_result("init-variance", "Glorot init: dL/dz variance kept, less than a factor 2 lost per layer",
                       "smallest Var(dL/dz_k)/Var(dL/dz_(k+1)) over the hidden layers", data,
                       least, least, KEEP_AT_LEAST, least >= KEEP_AT_LEAST,
                       f"ratios {np.round(ratios['glorot'], 3).tolist()} (prediction E[tanh'^2] <= 1)"))
    return out


# ---- init-variance: the gradient-norm table ---------------------------------------------------------

def sigmoid_layer_bound(scheme: str, depth: int = 10, width: int = 100, seed: int = 0) -> np.ndarray:
    """Per row and hidden step k: ‖∂loss_n/∂z_k‖ / (¼ ‖W_(k+1)‖₂ ‖∂loss_n/∂z_(k+1)‖), at most 1 by σ' ≤ ¼
    (δ_k = (δ_(k+1) W_(k+1)ᵀ) ∘ σ'(z_k), and ‖W ᵀ-product‖ ≤ ‖W‖₂ ‖δ‖). Shape (rows, depth − 1)."""
    from ..data import breast_cancer
    from ..generated import mlp

    d = breast_cancer()
    weights, biases = S.network((d.X.shape[1],) + (width,) * depth + (1,), scheme, seed)
    cols = []
    with S._one_blas_thread():       # 100 x 100 products and SVDs: threads only add overhead
        _, deltas = mlp.layers(weights, biases, d.X, d.y, activation="sigmoid")
        for k in range(depth - 1):
            spectral = np.linalg.norm(weights[k + 1], 2)
            lower = np.linalg.norm(deltas[k], axis=1)
            upper = np.linalg.norm(deltas[k + 1], axis=1)
            cols.append(lower / (S.SIGMOID_SLOPE_MAX * spectral * upper))
    return np.column_stack(cols)


@register("init-variance")
def gradient_norm_table() -> list[CheckResult]:
    """The table's claims: σ' ≤ ¼ bounds each backward step; the predicted constant rows are constant."""
    out = []
    table = S.gradient_norms()
    data = f"{table.data}; depth {table.depth}, width {table.width}, seed 0"
    for scheme in ("standard", "glorot", "he"):
        r = float(sigmoid_layer_bound(scheme, table.depth, table.width).max())
        out.append(_result("init-variance", f"sigmoid, {scheme} init: |dL/dz_k| <= 1/4 |W_(k+1)|_2 |dL/dz_(k+1)| per row",
                           "largest ratio of the two sides over rows and hidden layers (a theorem: <= 1)", data,
                           max(r - 1.0, 0.0), max(r - 1.0, 0.0), ROUNDING, r <= 1.0 + ROUNDING,
                           f"largest ratio {r:.4f}"))
    rows = dict(zip(table.rows, range(len(table.rows))))
    # the derivation's predictions: tanh near 0 with Glorot, ReLU with He keep the variance in both directions
    for key in (("tanh", "glorot"), ("relu", "he")):
        i = rows[key]
        out.append(_result("init-variance", f"{key[0]}, {key[1]} init: weight-gradient norms constant across layers",
                           "max/min of ||dL/dW_k||_F over the (width, width) layers", data,
                           table.spread[i], table.spread[i], S.CONSTANT_FACTOR, bool(table.constant[i]),
                           f"decay ratio {table.decay[i]:.3f} per layer"))
    for scheme in ("standard", "glorot", "he"):
        i = rows[("sigmoid", scheme)]
        out.append(_result("init-variance", f"sigmoid, {scheme} init: weight-gradient norms decay towards the input",
                           "geometric-mean ratio ||dL/dW_k|| / ||dL/dW_(k+1)|| over the (width, width) layers", data,
                           table.decay[i], table.decay[i], 0.5, table.decay[i] < 0.5 and not table.constant[i],
                           f"spread max/min {table.spread[i]:.3g}"))
    return out


# ---- depth-chain ---------------------------------------------------------------------------------------

@register("depth-chain")
def chain_bounds() -> list[CheckResult]:
    """Sigmoid chains: |dŷ/dw₁| / (|x| Π_{k≥2}|w_k|) = Π σ'(u) ≤ (¼)^L; ReLU chains on active paths: exactly 1."""
    c = S.chain_gradient_vs_depth(chains=CHAIN_CHECK_CHAINS)
    bound = 0.25 ** c.depths[:, None]
    over = float(np.max(c.sigmoid_normalised / bound))
    relu_off = float(np.max(np.abs(c.relu_normalised - 1.0)))
    data = (f"{c.chains} random chains per depth L = {c.depths[0]}..{c.depths[-1]}, x and w_k ~ U[-1, 1] (seed 0)")
    return [
        _result("depth-chain", "sigmoid chain: |dyhat/dw_1| <= (1/4)^L |x| prod_(k>=2) |w_k|",
                "largest |dyhat/dw_1| / ((1/4)^L |x| prod|w_k|) from chain_grad (a theorem: <= 1)", data,
                max(over - 1.0, 0.0), max(over - 1.0, 0.0), ROUNDING, over <= 1.0 + ROUNDING,
                f"largest ratio {over:.4f}; median at L = {c.depths[-1]}: "
                f"{np.median(c.sigmoid_normalised[-1] / bound[-1]):.3g}"),
        _result("depth-chain", "ReLU chain, active path: dyhat/dw_1 = x prod_(k>=2) w_k, vs autograd",
                "closed form against autograd of relu(w_L ... relu(w_1 x))", data + ", signs set to an active path",
                c.relu_autograd_err, c.relu_autograd_err, ROUNDING, c.relu_autograd_err <= ROUNDING),
        _result("depth-chain", "ReLU chain, active path: no shrinking factor (normalised gradient = 1)",
                "largest | |dyhat/dw_1| / (|x| prod_(k>=2)|w_k|) - 1 |", data + ", signs set to an active path",
                relu_off, relu_off, ROUNDING, relu_off <= ROUNDING),
    ]


# ---- activations: dead ReLUs ----------------------------------------------------------------------------

@register("activations")
def dead_relu_gradients() -> list[CheckResult]:
    """A ReLU unit that outputs 0 on every row gets exactly zero gradient on its bias, its incoming and its
    outgoing weights (ReLU'(z) = 0 for z ≤ 0, and its output is 0): gradient descent cannot revive it by itself."""
    from ..data import breast_cancer
    from ..generated import mlp

    d = breast_cancer()
    lr, seed = S.DYING_LRS[1], S.DYING_SEEDS[0]
    W, b = S.network(S.DYING_WIDTHS, "he", seed)
    W, b = S.train(W, b, d.X, d.y, lr=lr, epochs=S.DYING_EPOCHS, batch=S.DYING_BATCH, seed=seed)
    dead = S.dead_units(W, b, d.X)
    _, gW, gb = mlp.value_and_grad(W, b, d.X, d.y, activation="relu")
    touching = [np.concatenate([gW[k][:, m].ravel(), gb[k][m], gW[k + 1][m].ravel()]) for k, m in enumerate(dead)]
    worst = float(np.max(np.abs(np.concatenate(touching)))) if touching else 0.0
    count = int(sum(m.sum() for m in dead))
    return [_result("activations", "dead ReLU units get exactly zero gradient",
                    "largest |gradient| on the bias, incoming and outgoing weights of units dead on every row",
                    f"{d.description}; widths {S.DYING_WIDTHS}, He init, SGD step {lr}, seed {seed}",
                    worst, worst, ROUNDING, count > 0 and worst <= ROUNDING,
                    f"{count} dead units of {sum(m.size for m in dead)} (the check needs some); "
                    f"{'every one exactly 0' if worst == 0.0 else 'not exactly 0'}")]
