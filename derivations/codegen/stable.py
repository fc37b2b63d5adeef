"""Rewrites to accurate forms, then lowering to NumPy primitives: two registries, each entry a proved identity.

The engine's own functions (derivations.functions) register their forms below; a library module
registers the forms of the functions it defines next to them, autograd's ``defvjp`` style:
``lowering(tanh_prime, lambda z: ...)``, ``rewrite_rule(name, pattern, replacement)``. The
``stable-forms`` derivation proves every registered entry, so a new form is proved without a list.
"""
from __future__ import annotations

import sympy as sp

from ..functions import log1p, sigmoid, sigmoid_prime, softplus, where

u = sp.Wild("u")

# (name, pattern, replacement), in order of registration: applied to whatever a derivation produces,
# before lowering. Filled by rewrite_rule(); read through rewrites(), which loads the library first.
REWRITES: list = []

# function -> (its stable form in NumPy primitives, why it is stable), in order of registration.
# Filled by lowering(); read through lowerings(). LOWERINGS holds the forms alone, for lift() and callers.
LOWERINGS: dict = {}
_WHY: dict = {}
# rewrite name -> its justification in words and LaTeX, when "rewrite lhs as rhs" would not say what is proved
_REWRITE_WHY: dict = {}

_DEFAULT_WHY = "factor out $e^{\\max(z,0)}$, so no exponential overflows"


def rewrite_rule(name: str, pattern, replacement, why: str | None = None):
    """Register the rewrite pattern -> replacement (written in the Wild ``u``), proved in ``stable-forms``;
    ``why`` (LaTeX) says what the identity is when the two sides print alike."""
    if any(n == name for n, _, _ in REWRITES):
        raise ValueError(f"rewrite {name!r} is registered twice")
    REWRITES.append((name, sp.sympify(pattern, strict=True), sp.sympify(replacement, strict=True)))
    if why is not None:
        _REWRITE_WHY[name] = why


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


rewrite_rule("log(1 + exp u) = softplus(u)", sp.log(1 + sp.exp(u)), softplus(u))
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


#: a kink's comparison in KINKS, as LaTeX
_OP_LATEX = {"<": "<", "<=": r"\le", ">": ">", ">=": r"\ge"}


def _tex(e):
    return sp.latex(e).replace(r" \right", r"\right")       # log(e^z + 1), not log(e^z + 1 )


def _rewrite_why(name, lhs, rhs):
    return _REWRITE_WHY.get(name) or r"rewrite $%s$ as $%s$" % (_tex(lhs), _tex(rhs))


def proofs():
    """Each registered rewrite and lowering (the library's included) as a claim (lhs, rhs, why) on a real
    symbol, for the verifier; each why is LaTeX, the functions named as the statements name them."""
    z = sp.Symbol("z", real=True)
    out = []
    for name, p, r in rewrites():
        lhs, rhs = p.xreplace({u: z}), r.xreplace({u: z})
        out.append((lhs, rhs, _rewrite_why(name, lhs, rhs)))
    out += [(f(z), form(z), r"stable form of $%s$: %s" % (_tex(f(z)), _WHY[f])) for f, form in lowerings().items()]
    out += [(f(z), form(z), r"whole-array form of $%s$: %s" % (_tex(f(z)), _WHY[("array", f)]))
            for f, form in ARRAY_FORMS.items()]
    out += [(f(z, 0), sp.Piecewise((0, sp.Rel(z, 0, op)), (z, True)),
             r"$%s$ with one comparison: $0$ where $z %s 0$, else $z$ (a NaN passes through)"
             % (_tex(f(z, 0)), _OP_LATEX[op]))
            for f, op in KINKS.items()]
    return out


