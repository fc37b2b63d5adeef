r"""The book: every verified result in lecture order in one document, ``lecture.tex`` and ``lecture.pdf``.

It reuses what a build already computed (proofs, checks, the figures the per-derivation reports drew) and the
per-derivation renderers of document.py at one heading level down. Like write_report, everything is written into
a staging folder inside ``out_dir`` and moved into place only when every part succeeded.
"""
from __future__ import annotations

import os
import pathlib
import re
import shutil
import tempfile
from dataclasses import dataclass, field

from derivations import CHECKED, FAILED, PROVED

from . import book_plan
from . import build as report_build
from . import figures as figure_registry
from . import text as report_text
from .chains import LEGEND
from .document import MACROS, pdf_title, figure_captions, function_label, render_body
from .preamble import PREAMBLE
from .text import escape_code, escape_text, tex_source

STEM = "lecture"
TITLE = "The mathematics of deep learning, verified"
SUBTITLE = "The lecture, result by result: every step proved, every generated function checked"


class BookError(RuntimeError):
    """The book could not be built (a derivation without a place in it, or LaTeX failed)."""


@dataclass
class BookResult:
    tex_path: pathlib.Path
    pdf_path: pathlib.Path | None
    ok: bool = True                                   # every step proved, every check passed, every figure there
    figures_drawn: list = field(default_factory=list)  # figures that were missing and drawn for the book
    notes: list = field(default_factory=list)         # what was left out and why
    overfull: list = field(default_factory=list)      # pdflatex's "Overfull \hbox/\vbox" lines (none when clean)
    quiz: list = field(default_factory=list)          # the QuizAnswers printed


@dataclass
class _Record:
    derivation: object
    proof: object
    checks: list


def _records(verified) -> dict:
    """{name: _Record} from {name: (proof, checks)}, {name: Verified} or a list of Verified records."""
    import derivations

    if not isinstance(verified, dict):
        verified = {v.derivation.name: v for v in verified}
    out = {}
    for name, v in verified.items():
        if isinstance(v, tuple):
            proof, checks = v
            out[name] = _Record(derivations.get(name), proof, list(checks or ()))
        else:
            out[name] = _Record(v.derivation, v.proof, list(v.checks or ()))
    return out


def section_label(name: str) -> str:
    """The LaTeX label of a derivation's section in the book (the quiz and the index link to it)."""
    return "sec:" + report_build._safe_stem(name)


def _passes(rec: _Record) -> bool:
    return rec.proof.passes(False) and all(c.passed for c in rec.checks)


# ---- figures: reuse what the per-derivation reports drew, draw only what is missing ---------------------------

def _figures(rec: _Record, out: pathlib.Path, staging: pathlib.Path, tell, shown_in=None):
    """([(relative path, caption LaTeX)], [files drawn into staging], notes, [LaTeX of figures shown elsewhere])
    for one derivation's figures.

    ``shown_in`` ({FigureSpec: derivation name}, filled in book order): a figure registered for several
    derivations (``shared=True``) is printed once, in the first section it belongs to; a later section
    points to it instead. Each derivation's own page keeps all its figures."""
    stem = report_build._safe_stem(rec.derivation.name)
    page = out / f"{stem}.tex"
    captions = figure_captions(page.read_text(encoding="ascii", errors="replace")) if page.is_file() else {}
    shown, drawn, notes, elsewhere = [], [], [], []
    shown_in = {} if shown_in is None else shown_in
    for spec in figure_registry.figures_for(rec.derivation):
        if spec in shown_in:
            elsewhere.append(r"The figure ``%s'' of this result is shown with %s."
                             % (escape_text(spec.name.replace("-", " ")), _cite(shown_in[spec], {shown_in[spec]})))
            continue
        shown_in[spec] = rec.derivation.name
        rel = f"figures/{spec.filename(stem)}"
        if (out / rel).is_file() and rel in captions:
            _link_or_copy(out / rel, staging / rel)
            shown.append((rel, captions[rel]))
            continue
        tell(f"figure {spec.name} (missing from {out / 'figures'}: drawing it)")
        made, failed = report_build._draw([spec], staging / "figures", stem, lambda _what: None)
        notes += failed
        for fname, caption in made:
            shown.append((f"figures/{fname}", " ".join(tex_source(caption).splitlines())))
            drawn.append(fname)
    return shown, drawn, notes, elsewhere


