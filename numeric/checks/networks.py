"""Checks of the networks chapter: MLP and guiding-example gradients, scikit-learn's MLP, forward vs reverse mode."""
from __future__ import annotations

import math
import warnings
from functools import lru_cache

import numpy as np

from . import register
from .result import CheckResult, gradient_check_text, result as _result, tex_num
from ..data import breast_cancer

ACTIVATIONS = ("sigmoid", "tanh", "relu", "leaky_relu")
DEPTHS = (1, 3, 8)
LEAKY_SLOPE = 0.1            # the lecture's alpha for leaky ReLU (R20)
#: scikit-learn's name for each hidden activation it has (it has no leaky ReLU).
SKLEARN_ACTIVATION = {"sigmoid": "logistic", "tanh": "tanh", "relu": "relu"}

GRAD_FEATURES = (0, 1, 4, 7)      # mean radius, texture, smoothness, concave points
GRAD_ROWS = 64                    # a fixed sample of rows keeps every gradient check fast
HIDDEN = 5                        # width of every hidden layer in the gradient checks
LAM = 1e-3
CG_FULL, CG_DIRECTIONS = 12, 6   # check_gradient: biases coordinate by coordinate, weights along directions

TRAJ_STEPS, TRAJ_LR, TRAJ_HIDDEN, TRAJ_LAM, TRAJ_TOL = 50, 0.5, (8, 8), 1e-3, 1e-10


@lru_cache(maxsize=1)
def _grad_data():
    """A fixed sample of breast-cancer rows (seed 0) on four standardised features."""
    d = breast_cancer()
    rows = np.sort(np.random.default_rng(0).choice(len(d.y), GRAD_ROWS, replace=False))
    X = d.X[np.ix_(rows, list(GRAD_FEATURES))]
    return X, d.y[rows], f"breast cancer, {GRAD_ROWS} rows (seed 0), standardised features {list(GRAD_FEATURES)}"


# ---- an independent reference: the textbook MLP loss, for NumPy or autograd.numpy, complex-safe ---

def _sigmoid(z, np_):
    """σ(z) with exp never overflowing (also for complex z: the branch is chosen on the real part,
    and both branches stay finite, so autograd's where passes no inf·0 back)."""
    pos = np_.real(z) >= 0
    e = np_.exp(np_.where(pos, -z, z))
    return np_.where(pos, 1.0 / (1.0 + e), e / (1.0 + e))


#: hidden activations of the reference network, written from their definitions (R6, R20).
REFERENCE_ACTIVATIONS = {
    "sigmoid": _sigmoid,
    "tanh": lambda z, np_: np_.tanh(z),
    "relu": lambda z, np_: np_.where(np_.real(z) > 0, z, 0.0 * z),
    "leaky_relu": lambda z, np_: np_.where(np_.real(z) > 0, z, LEAKY_SLOPE * z),
}


def _softplus(s, np_):
    """log(1 + e^s) = max(s, 0) + log1p(e^{−|s|}), the |s| chosen on the real part (complex-safe)."""
    pos = np_.real(s) > 0
    return np_.where(pos, s, 0.0 * s) + np_.log1p(np_.exp(np_.where(pos, -s, s)))


def reference_logit(weights, biases, X, activation, np_=np):
    h = X
    act = REFERENCE_ACTIVATIONS[activation]
    for W, b in zip(weights[:-1], biases[:-1]):
        h = act(np_.dot(h, W) + b, np_)
    return np_.dot(h, weights[-1])[:, 0] + biases[-1][0]


def _cross_entropy(s, y, np_):
    """−y log σ(s) − (1 − y) log(1 − σ(s)) = y softplus(−s) + (1 − y) softplus(s), row by row.

    Not softplus(s) − y s: for y = 1 and large s its derivative σ(s) − 1 rounds to 0 (in autograd and in
    the complex step alike), while the true value −σ(−s) is tiny but not 0."""
    return y * _softplus(-s, np_) + (1 - y) * _softplus(s, np_)


def reference_loss(weights, biases, X, y, activation, lam, np_=np):
    """Mean binary cross-entropy of σ(s) against y plus lam Σ‖W_k‖²_F, from the definitions."""
    s = reference_logit(weights, biases, X, activation, np_)
    penalty = sum(np_.sum(W * W) for W in weights)
    return np_.mean(_cross_entropy(s, y, np_)) + lam * penalty


def _shapes(widths):
    return [(p, q) for p, q in zip(widths, widths[1:])], [(q,) for q in widths[1:]]


