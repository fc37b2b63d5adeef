"""Generated functions at the edges (issue #16, class 4) and build leftovers (class 5).

Every generated activation at +-inf, +-0, NaN, huge and tiny inputs against its limit (SciPy's expit and
log_expit, mpmath at 50 digits), with warnings as errors; empty batches, labels outside the documented
set, wrong shapes and LDA priors outside (0, 1) each a ValueError; stale scratch files of killed builds
removed; `codegen --check`'s comparison seeing CRLF line ends and unknown modules.
"""
import os
import pathlib
import time
import warnings

import mpmath
import numpy as np
import pytest
from scipy import special

import numeric.generated.activations as act
import numeric.generated.guiding as guiding
import numeric.generated.lda as lda
import numeric.generated.logistic as logi
import numeric.generated.mlp as mlp
from derivations.codegen.module import differences

EDGES = [np.inf, -np.inf, 0.0, -0.0, np.nan, 1e308, -1e308, 1e-308, -1e-308, 5e-324, 800.0, -800.0, 30.0, -1.5]
mpmath.mp.dps = 50


def _mp(f):
    """A float reference from an mpmath formula, NaN in, NaN out."""
    def ref(v):
        return np.nan if np.isnan(v) else float(f(mpmath.mpf(v)))
    return ref


def _sig(t):
    return 1 / (1 + mpmath.exp(-t))


def _dtanh(t):
    return mpmath.mpf(0) if mpmath.isinf(t) else 1 / mpmath.cosh(t) ** 2


REFERENCES = {
    "sigmoid": special.expit,
    "log_sigmoid": special.log_expit,
    "softplus": _mp(lambda t: t if t == mpmath.inf else mpmath.log1p(mpmath.exp(t))),
    "sigmoid_prime": _mp(lambda t: _sig(t) * _sig(-t)),
    "tanh": _mp(mpmath.tanh),
    "tanh_prime": _mp(_dtanh),
    "relu": _mp(lambda t: max(t, 0)),
    "leaky_relu": _mp(lambda t: t if t > 0 else t / 10),
    "relu_prime": lambda v: 1.0 if v > 0 else 0.0,           # finite and infinite inputs only: see NAN_OPEN
    "leaky_relu_prime": lambda v: 1.0 if v > 0 else 0.1,
}
NAN_OPEN = {"relu_prime", "leaky_relu_prime"}   # where(z > 0, 1, 0) sends NaN to the else branch (issue #16, open)


def test_every_activation_is_covered():
    assert set(act.__all__) == set(REFERENCES)


@pytest.mark.parametrize("name", sorted(REFERENCES))
def test_activations_give_the_limits_without_warnings(name):
    f, ref = getattr(act, name), REFERENCES[name]
    values = [v for v in EDGES if not (np.isnan(v) and name in NAN_OPEN)]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = f(np.array(values))
        one = [float(f(np.float64(v))) for v in values]
    for v, g, g1 in zip(values, got, one):
        r = float(ref(v))
        assert g == g1 or (np.isnan(g) and np.isnan(g1)), (name, v)
        if np.isnan(r) or np.isinf(r):
            assert g == r or (np.isnan(g) and np.isnan(r)), (name, v, g, r)
        else:
            assert abs(g - r) <= 4 * np.spacing(abs(r)) + 1e-320, (name, v, g, r)


# ---- the mean-reducing functions -----------------------------------------------------------------------

LOSSES = [getattr(logi, n) for n in logi.__all__]
LABELS = {"logistic_loss": (-1.0, 1.0)}           # the others: {0, 1}


def _data(n=5, p=3, dtype=np.float64, seed=0):
    rng = np.random.default_rng(seed)
    return (rng.standard_normal(p).astype(dtype), dtype(0.25), rng.standard_normal((n, p)).astype(dtype),
            (rng.random(n) < 0.5).astype(dtype))


def _labels(f, y01):
    lo, hi = LABELS.get(f.__name__, (0.0, 1.0))
    return np.where(y01 == 1, hi, lo).astype(y01.dtype)


@pytest.mark.parametrize("f", LOSSES, ids=lambda f: f.__name__)
def test_empty_batch_is_an_error(f):
    w, b, X, y = _data(n=0)
    with pytest.raises(ValueError, match="no rows"):
        f(w, b, X, y)


def test_networks_refuse_an_empty_batch_and_bad_labels():
    rng = np.random.default_rng(1)
    W1, W2 = rng.standard_normal((3, 4)), rng.standard_normal(4)
    Ws, bs = [W1, W2[:, None]], [np.zeros(4), np.zeros(1)]
    with pytest.raises(ValueError, match="no rows"):
        guiding.value_and_grad(W1, W2, np.zeros((0, 3)), np.zeros(0), 0.1)
    with pytest.raises(ValueError, match="no rows"):
        mlp.value_and_grad(Ws, bs, np.zeros((0, 3)), np.zeros(0))
    hs, deltas = mlp.layers(Ws, bs, np.zeros((0, 3)), np.zeros(0))   # per row: no mean, nothing undefined
    assert [d.shape for d in deltas] == [(0, 4), (0, 1)]
    X = rng.standard_normal((2, 3))
    for bad in (2.0, 0.5, np.nan):
        with pytest.raises(ValueError, match="labels 0 or 1"):
            guiding.value_and_grad(W1, W2, X, np.array([0.0, bad]), 0.1)
        with pytest.raises(ValueError, match="labels 0 or 1"):
            mlp.value_and_grad(Ws, bs, X, np.array([bad, 1.0]))


