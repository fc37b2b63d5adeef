"""`deepderive check`: derive the gradient of a user's formula, generate NumPy code for it and check it four ways."""
from __future__ import annotations

import argparse
import ast
import functools
import hashlib
import json
import math
import os
import pathlib
import re
import shutil
import sys
import tempfile
import textwrap
import warnings

import numpy as np

from numeric.floats import EPS, TINY

from .budget import DEFAULT_TIME_LIMIT, positive_seconds
from .exitcodes import EXIT_FAILED, EXIT_OK, EXIT_USAGE
from .terminal import ascii_text, inline, latex, pretty, step_names, step_note

_FLOAT = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_TRIES = 2000
# Richardson's stencil reaches 1e-3 * max(1, |x|) <= 2e-3 from a point in [-2, 2]; random points keep
# five times that away from every kink so no difference quotient straddles one.
KINK_MARGIN = 1e-2
ON_KINK = 1e-12
_RTOL = math.sqrt(EPS)
_EVAL_ERRORS = (TypeError, ValueError, ArithmeticError)  # evalf at a point outside the domain, or undefined
_NAMES = {"autograd": "autograd", "complex-step": "complex-step", "richardson": "Richardson", "mpmath": "mpmath"}
# derivations.parse.FUNCTIONS, spelled out so that building the CLI's parser does not import SymPy
# (tests/test_check.py keeps the two in step).
FUNCTION_NAMES = ("abs", "cos", "exp", "heaviside", "leaky_relu", "log", "log1p", "max", "min", "relu", "sigmoid",
                  "sin", "softplus", "sqrt", "step", "tanh")


class BadInput(ValueError):
    """Input the check cannot run on: one line for the user, exit code 2."""


class _AuditError(RuntimeError):
    """Generated text outside the printer's expected vocabulary (e.g. a complex constant)."""


# --- symbolic side -----------------------------------------------------------------------------

def _where(c, a, b):
    from derivations.functions import where
    return where(c, a, b)


def _heaviside(u, h0=None):
    import sympy as sp
    h0 = sp.S.Half if h0 is None else h0
    if h0 == 1:
        return _where(sp.GreaterThan(u, 0), 1, 0)
    if h0 == 0:
        return _where(sp.StrictGreaterThan(u, 0), 1, 0)
    return _where(sp.StrictGreaterThan(u, 0), 1, _where(sp.StrictLessThan(u, 0), 0, h0))


def _sign(u):
    import sympy as sp
    return _where(sp.StrictGreaterThan(u, 0), 1, _where(sp.StrictLessThan(u, 0), -1, 0))


def _analytic_abs(u):
    # Equal to |u| for real u, and complex-analytic off u = 0, so the complex step sees through it.
    import sympy as sp
    return u * _where(sp.GreaterThan(u, 0), 1, -1)


@functools.lru_cache(maxsize=None)
def _real_abs():
    import sympy as sp

    class _RealAbs(sp.Function):
        """|u| differentiated as sign(u) u': SymPy's own rule for a u not known to be real goes through
        re/im/atan2, which has no NumPy spelling; at our points every intermediate value is real."""
        nargs = 1

        def fdiff(self, argindex=1):
            return sp.sign(self.args[0])

    return _RealAbs


def kinks(expr):
    """Expressions g whose zero set is a breakpoint of expr: arguments of Abs/Heaviside/sign, ties of Max/Min."""
    import sympy as sp
    out = set()
    for k in expr.atoms(sp.Abs, sp.Heaviside, sp.sign):
        out.add(k.args[0])
    for m in expr.atoms(sp.Max, sp.Min):
        out.update(a - b for i, a in enumerate(m.args) for b in m.args[i + 1:])
    return sorted(out, key=str)


_KINK_HEADS = ("Abs", "Heaviside", "sign", "Max", "Min", "DiracDelta", "Piecewise")


def continuous_kinks(expr) -> set:
    """The breakpoints g of `kinks` across which expr stays continuous (|g|, and ties of max/min: kinks, never
    steps) and whose g is itself smooth (no kink inside it). Where such a g vanishes to second order, f does
    not break: |g(p + h)| = |g(p + h) - g(p) - ∇g(p)·h| = o(|h|) when ∇g(p) = 0, so |g| is differentiable
    at p with gradient 0 (|xy| <= (x² + y²)/2 at the origin), and max(a, b) = (a + b + |a - b|)/2 likewise."""
    import sympy as sp
    cont = {k.args[0] for k in expr.atoms(sp.Abs)}
    for m in expr.atoms(sp.Max, sp.Min):
        cont.update(a - b for i, a in enumerate(m.args) for b in m.args[i + 1:])
    steps = {k.args[0] for k in expr.atoms(sp.Heaviside, sp.sign)}
    return {g for g in cont - steps
            if not any(type(a).__name__ in _KINK_HEADS for a in sp.preorder_traversal(g))}


def _second_order_zero(g, dg, subs) -> bool:
    """g and its gradient (over the differentiated variables) all exactly 0 at the point, as evaluated at 30
    digits; anything that fails to evaluate is not one (the point then stays a kink)."""
    try:
        return all(float(e.evalf(30, subs=subs)) == 0.0 for e in (g, *dg))
    except _EVAL_ERRORS:
        return False


# --- generated code ----------------------------------------------------------------------------

