"""Tests for the registered numeric checks and numeric.optim; expected values come from closed-form math."""
import importlib
import pkgutil
import types

import numpy as np
import pytest
from test_detail_text import assert_fields_read_as_maths, assert_reads_as_maths

import derivations
import numeric.generated
from numeric import checks
from numeric.optim import OptimResult, gradient_descent, inverse_time, pack, sgd, unpack

NAMES = [n for n in derivations.names() if checks.for_derivation(n)]
# Derivations whose closed forms are generated but have no registered check yet, and where they are
# tested instead. The test below keeps this list exact, so it can only shrink.
WITHOUT_CHECKS: dict = {}


def _generated_from() -> set:
    """Every derivation named in a generated module's DERIVED_FROM."""
    out = set()
    for info in pkgutil.iter_modules(numeric.generated.__path__):
        mod = importlib.import_module(f"numeric.generated.{info.name}")
        out |= set(getattr(mod, "DERIVED_FROM", {}).values())
    return out


def test_every_derivation_with_generated_code_has_checks():
    lacking = {n for n in _generated_from() if not checks.for_derivation(n)}
    assert lacking == set(WITHOUT_CHECKS), f"no registered checks for {sorted(lacking)}"


@pytest.mark.parametrize("name", NAMES)
def test_registered_checks_pass(name):
    results = checks.run(name)
    assert results, f"no checks registered for {name}"
    for r in results:
        assert r.derivation == name
        assert r.compared and r.data and r.name
        assert np.isfinite(r.max_abs_err) and np.isfinite(r.max_rel_err) and r.tolerance > 0
        assert_reads_as_maths(r.detail)     # the report shows it: maths as $...$, never ASCII pseudo-maths
        assert_fields_read_as_maths(r)      # and its name, data and what it compared
    failed = [f"{r.name}: {r.detail}" for r in results if not r.passed]
    assert not failed, "\n".join(failed)


# --- the checks can fail --------------------------------------------------------------------

def _failed_names(name):
    return [r.name for r in checks.run(name) if not r.passed]


def test_gradient_checks_fail_on_a_gradient_off_by_factor_2(monkeypatch):
    from numeric.generated import logistic as L

    good = L.cross_entropy_grad
    monkeypatch.setattr(L, "cross_entropy_grad", lambda w, b, X, y: tuple(2 * g for g in good(w, b, X, y)))
    failed = _failed_names("logistic-gradient")
    assert any("vs autograd" in n for n in failed)
    assert any("vs finite differences" in n and "hessian" not in n for n in failed)


def test_sigmoid_check_fails_on_a_few_ulps_too_many(monkeypatch):
    from numeric.generated import activations as A

    good = A.sigmoid_prime
    # 1e-14 relative is ~45 ulps: a formula that is merely less careful, not wrong, must still fail.
    monkeypatch.setattr(A, "sigmoid_prime", lambda z: good(z) * (1 + 1e-14))
    check, = [fn for fn in checks.for_derivation("sigmoid") if fn.__name__ == "against_mpmath[sigmoid_prime]"]
    r, = check()
    assert r.name == "sigmoid_prime vs mpmath (50 digits)" and not r.passed


# --- the activations' table ---------------------------------------------------------------------

def test_every_generated_activation_has_one_reference_row():
    from numeric.checks.activations import REFERENCES
    from numeric.generated import activations as A

    assert set(REFERENCES) == set(A.__all__)
    for name, ref in REFERENCES.items():
        assert ref.derivative_of is None or ref.derivative_of in A.__all__, name


def test_a_generated_activation_without_a_reference_fails(monkeypatch):
    from numeric.checks import activations as C

    monkeypatch.delitem(C.REFERENCES, "softplus")
    r = C.against_mpmath("sigmoid", "softplus")
    assert not r.passed and "add a row to REFERENCES" in r.detail


def _flipped(z):
    return sigmoid(-z)          # noqa: F821 (a global of numeric.generated.activations)


def _flipped_prime(z):
    return -sigmoid_prime(z)    # noqa: F821


def _flipped_prime_wrong_sign(z):
    return sigmoid_prime(z)     # noqa: F821


@pytest.mark.slow
@pytest.mark.parametrize("prime, passes", [(_flipped_prime, True), (_flipped_prime_wrong_sign, False)],
                         ids=["right", "wrong-sign"])
