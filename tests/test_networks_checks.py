"""Forward/reverse-mode Jacobians (numeric.jacobian) and the networks chapter's registered checks."""
import numpy as np
import pytest

import autograd
import autograd.numpy as anp

from numeric import checks
from numeric import jacobian as J
from numeric.checks import networks as N


def _autograd_f(net):
    def f(x):
        h = x
        for W, b in zip(net.weights[:-1], net.biases[:-1]):
            h = anp.tanh(anp.dot(h, W) + b)
        return anp.dot(h, net.weights[-1]) + net.biases[-1]
    return f


# ---- numeric.jacobian ----------------------------------------------------------------------------

@pytest.mark.parametrize("widths", [(3, 7, 5), (1, 6, 6, 4), (9, 8, 1), (5, 4, 4, 4, 5)])
def test_both_modes_equal_autograd_and_complex_step(widths):
    net = J.Network(widths, seed=3)
    x = net.point(seed=4)
    fwd, rev, ops = J.network_jacobians(net, x)
    ref = np.asarray(autograd.jacobian(_autograd_f(net))(x))
    cs = J.complex_step_jacobian(net.evaluate, x)
    assert fwd.J.shape == rev.J.shape == (net.m, net.n)
    scale = np.max(np.abs(ref))
    for got in (fwd.J, rev.J, cs):
        assert np.max(np.abs(got - ref)) <= 1e-14 * scale
    assert (fwd.mode, fwd.sweeps, rev.mode, rev.sweeps) == ("forward", net.n, "reverse", net.m)
    # each sweep repeats the products once: ~2 evaluations' worth of multiply-adds
    assert 1.5 * net.n * ops["eval"] <= ops["forward"] <= 3 * net.n * ops["eval"]
    assert 1.5 * net.m * ops["eval"] <= ops["reverse"] <= 3 * net.m * ops["eval"]


def test_sweeps_are_counted_calls_not_assumed():
    calls = []
    A = np.arange(12.0).reshape(3, 4)         # f(x) = A x: J = A, n = 4, m = 3

    def jvp(v):
        calls.append("jvp")
        return A @ v

    def vjp(u):
        calls.append("vjp")
        return u @ A
    fwd = J.forward_jacobian(jvp, 4)
    rev = J.reverse_jacobian(vjp, 3)
    assert np.array_equal(fwd.J, A) and np.array_equal(rev.J, A)
    assert (fwd.sweeps, rev.sweeps) == (calls.count("jvp"), calls.count("vjp")) == (4, 3)


def test_autograd_sweeps_forward_and_reverse():
    net = J.Network((6, 10, 3), seed=1)
    x = net.point()
    f = _autograd_f(net)
    jvp, vjp = J.autograd_sweeps(f, x)
    a, b = J.forward_jacobian(jvp, 6), J.reverse_jacobian(vjp, 3)
    ref = J.complex_step_jacobian(net.evaluate, x)
    assert (a.sweeps, b.sweeps) == (6, 3)
    assert np.max(np.abs(a.J - ref)) <= 1e-14 * np.max(np.abs(ref))
    assert np.max(np.abs(b.J - ref)) <= 1e-14 * np.max(np.abs(ref))


def test_sweep_costs_report_positive_times():
    net = J.Network((4, 16, 2))
    c = J.sweep_costs(net, net.point(), repeats=1, target=1e-4)
    assert set(c["seconds"]) == {"eval", "jvp", "vjp"} and all(t > 0 for t in c["seconds"].values())
    assert c["c_forward"] > 0 and c["c_reverse"] > 0


def test_forward_vs_reverse_counts():
    rows = N.fvr_counts()
    assert [(r["n"], r["m"]) for r in rows] == N.fvr_grid()
    for r in rows:
        assert (r["sweeps_forward"], r["sweeps_reverse"], r["autograd_sweeps"]) == (r["n"], r["m"], (r["n"], r["m"]))
        assert max(r["err"].values()) <= 1e-13


# ---- the independent references the checks use ----------------------------------------------------

