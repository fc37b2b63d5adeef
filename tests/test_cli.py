"""The command line as a user meets it: exit codes, one-line errors, strict verdicts, users' own files.

Most tests call ``deepderive.cli.main([...])`` in this process (SymPy is imported once for all of
them); three smoke tests start the real ``python -m deepderive`` to prove the wiring.
"""
import json
import subprocess
import sys
import textwrap

import pytest

import derivations
from deepderive import cli, exitcodes
from deepderive.exitcodes import EXIT_FAILED, EXIT_OK, EXIT_USAGE


def run(capsys, *args):
    """main(args) in process: (exit code, stdout, stderr)."""
    code = cli.main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def write(tmp_path, name, source):
    path = tmp_path / name
    path.write_text(textwrap.dedent(source))
    return path


# ---- smoke tests: the real command --------------------------------------------------------------

def subprocess_run(*args):
    return subprocess.run([sys.executable, "-m", "deepderive", *args], capture_output=True, text=True)


def test_smoke_help_explains_checked_and_exit_codes():
    r = subprocess_run("--help")
    assert r.returncode == 0, r.stderr
    text = " ".join(r.stdout.split())
    assert "CHECKED when" in text and "--allow-checked" in text
    assert "exit status: 0" in text and "2 bad input" in text


def test_smoke_bad_input_is_one_line_and_exit_2():
    r = subprocess_run("verify", "no-such-derivation")
    assert r.returncode == EXIT_USAGE
    assert r.stderr.strip().count("\n") == 0
    assert "unknown derivation 'no-such-derivation'" in r.stderr
    assert "Traceback" not in r.stderr


@pytest.fixture
def user_file(tmp_path):
    return write(tmp_path, "mine.py", '''
        import sympy as sp
        from derivations import Derivation, sigmoid
        z = sp.Symbol("z", real=True)
        good = Derivation("mine-good", "A true step")
        good.step(sp.Derivative(sigmoid(z), z), sigmoid(z) * (1 - sigmoid(z)), why="sigma' = sigma(1 - sigma)")
        bad = Derivation("mine-bad", "A false step")
        bad.step(sp.Derivative(sigmoid(z), z), sigmoid(z) * (1 + sigmoid(z)), why="a deliberate mistake")
    ''')


def test_smoke_verify_a_users_file_with_a_false_step_exits_1(user_file):
    r = subprocess_run("verify", str(user_file))
    assert r.returncode == EXIT_FAILED, r.stderr
    assert "FAILED" in r.stdout and "a deliberate mistake" in r.stdout
    assert "proved" in r.stdout


# ---- exit codes and one-line errors -------------------------------------------------------------

def test_one_table_of_exit_codes():
    from deepderive import checkcmd

    assert (exitcodes.EXIT_OK, exitcodes.EXIT_FAILED, exitcodes.EXIT_USAGE) == (0, 1, 2)
    for module in (cli, checkcmd):
        assert (module.EXIT_OK, module.EXIT_FAILED, module.EXIT_USAGE) == (0, 1, 2)
        assert module.EXIT_USAGE is exitcodes.EXIT_USAGE


def test_list_names_every_registered_derivation(capsys):
    code, out, _ = run(capsys, "list")
    assert code == EXIT_OK
    listed = [line.split()[0] for line in out.splitlines()]
    assert listed == derivations.names()


def test_unknown_name_is_one_line_and_exit_2(capsys):
    code, out, err = run(capsys, "verify", "no-such-derivation")
    assert code == EXIT_USAGE
    assert err.strip().count("\n") == 0 and err.startswith("deepderive: error: ")
    assert "unknown derivation 'no-such-derivation'" in err and "sigmoid" in err   # names the known ones


def test_bad_option_exits_2(capsys):
    code, _, err = run(capsys, "verify", "--no-such-flag")
    assert code == EXIT_USAGE and "unrecognized arguments: --no-such-flag" in err


def test_missing_user_file_is_a_usage_error(capsys, tmp_path):
    code, _, err = run(capsys, "verify", str(tmp_path / "nope.py"))
    assert code == EXIT_USAGE and "no such derivations file" in err


@pytest.mark.parametrize("source, fragment", [
    ("def broken(:\n", "SyntaxError"),
    ("raise RuntimeError('my own bug')\n", "RuntimeError: my own bug"),
    ("x = 1\n", "defines no Derivation"),
], ids=["syntax-error", "raises", "no-derivation"])
def test_broken_user_file_is_one_line_and_exit_2(capsys, tmp_path, source, fragment):
    path = write(tmp_path, "broken.py", source)
    code, _, err = run(capsys, "verify", str(path))
    assert code == EXIT_USAGE
    assert err.strip().count("\n") == 0 and fragment in err and "Traceback" not in err


