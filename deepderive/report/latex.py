r"""LaTeX for one derivation's report: pure functions from records to text (no files, no TeX run).

Only packages from Debian's texlive-latex-base and texlive-latex-recommended are used (amsmath,
mathtools, graphicx, booktabs, xcolor, listings, geometry, hyperref), and the output is ASCII: every
non-ASCII character in a title, a justification, a detail or a code listing is mapped to a LaTeX
command or an ASCII spelling, so the file compiles under any input encoding.

Long equations never run off the page: the layout (``lhs = rhs`` on one line, or the lhs on a line
of its own with the chain indented below, long sums split at their terms) is chosen from an estimate
of the printed width, and the ``\ddfit`` macro scales down whatever the estimate got wrong.
"""
from __future__ import annotations

import ast
import importlib.util
import inspect
import math
import pathlib
import re
import tempfile
import textwrap
import unicodedata
from dataclasses import dataclass

import sympy as sp
from sympy.printing.latex import LatexPrinter

PROVED, CHECKED, FAILED = "proved", "checked", "failed"
LINE_EM = 41.0          # usable line width in em (A4, 2.3 cm margins, 11 pt)

PREAMBLE = r"""\documentclass[11pt,a4paper]{article}
% Reproducible PDF: no dates, no trailer id, no pdfTeX banner or file names.
\ifdefined\pdfinfoomitdate\pdfinfoomitdate=1\fi
\ifdefined\pdftrailerid\pdftrailerid{}\fi
\ifdefined\pdfsuppressptexinfo\pdfsuppressptexinfo=-1\fi
\usepackage[margin=2.3cm]{geometry}
\usepackage{amsmath}
\usepackage{mathtools}
\usepackage{graphicx}
\usepackage{booktabs}
\usepackage{xcolor}
\usepackage{listings}
\usepackage[hidelinks,bookmarksnumbered]{hyperref}
\allowdisplaybreaks
\setlength{\parindent}{0pt}
\setlength{\parskip}{4pt plus 1pt}
\definecolor{ddproved}{RGB}{0,125,55}
\definecolor{ddchecked}{RGB}{205,125,0}
\definecolor{ddfailed}{RGB}{205,25,25}
\definecolor{ddgray}{gray}{0.42}
\definecolor{ddcode}{gray}{0.965}
% status markers
\newcommand{\ddmark}[2]{{\setlength{\fboxsep}{1.6pt}\fcolorbox{#1}{#1!10}{\textcolor{#1!85!black}{\small\bfseries #2}}}}
\newcommand{\StatusProved}{\ddmark{ddproved}{$\surd$ proved}}
\newcommand{\StatusChecked}{\ddmark{ddchecked}{$\approx$ checked numerically$^{\dagger}$}}
\newcommand{\StatusFailed}{\ddmark{ddfailed}{$\times$ FAILED}}
\newcommand{\CheckPass}{\textcolor{ddproved!85!black}{\bfseries pass}}
\newcommand{\CheckFail}{\textcolor{ddfailed}{\bfseries FAIL}}
\newcommand{\ddrr}{\raggedright\let\\\tabularnewline}  % ragged-right table cell (no array package)
\newcommand{\ddeqfailed}{\mathrel{\textcolor{ddfailed}{\overset{?}{=}}}}
\newcommand{\ddeqchecked}{\mathrel{\textcolor{ddchecked}{=}}}
% \ddfit{max width}{math}: display-style math, scaled down only if wider than the given width
\newsavebox{\ddbox}
\newlength{\ddlhswd}
\newcommand{\ddfit}[2]{\sbox{\ddbox}{$\displaystyle #2$}%
  \ifdim\wd\ddbox>#1\relax\resizebox{#1}{!}{\usebox{\ddbox}}\else\usebox{\ddbox}\fi}
% the first lhs of a chain on the same line as its rhs (records its width for the rhs budget)
\newcommand{\ddlhs}[1]{\sbox{\ddbox}{$\displaystyle #1$}%
  \ifdim\wd\ddbox>0.45\linewidth\global\ddlhswd=0.45\linewidth\resizebox{0.45\linewidth}{!}{\usebox{\ddbox}}%
  \else\global\ddlhswd=\wd\ddbox\usebox{\ddbox}\fi}
% a long first lhs on a line of its own (after \MoveEqLeft); the chain is indented by 2em below it
\newcommand{\ddlong}[1]{\global\ddlhswd=2em\ddfit{\linewidth}{#1}}
\newcommand{\ddrhs}[1]{\ddfit{\dimexpr\linewidth-\ddlhswd-3em\relax}{#1}}
% a step's justification, status and how it was established, under its equation
\newcommand{\ddstep}[3]{\par{\small\hangindent=2.6em\hangafter=1\noindent\makebox[2.6em][l]{\bfseries(#1)}#2\enspace #3\par}}
\newcommand{\dddetail}[1]{{\scriptsize\color{ddgray}\leftskip=2.6em\noindent #1\par}}
\newcommand{\ddneedspace}[1]{\par\ifdim\dimexpr\pagegoal-\pagetotal\relax<#1\relax\newpage\fi}
\newcommand{\ddnote}[1]{\par{\small\raggedright\color{ddgray}#1\par}}
% tighter displays: a derivation is mostly displays
\makeatletter
\g@addto@macro\normalsize{\setlength\abovedisplayskip{7pt plus 2pt minus 2pt}%
  \setlength\belowdisplayskip{5pt plus 2pt minus 2pt}%
  \setlength\abovedisplayshortskip{3pt plus 2pt}\setlength\belowdisplayshortskip{4pt plus 2pt}}
\makeatother
\lstset{language=Python, basicstyle=\ttfamily\footnotesize, columns=fullflexible, keepspaces=true,
  breaklines=true, breakatwhitespace=false, showstringspaces=false,
  frame=single, rulecolor=\color{black!25}, backgroundcolor=\color{ddcode}, framesep=3pt,
  xleftmargin=3.6pt, xrightmargin=3.6pt,
  keywordstyle=\color{blue!60!black}, commentstyle=\color{ddgray}, stringstyle=\color{green!35!black},
  postbreak=\mbox{\textcolor{ddgray}{$\hookrightarrow$}\space}, extendedchars=false}
"""

