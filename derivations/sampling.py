"""Where the numeric route looks: wide, assumption-aware random points, seeded by the claim itself."""
from __future__ import annotations

import hashlib
import math
import random

import mpmath
import sympy as sp

from .numeval import Env, NotEvaluable, evaluate

# Decimal exponents visited in turn (with jitter): claims false only far out or very close to 0 are met.
_EXPONENTS = (0.0, -6.0, 6.0, -3.0, 3.0, 0.5, -1.0, 1.5, -4.5, 4.5, 1.0, -0.5)
INTEGERS = (1, 2, 3, 5, 6, 8, 9, 12, 13, 19, 21, 27, 34, 41, 60, 4, 7, 10, 11, 17, 40, 30, 45, 50)
_KINDS = (sp.Abs, sp.Max, sp.Min, sp.Heaviside, sp.sign)


def seed_of(*exprs) -> int:
    """A seed derived from the claim: different claims see different points, each run the same ones."""
    text = "\x00".join(sp.srepr(e) for e in exprs)
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big")


def size_configs(dims) -> list[dict]:
    """Sizes for the dimension symbols: 1 everywhere, then distinct sizes per symbol (non-square too)."""
    dims = list(dims)
    if not dims:
        return [{}]
    configs = [{d: 1 for d in dims}]
    for c in range(2):
        configs.append({d: 2 + (c + i) % 2 for i, d in enumerate(dims)})
    return configs


def real_value(sym, k, rng, domain=None):
    """The k-th sample of a scalar symbol, honouring its domain and its SymPy assumptions."""
    if isinstance(domain, (set, frozenset)):
        return mpmath.mpf(sorted(domain, key=float)[k % len(domain)]) if k < len(domain) else \
            mpmath.mpf(rng.choice(sorted(domain, key=float)))
    if domain is not None:
        lo, hi = domain
        return mpmath.mpf(rng.uniform(float(lo), float(hi)))
    if sym.is_integer:
        # every value of the list once over len(INTEGERS) points, from an offset of the symbol's own
        v = INTEGERS[(k + sum(map(ord, sym.name))) % len(INTEGERS)] if k else 1
        if sym.is_nonnegative and not sym.is_positive and k % 5 == 4:
            v = 0
        return mpmath.mpf(_signed(sym, v, rng))
    v = 10 ** (_EXPONENTS[k % len(_EXPONENTS)] + rng.uniform(-0.5, 0.5))
    if k % 6 == 5:                      # exact small integers: claims false only at integers are met
        v = float(rng.choice((1, 2, 3, 7)))
    if not sym.is_positive and not sym.is_negative and sym.is_zero is not False and k % 12 == 11:
        v = 0.0
    if sym.is_real or sym.is_extended_real:
        return mpmath.mpf(_signed(sym, v, rng))
    angle = rng.uniform(-math.pi, math.pi)       # complex symbols are sampled complex, at every argument,
    if k % 4 == 2:                               # and just off the real axis, where branch cuts lie
        angle = rng.choice((0.0, math.pi)) + rng.choice((-1, 1)) * 1e-3
    return mpmath.mpc(v * mpmath.cos(angle), v * mpmath.sin(angle))


def _signed(sym, v, rng):
    if sym.is_nonnegative or sym.is_positive:
        return v
    if sym.is_nonpositive or sym.is_negative:
        return -v
    return v if rng.random() < 0.5 else -v


def matrix_value(m, rows, cols, rng, spd=False, symmetric=False):
    """Random entries over a few magnitudes; SPD ones as A Aᵀ/r + c I, computed exactly enough."""
    scale = 10 ** rng.choice((0.0, -2.0, 2.0, 0.5))
    a = mpmath.matrix([[mpmath.mpf(rng.gauss(0, 1) * scale) for _ in range(cols)] for _ in range(rows)])
    if spd:
        with mpmath.workdps(400):
            return a * a.T / rows + mpmath.eye(rows) * scale ** 2 * rng.uniform(0.1, 1.0)
    if symmetric:
        with mpmath.workdps(400):
            return (a + a.T) / 2
    return a


