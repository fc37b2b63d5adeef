"""Rewrites to accurate forms, then lowering to NumPy primitives: two registries, each entry a proved identity.

The engine's own functions (derivations.functions) register their forms below; a library module
registers the forms of the functions it defines next to them, autograd's ``defvjp`` style:
``lowering(tanh_prime, lambda z: ...)``, ``rewrite_rule(name, pattern, replacement)``. The
``stable-forms`` derivation proves every registered entry, so a new form is proved without a list.
"""
from __future__ import annotations

import sympy as sp

from ..functions import log1p, sigmoid, sigmoid_prime, softplus

u = sp.Wild("u")

# (name, pattern, replacement), in order of registration: applied to whatever a derivation produces,
# before lowering. Filled by rewrite_rule(); read through rewrites(), which loads the library first.
REWRITES: list = []

# function -> (its stable form in NumPy primitives, why it is stable), in order of registration.
# Filled by lowering(); read through lowerings(). LOWERINGS holds the forms alone, for lift() and callers.
LOWERINGS: dict = {}
_WHY: dict = {}

_DEFAULT_WHY = "factor out $e^{\\max(z,0)}$, so no exp overflows"


def rewrite_rule(name: str, pattern, replacement):
    """Register the rewrite pattern -> replacement (written in the Wild ``u``), proved in ``stable-forms``."""
    if any(n == name for n, _, _ in REWRITES):
        raise ValueError(f"rewrite {name!r} is registered twice")
    REWRITES.append((name, sp.sympify(pattern, strict=True), sp.sympify(replacement, strict=True)))


def lowering(f, form, why: str = _DEFAULT_WHY):
    """Register the stable form of the SymPy function ``f``: ``form(*args)`` builds it from f's arguments,
    in NumPy primitives, finite for every finite argument; proved in ``stable-forms``. Returns ``form``."""
    if not (isinstance(f, sp.FunctionClass) and callable(form)):
        raise TypeError(f"lowering(f, form) takes a SymPy function and a callable, got {f!r}, {form!r}")
    if f in LOWERINGS:
        raise ValueError(f"a stable form of {f.__name__} is registered twice")
    LOWERINGS[f] = form
    _WHY[f] = why
    return form


def _load():
    """Import the library, whose modules register their forms: the tables are complete only after."""
    from .. import registry
    registry.names()


def rewrites() -> list:
    _load()
    return list(REWRITES)


def lowerings() -> dict:
    _load()
    return dict(LOWERINGS)


def _e(z):
    # e^{-|z|} as exp(min(z, 0) - max(z, 0)): exact in floating point (one operand is 0), and it
    # shares min(z, 0) and max(z, 0) with the other branches.
    return sp.exp(sp.Min(z, 0) - sp.Max(z, 0))


rewrite_rule("log(1+e^u) = softplus(u)", sp.log(1 + sp.exp(u)), softplus(u))
rewrite_rule("log σ(u) = −softplus(−u)", sp.log(sigmoid(u)), -softplus(-u))
rewrite_rule("log(1−σ(u)) = −softplus(u)", sp.log(1 - sigmoid(u)), -softplus(u))
rewrite_rule("1 − σ(u) = σ(−u)", 1 - sigmoid(u), sigmoid(-u))
rewrite_rule("σ(u)σ(−u) = σ'(u)", sigmoid(u) * sigmoid(-u), sigmoid_prime(u))

# Every branch stays finite for all finite z, and takes its exact limit at z = ±inf (the kinks are
# written so, see Block). NumPy calls cost more than the arithmetic for short arrays, so the forms share
# min/max and need no where() of their own: σ(z) = e^{min(z,0)} / (1 + e^{-|z|}) is σ's two branches in
# one expression.
lowering(softplus, lambda z: sp.Max(z, 0) + log1p(_e(z)))
lowering(sigmoid, lambda z: sp.exp(sp.Min(z, 0)) / (1 + _e(z)))
lowering(sigmoid_prime, lambda z: _e(z) / (1 + _e(z)) ** 2)


# max(a, 0) and min(a, 0) as one comparison and one where each, `np.where(a < 0.0, 0.0, a)` and
# `np.where(a >= 0.0, 0.0, a)` (see Block for why): function -> the comparison under which the kink is 0
# (elsewhere it is a, NaN included: both comparisons are false there, so a NaN goes through).
KINKS = {sp.Max: "<", sp.Min: ">="}


def _replacer(pattern, replacement):
    """(query, value) for ``expr.replace``: pattern -> replacement, where a node is matched only if it has the
    pattern's head and, for a sum or product with no bare Wild term, as many terms. SymPy's matcher would
    otherwise try every pairing of terms at every sum and product of the expression (seconds on a deep
    chain) to reach the same answer: without a Wild term to absorb the rest, no other node can match."""
    head = type(pattern)
    count = len(pattern.args) if (pattern.is_Add or pattern.is_Mul) and \
        not any(isinstance(a, sp.Wild) for a in pattern.args) else None
    found = {}

    def query(node):
        if type(node) is not head or (count is not None and len(node.args) != count):
            return False
        found[node] = node.match(pattern)
        return found[node] is not None

    return query, lambda node: replacement.xreplace(found.pop(node, None) or node.match(pattern))


def rewrite(expr):
    """Every registered rewrite applied, in order of registration, until nothing changes (at most 4 passes)."""
    rules = [_replacer(pattern, replacement) for _, pattern, replacement in rewrites()]
    for _ in range(4):
        new = expr
        for query, value in rules:
            new = new.replace(query, value)
        if new == expr:
            return expr
        expr = new
    return expr


def lower(expr, forms=None):
    """Each application of a function in `forms` (default: every registered lowering) replaced by its form,
    in order of registration."""
    for f, form in (lowerings() if forms is None else forms).items():
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


# Forms for whole-array code that prints max and min as np.maximum and np.minimum (Block(kinks=False), the
# network modules, whose pre-activations are finite): there a where() with scalar branches costs several times
# np.maximum per entry. function -> form, each proved in ``stable-forms`` like the lowerings; read through
# array_lowerings(), the lowerings with these in their place.
ARRAY_FORMS: dict = {}


def array_form(f, form, why: str):
    """Register the whole-array form of the SymPy function ``f`` (see ARRAY_FORMS). Returns ``form``."""
    if f in ARRAY_FORMS:
        raise ValueError(f"an array form of {f.__name__} is registered twice")
    ARRAY_FORMS[f] = form
    _WHY[("array", f)] = why
    return form


def array_lowerings() -> dict:
    """The lowerings, each function with an array form lowered to that form instead."""
    out = lowerings()
    out.update(ARRAY_FORMS)
    return out


def proofs():
    """Each registered rewrite and lowering (the library's included) as a claim (lhs, rhs, why) on a real
    symbol, for the verifier."""
    z = sp.Symbol("z", real=True)
    out = [(p.xreplace({u: z}), r.xreplace({u: z}), f"rewrite {name}") for name, p, r in rewrites()]
    out += [(f(z), form(z), f"stable form of {f.__name__}: {_WHY[f]}") for f, form in lowerings().items()]
    out += [(f(z), form(z), f"array form of {f.__name__}: {_WHY[('array', f)]}") for f, form in ARRAY_FORMS.items()]
    out += [(f(z, 0), sp.Piecewise((0, sp.Rel(z, 0, op)), (z, True)), f"{f.__name__}(z, 0) is written where(z {op} 0, 0, z)")
            for f, op in KINKS.items()]
    return out
