"""Checks behind the depth study's claims (R19–R20): variance gains per init, the slope bounds per layer and per chain, dead ReLUs.

Each check reads numeric.depth_study, the same cached functions (same sizes, same seeds) the figures draw
from, so a caption and a check quote the same numbers. Columns: max abs/rel err = the measured deviation from
the claim (0 when a bound holds with room to spare), tolerance = its bound, pass iff deviation ≤ tolerance; the
measured quantities themselves are in the detail.
"""
from __future__ import annotations

import math

import numpy as np

from .. import depth_study as S
from . import register
from .result import CheckResult, result as _result, tex_num

#: Glorot and Bengio's network as the figure draws it (numeric.depth_study.glorot_bengio's defaults).
GB_WIDTH, GB_ROWS, GB_SEED = 1000, 500, 0
#: A variance over q units fluctuates by about √(2/q) (relative), 4.5% at q = 1000, per layer step; the
#: mean-field prediction (linear gain × measured E[tanh'²]) also assumes f'(z_k) independent of the incoming
#: sum. 4 of those standard errors, over 4 steps × 2 schemes × 2 directions: MEAN_FIELD_TOL.
MEAN_FIELD_TOL = 4.0 * math.sqrt(2.0 / GB_WIDTH)
#: q Var(W) from q² = 10⁶ uniform draws: the sample variance of a uniform law has relative sd √(0.8/N)
#: (kurtosis 9/5), 9e-4 at N = 10⁶; 5 of those.
SAMPLE_GAIN_TOL = 5.0 * math.sqrt(0.8 / GB_WIDTH ** 2)
#: Theorems in floating point: a product or sum of at most a few hundred rounded terms, each 2**-53 off.
ROUNDING = 1e-12
#: The weight-gradient ratio ‖∂L/∂W_k‖² / ‖∂L/∂W_(k+1)‖² ≈ bwd/fwd neglects the correlations between rows in
#: h_(k−1)ᵀ ∂L/∂z_k: an approximation, not a theorem, checked to 25%.
WEIGHT_RATIO_TOL = 0.25


def _r(x, digits=3):
    return np.round(np.asarray(x, dtype=float), digits).tolist()


# ---- init-variance: Glorot and Bengio's variances, on the figure's own sample ------------------------

@register("init-variance")
def glorot_bengio_backward() -> list[CheckResult]:
    """Per-layer variance ratios of the tanh network (standard vs Glorot init) against the derivation's linear
    gain times tanh's measured slope factor, and the drawn weights' linear gain against the derived one."""
    out = []
    data = f"digits, {GB_ROWS} rows (seed {GB_SEED}), tanh, depth 5, width {GB_WIDTH} (the figure's sample)"
    for scheme in S.GB_SCHEMES:
        st = S.glorot_bengio(width=GB_WIDTH, n=GB_ROWS, scheme=scheme, seed=GB_SEED)
        for label, meas, pred, how in (
                ("backward", st.delta_ratio, st.delta_pred, "$\\mathrm{Var}(\\partial L/\\partial z)$ ratio, lower "
                                                            "layer over upper, vs $q_{\\mathrm{out}}\\,\\mathrm{Var}(W)$ "
                                                            "times the measured mean $\\tanh'(z)^2$"),
                ("forward", st.act_ratio, st.act_pred, "$\\mathrm{Var}(h)$ ratio, upper layer over lower, vs "
                                                       "$q_{\\mathrm{in}}\\,\\mathrm{Var}(W)$ times the measured "
                                                       "$\\mathrm{Var}(\\tanh z)/\\mathrm{Var}(z)$ and "
                                                       "$E[h^2]/\\mathrm{Var}(h)$")):
            rel = np.abs(meas / pred - 1.0)
            out.append(_result("init-variance", f"{scheme} init: {label} variance ratio per layer vs linear gain "
                                                f"times tanh's measured factor", how, data,
                               np.max(np.abs(meas - pred)), rel.max(), MEAN_FIELD_TOL, rel.max() <= MEAN_FIELD_TOL,
                               f"measured {_r(meas)}, predicted {_r(pred)}, measured/predicted {_r(meas / pred)}; "
                               f"tolerance $4\\sqrt{{2/q}}$, $q = {GB_WIDTH}$"))
        derived = S.predicted_gain("tanh", scheme, GB_WIDTH)
        gains = np.concatenate([st.back_gain, st.fwd_gain])
        rel = np.abs(gains / derived - 1.0)
        out.append(_result("init-variance", f"{scheme} init: $q\\,\\mathrm{{Var}}(W)$ of the drawn weights vs the derived "
                           "linear gain",
                           f"$q\\,\\mathrm{{Var}}(W)$ of $W_2, \\ldots, W_5$ (both directions) vs the derived "
                           f"{derived:.4g}", data,
                           np.max(np.abs(gains - derived)), rel.max(), SAMPLE_GAIN_TOL, rel.max() <= SAMPLE_GAIN_TOL,
                           f"backward {_r(st.back_gain, 4)}, forward {_r(st.fwd_gain, 4)}; tolerance 5 sampling sd "
                           f"of a uniform sample variance over $10^6$ draws"))
    return out


