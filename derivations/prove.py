"""Decide one claimed equality three ways: symbolically, by explicit components, and numerically at high precision."""
from __future__ import annotations

import random
from dataclasses import dataclass, field

import mpmath
import sympy as sp

from .functions import unfold
from .matrices import (Grad, Jacobian, Unsupported, apply_rules, canon_entries, explicit_matrices,
                       matrix_parts, scalar_atoms_to_dummies, to_explicit)

PROVED, CHECKED, FAILED = "proved", "checked", "failed"
_DERIVATIVES = (sp.Derivative, Grad, Jacobian)


@dataclass(frozen=True)
class Context:
    """What a step may assume, and how hard to look for a counterexample."""

    symmetric: tuple = ()
    spd: tuple = ()
    domains: tuple = ()          # ((symbol, (lo, hi)), ...)
    dims: tuple = ()             # dimension symbols of the MatrixSymbols, e.g. (p,)
    sizes: tuple = (1, 2, 3)     # explicit dimensions tried
    points: int = 5              # random points per size
    dps: int = 50
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

def _split_products(e):
    """Π_j (a_j b_j) = Π_j a_j · Π_j b_j, and a factor free of j comes out as a power."""
    def split(prod):
        f, (j, lo, hi) = prod.function, prod.limits[0]
        if len(prod.limits) != 1 or not isinstance(f, sp.Mul):
            return prod
        out = 1
        for a in f.args:
            out *= sp.Product(a, (j, lo, hi)) if a.has(j) else a ** (hi - lo + 1)
        return out
    return e.replace(lambda n: isinstance(n, sp.Product), split)


def _align_products(e):
    """Products of one term over ranges that end c apart: peel the longer one, Π_{a}^{B+c} = Π_{a}^{B} Π_{i=1}^{c} f(B+i)."""
    prods = [p for p in e.atoms(sp.Product) if len(p.limits) == 1]
    table = {}
    for p in prods:
        for q in prods:
            (j, a, b), (j2, a2, b2) = p.limits[0], q.limits[0]
            if p is q or a != a2 or p.function.xreplace({j: j2}) != q.function:
                continue
            c = sp.expand(b - b2)
            if c.is_Integer and c > 0:
                extra = sp.Mul(*[p.function.xreplace({j: b2 + i}) for i in range(1, int(c) + 1)])
                table[p] = sp.Product(q.function.xreplace({j2: j}), (j, a, b2)) * extra
    return e.xreplace(table)


def _products(e):
    return sp.expand(_align_products(_split_products(e)))


_SIMPLIFIERS = (
    ("expand", sp.expand),
    ("split and align products", _products),
    ("cancel", lambda e: sp.cancel(sp.together(e))),
    ("simplify", sp.simplify),
    ("expand_log+simplify", lambda e: sp.simplify(sp.expand_log(e))),
    ("exp-rewrite+simplify", lambda e: sp.simplify(sp.powsimp(sp.expand(e.rewrite(sp.exp)), force=False))),
)
_MAX_OPS = 3000  # beyond this simplify can run for minutes; the numeric route still decides


_KINKED = (sp.Abs, sp.Max, sp.Min, sp.Heaviside, sp.sign, sp.Piecewise)


def _by_cases(e):
    """Split on the sign of each symbol inside Abs/Max/Min/Heaviside: positive, negative and zero."""
    syms = sorted({s for a in e.atoms(*_KINKED) for s in a.free_symbols if s.is_real}, key=sp.default_sort_key)
    if not syms or len(syms) > 3:
        return False, "no case split applies"
    cases = [{}]
    for s in syms:
        t = sp.Dummy(s.name, positive=True)
        cases = [{**c, s: v} for c in cases for v in (t, -t, sp.S.Zero)]
    for c in cases:
        ok, why = scalar_zero(e.xreplace(c), split=False)
        if not ok:
            return False, f"case {c}: {why}"
    return True, "by cases on the sign of " + ", ".join(s.name for s in syms) + " (> 0, < 0, = 0)"


def scalar_zero(e, spd=(), split=True):
    """True only when a simplifier returns exactly zero; anything else (including giving up) is False."""
    e = scalar_atoms_to_dummies(e, spd)
    if e == 0:
        return True, "the difference is 0 in canonical form"
    if split and e.has(*_KINKED):
        return _by_cases(e)
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


