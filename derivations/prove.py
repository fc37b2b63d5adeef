"""Decide one claimed equality three ways: symbolically, by explicit components, and by an independent numeric route."""
from __future__ import annotations

import contextlib
import random
import re
import sys
from dataclasses import dataclass, field

import mpmath
import sympy as sp
from sympy.printing.str import StrPrinter

from .functions import unfold
from .entrywise import merge_entrywise, unify_maps
from .families import HeldGrad, Layered
from .matrices import (Grad, Jacobian, Unsupported, apply_rules, canon_entries, explicit_matrices, matrix_parts,
                       scalar_atoms_to_dummies, to_explicit)
from .numeval import Diverges, Env, NotEvaluable, evaluate
from .sampling import INTEGERS, kink_quantities, kink_values, matrix_value, real_value, rng_for, size_configs

PROVED, CHECKED, FAILED = "proved", "checked", "failed"


class _TextPrinter(StrPrinter):
    """Symbols as SymPy's pretty printer names them (x₁, δₘ, f₀₀), a prover's dummy by its bare name."""

    def _print_Symbol(self, s):
        shown = sp.pretty(sp.Symbol(s.name), use_unicode=True)
        return s.name if "\n" in shown else shown

    _print_Dummy = _print_Symbol


def math_text(e) -> str:
    """An expression as one line of Unicode maths for the prover's "how" lines, which every reader (PDF, HTML,
    terminal) shows as plain text: 9z/10, −z, x₁, k + 1 (never Python's 9*z/10)."""
    s = _TextPrinter().doprint(sp.sympify(e, strict=True)).replace("**", "^")
    s = re.sub(r"(?<=\d)\*(?=[^\W\d])", "", s)        # 9*z -> 9z: a number times a symbol
    return s.replace("*", "·").replace("-", "\u2212")


@dataclass(frozen=True)
class Context:
    """What a step may assume, and how hard to look for a counterexample."""

    symmetric: tuple = ()
    spd: tuple = ()
    domains: tuple = ()          # ((symbol, (lo, hi) or a finite set), ...)
    dims: tuple = ()             # dimension symbols of the MatrixSymbols, e.g. (p,)
    sizes: tuple = (1, 2, 3)     # largest explicit size for the components route is max(sizes)
    points: int = 12             # random points per claim (plus points at kinks)
    seed: int = 0


@dataclass(frozen=True)
class Verdict:
    status: str
    detail: str
    routes: dict = field(default_factory=dict)


def _is_matrix(e):
    return isinstance(e, (sp.MatrixExpr, sp.MatrixBase))


def _diff_of(lhs, rhs):
    if _is_matrix(lhs) != _is_matrix(rhs):
        raise Unsupported("one side is a matrix and the other a scalar")
    return lhs - rhs


# ---- route 1: symbolic -------------------------------------------------------------------------

_CANON: dict = {}


def _canonical_var(v, depth):
    """The bound variable used at this nesting depth: one shared Dummy per (depth, assumptions), never
    equal to any free symbol, so alpha-equivalent sums and products become identical and no rewrite
    can capture a free symbol."""
    key = (depth, tuple(sorted(v.assumptions0.items())))
    if key not in _CANON:
        _CANON[key] = sp.Dummy(f"j{depth}", **v.assumptions0)
    return _CANON[key]


def canonical_bound(e, depth=0):
    """Rename every bound variable of Sum/Product/Integral to the canonical variable of its depth (one
    limit per node), so that a substitution into the result can capture nothing."""
    if not e.args or isinstance(e, (sp.MatrixSymbol, sp.Indexed, sp.Symbol)):
        return e
    if isinstance(e, (sp.Sum, sp.Product, sp.Integral)):
        f = e.function if len(e.limits) == 1 else type(e)(e.function, *e.limits[:-1])
        v, *ends = e.limits[-1]
        c = _canonical_var(v, depth)
        return type(e)(canonical_bound(f.xreplace({v: c}), depth + 1),
                       (c, *(canonical_bound(x, depth) for x in ends)))
    return e.func(*[canonical_bound(a, depth) for a in e.args])