def flatten(weights, biases) -> np.ndarray:
    return np.concatenate([np.ravel(a) for a in list(weights) + list(biases)])


def unflatten(theta, widths):
    """θ → (weights, biases), weights first, in layer order (works on autograd boxes too)."""
    ws, bs = _shapes(widths)
    out, at = [], 0
    for shape in ws + bs:
        size = int(np.prod(shape))
        out.append(theta[at:at + size].reshape(shape))
        at += size
    return out[:len(ws)], out[len(ws):]


def _reference_theta_loss(widths, X, y, activation, lam):
    import autograd.numpy as anp

    def f(theta):
        W, b = unflatten(theta, widths)
        return reference_loss(W, b, X, y, activation, lam, anp)
    return f


def initial_weights(widths, seed=0, scale=1.0):
    """Glorot-normal weights (Var = 2/(q_in + q_out)) and small biases, from default_rng(seed)."""
    rng = np.random.default_rng(seed)
    W = [scale * rng.standard_normal((p, q)) * math.sqrt(2.0 / (p + q)) for p, q in zip(widths, widths[1:])]
    b = [0.1 * rng.standard_normal(q) for q in widths[1:]]
    return W, b


def _away_from_kinks(W, b, X, activation):
    """For ReLU-family networks: shift each hidden unit's bias so that 0 sits in the middle of the widest
    gap between that unit's pre-activations over the rows, layer by layer. Every |z| is then at least
    half that gap, so the finite-difference steps of check_gradient do not cross a kink: the point is
    one where the loss is smooth, which is what a gradient check can judge (kinks: numeric.clarke)."""
    if activation not in ("relu", "leaky_relu"):
        return b
    b = [c.copy() for c in b]
    h = X
    for k, W_k in enumerate(W[:-1]):
        z = h @ W_k + b[k]
        for j in range(z.shape[1]):
            v = np.sort(z[:, j])
            gaps = np.diff(v)
            i = int(np.argmax(gaps))
            b[k][j] -= 0.5 * (v[i] + v[i + 1])
        h = REFERENCE_ACTIVATIONS[activation](h @ W_k + b[k], np)
    return b


def _points(widths, activation, X):
    """A moderate point (Glorot init, logits O(1)) and a saturating one: hidden weights x4 (sigmoid and
    tanh units then sit in their flat tails) and the output layer rescaled so that max |s| = 60.
    ReLU-family points are moved off the kinks (`_away_from_kinks`)."""
    W, b = initial_weights(widths, seed=len(widths))
    b = _away_from_kinks(W, b, X, activation)
    Ws = [w * (4.0 if activation in ("sigmoid", "tanh") else 1.0) for w in W[:-1]]
    s = reference_logit(Ws + [W[-1]], b, X, activation)
    k = 60.0 / float(np.max(np.abs(s)))
    return [("moderate", W, b), ("saturating", Ws + [k * W[-1]], b[:-1] + [k * b[-1]])]


def _hidden_stats(weights, biases, X, activation):
    """min |z| over hidden pre-activations (distance to the ReLU kink) and the share of sigmoid/tanh
    units in their tails (|z| > 5), from the reference forward pass."""
    h, zs = X, []
    for W, b in zip(weights[:-1], biases[:-1]):
        z = h @ W + b
        zs.append(np.ravel(z))
        h = REFERENCE_ACTIVATIONS[activation](z, np)
    if not zs:
        return math.inf, 0.0
    z = np.concatenate(zs)
    return float(np.min(np.abs(z))), float(np.mean(np.abs(z) > 5))


# ---- backprop: gradients against autograd, complex step, check_gradient ---------------------------

def gradient_cases():
    """(activation, depth, label, widths, weights, biases) for every checked point."""
    X, _, _ = _grad_data()
    for activation in ACTIVATIONS:
        for depth in DEPTHS:
            widths = (X.shape[1],) + (HIDDEN,) * (depth - 1) + (1,)
            for label, W, b in _points(widths, activation, X):
                yield activation, depth, label, widths, W, b


def _complex_step_gradient(f, theta):
    """∂f/∂θ_j = Im f(θ + i h e_j) / h for every coordinate (h = 1e-200): exact to rounding, no cancellation."""
    from numeric.oracles import CS_STEP

    g = np.empty(theta.size)
    with np.errstate(under="ignore"):
        for j in range(theta.size):
            t = theta.astype(complex)
            t[j] += 1j * CS_STEP
            g[j] = np.imag(f(t)) / CS_STEP
    return g


