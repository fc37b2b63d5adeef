"""Tests for deepderive.report: content of the .tex, reproducible bytes, a real PDF, atomic writes."""
import inspect
import math
import os
import shutil
import pkgutil
import re
from dataclasses import dataclass

import pytest
import sympy as sp

import derivations
from derivations import CHECKED, FAILED, PROVED, Derivation, Proof, sigmoid
from numeric.checks.result import CheckResult
from deepderive.io import compile_pdf
from deepderive.report import (ReportError, build, describe_function, pdflatex_path, render_document,
                               render_function, tex_source, write_report)
from deepderive.report import figures as figure_registry
from deepderive.report.code_latex import latexify_function

HAVE_TEX = pdflatex_path() is not None
NO_TEX = "pdflatex is not on PATH (install texlive-latex-base and texlive-latex-recommended)"


def _tree(root):
    """{relative path: bytes} of every file under root, hidden ones included."""
    out = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for f in filenames:
            p = os.path.join(dirpath, f)
            with open(p, "rb") as fh:
                out[os.path.relpath(p, root)] = fh.read()
    return out


def _entries(root):
    """Every file and directory name under root (to catch leftover temporary files)."""
    return sorted(os.path.relpath(os.path.join(d, n), root) for d, ds, fs in os.walk(root) for n in ds + fs)


# Its users run on one xdist worker (--dist loadgroup), so the two builds (about 17 s) are made once per run.
_ONE_WORKER = pytest.mark.xdist_group("sigmoid-report")


@pytest.fixture(scope="module")
def sigmoid_twice(tmp_path_factory, library_proof):
    """The sigmoid report built twice, into two directories (with PDFs when pdflatex exists): the proof is the
    run's shared one and the second build reuses the first's checks (their verdicts are not what is compared;
    the figures, the .tex and the PDF are drawn and written anew)."""
    a, b = tmp_path_factory.mktemp("first"), tmp_path_factory.mktemp("second")
    first = write_report("sigmoid", a, pdf=HAVE_TEX, proof=library_proof("sigmoid"))
    return first, write_report("sigmoid", b, pdf=HAVE_TEX, proof=first.proof, checks=first.checks)


def _wrong_derivation(name="wrong-sigmoid"):
    """A chain whose second step is false: a sign error in the exponent."""
    z = sp.Symbol("z", real=True)
    d = Derivation(name, "A deliberately wrong form of {sigma}", source="R6",
                   statement=r"A sign error in $\sigma$.")
    d.step(sigmoid(z), 1 / (1 + sp.exp(-z)), "definition of the sigmoid")
    d.step(1 / (1 + sp.exp(-z)), 1 / (1 + sp.exp(z)), r"a sign error: $e^{-z}$ becomes $e^{z}$")
    return d


@dataclass(frozen=True)
class Rec:
    """A step's result as the report reads it (the fields of derivations' StepResult)."""

    lhs: object
    rhs: object
    why: str
    status: str
    detail: str = ""
    starts: object = None          # None: a proof from before chains were marked
    chain_name: object = None


@dataclass(frozen=True)
class ProofRecord:
    """A proof as the report reads it: its steps, and its problems."""

    steps: tuple
    problems: tuple = ()


def proof_passes(record, allow_checked=False) -> bool:
    """The engine's own verdict (derivations' Proof.passes, what `deepderive report` uses) on a built record."""
    return Proof(None, record.steps, record.problems).passes(allow_checked)


def _blocks(tex):
    """The bodies of the align* environments (one per chain), in order."""
    return re.findall(r"\\begin\{align\*\}\n(.*?)\n\\end\{align\*\}", tex, re.S)


# ---- content ------------------------------------------------------------------------------------

