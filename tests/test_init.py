"""numeric.init (R20) against SciPy's distributions, and the registered checks of 'depth-chain' and 'init-variance'."""
import math

import numpy as np
import pytest
from scipy import stats

from numeric import checks, init
from numeric.generated import mlp

SHAPES = [(1, 1), (3, 7), (256, 128), (784, 300)]


def _expected(name, p, q):
    """The lecture's distribution of each scheme (R20) as a SciPy distribution, written from scratch."""
    if name == "standard":
        a = 1.0 / math.sqrt(p)
        return stats.uniform(loc=-a, scale=2 * a)
    if name == "glorot":
        a = math.sqrt(6.0 / (p + q))
        return stats.uniform(loc=-a, scale=2 * a)
    return stats.norm(loc=0.0, scale=math.sqrt({"lecun": 1.0, "he": 2.0}[name] / p))


@pytest.mark.parametrize("name", list(init.SCHEMES))
@pytest.mark.parametrize("shape", SHAPES)
def test_shape_dtype_and_determinism(name, shape):
    scheme = init.SCHEMES[name]
    w = scheme(shape, np.random.default_rng(5))
    assert w.shape == shape and w.dtype == np.float64 and np.all(np.isfinite(w))
    assert np.array_equal(w, scheme(shape, np.random.default_rng(5)))
    if w.size > 1:
        assert not np.array_equal(w, scheme(shape, np.random.default_rng(6)))


def test_schemes_table_names_the_four():
    assert init.SCHEMES == {"standard": init.standard, "lecun": init.lecun, "glorot": init.glorot, "he": init.he}


@pytest.mark.parametrize("name", list(init.SCHEMES))
@pytest.mark.parametrize("shape", [(256, 128), (100, 100), (784, 300)])
def test_sample_moments_match_scipy(name, shape):
    """Sample mean, variance and fourth moment within 5 standard errors of SciPy's values, and a
    Kolmogorov-Smirnov test against SciPy's cdf (p > 1e-6: fails on a right variance with a wrong family)."""
    p, q = shape
    dist = _expected(name, p, q)
    w = init.SCHEMES[name](shape, np.random.default_rng([7, p, q])).ravel()
    n = w.size
    var, m4, m8 = dist.var(), dist.moment(4), dist.moment(8)
    assert abs(w.mean()) <= 5 * math.sqrt(var / n)
    assert abs(np.var(w, ddof=1) - var) <= 5 * math.sqrt((m4 - var ** 2 * (n - 3) / (n - 1)) / n)
    assert abs(np.mean(w ** 4) - m4) <= 5 * math.sqrt((m8 - m4 ** 2) / n)
    assert stats.kstest(w, dist.cdf).pvalue > 1e-6
    lo, hi = dist.support()
    assert lo <= w.min() and w.max() <= hi


def test_a_wrong_family_fails_the_ks_test():
    """The KS test above can fail: LeCun's Gaussian has the variance of U[±√(3/q_in)] but not its cdf."""
    p, q = 784, 300
    w = init.lecun((p, q), np.random.default_rng(0)).ravel()
    a = math.sqrt(3.0 / p)
    assert stats.kstest(w, stats.uniform(loc=-a, scale=2 * a).cdf).pvalue < 1e-6


@pytest.mark.parametrize("rng", [0, None, np.random.RandomState(0), np.random.default_rng(0).bit_generator])
def test_rng_must_be_a_generator(rng):
    for scheme in init.SCHEMES.values():
        with pytest.raises(TypeError, match="numpy.random.Generator"):
            scheme((3, 4), rng)
    with pytest.raises(TypeError, match="numpy.random.Generator"):
        init.network((3, 4, 1), "he", rng)


@pytest.mark.parametrize("shape", [(0, 3), (3, 0), (-1, 2), (2.0, 3), (True, 3), (3,), (2, 3, 4), "ab", 5, None,
                                   (np.float64(2), 3)])
def test_bad_shapes_are_refused(shape):
    for scheme in init.SCHEMES.values():
        with pytest.raises(ValueError, match="positive integers"):
            scheme(shape, np.random.default_rng(0))


def test_numpy_integers_are_shapes():
    w = init.glorot((np.int64(4), np.int32(3)), np.random.default_rng(0))
    assert w.shape == (4, 3)


def test_network_layout_matches_the_generated_mlp():
    widths = (4, 6, 5, 1)
    W, b = init.network(widths, "glorot", np.random.default_rng(3))
    assert [w.shape for w in W] == [(4, 6), (6, 5), (5, 1)]
    assert [c.shape for c in b] == [(6,), (5,), (1,)]
    assert all(c.dtype == np.float64 and not c.any() for c in b)
    # the layers come from one generator, in order
    rng = np.random.default_rng(3)
    for w, shape in zip(W, zip(widths, widths[1:])):
        assert np.array_equal(w, init.glorot(shape, rng))
    X = np.random.default_rng(1).standard_normal((8, 4))
    p = mlp.forward(W, b, X, activation="tanh")
    assert p.shape == (8,) and np.all((p > 0) & (p < 1))
    loss, gW, gb = mlp.value_and_grad(W, b, X, (X[:, 0] > 0).astype(float), activation="relu")
    assert np.isfinite(loss) and [g.shape for g in gW] == [w.shape for w in W]


