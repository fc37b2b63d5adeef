"""Issue #16, class 3 (wrong verdicts): derivatives generated in forms accurate in the tails (against mpmath),
gradient checks that work alike at every scale, messages that agree with their verdicts, and clear errors
for what check_gradient cannot judge."""
import math
import re
import warnings

import mpmath as mp
import numpy as np
import pytest
import sympy as sp

from derivations import codegen
from derivations.functions import sigmoid
from derivations.parse import parse_expression
from numeric import check_gradient
from numeric.floats import ulps

X = sp.Symbol("x", real=True)


def _generated(expr):
    """NumPy function of x for a SymPy expression, through the generator's stages as `deepderive check` runs
    them: the proved rewrites, each lowering a statement of its own, the block, the printer."""
    plan = codegen.scalars([codegen.rewrite(expr)], codegen.LOWERINGS, False)
    body, ret = codegen.assemble(plan, codegen.Block(plan.exprs, plan.names, kinks=False, defs=plan.defs))
    ns = {"np": np, "__builtins__": {}}
    exec(compile(codegen.function_source("g", ["x"], body, ret), "<generated>", "exec"), ns)  # our printer's text
    return ns["g"]


def _derivative(text):
    """d/dx of a formula as `deepderive check` derives it: parsed, rewritten (proved identities), differentiated."""
    return sp.diff(codegen.rewrite(parse_expression(text)), X)


# References: SymPy's own forms of each derivative, written in mpmath and evaluated at 50 digits plus the
# digits their cancellation costs (1 - tanh(ku)**2 = 4e^{-2k|u|} loses 0.87 * 2k|u| of them; past
# k|u| = 760 the value is below float64's range and the noise left is too).
def _sig(u):
    return 1 / (1 + mp.exp(-u))


def _tanh_prime(u):
    return 1 - mp.tanh(u) ** 2


def _reference(fn, u, k=1):
    a = abs(u)
    digits = 50 + int(1.74 * min(k * a, 760)) + (int(-math.log10(a)) + 1 if 0 < a < 1 else 0)
    with mp.workdps(digits):
        return +fn(mp.mpf(u))


_M = np.r_[np.linspace(20, 700, 35), 19.1, 40.0, 354.9, 360.0, 365.0, 372.9, 373.0, 400.0, 401.0, 699.9]
_S = np.logspace(-12, 0, 7)
_ALL = np.unique(np.r_[-_M, _M, -_S, _S, 0.0])
_POS = np.unique(np.r_[np.logspace(-300, 300, 13), _M, _S])

# (formula for `check`, mpmath derivative, argument scale k, grid, limits at -inf and +inf or None)
CHECKED = {
    "tanh(x)": (_tanh_prime, 1, _ALL, (0.0, 0.0)),
    "tanh(20*x)": (lambda u: 20 * _tanh_prime(20 * u), 20, _ALL, (0.0, 0.0)),
    "tanh(x)**2": (lambda u: 2 * mp.tanh(u) * _tanh_prime(u), 1, _ALL, (0.0, 0.0)),
    "sigmoid(x)*sigmoid(-x)": (lambda u: _sig(u) * (1 - _sig(u)) * (1 - 2 * _sig(u)), 1, _ALL, (0.0, 0.0)),
    "sigmoid(x)": (lambda u: _sig(u) * (1 - _sig(u)), 1, _ALL, (0.0, 0.0)),
    "softplus(x)": (_sig, 1, _ALL, (0.0, 1.0)),
    "log(1 + exp(x))": (_sig, 1, _ALL, (0.0, 1.0)),
    "log(sigmoid(x))": (lambda u: 1 - _sig(u), 1, _ALL, (1.0, 0.0)),
    "log(1 - sigmoid(x))": (lambda u: -_sig(u), 1, _ALL, (0.0, -1.0)),
    "exp(x)": (mp.exp, 1, _ALL[_ALL < 709], (0.0, None)),
    "sin(x)": (mp.cos, 1, _ALL, None),
    "cos(x)": (lambda u: -mp.sin(u), 1, _ALL, None),
    "log(x)": (lambda u: 1 / u, 1, _POS, (None, 0.0)),
    "sqrt(x)": (lambda u: 1 / (2 * mp.sqrt(u)), 1, _POS, (None, 0.0)),
    "log1p(x)": (lambda u: 1 / (1 + u), 1, np.r_[-1 + _S[:-1], _POS], (None, 0.0)),
}

