"""Jacobians of f: Rⁿ → Rᵐ by forward mode (n JVP sweeps) and reverse mode (m VJP sweeps), sweeps counted (R18)."""
from __future__ import annotations

import statistics
import time
from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True)
class Jacobian:
    """J (m × n) and how it was obtained: the mode and the number of sweeps actually made."""

    J: np.ndarray
    mode: str          # "forward" or "reverse"
    sweeps: int        # calls made to the JVP (forward) or VJP (reverse) function


class _Counted:
    """A function that counts its calls: the sweep count is measured, not assumed from the loop bound."""

    def __init__(self, fn):
        self.fn, self.calls = fn, 0

    def __call__(self, v):
        self.calls += 1
        return self.fn(v)


def forward_jacobian(jvp, n: int) -> Jacobian:
    """J from forward mode: column j is jvp(e_j), one forward sweep per input direction.

    jvp(v) returns J v (an m-vector) for v in Rⁿ."""
    sweep = _Counted(jvp)
    cols = [np.asarray(sweep(e), dtype=float) for e in np.eye(n)]
    return Jacobian(np.stack(cols, axis=1), "forward", sweep.calls)


def reverse_jacobian(vjp, m: int) -> Jacobian:
    """J from reverse mode: row i is vjp(e_i), one reverse sweep per output direction.

    vjp(u) returns uᵀ J (an n-vector) for u in Rᵐ."""
    sweep = _Counted(vjp)
    rows = [np.asarray(sweep(e), dtype=float) for e in np.eye(m)]
    return Jacobian(np.stack(rows, axis=0), "reverse", sweep.calls)


def complex_step_jacobian(f, x, h: float = 1e-200) -> np.ndarray:
    """J by the complex step, Im f(x + i h e_j) / h: no subtraction, so exact to rounding for analytic f."""
    x = np.asarray(x, dtype=float)
    cols = []
    for e in np.eye(x.size):
        cols.append(np.imag(f(x + 1j * h * e)) / h)
    return np.stack(cols, axis=1)


# ---- a network to differentiate: tanh hidden layers, linear outputs, its own JVP and VJP ---------

@dataclass
class Network:
    """f(x) = W_tᵀ tanh(… tanh(W_1ᵀ x + b_1) …) + b_t for widths n_0 … n_t: Rⁿ⁰ → Rⁿᵗ.

    evaluate, jvp and vjp each count their multiply-adds (matrix products and elementwise work) in
    `ops`, so forward and reverse mode can be compared by operation counts that do not depend on the
    machine. Everything is written for complex x as well, so the complex step applies."""

    widths: tuple
    seed: int = 0
    ops: int = 0
    weights: list = field(init=False, repr=False)
    biases: list = field(init=False, repr=False)

    def __post_init__(self):
        rng = np.random.default_rng(self.seed)
        self.widths = tuple(int(w) for w in self.widths)
        # Glorot-scaled weights keep tanh's inputs O(1): a generic, non-saturated point.
        self.weights = [rng.standard_normal((p, q)) / np.sqrt(p) for p, q in zip(self.widths, self.widths[1:])]
        self.biases = [0.1 * rng.standard_normal(q) for q in self.widths[1:]]

    @property
    def n(self) -> int:
        return self.widths[0]

    @property
    def m(self) -> int:
        return self.widths[-1]

    @property
    def products(self) -> int:
        """Σ_k n_k n_{k+1}: the multiply-adds of the matrix products in one evaluation."""
        return sum(p * q for p, q in zip(self.widths, self.widths[1:]))

    def _affine(self, h, k):
        W = self.weights[k]
        self.ops += W.size + W.shape[1]
        return h @ W + self.biases[k]

    def _matvec(self, v, W):
        self.ops += W.size
        return v @ W

    def _hidden(self):
        return range(len(self.weights) - 1)

    def evaluate(self, x):
        h = x
        for k in self._hidden():
            h = np.tanh(self._affine(h, k))
            self.ops += h.size
        return self._affine(h, len(self.weights) - 1)

    def jvp(self, x, v):
        """(f(x), J v) in one forward sweep: tangents ż = Wᵀ ḣ, ḣ = (1 − h²) ż carried beside the values."""
        h, t = x, v
        for k in self._hidden():
            h = np.tanh(self._affine(h, k))
            t = (1.0 - h * h) * self._matvec(t, self.weights[k])
            self.ops += 3 * h.size
        last = len(self.weights) - 1
        return self._affine(h, last), self._matvec(t, self.weights[last])

    def vjp(self, x, u):
        """(f(x), uᵀ J) in one reverse sweep: the forward pass storing h_k, then
        ḡ_{k−1} = W_k (ḡ_k ⊙ (1 − h_k²))."""
        hs, h = [], x
        for k in self._hidden():
            h = np.tanh(self._affine(h, k))
            self.ops += h.size
            hs.append(h)
        last = len(self.weights) - 1
        y = self._affine(h, last)
        g = self._matvec(u, self.weights[last].T)
        for k in reversed(self._hidden()):
            g = self._matvec(g * (1.0 - hs[k] * hs[k]), self.weights[k].T)
            self.ops += 3 * hs[k].size
        return y, g

    def point(self, seed: int = 1) -> np.ndarray:
        """A fixed input x ~ N(0, I) (the point the Jacobian is taken at)."""
        return np.random.default_rng(seed).standard_normal(self.n)