# ---- init-variance: the gradient-norm table ---------------------------------------------------------

def _rows(table, activation):
    return [i for i, (a, _) in enumerate(table.rows) if a == activation]


@register("init-variance")
def gradient_norm_table() -> list[CheckResult]:
    """The table's claims: the slope bounds per backward step; the predicted gains against the measured ones;
    the marked constant-variance rows; the weight-gradient ratio from the two gains."""
    out = []
    t = S.gradient_norms()
    data = f"{t.data}; depth {t.depth}, width {t.width}, seed 0 (the figure's networks)"
    for acts, slope in ((("sigmoid",), "1/4"), (("tanh", "relu"), "1")):
        idx = [i for a in acts for i in _rows(t, a)]
        r = float(t.row_bound[idx].max())
        extra = ""
        if acts == ("sigmoid",):
            extra = ("; per-layer factor of the RMS of $\\partial L/\\partial z$ " + ", ".join(
                f"{t.rows[i][1]} {t.delta_decay[i]:.3f} (bound {t.bound[i]:.3f})" for i in idx))
        out.append(_result("init-variance", f"{' and '.join(acts)}, each backward step: $\\|\\partial L/\\partial z_k\\| \\leq "
                                            f"{slope}\\, \\|W_{{k+1}}\\|_2\\, \\|\\partial L/\\partial "
                                            f"z_{{k+1}}\\|$ per row (spectral norm of $W$)",
                           "excess over 1 of the largest ratio of the two sides, over rows, layers, schemes "
                           "(a theorem: the ratio is at most 1)", data,
                           max(r - 1.0, 0.0), max(r - 1.0, 0.0), ROUNDING, r <= 1.0 + ROUNDING,
                           "largest ratio " + ", ".join(f"{t.rows[i][0]} with {t.rows[i][1]} {t.row_bound[i]:.4f}"
                                                        for i in idx) + extra))
    for activation, claim in (("relu", "equal to"), ("tanh", "at most")):
        idx = _rows(t, activation)
        pred = t.predicted[idx]
        meas = np.concatenate([t.fwd[idx], t.bwd[idx]])
        pp = np.concatenate([pred, pred])
        if claim == "equal to":
            dev = np.abs(meas / pp - 1.0)
            what = "largest deviation from 1 of measured/predicted, over the forward and backward gains"
        else:               # tanh: the linear gain is an upper bound (|tanh z| <= |z|, tanh' <= 1)
            dev = np.maximum(meas / pp - 1.0, 0.0)
            what = "largest excess of measured/predicted over 1, forward and backward (0 when below the bound)"
        out.append(_result("init-variance", f"{activation}: per-layer variance gain {claim} the derived "
                                            f"{'$qv/2$' if activation == 'relu' else '$qv$'}", what, data,
                           np.max(np.abs(meas - pp) if claim == "equal to" else np.maximum(meas - pp, 0.0)),
                           dev.max(), S.GAIN_TOL, dev.max() <= S.GAIN_TOL,
                           "; ".join(f"{t.rows[i][1]}: predicted {t.predicted[i]:.3g}, forward {t.fwd[i]:.3f}, "
                                     f"backward {t.bwd[i]:.3f}" for i in idx)))
    marked = [i for i, c in enumerate(t.constant) if c]
    expected = [i for i, p in enumerate(t.predicted) if np.isclose(p, 1.0)]
    dev = max(float(np.max(np.abs(np.array([t.fwd[i], t.bwd[i]]) - 1.0))) for i in expected)
    out.append(_result("init-variance", "rows predicted constant (gain 1) measure gains within 25% of 1",
                       "largest deviation from 1 of the measured gains, forward and backward, over the rows whose derived "
                       "gain is 1",
                       data, dev, dev, S.GAIN_TOL, dev <= S.GAIN_TOL and marked == expected,
                       "predicted 1: " + ", ".join("/".join(t.rows[i]) for i in expected)
                       + "; marked [const]: " + ", ".join("/".join(t.rows[i]) for i in marked)))
    rho2, pred = t.decay ** 2, t.bwd / t.fwd
    dev = np.abs(rho2 / pred - 1.0)
    out.append(_result("init-variance", "weight-gradient ratio squared vs backward gain over forward gain",
                       "$|\\rho^2 / (g_{\\mathrm{bwd}}/g_{\\mathrm{fwd}}) - 1|$, $\\rho$ the per-layer ratio of the "
                       "weight-gradient norms, $g$ the backward and forward gains", data,
                       np.max(np.abs(rho2 - pred)), dev.max(), WEIGHT_RATIO_TOL, dev.max() <= WEIGHT_RATIO_TOL,
                       "; ".join(f"{a}/{s}: {r:.3f} vs {p:.3f}" for (a, s), r, p in zip(t.rows, rho2, pred))
                       + " (an approximation: rows of $h$ and $\\partial L/\\partial z$ are correlated)"))
    return out