def kink_quantities(e):
    """g in |g|, H(g), sign(g), and every difference of two arguments of max/min: kinks are where g = 0."""
    for node in sp.preorder_traversal(e):
        if isinstance(node, (sp.Max, sp.Min, sp.KroneckerDelta)):
            args = node.args
            yield from (a - b for i, a in enumerate(args) for b in args[i + 1:])
        elif isinstance(node, _KINDS):
            yield node.args[0]


_SCAN = sorted({0.0} | {sgn * 10 ** (k / 4) for k in range(-12, 29) for sgn in (1, -1)})   # ±1e-3 … ±1e7


def _found_roots(g, sym):
    """Real roots of a non-polynomial g in sym alone (exp(x) − e¹⁰, 2ⁿ − 2⁶¹): sign changes of g over
    a logarithmic grid from 1e-3 to 1e7, each narrowed by bisection."""
    def sign(t):
        try:
            v = evaluate(g, Env({sym: mpmath.mpf(t)}, None))
        except (NotEvaluable, ZeroDivisionError, ValueError, TypeError):
            return None
        return None if isinstance(v, mpmath.mpc) and v.imag else (mpmath.re(v) > 0) - (mpmath.re(v) < 0)

    out = []
    with mpmath.workdps(30):
        signs = [sign(t) for t in _SCAN]
        for (a, sa), (b, sb) in zip(zip(_SCAN, signs), zip(_SCAN[1:], signs[1:])):
            if sa is None or sb is None or sa * sb > 0:
                continue
            lo, hi = mpmath.mpf(a), mpmath.mpf(b)
            for _ in range(80):
                mid = (lo + hi) / 2
                sm = sign(mid)
                if sm is None:
                    break
                lo, hi = (mid, hi) if sm == sa else (lo, mid)
            out.append((lo + hi) / 2)
    return out[:6]


def _real_roots(g, sym):
    """Real roots of g in sym, when g is a polynomial in sym alone with numeric coefficients."""
    if g.free_symbols != {sym}:
        return []
    if not g.is_polynomial(sym):
        return _found_roots(g, sym)
    coeffs = sp.Poly(g, sym).all_coeffs()
    if len(coeffs) < 2 or len(coeffs) > 9 or not all(c.is_number for c in coeffs):
        return []
    try:
        with mpmath.workdps(30):
            values = [evaluate(c, Env({}, None)) for c in coeffs]
            roots = mpmath.polyroots(values, maxsteps=200, extraprec=60) if len(values) > 2 else [-values[1] / values[0]]
    except (NotEvaluable, mpmath.libmp.NoConvergence, ZeroDivisionError):
        return []
    return [mpmath.re(r) for r in roots if abs(mpmath.im(r)) <= 1e-20 * (1 + abs(r))]


def kink_values(exprs, sym) -> list:
    """Values of ``sym`` at and either side of each kink of Abs/Max/Min/Heaviside/sign where it is the
    only symbol (|x − π| gives π and π ± 1e-9·(1 + π); |x² − 2| gives ±√2 and their neighbours;
    min(n, 42) for an integer n gives 41, 42, 43)."""
    out = []
    for e in exprs:
        for g in kink_quantities(e):
            for root in _real_roots(g, sym):
                if sym.is_integer:
                    base = int(mpmath.floor(root))
                    out += [mpmath.mpf(v) for v in range(base - 1, base + 3)]
                else:
                    h = mpmath.mpf("1e-9") * (1 + abs(root))
                    out += [root, root - h, root + h]
    return list(dict.fromkeys(out))[:12]


def rng_for(*exprs, salt="") -> random.Random:
    return random.Random(f"{seed_of(*exprs)}:{salt}")
