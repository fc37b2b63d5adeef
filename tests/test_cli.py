"""The command line as a user meets it: exit codes, one-line errors, users' own derivation files."""
import subprocess
import sys
import textwrap

import pytest


def run(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "deepderive.cli", *args], capture_output=True, text=True, cwd=cwd)


def test_list_names_every_lecture_derivation():
    r = run("list")
    assert r.returncode == 0
    for name in ("sigmoid", "lda-posterior", "logistic-regression", "logistic-loss-pm1", "logistic-gradient"):
        assert name in r.stdout


def test_unknown_name_is_one_line_and_exit_2():
    r = run("verify", "no-such-derivation")
    assert r.returncode == 2
    assert r.stderr.strip().count("\n") == 0
    assert "unknown derivation 'no-such-derivation'" in r.stderr


def test_bad_option_exits_2():
    assert run("verify", "--no-such-flag").returncode == 2


def test_codegen_check_passes_on_committed_code():
    r = run("codegen", "--check")
    assert r.returncode == 0, r.stdout + r.stderr


@pytest.fixture
def user_file(tmp_path):
    path = tmp_path / "mine.py"
    path.write_text(textwrap.dedent('''
        import sympy as sp
        from derivations import Derivation, sigmoid
        z = sp.Symbol("z", real=True)
        good = Derivation("mine-good", "A true step")
        good.step(sp.Derivative(sigmoid(z), z), sigmoid(z) * (1 - sigmoid(z)), why="sigma' = sigma(1 - sigma)")
        bad = Derivation("mine-bad", "A false step")
        bad.step(sp.Derivative(sigmoid(z), z), sigmoid(z) * (1 + sigmoid(z)), why="a deliberate mistake")
    '''))
    return path


def test_users_file_with_a_false_step_fails(user_file):
    r = run("verify", str(user_file))
    assert r.returncode == 1
    assert "FAILED" in r.stdout and "a deliberate mistake" in r.stdout
    assert "proved" in r.stdout


def test_users_file_json(user_file):
    import json
    r = run("verify", str(user_file), "--json")
    data = json.loads(r.stdout)
    assert data["ok"] is False
    status = {d["name"]: [s["status"] for s in d["steps"]] for d in data["derivations"]}
    assert status == {"mine-good": ["proved"], "mine-bad": ["failed"]}


def test_missing_user_file_is_a_usage_error(tmp_path):
    r = run("verify", str(tmp_path / "nope.py"))
    assert r.returncode == 2 and "no such derivations file" in r.stderr


def test_verify_one_derivation_with_checks_exits_0():
    r = run("verify", "sigmoid")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "FAILED" not in r.stdout


def test_unwritable_output_directory_is_one_line(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    r = run("report", "sigmoid", "--no-pdf", "--out", str(blocker / "sub"))
    assert r.returncode == 1
    assert r.stderr.strip().splitlines()[-1].startswith("deepderive: error:")
    assert "Traceback" not in r.stderr
