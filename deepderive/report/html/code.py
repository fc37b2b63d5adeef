"""A generated function in HTML: its summary, docstring formula, latexify-py's reading as MathML, listing."""
from __future__ import annotations

import re
from html import escape

from ..code import _output_name, cannot_render
from .latex_text import latex_to_html, plain_to_html
from .mathml import to_mathml


#: (FunctionDoc flag, what the listing's reader is told when it is set), as the PDF's note says it; the
#: listing is the PDF's (ASCII, wrapped to its width), so the same notes hold
LISTING_NOTES = (
    ("transliterated", "Non-ASCII characters of the source are transliterated to ASCII in the listing."),
    ("rewrapped", "Lines longer than the page are re-wrapped in the listing; the Python is the same."),
)


def summary_html(summary: str) -> str:
    """A docstring's first line: words, with its formulas as $LaTeX$ (rendered) when it has any."""
    return latex_to_html(summary) if "$" in str(summary) else plain_to_html(summary)


def _formula(formula: str) -> str:
    """The docstring's formula: its math segments (split at ;) one display each, or the sentence as text."""
    f = formula.strip()
    segments = re.findall(r"\$([^$]+)\$", f)
    residue = re.sub(r"\$[^$]*\$", "", f)
    if not segments or re.sub(r"[\s,;]|\band\b", "", residue):
        return '<div class="formula">%s</div>' % latex_to_html(f if "$" in f else "$%s$" % f)
    parts = [p.strip() for seg in segments for p in seg.split(";") if p.strip()]
    return '<div class="formula">%s</div>' % "".join(to_mathml(_output_name(p), display=True) for p in parts)


def _formulas(how: str, rows) -> list[str]:
    """The docstring's "Formulas" block: its header as a sentence, one display per formula under its label."""
    lead = "The closed forms it implements (from its docstring)%s:" % ((" " if how and not how.startswith(",") else "")
                                                                        + how)
    items = "".join("<dt>%s</dt><dd>%s</dd>" % (plain_to_html(label), to_mathml(f, display=True)) for label, f in rows)
    return ["<p>%s</p>" % plain_to_html(lead), '<dl class="formulas">%s</dl>' % items]


def _latexify(doc) -> str:
    if doc.latexify is not None:
        return ('<p>The code as <code>latexify-py</code> reads it (the accurate forms actually computed):</p>'
                '<div class="formula">%s</div>' % to_mathml(doc.latexify, display=True))
    where = ("the formula above, from its docstring, stands in for it" if doc.formula else
             "the formulas above, from its docstring, stand in for it" if getattr(doc, "formulas", None) else
             "and its docstring carries no formula")
    return ('<p class="note"><em>Note:</em> shown as code only: <code>latexify-py</code> cannot render %s; %s.</p>'
            % (plain_to_html(cannot_render(doc.latexify_error)), where))


def function_id(qualname: str) -> str:
    """The anchor of a generated function's subsection."""
    return "fn-" + re.sub(r"[^A-Za-z0-9_.-]", "-", qualname)


def render_function(doc, heading: str = "h4") -> str:
    """One generated function: heading, summary, formula, latexified code, listing."""
    out = ['<%s id="%s"><code>%s</code></%s>' % (heading, function_id(doc.qualname), escape(doc.qualname),
                                                  heading)]
    if doc.summary:
        out.append("<p>%s</p>" % summary_html(doc.summary))
    if doc.formula:
        out.append("<p>The closed form it implements (from its docstring):</p>")
        out.append(_formula(doc.formula))
    if getattr(doc, "formulas", None):
        out += _formulas(*doc.formulas)
    out.append(_latexify(doc))
    notes = [text for flag, text in LISTING_NOTES if getattr(doc, flag, False)]
    if notes:
        out.append('<p class="note"><em>Note:</em> %s</p>' % " ".join(notes))
    out.append('<pre class="listing"><code>%s</code></pre>' % escape(doc.source, quote=False))
    return "\n".join(out)
