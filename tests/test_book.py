"""Tests for the book: its plan (chapters, index, quiz), the LaTeX it writes and the PDF it compiles."""
import ast
import inspect
import pathlib
import re
import subprocess
from types import SimpleNamespace

import pytest

import derivations
from deepderive.io import pdflatex_path
from deepderive.report import book_plan
from deepderive.report.book import STEM, section_label, write_book
from deepderive.report.document import MACROS, _figures_section, figure_captions, render_figure
from deepderive.report.preamble import PREAMBLE
from numeric.checks.result import CheckResult

HAVE_TEX = pdflatex_path() is not None
NO_TEX = "pdflatex is not on PATH (install texlive-latex-base and texlive-latex-recommended)"
LECTURE = pathlib.Path("/work/shared/lecture.md")
# The parts of the lecture in its order, as /work/shared/lecture.md heads them (## ...), with their results.
PART_HEADS = ["Linear units", "From LDA to logistic regression", "Optimisation",
              "Networks and automatic differentiation", "Depth", "Capacity"]


def _fake(name, source):
    return SimpleNamespace(name=name, source=source)


# ---- chapters ------------------------------------------------------------------------------------------------

def test_every_registered_derivation_is_in_exactly_one_chapter():
    placed = [n for ch in book_plan.chapters() for n in ch.names]
    assert sorted(placed) == sorted(derivations.names())
    assert len(placed) == len(set(placed))


def test_chapters_follow_the_lecture_parts_in_order():
    assert [ch.title for ch in book_plan.chapters()] == PART_HEADS
    if LECTURE.is_file():   # the lecture's own part headings, in its order
        heads = re.findall(r"^## (.+)$", LECTURE.read_text(encoding="utf-8"), re.M)
        assert [h for h in heads if h in PART_HEADS] == PART_HEADS


def test_derivations_sorted_by_first_result_number_then_name_and_in_the_right_part():
    for k, ch in enumerate(book_plan.chapters()):
        firsts = [book_plan.first_result(derivations.get(n).source) for n in ch.names]
        keys = list(zip(firsts, ch.names))
        assert keys == sorted(keys)
        lo, hi = book_plan.PARTS[k][:2]
        assert all(lo <= r <= hi for r in firsts), (ch.title, firsts)


def test_first_result_reads_ranges_and_lists():
    assert book_plan.first_result("R6, R20") == 6
    assert book_plan.first_result("R15\u2013R17") == 15
    assert book_plan.first_result("R3-R5") == 3
    with pytest.raises(book_plan.PlanError, match="names no lecture result"):
        book_plan.first_result("lemma 2")


def test_a_new_derivation_joins_its_part_without_edits_and_an_unplaceable_one_is_named():
    chs = book_plan.chapters([_fake("b-new", "R13"), _fake("a-new", "R13"), _fake("first", "R10, R12")])
    assert chs[2].names == ("first", "a-new", "b-new") and not any(c.names for k, c in enumerate(chs) if k != 2)
    with pytest.raises(book_plan.PlanError, match="'stray'.*R99"):
        book_plan.chapters([_fake("stray", "R99")])
    with pytest.raises(book_plan.PlanError, match="'nosource'"):
        book_plan.chapters([_fake("nosource", "")])


# ---- index of generated functions ----------------------------------------------------------------------------

def _derived_from_by_parsing():
    """{qualified name: derivation} read from the generated modules' source text (no import)."""
    import numeric.generated as pkg

    out = {}
    for path in sorted(pathlib.Path(pkg.__path__[0]).glob("*.py")):
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "DERIVED_FROM" for t in node.targets):
                for fname, dname in ast.literal_eval(node.value).items():
                    out[f"numeric.generated.{path.stem}.{fname}"] = dname
    return out


def test_index_lists_every_generated_function_with_its_signature_and_derivation():
    index = book_plan.generated_index()
    assert {e.qualname: e.derivation for e in index} == _derived_from_by_parsing()
    assert [e.qualname for e in index] == sorted(e.qualname for e in index)
    import importlib
    for qualname, signature, summary, dname in index:
        mod, _, fname = qualname.rpartition(".")
        fn = getattr(importlib.import_module(mod), fname)
        assert signature == fname + str(inspect.signature(fn))
        assert summary and summary.split()[0] in inspect.getdoc(fn)
        assert dname in derivations.names()


# ---- quiz ----------------------------------------------------------------------------------------------------