def _split_products(e):
    """Π_j (a_j b_j) = Π_j a_j · Π_j b_j, and a factor free of j comes out as a power (Karr's
    convention makes both hold for every integer range)."""
    def split(prod):
        if len(prod.limits) != 1 or not isinstance(prod.function, sp.Mul):
            return prod
        f, (j, lo, hi) = prod.function, prod.limits[0]
        out = 1
        for a in f.args:
            out *= sp.Product(a, (j, lo, hi)) if a.has(j) else a ** (hi - lo + 1)
        return out
    return e.replace(lambda n: isinstance(n, sp.Product), split)


def _align_products(e):
    """Products of one term that differ only in their upper limit, by an integer c > 0: peel the
    longer one, Π_{j=a}^{B+c} f(j) = Π_{j=a}^{B} f(j) · Π_{i=1}^{c} f(B+i). Applied after
    canonical_bound, so "the same term" means alpha-equivalent, and every new factor is built from
    the peeled product's own term."""
    prods = [p for p in e.atoms(sp.Product) if len(p.limits) == 1]
    table = {}
    for p in prods:
        for q in prods:
            (j, a, b), (j2, a2, b2) = p.limits[0], q.limits[0]
            if p is q or j != j2 or a != a2 or p.function != q.function:
                continue
            c = sp.expand(b - b2)
            if c.is_Integer and c > 0:
                extra = sp.Mul(*[p.function.xreplace({j: b2 + i}) for i in range(1, int(c) + 1)])
                table[p] = sp.Product(p.function, (j, a, b2)) * extra
    return e.xreplace(table)


def _products(e):
    return sp.expand(_align_products(canonical_bound(_split_products(e))))


def _exp_injective(e):
    """For a real e, e = 0 iff exp(e) = 1 (exp is injective on the reals): logs of sums then combine."""
    if e.is_real is not True or not e.has(sp.log) or sp.count_ops(e) > 200:
        return e
    r = sp.simplify(sp.powsimp(sp.exp(e), force=False) - 1)
    return sp.S.Zero if r == 0 else e


_SIMPLIFIERS = (
    ("expand", sp.expand),
    ("split and align products", _products),
    ("cancel", lambda e: sp.cancel(sp.together(e))),
    ("simplify", sp.simplify),
    ("expand_log+simplify", lambda e: sp.simplify(sp.expand_log(e))),
    ("exp-rewrite+simplify", lambda e: sp.simplify(sp.powsimp(sp.expand(e.rewrite(sp.exp)), force=False))),
    ("exp of both sides", _exp_injective),
    ("factor under powers", lambda e: sp.simplify(e.replace(lambda n: n.is_Pow and not n.exp.is_Integer,
                                                           lambda n: sp.Pow(sp.factor(n.base), n.exp)))),
    ("real and imaginary parts", lambda e: sp.simplify(sp.expand_complex(e)) if any(
        s.is_real is not True for s in e.free_symbols) else e),
)
_MAX_OPS = 3000  # beyond this simplify can run for minutes; the numeric route still decides


_KINKED = (sp.Abs, sp.Max, sp.Min, sp.Heaviside, sp.sign, sp.Piecewise)


def _split_on(g):
    """A real symbol s in which g is linear with a nonzero constant slope, and s as a function of t = g."""
    if g.is_real is not True:          # the three cases cover the reals only
        return None
    for s in sorted(g.free_symbols, key=sp.default_sort_key):
        if not (s.is_real and isinstance(s, sp.Symbol)):
            continue
        slope = sp.diff(g, s)
        if slope.is_number and slope.is_nonzero and not sp.diff(slope, s).free_symbols and sp.diff(g, s, 2) == 0:
            t = sp.Dummy("t", real=True)
            return s, (t - (g - slope * s)) / slope, t
    return None


def _undefined(e):
    """The expression is 0/0 or ∞ − ∞ outright, at a point where one of the claim's sides has no value."""
    try:
        return sp.simplify(e) is sp.nan
    except Exception:      # a simplifier crashing shows nothing
        return False


