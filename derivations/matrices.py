"""Matrix-level vocabulary: 1×1 entries, gradients and Jacobians, with a small table of trusted rules."""
from __future__ import annotations

import itertools

import sympy as sp
from sympy import MatrixExpr

from .entrywise import Map, merge_entrywise
from .families import HeldGrad, Layered


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

    def _eval_is_nonnegative(self):
        # vᵀv is a sum of squares of real entries (the engine's matrices are real): the inequality engine's sign
        m = self.args[0]
        if isinstance(m, sp.MatMul) and len(m.args) == 2 and m.args[0] == m.args[1].T:
            return True
        return None

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
#
# ∇_X f for a scalar f and a MatrixSymbol X of any shape (p×q, or a column p×1): f is a function of
# "entries" of X (rows of ENTRY_RULES), and the chain rule adds ∂f/∂u ∇_X u over its entries u.
# Gradients are entrywise, (∇_X f)_ij = ∂f/∂X_ij with every entry independent, also when X is
# declared symmetric or SPD (the numeric route perturbs one entry at a time, and so do components).

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


def _product(mats, n):
    """The product of mats, or the n×n identity when there are none."""
    if not mats:
        return sp.Identity(n)
    return sp.MatMul(*mats) if len(mats) > 1 else mats[0]


# ∇_X tr(T) for one term T of a linear entry (scalar(m) is the trace of the 1×1 matrix m, so both use
# these rows), by how X occurs in T. P, A, Q are products free of X; an empty one is the identity.
# tr(P X Q) = Σ_ij (QP)_ji X_ij and tr(P Xᵀ Q) = tr(Qᵀ X Pᵀ); tr(Xᵀ A X) = Σ_k x_kᵀ A x_k by columns.
TERM_RULES = {
    # how X occurs     ∇_X tr(term)                            e.g.
    "P X Q":          lambda X, P, Q: P.T * Q.T,              # tr(AX) → Aᵀ, aᵀXb → abᵀ, aᵀw → a, tr(X) → I
    "P Xᵀ Q":         lambda X, P, Q: Q * P,                  # tr(AXᵀ) → A, bᵀXᵀa → abᵀ, wᵀa → a
    "Xᵀ A X":         lambda X, A: (A + A.T) * X,             # wᵀAw → (A + Aᵀ)w, tr(XᵀAX) → (A + Aᵀ)X
    "P f(A) Q":       lambda X, P, Q, F: _grad_entrywise(X, P, Q, F),   # aᵀσ(Wᵀx) → x (a ⊙ σ'(Wᵀx))ᵀ
    "P H Q":          lambda X, P, Q, H: HeldGrad(_trace_of(Q * P * H), X),  # H layered: left to an induction
}


def _refuse_hidden(mats, X):
    """Unsupported when an unevaluated layered matrix may hold X at some integer index (W_100 inside W_j)."""
    for m in mats:
        for node in sp.preorder_traversal(m):
            if isinstance(node, Layered) and node.may_create(X):
                raise Unsupported(f"{node} may hold {X} once its index is an integer")


def _trace_of(m):
    return scalar(m) if m.shape == (1, 1) else sp.Trace(m)

_held = itertools.count()   # names of the matrices an entrywise rule holds fixed


def _grad_entrywise(X, P, Q, F):
    """∇_X tr(P f(A) Q) for F = f(A) entrywise, A free of P and Q: tr(P f(A) Q) = Σ_ij (QP)_ji f(A_ij), so
    the chain rule gives ∇_X tr(Gᵀ A) with G = (QP)ᵀ ⊙ f'(A) held fixed (A itself may hold further Maps)."""
    G = sp.HadamardProduct((Q * P).T, F.derivative()).doit()
    held = sp.MatrixSymbol(f"_G{next(_held)}", *G.shape)
    return _grad_linear(held.T * F.arg, X).xreplace({held: G})


