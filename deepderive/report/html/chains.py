"""A derivation's steps as HTML chains (lhs = e1 = e2 = ..., each equality followed by its step's
number, status and justification), and its definitions table: the PDF's chains.py for the browser."""
from __future__ import annotations

from derivations import CHECKED, FAILED, PROVED
from derivations.inequality import LATEX as RELATION_LATEX

from ..chains import group_chains
from ..equations import break_lines, latex, same_printed
from ..width import estimate_width
from .latex_text import any_text, plain_to_html
from .mathml import to_mathml

LINE_EM = 46.0          # a line of mathematics in the page's column, in the width estimate's em
#: status -> (CSS class, marker, the label of its detail)
STATUS = {PROVED: ("proved", "\u2713 proved", "how"),
          CHECKED: ("checked", "\u2248 checked numerically \u2014 not proved", "why only checked"),
          FAILED: ("failed", "\u2717 FAILED", "why it failed")}
#: status -> the relation's LaTeX (%s: the relation sign)
RELATION = {PROVED: "%s", CHECKED: "%s", FAILED: r"\overset{?}{%s}"}

LEGEND = ('<table class="legend">'
          '<tr><td class="proved">\u2713 proved</td><td>SymPy reduced lhs \u2212 rhs to exactly 0 (matrix steps also '
          "with explicit components), and an independent numeric evaluation (mpmath) agrees at random points. "
          "For an inequality: the gap is a sum or product of terms whose signs follow from the symbols' "
          "assumptions, and the numeric evaluation finds no point that violates it.</td></tr>"
          '<tr><td class="checked">\u2248 checked</td><td>The two sides agree at random points, but no simplifier '
          "reduced lhs \u2212 rhs to 0: evidence, not a proof. A derivation with such a step is not proved.</td></tr>"
          '<tr><td class="failed">\u2717 failed</td><td>The two sides differ somewhere (the point is shown), or the '
          "step could not be judged or was refused.</td></tr></table>")


def status_of(r) -> tuple[str, str, str]:
    return STATUS.get(r.status, STATUS[FAILED])


def step_note(k, r, anchor: str) -> str:
    """Step k's number, status and justification, then how its status was reached."""
    css, mark, label = status_of(r)
    why = any_text(r.why) if str(r.why).strip() else "<em>(no justification given)</em>"
    detail = str(getattr(r, "detail", "") or "").strip()
    more = '<span class="detail">%s: %s</span>' % (label, plain_to_html(detail)) if detail else ""
    return ('<tr class="note" id="%s.s%d"><td colspan="3"><span class="num">(%d)</span> '
            '<span class="status %s">%s</span> <span class="why">%s</span>%s</td></tr>'
            % (anchor, k, k, css, mark, why, more))


def equation(tex: str) -> str:
    """One side of an equation of a chain: display-style MathML (display="block", as the PDF sets its chains),
    in a box that scrolls sideways when the formula is wider than the page, so the page itself never does."""
    return '<div class="mscroll">%s</div>' % to_mathml(tex, display=True)


def _relation(r) -> str:
    """The step's relation as MathML, in its status's colour (by the cell's class)."""
    sign = RELATION_LATEX.get(getattr(r, "relation", "="), "=")
    return to_mathml(RELATION.get(r.status, RELATION[FAILED]) % sign, display=True)


def _rows(relation_cell: str, css: str, lhs_cell: str, lines) -> list[str]:
    """One equality: its relation and first line, then the continuation lines of a long rhs."""
    rows = ['<tr><td class="lhs">%s</td><td class="rel %s">%s</td><td class="rhs">%s</td></tr>'
            % (lhs_cell, css, relation_cell, equation(lines[0]))]
    rows += ['<tr><td></td><td></td><td class="rhs cont">%s</td></tr>' % equation(ln) for ln in lines[1:]]
    return rows


def render_chain(group, results, names, anchor: str) -> str:
    """One chain as a three-column table (lhs, relation, rhs) with a note row after each equality."""
    first = results[group[0]]
    head = ""
    if getattr(first, "chain_name", None):
        head = '<p class="chainhead">derives <code>%s</code>:</p>' % plain_to_html(first.chain_name)
    lhs = latex(first.lhs, names)
    rows = []
    if estimate_width(lhs) > 0.4 * LINE_EM:     # a long lhs gets a line of its own, above the table (a cell
        head += '<div class="lhs long">%s</div>' % equation(lhs)   # spanning the table would widen it)
        lhs_cell = ""
    else:
        lhs_cell = to_mathml(lhs, display=True)
    for j, k in enumerate(group):
        r = results[k]
        if j and not same_printed(r.lhs, results[k - 1].rhs, names):
            # chained after the definitions were substituted: the lhs as written, unnumbered
            rows += _rows(to_mathml("=", display=True), "", "", break_lines(r.lhs, names, LINE_EM))
            rows.append('<tr class="note"><td colspan="3"><em>which, with the definitions substituted, is the '
                        'previous right side</em></td></tr>')
        rows += _rows(_relation(r), status_of(r)[0], lhs_cell if j == 0 else "",
                      break_lines(r.rhs, names, LINE_EM))
        rows.append(step_note(k + 1, r, anchor))
    return '<div class="chain">%s<table class="chain">%s</table></div>' % (head, "".join(rows))


def render_steps(results, names, anchor: str) -> str:
    """Every step, chain by chain."""
    results = list(results)
    if not results:
        return '<p class="note">This derivation has no steps.</p>'
    return "".join(render_chain(g, results, names, anchor) for g in group_chains(results, names))


def render_problems(problems) -> str:
    """The derivation's problems as a red box; "" for none."""
    problems = [str(p) for p in problems if str(p).strip()]
    if not problems:
        return ""
    return '<div class="problems"><ul>%s</ul></div>' % "".join("<li>%s</li>" % plain_to_html(p) for p in problems)


def render_definitions(definitions, names) -> str:
    """A table with one row per (symbol, expr, why) definition; "" when there are none."""
    if not definitions:
        return ""
    rows = ['<tr><td class="lhs">%s</td><td class="rel">%s</td><td class="rhs">%s</td><td class="why">%s</td></tr>'
            % (to_mathml(latex(sym, names), display=True), to_mathml(r"\coloneqq", display=True),
               "".join(equation(ln) for ln in break_lines(expr, names, 0.6 * LINE_EM)), any_text(why))
            for sym, expr, why in definitions]
    return '<table class="definitions">%s</table>' % "".join(rows)