def gradient_vs_references(activation, depth, label, widths, W, b) -> list[CheckResult]:
    """The generated value_and_grad at one point: its loss against the reference loss, its gradient
    against autograd and the complex step of the reference (every coordinate), and check_gradient
    (Richardson, complex step, autograd; per layer, so each layer's step suits its weights' size)."""
    import autograd
    import autograd.numpy as anp

    from numeric.generated import mlp
    from numeric.gradcheck import check_gradient

    X, y, data = _grad_data()
    L = len(W)
    loss, gW, gb = mlp.value_and_grad(W, b, X, y, activation=activation, lam=LAM)
    claim = flatten(gW, gb)
    theta = flatten(W, b)
    f = _reference_theta_loss(widths, X, y, activation, LAM)
    ref = np.asarray(autograd.grad(f)(theta))
    cs = _complex_step_gradient(lambda t: reference_loss(*unflatten(t, widths), X, y, activation, LAM),
                                theta)
    ref_loss = float(f(theta))
    kink, tails = _hidden_stats(W, b, X, activation)
    s = reference_logit(W, b, X, activation)
    where = f"{activation}, depth {depth} (widths {widths}), {label} point ($\\max|s| = {tex_num(np.max(np.abs(s)))}$)"
    point = (f"$\\min |z| = {tex_num(kink)}$ over hidden units and rows, {100 * tails:.0f}% of hidden units "
             f"with $|z| > 5$" if depth > 1 else "no hidden layer")
    loss_rel = abs(float(loss) - ref_loss) / ref_loss
    scale = float(np.max(np.abs(ref)))
    err_ag, err_cs = float(np.max(np.abs(claim - ref))), float(np.max(np.abs(claim - cs)))
    rel = max(err_ag, err_cs) / scale
    # Rounding of either side: each layer's products and the mean add (width + log2 N) eps relative to
    # the gradient's scale, amplified by the sums' condition; 1e-12 leaves a factor 1e2-1e3 of room,
    # while a wrong formula is off by O(1).
    tol = 1e-12
    out = [_result(
        "backprop", f"value_and_grad vs autograd and complex step: {activation}, depth {depth}, {label}",
        "generated mlp.value_and_grad (loss and every weight and bias gradient) vs autograd.grad and the "
        "complex step ($h = 10^{-200}$, every coordinate) of an independent textbook loss "
        "(numeric.checks.networks.reference_loss), and that loss's value",
        f"{data}; {where}; $\\lambda = {LAM}$",
        max(err_ag, err_cs), max(rel, loss_rel), tol, rel <= tol and loss_rel <= tol,
        f"normwise relative error over {claim.size} parameters: vs autograd {err_ag / scale:.3g}, vs complex "
        f"step {err_cs / scale:.3g}; loss {float(loss):.17g} vs reference {ref_loss:.17g} (relative "
        f"{loss_rel:.3g}); {point}")]

    def f_layers(*arrays):
        # plain NumPy unless autograd is tracing: the finite differences evaluate f thousands of times
        np_ = np if all(isinstance(a, np.ndarray) for a in arrays) else anp
        return reference_loss(arrays[:L], arrays[L:], X, y, activation, LAM, np_)

    with np.errstate(under="ignore"):
        gc = check_gradient(f_layers, lambda *a: tuple(gW) + tuple(gb), *W, *b, max_full=CG_FULL,
                            directions=CG_DIRECTIONS, oracles=("richardson", "complex-step", "autograd"),
                            name="value_and_grad")
    out.append(_result(
        "backprop", f"value_and_grad vs check_gradient: {activation}, depth {depth}, {label}",
        "generated gradient vs numeric.check_gradient of the reference loss, each layer's W and b an argument: "
        "Richardson-extrapolated central differences, complex step and autograd (every coordinate of an "
        f"argument up to {CG_FULL} entries, {CG_DIRECTIONS} random directions in larger ones; the first check "
        "covers every coordinate)",
        f"{data}; {where}", gc.max_abs_err, gc.max_rel_err, gc.tolerance, gc.passed,
        f"{gradient_check_text(gc)}; {point}"))
    return out


@register("backprop")
def backprop_gradients() -> list[CheckResult]:
    out = []
    for case in gradient_cases():
        out += gradient_vs_references(*case)
    return out


# ---- backprop: scikit-learn's MLPClassifier as an independent implementation ----------------------

