"""The benchmark runs (tiny sizes only) and reports a well-formed result; speed is never asserted."""
import argparse
import copy
import json

import mpmath
import numpy as np
import pytest

from deepderive import bench
from deepderive import bench_peers as peers


# the module's tests share one quick bench: on one xdist worker it runs once, not once per worker
pytestmark = pytest.mark.xdist_group("bench")


@pytest.fixture(scope="module")
def result():
    return bench.run_bench(quick=True, imports=False, repeats=1)   # imports: a process per module, tested below


def test_structure(result):
    lg = result["logistic"]
    assert lg["p"] == 32 and [r["N"] for r in lg["rows"]] == [1, 100]
    # every peer ran, or says why not
    assert set(lg["peers"]) | set(lg["generated_on"]) | set(lg["skipped"]) == {*peers.LOGISTIC_PEERS, *peers.GENERATED_ON}
    assert all("not installed" in why for why in lg["skipped"].values())
    for r in lg["rows"]:
        assert set(r["seconds"]) == {"generated", *lg["peers"], *lg["generated_on"]}
        assert all(t > 0 for t in r["seconds"].values())
        assert all(r[f"generated/{k}"] > 0 for k in lg["peers"])
        assert set(r["peak_bytes"]) == set(r["seconds"])          # JAX's device memory: not seen, None
        assert all((v is None) == (k in bench._DEVICE_MEMORY) and (v is None or v > 0) for k, v in r["peak_bytes"].items())
    assert lg["jax"] in ("used", "JAX not installed")
    (row,) = result["depth"]["rows"]
    assert row["L"] == 8 and row["code_bytes"] > 0 and row["derive_codegen_s"] > 0
    assert row["max_rel_err_vs_autograd"] <= 1e-12
    assert set(row["seconds"]) == {"generated", "autograd", *row["peer_rel_err_vs_autograd"]}
    assert all(e <= 1e-12 for e in row["peer_rel_err_vs_autograd"].values())
    json.dumps(result)                       # JSON-able as is


def test_activation_rows_cover_every_function_and_size(result):
    act = result["activations"]
    assert [(r["function"], r["N"]) for r in act["rows"]] == [
        (f, n) for f in peers.ACTIVATION_PEERS for n in ("float", 1, 100)]
    for r in act["rows"]:
        assert set(r["seconds"]) == {"generated", *(set(peers.ACTIVATION_PEERS[r["function"]]) - set(act["skipped"]))}
        assert all(t > 0 for t in r["seconds"].values())


def test_missing_peer_is_skipped_with_a_line(result):
    def needs_absent_library():
        raise ModuleNotFoundError("No module named 'nosuchlib'", name="nosuchlib")

    built, skipped = peers.available({"hand_fast": lambda: peers._plain(peers.hand_fast), "absent": needs_absent_library})
    assert list(built) == ["hand_fast"] and skipped == {"absent": "nosuchlib not installed"}
    r = copy.deepcopy(result)
    r["logistic"]["skipped"] = skipped
    assert "  skipped absent: nosuchlib not installed" in bench.format_tables(r).splitlines()


def test_strongest_peer_at_every_size(result):
    """The fastest peer (autograd aside) at each size, its ratio, and its accuracy in ulps from the grid."""
    best = result["strongest"]
    assert [b["N"] for b in best["logistic"]] == [1, 100]
    for b, r in zip(best["logistic"], result["logistic"]["rows"]):
        times = {k: t for k, t in r["seconds"].items() if k in result["logistic"]["peers"] and k != "autograd"}
        assert b["peer"] == min(times, key=times.get)
        assert b["ratio"] == r["seconds"]["generated"] / times[b["peer"]]
        assert b["peer_accuracy"] == max(result["accuracy"]["peers"]["logistic"][b["peer"]].values()) >= 0
        assert b["generated_accuracy"] <= 4
    assert len(best["activations"]) == len(result["activations"]["rows"])
    assert all(b["peer_accuracy"] is not None for b in best["activations"])
    text = bench.format_tables(result)
    assert "strongest" in text and "Activations" in text


def test_generated_functions_within_4_ulps(result):
    table = result["accuracy"]["max_ulps"]
    assert set(table) == {"generated", "hand_logaddexp", "autograd"}
    assert set(result["accuracy"]["peers"]["logistic"]) == set(result["logistic"]["peers"])
    path = result["accuracy"]["generated_array_path"]           # N = 1 is the Python-float path; 2 rows the array one
    assert set(path) == {"loss0", "loss1", "grad0", "grad1"} and all(v <= 4 for v in path.values()), path
    assert set(table["generated"]) == {"sigmoid", "sigmoid_prime", "log_sigmoid", "softplus",
                                       "loss0", "loss1", "grad0", "grad1"}
    assert all(v <= 4 for v in table["generated"].values()), table["generated"]


def test_targets_are_reported_not_asserted(result):
    rows = {t["target"]: t for t in result["targets"]}
    assert "generated max error in ulps" in rows and rows["generated max error in ulps"]["met"]
    if result["logistic"]["jax"] == "used":
        assert "generated / JAX jit, N <= 100" in rows
    for what in ("loss + gradient: generated / strongest peer, every N", "activations: generated / peer, every function, N"):
        assert what in rows
    assert "Targets on " in bench.format_tables(result)