def test_network_takes_a_function_or_a_name():
    calls = []

    def ones(shape, rng):
        calls.append(shape)
        return np.ones(shape)

    W, _ = init.network([3, 2, 1], ones, np.random.default_rng(0))
    assert calls == [(3, 2), (2, 1)] and all((w == 1).all() for w in W)
    for bad in ("xavier", 3, None):
        with pytest.raises(ValueError, match="standard, lecun, glorot, he"):
            init.network((3, 1), bad, np.random.default_rng(0))
    for widths in ((3,), (), (3, 0, 1), (3, 2.5, 1)):
        with pytest.raises(ValueError):
            init.network(widths, "he", np.random.default_rng(0))


# ---- the registered checks -----------------------------------------------------------------------

def _mine(name):
    """The checks numeric.checks.depth registers for `name`, run alone: other modules register more for
    the same derivations, and tests/test_checks.py runs them all (checks.run) for every derivation."""
    from numeric.checks import depth

    fn = {"depth-chain": depth.depth_chain_checks, "init-variance": depth.init_variance_checks}[name]
    assert fn in checks.for_derivation(name)
    results = fn()
    assert results and all(r.derivation == name for r in results)
    return results


@pytest.mark.parametrize("name", ["depth-chain", "init-variance"])
def test_registered_checks_pass(name):
    failed = [f"{r.name}: {r.detail}" for r in _mine(name) if not r.passed]
    assert not failed, "\n".join(failed)


def test_depth_checks_fail_on_a_wrong_gradient(monkeypatch):
    from numeric.generated import depth

    good = depth.chain_grad
    # a relative error of 1e-9 on every layer but the last (a wrong formula errs by O(1)): caught at every
    # depth above 1, so the tolerances are far tighter than any mistake in the product
    monkeypatch.setattr(depth, "chain_grad", lambda x, w: good(x, w) * np.where(np.arange(len(w)) < len(w) - 1,
                                                                               1.0 + 1e-9, 1.0))
    failed = [r.name for r in _mine("depth-chain") if not r.passed]
    assert any("L = 300" in n for n in failed) and any("notebook" in n for n in failed)
    assert any("batch" in n and "L = 10" in n for n in failed)


def test_depth_checks_fail_on_a_batch_in_the_old_layout(monkeypatch):
    from numeric.generated import depth

    good = depth.chain_grad
    monkeypatch.setattr(depth, "chain_grad", lambda x, w: np.moveaxis(good(x, w), -1, 0))
    results = _mine("depth-chain")
    failed = [r.name for r in results if not r.passed]
    batched = [r.name for r in results if "batch" in r.name or "infinite" in r.name]
    assert failed and set(failed) <= set(batched) and any("batch" in n for n in failed)


@pytest.fixture
def shallow_stacks(monkeypatch):
    """Three layers instead of ten in the variance-ratio stacks: each layer is checked on its own, so
    three show a wrong gain as well, at a third of the cost."""
    from numeric.checks import depth

    monkeypatch.setattr(depth, "LINEAR_DEPTH", 3)


def test_init_checks_fail_on_a_wrong_variance(monkeypatch, shallow_stacks):
    """He drawing LeCun's variance: the sample variance is off by a factor 2, the ReLU stack's gain is 1/2."""
    monkeypatch.setitem(init.SCHEMES, "he", init.lecun)
    failed = [r.name for r in _mine("init-variance") if not r.passed]
    assert all(n.startswith("he") for n in failed)
    assert sum("sample moments" in n for n in failed) == 3 and any("ReLU stack" in n for n in failed)


def test_init_checks_fail_on_a_wrong_gain(monkeypatch, shallow_stacks):
    """The standard scheme drawn with half-width 1/q_in instead of 1/√q_in: a gain 1/(3 q_in), not 1/3."""
    monkeypatch.setitem(init.SCHEMES, "standard",
                        lambda shape, rng: rng.uniform(-1.0 / shape[0], 1.0 / shape[0], size=shape))
    failed = [r.name for r in _mine("init-variance") if not r.passed]
    assert any(n == "standard: forward variance ratio per layer, linear stack" for n in failed)
    assert all(n.startswith("standard") for n in failed)


def test_init_checks_fail_on_a_gaussian_for_a_uniform(monkeypatch, shallow_stacks):
    """Glorot as a Gaussian of the right variance: only the 4th moment and the support tell."""
    monkeypatch.setitem(init.SCHEMES, "glorot",
                        lambda shape, rng: rng.normal(0.0, math.sqrt(2.0 / sum(shape)), size=shape))
    failed = [r.name for r in _mine("init-variance") if not r.passed]
    assert failed and all(n.startswith("glorot") and "sample moments" in n for n in failed)