def _link_or_copy(src: pathlib.Path, dst: pathlib.Path):
    """`src` visible at `dst` for pdflatex in staging: a hard link when the file system allows, else a copy."""
    try:
        os.link(src, dst)
    except OSError:
        shutil.copyfile(src, dst)


# ---- the text ------------------------------------------------------------------------------------------------

def _title_page(records: dict) -> list[str]:
    steps = [s for r in records.values() for s in r.proof.steps]
    proved = sum(s.status == PROVED for s in steps)
    checks = [c for r in records.values() for c in r.checks]
    facts = [r"%d results of the lecture, %d derivation steps: %d proved, %d only checked, %d failed"
             % (len(records), len(steps), proved, sum(s.status == CHECKED for s in steps),
                sum(s.status == FAILED for s in steps)),
             r"%d of %d numeric checks pass" % (sum(bool(c.passed) for c in checks), len(checks))]
    return [r"\begin{titlepage}", r"\centering\vspace*{0.25\textheight}",
            r"{\Huge\bfseries %s\par}\bigskip" % TITLE,
            r"{\Large %s\par}\vspace{2cm}" % SUBTITLE,
            r"{\large %s\par}" % r"\par\smallskip ".join(facts),
            r"\vfill{\small Written by \texttt{deepderive build} from the derivations it verified, the code it "
            r"generated and the checks it ran.\par}", r"\end{titlepage}"]


def _reading_guide() -> list[str]:
    return [r"\chapter*{How to read this book}", r"\addcontentsline{toc}{chapter}{How to read this book}",
            r"Each chapter is a part of the lecture; each section one of its results, in the lecture's order. A "
            r"result shows its statement, its derivation as chains of equalities, each step with its "
            r"justification and its status, the NumPy code generated from its closed forms (as latexify-py "
            r"renders it, and as source), the numeric checks of that code against independent oracles, and its "
            r"figures. The statuses:", LEGEND,
            r"After the chapters: an index of every generated function with its signature, and the lecture's "
            r"closing quiz, answered from the results and the numbers of this build."]


def _chapter(ch, records, bodies) -> list[str]:
    out = [r"\chapter{%s}" % escape_text(ch.title), ch.intro]
    for name in ch.names:
        out += bodies[name]
    return out


def _tt(s: str, after: str = ".") -> str:
    r"""Typewriter text (straight quotes) that may break at its spaces and after the characters `after` only,
    never inside an identifier or right after an opening parenthesis (cmtt never hyphenates)."""
    return r"\texttt{%s}" % re.sub("([%s])" % re.escape(after), r"\1\\allowbreak{}", escape_code(s))


def _index(entries, present) -> list[str]:
    out = [r"\chapter{Index of generated functions}",
           r"Every function of \texttt{numeric.generated}, with the result it is derived from, its signature and "
           r"the summary of its docstring; each name links to the function's formula, latexified form and "
           r"source in its result's section. Importing any of them costs NumPy alone.",
           r"\begin{itemize}\small\raggedright"]
    for e in entries:
        target = (r"\hyperref[%s]{%s}" % (function_label(e.qualname), _tt(e.qualname))
                  if e.derivation in present else _tt(e.qualname))
        source = (r"\hyperref[%s]{\texttt{%s}}" % (section_label(e.derivation), escape_text(e.derivation))
                  if e.derivation in present else r"\texttt{%s} (not in this book)" % escape_text(e.derivation))
        # the docstring's summary (its first paragraph) is words and $LaTeX$ formulas, set as the function's
        # section sets it; the signature is code, breaking at its spaces and after "=" only
        out.append(r"\item %s\quad{\color{ddgray}derived in %s}\\ %s\\ {\color{ddgray}docstring:} %s"
                   % (target, source, _tt(e.signature, after="="), tex_source(e.summary)))
    out.append(r"\end{itemize}")
    return out


