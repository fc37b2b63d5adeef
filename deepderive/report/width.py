"""A rough width, in em, of LaTeX math: enough to choose an equation's layout before TeX runs."""
from __future__ import annotations

import re


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
    """The width of tokens from i (to the closing brace when stop_at_close); returns (width, next index)."""
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
