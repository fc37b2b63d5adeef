"""Checks of the linear units (R1, R2, R6): threshold logic exhaustively, the perceptron against scikit-learn and Novikoff, σ(kz) → H(z)."""
from __future__ import annotations

import math
from functools import lru_cache

import mpmath as mp
import numpy as np

from ..floats import EPS, grid, ulps
from . import register
from .result import CheckResult, result as _result, tex_num

# Numbers of Boolean functions of n inputs that one threshold unit realises (Muroga, "Threshold logic
# and its applications", 1971; OEIS A000609: 2, 4, 14, 104, 1882, ...): the LP below must find these.
THRESHOLD_FUNCTIONS = {1: 4, 2: 14, 3: 104}
RANDOM_TABLES = {4: 100, 5: 50, 6: 25}      # random truth tables realised beyond n = 3, seed 12
SEED = 12

# The perceptron's data: iris setosa vs rest on all four features (separable with a wide margin) and on
# sepal length and width only (separable with a narrow one: ~700 epochs). Epoch counts run past the last
# update, so the last epoch is update-free.
PERCEPTRON_RUNS = (((0, 1, 2, 3), 20), ((0, 1), 1000))
SKLEARN_EPOCHS = (1, 2, 3, 5, 10, 20, 50, 100, 200, 500, 1000)   # compared after each of these (<= the run's)

SOFT_DELTAS = (0.01, 0.1, 1.0)
SOFT_KD = (0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500, 700)          # k·δ: σ(−kδ) stays a normal float
_ULP_TOL = 4.0
# Exact checks count wrong entries (or ulps between floats): integers, so a tolerance of 1/2 means none at all.
_COUNT_TOL = 0.5


# ---- threshold-units (R1) ----------------------------------------------------------------------------------

def _python_table(op, n):
    """The truth table of a Python boolean expression over the rows of {0,1}ⁿ in truth-table order."""
    from numeric.units import inputs

    return np.array([int(op(*map(bool, row))) for row in inputs(n)])


def lecture_units() -> list[CheckResult]:
    from numeric import units as U

    cases = (("AND", U.AND, lambda a, b: a and b, 2), ("OR", U.OR, lambda a, b: a or b, 2),
             ("NOT", U.NOT, lambda a: not a, 1))
    wrong, lines, margin = 0, [], math.inf
    for name, net, op, n in cases:
        got, want = U.table_of(net), _python_table(op, n)
        wrong += int(np.sum(got != want))
        layer = net.layers[0]
        z = U.inputs(n) @ layer.W[:, 0] + layer.b[0]
        margin = min(margin, float(np.min(np.abs(z))))
        lines.append(f"{name}: w = {layer.W[:, 0].tolist()}, b = {layer.b[0]:g}, table {got.tolist()} "
                     f"(Python {want.tolist()})")
    return [_result(
        "threshold-units", "AND, OR, NOT units vs Python's and/or/not",
        "truth tables of the lecture's units 1{w·x + b ≥ 0} (numeric.units) vs Python's boolean operators",
        "all 4 rows of {0,1}² (AND, OR) and both rows of {0,1} (NOT)",
        wrong, wrong, _COUNT_TOL, wrong == 0,
        "; ".join(lines) + f"; {wrong} wrong entries; smallest $|w \\cdot x + b|$ over all rows: {margin:g} (no row "
        f"sits on a threshold)")]


def _composed_minterm(m):
    """The unit firing exactly at x = m, built from the lecture's own units: NOT on the zero bits, then a
    chain of 2-input ANDs. An independent reference for the folded minterm unit of numeric.units."""
    from numeric import units as U

    def run(X):
        lits = [X[:, [i]] if bit else U.evaluate(U.NOT, X[:, [i]])[:, None] for i, bit in enumerate(m)]
        acc = lits[0].reshape(-1)
        for lit in lits[1:]:
            acc = U.evaluate(U.AND, np.column_stack([acc, lit.reshape(-1)]))
        return acc
    return run


