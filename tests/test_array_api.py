"""The generated functions on other array libraries (issue #15): JAX (eager and jax.jit), Dask (lazy, chunked) and
PyTorch where installed, through array-api-compat; each agrees with the NumPy route to 1e-12, and a missing
operation or a missing array-api-compat is named."""
import sys

import numpy as np
import pytest

from numeric.generated import activations as act
from numeric.generated import logistic as logi

LOSSES = ("cross_entropy", "cross_entropy_grad", "cross_entropy_value_and_grad", "logistic_loss")
ACTIVATIONS = tuple(act.__all__)


def _data(n=300, p=5, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, p)) * 3
    w = rng.normal(size=p)
    y01 = (rng.random(n) < 0.5).astype(float)
    return w, 0.3, X, y01


def _labels(name, y01):
    return 2.0 * y01 - 1.0 if name == "logistic_loss" else y01


def _close(got, want, what):
    """Each output within 1e-12 of NumPy's, relative to its largest entry (and exact where NumPy's is 0)."""
    got = got if isinstance(got, tuple) else (got,)
    want = want if isinstance(want, tuple) else (want,)
    assert len(got) == len(want), what
    for g, r in zip(got, want):
        g, r = np.asarray(g, dtype=np.float64), np.asarray(r, dtype=np.float64)
        assert g.shape == r.shape, what
        scale = max(np.max(np.abs(r), initial=0.0), 1e-300)
        assert np.max(np.abs(g - r), initial=0.0) <= 1e-12 * scale, (what, np.max(np.abs(g - r)))


_Z = np.concatenate([np.linspace(-30, 30, 61), [-800.0, -1e-3, 0.0, 1e-3, 800.0]])


# ---- JAX ----------------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def jax_x64():
    jax = pytest.importorskip("jax", reason="JAX is not installed (pip install 'deepderive[jax]')")
    with jax.enable_x64(True):      # float64, so that 1e-12 means something; restored for the other tests
        yield jax


def test_losses_on_jax_agree_with_numpy_under_jit_and_eagerly(jax_x64):
    jnp = jax_x64.numpy
    w, b, X, y01 = _data()
    every = jax_x64.jit(lambda w, b, X, y01: tuple(getattr(logi, name)(w, b, X, _labels(name, y01))
                                                   for name in LOSSES))      # one compilation
    for name, got in zip(LOSSES, every(jnp.asarray(w), b, jnp.asarray(X), jnp.asarray(y01))):
        _close(got, getattr(logi, name)(w, b, X, _labels(name, y01)), f"{name} jit")
    f = logi.cross_entropy_value_and_grad
    _close(f(jnp.asarray(w), b, jnp.asarray(X), jnp.asarray(y01)), f(w, b, X, y01), "eager")


def test_jax_grad_of_the_generated_loss_is_the_generated_gradient(jax_x64):
    jnp = jax_x64.numpy
    w, b, X, y = _data()
    grad = jax_x64.jit(jax_x64.grad(logi.cross_entropy, argnums=(0, 1)))
    _close(grad(jnp.asarray(w), b, jnp.asarray(X), jnp.asarray(y)), logi.cross_entropy_grad(w, b, X, y),
           "jax.grad vs cross_entropy_grad")


def test_activations_on_jax_agree_with_numpy(jax_x64):
    every = jax_x64.jit(lambda z: tuple(getattr(act, name)(z) for name in ACTIVATIONS))   # one compilation
    for name, got in zip(ACTIVATIONS, every(jax_x64.numpy.asarray(_Z))):
        _close(got, getattr(act, name)(_Z), f"{name} jit")
    _close(act.softplus(jax_x64.numpy.asarray(_Z)), act.softplus(_Z), "softplus eager")


# ---- Dask ---------------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def da():
    return pytest.importorskip("dask.array", reason="Dask is not installed (pip install 'deepderive[dask]')")