def symbolic(lhs, rhs, ctx: Context):
    try:
        d = apply_rules(unfold(_diff_of(lhs, rhs))).doit()
        if _is_matrix(d):
            if isinstance(d, sp.MatrixBase):
                results = [scalar_zero(canon_entries(x, ctx.symmetric), ctx.spd) for x in d]
            else:
                results = [scalar_zero(c, ctx.spd) for c in matrix_parts(d, ctx.symmetric).values()]
            ok = all(r[0] for r in results)
            why = "matrix level: " + ("every matrix term cancels" if ok else
                                      next(r[1] for r in results if not r[0]))
            return ok, why
        return scalar_zero(canon_entries(d, ctx.symmetric), ctx.spd)
    except Unsupported as exc:
        return False, f"outside the matrix rules: {exc}"


# ---- route 2: explicit components --------------------------------------------------------------

def _matrix_symbols(*exprs):
    out = set()
    for e in exprs:
        out |= {a for a in sp.preorder_traversal(e) if isinstance(a, sp.MatrixSymbol)}
    return out


def components(lhs, rhs, ctx: Context):
    """Substitute explicit matrices of symbols for every size and reduce each entry (scalar calculus only)."""
    mats = _matrix_symbols(lhs, rhs)
    if not mats:
        return None, "no matrices"
    try:
        d = unfold(_diff_of(lhs, rhs))
        for n in ctx.sizes:
            table = explicit_matrices(mats, ctx.dims, n, ctx.symmetric)
            de = to_explicit(d, table, ctx.dims, n, ctx.spd)
            entries = list(de) if _is_matrix(de) else [de]
            for x in entries:
                ok, why = scalar_zero(sp.sympify(x, strict=True).doit())
                if not ok:
                    return False, f"p={n}: {why}"
        return True, "explicit components for p=" + ",".join(map(str, ctx.sizes)) + " reduce to 0"
    except Unsupported as exc:
        return False, str(exc)


# ---- route 3: numeric at high precision ----------------------------------------------------------

_MAGNITUDES = (1.0, 2.0, 6.0, 0.05, 4.0)  # cycled over the points: claims false only far out get caught


def _sample_scalar(sym, domains, rng, k=0):
    if sym in domains:
        lo, hi = domains[sym]
        return sp.Float(rng.uniform(lo, hi), 60)
    if sym.is_integer:
        return sp.Integer(rng.randint(1, 4))
    m = _MAGNITUDES[k % len(_MAGNITUDES)]
    v = rng.uniform(0.2 * m, m)
    return sp.Float(v if sym.is_positive or rng.random() < 0.5 else -v, 60)


def _sample_matrix(m, n, ctx, rng):
    sub = {d: n for d in ctx.dims}
    r, c = (int(sp.sympify(k, strict=True).subs(sub)) for k in m.shape)
    a = sp.Matrix(r, c, lambda i, j: sp.Float(rng.gauss(0, 1), 60))
    if m in ctx.spd:
        a = a * a.T / r + sp.eye(r)
    elif m in ctx.symmetric:
        a = (a + a.T) / 2
    return sp.ImmutableMatrix(a)


def _indexed_value(a, point, ctx):
    """A deterministic random value for y[i], the same wherever it appears at this point."""
    rng = random.Random(f"{ctx.seed}:{point.get('_id')}:{a}")
    lo, hi = dict(ctx.domains).get(a.base, dict(ctx.domains).get(sp.Symbol(str(a.base), real=True), (-2.0, 2.0)))
    return sp.Float(rng.uniform(lo, hi), 60)


def _top_derivatives(e):
    """Derivative nodes not nested in another derivative node."""
    if isinstance(e, _DERIVATIVES):
        return [e]
    out = []
    for a in e.args:
        out += _top_derivatives(a)
    return out


def _num(e, point, ctx, n):
    """Value of e at point; derivatives by mpmath.diff on the evaluated inner expression."""
    dps = mpmath.mp.dps + 10
    subs = {}
    for node in _top_derivatives(e):
        subs[node] = _num_derivative(node, point, ctx, n)
    e = e.xreplace(subs)
    table = {k: v for k, v in point.items() if k != "_id"}
    if n is not None:
        table.update({d: sp.Integer(n) for d in ctx.dims})
    v = e.xreplace(table)
    v = v.doit() if hasattr(v, "doit") else v
    if isinstance(v, sp.Basic) and v.has(sp.Indexed):
        v = v.xreplace({a: _indexed_value(a, point, ctx) for a in v.atoms(sp.Indexed)})
    if _is_matrix(v):
        return sp.ImmutableMatrix(sp.ImmutableMatrix(v).evalf(dps))
    return sp.sympify(v, strict=True).evalf(dps)