def test_reference_loss_is_the_textbook_loss():
    """At moderate logits the stable reference equals the naive mean BCE of sigma(s), plus the penalty."""
    X, y, _ = N._grad_data()
    W, b = N.initial_weights((X.shape[1], 5, 1), seed=2)
    for act in N.ACTIVATIONS:
        h = X @ W[0] + b[0]
        h = {"sigmoid": 1 / (1 + np.exp(-h)), "tanh": np.tanh(h), "relu": np.maximum(h, 0),
             "leaky_relu": np.where(h > 0, h, 0.1 * h)}[act]
        p = 1 / (1 + np.exp(-(h @ W[1][:, 0] + b[1][0])))
        naive = -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)) + 0.3 * (np.sum(W[0] ** 2) + np.sum(W[1] ** 2))
        assert N.reference_loss(W, b, X, y, act, 0.3) == pytest.approx(naive, rel=1e-13)


def test_away_from_kinks_keeps_relu_units_off_zero():
    X, _, _ = N._grad_data()
    for act in ("relu", "leaky_relu"):
        widths = (X.shape[1], 5, 5, 5, 1)
        for _, W, b in N._points(widths, act, X):
            kink, _ = N._hidden_stats(W, b, X, act)
            assert kink > 1e-3


# ---- the checks fail on a wrong gradient (tests/test_checks.py runs every registered check) ---------

def _backprop_without_sigma_prime(W, b, X, y, activation="sigmoid", lam=0.0):
    """The issue's false variant: delta_k = W_k+1 delta_k+1, the sigma'(z_k) factor dropped."""
    hs = [X]
    for Wk, bk in zip(W[:-1], b[:-1]):
        hs.append(1 / (1 + np.exp(-(hs[-1] @ Wk + bk))))
    s = hs[-1] @ W[-1][:, 0] + b[-1][0]
    d = ((1 / (1 + np.exp(-s)) - y) / len(y))[:, None]
    gW, gb = [None] * len(W), [None] * len(W)
    for k in range(len(W) - 1, -1, -1):
        gW[k], gb[k] = hs[k].T @ d + 2 * lam * W[k], d.sum(axis=0)
        d = d @ W[k].T
    return N.reference_loss(W, b, X, y, activation, lam), gW, gb


@pytest.mark.parametrize("wrong", ["no sigma prime", "1e-9 relative"])
def test_gradient_checks_fail_on_a_wrong_gradient(monkeypatch, wrong):
    from numeric.generated import mlp

    right = mlp.value_and_grad

    def off_by_a_little(*args, **kw):
        loss, gW, gb = right(*args, **kw)
        return loss, [gW[0] * (1 + 1e-9)] + list(gW[1:]), gb

    monkeypatch.setattr(mlp, "value_and_grad",
                        _backprop_without_sigma_prime if wrong == "no sigma prime" else off_by_a_little)
    case = next(c for c in N.gradient_cases() if c[0] == "sigmoid" and c[1] == 3 and c[2] == "moderate")
    exact, by_check_gradient = N.gradient_vs_references(*case)
    assert not exact.passed                                   # autograd and complex step, tolerance 1e-12
    assert by_check_gradient.passed == (wrong == "1e-9 relative")   # sqrt(eps) tolerance: O(1) errors only


def test_sklearn_forward_and_one_trajectory():
    fwd = N.sklearn_forward()
    assert len(fwd) == 2 * len(N.SKLEARN_ACTIVATION) and all(r.passed for r in fwd)
    widths, ours, theirs, losses, sk = N.trajectories("relu", steps=10)
    assert ours.shape == theirs.shape == (11, N.flatten(*N.initial_weights(widths)).size)
    assert np.max(np.abs(ours - theirs)) <= N.TRAJ_TOL * np.max(np.abs(theirs))
    assert not np.allclose(ours[0], ours[-1])                  # the weights did move
    assert np.max(np.abs(losses - sk) / sk) <= 1e-12


@pytest.mark.parametrize("name", ["backprop", "forward-vs-reverse"])
def test_registered(name):
    from derivations.registry import names

    if name not in names():
        pytest.fail(f"derivation {name!r} is not registered yet, so its checks are not either")
    assert checks.for_derivation(name)


def test_sweep_cost_figure_is_deterministic(tmp_path):
    """It draws counted operations, never times: two renders give the same bytes and caption."""
    from deepderive.report.figures import figures_for

    (spec,) = [f for f in figures_for("forward-vs-reverse") if f.name == "sweep-costs"]
    a, b = tmp_path / "a.pdf", tmp_path / "b.pdf"
    assert spec.fn(str(a)) == spec.fn(str(b))
    assert a.read_bytes() == b.read_bytes()