def _evidence_for(wanted):
    """Check rows for every (derivation, name prefix) the quiz asked for, with distinct made-up numbers."""
    evidence = {}
    for k, item in enumerate(wanted):
        dname, _, prefix = item.partition(": ")
        row = CheckResult(dname, f"{prefix} (test row)", "c", "d", max_abs_err=1.25e-9 * (k + 1),
                          max_rel_err=0.5 + k, tolerance=3.0 ** -k, passed=k % 5 != 0)
        evidence.setdefault(dname, []).append(row)
    return evidence


def test_quiz_answers_six_questions_citing_registered_results_and_the_numbers_passed_in():
    empty = book_plan.quiz({})
    assert len(empty) == 6 and all(a.missing and not a.numbers for a in empty)
    with pytest.raises(book_plan.MissingEvidence):
        book_plan.quiz({}, strict=True)
    evidence = _evidence_for(sorted({m for a in empty for m in a.missing}))
    answers = book_plan.quiz(evidence, strict=True)
    topics = ["sigmoid", "SGD", "automatic differentiation", "saturating", "initialisation", "universal"]
    assert [t.lower() in a.question.lower() for t, a in zip(topics, answers)] == [True] * 6
    for a in answers:
        assert a.cites and set(a.cites) <= set(derivations.names())
        assert a.numbers and not a.missing
        assert a.answer.count("$") % 2 == 0
        for c in a.numbers:
            rows = [r for r in evidence[c.derivation] if r.name == c.check]
            assert len(rows) == 1 and getattr(rows[0], c.field) == c.value
            assert "$%s$" % c.text in a.answer
            assert c.text == book_plan.tex_number(c.value, len(re.sub(r"\D", "", c.text.split("\\")[0])) or 3) \
                or c.text == book_plan.tex_number(c.value)
        # "k of n checks of the cited results pass": counted over every result the answer cites
        passed = re.findall(r"(\d+) of (\d+) checks of the (?:\w+ )?cited results pass", a.answer)
        rows = [r for n in a.cites for r in evidence.get(n, ())]
        assert passed == [(str(sum(r.passed for r in rows)), str(len(rows)))], a.question


def test_quiz_number_printing():
    assert book_plan.tex_number(1.3877787807814457e-15) == r"1.39\times 10^{-15}"
    assert book_plan.tex_number(1e-6) == "10^{-6}"
    assert book_plan.tex_number(0.0371) == "0.0371" and book_plan.tex_number(0.0) == "0"
    assert book_plan.tex_number(0.9999945094538552, 7) == "0.9999945"


# ---- the LaTeX and the PDF -------------------------------------------------------------------------------------

SMALL = ("soft-heaviside", "logistic-loss-pm1", "barron")   # two chapters; code, figures; cheap checks


def _pages_with_figures(out, names):
    """What a build's per-derivation reports leave in `out` for the book to reuse: each registered figure of
    `names` as a file in out/figures, shown on the page out/<name>.tex (one small stand-in figure, so the test
    does not spend seconds drawing the real ones). Returns {figure path: caption}."""
    from matplotlib.figure import Figure
    from deepderive.report import figures as figure_registry

    (out / "figures").mkdir()
    fig = Figure(figsize=(4, 2))
    fig.add_subplot().plot([0, 1], [0, 1])
    fig.savefig(out / "figures" / "stand-in.pdf")
    shown = {}
    for name in names:
        lines = ["page"]
        for spec in figure_registry.figures_for(name):
            rel = f"figures/{spec.filename(name)}"
            (out / rel).write_bytes((out / "figures" / "stand-in.pdf").read_bytes())
            shown[rel] = r"Stand-in for %s: $\sigma(kz)$, 100\%% reused." % spec.name
            lines.append(render_figure(rel, shown[rel], caption_is_tex=True))
        (out / f"{name}.tex").write_text("\n".join(lines), encoding="ascii")
    return shown


@pytest.fixture(scope="module")
def small_book(tmp_path_factory, library_proof):
    """The book of three small derivations (their real proofs and checks), compiled when pdflatex exists."""
    from numeric import checks

    out = tmp_path_factory.mktemp("book")
    shown = _pages_with_figures(out, SMALL)
    verified = {n: (library_proof(n), checks.run(n, catch=True)) for n in SMALL}
    return write_book(verified, out_dir=out, pdf=HAVE_TEX), out, shown


