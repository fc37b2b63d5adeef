r"""A derivation's steps as chains: each chain is one aligned block ``lhs = e1 = e2 = ...``, and every
equality in it is followed by its step number, status and justification (and how it was judged).

Chains come from the proof: a step with ``starts`` opens one. A proof from before chains existed
(steps without ``starts``) is grouped by adjacency instead: a step whose lhs prints as the previous
rhs continues the chain.
"""
from __future__ import annotations

import sympy as sp

from derivations import CHECKED, FAILED, PROVED
from derivations.inequality import LATEX as RELATION_LATEX

from .equations import break_lines, latex, same_printed
from .preamble import LINE_EM
from .text import escape_text, tex_source
from .width import estimate_width

MARK = {PROVED: r"\StatusProved", CHECKED: r"\StatusChecked", FAILED: r"\StatusFailed"}
_RELATION = {PROVED: "=", CHECKED: r"\ddeqchecked", FAILED: r"\ddeqfailed"}
# an inequality step's relation, coloured by its status as the equalities' are
_INEQUALITY = {PROVED: "%s", CHECKED: r"\mathrel{\textcolor{ddchecked}{%s}}",
               FAILED: r"\mathrel{\textcolor{ddfailed}{\overset{?}{%s}}}"}
_DETAIL_LABEL = {PROVED: "how", CHECKED: "why only checked", FAILED: "why it failed"}

LEGEND = r"""\begin{center}\small
\begin{tabular}{@{}lp{0.56\linewidth}@{}}
\StatusProved & SymPy reduced lhs $-$ rhs to exactly $0$ (matrix steps also with explicit components), and an
independent numeric evaluation (mpmath) agrees at random points. For an inequality ($\le$, $<$): the gap
rhs $-$ lhs is a sum or product of terms whose signs follow from the symbols' assumptions (or equals such a
certificate, proved like an equality), and the numeric evaluation finds no point that violates it.\\[2pt]
\StatusChecked & The two sides agree at random points, but no simplifier reduced lhs $-$ rhs to $0$: evidence,
not a proof. A derivation with such a step is not proved.\\[2pt]
\StatusFailed & The two sides differ somewhere (the point is shown), or the step could not be judged or was
refused (not chained to the previous one, a restatement, cases that do not cover the domain).
\end{tabular}
\end{center}
"""


def induction_gloss(r, definitions=(), names=None) -> str | None:
    r"""What a step's induction variable is in the statement's terms, as LaTeX text ($...$ maths), when a
    definition brings it in: with $L := k + m - 1$, the prover's "induction on m" is "$m$, where $L = k + m - 1$:
    the base $m = 1$ is $L = k$ and the step $m \to m + 1$ is $L \to L + 1$". None when the step is not by
    induction or no definition names its variable (the justification and the detail then use the same letter)."""
    step = getattr(r, "step", r)
    n = getattr(step, "induction", None)
    if n is None:
        return None
    for symbol, expr, *_why in definitions or ():
        # a re-indexing: an integer the statement uses (a depth L), one more for each step of n (L = k + m - 1)
        if (not isinstance(symbol, sp.Symbol) or not symbol.is_integer or n not in getattr(expr, "free_symbols", ())
                or sp.diff(expr, n) != 1):
            continue
        v, m = latex(symbol, names), latex(n, names)
        return (r"the induction runs on $%s$, where $%s = %s$: the base $%s = 1$ is $%s = %s$ and the step "
                r"$%s \to %s + 1$ is $%s \to %s + 1$" % (m, v, latex(expr, names), m, v, latex(expr.subs(n, 1), names),
                                                         m, m, v, v))
    return None


def step_note(k, r, definitions=(), names=None) -> str:
    r"""Step k's number, status marker and justification, then how its status was reached (for a step by
    induction on a variable the statement does not use, what that variable is: see induction_gloss)."""
    why = tex_source(r.why) if str(r.why).strip() else r"\textit{(no justification given)}"
    note = r"\ddstep{%d}{%s}{%s}" % (k, MARK.get(r.status, r"\StatusFailed"), why)
    detail = str(getattr(r, "detail", "") or "").strip()
    gloss = induction_gloss(r, definitions, names)
    if gloss:
        note += r"\dddetail{%s}" % gloss
    if detail:
        note += r"\dddetail{%s: %s}" % (_DETAIL_LABEL.get(r.status, "detail"), escape_text(detail))
    return note


def _opens_block(r, prev, marked, names) -> bool:
    """Does step r begin a new block? With chain marks: when it opens a chain, or when it failed with
    an lhs other than the previous rhs (a step refused as unchained shows its own lhs). Without them:
    whenever its lhs is not the previous rhs."""
    if marked and r.starts:
        return True
    if marked and r.status != FAILED:
        return False
    return not same_printed(r.lhs, prev.rhs, names)


