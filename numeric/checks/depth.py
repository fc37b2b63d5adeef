"""Checks of the depth chapter (R19–R20): the depth chain against autograd, initialisations against their variances."""
from __future__ import annotations

import math

import numpy as np

from ..floats import EPS, TINY
from . import register
from .result import CheckResult, result as _result, tex_num

DEPTHS = (2, 10, 100, 300)
CHAIN_SEED = 19
CHAIN_X = 0.7                       # the scalar input of the deep chains
NOTEBOOK = (-0.5, (0.25, -0.1))     # the lecture's notebook case: x, (w1, w2)
BATCH_X = np.linspace(-3.0, 3.0, 6).reshape(2, 3)    # 0 is not among them (there dŷ/dw_1 = 0 exactly)
BATCH_DEPTHS = (1, 10, 50)
# Rounding budget per layer, in ulps, for either side of a comparison: σ (exp, add, divide: about 3),
# σ' (about 4), the product with w_j and the running product (2), and the forward error of h_(j-1)
# carried into u_j = w_j h_(j-1), whose relative condition |u_j|(1 − σ(u_j)) is at most |w_j| ≤ 3 here
# but below 1 on most layers.  16 ulps a layer bounds the sum of both sides' errors with room to spare;
# a wrong formula (a missing factor, a shifted index) is off by O(1), about 1e12 times the tolerance at L = 300.
ULPS_PER_LAYER = 16.0


# ---- an independent reference: the chain written from its definition, for NumPy or autograd.numpy ----

def _sigmoid(u, np_):
    """σ(u) = 1/(1 + e^−u) for u ≥ 0, e^u/(1 + e^u) below: exp never overflows. The branch is chosen
    on the real part, so complex u (the complex step) takes the same branch as its real part."""
    pos = np_.real(u) >= 0
    e = np_.exp(np_.where(pos, -u, u))
    return np_.where(pos, 1.0 / (1.0 + e), e / (1.0 + e))


def reference_chain(x, w, np_=np):
    """ŷ = σ(w_L σ(… σ(w_1 x))), one layer at a time; w may be an autograd box or complex."""
    h = x
    for k in range(len(w)):
        h = _sigmoid(w[k] * h, np_)
    return h


def reference_grad(x, w) -> np.ndarray:
    """dŷ/dw by autograd of reference_chain at one scalar x."""
    import autograd
    import autograd.numpy as anp

    return np.asarray(autograd.grad(lambda v: reference_chain(x, v, anp))(np.asarray(w, dtype=np.float64)))


def complex_step_grad(x, w) -> np.ndarray:
    """dŷ/dw_k = Im ŷ(w + i h e_k) / h (h = 1e-200) of reference_chain: no subtraction, exact to rounding."""
    from ..oracles import CS_STEP

    w = np.asarray(w, dtype=np.float64)
    g = np.empty(w.size)
    with np.errstate(under="ignore"):
        for k in range(w.size):
            v = w.astype(complex)
            v[k] += 1j * CS_STEP
            g[k] = np.imag(reference_chain(x, v)) / CS_STEP
    return g


def chain_weights(L, seed=CHAIN_SEED) -> np.ndarray:
    """L weights with |w| in [1, 3] and random signs (default_rng(seed)). Near the largest |w σ'(w h)|
    (about 0.45), so dŷ/dw_1 stays a normal float at L = 300 (about 1e-150) and relative errors measure
    the arithmetic, not underflow; the products still shrink geometrically, as R19–R20 predict."""
    rng = np.random.default_rng(seed + L)
    return rng.uniform(1.0, 3.0, L) * rng.choice((-1.0, 1.0), L)


def _rel(got, ref) -> float:
    """max |got − ref| / |ref| elementwise (exact agreement required where ref is 0)."""
    got, ref = np.asarray(got, dtype=np.float64), np.asarray(ref, dtype=np.float64)
    return float(np.max(np.abs(got - ref) / np.maximum(np.abs(ref), TINY)))


def _abs(got, ref) -> float:
    return float(np.max(np.abs(np.asarray(got, dtype=np.float64) - np.asarray(ref, dtype=np.float64))))


def _tol(L) -> float:
    return ULPS_PER_LAYER * L * EPS


# ---- depth-chain (R19) ------------------------------------------------------------------------------

def _errors(shape_ok, *pairs):
    """(largest relative, largest absolute) error over the (got, reference) pairs; inf for a wrong shape."""
    if not shape_ok:
        return math.inf, math.inf
    return max(_rel(g, r) for g, r in pairs), max(_abs(g, r) for g, r in pairs)