def test_book_tex_has_every_part_in_order_and_links_that_resolve(small_book):
    r, out, _shown = small_book
    tex = r.tex_path.read_text(encoding="ascii")
    assert r.tex_path == out / f"{STEM}.tex" and r.ok and not r.notes
    order = [tex.index(s) for s in (r"\begin{titlepage}", r"\tableofcontents",
                                    r"\chapter{From LDA to logistic regression}", section_label("soft-heaviside"),
                                    section_label("logistic-loss-pm1"), r"\chapter{Capacity}", section_label("barron"),
                                    r"\chapter{Index of generated functions}", r"\chapter{The closing quiz, answered}")]
    assert order == sorted(order)
    assert r"\chapter{Optimisation}" not in tex        # parts with none of the given results are left out
    assert r"\hyperref[fn:numeric.generated.logistic.logistic-loss]" in tex   # the index links to the function
    labels = set(re.findall(r"\\label\{([^}]*)\}", tex))
    for target in re.findall(r"\\hyperref\[([^\]]*)\]", tex):
        assert target in labels, target
    for n in SMALL:   # each result: statement, derivation, checks; figures from the registry
        body = tex[tex.index(section_label(n)):]
        assert r"\subsection{Statement}" in body and r"\subsection{Derivation}" in body
    assert r"\subsection{Figures}" in tex
    assert len(r.quiz) == 6 and all(r"\section{%s}" % a.question in tex for a in r.quiz)
    assert not list(out.glob(".*.tmp"))


def test_book_reuses_the_figures_the_pages_drew(small_book):
    r, out, shown = small_book
    tex = r.tex_path.read_text(encoding="ascii")
    assert shown and r.figures_drawn == []
    for rel, caption in shown.items():
        assert render_figure(rel, caption, caption_is_tex=True) in tex
    page = "\n".join(["x", render_figure("figures/d-f.pdf", r"A caption with $\sigma$ and 50\%."), "y"])
    assert figure_captions(page) == {"figures/d-f.pdf": r"A caption with $\sigma$ and 50\%."}


@pytest.mark.skipif(not HAVE_TEX, reason=NO_TEX)
def test_book_pdf_compiles_without_overfull_boxes(small_book):
    r, out, _shown = small_book
    assert r.pdf_path == out / f"{STEM}.pdf" and r.pdf_path.read_bytes().startswith(b"%PDF")
    assert r.overfull == []




# ---- the orphaned "Figures" heading (issue #14) -------------------------------------------------------------------

def _page_of(aux: str, label: str) -> int:
    m = re.search(r"\\newlabel\{%s\}\{\{[^}]*\}\{(\d+)\}" % re.escape(label), aux)
    assert m, f"label {label} not in the .aux"
    return int(m.group(1))