def every_function_realised() -> list[CheckResult]:
    from numeric import units as U

    wrong, counted, biggest = 0, 0, {}
    for n in (1, 2, 3):
        X = U.inputs(n)
        for code in range(2 ** 2 ** n):
            table = (code >> np.arange(2 ** n)) & 1        # function number `code`, entry r = bit r
            net = U.realise(table)
            got = U.evaluate(net, X)
            # direct lookup: the row's index in truth-table order, read from its bits
            want = table[X @ (1 << np.arange(n - 1, -1, -1))]
            wrong += int(np.sum(got != want))
            counted += 1
            biggest[n] = max(biggest.get(n, 0), sum(net.units))
    rng = np.random.default_rng(SEED)
    for n, count in RANDOM_TABLES.items():
        X = U.inputs(n)
        for _ in range(count):
            table = rng.integers(0, 2, 2 ** n)
            wrong += int(np.sum(U.evaluate(U.realise(table), X) != table))
            counted += 1
    # the folded minterm unit against NOT and AND units composed literally (n = 3, all 8 minterms)
    X3 = U.inputs(3)
    layer = U.minterm_layer(X3)
    fold_wrong = int(np.sum(layer(X3.astype(float)) != np.column_stack([_composed_minterm(m)(X3) for m in X3])))
    passed = wrong == 0 and fold_wrong == 0 and counted == 4 + 16 + 256 + sum(RANDOM_TABLES.values())
    return [_result(
        "threshold-units", "every Boolean function of n ≤ 3 inputs realised (DNF)",
        "numeric.units.evaluate(realise(table), inputs(n)) vs direct lookup of the table at each row's binary index",
        f"all 4 + 16 + 256 functions of 1, 2, 3 inputs; {sum(RANDOM_TABLES.values())} random tables of "
        f"4-6 inputs (seed {SEED})",
        wrong + fold_wrong, wrong + fold_wrong, _COUNT_TOL, passed,
        f"{counted} functions, {wrong} wrong outputs; the 8 folded minterm units (weights $\\pm 1$, bias $1/2 - |m|$) "
        f"agree with NOT units and chained 2-input AND units on all 8 rows ({fold_wrong} wrong); largest network "
        "(units per n): " + ", ".join(f"n={n}: {u}" for n, u in biggest.items()) + " = 2ⁿ minterms + 1 OR")]


def _single_unit(table, X):
    """LP (HiGHS): is there (w, b) with w.x + b >= 1 where table = 1 and <= -1 where table = 0? On finitely
    many points that is exactly "one unit 1{w.x + b >= 0} computes the table" (shift b to the middle of the
    gap, then scale). Returns (feasible, w, b)."""
    from scipy.optimize import linprog

    s = np.where(table == 1, 1.0, -1.0)
    A = -(s[:, None] * np.column_stack([X, np.ones(len(X))]))
    r = linprog(np.zeros(X.shape[1] + 1), A_ub=A, b_ub=-np.ones(len(X)), bounds=[(None, None)] * (X.shape[1] + 1),
                method="highs")
    if r.status not in (0, 2):
        raise RuntimeError(f"LP inconclusive: {r.message}")
    return (True, r.x[:-1], r.x[-1]) if r.status == 0 else (False, None, None)