_FIELD_WORDS = {"max_abs_err": "column ``max abs err''", "max_rel_err": "column ``max rel err''",
                "tolerance": "column ``tolerance''"}


def _cite(name, present) -> str:
    if name in present:
        return r"\hyperref[%s]{\texttt{%s}}" % (section_label(name), escape_text(name))
    return r"\texttt{%s} (not in this book)" % escape_text(name)


def _row_number(records, cited) -> str:
    """The 1-based row of the cited check in its derivation's checks table ("?" if it is not there)."""
    rec = records.get(cited.derivation)
    rows = [k for k, c in enumerate(rec.checks if rec else (), 1) if c.name == cited.check]
    return str(rows[0]) if rows else "?"


def _quiz(answers, present, records) -> list[str]:
    out = [r"\chapter{The closing quiz, answered}",
           r"The lecture ends with six questions. Each answer rests on results proved in this book (linked) and "
           r"quotes numbers measured by their checks in this build; the source of every number is listed under "
           r"its answer."]
    for a in answers:
        out += [r"\section{%s}" % escape_text(a.question), a.answer,
                r"\par{\small\textbf{Rests on:} %s.\par}" % ", ".join(_cite(n, present) for n in a.cites)]
        if a.numbers:
            # a check is named by its row in its result's checks table (its name is an identifier, not maths)
            rows = [r"\item $%s$: check %s of %s, %s" % (c.text, _row_number(records, c), _cite(c.derivation, present),
                                                          _FIELD_WORDS[c.field])
                    for c in a.numbers]
            out.append(r"{\small\textbf{Numbers from:}\begin{itemize}\setlength{\itemsep}{0pt}" + "\n"
                       + "\n".join(rows) + r"\end{itemize}}")
        if a.missing:
            out.append(r"\ddnote{Not measured in this build: %s.}" % escape_text("; ".join(a.missing)))
    return out


def render_book(records: dict, bodies: dict, chapters, index, answers) -> str:
    """The whole lecture.tex: title page, contents, reading guide, chapters, index, quiz."""
    present = set(records)
    preamble = PREAMBLE.rstrip("\n")
    if "]{article}" not in preamble:
        raise BookError("the report preamble no longer starts with the article class; book.py turns it into "
                        "a report (chapters)")
    out = [preamble.replace("]{article}", "]{report}", 1), MACROS,
           r"\hypersetup{pdftitle={%s}}" % pdf_title(TITLE), r"\setcounter{tocdepth}{1}",
           # a few statements and justifications hold long inline formulas with few break points: let TeX
           # stretch the spaces of such a line further rather than run the formula into the margin
           r"\tolerance=4000 \emergencystretch=5em",
           r"\begin{document}", r"\pagenumbering{roman}"]
    out += _title_page(records)
    out += _reading_guide()          # before the contents: its page number does not depend on their length
    out += [r"{\hyphenpenalty=10000 \exhyphenpenalty=10000 \tableofcontents}"]   # no hyphens in titles there
    # arabic numbers restart here, so the pages of the contents cannot shift the numbers it lists
    out += [r"\cleardoublepage\pagenumbering{arabic}"]
    for ch in chapters:
        if ch.names:
            out += _chapter(ch, records, bodies)
    out += _index(index, present)
    out += _quiz(answers, present, records)
    out.append(r"\end{document}")
    return "\n".join(out) + "\n"


def ascii_tex(tex: str) -> bytes:
    """The book's .tex as ASCII bytes; a character that escaped the text tables is a BookError naming it and its
    line (encoding with "replace" would print it as a silent "?")."""
    try:
        return report_text.ascii_tex(tex, f"{STEM}.tex")
    except report_text.UnmappedCharacter as exc:
        raise BookError(str(exc)) from None


