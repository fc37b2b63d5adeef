"""Hostile and careless input (issue #16): bounded work, one line and exit 2 instead of tracebacks, outputs kept."""
import os
import subprocess
import sys
import textwrap
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from deepderive import checkcmd, cli
from deepderive.budget import TimeLimitExceeded, run_limited
from deepderive.exitcodes import EXIT_OK, EXIT_USAGE
from derivations.parse import MAX_ARITY, MAX_EXPONENT, ParseError, parse_expression


def run(capsys, *args):
    code = cli.main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def one_line(err):
    return err.count("\n") == 1 and err.startswith("deepderive: error: ") and "Traceback" not in err


def write(tmp_path, name, source):
    path = tmp_path / name
    path.write_text(textwrap.dedent(source))
    return path


# --- class 1: unbounded work ------------------------------------------------------------------------

@pytest.mark.parametrize("text, fragment", [
    ("exp(exp(exp(100 + 0*x)))", "overflow"),                       # a variable SymPy cancels
    ("x*exp(x - x + 1000)", "overflow"),
    ("(x-x+2)**(x-x+2)**(x-x+2)**(x-x+2)**(x-x+2)**(x-x+2)", "overflow"),   # a tower built with x - x
    ("x + (2**(x-x+1000))**1000", "overflow"),
    ("(x-x+1/3)**(10**9)", "exponent too large"),                   # tiny in float64, huge exactly
    ("x**(10**10)", "exponent too large"),
    ("max(" + ", ".join(f"x + {k}*y" for k in range(MAX_ARITY + 4)) + ")", f"limit {MAX_ARITY}"),
    ("max(max(x, y, w, z), max(a, b, c, d), e1)", f"limit {MAX_ARITY}"),   # nesting flattens
    (" + ".join(f"abs(x - {k})" for k in range(50)), "breakpoints"),
])
def test_work_beyond_the_budgets_is_refused_at_parse_time(text, fragment):
    t = time.perf_counter()
    with pytest.raises(ParseError) as e:
        parse_expression(text)
    assert fragment in str(e.value) and "\n" not in str(e.value)
    assert time.perf_counter() - t < 5  # generous: the point is "not minutes", not a benchmark


def test_constants_within_the_budgets_still_parse():
    import sympy as sp
    x = sp.Symbol("x", real=True)
    assert parse_expression(f"x**{MAX_EXPONENT}") == x ** MAX_EXPONENT
    assert parse_expression("exp(x - x + 700)*x") == sp.exp(700) * x
    assert parse_expression("cos(pi/5)*x") == sp.cos(sp.pi / 5) * x


def test_check_stops_at_its_time_limit(capsys):
    code, out, err = run(capsys, "check", "sigmoid(x)*tanh(x)", "--wrt", "x", "--time-limit", "0.01")
    assert code == EXIT_USAGE and out == "" and one_line(err)
    assert "time limit of 0.01 s" in err and "--time-limit" in err


def test_run_limited_kills_work_inside_one_c_call():
    t = time.perf_counter()
    with pytest.raises(TimeLimitExceeded, match="time limit of 0.5 s"):
        run_limited(pow, (3, 10 ** 12), seconds=0.5, what="3**(10**12)")  # no signal handler runs in there
    assert time.perf_counter() - t < 30


RUNAWAY = """\
    import sympy as sp
    from derivations import Derivation
    x = sp.Symbol("x", real=True)
    big = sp.exp(sp.exp(sp.exp(100)))
    d = Derivation("runaway", "A runaway step")
    d.step(big * x, big * x + sp.exp(sp.exp(sp.exp(100 + sp.Rational(1, 10**9)))) - big, "the runaway one")
"""