def _as_mpf(v):
    if _is_matrix(v):
        if v.shape != (1, 1):
            raise Unsupported(f"expected a scalar, got shape {v.shape}")
        v = v[0, 0]
    z = complex(v) if v.is_number else None
    if z is None or z.imag != 0 and abs(z.imag) > 1e-40 * max(1.0, abs(z.real)):
        raise Unsupported(f"value is not real: {v}")
    return mpmath.mpf(sp.re(v))


def _num_derivative(node, point, ctx, n):
    if isinstance(node, sp.Derivative):
        f = node.expr
        variables = [v for v, k in node.variable_count for _ in range(k)]
        if len(set(variables)) != 1:
            raise Unsupported("mixed scalar derivatives")
        v = variables[0]
        g = lambda t: _as_mpf(_num(f, {**point, v: sp.Float(t, mpmath.mp.dps + 10)}, ctx, n))
        return sp.Float(mpmath.diff(g, mpmath.mpf(point[v]), len(variables)), mpmath.mp.dps)
    if isinstance(node, Jacobian) and isinstance(node.args[0], Grad) and node.args[0].args[1] == node.args[1]:
        f, w = node.args[0].args
        w0 = point[w]
        k = w0.shape[0]

        def second(i, j):
            def g(*ts):
                m = sp.Matrix(w0)
                m[i, 0] = sp.Float(ts[0], mpmath.mp.dps + 10)
                if i != j:
                    m[j, 0] = sp.Float(ts[1], mpmath.mp.dps + 10)
                return _as_mpf(_num(f, {**point, w: sp.ImmutableMatrix(m)}, ctx, n))
            if i == j:
                return sp.Float(mpmath.diff(g, mpmath.mpf(w0[i, 0]), 2), mpmath.mp.dps)
            return sp.Float(mpmath.diff(g, (mpmath.mpf(w0[i, 0]), mpmath.mpf(w0[j, 0])), (1, 1)), mpmath.mp.dps)
        return sp.ImmutableMatrix(k, k, lambda i, j: second(i, j))
    if isinstance(node, Grad):
        f, w = node.args
        w0 = point[w]

        def partial(i):
            def g(t):
                m = sp.Matrix(w0)
                m[i, 0] = sp.Float(t, mpmath.mp.dps + 10)
                return _as_mpf(_num(f, {**point, w: sp.ImmutableMatrix(m)}, ctx, n))
            return sp.Float(mpmath.diff(g, mpmath.mpf(w0[i, 0])), mpmath.mp.dps)
        return sp.ImmutableMatrix(w0.shape[0], 1, lambda i, j: partial(i))
    v, w = node.args
    w0 = point[w]

    def entry(i, j):
        def g(t):
            m = sp.Matrix(w0)
            m[j, 0] = sp.Float(t, mpmath.mp.dps + 10)
            return _as_mpf(sp.ImmutableMatrix(_num(v, {**point, w: sp.ImmutableMatrix(m)}, ctx, n))[i, 0])
        return sp.Float(mpmath.diff(g, mpmath.mpf(w0[j, 0])), mpmath.mp.dps)
    rows = _num(v, point, ctx, n).shape[0]
    return sp.ImmutableMatrix(rows, w0.shape[0], entry)


def _summand_scale(lhs, rhs, point, ctx, n):
    """Largest magnitude among the top-level summands of either side (0 for matrices)."""
    out = mpmath.mpf(0)
    for side in (lhs, rhs):
        if _is_matrix(side) or not isinstance(side, sp.Add):
            continue
        for term in side.args:
            try:
                out = max(out, abs(_as_mpf(_num(term, point, ctx, n))))
            except (Unsupported, TypeError, ValueError, ZeroDivisionError):
                continue
    return out


