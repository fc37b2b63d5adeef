"""A generated function as mathematics: latexify-py's stages run on its parsed source, read as maths.

latexify's ``get_latex`` is parse -> transform -> codegen. The same stages are run here, with one
transformer of ours after parsing (:class:`MathView`), so nothing is written to disk or executed.
"""
from __future__ import annotations

import ast
import re

from .text import GREEK

_GREEK_NAMES = "|".join(sorted(GREEK + [g.capitalize() for g in GREEK], key=len, reverse=True))


def _raises(node) -> bool:
    return any(isinstance(n, ast.Raise) for n in ast.walk(node))


def _assigned(node) -> set:
    return {t.id for n in ast.walk(node) if isinstance(n, ast.Assign) for t in n.targets if isinstance(t, ast.Name)}


def _loaded(node) -> set:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}


class MathView(ast.NodeTransformer):
    """The function as mathematics: without its ``del`` statements (they free memory; latexify
    accepts only assignments before the return), without its input checks (an ``if`` that raises, an
    ``if`` that only computes what such a check tests, and a call whose value is dropped), and with x.sum() as np.sum(x) (latexify prints the
    method call as an empty sum)."""

    def visit_FunctionDef(self, node):
        self.generic_visit(node)
        checks = [s for s in node.body if isinstance(s, ast.If) and _raises(s)]
        tested = set().union(*(_loaded(c.test) for c in checks))
        node.body = [s for s in node.body if not (s in checks or (isinstance(s, ast.If) and _assigned(s)
                                                                  and _assigned(s) <= tested))]
        return node

    def visit_Delete(self, node):
        return None

    def visit_Expr(self, node):
        # a call whose value is dropped (an input check such as _check_labels_0_1(y, 'y')) is no mathematics
        return None if isinstance(node.value, ast.Call) else node

    def visit_Call(self, node):
        self.generic_visit(node)
        f = node.func
        if isinstance(f, ast.Attribute) and f.attr == "sum" and not node.args and not node.keywords:
            return ast.Call(func=ast.Attribute(value=ast.Name(id="np", ctx=ast.Load()), attr="sum", ctx=ast.Load()),
                            args=[f.value], keywords=[])
        return node


def _transformers():
    """latexify's transformers, in get_latex's order, for prefixes={"np"} and nothing else configured."""
    from latexify import transformers

    return (transformers.AugAssignReplacer(), transformers.PrefixTrimmer({"np"}))


def latexify_function(fn) -> str:
    """What ``latexify.get_latex(fn, prefixes={"np"}, use_math_symbols=True)`` prints for the
    function read through :class:`MathView`."""
    from latexify import codegen, parser

    tree = ast.fix_missing_locations(MathView().visit(parser.parse_function(fn)))
    for stage in _transformers():
        tree = stage.visit(tree)
    return codegen.FunctionCodegen(use_math_symbols=True, use_signature=True, use_set_symbols=False).visit(tree)


def tidy(tex: str) -> str:
    r"""latexify prints t0 as \mathrm{t0}; print numbered names as subscripted ones (t_{0}, \mu_{1})."""
    def sub(m):
        base, num = m.group(1), m.group(2)
        if len(base) == 1:
            return "%s_{%s}" % (base, num)
        if re.fullmatch(_GREEK_NAMES, base):
            return "\\%s_{%s}" % (base, num)
        return m.group(0)
    return re.sub(r"\\mathrm\{([A-Za-z]+)(\d+)\}", sub, tex)