def test_a_new_activation_needs_one_table_row(monkeypatch, prime, passes):
    # As a new generated activation would arrive: functions in numeric.generated.activations, named in
    # its __all__ and DERIVED_FROM, plus one REFERENCES row each. sigma(-z) stands in for it (its
    # derivative is -sigma'(z), checked against mpmath's exp(x)/(1 + exp(x))^2 with the sign by hand).
    import mpmath as mp

    from numeric.checks import activations as C
    from numeric.generated import activations as A

    for name, fn in (("flipped", _flipped), ("flipped_prime", prime)):
        # Compiled in the generated module's namespace, as codegen would write them there.
        monkeypatch.setattr(A, name, types.FunctionType(fn.__code__, vars(A), name), raising=False)
    monkeypatch.setattr(A, "__all__", [*A.__all__, "flipped", "flipped_prime"])
    monkeypatch.setattr(A, "DERIVED_FROM", {**A.DERIVED_FROM, "flipped": "sigmoid", "flipped_prime": "sigmoid"})
    monkeypatch.setitem(C.REFERENCES, "flipped", C.Reference(lambda x: 1 / (1 + mp.exp(x))))
    monkeypatch.setitem(C.REFERENCES, "flipped_prime",
                        C.Reference(lambda x: -mp.exp(x) / (1 + mp.exp(x)) ** 2, derivative_of="flipped"))
    checks._load()
    monkeypatch.setattr(checks, "_CHECKS", {})
    C._register_table()

    fns = {fn.__name__: fn for fn in checks.for_derivation("sigmoid") if "flipped" in fn.__name__}
    assert set(fns) == {"against_mpmath[flipped]", "against_mpmath[flipped_prime]",
                        "derivative_vs_autograd[flipped_prime]"}
    if passes:                  # the function itself is the same in both cases: judge it once
        r, = fns["against_mpmath[flipped]"]()
        assert r.name == "flipped vs mpmath (50 digits)" and r.passed, r.detail
    results = {r.name: r for key in ("against_mpmath[flipped_prime]", "derivative_vs_autograd[flipped_prime]")
               for r in fns[key]()}
    for name in ("flipped_prime vs mpmath (50 digits)", "flipped_prime vs autograd of flipped"):
        assert results[name].passed is passes, results[name].detail
        assert results[name].derivation == "sigmoid"


def test_lda_check_fails_with_the_unbiased_covariance(monkeypatch):
    from numeric.generated import lda as G
    from numeric.data import iris_two_class

    good = G.lda_posterior
    n = len(iris_two_class().y)
    # Dividing the scatter by N - 2 instead of N rescales w and changes every posterior.
    monkeypatch.setattr(G, "lda_posterior", lambda X, m0, m1, S, pi: good(X, m0, m1, S * n / (n - 2), pi))
    assert "lda_posterior vs Bayes' rule (iris)" in _failed_names("lda-posterior")


def test_gd_with_a_wrong_gradient_stalls_away_from_sklearn():
    from numeric.checks.logistic import _problem, _training
    from numeric.generated import logistic as L

    X, y, th_sk, _, _ = _training()
    N, p = X.shape
    loss, grad, _, _ = _problem(X, y)
    Xt = np.c_[X, np.ones(N)]
    Lip = 0.25 * np.linalg.eigvalsh(Xt.T @ Xt).max() / N

    def wrong(th):
        # Factor 2 on the model term: X~^T (2 sigma(z) - y) / N vanishes where mean fits y/2, not y.
        z = Xt @ th
        return Xt.T @ (2 / (1 + np.exp(-z)) - y) / N

    r = gradient_descent(wrong, np.zeros(p + 1), lr=1 / (2 * Lip), steps=20_000, tol=1e-10)
    assert r.converged
    assert (loss(r.theta) - loss(th_sk)) / loss(th_sk) > 0.1
    assert np.linalg.norm(r.theta - th_sk) > 1.0

    # An overall factor 2 keeps the stationary point: GD alone cannot see it, the gradient check does.
    r2 = gradient_descent(lambda th: 2 * grad(th), np.zeros(p + 1), lr=1 / (2 * Lip), steps=20_000, tol=1e-12)
    assert np.linalg.norm(r2.theta - th_sk) < 1e-6
    from numeric.gradcheck import check_gradient

    gc = check_gradient(L.cross_entropy, lambda *a: tuple(2 * g for g in L.cross_entropy_grad(*a)),
                        th_sk[:-1], th_sk[-1], X, y, wrt=(0, 1))
    assert not gc.passed


# --- numeric.optim on quadratics ------------------------------------------------------------

def _spd(eigs, seed=0):
    Q, _ = np.linalg.qr(np.random.default_rng(seed).standard_normal((len(eigs), len(eigs))))
    return Q @ np.diag(eigs) @ Q.T, Q


EIGS = np.array([1.0, 2.0, 5.0, 10.0])


def test_gd_on_quadratic_matches_closed_form():
    A, Q = _spd(EIGS)
    theta0 = np.array([1.0, -2.0, 0.5, 3.0])
    lr, k = 0.15, 40
    r = gradient_descent(lambda th: A @ th, theta0, lr=lr, steps=k, loss=lambda th: 0.5 * th @ A @ th)
    # theta_k = (I - lr A)^k theta0 = Q diag((1 - lr lambda)^k) Q^T theta0.
    expect = Q @ ((1 - lr * EIGS) ** k * (Q.T @ theta0))
    assert isinstance(r, OptimResult) and r.steps == k and len(r.losses) == k + 1
    np.testing.assert_allclose(r.theta, expect, rtol=1e-12, atol=1e-15)
    assert np.all(np.diff(r.losses) <= 0)


