"""A generated function as mathematics: latexify-py's stages run on its parsed source, read as maths.

latexify's ``get_latex`` is parse -> transform -> codegen. The same stages are run here, with one
transformer of ours after parsing (:class:`MathView`), so nothing is written to disk or executed.
"""
from __future__ import annotations

import ast
import re

from .text import _GREEK_UPPER_TEX, GREEK

#: the Greek names LaTeX has a command for (\\sigma, \\Sigma; not \\omicron or \\Beta)
_GREEK_NAMES = "|".join(sorted([g for g in GREEK if g != "omicron"] + sorted(_GREEK_UPPER_TEX), key=len, reverse=True))


def _raises(node) -> bool:
    return any(isinstance(n, ast.Raise) for n in ast.walk(node))


def _assigned(node) -> set:
    return {t.id for n in ast.walk(node) if isinstance(n, ast.Assign) for t in n.targets if isinstance(t, ast.Name)}


def _emptied(node) -> bool:
    """An ``if`` left with nothing in it once its checks are gone (``if xp is np: _check_labels(y)``)."""
    return isinstance(node, ast.If) and not node.body and not node.orelse


#: calls that look at an argument's type or pick an array namespace: a statement testing one chooses a route
_ROUTE_CALLS = {"type", "isinstance", "_namespace", "array_namespace"}


def _routes_on(node, route: set) -> bool:
    """Does an expression choose a route: call type()/isinstance()/_namespace(), or read a route name?"""
    calls = {n.func.id for n in ast.walk(node) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)}
    return bool(calls & _ROUTE_CALLS or _loaded(node) & route)


def _targets(node) -> set:
    return {t.id for t in node.targets if isinstance(t, ast.Name)} if isinstance(node, ast.Assign) else set()


def _routing(body) -> list:
    """The statements of a body that choose a route rather than compute: the names that hold a choice
    (``numpy = type(z) is np.ndarray``, ``xp = np if numpy else _namespace(...)``), and the ``if`` that
    branches on one (``if type(z) is float: return <the same forms in math>``, ``if numpy: <a NumPy fast
    route>``): each route computes what the statements after them compute for every input."""
    route, out = set(NAMESPACES), []
    for s in body:
        if _targets(s) and _routes_on(s.value, route - NAMESPACES):     # xp.exp(t) computes; numpy = ... routes
            route |= _targets(s)
            out.append(s)
        elif _targets(s) and _targets(s) <= NAMESPACES:
            out.append(s)
        elif isinstance(s, ast.If) and _routes_on(s.test, route):
            out.append(s)
    return out


def _loaded(node) -> set:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}


#: names that hold an array namespace (NumPy's, or another array-API library's): the ``if`` that picks one
#: is no mathematics, and ``xp.exp`` is read as ``np.exp`` is, as exp
NAMESPACES = {"xp"}


class MathView(ast.NodeTransformer):
    """The function as mathematics: without its ``del`` statements (they free memory; latexify accepts
    only assignments before the return), without its input checks (an ``if`` that raises, an ``if`` that
    only computes what such a check tests, and a call whose value is dropped), without what chooses a
    route (with ``drop_routes``, see :func:`_routing`), and with
    x.sum() as np.sum(x) (latexify prints the method call as an empty sum)."""

    drop_routes = False     # what get_latex would print keeps them; :class:`ReadableView` drops them

    def visit_FunctionDef(self, node):
        self.generic_visit(node)
        checks = [s for s in node.body if isinstance(s, ast.If) and _raises(s)]
        tested = set().union(*(_loaded(c.test) for c in checks))
        routing = _routing(node.body) if self.drop_routes else []
        node.body = [s for s in node.body if not (s in checks or s in routing or _emptied(s) or (
            isinstance(s, ast.If) and _assigned(s) and (_assigned(s) <= tested or _assigned(s) <= NAMESPACES)))]
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


class ReadableView(MathView):
    """:class:`MathView`, and ``x.T`` as the transpose ``x ** T``, which latexify sets as ``x^{T}`` (the
    statements' notation) instead of printing the attribute ``x.T``, ``X.shape[0]`` as rows(X); without
    what chooses a route."""

    drop_routes = True

    _SHAPE = {0: "rows", 1: "cols"}     # X.shape[0]: the number of rows of X, not an attribute access

    def visit_Subscript(self, node):
        self.generic_visit(node)
        v, k = node.value, node.slice
        if isinstance(v, ast.Attribute) and v.attr == "shape" and isinstance(k, ast.Constant) and k.value in self._SHAPE:
            return ast.Call(func=ast.Name(id=self._SHAPE[k.value], ctx=ast.Load()), args=[v.value], keywords=[])
        return node

    def visit_Attribute(self, node):
        self.generic_visit(node)
        if node.attr == "T" and isinstance(node.ctx, ast.Load):
            return ast.BinOp(left=node.value, op=ast.Pow(), right=ast.Name(id="T", ctx=ast.Load()))
        return node


def _numeric(node) -> bool:
    """Is an expression made of number literals only (2.0, -1, 1/2)?"""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, (int, float)) and not isinstance(node.value, bool)
    if isinstance(node, ast.UnaryOp):
        return _numeric(node.operand)
    return isinstance(node, ast.BinOp) and _numeric(node.left) and _numeric(node.right)


