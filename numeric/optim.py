"""Deterministic first-order optimisers (gradient descent, minibatch SGD) on a flat parameter vector."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np


@dataclass(frozen=True)
class OptimResult:
    """Final parameters, losses (per GD step / per SGD epoch, index 0 = start; empty if no loss given),
    number of parameter updates made, and whether the stopping test was met."""

    theta: np.ndarray
    losses: np.ndarray
    steps: int
    converged: bool


def pack(w, b) -> np.ndarray:
    """(w, b) -> θ = [w..., b]: the bias last, matching the Hessian layout of the generated code."""
    return np.concatenate([np.ravel(np.asarray(w, dtype=float)), [float(b)]])


def unpack(theta):
    """θ -> (w, b), the inverse of `pack`."""
    theta = np.asarray(theta)
    return theta[:-1], theta[-1]


def inverse_time(t0: float) -> Callable[[int], float]:
    """Step multiplier 1/(1 + t/t0) for update t = 0, 1, ...: Σ steps diverges, Σ steps² does not
    (Robbins–Monro), so SGD's noise is averaged out instead of stalling at a noise floor."""
    t0 = float(t0)
    return lambda t: 1.0 / (1.0 + t / t0)


def gradient_descent(grad, theta0, *, lr, steps, loss=None, tol=None) -> OptimResult:
    """θ ← θ − lr·grad(θ) for at most `steps` updates.

    Stops early (converged=True) once ‖grad(θ)‖∞ ≤ tol; with tol=None it runs every step and
    converged says whether the parameters stayed finite. A non-finite θ stops the run (diverged).
    """
    theta = np.array(theta0, dtype=float)
    losses = [float(loss(theta))] if loss is not None else []
    converged, k = False, 0
    for k in range(1, steps + 1):
        g = np.asarray(grad(theta), dtype=float)
        if tol is not None and np.max(np.abs(g)) <= tol:
            converged, k = True, k - 1
            break
        theta = theta - lr * g
        if not np.all(np.isfinite(theta)):
            break
        if loss is not None:
            losses.append(float(loss(theta)))
    else:
        if tol is not None:
            converged = bool(np.max(np.abs(grad(theta))) <= tol)
        else:
            converged = bool(np.all(np.isfinite(theta)))
    return OptimResult(theta=theta, losses=np.array(losses), steps=k, converged=converged)


def gd_path(grad, theta0, *, lr, steps) -> np.ndarray:
    """The iterates θ_0 .. θ_steps of θ ← θ − lr·grad(θ), stacked (steps + 1 rows): what a picture of GD
    draws. No stopping test; a non-finite iterate ends the path there (it is the last row). ValueError for steps
    not an integer >= 0, lr not finite, or grad(θ) not of θ's shape."""
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 0:
        raise ValueError(f"steps must be an integer >= 0; got {steps!r}")
    if isinstance(lr, bool) or not isinstance(lr, (int, float, np.integer, np.floating)) or not np.isfinite(lr):
        raise ValueError(f"lr must be a finite real number; got {lr!r}")
    theta = np.array(theta0, dtype=float)
    path = [theta]
    for _ in range(steps):
        g = np.asarray(grad(theta), dtype=float)
        if g.shape != theta.shape:       # broadcasting would silently change θ's shape
            raise ValueError(f"grad(theta) has shape {g.shape}, theta has shape {theta.shape}")
        theta = theta - lr * g
        path.append(theta)
        if not np.all(np.isfinite(theta)):
            break
    return np.array(path)


def sgd(grad_batch, theta0, n, *, lr, epochs, batch_size=1, seed=0, loss=None, schedule=None,
        average=False, average_from=0, on_update=None) -> OptimResult:
    """Minibatch SGD over n rows: each epoch visits a fresh permutation from
    np.random.default_rng(seed) in batches of `batch_size` (sampling without replacement).

    Step at update t (t = 0, 1, ... across epochs) is lr * schedule(t) (schedule=None: constant lr).
    average=True returns the Polyak–Ruppert mean of the iterates after update `average_from`;
    per-epoch losses are then taken at that running mean, since that is the estimate returned.
    converged means the run finished with finite parameters (SGD has no stopping test).
    on_update(t, θ), if given, is called after every update t = 1, 2, ... with the estimate returned so far
    (the running mean when averaging): for curves finer than one point per epoch.
    """
    if on_update is not None and not callable(on_update):
        raise TypeError(f"on_update must be callable (t, theta), not {type(on_update).__name__}")
    rng = np.random.default_rng(seed)
    theta = np.array(theta0, dtype=float)
    avg, n_avg = theta.copy(), 0

    def current():
        return avg if average and n_avg else theta

    def shown():
        """current() read-only: a callback that writes into θ must not change the run."""
        view = current().view()
        view.flags.writeable = False
        return view

    losses = [float(loss(theta))] if loss is not None else []
    t = 0
    finite = True
    for _ in range(epochs):
        perm = rng.permutation(n)
        for start in range(0, n, batch_size):
            idx = perm[start:start + batch_size]
            step = lr * (schedule(t) if schedule is not None else 1.0)
            theta = theta - step * np.asarray(grad_batch(theta, idx), dtype=float)
            t += 1
            if not np.all(np.isfinite(theta)):
                finite = False
                break
            if average and t > average_from:
                n_avg += 1
                avg = avg + (theta - avg) / n_avg
            if on_update is not None:
                on_update(t, shown())
        if not finite:
            break
        if loss is not None:
            losses.append(float(loss(current())))
    return OptimResult(theta=current().copy(), losses=np.array(losses), steps=t, converged=finite)


__all__ = ["OptimResult", "gradient_descent", "gd_path", "sgd", "pack", "unpack", "inverse_time"]
