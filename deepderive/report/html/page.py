"""One derivation as an HTML section: header, statement, definitions, chains, code, checks, figures, notes."""
from __future__ import annotations

import re

from derivations import CHECKED, FAILED, PROVED

from ..document import title_tex
from .chains import LEGEND, render_definitions, render_problems, render_steps
from .checks import render_checks
from .code import render_function
from .latex_text import latex_to_html, plain_to_html


def anchor(name: str) -> str:
    """The stable id of a derivation's section: "d-" and its name, each character outside [A-Za-z0-9-]
    written _xx (its code point in hex), so two names never share an id; a step's id adds ".s<k>"."""
    return "d-" + re.sub(r"[^A-Za-z0-9-]", lambda m: "_%x_" % ord(m.group(0)), str(name))


def title_html(d) -> str:
    """The derivation's title exactly as the PDF sets it: the LaTeX the PDF's heading holds, in HTML."""
    return latex_to_html(title_tex(d))


def _plural(n: int, word: str) -> str:
    return "%d %s%s" % (n, word, "" if n == 1 else "s")


def _verdict(counts, problems) -> str:
    if counts[FAILED] or problems:
        return '<p class="verdict failed">This derivation does not hold as written.</p>'
    if counts[CHECKED]:
        return ('<p class="verdict checked">This derivation is not fully proved: %s only checked numerically.</p>'
                % _plural(counts[CHECKED], "step"))
    return '<p class="verdict proved">Every step is proved.</p>'


def _header(d, proof, counts, problems, checks) -> str:
    meta = ["derivation <code>%s</code>" % plain_to_html(d.name)]
    if str(getattr(d, "source", "")).strip():
        meta.append("lecture results %s" % plain_to_html(d.source))
    summary = ('%s: <span class="status proved">\u2713 %d</span> <span class="status checked">\u2248 %d</span> '
               '<span class="status failed">\u2717 %d</span>'
               % (_plural(len(proof.steps), "step"), counts[PROVED], counts[CHECKED], counts[FAILED]))
    out = ['<p class="meta">%s</p>' % " \u00b7 ".join(meta), '<p class="meta">%s</p>' % summary]
    if problems:
        out.append('<p class="meta failed">%s with the derivation as a whole (see below)</p>'
                   % _plural(len(problems), "problem"))
    out.append(_verdict(counts, problems))
    if checks:
        out.append('<p class="meta">numeric checks: %d of %d pass</p>' % (sum(bool(c.passed) for c in checks),
                                                                          len(checks)))
    return "\n".join(out)


def render_section(d, proof, *, functions=(), checks=None, figures_html="", notes=(), level: int = 3) -> str:
    """The derivation's section; its title is an h`level`, its parts h`level+1`.

    ``checks=None`` omits the checks part (a user's derivation has none); ``figures_html`` is the
    rendered figures (see figures.render_figures)."""
    names = getattr(d, "names", {}) or {}
    a = anchor(d.name)
    h, sub = "h%d" % level, "h%d" % (level + 1)
    counts = {s: sum(r.status == s for r in proof.steps) for s in (PROVED, CHECKED, FAILED)}
    problems = [str(p) for p in getattr(proof, "problems", ()) if str(p).strip()]
    out = ['<section class="derivation" id="%s">' % a, '<%s>%s</%s>' % (h, title_html(d), h),
           _header(d, proof, counts, problems, checks)]
    if str(getattr(d, "statement", "")).strip():
        out += ["<%s>Statement</%s>" % (sub, sub), '<div class="statement">%s</div>'
                % latex_to_html(d.statement, paragraphs=True)]
    if getattr(d, "definitions", ()):
        out += ["<%s>Definitions</%s>" % (sub, sub),
                "<p>Each name below is replaced by its definition before a step is judged, so the steps are "
                "proved about what the symbols mean.</p>", render_definitions(d.definitions, names)]
    out += ["<%s>Derivation</%s>" % (sub, sub), render_problems(problems), render_steps(proof.steps, names, a)]
    if counts[CHECKED]:
        out.append('<p class="note">%s only checked numerically \u2014 not proved.</p>'
                   % _plural(counts[CHECKED], "step"))
    functions = list(functions)
    if functions:
        out += ["<%s>Generated code</%s>" % (sub, sub),
                "<p>NumPy functions generated from this derivation's closed forms (package "
                "<code>numeric.generated</code>); they import NumPy only.</p>"]
        out += [render_function(f, "h%d" % (level + 2)) for f in functions]
    if checks is not None:
        out.append("<%s>Numeric checks</%s>" % (sub, sub))
        out.append(render_checks(checks) if checks else
                   '<p class="note">No numeric checks are registered for this derivation.</p>')
    if figures_html:
        out += ["<%s>Figures</%s>" % (sub, sub), figures_html]
    if notes:
        out += ["<%s>Notes</%s>" % (sub, sub),
                "<ul>%s</ul>" % "".join("<li>%s</li>" % plain_to_html(n) for n in notes)]
    out.append("</section>")
    return "\n".join(o for o in out if o)


__all__ = ["render_section", "anchor", "title_html", "LEGEND"]