def test_targets_flag_exactly_what_is_missed(result):
    """The same measurements, edited: a slow generated function and an inaccurate one are missed targets."""
    r = copy.deepcopy(result)
    for row in r["logistic"]["rows"]:
        row["generated/hand_logaddexp"] = 0.5                 # twice as fast as np.logaddexp
        row["generated/hand_fast"] = 0.9
    r["logistic"]["rows"][-1]["generated/hand_fast"] = 3.0    # three times slower at one N
    r["accuracy"]["max_ulps"]["generated"]["softplus"] = 100.0
    r["targets"] = bench.targets(r)
    got = {t["target"]: (t["measured"], t["met"]) for t in r["targets"]}
    assert got["generated / hand logaddexp, every N"] == (0.5, True)
    assert got["generated / hand fast stable form, every N"] == (3.0, False)
    assert got["generated max error in ulps"] == (100.0, False)
    lines = bench.format_tables(r).splitlines()
    missed = [ln.split()[1:] for ln in lines if ln.lstrip().startswith("MISSED")]
    assert ["generated", "/", "hand", "fast"] in [m[:4] for m in missed]
    assert ["generated", "max", "error"] in [m[:3] for m in missed]
    assert not any("hand logaddexp" in ln for ln in lines if ln.lstrip().startswith("MISSED"))


def test_memory_target_at_large_n(result):
    """At N >= 10^4 the generated code's peak memory is held against scikit-learn's HalfBinomialLoss."""
    r = copy.deepcopy(result)
    top = r["logistic"]["rows"][-1]
    top["N"] = 10**6
    top["peak_bytes"].update(generated=3 * 8 * 10**6, sklearn_half_binomial=8 * 10**6)
    got = {t["target"]: (t["measured"], t["met"]) for t in bench.targets(r)}
    assert got["memory at N = 1000000: generated / scikit-learn's HalfBinomialLoss"] == (3.0, False)
    assert not any("memory" in t["target"] for t in result["targets"])      # quick: N <= 100 only


def test_tables_and_parser(result, tmp_path, capsys, monkeypatch):
    """The command's wiring, on the fixture's measurements (the bench itself runs once, in the fixture)."""
    monkeypatch.setattr(bench, "run_bench", lambda **kw: result)
    text = bench.format_tables(result)
    for word in ("Logistic", "Depth chain", "Accuracy", "generated", "autograd"):
        assert word in text
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="command")
    bench.add_parser(sub)
    args = p.parse_args(["bench", "--quick", "--json", str(tmp_path / "b.json")])
    assert args.quick and args.run is bench.cmd_bench
    assert args.run(args) == 0
    assert json.loads((tmp_path / "b.json").read_text())["quick"] is True
    assert "Accuracy" in capsys.readouterr().out


def test_mlp_contenders_run_in_quick_mode(result):
    """Issue #10's cases: every contender computed the same loss and gradients (bench_mlp asserts it
    before timing), at N = 1 and 100; the targets are reported, never asserted."""
    mlp = result["mlp"]
    assert "skipped" not in mlp, mlp.get("skipped")
    assert mlp["widths"] == [32, 64, 64, 1] and [r["N"] for r in mlp["rows"]] == [1, 100]
    for r in mlp["rows"]:
        assert {"generated", "hand_numpy", "autograd", "sklearn_backprop"} <= set(r["seconds"])
        assert all(t > 0 for t in r["seconds"].values())
    assert mlp["jax"] in ("used", "JAX not installed")
    targets = {t["target"] for t in result["targets"]}
    assert {"mlp: generated / autograd at N = 1", "mlp: generated / hand NumPy, every N"} <= targets
    assert "MLP value_and_grad" in bench.format_tables(result)


def test_hand_mlp_matches_autograd():
    """The hand-written contender is itself right: its loss and gradients against autograd's."""
    w, b, X, y = bench._mlp_point(7)
    X[0, :] *= 40.0                                      # one saturated row
    got = bench.hand_mlp(w, b, X, y)
    ref = bench._autograd_mlp()(w, b, X, y)
    assert abs(got[0] - ref[0]) <= 1e-13 * abs(ref[0])
    for a, r in zip(got[1] + got[2], list(ref[1]) + list(ref[2])):
        assert np.max(np.abs(a - r)) <= 1e-13 * max(np.max(np.abs(r)), 1e-300)


# ---- every peer is itself right: its value against mpmath at 40 digits (an independent reference) --------

