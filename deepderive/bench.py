"""Benchmarks: generated code against its peers (NumPy by hand, SciPy, scikit-learn, autograd, JAX, Python).

Speed is measured in one process, the contenders interleaved within every repeat, and reported as
medians of ``time.perf_counter`` (speed is reported, never asserted).  Accuracy is deterministic:
errors in ulps against mpmath at 50 digits.
"""
from __future__ import annotations

import json
import os
import platform
import statistics
import time

import numpy as np

from numeric.floats import grid, ulps

from . import bench_peers as peers
from .bench_peers import hand_fast
from .exitcodes import EXIT_OK

P = 32


# ---- MLP contenders (issue #10): widths (32, 64, 64, 1), ReLU hidden layers, sigmoid output -------

MLP_WIDTHS = (32, 64, 64, 1)
_add = np.add.reduce


def hand_mlp(weights, biases, X, y):
    """The fastest NumPy backprop we could write for a ReLU MLP with one sigmoid output: in-place layers,
    the loss as softplus(m) with m = (1 - 2y) s (so dloss/ds = (1 - 2y) sigma(m), one exp for both),
    np.add.reduce rather than the .sum method (a Python layer less per call, which counts at N = 1), and
    the ReLU mask read from the stored outputs."""
    n = X.shape[0]
    hs = [X]
    h = X
    for W, b in zip(weights[:-1], biases[:-1]):
        h = h @ W
        h += b
        np.maximum(h, 0.0, out=h)
        hs.append(h)
    s = h @ weights[-1]
    s += biases[-1]
    sign = 1.0 - 2.0 * y[:, None]
    m = sign * s
    e = np.exp(-np.abs(m))
    loss = _add(np.maximum(m, 0.0) + np.log1p(e), axis=None) / n
    d = np.where(m >= 0.0, 1.0, e)
    d /= 1.0 + e
    d *= sign * (1.0 / n)
    L = len(weights)
    gW, gb = [None] * L, [None] * L
    for k in range(L - 1, -1, -1):
        gW[k] = hs[k].T @ d
        gb[k] = _add(d, axis=0)
        if k:
            d = d @ weights[k].T
            d *= hs[k] > 0.0
    return loss, gW, gb


def _autograd_mlp():
    """autograd.value_and_grad of the same loss written in autograd.numpy, as an autograd user would."""
    import autograd.numpy as anp
    from autograd import value_and_grad

    def loss(params, X, y):
        weights, biases = params
        h = X
        for W, b in zip(weights[:-1], biases[:-1]):
            h = anp.maximum(anp.dot(h, W) + b, 0.0)
        s = anp.dot(h, weights[-1])[:, 0] + biases[-1][0]
        return anp.mean(anp.logaddexp(0.0, s) - y * s)

    vg = value_and_grad(loss)

    def run(weights, biases, X, y):
        v, (gW, gb) = vg((list(weights), list(biases)), X, y)
        return v, gW, gb
    return run


def _jax_mlp():
    try:
        import jax
        import jax.numpy as jnp
    except Exception:
        return None
    jax.config.update("jax_enable_x64", True)

    def loss(weights, biases, X, y):
        h = X
        for W, b in zip(weights[:-1], biases[:-1]):
            h = jnp.maximum(h @ W + b, 0.0)
        s = (h @ weights[-1])[:, 0] + biases[-1][0]
        return jnp.mean(jnp.logaddexp(0.0, s) - y * s)

    f = jax.jit(jax.value_and_grad(loss, argnums=(0, 1)))

    def on_device(weights, biases, X, y):
        args = jax.device_put((list(weights), list(biases), X, y))

        def run():
            return jax.block_until_ready(f(*args))
        run()
        return run
    return on_device


