"""Scale-out (issue #15): the generated logistic loss and gradient under jax.jit, on Dask arrays generated chunk by
chunk and never materialised, and on a dask.distributed LocalCluster; each against NumPy on the same numbers."""
import resource

import numpy as np
import pytest

from numeric.generated import logistic as gen

# one xdist worker for the module: its fixtures (JAX, Dask, the cluster) start once
pytestmark = pytest.mark.xdist_group("scale")

P = 32
W_TRUE = np.linspace(-0.5, 0.5, P)          # the labels' model: loss and gradient are far from trivial at w = 0


def _x_block(i, k, p=P):
    """Block i of the features: its own seeded generator, so any block can be made again, alone, in NumPy."""
    return np.random.default_rng([7, i]).standard_normal((k, p))


def _u_block(i, k):
    return np.random.default_rng([8, i]).random(k)


def _labels(X, U, w_true):
    """y ~ Bernoulli(sigmoid(X w_true)); NumPy's ufuncs defer to Dask, so this is lazy on Dask arrays."""
    return (U < 1.0 / (1.0 + np.exp(-(X @ w_true)))).astype(np.float64)


def _lazy(blocks, k, p=P):
    """(X, y) as Dask arrays of len(blocks) * k rows in chunks of k rows; nothing is computed yet."""
    da = pytest.importorskip("dask.array")
    idx = da.from_array(np.asarray(blocks), chunks=1)
    X = idx.map_blocks(lambda i: _x_block(int(i[0]), k, p), dtype=np.float64, chunks=(k, p), new_axis=1)
    U = idx.map_blocks(lambda i: _u_block(int(i[0]), k), dtype=np.float64, chunks=(k,))
    return X, _labels(X, U, W_TRUE[:p])


def _eager(blocks, k, p=P):
    """The same rows made in NumPy, block by block."""
    X = np.concatenate([_x_block(i, k, p) for i in blocks])
    U = np.concatenate([_u_block(i, k) for i in blocks])
    return X, _labels(X, U, W_TRUE[:p])


def _agree(got, ref, tol=1e-12):
    """Loss relative to itself, gradient relative to its largest component."""
    loss, gw, gb = (np.asarray(v, dtype=np.float64) for v in got)
    assert abs(float(loss) - ref[0]) <= tol * abs(ref[0])
    g, r = np.append(gw, gb), np.append(ref[1], ref[2])
    assert g.shape == r.shape and np.max(np.abs(g - r)) <= tol * np.max(np.abs(r))


# ---- JAX ------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def jax():
    jax = pytest.importorskip("jax", reason="JAX not installed (pip install -e '.[jax]')")
    jax.config.update("jax_enable_x64", True)          # float64, so that 1e-12 means something
    return jax


def test_jax_jit_agrees_with_numpy(jax):
    X, y = _eager(range(2), 500)
    w = 0.3 * np.random.default_rng(1).standard_normal(P)
    ref = gen.cross_entropy_value_and_grad(w, 0.1, X, y)
    jnp = jax.numpy
    f = jax.jit(gen.cross_entropy_value_and_grad)
    got = f(jnp.asarray(w), 0.1, jnp.asarray(X), jnp.asarray(y))
    assert all(isinstance(v, jax.Array) for v in got)
    _agree(got, ref)
    X[0] = 40.0 * np.sign(X[0])                         # a saturated row: the stable forms hold under XLA too
    _agree(f(jnp.asarray(w), 0.1, jnp.asarray(X), jnp.asarray(y)), gen.cross_entropy_value_and_grad(w, 0.1, X, y))


# ---- Dask, out of core ------------------------------------------------------------------------------------

N_BIG, K_BIG = 1_000_000, 62_500     # 10^6 x 32 (256 MB) in 16 chunks of 16 MB; 10^7 takes 12 s (README)


@pytest.fixture(scope="module")
def dask():
    dask = pytest.importorskip("dask", reason="Dask not installed (pip install -e '.[dask]')")
    pytest.importorskip("dask.array", reason="dask.array not installed (pip install -e '.[dask]')")
    return dask


