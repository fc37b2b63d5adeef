"""One printer for generated code: SymPy scalars → NumPy source, from a closed table of what it may print."""
from __future__ import annotations

import sympy as sp
from sympy.printing.numpy import NumPyPrinter
from sympy.printing.precedence import PRECEDENCE, precedence

# SymPy function name -> NumPy function; anything else is refused, never guessed. (A square root is
# Pow(x, 1/2) in SymPy, not a function: _print_Pow writes it as np.sqrt.)
KNOWN = {
    "exp": "np.exp", "log": "np.log", "log1p": "np.log1p", "Abs": "np.abs",
    "tanh": "np.tanh", "sin": "np.sin", "cos": "np.cos", "where": "np.where",
}

# Functions the library defines (derivations/library/nngp.py), by name -> NumPy function: the angle of a point in
# a half plane, where np.arctan2 has the definition's value (its tests compare them).
ANGLES = {"upper_angle": "np.arctan2", "right_angle": "np.arctan2"}

# The expression nodes other than KNOWN functions the printer spells, each by a method below or by the one
# NumPyPrinter inherits for it (Mul; Pi and Exp1 as np.pi and np.e). Every other node is refused.
STRUCTURE = ("Add", "Mul", "Pow", "Max", "Min", "Relational", "Symbol", "Integer", "Rational", "Float",
             "Pi", "Exp1")

# The same functions for one Python float, by name -> Python spelling (abs is the builtin): the scalar path of the
# activations (module.py), whose stable forms never take exp of a positive number, log of 0 or the root of a
# negative one, so math's exceptions (OverflowError, ValueError) cannot arise where NumPy would return inf or NaN.
MATH = {"exp": "math.exp", "log": "math.log", "log1p": "math.log1p", "Abs": "abs", "tanh": "math.tanh",
        "sin": "math.sin", "cos": "math.cos", "upper_angle": "math.atan2", "right_angle": "math.atan2"}

# The compiled kernels of the NumPy route (stable.KERNEL_FORMS), by name -> what calls them: the SciPy ones through
# a module-level function that imports scipy.special on first use (module.py), so importing a generated module
# still costs NumPy alone. Printed in the "np" namespace only.
KERNELS = {"log_expit": "_log_expit", "expm1": "np.expm1", "expit": "_sigmoid"}

# Every attribute of np the printer can write: for audits of its output.
NUMPY_NAMES = frozenset(v[len("np."):] for v in (*KNOWN.values(), *ANGLES.values())) | {"maximum", "minimum", "sqrt",
                                                                                         "pi", "e", "expm1"}


class UnsupportedCode(Exception):
    """An expression the printer has no NumPy spelling for."""


def _what(expr) -> str:
    if isinstance(expr, sp.Basic) and isinstance(expr.func, sp.FunctionClass):
        return f"{expr.func.__name__}()"
    return f"{type(expr).__name__} ({expr})"


class CodePrinter(NumPyPrinter):
    """Prints ``np.``-prefixed, readable NumPy: ``1 / x`` not ``x**(-1.0)``, ``np.maximum`` for Max.

    The printer is closed: it prints the nodes of STRUCTURE and the functions of KNOWN, and raises
    UnsupportedCode for everything else, including what SymPy's own printers could spell (sinh, atan,
    erf as math.erf, ...), so generated modules only ever need ``import numpy as np``.
    """

    printmethod = None   # no expression prints itself (SymPy's `_pythoncode` hook): the tables decide

    def __init__(self, ns="np"):
        super().__init__({"fully_qualified_modules": True, "inline": True, "allow_unknown_functions": False})
        self.ns = ns     # "np"; "xp", an array-API namespace bound at run time; "math", for one Python float

    def _module_format(self, fqn, register=True):
        if fqn.startswith("numpy."):
            return f"{self.ns}.{fqn[len('numpy.'):]}"
        return super()._module_format(fqn, register)

    def _function(self, name) -> str:
        """The spelling of a KNOWN or ANGLES function in this printer's namespace."""
        if self.ns == "math":
            if name not in MATH:
                raise UnsupportedCode(f"no Python float spelling for {name}()")
            return MATH[name]
        return f"{self.ns}.{(KNOWN.get(name) or ANGLES[name])[len('np.'):]}"

    def _refuse(self, expr, *args, **kwargs):
        raise UnsupportedCode(f"no NumPy spelling for {_what(expr)}")

    # Where the dispatch ends for a node none of the printer's methods claims.
    _print_Function = _print_Basic = emptyPrinter = _refuse

    def _print_kernel(self, expr):
        name = type(expr).__name__
        if self.ns != "np":
            raise UnsupportedCode(f"the kernel {name}() is for the NumPy route only, not {self.ns}")
        return "%s(%s)" % (KERNELS[name], ", ".join(self._print(a) for a in expr.args))

    def _print_known(self, expr):
        name = type(expr).__name__
        if name == "where" and self.ns == "math":
            c, a, b = (self._print(x) for x in expr.args)
            return f"({a} if {c} else {b})"
        return "%s(%s)" % (self._function(name), ", ".join(self._print(a) for a in expr.args))

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
        return self._fold("max" if self.ns == "math" else f"{self.ns}.maximum", expr)

    def _print_Min(self, expr):
        return self._fold("min" if self.ns == "math" else f"{self.ns}.minimum", expr)

    def _print_Pow(self, expr, rational=False):
        b, e = expr.args
        if e == sp.S.Half:
            return f"{self.ns}.sqrt({self._print(b)})"
        if e.is_Integer and e < 0:
            base = self.parenthesize(b, PRECEDENCE["Pow"])
            return f"1 / {base}" if e == -1 else f"1 / {base}**{-e}"
        if e.is_Integer:
            return f"{self.parenthesize(b, PRECEDENCE['Pow'])}**{e}"
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


# The table, installed as SymPy's printing/numpy.py installs its known functions.
for _name in (*KNOWN, *ANGLES):
    setattr(CodePrinter, f"_print_{_name}", CodePrinter._print_known)
for _name in KERNELS:
    setattr(CodePrinter, f"_print_{_name}", CodePrinter._print_kernel)

# Everything else the parent printers spell is taken out of the lookup (None is what Printer._print skips),
# so a node such as sinh, erf or Half falls through to its base classes: to the Rational or Integer
# methods above for SymPy's number singletons, to the refusal for any function or other node.
for _attr in dir(NumPyPrinter):
    if _attr.startswith("_print_") and _attr not in vars(CodePrinter) and _attr[len("_print_"):] not in STRUCTURE \
            and _attr[len("_print_"):] not in KERNELS:
        setattr(CodePrinter, _attr, None)
del _name, _attr


def code(expr, ns: str = "np") -> str:
    """NumPy source for a scalar SymPy expression, its functions taken from `ns` ("np"; "xp", an array-API
    namespace; "math", Python floats); UnsupportedCode for anything outside the tables."""
    return CodePrinter(ns).doprint(expr)