def _term_shape(mats, X):
    """Which row of TERM_RULES a term's matrices fit, with its arguments; None when X is absent."""
    _refuse_hidden(mats, X)
    hits = [i for i, a in enumerate(mats) if a.has(X)]
    if not hits:
        return None
    p, q = X.shape
    if len(hits) == 1 and isinstance(mats[hits[0]], (Map, Layered)) and mats[hits[0]] != X:
        i, F = hits[0], mats[hits[0]]
        if isinstance(F, Map) and F.function.has(X):
            raise Unsupported(f"the entrywise function itself holds {X}: {F}")
        row = "P f(A) Q" if isinstance(F, Map) else "P H Q"
        return row, (_product(mats[:i], F.shape[0]), _product(mats[i + 1:], F.shape[1]), F)
    if any(mats[i] not in (X, X.T) for i in hits):
        raise Unsupported(f"{X} inside a nonlinear matrix function: {sp.MatMul(*mats)}")
    if len(hits) == 1:
        i = hits[0]
        before, after = mats[:i], mats[i + 1:]
        if mats[i] == X:
            return "P X Q", (_product(before, p), _product(after, q))
        return "P Xᵀ Q", (_product(before, q), _product(after, p))
    if hits == [0, len(mats) - 1] and mats[0] == X.T and mats[-1] == X:
        return "Xᵀ A X", (_product(mats[1:-1], p),)
    raise Unsupported(f"{X} appears more than linearly in {sp.MatMul(*mats)}")


def _grad_linear(m, X):
    """∇_X tr(m) for m a sum of terms c·(a row of TERM_RULES) with c free of X."""
    parts = []
    for term in _terms(m):
        c, mats = _coeff_mats(term)
        if c.has(X):
            raise Unsupported(f"coefficient depends on {X}: {term}")
        shape = _term_shape(mats, X)
        if shape is not None:
            row, args = shape
            parts.append(c * TERM_RULES[row](X, *args))
    return sp.MatAdd(*parts).doit() if parts else sp.ZeroMatrix(*X.shape)


def _is_det(u, X):
    return isinstance(u, sp.Determinant) and u.args[0] in (X, X.T)       # det Xᵀ = det X


def _is_log_abs_det(u, X):
    return isinstance(u, sp.log) and isinstance(u.args[0], sp.Abs) and _is_det(u.args[0].args[0], X)


def _is_log_det(u, X):
    return isinstance(u, sp.log) and _is_det(u.args[0], X)


def _grad_of_linear_entry(u, X):
    return _grad_linear(u.args[0], X)          # tr M and scalar(M) alike: M's terms by TERM_RULES


# The scalar entries u of X whose gradient the engine knows, tried in order on each subexpression of f
# (so log|det X| is one entry, not log∘Abs∘det). One row per rule, as autograd's defvjp table.
ENTRY_RULES = (
    # entry u         matches u?                             ∇_X u                       where it holds
    ("log|det X|",    _is_log_abs_det,                       lambda u, X: X.I.T,         "det X ≠ 0 (Jacobi's formula)"),
    ("log det X",     _is_log_det,                           lambda u, X: X.I.T,         "det X > 0 (on the principal branch also det X < 0)"),
    ("det X",         _is_det,                               lambda u, X: u * X.I.T,     "X invertible (Jacobi's formula)"),
    ("tr M",          lambda u, X: isinstance(u, sp.Trace),  _grad_of_linear_entry,      "M a sum of TERM_RULES terms"),
    ("scalar(M)",     lambda u, X: isinstance(u, scalar),    _grad_of_linear_entry,      "M 1×1, a sum of TERM_RULES terms"),
)


def entry_rule(u, X):
    """The row of ENTRY_RULES for the entry u of X, or None."""
    return next((row for row in ENTRY_RULES if row[1](u, X)), None)


def _entries(f, X):
    """The largest subexpressions of f that are entries of X (a row of ENTRY_RULES matches them)."""
    found = set()

    def walk(e):
        if not e.has(X):
            return
        if entry_rule(e, X):
            found.add(e)
            return
        for a in e.args:
            walk(a)
    walk(f)
    return sorted(found, key=sp.default_sort_key)


def grad_rule(f, X):
    """Chain rule through the entries of X: ∇_X f = Σ_u ∂f/∂u ∇_X u (scalar diff is trusted)."""
    entries = _entries(f, X)
    dummies = {u: sp.Dummy("u", real=True) for u in entries}
    stripped = f.xreplace(dummies)               # all at once: an entry inside another stays inside it
    if stripped.has(X):
        raise Unsupported(f"{X} appears outside the entries the rules know (ENTRY_RULES) in {f}")
    back = {t: u for u, t in dummies.items()}
    parts = []
    for u in entries:
        df = sp.diff(stripped, dummies[u]).xreplace(back)
        if df != 0:
            parts.append(df * entry_rule(u, X)[2](u, X))
    return sp.MatAdd(*parts).doit() if parts else sp.ZeroMatrix(*X.shape)