def sklearn_model(widths, activation, *, lr, alpha, X, y):
    """An MLPClassifier for plain full-batch gradient descent, its arrays allocated by one partial_fit
    (whose weights are then overwritten by the caller).

    What it does per partial_fit, read from scikit-learn's _multilayer_perceptron.py and
    _stochastic_optimizers.py: one pass over gen_batches(N, batch_size=N) without shuffling, i.e. one
    _backprop on all rows: coef_grad = (A_{k-1}ᵀ δ_k + alpha W_k) / N, intercept_grad = Σ δ_k / N, with
    δ_last = expit(s) − y; then SGDOptimizer: update = momentum·velocity − lr·grad with momentum 0,
    param += update. So W ← W − lr (∇ mean BCE + (alpha/N) W), which is our step for alpha = 2 N lam.
    tol and n_iter_no_change only decide whether a later fit() stops; partial_fit always makes its step."""
    from sklearn.neural_network import MLPClassifier

    clf = MLPClassifier(hidden_layer_sizes=tuple(widths[1:-1]), activation=SKLEARN_ACTIVATION[activation],
                        solver="sgd", alpha=alpha, batch_size=len(y), learning_rate="constant",
                        learning_rate_init=lr, momentum=0.0, nesterovs_momentum=False, shuffle=False,
                        early_stopping=False, tol=0.0, n_iter_no_change=10 ** 9, max_iter=1, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        clf.partial_fit(X, y, classes=np.array([0.0, 1.0]))
    return clf


def _set_weights(clf, W, b):
    """Copy our weights into the model's own arrays (the optimizer updates those arrays in place)."""
    for dst, src in zip(clf.coefs_ + clf.intercepts_, list(W) + list(b)):
        dst[...] = src


@lru_cache(maxsize=1)
def _traj_data():
    d = breast_cancer()
    return d.X, d.y, d.description


@register("backprop")
def sklearn_forward() -> list[CheckResult]:
    from numeric.generated import mlp

    X, y, data = _traj_data()
    out = []
    for activation in SKLEARN_ACTIVATION:
        widths = (X.shape[1],) + TRAJ_HIDDEN + (1,)
        for label, W, b in _points(widths, activation, X):
            clf = sklearn_model(widths, activation, lr=TRAJ_LR, alpha=0.0, X=X, y=y)
            _set_weights(clf, W, b)
            ref = clf.predict_proba(X)[:, 1]
            got = np.asarray(mlp.forward(W, b, X, activation=activation))
            err = float(np.max(np.abs(got - ref)))
            q = np.minimum(ref, 1 - ref)
            inside = q > 0            # where P rounds to exactly 1 only the absolute error means anything
            rel = float(np.max(np.abs(got - ref)[inside] / q[inside])) if inside.any() else 0.0
            out.append(_result(
                "backprop", f"forward vs sklearn predict_proba: {activation}, {label}",
                "generated mlp.forward vs MLPClassifier.predict_proba[:, 1] with the same coefs_/intercepts_",
                f"{data}; widths {widths}; {label} point (seed {len(widths)})",
                err, rel, 1e-12, err <= 1e-12,
                f"$\\max |P_{{\\mathrm{{gen}}}} - P_{{\\mathrm{{sklearn}}}}| = {tex_num(err)}$ (tolerance "
                f"$10^{{-12}}$ absolute); relative to $\\min(P, 1 - P)$ where that is positive: ${tex_num(rel)}$; "
                f"$\\min(P, 1 - P) = {tex_num(q.min())}$"))
    return out


def trajectories(activation, steps=TRAJ_STEPS, lr=TRAJ_LR, lam=TRAJ_LAM):
    """Full-batch gradient descent from the same start, by the generated gradient and by scikit-learn:
    the parameter vectors after every step (row 0 = start), the generated losses and sklearn's loss_."""
    from numeric.generated import mlp

    X, y, _ = _traj_data()
    N = len(y)
    widths = (X.shape[1],) + TRAJ_HIDDEN + (1,)
    W, b = initial_weights(widths, seed=1)
    clf = sklearn_model(widths, activation, lr=lr, alpha=2 * N * lam, X=X, y=y)
    _set_weights(clf, W, b)
    ours, theirs, losses, sk_losses = [flatten(W, b)], [flatten(clf.coefs_, clf.intercepts_)], [], []
    for _ in range(steps):
        loss, gW, gb = mlp.value_and_grad(W, b, X, y, activation=activation, lam=lam)
        W = [w - lr * g for w, g in zip(W, gW)]
        b = [c - lr * g for c, g in zip(b, gb)]
        clf.partial_fit(X, y)
        losses.append(float(loss))
        sk_losses.append(float(clf.loss_))
        ours.append(flatten(W, b))
        theirs.append(flatten(clf.coefs_, clf.intercepts_))
    return widths, np.array(ours), np.array(theirs), np.array(losses), np.array(sk_losses)


@register("backprop")
def sklearn_training() -> list[CheckResult]:
    X, y, data = _traj_data()
    N = len(y)
    out = []
    for activation in SKLEARN_ACTIVATION:
        widths, ours, theirs, losses, sk_losses = trajectories(activation)
        diff = np.abs(ours - theirs)
        scale = np.max(np.abs(theirs), axis=1)
        per_step = np.max(diff, axis=1) / scale
        rel = float(per_step.max())
        loss_rel = float(np.max(np.abs(losses - sk_losses) / sk_losses))
        out.append(_result(
            "backprop", f"SGD trajectory vs sklearn MLPClassifier: {activation}",
            f"{TRAJ_STEPS} full-batch steps $W \\leftarrow W - {TRAJ_LR}\\,\\nabla L$ with the generated "
            f"value_and_grad vs MLPClassifier(solver='sgd', momentum=0, nesterovs_momentum=False, batch_size=N, "
            f"shuffle=False, learning_rate='constant', learning_rate_init={TRAJ_LR}, alpha=$2N\\lambda$) "
            f"partial_fit once per step, same start",
            f"{data}; widths {widths}; Glorot start (seed 1); $\\lambda = {TRAJ_LAM}$, sklearn's "
            f"$\\alpha = 2N\\lambda = {2 * N * TRAJ_LAM:g}$",
            float(diff.max()), rel, TRAJ_TOL, rel <= TRAJ_TOL,
            f"over steps and parameters, $\\max |\\theta_{{\\mathrm{{gen}}}} - \\theta_{{\\mathrm{{sk}}}}| / "
            f"\\max |\\theta_{{\\mathrm{{sk}}}}| = {tex_num(rel)}$ (after step 1: {per_step[1]:.3g}, 10: "
            f"{per_step[10]:.3g}, {TRAJ_STEPS}: {per_step[-1]:.3g}); loss {losses[0]:.6g} $\\to$ {losses[-1]:.6g}; "
            f"generated loss vs the loss_ of sklearn (which clips $P$ to $[\\varepsilon, 1 - \\varepsilon]$) "
            f"relative {loss_rel:.3g}"))
    return out


# ---- guiding example (R17) ------------------------------------------------------------------------

GUIDE_HIDDEN, GUIDE_LAM, GUIDE_LR, GUIDE_EPOCHS, GUIDE_BATCH = 8, 1e-3, 0.5, 30, 32


def guiding_reference_loss(W1, W2, X, y, lam, np_=np):
    """R17 from the lecture: mean cross_ent(y, σ(W₂ᵀσ(W₁ᵀx))) + lam (‖W₁‖_F + ‖W₂‖₂), unsquared."""
    h = _sigmoid(np_.dot(X, W1), np_)
    s = np_.dot(h, W2)
    return (np_.mean(_cross_entropy(s, y, np_))
            + lam * (np_.sqrt(np_.sum(W1 * W1)) + np_.sqrt(np_.sum(W2 * W2))))


def _guide_start(p, q, seed=0):
    rng = np.random.default_rng(seed)
    W1 = rng.standard_normal((p, q)) * math.sqrt(2.0 / (p + q))
    return W1, rng.standard_normal(q) * math.sqrt(2.0 / (q + 1))


def guiding_training(epochs=GUIDE_EPOCHS):
    """SGD (numeric.optim.sgd, batch 32, seed 0, constant step) on breast cancer with the generated
    gradient: the OptimResult (losses per epoch, final θ) and split(θ) -> (W1, W2)."""
    from numeric.generated import guiding
    from numeric.optim import sgd

    d = breast_cancer()
    X, y = d.X, d.y
    p, q = X.shape[1], GUIDE_HIDDEN
    W1, W2 = _guide_start(p, q)

    def split(th):
        return th[:p * q].reshape(p, q), th[p * q:]

    def grad_batch(th, idx):
        _, g1, g2 = guiding.value_and_grad(*split(th), X[idx], y[idx], GUIDE_LAM)
        return np.concatenate([np.ravel(g1), g2])

    def loss(th):
        return float(guiding.value_and_grad(*split(th), X, y, GUIDE_LAM)[0])

    r = sgd(grad_batch, np.concatenate([W1.ravel(), W2]), len(y), lr=GUIDE_LR, epochs=epochs,
            batch_size=GUIDE_BATCH, seed=0, loss=loss)
    return r, split


@register("guiding-example")
def guiding_checks() -> list[CheckResult]:
    import autograd
    import autograd.numpy as anp

    from numeric.generated import guiding

    d = breast_cancer()
    X, y = d.X, d.y
    p, q = X.shape[1], GUIDE_HIDDEN
    out = []
    r, split = guiding_training()
    drop = r.losses[0] - r.losses[-1]
    W1, W2 = split(r.theta)
    s = _sigmoid(X @ W1, np) @ W2
    acc = float(np.mean((s > 0) == (y == 1)))
    out.append(_result(
        "guiding-example", "SGD on breast cancer: the loss falls",
        f"generated guiding.value_and_grad in numeric.optim.sgd (batch {GUIDE_BATCH}, constant step {GUIDE_LR}, "
        f"seed 0, {GUIDE_EPOCHS} epochs), full-data loss per epoch",
        f"{d.description}; $q = {q}$ hidden sigmoid units, $\\lambda = {GUIDE_LAM}$, Glorot start (seed 0)",
        r.losses[-1], r.losses[-1] / r.losses[0], 0.5, r.converged and r.losses[-1] <= 0.5 * r.losses[0],
        f"loss {r.losses[0]:.6g} $\\to$ {r.losses[-1]:.6g} (falls by {drop:.4g}, {100 * drop / r.losses[0]:.1f}%; "
        f"error columns: final loss and final/initial, which must be $\\leq 0.5$, i.e. the loss at least halves); "
        f"after epoch 1: {r.losses[1]:.4g}, epoch 10: {r.losses[10]:.4g}; "
        f"training accuracy {100 * acc:.1f}%"))
    # Gradient against autograd of the lecture's loss, at the start and at the trained point.
    A0, B0 = _guide_start(p, q)
    # saturating: hidden units in sigmoid's tails and output logits up to ~100
    starts = [("start", A0, B0), ("trained", W1, W2), ("saturating", 8 * A0, 30 * B0)]
    for label, A, B in starts:
        loss, g1, g2 = guiding.value_and_grad(A, B, X, y, GUIDE_LAM)
        f = lambda A_, B_: guiding_reference_loss(A_, B_, X, y, GUIDE_LAM, anp)
        r1, r2 = autograd.grad(f, 0)(A, B), autograd.grad(f, 1)(A, B)
        claim, ref = np.concatenate([np.ravel(g1), g2]), np.concatenate([np.ravel(r1), r2])
        err = float(np.max(np.abs(claim - ref)))
        rel = err / float(np.max(np.abs(ref)))
        ref_loss = float(guiding_reference_loss(A, B, X, y, GUIDE_LAM))
        loss_rel = abs(float(loss) - ref_loss) / ref_loss
        tol = 1e-12
        out.append(_result(
            "guiding-example", f"value_and_grad vs autograd ({label} point)",
            "generated guiding.value_and_grad (loss, dW1, dW2) vs autograd.grad of the lecture's loss written "
            "independently (numeric.checks.networks.guiding_reference_loss)",
            f"{d.description}; $q = {q}$, $\\lambda = {GUIDE_LAM}$; {label} $(W_1, W_2)$",
            err, max(rel, loss_rel), tol, rel <= tol and loss_rel <= tol,
            f"normwise relative error of (dW1, dW2) {rel:.3g}; loss {float(loss):.17g} vs {ref_loss:.17g} "
            f"(relative {loss_rel:.3g}); $\\max |s| = {tex_num(np.max(np.abs(_sigmoid(X @ A, np) @ B)))}$"))
    from numeric.gradcheck import check_gradient

    for label, A, B in starts[::2]:
        def f_guide(W1_, W2_):
            np_ = np if isinstance(W1_, np.ndarray) and isinstance(W2_, np.ndarray) else anp
            return guiding_reference_loss(W1_, W2_, X, y, GUIDE_LAM, np_)

        _, g1, g2 = guiding.value_and_grad(A, B, X, y, GUIDE_LAM)
        with np.errstate(under="ignore"):
            gc = check_gradient(f_guide, lambda *a: (g1, g2), A, B, directions=8,
                                oracles=("richardson", "complex-step", "autograd"), name="guiding.value_and_grad")
        out.append(_result(
            "guiding-example", f"value_and_grad vs check_gradient ({label} point)",
            "generated (dW1, dW2) vs numeric.check_gradient of the lecture's loss: Richardson differences, complex "
            "step and autograd (W2 every coordinate, W1 along 8 random directions)",
            f"{d.description}; $q = {q}$, $\\lambda = {GUIDE_LAM}$; {label} $(W_1, W_2)$",
            gc.max_abs_err, gc.max_rel_err, gc.tolerance, gc.passed, gradient_check_text(gc)))
    return out


# ---- forward vs reverse mode (R18) ------------------------------------------------------------------

FVR_HIDDEN = 128
FVR_SIZES = (1, 4, 16, 64)
FVR_FIXED = 8


def fvr_grid():
    """(n, m) pairs: n varies at m = FVR_FIXED, then m varies at n = FVR_FIXED."""
    return [(n, FVR_FIXED) for n in FVR_SIZES] + [(FVR_FIXED, m) for m in FVR_SIZES]


def fvr_network(n, m):
    from numeric.jacobian import Network

    return Network((n, FVR_HIDDEN, FVR_HIDDEN, m), seed=n * 1000 + m)


@lru_cache(maxsize=1)
def fvr_counts():
    """For each (n, m): sweeps and multiply-adds of both modes, and the largest differences between
    forward, reverse, autograd's forward and reverse sweeps, autograd.jacobian and the complex step.
    Deterministic (no timing), so computed once per process and shared by the check and the figure."""
    import autograd
    import autograd.numpy as anp

    from numeric.jacobian import (autograd_sweeps, complex_step_jacobian, forward_jacobian, network_jacobians,
                                  reverse_jacobian)

    rows = []
    for n, m in fvr_grid():
        net = fvr_network(n, m)
        x = net.point()
        fwd, rev, ops = network_jacobians(net, x)
        with np.errstate(under="ignore"):
            Jc = complex_step_jacobian(net.evaluate, x)

        def f_ag(v, net=net):
            h = v
            for W, b in zip(net.weights[:-1], net.biases[:-1]):
                h = anp.tanh(anp.dot(h, W) + b)
            return anp.dot(h, net.weights[-1]) + net.biases[-1]

        jv, vj = autograd_sweeps(f_ag, x)
        afwd, arev = forward_jacobian(jv, n), reverse_jacobian(vj, m)
        Ja = np.asarray(autograd.jacobian(f_ag)(x))
        scale = float(np.max(np.abs(Jc)))
        rows.append({
            "n": n, "m": m, "sweeps_forward": fwd.sweeps, "sweeps_reverse": rev.sweeps,
            "autograd_sweeps": (afwd.sweeps, arev.sweeps),
            "ops": ops, "products": net.products,
            "err": {"forward_vs_reverse": float(np.max(np.abs(fwd.J - rev.J))) / scale,
                    "forward_vs_complex_step": float(np.max(np.abs(fwd.J - Jc))) / scale,
                    "reverse_vs_complex_step": float(np.max(np.abs(rev.J - Jc))) / scale,
                    "autograd_forward_vs_reverse": float(np.max(np.abs(afwd.J - rev.J))) / scale,
                    "autograd_reverse_vs_reverse": float(np.max(np.abs(arev.J - rev.J))) / scale,
                    "autograd_jacobian_vs_reverse": float(np.max(np.abs(Ja - rev.J))) / scale},
        })
    return rows


def fvr_timings(repeats=5):
    """Measured seconds of one evaluation and of one sweep of each mode, c = sweep / evaluation, and
    the times of the whole Jacobians, for each (n, m) (timing data for the report, never asserted)."""
    import time

    from numeric.jacobian import network_jacobians, sweep_costs

    rows = []
    for n, m in fvr_grid():
        net = fvr_network(n, m)
        x = net.point()
        cost = sweep_costs(net, x, repeats=repeats)
        t0 = time.perf_counter()
        for _ in range(5):
            network_jacobians(net, x)
        t_both = (time.perf_counter() - t0) / 5
        rows.append({"n": n, "m": m, **cost, "jacobians_s": t_both})
    return rows


@register("forward-vs-reverse")
def forward_vs_reverse() -> list[CheckResult]:
    rows = fvr_counts()
    out = []
    tol = 1e-13
    counts_ok = all(r["sweeps_forward"] == r["n"] and r["sweeps_reverse"] == r["m"]
                    and r["autograd_sweeps"] == (r["n"], r["m"]) for r in rows)
    worst = max(max(r["err"].values()) for r in rows)
    table = "; ".join(f"(n={r['n']}, m={r['m']}): sweeps {r['sweeps_forward']}/{r['sweeps_reverse']}, "
                      f"multiply-adds forward ${r['ops']['forward'] / r['ops']['eval']:.1f} \\times$ one "
                      f"evaluation, reverse ${r['ops']['reverse'] / r['ops']['eval']:.1f} \\times$" for r in rows)
    out.append(_result(
        "forward-vs-reverse", "Jacobian by forward ($n$ JVP sweeps) and reverse ($m$ VJP sweeps) mode",
        "numeric.jacobian forward_jacobian/reverse_jacobian on a tanh MLP with hand-written JVP and VJP, and "
        "on autograd's make_jvp/make_vjp, vs each other, autograd.jacobian and the complex step ($h = 10^{-200}$); "
        "sweeps counted by calls made",
        f"MLP widths $(n, {FVR_HIDDEN}, {FVR_HIDDEN}, m)$, Glorot-scaled weights, $x \\sim N(0, I)$; "
        f"$(n, m) \\in$ {fvr_grid()}",
        worst, worst, tol, counts_ok and worst <= tol,
        f"sweep counts equal $n$ (forward) and $m$ (reverse) for both implementations: {counts_ok}; largest "
        f"difference between any two Jacobians, relative to $\\max |J|$: ${tex_num(worst)}$; {table}"))
    # Operation counts: forward = n (eval + tangent), reverse = m (eval + adjoint); the tangent and the
    # adjoint each repeat the matrix products once, so every sweep is about 2 evaluations' madds.
    c_ops = [(r["ops"]["forward"] / (r["n"] * r["ops"]["eval"]), r["ops"]["reverse"] / (r["m"] * r["ops"]["eval"]))
             for r in rows]
    lo, hi = min(min(c) for c in c_ops), max(max(c) for c in c_ops)
    dev = max(abs(lo - 2.0), abs(hi - 2.0))
    # Times are data for the report, never a verdict: a loaded machine moves them, not the counts.
    times = fvr_timings()
    cf = [r["c_forward"] for r in times]
    cr = [r["c_reverse"] for r in times]
    out.append(_result(
        "forward-vs-reverse", "cost: $n$ sweeps forward, $m$ reverse, each $c$ evaluations",
        "multiply-adds counted in numeric.jacobian.Network (matrix products and elementwise work) for one "
        "evaluation and for each mode's whole Jacobian; and, as data only, wall-clock time of one sweep "
        "over one evaluation",
        f"MLP widths $(n, {FVR_HIDDEN}, {FVR_HIDDEN}, m)$; $(n, m) \\in$ {fvr_grid()}; times on this machine",
        dev, dev / 2.0, 0.5, dev <= 0.5,
        f"operation constant $c_{{\\mathrm{{ops}}}} = \\mathrm{{madds}}(J) / (\\text{{sweeps}} \\times "
        f"\\mathrm{{madds}}(\\text{{eval}})) \\in [{lo:.3f}, {hi:.3f}]$ for both modes (passes within "
        f"$2 \\pm 0.5$: each sweep repeats the products once for the tangent or the adjoint), so forward costs "
        f"$n\\,c_{{\\mathrm{{ops}}}}$ and reverse $m\\,c_{{\\mathrm{{ops}}}}$ evaluations: "
        f"$O(n_0 \\sum_k n_k n_{{k+1}})$ against $O(n_t \\sum_k n_k n_{{k+1}})$; measured time constant (median "
        f"of interleaved runs, not a pass criterion): $c_{{\\mathrm{{forward}}}}$ median {float(np.median(cf)):.2f} "
        f"(range {min(cf):.2f} to {max(cf):.2f}), $c_{{\\mathrm{{reverse}}}}$ median {float(np.median(cr)):.2f} "
        f"(range {min(cr):.2f} to {max(cr):.2f}); the lecture expects 2 to 3 and $c < 6$ "
        f"(Griewank & Walther 2008); per (n, m) forward/reverse: "
        + "; ".join(f"({r['n']}, {r['m']}) {r['c_forward']:.2f}/{r['c_reverse']:.2f}" for r in times)))
    return out


__all__ = ["backprop_gradients", "sklearn_forward", "sklearn_training", "guiding_checks", "forward_vs_reverse",
           "reference_loss", "guiding_reference_loss"]