def one_unit_lp() -> list[CheckResult]:
    from numeric import units as U

    counts, wrong, infeasible2 = {}, 0, []
    for n in (1, 2, 3):
        X = U.inputs(n).astype(float)
        counts[n] = 0
        for code in range(2 ** 2 ** n):
            table = (code >> np.arange(2 ** n)) & 1
            ok, w, b = _single_unit(table, X)
            if ok:
                counts[n] += 1
                wrong += int(np.sum(U.evaluate(U.unit(w, b), X) != table))   # the LP's unit does compute it
            elif n == 2:
                infeasible2.append(table.tolist())
    xor_ok, _, _ = _single_unit(np.array([0, 1, 1, 0]), U.inputs(2).astype(float))
    passed = (counts == THRESHOLD_FUNCTIONS and wrong == 0 and not xor_ok
              and sorted(infeasible2) == [[0, 1, 1, 0], [1, 0, 0, 1]])
    err = sum(abs(counts[n] - THRESHOLD_FUNCTIONS[n]) for n in counts) + wrong
    return [_result(
        "threshold-units", "XOR is not one unit (LP), and which functions are",
        "scipy.optimize.linprog (HiGHS) feasibility of w·x + b ≥ 1 on the true rows, ≤ −1 on the false rows "
        "(equivalent to realisability by one unit), vs Muroga's counts of threshold functions (OEIS A000609)",
        "all 4 + 16 + 256 Boolean functions of 1, 2, 3 inputs", err, err, _COUNT_TOL, passed,
        "functions one unit realises: " + ", ".join(f"n={n}: {c} of {2 ** 2 ** n} (known {THRESHOLD_FUNCTIONS[n]})"
                                                    for n, c in counts.items())
        + f"; every feasible LP's unit reproduces its table ({wrong} wrong entries); the 2-input functions with "
        f"an infeasible LP are exactly {infeasible2} (XOR and XNOR); XOR's LP: "
        f"{'feasible (WRONG)' if xor_ok else 'infeasible'}")]


def xor_two_layers() -> list[CheckResult]:
    from numeric import units as U

    X = U.inputs(2)
    want = _python_table(lambda a, b: a ^ b, 2)
    lecture, dnf = U.table_of(U.XOR), U.table_of(U.realise([0, 1, 1, 0]))
    wrong = int(np.sum(lecture != want) + np.sum(dnf != want))
    hidden = U.XOR.layers[0](X.astype(float))
    return [_result(
        "threshold-units", "XOR by two layers",
        r"$\mathrm{XOR}(a, b) = H(\mathrm{OR}(a, b) - \mathrm{AND}(a, b) - 1/2)$ (numeric.units.XOR) and the DNF "
        r"network realise([0,1,1,0]) vs Python's exclusive or",
        "all 4 rows of {0,1}²", wrong, wrong, _COUNT_TOL, wrong == 0,
        f"two-layer XOR {lecture.tolist()}, DNF {dnf.tolist()} (units per layer {U.realise([0, 1, 1, 0]).units}), "
        f"Python {want.tolist()}; hidden (OR, AND) per row: {hidden.tolist()}")]


# ---- perceptron (R2) ---------------------------------------------------------------------------------------

def _sklearn(X, y, epochs, eta=1.0):
    from sklearn.linear_model import Perceptron

    m = Perceptron(shuffle=False, tol=None, eta0=eta, max_iter=epochs, penalty=None, fit_intercept=True).fit(X, y)
    return m.coef_[0], float(m.intercept_[0])


def _label(features) -> str:
    """A short name for an iris run in a check's title: its features."""
    from numeric.perceptron import IRIS_FEATURES

    return "all 4 features" if len(features) == 4 else " and ".join(IRIS_FEATURES[j] for j in features)


@lru_cache(maxsize=None)
def _run(features, epochs):
    from numeric.perceptron import fit, iris_setosa

    d = iris_setosa(features)
    return d, fit(d.X, d.y, epochs)


