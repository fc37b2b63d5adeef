"""The whole .tex of one derivation's report, from records to text (no files, no TeX run)."""
from __future__ import annotations

import re
import unicodedata

from derivations import CHECKED, FAILED, PROVED

from .chains import LEGEND, render_problems, render_steps
from .checktable import render_checks
from .code import render_function
from .definitions import render_definitions
from .preamble import PREAMBLE
from .text import escape_text, is_latex, tex_source


def _plural(n: int, word: str) -> str:
    return "%d %s%s" % (n, word, "" if n == 1 else "s")


def _pdf_title(s: str) -> str:
    """The title as plain ASCII for the PDF's metadata."""
    s = re.sub(r"\$[^$]*\$", "", str(s))
    s = unicodedata.normalize("NFKD", s).encode("ascii", "ignore").decode()
    return re.sub(r"[\\{}$&#^_%~]", "", s).strip()


def _verdict(counts, problems) -> str:
    """One line: fully proved, not fully proved (a step only checked), or does not hold."""
    if counts[FAILED] or problems:
        return r"{\color{ddfailed}\bfseries This derivation does not hold as written.}"
    if counts[CHECKED]:
        return (r"{\color{ddchecked!85!black}\bfseries This derivation is not fully proved: %s only checked "
                r"numerically.}" % _plural(counts[CHECKED], "step"))
    return r"{\color{ddproved!85!black}\bfseries Every step is proved.}"


def _header(derivation, n_steps, counts, problems, checks) -> list[str]:
    """Title, name and lecture results, the count of each status, the verdict, the checks passed."""
    title = tex_source(derivation.title) if is_latex(str(derivation.title)) else escape_text(derivation.title)
    meta = [r"derivation \texttt{%s}" % escape_text(derivation.name)]
    if str(getattr(derivation, "source", "")).strip():
        meta.append(r"lecture results %s" % escape_text(derivation.source))
    summary = [r"\StatusProved~%d" % counts[PROVED], r"\StatusChecked~%d" % counts[CHECKED],
               r"\StatusFailed~%d" % counts[FAILED]]
    out = [r"\begin{center}", r"{\LARGE\bfseries %s\par}\medskip" % title,
           r"{\large %s\par}\medskip" % r"\quad$\cdot$\quad ".join(meta),
           r"{\small %s:\enspace %s\par}" % (_plural(n_steps, "step"), r"\quad ".join(summary))]
    if problems:
        out.append(r"{\small\color{ddfailed}%s with the derivation as a whole (see below)\par}"
                   % _plural(len(problems), "problem"))
    out.append(r"{\small %s\par}" % _verdict(counts, problems))
    if checks:
        out.append(r"{\small numeric checks: %d of %d pass\par}" % (sum(bool(c.passed) for c in checks), len(checks)))
    out.append(r"\end{center}")
    return out


def _derivation_section(proof, counts, problems, names) -> list[str]:
    """The legend, the problems box, every chain, and what the statuses add up to."""
    out = [r"\section{Derivation}", LEGEND]
    if problems:
        out.append(render_problems(problems))
    out += [r"\postdisplaypenalty=10000 % a step's note stays on the page of its equation",
            render_steps(proof.steps, names), r"\postdisplaypenalty=0"]
    if counts[CHECKED]:
        out.append(r"\ddnote{%s only checked numerically --- not proved: equal at random points but not reduced "
                   r"symbolically. This derivation is not fully proved.}" % _plural(counts[CHECKED], "step"))
    if counts[FAILED]:
        out.append(r"{\color{ddfailed}\bfseries %s failed: this derivation does not hold as written.\par}"
                   % _plural(counts[FAILED], "step"))
    return out


def _definitions_section(derivation, names) -> list[str]:
    defs = getattr(derivation, "definitions", ())
    if not defs:
        return []
    return [r"\section{Definitions}",
            "Each name below is replaced by its definition before a step is judged, so the steps are "
            "proved about what the symbols mean.\n", render_definitions(defs, names)]


def _code_section(functions) -> list[str]:
    if not functions:
        return []
    return [r"\section{Generated code}",
            r"NumPy functions generated from this derivation's closed forms (package "
            r"\texttt{numeric.generated}); they import NumPy only."] + [render_function(f) for f in functions]


def _checks_section(checks, checks_note) -> list[str]:
    """None: no section (a user's derivation has no checks); []: a note that none are registered."""
    if checks is None:
        return []
    if checks:
        return [r"\section{Numeric checks}", render_checks(checks)]
    why = (" (" + escape_text(checks_note) + ")") if checks_note else ""
    return [r"\section{Numeric checks}", r"\ddnote{No numeric checks are registered for this derivation%s.}" % why]


def render_figure(relpath: str, caption: str) -> str:
    """A full-width figure with its caption."""
    return ("\\begin{figure}[!htbp]\n\\centering\n\\includegraphics[width=\\linewidth]{%s}\n"
            "\\caption{%s}\n\\end{figure}\n" % (relpath, tex_source(caption)))


def _figures_section(figures) -> list[str]:
    if not figures:
        return []
    return [r"\ddneedspace{0.4\textheight}" + "\n" + r"\section{Figures}"] + [render_figure(p, c) for p, c in figures]


def _notes_section(notes) -> list[str]:
    if not notes:
        return []
    return [r"\section*{Notes}",
            "\\begin{itemize}\\small\n" + "\n".join(r"\item " + escape_text(n) for n in notes) + "\n\\end{itemize}"]


def render_document(derivation, proof, *, functions=(), checks=None, figures=(), notes=(),
                    checks_note: str = "") -> str:
    """The whole .tex. ``checks=None`` omits the checks section (a user's derivation has none);
    ``figures`` are (path relative to the .tex, caption) pairs; ``proof.problems``, when the proof
    has them, are shown in a box of their own."""
    names = getattr(derivation, "names", {}) or {}
    counts = {s: sum(r.status == s for r in proof.steps) for s in (PROVED, CHECKED, FAILED)}
    problems = [str(p) for p in getattr(proof, "problems", ()) if str(p).strip()]
    out = [PREAMBLE.rstrip("\n"), r"\hypersetup{pdftitle={%s}}" % _pdf_title(derivation.title),
           r"\begin{document}"]
    out += _header(derivation, len(proof.steps), counts, problems, checks)
    if str(getattr(derivation, "statement", "")).strip():
        out += [r"\section{Statement}", tex_source(derivation.statement)]
    out += _definitions_section(derivation, names)
    out += _derivation_section(proof, counts, problems, names)
    out += _code_section(list(functions))
    out += _checks_section(checks, checks_note)
    out += _figures_section(list(figures))
    out += _notes_section(notes)
    out.append(r"\end{document}")
    return "\n".join(out) + "\n"