def _deep_chain(L) -> CheckResult:
    from numeric.generated import depth

    w = chain_weights(L)
    got, ref = depth.chain_grad(CHAIN_X, w), reference_grad(CHAIN_X, w)
    fwd, fwd_ref = depth.chain_forward(CHAIN_X, w), reference_chain(CHAIN_X, w)
    shape_ok = np.shape(got) == (L,)
    rel, absolute = _errors(shape_ok, (got, ref), (fwd, fwd_ref))
    tol = _tol(L)
    return _result(
        "depth-chain", f"chain_grad vs autograd, L = {L}",
        "generated depth.chain_grad ($\\partial\\hat y/\\partial w_k$ for every $k$) and chain_forward vs autograd.grad of an "
        "independent chain (numeric.checks.depth.reference_chain: a loop of a stable sigmoid), elementwise "
        "relative error",
        f"$x = {CHAIN_X}$, $L = {L}$ weights $|w| \\sim U[1, 3]$ with random signs (default_rng({CHAIN_SEED} + L))",
        absolute, rel, tol, shape_ok and rel <= tol,
        f"shape {np.shape(got)} (expected ({L},)); max relative error {rel:.3g} = {rel / EPS:.3g} ulps "
        f"(tolerance {ULPS_PER_LAYER:g} ulps per layer, times $L$); $|\\partial\\hat y/\\partial w_1| = "
        f"{tex_num(abs(float(ref[0])))}$, $|\\partial\\hat y/\\partial w_L| = {tex_num(abs(float(ref[-1])))}$; "
        f"$\\hat y = {float(fwd):.17g}$")


def _notebook() -> CheckResult:
    """The lecture notebook's 2-layer case against autograd, the complex step and mpmath at 50 digits."""
    import mpmath as mp

    from numeric.generated import depth

    x, w = NOTEBOOK[0], np.array(NOTEBOOK[1])
    got = depth.chain_grad(x, w)
    ag, cs = reference_grad(x, w), complex_step_grad(x, w)
    with mp.workdps(50):
        f = lambda a, b: 1 / (1 + mp.exp(-b / (1 + mp.exp(-a * mp.mpf(x)))))
        a, b = mp.mpf(w[0]), mp.mpf(w[1])
        exact = np.array([float(mp.diff(lambda t: f(t, b), a)), float(mp.diff(lambda t: f(a, t), b))])
    refs = {"autograd": ag, "complex step": cs, "mpmath": exact}
    rels = {k: _rel(got, v) for k, v in refs.items()}
    rel = max(rels.values())
    tol = _tol(len(w))
    return _result(
        "depth-chain", "the lecture's notebook case (L = 2)",
        "generated depth.chain_grad vs autograd.grad and the complex step ($h = 10^{-200}$) of the reference chain, "
        "and mpmath.diff of the chain at 50 digits",
        f"$x = {x}$, $w_1 = {w[0]}$, $w_2 = {w[1]}$ (R19's notebook)",
        max(_abs(got, v) for v in refs.values()), rel, tol, np.shape(got) == (2,) and rel <= tol,
        f"$\\partial\\hat y/\\partial w = ({got[0]:.17g}, {got[1]:.17g})$; relative errors: "
        + ", ".join(f"{k} {v:.3g}" for k, v in rels.items()))


def _batched(L) -> CheckResult:
    """A (2, 3) batch of inputs at once against autograd input by input."""
    from numeric.generated import depth

    w = chain_weights(L)
    got = depth.chain_grad(BATCH_X, w)
    want_shape = BATCH_X.shape + (L,)
    ref = np.stack([reference_grad(float(v), w) for v in BATCH_X.ravel()]).reshape(want_shape)
    fwd, fwd_ref = depth.chain_forward(BATCH_X, w), reference_chain(BATCH_X, w)
    shape_ok = np.shape(got) == want_shape and np.shape(fwd) == BATCH_X.shape
    rel, absolute = _errors(shape_ok, (got, ref), (fwd, fwd_ref))
    tol = _tol(L)
    return _result(
        "depth-chain", f"chain_grad on a batch of inputs, L = {L}",
        "generated depth.chain_grad and chain_forward on an array of inputs vs autograd.grad of the reference "
        "chain at each input separately",
        f"x = linspace(-3, 3, 6) as a (2, 3) array, L = {L} weights as in the deep-chain checks",
        absolute, rel, tol, shape_ok and rel <= tol,
        f"shape {np.shape(got)} (expected the shape of $x$ followed by $L$: {want_shape}); max relative error {rel:.3g}")


