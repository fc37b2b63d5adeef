"""Claimed inequalities lhs ≤ rhs (<, ≥, >): a sign certificate for the gap, confirmed by the independent numeric route.

The gap g = rhs − lhs (lhs − rhs for ≥ and >) must be nonnegative (positive when strict). Symbolically that is
shown only structurally (`sign_of`): sums and products of terms whose sign is known from the symbols' declared
assumptions, even powers, exp, |·| — after the gap is brought to such a form by factor/simplify, or after a
given certificate c is proved equal to the gap (an equality, by the equality engine). The numeric route
evaluates both sides with mpmath at the same random points as an equality claim: a point where the gap is
negative (or, for a strict claim, zero within rounding) is a counterexample.
"""
from __future__ import annotations

import mpmath
import sympy as sp

from . import intervals
from .functions import unfold
from .matrices import Unsupported, apply_rules
from .numeval import NotEvaluable
from . import prove

# relation -> (sign of rhs − lhs in the gap, strict); "=" is the equality engine's
RELATIONS = {"<=": (1, False), "<": (1, True), ">=": (-1, False), ">": (-1, True)}
LATEX = {"=": "=", "<=": r"\le", "<": "<", ">=": r"\ge", ">": ">"}
TEXT = {"=": "=", "<=": "≤", "<": "<", ">=": "≥", ">": ">"}

POS, NONNEG, NEG, NONPOS, ZERO = "positive", "nonnegative", "negative", "nonpositive", "zero"
_FLIP = {POS: NEG, NONNEG: NONPOS, NEG: POS, NONPOS: NONNEG, ZERO: ZERO}


def combine(relations) -> str:
    """The relation a chain of these steps claims between its first lhs and its last rhs ('=' for none);
    ValueError when the chain mixes directions (a ≤ b ≥ c says nothing about a and c)."""
    kinds = [r for r in relations if r != "="]
    if not kinds:
        return "="
    up = {r in ("<=", "<") for r in kinds}
    if len(up) > 1:
        raise ValueError("a chain cannot mix ≤/< with ≥/>: it would claim nothing about its ends")
    strict = any(r in ("<", ">") for r in kinds)
    return ("<" if strict else "<=") if up.pop() else (">" if strict else ">=")


# ---- the structural sign ----------------------------------------------------------------------------

_BINDERS = (sp.Sum, sp.Product, sp.Integral, sp.Derivative, sp.Subs, sp.Limit)


def _trusted(e) -> bool:
    """Whose SymPy sign is read: declared atoms (a symbol, an indexed entry) and the project's own classes.
    SymPy's rules for its functions are wrong in places: atan(m) of an integer m ≥ 0 is "positive" (atan of a
    nonzero rational is irrational, and the rule forgets m = 0), so 0 < atan((n − 14)²) would pass."""
    if isinstance(e, (sp.Symbol, sp.Indexed)):
        return True
    # a project class's sign rule assumes real arguments (scalar(XᵀX) ≥ 0 is false for X = i·v + i·w)
    return (type(e).__module__.startswith("derivations.") and not e.has(sp.I)
            and all(s.is_real for s in e.free_symbols if isinstance(s, sp.Symbol)))


def _bare_limits(e):
    """The limits with every bound index a Dummy without assumptions (an inner range may use an outer index)."""
    bare = {j: sp.Dummy(j.name) for j, *_ in e.limits}
    return bare, [tuple(sp.sympify(x).xreplace(bare) for x in lim) for lim in e.limits]


def _range_term(e):
    """The term of Σ/Π with each bound index known only from its range, not from its own assumptions:
    Σ_{j=−2}^{1} j = −2 although a positive j would make every term "positive"."""
    bare, limits = _bare_limits(e)
    term = e.function.xreplace(bare)
    for j, lo, hi in limits:
        facts = {"integer": True} if lo.is_integer else {"real": True} if lo.is_real else {}
        if facts and lo.is_positive:
            facts["positive"] = True
        elif facts and lo.is_nonnegative:
            facts["nonnegative"] = True
        elif facts and hi.is_negative:
            facts["negative"] = True
        elif facts and hi.is_nonpositive:
            facts["nonpositive"] = True
        term = term.xreplace({j: sp.Dummy(j.name, **facts)})
    return term


def _series_sign(e):
    """Σ and Π read off their term's structural sign over a range known not to be Karr-reversed
    (Σ_{j=a}^{b} = −Σ_{j=b+1}^{a−1}); a Σ that may be empty is 0, so only weakly signed."""
    limits = _bare_limits(e)[1]
    if not all((hi - lo + 1).is_nonnegative for _, lo, hi in limits):
        return None         # reversed: the index runs outside [lo, hi], where its dummy's facts fail
    term = sign_of(_range_term(e))
    if isinstance(e, sp.Product):
        return POS if term == POS else None
    if term in (POS, NEG) and not all((hi - lo).is_nonnegative for _, lo, hi in limits):
        return NONNEG if term == POS else NONPOS      # possibly empty: 0
    return term