@pytest.mark.parametrize("f", LOSSES, ids=lambda f: f.__name__)
def test_labels_outside_the_set_are_refused(f):
    w, b, X, y = _data()
    y = _labels(f, y)
    if f is logi.cross_entropy_hessian:          # does not depend on y: only y's shape is checked
        f(w, b, X, y + 0.5)
        return
    words = "-1 or 1" if f.__name__ in LABELS else "0 or 1"
    for bad in (2.0, 0.5, -1.0 if words == "0 or 1" else 0.0, np.nan, np.inf, 1 + 2 ** -52, 1e-300):
        yy = y.copy()
        yy[3] = bad
        with pytest.raises(ValueError, match=words):
            f(w, b, X, yy)


@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.int64, bool])
def test_valid_labels_of_any_dtype_pass(dtype):
    w, b, X, y = _data(n=6)
    z = X @ w + b
    for f in LOSSES:
        if f.__name__ in LABELS and dtype is bool:
            continue                                 # booleans are 0/1 labels, not +-1
        out = f(w, b, X, _labels(f, y).astype(dtype))
        if f in (logi.cross_entropy, logi.logistic_loss):   # reference: NumPy's logaddexp, not the generated form
            assert out == pytest.approx(np.mean(np.logaddexp(0.0, (1 - 2 * y) * z)), rel=1e-12)


def test_float32_stays_float32_through_the_checks():
    w, b, X, y = _data(dtype=np.float32)
    assert logi.cross_entropy(w, b, X, y).dtype == np.float32
    assert all(g.dtype == np.float32 for g in logi.cross_entropy_grad(w, b, X, y))
    assert logi.logistic_loss(w, b, X, 2 * y - 1).dtype == np.float32


@pytest.mark.parametrize("f", LOSSES, ids=lambda f: f.__name__)
def test_wrong_shapes_are_refused_with_the_expected_shapes(f):
    w, b, X, y = _data(n=5, p=3)
    y = _labels(f, y)
    bad = [(w, X.T, y),                 # transposed, not square: w's length is not X's column count
           (w, X[0], y[:1]),            # one row as a vector
           (w, X[None], y),             # 3-D
           (w, X, y[:4]),               # one label short
           (w[:2], X, y),               # w too short
           (w[:, None], X, y),          # w as a column
           (w, X, y[:, None])]          # y as a column
    for ww, XX, yy in bad:
        with pytest.raises(ValueError, match=r"need w \(p,\), X \(N, p\), y \(N,\)"):
            f(ww, b, XX, yy)


def test_losses_take_the_limits_at_infinite_weights_and_bias():
    """z = +-inf (from w or b): the losses are inf or 0, the gradients finite limits, no warning."""
    w, _, X, y = _data()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for b in (np.inf, -np.inf):
            z = np.full(len(y), b)
            ref = np.mean(np.logaddexp(0.0, (1 - 2 * y) * z))
            assert logi.cross_entropy(np.zeros_like(w), b, X, y) == ref
            gw, gb = logi.cross_entropy_grad(np.zeros_like(w), b, X, y)
            assert gb == pytest.approx(np.mean(special.expit(z) - y), abs=0)
            assert np.all(logi.cross_entropy_hessian(np.zeros_like(w), b, X, y) == 0.0)


# ---- LDA ------------------------------------------------------------------------------------------------

def _lda():
    rng = np.random.default_rng(2)
    A = rng.standard_normal((3, 3))
    return rng.standard_normal(3), rng.standard_normal(3), A @ A.T + 3 * np.eye(3)


@pytest.mark.parametrize("prior", [0.0, 1.0, 1.5, -0.1, np.nan, np.inf, 1 - 2 ** -54])
def test_lda_refuses_priors_outside_the_open_interval(prior):
    mu0, mu1, S = _lda()
    with pytest.raises(ValueError, match="prior1 must lie strictly between 0 and 1"):
        lda.lda_params(mu0, mu1, S, prior)
    with pytest.raises(ValueError, match="prior1"):
        lda.lda_posterior(np.zeros((2, 3)), mu0, mu1, S, prior)


@pytest.mark.parametrize("prior", [5e-324, 1e-300, 0.5, 1 - 2 ** -53])
def test_lda_bias_at_extreme_priors_against_mpmath(prior):
    mu0, mu1, S = _lda()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        w, b = lda.lda_params(mu0, mu1, S, prior)
    w_ref = np.linalg.solve(S, mu1 - mu0)
    pi = mpmath.mpf(prior)
    b_ref = float(mpmath.log(pi / (1 - pi)) - mpmath.mpf(float((mu0 + mu1) @ w_ref)) / 2)
    assert np.allclose(w, w_ref, rtol=1e-12) and b == pytest.approx(b_ref, rel=1e-9, abs=1e-9)


