"""The peers `deepderive bench` times the generated code against: NumPy by hand, SciPy, scikit-learn, autograd, JAX, Python."""
# Every peer is a *preparer*: given the arguments it returns a call of no arguments, so that what a user
# does once per data set (moving arrays to a device, packing (w, b) into one vector as scikit-learn's
# optimiser holds it) is not timed, and what it does on every call is. A peer whose library is missing
# raises ImportError from its factory; the bench skips it with that reason.
from __future__ import annotations

import math

import numpy as np

BLOCK = 4096        # rows per block of the blocked NumPy peer: X's block stays in cache between its two passes


# ---- logistic loss and gradient: (w, b, X, y) -> (mean loss, grad_w, grad_b) ----------------------------
# Means are .sum() / n rather than np.mean: np.mean costs 1-2 µs of Python at N = 1 and tilted the
# small-N comparison in the generated code's favour (issue #15).

def hand_logaddexp(w, b, X, y):
    """Mean cross-entropy with np.logaddexp, gradient with sigma = exp(-logaddexp(0, -z))."""
    n = X.shape[0]
    z = X @ w + b
    r = np.exp(-np.logaddexp(0.0, -z)) - y
    return (np.logaddexp(0.0, z) - y * z).sum() / n, X.T @ r / n, r.sum() / n


def hand_fast(w, b, X, y):
    """Mean cross-entropy as max(z, 0) + log1p(exp(-|z|)) - y z; sigma from the same exp(-|z|)."""
    n = X.shape[0]
    z = X @ w + b
    e = np.exp(-np.abs(z))
    inv = 1.0 / (1.0 + e)
    r = np.where(z >= 0, inv, e * inv) - y
    return (np.maximum(z, 0.0) + np.log1p(e) - y * z).sum() / n, X.T @ r / n, r.sum() / n


def blocked_numpy(w, b, X, y, block=BLOCK):
    """hand_fast over blocks of `block` rows, accumulated: X is read from memory once (its block is still
    in cache for X_block.T @ r), and the temporaries are block-sized instead of N-sized."""
    n = X.shape[0]
    loss, gw, gb = 0.0, np.zeros(X.shape[1]), 0.0
    for i in range(0, n, block):
        Xi, yi = X[i:i + block], y[i:i + block]
        z = Xi @ w
        z += b
        e = np.exp(-np.abs(z))
        inv = 1.0 / (1.0 + e)
        r = np.where(z >= 0, inv, e * inv)
        r -= yi
        loss += (np.maximum(z, 0.0) + np.log1p(e) - yi * z).sum()
        gw += r @ Xi
        gb += r.sum()
    return loss / n, gw / n, gb / n


def _plain(f):
    """A preparer for a function that needs no set-up."""
    return lambda w, b, X, y: (lambda: f(w, b, X, y))


def _scipy_expit():
    from scipy.special import expit, log_expit

    def scipy_expit(w, b, X, y):
        """loss -log sigma(s z) with s = 2y - 1 from log_expit, residual expit(z) - y: SciPy's ufuncs."""
        n = X.shape[0]
        z = X @ w + b
        r = expit(z) - y
        return -log_expit((2.0 * y - 1.0) * z).sum() / n, X.T @ r / n, r.sum() / n
    return _plain(scipy_expit)


def _sklearn_half_binomial():
    from sklearn._loss.loss import HalfBinomialLoss

    kernel = HalfBinomialLoss()

    def sklearn_half_binomial(w, b, X, y):
        """scikit-learn's Cython loss_gradient (per-sample loss and dloss/dz in one pass), then X.T @ g."""
        n = X.shape[0]
        loss, g = kernel.loss_gradient(y_true=y, raw_prediction=X @ w + b)
        return loss.sum() / n, X.T @ g / n, g.sum() / n
    return _plain(sklearn_half_binomial)


def _sklearn_linear_model_loss():
    from sklearn._loss.loss import HalfBinomialLoss
    from sklearn.linear_model._linear_loss import LinearModelLoss

    model = LinearModelLoss(base_loss=HalfBinomialLoss(), fit_intercept=True)

    def prepare(w, b, X, y):
        """What LogisticRegression(penalty=None) calls on every L-BFGS step: loss_gradient on coef = (w, b),
        sample_weight=None (LogisticRegression passes None when the user gives no weights; the loss is then
        the mean), l2_reg_strength = 0."""
        coef = np.append(w, b)

        def call():
            loss, g = model.loss_gradient(coef, X, y, sample_weight=None, l2_reg_strength=0.0)
            return loss, g[:-1], g[-1]
        return call
    return prepare


def _autograd():
    import autograd.numpy as anp
    from autograd import value_and_grad

    def loss(theta, X, y):
        z = anp.dot(X, theta[:-1]) + theta[-1]
        return anp.sum(anp.logaddexp(0.0, z) - y * z) / X.shape[0]

    vg = value_and_grad(loss)

    def run(w, b, X, y):
        v, g = vg(np.concatenate([w, [b]]), X, y)
        return v, g[:-1], g[-1]
    return _plain(run)


