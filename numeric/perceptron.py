"""Rosenblatt's perceptron (R2), step for step as scikit-learn's Perceptron, and Novikoff's mistake bound.

The rule, with labels t ∈ {−1, 1}, visits the rows in order, epoch after epoch, from w = 0, b = 0:
p = wᵀx + b; if t·p ≤ 0 then w ← w + η t x, b ← b + η t. It updates on every misclassified row AND on
ties p = 0, whatever t (the first row, at w = 0, is always an update). That is the condition of
Novikoff's proof and of scikit-learn's `Perceptron` (loss "perceptron" = Hinge(threshold=0):
gradient −t when t·p ≤ 0), so with `Perceptron(shuffle=False, tol=None, eta0=η, max_iter=epochs,
penalty=None, fit_intercept=True)` the weights agree bit for bit.

Prediction conventions differ at p = 0: the lecture's unit fires when p ≥ 0 (H(p) = 1{p ≥ 0}, `predict`),
scikit-learn predicts the positive class only when p > 0 (`predict_sklearn`). Neither changes the
training rule, which treats p = 0 as a mistake for both labels.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

_INF = float("inf")

#: the label sets fit accepts, each as (negative, positive): t = −1 for the first, +1 for the second
LABEL_SETS = ((0, 1), (-1, 1))


@dataclass(frozen=True)
class PerceptronFit:
    """Weights after `epochs` passes, and the number of updates (t·p ≤ 0) per epoch and in total."""

    w: np.ndarray
    b: float
    mistakes: int
    mistakes_per_epoch: np.ndarray
    eta: float
    labels: tuple                   # (negative, positive) label of the data fitted: (0, 1) or (−1, 1)

    @property
    def epochs(self) -> int:
        return len(self.mistakes_per_epoch)

    @property
    def converged(self) -> bool:
        """True when the last epoch made no update: every row has t·p > 0, so the rule has stopped."""
        return bool(self.mistakes_per_epoch[-1] == 0)

    def decision_function(self, X) -> np.ndarray:
        return np.asarray(X, dtype=np.float64) @ self.w + self.b

    def predict(self, X) -> np.ndarray:
        """The lecture's unit H(wᵀx + b): the positive label where wᵀx + b ≥ 0."""
        return np.where(self.decision_function(X) >= 0, self.labels[1], self.labels[0])

    def predict_sklearn(self, X) -> np.ndarray:
        """scikit-learn's convention: the positive label only where wᵀx + b > 0."""
        return np.where(self.decision_function(X) > 0, self.labels[1], self.labels[0])


def signed_labels(y) -> tuple[np.ndarray, tuple]:
    """y in {0, 1} or {−1, 1} as t in {−1, 1} (float64), with the label set it came from."""
    y = np.asarray(y)
    if y.ndim != 1 or y.dtype.kind not in "biuf":
        raise ValueError(f"y must be a 1-D numeric array of labels, got shape {y.shape}, dtype {y.dtype}")
    values = set(np.unique(y).tolist())
    for neg, pos in LABEL_SETS:
        if values <= {neg, pos}:
            return np.where(y == pos, 1.0, -1.0), (neg, pos)
    raise ValueError(f"labels must be in {{0, 1}} or {{-1, 1}}; got {sorted(values)}")


def fit(X, y, epochs: int, eta: float = 1.0) -> PerceptronFit:
    """Run the perceptron rule for `epochs` passes over the rows of X in order (no shuffling, no early stop)."""
    X = np.asarray(X)
    if X.ndim != 2 or X.dtype.kind not in "biuf":
        raise ValueError(f"X must be a 2-D numeric array (N, p), got shape {X.shape}, dtype {X.dtype}")
    X = X.astype(np.float64)
    if not np.all(np.isfinite(X)):
        raise ValueError("X has a non-finite entry")
    t, labels = signed_labels(y)
    if len(t) != len(X):
        raise ValueError(f"X has {len(X)} rows but y has {len(t)} labels")
    if isinstance(epochs, bool) or not isinstance(epochs, (int, np.integer)) or epochs < 1:
        raise ValueError(f"epochs must be a positive integer, not {epochs!r}")
    if isinstance(eta, (bool, np.bool_)) or not isinstance(eta, (int, float, np.integer, np.floating)):
        raise TypeError(f"eta must be a real number, not {type(eta).__name__}")
    eta = float(eta)
    if not (np.isfinite(eta) and eta > 0):
        raise ValueError(f"eta must be a positive finite number, not {eta!r}")

    # Python floats are IEEE doubles: the dot product is summed left to right as scikit-learn's
    # WeightVector.dot does (np.dot may pair terms differently, and one last-bit difference can flip a
    # tie t·p ≤ 0 and with it the whole trajectory). Each update is w_j + x_j·(η t), also as there.
    rows, ts = X.tolist(), t.tolist()
    w, b = [0.0] * X.shape[1], 0.0
    per_epoch = []
    for _ in range(int(epochs)):
        count = 0
        for x, ti in zip(rows, ts):
            p = 0.0
            for wj, xj in zip(w, x):
                p += wj * xj
            p += b
            if not -_INF < p < _INF:         # Python floats overflow silently, and a NaN p would never update
                raise ValueError("w.x + b overflowed float64 (|eta * x| too large for this many updates): "
                                 "scale X or eta")
            if ti * p <= 0.0:
                c = eta * ti
                w = [wj + xj * c for wj, xj in zip(w, x)]
                b += c
                count += 1
        per_epoch.append(count)
    per_epoch = np.asarray(per_epoch, dtype=np.int64)
    if not (all(np.isfinite(w)) and np.isfinite(b)):     # Python floats overflow to inf silently, then inf − inf
        raise ValueError("the weights overflowed float64 (|eta * x| too large for this many updates): scale X or eta")
    return PerceptronFit(np.asarray(w), float(b), int(per_epoch.sum()), per_epoch, eta, labels)