@_ONE_WORKER
def test_sigmoid_report_has_every_justification_and_a_marker_per_step(sigmoid_twice):
    r = sigmoid_twice[0]
    assert r.proof.ok and r.ok and r.tex_path.name == "sigmoid.tex"
    tex = r.tex_path.read_text(encoding="ascii")
    d = derivations.get("sigmoid")
    for k, step in enumerate(d.steps, 1):
        assert tex_source(step.why) in tex, step.why
        assert re.search(r"\\ddstep\{%d\}\{\\Status(Proved|Checked|Failed)\}" % k, tex), f"no marker for step {k}"
    assert tex.count(r"\ddstep{") == len(d.steps)
    assert r"\ddstep{1}{\StatusProved}" in tex and "Every step is proved." in tex
    # a chained step continues with "&= ..." instead of repeating its lhs
    assert re.search(r"\\intertext\{\\ddstep\{\d+\}.*\n&= \\ddrhs", tex)
    # the legend says what "checked" means: evidence, not a proof
    assert "checked numerically --- not proved" in tex and "evidence,\nnot a proof" in tex
    for fn in ("sigmoid", "sigmoid\\_prime", "log\\_sigmoid", "softplus"):
        assert r"\texttt{numeric.generated.activations.%s}" % fn in tex
    assert r"\begin{lstlisting}" in tex
    assert r"\includegraphics[width=\linewidth]{figures/sigmoid-steepness-and-slope.pdf}" in tex
    assert [p.name for p in r.figures] == ["sigmoid-steepness-and-slope.pdf"]
    assert r.figures[0].read_bytes().startswith(b"%PDF")


def test_a_false_step_is_rendered_as_failed_and_user_derivations_omit_code_and_checks(tmp_path):
    r = write_report(_wrong_derivation(), tmp_path, pdf=HAVE_TEX)
    assert not r.ok
    assert [s.status for s in r.proof.steps] == [PROVED, FAILED]
    tex = r.tex_path.read_text(encoding="ascii")
    assert r"\ddstep{1}{\StatusProved}" in tex
    assert r"\ddstep{2}{\StatusFailed}" in tex and r"\ddeqfailed" in tex
    assert "why it failed:" in tex
    assert "1 step failed" in tex and "does not hold as written" in tex
    assert len(_blocks(tex)) == 1                      # one chain: sigma(z) = 1/(1 + e^-z) =? 1/(1 + e^z)
    # the title is plain text: its braces are printed, not swallowed
    assert r"form of \{sigma\}" in tex
    # a user's derivation has no generated code, no checks and no figures
    for section in ("Generated code", "Numeric checks", "Figures"):
        assert r"\section{%s}" % section not in tex
    assert r.figures == [] and r.checks == []
    if HAVE_TEX:
        assert r.pdf_path.read_bytes().startswith(b"%PDF")


def _chain_records(marked):
    """Two chains (the first named, with a checked step and a step whose lhs is written with a defined
    name), then a step refused as unchained; `marked` gives them the proof's chain marks."""
    a, b, c, gamma, d, e, f, g, h = sp.symbols("a b c gamma d e f g h")

    def rec(lhs, rhs, why, status, starts, name=None):
        return Rec(lhs, rhs, why, status, f"{status} detail", starts if marked else None, name if marked else None)

    return (rec(a, b, "first", PROVED, True, "first_result"),
            rec(b, c, "second", CHECKED, False),
            rec(gamma, d, "third, gamma := c", PROVED, False),
            rec(e, f, "fourth", PROVED, True),
            rec(g, h, "fifth, unchained", FAILED, False))


def test_each_chain_is_one_aligned_block_from_the_proofs_chain_marks():
    tex = render_document(Derivation("chains", "Chains"), ProofRecord(_chain_records(marked=True)))
    first, second, unchained = _blocks(tex)
    assert first.startswith(r"\ddlhs{a} &= \ddrhs{b}")
    assert "\n" + r"&\ddeqchecked \ddrhs{c} \\*" in first
    # gamma is c after the definitions: it is shown as written, unnumbered, and the chain goes on
    assert "\n" + r"&= \ddrhs{\gamma} \\*" + "\n" + r"\intertext{\dddefrow} \\*" + "\n" + r"&= \ddrhs{d}" in first
    assert [int(n) for n in re.findall(r"\\ddstep\{(\d)\}", first)] == [1, 2]     # step 3's note follows the block
    assert second == r"\ddlhs{e} &= \ddrhs{f}"
    assert unchained == r"\ddlhs{g} &\ddeqfailed \ddrhs{h}"                        # its own lhs is shown
    assert [int(n) for n in re.findall(r"\\ddstep\{(\d)\}", tex)] == [1, 2, 3, 4, 5]
    assert tex.count(r"\ddchainhead{") == 1 and r"\ddchainhead{derives \texttt{first\_result}:}" in tex
    assert r"\ddstep{2}{\StatusChecked}{second}\dddetail{why only checked: checked detail}" in tex
    assert r"\ddstep{5}{\StatusFailed}{fifth, unchained}\dddetail{why it failed: failed detail}" in tex


