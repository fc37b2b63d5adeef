"""One printer for generated code: SymPy scalars → NumPy source, with its known functions in a table."""
from __future__ import annotations

import sympy as sp
from sympy.printing.numpy import NumPyPrinter
from sympy.printing.precedence import precedence

# SymPy function name -> NumPy function; anything else is refused, never guessed.
KNOWN = {
    "exp": "np.exp", "log": "np.log", "log1p": "np.log1p", "Abs": "np.abs", "sqrt": "np.sqrt",
    "tanh": "np.tanh", "sin": "np.sin", "cos": "np.cos", "where": "np.where",
}


class UnsupportedCode(Exception):
    """An expression the printer has no NumPy spelling for."""


class CodePrinter(NumPyPrinter):
    """Prints ``np.``-prefixed, readable NumPy: ``1 / x`` not ``x**(-1.0)``, ``np.maximum`` for Max."""

    def __init__(self):
        super().__init__({"fully_qualified_modules": True, "inline": True, "allow_unknown_functions": False})

    def _module_format(self, fqn, register=True):
        return "np." + fqn[len("numpy."):] if fqn.startswith("numpy.") else super()._module_format(fqn, register)

    def _print_Function(self, expr):
        name = type(expr).__name__
        if name not in KNOWN:
            raise UnsupportedCode(f"no NumPy spelling for {name}()")
        return "%s(%s)" % (KNOWN[name], ", ".join(self._print(a) for a in expr.args))

    _print_exp = _print_log = _print_Abs = _print_sqrt = _print_tanh = _print_Function
    _print_sin = _print_cos = _print_Function

    def _print_Add(self, expr, order=None):
        # Positive terms first: `a - b` is one NumPy call where `-b + a` is two.
        terms = self._as_ordered_terms(expr, order=order)
        terms = sorted(terms, key=lambda t: t.could_extract_minus_sign())
        prec = precedence(expr)
        out = []
        for term in terms:
            txt = self._print(term)
            sign = "+"
            if txt.startswith("-"):
                sign, txt = "-", txt[1:]
            if precedence(term) < prec:
                txt = f"({txt})"
            out += [sign, txt]
        return ("-" if out[0] == "-" else "") + " ".join(out[1:])

    def _fold(self, fn, expr):
        # Numbers last: np.maximum(z, 0) reads as written by hand.
        args = [self._print(a) for a in sorted(expr.args, key=lambda a: a.is_number)]
        out = args[0]
        for a in args[1:]:
            out = f"{fn}({out}, {a})"
        return out

    def _print_Max(self, expr):
        return self._fold("np.maximum", expr)

    def _print_Min(self, expr):
        return self._fold("np.minimum", expr)

    def _print_Pow(self, expr, rational=False):
        b, e = expr.args
        if e == sp.S.Half:
            return f"np.sqrt({self._print(b)})"
        if e.is_Integer and e < 0:
            base = self.parenthesize(b, sp.printing.precedence.PRECEDENCE["Pow"])
            return f"1 / {base}" if e == -1 else f"1 / {base}**{-e}"
        if e.is_Integer:
            return f"{self.parenthesize(b, sp.printing.precedence.PRECEDENCE['Pow'])}**{e}"
        return super()._print_Pow(expr, rational)

    def _print_Relational(self, expr):
        if expr.rel_op not in (">=", ">", "<=", "<"):
            raise UnsupportedCode(f"no NumPy spelling for {expr.rel_op}")
        return f"{self._print(expr.lhs)} {expr.rel_op} {self._print(expr.rhs)}"

    def _print_Rational(self, expr):
        return f"{expr.p}/{expr.q}" if expr.q != 1 else str(expr.p)

    def _print_Integer(self, expr):
        # A float literal: NumPy converts a Python int operand more slowly, and values are unchanged.
        return f"{int(expr)}.0"

    def _print_Float(self, expr):
        return repr(float(expr))

    def _print_Symbol(self, expr):
        return expr.name


def code(expr) -> str:
    return CodePrinter().doprint(expr)