def numeric(lhs, rhs, ctx: Context):
    """Compare both sides at random points (SPD matrices where declared) with mpmath at ctx.dps digits."""
    rng = random.Random(ctx.seed)
    domains = dict(ctx.domains)
    mats = _matrix_symbols(lhs, rhs)
    syms = sorted((lhs.free_symbols | rhs.free_symbols) - set(ctx.dims) - mats, key=lambda s: s.name)
    indexed = {a.base.label for e in (lhs, rhs) for a in e.atoms(sp.Indexed)}
    syms = [s for s in syms if type(s) in (sp.Symbol, sp.Dummy) and s not in indexed]
    has_derivative = any(_top_derivatives(lhs) + _top_derivatives(rhs))
    tol = sp.Float(10) ** (-(ctx.dps // 2 - 5) if has_derivative else -(ctx.dps - 10))
    sizes = ctx.sizes if mats else (None,)
    worst, count = 0.0, 0
    with mpmath.workdps(ctx.dps):
        for n in sizes:
            for _ in range(ctx.points):
                point = {s: _sample_scalar(s, domains, rng, count) for s in syms}
                point["_id"] = count
                point.update({m: _sample_matrix(m, n, ctx, rng) for m in sorted(mats, key=lambda s: s.name)})
                try:
                    lv, rv = _num(lhs, point, ctx, n), _num(rhs, point, ctx, n)
                    pairs = list(zip(lv, rv)) if _is_matrix(lv) else [(lv, rv)]
                    if _is_matrix(lv) and lv.shape != rv.shape:
                        return False, f"shapes differ: {lv.shape} vs {rv.shape}", None
                    floor = _summand_scale(lhs, rhs, point, ctx, n)
                    for a, b in pairs:
                        a, b = _as_mpf(a), _as_mpf(b)
                        # relative to the sides, or to their summands when a side is (nearly) zero:
                        # sin²+cos²−1 = 0 is rounding noise of size 1, not a relative error of 1.
                        scale = max(abs(a), abs(b), floor)
                        err = abs(a - b) / scale if scale else mpmath.mpf(0)
                        worst = max(worst, float(err))
                        if err > tol:
                            where = ", ".join(f"{k}={sp.N(v, 6) if not _is_matrix(v) else '…'}" for k, v in list(point.items())[:6] if k != "_id")
                            return False, (f"differs at {where}" + (f" (p={n})" if n else "")
                                           + f": {sp.N(a, 12)} vs {sp.N(b, 12)}"), float(err)
                except (Unsupported, TypeError, ValueError, ZeroDivisionError) as exc:
                    return False, f"cannot be evaluated numerically: {exc}", None
                count += 1
    agree = "agree to every digit" if worst == 0 else f"max rel. difference {worst:.1e}"
    return True, f"mpmath {ctx.dps} digits at {count} random points: {agree}", worst


# ---- the verdict -------------------------------------------------------------------------------

def judge(lhs, rhs, ctx: Context) -> Verdict:
    """proved: symbolic zero, confirmed by components (matrices) and numerically; checked: numeric only."""
    lhs, rhs = sp.sympify(lhs, strict=True), sp.sympify(rhs, strict=True)
    num_ok, num_why, _ = numeric(lhs, rhs, ctx)
    routes = {"numeric": num_why}
    if not num_ok:
        return Verdict(FAILED, num_why, routes)
    sym_ok, sym_why = symbolic(lhs, rhs, ctx)
    routes["symbolic"] = sym_why
    comp_ok, comp_why = components(lhs, rhs, ctx)
    if comp_ok is not None:
        routes["components"] = comp_why
    if sym_ok and comp_ok in (True, None):
        return Verdict(PROVED, "; ".join(routes[k] for k in ("symbolic", "components", "numeric") if k in routes), routes)
    reason = sym_why if not sym_ok else comp_why
    return Verdict(CHECKED, f"not proved symbolically ({reason}); {num_why}", routes)


def judge_induction(lhs, rhs, n, ctx: Context) -> Verdict:
    """Claim P(n): lhs = rhs for every positive integer n. Proved when P(1) is proved and P(n+1)
    reduces to 0 once the hypothesis lhs(n) -> rhs(n) is substituted; the claim itself is still
    evaluated numerically at random n, so a false claim fails whatever the symbolic side says."""
    num_ok, num_why, _ = numeric(lhs, rhs, ctx)
    routes = {"numeric": num_why}
    if not num_ok:
        return Verdict(FAILED, num_why, routes)
    base = judge(lhs.xreplace({n: sp.S.One}), rhs.xreplace({n: sp.S.One}), ctx)
    routes["base"] = f"{n} = 1: {base.status}"
    hyp_l, hyp_r = unfold(lhs).doit(), unfold(rhs).doit()
    nxt_l = unfold(lhs.subs(n, n + 1)).doit()
    nxt_r = unfold(rhs.subs(n, n + 1)).doit()
    step_ok, step_why = False, "the hypothesis does not occur in the next case"
    if nxt_l.has(hyp_l):
        step_ok, step_why = scalar_zero(nxt_l.xreplace({hyp_l: hyp_r}) - nxt_r, ctx.spd)
    routes["step"] = f"{n} -> {n} + 1: " + ("reduces to 0 using the hypothesis (" + step_why + ")" if step_ok else step_why)
    if base.status == PROVED and step_ok:
        return Verdict(PROVED, f"by induction on {n}: base {n} = 1 proved; step {n} -> {n} + 1 reduces to 0 "
                               f"using the hypothesis; {num_why}", routes)
    return Verdict(CHECKED, f"induction on {n} not completed (base: {base.status}; step: {routes['step']}); {num_why}",
                   routes)