def test_without_chain_marks_steps_chain_where_the_lhs_is_the_previous_rhs():
    tex = render_document(Derivation("chains", "Chains"), ProofRecord(_chain_records(marked=False)))
    blocks = _blocks(tex)
    assert [b.split(" ", 1)[0] for b in blocks] == [r"\ddlhs{a}", r"\ddlhs{\gamma}", r"\ddlhs{e}", r"\ddlhs{g}"]
    assert r"\ddchainhead" not in tex.split(r"\begin{document}")[1] and r"\intertext{\dddefrow}" not in tex


def test_problems_are_a_failed_box_and_the_verdict_says_the_derivation_does_not_hold():
    x, y = sp.symbols("x y")
    proof = ProofRecord((Rec(x, y, "a", PROVED, "", True),),
                        problems=("result tanh_prime is not the end of a proved chain", "define: p is a dimension"))
    tex = render_document(Derivation("problems", "Problems"), proof)
    box = tex[tex.index(r"\ddproblems{"):]
    assert box.index(r"\item result tanh\_prime is not the end of a proved chain") < box.index(r"\end{itemize}}")
    assert r"\item define: p is a dimension" in box
    assert "2 problems with the derivation as a whole" in tex and "does not hold as written" in tex
    assert not proof_passes(proof) and not proof_passes(proof, allow_checked=True)


def test_a_checked_step_is_labelled_not_proved_and_passes_only_when_allowed():
    z = sp.Symbol("z", real=True)
    steps = (Rec(sp.sin(z) ** 2 + sp.cos(z) ** 2, sp.S.One, "Pythagoras", CHECKED,
                 "not proved symbolically (no simplifier reduced the difference to 0)", True),
             Rec(sp.S.One, sp.cosh(z) ** 2 - sp.sinh(z) ** 2, "cosh² − sinh² = 1, σ ≥ 0", PROVED, "identically 0",
                 False))
    proof = ProofRecord(steps)
    tex = render_document(Derivation("by-hand", "Rendered from records"), proof)
    assert tex.isascii()
    assert r"\ddstep{1}{\StatusChecked}" in tex and r"\ddeqchecked" in tex
    assert r"\newcommand{\StatusChecked}{\ddmark{ddchecked}{$\approx$ checked numerically --- not proved}}" in tex
    assert "This derivation is not fully proved: 1 step only checked numerically." in tex
    assert r"\ensuremath{\sigma}" in tex and r"\ensuremath{\geq}" in tex
    assert not proof_passes(proof) and proof_passes(proof, allow_checked=True)


def test_check_tables_render():
    z = sp.Symbol("z", real=True)
    checks = [CheckResult("by-hand", "sigmoid vs mpmath", "generated sigmoid vs 50-digit mpmath", "z in [-40, 40]",
                          1.1e-16, 2.2e-16, 1e-14, True),
              CheckResult("by-hand", "broken_check", "a & b", "iris_50%", 0.5, math.nan, 1e-12, False, "off by 1/2")]
    proof = ProofRecord((Rec(sp.cosh(z) ** 2 - sp.sinh(z) ** 2, sp.S.One, "hyperbolic Pythagoras", PROVED, "", True),))
    tex = render_document(Derivation("by-hand", "Rendered from records"), proof, checks=checks)
    assert tex.isascii() and "numeric checks: 1 of 2 pass" in tex
    assert r"\CheckPass" in tex and r"\CheckFail" in tex and r"$1.1\times10^{-16}$" in tex
    assert r"broken\_\allowbreak{}check" in tex and r"compared a \& b" in tex and r"iris\_50\%" in tex
    assert "off by 1/2" in tex
    assert r"\toprule" in tex and r"\bottomrule" in tex


@pytest.mark.skipif(not HAVE_TEX, reason=NO_TEX)
def test_chains_problems_and_statuses_compile(tmp_path):
    proof = ProofRecord(_chain_records(marked=True), problems=("result r_1 is not backed by a proved chain",))
    tex = tmp_path / "chains.tex"
    tex.write_text(render_document(Derivation("chains", "Chains"), proof), encoding="ascii")
    assert compile_pdf(tex, runs=1).read_bytes().startswith(b"%PDF")