INFINITE_X = np.array([-np.inf, -1e300, 1e300, np.inf])
HUGE = 1e300     # stands in for ±inf in the reference (see _infinite_inputs)


def _infinite_inputs() -> CheckResult:
    """x = ±inf (and ±1e300): finite gradients, no warnings, equal to the limits x → ±inf.

    With |w_1| ≥ 1, |w_1 x| ≥ 1e300 makes σ(w_1 x) exactly 0 or 1 and x σ'(w_1 x) exactly 0 in float64
    (e^−|u| is far below the smallest subnormal), so the reference's values at x = ±1e300 are the
    limits; the generated code must give them at ±inf too, where x σ'(w_1 x) is inf·0 unless handled."""
    import warnings

    from numeric.generated import depth

    w = chain_weights(10)
    ref_x = np.clip(INFINITE_X, -HUGE, HUGE)
    ref = np.stack([reference_grad(float(v), w) for v in ref_x])
    fwd_ref = reference_chain(ref_x, w)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        got, fwd = depth.chain_grad(INFINITE_X, w), depth.chain_forward(INFINITE_X, w)
    finite = bool(np.all(np.isfinite(got)) and np.all(np.isfinite(fwd)))
    shape_ok = np.shape(got) == ref.shape and np.shape(fwd) == fwd_ref.shape
    rel = absolute = math.inf
    if shape_ok:
        # errors over the finite entries (a NaN fails the check on its own and is counted in the detail)
        ok = np.isfinite(got)
        rel = max(_rel(got[ok], ref[ok]), _rel(fwd, fwd_ref))
        absolute = max(_abs(got[ok], ref[ok]), _abs(fwd, fwd_ref))
    tol = _tol(len(w))
    return _result(
        "depth-chain", "chain_grad at infinite inputs",
        r"generated depth.chain_grad and chain_forward at $x = \pm\infty$, $\pm 10^{300}$ vs autograd of the reference "
        r"chain at $\pm 10^{300}$ (equal to the limits $x \to \pm\infty$ in float64); no warnings",
        r"$x = -\infty, -10^{300}, 10^{300}, \infty$, $L = 10$ weights as in the deep-chain checks",
        absolute, rel, tol, finite and rel <= tol and not caught,
        f"finite: {finite} ({int(np.sum(np.isnan(got)))} NaN among the gradients); max relative error {rel:.3g}; "
        f"warnings: {', '.join(sorted({str(c.message) for c in caught})) or 'none'}; $\\partial\\hat y/\\partial w_1$ "
        f"per $x$: {', '.join(f'{float(g):g}' for g in np.asarray(got)[..., 0])} (limit 0)")


@register("depth-chain")
def depth_chain_checks() -> list[CheckResult]:
    return ([_deep_chain(L) for L in DEPTHS] + [_notebook()] + [_batched(L) for L in BATCH_DEPTHS]
            + [_infinite_inputs()])


# ---- init-variance (R20): numeric.init's draws against the derived variances -------------------------

INIT_SEED = 20
INIT_SHAPES = ((256, 128), (100, 100), (784, 300))
Z = 5.0          # tolerances are 5 standard errors of the sampling distribution: P(|N(0,1)| > 5) = 6e-7
#: the lecture's formulas (R20), written here independently of the derivation: (variance, family).
LECTURE_INITS = {
    "standard": (lambda p, q: 1.0 / (3.0 * p), "uniform"),    # U[±1/√p]: a²/3
    "lecun": (lambda p, q: 1.0 / p, "normal"),
    "glorot": (lambda p, q: 2.0 / (p + q), "uniform"),         # U[±√(6/(p+q))]
    "he": (lambda p, q: 2.0 / p, "normal"),
}
#: E w⁴/σ⁴ and E w⁸/σ⁸ of each family: uniform on [−a, a] has E w^2k = a^2k/(2k+1) and a² = 3σ², so
#: 9/5 and 81/9; the normal has (2k−1)!!, so 3 and 105.
STANDARDISED_MOMENTS = {"uniform": (9.0 / 5.0, 9.0), "normal": (3.0, 105.0)}
LINEAR_DEPTH, LINEAR_WIDTH, LINEAR_ROWS = 10, 200, 256


def _seed(name, shape) -> list[int]:
    """A seed per scheme and shape: independent draws, so no two rows repeat one draw rescaled."""
    return [INIT_SEED, list(LECTURE_INITS).index(name), *shape]


def _init_rng(name, shape) -> np.random.Generator:
    return np.random.default_rng(_seed(name, shape))