@pytest.mark.parametrize("command", ["verify", "report", "build", "list", "codegen"])
def test_help_of_each_command(capsys, command):
    code, out, _ = run(capsys, command, "--help")
    assert code == EXIT_OK
    text = " ".join(out.split())
    assert "exit status: 0" in text
    if command in ("verify", "report", "build"):
        assert "--allow-checked" in text and "CHECKED when" in text


def test_codegen_check_passes_on_committed_code(capsys):
    code, out, err = run(capsys, "codegen", "--check")
    assert code == EXIT_OK, out + err
    assert "up to date" in out


def test_unwritable_output_directory_is_one_line(capsys, tmp_path, user_file):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    code, _, err = run(capsys, "report", str(user_file), "--no-pdf", "--out", str(blocker / "sub"))
    assert code == EXIT_USAGE   # bad input, found before any work (#14: the README's 2, not 1)
    assert err.strip().splitlines()[-1].startswith("deepderive: error:")
    assert "Traceback" not in err


# ---- verify: users' files, the library's checks -------------------------------------------------

def test_users_file_json(capsys, user_file):
    code, out, _ = run(capsys, "verify", str(user_file), "--json")
    assert code == EXIT_FAILED
    data = json.loads(out)
    assert data["ok"] is False
    status = {d["name"]: [s["status"] for s in d["steps"]] for d in data["derivations"]}
    assert status == {"mine-good": [derivations.PROVED], "mine-bad": [derivations.FAILED]}
    assert all(d["checks"] == [] for d in data["derivations"])


def test_verify_one_derivation_with_checks_exits_0(capsys):
    # The library derivation with the quickest proof and checks (tests/test_checks.py runs every check).
    code, out, err = run(capsys, "verify", "logistic-loss-pm1")
    assert code == EXIT_OK, out + err
    assert "FAILED" not in out and "CHECKED" not in out
    assert "check   pass" in out and "check   FAIL" not in out


def test_verbose_shows_each_claim_with_its_relation(capsys, tmp_path):
    path = write(tmp_path, "ineq.py", '''
        import sympy as sp
        from derivations import Derivation

        a, b = sp.symbols("a b", positive=True)
        d = Derivation("am-gm", "AM-GM")
        d.derive(a*b).then((a**2 + b**2)/2, "the gap is a square", relation="<=")
    ''')
    code, out, err = run(capsys, "verify", str(path), "-v")
    assert code == EXIT_OK, out + err
    assert "a⋅b ≤ ── + ──" in out and "**" not in out     # drawn as maths, with its relation


def test_a_users_sigmoid_does_not_inherit_the_librarys_checks(capsys, tmp_path):
    # A true statement under the library's name: it is proved, and no library check is run for it
    # (the library's checks test numeric.generated, which says nothing about this file).
    path = write(tmp_path, "own.py", '''
        import sympy as sp
        from derivations import Derivation, sigmoid
        z = sp.Symbol("z", real=True)
        d = Derivation("sigmoid", "My own sigmoid fact")
        d.step(sigmoid(z) + sigmoid(-z), 1, why="symmetry")
    ''')
    code, out, _ = run(capsys, "verify", str(path), "--json")
    rec, = json.loads(out)["derivations"]
    assert rec["name"] == "sigmoid" and rec["checks"] == []
    assert [s["status"] for s in rec["steps"]] == [derivations.PROVED] and code == EXIT_OK


# ---- strict verdicts ----------------------------------------------------------------------------

# atan u + atan(1/u) = pi/2 for u > 0: true, and beyond SymPy's simplifiers, so the engine can only
# check it numerically (the engine's own tests decide such verdicts; here it drives the CLI).
CHECKED_FILE = '''
    import sympy as sp
    from derivations import Derivation
    u = sp.Symbol("u", positive=True)
    d = Derivation("mine-checked", "Complementary arctangents")
    d.step(sp.atan(u) + sp.atan(1 / u), sp.pi / 2, why="atan u + atan 1/u = pi/2 for u > 0")
'''


@pytest.fixture
def checked_file(tmp_path):
    return write(tmp_path, "checked.py", CHECKED_FILE)


def test_a_checked_step_fails_verify_unless_allowed(capsys, checked_file):
    code, out, _ = run(capsys, "verify", str(checked_file))
    assert code == EXIT_FAILED
    assert "CHECKED" in out and "not a pass" in out

    code, out, _ = run(capsys, "verify", str(checked_file), "--allow-checked")
    assert code == EXIT_OK
    assert "checked" in out and "allowed by --allow-checked" in out

    code, out, _ = run(capsys, "verify", str(checked_file), "--allow-checked", "--json")
    data = json.loads(out)
    assert code == EXIT_OK and data["ok"] is True and data["allow_checked"] is True
    assert data["derivations"][0]["counts"][derivations.CHECKED] == 1