def sklearn_equality() -> list[CheckResult]:
    from numeric.perceptron import fit

    out = []
    for features, epochs in PERCEPTRON_RUNS:
        d, _ = _run(features, epochs)
        worst, worst_ulps, lines, same = 0.0, 0.0, [], True
        for e in [e for e in SKLEARN_EPOCHS if e <= epochs]:
            ours = fit(d.X, d.y, e)
            pm1 = fit(d.X, 2 * d.y - 1, e)                      # the {-1, 1} labelling: the same run
            w, b = _sklearn(d.X, d.y, e)
            diff = max(float(np.max(np.abs(ours.w - w))), abs(ours.b - b))
            worst = max(worst, diff)
            worst_ulps = max(worst_ulps, float(np.max(ulps(np.append(ours.w, ours.b), np.append(w, b)))))
            same &= bool(np.array_equal(ours.w, w) and ours.b == b
                         and np.array_equal(pm1.w, ours.w) and pm1.b == ours.b)
            lines.append(f"{e}: {diff:g}")
        half = fit(d.X, d.y, epochs, eta=0.5)
        _, full = _run(features, epochs)
        w5, b5 = _sklearn(d.X, d.y, epochs, eta=0.5)
        # eta = 1/2 is a power of two: from w = 0 every iterate is exactly half of eta = 1's, same updates
        scaled = bool(np.array_equal(half.w, w5) and half.b == b5 and np.array_equal(half.w, full.w / 2)
                      and half.mistakes == full.mistakes)
        out.append(_result(
            "perceptron", f"perceptron vs scikit-learn, bit for bit ({_label(features)})",
            "numeric.perceptron.fit(X, y, e) vs sklearn Perceptron(shuffle=False, tol=None, eta0=1, max_iter=e, "
            "penalty=None, fit_intercept=True): coef_ and intercept_ compared exactly",
            d.description, worst, worst_ulps, _COUNT_TOL, same and scaled and worst == 0,
            "largest absolute difference after $e$ epochs: " + ", ".join(lines) + f" (largest in ulps: {worst_ulps:g}; the "
            f"relative-error column is in ulps, tolerance 1/2: bit for bit)" + f"; labels $\\{{-1, 1\\}}$ give the identical run; "
            f"η = 0.5 also equals sklearn's eta0 = 0.5 and is exactly half the η = 1 weights with the same "
            f"{full.mistakes} updates: {scaled}; final w = {np.array2string(full.w, precision=4)}, b = {full.b:g}"))
    return out


def novikoff_bound() -> list[CheckResult]:
    from sklearn.svm import SVC

    from numeric.perceptron import kkt_residual, max_margin, novikoff

    out = []
    for features, epochs in PERCEPTRON_RUNS:
        d, r = _run(features, epochs)
        w, b = max_margin(d.X, d.y)
        nb = novikoff(d.X, d.y, w, b)
        kkt = kkt_residual(d.X, d.y, w, b)
        svc = SVC(kernel="linear", C=1e6).fit(d.X, d.y)
        nb_svc = novikoff(d.X, d.y, svc.coef_[0], svc.intercept_[0])
        # SVC's separator is another feasible point: its augmented margin cannot beat the optimum's
        optimal = kkt <= 1e-10 and nb_svc.gamma <= nb.gamma * (1 + 1e-9)
        passed = r.mistakes <= nb.bound and optimal
        out.append(_result(
            "perceptron", f"mistakes ≤ (R/γ)² (Novikoff; {_label(features)})",
            "total perceptron updates over all epochs vs (R/γ)², R = max ‖(x, 1)‖, γ = the max-margin "
            "separator's min t(w·x + b)/‖(w, b)‖ (least-distance program by NNLS, certified by its KKT residual; "
            "cross-checked against sklearn SVC(kernel='linear', C=1e6))",
            d.description, r.mistakes, r.mistakes / nb.bound, nb.bound, passed,
            f"error columns: updates, updates/bound; tolerance column: the bound. "
            f"{r.mistakes} updates in {r.epochs} epochs ≤ (R/γ)² = ({nb.R:.6g}/{nb.gamma:.6g})² = {nb.bound:.6g} "
            f"(used {100 * r.mistakes / nb.bound:.3g}% of it); KKT residual of the max-margin (w, b) = {kkt:.2g}; "
            f"SVC's separator has augmented margin {nb_svc.gamma:.6g} ≤ {nb.gamma:.6g}, so its (valid) bound "
            f"{nb_svc.bound:.6g} is looser"))
    return out


