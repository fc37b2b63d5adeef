"""The numeric checks as booktabs tables (split so none outgrows a page), then what each compared."""
from __future__ import annotations

import math
import re

from .text import escape_text, tex_math

# one longtable: its rows flow across pages (the header repeats on each), where 6-row tabulars left a third of
# each page empty; longtable is in the tools bundle of texlive-latex-base (loaded by the preamble)
_HEAD = (r"{\small\setlength{\tabcolsep}{4pt}\renewcommand{\arraystretch}{1.1}\setlength{\LTpre}{4pt}"
         r"\setlength{\LTpost}{4pt}" + "\n"
         r"\begin{longtable}{@{}p{0.28\linewidth}p{0.24\linewidth}rrrc@{}}" + "\n\\toprule\n"
         r"check & data & max abs err & max rel err & tolerance & result \\" + "\n\\midrule\n\\endhead\n"
         r"\bottomrule" + "\n\\endlastfoot\n")


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


_GREEK = ("alpha", "beta", "gamma", "delta", "epsilon", "eps", "theta", "kappa", "lambda", "mu", "rho", "sigma",
          "Sigma", "tau", "omega", "Omega", "Delta", "Lambda")


def _sub(s: str | None) -> str:
    """A subscript: upright when it is a word (theta_GD), as is for a letter or number (kappa_2, mu0)."""
    return "" if not s else "_{%s}" % (r"\mathrm{%s}" % s if len(s) > 1 and not s.isdigit() else s)


def _greek(m) -> str:
    name = {"eps": "varepsilon", "epsilon": "varepsilon"}.get(m.group(1), m.group(1))
    return r"\ensuremath{\%s%s}" % (name, _sub(m.group(2) or m.group(3)))


#: The ASCII notations of the checks' texts (names, data, what was compared, details) and what the page
#: prints for each, in this order; the terminal and ``check --json`` keep the ASCII.
NOTATIONS = (
    (r"\|\|_(inf|F|\d)\b", lambda m: r"\ensuremath{\|_{%s}}" % {"inf": r"\infty"}.get(m.group(1), m.group(1))),
    (r"\|\|", lambda m: r"\ensuremath{\|}"),                                 # ||w - coef_||: a norm
    (r"->", lambda m: r"\ensuremath{\to}"),
    (r"<=", lambda m: r"\ensuremath{\leq}"),
    (r">=", lambda m: r"\ensuremath{\geq}"),
    (r"!=", lambda m: r"\ensuremath{\neq}"),
    (r"\b([A-Za-z])~", lambda m: r"\ensuremath{\tilde{%s}}" % m.group(1)),      # X~ = (X, 1): X tilde
    (r"~(?=\s*[-+]?\.?\d)", lambda m: r"\ensuremath{\approx}"),               # ~ 7, ~1e-15: about
    (r"~", lambda m: r"\ensuremath{\sim}"),                                     # x ~ N(0, I): distributed as
    (r"\bsqrt(?=\()", lambda m: r"\ensuremath{\surd}"),                        # sqrt(6/q): the root sign
    (r"(?:\*\*|\^)(?:\(([^()]*)\)|(-?\w+))",                                   # (1/4)**L, X^T, q^(L-1)
     lambda m: r"\ensuremath{^{%s}}" % tex_math(m.group(1) or m.group(2))),
    (r"\b(%s)(?:_([A-Za-z0-9]+)|(\d+))?\b(?![-=])" % "|".join(_GREEK), _greek),  # kappa2(Sigma), theta_GD
    # (not delta-method, nor a keyword argument alpha=...)
    (r"\*", lambda m: r"\ensuremath{\cdot}"),                                   # 4*eps, lam * sum: a product
    (r"(?<![-<>=!])([<>])(?![=>])", lambda m: r"\ensuremath{%s}" % m.group(1)),  # r < 2, |z| > 5
    (r"\binf\b", lambda m: r"\ensuremath{\infty}"),                            # z = -inf, C=inf
)
_NOTATION = re.compile("|".join("(%s)" % re.sub(r"(?<!\\)\((?!\?)", "(?:", p) for p, _ in NOTATIONS))


#: a $...$ span of a check's text: LaTeX math, written so by the check (its details: $\max|\Delta|$)
_MATH_SPAN = re.compile(r"\$([^$]+)\$")


def check_text(text) -> str:
    """A check's text as LaTeX: its $...$ spans as they are (math, made ASCII-safe), elsewhere the
    :data:`NOTATIONS` as mathematics, the rest escaped, and long identifiers allowed to break after
    . _ = , / (narrow table cells)."""
    text, out, end = str(text), [], 0
    for m in _MATH_SPAN.finditer(text):
        out.append(_notations(text[end:m.start()]))
        out.append("$%s$" % tex_math(m.group(1)))
        end = m.end()
    out.append(_notations(text[end:]))
    return "".join(out)


def _notations(text: str) -> str:
    """Plain text as LaTeX: the :data:`NOTATIONS` as mathematics, the rest escaped."""
    out, end = [], 0
    for m in _NOTATION.finditer(text):
        out.append(_plain(text[end:m.start()]))
        k = next(i for i, g in enumerate(m.groups()) if g is not None)
        pattern, tex = NOTATIONS[k]
        out.append(tex(re.match(pattern, m.group(0))))
        end = m.end()
    out.append(_plain(text[end:]))
    return "".join(out)


def _plain(text: str) -> str:
    return re.sub(r"(\\_|[.=,/])(?=[A-Za-z])", r"\1\\allowbreak{}", escape_text(text))



def _row(k, c) -> str:
    """Table row k for CheckResult c."""
    return r"\ddrr %d.\ %s & \ddrr %s & %s & %s & %s & %s \\" % (
        k, check_text(c.name), check_text(c.data), sci(c.max_abs_err), sci(c.max_rel_err), sci(c.tolerance),
        r"\CheckPass" if c.passed else r"\CheckFail")


def _item(k, c) -> str | None:
    """What check k compared and its details, as a list item (None when it says nothing more)."""
    parts = [r"compared %s" % check_text(c.compared)] if str(c.compared).strip() else []
    if str(c.detail).strip():
        parts.append(check_text(c.detail))
    if not parts:
        return None
    return r"\item[%d.] \textbf{%s}%s: %s" % (k, check_text(c.name), "" if c.passed else r" (\CheckFail)",
                                             "; ".join(parts))


def render_checks(checks) -> str:
    """The checks as tables of numbered rows, then the list of what each compared; "" for none."""
    if not checks:
        return ""
    rows = [_row(k, c) for k, c in enumerate(checks, 1)]
    text = _HEAD + "\n\\addlinespace[2pt]\n".join(rows) + "\n\\end{longtable}}\n"
    items = [i for i in (_item(k, c) for k, c in enumerate(checks, 1)) if i]
    if items:
        text += "\\begin{itemize}\\footnotesize\\raggedright\n" + "\n".join(items) + "\n\\end{itemize}\n"
    return text


def replace_ensuremath(tex: str, by) -> str:
    """`tex` with each \\ensuremath{...} of check_text's output (braces balanced) replaced by by(its inside)."""
    out, i, key = [], 0, "\\ensuremath{"
    while (j := tex.find(key, i)) >= 0:
        depth, k = 1, j + len(key)
        while depth:
            depth += {"{": 1, "}": -1}.get(tex[k], 0)
            k += 1
        out += [tex[i:j], by(tex[j + len(key):k - 1])]
        i = k
    return "".join(out + [tex[i:]])