# ---- text: escaping and ASCII ---------------------------------------------------------------------

_GREEK = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa", "lambda",
          "mu", "nu", "xi", "omicron", "pi", "rho", "sigma", "tau", "upsilon", "phi", "chi", "psi", "omega"]
_GREEK_UPPER_TEX = {"Gamma", "Delta", "Theta", "Lambda", "Xi", "Pi", "Sigma", "Upsilon", "Phi", "Psi", "Omega"}

_MATH_CHARS = {   # character -> LaTeX math (used through \ensuremath in text)
    "\u2212": "-", "\u00d7": r"\times", "\u00b7": r"\cdot", "\u22c5": r"\cdot", "\u00b1": r"\pm",
    "\u2264": r"\leq", "\u2265": r"\geq", "\u2260": r"\neq", "\u2248": r"\approx", "\u2261": r"\equiv",
    "\u2192": r"\to", "\u2190": r"\leftarrow", "\u21d2": r"\Rightarrow", "\u21d4": r"\Leftrightarrow",
    "\u2208": r"\in", "\u2209": r"\notin", "\u2282": r"\subset", "\u2286": r"\subseteq", "\u221e": r"\infty",
    "\u2207": r"\nabla", "\u2202": r"\partial", "\u221a": r"\surd", "\u2211": r"\sum", "\u220f": r"\prod",
    "\u222b": r"\int", "\u2200": r"\forall", "\u2203": r"\exists", "\u2227": r"\wedge", "\u2228": r"\vee",
    "\u00ac": r"\neg", "\u2218": r"\circ", "\u2297": r"\otimes", "\u2299": r"\odot", "\u27e8": r"\langle",
    "\u27e9": r"\rangle", "\u2016": r"\|", "\u2032": r"'", "\u2033": r"''", "\u00b0": r"^{\circ}",
    "\u2225": r"\parallel", "\u22a4": r"\top", "\u2245": r"\cong", "\u221d": r"\propto", "\u2286": r"\subseteq",
    "\u227b": r"\succ", "\u2ab0": r"\succeq", "\u227d": r"\succeq", "\u2113": r"\ell",
}
for _i, _g in enumerate(_GREEK):
    if _g != "omicron":
        _MATH_CHARS[chr(0x3B1 + _i + (1 if _i >= 17 else 0))] = "\\" + _g   # skip final sigma U+03C2
    _up = _g.capitalize()
    _MATH_CHARS[chr(0x391 + _i + (1 if _i >= 17 else 0))] = "\\" + _up if _up in _GREEK_UPPER_TEX else (
        {"Alpha": "A", "Beta": "B", "Epsilon": "E", "Zeta": "Z", "Eta": "H", "Iota": "I", "Kappa": "K",
         "Mu": "M", "Nu": "N", "Omicron": "O", "Rho": "P", "Tau": "T", "Chi": "X"}[_up])
_MATH_CHARS["\u03c2"] = r"\varsigma"
_MATH_CHARS["\u03d5"] = r"\phi"
_MATH_CHARS["\u03b5"] = r"\varepsilon"
_SUP = dict(zip("\u2070\u00b9\u00b2\u00b3\u2074\u2075\u2076\u2077\u2078\u2079\u207a\u207b\u1d40\u207f\u2071",
                "0123456789+-Tni"))
_SUB = dict(zip("\u2080\u2081\u2082\u2083\u2084\u2085\u2086\u2087\u2088\u2089\u208a\u208b\u1d62\u2c7c\u2096",
                "0123456789+-ijk"))
