"""The code generator's stages: printer (a closed table), plan, block (kinks, CSE), assemble; peak memory."""
import ast
import pathlib
import subprocess
import sys
import tracemalloc

import autograd
import mpmath
import numpy as np
import pytest
import sympy as sp

import numeric.generated.activations as act
import numeric.generated.logistic as logi
from derivations import codegen
from derivations.codegen import stable
from derivations.codegen.assemble import assemble_parts
from derivations.codegen.block import Block
from derivations.codegen.printer import KNOWN, MATH, UnsupportedCode, code
from derivations.functions import log1p, sigmoid, where
from numeric.autodiff import under_autograd

z, w = sp.symbols("z w", real=True)
ROOT = pathlib.Path(__file__).resolve().parents[1]
GENERATED = ROOT / "numeric" / "generated"
AG = under_autograd(act)
free_dead = codegen.free_dead


def test_printer_spellings():
    assert code(z - w) == "z - w"                     # one subtraction, not -w + z
    assert code(sp.sqrt(z + 1)) == "np.sqrt(z + 1.0)" and code(1 / z) == "1 / z"
    assert code(2 * z) == "2.0*z"                     # float literals: faster operands, same values
    assert code(sp.Max(0, z)) == "np.maximum(z, 0.0)"
    assert code(z ** 2) == "z**2"                     # exponents stay integers
    assert code(z / 2 + sp.pi) == "(1/2)*z + np.pi"   # SymPy's singletons (Half) print as their base class


def _applied(name):
    """An application of the SymPy function called `name` (the printer's table knows them by name)."""
    if name == "where":
        return where(z >= 0, z, w)
    if name == "log1p":
        return log1p(z)
    return getattr(sp, name)(z)


@pytest.mark.parametrize("name", sorted(KNOWN))
def test_every_known_function_prints_as_its_numpy_function(name):
    e = _applied(name)
    assert type(e).__name__ == name           # not evaluated away into something else
    txt = code(e)
    assert txt.startswith(KNOWN[name] + "(")
    if name != "where":                       # and the text computes what SymPy means, at a point
        assert eval(txt, {"np": np, "z": 0.3}) == pytest.approx(float(e.subs(z, 0.3)), rel=1e-15)


@pytest.mark.parametrize("expr", [sp.sinh(z), sp.atan(z), sp.erf(z), sp.gamma(z), sp.Function("f")(z),
                                  sp.sign(z), sp.Piecewise((z, z > 0), (0, True)), sigmoid(z)],
                         ids=lambda e: type(e).__name__)
def test_functions_outside_the_table_are_refused(expr):
    """SymPy's own printers spell these (math.erf, np.arctan, ...); this one refuses them, by name."""
    with pytest.raises(UnsupportedCode, match=rf"^no NumPy spelling for {type(expr).__name__}\(\)$"):
        code(expr + 1)


@pytest.mark.parametrize("expr", [sp.I * z, sp.oo + z, sp.zoo, sp.nan, sp.Eq(z, 1), sp.true],
                         ids=["I", "oo", "zoo", "nan", "Eq", "true"])
def test_other_nodes_outside_the_table_are_refused(expr):
    with pytest.raises(UnsupportedCode, match="^no NumPy spelling for "):
        code(expr)


def test_the_audit_vocabulary_is_what_the_printer_writes():
    spelled = {v[len("np."):] for v in KNOWN.values()} | {"maximum", "minimum", "pi", "e"}
    assert spelled <= codegen.NUMPY_NAMES
    math_names = {v[len("math."):] for v in MATH.values() if v.startswith("math.")}
    for path in GENERATED.glob("*.py"):
        tree = ast.parse(path.read_text())

        def used(module):
            return {n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute)
                    and isinstance(n.value, ast.Name) and n.value.id == module}
        # np: the printer's names, the templates' and the input checks' (types); xp: the printer's alone
        assert used("np") - codegen.NUMPY_NAMES <= {"asarray", "array", "float64", "linalg", "vstack", "hstack",
                                                    "column_stack", "add", "multiply", "vdot", "empty", "isinf",
                                                    "count_nonzero", "flatnonzero", "bool_", "integer",
                                                    "floating", "ndarray", "outer", "generic"}, path.name
        assert used("xp") - codegen.NUMPY_NAMES <= {"linalg", "vstack", "hstack", "column_stack", "__name__"}, path.name
        # the Python float routes: the printer's names, and the depth template's test for x = +-inf
        assert used("math") <= math_names | {"isinf"}, path.name