def _sklearn_backprop(weights, biases, X, y):
    """MLPClassifier._backprop on the same weights (alpha = 0), its work lists allocated once as
    scikit-learn's own _fit does; a reference, not a target (its loss clips P to [eps, 1 - eps])."""
    import warnings

    from sklearn.neural_network import MLPClassifier

    clf = MLPClassifier(hidden_layer_sizes=MLP_WIDTHS[1:-1], activation="relu", solver="sgd", alpha=0.0,
                        batch_size=len(y), max_iter=1, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        clf.partial_fit(np.zeros((2, X.shape[1])), np.array([0.0, 1.0]), classes=np.array([0.0, 1.0]))
    for dst, src in zip(clf.coefs_ + clf.intercepts_, list(weights) + list(biases)):
        dst[...] = src
    Y = y.reshape(-1, 1)
    L = len(weights)
    activations = [X] + [None] * L
    deltas = [None] * L
    coef_grads = [np.empty_like(W) for W in weights]
    intercept_grads = [np.empty_like(b) for b in biases]

    def run():
        return clf._backprop(X, Y, None, activations, deltas, coef_grads, intercept_grads)
    return run


def _mlp_point(n):
    rng = np.random.default_rng(n)
    X = rng.standard_normal((n, MLP_WIDTHS[0]))
    y = (rng.random(n) < 0.5).astype(np.float64)
    weights = [rng.standard_normal((p, q)) * np.sqrt(2.0 / p) for p, q in zip(MLP_WIDTHS, MLP_WIDTHS[1:])]
    biases = [0.1 * rng.standard_normal(q) for q in MLP_WIDTHS[1:]]
    return weights, biases, X, y


def _same_result(name, got, ref):
    """Every contender must compute the same loss and gradients before its time means anything."""
    loss, gW, gb = got
    assert np.allclose(float(loss), ref[0], rtol=1e-9), name
    for a, b in zip(list(gW) + list(gb), list(ref[1]) + list(ref[2])):
        assert np.allclose(np.asarray(a).ravel(), np.asarray(b).ravel(), rtol=1e-8, atol=1e-12), name


def bench_mlp(sizes, repeats):
    """mlp.value_and_grad against hand NumPy, autograd, JAX jit (if installed) and sklearn's _backprop."""
    import importlib

    try:
        mlp = importlib.import_module("numeric.generated.mlp")
    except ModuleNotFoundError as exc:      # only its absence is skipped; a broken module raises
        if exc.name != "numeric.generated.mlp":
            raise
        return {"widths": list(MLP_WIDTHS), "rows": [], "jax": "-",
                "skipped": "numeric.generated.mlp is not generated yet"}

    autograd_run = _autograd_mlp()
    jax_setup = _jax_mlp()
    rows = []
    for n in sizes:
        weights, biases, X, y = _mlp_point(n)
        calls = {"generated": lambda: mlp.value_and_grad(weights, biases, X, y, activation="relu"),
                 "hand_numpy": lambda: hand_mlp(weights, biases, X, y),
                 "autograd": lambda: autograd_run(weights, biases, X, y),
                 "sklearn_backprop": _sklearn_backprop(weights, biases, X, y)}
        if jax_setup is not None:
            calls["jax_jit"] = jax_setup(weights, biases, X, y)
        ref = hand_mlp(weights, biases, X, y)
        for name in ("generated", "autograd"):
            _same_result(name, calls[name](), ref)
        _same_result("sklearn_backprop", calls["sklearn_backprop"](), ref)
        if "jax_jit" in calls:
            v, (gW, gb) = calls["jax_jit"]()
            _same_result("jax_jit", (v, gW, gb), ref)
        # ~6400 multiply-adds a row; at least 9 repeats even at N = 10^4, where one call is tens of ms
        reps = repeats if repeats else max(9, min(41, int(4e8 / (n * 6400)) + 5))
        t = _interleaved(calls, reps)
        rows.append({"N": n, "repeats": reps, "seconds": t,
                     **{f"generated/{k}": t["generated"] / t[k] for k in t if k != "generated"}})
    return {"widths": list(MLP_WIDTHS), "activation": "relu", "lam": 0.0, "rows": rows,
            "jax": "used" if jax_setup is not None else "JAX not installed"}


# ---- timing ------------------------------------------------------------------------------------

def _calibrate(fn, target=2e-3):
    """Calls per measurement so that one measurement takes about `target` seconds."""
    number = 1
    while True:
        t0 = time.perf_counter()
        for _ in range(number):
            fn()
        dt = time.perf_counter() - t0
        if dt >= target or number >= 1 << 16:
            return number
        number *= 2 if dt == 0 else max(2, min(16, int(target / dt) + 1))


def _interleaved(fns: dict, repeats: int) -> dict:
    """Median seconds per call of each function, the functions taking turns within each repeat.

    Each repeat starts one contender later, so none always runs right after the same other one
    (whose allocations and cache traffic it would inherit).
    """
    numbers = {k: _calibrate(f) for k, f in fns.items()}
    samples = {k: [] for k in fns}
    order = list(fns)
    for r in range(repeats):
        for k in order[r % len(order):] + order[:r % len(order)]:
            f = fns[k]
            n = numbers[k]
            t0 = time.perf_counter()
            for _ in range(n):
                f()
            samples[k].append((time.perf_counter() - t0) / n)
    return {k: statistics.median(v) for k, v in samples.items()}


def _ratios(seconds: dict) -> dict:
    """generated time / each peer's time: below 1 the generated code is faster."""
    return {f"generated/{k}": seconds["generated"] / t for k, t in seconds.items() if k != "generated"}


# contenders whose arrays XLA allocates outside Python's allocator, where tracemalloc cannot see them
_DEVICE_MEMORY = ("jax_jit", "generated_jax")


def _peak_bytes(call) -> int:
    """Peak memory one call allocates beyond what it returns alive, as tracemalloc sees it (NumPy reports
    its array buffers there); the call runs once before, so that nothing first-use is counted."""
    import tracemalloc

    call()
    tracemalloc.start()
    try:
        call()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def _logistic_point(n):
    rng = np.random.default_rng(n)
    X = rng.standard_normal((n, P))
    y = (rng.random(n) < 0.5).astype(np.float64)
    return 0.3 * rng.standard_normal(P), 0.1, X, y


def _same_logistic(name, got, ref):
    """Every contender computes the same loss and gradient before its time means anything."""
    assert np.allclose(float(got[0]), ref[0], rtol=1e-9), name
    assert np.allclose(np.asarray(got[1]), ref[1], rtol=1e-8, atol=1e-12), name
    assert np.allclose(float(got[2]), ref[2], rtol=1e-8, atol=1e-12), name


def bench_logistic(sizes, repeats):
    """cross_entropy_value_and_grad against every installed peer of bench_peers.LOGISTIC_PEERS."""
    from numeric.generated import logistic as gen

    built, skipped = peers.available(peers.LOGISTIC_PEERS)
    on_other, skipped_other = peers.available(peers.GENERATED_ON)
    rows = []
    for n in sizes:
        w, b, X, y = _logistic_point(n)
        calls = {"generated": lambda w=w, b=b, X=X, y=y: gen.cross_entropy_value_and_grad(w, b, X, y)}
        calls.update({k: prepare(w, b, X, y) for k, prepare in {**on_other, **built}.items()})
        ref = hand_fast(w, b, X, y)
        for name, call in calls.items():
            _same_logistic(name, call(), ref)
        reps = repeats if repeats else max(5, min(41, int(4e6 / (n * P)) + 5))
        t = _interleaved(calls, reps)
        peak = {k: (None if k in _DEVICE_MEMORY else _peak_bytes(call)) for k, call in calls.items()}
        rows.append({"N": n, "repeats": reps, "seconds": t, **_ratios(t), "peak_bytes": peak})
    return {"p": P, "jax": "used" if "jax_jit" in built else "JAX not installed", "peers": list(built),
            "generated_on": list(on_other), "skipped": {**skipped_other, **skipped}, "rows": rows}


ACTIVATION_SIZES = ("float", 1, 100, 10_000, 1_000_000)


def _activation_input(size):
    """x ~ 10 N(0, 1): a Python float for "float", else an array of `size` entries."""
    rng = np.random.default_rng(11)
    return float(10.0 * rng.standard_normal()) if size == "float" else 10.0 * rng.standard_normal(size)


def bench_activations(sizes, repeats):
    """Each generated activation against its peers (bench_peers.ACTIVATION_PEERS), a Python float included."""
    from numeric.generated import activations as act

    rows, skipped = [], {}
    for fname, table in peers.ACTIVATION_PEERS.items():
        built, missing = peers.available(table)
        skipped.update(missing)
        gen = getattr(act, fname)
        for size in sizes:
            x = _activation_input(size)
            calls = {"generated": lambda gen=gen, x=x: gen(x)}
            calls.update({k: (lambda f=f, x=x: f(x)) for k, f in built.items()})
            ref = np.asarray(gen(x))
            for k, call in calls.items():
                assert np.allclose(np.asarray(call()), ref, rtol=1e-9, atol=0.0), (fname, k)
            n = 1 if size == "float" else size
            reps = repeats if repeats else max(5, min(41, int(4e7 / n) + 5))
            t = _interleaved(calls, reps)
            rows.append({"function": fname, "N": size, "repeats": reps, "seconds": t, **_ratios(t)})
    return {"x": "10 N(0, 1)", "rows": rows, "skipped": skipped}


DEPTH_CHAIN = "depth-chain"


def _rel_err(got, ref):
    scale = np.max(np.abs(ref))
    return float(np.max(np.abs(np.asarray(got) - ref)) / scale) if scale else 0.0


def bench_depth(depths, repeats):
    """The depth chain's generated gradient against autograd, JAX lax.scan and a plain-Python loop; and what
    deriving and generating it costs.

    derive_codegen_s: the registered derivation (built on first use, so the first depth pays for the
    derivation) and its module rendered and compiled; nothing in either depends on the depth L."""
    from autograd import grad

    import derivations
    from derivations import codegen
    from numeric.autodiff import under_autograd
    from numeric.generated import depth as gen

    module = next(s.module for s in codegen.specs() if s.derivation == DEPTH_CHAIN)
    ag = under_autograd(gen)
    built, skipped = peers.available(peers.DEPTH_PEERS)
    rows = []
    for L in depths:
        t0 = time.perf_counter()
        text = codegen.render_module(module, get=derivations.get)
        ns = {}
        exec(compile(text, "<generated depth>", "exec"), ns)
        t_codegen = time.perf_counter() - t0
        rng = np.random.default_rng(L)
        w, x = rng.normal(0.0, 3.0, L), 0.7
        ag_grad = grad(lambda ww, x=x: ag.chain_forward(x, ww))
        ref = ag_grad(w)
        calls = {"generated": lambda x=x, w=w: gen.chain_grad(x, w), "autograd": lambda w=w, g=ag_grad: g(w)}
        calls.update({k: prepare(x, w) for k, prepare in built.items()})
        errs = {k: _rel_err(call(), ref) for k, call in calls.items() if k != "autograd"}
        for k, e in errs.items():             # every contender computes the same gradient
            assert e <= 1e-9, (k, e)
        reps = repeats if repeats else 15
        t = _interleaved(calls, reps)
        rows.append({"L": L, "derive_codegen_s": t_codegen, "code_bytes": len(text.encode("utf-8")),
                     "seconds": t, **_ratios(t), "max_rel_err_vs_autograd": errs.pop("generated"),
                     "peer_rel_err_vs_autograd": errs})
    return {"rows": rows, "skipped": skipped}


# ---- accuracy ----------------------------------------------------------------------------------

def _truth(zs):
    """mpmath at 50 digits: sigma, sigma', log sigma, softplus, and the loss and dloss/dz for y = 0, 1."""
    import mpmath

    out = {k: [] for k in ("sigmoid", "sigmoid_prime", "log_sigmoid", "softplus", "loss0", "loss1", "grad0", "grad1")}
    with mpmath.workdps(50):
        for z in zs:
            Z = mpmath.mpf(float(z))
            sp_pos = mpmath.log1p(mpmath.exp(Z))          # softplus(z)
            sp_neg = mpmath.log1p(mpmath.exp(-Z))         # softplus(-z)
            s = 1 / (1 + mpmath.exp(-Z))
            s_neg = 1 / (1 + mpmath.exp(Z))
            vals = {"sigmoid": s, "sigmoid_prime": mpmath.exp(-Z) / (1 + mpmath.exp(-Z)) ** 2,
                    "log_sigmoid": -sp_neg, "softplus": sp_pos, "loss0": sp_pos, "loss1": sp_neg,
                    "grad0": s, "grad1": -s_neg}
            for k, v in vals.items():
                out[k].append(float(v))
    return {k: np.array(v) for k, v in out.items()}


def accuracy(quick=False):
    import autograd.numpy as anp
    from autograd import elementwise_grad

    from numeric.generated import activations as act
    from numeric.generated import logistic as gen

    zs = grid(quick)
    true = _truth(zs)
    one = np.ones(1)

    def gen_loss(y):
        vals = [gen.cross_entropy_value_and_grad(one, 0.0, np.array([[z]]), np.array([float(y)])) for z in zs]
        return np.array([float(v[0]) for v in vals]), np.array([float(v[2]) for v in vals])

    def hand_loss(y):
        return np.logaddexp(0.0, zs) - y * zs, np.exp(-np.logaddexp(0.0, -zs)) - y

    def ag_loss(y):
        f = lambda z: anp.logaddexp(0.0, z) - y * z
        return f(zs), elementwise_grad(f)(zs)

    with np.errstate(all="ignore"):
        hs = np.exp(-np.logaddexp(0.0, -zs))
        contenders = {
            "generated": {"sigmoid": act.sigmoid(zs), "sigmoid_prime": act.sigmoid_prime(zs),
                          "log_sigmoid": act.log_sigmoid(zs), "softplus": act.softplus(zs)},
            "hand_logaddexp": {"sigmoid": hs, "sigmoid_prime": hs * (1 - hs),
                               "log_sigmoid": -np.logaddexp(0.0, -zs), "softplus": np.logaddexp(0.0, zs)},
            "autograd": {"sigmoid": elementwise_grad(lambda z: anp.logaddexp(0.0, z))(zs),
                         "sigmoid_prime": elementwise_grad(elementwise_grad(lambda z: anp.logaddexp(0.0, z)))(zs),
                         "log_sigmoid": -anp.logaddexp(0.0, -zs), "softplus": anp.logaddexp(0.0, zs)},
        }
        for name, fn in (("generated", gen_loss), ("hand_logaddexp", hand_loss), ("autograd", ag_loss)):
            for y in (0, 1):
                loss, g = fn(y)
                contenders[name][f"loss{y}"] = loss
                contenders[name][f"grad{y}"] = g
        table = {name: {k: float(np.max(ulps(v, true[k]))) for k, v in vals.items()} for name, vals in contenders.items()}
        peer_table = {"logistic": _logistic_peer_ulps(zs, true), "activations": _activation_peer_ulps(zs, true)}
        rows_path = _array_path_ulps(gen, zs, true)
    return {"points": int(zs.size), "z_range": [-1000.0, 1000.0], "max_ulps": table, "peers": peer_table,
            "generated_array_path": rows_path}


def _array_path_ulps(gen, zs, true):
    """The generated loss and dloss/dz on its array path: two equal rows [[z], [z]], whose mean is exactly
    the one row's value ((v + v) / 2 rounds nothing), where one row alone takes the Python-float path."""
    one, out = np.ones(1), {}
    for y in (0, 1):
        got = [gen.cross_entropy_value_and_grad(one, 0.0, np.array([[z], [z]]), np.array([float(y)] * 2)) for z in zs]
        out[f"loss{y}"] = float(np.max(ulps(np.array([float(g[0]) for g in got]), true[f"loss{y}"])))
        out[f"grad{y}"] = float(np.max(ulps(np.array([float(g[2]) for g in got]), true[f"grad{y}"])))
    return out


def _logistic_peer_ulps(zs, true):
    """Each logistic peer's loss and dloss/dz for y = 0, 1, one row X = [[z]] (w = 1, b = 0) per point:
    its own code path at N = 1, against mpmath."""
    built, _ = peers.available(peers.LOGISTIC_PEERS)
    one = np.ones(1)
    out = {}
    for name, prepare in built.items():
        vals = {}
        for y in (0, 1):
            yy = np.array([float(y)])
            got = [prepare(one, 0.0, np.array([[z]]), yy)() for z in zs]
            vals[f"loss{y}"] = np.array([float(g[0]) for g in got])
            vals[f"grad{y}"] = np.array([float(g[2]) for g in got])
        out[name] = {k: float(np.max(ulps(v, true[k]))) for k, v in vals.items()}
    return out


def _activation_peer_ulps(zs, true):
    out = {}
    for fname, table in peers.ACTIVATION_PEERS.items():
        built, _ = peers.available(table)
        out[fname] = {k: float(np.max(ulps(np.asarray(f(zs), dtype=np.float64), true[fname]))) for k, f in built.items()}
    return out


def import_times(repeats=5, modules=None) -> dict:
    """Median cost of importing each generated module (or those named) on top of NumPy, each in a fresh
    interpreter, from bytecode as an installed package imports it: the caches go to a temporary folder
    (PYTHONPYCACHEPREFIX), written by one untimed import first, even where PYTHONDONTWRITEBYTECODE is set."""
    import tempfile

    from derivations import codegen

    probe = ("import time; t = time.perf_counter(); import numpy; a = time.perf_counter(); "
             "import numeric.generated.{m}; b = time.perf_counter(); print(a - t, b - a)")
    rows = []
    with tempfile.TemporaryDirectory() as cache:
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env["PYTHONPYCACHEPREFIX"] = cache
        for m in modules or codegen.modules():
            rows.append(_import_time(probe.format(m=m), m, env, repeats))
    return {"rows": rows}


def _import_time(probe, module, env, repeats) -> dict:
    import subprocess
    import sys

    def run():
        return subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True,
                              env=env).stdout.split()
    run()       # writes the bytecode
    runs = [run() for _ in range(repeats)]
    return {"module": module, "numpy_s": statistics.median(float(r[0]) for r in runs),
            "extra_s": statistics.median(float(r[1]) for r in runs)}


