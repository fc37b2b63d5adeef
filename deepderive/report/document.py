r"""The whole .tex of one derivation's report, from records to text (no files, no TeX run).

The section functions take a heading ``level`` (0: ``\section``, a derivation's own page; 1: ``\subsection``,
a result inside the book, see book.py), so the page and the book render a derivation with the same code."""
from __future__ import annotations

import re

from derivations import CHECKED, FAILED, PROVED

from .chains import LEGEND, render_problems, render_steps
from .checktable import render_checks
from .code import render_function
from .definitions import render_definitions
from .preamble import PREAMBLE
from .text import GREEK, bookmark_text, escape_code, escape_text, is_latex, tex_source


HEADINGS = ("section", "subsection", "subsubsection", "paragraph")

# Figures are set in place, not floated: a float that does not fit the rest of the page moves on and leaves its
# heading alone at the foot of the page; a figure in a box is one line of the vertical list, which LaTeX never
# separates from the heading above it. (\@captype makes \caption number it as a figure, as capt-of does.)
# A figure is scaled down when taller than 0.7 of the text height, or than what its caption leaves of a page,
# so that it and its caption always fit on one page.
# \ddchainhead starts its paragraph before changing colour: a colour change in vertical mode is a whatsit on the
# page's list, after which a page may break, which left a "Derivation" heading alone at the foot of a page.
MACROS = r"""\makeatletter
\newsavebox{\ddfigbox}\newsavebox{\ddcapbox}\newlength{\ddfigmax}
\newcommand{\ddfigure}[2]{\par\noindent\begin{minipage}{\linewidth}\centering\def\@captype{figure}%
  \sbox{\ddfigbox}{#1}\setbox\ddcapbox=\vbox{\hsize=\linewidth\noindent Figure 99.99: #2}%
  \setlength{\ddfigmax}{\dimexpr\textheight-\ht\ddcapbox-\dp\ddcapbox-4\baselineskip\relax}%
  \ifdim\ddfigmax>0.7\textheight\setlength{\ddfigmax}{0.7\textheight}\fi
  \ifdim\ht\ddfigbox>\ddfigmax\resizebox{!}{\ddfigmax}{\usebox{\ddfigbox}}\else\usebox{\ddfigbox}\fi
  \caption{#2}\end{minipage}\par\medskip}
\makeatother
\renewcommand{\ddchainhead}[1]{\par{\small\leavevmode\color{ddgray}#1\par}\nopagebreak}"""


def heading(level: int, title: str, star: bool = False) -> str:
    r"""``\section{title}`` at level 0, ``\subsection`` at 1, ...; starred: unnumbered, not in the contents."""
    try:
        command = HEADINGS[level]
    except IndexError:
        raise ValueError(f"no heading level {level} (levels 0 to {len(HEADINGS) - 1})") from None
    return "\\%s%s{%s}" % (command, "*" if star else "", title)


def demote(tex: str, by: int) -> str:
    """Move every heading command of a rendered piece (code.render_function's, say) `by` levels down."""
    if by <= 0:
        return tex
    pattern = re.compile(r"\\(%s)(\*?)\{" % "|".join(HEADINGS[:-1]))
    return pattern.sub(lambda m: "\\%s%s{" % (HEADINGS[min(HEADINGS.index(m.group(1)) + by,
                                                                  len(HEADINGS) - 1)], m.group(2)), tex)


def _plural(n: int, word: str) -> str:
    return "%d %s%s" % (n, word, "" if n == 1 else "s")


def pdf_title(s: str) -> str:
    """The title as plain ASCII for the PDF's metadata (Greek letters by name, as in the bookmarks)."""
    return bookmark_text(s).replace("_", " ")


def _verdict(counts, problems) -> str:
    """One line: fully proved, not fully proved (a step only checked), or does not hold."""
    if counts[FAILED] or problems:
        return r"{\color{ddfailed}\bfseries This derivation does not hold as written.}"
    if counts[CHECKED]:
        return (r"{\color{ddchecked!85!black}\bfseries This derivation is not fully proved: %s only checked "
                r"numerically.}" % _plural(counts[CHECKED], "step"))
    return r"{\color{ddproved!85!black}\bfseries Every step is proved.}"


def result_title(derivation) -> str:
    """The title a result is shown under, as its author wrote it (plain text, or LaTeX with $...$ maths), one
    line: the one source of the PDF's heading (through tex_source/escape_text) and the HTML's (through
    html.latex_text.any_text), so the two read the same."""
    return " ".join(str(getattr(derivation, "title", "") or getattr(derivation, "name", "")).split())


#: a Greek letter run into a lower-case word in a plain-text title is a name with a subscript (λmax: λ_max)
_GREEK_WORD = re.compile(r"\\ensuremath\{\\(%s)\}([a-z]+)\b" % "|".join(GREEK + [g.capitalize() for g in GREEK]))


