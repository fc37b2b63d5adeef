"""The lecture as one self-contained HTML file: title, contents, chapters, index of generated functions, quiz."""
from __future__ import annotations

import os
import pathlib
import re
import secrets
from collections import Counter
from dataclasses import dataclass
from html import escape

from derivations.registry import is_registered

from .. import book_plan
from .chains import LEGEND
from .code import function_id, summary_html
from .figures import render_figures, reused
from .latex_text import latex_to_html, plain_to_html
from .page import anchor, render_section, title_html
from .style import CSS

TITLE = "The mathematics of deep learning, derived and verified"
BOOK_NAME = "lecture.html"


@dataclass(frozen=True)
class Record:
    """One derivation of the book with what the build computed for it."""

    derivation: object
    proof: object
    checks: list


def records(verified) -> list[Record]:
    """Normalise what a build computed: {name: Verified}, {name: (proof, checks)} or [Verified]."""
    from derivations.registry import get

    items = verified.items() if isinstance(verified, dict) else ((None, v) for v in verified)
    out = []
    for name, v in items:
        if isinstance(v, tuple):     # the proof knows its derivation: a user's one keeps its own name
            proof, checks = v
            d = getattr(proof, "derivation", None) or get(name)
        else:
            d, proof, checks = v.derivation, v.proof, v.checks
        out.append(Record(d, proof, list(checks or [])))
    return out


def _functions(name: str):
    from ..build import generated_functions

    return generated_functions(name)


def _toc(chapters, has_quiz: bool) -> str:
    items = []
    for k, ch in enumerate(chapters, 1):
        subs = "".join('<li><a href="#%s">%s</a></li>' % (anchor(d.name), title_html(d)) for d in ch[1])
        items.append('<li><a href="#ch-%d">%s</a><ol>%s</ol></li>' % (k, latex_to_html(ch[0].title), subs))
    items.append('<li><a href="#index">Index of generated functions</a></li>')
    if has_quiz:
        items.append('<li><a href="#quiz">The quiz, answered</a></li>')
    return '<nav class="toc"><h2 id="contents">Contents</h2><ol>%s</ol></nav>' % "".join(items)


def _cite(name: str, present: set) -> str:
    return ('<a href="#%s"><code>%s</code></a>' % (anchor(name), escape(name)) if name in present
            else "<code>%s</code>" % escape(name))


def _index(entries, present: set, documented: set) -> str:
    rows = []
    for e in entries:
        qual = escape(e.qualname)
        fn = '<a href="#%s"><code>%s</code></a>' % (function_id(e.qualname), qual) if e.qualname in documented \
            else "<code>%s</code>" % qual
        rows.append("<tr><td>%s<br><code>%s</code></td><td>%s</td><td>%s</td></tr>"
                    % (fn, escape(e.signature), summary_html(e.summary), _cite(e.derivation, present)))
    return ('<section id="index"><h2>Index of generated functions</h2><div class="scroll"><table class="index">'
            "<thead><tr><th>function and signature</th><th>what it computes</th><th>derived in</th></tr></thead>"
            "<tbody>%s</tbody></table></div></section>" % "".join(rows))


#: the checks-table column each cited field is read from (the PDF's quiz says the same)
FIELD_COLUMN = {"max_abs_err": "max abs err", "max_rel_err": "max rel err", "tolerance": "tolerance"}


def _row_number(checks_of: dict, cited) -> str:
    """The 1-based row of the cited check in its derivation's checks table ("?" if it is not there)."""
    rows = [k for k, c in enumerate(checks_of.get(cited.derivation, ()), 1) if c.name == cited.check]
    return str(rows[0]) if rows else "?"


def _numbers_from(a, present: set, checks_of: dict) -> str:
    """Where each number an answer quotes comes from: its check row and column, as the PDF lists them; and
    the check rows this build did not run."""
    out = ""
    if a.numbers:
        rows = "".join("<li>%s: check %s of %s, column \u201c%s\u201d</li>"
                       % (latex_to_html("$%s$" % c.text), _row_number(checks_of, c), _cite(c.derivation, present),
                          FIELD_COLUMN[c.field]) for c in a.numbers)
        out += '<div class="numbers"><strong>Numbers from:</strong><ul>%s</ul></div>' % rows
    if a.missing:
        out += '<p class="note">Not measured in this build: %s.</p>' % plain_to_html("; ".join(a.missing))
    return out