def _generated_functions():
    """Every function defined in a numeric.generated module."""
    import importlib

    import numeric.generated as pkg

    for info in sorted(pkgutil.iter_modules(pkg.__path__), key=lambda m: m.name):
        mod = importlib.import_module(f"{pkg.__name__}.{info.name}")
        for name, fn in sorted(vars(mod).items()):
            if inspect.isfunction(fn) and fn.__module__ == mod.__name__:
                yield fn


def test_latexify_stages_print_what_get_latex_prints():
    """Where the function needs no reading as maths (no del, no x.sum()), running latexify's stages
    ourselves gives exactly latexify.get_latex's output."""
    import latexify

    compared = 0
    for fn in _generated_functions():
        if ".sum()" in inspect.getsource(fn):   # get_latex prints x.sum() as an empty \sum(): we read it
            continue
        try:
            expected = latexify.get_latex(fn, prefixes={"np"}, use_math_symbols=True)
        except Exception:       # a del, a loop or a method sum: get_latex cannot read it as it stands
            continue
        assert latexify_function(fn) == expected, fn.__qualname__
        compared += 1
    assert compared >= 3


def test_latexify_failure_falls_back_to_the_docstring_formula():
    from numeric.generated.depth import chain_forward     # a loop: latexify's function style has none

    doc = describe_function(chain_forward)
    text = render_function(doc)
    assert doc.latexify is None and "For" in doc.latexify_error
    assert "could not render this function" in text and "stands in for it" in text
    assert doc.formula and r"$h_0 = x$" in text and r"\begin{lstlisting}" in text
    assert text.isascii()


def test_latexify_renders_the_math_not_the_memory_bookkeeping():
    from numeric.generated.logistic import cross_entropy_value_and_grad

    doc = describe_function(cross_entropy_value_and_grad)
    assert "del t" in doc.source                       # the listing shows the code as it is
    assert doc.latexify is not None, doc.latexify_error
    # x.sum() is rendered as a sum of x, not an empty sum
    assert r"\sum \mathopen{}\left( t_{2} + \mathrm{log1p}" in doc.latexify and r"\sum t_{5}" in doc.latexify
    assert r"\left( \mathclose{}\right)" not in doc.latexify


def test_docstring_formula_and_latexify_both_shown():
    from numeric.generated.logistic import cross_entropy_hessian

    doc = describe_function(cross_entropy_hessian)
    text = render_function(doc)
    assert doc.latexify is not None and r"\mathrm{vstack}" in doc.latexify, doc.latexify_error
    assert r"\begin{gather*}" in text and r"\begin{lstlisting}" in text and text.isascii()


def test_a_check_that_raises_becomes_a_failed_row(monkeypatch):
    from numeric import checks

    def _boom():
        raise ValueError("no data")

    # the registry accepts only library names; swap the lookup instead of adding a check to one
    monkeypatch.setattr(checks, "for_derivation", lambda name: [_boom])
    results, _, _ = build.run_checks("sigmoid")
    assert len(results) == 1 and not results[0].passed and "ValueError: no data" in results[0].detail


# ---- reproducibility --------------------------------------------------------------------------

@_ONE_WORKER
def test_same_inputs_give_the_same_bytes(sigmoid_twice):
    a, b = sigmoid_twice
    ta, tb = _tree(a.tex_path.parent), _tree(b.tex_path.parent)
    assert sorted(ta) == sorted(tb)
    expected = {"sigmoid.tex", os.path.join("figures", "sigmoid-steepness-and-slope.pdf")}
    assert expected <= set(ta)
    if HAVE_TEX:
        assert "sigmoid.pdf" in ta
    for name in ta:
        assert ta[name] == tb[name], f"{name} differs between two builds"


@pytest.mark.slow
@pytest.mark.parametrize("derivation", ["lda-posterior", "logistic-gradient"])
def test_figures_are_byte_for_byte_reproducible(tmp_path, derivation):
    specs = figure_registry.figures_for(derivation)
    assert specs
    for spec in specs:
        p1, p2 = tmp_path / ("1" + spec.filename(derivation)), tmp_path / ("2" + spec.filename(derivation))
        c1, c2 = spec.fn(str(p1)), spec.fn(str(p2))
        assert c1 == c2 and p1.read_bytes() == p2.read_bytes()
        assert b"CreationDate" not in p1.read_bytes()


# ---- a real PDF -------------------------------------------------------------------------------