def _derived_variance(name):
    from numeric.generated import init as derived

    return getattr(derived, f"{name}_variance")


def _moments(name, shape) -> CheckResult:
    """One draw's sample variance, mean and 4th moment against the derived variance and the family's moments.

    n draws w of variance σ², 4th and 8th moments μ4, μ8: the unbiased sample variance has standard error
    √((μ4 − σ⁴ (n−3)/(n−1))/n), the mean σ/√n, the 4th moment about 0 √((μ8 − μ4²)/n); a uniform's draws
    lie within ±a and their largest |w| falls below a(1 − 20/n) with probability (1 − 20/n)^n ≈ e^−20."""
    from numeric import init

    p, q = shape
    _, family = LECTURE_INITS[name]
    v = float(_derived_variance(name)(p, q))
    w = init.SCHEMES[name](shape, _init_rng(name, shape))
    n = w.size
    k4, k8 = STANDARDISED_MOMENTS[family]
    s2, mean, m4 = float(np.var(w, ddof=1)), float(np.mean(w)), float(np.mean(w ** 4))
    se_var = math.sqrt((k4 - (n - 3) / (n - 1)) * v * v / n)
    se_mean, se_m4 = math.sqrt(v / n), math.sqrt((k8 - k4 * k4) / n) * v * v
    z_var, z_mean, z_m4 = abs(s2 - v) / se_var, abs(mean) / se_mean, abs(m4 - k4 * v * v) / se_m4
    ok = w.shape == shape and w.dtype == np.float64 and max(z_var, z_mean, z_m4) <= Z
    detail = (f"$n = {n}$: sample variance {s2:.6g} vs derived {v:.6g} ({z_var:.2f} SE), mean {mean:.3g} "
              f"({z_mean:.2f} SE), $E\\,w^4$ {m4:.4g} vs {family} ${k4:g}\\,\\sigma^4 = {tex_num(k4 * v * v, 4)}$ "
              f"({z_m4:.2f} SE)")
    if family == "uniform":
        a, top = math.sqrt(3.0 * v), float(np.max(np.abs(w)))
        ok = ok and a * (1.0 - 20.0 / n) <= top <= a
        detail += (f"; $\\max |w| = {top:.8g}$, $a = \\sqrt{{3 v}} = {a:.8g}$ "
                   f"($a - \\max |w| = {tex_num(a - top)}$)")
    return _result(
        "init-variance", f"{name} {shape}: sample moments",
        f"numeric.init.{name} draw vs the variance numeric.generated.init.{name}_variance derives; mean 0; "
        f"the 4th moment of a {family}" + ("; the support $\\pm a$" if family == "uniform" else ""),
        f"shape {shape}, default_rng({_seed(name, shape)})",
        abs(s2 - v), abs(s2 - v) / v, Z * se_var / v, ok, detail)


def _formulas() -> CheckResult:
    """The generated variances (and the glorot bound) against the lecture's formulas, on a grid of fans."""
    from numeric.generated import init as derived

    worst, where = 0.0, ""
    for p in (1, 2, 3, 100, 784):
        for q in (1, 7, 300):
            pairs = [(float(_derived_variance(name)(p, q)), f(p, q)) for name, (f, _) in LECTURE_INITS.items()]
            pairs.append((float(derived.glorot_bound(p, q)), math.sqrt(6.0 / (p + q))))
            for got, want in pairs:
                rel = abs(got - want) / want
                if rel >= worst:
                    worst, where = rel, f"(q_in, q_out) = ({p}, {q})"
    tol = 4 * EPS   # a division, a product and a square root on each side
    return _result(
        "init-variance", "derived variances vs the lecture's formulas",
        r"numeric.generated.init's standard, lecun, glorot and he variances and glorot_bound vs "
        r"$1/(3q_{\mathrm{in}})$, $1/q_{\mathrm{in}}$, $2/(q_{\mathrm{in}} + q_{\mathrm{out}})$, $2/q_{\mathrm{in}}$ "
        r"and $\sqrt{6/(q_{\mathrm{in}} + q_{\mathrm{out}})}$ written in the check",
        r"$q_{\mathrm{in}} \in \{1, 2, 3, 100, 784\}$, $q_{\mathrm{out}} \in \{1, 7, 300\}$", worst, worst, tol,
        worst <= tol,
        f"largest relative difference {worst:.3g} at {where}")


def _stack_seed(name, relu: bool) -> list[int]:
    """A seed per stack: no two stacks repeat one draw rescaled."""
    return [INIT_SEED, list(LECTURE_INITS).index(name), int(relu), LINEAR_DEPTH, LINEAR_WIDTH]


