"""The definitions table: each name, := its value (long sums over several lines), and why."""
from __future__ import annotations

from .equations import break_lines, latex
from .preamble import LINE_EM
from .text import tex_source


def _value(expr, names) -> str:
    """The defined value, as one line or as lines aligned under the first."""
    lines = break_lines(expr, names, 0.53 * LINE_EM - 2.0)
    if len(lines) == 1:
        return lines[0]
    return r"\begin{aligned}[t] &" + r" \\ &\quad ".join(lines) + r"\end{aligned}"


def render_definitions(definitions, names=None) -> str:
    """A table with one row per (symbol, expr, why) definition; "" when there are none."""
    if not definitions:
        return ""
    rows = [r"\ddfit{0.2\linewidth}{%s} & \ddfit{0.53\linewidth}{{}\coloneqq %s} & "
            r"{\small\raggedright %s\par} \\[7pt]" % (latex(sym, names), _value(expr, names), tex_source(why))
            for sym, expr, why in definitions]
    return ("\\begin{center}\n\\begin{tabular}{@{}r@{}l@{\\hspace{1.2em}}p{0.22\\linewidth}@{}}\n"
            + "\n".join(rows) + "\n\\end{tabular}\n\\end{center}\n")