def network_jacobians(net: Network, x) -> tuple[Jacobian, Jacobian, dict]:
    """Forward- and reverse-mode Jacobians of `net` at x, and the multiply-adds each took, with
    one evaluation's for scale: {"eval": …, "forward": …, "reverse": …}."""
    ops = {}
    net.ops = 0
    net.evaluate(x)
    ops["eval"] = net.ops
    net.ops = 0
    fwd = forward_jacobian(lambda v: net.jvp(x, v)[1], net.n)
    ops["forward"] = net.ops
    net.ops = 0
    rev = reverse_jacobian(lambda u: net.vjp(x, u)[1], net.m)
    ops["reverse"] = net.ops
    return fwd, rev, ops


def autograd_sweeps(f, x):
    """(jvp, vjp) of f at x by autograd: make_jvp is true forward mode (one traced forward pass per
    direction), make_vjp records f once and each vjp(u) is one backward pass over the tape."""
    from autograd import make_jvp, make_vjp

    fwd = make_jvp(f)(x)
    pullback, _ = make_vjp(f)(x)
    return (lambda v: fwd(v)[1]), pullback


# ---- the cost constant c: time of one sweep over time of one evaluation ---------------------------

def _median_time(fn, repeats: int, target: float) -> float:
    """Median seconds per call, over `repeats` measurements of about `target` seconds each."""
    number = 1
    while True:
        t0 = time.perf_counter()
        for _ in range(number):
            fn()
        if time.perf_counter() - t0 >= target or number >= 1 << 14:
            break
        number *= 2
    samples = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        for _ in range(number):
            fn()
        samples.append((time.perf_counter() - t0) / number)
    return statistics.median(samples)


def sweep_costs(net: Network, x, *, repeats: int = 7, target: float = 2e-3) -> dict:
    """Measured seconds of one evaluation, one JVP sweep and one VJP sweep of `net` at x, each a median,
    the three taking turns; and c = sweep / evaluation for each mode (timing data, never asserted)."""
    v = np.random.default_rng(2).standard_normal(net.n)
    u = np.random.default_rng(3).standard_normal(net.m)
    calls = {"eval": lambda: net.evaluate(x), "jvp": lambda: net.jvp(x, v), "vjp": lambda: net.vjp(x, u)}
    t = {k: [] for k in calls}
    for _ in range(3):      # interleaved rounds, so drifting clocks or load hit every kind alike
        for k, fn in calls.items():
            t[k].append(_median_time(fn, repeats, target))
    s = {k: min(v) for k, v in t.items()}
    return {"seconds": s, "c_forward": s["jvp"] / s["eval"], "c_reverse": s["vjp"] / s["eval"]}


__all__ = ["Jacobian", "Network", "autograd_sweeps", "complex_step_jacobian", "forward_jacobian",
           "network_jacobians", "reverse_jacobian", "sweep_costs"]
