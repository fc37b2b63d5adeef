"""The numeric checks as one HTML table (numbers formatted as the PDF's table does), then what each compared."""
from __future__ import annotations

from ..checktable import check_text, replace_ensuremath, sci
from .latex_text import latex_to_html

_HEAD = ("<thead><tr><th>check</th><th>data</th><th>max abs err</th><th>max rel err</th><th>tolerance</th>"
         "<th>result</th></tr></thead>")
_VERDICT = {True: '<td class="pass">\u2713 pass</td>', False: '<td class="fail">\u2717 FAIL</td>'}


def number(x) -> str:
    """A number as the PDF prints it (sci: 0, 3.4, 1.2\u00d710\u207b\u00b9\u2076 as math, -- for none)."""
    return latex_to_html(sci(x))


def _inline_math(tex: str) -> str:
    """Each \\ensuremath{...} of check_text's LaTeX as $...$, which latex_to_html knows."""
    return replace_ensuremath(tex, lambda inside: "$%s$" % inside)


def detail_text(s) -> str:
    """A check's free text: LaTeX where it holds math ($...$), else its notations (||x||, <=, kappa, ...)
    as mathematics by the PDF's table (checktable.check_text), never as ASCII pseudo-math."""
    s = str(s)
    return latex_to_html(s if "$" in s else _inline_math(check_text(s)))


def _row(k, c) -> str:
    return ('<tr><td>%d.&#160;%s</td><td>%s</td><td class="n">%s</td><td class="n">%s</td><td class="n">%s</td>%s</tr>'
            % (k, detail_text(c.name), detail_text(c.data), number(c.max_abs_err), number(c.max_rel_err),
               number(c.tolerance), _VERDICT[bool(c.passed)]))


def _item(k, c) -> str | None:
    parts = ["compared " + detail_text(c.compared)] if str(c.compared).strip() else []
    if str(c.detail).strip():
        parts.append(detail_text(c.detail))
    if not parts:
        return None
    return '<li value="%d"><strong>%s</strong>%s: %s</li>' % (k, detail_text(c.name), "" if c.passed else " (FAIL)",
                                                           "; ".join(parts))


def render_checks(checks) -> str:
    """The checks table and the list of what each compared; "" for none."""
    if not checks:
        return ""
    rows = "".join(_row(k, c) for k, c in enumerate(checks, 1))
    items = [i for i in (_item(k, c) for k, c in enumerate(checks, 1)) if i]
    out = '<div class="scroll"><table class="checks">%s<tbody>%s</tbody></table></div>' % (_HEAD, rows)
    if items:
        out += '<ol class="compared">%s</ol>' % "".join(items)
    return out