@pytest.mark.parametrize("command", ["verify", "report"])
def test_a_runaway_step_stops_verify_and_report_at_the_limit(capsys, tmp_path, command):
    path = write(tmp_path, "runaway.py", RUNAWAY)
    extra = ["--out", str(tmp_path / "out"), "--no-pdf"] if command == "report" else []
    code, _, err = run(capsys, command, str(path), "--time-limit", "1", *extra)
    last = err.strip().splitlines()[-1]
    assert code == EXIT_USAGE and "Traceback" not in err
    assert "runaway: step 1 (the runaway one)" in last and "time limit of 1 s" in last and "--time-limit" in last
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_a_worker_stuck_in_one_c_call_is_killed(monkeypatch):
    """The alarm cannot interrupt one long C call; the parent then kills the worker after the grace period."""
    import sympy as sp

    from derivations import Derivation, parallel

    class Stuck(Derivation):
        def verify_step(self, *args):
            return pow(3, 10 ** 12)   # minutes inside one C call

    x = sp.Symbol("x", real=True)
    d = Stuck("stuck", "Stuck")
    d.step(x, 2 * x - x, "a step")
    monkeypatch.setattr(parallel, "GRACE", 0.5)
    t = time.perf_counter()
    with pytest.raises(parallel.StepFailure, match=r"stuck: step 1 \(a step\) exceeded the per-step time limit"):
        parallel.verify_many([d], jobs=1, time_limit=0.5)
    assert time.perf_counter() - t < 30


# --- class 2: one line, exit 2, never a traceback -----------------------------------------------------

@pytest.mark.parametrize("args, fragment", [
    (["x/log1p(0)", "--wrt", "x"], "division by zero"),
    (["x/(x - x)", "--wrt", "x"], "division by zero"),
    (["x**(10**400)", "--wrt", "x"], "overflow"),
    (["x*exp(exp(exp(100 + 0*x)))", "--wrt", "x"], "overflow"),
    (["x*(x-x+3)**800", "--wrt", "x"], "overflow"),
    (["x", "--wrt", "x", "--seed=-1"], "--seed"),
    (["x", "--wrt", "x", "--report", ""], "--report"),
])
def test_check_refuses_in_one_line(capsys, tmp_path, monkeypatch, args, fragment):
    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys, "check", *args)
    assert code == EXIT_USAGE and out == "" and one_line(err) and fragment in err, err
    assert list(tmp_path.iterdir()) == []   # nothing half-written


@pytest.mark.parametrize("name, content, fragment", [
    ("syntax.py", b"import sympy\nx = (\n", "syntax.py:2: SyntaxError"),
    ("raises.py", b"def f():\n    raise RuntimeError('my own bug')\n\nf()\n", "raises.py:2: RuntimeError: my own bug"),
    ("binary.py", bytes(range(256)), "binary content"),
    ("latin.py", b"x = '\xff\xfe'\n", "binary content"),
    ("strings.py", b"from derivations import Derivation\nd = Derivation('s', 'S')\nd.step('x', 'x', 'why')\n",
     "strings.py:3: TypeError: got the string 'x'"),
    ("exits.py", b"import sys\nsys.exit(3)\n", "exits.py:2: SystemExit"),
    ("multiline.py", b"raise ValueError('one\\ntwo')\n", "multiline.py:1: ValueError: one two"),
])
@pytest.mark.parametrize("command", ["verify", "report"])
def test_broken_user_files_are_one_line_with_file_and_line(capsys, tmp_path, command, name, content, fragment):
    path = tmp_path / name
    path.write_bytes(content)
    code, out, err = run(capsys, command, str(path), "--out", str(tmp_path / "out"), "--no-pdf") \
        if command == "report" else run(capsys, command, str(path))
    assert code == EXIT_USAGE and one_line(err) and fragment in err, err
    assert not (tmp_path / "out").exists()


def test_a_directory_named_like_a_file_is_a_directory(capsys, tmp_path):
    (tmp_path / "x.py").mkdir()
    code, _, err = run(capsys, "verify", str(tmp_path / "x.py"))
    assert code == EXIT_USAGE and one_line(err) and "is a directory" in err


def test_a_step_that_raises_while_judged_names_the_step(capsys, tmp_path):
    path = write(tmp_path, "bad_step.py", """\
        import sympy as sp
        from derivations import Derivation
        x = sp.Symbol("x", real=True)
        d = Derivation("bad-step", "A step SymPy cannot judge")
        d.step(x, x, "fine")
        d.step(x, sp.Matrix([x]), "scalar = matrix")
    """)
    code, _, err = run(capsys, "verify", str(path))
    assert code in (EXIT_USAGE, 1), err   # refused as a step, or a one-line error naming it
    assert "Traceback" not in err
    if code == EXIT_USAGE:
        assert one_line(err) and "bad-step: step 2 (scalar = matrix)" in err