@pytest.mark.parametrize("name", LOSSES)
def test_losses_on_chunked_dask_are_lazy_and_agree_with_numpy(da, name):
    import dask
    w, b, X, y01 = _data(n=1000)
    y = _labels(name, y01)
    f = getattr(logi, name)
    out = f(w, b, da.from_array(X, chunks=(128, X.shape[1])), da.from_array(y, chunks=128))
    outs = out if isinstance(out, tuple) else (out,)
    assert all(isinstance(o, da.Array) for o in outs), name      # nothing computed inside: a graph comes back
    got = dask.compute(*outs)
    _close(tuple(got) if isinstance(out, tuple) else got[0], f(w, b, X, y), name)


def test_activations_on_dask_agree_with_numpy(da):
    for name in ACTIVATIONS:
        f = getattr(act, name)
        out = f(da.from_array(_Z, chunks=16))
        assert isinstance(out, da.Array), name
        _close(out.compute(), f(_Z), name)


def test_a_missing_operation_is_named(da):
    w, b, X, y = _data(n=64)
    with pytest.raises(TypeError, match=r"^cross_entropy_hessian: array_api_compat\.dask\.array has no column_stack"):
        logi.cross_entropy_hessian(w, b, da.from_array(X, chunks=(32, X.shape[1])), da.from_array(y, chunks=32))


def test_a_missing_array_api_compat_is_named(da, monkeypatch):
    monkeypatch.setitem(sys.modules, "array_api_compat", None)     # `import array_api_compat` raises ImportError
    with pytest.raises(ImportError, match=r"^sigmoid: arrays of dask\.array\.core go through array-api-compat; "
                                          r"install it \(pip install array-api-compat\)$"):
        act.sigmoid(da.from_array(_Z, chunks=16))


# ---- PyTorch ------------------------------------------------------------------------------------------------------

def test_losses_on_torch_agree_with_numpy():
    torch = pytest.importorskip("torch", reason="PyTorch is not installed")
    w, b, X, y = _data()
    args = (torch.asarray(w), b, torch.asarray(X), torch.asarray(y))
    _close(tuple(t.numpy() for t in logi.cross_entropy_value_and_grad(*args)),
           logi.cross_entropy_value_and_grad(w, b, X, y), "torch")
    _close(act.sigmoid(torch.asarray(_Z)).numpy(), act.sigmoid(_Z), "torch sigmoid")


# ---- NumPy itself -------------------------------------------------------------------------------------------------

def test_numpy_scalars_lists_and_zero_d_arrays_stay_on_numpy():
    """Only another library's arrays leave NumPy: a NumPy scalar and a 0-d array give what NumPy gives."""
    for z in (np.float64(-3.5), np.array(-3.5)):
        assert isinstance(act.sigmoid(z), (np.ndarray, np.floating)), type(z)
        np.testing.assert_allclose(act.sigmoid(z), act.sigmoid(np.asarray(z, dtype=float)), rtol=4 * 2.0**-52)


def test_a_time_limited_check_beside_jax_does_not_fork_its_threads(tmp_path):
    # JAX runs native thread pools; a forked child would inherit them mid-lock (JAX warns of deadlock), so the
    # budget starts its child from a forkserver once JAX is loaded. Warnings are errors in this child process.
    pytest.importorskip("jax", reason="JAX is not installed (pip install 'deepderive[jax]')")
    import subprocess
    script = tmp_path / "beside_jax.py"
    script.write_text("import warnings\nimport jax\nfrom deepderive.cli import main\njax.numpy.ones(3).sum()   # its threads start\n"
                      "if __name__ == '__main__':\n    warnings.simplefilter('error')\n"
                      "    raise SystemExit(main(['check', 'x**2*y', '--wrt', 'x,y', '--at', 'x=2', '--at', 'y=3']))\n")
    run = subprocess.run([sys.executable, "-W", "error", str(script)], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0 and "PASS" in run.stdout and "fork" not in run.stderr, run.stderr[-2000:]
