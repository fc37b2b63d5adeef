"""Definitions checked before use: what may be defined, and substitution to a fixed point."""
from __future__ import annotations

import sympy as sp

from .matrices import Grad, Jacobian

_BINDERS = (sp.Sum, sp.Product, sp.Integral)


class Bound(set):
    """Symbols bound somewhere (sum/product/integral indices, variables of limits and substitutions,
    of derivatives and gradients): a definition of one of them would rewrite what the binder means.
    ``dummies`` are those whose name means nothing outside the binder (all but the variables of
    differentiation): a definition whose value mentions one would be captured where substituted."""

    dummies: set


def bound_symbols(exprs) -> Bound:
    out, dummies = Bound(), set()
    for e in exprs:
        for node in sp.preorder_traversal(e):
            if isinstance(node, _BINDERS):
                dummies |= {lim[0] for lim in node.limits}
            elif isinstance(node, sp.Subs):
                dummies |= set(node.variables)
            elif isinstance(node, sp.Limit):
                dummies.add(node.args[1])
            elif isinstance(node, sp.Derivative):
                out |= {v for v, _ in node.variable_count}
            elif isinstance(node, (Grad, Jacobian)):
                out.add(node.args[1])
    out |= dummies
    out.dummies = dummies
    return out


def shape_symbols(exprs) -> set:
    """Symbols in the shapes of matrix expressions: the dimensions."""
    out = set()
    for e in exprs:
        for node in sp.preorder_traversal(e):
            if isinstance(node, sp.MatrixExpr):
                for k in node.shape:
                    out |= sp.sympify(k).free_symbols
    return out


def _problem(symbol, expr, seen, dims, bound, domains):
    if not isinstance(symbol, (sp.Symbol, sp.MatrixSymbol)):
        return f"{symbol} is not a symbol: only a symbol can be defined"
    if symbol in seen:
        return f"{symbol} is defined twice"
    if symbol in dims:
        return f"{symbol} is a dimension: defining it would specialise every claim that uses it"
    if symbol in bound:
        return f"{symbol} is a bound variable (an index, or a variable of differentiation) somewhere"
    if symbol in domains:
        return f"{symbol} has a declared domain; a defined name cannot also be sampled"
    if expr.has(symbol):
        return f"{symbol} is defined in terms of itself"
    captured = sorted(map(str, (expr.free_symbols | _matrix_symbols(expr)) & bound.dummies))
    if captured:
        return (f"its value mentions {', '.join(captured)}, bound somewhere in a step: substituted there, "
                "it would be captured by the binder; rename the bound variable")
    if not expr.free_symbols and not isinstance(expr, sp.MatrixExpr):
        return f"{symbol} := {expr} fixes a value: a definition names an expression, state the value instead"
    if isinstance(symbol, sp.MatrixSymbol) != isinstance(expr, (sp.MatrixExpr, sp.MatrixBase)) or \
            (isinstance(symbol, sp.MatrixSymbol) and tuple(symbol.shape) != tuple(expr.shape)):
        return f"{symbol} and its definition have different shapes"
    return ""


def definition_problems(definitions, dims, bound, domains):
    """({symbol: expr} of the valid definitions, [problems]): every definition refused is a problem,
    stated in one line, and is not substituted."""
    table, problems, seen = {}, [], set()
    for symbol, expr, _ in definitions:
        why = _problem(symbol, expr, seen, dims, bound, domains)
        seen.add(symbol)
        if why:
            problems.append(f"definition of {symbol} refused: {why}")
        else:
            table[symbol] = expr
    for symbol in list(table):
        if _cyclic(symbol, table):
            problems.append(f"definition of {symbol} refused: the definitions are circular")
    return {s: e for s, e in table.items() if not _cyclic(s, table)}, problems


def _cyclic(symbol, table):
    frontier, seen = {symbol}, set()
    while frontier:
        s = frontier.pop()
        for t in table.get(s, sp.S.Zero).free_symbols | _matrix_symbols(table.get(s, sp.S.Zero)):
            if t == symbol:
                return True
            if t in table and t not in seen:
                seen.add(t)
                frontier.add(t)
    return False


def _matrix_symbols(e):
    return {a for a in sp.preorder_traversal(e) if isinstance(a, sp.MatrixSymbol)}


def expand(expr, table):
    """Substitute the definitions until nothing changes (they are acyclic, so this ends)."""
    for _ in range(len(table) + 1):
        new = expr.xreplace(table)
        if new == expr:
            return new
        expr = new
    return expr


def domain_problems(domains, dims) -> list:
    """A declared domain is an interval (lo, hi) of reals with lo < hi, or a non-empty finite set of
    real numbers, and never on a dimension symbol (that would specialise every claim using it)."""
    out = []
    for sym, dom in domains.items():
        if sym in dims:
            out.append(f"domain of {sym} refused: {sym} is a dimension")
        elif isinstance(dom, frozenset):
            values = [sp.sympify(v) for v in dom]
            if not values or not all(v.is_number and v.is_real for v in values):
                out.append(f"domain of {sym} refused: a finite domain is a non-empty set of real numbers")
        else:
            lo, hi = (sp.sympify(v) for v in dom) if len(dom) == 2 else (None, None)
            if lo is None or not (lo.is_number and hi.is_number and lo.is_real and hi.is_real and lo < hi):
                out.append(f"domain of {sym} refused: an interval is (lo, hi) with real lo < hi")
    return out


def valid_domain(dom) -> bool:
    return not domain_problems({None: dom}, ())