@pytest.mark.skipif(not HAVE_TEX, reason=NO_TEX)
def test_figures_heading_stays_with_its_first_figure(tmp_path):
    """With less room left on the page than the first figure needs (but more than the old 0.4 textheight guard),
    the heading must move to the next page with the figure, not stay alone at the foot."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(4, 4))
    fig.add_subplot().plot([0, 1], [1, 0])
    fig.savefig(tmp_path / "square.png", dpi=30)
    part = "\n".join(_figures_section([("square.png", r"A square figure.\label{first-figure}")], level=0))
    part = part.replace(r"\section{Figures}", r"\section{Figures}\label{figures-heading}", 1)
    assert part.count(r"\section{Figures}") == 1
    doc = "\n".join([PREAMBLE, MACROS, r"\begin{document}", r"\section{Before}",
                     r"\rule{1pt}{0.5\textheight}\par", part, r"\end{document}"])
    (tmp_path / "orphan.tex").write_text(doc, encoding="ascii")
    subprocess.run([pdflatex_path(), "-interaction=nonstopmode", "-halt-on-error", "orphan.tex"], cwd=tmp_path,
                   stdout=subprocess.DEVNULL, check=True, timeout=120)
    aux = (tmp_path / "orphan.aux").read_text(encoding="latin-1")
    assert _page_of(aux, "figures-heading") == _page_of(aux, "first-figure")


# ---- the command line: `deepderive build` and `deepderive book` write it through write_lecture ------------------

def test_write_lecture_exit_codes(tmp_path, capsys, library_proof):
    """0 when everything passed, 1 when a check failed or the book cannot be built; 2 for a bad option."""
    from deepderive.cli import Verified, main, write_lecture

    _pages_with_figures(tmp_path, SMALL)
    vs = [Verified(derivations.get(n), library_proof(n), []) for n in ("barron",)]
    assert write_lecture(vs, out=tmp_path, pdf=False) == 0
    assert f"wrote {tmp_path / 'lecture.tex'}" in capsys.readouterr().out
    failed = CheckResult("barron", "a failed row", "c", "d", 1.0, 1.0, 0.5, False)
    vs_failed = [Verified(vs[0].derivation, vs[0].proof, [failed])]
    assert write_lecture(vs_failed, out=tmp_path, pdf=False) == 1
    assert "a failed row" in (tmp_path / "lecture.tex").read_text(encoding="ascii")
    stray = Verified(SimpleNamespace(name="stray", source="R99", title="t"), vs[0].proof, [])
    assert write_lecture([stray], out=tmp_path, pdf=False) == 1
    assert "book: derivation 'stray'" in capsys.readouterr().err
    assert main(["book", "--no-such-option"]) == 2


def test_book_tex_is_deterministic(tmp_path, library_proof):
    """Same records, same bytes (no dates, no dict-order or set-order effects)."""
    verified = {"barron": (library_proof("barron"), [])}
    texts = []
    for sub in ("a", "b"):
        (tmp_path / sub).mkdir()
        _pages_with_figures(tmp_path / sub, ["barron"])
        texts.append(write_book(verified, out_dir=tmp_path / sub, pdf=False).tex_path.read_bytes())
    assert texts[0] == texts[1]


# ---- issue #14 defects in the book's text ------------------------------------------------------------------------

def test_no_character_became_a_question_mark(small_book):
    r, _out, _shown = small_book
    tex = r.tex_path.read_text(encoding="ascii")
    questions = {a.question for a in r.quiz}
    for line in tex.splitlines():
        if "?" in line:      # only the failed-step mark and the quiz's questions hold one
            assert r"\overset{?}" in line or any(q in line for q in questions), line


def test_the_book_refuses_a_character_it_cannot_write():
    from deepderive.report.book import BookError, ascii_tex

    assert ascii_tex("plain") == b"plain"
    with pytest.raises(BookError, match=r"U\+4E2D .* line 2"):
        ascii_tex("a\nb \u4e2d")


def test_quiz_names_the_lda_prior_as_the_derivation_does():
    statement = derivations.get("lda-posterior").statement
    prior = re.search(r"(\\[A-Za-z]+) = P\(y=1\)", statement).group(1)      # the statement's name for the prior
    answer = book_plan.quiz({})[0].answer
    assert "%s = P(y=1)" % prior in answer and prior != r"\pi"
    for a in book_plan.quiz({}):                  # pi only as the circle constant, never as a probability
        assert not re.search(r"\\pi\s*=\s*P\(", a.answer) and not re.search(r"\\pi\s*=\s*P\(", a.question)


def test_a_shared_figure_is_printed_once_in_the_book(tmp_path, monkeypatch, library_proof):
    from deepderive.report import figures as figure_registry

    figure_registry._load()
    names = ("soft-heaviside", "logistic-loss-pm1")               # book order: R6 before R8
    shared = figure_registry.FigureSpec("shared-probe", names, lambda path: "never drawn", shared=True)
    monkeypatch.setattr(figure_registry, "_FIGURES", figure_registry._FIGURES + [shared])
    _pages_with_figures(tmp_path, names)
    r = write_book({n: (library_proof(n), []) for n in names}, out_dir=tmp_path, pdf=False)
    tex = r.tex_path.read_text(encoding="ascii")
    assert tex.count("shared-probe.pdf") == 1 and "{figures/soft-heaviside-shared-probe.pdf}" in tex
    second = tex[tex.index(section_label("logistic-loss-pm1")):]
    assert r"``shared probe'' of this result is shown with \hyperref[%s]" % section_label("soft-heaviside") in second
    assert r.ok and r.figures_drawn == []


def test_pdf_and_html_titles_come_from_one_function():
    from deepderive.report.document import title_tex as _title, result_title

    d = SimpleNamespace(name="n", title="Gradient  descent:\n the law 0 < \u03b3 < 2")
    assert result_title(d) == "Gradient descent: the law 0 < \u03b3 < 2"
    assert _title(d) == r"Gradient descent: the law 0 \textless{} \ensuremath{\gamma} \textless{} 2"
