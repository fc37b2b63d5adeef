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
_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,31}")

CONSTANTS = {"pi": (sp.pi, math.pi), "e": (sp.E, math.e)}


def _sigmoid(z):
    return 1 / (1 + math.exp(-z)) if z >= 0 else math.exp(z) / (1 + math.exp(z))


def _leaky(x, a=sp.Float(0.1)):
    return sp.Max(x, a * x)


# name -> (min args, max args or None, SymPy builder, float64 shadow of the same function)
FUNCTIONS = {
    "exp": (1, 1, sp.exp, math.exp), "log": (1, 1, sp.log, math.log), "sqrt": (1, 1, sp.sqrt, math.sqrt),
    "tanh": (1, 1, sp.tanh, math.tanh), "sin": (1, 1, sp.sin, math.sin), "cos": (1, 1, sp.cos, math.cos),
    "abs": (1, 1, sp.Abs, abs), "log1p": (1, 1, log1p, math.log1p), "sigmoid": (1, 1, sigmoid, _sigmoid),
    "softplus": (1, 1, softplus, lambda z: max(z, 0) + math.log1p(math.exp(-abs(z)))),
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
        if isinstance(v, complex):
            self.error(node, "not a real number at column {col}: '{seg}'")
        if not math.isfinite(v):
            self.error(node, "number not finite in float64 (overflow) at column {col}: '{seg}'")
        return float(v)

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
            x = self.shadow(node, _BINOPS[op], xa, xb)
            return self.check(node, self.apply(node, _BINOPS[op], a, b)), x
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
        built = [self.build(a) for a in node.args]
        args, xs = [b[0] for b in built], [b[1] for b in built]
        if f.id == "leaky_relu" and n == 2 and not (xs[1] is not None and 0 <= xs[1] <= 1):
            self.error(node.args[1], "leaky_relu's slope must be a constant in [0, 1]: '{seg}' at column {col}")
        x = self.shadow(node, fx, *xs)
        return self.check(node, self.apply(node, fn, *args)), x

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