# Forms a derivation (or SymPy) may hand the generator directly, each rewritten by a proved table entry.
RAW = {
    "1 - tanh(u)**2": (1 - sp.tanh(X) ** 2, _tanh_prime, (0.0, 0.0)),
    "tanh(u)**2 - 1": (sp.tanh(X) ** 2 - 1, lambda u: mp.tanh(u) ** 2 - 1, (0.0, 0.0)),
    "1/cosh(u)**2": (1 / sp.cosh(X) ** 2, lambda u: 1 / mp.cosh(u) ** 2, (0.0, 0.0)),
    "1 - 2 sigmoid(u)": (1 - 2 * sigmoid(X), lambda u: 1 - 2 * _sig(u), (1.0, -1.0)),
}

_RAISE = dict(over="raise", invalid="raise", divide="raise", under="ignore")  # underflow to 0 is the right value


def _worst_ulps(g, fn, grid, k):
    with np.errstate(**_RAISE):
        return max((ulps(float(g(np.float64(u))), _reference(fn, float(u), k)), float(u)) for u in grid)


def _limits(g, limits):
    for u, want in zip((-np.inf, np.inf), limits or ()):
        if want is not None:
            with np.errstate(**_RAISE):
                assert float(g(np.float64(u))) == want, (u, want)


@pytest.mark.parametrize("text", list(CHECKED))
def test_derivatives_of_known_functions_are_accurate_in_the_tails(text):
    fn, k, grid, limits = CHECKED[text]
    g = _generated(_derivative(text))
    worst, at = _worst_ulps(g, fn, grid, k)
    assert worst <= 4, f"d/dx {text}: {worst:.3g} ulps at x = {at}"
    _limits(g, limits)


@pytest.mark.parametrize("name", list(RAW))
def test_each_rewrite_is_accurate_in_the_tails(name):
    expr, fn, limits = RAW[name]
    assert not codegen.rewrite(expr).has(sp.cosh), "the rewrite must replace the form, not print it"
    g = _generated(expr)
    worst, at = _worst_ulps(g, fn, _ALL, 1)
    assert worst <= 4, f"{name}: {worst:.3g} ulps at u = {at}"
    _limits(g, limits)


def test_the_old_tanh_derivative_really_cancelled():
    """The test above can fail: SymPy's 1 - tanh(u)**2 printed as is loses every digit at u = 20."""
    worst, _ = max((ulps(1 - np.tanh(u) ** 2, _reference(_tanh_prime, u)), u) for u in (20.0, 40.0))
    assert worst > 1e6


# --- deepderive check on tanh: PASS on its own derivative, FAIL on a wrong one ---------------------

def _check(*args, **kw):
    from deepderive.checkcmd import check
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return check(*args, **kw)


def _rel_in_verdict(rec):
    return float(re.search(r"max rel err ([0-9.e+-]+)\)", rec["verdict"]).group(1))


@pytest.mark.parametrize("expr, at", [("tanh(20*x)", ()), ("tanh(w*x)", ("w=400",)),
                                      ("tanh(w*x)", ("w=400", "x=0.9"))])  # 0.9: tanh' = 3e-310, subnormal
def test_check_passes_tanh_on_its_own_derivative(expr, at):
    rec = _check(expr, "x", at=at)
    assert rec["ok"] and rec["verdict"].startswith("PASS"), rec["verdict"]
    assert _rel_in_verdict(rec) <= math.sqrt(np.finfo(float).eps)


def test_check_fails_a_wrong_tanh_derivative():
    rec = _check("tanh(20*x)", "x", grads=["-20*tanh(20*x)"])
    assert not rec["ok"] and rec["verdict"].startswith("FAIL"), rec["verdict"]


# --- check_gradient at every scale ----------------------------------------------------------------

def _functions(s):
    """(name, f, its gradient) for arguments of magnitude s: f finite there."""
    out = [("log", lambda x: np.sum(np.log(x)), lambda x: 1 / x),
           ("x log x", lambda x: np.sum(x * np.log(x)), lambda x: np.log(x) + 1),
           ("sqrt", lambda x: np.sum(np.sqrt(x)), lambda x: 0.5 / np.sqrt(x)),
           ("quadratic at scale s", lambda x: np.sum((x / s) ** 2) * s, lambda x: 2 * x / s),
           ("sin at scale s", lambda x: np.sum(np.sin(x / s)) * s, lambda x: np.cos(x / s))]
    if s < 1e150:  # x**2 overflows above
        out.append(("sum of squares", lambda x: np.sum(x ** 2), lambda x: 2 * x))
    return out