def convergence() -> list[CheckResult]:
    out = []
    for features, epochs in PERCEPTRON_RUNS:
        d, r = _run(features, epochs)
        last = int(np.flatnonzero(r.mistakes_per_epoch)[-1]) + 1
        t = 2 * d.y - 1
        p = r.decision_function(d.X)
        lecture_ok = bool(np.all(r.predict(d.X) == d.y))
        sk_ok = bool(np.all(r.predict_sklearn(d.X) == d.y))
        passed = r.converged and bool(np.all(t * p > 0)) and lecture_ok and sk_ok
        out.append(_result(
            "perceptron", f"converges: no update in the last epoch ({_label(features)})",
            r"updates per epoch of numeric.perceptron.fit; training predictions by the lecture's $H(w \cdot x + b)$ "
            r"($\geq 0$) and by sklearn's convention ($> 0$)",
            d.description, int(r.mistakes_per_epoch[-1]), 0, _COUNT_TOL, passed,
            f"last update in epoch {last} of {r.epochs}; updates in the first epochs "
            f"{r.mistakes_per_epoch[:8].tolist()}; $\\min_i t_i(w \\cdot x_i + b) = {float(np.min(t * p)):.4g} > 0$, so both "
            f"conventions classify all {len(t)} rows correctly: {lecture_ok and sk_ok}"))
    return out


# ---- soft-heaviside (R6) -----------------------------------------------------------------------------------

def _sigmoid_exact(x):
    """σ(x) = 1/(1 + e^−x) in mpmath at 50 significant digits of the result."""
    with mp.workdps(60 + int(abs(x) / math.log(10))):
        return +(1 / (1 + mp.exp(-mp.mpf(x))))


def _sup_grid(delta):
    """z with |z| >= delta, from the edge outwards: +-delta itself, log-spaced multiples, and on to +-1000."""
    mag = np.unique(np.concatenate([[delta], delta * np.logspace(0, 3, 300)[1:], np.linspace(delta, 1000, 400)]))
    return np.concatenate([-mag[::-1], mag])


def heaviside_rate() -> list[CheckResult]:
    from numeric.generated.activations import sigmoid

    worst, worst_abs, worst_left, rate_ok, rows = 0.0, 0.0, 0.0, True, {}
    for delta in SOFT_DELTAS:
        z = _sup_grid(delta)
        H = (z >= 0).astype(float)
        left = z < 0
        for kd in SOFT_KD:
            k = kd / delta
            with np.errstate(under="ignore"):
                gap = np.abs(sigmoid(k * z) - H)
            sup, sup_left = float(gap.max()), float(gap[left].max())
            # The supremum is at |z| = delta: sigma(-k delta) on the left, 1 - sigma(k delta) = sigma(-k delta) on
            # the right. The generated code receives the float product k*delta, so that is the exact argument.
            ex = _sigmoid_exact(-float(k * delta))
            # Left: sigmoid itself, to a few ulps of sigma(-k delta). Right: 1 - fl(sigma(k delta)) is an exact
            # subtraction but carries sigmoid's few ulps of sigma(k delta) ~ 1, absolute ~eps: no relative accuracy.
            e_abs = float(abs(mp.mpf(sup) - ex))
            tol = _ULP_TOL * float(np.spacing(float(ex)) + np.spacing(float(1 - ex)))
            worst_abs, worst = max(worst_abs, e_abs), max(worst, e_abs / tol)
            worst_left = max(worst_left, ulps(sup_left, ex))
            # the rate on the accurate (left) side: sigma(-kd) e^{kd} = 1/(1 + e^{-kd}), in [1/2, 1), -> 1
            ratio = sup_left * math.exp(kd)
            rate_ok &= 0.5 - 1e-12 <= ratio <= 1 + 1e-12
            rows.setdefault(kd, []).append(ratio)
    ratios = np.array([np.mean(v) for v in rows.values()])
    spread = max(float(np.ptp(v)) for v in rows.values())        # the sup depends on k delta alone
    rate_ok = bool(rate_ok and np.all(np.diff(ratios) >= -1e-12) and abs(ratios[-1] - 1) <= 1e-12)
    at_zero = float(sigmoid(np.zeros(1))[0])       # k*0 = 0 for every k
    passed = worst <= 1 and worst_left <= _ULP_TOL and rate_ok and spread <= 1e-12 and at_zero == 0.5
    kd0, kd1 = SOFT_KD[0], SOFT_KD[-1]
    return [_result(
        "soft-heaviside", r"$\sigma(kz) \to H(z)$: worst gap on $|z| \geq \delta$ is $\sigma(-k\delta)$, within "
        r"$[1/2, 1] \cdot e^{-k\delta}$",
        r"$\max|\sigma(kz) - H(z)|$ (generated sigmoid) over a grid of $|z| \geq \delta$ (incl. $\pm\delta$) vs the "
        r"exact $\sigma(-k\delta)$ (mpmath, 50 digits) and vs $e^{-k\delta}$",
        f"$\\delta \\in$ {list(SOFT_DELTAS)}, $k\\delta \\in$ {list(SOFT_KD)}; {len(_sup_grid(1.0))} points "
        f"$\\delta \\leq |z| \\leq 1000$",
        worst_abs, worst, 1, passed,
        f"two-sided sup vs exact: largest error {worst:.3g} of the tolerance "
        f"$4(\\mathrm{{ulp}}(\\sigma(-k\\delta)) + \\mathrm{{ulp}}(\\sigma(k\\delta)))$ (the relative-error column); "
        f"left side ($z \\leq -\\delta$) within {worst_left:.3g} ulps (tolerance {_ULP_TOL:g}); "
        f"$\\sup \\cdot e^{{k\\delta}} = 1/(1 + e^{{-k\\delta}}) \\in [1/2, 1]$: {rate_ok}, rising from "
        f"{ratios[0]:.6f} at $k\\delta = {kd0}$ to {ratios[-1]:.17g} at $k\\delta = {kd1}$ (sup "
        f"${tex_num(ratios[-1] * math.exp(-kd1), 4)}$), the same for every $\\delta$ to {spread:.2g}; so for each "
        f"$z \\neq 0$, $|\\sigma(kz) - H(z)| \\leq e^{{-k|z|}} \\to 0$; at $z = 0$, $\\sigma(k \\cdot 0) = {at_zero}$ "
        f"for every $k$, not $H(0) = 1$: the limit holds for $z \\neq 0$ only")]


