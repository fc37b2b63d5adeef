"""Real two-class data sets that ship with scikit-learn, prepared the same way for every check."""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np


@dataclass(frozen=True)
class Dataset:
    name: str
    X: np.ndarray
    y: np.ndarray          # labels in {0, 1}
    description: str


@lru_cache(maxsize=2)     # loaded once per process: several checks train on it
def breast_cancer(standardize: bool = True) -> Dataset:
    """Wisconsin breast cancer (569 × 30), standardised columns: logistic regression's data."""
    from sklearn.datasets import load_breast_cancer

    X, y = load_breast_cancer(return_X_y=True)
    if standardize:
        X = (X - X.mean(axis=0)) / X.std(axis=0)
    return Dataset("breast_cancer", X, y.astype(float), f"breast cancer, N={len(y)}, p={X.shape[1]}, standardised")


def iris_two_class(features=(2, 3)) -> Dataset:
    """Iris versicolor (0) vs virginica (1) on petal length and width: LDA's data (p = 2, plottable)."""
    from sklearn.datasets import load_iris

    X, y = load_iris(return_X_y=True)
    keep = y > 0
    X = X[keep][:, list(features)]
    return Dataset("iris", X, (y[keep] == 2).astype(float),
                   f"iris versicolor vs virginica, N={keep.sum()}, p={len(features)} (petal length, width)")


def wine_two_class() -> Dataset:
    """Wine classes 0 vs 1 (130 × 13): LDA in higher dimension."""
    from sklearn.datasets import load_wine

    X, y = load_wine(return_X_y=True)
    keep = y < 2
    return Dataset("wine", X[keep], y[keep].astype(float), f"wine class 0 vs 1, N={keep.sum()}, p={X.shape[1]}")