_TEXT_CHARS = {   # character -> LaTeX text
    "\u2013": "--", "\u2014": "---", "\u2026": r"\ldots{}", "\u201c": "``", "\u201d": "''", "\u2018": "`",
    "\u2019": "'", "\u00a0": "~", "\u2009": r"\,", "\u202f": r"\,", "\u00ab": "<<", "\u00bb": ">>",
    "\u2022": r"\ensuremath{\bullet}", "\u00df": r"{\ss}", "\u00e6": r"{\ae}", "\u00f8": r"{\o}",
    "\u00c6": r"{\AE}", "\u00d8": r"{\O}", "\u0131": r"{\i}", "\u00a7": r"{\S}", "\u2010": "-", "\u2011": "-",
}
_MATH_MODE_TEXT = {"\u2013": "-", "\u2014": "-", "\u2026": r"\ldots", "\u00a0": r"~", "\u2019": "'"}
_ACCENTS = {"\u0301": "'", "\u0300": "`", "\u0302": "^", "\u0308": '"', "\u0303": "~", "\u0304": "=",
            "\u0327": "c", "\u030c": "v", "\u0306": "u", "\u030a": "r", "\u0307": "."}
_ASCII_CODE = {"\u2013": "-", "\u2014": "--", "\u2212": "-", "\u2026": "...", "\u201c": '"', "\u201d": '"',
               "\u2018": "'", "\u2019": "'", "\u00d7": "x", "\u00b7": "*", "\u2264": "<=", "\u2265": ">=",
               "\u2260": "!=", "\u2248": "~=", "\u2192": "->", "\u2208": " in ", "\u221e": "inf",
               "\u00a0": " ", "\u2207": "grad ", "\u2202": "d", "\u221a": "sqrt", "\u2211": "sum", "\u00b1": "+/-",
               "\u2032": "'", "\u1d40": "^T", "\u207b\u00b9": "^-1"}


def _ascii_fallback(ch: str) -> str:
    """The ASCII of a character's compatibility decomposition (1/4 for U+00BC), or '?'."""
    a = unicodedata.normalize("NFKD", ch).replace("\u2044", "/").encode("ascii", "ignore").decode()
    return a if a else "?"


def _accented(ch: str):
    base, *marks = unicodedata.normalize("NFD", ch)
    if base.isascii() and marks and all(m in _ACCENTS for m in marks):
        out = base if base not in "ij" else "\\" + base
        for m in marks:
            out = "\\%s{%s}" % (_ACCENTS[m], out)
        return out
    return None


_TEXT_ESCAPES = {"_": r"\_", "^": r"\textasciicircum{}", "&": r"\&", "#": r"\#", "%": r"\%",
                 "<": r"\textless{}", ">": r"\textgreater{}", "|": r"\textbar{}"}


def _unicode_to_tex(s: str, start_in_math: bool = False, escape_text_specials: bool = True) -> str:
    r"""Map LaTeX source to ASCII LaTeX, aware of math mode ($...$, \(...\), \[...\]).

    Outside math, characters that would be errors there (``_ ^ & # %``, and ``< > |`` which OT1 prints
    as other glyphs) are escaped: "stable form of sigmoid_prime: $e^{z}$" compiles as meant."""
    out, in_math, i = [], start_in_math, 0
    while i < len(s):
        ch = s[i]
        if ch == "\\" and i + 1 < len(s):
            nxt = s[i + 1]
            if nxt in "([":
                in_math = True
            elif nxt in ")]":
                in_math = False
            if nxt.isascii():
                out.append(s[i:i + 2])
                i += 2
                continue
            out.append(ch)
            i += 1
            continue
        if ch == "$":
            in_math = not in_math
            out.append(ch)
            i += 1
            continue
        if ch.isascii():
            out.append(_TEXT_ESCAPES[ch] if escape_text_specials and not in_math and ch in _TEXT_ESCAPES else ch)
            i += 1
            continue
        for table, wrap in ((_SUP, "^"), (_SUB, "_")):
            if ch in table:
                j = i
                while j < len(s) and s[j] in table:
                    j += 1
                run = "".join(table[c] for c in s[i:j])
                tex = "{}%s{%s}" % (wrap, run)
                out.append(tex if in_math else r"\ensuremath{%s}" % tex)
                i = j
                break
        else:
            if in_math and ch in _MATH_MODE_TEXT:
                out.append(_MATH_MODE_TEXT[ch])
            elif ch in _MATH_CHARS:
                tex = _MATH_CHARS[ch]
                out.append((tex + " " if tex[-1].isalpha() else tex) if in_math else r"\ensuremath{%s}" % tex)
            elif not in_math and ch in _TEXT_CHARS:
                out.append(_TEXT_CHARS[ch])
            elif not in_math and _accented(ch):
                out.append(_accented(ch))
            else:
                out.append(_ascii_fallback(ch))
            i += 1
    return "".join(out)


_SPECIAL = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "$": r"\$", "&": r"\&", "#": r"\#",
            "^": r"\textasciicircum{}", "_": r"\_", "%": r"\%", "~": r"\textasciitilde{}",
            "<": r"\textless{}", ">": r"\textgreater{}", "|": r"\textbar{}"}