def jacobian_rule(v, w):
    """∂v/∂wᵀ for v = Σ_k c_k a_k with scalar c_k, by the product rule: Σ_k a_k (∇_w c_k)ᵀ + c_k ∂a_k/∂wᵀ,
    where each matrix part a_k is free of w (∂a/∂wᵀ = 0) or is P w with P free of w (∂a/∂wᵀ = P)."""
    parts = []
    for term in _terms(v):
        c, mats = _coeff_mats(term)
        a = sp.MatMul(*mats) if mats else sp.Identity(1)
        if a.has(w):
            if mats[-1] != w or any(m.has(w) for m in mats[:-1]):
                raise Unsupported(f"Jacobian of a term whose matrix part is not P {w}: {term}")
            parts.append(c * _product(mats[:-1], w.shape[0]))
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
    expr = expr.replace(lambda e: isinstance(e, scalar), rebuild)
    return expr.replace(lambda e: isinstance(e, sp.Trace), lambda e: _canon_trace(e.args[0], symmetric))


def _canon_trace(m, symmetric):
    """tr(Σ c_k M_k) → Σ c_k tr(canon M_k), where canon picks, by a fixed order, one of the cyclic
    rotations of the product M_k and of its transpose (tr(ABC) = tr(BCA) = tr(CᵀBᵀAᵀ))."""
    total = 0
    for term in _terms(m):
        c, mats = _coeff_mats(term)
        if not mats:
            raise Unsupported(f"a scalar term inside a trace: {term}")
        forms = []
        for k in range(len(mats)):
            rot = mats[k:] + mats[:k]
            for f in (rot, [a.T for a in reversed(rot)]):
                forms.append(_symm(sp.MatMul(*f).doit() if len(f) > 1 else f[0].doit(), symmetric))
        total += c * sp.Trace(min(forms, key=sp.default_sort_key)).doit()
    return total


def matrix_parts(m, symmetric=()):
    """Group a matrix expression's expanded terms by matrix part: {matrix part: scalar coefficient}."""
    groups: dict = {}
    for term in _terms(m):
        if isinstance(term, sp.ZeroMatrix):
            continue
        c, mats = _coeff_mats(merge_entrywise(term))
        part = _canon_product(sp.MatMul(*mats).doit() if len(mats) > 1 else mats[0], symmetric)
        groups[part] = groups.get(part, 0) + canon_entries(c, symmetric)
    return groups


