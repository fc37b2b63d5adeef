"""Users' formulas → SymPy via a whitelist over Python's ast: SymPy objects built directly, nothing evaluated."""
from __future__ import annotations

import ast
import keyword
import math
import re

import sympy as sp

from .functions import log1p, sigmoid, softplus

MAX_CHARS = 2000
MAX_NESTING = 100     # brackets, as the user sees them
MAX_AST_DEPTH = 300   # operators nested without brackets (------x); keeps every recursion below bounded
# Budgets on what SymPy builds (issue #16): each bounds work that grows faster than the text.
MAX_NODES = 4000          # SymPy nodes in one parsed formula
MAX_ARITY = 8             # arguments of one max()/min(), after nesting is flattened (kink pairs grow as n^2)
MAX_KINKS = 40            # breakpoints of a formula: |u|, steps, and pairs of max/min arguments
MAX_EXPONENT = 1000       # |n| of an integer (or rational's numerator or denominator) exponent
MAX_BITS = 3400           # numerator and denominator of an exact rational constant (about 1000 digits)
_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,31}")

CONSTANTS = {"pi": (sp.pi, math.pi), "e": (sp.E, math.e)}


def _sigmoid(z):
    return 1 / (1 + math.exp(-z)) if z >= 0 else math.exp(z) / (1 + math.exp(z))


def _softplus_f(z):
    return max(z, 0) + math.log1p(math.exp(-abs(z)))



def _leaky(x, a=sp.Float(0.1)):
    return sp.Max(x, a * x)


# name -> (min args, max args or None, SymPy builder, float64 shadow of the same function)
FUNCTIONS = {
    "exp": (1, 1, sp.exp, math.exp), "log": (1, 1, sp.log, math.log), "sqrt": (1, 1, sp.sqrt, math.sqrt),
    "tanh": (1, 1, sp.tanh, math.tanh), "sin": (1, 1, sp.sin, math.sin), "cos": (1, 1, sp.cos, math.cos),
    "abs": (1, 1, sp.Abs, abs), "log1p": (1, 1, log1p, math.log1p), "sigmoid": (1, 1, sigmoid, _sigmoid),
    "softplus": (1, 1, softplus, _softplus_f),
    "relu": (1, 1, lambda x: sp.Max(x, 0), lambda z: max(z, 0.0)),
    # The lecture's step function H(z) = 1{z >= 0}, so H(0) = 1.
    "heaviside": (1, 1, lambda x: sp.Heaviside(x, 1), lambda z: float(z >= 0)),
    "step": (1, 1, lambda x: sp.Heaviside(x, 1), lambda z: float(z >= 0)),
    "max": (2, None, sp.Max, max), "min": (2, None, sp.Min, min),
    "leaky_relu": (1, 2, _leaky, lambda z, a=0.1: max(z, a * z)),
}

_BINOPS = {ast.Add: lambda a, b: a + b, ast.Sub: lambda a, b: a - b, ast.Mult: lambda a, b: a * b,
           ast.Div: lambda a, b: a / b, ast.Pow: lambda a, b: a ** b}
_OP_TEXT = {ast.FloorDiv: "//", ast.Mod: "%", ast.MatMult: "@", ast.LShift: "<<", ast.RShift: ">>",
            ast.BitOr: "|", ast.BitAnd: "&", ast.BitXor: "^", ast.Not: "not", ast.Invert: "~"}
_WHAT = {
    ast.Attribute: "attribute access", ast.Subscript: "subscript", ast.Lambda: "lambda",
    ast.ListComp: "list comprehension", ast.SetComp: "set comprehension", ast.DictComp: "dict comprehension",
    ast.GeneratorExp: "generator expression", ast.Compare: "comparison", ast.BoolOp: "boolean operator",
    ast.JoinedStr: "f-string", ast.FormattedValue: "f-string", ast.Starred: "starred argument",
    ast.IfExp: "conditional expression", ast.NamedExpr: "assignment expression", ast.Tuple: "tuple",
    ast.List: "list", ast.Set: "set", ast.Dict: "dict", ast.Await: "await", ast.Yield: "yield",
    ast.YieldFrom: "yield", ast.Slice: "slice",
}