def escape_text(s) -> str:
    """Plain text (names, details, data descriptions) -> LaTeX text, ASCII only."""
    s = "".join(_SPECIAL.get(c, c) for c in str(s))
    return _unicode_to_tex(s, escape_text_specials=False)


def is_latex(s: str) -> bool:
    """Does a user string look like LaTeX source (has math or commands) rather than plain text?"""
    return "$" in s or "\\" in s


def tex_source(s) -> str:
    """A string meant as LaTeX (a statement, a justification): ASCII-safe; plain text is escaped."""
    s = str(s)
    return _unicode_to_tex(s) if is_latex(s) else escape_text(s)


def tex_math(s) -> str:
    """A LaTeX math fragment (no $): ASCII-safe."""
    return _unicode_to_tex(str(s), start_in_math=True, escape_text_specials=False)


def ascii_code(s: str) -> tuple[str, bool]:
    """Source code -> ASCII for listings; returns (text, changed)."""
    if s.isascii():
        return s, False
    for k in sorted(_ASCII_CODE, key=len, reverse=True):
        s = s.replace(k, _ASCII_CODE[k])
    out = []
    for ch in s:
        if ch.isascii():
            out.append(ch)
        elif ch in _MATH_CHARS and _MATH_CHARS[ch].startswith("\\") and _MATH_CHARS[ch][1:].isalpha():
            out.append(_MATH_CHARS[ch][1:])          # greek letters by name
        elif ch in _SUP:
            out.append("^" + _SUP[ch])
        elif ch in _SUB:
            out.append("_" + _SUB[ch])
        else:
            out.append(_ascii_fallback(ch))
    return "".join(out), True


# ---- width estimate ----------------------------------------------------------------------------

_TOKEN = re.compile(r"\\[A-Za-z]+\*?|\\.|[{}]|[_^]|\s+|.")
_ZERO = {r"\left", r"\right", r"\middle", r"\big", r"\Big", r"\bigg", r"\Bigg", r"\displaystyle", r"\limits",
         r"\nolimits", r"\textstyle", r"\bigl", r"\bigr", r"\Bigl", r"\Bigr"}
_WORDS = {r"\log": 1.4, r"\exp": 1.6, r"\ln": 1.0, r"\sin": 1.4, r"\cos": 1.5, r"\det": 1.4, r"\max": 1.8,
          r"\min": 1.6, r"\arg": 1.4, r"\sup": 1.5, r"\inf": 1.3, r"\lim": 1.4}
_SPACES = {r"\,": 0.17, r"\;": 0.28, r"\:": 0.22, r"\!": -0.17, r"\ ": 0.33, r"\quad": 1.0, r"\qquad": 2.0,
           r"\enspace": 0.5}
_TEXTUAL = {r"\operatorname", r"\mathrm", r"\text", r"\textrm", r"\mathit", r"\mathbf", r"\texttt",
            r"\mathsf", r"\textbf", r"\textit", r"\mathcal", r"\mathbb"}
_BIG_OPS = {r"\sum": 1.4, r"\prod": 1.4, r"\int": 1.0}


def estimate_width(tex: str) -> float:
    """A rough width in em of display math `tex` (good to ~20%: it only picks the layout)."""
    tokens = [t for t in _TOKEN.findall(tex) if not t.isspace()]
    width, _ = _group(tokens, 0, stop_at_close=False)
    return width


def _arg(tokens, i):
    """One argument: a braced group or a single token; returns (width, tokens consumed index)."""
    if i >= len(tokens):
        return 0.0, i
    if tokens[i] == "{":
        return _group(tokens, i + 1, stop_at_close=True)
    return _group(tokens[i:i + 1], 0, stop_at_close=False)[0], i + 1


def _plain(tokens, i):
    """The characters of a braced text argument, e.g. \\operatorname{softplus}."""
    depth, j, chars = 0, i, 0
    while j < len(tokens):
        t = tokens[j]
        if t == "{":
            depth += 1
        elif t == "}":
            depth -= 1
            if depth == 0:
                return chars, j + 1
        else:
            chars += 1 if not t.startswith("\\") else 0.6
        j += 1
    return chars, j