# ---- entry points ------------------------------------------------------------------------------

def run_bench(sizes=(1, 100, 10_000, 1_000_000), depths=(8, 64, 1024), repeats=None, quick=False,
              progress=None, imports=True) -> dict:
    """Every stage's timings and accuracy, the strongest peer at each size, and the targets (the MLP at N in
    {1, 100, 10^4}; --quick: N in {1, 100}, L = 8). imports=False leaves out the import-time
    stage (a fresh interpreter per module and repeat)."""
    mlp_sizes, act_sizes = (1, 100, 10_000), ACTIVATION_SIZES
    if quick:
        sizes, depths, repeats, mlp_sizes = (1, 100), (8,), repeats or 3, (1, 100)
        act_sizes = tuple(s for s in act_sizes if s == "float" or s <= 100)

    stages = (("logistic", lambda: bench_logistic(sizes, repeats)),
              ("activations", lambda: bench_activations(act_sizes, repeats)),
              ("depth", lambda: bench_depth(depths, repeats)),
              ("mlp", lambda: bench_mlp(mlp_sizes, repeats)),
              ("accuracy", lambda: accuracy(quick)))
    if imports:
        stages += (("imports", lambda: import_times(1 if quick else 5)),)
    out = {"machine": {"python": platform.python_version(), "numpy": np.__version__,
                       "platform": platform.platform(), "cpus": os.cpu_count(), "cpu": _cpu_model()},
           "quick": quick}
    for i, (name, run) in enumerate(stages, 1):
        if progress:
            progress(i, len(stages), name)
        out[name] = run()
    out["strongest"] = strongest(out)
    out["targets"] = targets(out)
    return out