def _audit(src, params):
    """Refuse generated text outside the printer's vocabulary before it is compiled (defence in depth:
    the text comes from our printer over internal names, never from the user)."""
    from derivations.codegen import NUMPY_NAMES
    ok_names = set(params) | {"np"}
    for node in ast.walk(ast.parse(src)):
        if isinstance(node, ast.Name) and node.id not in ok_names:
            raise _AuditError(f"generated code uses unexpected name {node.id!r}")
        if isinstance(node, ast.Attribute) and not (
                isinstance(node.value, ast.Name) and node.value.id == "np" and node.attr in NUMPY_NAMES):
            raise _AuditError(f"generated code uses unexpected attribute {ast.unparse(node)!r}")
        if isinstance(node, (ast.Import, ast.ImportFrom, ast.Lambda, ast.Subscript, ast.keyword, ast.Starred)):
            raise _AuditError(f"generated code contains {type(node).__name__}")
        if isinstance(node, ast.Constant) and not isinstance(node.value, (int, float)):
            raise _AuditError(f"generated code contains the constant {node.value!r} (is the expression real?)")


def _compile(name, params, exprs, as_tuple, stable=True):
    """Source text and function `def name(params)` returning exprs, with autograd.numpy as np.

    The library's code generator, stage by stage (derivations.codegen): the expressions lowered, then the
    block (common subexpressions; max and min kept as np.maximum/np.minimum, whose ties autograd splits as
    the kink check expects), then assembled. stable: the project's stable forms (stable.LOWERINGS);
    otherwise a complex-analytic form of the same function for the complex step, whose imaginary part
    the stable forms' |u| would drop."""
    import autograd.numpy as anp
    import sympy as sp
    from derivations import codegen
    from derivations.functions import unfold

    # DiracDelta is 0 off its breakpoint; on one, the one-sided check decides instead.
    exprs = [e.replace(sp.DiracDelta, lambda *a: sp.S.Zero) for e in exprs]
    steps = {sp.Heaviside: _heaviside, sp.sign: _sign}
    if stable:
        plan = codegen.scalars([codegen.rewrite(e) for e in exprs], {**codegen.LOWERINGS, **steps}, as_tuple)
    else:
        plan = codegen.scalars([unfold(e) for e in exprs], {**steps, sp.Abs: _analytic_abs}, as_tuple)
    body, ret = codegen.assemble(plan, codegen.Block(plan.exprs, plan.names, kinks=False, defs=plan.defs))
    src = codegen.function_source(name, params, body, ret)
    _audit(src, list(params) + [line.split(" = ", 1)[0] for line in body])
    ns = {"__builtins__": {}, "np": anp}
    exec(compile(src, f"<deepderive check: {name}>", "exec"), ns)  # printer output over x0, t0, ... only
    return src, ns[name]


def _display(src, rename):
    # Every identifier matching x<digits> in the printer's output is one of our parameters.
    return re.sub(r"\b(x\d+)\b", lambda m: rename.get(m.group(1), m.group(1)), src)


# --- input -------------------------------------------------------------------------------------

def _names(text, what):
    from derivations.parse import ParseError, parse_expression
    out = []
    for piece in text.split(","):
        try:
            s = parse_expression(piece, extra_names=("np",))
        except ParseError as e:
            raise BadInput(f"{what}: {e}") from None
        if not s.is_Symbol:
            raise BadInput(f"{what} expects variable names, got {piece.strip()!r}")
        if s in out:
            raise BadInput(f"{what}: {s.name} given twice")
        out.append(s)
    return out


def _at(items):
    out = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep:
            raise BadInput(f"--at expects NAME=VALUE, got {item!r}")
        syms = _names(name, "--at")
        if len(syms) != 1:
            raise BadInput(f"--at expects one NAME=VALUE per option, got {item!r}")
        sym = syms[0]
        if sym in out:
            raise BadInput(f"--at: {sym.name} given twice")
        value = value.strip()
        if not _FLOAT.fullmatch(value) or not math.isfinite(float(value)):
            raise BadInput(f"--at {sym.name}: {value!r} is not a finite decimal number")
        out[sym] = float(value)
    return out


# --- the check ---------------------------------------------------------------------------------

def _kink_distance(gs, grads, subs, flat_ok=frozenset()):
    """Smallest first-order distance, within the differentiated variables, from the point to a breakpoint.
    A g in `flat_ok` (continuous_kinks) that vanishes to second order here is no breakpoint of f: skipped."""
    best = math.inf
    for g, dg in zip(gs, grads):
        if g in flat_ok and _second_order_zero(g, dg, subs):
            continue
        try:
            gv = abs(float(g.evalf(30, subs=subs)))
        except _EVAL_ERRORS:  # g undefined here (a nested step at its own breakpoint): treat as on it
            gv = 0.0
        try:
            norm = math.sqrt(sum(float(d.evalf(30, subs=subs)) ** 2 for d in dg))
        except _EVAL_ERRORS:  # the gradient of g itself undefined here: fall back to |g|
            norm = 1.0
        if norm > 0:
            best = min(best, gv / norm)
        elif gv == 0:
            best = min(best, 0.0)
    return best


def _finite(v):
    a = np.asarray(v)
    return a.dtype != object and np.isrealobj(a) and bool(np.all(np.isfinite(a)))


def _sample(params, fixed, fns, gs, ggrads, wrt_idx, seed, flat_ok=frozenset()):
    """A point where every function is finite (and f around it), as far as possible from every kink."""
    import sympy as sp
    rng = np.random.default_rng(seed)
    free = [i for i, p in enumerate(params) if p not in fixed]
    best, best_d = None, -1.0
    for _ in range(_TRIES if free else 1):
        vals = [fixed.get(p, 0.0) for p in params]
        for i in free:
            vals[i] = float(rng.uniform(-2.0, 2.0))
        pt = [np.float64(v) for v in vals]
        with np.errstate(all="ignore"):
            if not all(_finite(fn(*pt)) for fn in fns):
                continue
            if free:  # Richardson's stencil must stay inside f's domain too
                box = [list(pt) for _ in range(2 * len(wrt_idx))]
                for k, i in enumerate(wrt_idx):
                    h = 2e-3 * max(1.0, abs(vals[i]))
                    box[2 * k][i] += h
                    box[2 * k + 1][i] -= h
                if not all(_finite(fns[0](*b)) for b in box):
                    continue
        d = _kink_distance(gs, ggrads, {p: sp.Float(v, 30) for p, v in zip(params, vals)}, flat_ok) if gs else math.inf
        if d > best_d:
            best, best_d = vals, d
        if d >= KINK_MARGIN:
            break
    if best is None:
        where = "at the given point" if not free else f"at {_TRIES} random points in [-2, 2] (seed {seed})"
        raise BadInput(f"the expression or its gradient is not finite {where}; choose a point with --at")
    return best, best_d


