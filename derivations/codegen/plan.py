"""Stage 1, plan: what a generated function computes — matrix statements, scalar expressions in stable form, outputs."""
from __future__ import annotations

import functools
import itertools
import re
from dataclasses import dataclass, field
from typing import Iterator

import sympy as sp

from ..matrices import canon_entries, scalar
from .block import Block
from .guards import _ROWS, _arg_shapes, guards
from .spec import CodegenError, Spec
from .stable import LONG_FORMS, kernel_form, lift, long_form, lower, rewrite


@dataclass
class Plan:
    """The input of the block and assemble stages.

    outputs: per output, its name (None: returned, not named) and its pieces, each an index into
    `exprs` (None: the piece is the template itself, a name computed in the prelude) and a template
    such as ``"{} @ X / n"`` the piece's code is put into; the pieces of one output are added.
    """

    exprs: list                                  # scalar SymPy expressions, ready for the block stage
    outputs: list                                # [(name | None, [(index | None, template), ...])]
    prelude: list = field(default_factory=list)  # statements before the block's: batched products, lets
    returns: str | None = None                   # Python expression of the outputs; default: the outputs
    as_tuple: bool = False                       # return the outputs as one tuple, even a single one
    size_of: str | None = None                   # the design matrix whose row count `n` the outputs use
    names: Iterator[str] = None                  # temporaries' names, shared by every block of the function
    defs: list = field(default_factory=list)     # [(symbol, expression)] the exprs use, each its own statement
    temporaries: list = field(default_factory=list)  # names the function may free after their last use
    guards: list = field(default_factory=list)  # statements checking the inputs, first (guards.py)
    ns: str = "np"                               # the namespace the statements call (printer.code)


def temporaries(into: list) -> Iterator[str]:
    """t0, t1, …, each recorded in `into` as it is handed out."""
    for k in itertools.count():
        into.append(f"t{k}")
        yield into[-1]


def scalars(exprs, forms, as_tuple=False) -> Plan:
    """The plan of a function returning scalar expressions (no matrices, nothing freed), each application of
    a function in `forms` lowered to a statement of its own (stable.lift: nested forms stay linear in size)."""
    defs, exprs = lift(exprs, forms)
    return Plan(exprs=exprs, outputs=[(None, [(k, "{}")]) for k in range(len(exprs))], as_tuple=as_tuple,
                names=(f"t{k}" for k in itertools.count()), defs=defs)


def stable_form(expr):
    """A derivation's scalar closed form in the generated code's primitives: proved rewrites, then lowerings."""
    return lower(rewrite(expr))