def _of_assumptions(e):
    """The sign SymPy's assumptions give this node (a symbol, an indexed entry, a project class)."""
    if not _trusted(e):
        return None
    for prop, sign in (("is_zero", ZERO), ("is_positive", POS), ("is_negative", NEG),
                       ("is_nonnegative", NONNEG), ("is_nonpositive", NONPOS)):
        if getattr(e, prop, None) is True and (e.is_real or e.is_extended_real):
            return sign
    return None


def _sum_sign(signs):
    if all(s in (POS, NONNEG, ZERO) for s in signs):
        return POS if POS in signs else NONNEG if NONNEG in signs else ZERO
    if all(s in (NEG, NONPOS, ZERO) for s in signs):
        return NEG if NEG in signs else NONPOS if NONPOS in signs else ZERO
    return None


def _product_sign(signs):
    if ZERO in signs:
        return ZERO
    negative = sum(s in (NEG, NONPOS) for s in signs) % 2 == 1
    weak = any(s in (NONNEG, NONPOS) for s in signs)
    return (NONPOS if weak else NEG) if negative else (NONNEG if weak else POS)


def _power_sign(base, exp):
    b = sign_of(base)
    if exp.is_Integer and exp % 2 == 0 and base.is_real:
        if exp > 0:
            return POS if b in (POS, NEG) else NONNEG
        return POS if b in (POS, NEG) else None       # 1/0 where the base may vanish
    if b == POS and exp.is_real:
        return POS
    if b in (NONNEG, ZERO) and exp.is_positive:
        return NONNEG if b == NONNEG else ZERO
    if b in (NEG, NONPOS) and exp.is_Integer and exp > 0:     # odd powers keep the sign
        return b
    return None


def sign_of(e):
    """The sign of e read off its structure, or None when the structure does not settle it.
    Only what holds at every point the symbols' assumptions allow is returned."""
    e = sp.sympify(e)
    if e.is_number and not e.has(*_BINDERS):     # SymPy signs Σ_{j=−2}^{1} j "positive" from a positive j
        # a constant's sign from a rigorous enclosure, not SymPy's is_positive (a floating-point evalf, no proof)
        return {1: POS, -1: NEG, 0: ZERO}.get(intervals.sign(e))
    if isinstance(e, sp.Add):
        return _sum_sign([sign_of(a) for a in e.args])
    if isinstance(e, sp.Mul):
        signs = [sign_of(a) for a in e.args]
        return None if None in signs else _product_sign(signs)
    if isinstance(e, sp.Pow):
        return _power_sign(e.base, e.exp)
    if isinstance(e, sp.exp):
        return POS if e.args[0].is_real else None
    if isinstance(e, sp.Abs):
        return NONNEG           # |u| ≥ 0 wherever it has a value
    if isinstance(e, (sp.Sum, sp.Product)) and len(e.limits) and all(len(l) == 3 for l in e.limits):
        return _series_sign(e)
    return _of_assumptions(e)


def holds(sign, strict) -> bool:
    return sign == POS or (not strict and sign in (NONNEG, ZERO))


# ---- the two routes ---------------------------------------------------------------------------------

def _forms(g):
    """The gap, then forms in which a sign may become structural."""
    yield "as written", g
    for name, fn in (("factor", sp.factor), ("simplify", sp.simplify), ("expand", sp.expand),
                     ("cancel", lambda e: sp.cancel(sp.together(e)))):
        if sp.count_ops(g) > prove._MAX_OPS:
            return
        try:
            yield name, fn(g)
        except Exception:   # a simplifier crashing shows nothing
            continue


def symbolic_sign(gap, strict, ctx, certificate=None):
    """(True, how) when the gap's sign is structural in some form of it, or when a structurally signed
    certificate is proved equal to it; (False, why) otherwise."""
    want = "positive" if strict else "nonnegative"
    try:
        g = apply_rules(prove._prepared(unfold(gap))).doit()
    except Unsupported as exc:
        return False, f"outside the matrix rules: {exc}"
    if certificate is not None:
        c = unfold(sp.sympify(certificate, strict=True))
        if not holds(sign_of(c), strict):
            return False, f"the certificate is not manifestly {want}"
        # the equality engine in full (matrix level, explicit components, numeric route) decides gap = c
        verdict = prove.judge(gap, certificate, ctx)
        if verdict.status != prove.PROVED:
            return False, f"the certificate is not proved equal to the gap ({verdict.detail})"
        return True, f"the gap equals a manifestly {want} certificate ({verdict.detail})"
    if g.is_number and not g.has(*_BINDERS) and holds(sign_of(g), strict):
        lo, hi = intervals.enclosure(g)
        return True, (f"the gap is a constant, {float(lo):.9g} to 9 digits, {want}: interval arithmetic (mpmath.iv, "
                      f"outward rounding) encloses it in an interval of width {float(hi - lo):.1e} that excludes 0")
    for name, form in _forms(g):
        if holds(sign_of(form), strict):
            return True, f"the gap is manifestly {want} ({name}: a signed combination of signed terms)"
    return False, f"no form of the gap is manifestly {want}"


