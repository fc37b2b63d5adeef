"""The generated MLP and guiding example (R14–R17): shape check of the template, autograd, scikit-learn, saturation."""
import importlib
import warnings

import mpmath as mp
import numpy as np
import pytest
import sympy as sp
from autograd import grad
import autograd.numpy as anp

from derivations.codegen import HEADER, CodegenError, render_module
from derivations.codegen import network
from derivations.entrywise import Map
from derivations.functions import sigmoid, sigmoid_prime, softplus
from derivations.library.activations import networks

mlp = importlib.import_module("numeric.generated.mlp")
guiding = importlib.import_module("numeric.generated.guiding")
ACTIVATIONS = ("sigmoid", "tanh", "relu", "leaky_relu")

# ---- the shape check, against a copy of the contract's 'backprop' results ---------------------------------

p, q, r = sp.symbols("p q r", integer=True, positive=True)
W, V = sp.MatrixSymbol("W", p, q), sp.MatrixSymbol("V", q, r)
h, b, z = sp.MatrixSymbol("h", p, 1), sp.MatrixSymbol("b", q, 1), sp.MatrixSymbol("z", q, 1)
d_next, delta = sp.MatrixSymbol("d", r, 1), sp.MatrixSymbol("delta", q, 1)
s, y = sp.Symbol("s", real=True), sp.Symbol("y", real=True)
lam = sp.Symbol("lambda", nonnegative=True)


class _Results:
    """A derivation as codegen sees it: name, source, results, domains and LaTeX names."""

    def __init__(self, **override):
        self.name, self.source, self.names, self.domains = "backprop", "R15", {}, {y: frozenset({0, 1})}
        self.results = {"forward": Map(sigmoid, W.T * h + b), "loss_out": softplus((1 - 2 * y) * s),
                        "delta_out": sigmoid(s) - y, "delta": sp.HadamardProduct(V * d_next, Map(sigmoid_prime, z)),
                        "grad_W": h * delta.T, "grad_b": delta, "penalty_grad": 2 * lam * W}
        self.results.update(override)


def _mlp_spec():
    return networks()[0]


def test_shape_check_accepts_the_contract_results():
    network.check_shape(_mlp_spec(), _Results())


@pytest.mark.parametrize("wrong", [
    {"delta": V * d_next},                                                  # sigma' dropped
    {"delta": sp.HadamardProduct(V * d_next, Map(sigmoid, z))},             # sigma for sigma'
    {"grad_W": delta * h.T},                                                # transposed
    {"delta_out": y - sigmoid(s)},                                          # sign
    {"penalty_grad": lam * W},                                              # the squared norm's factor 2
])
def test_shape_check_rejects_a_wrong_result(wrong):
    with pytest.raises(CodegenError):
        network.check_shape(_mlp_spec(), _Results(**wrong))


def test_network_comparison_alone_rejects_a_wrong_recursion(monkeypatch):
    """With the comparison of results and template spelling switched off, SymPy's derivative still catches it."""
    monkeypatch.setattr(network, "_check_template", lambda *a: None)
    with pytest.raises(CodegenError, match="written-out loss"):
        network.check_shape(_mlp_spec(), _Results(delta=sp.HadamardProduct(V * d_next, Map(sigmoid, z))))


def test_generated_modules_are_up_to_date_deterministic_and_numpy_only():
    for module, gen in (("mlp", mlp), ("guiding", guiding)):
        text = render_module(module)     # determinism: test_generated, in a fresh interpreter
        assert text.startswith(HEADER)
        with open(gen.__file__, encoding="utf-8") as f:
            assert f.read() == text
        imports = [ln.strip() for ln in text.splitlines() if ln.strip().startswith(("import ", "from "))]
        assert imports == ["import numpy as np"]


# ---- against autograd: an independent network written here with autograd.numpy --------------------------

_AG = {"sigmoid": lambda u: 1 / (1 + anp.exp(-u)), "tanh": anp.tanh,
       "relu": lambda u: anp.maximum(u, 0.0), "leaky_relu": lambda u: anp.maximum(u, 0.1 * u)}


def _ag_loss(params, X, yy, activation, lam_):
    Ws, bs = params
    a = X
    for Wk, bk in zip(Ws[:-1], bs[:-1]):
        a = _AG[activation](anp.dot(a, Wk) + bk)
    logit = anp.dot(a, Ws[-1])[:, 0] + bs[-1][0]
    prob = 1 / (1 + anp.exp(-logit))
    return (-anp.mean(yy * anp.log(prob) + (1 - yy) * anp.log(1 - prob))
            + lam_ * sum(anp.sum(Wk ** 2) for Wk in Ws))


def _network(widths, seed, n=11):
    rng = np.random.default_rng(seed)
    Ws = [rng.normal(size=(a, c)) for a, c in zip(widths[:-1], widths[1:])]
    bs = [rng.normal(size=c) for c in widths[1:]]
    return Ws, bs, rng.normal(size=(n, widths[0])), (rng.random(n) < 0.5).astype(float)