def test_gd_converges_to_zero_with_tol():
    A, _ = _spd(EIGS)
    r = gradient_descent(lambda th: A @ th, np.ones(4), lr=1 / EIGS.max(), steps=10_000, tol=1e-12)
    assert r.converged
    # Contraction 1 - lambda_min/lambda_max = 0.9 per step: about ln(1e12)/0.105 ~ 265 steps.
    assert r.steps < 300
    assert np.max(np.abs(A @ r.theta)) <= 1e-12
    assert np.linalg.norm(r.theta) <= 1e-12 / EIGS.min() * 2


def test_gd_diverges_when_lr_exceeds_2_over_lambda_max():
    A, Q = _spd(EIGS)
    top = Q[:, -1]
    k = 50
    bad = gradient_descent(lambda th: A @ th, top, lr=2.1 / EIGS.max(), steps=k)
    # Along the top eigenvector each step multiplies by 1 - lr lambda_max = -1.1.
    np.testing.assert_allclose(np.linalg.norm(bad.theta), 1.1 ** k, rtol=1e-10)
    good = gradient_descent(lambda th: A @ th, top, lr=1.9 / EIGS.max(), steps=k)
    assert np.linalg.norm(good.theta) <= 0.9 ** k * 1.0000001


def test_gd_stops_on_non_finite():
    r = gradient_descent(lambda th: np.array([np.inf]), np.array([1.0]), lr=1.0, steps=10)
    assert not r.converged and r.steps == 1


def _noisy_quadratic(n=64, seed=1):
    # f_i(theta) = 1/2 (theta - c_i)^T A (theta - c_i) with mean(c_i) = 0: the mean is minimised at 0.
    A, _ = _spd(EIGS)
    c = np.random.default_rng(seed).standard_normal((n, 4))
    c -= c.mean(axis=0)
    return A, c


def test_sgd_epochs_visit_every_row_once_in_a_seeded_order():
    A, c = _noisy_quadratic(n=10)
    seen = []

    def gb(th, idx):
        seen.append(np.array(idx))
        return A @ (th - c[idx].mean(axis=0))

    r = sgd(gb, np.zeros(4), 10, lr=0.01, epochs=3, batch_size=4, seed=7)
    assert r.steps == 3 * 3 and [len(s) for s in seen] == [4, 4, 2] * 3
    for e in range(3):
        assert sorted(np.concatenate(seen[3 * e:3 * e + 3]).tolist()) == list(range(10))
    rng = np.random.default_rng(7)
    assert np.array_equal(np.concatenate(seen[:3]), rng.permutation(10))
    again = sgd(gb, np.zeros(4), 10, lr=0.01, epochs=3, batch_size=4, seed=7)
    assert np.array_equal(r.theta, again.theta)
    other = sgd(gb, np.zeros(4), 10, lr=0.01, epochs=3, batch_size=4, seed=8)
    assert not np.array_equal(r.theta, other.theta)


def test_sgd_full_batch_constant_step_is_gd():
    A, c = _noisy_quadratic()
    n = len(c)
    r = sgd(lambda th, idx: A @ (th - c[idx].mean(axis=0)), np.ones(4), n, lr=0.05, epochs=30, batch_size=n)
    g = gradient_descent(lambda th: A @ th, np.ones(4), lr=0.05, steps=30)
    np.testing.assert_allclose(r.theta, g.theta, rtol=1e-12, atol=1e-15)


def test_sgd_with_decreasing_step_and_averaging_approaches_the_minimiser():
    A, c = _noisy_quadratic()
    n = len(c)
    f = lambda th: 0.5 * th @ A @ th + 0.5 * np.mean(np.einsum("ij,jk,ik->i", c, A, c))
    gb = lambda th, idx: A @ (th - c[idx].mean(axis=0))
    theta0 = np.full(4, 3.0)
    plain = sgd(gb, theta0, n, lr=0.05, epochs=50, seed=0, loss=f)
    avg = sgd(gb, theta0, n, lr=0.05, epochs=50, seed=0, loss=f, schedule=inverse_time(200), average=True,
              average_from=n)
    assert len(avg.losses) == 51 and avg.converged
    # Constant step leaves noise of size ~ sqrt(lr) around 0; decay + averaging removes most of it.
    assert np.linalg.norm(avg.theta) < 0.05
    assert np.linalg.norm(avg.theta) < np.linalg.norm(plain.theta)
    assert avg.losses[-1] < avg.losses[0]


def test_pack_unpack_roundtrip():
    w, b = np.array([1.0, -2.0, 3.5]), 0.25
    th = pack(w, b)
    assert th.shape == (4,) and th[-1] == b
    w2, b2 = unpack(th)
    assert np.array_equal(w2, w) and b2 == b
    assert inverse_time(10)(0) == 1.0 and inverse_time(10)(10) == 0.5