def _source(params, fixed, seed):
    given = [p.name for p in params if p in fixed]
    if len(given) == len(params):
        return "given"
    rand = f"random in [-2, 2] (seed {seed}), off every kink"
    return f"{', '.join(given)} given; the rest {rand}" if given else rand


def check(expr_text, wrt_text, at=(), grads=(), seed=0) -> dict:
    """Run the whole check; returns a JSON-able record with 'ok' and 'verdict'. Raises BadInput for bad input."""
    import sympy as sp
    from derivations.codegen import UnsupportedCode, rewrite
    from derivations.parse import ParseError, parse_expression, parse_expressions

    try:
        f_user = parse_expression(expr_text, extra_names=("np",))
    except ParseError as e:
        raise BadInput(str(e)) from None
    wrt = _names(wrt_text, "--wrt")
    fixed = _at(at)
    params = wrt + sorted(f_user.free_symbols - set(wrt), key=lambda s: s.name)
    unknown = [s.name for s in fixed if s not in params]
    if unknown:
        raise BadInput(f"--at {unknown[0]}: not a variable of the expression")
    claimed = None
    if grads:
        try:
            claimed = [g for text in grads for g in parse_expressions(text, extra_names=("np",))]
        except ParseError as e:
            raise BadInput(f"--grad: {e}") from None
        if len(claimed) != len(wrt):
            raise BadInput(f"--grad: {len(claimed)} expression(s) for {len(wrt)} variable(s) "
                           f"({', '.join(s.name for s in wrt)}); give one per --wrt variable, in order")
        extra = sorted(set().union(*(g.free_symbols for g in claimed)) - set(params), key=lambda s: s.name)
        if extra:
            raise BadInput(f"--grad uses {extra[0].name!r}, which is not a variable of the expression")

    _RealAbs = _real_abs()
    f = rewrite(f_user)  # proved identities only (log(1+e^u) = softplus(u), ...): a stabler derivative
    derivs = [sp.diff(f.replace(sp.Abs, _RealAbs), v).replace(_RealAbs, sp.Abs) for v in wrt]

    # Internal names x0, x1, ...: no user-supplied string reaches the generated source.
    internal = {s: sp.Symbol(f"x{i}", real=True) for i, s in enumerate(params)}
    rename = {f"x{i}": s.name for i, s in enumerate(params)}
    inames = [internal[s].name for s in params]
    mine = lambda e: e.xreplace(internal)  # noqa: E731
    try:
        src_f, f_stable = _compile("f", inames, [mine(f)], False)
        _, f_analytic = _compile("f", inames, [mine(f_user)], False, stable=False)
        src_g, g_sym = _compile("grad_f", inames, [mine(d) for d in derivs], True)
        src_c, g_claim = (_compile("claimed_grad", inames, [mine(g) for g in claimed], True)
                          if claimed else (None, g_sym))
    except (UnsupportedCode, _AuditError, TypeError) as e:  # TypeError: SymPy refusing a non-real comparison
        raise BadInput(f"cannot generate NumPy code: {str(e).splitlines()[0][:160]}") from None

    def f_num(*a):
        # Complex-step needs an analytic f; the stable form's |u| is not, so complex input takes the
        # textbook form of the same function.
        return f_analytic(*a) if any(np.iscomplexobj(v) for v in a) else f_stable(*a)

    gs = kinks(f_user)
    wrt_idx = list(range(len(wrt)))
    ggrads = [[sp.diff(g, v) for v in wrt] for g in gs]
    flat_ok = continuous_kinks(f_user)
    vals, dist = _sample(params, fixed, [f_stable, g_sym, g_claim], gs, ggrads, wrt_idx, seed, flat_ok)
    pt = [np.float64(v) for v in vals]
    subs50 = {s: sp.Float(v, 60) for s, v in zip(params, vals)}
    mode = "kink" if dist < ON_KINK else ("near-kink" if dist < KINK_MARGIN else "smooth")
    subs30 = {s: sp.Float(v, 30) for s, v in zip(params, vals)}
    flat = [g for g, dg in zip(gs, ggrads) if g in flat_ok and _second_order_zero(g, dg, subs30)]
    if flat and mode != "kink":   # on a breakpoint set, but f is differentiable here: no Richardson across it
        mode = "near-kink"

    steps = step_names(f_user, *derivs, *(claimed or ()))   # θ, or θ and θ₁ when values at 0 differ
    rec = {
        "expression": str(f_user), "wrt": [s.name for s in wrt],
        "point": {s.name: v for s, v in zip(params, vals)},
        "point_source": _source(params, fixed, seed),
        "derivatives": [{"var": v.name, "sympy": str(d), "latex": latex(d, steps)} for v, d in zip(wrt, derivs)],
        "claim": "sympy" if claimed is None else "user",
        "user_gradient": [str(g) for g in claimed] if claimed else None,
        "code": _display(src_f + src_g + (src_c or ""), rename), "mode": mode,
        "notes": [f"f does not depend on {v.name}: df/d{v.name} = 0" for v in wrt if v not in f_user.free_symbols],
    }
    if flat and mode != "kink":
        names = ", ".join(inline(g) for g in flat)
        rec["notes"].append(f"the point lies where {names} = 0, but to second order (its gradient in "
                            f"{', '.join(v.name for v in wrt)} is 0 there too), so f does not break here: "
                            f"|g| <= o(|h|) near a zero of g with zero gradient, and f has an ordinary gradient, "
                            f"checked as at a smooth point")
    step = step_note(f_user, *derivs, *(claimed or ()))
    if step:   # printed as θ(u): the value at 0 that SymPy's second argument carried, said once, in words
        rec["notes"].append(step)
    rec["_exprs"] = (f_user, derivs, claimed)  # for the human-readable output; dropped from JSON
    rec["_steps"] = steps
    with np.errstate(all="ignore"):
        claim = [float(c) for c in g_claim(*pt)]
    if mode == "kink":
        _check_kink(rec, f_stable, pt, wrt, params, claim, gs, subs50)
    else:
        _check_smooth(rec, f_num, g_claim, pt, wrt, claim, derivs, subs50, mode)
    return rec


