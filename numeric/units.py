"""Threshold units (R1): H(Wᵀh + b) layers, the lecture's AND/OR/NOT, and any truth table realised in two layers.

A unit fires when its pre-activation is nonnegative, H(z) = 1{z ≥ 0}, as in the lecture (scikit-learn's
Perceptron predicts with z > 0 instead: see numeric.perceptron). A layer maps rows h ∈ R^p to
H(hW + b) ∈ {0,1}^q with W of shape (p, q), the lecture's h = σ(Wᵀx + b) (R14) with σ replaced by H.

Truth tables are listed in the usual order: entry r of a table of length 2ⁿ is the output at the input
x = (x₁, …, xₙ) whose bits, x₁ the most significant, spell r in binary; `inputs(n)` gives those rows. So
[0, 0, 0, 1] is AND(x₁, x₂) and [0, 1, 1, 0] is XOR.

Every weight and bias here is an integer or a half-integer and every input is 0 or 1, so each
pre-activation is computed exactly in float64: no rounding can move a unit across its threshold.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


def heaviside(z) -> np.ndarray:
    """H(z) = 1{z ≥ 0} elementwise, as 0/1 integers (H(0) = 1: the unit fires on its threshold); ValueError for a
    NaN (a unit has no output for it), TypeError for non-real z."""
    z = np.asarray(z)
    if z.dtype.kind not in "biuf":
        raise TypeError(f"a threshold unit needs real pre-activations, not dtype {z.dtype}")
    if np.isnan(z).any():
        raise ValueError("a pre-activation is NaN (e.g. inf·0 or inf − inf): a threshold unit has no output for it")
    return (z >= 0).astype(np.int64)


@dataclass(frozen=True)
class Layer:
    """q threshold units reading p inputs: h ↦ H(h W + b), W of shape (p, q), b of shape (q,)."""

    W: np.ndarray
    b: np.ndarray

    def __post_init__(self):
        W, b = np.array(self.W, ndmin=2), np.array(self.b, ndmin=1)
        if W.dtype.kind not in "biuf" or b.dtype.kind not in "biuf":
            raise TypeError(f"a layer's W and b must be real arrays; got dtypes {W.dtype}, {b.dtype}")
        W, b = W.astype(np.float64), b.astype(np.float64)
        if not (np.isfinite(W).all() and np.isfinite(b).all()):
            raise ValueError("a layer's W and b must be finite (no inf or nan)")
        if W.ndim != 2 or b.ndim != 1 or W.shape[1] != b.shape[0]:
            raise ValueError(f"a layer needs W of shape (p, q) and b of shape (q,); got W {W.shape}, b {b.shape}")
        W.flags.writeable = b.flags.writeable = False       # frozen means frozen: the constants below are shared
        object.__setattr__(self, "W", W)
        object.__setattr__(self, "b", b)

    def __call__(self, h: np.ndarray) -> np.ndarray:
        return heaviside(h @ self.W + self.b)


@dataclass(frozen=True)
class Network:
    """Threshold layers applied in order; the last layer has one unit, the network's 0/1 output."""

    layers: tuple

    def __post_init__(self):
        layers = tuple(self.layers)
        if not layers:
            raise ValueError("a network needs at least one layer")
        for k in range(1, len(layers)):
            if layers[k].W.shape[0] != layers[k - 1].W.shape[1]:
                raise ValueError(f"layer {k + 1} reads {layers[k].W.shape[0]} inputs but layer {k} has "
                                 f"{layers[k - 1].W.shape[1]} units")
        if layers[-1].W.shape[1] != 1:
            raise ValueError(f"the last layer must have one unit, not {layers[-1].W.shape[1]}")
        object.__setattr__(self, "layers", layers)

    @property
    def n_inputs(self) -> int:
        return self.layers[0].W.shape[0]

    @property
    def units(self) -> tuple:
        """Units per layer, e.g. (4, 1) for the DNF of a 3-input function with four true rows."""
        return tuple(layer.W.shape[1] for layer in self.layers)


def unit(w, b) -> Network:
    """One threshold unit x ↦ H(wᵀx + b) as a network."""
    w = np.asarray(w, dtype=np.float64).reshape(-1, 1)
    return Network((Layer(w, [b]),))


# ---- the lecture's units (R1) -----------------------------------------------------------------------------

#: (weights, bias) of the lecture's units: OR(a,b) = 1{a + b − 0.5 ≥ 0}, AND(a,b) = 1{a + b − 1.5 ≥ 0},
#: NOT(a) = 1{−a + 0.5 ≥ 0}.
OR_WEIGHTS, OR_BIAS = (1.0, 1.0), -0.5
AND_WEIGHTS, AND_BIAS = (1.0, 1.0), -1.5
NOT_WEIGHTS, NOT_BIAS = (-1.0,), 0.5

OR = unit(OR_WEIGHTS, OR_BIAS)
AND = unit(AND_WEIGHTS, AND_BIAS)
NOT = unit(NOT_WEIGHTS, NOT_BIAS)

#: XOR(a, b) = AND(OR(a, b), NOT(AND(a, b))) in two layers: the hidden units are OR and AND, and the output
#: unit 1{h_OR − h_AND − 0.5 ≥ 0} is "OR and not AND" (NOT folded into a weight of −1).
XOR = Network((Layer([[OR_WEIGHTS[0], AND_WEIGHTS[0]], [OR_WEIGHTS[1], AND_WEIGHTS[1]]], [OR_BIAS, AND_BIAS]),
               Layer([[1.0], [-1.0]], [-0.5])))