# ---- the stages ---------------------------------------------------------------------------------

def _spec(name):
    return next(s for s in codegen.specs() if getattr(s, "name", None) == name)


def test_plan_batches_the_products_and_reduces_over_the_rows():
    import derivations
    spec = _spec("cross_entropy_grad")
    p = codegen.plan(spec, derivations.get(spec.derivation).results)
    assert p.prelude == ["Xw = X @ w"] and p.size_of == "X"       # one X @ w, shared by both outputs
    assert [(name, [t for _, t in parts]) for name, parts in p.outputs] == [
        ("grad_w", ["{} @ X / n"]), ("grad_b", ["{}.sum() / n"])]
    assert all(not e.atoms(sp.MatrixSymbol) for e in p.exprs)     # the block stage sees scalars only
    assert "Xw" in p.temporaries                                   # freed after its last use


def test_the_stages_compose_to_the_committed_function():
    import derivations
    spec = _spec("cross_entropy_value_and_grad")
    d = derivations.get(spec.derivation)
    committed = (GENERATED / f"{spec.module}.py").read_text()
    routes = {"xp": codegen.plan(spec, d.results, ns="xp")} | {r: codegen.plan(spec, d.results, route=r)
                                                               for r in ("sums", "row")}
    for route, p in routes.items():     # each route's statements, in the committed function or its sums helper
        head, body, ret = assemble_parts(p, Block(p.exprs, p.names, ns=p.ns))
        indent = "            " if route == "row" else "    "
        src = "".join(f"{indent}{line}\n" for line in body) + f"{indent}return {ret}\n"
        assert src in committed, route
        assert ret == ("loss, grad_w, grad_b" if route != "sums" else "loss, grad_w, grad_b"), route
    assert "    return loss / n, grad_w / n, grad_b / n\n" in committed


def _imports(path):
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            yield from (a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            pkg = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-node.level]) if node.level else ""
            yield ".".join(p for p in (pkg, node.module or "") if p)


def test_no_import_reaches_across_the_layers():
    """derivations/ never imports numeric/ or deepderive/; codegen never imports the library (no cycle)."""
    for path in (ROOT / "derivations").rglob("*.py"):
        for mod in _imports(path):
            assert mod.split(".")[0] not in ("numeric", "deepderive"), (path, mod)
            if "codegen" in path.parts:
                assert not mod.startswith("derivations.library"), (path, mod)


def test_nested_forms_stay_linear_and_accurate():
    """stable.lift: sigmoid nested 40 deep is 40 statements, not a form copied into each use; values vs mpmath."""
    depth = 40
    e = z
    for _ in range(depth):
        e = sigmoid(2 * e - 1)
    p = codegen.scalars([e], stable.LOWERINGS)
    body, ret = codegen.assemble(p, Block(p.exprs, p.names, kinks=False, defs=p.defs))
    src = codegen.function_source("f", ["z"], body, ret)
    assert len(p.defs) == depth and len(src) < 200 * depth
    ns = {"np": np}
    exec(compile(src, "<nested>", "exec"), ns)
    for v in (-30.0, -1.0, 0.0, 0.7, 500.0):
        with mpmath.workdps(50):
            ref = mpmath.mpf(v)
            for _ in range(depth):
                ref = 1 / (1 + mpmath.exp(-(2 * ref - 1)))
        assert abs(ns["f"](np.float64(v)) - float(ref)) <= 4 * np.spacing(float(ref))


def test_block_writes_kinks_as_one_comparison_each():
    block = Block([sp.exp(sp.Min(z, 0) - sp.Max(z, 0)) + sp.Max(z, 0)])
    lines, txt = block.code_of(0)
    assert lines == ["t0 = np.where(z < 0.0, 0.0, z)", "t1 = np.where(z >= 0.0, 0.0, z)"] and \
        txt == "t0 + np.exp(t1 - t0)"
    # a compound argument is computed once and named before its comparison
    lines, _ = Block([sp.Max(2 * z + 1, 0)]).code_of(0)
    assert lines[0] == "t0 = 2.0*z + 1.0" and lines[1] == "t1 = np.where(t0 < 0.0, 0.0, t0)"


