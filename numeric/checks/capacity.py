"""Checks of the capacity chapter (R21, R22, R24): exact piece counts against the formulas, the interpolant's error bound, Barron's trade-off.

Each check reads numeric.capacity_study, the same cached calls (same seeds) the figures draw from, so a caption
and a check quote the same numbers. Columns: max abs/rel err = the measured deviation from a claimed value, or for
a bound the measured quantity itself (e.g. sup/bound) with the bound as tolerance; integer claims (counts) have
tolerance 0.5, i.e. equality. The measured quantities are in the detail.
"""
from __future__ import annotations

import math

import numpy as np

from .. import capacity as C
from .. import capacity_study as S
from . import register
from .result import CheckResult, result as _result, tex_num

EPS = float(np.finfo(float).eps)
#: (1 − sup/bound)·q² for sin 2πx: on the piece [1/4, 1/4 + h] (a knot at 1/4 when 4 | q, where |f''| = 4π² is
#: largest) the chord's error at the midpoint is (π²h²/2)(1 − 7π²h²/12 + O(h⁴)) (Taylor to fourth order; the
#: maximum is O(h²) from the midpoint, which moves the value by O(h⁴)), so the ratio is 1 − 7π²/(12q²) + O(q⁻⁴).
SINE_DEFECT = 7.0 * math.pi ** 2 / 12.0
#: Integer comparisons (counts, verdicts): any difference is at least 1, so a tolerance of 0.5 means "equal".
INTEGER = 0.5
#: Hanin & Rolnick: the expected count along a line grows linearly in the number of neurons. "About linear"
#: here: the log-log slope of the mean count over 8..128 neurons within ±0.25 of 1.
LINEAR_SLOPE_TOL = 0.25
#: "Far below" the construction: at the deepest shape the random count is at most this fraction of q^(L−1)(q+1).
FAR_BELOW = 0.01
#: Least squares with q + 1 coefficients on N rows: integrated variance ≈ σ²(q + 1)/N (the bound's q p/N term,
#: without its log N), growing a little faster as q approaches N (the design's leverage); checked to 25%.
VARIANCE_TOL = 0.25
#: The Monte Carlo mean of the integrated squared error against its closed-form expectation: 4 standard errors.
MC_SIGMAS = 4.0


def _r(x, digits=3):
    return np.round(np.asarray(x, dtype=float), digits).tolist()


# ---- linear-regions (R24) ----------------------------------------------------------------------------

@register("linear-regions")
def constructions_reach_the_formulas() -> list[CheckResult]:
    """Exact counts of sawtooth_network(q, L) and montufar_network(q, L) on [0, 1] against q^L and q^(L−1)(q+1),
    computed here from (q, L) alone."""
    rows = S.constructions()
    data = "(q, L) = " + ", ".join(f"({c.q}, {c.L})" for c in rows) + "; exact rational breakpoints on [0, 1]"
    out = []
    for label, counted, formula in (
            ("sawtooth", lambda c: c.sawtooth, lambda q, L: q ** L),
            ("montufar", lambda c: c.montufar, lambda q, L: q ** (L - 1) * (q + 1))):
        got = np.array([counted(c) for c in rows])
        want = np.array([formula(c.q, c.L) for c in rows])
        err = np.abs(got - want)
        out.append(_result("linear-regions", f"{label}_network(q, L): exact count = "
                                             f"{'$q^L$' if label == 'sawtooth' else '$q^{L-1}(q + 1)$'}",
                           "count_regions (exact) vs the formula", data, err.max(), (err / want).max(), INTEGER,
                           not err.any(), f"counted {got.tolist()}, formula {want.tolist()}"))
    return out