def _fastest_peer(row, accuracy_of) -> dict:
    """The peer with the smallest median time in a row, the ratio generated / its time, and its accuracy."""
    times = {k: t for k, t in row["seconds"].items() if not k.startswith("generated") and k != "autograd"}
    peer = min(times, key=times.get)
    return {"peer": peer, "ratio": row["seconds"]["generated"] / times[peer], "peer_accuracy": accuracy_of(peer)}


def strongest(result) -> dict:
    """For each size, the strongest peer (autograd aside: it is never the fastest, and it is the reference
    of the depth chain) with the ratio generated time / its time and its accuracy: max ulps against mpmath
    over the accuracy grid (loss and dloss/dz for y = 0, 1 for the logistic peers), or for the depth chain
    the largest error relative to autograd's gradient."""
    acc = result.get("accuracy", {})
    table = acc.get("peers", {})
    gen = acc.get("max_ulps", {}).get("generated", {})

    def logistic_ulps(peer):
        vals = table.get("logistic", {}).get(peer)
        return max(vals.values()) if vals else None

    out = {"logistic": [], "activations": [], "depth": []}
    for r in result["logistic"]["rows"]:
        out["logistic"].append({"N": r["N"], **_fastest_peer(r, logistic_ulps),
                                "generated_accuracy": max([gen[k] for k in ("loss0", "loss1", "grad0", "grad1") if k in gen]
                                                          + list(acc.get("generated_array_path", {}).values()),
                                                          default=None)})
    for r in result.get("activations", {}).get("rows", []):
        if len(r["seconds"]) < 2:                         # its only peer is not installed
            continue
        f = r["function"]
        out["activations"].append({"function": f, "N": r["N"],
                                   **_fastest_peer(r, lambda k, f=f: table.get("activations", {}).get(f, {}).get(k)),
                                   "generated_accuracy": gen.get(f)})
    for r in result["depth"]["rows"]:
        if len(r["seconds"]) > 2:
            out["depth"].append({"L": r["L"], **_fastest_peer(r, lambda k, r=r: r["peer_rel_err_vs_autograd"][k]),
                                 "generated_accuracy": r["max_rel_err_vs_autograd"]})
    return out


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            return next((ln.split(":", 1)[1].strip() for ln in fh if ln.startswith("model name")), "")
    except OSError:
        return platform.processor()