# SymPy constant -> its float64 value, computed in floats: SymPy's exact arithmetic on such a constant
# (exp(exp(exp(100))) compared with 1) may never return.
_FLOAT_FUNCS = {
    sp.exp: math.exp, sp.log: math.log, sp.tanh: math.tanh, sp.sin: math.sin, sp.cos: math.cos, sp.Abs: abs,
    log1p: math.log1p, sigmoid: _sigmoid, softplus: _softplus_f, sp.Max: max, sp.Min: min,
}


def _float_value(e):
    """The float64 value of a SymPy constant built by this parser (math.inf on overflow), computed in floats.

    Raises ValueError for a constant outside the table (nothing the parser builds), ZeroDivisionError or
    ValueError for a domain error, and returns a complex or NaN for the caller to refuse."""
    stack, out = [(e, False)], []
    while stack:  # iterative: the tree may be as deep as the text allows
        node, ready = stack.pop()
        if not ready:
            if node.is_Rational:
                out.append(_rational_float(node))
            elif node.is_Float:
                out.append(float(node))
            elif node is sp.pi or node is sp.E:
                out.append(math.pi if node is sp.pi else math.e)
            elif node.is_Add or node.is_Mul or node.is_Pow or type(node) in _FLOAT_FUNCS \
                    or isinstance(node, sp.Heaviside):
                stack.append((node, True))
                stack.extend((a, False) for a in reversed(node.args))
            else:
                raise ValueError(f"no float64 value for {type(node).__name__}")
            continue
        n = len(node.args)
        vals, out[-n:] = out[-n:], []
        out.append(_combine(node, vals))
    return out[0]


def _rational_float(r):
    try:
        return r.p / r.q
    except OverflowError:
        return math.inf if (r.p > 0) == (r.q > 0) else -math.inf


def _combine(node, vals):
    try:
        if node.is_Add:
            return math.fsum(vals) if all(math.isfinite(v) for v in vals) else sum(vals)
        if node.is_Mul:
            return math.prod(vals)
        if node.is_Pow:
            return vals[0] ** vals[1]
        if isinstance(node, sp.Heaviside):
            return float(vals[0] > 0) if vals[0] != 0 else vals[1]
        return _FLOAT_FUNCS[type(node)](*vals)
    except OverflowError:
        return math.inf


class ParseError(ValueError):
    """Text outside the formula language; the message names the offending part and its column (1-based)."""

    def __init__(self, message, column=None):
        super().__init__(message)
        self.column = column