@register("linear-regions")
def sampling_undercounts() -> list[CheckResult]:
    """The count seen by S.SAMPLES equally spaced samples (local slope changes) never exceeds the exact one, and
    falls short once the network has more pieces than samples."""
    rows = S.constructions()
    pairs = [(c.q, c.L, name, exact, seen) for c in rows
             for name, exact, seen in (("saw", c.sawtooth, c.sawtooth_sampled), ("mon", c.montufar, c.montufar_sampled))]
    worst_seen = max(seen / exact for *_, exact, seen in pairs)
    big = [(q, L, n, exact, seen) for q, L, n, exact, seen in pairs if exact > S.SAMPLES]
    missed = [p for p in big if p[4] >= p[3]]
    data = f"{len(pairs)} constructed networks, {S.SAMPLES} samples of [0, 1]"
    return [
        _result("linear-regions", "sampled count ≤ exact count", "largest sampled/exact, at most 1", data,
                worst_seen, worst_seen, 1.0, worst_seen <= 1.0,
                "sampled/exact: " + ", ".join(f"{n}({q},{L}) {s}/{e}" for q, L, n, e, s in pairs)),
        _result("linear-regions", f"sampling undercounts above {S.SAMPLES} pieces",
                "networks with more pieces than samples whose sampled count is not below the exact one",
                data, len(missed), len(missed) / max(len(big), 1), INTEGER, bool(big) and not missed,
                "; ".join(f"{n}({q},{L}): {s} seen of {e}" for q, L, n, e, s in big)),
    ]


@register("linear-regions")
def random_networks_about_linear() -> list[CheckResult]:
    """He-initialised networks: exact counts at most the maximum Π(n_l + 1) for their widths, far below the
    construction's q^(L−1)(q+1), and about linear in the number of neurons (Hanin & Rolnick 2019)."""
    rows = S.random_counts()
    lo, hi = S.RANDOM_INTERVAL
    data = (f"widths {S.RANDOM_WIDTHS} × depths {S.RANDOM_DEPTHS}, seeds {S.RANDOM_SEEDS}; numeric.init.network 'he' "
            f"weights, biases N(0, {S.BIAS_SD}²); exact counts on [{lo:g}, {hi:g}]")
    over = max(max(r.counts) / r.serra_bound for r in rows)
    slope = S.loglog_slope(rows)
    per = [r.mean / r.neurons for r in rows]
    deepest = max(S.RANDOM_DEPTHS)
    fractions = {q: [r.mean / r.montufar_bound for r in rows if r.width == q] for q in S.RANDOM_WIDTHS}
    falls = all(np.all(np.diff(f) < 0) for f in fractions.values())
    return [
        _result("linear-regions", r"random networks: count $\leq \prod_l (n_l + 1)$ (Serra et al.)",
                r"largest $\mathrm{count}/\prod_l (n_l + 1)$, at most 1", data, over, over, 1.0, over <= 1.0,
                "; ".join(f"q={r.width},L={r.depth}: {list(r.counts)} ≤ {r.serra_bound}" for r in rows)),
        _result("linear-regions", f"random networks: count$/(q^{{L-1}}(q + 1))$ falls with depth, $\\leq {FAR_BELOW}$ "
                                  f"at $L = {deepest}$",
                f"mean count / Montúfar's count at $L = {deepest}$ (and any rise with $L$)", data,
                max(fractions[q][-1] for q in fractions), max(fractions[q][-1] for q in fractions), FAR_BELOW,
                falls and max(fractions[q][-1] for q in fractions) <= FAR_BELOW,
                "; ".join(f"q={r.width},L={r.depth}: {r.mean:.1f} of {r.montufar_bound}" for r in rows)),
        _result("linear-regions", "random networks: count about linear in the number of neurons",
                "log–log slope of mean count against neurons vs 1", data, abs(slope - 1), abs(slope - 1),
                LINEAR_SLOPE_TOL, abs(slope - 1) <= LINEAR_SLOPE_TOL,
                f"slope {slope:.3f}; mean count per neuron {_r(per, 2)} (neurons {[r.neurons for r in rows]})"),
    ]


# ---- universal-approximation (R21) ---------------------------------------------------------------------

