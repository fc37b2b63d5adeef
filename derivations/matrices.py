"""Matrix-level vocabulary: 1×1 entries, gradients and Jacobians, with a small table of trusted rules."""
from __future__ import annotations

import sympy as sp
from sympy import MatrixExpr


class Unsupported(Exception):
    """A matrix-level expression outside what the rules below know."""


class scalar(sp.Function):
    r"""The single entry of a 1×1 matrix expression, e.g. ``scalar(w.T*x)`` for :math:`w^T x`."""

    nargs = 1

    @classmethod
    def eval(cls, m):
        if isinstance(m, sp.MatrixBase):
            return m[0, 0]
        if getattr(m, "is_Matrix", False) and m.shape != (1, 1):
            raise ValueError(f"scalar() needs a 1x1 matrix expression, got shape {m.shape}")

    def _eval_is_real(self):
        return True

    def _eval_is_commutative(self):
        return True  # a number, although its argument is a (non-commutative) matrix

    def _latex(self, printer, exp=None):
        s = printer._print(self.args[0])
        return s if exp is None else r"\left(%s\right)^{%s}" % (s, exp)


class Grad(MatrixExpr):
    r"""Unevaluated gradient :math:`\nabla_w f` of a scalar ``f`` with respect to a column vector ``w``."""

    def __new__(cls, f, wrt):
        return sp.Basic.__new__(cls, sp.sympify(f, strict=True), wrt)

    @property
    def shape(self):
        return self.args[1].shape

    def _latex(self, printer):
        return r"\nabla_{%s}\left[%s\right]" % (printer._print(self.args[1]), printer._print(self.args[0]))


class Jacobian(MatrixExpr):
    r"""Unevaluated Jacobian :math:`\partial v/\partial w^T` of a column vector ``v``."""

    def __new__(cls, v, wrt):
        return sp.Basic.__new__(cls, v, wrt)

    @property
    def shape(self):
        return (self.args[0].shape[0], self.args[1].shape[0])

    def _latex(self, printer):
        v, w = self.args
        if isinstance(v, Grad) and v.args[1] == w:
            return r"\nabla^2_{%s}\left[%s\right]" % (printer._print(w), printer._print(v.args[0]))
        return r"\frac{\partial %s}{\partial %s^T}" % (printer._print(v), printer._print(w))


def hessian(f, w):
    return Jacobian(Grad(f, w), w)


# ---- rules: the matrix calculus the engine trusts at the matrix level (each is also confirmed
# by explicit components and numerically whenever a step uses it) -----------------------------

def _terms(m):
    m = sp.expand(m).doit()
    return sp.MatAdd.make_args(m)


def _coeff_mats(term):
    if isinstance(term, sp.MatMul):
        c, mats = term.as_coeff_matrices()
        return c, list(mats)
    if isinstance(term, sp.MatrixExpr):
        return sp.S.One, [term]
    return term, []


def _grad_of_entry(m, w):
    """Gradient of scalar(m) with respect to w, for m linear or quadratic in w."""
    parts = []
    for term in _terms(m):
        c, mats = _coeff_mats(term)
        if c.has(w):
            raise Unsupported(f"coefficient depends on {w}: {term}")
        hits = [i for i, a in enumerate(mats) if a.has(w)]
        if not hits:
            continue
        if any(mats[i] not in (w, w.T) for i in hits):
            raise Unsupported(f"{w} inside a nonlinear matrix function: {term}")
        if len(hits) == 1:
            i = hits[0]
            before, after = mats[:i], mats[i + 1:]
            if mats[i] == w and not after:            # a^T w  ->  a
                parts.append(c * sp.MatMul(*before).T if before else c * sp.Identity(1))
            elif mats[i] == w.T and not before:       # w^T a  ->  a
                parts.append(c * sp.MatMul(*after))
            else:
                raise Unsupported(f"unsupported position of {w} in {term}")
        elif len(hits) == 2 and hits[0] == 0 and hits[1] == len(mats) - 1 \
                and mats[0] == w.T and mats[-1] == w:  # w^T A w  ->  (A + A^T) w
            a = sp.MatMul(*mats[1:-1]) if len(mats) > 2 else sp.Identity(w.shape[0])
            parts.append(c * (a + a.T) * w)
        else:
            raise Unsupported(f"{w} appears more than linearly in {term}")
    return sp.MatAdd(*parts).doit() if parts else sp.ZeroMatrix(*w.shape)