def title_tex(derivation) -> str:
    """A result's title as the PDF sets it (LaTeX; a Greek letter run into a word as its subscript): its heading, and
    through html.latex_text the HTML's."""
    title = result_title(derivation)
    if is_latex(title):
        return tex_source(title)
    return _GREEK_WORD.sub(r"$\\\1_{\\mathrm{\2}}$", escape_text(title))


def bookmark(title) -> str:
    r"""The PDF bookmark of a heading (\texorpdfstring's second argument): readable ASCII (text.bookmark_text),
    its underscores as hyperref spells them."""
    return bookmark_text(title).replace("_", r"\textunderscore{}")


def _meta(derivation) -> str:
    """"derivation <name> · lecture results <source>"."""
    meta = [r"derivation \texttt{%s}" % escape_code(derivation.name)]
    if str(getattr(derivation, "source", "")).strip():
        meta.append(r"lecture results %s" % escape_text(derivation.source))
    return r"\quad$\cdot$\quad ".join(meta)


def _status_lines(n_steps, counts, problems, checks) -> list[str]:
    """The count of each status, the problems, the verdict and the checks passed, one small line each."""
    summary = [r"\StatusProved~%d" % counts[PROVED], r"\StatusChecked~%d" % counts[CHECKED],
               r"\StatusFailed~%d" % counts[FAILED]]
    out = [r"{\small %s:\enspace %s\par}" % (_plural(n_steps, "step"), r"\quad ".join(summary))]
    if problems:
        out.append(r"{\small\color{ddfailed}%s with the derivation as a whole (see below)\par}"
                   % _plural(len(problems), "problem"))
    out.append(r"{\small %s\par}" % _verdict(counts, problems))
    if checks:
        out.append(r"{\small numeric checks: %d of %d pass\par}" % (sum(bool(c.passed) for c in checks), len(checks)))
    return out


def _header(derivation, n_steps, counts, problems, checks) -> list[str]:
    """Title, name and lecture results, the count of each status, the verdict, the checks passed."""
    return ([r"\begin{center}", r"{\LARGE\bfseries %s\par}\medskip" % title_tex(derivation),
             r"{\large %s\par}\medskip" % _meta(derivation)]
            + _status_lines(n_steps, counts, problems, checks) + [r"\end{center}"])


def _derivation_section(proof, counts, problems, names, level=0, legend=True) -> list[str]:
    """The legend (the book shows it once, up front), the problems box, every chain, and what the statuses
    add up to."""
    out = [heading(level, "Derivation")] + ([LEGEND] if legend else [])
    if problems:
        out.append(render_problems(problems))
    out += [r"\postdisplaypenalty=10000 % a step's note stays on the page of its equation",
            render_steps(proof.steps, names, getattr(getattr(proof, "derivation", None), "definitions", ())),
            r"\postdisplaypenalty=0"]
    if counts[CHECKED]:
        out.append(r"\ddnote{%s only checked numerically --- not proved: equal at random points but not reduced "
                   r"symbolically. This derivation is not fully proved.}" % _plural(counts[CHECKED], "step"))
    if counts[FAILED]:
        out.append(r"{\color{ddfailed}\bfseries %s failed: this derivation does not hold as written.\par}"
                   % _plural(counts[FAILED], "step"))
    return out


def _definitions_section(derivation, names, level=0) -> list[str]:
    defs = getattr(derivation, "definitions", ())
    if not defs:
        return []
    # the sentence and the table in one box, which LaTeX keeps with the heading (the table cannot break anyway)
    return [heading(level, "Definitions"),
            r"\par\noindent\begin{minipage}{\linewidth}\setlength{\parskip}{4pt plus 1pt}"
            "Each name below is replaced by its definition before a step is judged, so the steps are "
            "proved about what the symbols mean.\n", render_definitions(defs, names), r"\end{minipage}\par"]


def function_label(qualname: str) -> str:
    """The LaTeX label of a generated function's heading (the book's index links to it)."""
    return "fn:" + re.sub(r"[^A-Za-z0-9.:-]", "-", qualname)


def _labelled(tex: str, label: str) -> str:
    r"""`tex` with \label{label} right after its first line (the heading)."""
    first, sep, rest = tex.partition("\n")
    return first + r"\label{%s}" % label + sep + rest


def _code_section(functions, level=0, labels=False) -> list[str]:
    if not functions:
        return []
    rendered = [demote(render_function(f), level) for f in functions]
    if labels:
        rendered = [_labelled(t, function_label(f.qualname)) for t, f in zip(rendered, functions)]
    return [heading(level, "Generated code"),
            r"NumPy functions generated from this derivation's closed forms (package "
            r"\texttt{numeric.generated}); they import NumPy only."] + rendered


def _checks_section(checks, checks_note, level=0) -> list[str]:
    """None: no section (a user's derivation has no checks); []: a note that none are registered."""
    if checks is None:
        return []
    if checks:     # the heading keeps the table's first rows with it (a longtable does not bind to a heading)
        return [r"\ddneedspace{8\baselineskip}" + heading(level, "Numeric checks"), render_checks(checks)]
    why = (" (" + escape_text(checks_note) + ")") if checks_note else ""
    return [heading(level, "Numeric checks"),
            r"\ddnote{No numeric checks are registered for this derivation%s.}" % why]