def _group(tokens, i, stop_at_close):
    w = 0.0
    while i < len(tokens):
        t = tokens[i]
        if t == "}":
            if stop_at_close:
                return w, i + 1
            i += 1
            continue
        if t == "{":
            g, i = _group(tokens, i + 1, stop_at_close=True)
            w += g
            continue
        if t in ("_", "^"):
            g, i = _arg(tokens, i + 1)
            w += 0.72 * g
            continue
        if t in (r"\frac", r"\dfrac", r"\tfrac", r"\binom"):
            a, i = _arg(tokens, i + 1)
            b, i = _arg(tokens, i)
            w += max(a, b) + 0.35
            continue
        if t in (r"\left", r"\right", r"\bigl", r"\bigr", r"\middle"):
            i += 1
            if i < len(tokens) and tokens[i] != ".":
                w += 0.45
            i += 1
            continue
        if t in (r"\mathopen", r"\mathclose"):
            i += 1
            continue
        if t in _TEXTUAL:
            n, i = _plain(tokens, i + 1)
            w += 0.5 * n + 0.15
            continue
        if t in (r"\begin", r"\end"):
            _, i = _plain(tokens, i + 1)
            w += 0.5
            continue
        if t == r"\sqrt":
            g, i = _arg(tokens, i + 1)
            w += g + 1.0
            continue
        i += 1
        if t in _ZERO:
            continue
        if t in _SPACES:
            w += _SPACES[t]
        elif t in _WORDS:
            w += _WORDS[t] + 0.17
        elif t in _BIG_OPS:
            w += _BIG_OPS[t]
        elif t.startswith("\\"):
            w += 1.2 if t in (r"\cdot", r"\times", r"\leq", r"\geq", r"\neq", r"\coloneqq", r"\approx",
                              r"\to", r"\in", r"\mid") else (0.0 if len(t) == 2 and not t[1].isalpha() else 0.6)
        elif t in "+-=<>":
            w += 1.25
        elif t in ",;":
            w += 0.45
        elif t in "()[]|":
            w += 0.4
        elif t.isdigit():
            w += 0.5
        else:
            w += 0.55
    return w, i


# ---- equations ----------------------------------------------------------------------------------

class ReportPrinter(LatexPrinter):
    """sympy's LaTeX, except that an exponential with a long or fractional argument is printed as
    exp(...) rather than as a tiny superscript."""

    def _print_ExpBase(self, expr, exp=None):
        arg = self._print(expr.args[0])
        if r"\frac" in arg or estimate_width(arg) > 7:
            return self._do_exponent(r"\exp\left(%s\right)" % arg, exp)
        return super()._print_ExpBase(expr, exp)


def latex(expr, names=None) -> str:
    """`expr` in LaTeX with the derivation's symbol names (ASCII)."""
    return tex_math(ReportPrinter({"symbol_names": dict(names or {})}).doprint(expr))


def _sum_pieces(expr, names) -> list[str] | None:
    """An Add printed term by term, as sympy.latex orders and signs them: ['a', '- b', '+ c', ...]."""
    if not isinstance(expr, sp.Add):
        return None
    printer = ReportPrinter({"symbol_names": dict(names or {})})
    pieces = []
    for k, term in enumerate(printer._as_ordered_terms(expr, order=None)):
        sign = ""
        if k > 0:
            if term.could_extract_minus_sign():
                sign, term = "- ", -term
            else:
                sign = "+ "
        tex = printer._print(term)
        if printer._needs_add_brackets(term):
            tex = r"\left(%s\right)" % tex
        pieces.append(sign + tex_math(tex))
    return pieces


def _lines(expr, names, budget_em) -> list[str]:
    """Split a long sum into lines of at most ~budget_em each (other expressions stay whole)."""
    whole = latex(expr, names)
    if estimate_width(whole) <= budget_em:
        return [whole]
    pieces = _sum_pieces(expr, names)
    if not pieces:
        return [whole]
    lines, cur = [], ""
    for piece in pieces:
        cand = (cur + " " + piece).strip()
        if cur and estimate_width(cand) > budget_em:
            lines.append(cur)
            cur = piece
        else:
            cur = cand
    lines.append(cur)
    return [ln if k == 0 else "{}" + ln for k, ln in enumerate(lines)]


_MARK = {PROVED: r"\StatusProved", CHECKED: r"\StatusChecked", FAILED: r"\StatusFailed"}
_REL = {PROVED: "=", CHECKED: r"\ddeqchecked", FAILED: r"\ddeqfailed"}


def _same(a, b, names) -> bool:
    try:
        if a == b:
            return True
    except Exception:  # pragma: no cover - exotic objects
        pass
    return latex(a, names) == latex(b, names)


def _note(k, r) -> str:
    why = tex_source(r.why) if str(r.why).strip() else r"\textit{(no justification given)}"
    note = r"\ddstep{%d}{%s}{%s}" % (k, _MARK.get(r.status, r"\StatusFailed"), why)
    detail = str(getattr(r, "detail", "") or "").strip()
    if detail:
        label = {PROVED: "how", CHECKED: "why only checked", FAILED: "why it failed"}.get(r.status, "detail")
        note += r"\dddetail{%s: %s}" % (label, escape_text(detail))
    return note


def chains(results, names=None) -> list[list[int]]:
    """Group step indices into chains: a step whose lhs is the previous step's rhs continues it."""
    groups = []
    for k, r in enumerate(results):
        if groups and _same(r.lhs, results[k - 1].rhs, names):
            groups[-1].append(k)
        else:
            groups.append([k])
    return groups