class _Planner:
    """Turns matrix expressions into NumPy statements and scalar(M) entries into named variables."""

    def __init__(self, spec: Spec, plan: Plan):
        self.spec = spec
        self.plan = plan
        self.form = stable_form                  # the closed forms' spelling (plan's route)
        self.one_row = False                     # a design matrix of one row, its products Python floats
        self.names = dict(spec.bind)
        self.rows = dict(spec.rows)              # per-sample vector name -> design matrix arg
        self.placeholders: dict = {}             # scalar(M) -> Symbol standing for its NumPy value
        self.batched: list[str] = []             # names of per-sample (N,) products X @ a

    def emit(self, line: str):
        self.plan.prelude.append(line)

    def name_of(self, sym):
        if sym.name not in self.names:
            raise CodegenError(f"{self.spec.name}: symbol {sym.name!r} has no argument bound to it")
        return self.names[sym.name]

    def design(self) -> str:
        return next(iter(self.rows.values()))

    # -- matrices ------------------------------------------------------------------------------
    def mat(self, m) -> str:
        """A matrix expression free of per-sample vectors, as NumPy (vectors are 1-D arrays)."""
        if isinstance(m, sp.MatrixSymbol):
            if m.name in self.rows:
                raise CodegenError(f"{self.spec.name}: per-sample {m.name} used outside a product")
            return self.name_of(m)
        if isinstance(m, sp.Transpose):
            inner = self.mat(m.arg)
            return inner if m.arg.shape[1] == 1 else f"{inner}.T"
        if isinstance(m, sp.MatAdd):
            terms = sorted((self._term(t) for t in m.args), key=lambda t: t.startswith("-"))
            return " + ".join(terms).replace("+ -", "- ")
        if isinstance(m, sp.MatMul):
            return self._term(m)
        raise CodegenError(f"{self.spec.name}: no NumPy form for {m}")

    def _term(self, t):
        c, mats = t.as_coeff_matrices() if isinstance(t, sp.MatMul) else (sp.S.One, [t])
        if len(mats) >= 2 and isinstance(mats[0], sp.Inverse):
            body = f"{self.plan.ns}.linalg.solve({self.mat(mats[0].arg)}, {self._product(mats[1:])})"
        else:
            body = self._product(mats)
        if c == 1:
            return body
        if c == -1:
            return f"-{body}"
        return f"{self.scalar_code(c)} * {body}"

    def _product(self, mats):
        parts = [self.mat(a) for a in mats]
        wrap = [f"({p})" if (" + " in p or " - " in p) else p for p in parts]
        return " @ ".join(wrap)

    def entry(self, m) -> sp.Symbol:
        """scalar(M): per-sample aᵀx becomes X @ a, evaluated once into a named variable."""
        if m in self.placeholders:
            return self.placeholders[m]
        c, mats = m.as_coeff_matrices() if isinstance(m, sp.MatMul) else (sp.S.One, [m])
        per_sample = [k for k, a in enumerate(mats)
                      if any(getattr(s, "name", None) in self.rows for s in a.atoms(sp.MatrixSymbol))]
        if c != 1:
            raise CodegenError(f"{self.spec.name}: unexpected coefficient in {m}")
        if per_sample:
            if len(mats) != 2 or len(per_sample) != 1:
                raise CodegenError(f"{self.spec.name}: only aᵀx is batched, not {m}")
            k = per_sample[0]
            row, other = mats[k], mats[1 - k]
            row = row.arg if isinstance(row, sp.Transpose) else row
            other = other.arg if isinstance(other, sp.Transpose) else other
            design = self.rows[row.name]
            rhs = f"float({design}[0] @ {self.mat(other)})" if self.one_row else f"{design} @ {self.mat(other)}"
            name = f"{design}{self.mat(other)}" if isinstance(other, sp.MatrixSymbol) else f"s{len(self.placeholders)}"
            self.batched.append(name)
        else:
            rhs = self._product(mats)
            name = f"s{len(self.placeholders)}"
        self.emit(f"{name} = {rhs}")
        sym = sp.Symbol(name, real=True)
        self.placeholders[m] = sym
        return sym

    def scalarize(self, expr):
        """A scalar closed form over the function's arguments, its matrix entries named by `entry`."""
        expr = canon_entries(expr)
        table = {a: self.entry(a.args[0]) for a in sorted(expr.atoms(scalar), key=sp.default_sort_key)}
        expr = expr.xreplace(table)
        subs = {s: sp.Symbol(self.name_of(s), real=True) for s in expr.free_symbols
                if isinstance(s, sp.Symbol) and s.name in self.names and self.names[s.name] != s.name}
        return expr.xreplace(subs)

    def scalar_code(self, e) -> str:
        """A scalar needed inside a matrix statement: its statements now, in the prelude; its code."""
        lines, txt = Block([self.form(self.scalarize(e))], self.plan.names, ns=self.plan.ns).code_of(0)
        self.plan.prelude.extend(lines)
        return txt

    def value(self, e) -> str:
        return self.mat(e) if isinstance(e, sp.MatrixExpr) else self.scalar_code(e)


def _shallow_parts(e):
    """{matrix part: scalar coefficient} without expanding the coefficients, so CSE still sees them whole."""
    groups: dict = {}
    for term in sp.MatAdd.make_args(e):
        c, mats = term.as_coeff_matrices() if isinstance(term, sp.MatMul) else (sp.S.One, [term])
        part = sp.MatMul(*mats) if len(mats) > 1 else mats[0]
        groups[part] = groups.get(part, 0) + c
    return groups


def _output(p: _Planner, out, e) -> list:
    """One output's pieces [(scalar expression or None, template)], matrix outputs computed into the prelude."""
    is_matrix = isinstance(e, sp.MatrixExpr)
    if out.reduce is None and not is_matrix:
        return [(e, "{}")]
    if out.reduce is None:
        p.emit(f"{out.name} = {p.mat(e)}")   # later outputs may use it by name
        return [(None, out.name)]
    if out.reduce != "mean":
        raise CodegenError(f"{p.spec.name}: unknown reduction {out.reduce!r}")
    p.plan.size_of = p.design()
    if not is_matrix:
        return [(e, "{}.sum() / n")]
    design = p.design()
    row = next((m for m in e.atoms(sp.MatrixSymbol) if m.name in p.rows), None)
    parts = []
    for part, coeff in _shallow_parts(e).items():
        if row is not None and part == row:
            parts.append((coeff, f"{{}} @ {design} / n"))
        elif row is not None and part == sp.MatMul(row, row.T):
            parts.append((coeff, f"({design}.T * {{}}) @ {design} / n"))
        else:
            raise CodegenError(f"{p.spec.name}: cannot batch the matrix part {part}")
    return parts