@pytest.mark.slow
@pytest.mark.skipif(not HAVE_TEX, reason=NO_TEX)
def test_lda_posterior_compiles_to_pdf(tmp_path):
    r = write_report("lda-posterior", tmp_path, pdf=True)
    pdf = r.pdf_path.read_bytes()
    assert r.proof.ok and pdf.startswith(b"%PDF") and len(pdf) > 20_000
    assert b"/CreationDate" not in pdf and b"/ModDate" not in pdf     # no timestamps
    assert b"PTEX.Fullbanner" not in pdf
    assert (tmp_path / "figures" / "lda-posterior-posterior-vs-sklearn.pdf").is_file()
    assert _entries(tmp_path) == ["figures", "figures/lda-posterior-posterior-vs-sklearn.pdf",
                                  "figures/lda-posterior-posterior-vs-sklearn.svg",   # for the HTML
                                  "lda-posterior.pdf", "lda-posterior.tex"]     # no aux, log or temp files


# ---- atomic writes ------------------------------------------------------------------------------

def _good_build(out, built):
    """A finished sigmoid build in `out`: the module's first build, copied (building it again costs ~10 s)."""
    shutil.copytree(built.tex_path.parent, out, dirs_exist_ok=True)
    return built, _tree(out), _entries(out)


@_ONE_WORKER
def test_a_failed_latex_run_leaves_the_previous_files_untouched(tmp_path, monkeypatch, sigmoid_twice):
    _, before, names = _good_build(tmp_path, sigmoid_twice[0])

    def failing_compile(tex):
        tex.with_suffix(".pdf").write_bytes(b"%PDF-1.5 half a file")        # pdflatex died mid-write
        tex.write_text("garbage")
        raise ReportError("pdflatex failed on sigmoid.tex (run 1, exit 1):\n! Emergency stop.")

    monkeypatch.setattr(build, "pdflatex_path", lambda: "/usr/bin/pdflatex")
    monkeypatch.setattr(build, "compile_pdf", failing_compile)
    with pytest.raises(ReportError, match="Emergency stop"):
        write_report("sigmoid", tmp_path, pdf=True)
    assert _tree(tmp_path) == before
    assert _entries(tmp_path) == names


@_ONE_WORKER
def test_an_interrupted_figure_leaves_the_previous_files_untouched(tmp_path, monkeypatch, sigmoid_twice):
    _, before, names = _good_build(tmp_path, sigmoid_twice[0])
    assert os.path.join("figures", "sigmoid-steepness-and-slope.pdf") in before

    def half_then_interrupt(path):
        with open(path, "wb") as fh:
            fh.write(b"%PDF-1.4 trunc")
        raise KeyboardInterrupt

    spec = figure_registry.FigureSpec("steepness-and-slope", ("sigmoid",), half_then_interrupt)
    monkeypatch.setattr(build.figure_registry, "figures_for", lambda name: [spec])
    with pytest.raises(KeyboardInterrupt):
        write_report("sigmoid", tmp_path, pdf=False)
    assert _tree(tmp_path) == before
    assert _entries(tmp_path) == names


@pytest.mark.skipif(not HAVE_TEX, reason=NO_TEX)
def test_real_latex_error_raises_report_error_with_the_log_and_keeps_the_good_pdf(tmp_path):
    z = sp.Symbol("z", real=True)
    good = Derivation("atomic-demo", "Atomic demo")
    good.step(sigmoid(-z), 1 - sigmoid(z), r"symmetry, $\sigma(-z) = 1 - \sigma(z)$")
    r = write_report(good, tmp_path, pdf=True)
    before, names = _tree(tmp_path), _entries(tmp_path)
    assert r.pdf_path.is_file()

    bad = Derivation("atomic-demo", "Atomic demo")
    bad.step(sigmoid(-z), 1 - sigmoid(z), r"symmetry \undefinedmacrofortest")
    with pytest.raises(ReportError) as err:
        write_report(bad, tmp_path, pdf=True)
    assert "Undefined control sequence" in str(err.value) and "atomic-demo.tex" in str(err.value)
    kept = {"atomic-demo.failed.tex", "atomic-demo.failed.log"}   # #14: kept for debugging, beside the good files
    after = _tree(tmp_path)
    assert {k: v for k, v in after.items() if k not in kept} == before and kept <= set(after)
    assert str(tmp_path / "atomic-demo.failed.tex") in str(err.value).splitlines()[0]
    assert b"undefinedmacrofortest" in after["atomic-demo.failed.tex"]
    assert [e for e in _entries(tmp_path) if e not in kept] == names