def render_steps(results, names=None) -> str:
    """Every step as an aligned equation (``lhs = rhs``, or ``&= rhs`` continuing a chain), each followed
    by its number, status marker, justification and how it was established."""
    results = list(results)
    if not results:
        return r"\ddnote{This derivation has no steps.}" + "\n"
    out = []
    for group in chains(results, names):
        rows = []
        first = results[group[0]]
        lhs = latex(first.lhs, names)
        lw = estimate_width(lhs)
        rhs_w = estimate_width(latex(first.rhs, names))
        if lw <= 0.42 * LINE_EM and (lw + 1.5 + rhs_w <= LINE_EM - 1 or lw <= 8):
            indent, start = lw, r"\ddlhs{%s} " % lhs          # lhs = rhs on one line
        else:                                                 # lhs on lines of its own, chain below
            head, *more = _lines(first.lhs, names, LINE_EM - 1.0)
            indent, start = 2.0, r"\MoveEqLeft[2] \ddlong{%s} \\*" % head + "\n"
            start += "".join(r"&\qquad \ddrhs{%s} \\*" % ln + "\n" for ln in more)
        budget = LINE_EM - indent - 3.0
        for j, k in enumerate(group):
            r = results[k]
            lines = _lines(r.rhs, names, budget)
            rel = _REL.get(r.status, r"\ddeqfailed")
            rows.append((start if j == 0 else "") + r"&%s \ddrhs{%s}" % (rel, lines[0]))
            rows += [r"&\quad \ddrhs{%s}" % ln for ln in lines[1:]]
            if j < len(group) - 1:                 # the last note goes after the environment
                rows.append(r"\intertext{%s}" % _note(k + 1, r))
        body = rows[0]
        for row in rows[1:]:       # every row and \intertext follows \\*: no page break inside a step
            body += ("\n" if body.endswith("\\\\*\n") else " \\\\*\n") + row
        out.append(r"\begin{align*}" + "\n" + body + "\n" + r"\end{align*}")
        out.append(_note(group[-1] + 1, results[group[-1]]))
    return "\n".join(out) + "\n"


def render_definitions(definitions, names=None) -> str:
    """A table: name, := value (long sums split over lines), and why, one row per definition."""
    if not definitions:
        return ""
    rows = []
    for sym, expr, why in definitions:
        lines = _lines(expr, names, 0.53 * LINE_EM - 2.0)
        value = lines[0] if len(lines) == 1 else (
            r"\begin{aligned}[t] &" + r" \\ &\quad ".join(lines) + r"\end{aligned}")
        rows.append(r"\ddfit{0.2\linewidth}{%s} & \ddfit{0.53\linewidth}{{}\coloneqq %s} & "
                    r"{\small\raggedright %s\par} \\[7pt]" % (latex(sym, names), value, tex_source(why)))
    return ("\\begin{center}\n\\begin{tabular}{@{}r@{}l@{\\hspace{1.2em}}p{0.22\\linewidth}@{}}\n"
            + "\n".join(rows) + "\n\\end{tabular}\n\\end{center}\n")


LEGEND = r"""\begin{center}\small
\begin{tabular}{@{}lp{0.68\linewidth}@{}}
\StatusProved & SymPy reduced lhs $-$ rhs to exactly $0$ (matrix steps also with explicit components), and the
two sides agree at random points at 50 digits.\\[2pt]
\StatusChecked & $^{\dagger}$Equal at random points at 50 digits, but not reduced symbolically: evidence, not a
proof --- explicitly weaker than proved.\\[2pt]
\StatusFailed & The two sides differ somewhere (the point is shown), or the step could not be judged.
\end{tabular}
\end{center}
"""


# ---- generated code -------------------------------------------------------------------------------

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


_GREEK_NAMES = "|".join(sorted(_GREEK + [g.capitalize() for g in _GREEK], key=len, reverse=True))


def _tidy_latexify(tex: str) -> str:
    r"""latexify prints t0 as \mathrm{t0}; print numbered names as subscripted ones (t_{0}, \mu_{1})."""
    def sub(m):
        base, num = m.group(1), m.group(2)
        if len(base) == 1:
            return "%s_{%s}" % (base, num)
        if re.fullmatch(_GREEK_NAMES, base):
            return "\\%s_{%s}" % (base, num)
        return m.group(0)
    return re.sub(r"\\mathrm\{([A-Za-z]+)(\d+)\}", sub, tex)


class _MathView(ast.NodeTransformer):
    """x.sum() as np.sum(x): latexify prints the method call as an empty sum."""

    def visit_Call(self, node):
        self.generic_visit(node)
        f = node.func
        if isinstance(f, ast.Attribute) and f.attr == "sum" and not node.args and not node.keywords:
            return ast.Call(func=ast.Attribute(value=ast.Name(id="np", ctx=ast.Load()), attr="sum", ctx=ast.Load()),
                            args=[f.value], keywords=[])
        return node