@pytest.mark.parametrize("e", [-300, -250, -200, -150, -100, -50, -20, 0, 20, 50, 100, 150, 200, 250, 300])
def test_check_gradient_is_scale_free(e):
    s = 10.0 ** e
    x = np.array([1.3, 2.7]) * s
    for name, f, g in _functions(s):
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            right = check_gradient(f, g, x)
            flipped = check_gradient(f, lambda x: -g(x), x)
        assert right.passed, f"{name} at {s:g}: {right.summary()}"
        assert not flipped.passed, f"{name} at {s:g}: a sign flip passed: {flipped.summary()}"


def test_the_issue_example_passes():
    r = check_gradient(lambda x: sum(x ** 2), lambda x: 2 * x, np.array([1e-200, 1e-200]))
    assert r.passed, r.summary()


def test_a_steep_function_whose_complex_step_underflows():
    """tanh(400 x) at x = 0.55: h f' = 1e-200 * 7e-188 underflows; the larger step still sees it."""
    f = lambda x: np.tanh(400 * x)  # noqa: E731
    g = lambda x: 400 / np.cosh(400 * x) ** 2  # noqa: E731
    r = check_gradient(f, g, 0.5478467492858172)
    assert r.passed and r.oracles["complex-step"] == "used", r.summary()
    assert r.values["complex-step"] == pytest.approx(r.values["claim"], rel=1e-12)


# --- the message agrees with the verdict ------------------------------------------------------------

@pytest.mark.parametrize("f, g, x", [
    (lambda x: 1 + 1e-30 * x, lambda x: 1e-30, 0.5),          # Richardson returns 0 (f flat at its resolution)
    (lambda x: 1 + 1e-30 * x, lambda x: -1e-30, 0.5),
    (lambda x: np.sum(x ** 2), lambda x: 2 * x, np.array([1e-200, 3e-200])),
    (lambda x: np.sum(x ** 3), lambda x: 2 * x ** 2, np.array([0.5, 1.5])),   # wrong
    (lambda x: np.maximum(x, 0.0), lambda x: 0.0, 0.0),      # a kink: the Clarke test decides
    (lambda x: np.maximum(x, 0.0), lambda x: 2.0, 0.0),
])
def test_max_rel_err_agrees_with_the_verdict(f, g, x):
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        r = check_gradient(f, g, x)
    assert r.passed == (r.max_rel_err <= r.tolerance), r.summary()
    assert f"[{'PASS' if r.passed else 'FAIL'}]" in r.summary()


@pytest.mark.parametrize("expr, at", [("1 + 1e-30*x", ()), ("tanh(x)**2", ("x=30",))])
def test_check_pass_lines_print_an_error_within_tolerance(expr, at):
    rec = _check(expr, "x", at=at)
    assert rec["ok"], rec["verdict"]
    assert _rel_in_verdict(rec) <= math.sqrt(np.finfo(float).eps), rec["verdict"]
    gc = rec["checks"]["gradcheck"]
    assert gc["max_rel_err"] <= gc["tolerance"]


# --- what check_gradient cannot judge: clear errors --------------------------------------------------

def _sq(x):
    return np.sum(x ** 2)


@pytest.mark.parametrize("call, error, words", [
    (lambda: check_gradient(_sq, lambda x: 2 * x, 1.0, wrt=5), ValueError, "wrt=5 is out of range"),
    (lambda: check_gradient(_sq, lambda x: 2 * x, 1.0, wrt=-1), ValueError, "out of range"),
    (lambda: check_gradient(lambda x, y: x * y, lambda x, y: (y, x), 1.0, 2.0, wrt=(0, 0)), ValueError, "twice"),
    (lambda: check_gradient(_sq, lambda x: 2 * x, 1.0, wrt="x"), TypeError, "indices"),
    (lambda: check_gradient(lambda x: x ** 2, lambda x: 2 * x, np.array([1.0, 2.0])), ValueError,
     "shape (2,), not a scalar"),
    (lambda: check_gradient(lambda x: _sq(x) * (1 + 1j), lambda x: 2 * x, np.array([1.0, 2.0])), TypeError,
     "complex value"),
    (lambda: check_gradient(_sq, lambda x: 2 * x, np.array([1.0 + 1j]), wrt=0), TypeError, "is complex"),
    (lambda: check_gradient(_sq, lambda x: 2 * x + 0j, np.array([1.0, 2.0])), TypeError, "complex"),
    (lambda: check_gradient(_sq, lambda x: 2 * x, [1e-200, 1e-200]), ValueError, "pass np.array"),
])
def test_what_cannot_be_checked_is_a_clear_error(call, error, words):
    with pytest.raises(error, match=re.escape(words)):
        call()