# ---- real separable data ----------------------------------------------------------------------------------

#: iris feature names, by column
IRIS_FEATURES = ("sepal length", "sepal width", "petal length", "petal width")


def iris_setosa(features=(0, 1, 2, 3)):
    """Iris setosa (y = 1) against versicolor and virginica (y = 0), raw centimetres, rows in file order.

    Linearly separable on all four features and on every pair of them; on sepal length and width alone
    the margin is small (γ ≈ 0.04 with the bias counted), so the perceptron needs hundreds of epochs."""
    from sklearn.datasets import load_iris

    from .data import Dataset

    X, y = load_iris(return_X_y=True)
    features = tuple(int(j) for j in features)
    names = ", ".join(IRIS_FEATURES[j] for j in features)
    return Dataset("iris-setosa", X[:, list(features)], (y == 0).astype(np.int64),
                   f"iris setosa vs versicolor+virginica, N={len(y)}, p={len(features)} ({names}, cm)")


# ---- Novikoff's bound -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class NovikoffBound:
    """(R/γ)² for data augmented with a constant 1: R = max ‖(x, 1)‖, γ = min t (wᵀx + b) / ‖(w, b)‖."""

    R: float
    gamma: float
    w: np.ndarray
    b: float

    @property
    def bound(self) -> float:
        return (self.R / self.gamma) ** 2


def augmented(X) -> np.ndarray:
    """Rows (x, 1): the bias becomes one more weight, so the rule starts at (w, b) = 0 as Novikoff's proof."""
    X = np.asarray(X, dtype=np.float64)
    return np.column_stack([X, np.ones(len(X))])


def novikoff(X, y, w, b) -> NovikoffBound:
    """The bound given by the separator (w, b); ValueError if it does not separate (γ ≤ 0).

    Any separator gives a valid bound (the proof only needs some unit vector u with t uᵀx̃ ≥ γ on every
    row); the augmented max-margin separator (`max_margin`) gives the smallest."""
    t, _ = signed_labels(y)
    Xa = augmented(X)
    v = np.append(np.asarray(w, dtype=np.float64), float(b))
    gamma = float(np.min(t * (Xa @ v)) / np.linalg.norm(v))
    if not gamma > 0:
        raise ValueError(f"(w, b) does not separate the data: min t (w.x + b)/||(w, b)|| = {gamma:.3g}")
    R = float(np.max(np.linalg.norm(Xa, axis=1)))
    return NovikoffBound(R, gamma, v[:-1], float(v[-1]))


def max_margin(X, y) -> tuple[np.ndarray, float]:
    """(w, b) maximising min t (wᵀx + b)/‖(w, b)‖: min ‖v‖ subject to t vᵀx̃ ≥ 1, v = (w, b).

    This is the hard-margin SVM of the augmented rows with no free intercept (the bias counts in the
    norm, as in Novikoff's bound; scikit-learn's SVC leaves its intercept out of the norm instead).
    It is a least-distance program, solved exactly by Lawson and Hanson's reduction to nonnegative
    least squares (SciPy's nnls): with G = diag(t) X̃, u ≥ 0 minimising ‖[Gᵀ; 1ᵀ] u − e‖ (e the last unit
    vector), r = [Gᵀ; 1ᵀ] u − e, the solution is v = −r[:-1]/r[-1]; r = 0 means no separator exists."""
    from scipy.optimize import nnls

    t, _ = signed_labels(y)
    G = t[:, None] * augmented(X)
    E = np.vstack([G.T, np.ones(len(G))])
    f = np.zeros(E.shape[0])
    f[-1] = 1.0
    u, _ = nnls(E, f, maxiter=50 * E.shape[1])
    r = E @ u - f
    if not r[-1] < -1e-12:
        raise ValueError("the data are not linearly separable (least-distance program infeasible)")
    v = -r[:-1] / r[-1]
    return v[:-1], float(v[-1])


def kkt_residual(X, y, w, b) -> float:
    """How far (w, b) is from optimal for `max_margin`, scaled so min t vᵀx̃ = 1: the relative residual of
    v = Σ αᵢ tᵢ x̃ᵢ with αᵢ ≥ 0 on the active rows (NNLS), which is 0 at the optimum (KKT, a convex QP)."""
    from scipy.optimize import nnls

    t, _ = signed_labels(y)
    G = t[:, None] * augmented(X)
    v = np.append(np.asarray(w, dtype=np.float64), float(b))
    m = G @ v
    v, m = v / m.min(), m / m.min()
    active = m <= 1 + 1e-7
    _, res = nnls(G[active].T, v)
    return float(res / np.linalg.norm(v))


__all__ = ["IRIS_FEATURES", "LABEL_SETS", "NovikoffBound", "PerceptronFit", "augmented", "fit", "iris_setosa", "kkt_residual", "max_margin", "novikoff",
           "signed_labels"]