# The targets of issue #3, each (what, measured, limit, holds when measured <= limit).
def targets(result) -> list[dict]:
    rows = result["logistic"]["rows"]
    small = [r for r in rows if r["N"] <= 100]
    out = [
        ("generated / hand logaddexp, every N", max(r["generated/hand_logaddexp"] for r in rows), 1.0),
        ("generated / hand fast stable form, every N", max(r["generated/hand_fast"] for r in rows), 1.15),
    ]
    one = [r for r in rows if r["N"] == 1]
    if one:
        out.append(("generated / autograd at N = 1", one[0]["generated/autograd"], 0.1))
    if small and all("generated/jax_jit" in r for r in small):
        out.append(("generated / JAX jit, N <= 100", max(r["generated/jax_jit"] for r in small), 1.0))
    out.append(("generated max error in ulps", max([*result["accuracy"]["max_ulps"]["generated"].values(),
                                                    *result["accuracy"].get("generated_array_path", {}).values()]), 4))
    depth = result["depth"]["rows"]
    out.append(("depth: generated / autograd, every L", max(r["generated/autograd"] for r in depth), 1.0))
    top = max(depth, key=lambda r: r["L"])
    out.append((f"depth: derivation + codegen at L = {top['L']} (s)", top["derive_codegen_s"], 2.0))
    out += _mlp_targets(result.get("mlp", {}).get("rows", []))
    out += _peer_targets(strongest(result))
    top = max(rows, key=lambda r: r["N"]) if rows else {}
    peak = top.get("peak_bytes", {})
    if peak.get("sklearn_half_binomial") and top["N"] >= 10_000:
        out.append((f"memory at N = {top['N']}: generated / scikit-learn's HalfBinomialLoss",
                    peak["generated"] / peak["sklearn_half_binomial"], 1.0))
    if "imports" in result:
        out.append(("import of a generated module over NumPy (s)",
                    max(r["extra_s"] for r in result["imports"]["rows"]), 2e-3))
    return [{"target": t, "measured": float(m), "limit": lim, "met": bool(m <= lim)} for t, m, lim in out]


