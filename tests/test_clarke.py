"""`deepderive check` at a kink: the whole claimed gradient must lie in the Clarke generalised gradient.

Run in process through deepderive.cli.main. The expected sets come from the definitions: off the tie,
max(x, y) has gradient (1, 0) or (0, 1), so at x = y its Clarke gradient is the segment {(t, 1 - t)};
|x| has [-1, 1] at 0; max(x, y, z) at a triple tie has the simplex; relu'(0) may be anything in [0, 1].
"""
import json

import pytest

from deepderive.cli import main


def check(capsys, *args):
    """Exit code and the verdict (the last line) of `deepderive check ARGS`."""
    code = main(["check", *args])
    out = capsys.readouterr().out
    return code, out.strip().splitlines()[-1], out


MAX2 = ("max(x, y)", "--wrt", "x,y", "--at", "x=1", "--at", "y=1")


@pytest.mark.parametrize("grad, code", [
    ("1, 1", 1), ("0, 0", 1),                       # each component in [0, 1], the pair is not in the hull
    ("0.5, 0.5", 0), ("1, 0", 0), ("0, 1", 0), ("0.25, 0.75", 0),
    ("1.1, -0.1", 1),                               # on the line t + s = 1, beyond the segment
])
def test_max_of_two_at_a_tie(capsys, grad, code):
    got, verdict, out = check(capsys, *MAX2, f"--grad={grad}")
    assert got == code, out
    assert "Clarke generalised gradient" in verdict
    assert verdict.startswith("PASS: claimed gradient" if code == 0 else "FAIL: claimed gradient")
    assert "limiting gradients around the point (autograd beside it, extrapolated to it): (0, 1), (1, 0)" in out


def test_max_of_two_says_which_pieces_in_json(capsys):
    code, _, out = check(capsys, *MAX2, "--grad", "1, 1", "--json")
    rec = json.loads(out)
    assert code == 1 and rec["ok"] is False and rec["mode"] == "kink"
    clarke = rec["checks"]["clarke"]
    assert sorted(map(tuple, clarke["pieces"])) == [(0.0, 1.0), (1.0, 0.0)]
    assert clarke["accepted"] is False and clarke["distance"] == pytest.approx(0.5)  # to (0.5, 0.5), max norm
    # Each component alone lies between its one-sided derivatives; only the gradient as a whole is wrong.
    assert all(r["accepted"] for r in rec["checks"]["kink"])


@pytest.mark.parametrize("grad, code", [("0", 0), ("1", 0), ("0.5", 0), ("2", 1), ("-0.5", 1)])
def test_relu_at_zero_keeps_the_lectures_convention(capsys, grad, code):
    got, verdict, out = check(capsys, "relu(x)", "--wrt", "x", "--at", "x=0", f"--grad={grad}")
    assert got == code, out
    assert "ReLU'(0) = 0" in out
    assert verdict.startswith("PASS: claimed derivative lies between the one-sided derivatives at the kink "
                              "(df/dx = 0 in [0, 1])" if grad == "0" else "PASS" if code == 0 else "FAIL")


def test_readme_example(capsys):
    code, verdict, _ = check(capsys, "relu(x)", "--wrt", "x", "--at", "x=0", "--grad", "0")
    assert code == 0 and verdict.startswith("PASS")


@pytest.mark.parametrize("grad, code", [("-1", 0), ("-0.3", 0), ("1", 0), ("1.01", 1), ("-2", 1)])
def test_abs_at_zero(capsys, grad, code):
    got, verdict, out = check(capsys, "abs(x)", "--wrt", "x", "--at", "x=0", f"--grad={grad}")
    assert got == code, out
    assert "[-1, 1]" in verdict


MAX3 = ("max(x, y, z)", "--wrt", "x,y,z", "--at", "x=2", "--at", "y=2", "--at", "z=2")


@pytest.mark.parametrize("grad, code", [
    ("0.2, 0.3, 0.5", 0), ("1, 0, 0", 0), ("0, 0.5, 0.5", 0),
    ("0.5, 0.5, 0.5", 1),                           # each in [0, 1], but the weights sum to 1.5
    ("0.6, 0.6, -0.2", 1),                          # sums to 1, one weight negative
])
def test_max_of_three_at_a_triple_tie(capsys, grad, code):
    got, verdict, out = check(capsys, *MAX3, f"--grad={grad}")
    assert got == code, out
    assert "(0, 0, 1), (0, 1, 0), (1, 0, 0)" in out


@pytest.mark.parametrize("grad, code", [("0", 0), ("1", 1)])
def test_a_function_smooth_in_the_checked_variable_is_one_piece(capsys, grad, code):
    # On the breakpoint y = 0, but f = relu(y) * x is 0 for every x there: one piece, df/dx = 0.
    got, verdict, out = check(capsys, "relu(y)*x", "--wrt", "x", "--at", "x=1", "--at", "y=0", f"--grad={grad}")
    assert got == code, out
    assert "f does not break here" in out and "mpmath 0" in out


def test_a_step_still_has_no_derivative(capsys):
    code, verdict, _ = check(capsys, "heaviside(x)", "--wrt", "x", "--at", "x=0", "--grad", "0")
    assert code == 1 and "jumps at x=0" in verdict