def test_allow_checked_does_not_let_a_failed_step_pass(capsys, user_file):
    code, out, _ = run(capsys, "verify", str(user_file), "--allow-checked")
    assert code == EXIT_FAILED and "FAILED" in out


def test_a_checked_step_fails_report_unless_allowed(capsys, checked_file, tmp_path):
    out_dir = tmp_path / "reports"
    code, _, _ = run(capsys, "report", str(checked_file), "--no-pdf", "--out", str(out_dir))
    assert code == EXIT_FAILED
    assert (out_dir / "mine-checked.tex").is_file()          # written, and labelled, but not a pass
    code, out, _ = run(capsys, "report", str(checked_file), "--no-pdf", "--out", str(out_dir), "--allow-checked")
    assert code == EXIT_OK and "mine-checked.tex" in out


def test_proof_problems_are_printed(capsys, tmp_path):
    # One true step, and a result that no chain derives: the proof has a problem and must not pass.
    path = write(tmp_path, "unbacked.py", '''
        import sympy as sp
        from derivations import Derivation, sigmoid
        z = sp.Symbol("z", real=True)
        d = Derivation("mine-unbacked", "A result no chain derives")
        d.step(sigmoid(z) + sigmoid(-z), 1, why="symmetry")
        d.result("tanh_prime", sp.cos(z))
    ''')
    code, out, _ = run(capsys, "verify", str(path), "--allow-checked")
    assert code == EXIT_FAILED
    assert "PROBLEM" in out and "tanh_prime" in out


# ---- build: the same functions as verify, codegen and report ------------------------------------

def test_build_verifies_generates_and_reports_with_one_verdict(capsys, monkeypatch, checked_file, tmp_path):
    # build on a small world: the user's checked derivation stands in for the library (resolve), and
    # codegen is recorded instead of rewriting numeric/generated in the checkout.
    mine, = derivations.load_file(checked_file)
    monkeypatch.setattr(cli, "resolve", lambda items: [mine])
    regenerated = []
    monkeypatch.setattr(cli, "codegen", lambda check=False, **kw: regenerated.append(check) or EXIT_OK)
    proofs = []
    real_verify = mine.verify
    monkeypatch.setattr(mine, "verify", lambda *a, **kw: proofs.append(real_verify(*a, **kw)) or proofs[-1])
    books = []   # the book places results by lecture number, which a user's derivation lacks: recorded instead
    monkeypatch.setattr(cli, "write_lecture", lambda vs, **kw: books.append([v.proof for v in vs]) or EXIT_OK)

    out_dir = tmp_path / "built"
    code, out, _ = run(capsys, "build", "--no-pdf", "--out", str(out_dir))
    assert code == EXIT_FAILED                                  # the checked step is not a pass
    assert regenerated == [False] and len(proofs) == 1          # proved once: the report reused the proof
    assert "atan u + atan 1/u" in out and (out_dir / "mine-checked.tex").is_file()

    code, out, _ = run(capsys, "build", "--no-pdf", "--out", str(out_dir), "--allow-checked")
    assert code == EXIT_OK, out
    assert regenerated == [False, False] and len(proofs) == 2
    assert books == [[proofs[0]], [proofs[1]]]                  # the book reused the build's proofs too


def test_codegen_check_compares_bytes_and_names_unknown_modules(tmp_path, monkeypatch):
    """CRLF line ends are stale, a module codegen does not make is reported (never deleted), and a killed run's
    old scratch file is removed by the next codegen."""
    import io
    import os
    import shutil

    import numeric.generated
    from deepderive.cli import codegen

    src = os.path.dirname(numeric.generated.__file__)
    files = {}
    for name in os.listdir(src):
        if name.endswith(".py"):
            shutil.copy(os.path.join(src, name), tmp_path / name)
            files[name] = (tmp_path / name).read_text(encoding="utf-8")
    monkeypatch.setattr(numeric.generated, "__file__", str(tmp_path / "__init__.py"))
    # what generate() makes is the committed code (test_codegen_check_passes_on_committed_code): skip its 5 s
    monkeypatch.setattr("derivations.codegen.generate", lambda progress=None: dict(files))
    out = io.StringIO()
    assert codegen(check=True, file=out) == 0
    (tmp_path / "init.py").write_bytes((tmp_path / "init.py").read_bytes().replace(b"\n", b"\r\n"))
    (tmp_path / "mine.py").write_text("x = 1\n")
    old = tmp_path / ".lda.py.abc.tmp"
    old.write_text("half")
    os.utime(old, (0, 0))
    out = io.StringIO()
    assert codegen(check=True, file=out) == 1
    assert f"stale: {tmp_path / 'init.py'}" in out.getvalue() and "unknown" in out.getvalue()
    assert codegen(file=io.StringIO()) == 0
    assert b"\r\n" not in (tmp_path / "init.py").read_bytes()
    assert (tmp_path / "mine.py").exists() and not old.exists()