#: How the two NumPy products are set, so that they cannot be confused:
#:   ``a @ b``  juxtaposition, ``a \, b``: a matrix (or matrix-vector, or dot) product is written so in
#:              the statements (w^{T} x, X w); an operand that is itself a product or a sum is put in
#:              parentheses, since juxtaposition reads as binding tighter than any other product;
#:   ``a * b``  ``a \odot b`` (Hadamard) when both sides are arrays or names: NumPy's ``*`` is
#:              elementwise (with broadcasting), and on scalars the Hadamard product is the plain one;
#:              a number times anything stays latexify's ``2 y`` or ``\frac{1}{2} \cdot s``, a scalar
#:              multiple, the same under every product.
MATMUL, HADAMARD = r" \, ", r" \odot "


def _expression_codegen():
    """latexify's ExpressionCodegen with the products above (made here, so latexify's tables stay as they are)."""
    from latexify.codegen import expression_codegen, expression_rules

    class ReadableExpressions(expression_codegen.ExpressionCodegen):
        def _product_operand(self, node) -> str:
            tex = self.visit(node)
            loose = (isinstance(node, ast.BinOp) and not isinstance(node.op, (ast.Pow, ast.Div))) or \
                isinstance(node, (ast.UnaryOp, ast.Compare, ast.BoolOp, ast.IfExp))
            return r"\mathopen{}\left( %s \mathclose{}\right)" % tex if loose else tex

        def visit_BinOp(self, node):
            if isinstance(node.op, ast.MatMult):
                return self._product_operand(node.left) + MATMUL + self._product_operand(node.right)
            if isinstance(node.op, ast.Mult) and not (_numeric(node.left) or _numeric(node.right)):
                prec = expression_rules.get_precedence(node)
                rule = expression_rules.BIN_OP_RULES[ast.Mult]
                return (self._wrap_binop_operand(node.left, prec, rule.operand_left) + HADAMARD
                        + self._wrap_binop_operand(node.right, prec, rule.operand_right))
            return super().visit_BinOp(node)

    return ReadableExpressions(use_math_symbols=True, use_set_symbols=False)


def _transformers(prefixes=frozenset({"np"})):
    """latexify's transformers, in get_latex's order, for these prefixes and nothing else configured."""
    from latexify import transformers

    return (transformers.AugAssignReplacer(), transformers.PrefixTrimmer(set(prefixes)))


def latexify_function(fn, readable: bool = False) -> str:
    """What ``latexify.get_latex(fn, prefixes={"np"}, use_math_symbols=True)`` prints for the
    function read through :class:`MathView`; with ``readable``, read through :class:`ReadableView` and
    set with the products of :data:`MATMUL` and :data:`HADAMARD` (what the reports show)."""
    from latexify import codegen, parser

    view = ReadableView() if readable else MathView()
    tree = ast.fix_missing_locations(view.visit(parser.parse_function(fn)))
    for stage in _transformers({"np"} | NAMESPACES if readable else {"np"}):
        tree = stage.visit(tree)
    gen = codegen.FunctionCodegen(use_math_symbols=True, use_signature=True, use_set_symbols=False)
    if readable:
        gen._expression_codegen = _expression_codegen()   # latexify 0.4 has no hook for its expression codegen
    return gen.visit(tree)


_ARRAY_ROW = re.compile(r"\\begin\{|\\end\{| \\\\ ")


def spaced_rows(tex: str) -> str:
    r"""latexify's ``\begin{array}{l} a \\ b \end{array}`` as amsmath's ``aligned``, rows flush left: its
    rows are in display style (full-size fractions) and kept apart by ``\jot`` and ``\lineskip``, where
    an array's rows touch as soon as a fraction is taller than the strut (``\\[3pt]`` does not help
    there). For the PDF only: MathML converters know ``array`` better."""
    head, tail = r"\begin{array}{l} ", r" \end{array}"
    if not (tex.startswith(head) and tex.endswith(tail)):
        return tex
    body, rows, depth, start = tex[len(head):-len(tail)], [], 0, 0
    for m in _ARRAY_ROW.finditer(body):
        if m.group(0) == r"\begin{":
            depth += 1
        elif m.group(0) == r"\end{":
            depth -= 1
        elif depth == 0:
            rows.append(body[start:m.start()])
            start = m.end()
    rows.append(body[start:])
    return r"\begin{aligned} " + r" \\ ".join("&" + r for r in rows) + r" \end{aligned}"


def _greek_subscripted(m) -> str:
    r"""\mathrm{sigma\_u} as \sigma_{u}, \mathrm{omega\_out} as \omega_{\mathrm{out}}: a Greek-named identifier
    reads as the letter it names, as latexify sets a bare sigma."""
    base, tail = m.group(1), m.group(2)
    return "\\%s_{%s}" % (base, tail if len(tail) == 1 or tail.isdigit() else r"\mathrm{%s}" % tail)


def tidy(tex: str) -> str:
    r"""latexify prints t0 as \mathrm{t0} and sigma_u as \mathrm{sigma\_u}; print numbered names as subscripted
    ones (t_{0}, \mu_{1}) and Greek-named ones as the letter with its subscript (\sigma_{u})."""
    def sub(m):
        base, num = m.group(1), m.group(2)
        if len(base) == 1:
            return "%s_{%s}" % (base, num)
        if re.fullmatch(_GREEK_NAMES, base):
            return "\\%s_{%s}" % (base, num)
        return m.group(0)
    tex = re.sub(r"\\mathrm\{(%s)\\_([A-Za-z0-9]+)\}" % _GREEK_NAMES, _greek_subscripted, tex)
    return re.sub(r"\\mathrm\{([A-Za-z]+)(\d+)\}", sub, tex)
