"""The issue's self-test: wrong gradients caught, correct ones passed, by the engine behind `deepderive check`."""
import autograd.numpy as anp
import numpy as np
import pytest

from deepderive.checkcmd import check
from numeric.gradcheck import check_gradient

ALL_FOUR = "disagrees with autograd, complex-step, Richardson, mpmath"

LOSS = "log(1 + exp(-y*(w*x + b)))"
GW, GB = "-x*y*sigmoid(-y*(w*x + b))", "-y*sigmoid(-y*(w*x + b))"


def _chain_text(L):
    """ŷ = σ(w_L σ(… σ(w_1 x))) and its gradient by hand: dŷ/dw_l = a_{l-1} σ'(z_l) Π_{k>l} w_k σ'(z_k)."""
    a = ["x"]
    for l in range(1, L + 1):
        a.append(f"sigmoid(w{l}*{a[-1]})")
    ds = {l: f"sigmoid(w{l}*{a[l - 1]})*(1 - sigmoid(w{l}*{a[l - 1]}))" for l in range(1, L + 1)}
    grads = [f"{a[l - 1]}*{ds[l]}" + "".join(f"*w{k}*{ds[k]}" for k in range(l + 1, L + 1)) for l in range(1, L + 1)]
    return a[-1], ",".join(f"w{l}" for l in range(1, L + 1)), grads


CHAIN, CHAIN_WRT, CHAIN_GRAD = _chain_text(6)

# name: (expression, wrt, --at, correct gradient, mutant)
CASES = {
    "sign flip": (LOSS, "w,b", [], [GW, GB], [f"-({GW})", f"-({GB})"]),
    "factor 2": (LOSS, "w,b", [], [GW, GB], [f"2*{GW}", GB]),
    "missing term": (LOSS + " + 0.5*lam*w**2", "w", [], [GW + " + lam*w"], [GW]),
    # xᵀAy with A = [[1, 2], [3, 4]]: the gradient in x is A y; Aᵀy is the classic slip.
    "transposed matrix": ("x1*(y1 + 2*y2) + x2*(3*y1 + 4*y2)", "x1,x2", [],
                          ["y1 + 2*y2", "3*y1 + 4*y2"], ["y1 + 3*y2", "2*y1 + 4*y2"]),
    "off-by-one layer": (CHAIN, CHAIN_WRT, ["x=0.7"], CHAIN_GRAD, CHAIN_GRAD[1:] + ["0"]),
    "wrong at 1e-20 scale": ("1e-20*sin(x)*y", "x,y", [], ["1e-20*cos(x)*y", "1e-20*sin(x)"],
                             ["2e-20*cos(x)*y", "1e-20*sin(x)"]),
    "ReLU kink": ("relu(x)", "x", ["x=0"], ["0"], ["2"]),
    "leaky ReLU kink": ("max(0.1*z, z)", "z", ["z=0"], ["0.1"], ["0.05"]),
}


@pytest.mark.parametrize("name", CASES)
def test_correct_gradient_passes(name):
    expr, wrt, at, good, _ = CASES[name]
    rec = check(expr, wrt, at=at, grads=good)
    assert rec["ok"], rec["verdict"]
    assert rec["verdict"].startswith("PASS:")


@pytest.mark.parametrize("name", CASES)
def test_mutant_is_caught(name):
    expr, wrt, at, _, bad = CASES[name]
    rec = check(expr, wrt, at=at, grads=bad)
    assert not rec["ok"], rec["verdict"]
    assert rec["verdict"].startswith("FAIL:")
    if rec["mode"] == "smooth":
        assert ALL_FOUR in rec["verdict"]  # each oracle on its own catches the mutant


def test_sympy_and_the_hand_written_chain_agree():
    # The derivative check runs on SymPy's own gradient when no --grad is given.
    rec = check(CHAIN, CHAIN_WRT, at=["x=0.7"])
    assert rec["ok"], rec["verdict"]
    assert rec["verdict"].startswith("PASS: gradient agrees with autograd, complex-step, Richardson, mpmath")


# --- depth: where plain central differences give up ---------------------------------------------

X0 = 0.7


def chain(w):
    a = X0
    for wl in w:
        a = 1.0 / (1.0 + anp.exp(-wl * a))
    return a


def backward(w):
    """The hand-written backward pass: store activations, then δ_l = δ_{l+1} σ'(z_{l+1}) w_{l+1}."""
    acts = [X0]
    for wl in w:
        acts.append(1.0 / (1.0 + np.exp(-wl * acts[-1])))
    g, delta = np.zeros(len(w)), 1.0
    for l in reversed(range(len(w))):
        dz = delta * acts[l + 1] * (1.0 - acts[l + 1])
        g[l], delta = dz * acts[l], dz * w[l]
    return g


def _weights(L):
    return np.random.default_rng(3).uniform(0.5, 1.5, L)


@pytest.mark.parametrize("L", [16, 32, 64])
def test_central_differences_fail_where_the_checker_passes(L):
    w = _weights(L)
    g = backward(w)
    h, eye = 1e-6, np.eye(L)
    central = np.array([(chain(w + h * eye[i]) - chain(w - h * eye[i])) / (2 * h) for i in range(L)])
    rel = np.abs(central - g) / np.abs(g)
    # dŷ/dw_1 is below ŷ's rounding step divided by h: the difference quotient is pure noise (here exactly 0).
    assert rel.max() >= 0.99
    res = check_gradient(chain, backward, w)
    assert res.passed, res.summary()
    assert res.oracles == {"autograd": "used", "complex-step": "used", "richardson": "used"}


def test_off_by_one_backward_pass_fails_at_depth_64():
    w = _weights(64)
    res = check_gradient(chain, lambda w: np.append(backward(w)[1:], 0.0), w)
    assert not res.passed and res.disagreeing.startswith("claim vs all oracles")


def test_complex_step_is_exact_in_every_component():
    # The reason the tiny early-layer gradients can be trusted at all: no subtraction, so no cancellation.
    w = _weights(64)
    g = backward(w)
    cs = np.array([np.imag(chain(w + 1e-200j * e)) / 1e-200 for e in np.eye(64)])
    assert np.abs(g).min() < 1e-40
    assert np.max(np.abs(cs - g) / np.abs(g)) < 1e-13


def test_a_wrong_first_layer_at_depth_64_is_caught_per_component():
    # The first layer's entry is ~1e-40 below the largest: scale alone would let a factor 2 pass;
    # autograd and complex-step agree on it to rounding, so it is checked against its own size.
    w = _weights(64)
    res = check_gradient(chain, lambda w: backward(w) * np.r_[2.0, np.ones(63)], w)
    assert not res.passed
    assert "index (0,)" in res.worst