def _jax_module():
    import jax
    jax.config.update("jax_enable_x64", True)
    return jax


def _jax_jit():
    jax = _jax_module()
    import jax.numpy as jnp

    def loss(w, b, X, y):
        z = X @ w + b
        return jnp.sum(jnp.logaddexp(0.0, z) - y * z) / X.shape[0]

    f = jax.jit(jax.value_and_grad(loss, argnums=(0, 1)))

    def prepare(w, b, X, y):
        """The call on arrays already on the device, as a JAX user holds them; compiled once per shape."""
        args = [jax.device_put(a) for a in (w, np.float64(b), X, y)]

        def call():
            v, (gw, gb) = jax.block_until_ready(f(*args))
            return v, gw, gb
        call()
        return call
    return prepare


def _generated_on_jax():
    """The generated function itself under jax.jit (its array-API path), on device arrays: not a peer, the
    generated code on another engine."""
    jax = _jax_module()
    from numeric.generated import logistic

    f = jax.jit(logistic.cross_entropy_value_and_grad)

    def prepare(w, b, X, y):
        args = [jax.device_put(a) for a in (w, np.float64(b), X, y)]

        def call():
            return jax.block_until_ready(f(*args))
        call()
        return call
    return prepare


# the generated code on other array libraries: name -> factory returning a preparer
GENERATED_ON = {"generated_jax": _generated_on_jax}

# name -> factory returning a preparer (ImportError when its library is missing)
LOGISTIC_PEERS = {
    "hand_logaddexp": lambda: _plain(hand_logaddexp),
    "hand_fast": lambda: _plain(hand_fast),
    "blocked_numpy": lambda: _plain(blocked_numpy),
    "scipy_expit": _scipy_expit,
    "sklearn_half_binomial": _sklearn_half_binomial,
    "sklearn_linear_model_loss": _sklearn_linear_model_loss,
    "autograd": _autograd,
    "jax_jit": _jax_jit,
}


def available(table: dict) -> tuple[dict, dict]:
    """(name -> built peer, name -> why skipped) for a table of factories."""
    built, skipped = {}, {}
    for name, factory in table.items():
        try:
            built[name] = factory()
        except ImportError as exc:
            skipped[name] = f"{exc.name or exc} not installed"
    return built, skipped


# ---- activations: each generated function against its peers, f(x) elementwise -------------------------

def hand_sigmoid_prime(x):
    """sigma'(x) = e / (1 + e)^2 with e = exp(-|x|) (sigma' is even), written by hand."""
    e = np.exp(-np.abs(x))
    return e / (1.0 + e) ** 2


def _logaddexp_softplus(x):
    return np.logaddexp(0.0, x)


def _expit():
    from scipy.special import expit
    return expit


def _log_expit():
    from scipy.special import log_expit
    return log_expit


# generated function -> {peer name: factory returning the peer function}
ACTIVATION_PEERS = {
    "sigmoid": {"scipy.special.expit": _expit},
    "log_sigmoid": {"scipy.special.log_expit": _log_expit},
    "softplus": {"np.logaddexp(0, x)": lambda: _logaddexp_softplus},
    "sigmoid_prime": {"hand e/(1+e)**2": lambda: hand_sigmoid_prime},
}


# ---- the depth chain: dyhat/dw for yhat = sigma(w[L-1] sigma(... sigma(w[0] x))) -------------------------

def python_chain_grad(x, w):
    """The depth chain's gradient in plain Python over math floats (x a float, w a list of floats): one
    forward pass storing h_(k-1) and sigma'(u_k), then the reverse product, as chain_grad does."""
    h, hs, ds = x, [], []
    for wj in w:
        u = wj * h
        e = math.exp(-abs(u))
        inv = 1.0 / (1.0 + e)
        hs.append(h)
        ds.append(e * inv * inv)
        h = inv if u >= 0.0 else e * inv
    grads, tail = [0.0] * len(w), 1.0
    for j in range(len(w) - 1, -1, -1):
        grads[j] = hs[j] * ds[j] * tail
        tail *= w[j] * ds[j]
    return grads


def _python_loop():
    def prepare(x, w):
        """w as the list of floats a plain-Python user holds (converted once, untimed)."""
        ws = [float(v) for v in w]
        return lambda: python_chain_grad(float(x), ws)
    return prepare


def _jax_scan():
    jax = _jax_module()
    from jax import lax

    def forward(w, x):
        return lax.scan(lambda h, wj: (jax.nn.sigmoid(wj * h), None), x, w)[0]

    g = jax.jit(jax.grad(forward))

    def prepare(x, w):
        """jax.grad of a lax.scan over the layers, jit-compiled, on arrays already on the device."""
        args = jax.device_put((np.asarray(w, dtype=np.float64), np.float64(x)))

        def call():
            return jax.block_until_ready(g(*args))
        call()
        return call
    return prepare


DEPTH_PEERS = {"python_loop": _python_loop, "jax_scan": _jax_scan}