def _by_cases(e, depth=0):
    """Split on the sign of each kink quantity g (g > 0, g < 0, g = 0): write a symbol s in which g is
    linear as a function of g, then g as a positive dummy, its negative, or 0. The three cases cover
    every real value of s, so a zero in each is a proof; the split recurses on what remains."""
    if depth > 3:
        return False, "too many kinks for a case split"
    for g in dict.fromkeys(g for g in kink_quantities(e) if g.free_symbols):
        found = _split_on(g)
        if found is None:
            continue
        s, s_of_t, t = found
        u = sp.Dummy("u", positive=True)
        undefined = ""
        for label, value in (("> 0", u), ("< 0", -u), ("= 0", sp.S.Zero)):
            case = e.xreplace({s: s_of_t.xreplace({t: value})})
            if label == "= 0" and _undefined(case):
                # e.g. sign(w) − w/|w| at w = 0: a side is undefined there (|w| is not differentiable at
                # 0), so there is nothing to compare; equality is claimed where both sides are defined.
                undefined = f"; at {math_text(g)} = 0 a side is undefined"
                continue
            ok = False
            if case.has(*_KINKED):
                # split the kinks that remain before simplifying: each leaf is kink-free and cheap,
                # where simplify on Max/Min of a dummy searches long and mostly in vain
                ok, why = _by_cases(case, depth + 1)
            if not ok:
                ok, why = _entry_zero(case, split=False)
            if not ok:
                return False, f"case {math_text(g)} {label}: {why}"
        return True, f"by cases on the sign of {math_text(g)} (positive, negative, zero){undefined}"
    return False, "no case split applies"


def scalar_zero(e, spd=(), split=True):
    """True only when a simplifier returns exactly zero; anything else (including giving up) is False."""
    e = canonical_bound(scalar_atoms_to_dummies(e, spd))
    if e == 0:
        return True, "the difference is 0 in canonical form"
    if split and e.has(*_KINKED):
        ok, why = _by_cases(e)
        if ok:
            return ok, why
    for name, fn in _SIMPLIFIERS:
        if sp.count_ops(e) > _MAX_OPS and name != "expand":
            return False, f"too large for {name} ({sp.count_ops(e)} ops)"
        try:
            r = fn(e)
        except Exception as exc:  # a simplifier crashing proves nothing either way
            return False, f"{name} raised {type(exc).__name__}"
        if r == 0:
            return True, f"{name} gives 0"
    return False, "no simplifier reduced the difference to 0"


def _prepared(e):
    """Before SymPy's doit: each Subs becomes a simultaneous substitution into its evaluated body
    (SymPy 1.14 substitutes one variable after the other, so a swap x, y -> y, x goes wrong), with
    bound indices renamed first so nothing is captured; each integrand is simplified (an identity)
    before it is integrated, which steers SymPy away from some of its wrong definite integrals."""
    def subs(node):
        body = canonical_bound(node.expr.doit())
        return body.xreplace(dict(zip(node.variables, node.point)))

    e = e.replace(lambda n: isinstance(n, sp.Subs), subs)
    return e.replace(lambda n: isinstance(n, sp.Integral),
                     lambda n: sp.Integral(sp.simplify(n.function), *n.limits))


def symbolic(lhs, rhs, ctx: Context):
    try:
        d = apply_rules(_prepared(unfold(_diff_of(lhs, rhs)))).doit()
        if _is_matrix(d):
            return _matrix_zero(d, ctx)
        return scalar_zero(canon_entries(d, ctx.symmetric), ctx.spd)
    except Unsupported as exc:
        return False, f"outside the matrix rules: {exc}"


def _matrix_zero(d, ctx):
    """Whether a matrix expression is zero at the matrix level: its terms grouped by matrix part (entrywise
    functions merged and unified first), each group's scalar coefficient reduced to 0."""
    if d.has(HeldGrad):
        return False, "a gradient through a layered matrix is left over"
    d = unify_maps(merge_entrywise(d), lambda a, b: scalar_zero(a - b, ctx.spd)[0])
    if isinstance(d, sp.MatrixBase):
        results = [scalar_zero(canon_entries(x, ctx.symmetric), ctx.spd) for x in d]
    else:
        results = [scalar_zero(c, ctx.spd) for c in matrix_parts(d, ctx.symmetric).values()]
    ok = all(r[0] for r in results)
    return ok, "matrix level: " + ("every matrix term cancels" if ok else next(r[1] for r in results if not r[0]))


# ---- route 2: explicit components --------------------------------------------------------------

def _matrix_symbols(*exprs):
    out = set()
    for e in exprs:
        out |= {a for a in sp.preorder_traversal(e) if isinstance(a, sp.MatrixSymbol)}
    return out