@register("universal-approximation")
def sine_interpolant_bound() -> list[CheckResult]:
    """sin 2πx: the measured sup error (30-digit maximum on the worst pieces) is at most π²/(2q²), the dense grid
    never exceeds it, and the ratio tends to 1 as 1 − 7π²/(12q²)."""
    rows = S.sine_errors()
    data = f"q = {[r.q for r in rows]}, knots i/q on [0, 1]; {S.GRID_PER_PIECE} grid points per piece"
    ratio = np.array([r.sup / r.bound for r in rows])
    grid_over = max(r.grid_sup - r.sup for r in rows)
    tail = [r for r in rows if r.q >= 64]
    defect = np.array([(1 - r.sup / r.bound) * r.q ** 2 / SINE_DEFECT for r in tail])
    return [
        _result("universal-approximation", r"sin 2πx: sup error $\sup|f - f_q| \leq \pi^2/(2q^2)$", "largest sup/bound, at most 1",
                data, ratio.max(), ratio.max(), 1.0, ratio.max() <= 1.0,
                f"largest sup/bound {ratio.max():.7f} (≤ 1); sup/bound {_r(ratio, 6)}; sup " + ", ".join(f"{r.sup:.6g}" for r in rows)),
        _result("universal-approximation", "sin 2πx: the dense grid's max ≤ the 30-digit maximum",
                "largest grid sup − exact sup", data, max(grid_over, 0), max(grid_over, 0) / rows[-1].sup,
                1e-13, grid_over <= 1e-13,
                "grid sup − exact sup per q: " + ", ".join(f"{r.grid_sup - r.sup:.2g}" for r in rows)
                + " (float evaluation of f_q rounds at ~1e-15)"),
        _result("universal-approximation", "sin 2πx: sup/bound = 1 − 7π²/(12q²) + O(q⁻⁴), q ≥ 64",
                "(1 − sup/bound) q² / (7π²/12) vs 1", data, np.max(np.abs(defect - 1)),
                np.max(np.abs(defect - 1)), 0.05, np.max(np.abs(defect - 1)) <= 0.05,
                f"q = {[r.q for r in tail]}: {_r(defect, 5)} (the O(q⁻²) relative correction shrinks 4× per "
                f"doubling); ratio at q = {rows[-1].q}: {ratio[-1]:.8f}"),
    ]


@register("universal-approximation")
def interpolant_is_numpy_interp() -> list[CheckResult]:
    """f_q = f(0) + Σ c_i ReLU(x − x_i) against numpy.interp on the same knots (independent piecewise-linear code),
    and its ReLU network's exact piece count: 1 + the number of nonzero slope changes c_i, i ≥ 1."""
    rows = S.sine_errors()
    worst = max(r.interp_diff / (r.q * 2 * math.pi * EPS) for r in rows)
    # The network's slope on [x_k, x_(k+1)] is Σ_(i<=k) c_i exactly (the float c_i are exact rationals), so it has
    # a kink at x_i (0 < i < q) iff c_i != 0: 1 + #{c_i != 0} pieces, read off the coefficients.
    nets = [("sin 2πx", C.relu_interpolant(S.sine, q), (0.0, 1.0)) for q in (2, 3, 8, 16, 32)]
    nets.append(("R11's loss", C.relu_interpolant(S.r11_loss, S.R11_UNITS, *S.R11_INTERVAL), S.R11_INTERVAL))
    counts = [C.count_regions(*g.network(), *iv) for _, g, iv in nets]
    want = [1 + int(np.count_nonzero(g.coefficients[1:])) for _, g, _ in nets]
    return [
        _result("universal-approximation", "$f_q$ equals numpy.interp on $[0, 1]$",
                r"$\max |f_q - \mathrm{interp}| / (2\pi q\varepsilon)$",
                f"sin 2πx, q = {[r.q for r in rows]}, {S.GRID_PER_PIECE} points per piece",
                max(r.interp_diff for r in rows), worst, 1.0, worst <= 1.0,
                "$\\max |f_q - \\mathrm{interp}|$ per $q$: " + ", ".join(f"{r.interp_diff:.2g}" for r in rows)
                + "; tolerance: $q$ rounded terms of size $\\leq 2\\pi$"),
        _result("universal-approximation", "the interpolant's network: one piece per nonzero slope change",
                r"count_regions(relu_interpolant(f, q).network()) vs 1 + the number of nonzero $c_i$, $i \geq 1$",
                "; ".join(f"{name}, q = {len(g.coefficients)}" for name, g, _ in nets),
                max(abs(c - w) for c, w in zip(counts, want)), 0, INTEGER, counts == want,
                f"counts {counts}, from the coefficients {want}"),
    ]