def _freeze_steps(e, subs):
    """Replace Heaviside/sign/DiracDelta by their exact values at the point (off their breakpoints), so that
    e.g. sign(u) + Heaviside(v) = -1 + 1 cancels exactly instead of to evalf's 1e-160."""
    import sympy as sp
    rep = {}
    for a in e.atoms(sp.Heaviside, sp.sign, sp.DiracDelta):
        try:
            v = a.args[0].evalf(50, subs=subs)
        except _EVAL_ERRORS:
            continue
        if v.is_Number and v != 0:
            pos = bool(v > 0)
            rep[a] = sp.Integer({sp.Heaviside: int(pos), sp.sign: 1 if pos else -1, sp.DiracDelta: 0}[type(a)])
    return e.xreplace(rep)


def _check_smooth(rec, f_num, g_claim, pt, wrt, claim, derivs, subs50, mode):
    from numeric.gradcheck import check_gradient
    oracles = ("autograd", "complex-step", "richardson")
    if mode == "near-kink":
        oracles = ("autograd", "complex-step")
        rec["notes"].append(f"Richardson skipped: the point is within {KINK_MARGIN:g} of a breakpoint set of f, "
                            "so its difference quotients would straddle it")
    wrt_i = tuple(range(len(wrt)))
    g = lambda *a: tuple(np.float64(v) for v in g_claim(*a))  # noqa: E731
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # autograd warns when f does not depend on a variable
        res = check_gradient(f_num, g, *pt, wrt=wrt_i, oracles=oracles, name="f")
    try:
        exact = [_freeze_steps(d, subs50).evalf(50, subs=subs50) for d in derivs]
    except _EVAL_ERRORS:
        exact = [None]
    if not all(e is not None and e.is_Number for e in exact):
        raise BadInput("the exact derivative does not evaluate to a number at this point")
    scale = max(max(abs(float(e)) for e in exact), TINY)
    errs = [abs(c - float(e)) / scale for c, e in zip(claim, exact)]
    mp_ok = all(r <= _RTOL for r in errs)
    used = [o for o, s in res.oracles.items() if s == "used"]
    rec["notes"] += [f"{_NAMES[o]} unavailable: {s[len('unavailable: '):]}"
                     for o, s in res.oracles.items() if s != "used"]
    if "complex-step" in used:
        others = "autograd and Richardson" if "richardson" in used else "autograd"
        rec["notes"].append(f"complex-step ran on the unlowered (analytic) form of f; {others} on the generated code")
    m = re.match(r"argument (\d+)", res.worst)
    worst_gc = wrt[int(m.group(1))].name if m else res.worst
    rec["checks"] = {
        "gradcheck": {**res.as_dict(), "worst": worst_gc},
        "mpmath": [{"var": v.name, "claimed": c, "exact": str(e), "rel_err": r}
                   for v, c, e, r in zip(wrt, claim, exact, errs)],
        "oracles": _per_variable(f_num, g, pt, wrt, oracles),
    }
    rec["ok"] = bool(res.passed and mp_ok)
    names = [_NAMES[o] for o in used] + ["mpmath"]
    rel = max(res.max_rel_err, max(errs))
    if rec["ok"]:
        rec["verdict"] = f"PASS: gradient agrees with {', '.join(names)} (max rel err {rel:.1e})"
        return
    against = ["mpmath"] if not mp_ok else []
    if not res.passed:
        with np.errstate(all="ignore"), warnings.catch_warnings():  # which oracles, each on its own, object
            warnings.simplefilter("ignore")
            against = [_NAMES[o] for o in used
                       if not check_gradient(f_num, g, *pt, wrt=wrt_i, oracles=(o,)).passed] + against
    k = int(np.argmax(errs)) if not mp_ok else next(i for i, v in enumerate(wrt) if v.name == worst_gc)
    rec["verdict"] = (f"FAIL: gradient disagrees with {', '.join(against) or res.disagreeing}; worst at "
                      f"df/d{wrt[k].name}: claimed {claim[k]:.10g}, exact {number(exact[k], 10)} "
                      + (f"(max rel err {rel:.2g})" if scale > TINY else   # relative to a zero gradient: no measure
                         f"(the exact gradient is 0 here; max abs err {max(abs(c) for c in claim):.2g})"))


def _per_variable(f_num, g, pt, wrt, oracles):
    """Each oracle's value of each component (for the report's table): one small check per variable."""
    from numeric.gradcheck import check_gradient
    rows = []
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for i, v in enumerate(wrt):
            gi = lambda *a, i=i: (g(*a)[i],)  # noqa: E731
            res = check_gradient(f_num, gi, *pt, wrt=(i,), oracles=oracles, name="f")
            rows.append({"var": v.name, **{k: float(x) for k, x in res.values.items() if k != "richardson_err"}})
    return rows


def _sides(phi, x0):
    """phi 64 ulps left of x0, at x0, and 64 ulps right of it: the values a jump goes between."""
    h = 64 * float(np.spacing(abs(x0)))
    return float(phi(x0 - h)), float(phi(x0)), float(phi(x0 + h))