def components(lhs, rhs, ctx: Context):
    """Substitute explicit matrices of symbols at several sizes (distinct per dimension symbol, up to
    max(ctx.sizes)) and reduce each entry with scalar calculus only."""
    mats = _matrix_symbols(lhs, rhs)
    if not mats:
        return None, "no matrices"
    dims = _dims_of((lhs, rhs), ctx)
    configs = [c for c in size_configs(dims) if max(c.values(), default=1) <= max(ctx.sizes)]
    try:
        d = unfold(_diff_of(lhs, rhs))
        for config in configs:
            table = explicit_matrices(mats, config, ctx.symmetric)
            de = to_explicit(d, table, config, ctx.spd)
            entries = list(de) if _is_matrix(de) else [de]
            for x in entries:
                ok, why = _entry_zero(sp.sympify(x, strict=True).doit())
                if not ok:
                    return False, f"{_sizes(config)}: {why}"
        return True, "explicit components reduce to 0 at " + "; ".join(_sizes(c) for c in configs)
    except Unsupported as exc:
        return False, str(exc)


def _entry_zero(x, split=True):
    """scalar_zero for one explicit entry or one case, with cancel tried first: these are rational functions
    of the exponentials σ unfolds into, which cancel reduces in a fraction of the time expand spends failing."""
    try:
        if sp.count_ops(x) <= _MAX_OPS and sp.cancel(sp.together(x)) == 0:
            return True, "cancel gives 0"
    except Exception:      # a simplifier crashing proves nothing either way
        pass
    return scalar_zero(x, split=split)


def _sizes(config):
    return ", ".join(f"{math_text(d)} = {n}" for d, n in config.items()) or "the given sizes"


# ---- route 3: numeric, by the independent evaluator ---------------------------------------------

_POINTS_MIN = 3          # fewer evaluable points than this: the claim cannot be confirmed
_MARGIN = 8              # digits of headroom for rounding that accumulates over many operations
_CAP = 400               # most digits the adaptive precision may ask for
_FLOOR = 60              # least digits a decision is taken at: 2 · (30 + nothing cancelled + nothing lost)


def _dims_of(exprs, ctx):
    """Dimension symbols: the declared ones and every symbol in a matrix's shape (e.g. I_p in 2I = I + I)."""
    dims = set(ctx.dims)
    for e in exprs:
        for node in sp.preorder_traversal(e):
            if isinstance(node, sp.MatrixExpr):
                for k in node.shape:
                    dims |= sp.sympify(k).free_symbols
    return sorted(dims, key=sp.default_sort_key)


def _scalars(exprs, dims, mats):
    syms = set()
    for e in exprs:
        syms |= e.free_symbols
        syms |= {v for d in e.atoms(sp.Derivative) for v in d.variables}   # d/dx of a constant still has an x
    labels = {a.base.label for e in exprs for a in e.atoms(sp.Indexed)}
    return sorted((s for s in syms - set(dims) - mats - labels if isinstance(s, sp.Symbol)),
                  key=sp.default_sort_key)


def _constant(lhs, rhs, ctx):
    """The claim has nothing to sample: no scalar, matrix, size or indexed family (a case with all fixed)."""
    mats = _matrix_symbols(lhs, rhs)
    dims = _dims_of((lhs, rhs), ctx)
    return not (_scalars((lhs, rhs), dims, mats) or mats or dims or any(e.has(sp.Indexed) for e in (lhs, rhs)))