# The NumPy route's forms (NumPy float arrays): fewer ufunc calls than the lowerings, since at N <= 100 each call costs
# more than its arithmetic. SciPy's log_expit is accurate everywhere (1 ulp, no warning for NaN or +-inf); its expit
# is not (0 for z < -709, where sigma is subnormal), nor is np.logaddexp (an "invalid" warning for NaN). So sigma
# comes from log_expit too: sigma(z) = 1 - sigma(-z) = -expm1(log sigma(-z)), whose relative error is at most that
# of log sigma(-z) plus expm1's (the factor e^L |L| / |e^L - 1| is below 1 for L < 0), and the loss of logistic
# regression shares log_expit between softplus and sigma. These forms are identities of sigma and softplus, not
# proved here: they are held to the lowerings' <= 4 ulps against mpmath, at the infinities and NaN too, by
# tests/test_generated.py.
class log_expit(sp.Function):
    """scipy.special.log_expit(z) = log sigmoid(z)."""


class expm1(sp.Function):
    """np.expm1(z) = e^z - 1."""


def _e_abs(z):
    return sp.exp(-sp.Abs(z))       # e^{-|z|}: one exp, never of a positive number


class expit(sp.Function):
    """sigma(z) on a NumPy array: scipy.special.expit, with e^z where it returns 0 (the module's helper _sigmoid)."""


KERNEL_FORMS = {sigmoid: expit, softplus: lambda z: -log_expit(-z),
                sigmoid_prime: lambda z: _e_abs(z) / (1 + _e_abs(z)) ** 2}


def kernel_form(expr, beside=()):
    """A derivation's scalar closed form for the NumPy route: proved rewrites, then KERNEL_FORMS where one computes a
    function (log sigma = -softplus(-z) becomes log_expit(z) itself; sigma(z) next to softplus(z), in `expr` or in
    an expression `beside` it that the same code computes, shares its log_expit: -expm1(log_expit(-z)), one call
    more), the lowerings elsewhere."""
    expr = rewrite(expr)
    shared = {f.args[0] for e in (expr, *beside) for f in rewrite(e).atoms(softplus)}
    expr = expr.replace(lambda e: isinstance(e, sigmoid) and e.args[0] in shared,
                        lambda e: -expm1(log_expit(-e.args[0])))
    for f, form in KERNEL_FORMS.items():
        expr = expr.replace(f, form)
    return lower(expr).replace(_negated_sum, _absorb_sign)


def _negated_sum(e):
    """-1 times a product holding a sum with a constant term, such as -(1 - 2y)(Xw + b)."""
    return e.is_Mul and e.args[0] == -1 and any(a.is_Add and a.as_coeff_Add()[0] != 0 for a in e.args[1:])


def _absorb_sign(e):
    # -(1 - 2y)(Xw + b) as (2y - 1)(Xw + b): the sign goes into the sum, so no array is negated on its own, and a
    # sum that appears with both signs (sigma's and softplus's arguments in the loss) is one statement
    k = next(i for i, a in enumerate(e.args[1:], 1) if a.is_Add and a.as_coeff_Add()[0] != 0)
    return sp.Mul(*e.args[1:k], -e.args[k], *e.args[k + 1:])


# The NumPy route's forms for long arrays: the cheapest per entry rather than the fewest calls. SciPy's log_expit
# costs about 28 ns an entry (an exp and a log1p of its own), expm1 14, where e = exp(-|z|) once (9.5 ns) serves
# softplus(z) = max(z, 0) + log1p(e) (6 ns more) and sigma(z) = where(z < 0, e, 1)/(1 + e) together: about 20 ns an
# entry against 42 for the loss and its gradient (measured at N = 10^4), for 6 calls more (about 3 us).
def _long_sigmoid(z):
    return where(z < 0, _e_abs(z), 1) / (1 + _e_abs(z))


LONG_FORMS = {sigmoid: _long_sigmoid, softplus: lambda z: sp.Max(z, 0) + log1p(_e_abs(z)),
              sigmoid_prime: lambda z: _e_abs(z) / (1 + _e_abs(z)) ** 2}


def long_form(expr, beside=()):
    """A derivation's scalar closed form for long NumPy arrays (LONG_FORMS), the lowerings elsewhere."""
    expr = rewrite(expr)
    for f, form in LONG_FORMS.items():
        expr = expr.replace(f, form)
    return lower(expr)