def _jumps(phi, x0, slope):
    """Whether phi jumps at x0: 64 ulps either side, a continuous phi moves by about slope * 128 ulps,
    a step by its full height (steps below 1e-14 of |phi| are lost in rounding)."""
    lo, _, hi = _sides(phi, x0)
    h = 64 * float(np.spacing(abs(x0)))
    return bool(abs(hi - lo) > 10 * slope * 2 * h + 1e-14 * max(abs(lo), abs(hi)))


def _near_zero(g, subs):
    try:
        return abs(float(g.evalf(30, subs=subs))) < ON_KINK * 10
    except _EVAL_ERRORS:
        return True


def _check_kink(rec, f_stable, pt, wrt, params, claim, gs, subs50):
    """On a breakpoint: the whole claimed gradient must lie in the Clarke generalised gradient over the
    differentiated variables (numeric.check_kink), and f must not jump along any of them."""
    from numeric.gradcheck import check_kink
    on = [inline(-g if g.could_extract_minus_sign() else g) for g in gs if _near_zero(g, subs50)]
    n = len(wrt)  # params start with the differentiated variables, in --wrt order

    def f_wrt(v):
        a = list(pt)
        a[:n] = [v[i] + np.float64(0.0) for i in range(n)]  # float64s (or autograd's boxes): 1/0 is inf, not an error
        return f_stable(*a)  # not float(): autograd traces it

    x0 = np.array([float(x) for x in pt[:n]])
    along = lambda i: lambda t: f_wrt([t if j == i else x0[j] for j in range(n)])  # noqa: E731
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            k = check_kink(f_wrt, np.array(claim, dtype=float), x0)
        except ValueError as e:  # no finite gradient beside the point, say
            raise BadInput(f"the Clarke test cannot run at this point ({e}); choose another with --at") from None
        jumps = [_jumps(along(i), x0[i], abs(k.left[i]) + abs(k.right[i])) for i in range(n)]
        sides = [_sides(along(i), x0[i]) if jumps[i] else None for i in range(n)]
    rows = [{"var": v.name, "x0": x0[i], "left": k.left[i], "right": k.right[i], "claimed": claim[i],
             "autograd": None if k.autograd is None else k.autograd[i], "tolerance": k.tolerance, "jump": jumps[i],
             # this component alone lies between its one-sided derivatives; the verdict needs the whole gradient
             "accepted": (min(k.left[i], k.right[i]) - k.tolerance <= claim[i]
                          <= max(k.left[i], k.right[i]) + k.tolerance) and not jumps[i]} for i, v in enumerate(wrt)]
    for row, side in zip(rows, sides):
        if side:   # a difference quotient across a jump grows like 1/h: no one-sided derivative to report
            row.update(left=None, right=None, limits={"left": side[0], "at": side[1], "right": side[2]})
    if any(jumps):
        rec["notes"].append(f"the point lies on a breakpoint ({', '.join(on)} = 0) where f jumps: f is not "
                            "continuous there, so it has no derivative and no claimed value is right")
    else:
        rec["notes"].append(f"the point lies on a breakpoint ({', '.join(on)} = 0), where f may have no derivative: "
                            "a claimed gradient is accepted iff it lies in the Clarke generalised gradient, the "
                            "convex hull of the limiting gradients of the smooth pieces around the point (for one "
                            "variable: between the one-sided derivatives; where f is differentiable, its gradient)")
        rec["notes"].append("conventions at the ReLU kink: the lecture sets ReLU'(0) = 0; autograd's np.maximum(z, 0) "
                            "gives 0.5; SymPy's Heaviside(0) = 1/2; each lies in [0, 1]")
    if len(k.pieces) == 1 and not any(jumps):
        rec["notes"].append(f"every sampled ray gives the same limiting gradient {_kink_vec(k.pieces[0], k.tolerance)}:"
                            " f appears differentiable here, with that gradient")
    rec["checks"] = {"kink": rows, "clarke": {"pieces": [list(p) for p in k.pieces], "weights": list(k.weights),
                                              "distance": k.distance, "tolerance": k.tolerance,
                                              "accepted": k.accepted, "sampler": k.sampler}}
    rec["notes"].append(f"limiting gradients around the point ({k.sampler} beside it, extrapolated to it): "
                        + ", ".join(_kink_vec(p, k.tolerance) for p in k.pieces))
    rec["ok"] = bool(k.accepted and not any(jumps))
    rec["verdict"] = _kink_verdict(rows, k, ", ".join(f"{p.name}={float(v):g}" for p, v in zip(params, pt)))


def _kink_vec(v, tol):
    return "(" + ", ".join(f"{0.0 if abs(x) <= tol else x:.6g}" for x in v) + ")"


def _kink_verdict(rows, k, at):
    """One line: a jump, then the Clarke decision (worded as the one-sided interval for one variable)."""
    jump = next((r for r in rows if r["jump"]), None)
    if jump:
        return (f"FAIL: f jumps at {at} along {jump['var']}, so df/d{jump['var']} does not exist there; "
                f"no claimed value (here {jump['claimed']:g}) is right")
    if len(rows) == 1:
        ends = [0.0 if abs(v) <= k.tolerance else v for v in (min(k.pieces)[0], max(k.pieces)[0])]
        r, lo, hi = rows[0], *ends
        if k.accepted:
            return (f"PASS: claimed derivative lies between the one-sided derivatives at the kink "
                    f"(df/d{r['var']} = {r['claimed']:g} in [{lo:.6g}, {hi:.6g}])")
        return (f"FAIL: claimed df/d{r['var']} = {r['claimed']:g} at the kink ({at}) lies outside the one-sided "
                f"derivatives [{lo:.6g}, {hi:.6g}]")
    claimed = _kink_vec([r["claimed"] for r in rows], 0.0)
    pieces = ", ".join(_kink_vec(p, k.tolerance) for p in k.pieces)
    if k.accepted:
        combo = " + ".join(f"{w:.6g}*{_kink_vec(p, k.tolerance)}" for w, p in zip(k.weights, k.pieces) if w > 1e-12)
        return (f"PASS: claimed gradient {claimed} lies in the Clarke generalised gradient at the kink ({at}): "
                f"{claimed} = {combo}")
    alone = " (each component alone lies between its one-sided derivatives, but not the gradient as a whole)" \
        if all(r["accepted"] for r in rows) else ""
    return (f"FAIL: claimed gradient {claimed} at the kink ({at}) lies outside the Clarke generalised gradient, "
            f"the convex hull of the limiting gradients {pieces} (distance {k.distance:.3g}){alone}")