def render_figure(relpath: str, caption: str, caption_is_tex: bool = False) -> str:
    """A full-width figure with its caption, set in place (see MACROS). ``caption_is_tex``: the caption is
    already LaTeX (read back from a written page, see figure_captions), not a figure function's source text."""
    caption = caption if caption_is_tex else " ".join(tex_source(caption).splitlines())
    return "\\ddfigure{\\includegraphics[width=\\linewidth]{%s}}{%s}\n" % (relpath, caption)


_FIGURE_LINE = re.compile(r"^\\ddfigure\{\\includegraphics\[width=\\linewidth\]\{([^{}]*)\}\}\{(.*)\}$")


def figure_captions(tex: str) -> dict:
    """{figure path: caption LaTeX} of the figures a rendered page holds (the inverse of render_figure), so the
    book can show the figures a build already drew without drawing them again."""
    return {m.group(1): m.group(2) for m in map(_FIGURE_LINE.match, tex.splitlines()) if m}


def _figures_section(figures, level=0, caption_is_tex=False, elsewhere=()) -> list[str]:
    """The figures, each with its caption; ``elsewhere``: LaTeX sentences pointing to figures of this result
    shown in another section (the book prints a shared figure once)."""
    if not figures and not elsewhere:
        return []
    return ([heading(level, "Figures")] + [render_figure(p, c, caption_is_tex) for p, c in figures]
            + [r"\ddnote{%s}" % e for e in elsewhere])


def _notes_section(notes, level=0) -> list[str]:
    if not notes:
        return []
    return [heading(level, "Notes", star=True),
            "\\begin{itemize}\\small\n" + "\n".join(r"\item " + escape_text(n) for n in notes) + "\n\\end{itemize}"]


def _result_header(derivation, n_steps, counts, problems, checks, level, label) -> list[str]:
    """A result inside the book: its title as a heading (with a label for links), then the same facts as a
    page's header, in small type."""
    mark = bookmark(result_title(derivation)) or bookmark(derivation.name)
    # a result starts on a new page unless a fair part of this one is left: its title and facts stay together
    return ([r"\ddneedspace{0.2\textheight}",
             heading(level - 1, r"\texorpdfstring{%s}{%s}" % (title_tex(derivation), mark))
             + (r"\label{%s}" % label if label else ""),
             r"{\small %s\par}" % _meta(derivation)]
            + _status_lines(n_steps, counts, problems, checks))


def render_body(derivation, proof, *, level: int = 0, functions=(), checks=None, figures=(), notes=(),
                checks_note: str = "", caption_is_tex: bool = False, label: str | None = None,
                legend: bool = True, figures_elsewhere=()) -> list[str]:
    r"""The parts of one derivation's report, headings at `level`: 0 for its own page (a centred title block,
    then \section per part), 1 inside the book (the title a \section labelled `label`, each part a
    \subsection, without the legend when `legend` is False, with a label on every generated function).
    ``figures_elsewhere``: LaTeX sentences for this result's figures printed in another section."""
    names = getattr(derivation, "names", {}) or {}
    counts = {s: sum(r.status == s for r in proof.steps) for s in (PROVED, CHECKED, FAILED)}
    problems = [str(p) for p in getattr(proof, "problems", ()) if str(p).strip()]
    if level == 0:
        out = _header(derivation, len(proof.steps), counts, problems, checks)
    else:
        out = _result_header(derivation, len(proof.steps), counts, problems, checks, level, label)
    if str(getattr(derivation, "statement", "")).strip():
        out += [heading(level, "Statement"), tex_source(derivation.statement)]
    out += _definitions_section(derivation, names, level)
    out += _derivation_section(proof, counts, problems, names, level, legend)
    out += _code_section(list(functions), level, labels=level > 0)
    out += _checks_section(checks, checks_note, level)
    out += _figures_section(list(figures), level, caption_is_tex, list(figures_elsewhere))
    out += _notes_section(notes, level)
    return out


def render_document(derivation, proof, *, functions=(), checks=None, figures=(), notes=(),
                    checks_note: str = "") -> str:
    """The whole .tex. ``checks=None`` omits the checks section (a user's derivation has none);
    ``figures`` are (path relative to the .tex, caption) pairs; ``proof.problems``, when the proof
    has them, are shown in a box of their own."""
    out = [PREAMBLE.rstrip("\n"), MACROS, r"\hypersetup{pdftitle={%s}}" % pdf_title(result_title(derivation)),
           r"\begin{document}"]
    out += render_body(derivation, proof, level=0, functions=functions, checks=checks, figures=figures,
                       notes=notes, checks_note=checks_note)
    out.append(r"\end{document}")
    return "\n".join(out) + "\n"
