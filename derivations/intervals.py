"""Rigorous signs of constant SymPy expressions: mpmath's interval arithmetic, outward rounded, node by node."""
from __future__ import annotations

import mpmath
import sympy as sp

iv = mpmath.iv

PRECISIONS = (30, 60, 120)   # decimal digits tried in turn: an enclosure that still straddles 0 decides nothing


def _cosine_side(x):
    """sqrt(1 - x²) for an enclosure within [-1, 1], the other side of acos x and asin x in atan2."""
    if not (x.a >= -1 and x.b <= 1):
        raise _Undecided("acos or asin outside [-1, 1]")
    return _sqrt(1 - x ** 2)


def _acos(x):
    return iv.atan2(_cosine_side(x), x)


def _asin(x):
    return iv.atan2(x, _cosine_side(x))


def _sqrt(x):
    if not x.a >= 0:
        raise _Undecided("a square root of an interval reaching below 0")
    return iv.sqrt(x)


def _log(x):
    if not x.a > 0:
        raise _Undecided("a log of an interval reaching 0")
    return iv.log(x)


# SymPy function -> its interval counterpart (each outward rounded by mpmath; acos, asin, atan through atan2).
FUNCTIONS = {sp.cos: iv.cos, sp.sin: iv.sin, sp.tan: iv.tan, sp.exp: iv.exp, sp.log: _log,
             sp.atan: lambda x: iv.atan2(x, iv.mpf(1)), sp.acos: _acos, sp.asin: _asin, sp.Abs: abs}
CONSTANTS = {sp.pi: lambda: iv.pi, sp.E: lambda: iv.e}


class _Undecided(Exception):
    """A node the evaluator does not enclose (unknown function, a domain it cannot certify)."""


def _power(base, exp):
    if exp.is_Integer:
        n = int(exp)
        if n < 0:
            if base.a <= 0 <= base.b:
                raise _Undecided("1/0 in the enclosure")
            return 1 / base ** (-n)
        return base ** n
    if exp == sp.Rational(1, 2):
        return _sqrt(base)
    if not base.a > 0:
        raise _Undecided("a non-integer power of an interval reaching 0")
    return iv.exp(enclose_at(exp) * iv.log(base))


def enclose_at(e):
    """An mpmath interval that contains the exact value of the constant SymPy expression e (at iv's precision)."""
    if e.is_Integer or e.is_Rational:
        return iv.mpf(e.p) / iv.mpf(e.q)
    if e.is_Float:
        r = sp.Rational(e)               # the binary number the Float is, exactly (whatever its precision)
        return iv.mpf(r.p) / iv.mpf(r.q)
    if e in CONSTANTS:
        return CONSTANTS[e]()
    if isinstance(e, sp.Add):
        return sum((enclose_at(a) for a in e.args[1:]), enclose_at(e.args[0]))
    if isinstance(e, sp.Mul):
        out = enclose_at(e.args[0])
        for a in e.args[1:]:
            out = out * enclose_at(a)
        return out
    if isinstance(e, sp.Pow):
        return _power(enclose_at(e.base), e.exp)
    if e.func in FUNCTIONS and len(e.args) == 1:
        return FUNCTIONS[e.func](enclose_at(e.args[0]))
    raise _Undecided(f"no interval rule for {e.func.__name__}")


def enclosure(e):
    """(lo, hi) mpf bounds on the real constant e, tightened until they exclude 0 (or the last precision), or None
    when some node has no interval rule."""
    e = sp.sympify(e)
    if e.free_symbols or not e.is_number:
        return None
    saved = iv.prec
    try:
        for dps in PRECISIONS:
            iv.dps = dps        # iv has no workdps: its precision is set and restored here
            try:
                box = enclose_at(e)
            except (_Undecided, ZeroDivisionError, ValueError):
                return None
            if box.a > 0 or box.b < 0:
                break
    finally:
        iv.prec = saved
    return box.a, box.b


def sign(e):
    """+1 or -1 when an enclosure of the constant e excludes 0, 0 when e is the literal 0, None otherwise."""
    if sp.sympify(e) == 0:
        return 0
    box = enclosure(e)
    if box is None:
        return None
    lo, hi = box
    return 1 if lo > 0 else -1 if hi < 0 else None
