"""A generated function in the report: its summary, its docstring formula, latexify-py's reading of
the code, and the listing."""
from __future__ import annotations

import inspect
import re
from dataclasses import dataclass

from .code_latex import latexify_function, tidy
from .text import ascii_code, escape_text, tex_math, tex_source


@dataclass(frozen=True)
class FunctionDoc:
    """What the report shows for one generated function."""

    qualname: str           # numeric.generated.lda.lda_posterior
    summary: str            # first docstring line
    formula: str | None     # the docstring's "Formula:" line (LaTeX, math in $...$)
    latexify: str | None    # latexify-py output, or None when it failed
    latexify_error: str     # why latexify failed ("" when it worked)
    source: str             # ASCII source for the listing
    transliterated: bool    # did the source contain non-ASCII characters


def _formula_line(doc: str) -> str | None:
    """The text after "Formula:" in a docstring, or None."""
    for line in doc.splitlines():
        if line.strip().startswith("Formula:"):
            return line.split("Formula:", 1)[1].strip() or None
    return None


def _latexified(fn) -> tuple[str | None, str]:
    """(latexify-py's LaTeX, "") or (None, why it failed): latexify reads a subset of Python, and
    the report goes on without it."""
    try:
        return tidy(latexify_function(fn)), ""
    except Exception as exc:
        return None, f"{type(exc).__name__}: {exc}"


def _listing(fn) -> tuple[str, bool]:
    """(the ASCII source, was anything transliterated)."""
    try:
        src = inspect.getsource(fn)
    except (OSError, TypeError) as exc:
        src = f"# source not available: {exc}"
    src, changed = ascii_code(src)
    return src.rstrip("\n"), changed


def describe_function(fn, qualname: str | None = None) -> FunctionDoc:
    """Summary, docstring formula, latexify-py rendering (or its error) and source of a function."""
    qualname = qualname or f"{fn.__module__}.{fn.__name__}"
    doc = (inspect.getdoc(fn) or "").strip()
    summary = doc.splitlines()[0] if doc else ""
    tex, err = _latexified(fn)
    return FunctionDoc(qualname, summary, _formula_line(doc), tex, err, *_listing(fn))


def _output_name(p: str) -> str:
    r"""'grad_w = ...' -> '\mathrm{grad}_{w} = ...' (multi-letter output names upright)."""
    m = re.match(r"^([A-Za-z][A-Za-z0-9]*)(?:_([A-Za-z0-9]+))?\s*=(?!=)\s*(.*)$", p, re.S)
    if not m:
        return p
    head, tail, rest = m.groups()
    if len(head) == 1 and (tail is None or len(tail) == 1):
        return p
    head_tex = r"\mathrm{%s}" % head if len(head) > 1 else head
    tail_tex = "" if tail is None else "_{%s}" % (r"\mathrm{%s}" % tail if len(tail) > 1 else tail)
    return "%s%s = %s" % (head_tex, tail_tex, rest)


def _formula_display(formula: str) -> str:
    """The docstring's formula: math segments joined by commas/semicolons become one fitted line each;
    anything else (math mixed with words) is set as a paragraph."""
    f = formula.strip()
    segments = re.findall(r"\$([^$]+)\$", f)
    residue = re.sub(r"\$[^$]*\$", "", f)
    if not segments or re.sub(r"[\s,;]|\band\b", "", residue):
        return r"\begin{center}%s\end{center}" % tex_source(f if "$" in f else "$%s$" % f)
    parts = [p.strip() for seg in segments for p in seg.split(";") if p.strip()]
    lines = [r"\ddfit{\linewidth}{%s}" % tex_math(_output_name(p)) for p in parts]
    return r"\begin{gather*}" + "\n" + " \\\\\n".join(lines) + "\n" + r"\end{gather*}"


def _latexify_part(doc: FunctionDoc) -> str:
    """latexify-py's reading of the code, or a note saying why there is none."""
    if doc.latexify is not None:
        return (r"\par The code as \texttt{latexify-py} reads it (the accurate forms actually computed):" + "\n"
                + r"\[ \ddfit{\linewidth}{%s} \]" % tex_math(doc.latexify))
    where = "the formula above, from its docstring, stands in for it" if doc.formula else \
        "and its docstring carries no formula"
    return (r"\ddnote{\textit{Note:} \texttt{latexify-py} could not render this function (%s); %s.}"
            % (escape_text(doc.latexify_error), where))


def render_function(doc: FunctionDoc) -> str:
    """A subsection for one generated function."""
    out = [r"\subsection{\texttt{%s}}" % escape_text(doc.qualname)]
    if doc.summary:
        out.append(escape_text(doc.summary))
    if doc.formula:
        out.append(r"\par The closed form it implements (from its docstring):")
        out.append(_formula_display(doc.formula))
    out.append(_latexify_part(doc))
    if doc.transliterated:
        out.append(r"\ddnote{Non-ASCII characters of the source are transliterated to ASCII in the listing.}")
    out.append(r"\begin{lstlisting}" + "\n" + doc.source.replace(r"\end{lstlisting}", r"\end {lstlisting}")
               + "\n" + r"\end{lstlisting}")
    return "\n".join(out) + "\n"
