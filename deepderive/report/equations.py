"""SymPy expressions as report LaTeX: the printer, and long sums broken at their terms into lines."""
from __future__ import annotations

import sympy as sp
from sympy.printing.latex import LatexPrinter

from .text import tex_math
from .width import estimate_width


class ReportPrinter(LatexPrinter):
    """sympy's LaTeX, except that an exponential with a long or fractional argument is printed as
    exp(...) rather than as a tiny superscript, and inverse trigonometric functions as arccos, not acos."""

    _default_settings = {**LatexPrinter._default_settings, "inv_trig_style": "full"}

    def _print_MatAdd(self, expr):
        # sympy signs a term by its leading number only: a matrix product whose coefficient is a negative
        # symbol, (-a) w^T, printed "+ - a w^T"; the sum of such a term is written with its minus alone
        return self._print_Add(expr).replace("+ - ", "- ")

    def _print_Subs(self, subs):
        # sympy's "\left. f \right|_{t=a}" (its layout, kept): the delimiter \left. is invisible, so a sum there
        # read "|_{t=a} + - 3t^2/5" after the term before it; a sum is put in parentheses
        expr, old, new = subs.args
        body = self._print(expr)
        if isinstance(expr, sp.Add):
            body = r"\left(%s\right)" % body
        at = r"\\ ".join("%s=%s" % (self._print(o), self._print(n)) for o, n in zip(old, new))
        return r"\left. %s \right|_{\substack{ %s }}" % (body, at)

    def _print_ExpBase(self, expr, exp=None):
        arg = self._print(expr.args[0])
        if r"\frac" in arg or estimate_width(arg) > 7:
            return self._do_exponent(r"\exp\left(%s\right)" % arg, exp)
        return super()._print_ExpBase(expr, exp)


def latex(expr, names=None) -> str:
    """`expr` in LaTeX with the derivation's symbol names (ASCII)."""
    return tex_math(ReportPrinter({"symbol_names": dict(names or {})}).doprint(expr))


def sum_pieces(expr, names) -> list[str] | None:
    """An Add printed term by term, as sympy.latex orders and signs them: ['a', '- b', '+ c', ...];
    None for anything that is not a sum."""
    if not isinstance(expr, sp.Add):
        return None
    printer = ReportPrinter({"symbol_names": dict(names or {})})
    pieces = []
    for k, term in enumerate(printer._as_ordered_terms(expr, order=None)):
        sign = ""
        if k > 0:
            if term.could_extract_minus_sign():
                sign, term = "- ", -term
            else:
                sign = "+ "
        tex = printer._print(term)
        if printer._needs_add_brackets(term):
            tex = r"\left(%s\right)" % tex
        pieces.append(sign + tex_math(tex))
    return pieces


def break_lines(expr, names, budget_em) -> list[str]:
    """`expr` as lines of at most ~budget_em each: a long sum is split at its terms, anything else
    stays whole (``\\ddfit`` scales it down if it is too wide)."""
    whole = latex(expr, names)
    if estimate_width(whole) <= budget_em:
        return [whole]
    pieces = sum_pieces(expr, names)
    if not pieces:
        return [whole]
    lines, cur = [], ""
    for piece in pieces:
        cand = (cur + " " + piece).strip()
        if cur and estimate_width(cand) > budget_em:
            lines.append(cur)
            cur = piece
        else:
            cur = cand
    lines.append(cur)
    return [ln if k == 0 else "{}" + ln for k, ln in enumerate(lines)]


def same_printed(a, b, names) -> bool:
    """Do two expressions print the same (so a chain need not repeat the second)?"""
    try:
        if a == b:
            return True
    except Exception:  # pragma: no cover - exotic objects whose == raises
        pass
    return latex(a, names) == latex(b, names)