# ---- depth-chain and relu-chain -----------------------------------------------------------------------

def _chain_data(c) -> str:
    return (f"{c.chains} random chains per depth $L = {c.depths[0]}, \\ldots, {c.depths[-1]}$, $x$ and $w_k$ "
            f"uniform on $[-1, 1]$ (seed 0; the figure's chains)")


@register("depth-chain")
def chain_bounds() -> list[CheckResult]:
    """Sigmoid chains: |dŷ/dw₁| / (|x| Π_{k≥2}|w_k|) = Π σ'(u) ≤ (¼)^L, on the figure's chains."""
    c = S.chain_gradient_vs_depth()
    bound = 0.25 ** c.depths[:, None]
    ratio = c.sigmoid_normalised / bound
    over = float(np.max(ratio))
    return [
        _result("depth-chain", r"sigmoid chain: $|\partial\hat y/\partial w_1| \leq (1/4)^L |x| \prod_{k \geq 2} |w_k|$",
                r"excess over 1 of the largest $|\partial\hat y/\partial w_1| / ((1/4)^L |x| \prod_{k \geq 2} |w_k|)$, "
                "chain_grad (a theorem: at most 1)", _chain_data(c),
                max(over - 1.0, 0.0), max(over - 1.0, 0.0), ROUNDING, over <= 1.0 + ROUNDING,
                f"largest ratio $1 - {tex_num(1.0 - over, 2)}$; median ratio at $L = {c.depths[-1]}$: "
                f"{np.median(ratio[-1]):.3g}"),
    ]


@register("relu-chain")
def relu_chain_checks() -> list[CheckResult]:
    """ReLU chains on active paths: dŷ/dw₁ = x Π_{k≥2} w_k against autograd, so no shrinking factor."""
    c = S.chain_gradient_vs_depth()
    relu_off = float(np.max(np.abs(c.relu_normalised - 1.0)))
    u = S.unit_chains()
    unit_off = float(np.max(np.abs(u.relu_active - 1.0)))
    data = _chain_data(c) + ", signs set to an active path"
    return [
        _result("relu-chain", r"ReLU chain, active path: $\partial\hat y/\partial w_1 = x \prod_{k \geq 2} w_k$, vs autograd",
                r"closed form against autograd of $\mathrm{relu}(w_L \cdots \mathrm{relu}(w_1 x))$", data,
                c.relu_autograd_err, c.relu_autograd_err, ROUNDING, c.relu_autograd_err <= ROUNDING,
                "relative difference, largest over every chain"),
        _result("relu-chain", "ReLU chain, active path: no shrinking factor (normalised gradient = 1)",
                r"largest deviation from 1 of $|\partial\hat y/\partial w_1| / (|x| \prod_{k \geq 2} |w_k|)$", data,
                relu_off, relu_off, ROUNDING,
                relu_off <= ROUNDING,
                f"also $x = 1$, every $w_k = +1$, $L = {u.depths[0]}, \\ldots, {u.depths[-1]}$, by autograd: "
                f"largest $|\\partial\\hat y/\\partial w_1 - 1|$ = {unit_off:.2g}"),
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
                    "largest absolute gradient on the bias, incoming and outgoing weights of units dead on every row",
                    f"{d.description}; widths {S.DYING_WIDTHS}, He init, SGD step {lr}, seed {seed}",
                    worst, worst, ROUNDING, count > 0 and worst <= ROUNDING,
                    f"{count} dead units of {sum(m.size for m in dead)} (the check needs some); "
                    f"{'every one exactly 0' if worst == 0.0 else 'not exactly 0'}")]


@register("activations")
def unit_chain_bound() -> list[CheckResult]:
    """R20's setting x = 1, |w_k| = 1: every sigmoid chain's |dŷ/dw₁| ≤ (¼)^L; the ReLU chain on its active path: 1."""
    u = S.unit_chains()
    bound = 0.25 ** u.depths[:, None].astype(float)
    ratio = u.sigmoid / bound
    over = float(ratio.max())
    return [_result("activations", r"sigmoid chain, $x = 1$ and $|w_k| = 1$: $|\partial\hat y/\partial w_1| \leq (1/4)^L$",
                    r"excess over 1 of the largest $|\partial\hat y/\partial w_1| / (1/4)^L$, generated chain_grad "
                    "(a theorem)",
                    f"{u.chains} sign patterns per depth $L = {u.depths[0]}, \\ldots, {u.depths[-1]}$ "
                    f"(seed {u.seed}); the figure's chains", max(over - 1.0, 0.0), max(over - 1.0, 0.0), ROUNDING,
                    over <= 1.0 + ROUNDING,
                    f"ratio of $|\\partial\\hat y/\\partial w_1|$ to its bound, a factor $1/4$ per layer: from "
                    f"{ratio.min():.3g} to {over:.3g}; at $L = {u.depths[-1]}$: "
                    f"{ratio[-1].min():.3g} to {ratio[-1].max():.3g}")]