def _stack_ratios(name, relu: bool):
    """Per layer of a square stack (LINEAR_DEPTH layers of LINEAR_WIDTH units, no biases, LINEAR_ROWS rows
    x ~ N(0, I)): the ratio r of the mean second moment of the layer's units to its input's, with
    E[r | input] and its standard error given the input.

    With C = HᵀH/N the input's second-moment matrix and w_j the iid columns: linear, r = q_in/(q_out tr C)
    Σ_j w_jᵀ C w_j, E = q_in v, and Var w_jᵀCw_j = (μ4 − 3σ⁴) Σ_i C_ii² + 2σ⁴ tr C² exactly. ReLU: since w_j
    and −w_j are equally likely and relu(z)² + relu(−z)² = z², E = q_in v / 2; its SE is the columns' sample
    SD / √q_out (the columns are iid given the input)."""
    from numeric import init

    rng = np.random.default_rng(_stack_seed(name, relu))
    H = rng.standard_normal((LINEAR_ROWS, LINEAR_WIDTH))
    _, family = LECTURE_INITS[name]
    k4 = STANDARDISED_MOMENTS[family][0]
    rows = []
    for _ in range(LINEAR_DEPTH):
        W = init.SCHEMES[name]((LINEAR_WIDTH, LINEAR_WIDTH), rng)
        p, q = W.shape
        v = float(_derived_variance(name)(p, q))
        pre = H @ W
        out = np.maximum(pre, 0.0) if relu else pre
        cols = np.mean(out * out, axis=0)                     # each unit's second moment
        diag = np.mean(H * H, axis=0)                         # C_ii
        scale = p / (q * float(np.sum(diag)))
        r = scale * float(np.sum(cols))
        if relu:
            expected = 0.5 * p * v
            se = scale * math.sqrt(q) * float(np.std(cols, ddof=1))
        else:
            expected = p * v
            C = H.T @ H / H.shape[0]
            var_col = (k4 - 3.0) * v * v * float(np.sum(diag ** 2)) + 2.0 * v * v * float(np.sum(C * C))
            se = scale * math.sqrt(q * var_col)
        rows.append((r, expected, se))
        H = out
    return rows


#: the stacks checked: (scheme, ReLU?, the gain the lecture's formula predicts for a square layer). He in
#: a linear stack would only repeat LeCun's Gaussian doubled; in a ReLU stack it shows the halving.
STACKS = (("lecun", False, 1.0), ("standard", False, 1.0 / 3.0), ("glorot", False, 1.0), ("he", True, 1.0))


def _forward(name, relu, predicted) -> CheckResult:
    rows = _stack_ratios(name, relu)
    z = max(abs(r - e) / se for r, e, se in rows)
    gap = max(abs(e - predicted) for _, e, _ in rows)
    worst = max(abs(r - predicted) for r, _, _ in rows)
    total = math.prod(r for r, _, _ in rows)
    kind = "ReLU" if relu else "linear"
    return _result(
        "init-variance", f"{name}: forward variance ratio per layer, {kind} stack",
        "mean second moment of each layer's units over its input's, drawn by numeric.init, vs the gain "
        f"predicted from the lecture's variance ({predicted:.6g}), within {Z:g} SE given each layer's input",
        f"depth {LINEAR_DEPTH}, width {LINEAR_WIDTH}, {LINEAR_ROWS} rows $x \\sim N(0, I)$, zero biases, "
        f"default_rng({_stack_seed(name, relu)})",
        worst, worst / predicted, Z * max(se for _, _, se in rows) / predicted, z <= Z and gap <= 4 * EPS,
        f"ratios {', '.join(f'{r:.4f}' for r, _, _ in rows)}; largest $|r - E\\,r|$ {z:.2f} SE (SE per layer "
        f"{min(se for _, _, se in rows):.2g} to {max(se for _, _, se in rows):.2g}); derived gain vs predicted "
        f"differs by {gap:.2g}; over all {LINEAR_DEPTH} layers "
        f"the second moment changes by a factor {total:.4g} (predicted {predicted ** LINEAR_DEPTH:.4g})")


@register("init-variance")
def init_variance_checks() -> list[CheckResult]:
    return ([_formulas()] + [_moments(name, shape) for name in LECTURE_INITS for shape in INIT_SHAPES]
            + [_forward(*stack) for stack in STACKS])


__all__ = ["depth_chain_checks", "init_variance_checks", "reference_chain", "reference_grad", "complex_step_grad",
           "chain_weights"]