# ---- truth tables -----------------------------------------------------------------------------------------

#: the largest n for which inputs(n) builds its 2ⁿ × n table (20 · 2²⁰ int64 entries: 168 MB)
MAX_INPUTS = 20


def inputs(n: int) -> np.ndarray:
    """The 2ⁿ × n rows of {0,1}ⁿ in truth-table order: row r is r in binary, x₁ the most significant bit."""
    if not isinstance(n, (int, np.integer)) or isinstance(n, bool) or n < 0:
        raise ValueError(f"the number of inputs must be a nonnegative integer, not {n!r}")
    if n > MAX_INPUTS:
        raise ValueError(f"at most {MAX_INPUTS} inputs (2**n rows of n entries); got {n}")
    r = np.arange(2 ** n)
    return (r[:, None] >> np.arange(n - 1, -1, -1)) & 1


def check_table(table) -> np.ndarray:
    """`table` as a 1-D int array of 0/1 entries of length 2ⁿ; ValueError naming what is wrong otherwise."""
    arr = np.asarray(table)
    if arr.ndim != 1:
        raise ValueError(f"a truth table is a 1-D sequence of 0/1 entries, got an array of shape {arr.shape}")
    n = len(arr).bit_length() - 1
    if len(arr) == 0 or len(arr) != 2 ** n:
        raise ValueError(f"a truth table has length 2**n (one entry per input row); {len(arr)} is not a power of 2")
    if arr.dtype.kind not in "biuf":
        raise ValueError(f"truth-table entries must be 0 or 1, got dtype {arr.dtype}")
    bad = ~((arr == 0) | (arr == 1))
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ValueError(f"truth-table entries must be 0 or 1; entry {i} is {arr[i].item()!r}")
    return arr.astype(np.int64)


def minterm_layer(rows: np.ndarray) -> Layer:
    """One unit per row m ∈ {0,1}ⁿ of `rows` (shape (k, n)) that fires exactly at x = m: the n-input AND of the literals
    (xᵢ where mᵢ = 1, NOT xᵢ = 1 − xᵢ where mᵢ = 0), with NOT folded into the weights.

    The AND of n literals ℓᵢ is 1{Σ ℓᵢ − (n − ½) ≥ 0} (the lecture's AND at n = 2); substituting ℓᵢ = xᵢ
    or 1 − xᵢ gives weights ±1 and bias ½ − |m|, |m| the number of ones in m. At x = m the sum is ½;
    at any other x it drops by at least 1, to −½ or below."""
    rows = np.asarray(rows, dtype=np.float64)
    if rows.ndim != 2:
        raise ValueError(f"minterm rows must form a 2-D array (rows, n), got shape {rows.shape}")
    return Layer((2.0 * rows - 1.0).T, 0.5 - rows.sum(axis=1))


def or_layer(n_inputs: int) -> Layer:
    """The n-input OR, 1{Σ hᵢ − ½ ≥ 0} (the lecture's OR at n = 2); with no inputs it is constantly 0."""
    return Layer(np.ones((n_inputs, 1)), [OR_BIAS])


def realise(table) -> Network:
    """A two-layer threshold network computing the Boolean function given by its truth table.

    The disjunctive normal form: layer 1 has one minterm unit (see `minterm_layer`) per row where the
    table is 1, layer 2 ORs them. At most one minterm unit fires for any Boolean input, so the output
    is 1 exactly on the table's true rows. A table with no true row gives a network with no hidden
    unit whose output H(−½) = 0 is constant."""
    t = check_table(table)
    n = len(t).bit_length() - 1
    ones = inputs(n)[t == 1]
    return Network((minterm_layer(ones), or_layer(len(ones))))


def evaluate(network: Network, X) -> np.ndarray:
    """The network's 0/1 outputs (int64, shape (N,)) for the N rows of X (shape (N, n_inputs))."""
    if not isinstance(network, Network):
        raise TypeError(f"evaluate needs a numeric.units.Network, not {type(network).__name__}")
    X = np.asarray(X)
    if X.ndim != 2 or X.shape[1] != network.n_inputs:
        raise ValueError(f"X must have shape (N, {network.n_inputs}) for this network, got {X.shape}")
    if X.dtype.kind not in "biuf":
        raise ValueError(f"X must be numeric, got dtype {X.dtype}")
    h = X.astype(np.float64)
    if not np.isfinite(h).all():       # inf·0 and inf − inf would give NaN pre-activations
        raise ValueError("X must be finite (no inf or nan): a threshold unit has no output for a NaN")
    for layer in network.layers:
        h = layer(h)
    return h[:, 0]


def table_of(network: Network) -> np.ndarray:
    """The truth table the network computes on {0,1}ⁿ, in truth-table order."""
    return evaluate(network, inputs(network.n_inputs))


__all__ = ["AND", "AND_BIAS", "AND_WEIGHTS", "Layer", "NOT", "NOT_BIAS", "NOT_WEIGHTS", "Network", "OR",
           "OR_BIAS", "OR_WEIGHTS", "XOR", "check_table", "evaluate", "heaviside", "inputs", "minterm_layer",
           "or_layer", "realise", "table_of", "unit"]
