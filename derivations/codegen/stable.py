"""Rewrites to accurate forms, then lowering to NumPy primitives: both tables, each entry a proved identity."""
from __future__ import annotations

import sympy as sp

from ..functions import log1p, sigmoid, sigmoid_prime, softplus

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
    # e^{-|z|} as exp(min(z, 0) - max(z, 0)): exact in floating point (one operand is 0), it shares
    # min/max with the other branches, and autograd splits a tie 1/2 : 1/2, so at z = 0 it sees
    # (e^{-|z|})' = 0 and (e^{min(z,0)})' = 1/2, which gives the true σ'(0) = 1/4 and softplus'(0) = 1/2.
    return sp.exp(sp.Min(z, 0) - sp.Max(z, 0))


# function -> its stable form in NumPy primitives; every branch stays finite for all finite z.
# NumPy calls cost more than the arithmetic for short arrays, so the forms share min/max and use no
# where(): σ(z) = e^{min(z,0)} / (1 + e^{-|z|}) is σ's two branches in one expression.
LOWERINGS = {
    softplus: lambda z: sp.Max(z, 0) + log1p(_e(z)),
    sigmoid: lambda z: sp.exp(sp.Min(z, 0)) / (1 + _e(z)),
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
