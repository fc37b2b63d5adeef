"""The benchmark runs (tiny sizes only) and reports a well-formed result; speed is never asserted."""
import argparse
import copy
import json

import numpy as np
import pytest

from deepderive import bench


# the module's tests share one quick bench: on one xdist worker it runs once, not once per worker
pytestmark = pytest.mark.xdist_group("bench")


@pytest.fixture(scope="module")
def result():
    return bench.run_bench(quick=True)


def test_structure(result):
    lg = result["logistic"]
    assert lg["p"] == 32 and [r["N"] for r in lg["rows"]] == [1, 100]
    for r in lg["rows"]:
        assert {"generated", "hand_logaddexp", "hand_fast", "autograd"} <= set(r["seconds"])
        assert all(t > 0 for t in r["seconds"].values())
        assert r["generated/autograd"] > 0 and r["generated/hand_logaddexp"] > 0
    assert lg["jax"] in ("used", "JAX not installed")
    (row,) = result["depth"]["rows"]
    assert row["L"] == 8 and row["code_bytes"] > 0 and row["derive_codegen_s"] > 0
    assert row["max_rel_err_vs_autograd"] <= 1e-12
    json.dumps(result)                       # JSON-able as is


def test_generated_functions_within_4_ulps(result):
    table = result["accuracy"]["max_ulps"]
    assert set(table) == {"generated", "hand_logaddexp", "autograd"}
    assert set(table["generated"]) == {"sigmoid", "sigmoid_prime", "log_sigmoid", "softplus",
                                       "loss0", "loss1", "grad0", "grad1"}
    assert all(v <= 4 for v in table["generated"].values()), table["generated"]


def test_targets_are_reported_not_asserted(result):
    rows = {t["target"]: t for t in result["targets"]}
    assert "generated max error in ulps" in rows and rows["generated max error in ulps"]["met"]
    if result["logistic"]["jax"] == "used":
        assert "generated / JAX jit, N <= 100" in rows
    assert "Targets (issue #3)" in bench.format_tables(result)


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


def test_tables_and_parser(result, tmp_path, capsys):
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
