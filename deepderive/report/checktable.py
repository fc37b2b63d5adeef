"""The numeric checks as booktabs tables (split so none outgrows a page), then what each compared."""
from __future__ import annotations

import math
import re

from .text import escape_text

CHECK_ROWS_PER_TABLE = 6    # a tabular cannot break across pages: long tables are split

_HEAD = (r"\begin{center}\small\setlength{\tabcolsep}{4pt}\renewcommand{\arraystretch}{1.1}" + "\n"
         r"\begin{tabular}{@{}p{0.28\linewidth}p{0.24\linewidth}rrrc@{}}" + "\n\\toprule\n"
         r"check & data & max abs err & max rel err & tolerance & result \\" + "\n\\midrule\n")


def sci(x) -> str:
    """A float as math: 0, 1.2\\times10^{-16}, 3.4, or -- for NaN/None."""
    if x is None:
        return "--"
    try:
        x = float(x)
    except (TypeError, ValueError):
        return escape_text(x)
    if math.isnan(x):
        return "--"
    if math.isinf(x):
        return r"$\infty$" if x > 0 else r"$-\infty$"
    if x == 0:
        return "$0$"
    if 1e-2 <= abs(x) < 1e3:
        return "$%s$" % f"{x:.3g}"
    m, e = f"{x:.1e}".split("e")
    return r"$%s\times10^{%d}$" % (m, int(e))


def _breakable(text: str) -> str:
    """Escaped text whose long identifiers may break after . _ = , / (narrow table cells)."""
    out = escape_text(text)
    return re.sub(r"(\\_|[.=,/])(?=[A-Za-z])", r"\1\\allowbreak{}", out)


def _row(k, c) -> str:
    """Table row k for CheckResult c."""
    return r"\ddrr %d.\ %s & \ddrr %s & %s & %s & %s & %s \\" % (
        k, _breakable(c.name), _breakable(c.data), sci(c.max_abs_err), sci(c.max_rel_err), sci(c.tolerance),
        r"\CheckPass" if c.passed else r"\CheckFail")


def _item(k, c) -> str | None:
    """What check k compared and its details, as a list item (None when it says nothing more)."""
    parts = [r"compared %s" % _breakable(c.compared)] if str(c.compared).strip() else []
    if str(c.detail).strip():
        parts.append(_breakable(c.detail))
    if not parts:
        return None
    return r"\item[%d.] \textbf{%s}%s: %s" % (k, escape_text(c.name), "" if c.passed else r" (\CheckFail)",
                                             "; ".join(parts))


def render_checks(checks) -> str:
    """The checks as tables of numbered rows, then the list of what each compared; "" for none."""
    if not checks:
        return ""
    rows = [_row(k, c) for k, c in enumerate(checks, 1)]
    text = "".join(_HEAD + "\n\\addlinespace[2pt]\n".join(rows[s:s + CHECK_ROWS_PER_TABLE])
                   + "\n\\bottomrule\n\\end{tabular}\n\\end{center}\n"
                   for s in range(0, len(rows), CHECK_ROWS_PER_TABLE))
    items = [i for i in (_item(k, c) for k, c in enumerate(checks, 1)) if i]
    if items:
        text += "\\begin{itemize}\\footnotesize\\raggedright\n" + "\n".join(items) + "\n\\end{itemize}\n"
    return text