def grad_rule(f, w):
    """Chain rule through scalar() entries: ∇_w f = Σ_k ∂f/∂u_k ∇_w u_k (scalar diff is trusted)."""
    entries = sorted((a for a in f.atoms(scalar) if a.has(w)), key=sp.default_sort_key)
    stripped = f.xreplace({a: sp.Dummy() for a in entries})
    if stripped.has(w):
        raise Unsupported(f"{w} appears outside scalar(...) entries in {f}")
    parts = []
    for u in entries:
        t = sp.Dummy(real=True)
        df = sp.diff(f.xreplace({u: t}), t).xreplace({t: u})
        if df != 0:
            parts.append(df * _grad_of_entry(u.args[0], w))
    return sp.MatAdd(*parts).doit() if parts else sp.ZeroMatrix(*w.shape)


def jacobian_rule(v, w):
    """∂v/∂wᵀ for v = Σ_k c_k a_k with scalar c_k and constant matrices a_k: Σ_k a_k (∇_w c_k)ᵀ."""
    parts = []
    for term in _terms(v):
        c, mats = _coeff_mats(term)
        a = sp.MatMul(*mats) if mats else sp.Identity(1)
        if a.has(w):
            raise Unsupported(f"Jacobian of a term whose matrix part depends on {w}: {term}")
        g = grad_rule(c, w)
        if not isinstance(g, sp.ZeroMatrix):
            parts.append(a * g.T)
    return sp.MatAdd(*parts).doit() if parts else sp.ZeroMatrix(v.shape[0], w.shape[0])


def apply_rules(expr):
    """Evaluate every Grad and Jacobian node, innermost first, with the rules above."""
    while True:
        nodes = [n for n in sp.preorder_traversal(expr) if isinstance(n, (Grad, Jacobian))]
        if not nodes:
            return expr
        inner = [n for n in nodes if not any(isinstance(a, (Grad, Jacobian)) for a in n.args[0].atoms(MatrixExpr)) and not n.args[0].has(Grad, Jacobian)]
        n = inner[0]
        value = grad_rule(*n.args) if isinstance(n, Grad) else jacobian_rule(*n.args)
        expr = expr.xreplace({n: value})


# ---- normal form: decide zero at the matrix level --------------------------------------------

def symmetric_rules(symmetric):
    rules = {}
    for s in symmetric:
        rules[s.T] = s
        rules[sp.Inverse(s).T] = sp.Inverse(s)
        rules[sp.Inverse(s.T)] = sp.Inverse(s)
    return rules


def _symm(expr, symmetric):
    rules = symmetric_rules(symmetric)
    for _ in range(3):
        new = expr.xreplace(rules).doit()
        if new == expr:
            break
        expr = new
    return expr


def _canon_product(m, symmetric):
    """A 1×1 product equals its transpose: pick one of the two by a fixed order."""
    m = _symm(m, symmetric)
    if m.shape != (1, 1):
        return m
    t = _symm(m.T.doit(), symmetric)
    return min(m, t, key=sp.default_sort_key)


def _one_by_one_chunks(mats):
    """Split a 1×1 product wherever a prefix is itself 1×1: aᵀx xᵀb = (aᵀx)(xᵀb)."""
    chunks, start = [], 0
    for k in range(1, len(mats) + 1):
        if mats[start].shape[0] == 1 and mats[k - 1].shape[1] == 1:
            chunks.append(mats[start:k])
            start = k
    return chunks if start == len(mats) else [mats]


def canon_entries(expr, symmetric=()):
    """Make scalar() entries linear and canonical: scalar(Σ c_k M_k) → Σ c_k scalar(canon M_k)."""
    def rebuild(e):
        total = 0
        for term in _terms(e.args[0]):
            c, mats = _coeff_mats(term)
            for chunk in _one_by_one_chunks(mats):
                c *= scalar(_canon_product(sp.MatMul(*chunk).doit() if len(chunk) > 1 else chunk[0], symmetric))
            total += c
        return total
    return expr.replace(lambda e: isinstance(e, scalar), rebuild)


def matrix_parts(m, symmetric=()):
    """Group a matrix expression's expanded terms by matrix part: {matrix part: scalar coefficient}."""
    groups: dict = {}
    for term in _terms(m):
        if isinstance(term, sp.ZeroMatrix):
            continue
        c, mats = _coeff_mats(term)
        part = _canon_product(sp.MatMul(*mats).doit() if len(mats) > 1 else mats[0], symmetric)
        groups[part] = groups.get(part, 0) + canon_entries(c, symmetric)
    return groups