def test_dask_full_batch_out_of_core(dask):
    """Loss and gradient of 10^6 x 32 rows generated chunk by chunk, never held whole; one GD step lowers the
    loss; a subsample (three of the same chunks, made again in NumPy) agrees with NumPy to 1e-12."""
    X, y = _lazy(range(N_BIG // K_BIG), K_BIG)
    w0 = np.zeros(P)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    with dask.config.set(scheduler="threads", num_workers=2):      # 2 chunks in flight, whatever the cores
        loss0, gw, gb = dask.compute(*gen.cross_entropy_value_and_grad(w0, 0.0, X, y))
        loss1 = dask.compute(gen.cross_entropy(w0 - 4.0 * gw, -4.0 * gb, X, y))[0]
    grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 - before
    assert X.nbytes == N_BIG * P * 8 and grown < X.nbytes / 2, grown       # never materialised
    assert np.isfinite(loss0) and loss1 < loss0 and np.linalg.norm(gw) > 1e-2

    blocks = [0, 7, 15]                                  # the big array's own chunks, still lazy
    Xs = dask.array.concatenate([X.blocks[i] for i in blocks])
    ys = dask.array.concatenate([y.blocks[i] for i in blocks])
    with dask.config.set(scheduler="threads", num_workers=2):
        got = dask.compute(*gen.cross_entropy_value_and_grad(0.1 * W_TRUE, 0.2, Xs, ys))
    _agree(got, gen.cross_entropy_value_and_grad(0.1 * W_TRUE, 0.2, *_eager(blocks, K_BIG)))


def test_gd_on_dask_reaches_sklearns_optimum(dask):
    """Full-batch GD with the generated gradient, every step computed by Dask over 2 chunks, reaches the
    unpenalised optimum scikit-learn's LogisticRegression finds on the same rows."""
    from sklearn.linear_model import LogisticRegression

    p = 5
    X, y = _lazy(range(2), 2000, p)
    X, y = dask.persist(X, y)                                # small: held once, the steps reuse it
    Xn, yn = dask.compute(X, y)
    A = np.c_[Xn, np.ones(len(yn))]
    step = 4.0 / np.linalg.eigvalsh(A.T @ A / len(yn))[-1]   # 1 / L, L = the loss's gradient Lipschitz bound
    w, b, losses = np.zeros(p), 0.0, []
    with dask.config.set(scheduler="sync"):                 # per-step overhead: no threads for 2 small chunks
        for _ in range(200):
            loss, gw, gb = dask.compute(*gen.cross_entropy_value_and_grad(w, b, X, y))
            losses.append(loss)
            if np.hypot(np.linalg.norm(gw), gb) < 1e-10:
                break
            w, b = w - step * gw, b - step * gb
    # GD with step 1/L never raises the loss (up to its last rounding, once converged)
    assert all(c <= a + 4e-16 for a, c in zip(losses, losses[1:])) and losses[-1] < losses[0] - 0.01
    clf = LogisticRegression(C=np.inf, tol=1e-12, max_iter=10_000).fit(Xn, yn)
    assert np.max(np.abs(np.append(w, b) - np.append(clf.coef_[0], clf.intercept_[0]))) <= 1e-6


# ---- dask.distributed: 2 workers on 127.0.0.1 --------------------------------------------------------------

@pytest.fixture(scope="module")
def client(dask):
    distributed = pytest.importorskip("distributed", reason="dask.distributed not installed (pip install -e '.[dask]')")
    # two workers of one thread each, talking TCP on 127.0.0.1 like a real cluster's; in this process
    # (processes=False) so the test pays no interpreter start-ups
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False, protocol="tcp://",
                                  host="127.0.0.1", dashboard_address=None) as cluster:
        with distributed.Client(cluster) as c:
            yield c


def test_local_cluster_agrees_with_numpy(client):
    assert client.scheduler.address.startswith("tcp://127.0.0.1:")
    assert len(client.scheduler_info()["workers"]) == 2
    blocks = range(4)
    X, y = _lazy(blocks, 25_000)
    w = 0.1 * W_TRUE
    got = client.compute(list(gen.cross_entropy_value_and_grad(w, -0.3, X, y)), sync=True)
    _agree(got, gen.cross_entropy_value_and_grad(w, -0.3, *_eager(blocks, 25_000)))


# ---- the README's "Scaling out" example runs as written --------------------------------------------------

def test_readme_scaling_out_example_runs(dask, jax):
    """Its Dask, JAX and cluster results against NumPy on the same rows (materialised: the example is small)."""
    import pathlib
    import re

    text = (pathlib.Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```python\n(.*?)```", text[text.index("## Scaling out"):], re.S).group(1)
    scope: dict = {}
    exec(compile(block, "README.md", "exec"), scope)
    Xn, yn = dask.compute(scope["X"], scope["y"])
    assert Xn.shape == (scope["N"], P)
    w0 = np.zeros(P)
    _agree((scope["loss"], scope["grad_w"], scope["grad_b"]), gen.cross_entropy_value_and_grad(w0, 0.0, Xn, yn))
    k = scope["CHUNK"]
    _agree((scope["loss_j"], scope["grad_w_j"], scope["grad_b_j"]),
           gen.cross_entropy_value_and_grad(w0, 0.0, Xn[:k], yn[:k]))
    losses = scope["losses"]
    assert losses[0] == scope["loss"] and all(c < a for a, c in zip(losses, losses[1:]))
