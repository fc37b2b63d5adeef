"""Rewrites to accurate forms, then lowering to NumPy primitives: both tables, each entry a proved identity."""
from __future__ import annotations

import sympy as sp

from ..functions import log1p, sigmoid, sigmoid_prime, softplus, where

u = sp.Wild("u")

# (name, pattern, replacement): applied to whatever a derivation produces, before lowering.
REWRITES = (
    ("log(1+e^u) = softplus(u)", sp.log(1 + sp.exp(u)), softplus(u)),
    ("log σ(u) = −softplus(−u)", sp.log(sigmoid(u)), -softplus(-u)),
    ("log(1−σ(u)) = −softplus(u)", sp.log(1 - sigmoid(u)), -softplus(u)),
    ("1 − σ(u) = σ(−u)", 1 - sigmoid(u), sigmoid(-u)),
    ("σ(u)σ(−u) = σ'(u)", sigmoid(u) * sigmoid(-u), sigmoid_prime(u)),
)


def _e(z):
    # e^{-|z|} as exp(where(z >= 0, -z, z)) rather than via |z|: autograd then takes the right-hand
    # derivative at 0, the true one for these smooth functions (its |z|' = 0 would make σ'(0) = 0).
    return sp.exp(where(sp.GreaterThan(z, 0), -z, z))


# function -> its stable form in NumPy primitives; every branch stays finite for all finite z.
LOWERINGS = {
    softplus: lambda z: where(sp.GreaterThan(z, 0), z, 0) + log1p(_e(z)),
    sigmoid: lambda z: where(sp.GreaterThan(z, 0), 1, _e(z)) / (1 + _e(z)),
    sigmoid_prime: lambda z: _e(z) / (1 + _e(z)) ** 2,
}


def rewrite(expr):
    for _ in range(4):
        new = expr
        for _, pattern, replacement in REWRITES:
            new = new.replace(pattern, replacement)
        if new == expr:
            return expr
        expr = new
    return expr


def lower(expr):
    for f, form in LOWERINGS.items():
        expr = expr.replace(f, form)
    return expr


def proofs():
    """Each rewrite and lowering as a claim (lhs, rhs, why) on a real symbol, for the verifier."""
    z = sp.Symbol("z", real=True)
    out = [(p.xreplace({u: z}), r.xreplace({u: z}), f"rewrite {name}") for name, p, r in REWRITES]
    out += [(f(z), form(z), f"stable form of {f.__name__}: factor out $e^{{\\max(z,0)}}$, so no exp overflows")
            for f, form in LOWERINGS.items()]
    return out