def _turning(lhs, rhs):
    """rhs carrying |rhs − lhs| twice, cancelling and unevaluated, for the sampler alone: it then visits the
    gap's real roots and their neighbours as it visits the kinks of |·|. 1/2 ≤ (n − 14)² for an integer n
    fails at n = 14 only, a value its list of integers never takes. Polynomial gaps in one symbol only: their
    roots are cheap (other gaps would be scanned over a grid, seconds per derivation)."""
    gap = rhs - lhs
    if len(gap.free_symbols) != 1 or not gap.is_polynomial(*gap.free_symbols) or prove._is_matrix(gap):
        return rhs
    g = sp.Abs(gap)
    return sp.Add(rhs, g, sp.Mul(-1, g, evaluate=False), evaluate=False)


def numeric_sign(lhs, rhs, sign, strict, ctx):
    """(True, how), (False, where) at a counterexample, or (None, why) when too few points evaluate."""
    valid, tried, reason = 0, 0, ""
    with mpmath.workdps(20), prove._deep_recursion():
        for values, indexed, config in prove._points(lhs, _turning(lhs, rhs), ctx):
            tried += 1
            try:
                equal, a, b = prove._agree(lhs, rhs, values, indexed)
            except (prove.DifferentShapes, prove.OneSideDiverges) as exc:
                return False, f"{exc} ({prove._where(values, config)})"
            except (NotEvaluable, ZeroDivisionError, ValueError, OverflowError, TypeError) as exc:
                reason = str(exc) or type(exc).__name__
                continue
            if isinstance(a, mpmath.matrix) or isinstance(b, mpmath.matrix):
                return False, "inequalities compare scalars; a side is a matrix"
            # an order needs real sides: a side with an imaginary part (acos(2)² = −1.73 + 0j in mpmath's
            # complex type, acos(2) itself) is a counterexample, not a crash of the comparison below
            if any(mpmath.im(v) != 0 and abs(mpmath.im(v)) > abs(v) * mpmath.mpf(10) ** -20 for v in (a, b)):
                return False, (f"not real at {prove._where(values, config)}: "
                               f"{prove._show(a)} vs {prove._show(b)}")
            a, b = mpmath.re(a), mpmath.re(b)
            gap = sign * (b - a)
            if (not equal and gap < 0) or (strict and equal):
                shown = "equal within rounding" if equal else f"{prove._show(a)} vs {prove._show(b)}"
                return False, f"violated at {prove._where(values, config)}: {shown}"
            valid += 1
    if valid < min(prove._POINTS_MIN, tried):
        return None, f"cannot be evaluated numerically (at {valid} of {tried} points): {reason}"
    if prove._constant(lhs, rhs, ctx):
        return True, "both sides are constants, evaluated by mpmath (its own evaluator): the inequality holds"
    return True, f"mpmath (its own evaluator) at {valid} point{'s' * (valid != 1)}: the inequality holds at each"


def judge_relation(lhs, rhs, relation, ctx, certificate=None) -> prove.Verdict:
    """proved: the gap's sign is structural (or certified) and the numeric route finds no violation;
    checked: no violation, but no sign certificate (not a pass); failed otherwise."""
    if relation not in RELATIONS:
        raise ValueError(f"relation must be one of =, {', '.join(RELATIONS)}; got {relation!r}")
    lhs, rhs = sp.sympify(lhs, strict=True), sp.sympify(rhs, strict=True)
    if prove._is_matrix(lhs) or prove._is_matrix(rhs):
        return prove.Verdict(prove.FAILED, "inequalities compare scalars; a side is a matrix")
    sign, strict = RELATIONS[relation]
    ok, num_why = numeric_sign(lhs, rhs, sign, strict, ctx)
    if ok is None:
        return prove.Verdict(prove.FAILED, f"not provable here: {num_why}", {"numeric": num_why})
    if not ok:
        return prove.Verdict(prove.FAILED, num_why, {"numeric": num_why})
    sym_ok, sym_why = symbolic_sign(sign * (rhs - lhs), strict, ctx, certificate)
    routes = {"symbolic": sym_why, "numeric": num_why}
    if sym_ok:
        return prove.Verdict(prove.PROVED, f"{sym_why}; {num_why}", routes)
    return prove.Verdict(prove.CHECKED, f"not proved symbolically ({sym_why}); {num_why}", routes)