def _peer_targets(best) -> list[tuple]:
    """Issue #15: at most the strongest peer's time at every size, for the loss and gradient, each
    activation (a Python float included) and the depth chain."""
    out = []
    for key, what in (("logistic", "loss + gradient: generated / strongest peer, every N"),
                      ("activations", "activations: generated / peer, every function, N"),
                      ("depth", "depth: generated / JAX scan or Python loop, every L")):
        if best.get(key):
            out.append((what, max(r["ratio"] for r in best[key]), 1.0))
    return out


def _mlp_targets(rows) -> list[tuple]:
    """Issue #10: >= 5x faster than autograd at N = 1, not slower at 10^4, within 1.2x of hand NumPy."""
    by_n = {r["N"]: r for r in rows}
    out = []
    if 1 in by_n:
        out.append(("mlp: generated / autograd at N = 1", by_n[1]["generated/autograd"], 0.2))
    if 10_000 in by_n:
        out.append(("mlp: generated / autograd at N = 10^4", by_n[10_000]["generated/autograd"], 1.0))
    if rows:
        out.append(("mlp: generated / hand NumPy, every N", max(r["generated/hand_numpy"] for r in rows), 1.2))
    return out


def _fmt_t(s):
    for unit, f in (("s", 1.0), ("ms", 1e3), ("µs", 1e6)):
        if s * f >= 1:
            return f"{s * f:8.2f} {unit}"
    return f"{s * 1e9:8.1f} ns"