def scalar_atoms_to_dummies(expr, spd=()):
    """Replace scalar() entries and determinants of SPD matrices by scalar dummies with the right sign."""
    table = {}
    for a in sorted(expr.atoms(scalar), key=sp.default_sort_key):
        table[a] = sp.Dummy("u", real=True)
    for a in sorted(expr.atoms(sp.Determinant), key=sp.default_sort_key):
        table[a] = sp.Dummy("det", positive=True) if a.args[0] in spd else sp.Dummy("det", real=True)
    out = expr.xreplace(table)
    if any(isinstance(a, MatrixExpr) for a in sp.preorder_traversal(out)):
        raise Unsupported(f"matrix expression left inside a scalar: {out}")
    return out


# ---- explicit components: the independent route --------------------------------------------

def explicit_matrices(matrix_symbols, sizes, symmetric=()):
    """Explicit matrices of real symbols for each MatrixSymbol, at the given sizes {dimension symbol: n}."""
    out = {}
    sub = dict(sizes)
    for m in sorted(matrix_symbols, key=lambda s: s.name):
        r, c = (int(sp.sympify(k, strict=True).subs(sub)) for k in m.shape)
        if m in symmetric:
            e = [[None] * c for _ in range(r)]
            for i in range(r):
                for j in range(i, c):
                    e[i][j] = e[j][i] = sp.Symbol(f"{m.name}_{i}{j}", real=True)
            out[m] = sp.ImmutableMatrix(e)
        else:
            out[m] = sp.ImmutableMatrix(r, c, lambda i, j: sp.Symbol(f"{m.name}_{i}{j}" if c > 1 else f"{m.name}_{i}", real=True))
    return out


def to_explicit(expr, table, sizes, spd=()):
    """Substitute explicit matrices; gradients and Jacobians become componentwise scalar derivatives.

    An SPD matrix S is parametrised by its inverse P = S⁻¹ (symmetric entries): S⁻¹ ↦ P,
    det S ↦ 1/det P, S ↦ P⁻¹. This change of variables is a bijection of the SPD cone and keeps
    quadratic forms polynomial, so the explicit route stays small enough to simplify.
    """
    sub = {d: sp.Integer(n) for d, n in sizes.items()}

    def conv(e):
        if isinstance(e, sp.Inverse) and e.args[0] in spd:
            return table[e.args[0]]
        if isinstance(e, sp.Determinant) and e.args[0] in spd:
            return 1 / table[e.args[0]].det()
        if isinstance(e, sp.MatrixSymbol) and e in spd:
            return table[e].inv()
        if isinstance(e, Grad):
            f, w = e.args
            fe = _as_scalar(conv(f))
            we = table[w]
            return sp.ImmutableMatrix(we.shape[0], we.shape[1], lambda i, j: sp.diff(fe, we[i, j]))
        if isinstance(e, Jacobian):
            v, w = e.args
            ve = conv(v)
            we = table[w]
            return sp.ImmutableMatrix(ve.shape[0], we.shape[0], lambda i, j: sp.diff(ve[i, 0], we[j, 0]))
        if isinstance(e, sp.MatrixSymbol):
            return table[e]
        if isinstance(e, scalar):
            return _explicit(conv(e.args[0]))[0, 0]
        if not e.args:
            return sub.get(e, e)
        new = e.func(*[conv(a) for a in e.args])
        return _explicit(new) if isinstance(new, MatrixExpr) else new

    out = conv(expr)
    out = out.doit() if hasattr(out, "doit") else out
    if isinstance(out, sp.MatrixExpr) and not isinstance(out, sp.MatrixBase):
        out = sp.ImmutableMatrix(out.as_explicit())
    return out


def _explicit(m):
    m = m.doit()
    if isinstance(m, MatrixExpr) and not isinstance(m, sp.MatrixBase):
        m = m.as_explicit()
    return sp.ImmutableMatrix(m)


def _as_scalar(e):
    if isinstance(e, (sp.MatrixBase, MatrixExpr)):
        e = sp.ImmutableMatrix(e.doit() if not isinstance(e, sp.MatrixBase) else e)
        if e.shape != (1, 1):
            raise Unsupported(f"gradient of a non-scalar of shape {e.shape}")
        return e[0, 0]
    return e