def test_lda_shapes():
    mu0, mu1, S = _lda()
    for args in [(mu0, mu1[:2], S), (mu0, mu1, S[:2]), (mu0[:, None], mu1, S), (mu0, mu1, S.ravel())]:
        with pytest.raises(ValueError, match=r"need mu0 \(p,\), mu1 \(p,\), Sigma \(p, p\)"):
            lda.lda_params(*args, 0.5)
    with pytest.raises(ValueError, match=r"need X \(N, p\) or \(p,\)"):
        lda.lda_posterior(np.zeros((2, 4)), mu0, mu1, S, 0.5)
    one = lda.lda_posterior(np.ones(3), mu0, mu1, S, 0.5)            # one vector x is accepted
    assert one == lda.lda_posterior(np.ones((1, 3)), mu0, mu1, S, 0.5)[0]


# ---- build leftovers and --check ------------------------------------------------------------------------

def test_stale_scratch_entries_are_removed_and_live_ones_kept(tmp_path):
    from deepderive.report.build import STALE_AFTER, remove_stale_tmp

    old = time.time() - STALE_AFTER - 10
    dead_file = tmp_path / ".logistic.py.abc123.tmp"
    dead_dir = tmp_path / ".sigmoid.x1y2.tmp"
    (dead_dir / "figures").mkdir(parents=True)
    dead_file.write_text("half a modu")
    (dead_dir / "figures" / "f.pdf").write_bytes(b"%PDF")
    for p in (dead_file, dead_dir / "figures" / "f.pdf", dead_dir / "figures", dead_dir):
        os.utime(p, (old, old))
    live_dir = tmp_path / ".tanh.q9.tmp"           # old folder, but a file written in it just now: a live build
    live_dir.mkdir()
    os.utime(live_dir, (old, old))
    (live_dir / "tanh.log").write_text("pdflatex is running")
    fresh = tmp_path / ".mlp.py.zz.tmp"
    fresh.write_text("being written")
    keep = [tmp_path / "logistic.py", tmp_path / "old.tmp", tmp_path / ".hidden"]
    for p in keep:
        p.write_text("x")
        os.utime(p, (old, old))
    removed = remove_stale_tmp(tmp_path)
    assert sorted(removed) == sorted([dead_file, dead_dir])
    assert sorted(tmp_path.iterdir()) == sorted(keep + [live_dir, fresh])
    assert remove_stale_tmp(tmp_path / "missing") == []


def test_check_compares_bytes_and_reports_unknown_modules():
    files = {"__init__.py": '"""pkg."""\n', "a.py": "x = 1\ny = 2\n", "b.py": "z = 3\n"}
    disk = {k: v.encode() for k, v in files.items()}
    assert differences(files, disk) == []
    crlf = dict(disk, **{"a.py": b"x = 1\r\ny = 2\r\n"})
    assert differences(files, crlf) == [("a.py", "stale")]
    extra = dict(disk, **{"evil.py": b"import os\n"})
    assert [(n, why.split(":")[0]) for n, why in differences(files, extra)] == [("evil.py", "unknown")]
    missing = {k: v for k, v in disk.items() if k != "b.py"}
    assert differences(files, missing) == [("b.py", "missing")]


def test_the_committed_generated_folder_has_no_unknown_module_and_no_crlf():
    folder = pathlib.Path(logi.__file__).parent
    for p in folder.glob("*.py"):
        data = p.read_bytes()
        assert b"\r" not in data and data.startswith(b"# Generated by deepderive codegen"), p.name


# ---- the generator's side of the checks -----------------------------------------------------------------

def test_a_spec_whose_labels_differ_from_the_proofs_domain_is_refused():
    import dataclasses

    import derivations
    from derivations import codegen

    spec = next(s for s in codegen.specs() if getattr(s, "name", None) == "cross_entropy")
    wrong = dataclasses.replace(spec, labels=(("y", (-1, 1)),))
    with pytest.raises(codegen.CodegenError, match="domain"):
        codegen.render_function(wrong, derivations.get)


def test_a_label_set_without_a_special_test_compares_value_by_value():
    from derivations.codegen.guards import label_check, label_helper

    src = label_helper((0, 1, 2)) + "\n\ndef f(y):\n" + "".join(f"    {line}\n" for line in label_check("y", (0, 1, 2)))
    src += "    return True\n"
    ns = {"np": np}
    exec(compile(src, "<labels>", "exec"), ns)
    assert ns["f"](np.array([0.0, 2.0, 1.0, 2.0]))
    for bad in (3.0, -1.0, 0.5, np.nan):
        with pytest.raises(ValueError, match=r"labels 0, 1 or 2; got y\[1\]"):
            ns["f"](np.array([0.0, bad, 1.0]))