# --- output ------------------------------------------------------------------------------------

def number(value, digits=17) -> str:
    """A number (or its decimal text, any precision) as `digits` significant digits, its exponent always
    shown: 1.0151917795098914e-434 stays that, where a float() would give 0 and a cut string drop the e-434."""
    import mpmath
    with mpmath.workdps(max(digits, 15) + 5):
        return mpmath.nstr(mpmath.mpf(str(value)), digits, min_fixed=-4, max_fixed=digits)


def _render_kink(rows, clarke) -> list[str]:
    """The one-sided derivatives per variable (facts, not verdicts: each component may lie between its
    own while the gradient as a whole is wrong), then the one decision, the Clarke test's."""
    out = []
    for r in rows:
        ag = "n/a" if r["autograd"] is None else f"{r['autograd']:g}"
        if r["jump"]:
            lim = r["limits"]
            out.append(f"    df/d{r['var']}: none: f jumps at {r['var']} = {r['x0']:g}, from {lim['left']:.6g} just "
                       f"left of it to {lim['right']:.6g} just right (f = {lim['at']:.6g} there), so neither "
                       f"one-sided difference quotient settles; claimed {r['claimed']:g}, autograd {ag}")
            continue
        out.append(f"    df/d{r['var']}: left {r['left']:.6g}, right {r['right']:.6g}, claimed {r['claimed']:g}, "
                   f"autograd {ag}")
    if any(r["jump"] for r in rows):
        return out + ["    Clarke: does not apply, f jumps (it is the generalised gradient of a locally Lipschitz f)"]
    tol = clarke["tolerance"]
    nearest = np.asarray(clarke["weights"]) @ np.asarray(clarke["pieces"], dtype=float)
    out.append(f"    Clarke: claimed {_kink_vec([r['claimed'] for r in rows], 0.0)}, hull of the limiting gradients "
               f"{', '.join(_kink_vec(p, tol) for p in clarke['pieces'])}, nearest point {_kink_vec(nearest, tol)}, "
               f"distance {clarke['distance']:.3g} (tol {tol:.2g}) -> {'accepted' if clarke['accepted'] else 'REJECTED'}")
    return out


def render(rec, unicode=True) -> str:
    """The human-readable result: formulas as SymPy draws them in the lecture's spelling (max(0, x), θ(x)),
    in ASCII art and names when the terminal has no Unicode."""
    f_user, derivs, claimed = rec["_exprs"]
    steps = rec["_steps"]
    drawn = pretty(f_user, unicode, steps=steps)
    out = [f"f = {drawn}" if "\n" not in drawn else "f =\n" + textwrap.indent(drawn, "    "), ""]   # as df/dx
    for v, d, row in zip(rec["wrt"], derivs, rec["derivatives"]):
        out += [f"df/d{v} =", textwrap.indent(pretty(d, unicode, steps=steps), "    "),
                f"    LaTeX: {row['latex']}", ""]
    if claimed:
        out += ["your gradient:", *[f"    df/d{v} = {inline(g, unicode, steps)}" for v, g in zip(rec["wrt"], claimed)],
                ""]
    out += ["generated NumPy code (np is numpy; your names restored for display):",
            textwrap.indent(rec["code"].rstrip(), "    "), ""]
    pt = ", ".join(f"{k}={v!r}" for k, v in rec["point"].items())
    out.append(f"checked at {pt} ({rec['point_source']}):")
    c = rec["checks"]
    if "kink" in c:
        out += _render_kink(c["kink"], c["clarke"])
    else:
        for r in c["mpmath"]:
            exact_zero = float(r["exact"]) == 0   # a relative error against 0 measures nothing: give the absolute one
            err = (f"abs err {abs(r['claimed']):.1e}" if exact_zero and r["claimed"] is not None
                   else f"rel err {r['rel_err']:.1e}")
            out.append(f"    df/d{r['var']}: claimed {r['claimed']!r}, mpmath {number(r['exact'])}, {err}")
        gc = c["gradcheck"]
        vals = ", ".join(f"{_NAMES.get(k, k)} {v:.10g}" for k, v in gc["values"].items() if k != "richardson_err")
        out.append(f"    oracles: max rel err {gc['max_rel_err']:.1e} (tol {gc['tolerance']:.1e}) at "
                   f"df/d{gc['worst']}: {vals}; {gc['disagreeing'].removeprefix('none: ')}")
    out += [f"    note: {n if unicode else ascii_text(n)}" for n in rec["notes"]]
    out.append(rec["verdict"])
    return "\n".join(out)


def _tex_number(value, digits=10) -> str:
    """A number for a LaTeX table: `digits` significant digits, the exponent as a power of ten."""
    if value is None:
        return "--"
    mant, _, exp = number(value, digits).partition("e")
    return f"${mant}" + (rf"\times 10^{{{int(exp)}}}" if exp else "") + "$"


def _tex_partial(var) -> str:
    import sympy as sp
    return rf"$\partial f/\partial {sp.latex(sp.Symbol(var))}$"   # var is a parsed identifier


