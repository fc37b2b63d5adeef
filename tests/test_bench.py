"""The benchmark runs (tiny sizes only) and reports a well-formed result; speed is never asserted."""
import argparse
import json

import pytest

from deepderive import bench


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
    for t in result["targets"]:
        assert t["met"] == (t["measured"] <= t["limit"])
    if result["logistic"]["jax"] == "used":
        assert "generated / JAX jit, N <= 100" in rows
    assert "Targets (issue #3)" in bench.format_tables(result)


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