def _mp_logistic(w, b, X, y):
    """Mean cross-entropy and its gradient in mpmath: softplus(z) - y z, and (sigma(z) - y) (x, 1)."""
    import mpmath

    with mpmath.workdps(40):
        n, p = X.shape
        loss, gw, gb = mpmath.mpf(0), [mpmath.mpf(0)] * p, mpmath.mpf(0)
        for i in range(n):
            z = mpmath.fsum(mpmath.mpf(float(X[i, j])) * mpmath.mpf(float(w[j])) for j in range(p)) + mpmath.mpf(b)
            loss += mpmath.log1p(mpmath.exp(z)) - int(y[i]) * z
            r = 1 / (1 + mpmath.exp(-z)) - int(y[i])
            gw = [g + r * mpmath.mpf(float(X[i, j])) for j, g in enumerate(gw)]
            gb += r
        return float(loss / n), np.array([float(g / n) for g in gw]), float(gb / n)


@pytest.fixture(scope="module")
def logistic_case():
    rng = np.random.default_rng(3)
    X = 3.0 * rng.standard_normal((40, 3))
    X[0] = [12.0, 9.0, 8.0]                               # a saturated row each way
    X[1] = -X[0]
    y = (rng.random(40) < 0.5).astype(np.float64)
    w, b = np.array([0.7, -0.4, 1.1]), 0.2
    return (w, b, X, y), _mp_logistic(w, b, X, y)


_LOGISTIC = {**peers.LOGISTIC_PEERS, **peers.GENERATED_ON}


@pytest.mark.parametrize("name", list(_LOGISTIC))
def test_logistic_peer_matches_mpmath(name, logistic_case):
    built, skipped = peers.available({name: _LOGISTIC[name]})
    if name in skipped:
        pytest.skip(skipped[name])
    args, (loss, gw, gb) = logistic_case
    got = built[name](*args)()
    assert abs(float(got[0]) - loss) <= 1e-12 * abs(loss)
    grad, ref = np.append(np.asarray(got[1]), float(got[2])), np.append(gw, gb)
    assert np.max(np.abs(grad - ref)) <= 1e-12 * np.max(np.abs(ref))


def test_blocked_numpy_sums_its_blocks(logistic_case):
    """Blocks of 7 rows (40 = 5 x 7 + 5, a short last block) give the mean over all rows."""
    args, (loss, gw, gb) = logistic_case
    got = peers.blocked_numpy(*args, block=7)
    assert abs(got[0] - loss) <= 1e-12 * abs(loss)
    assert np.max(np.abs(np.append(got[1], got[2]) - np.append(gw, gb))) <= 1e-12 * np.max(np.abs(gw))


_MP_ACTIVATIONS = {
    "sigmoid": lambda x: 1 / (1 + mpmath.exp(-x)),
    "log_sigmoid": lambda x: -mpmath.log1p(mpmath.exp(-x)),
    "softplus": lambda x: mpmath.log1p(mpmath.exp(x)),
    "sigmoid_prime": lambda x: mpmath.exp(-x) / (1 + mpmath.exp(-x)) ** 2,
}
_XS = np.array([-700.0, -40.0, -5.5, -1e-3, 0.0, 1e-9, 0.5, 3.0, 30.0, 700.0])


@pytest.mark.parametrize("fname,peer", [(f, k) for f, t in peers.ACTIVATION_PEERS.items() for k in t])
def test_activation_peer_matches_mpmath(fname, peer):
    """On an array and on a Python float (the N = 1 case the bench times)."""
    built, skipped = peers.available({peer: peers.ACTIVATION_PEERS[fname][peer]})
    if peer in skipped:
        pytest.skip(skipped[peer])
    f = built[peer]
    with mpmath.workdps(40):
        ref = np.array([float(_MP_ACTIVATIONS[fname](mpmath.mpf(float(x)))) for x in _XS])
    got = np.asarray(f(_XS))
    assert np.all(np.abs(got - ref) <= 1e-12 * np.abs(ref)), (got, ref)
    assert all(float(f(float(x))) == g for x, g in zip(_XS, got))


def _mp_chain_grad(x, w):
    """dyhat/dw_k by mpmath's numerical differentiation of the chain at 40 digits."""
    with mpmath.workdps(40):
        def forward(ws):
            h = mpmath.mpf(x)
            for wj in ws:
                h = 1 / (1 + mpmath.exp(-wj * h))
            return h
        ws = [mpmath.mpf(float(v)) for v in w]
        return np.array([float(mpmath.diff(lambda t, k=k: forward(ws[:k] + [t] + ws[k + 1:]), ws[k]))
                         for k in range(len(ws))])


@pytest.mark.parametrize("name", list(peers.DEPTH_PEERS))
def test_depth_peer_matches_mpmath(name):
    built, skipped = peers.available({name: peers.DEPTH_PEERS[name]})
    if name in skipped:
        pytest.skip(skipped[name])
    w, x = np.random.default_rng(8).normal(0.0, 3.0, 8), 0.7
    ref = _mp_chain_grad(x, w)
    got = np.asarray(built[name](x, w)())
    assert np.max(np.abs(got - ref)) <= 1e-12 * np.max(np.abs(ref))


def test_import_times_are_measured():
    """A fresh interpreter per module: NumPy's import, then the module's on top (one module: each costs a process)."""
    (row,) = bench.import_times(repeats=1, modules=["logistic"])["rows"]
    assert row["module"] == "logistic" and row["numpy_s"] > 0 and row["extra_s"] > 0