class _Parser:
    def __init__(self, text, offset, reserved):
        self.text, self.offset, self.reserved = text, offset, reserved

    def col(self, node_or_index):
        i = node_or_index if isinstance(node_or_index, int) else node_or_index.col_offset
        return i + self.offset + 1

    def seg(self, node):
        s = ast.get_source_segment(self.text, node) or type(node).__name__
        return s if len(s) <= 60 else s[:57] + "..."

    def fail(self, node, what):
        c = self.col(node)
        raise ParseError(f"unsupported syntax at column {c}: {what} '{self.seg(node)}'", c)

    def error(self, node, message):
        # replace, not str.format: the message may quote SymPy's or the user's braces
        c = self.col(node)
        raise ParseError(message.replace("{col}", str(c)).replace("{seg}", self.seg(node)), c)

    def shadow(self, node, fn, *vals):
        """The float64 value of a constant node, computed before SymPy sees it: SymPy would evaluate e.g.
        max(exp(exp(exp(100))), 1) exactly and never return, so a constant must be a finite real float64."""
        if any(v is None for v in vals):
            return None
        try:
            v = fn(*vals)
        except ZeroDivisionError:
            self.error(node, "division by zero at column {col}: '{seg}'")
        except (ValueError, TypeError):  # math domain errors: log(0), sqrt(-1)
            self.error(node, "outside the function's domain at column {col}: '{seg}'")
        except OverflowError:
            v = math.inf
        return self.finite(node, v)

    def finite(self, node, v):
        if isinstance(v, complex):
            self.error(node, "not a real number at column {col}: '{seg}'")
        if not math.isfinite(v):
            self.error(node, "number not finite in float64 (overflow) at column {col}: '{seg}'")
        return float(v)

    def constant(self, node, r, x):
        """The float64 shadow of r when r is a constant: x if the text was constant, else (a variable SymPy
        cancelled, as in exp(100 + 0*x)) r's value computed in floats; None when r depends on a variable."""
        if x is not None or not r.is_number:
            return x
        try:
            v = _float_value(r)
        except ZeroDivisionError:
            self.error(node, "division by zero at column {col}: '{seg}'")
        except ValueError as e:
            if str(e).startswith("no float64 value"):
                self.error(node, f"cannot bound the constant '{{seg}}' at column {{col}} ({e})")
            self.error(node, "outside the function's domain at column {col}: '{seg}'")
        except TypeError:
            self.error(node, "not a real number at column {col}: '{seg}'")
        v = self.finite(node, v)
        if r.is_Rational and max(abs(r.p).bit_length(), r.q.bit_length()) > MAX_BITS:
            self.error(node, f"exact constant too large at column {{col}}: '{{seg}}' has more than {MAX_BITS} bits "
                             f"(limit MAX_BITS in derivations/parse.py)")
        return v

    def exponent(self, node, b, xb):
        """Refuse an exact exponent beyond MAX_EXPONENT (SymPy would expand (1/3)**(10**9) exactly)."""
        if xb is None or not b.is_Rational:
            return
        if max(abs(b.p), b.q) > MAX_EXPONENT:
            self.error(node, f"exponent too large at column {{col}}: '{{seg}}' (limit: integers and fractions "
                             f"with terms up to {MAX_EXPONENT}; write a decimal such as 2.5 for other powers)")

    def check(self, node, r):
        """Refuse a SymPy node whose value is complex or infinite (the shadow covers constants; this covers x/0)."""
        if r.is_number:
            if r.is_finite is False or r.has(sp.nan, sp.zoo):
                self.error(node, "not finite (division by zero?) at column {col}: '{seg}'")
            if r.is_extended_real is False:
                self.error(node, "not a real number at column {col}: '{seg}'")
        elif any(a.has(sp.zoo, sp.oo, sp.nan, sp.I, -sp.oo) for a in r.args if a.is_number):
            self.error(node, "not finite or not real (division by zero?) at column {col}: '{seg}'")
        return r

    def build(self, node):
        """(SymPy expression, float64 shadow or None when it depends on a variable); one frame per level."""
        if isinstance(node, ast.Constant):
            v = node.value
            if isinstance(v, bool) or v is None or v is Ellipsis:
                self.fail(node, "literal")
            if isinstance(v, (str, bytes)):
                self.fail(node, "string literal")
            if isinstance(v, complex):
                self.fail(node, "complex literal")
            x = self.shadow(node, float, v)
            return (sp.Integer(v) if isinstance(v, int) else sp.Float(v)), x
        if isinstance(node, ast.Name):
            return self.name(node)
        if isinstance(node, ast.UnaryOp):
            if isinstance(node.op, (ast.UAdd, ast.USub)):
                a, x = self.build(node.operand)
                return (a, x) if isinstance(node.op, ast.UAdd) else (-a, None if x is None else -x)
            self.fail(node, f"operator '{_OP_TEXT[type(node.op)]}' in")
        if isinstance(node, ast.BinOp):
            op = type(node.op)
            if op not in _BINOPS:
                at = self.text.find(_OP_TEXT[op], node.left.end_col_offset) + self.offset + 1
                hint = " (for a power write '**')" if op is ast.BitXor else ""
                raise ParseError(f"unsupported operator '{_OP_TEXT[op]}' at column {at} in "
                                 f"'{self.seg(node)}'{hint}", at)
            (a, xa), (b, xb) = self.build(node.left), self.build(node.right)
            if op is ast.Div and xb == 0.0:  # x/log1p(0): SymPy would build zoo*x
                self.error(node, "division by zero at column {col} (the divisor is 0 in float64): '{seg}'")
            x = self.shadow(node, _BINOPS[op], xa, xb)
            if op is ast.Pow:
                self.exponent(node, b, xb)
            r = self.apply(node, _BINOPS[op], a, b)
            x = self.constant(node, r, x)
            return (r if x is not None else self.check(node, r)), x
        if isinstance(node, ast.Call):
            return self.call(node)
        self.fail(node, _WHAT.get(type(node), type(node).__name__))

    def name(self, node):
        n = node.id
        if n in CONSTANTS:
            return CONSTANTS[n]
        if n in FUNCTIONS:
            self.error(node, "function '{seg}' at column {col} needs arguments, e.g. '{seg}(x)'")
        if n.startswith("_"):
            self.error(node, "name '{seg}' at column {col} is not allowed: names may not start with '_'")
        if not _NAME.fullmatch(n):
            self.error(node, "name '{seg}' at column {col} is not allowed: a name is a letter followed by "
                             "at most 31 letters, digits or '_'")
        if keyword.iskeyword(n) or keyword.issoftkeyword(n) or n in self.reserved:
            self.error(node, "name '{seg}' at column {col} is reserved")
        return sp.Symbol(n, real=True), None

    def call(self, node):
        f = node.func
        if not isinstance(f, ast.Name):
            self.fail(f, _WHAT.get(type(f), "call of"))
        if f.id not in FUNCTIONS:
            self.error(f, "unknown function '{seg}' at column {col}; allowed: " + ", ".join(sorted(FUNCTIONS)))
        for k in node.keywords:
            self.fail(k, "keyword argument" if k.arg else "'**' argument")
        for a in node.args:
            if isinstance(a, ast.Starred):
                self.fail(a, "starred argument")
        lo, hi, fn, fx = FUNCTIONS[f.id]
        n = len(node.args)
        if n < lo or (hi is not None and n > hi):
            want = f"{lo}" if lo == hi else (f"at least {lo}" if hi is None else f"{lo} to {hi}")
            self.error(node, f"{f.id}() takes {want} argument{'s' if want != '1' else ''}, got {n}: "
                             "'{seg}' at column {col}")
        if f.id in ("max", "min") and n > MAX_ARITY:
            self.arity(node, f.id, n)
        built = [self.build(a) for a in node.args]
        args, xs = [b[0] for b in built], [b[1] for b in built]
        if f.id == "leaky_relu" and n == 2 and not (xs[1] is not None and 0 <= xs[1] <= 1):
            self.error(node.args[1], "leaky_relu's slope must be a constant in [0, 1]: '{seg}' at column {col}")
        if f.id in ("max", "min"):  # nested calls flatten: max(max(a, b), c) is max(a, b, c)
            k = sum(len(a.args) if isinstance(a, (sp.Max, sp.Min)) else 1 for a in args)
            if k > MAX_ARITY:
                self.arity(node, f.id, k)
        x = self.shadow(node, fx, *xs)
        r = self.apply(node, fn, *args)
        x = self.constant(node, r, x)
        return (r if x is not None else self.check(node, r)), x

    def arity(self, node, name, n):
        self.error(node, f"{name}() of {n} arguments at column {{col}} (limit {MAX_ARITY}, counting nested "
                         f"{name}() calls; the work grows as the square of the count): '{{seg}}'")

    def apply(self, node, fn, *args):
        try:
            return fn(*args)
        except (TypeError, ValueError, ArithmeticError) as e:  # SymPy refusing an argument
            self.error(node, f"cannot build '{{seg}}' at column {{col}}: {type(e).__name__}: {str(e)[:80]}")


