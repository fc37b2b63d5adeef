"""The code generator's own stages: printer spellings, one-sided kinks, early frees, peak memory."""
import ast
import pathlib
import tracemalloc

import autograd
import mpmath
import numpy as np
import pytest
import sympy as sp

import numeric.generated.activations as act
import numeric.generated.logistic as logi
from derivations.codegen import stable
from derivations.codegen.block import Block
from derivations.codegen.printer import code
from derivations.codegen.write import free_dead
from numeric.autodiff import under_autograd

z, w = sp.symbols("z w", real=True)
GENERATED = pathlib.Path(__file__).resolve().parents[1] / "numeric" / "generated"
AG = under_autograd(act)


def test_printer_spellings():
    assert code(z - w) == "z - w"                     # one subtraction, not -w + z
    assert code(2 * z) == "2.0*z"                     # float literals: faster operands, same values
    assert code(sp.Max(0, z)) == "np.maximum(z, 0.0)"
    assert code(z ** 2) == "z**2"                     # exponents stay integers


def test_block_writes_kinks_as_one_comparison_each():
    block = Block([sp.exp(sp.Min(z, 0) - sp.Max(z, 0)) + sp.Max(z, 0)])
    lines, txt = block.code_of(0)
    assert lines == ["t0 = z*(z >= 0.0)", "t1 = z*(z < 0.0)"] and txt == "t0 + np.exp(t1 - t0)"
    # a compound argument is computed once and named before its comparison
    lines, _ = Block([sp.Max(2 * z + 1, 0)]).code_of(0)
    assert lines[0] == "t0 = 2.0*z + 1.0" and lines[1] == "t1 = t0*(t0 >= 0.0)"


def test_a_wrong_kink_spelling_fails_its_proof(monkeypatch):
    from derivations.library.sigmoid import stable_forms
    monkeypatch.setitem(stable.KINKS, sp.Max, "<")
    failed = [s.why for s in stable_forms().verify().steps if s.status == "failed"]
    assert failed == ["Max(z, 0) is written z*(z < 0)"]


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