def _tabular(head, rows) -> list[str]:
    from .report.text import escape_text
    return ([r"\begin{center}\footnotesize", r"\begin{tabular}{l" + "r" * (len(head) - 1) + "}", r"\toprule",
             " & ".join(escape_text(h) for h in head) + r" \\", r"\midrule"]
            + [" & ".join(row) + r" \\" for row in rows] + [r"\bottomrule", r"\end{tabular}", r"\end{center}"])


def _oracle_table(checks) -> list[str]:
    """What each oracle gave for each component, the errors and the decision, as LaTeX (the report's core)."""
    from .report.text import escape_text
    if "kink" in checks:   # one-sided derivatives per variable, then the Clarke test
        rows = []
        for r in checks["kink"]:
            if r["jump"]:
                lim = r["limits"]
                sides = [rf"\multicolumn{{2}}{{r}}{{jumps: {_tex_number(lim['left'])} to {_tex_number(lim['right'])}}}"]
            else:
                sides = [_tex_number(r["left"]), _tex_number(r["right"])]
            rows.append([_tex_partial(r["var"]), *sides, _tex_number(r["claimed"]),
                         _tex_number(r["autograd"]), "no derivative" if r["jump"] else
                         ("between" if r["accepted"] else "outside")])
        out = [r"\paragraph{Checks at the kink} One-sided derivatives (Richardson), the claim and autograd's value; "
               r"the last column judges each component alone."]
        out += _tabular(["", "left", "right", "claimed", "autograd", "component"], rows)
        c = checks["clarke"]
        if not any(r["jump"] for r in checks["kink"]):
            pieces = ", ".join("(" + ", ".join(_tex_number(x, 6) for x in p) + ")" for p in c["pieces"])
            out.append(r"\paragraph{Clarke test} limiting gradients " + pieces + f"; distance of the claim to their "
                       f"convex hull {_tex_number(c['distance'], 3)} (tolerance {_tex_number(c['tolerance'], 2)}): "
                       + ("accepted." if c["accepted"] else r"\textbf{rejected}."))
        return out
    gc, exact = checks["gradcheck"], {r["var"]: r for r in checks["mpmath"]}
    names = [o for o in ("autograd", "complex-step", "richardson") if gc["oracles"].get(o) == "used"]
    rows = [[_tex_partial(r["var"]), _tex_number(r["claim"]),
             *[_tex_number(r.get(o)) for o in names], _tex_number(exact[r["var"]]["exact"], 12),
             _tex_number(exact[r["var"]]["rel_err"], 2)] for r in checks.get("oracles", [])]
    out = [r"\paragraph{Oracles} Each component as claimed, as each oracle gives it, and exact (mpmath, 50 digits); "
           r"the last column is the claim's error relative to the exact gradient's scale."]
    out += _tabular(["", "claimed", *[_NAMES[o] for o in names], "mpmath", "rel. error"], rows)
    out.append(r"\paragraph{Oracle verdict} " + escape_text(
        f"max rel err {gc['max_rel_err']:.2g} (tolerance {gc['tolerance']:.2g}) at df/d{gc['worst']}; "
        f"{gc['disagreeing'].removeprefix('none: ')}") + ("" if gc["passed"] else r" \textbf{(fails)}"))
    return out


def write_report(rec, expr_text, out_dir):
    """DIR/check-<hash>.tex written atomically (and the PDF when pdflatex is on PATH); returns the paths."""
    import sympy as sp

    from .io import TexError, atomic_write, compile_pdf, pdflatex_path
    from .report.text import escape_text

    f_user, derivs, claimed = rec["_exprs"]
    os.makedirs(out_dir, exist_ok=True)
    stem = "check-" + hashlib.sha1(expr_text.encode()).hexdigest()[:10]
    code = "\n".join(line for raw in rec["code"].splitlines()
                     for line in (textwrap.wrap(raw, 92, subsequent_indent="        ", break_on_hyphens=False) or [""]))
    body = [r"\documentclass[11pt]{article}", r"\usepackage[margin=2cm]{geometry}", r"\usepackage{amsmath}",
            r"\usepackage{booktabs}", r"\begin{document}", r"\section*{deepderive check}",
            r"\[ f = " + latex(f_user, rec["_steps"]) + r" \]"]
    body += [r"\[ \frac{\partial f}{\partial " + sp.latex(sp.Symbol(v)) + "} = " + d["latex"] + r" \]"
             for v, d in zip(rec["wrt"], rec["derivatives"])]
    if claimed:
        body += [r"\[ \text{claimed: } \frac{\partial f}{\partial " + sp.latex(sp.Symbol(v)) + "} = "
                 + latex(g, rec["_steps"]) + r" \]" for v, g in zip(rec["wrt"], claimed)]
    body += [r"\paragraph{Point} " + escape_text(", ".join(f"{k} = {v!r}" for k, v in rec["point"].items())
                                                  + f" ({rec['point_source']})")]
    body += _oracle_table(rec["checks"])
    body += [r"\paragraph{Generated code}", r"{\footnotesize\begin{verbatim}", code, r"\end{verbatim}}"]
    body += [r"\paragraph{Note} " + escape_text(n) for n in rec["notes"]]
    body += [r"\paragraph{Verdict} \texttt{" + escape_text(rec["verdict"]) + "}", r"\end{document}", ""]
    tex = os.path.join(out_dir, stem + ".tex")
    atomic_write(tex, "\n".join(body))
    if pdflatex_path() is None:
        return tex, None
    # Compile in a scratch directory beside the report, so DIR only ever gains a complete PDF (no aux files).
    work = tempfile.mkdtemp(dir=out_dir, prefix=".check-")
    try:
        shutil.copy(tex, work)
        try:
            built = compile_pdf(pathlib.Path(work) / (stem + ".tex"), runs=1)
        except TexError:
            return tex, None
        pdf = os.path.join(out_dir, stem + ".pdf")
        os.replace(built, pdf)
        return tex, pdf
    finally:
        shutil.rmtree(work, ignore_errors=True)