def group_chains(results, names=None) -> list[list[int]]:
    """Step indices grouped into the blocks printed as chains."""
    marked = all(getattr(r, "starts", None) is not None for r in results)
    groups = []
    for k, r in enumerate(results):
        if groups and not _opens_block(r, results[k - 1], marked, names):
            groups[-1].append(k)
        else:
            groups.append([k])
    return groups


def _opening(first, names) -> tuple[float, str]:
    """The chain's first lhs: on the line of its rhs when short enough, else on lines of its own with
    the chain indented below; returns (the indent in em, the LaTeX that starts the first row)."""
    lhs = latex(first.lhs, names)
    lw, rhs_w = estimate_width(lhs), estimate_width(latex(first.rhs, names))
    if lw <= 0.42 * LINE_EM and (lw + 1.5 + rhs_w <= LINE_EM - 1 or lw <= 8):
        return lw, r"\ddlhs{%s} " % lhs
    head, *more = break_lines(first.lhs, names, LINE_EM - 1.0)
    start = r"\MoveEqLeft[2] \ddlong{%s} \\*" % head + "\n"
    return 2.0, start + "".join(r"&\qquad \ddrhs{%s} \\*" % ln + "\n" for ln in more)


def _equality_rows(relation, expr, budget, names) -> list[str]:
    """``&= e`` (with the step's relation), a long e continued on further rows."""
    lines = break_lines(expr, names, budget)
    return [r"&%s \ddrhs{%s}" % (relation, lines[0])] + [r"&\quad \ddrhs{%s}" % ln for ln in lines[1:]]


def _relation(r) -> str:
    """The step's relation sign, marked by its status."""
    rel = getattr(r, "relation", "=")
    if rel == "=":
        return _RELATION.get(r.status, r"\ddeqfailed")
    return _INEQUALITY.get(r.status, _INEQUALITY[FAILED]) % RELATION_LATEX[rel]


def _chain_rows(group, results, names, definitions=()) -> list[str]:
    """The rows of one chain's align*: its equalities, each but the last followed by its note."""
    indent, start = _opening(results[group[0]], names)
    budget = LINE_EM - indent - 3.0
    rows = []
    for j, k in enumerate(group):
        r = results[k]
        if j and not same_printed(r.lhs, results[k - 1].rhs, names):
            # chained after the definitions were substituted: show the lhs as written, unnumbered
            rows += _equality_rows("=", r.lhs, budget, names) + [r"\intertext{\dddefrow}"]
        eq = _equality_rows(_relation(r), r.rhs, budget, names)
        rows += [(start if j == 0 else "") + eq[0]] + eq[1:]
        if j < len(group) - 1:                 # the last note goes after the environment
            rows.append(r"\intertext{%s}" % step_note(k + 1, r, definitions, names))
    return rows


def _join(rows) -> str:
    """Rows joined with \\* (no page break inside a chain's step); a row may already end with one."""
    body = rows[0]
    for row in rows[1:]:
        body += ("\n" if body.endswith("\\\\*\n") else " \\\\*\n") + row
    return body


def render_chain(group, results, names=None, definitions=()) -> str:
    """One chain: what it derives (when named), its align* block, and its last step's note."""
    first, last = results[group[0]], group[-1]
    out = []
    name = getattr(first, "chain_name", None)
    if name:
        out.append(r"\ddchainhead{derives \texttt{%s}:}" % escape_text(name))
    out.append(r"\begin{align*}" + "\n" + _join(_chain_rows(group, results, names, definitions)) + "\n" + r"\end{align*}")
    out.append(step_note(last + 1, results[last], definitions, names))
    return "\n".join(out)


def render_steps(results, names=None, definitions=()) -> str:
    """Every step, chain by chain (``definitions``: the derivation's, which gloss an induction variable)."""
    results = list(results)
    if not results:
        return r"\ddnote{This derivation has no steps.}" + "\n"
    return "\n".join(render_chain(g, results, names, definitions) for g in group_chains(results, names)) + "\n"


def render_problems(problems) -> str:
    """The derivation's problems (bad definitions, unchained steps, unbacked results) in a red box."""
    problems = [str(p) for p in problems if str(p).strip()]
    if not problems:
        return ""
    items = "\n".join(r"\item " + escape_text(p) for p in problems)
    return r"\ddproblems{\begin{itemize}\setlength{\itemsep}{0pt}" + "\n" + items + "\n" + r"\end{itemize}}" + "\n"