@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("widths", [(3, 1), (4, 5, 3, 1)], ids=["depth1", "depth3"])
def test_value_and_grad_matches_autograd(activation, widths):
    Ws, bs, X, yy = _network(widths, seed=len(widths) + len(activation))
    loss, gW, gb = mlp.value_and_grad(Ws, bs, X, yy, activation, lam=0.3)
    want = _ag_loss((Ws, bs), X, yy, activation, 0.3)
    wW, wb = grad(_ag_loss)((Ws, bs), X, yy, activation, 0.3)
    assert loss == pytest.approx(want, rel=1e-13)
    for got, ref in zip(gW + gb, wW + wb):
        assert got.shape == ref.shape
        np.testing.assert_allclose(got, ref, rtol=1e-11, atol=1e-14)
    prob = mlp.forward(Ws, bs, X, activation)
    a = X
    for Wk, bk in zip(Ws[:-1], bs[:-1]):
        a = _AG[activation](a @ Wk + bk)
    np.testing.assert_allclose(prob, 1 / (1 + np.exp(-(a @ Ws[-1][:, 0] + bs[-1][0]))), rtol=1e-13)


def _ag_guiding(W1, W2, X, yy, lam_):
    hid = 1 / (1 + anp.exp(-anp.dot(X, W1)))
    prob = 1 / (1 + anp.exp(-anp.dot(hid, W2)))
    return (-anp.mean(yy * anp.log(prob) + (1 - yy) * anp.log(1 - prob))
            + lam_ * (anp.sqrt(anp.sum(W1 ** 2)) + anp.sqrt(anp.sum(W2 ** 2))))


def test_guiding_matches_autograd():
    rng = np.random.default_rng(5)
    W1, W2, X = rng.normal(size=(4, 3)), rng.normal(size=3), rng.normal(size=(9, 4))
    yy = (rng.random(9) < 0.5).astype(float)
    loss, dW1, dW2 = guiding.value_and_grad(W1, W2, X, yy, 0.2)
    assert loss == pytest.approx(_ag_guiding(W1, W2, X, yy, 0.2), rel=1e-13)
    np.testing.assert_allclose(dW1, grad(_ag_guiding, 0)(W1, W2, X, yy, 0.2), rtol=1e-11, atol=1e-15)
    np.testing.assert_allclose(dW2, grad(_ag_guiding, 1)(W1, W2, X, yy, 0.2), rtol=1e-11, atol=1e-15)


# ---- scikit-learn's MLPClassifier as an independent forward pass ---------------------------------------

_SKLEARN = {"sigmoid": "logistic", "tanh": "tanh", "relu": "relu"}   # leaky ReLU has no scikit-learn peer


@pytest.mark.parametrize("activation", sorted(_SKLEARN))
def test_forward_matches_sklearn_predict_proba(activation):
    from sklearn.neural_network import MLPClassifier

    Ws, bs, X, _ = _network((5, 7, 4, 1), seed=3, n=40)
    clf = MLPClassifier(hidden_layer_sizes=(7, 4), activation=_SKLEARN[activation])
    clf.coefs_, clf.intercepts_ = [w.copy() for w in Ws], [c.copy() for c in bs]
    clf.n_layers_, clf.n_outputs_, clf.out_activation_ = len(Ws) + 1, 1, "logistic"
    clf.classes_ = np.array([0, 1])
    clf.n_features_in_ = 5
    np.testing.assert_allclose(mlp.forward(Ws, bs, X, activation), clf.predict_proba(X)[:, 1], rtol=0, atol=1e-12)


# ---- saturated logits ---------------------------------------------------------------------------------

@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_saturated_logits_give_exact_losses_and_no_warning(activation):
    Ws = [np.array([[1.0]]), np.array([[800.0]])]
    bs = [np.array([2.0]), np.array([0.0])]
    X = np.array([[1.0], [1.0]])
    yy = np.array([0.0, 1.0])                  # one sample wrong by a logit of 800·f(3), one right
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(over="raise", divide="raise", invalid="raise"):   # underflow to 0 is correct rounding
            loss, gW, gb = mlp.value_and_grad(Ws, bs, X, yy, activation)
            prob = mlp.forward(Ws, bs, X, activation)
    act = {"sigmoid": lambda u: 1 / (1 + mp.exp(-u)), "tanh": mp.tanh, "relu": lambda u: max(u, 0),
           "leaky_relu": lambda u: max(u, u / 10)}[activation]
    with mp.workdps(50):
        logit = 800 * act(mp.mpf(3))
        want = (mp.log(1 + mp.exp(logit)) + mp.log(1 + mp.exp(-logit))) / 2
        want_delta = (1 / (1 + mp.exp(-logit)) - 1 / (1 + mp.exp(logit))) / 2    # (sigma(s) - 0 + sigma(s) - 1)/2
    assert loss == pytest.approx(float(want), rel=1e-15)
    assert np.all(np.isfinite(np.concatenate([g.ravel() for g in gW + gb])))
    assert gb[-1][0] == pytest.approx(float(want_delta), rel=1e-15)
    assert prob[0] == 1.0


def test_bad_shapes_and_activation_are_loud():
    Ws, bs, X, yy = _network((3, 2, 1), seed=1)
    with pytest.raises(ValueError, match="activation"):
        mlp.value_and_grad(Ws, bs, X, yy, "softsign")
    with pytest.raises(ValueError, match="biases"):
        mlp.value_and_grad(Ws, [bs[0][:1], bs[1]], X, yy)
    with pytest.raises(ValueError, match="y must"):
        mlp.value_and_grad(Ws, bs, X, yy[:-1])