def _reference_squared_loss(np_, p, X, y, q):
    """½ mean (s − y)² of ReLU(x W1 + b1) W2 + b2, written from the definitions for autograd."""
    W1, b1, W2, b2 = p[:q].reshape(1, q), p[q:2 * q], p[2 * q:3 * q].reshape(q, 1), p[3 * q:]
    s = (np_.maximum(X @ W1 + b1, 0.0) @ W2)[:, 0] + b2[0]
    return 0.5 * np_.mean((s - y) ** 2)


@register("universal-approximation")
def r11_strip_and_sgd() -> list[CheckResult]:
    """R11's loss at 13 knots on [−5, 6]: the interpolant's error within (h²/8) max|L''|; the squared-loss gradient
    built from the generated backprop against autograd; the SGD-trained 12-unit networks (losses, exact pieces)."""
    import autograd
    import autograd.numpy as anp

    q = S.R11_UNITS
    g = C.relu_interpolant(S.r11_loss, q, *S.R11_INTERVAL)
    bound = S.r11_bound()
    fits = S.r11_fits()
    sup = fits[0].construction_sup
    knot_err = float(np.max(np.abs(g(g.knots) - S.r11_loss(g.knots))))
    pieces = C.count_regions(*g.network(), *S.R11_INTERVAL)
    out = [
        _result("universal-approximation", r"R11's loss, 13 knots: $\sup|L - f_{12}| \leq (h^2/8) \max|L''|$",
                "sup / bound, at most 1", "L = 0.02((t − 0.333)⁴ − 30t²) on [−5, 6], 22001 grid points",
                sup / bound, sup / bound, 1.0, sup <= bound,
                f"sup {sup:.4f}, bound {bound:.4f} ($h = 11/12$, $\\max |L''|$ at $t = 6$); RMS "
                f"{fits[0].construction_rms:.4f}; at the knots $\\max |f_{{12}} - L| = {tex_num(knot_err, 2)}$; "
                f"exact pieces {pieces} (12 units)"),
    ]
    rng = np.random.default_rng(7)
    X, y = rng.uniform(-1, 1, (9, 1)), rng.normal(size=9)
    worst = 0.0
    for _ in range(3):
        p = rng.normal(size=3 * q + 1)
        w = [p[:q].reshape(1, q), p[2 * q:3 * q].reshape(q, 1)]
        b = [p[q:2 * q], p[3 * q:]]
        loss, gw, gb = S.squared_loss_and_grad(w, b, X, y)
        ours = np.concatenate([gw[0].ravel(), gb[0], gw[1].ravel(), gb[1]])
        ref = autograd.grad(lambda t: _reference_squared_loss(anp, t, X, y, q))(p)
        ref_loss = _reference_squared_loss(np, p, X, y, q)
        worst = max(worst, float(np.max(np.abs(ours - ref)) / np.max(np.abs(ref))), abs(loss - ref_loss) / ref_loss)
    out.append(_result("universal-approximation", "squared-loss gradient from the generated mlp.layers vs autograd",
                       "largest difference from autograd over autograd's largest entry (and the loss)",
                       "12 ReLU units, 9 rows, 3 random parameter vectors (seed 7)", worst, worst, 1e-12,
                       worst <= 1e-12, "autograd differentiates the loss written from its definition"))
    drop = min(f.loss_start / f.loss_end for f in fits)
    most = max(f.sgd_pieces for f in fits)
    data = (f"seeds {S.SGD_SEEDS}: {S.SGD_ROWS} rows, {S.SGD_EPOCHS} epochs, batches of {S.SGD_BATCH}, "
            f"step {S.SGD_LR}")
    runs = ("; ".join(f"seed {f.seed}: loss {f.loss_start:.3g} → {f.loss_end:.3g}, sup {f.sgd_sup:.3f}, "
                      f"RMS {f.sgd_rms:.3f}, {f.sgd_pieces} pieces" for f in fits)
            + f"; the construction: sup {sup:.3f}, RMS {fits[0].construction_rms:.3f}")
    out.append(_result("universal-approximation", "SGD trains: each run's loss falls at least 10x",
                       r"$10 / \min(\ell_{\mathrm{start}} / \ell_{\mathrm{end}})$ over the runs, at most 1", data, 10 / drop, 10 / drop, 1.0, drop >= 10, runs))
    out.append(_result("universal-approximation", "SGD-trained 12-unit networks: at most q + 1 = 13 pieces (exact)",
                       "max exact pieces / 13, at most 1", data, most / (q + 1), most / (q + 1), 1.0, most <= q + 1,
                       "one hidden layer of q units: at most q kinks"))
    return out