# The routes a function's statements are planned for: route -> (namespace, closed forms, what each reduction's
# template becomes). "xp": any array-API namespace, the lowerings; "kernels": NumPy arrays, the compiled kernels
# (stable.KERNEL_FORMS); "sums": the same, each mean left a sum (a block's share, divided by n by the caller);
# "row": a design matrix of one row, in Python floats (math) but for the products with the row.
ROUTES = {
    "xp": ("xp", stable_form, {}),
    "kernels": ("np", kernel_form, {}),
    "sums": ("np", kernel_form, {" / n": ""}),
    "long": ("np", long_form, {" / n": ""}),
    "row": ("math", stable_form, {"{} @ {X} / n": "{} * {X}[0]", "{}.sum() / n": "{}",
                                  "({X}.T * {}) @ {X} / n": "{} * np.outer({X}[0], {X}[0])"}),
}


def _route_template(template: str, route: str, design: str | None) -> str:
    for old, new in ROUTES[route][2].items():
        old, new = old.replace("{X}", design or ""), new.replace("{X}", design or "")
        if old == " / n":
            template = template.replace(old, new)
        elif template == old:
            template = new
    return template


def _name_arguments(exprs):
    """([(symbol, argument)], the expressions with it) for each compound argument of a function stable.LONG_FORMS
    spells: so e^{-|m|} is taken of m itself, computed once, not of SymPy's |.| of its factors."""
    defs: dict = {}

    def one(node):
        arg = node.args[0]
        if not arg.is_Mul:            # only a product has its |.| split by SymPy into one per factor
            return node
        if arg not in defs:
            defs[arg] = sp.Symbol(f"_m{len(defs)}", real=True)
        return type(node)(defs[arg])

    out = [rewrite(e).replace(lambda n: type(n) in LONG_FORMS, one) for e in exprs]
    return [(sym, arg) for arg, sym in defs.items()], out


def plan(spec: Spec, results: dict, lets: dict | None = None, ns: str = "np", route: str | None = None) -> Plan:
    """The plan of one generated function from its derivation's `results` and {let name: the result it names}; its
    statements call the namespace `ns` (printer.code), or those of `route` (ROUTES: then no input checks, which the
    function makes once before it picks a route)."""
    if route is not None:
        ns, form, _ = ROUTES[route]
    else:
        form = stable_form
    returns = spec.returns and (spec.returns if ns == "math" else re.sub(r"\bnp\.", f"{ns}.", spec.returns))
    out = Plan(exprs=[], outputs=[], returns=returns, guards=guards(spec, results, ns) if route is None else [], ns=ns)
    out.names = temporaries(out.temporaries) if ns != "math" else (f"t{k}" for k in itertools.count())
    if route in ("sums", "long"):     # the outputs themselves, for the caller to divide and return
        out.returns, out.as_tuple = None, True
    p = _Planner(spec, out)
    p.form = form
    if route == "row":
        p.one_row = True
        for arg, shape in _arg_shapes(spec, results).items():
            if len(shape) == 1 and shape[0] == _ROWS:
                p.emit(f"{arg} = float({arg}[0])")
    for name, derivation, key in spec.lets:
        if name not in (lets or {}):
            raise CodegenError(f"{spec.name}: no value for {name} (result {key!r} of {derivation!r})")
        p.emit(f"{name} = {p.value(lets[name])}")
    pieces = []
    for o in spec.outputs:
        if o.result not in results:
            raise CodegenError(f"{spec.name}: derivation {spec.derivation!r} has no result {o.result!r}")
        pieces.append((o.name, _output(p, o, results[o.result])))
    scalar = {id(e): p.scalarize(e) for _, parts in pieces for e, _ in parts if e is not None}
    if form is kernel_form:           # sigma next to softplus of the same argument, in any output, shares its kernel
        form = functools.partial(kernel_form, beside=list(scalar.values()))
    if form is long_form:             # each argument of sigma or softplus computed once, its |.| and sign taken after
        out.defs, named = _name_arguments(list(scalar.values()))
        scalar = dict(zip(scalar, named))
    for name, parts in pieces:
        indexed = []
        for e, template in parts:
            if e is not None:
                out.exprs.append(form(scalar[id(e)]))
                e = len(out.exprs) - 1
            if route is not None:
                template = _route_template(template, route, spec.rows[0][1] if spec.rows else None)
            indexed.append((e, template))
        out.outputs.append((name, indexed))
    if ns != "math":                  # Python floats: nothing worth freeing
        out.temporaries += p.batched
    if route is not None:
        out.size_of = None
    return out