def test_a_wrong_kink_spelling_fails_its_proof(monkeypatch):
    from derivations.library.sigmoid import stable_forms
    monkeypatch.setitem(stable.KINKS, sp.Max, ">=")      # the right entry is "<": max(z, 0) is 0 where z < 0
    failed = [s.why for s in stable_forms().verify().steps if s.status == "failed"]
    assert failed == [r"$\max\left(0, z\right)$ with one comparison: $0$ where $z \ge 0$, else $z$ (a NaN passes through)"]


def _mp_sigmoid_prime(u):
    e = mpmath.exp(-abs(u))
    return e / (1 + e) ** 2


def test_autograd_of_generated_code_is_accurate_in_both_tails_and_at_zero():
    # Second derivatives: at 0 every branch must be the same one (autograd splits ties of
    # np.maximum 1/2 : 1/2, which gives softplus''(0) = 0); in the tails no derivative may be a
    # difference of two that cancel (a - max(a, 0) gives σ'(40) = 0).
    zs = np.concatenate([np.linspace(-700, 700, 281), [-1e-8, 0.0, 1e-8]])
    d2_softplus = autograd.elementwise_grad(autograd.elementwise_grad(AG.softplus))(zs)
    d1_sigmoid = autograd.elementwise_grad(AG.sigmoid)(zs)
    with mpmath.workdps(50):
        exact = np.array([float(_mp_sigmoid_prime(mpmath.mpf(float(v)))) for v in zs])
    np.testing.assert_allclose(d2_softplus, exact, rtol=1e-13, atol=0)
    np.testing.assert_allclose(d1_sigmoid, exact, rtol=1e-13, atol=0)
    assert autograd.grad(autograd.grad(AG.sigmoid))(0.0) == 0.0           # σ''(0) = 0 exactly
    assert autograd.grad(autograd.grad(AG.softplus))(0.0) == 0.25


def test_free_dead_deletes_after_the_last_use_only_when_work_follows():
    lines = ["a = x + 1", "b = a*a", "c = b + a", "d = c*2"]
    assert free_dead(lines, "d", {"a", "b", "c"}) == ["a = x + 1", "b = a*a", "c = b + a", "del a, b", "d = c*2"]
    assert free_dead(["a = x + 1", "return_me = a*2"], "return_me + a", {"a"}) == ["a = x + 1", "return_me = a*2"]


@pytest.mark.parametrize("path", sorted(GENERATED.glob("*.py")), ids=lambda p: p.name)
def test_no_generated_name_is_used_after_its_del(path):
    for fn in ast.parse(path.read_text()).body:
        if not isinstance(fn, ast.FunctionDef):
            continue
        deleted: set = set()
        for stmt in fn.body:
            loads = {n.id for n in ast.walk(stmt) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
            assert not loads & deleted, f"{fn.name}: {loads & deleted} used after del"
            if isinstance(stmt, ast.Delete):
                deleted |= {t.id for t in stmt.targets}


def _peak_vectors(fn, *args, n):
    fn(*args)              # once first: a lazily imported kernel (scipy.special) is not the call's memory
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        fn(*args)
        return (tracemalloc.get_traced_memory()[1] - before) / (8 * n)
    finally:
        tracemalloc.stop()


def test_value_and_grad_peak_memory():
    # Allocation, not arithmetic, sets the speed at N ~ 1e4 (pages returned to the system after
    # each call come back as page faults), so peak memory is part of the contract: at most six
    # (N,) float vectors alive at once. Hand-written NumPy of the same loss needs 4-5, the same
    # code without early frees 8.
    n = 20_000
    rng = np.random.default_rng(0)
    X, y, w = rng.standard_normal((n, 8)), (rng.random(n) < 0.5).astype(float), rng.standard_normal(8)
    peak = _peak_vectors(logi.cross_entropy_value_and_grad, w, 0.1, X, y, n=n)
    assert peak <= 6.1, peak