def _prepare(text):
    """Length, character and nesting checks on the raw text; returns (stripped text, column offset)."""
    if not isinstance(text, str):
        raise ParseError(f"an expression must be a string, not {type(text).__name__}")
    if len(text) > MAX_CHARS:
        raise ParseError(f"expression too long: {len(text)} characters (limit {MAX_CHARS})")
    for i, ch in enumerate(text):
        if not (" " <= ch <= "~" or ch == "\t"):
            raise ParseError(f"unsupported character {ch!r} at column {i + 1}: use plain ASCII on one line", i + 1)
    depth = 0
    for i, ch in enumerate(text):
        depth += (ch in "([{") - (ch in ")]}")
        if depth > MAX_NESTING:
            raise ParseError(f"nesting depth exceeds {MAX_NESTING} at column {i + 1}", i + 1)
    stripped = text.strip()
    if not stripped:
        raise ParseError("empty expression")
    return stripped, len(text) - len(text.lstrip())


def _tree(text, offset):
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError as e:
        col = (e.offset or 1) + offset
        raise ParseError(f"syntax error at column {col}: {e.msg}", col) from None
    except (ValueError, RecursionError, MemoryError) as e:
        raise ParseError(f"cannot parse the expression: {type(e).__name__}") from None
    stack = [(tree.body, 1)]
    while stack:  # iterative, so the depth check itself cannot overflow
        node, d = stack.pop()
        if d > MAX_AST_DEPTH:
            c = getattr(node, "col_offset", 0) + offset + 1
            raise ParseError(f"expression nested too deeply (more than {MAX_AST_DEPTH} levels) at column {c}", c)
        stack.extend((child, d + 1) for child in ast.iter_child_nodes(node))
    return tree.body