def symmetry() -> list[CheckResult]:
    from numeric.generated.activations import sigmoid

    z = grid(quick=True)
    with np.errstate(under="ignore"):
        stable, naive = sigmoid(-z), 1.0 - sigmoid(z)
    err_stable, err_naive, diff = np.empty(len(z)), np.empty(len(z)), 0.0
    for i, zi in enumerate(z):
        with mp.workdps(60 + int(abs(zi) / math.log(10))):      # 1 - sigma(z) keeps e^-z beside the 1
            exact = 1 - 1 / (1 + mp.exp(-mp.mpf(float(zi))))
            err_stable[i] = ulps(float(stable[i]), exact)
            err_naive[i] = ulps(float(naive[i]), exact)
    diff = float(np.max(np.abs(stable - naive)))
    k = int(np.argmax(err_naive))
    passed = float(err_stable.max()) <= _ULP_TOL and diff <= EPS
    return [_result(
        "soft-heaviside", "σ(−z) = 1 − σ(z), in ulps",
        "generated sigmoid(−z) vs 1 − σ(z) evaluated in mpmath (50 digits); and the float 1 − sigmoid(z)",
        f"grid of {len(z)} points $z \\in [-1000, 1000]$ (numeric.floats.grid(quick=True))",
        diff, float(err_stable.max()) * EPS, _ULP_TOL * EPS, passed,
        f"sigmoid(−z) within {err_stable.max():.3g} ulps of the exact 1 − σ(z) (tolerance {_ULP_TOL:g}); "
        f"the float 1 − sigmoid(z) agrees with sigmoid(−z) to {diff:.3g} absolute (≤ eps) but loses the "
        f"relative accuracy for large z: up to {err_naive[k]:.3g} ulps at z = {z[k]:.4g}, which is why the "
        f"identity is used to compute σ(−z), not 1 − σ(z)")]


#: which checks belong to which derivation (registered below, in this order)
CHECKS = {
    "threshold-units": (lecture_units, every_function_realised, one_unit_lp, xor_two_layers),
    "perceptron": (sklearn_equality, novikoff_bound, convergence),
    "soft-heaviside": (heaviside_rate, symmetry),
}

for _name, _fns in CHECKS.items():
    for _fn in _fns:
        register(_name)(_fn)