def _latexify(fn) -> str:
    """latexify-py of the function as mathematics: without its `del` statements (they free memory)
    and with x.sum() written np.sum(x).

    latexify accepts only assignments before the return, and reads the source from a real file: the
    function so rewritten is written to a temporary module and rendered from there.
    """
    import latexify

    tree = ast.parse(textwrap.dedent(inspect.getsource(fn)))
    as_written = ast.dump(tree)
    tree.body[0].body = [stmt for stmt in tree.body[0].body if not isinstance(stmt, ast.Delete)]
    tree = ast.fix_missing_locations(_MathView().visit(tree))
    if ast.dump(tree) == as_written:
        return latexify.get_latex(fn, prefixes={"np"}, use_math_symbols=True)
    with tempfile.TemporaryDirectory() as d:
        path = pathlib.Path(d) / "deepderive_math_view.py"
        path.write_text("import numpy as np\n\n\n" + ast.unparse(tree) + "\n", encoding="utf-8")
        spec = importlib.util.spec_from_file_location("deepderive_math_view", path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return latexify.get_latex(getattr(module, fn.__name__), prefixes={"np"}, use_math_symbols=True)


def describe_function(fn, qualname: str | None = None) -> FunctionDoc:
    """Summary, docstring formula, latexify-py rendering (or its error) and source of a function."""
    qualname = qualname or f"{fn.__module__}.{fn.__name__}"
    doc = inspect.getdoc(fn) or ""
    summary = doc.strip().splitlines()[0] if doc.strip() else ""
    formula = None
    for line in doc.splitlines():
        if line.strip().startswith("Formula:"):
            formula = line.split("Formula:", 1)[1].strip() or None
            break
    try:
        tex, err = _tidy_latexify(_latexify(fn)), ""
    except Exception as exc:   # latexify supports a subset of Python; the report goes on without it
        tex, err = None, f"{type(exc).__name__}: {exc}"
    try:
        src = inspect.getsource(fn)
    except (OSError, TypeError) as exc:
        src = f"# source not available: {exc}"
    src, changed = ascii_code(src)
    return FunctionDoc(qualname, summary, formula, tex, err, src.rstrip("\n"), changed)


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


def render_function(doc: FunctionDoc) -> str:
    out = [r"\subsection{\texttt{%s}}" % escape_text(doc.qualname)]
    if doc.summary:
        out.append(escape_text(doc.summary))
    if doc.formula:
        out.append(r"\par The closed form it implements (from its docstring):")
        out.append(_formula_display(doc.formula))
    if doc.latexify is not None:
        out.append(r"\par The code as \texttt{latexify-py} reads it (the accurate forms actually computed):")
        out.append(r"\[ \ddfit{\linewidth}{%s} \]" % tex_math(doc.latexify))
    else:
        where = "the formula above, from its docstring, stands in for it" if doc.formula else \
            "and its docstring carries no formula"
        out.append(r"\ddnote{\textit{Note:} \texttt{latexify-py} could not render this function (%s); %s.}"
                   % (escape_text(doc.latexify_error), where))
    if doc.transliterated:
        out.append(r"\ddnote{Non-ASCII characters of the source are transliterated to ASCII in the listing.}")
    out.append(r"\begin{lstlisting}" + "\n" + doc.source.replace(r"\end{lstlisting}", r"\end {lstlisting}")
               + "\n" + r"\end{lstlisting}")
    return "\n".join(out) + "\n"


# ---- numeric checks -------------------------------------------------------------------------------

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


CHECK_ROWS_PER_TABLE = 6    # a tabular cannot break across pages: long tables are split


def _breakable(text: str) -> str:
    """Escaped text whose long identifiers may break after . _ = , / (narrow table cells)."""
    out = escape_text(text)
    return re.sub(r"(\\_|[.=,/])(?=[A-Za-z])", r"\1\\allowbreak{}", out)


def render_checks(checks) -> str:
    """The checks as booktabs tables (numbered rows), then what each compared and its details."""
    if not checks:
        return ""
    rows = []
    for k, c in enumerate(checks, 1):
        rows.append(r"\ddrr %d.\ %s & \ddrr %s & %s & %s & %s & %s \\" % (
            k, _breakable(c.name), _breakable(c.data), sci(c.max_abs_err), sci(c.max_rel_err), sci(c.tolerance),
            r"\CheckPass" if c.passed else r"\CheckFail"))
    head = (r"\begin{center}\small\setlength{\tabcolsep}{4pt}\renewcommand{\arraystretch}{1.1}" + "\n"
            r"\begin{tabular}{@{}p{0.28\linewidth}p{0.24\linewidth}rrrc@{}}" + "\n\\toprule\n"
            r"check & data & max abs err & max rel err & tolerance & result \\" + "\n\\midrule\n")
    tables = []
    for start in range(0, len(rows), CHECK_ROWS_PER_TABLE):
        chunk = rows[start:start + CHECK_ROWS_PER_TABLE]
        tables.append(head + "\n\\addlinespace[2pt]\n".join(chunk) + "\n\\bottomrule\n\\end{tabular}\n\\end{center}\n")
    items = []
    for k, c in enumerate(checks, 1):
        parts = [r"compared %s" % _breakable(c.compared)] if str(c.compared).strip() else []
        if str(c.detail).strip():
            parts.append(_breakable(c.detail))
        if parts:
            items.append(r"\item[%d.] \textbf{%s}%s: %s" % (k, escape_text(c.name), "" if c.passed else r" (\CheckFail)",
                                                           "; ".join(parts)))
    text = "".join(tables)
    if items:
        text += "\\begin{itemize}\\footnotesize\\raggedright\n" + "\n".join(items) + "\n\\end{itemize}\n"
    return text


# ---- the document ---------------------------------------------------------------------------------

def render_figure(relpath: str, caption: str) -> str:
    return ("\\begin{figure}[!htbp]\n\\centering\n\\includegraphics[width=\\linewidth]{%s}\n"
            "\\caption{%s}\n\\end{figure}\n" % (relpath, tex_source(caption)))


def _pdf_title(s: str) -> str:
    s = re.sub(r"\$[^$]*\$", "", str(s))
    s = unicodedata.normalize("NFKD", s).encode("ascii", "ignore").decode()
    return re.sub(r"[\\{}$&#^_%~]", "", s).strip()


def render_document(derivation, proof, *, functions=(), checks=None, figures=(), notes=(),
                    checks_note: str = "") -> str:
    """The whole .tex. ``checks=None`` omits the checks section (a user's derivation has none);
    ``figures`` are (path relative to the .tex, caption) pairs."""
    names = getattr(derivation, "names", {}) or {}
    results = list(proof.steps)
    counts = {s: sum(r.status == s for r in results) for s in (PROVED, CHECKED, FAILED)}
    title = tex_source(derivation.title) if is_latex(str(derivation.title)) else escape_text(derivation.title)
    out = [PREAMBLE.rstrip("\n"),
           r"\hypersetup{pdftitle={%s}}" % _pdf_title(derivation.title),
           r"\begin{document}",
           r"\begin{center}",
           r"{\LARGE\bfseries %s\par}\medskip" % title]
    meta = [r"derivation \texttt{%s}" % escape_text(derivation.name)]
    if str(getattr(derivation, "source", "")).strip():
        meta.append(r"lecture results %s" % escape_text(derivation.source))
    out.append(r"{\large %s\par}\medskip" % r"\quad$\cdot$\quad ".join(meta))
    summary = [r"\StatusProved~%d" % counts[PROVED], r"\StatusChecked~%d" % counts[CHECKED],
               r"\StatusFailed~%d" % counts[FAILED]]
    out.append(r"{\small %d step%s:\enspace %s\par}" % (len(results), "" if len(results) == 1 else "s",
                                                          r"\quad ".join(summary)))
    if checks:
        passed = sum(bool(c.passed) for c in checks)
        out.append(r"{\small numeric checks: %d of %d pass\par}" % (passed, len(checks)))
    out.append(r"\end{center}")

    if str(getattr(derivation, "statement", "")).strip():
        out += [r"\section{Statement}", tex_source(derivation.statement)]
    defs = getattr(derivation, "definitions", ())
    if defs:
        out += [r"\section{Definitions}",
                "Each name below is replaced by its definition before a step is judged, so the steps are "
                "proved about what the symbols mean.\n", render_definitions(defs, names)]
    out += [r"\section{Derivation}", LEGEND,
            r"\postdisplaypenalty=10000 % a step's note stays on the page of its equation",
            render_steps(results, names), r"\postdisplaypenalty=0"]
    if counts[CHECKED]:
        out.append(r"\ddnote{$^{\dagger}$%d step%s only checked numerically: equal at random points at 50 digits "
                   r"but not reduced symbolically.}" % (counts[CHECKED], "" if counts[CHECKED] == 1 else "s"))
    if counts[FAILED]:
        out.append(r"{\color{ddfailed}\bfseries %d step%s failed: this derivation does not hold as written.\par}"
                   % (counts[FAILED], "" if counts[FAILED] == 1 else "s"))

    functions = list(functions)
    if functions:
        out += [r"\section{Generated code}",
                r"NumPy functions generated from this derivation's closed forms (package "
                r"\texttt{numeric.generated}); they import NumPy only."]
        out += [render_function(f) for f in functions]
    if checks is not None:
        out.append(r"\section{Numeric checks}")
        if checks:
            out.append(render_checks(checks))
        else:
            out.append(r"\ddnote{No numeric checks are registered for this derivation%s.}"
                       % ((" (" + escape_text(checks_note) + ")") if checks_note else ""))
    figures = list(figures)
    if figures:
        out.append(r"\ddneedspace{0.4\textheight}" + "\n" + r"\section{Figures}")
        out += [render_figure(p, c) for p, c in figures]
    if notes:
        out.append(r"\section*{Notes}")
        out.append("\\begin{itemize}\\small\n" + "\n".join(r"\item " + escape_text(n) for n in notes)
                   + "\n\\end{itemize}")
    out.append(r"\end{document}")
    return "\n".join(out) + "\n"