def _overfull(log: pathlib.Path) -> list[str]:
    if not log.is_file():
        return []
    return [ln for ln in log.read_text(encoding="latin-1").splitlines() if ln.startswith("Overfull \\")]


# ---- the file ------------------------------------------------------------------------------------------------

def write_book(verified, out_dir="reports", pdf=None, progress=None) -> BookResult:
    """Write ``<out_dir>/lecture.tex`` (and ``lecture.pdf``) from what a build verified.

    ``verified``: {name: (proof, checks)}, {name: Verified} or a list of Verified records; nothing is proved
    again. ``pdf``: True builds the PDF (BookError without pdflatex), False skips it, None builds it when
    pdflatex is on PATH. ``progress(i, n, what)`` is called before each stage. Figures already drawn by the
    per-derivation reports in ``<out_dir>/figures`` are reused; missing ones are drawn. The book is written
    whatever the verdicts (it shows them); ``ok`` is True only when every step is proved, every check passed
    and every figure is there. Raises BookError when LaTeX fails; nothing in ``out_dir`` changes then."""
    records = _records(verified)
    out = pathlib.Path(out_dir)
    build_pdf = (report_build.pdflatex_path() is not None) if pdf is None else bool(pdf)
    if build_pdf and report_build.pdflatex_path() is None:
        raise BookError("a PDF was requested but pdflatex is not on PATH")
    try:
        chapters = book_plan.chapters([r.derivation for r in records.values()])
    except book_plan.PlanError as exc:
        raise BookError(str(exc)) from None
    order = [n for ch in chapters for n in ch.names]
    total = len(order) + 2 + build_pdf
    step = iter(range(1, total + 1))

    def tell(what):
        if progress:
            progress(next(step), total, what)

    out.mkdir(parents=True, exist_ok=True)
    report_build.remove_stale_tmp(out)
    staging = pathlib.Path(tempfile.mkdtemp(prefix=f".{STEM}.", suffix=".tmp", dir=out))
    ok, notes, drawn, overfull = all(_passes(r) for r in records.values()), [], [], []
    try:
        (staging / "figures").mkdir()
        bodies, shown_in = {}, {}
        for name in order:
            tell(f"section {name}")
            rec = records[name]
            functions, code_notes = report_build.generated_functions(name)
            shown, made, fig_notes, elsewhere = _figures(rec, out, staging, tell=lambda what: None, shown_in=shown_in)
            drawn += made
            ok = ok and not fig_notes
            notes += [f"{name}: {n}" for n in code_notes + fig_notes]
            bodies[name] = render_body(rec.derivation, rec.proof, level=1, functions=functions, checks=rec.checks,
                                       figures=shown, notes=code_notes + fig_notes, caption_is_tex=True,
                                       label=section_label(name), legend=False, figures_elsewhere=elsewhere)
        tell("index and quiz")
        answers = book_plan.quiz(book_plan.evidence_of({n: r.checks for n, r in records.items()}))
        tell(f"writing {STEM}.tex")
        tex = staging / f"{STEM}.tex"
        tex.write_bytes(ascii_tex(render_book(records, bodies, chapters, book_plan.generated_index(), answers)))
        staged_pdf = None
        if build_pdf:
            tell(f"pdflatex {STEM}.tex")
            try:
                staged_pdf = report_build._pdf(tex)
            except report_build.ReportError as exc:
                raise BookError(str(exc)) from None
            overfull = _overfull(tex.with_suffix(".log"))
        for fname in drawn:   # every part succeeded: install
            (out / "figures").mkdir(exist_ok=True)
            report_build.install(staging / "figures" / fname, out / "figures" / fname)
        report_build.install(tex, out / f"{STEM}.tex")
        pdf_path = None
        if staged_pdf is not None:
            report_build.install(staged_pdf, out / f"{STEM}.pdf")
            pdf_path = out / f"{STEM}.pdf"
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return BookResult(out / f"{STEM}.tex", pdf_path, ok, [out / "figures" / f for f in drawn], notes, overfull,
                      answers)