SHORT = {"hand_logaddexp": "logaddexp", "hand_fast": "hand_fast", "blocked_numpy": "blocked", "scipy_expit": "scipy",
         "sklearn_half_binomial": "sk_binomial", "sklearn_linear_model_loss": "sk_linear", "autograd": "autograd", "generated_jax": "gen_on_jax",
         "jax_jit": "jax_jit", "jax_scan": "jax_scan", "python_loop": "python"}


def _acc(v) -> str:
    return "-" if v is None else f"{v:.3g}"


def _skipped(section) -> list[str]:
    return [f"  skipped {name}: {why}" for name, why in section.get("skipped", {}).items()]


def _logistic_tables(lg, best) -> list[str]:
    names = list(lg["rows"][0]["seconds"]) if lg["rows"] else []
    peer_names = [n for n in names if n != "generated"]
    out = [f"Logistic mean cross-entropy + gradient, p = {lg['p']}: median time per call (JAX: {lg['jax']})"]
    out += _skipped(lg)
    head = f"{'N':>9} " + " ".join(f"{SHORT.get(n, n):>11}" for n in names)
    out += [head, "-" * len(head)]
    for r in lg["rows"]:
        out.append(f"{r['N']:>9} " + " ".join(f"{_fmt_t(r['seconds'][n]):>11}" for n in names))
    out += ["", "generated / peer (below 1: the generated code is faster); the strongest peer (autograd aside) "
                "and its max ulps vs mpmath"]
    head = (f"{'N':>9} " + " ".join(f"{SHORT.get(n, n):>11}" for n in peer_names)
            + f"  {'strongest':>12} {'ratio':>6} {'its ulps':>9} {'gen ulps':>9}")
    out += [head, "-" * len(head)]
    by_n = {b["N"]: b for b in best}
    for r in lg["rows"]:
        b = by_n.get(r["N"], {})
        out.append(f"{r['N']:>9} " + " ".join(f"{r['generated/' + n]:>11.2f}" for n in peer_names)
                   + (f"  {SHORT.get(b['peer'], b['peer']):>12} {b['ratio']:>6.2f} {_acc(b['peer_accuracy']):>9}"
                      f" {_acc(b['generated_accuracy']):>9}" if b else ""))
    top = max(lg["rows"], key=lambda r: r["N"]) if lg["rows"] else None
    if top and "peak_bytes" in top:
        out += ["", f"Peak memory of one call at N = {top['N']} in N-vectors of float64 (tracemalloc; JAX's "
                    "device memory is not seen)"]
        out.append(f"{'':>9} " + " ".join(f"{SHORT.get(n, n):>11}" for n in names))
        out.append(f"{'':>9} " + " ".join(f"{_acc(None if top['peak_bytes'][n] is None else top['peak_bytes'][n] / (8 * top['N'])):>11}"
                                          for n in names))
    return out


def _activation_table(act) -> list[str]:
    if not act or not act.get("rows"):
        return []
    out = ["", f"Activations, x ~ {act['x']} (N = float: one Python float): median time per call, generated / "
               "peer, max ulps vs mpmath over the accuracy grid"]
    out += _skipped(act)
    head = (f"{'function':>14} {'N':>8} {'generated':>11} {'peer':>24} {'peer time':>11} {'ratio':>6}")
    out += [head, "-" * len(head)]
    for r in act["rows"]:
        for k in r["seconds"]:
            if k != "generated":
                out.append(f"{r['function']:>14} {r['N']!s:>8} {_fmt_t(r['seconds']['generated']):>11} {k:>24} "
                           f"{_fmt_t(r['seconds'][k]):>11} {r['generated/' + k]:>6.2f}")
    return out


def _activation_ulps(acc) -> list[str]:
    table = acc.get("peers", {}).get("activations")
    if not table:
        return []
    gen = acc["max_ulps"]["generated"]
    return ["", "Activations: max ulps vs mpmath over the same points"] + [
        f"{f:>15} generated {_acc(gen.get(f)):>6}, " + ", ".join(f"{k} {_acc(v)}" for k, v in peers_.items())
        for f, peers_ in table.items()]


def _depth_table(depth) -> list[str]:
    rows = depth["rows"]
    names = list(rows[0]["seconds"]) if rows else []
    peer_names = [n for n in names if n != "generated"]
    out = ["", "Depth chain: derivation + codegen, code size, gradient evaluation (median per call), generated / peer"]
    out += _skipped(depth)
    head = (f"{'L':>6} {'derive+codegen':>15} {'code bytes':>11} " + " ".join(f"{SHORT.get(n, n):>11}" for n in names)
            + "".join(f" {'gen/' + SHORT.get(n, n):>12}" for n in peer_names) + f" {'rel err':>9}")
    out += [head, "-" * len(head)]
    for r in rows:
        out.append(f"{r['L']:>6} {_fmt_t(r['derive_codegen_s']):>15} {r['code_bytes']:>11} "
                   + " ".join(f"{_fmt_t(r['seconds'][n]):>11}" for n in names)
                   + "".join(f" {r['generated/' + n]:>12.3f}" for n in peer_names)
                   + f" {r['max_rel_err_vs_autograd']:>9.1e}")
    return out