def _finish(r, p, node):
    if not isinstance(r, sp.Expr):
        p.fail(node, "non-numeric expression")
    if r.has(sp.zoo, sp.oo, -sp.oo, sp.nan, sp.I):
        raise ParseError("the expression is not finite or not real")
    nodes = sum(1 for _ in sp.preorder_traversal(r))
    if nodes > MAX_NODES:
        raise ParseError(f"expression too large: {nodes} nodes once built (limit MAX_NODES = {MAX_NODES})")
    kinks = len(r.atoms(sp.Abs, sp.Heaviside, sp.sign)) + sum(
        len(m.args) * (len(m.args) - 1) // 2 for m in r.atoms(sp.Max, sp.Min))
    if kinks > MAX_KINKS:
        raise ParseError(f"too many breakpoints: {kinks} (from abs, steps and pairs of max/min arguments; "
                         f"limit MAX_KINKS = {MAX_KINKS})")
    return r


def parse_expression(text, *, extra_names=()) -> sp.Expr:
    """Parse one formula. `extra_names` are further identifiers the caller reserves (not usable as variables)."""
    body, offset = _prepare(text)
    node = _tree(body, offset)
    p = _Parser(body, offset, frozenset(extra_names))
    return _finish(p.build(node)[0], p, node)


def parse_expressions(text, *, extra_names=()) -> list:
    """Parse a comma-separated list of formulas (a top-level tuple); a single formula gives a list of one."""
    body, offset = _prepare(text)
    node = _tree(body, offset)
    p = _Parser(body, offset, frozenset(extra_names))
    items = node.elts if isinstance(node, ast.Tuple) else [node]
    if not items:
        raise ParseError("empty expression list")
    return [_finish(p.build(n)[0], p, n) for n in items]


__all__ = ["ParseError", "parse_expression", "parse_expressions", "FUNCTIONS", "CONSTANTS"]
