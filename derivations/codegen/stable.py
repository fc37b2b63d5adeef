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
    # e^{-|z|} as exp(min(z, 0) - max(z, 0)): exact in floating point (one operand is 0), and it
    # shares min(z, 0) and max(z, 0) with the other branches.
    return sp.exp(sp.Min(z, 0) - sp.Max(z, 0))


# function -> its stable form in NumPy primitives; every branch stays finite for all finite z.
# NumPy calls cost more than the arithmetic for short arrays, so the forms share min/max and use no
# where(): σ(z) = e^{min(z,0)} / (1 + e^{-|z|}) is σ's two branches in one expression.
LOWERINGS = {
    softplus: lambda z: sp.Max(z, 0) + log1p(_e(z)),
    sigmoid: lambda z: sp.exp(sp.Min(z, 0)) / (1 + _e(z)),
    sigmoid_prime: lambda z: _e(z) / (1 + _e(z)) ** 2,
}


# max(a, 0) and min(a, 0) as a times one comparison, `a*(a >= 0.0)` and `a*(a < 0.0)` (see Block
# for why): function -> the comparison that selects a.
KINKS = {sp.Max: ">=", sp.Min: "<"}


def rewrite(expr):
    for _ in range(4):
        new = expr
        for _, pattern, replacement in REWRITES:
            new = new.replace(pattern, replacement)
        if new == expr:
            return expr
        expr = new
    return expr


def lower(expr, forms=None):
    """Each application of a function in `forms` (default LOWERINGS) replaced by its form, in table order."""
    for f, form in (LOWERINGS if forms is None else forms).items():
        expr = expr.replace(f, form)
    return expr


def lift(exprs, forms):
    """Lowering for deeply nested input: each application of a function in `forms` becomes a symbol defined
    by its form, innermost first and each once, so nested forms stay linear in size (where `lower` copies
    an argument into every place its form uses it) and each form is built on real symbols, cheap for
    SymPy to take apart.  Returns ([(symbol, definition), ...] in order of definition, the expressions)."""
    defs: dict = {}

    def one(node):
        if node not in defs:
            defs[node] = (sp.Symbol(f"_l{len(defs)}", real=True), forms[type(node)](*node.args))
        return defs[node][0]

    out = [e.replace(lambda n: type(n) in forms, one) for e in exprs]
    return list(defs.values()), out


def proofs():
    """Each rewrite and lowering as a claim (lhs, rhs, why) on a real symbol, for the verifier."""
    z = sp.Symbol("z", real=True)
    out = [(p.xreplace({u: z}), r.xreplace({u: z}), f"rewrite {name}") for name, p, r in REWRITES]
    out += [(f(z), form(z), f"stable form of {f.__name__}: factor out $e^{{\\max(z,0)}}$, so no exp overflows")
            for f, form in LOWERINGS.items()]
    out += [(f(z, 0), sp.Piecewise((z, sp.Rel(z, 0, op)), (0, True)), f"{f.__name__}(z, 0) is written z*(z {op} 0)")
            for f, op in KINKS.items()]
    return out