def _cli(*args, env=None):
    return subprocess.run([sys.executable, "-m", "deepderive", *args], capture_output=True, text=True, timeout=120,
                          env={**os.environ, **(env or {})})


def test_process_boundary_ascii_stdout_and_debug(tmp_path):
    """A non-UTF-8 stdout gets ASCII names and exit 0; --debug adds the traceback to the one line."""
    ascii_run = _cli("check", "sigmoid(x)*tanh(x)", "--wrt", "x", env={"PYTHONIOENCODING": "ascii"})
    assert ascii_run.returncode == EXIT_OK, ascii_run.stderr
    assert "sigmoid(x)" in ascii_run.stdout and ascii_run.stdout.isascii() and "PASS" in ascii_run.stdout
    path = write(tmp_path, "raises.py", "def f():\n    raise RuntimeError('deep')\n\nf()\n")
    debug = _cli("verify", str(path), "--debug")   # without --debug: the in-process tests above
    assert debug.returncode == EXIT_USAGE and "Traceback" in debug.stderr
    assert one_line(debug.stderr.rstrip().splitlines()[-1] + "\n") and "raises.py:2: RuntimeError: deep" in debug.stderr


# --- class 5: --report --------------------------------------------------------------------------------

def test_an_unwritable_report_directory_keeps_the_verdict_and_exits_2(capsys, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    code, out, err = run(capsys, "check", "x**2", "--wrt", "x", "--report", str(blocker / "sub"))
    assert code == EXIT_USAGE and one_line(err) and "cannot write the report" in err
    assert out.rstrip().splitlines()[-1].startswith("PASS")   # the verdict is not lost
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file"]


# --- the whole check pipeline, fuzzed -----------------------------------------------------------------

_SEEN = []   # (formula, wrt, outcome) of each example, for reading the fuzz's coverage by hand
_LEAVES = ["x", "y", "x", "y", "0.5", "2", "3", "(-1)", "pi", "(x - x + 2)"]
_UNARY = ["exp", "log", "sqrt", "tanh", "sin", "cos", "abs", "log1p", "sigmoid", "softplus", "relu", "leaky_relu",
          "heaviside"]
_BINARY = ["({} + {})", "({} - {})", "({} * {})", "({} / {})", "max({}, {})", "min({}, {})", "({} + 0*x - {})"]
_POWERS = ["({})**2", "({})**3", "({})**-1", "({})**0.5", "({})**(x - x + 2)"]


def _formula(choices, depth=3):
    """A formula of the parser's whitelisted operations, `depth` levels deep, spelled by a list of choices."""
    k = next(choices)
    if depth == 0:
        return _LEAVES[k % len(_LEAVES)]
    kind = k % 3
    if kind == 0:
        return f"{_UNARY[(k // 3) % len(_UNARY)]}({_formula(choices, depth - 1)})"
    if kind == 1:
        return _BINARY[(k // 3) % len(_BINARY)].format(_formula(choices, depth - 1), _formula(choices, depth - 1))
    return _POWERS[(k // 3) % len(_POWERS)].format(_formula(choices, depth - 1))


_FORMULAS = st.lists(st.integers(0, 10 ** 6), min_size=15, max_size=15).map(lambda c: _formula(iter(c + [0] * 15)))


@settings(max_examples=20, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(_FORMULAS, st.sampled_from(["x", "y", "x,y"]))
def test_fuzz_the_whole_check_pipeline(text, wrt):
    """Parse, derive, generate, check: only the project's own one-line errors or a verdict, within the time
    limit; SymPy's own derivative (no --grad) must PASS wherever the formula is accepted."""
    try:
        rec = run_limited(checkcmd.check, (text, wrt), seconds=20, what="the check", expected=(checkcmd.BadInput,))
        _SEEN.append((text, wrt, rec["verdict"][:4]))
    except checkcmd.BadInput as e:
        _SEEN.append((text, wrt, str(e)))
        assert "\n" not in str(e) and str(e), text
        return
    except TimeLimitExceeded:
        pytest.fail(f"{text!r} --wrt {wrt}: no verdict within 20 s")
    assert rec["ok"], (text, wrt, rec["verdict"])
    assert rec["verdict"].startswith("PASS")