# ---- barron (R22) -----------------------------------------------------------------------------------

@register("barron")
def barron_tradeoff() -> list[CheckResult]:
    """The least-squares fit's integrated squared error against q: closed form vs Monte Carlo, a U shape with an
    interior minimum, a variance term growing as σ²(q + 1)/N, and the fitted bound shape's minimiser."""
    b = S.barron()
    qs = np.array(b.qs)
    data = (f"$y = \\sin 2\\pi x + \\varepsilon$, $\\varepsilon \\sim N(0, {S.BARRON_NOISE}^2)$, $N = {b.n}$ rows, "
            f"$x \\sim U[0, 1]$ (seed {S.BARRON_SEED}); $q$ units $\\mathrm{{ReLU}}(x - i/q)$ + bias, output layer "
            f"by least squares; $q = {qs[0]}, \\ldots, {qs[-1]}$")
    z = np.abs(b.mc - b.mise) / b.mc_se
    lin = b.variance * b.n / (S.BARRON_NOISE ** 2 * (qs + 1))
    best, star = b.q_best, b.q_star
    inside = qs[0] < best < qs[-1] and b.mise[0] > 2 * b.mise.min() and b.mise[-1] > 2 * b.mise.min()
    return [
        _result("barron", "closed-form expected error vs Monte Carlo",
                "largest difference between Monte Carlo and the closed form, in standard errors",
                data + f"; {S.BARRON_MC} noise draws", np.max(np.abs(b.mc - b.mise)), np.max(z), MC_SIGMAS,
                np.max(z) <= MC_SIGMAS, f"largest deviation {np.max(z):.2f} standard errors"),
        _result("barron", "error against q is U-shaped: interior minimum, both ends above twice it",
                "0 if the argmin q is strictly inside and both ends exceed 2× the minimum, else 1", data,
                float(not inside), float(not inside), INTEGER, inside,
                f"min {b.mise.min():.4f} at q = {best}; error at q = 1: {b.mise[0]:.4f}, at q = {qs[-1]}: "
                f"{b.mise[-1]:.4f}"),
        _result("barron", "estimation term: integrated variance ≈ σ²(q + 1)/N", "variance N/(σ²(q + 1)) vs 1",
                data, np.max(np.abs(lin - 1)), np.max(np.abs(lin - 1)), VARIANCE_TOL,
                np.max(np.abs(lin - 1)) <= VARIANCE_TOL, f"ratios {_r(lin, 3)}"),
        _result("barron", r"fitted bound shape $a/q + bq\log N/N$: its minimiser $q^*$ vs the measured one",
                r"$|\log(q^*/q_{\mathrm{best}})|$ vs $\log 2$", data, abs(star - best), abs(math.log(star / best)), math.log(2),
                abs(math.log(star / best)) <= math.log(2),
                f"fitted (relative least squares, constants $\\geq 0$) $a = C^2 = {b.a:.4g}$, $b = {b.b:.4g}$: "
                f"$q^* = \\sqrt{{aN/(b \\log N)}} = {star:.2f}$; measured minimiser {best}. The measured bias falls "
                f"faster than $a/q$ (linear interpolation of a smooth $f$: $O(q^{{-4}})$), so the shape is an upper "
                f"envelope, not a fit"),
    ]