def _points(lhs, rhs, ctx):
    """Yield (values, indexed callback): wide magnitudes, both signs unless assumed, points at and
    either side of each kink, distinct sizes for distinct dimension symbols."""
    rng = rng_for(lhs, rhs, salt=ctx.seed)
    domains = dict(ctx.domains)
    mats = _matrix_symbols(lhs, rhs)
    dims = _dims_of((lhs, rhs), ctx)
    scalars = _scalars((lhs, rhs), dims, mats)
    costly = any(isinstance(n, (Grad, Jacobian)) for e in (lhs, rhs) for n in sp.preorder_traversal(e))
    configs = size_configs(dims) + ([{d: 4 + i % 2 for i, d in enumerate(dims)}] if dims and not costly else [])
    constant = _constant(lhs, rhs, ctx)
    points = ctx.points // 2 if costly else ctx.points      # each matrix derivative is p² mpmath.diff calls
    if not costly and any(s.is_integer for s in scalars):
        points = max(points, len(INTEGERS))                # every sampled integer, once
    per = 1 if constant else max(2, -(-points // len(configs)))
    kinks = [(s, v) for s in scalars if s.is_real for v in kink_values((lhs, rhs), s)]
    families = {a.base.label: a.base.assumptions0 for e in (lhs, rhs) for a in e.atoms(sp.Indexed)}
    k = 0
    for config in configs:
        for _ in range(per + (len(kinks) if config is configs[-1] else 0)):
            values = {s: real_value(s, k, rng, domains.get(s)) for s in scalars}
            if k >= len(configs) * per:
                s, v = kinks[k - len(configs) * per]
                values[s] = v
            values.update({d: mpmath.mpf(n) for d, n in config.items()})
            for m in sorted(mats, key=lambda s: s.name):
                r, c = (int(sp.sympify(x).xreplace({d: sp.Integer(n) for d, n in config.items()})) for x in m.shape)
                values[m] = matrix_value(m, r, c, rng, m in ctx.spd, m in ctx.symmetric)
            yield values, _indexed_values(ctx, k, domains, families), config
            k += 1


def _indexed_values(ctx, k, domains, assumptions):
    """y[i] at this point: drawn once per entry, the same wherever it appears, honouring the
    assumptions of its IndexedBase (complex when it has none)."""
    cache = {}

    def matrix(m, rows, cols):
        """A matrix a definition made at this point (a layer's W_j): drawn once, like the claim's own."""
        if (m, rows, cols) not in cache:
            # one magnitude per point for all of them (as for an indexed family), so that some points
            # have a deep network that is not saturated at every layer
            scale = random.Random(f"{ctx.seed}:{k}:layers").choice((1.0, 0.01, 100.0, 3.16))
            r = random.Random(f"{ctx.seed}:{k}:{m.name}:{rows}x{cols}")
            cache[m, rows, cols] = mpmath.matrix([[mpmath.mpf(r.gauss(0, 1) * scale) for _ in range(cols)]
                                                  for _ in range(rows)])
        return cache[m, rows, cols]

    def value(label, idx):
        if (label, idx) not in cache:
            # one magnitude per point for a whole family y[·] (jittered per entry): a deep chain of
            # weights is then evaluable at the points where they are moderate
            r = random.Random(f"{ctx.seed}:{k}:{label}:{idx}")
            dom = domains.get(label, domains.get(sp.IndexedBase(label)))
            # named with its index: an integer family's entries are offset apart in the list of integers
            # (by the label alone every n[k] would take one value at a point, and n_0 = n_t would look true)
            cache[label, idx] = real_value(sp.Symbol(f"{label}{list(idx)}", **assumptions.get(label, {})), k, r, dom)
        return cache[label, idx]
    value.matrix = matrix
    return value


def _mag(v):
    if isinstance(v, mpmath.matrix):
        return max((abs(x) for x in v), default=mpmath.mpf(0))
    return abs(v)


class OneSideDiverges(Exception):
    """One side diverges at this point and the other is finite: a counterexample."""


def _both(lhs, rhs, values, indexed):
    env = Env(dict(values), indexed)
    sides = []
    for side in (lhs, rhs):
        try:
            sides.append(evaluate(side, env))
        except Diverges as exc:
            sides.append(exc)
    diverged = [isinstance(v, Diverges) for v in sides]
    if all(diverged):
        raise sides[0]
    if any(diverged):
        raise OneSideDiverges(f"the {'left' if diverged[0] else 'right'} side diverges here and the other is finite")
    a, b = sides
    if isinstance(a, mpmath.matrix) != isinstance(b, mpmath.matrix):
        raise NotEvaluable("one side is a matrix and the other a scalar")
    if isinstance(a, mpmath.matrix) and (a.rows, a.cols) != (b.rows, b.cols):
        raise DifferentShapes(f"shapes differ: {a.rows}x{a.cols} vs {b.rows}x{b.cols}")
    for v in (a, b):
        if not all(mpmath.isfinite(x) for x in (v if isinstance(v, mpmath.matrix) else [v])):
            raise NotEvaluable("a side is not finite here")
    return a, b, env.trace


class DifferentShapes(Exception):
    """The two sides are matrices of different shapes at this size."""


def _agree(lhs, rhs, values, indexed):
    """(equal, a, b): equal when |a − b| is within the rounding noise of the evaluation.

    A first pass at 60 digits measures the scale: the largest term of any sum that cancelled, and
    the digits lost by ill-conditioned functions and approximate operations (Trace). The decision is
    taken at twice the digits that put that noise 30 orders below the result, d, and again at d + 20:
    each side's change between the two is an empirical bound on its error (it catches what the model
    misses, e.g. a cancellation whose result a log then magnifies). A difference beyond both the
    modelled noise and that bound is a real difference, whatever the size of the summands.
    """
    # The scale is measured at the least precision the decision can use (2 · 30 digits), so that in the common
    # case (nothing cancels, nothing is lost) this first evaluation is also the decision's first one.
    with mpmath.workdps(_FLOOR):
        a, b, tr = _both(lhs, rhs, values, indexed)
    size, top = max(_mag(a), _mag(b)), max(tr.scale, _mag(a), _mag(b))
    extra = 0 if top == 0 else 20 if size == 0 else max(0, int(mpmath.ceil(mpmath.log10(top / size))))
    digits = 2 * (30 + extra + int(min(tr.lost, _CAP)))
    if tr.reach > size > 0:    # derivatives far below their function: enough digits to resolve them
        digits = max(digits, 2 * (30 + int(mpmath.ceil(mpmath.log10(tr.reach / size)))))
    if digits > _CAP:
        raise NotEvaluable(f"deciding here needs {digits} digits, more than the budget of {_CAP}")
    if digits == _FLOOR:
        a1, b1 = a, b
    else:
        with mpmath.workdps(digits):
            a1, b1, _ = _both(lhs, rhs, values, indexed)
    with mpmath.workdps(digits + 20):
        a, b, tr = _both(lhs, rhs, values, indexed)
        if tr.lost > digits / 2:
            raise NotEvaluable(f"too ill-conditioned here for {digits} digits")
        top = max(tr.scale, _mag(a), _mag(b))
        modelled = mpmath.mpf(10) ** (-(digits + 20 - tr.lost - _MARGIN)) * top
        noise = max(modelled, _mag(a1 - a) + _mag(b1 - b))
        diff, coarse = _mag(a - b), _mag(a1 - b1)
        # A difference that stays put when 20 more digits are used is no rounding noise, however small
        # (exact arithmetic only: approximate operations may carry errors of their own method).
        stable = not tr.approximate and diff > 0 and abs(coarse - diff) <= diff * mpmath.mpf(10) ** -6
    if diff > 0 and coarse == 0 and not tr.approximate:     # the difference was below d digits: look again
        with mpmath.workdps(digits + 40):
            a3, b3, _ = _both(lhs, rhs, values, indexed)
            stable = abs(_mag(a3 - b3) - diff) <= diff * mpmath.mpf(10) ** -6
    if diff > noise and diff <= tr.reach * mpmath.mpf(10) ** (-(digits + 20) // 2 + 3):
        raise NotEvaluable("the difference is below what numeric differentiation resolves here")
    return diff <= noise and not stable, a, b


def _show(v):
    if isinstance(v, mpmath.matrix):
        return "[" + ", ".join(mpmath.nstr(x, 8) for x in v) + "]"
    return mpmath.nstr(v, 12)


def _where(values, config):
    shown = [f"{math_text(k)}={_show(v) if not isinstance(v, mpmath.matrix) else '…'}" for k, v in values.items()
             if k not in config][:6]
    sizes = _sizes(config) if config else ""
    return ", ".join(shown) + (f" ({sizes})" if sizes else "")


@contextlib.contextmanager
def _deep_recursion(limit=20_000):
    """Deep chains (a depth-40 network) are evaluated recursively, one layer per few frames."""
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(max(old, limit))
    try:
        yield
    finally:
        sys.setrecursionlimit(old)


def numeric(lhs, rhs, ctx: Context):
    """(True, how) when the sides agree at every evaluable point, (False, where) at a difference,
    (None, why) when too few points could be evaluated to say anything."""
    valid, tried, reason = 0, 0, ""
    with mpmath.workdps(20), _deep_recursion():
        for values, indexed, config in _points(lhs, rhs, ctx):
            tried += 1
            try:
                equal, a, b = _agree(lhs, rhs, values, indexed)
            except (DifferentShapes, OneSideDiverges) as exc:
                return False, f"{exc} ({_where(values, config)})"
            except (NotEvaluable, ZeroDivisionError, ValueError, OverflowError, TypeError) as exc:
                reason = str(exc) or type(exc).__name__
                continue
            if not equal:
                return False, f"differs at {_where(values, config)}: {_show(a)} vs {_show(b)}"
            valid += 1
    if valid < min(_POINTS_MIN, tried):
        return None, f"cannot be evaluated numerically (at {valid} of {tried} points): {reason}"
    if _constant(lhs, rhs, ctx):
        return True, ("both sides are constants, evaluated by mpmath (its own evaluator): equal within rounding "
                      "at two working precisions")
    return True, (f"mpmath (its own evaluator) at {valid} point{'s' * (valid != 1)} with magnitudes from 10⁻⁶ to 10⁶: "
                  "equal within rounding at two working precisions")


# ---- the verdict -------------------------------------------------------------------------------

def _confirm(lhs, rhs, ctx):
    """The numeric route as a verdict when it decides alone (a difference, or nothing evaluable)."""
    ok, why = numeric(lhs, rhs, ctx)
    if ok is None:
        return Verdict(FAILED, f"not provable here: {why}", {"numeric": why}), why
    if not ok:
        return Verdict(FAILED, why, {"numeric": why}), why
    return None, why


def judge(lhs, rhs, ctx: Context) -> Verdict:
    """proved: symbolic zero, confirmed by components (matrices) and by the numeric route;
    checked: the numeric route agrees but no simplifier reached 0 (not a pass); failed otherwise."""
    lhs, rhs = sp.sympify(lhs, strict=True), sp.sympify(rhs, strict=True)
    verdict, num_why = _confirm(lhs, rhs, ctx)
    if verdict:
        return verdict
    routes = {"numeric": num_why}
    sym_ok, sym_why = symbolic(lhs, rhs, ctx)
    routes["symbolic"] = sym_why
    comp_ok, comp_why = components(lhs, rhs, ctx)
    if comp_ok is not None:
        routes["components"] = comp_why
    if sym_ok and comp_ok in (True, None):
        return Verdict(PROVED, "; ".join(routes[k] for k in ("symbolic", "components", "numeric") if k in routes), routes)
    reason = sym_why if not sym_ok else comp_why
    return Verdict(CHECKED, f"not proved symbolically ({reason}); {num_why}", routes)


def _peel_last(e, n):
    """For the case n + 1: a sum or product whose upper limit contains n splits off its last term,
    Σ_{k=a}^{b+1} f(k) = Σ_{k=a}^{b} f(k) + f(b+1) (Karr's convention makes it hold for every range)."""
    e = canonical_bound(e)            # so no bound index can capture the symbols of the last term
    if n is None:
        return e

    def peel(node):
        if len(node.limits) != 1 or not node.limits[0][2].has(n):
            return node
        k, lo, hi = node.limits[0]
        last = node.function.xreplace({k: hi})
        shorter = type(node)(node.function, (k, lo, hi - 1))
        return shorter + last if isinstance(node, sp.Sum) else shorter * last
    return e.replace(lambda x: isinstance(x, (sp.Sum, sp.Product)), peel)


def _instance(pattern, e, free, bound):
    """Whether e is pattern with its matrices in `free` replaced (binding them in `bound`); a product
    whose first factor is vᵀ for a free v takes every leading factor of e into v: scalar(vᵀH) matches
    scalar(P Q H) with v = (P Q)ᵀ."""
    if pattern in free:
        if pattern in bound:
            return bound[pattern] == e
        bound[pattern] = e
        return True
    if isinstance(pattern, sp.MatMul) and isinstance(e, sp.MatMul) and isinstance(pattern.args[0], sp.Transpose) \
            and pattern.args[0].arg in free and len(e.args) >= len(pattern.args):
        tail = len(pattern.args) - 1
        lead = e.args[:len(e.args) - tail]
        head = (sp.MatMul(*lead).doit() if len(lead) > 1 else lead[0]).T.doit()
        return _instance(pattern.args[0].arg, head, free, bound) and \
            all(_instance(p, x, free, bound) for p, x in zip(pattern.args[1:], e.args[len(e.args) - tail:]))
    if type(pattern) is not type(e) or len(pattern.args) != len(e.args):
        return pattern == e
    if not pattern.args:
        return pattern == e
    return all(_instance(p, x, free, bound) for p, x in zip(pattern.args, e.args))


def _matrix_step(lhs, rhs, n, ctx):
    """P(n) → P(n+1) for a claim ∇_X f(n) = R(n) whose f holds a layered matrix (e.g. h_L of a network):
    the rules take the next case's gradient down to the layered matrix of case n, where they leave a
    HeldGrad (its cotangent held at its value); the hypothesis, which holds for every value of the
    matrices f does not differentiate, replaces each HeldGrad that is an instance of it; what remains
    must cancel at the matrix level."""
    hyp_l, hyp_r = unfold(lhs), unfold(rhs)
    if not isinstance(hyp_l, Grad):
        return False, "a matrix claim proved by induction must be a gradient ∇_X f = R"
    f, X = hyp_l.args
    inside = set().union(*(_matrix_symbols(node) for node in f.atoms(Layered)))
    free = _matrix_symbols(f) - inside - {X}          # the cotangents: matrices outside the layered part
    try:
        nxt_l = apply_rules(unfold(lhs.subs(n, n + 1)))
    except Unsupported as exc:
        return False, f"outside the matrix rules: {exc}"
    table = {}
    for node in nxt_l.atoms(HeldGrad):
        bound: dict = {}
        if node.args[1] == X and _instance(f, node.args[0], free, bound):
            table[node] = hyp_r.xreplace(bound)
    if not table:
        return False, "the hypothesis does not occur in the next case"
    try:
        return _matrix_zero((nxt_l.xreplace(table) - unfold(rhs.subs(n, n + 1))).doit(), ctx)
    except Unsupported as exc:
        return False, f"outside the matrix rules: {exc}"


def judge_induction(lhs, rhs, n, ctx: Context) -> Verdict:
    """Claim P(n): lhs = rhs for every positive integer n. Proved when P(1) is proved and P(n+1)
    reduces to 0 once the hypothesis lhs(n) -> rhs(n) is substituted; the claim itself is still
    evaluated numerically at many n, so a false claim fails whatever the symbolic side says."""
    if not (n.is_integer and n.is_positive):
        return Verdict(FAILED, f"induction on {n} needs a positive integer symbol (declare integer=True, positive=True)")
    verdict, num_why = _confirm(lhs, rhs, ctx)
    if verdict:
        return verdict
    routes = {"numeric": num_why}
    base = judge(lhs.xreplace({n: sp.S.One}), rhs.xreplace({n: sp.S.One}), ctx)
    v = math_text(n)
    routes["base"] = f"{v} = 1: {base.status}"
    step_ok, step_why = False, "the hypothesis does not occur in the next case"
    if _is_matrix(lhs):
        step_ok, step_why = _matrix_step(lhs, rhs, n, ctx)
    for prepare in () if _is_matrix(lhs) else (_peel_last, lambda e, n: e.doit()):
        hyp_l, hyp_r = prepare(unfold(lhs), None), prepare(unfold(rhs), None)
        nxt_l, nxt_r = prepare(unfold(lhs.subs(n, n + 1)), n), prepare(unfold(rhs.subs(n, n + 1)), n)
        if nxt_l.has(hyp_l) and hyp_l != nxt_l:
            step_ok, step_why = scalar_zero(nxt_l.xreplace({hyp_l: hyp_r}) - nxt_r, ctx.spd)
            if step_ok:
                break
    routes["step"] = f"{v} \u2192 {v} + 1: " + ("reduces to 0 using the hypothesis (" + step_why + ")" if step_ok
                                               else step_why)
    if base.status == PROVED and step_ok:
        return Verdict(PROVED, f"by induction on {v}: base {v} = 1 proved; step {v} \u2192 {v} + 1 reduces to 0 "
                               f"using the hypothesis; {num_why}", routes)
    return Verdict(CHECKED, f"induction on {v} not completed (base: {base.status}; step: {routes['step']}); {num_why}",
                   routes)