# --- command line ------------------------------------------------------------------------------

def _usage_error(msg):
    # Printed here rather than raised as deepderive.cli.UsageError: under `python -m deepderive.cli` that module runs
    # as __main__, whose UsageError is a different class from the one an import of deepderive.cli would give.
    print(f"deepderive: error: {msg}", file=sys.stderr)
    return EXIT_USAGE


def _debug_trace(args, e):
    """With --debug, the traceback of an error about to be reported in one line (the child's, if it came from one)."""
    if getattr(args, "debug", False):
        import traceback
        trace = getattr(e, "child_trace", None) or getattr(e, "trace", None)
        print(trace or "".join(traceback.format_exception(e)), file=sys.stderr, end="")


def _limited_check(args):
    """check() in a child process killed after --time-limit seconds (SymPy may not return on some input)."""
    from .budget import ChildFailed, TimeLimitExceeded, run_limited
    try:
        return run_limited(check, (args.expr, args.wrt, args.at or (), args.grad or (), args.seed),
                           seconds=args.time_limit, expected=(BadInput, RecursionError),
                           what="the check (derive, generate code, check numerically)")
    except BadInput as e:
        _debug_trace(args, e)
        raise
    except RecursionError as e:
        _debug_trace(args, e)
        raise BadInput("the expression is too deeply nested to differentiate") from None
    except TimeLimitExceeded as e:
        raise BadInput(str(e)) from None
    except ChildFailed as e:
        _debug_trace(args, e)
        raise BadInput(f"internal error: {e} (rerun with --debug for the traceback)") from None


def _options(args):
    """Refuse bad option values before any work: one line each."""
    if args.seed < 0:
        raise BadInput(f"--seed must be a non-negative integer, got {args.seed}")
    if args.report is not None and not args.report.strip():
        raise BadInput("--report needs a directory name, got an empty string")


def _unicode_ok(stream) -> bool:
    """Whether the stream can print the pretty printer's Unicode (else ASCII art and names)."""
    try:
        "∂σ√─│".encode(stream.encoding or "ascii")
    except (UnicodeEncodeError, LookupError):
        return False
    return True


def cmd_check(args):
    try:
        _options(args)
        rec = _limited_check(args)
    except BadInput as e:
        return _usage_error(e)
    report_error = None
    existed = args.report is None or os.path.isdir(args.report)
    if args.report is not None:
        try:
            tex, pdf = write_report(rec, args.expr, args.report)
            rec["report"] = {"tex": tex, "pdf": pdf, "created": not existed}
        except OSError as e:  # the verdict still prints below; the exit code says the output is missing
            _debug_trace(args, e)
            report_error = f"cannot write the report to {args.report}: {e.strerror or e}"
    if args.json:
        json.dump({k: v for k, v in rec.items() if not k.startswith("_")}, sys.stdout, indent=2, default=str)
        print()
    else:
        print(render(rec, unicode=_unicode_ok(sys.stdout)))
        if "report" in rec:
            if not existed:   # said, not silent: a typo in DIR should not go unnoticed
                print(f"created {args.report}")
            print(f"wrote {tex}" + (f" and {pdf}" if pdf else ""))
    if report_error:
        return _usage_error(report_error)
    return EXIT_OK if rec["ok"] else EXIT_FAILED


def add_parser(subparsers):
    """The `deepderive check` subcommand (the CLI wires it in); imports nothing heavy."""
    s = subparsers.add_parser(
        "check", help="derive and check the gradient of your own formula (or check your hand-written gradient)",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description=textwrap.fill(
            "Parse EXPR (a restricted formula language: numbers, names, + - * / ** and parentheses, the functions "
            f"{', '.join(FUNCTION_NAMES)}, the constants pi and e), differentiate it with SymPy, generate NumPy "
            "code, and check the gradient against autograd, complex-step, Richardson extrapolation and mpmath at "
            "50 digits. Exit 0 if all agree, 1 if a check fails, 2 for bad input.", 78),
        epilog=textwrap.dedent("""\
            examples:
              deepderive check "log(1 + exp(-y*(w*x + b)))" --wrt w,b
              deepderive check "sigmoid(w2*sigmoid(w1*x))" --wrt w1,w2 --at x=0.5
              deepderive check "x**2*y" --wrt x,y --grad "2*x*y, x**2"
              deepderive check "relu(x)" --wrt x --at x=0 --grad 0
            a value or gradient starting with '-' needs '=': --at=x=-1, --grad=-2*x"""))
    s.add_argument("expr", metavar="EXPR", help="the formula, e.g. \"log(1 + exp(-y*(w*x + b)))\"")
    s.add_argument("--wrt", required=True, metavar="VARS", help="comma-separated variables to differentiate by")
    s.add_argument("--at", action="append", metavar="NAME=VALUE",
                   help="value of a variable (repeatable); the rest are random in [-2, 2], away from kinks")
    s.add_argument("--grad", action="append", metavar="EXPR",
                   help="your gradient to check: one formula per --wrt variable, comma-separated or repeated")
    s.add_argument("--seed", type=int, default=0, help="seed for the random point, >= 0 (default 0)")
    s.add_argument("--time-limit", type=positive_seconds, default=DEFAULT_TIME_LIMIT, metavar="SECONDS",
                   help=f"stop the check after SECONDS (default {DEFAULT_TIME_LIMIT:g}); exit 2")
    s.add_argument("--report", metavar="DIR",
                   help="also write DIR/check-<hash>.tex (and .pdf with pdflatex); DIR is created if missing, and "
                        "`created DIR` printed; exit 2 if it cannot be written (the verdict is printed all the same)")
    s.add_argument("--json", action="store_true", help="print the result as JSON")
    s.set_defaults(run=cmd_check)
    return s