def format_tables(result) -> str:
    best = result.get("strongest") or strongest(result)
    out = _logistic_tables(result["logistic"], best["logistic"])
    out += _activation_table(result.get("activations"))
    out += _depth_table(result["depth"])
    out += _mlp_table(result.get("mlp"))
    out.append("")
    acc = result["accuracy"]
    out.append(f"Accuracy: max error in ulps vs mpmath (50 digits), {acc['points']} points z in "
               f"[{acc['z_range'][0]:g}, {acc['z_range'][1]:g}], y in {{0, 1}}")
    table = dict(acc["max_ulps"])
    keys = list(next(iter(table.values())))
    if "generated_array_path" in acc:                                      # two rows: the array path
        table["generated, 2 rows"] = acc["generated_array_path"]
    for name, row in acc.get("peers", {}).get("logistic", {}).items():   # each peer at N = 1, loss and dloss/dz
        table.setdefault(name, {**{k: None for k in keys}, **row})
    head = f"{'':>25} " + " ".join(f"{k:>13}" for k in keys)
    out += [head, "-" * len(head)]
    for name, row in table.items():
        out.append(f"{name:>25} " + " ".join(f"{_acc(row.get(k)):>13}" for k in keys))
    out += _activation_ulps(acc)
    if "imports" in result:
        out.append("")
        out.append("Import time (median, fresh interpreter, from bytecode): NumPy, then the generated module on top")
        for r in result["imports"]["rows"]:
            out.append(f"{r['module']:>15} numpy {_fmt_t(r['numpy_s'])}  + module {_fmt_t(r['extra_s'])}")
    if result.get("targets"):
        m = result["machine"]
        out.append("")
        out.append(f"Targets on {m.get('cpus', '?')} x {m.get('cpu') or 'unknown CPU'}, "
                   f"Python {m['python']}, NumPy {m['numpy']}" + (" [--quick: small sizes only]" if result["quick"] else ""))
        for t in result["targets"]:
            out.append(f"  {'met   ' if t['met'] else 'MISSED'} {t['target']:<56} {t['measured']:>10.3g}  (<= {t['limit']:g})")
    return "\n".join(out)


def _mlp_table(mlp) -> list[str]:
    if not mlp:
        return []
    out = ["", f"MLP value_and_grad, widths {tuple(mlp['widths'])}, ReLU (median time per call; JAX: {mlp['jax']})"]
    if mlp.get("skipped"):
        return out + [f"  skipped: {mlp['skipped']}"]
    names = list(mlp["rows"][0]["seconds"]) if mlp["rows"] else []
    ratios = [k for k in mlp["rows"][0] if k.startswith("generated/")] if mlp["rows"] else []
    head = (f"{'N':>9} " + " ".join(f"{n:>16}" for n in names)
            + "".join(f" {'gen/' + k.split('/')[1][:9]:>13}" for k in ratios))
    out += [head, "-" * len(head)]
    for r in mlp["rows"]:
        out.append(f"{r['N']:>9} " + " ".join(f"{_fmt_t(r['seconds'][n]):>16}" for n in names)
                   + "".join(f" {r[k]:>13.2f}" for k in ratios))
    return out


def cmd_bench(args):
    import sys

    def progress(i, n, name):
        print(f"[{i}/{n}] bench {name}", file=sys.stderr, flush=True)
    result = run_bench(quick=args.quick, progress=progress)
    print(format_tables(result))
    if args.json:
        from .io import atomic_write
        atomic_write(args.json, json.dumps(result, indent=2, default=float) + "\n")
        print(f"wrote {args.json}")
    return EXIT_OK


def add_parser(subparsers):
    """The `deepderive bench` subcommand (the CLI wires it in)."""
    s = subparsers.add_parser("bench", help="time and accuracy of generated code vs its peers (NumPy, SciPy, "
                                            "scikit-learn, autograd, JAX)",
                              description="Benchmark the generated NumPy code against its peers: hand-written and "
                                          "blocked NumPy, scipy.special, scikit-learn's HalfBinomialLoss and "
                                          "LinearModelLoss, autograd, JAX jit and lax.scan, plain Python (peers not "
                                          "installed are skipped, saying so): median times, ratios, the strongest "
                                          "peer at each size, accuracy in ulps against mpmath at 50 digits, import "
                                          "times, and whether each speed and accuracy target is met. Speed "
                                          "is reported, never asserted; takes a few minutes.")
    s.add_argument("--quick", action="store_true", help="tiny sizes only (N in {1, 100}, L = 8; < 20 s)")
    s.add_argument("--json", metavar="FILE", help="also write the raw results as JSON")
    s.set_defaults(run=cmd_bench)
    return s