def scalar_atoms_to_dummies(expr, spd=()):
    """Replace scalar() entries, traces and determinants by scalar dummies (real; an SPD matrix's
    determinant positive). det Mᵀ = det M and tr Mᵀ = tr M share one dummy."""
    table, made = {}, {}
    for a in sorted(expr.atoms(scalar, sp.Determinant, sp.Trace), key=sp.default_sort_key):
        m = a.args[0]
        key = type(a)(m.arg) if isinstance(a, (sp.Determinant, sp.Trace)) and isinstance(m, sp.Transpose) else a
        if key not in made:
            positive = isinstance(a, sp.Determinant) and key.args[0] in spd
            made[key] = sp.Dummy("det" if isinstance(a, sp.Determinant) else "u",
                                 **({"positive": True} if positive else {"real": True}))
        table[a] = made[key]
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
    quadratic forms polynomial, so the explicit route stays small enough to simplify. A matrix that
    a Grad or Jacobian differentiates is not parametrised: it is differentiated entry by entry, each
    entry free (as the numeric route does), and the derivative is then taken at its point (for a
    symmetric matrix, a symmetric one).
    """
    sub = {d: sp.Integer(n) for d, n in sizes.items()}
    wrt = {n.args[1] for n in sp.preorder_traversal(expr) if isinstance(n, (Grad, Jacobian))}
    positive = _positive_under(spd)
    spd = tuple(s for s in spd if s not in wrt)

    def derivative(e, table):
        """(the body with w's entries free, those free entries, w's point) for Grad/Jacobian(body, w)."""
        body, w = e.args
        point = table[w]
        free = sp.ImmutableMatrix(*point.shape, lambda i, j: sp.Dummy(f"{w.name}_{i}{j}", real=True))
        return conv(body, {**table, w: free}), free, point

    def conv(e, table):
        if isinstance(e, sp.Abs) and positive(e.args[0]):     # e.g. |det Σ| = det Σ for an SPD Σ
            return conv(e.args[0], table)
        if isinstance(e, sp.Inverse) and e.args[0] in spd:
            return table[e.args[0]]
        if isinstance(e, sp.Determinant) and e.args[0] in spd:
            return 1 / table[e.args[0]].det()
        if isinstance(e, sp.MatrixSymbol) and e in spd:
            return table[e].inv()
        if isinstance(e, Grad):
            fe, free, point = derivative(e, table)
            fe = _as_scalar(fe)
            g = sp.ImmutableMatrix(*free.shape, lambda i, j: _abs_as_sign(sp.diff(fe, free[i, j])))
            return g.xreplace(dict(zip(free, point)))
        if isinstance(e, Jacobian):
            ve, free, point = derivative(e, table)
            ve = _explicit(ve)
            jac = sp.ImmutableMatrix(ve.shape[0], free.shape[0],
                                     lambda i, j: _abs_as_sign(sp.diff(ve[i, 0], free[j, 0])))
            return jac.xreplace(dict(zip(free, point)))
        if isinstance(e, sp.Trace):
            return _explicit(conv(e.args[0], table)).trace()
        if isinstance(e, sp.Determinant):
            return _explicit(conv(e.args[0], table)).det()
        if isinstance(e, sp.MatrixSymbol):
            return table[e]
        if isinstance(e, Layered):
            return _stand_in(e, table, sub)
        if isinstance(e, scalar):
            return _explicit(conv(e.args[0], table))[0, 0]
        if not e.args:
            return sub.get(e, e)
        new = e.func(*[conv(a, table) for a in e.args])
        return _explicit(new) if isinstance(new, MatrixExpr) else new

    out = conv(expr, table)
    out = out.doit() if hasattr(out, "doit") else out
    if isinstance(out, sp.MatrixExpr) and not isinstance(out, sp.MatrixBase):
        out = sp.ImmutableMatrix(out.as_explicit())
    return out


def _stand_in(e, table, sub):
    """An unevaluated Layered matrix (W_k, h_{k-1} for a symbolic k) free of every matrix differentiated
    here: a matrix of fresh symbols, the same for every occurrence (any value it can take is covered)."""
    varied = [m for m in table if isinstance(m, sp.MatrixSymbol) and isinstance(table[m], sp.ImmutableMatrix)
              and any(isinstance(x, sp.Dummy) for x in table[m].free_symbols)]
    if any(e.has(m) or any(n.may_create(m) for n in sp.preorder_traversal(e) if isinstance(n, Layered))
           for m in varied):
        raise Unsupported(f"{e} depends on the matrix differentiated by")
    r, c = (int(sp.sympify(k, strict=True).xreplace(sub)) for k in e.shape)
    name = sp.sstr(e)
    return sp.ImmutableMatrix(r, c, lambda i, j: sp.Symbol(f"{name}_{i}{j}", real=True))


def _positive_under(spd):
    """Whether a scalar is positive by the matrix-level facts (an SPD matrix's determinant is positive),
    which explicit entries of the SPD cone's parametrisation cannot carry as symbol assumptions."""
    def positive(e):
        try:
            return bool(scalar_atoms_to_dummies(e, spd).is_positive)
        except Unsupported:
            return False
    return positive


def _abs_as_sign(e):
    """|g| = g·sign(g) for real g, where sign(g) also occurs: d log|g| = sign(g) g'/|g| becomes g'/g,
    with no sign left for the case split of the scalar route to choke on."""
    signs = {a.args[0] for a in e.atoms(sp.sign)}
    return e.xreplace({a: a.args[0] * sp.sign(a.args[0]) for a in e.atoms(sp.Abs)
                       if a.args[0] in signs and a.args[0].is_real})


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