def _quiz(answers, present: set, checks_of: dict) -> str:
    items = "".join('<dt>%d. %s</dt><dd>%s<p class="cites">rests on: %s</p>%s</dd>'
                    % (k, latex_to_html(a.question), latex_to_html(a.answer, paragraphs=True),
                       ", ".join(_cite(c, present) for c in a.cites), _numbers_from(a, present, checks_of))
                    for k, a in enumerate(answers, 1))
    return ('<section id="quiz"><h2>The quiz, answered</h2><p>The closing quiz of the lecture, each answer '
            "citing the results and the numbers of this build it rests on; the source of every number is listed "
            "under its answer.</p><dl class=\"quiz\">%s</dl></section>" % items)


def render_book(recs, *, figures=None, reports=None, progress=None) -> str:
    """The whole page. ``figures``: {name: [(file, caption)]} already drawn (their SVG/PNG siblings are
    embedded); ``reports``: a folder whose per-derivation pages (.tex and figures/) a build wrote, whose
    figures are reused; a derivation's figures found in neither are drawn now."""
    recs = list(recs)
    by_name = {r.derivation.name: r for r in recs}
    plan = [(ch, [by_name[n].derivation for n in ch.names])
            for ch in book_plan.chapters([r.derivation for r in recs]) if ch.names]
    present = set(by_name)
    checks_of = {r.derivation.name: r.checks for r in recs}
    answers = book_plan.quiz(checks_of)
    body, documented, k_done = [], set(), 0
    for k, (ch, ds) in enumerate(plan, 1):
        body.append('<h2 id="ch-%d">%d. %s</h2><div class="intro">%s</div>'
                    % (k, k, latex_to_html(ch.title), latex_to_html(ch.intro, paragraphs=True)))
        for d in ds:
            k_done += 1
            if progress:
                progress(k_done, len(recs), d.name)
            r = by_name[d.name]
            registered = is_registered(d)     # a user's derivation has no generated code and no checks
            functions, notes = _functions(d.name) if registered else ([], [])
            documented |= {f.qualname for f in functions}
            given = figures.get(d.name) if figures is not None else None
            if given is None and reports is not None:
                given = reused(d.name, reports)
            figures_html, figure_notes = render_figures(d.name, given) if registered else ("", [])
            body.append(render_section(d, r.proof, functions=functions, checks=r.checks if registered else None,
                                       figures_html=figures_html, notes=list(notes) + figure_notes))
    body.append(_index(book_plan.generated_index(), present, documented))
    if answers:
        body.append(_quiz(answers, present, checks_of))
    head = ('<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            "<title>%s</title>\n<style>%s</style>\n</head>\n<body>\n" % (escape(TITLE), CSS))
    title = ('<header><h1>%s</h1><p class="subtitle">%d results of the lecture, each proved step by step with '
             "SymPy, turned into NumPy code and checked numerically</p></header>" % (escape(TITLE), len(recs)))
    legend = '<section id="legend"><h2>How to read a derivation</h2>%s</section>' % LEGEND
    return _unique_ids(head + "\n".join([title, _toc(plan, bool(answers)), legend] + body) + "\n</body>\n</html>\n")


class DuplicateId(ValueError):
    """Two elements of the page share an id: a link to it would land on the first only."""


_ID = re.compile(r'<[A-Za-z][^<>]*?\sid="([^"]*)"')


def _unique_ids(page: str) -> str:
    """The page, once every element id in it is known to be unique (else DuplicateId naming them)."""
    seen = Counter(_ID.findall(page))
    twice = sorted(i for i, n in seen.items() if n > 1)
    if twice:
        raise DuplicateId("element ids used more than once in the book: " + ", ".join(twice[:10]))
    return page


def write_html_book(verified, out_dir="reports", figures=None, progress=None) -> pathlib.Path:
    """Write ``<out_dir>/lecture.html`` atomically (a temporary file, then os.replace); returns its path.

    ``verified``: what the build computed, {name: Verified} / {name: (proof, checks)} / [Verified];
    ``figures``: {name: [(figure file, caption)]} of figures already drawn. The figures of the pages
    already written in `out_dir` (``deepderive build`` writes them first) are reused, the rest drawn."""
    out = pathlib.Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    text = render_book(records(verified), figures=figures, reports=out, progress=progress)
    # created as open() would create it (0666 less the umask, so 0644 as a rule), not mkstemp's 0600
    tmp = out / (".%s.%d.%s.tmp" % (BOOK_NAME, os.getpid(), secrets.token_hex(4)))
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(text.encode("utf-8"))
        os.replace(tmp, out / BOOK_NAME)
    except BaseException:
        pathlib.Path(tmp).unlink(missing_ok=True)
        raise
    return out / BOOK_NAME
