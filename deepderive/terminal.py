"""LaTeX in justifications rendered for the terminal as plain Unicode (σ′(z) ≤ ¼, not $\\sigma'(z) \\le \\frac14$)."""
from __future__ import annotations

import re
import unicodedata

__all__ = ["plain", "ascii_text", "for_stream", "SYMBOLS"]

# ---- tables ---------------------------------------------------------------------------------------------

GREEK = {
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ε", "varepsilon": "ε", "zeta": "ζ",
    "eta": "η", "theta": "θ", "vartheta": "ϑ", "iota": "ι", "kappa": "κ", "lambda": "λ", "mu": "μ", "nu": "ν",
    "xi": "ξ", "pi": "π", "rho": "ρ", "varrho": "ϱ", "sigma": "σ", "varsigma": "ς", "tau": "τ", "upsilon": "υ",
    "phi": "ϕ", "varphi": "φ", "chi": "χ", "psi": "ψ", "omega": "ω",
    "Gamma": "Γ", "Delta": "Δ", "Theta": "Θ", "Lambda": "Λ", "Xi": "Ξ", "Pi": "Π", "Sigma": "Σ",
    "Upsilon": "Υ", "Phi": "Φ", "Psi": "Ψ", "Omega": "Ω",
}

# A macro that is one symbol (no argument).
SYMBOLS = {
    **GREEK,
    "cdot": "·", "times": "×", "div": "÷", "pm": "±", "mp": "∓", "odot": "⊙", "otimes": "⊗", "oplus": "⊕",
    "circ": "∘", "ast": "∗", "star": "⋆", "bullet": "•",
    "le": "≤", "leq": "≤", "ge": "≥", "geq": "≥", "ne": "≠", "neq": "≠", "approx": "≈", "sim": "∼",
    "simeq": "≃", "equiv": "≡", "propto": "∝", "ll": "≪", "gg": "≫", "succ": "≻", "prec": "≺",
    "succeq": "⪰", "preceq": "⪯",
    "in": "∈", "notin": "∉", "ni": "∋", "subset": "⊂", "subseteq": "⊆", "supset": "⊃", "supseteq": "⊇",
    "cup": "∪", "cap": "∩", "setminus": "∖", "emptyset": "∅", "varnothing": "∅",
    "forall": "∀", "exists": "∃", "neg": "¬", "lnot": "¬", "land": "∧", "wedge": "∧", "lor": "∨", "vee": "∨",
    "to": "→", "rightarrow": "→", "leftarrow": "←", "gets": "←", "mapsto": "↦", "Rightarrow": "⇒",
    "Leftarrow": "⇐", "implies": "⇒", "Leftrightarrow": "⇔", "iff": "⇔", "leftrightarrow": "↔",
    "uparrow": "↑", "downarrow": "↓",
    "infty": "∞", "partial": "∂", "nabla": "∇", "ell": "ℓ", "hbar": "ℏ", "prime": "′", "top": "⊤",
    "perp": "⊥", "angle": "∠", "deg": "deg",
    "sum": "Σ", "prod": "∏", "int": "∫", "oint": "∮", "iint": "∬",
    "dots": "…", "ldots": "…", "cdots": "⋯", "vdots": "⋮", "ddots": "⋱",
    "mid": "|", "vert": "|", "lvert": "|", "rvert": "|", "Vert": "‖", "lVert": "‖", "rVert": "‖", "|": "‖",
    "lfloor": "⌊", "rfloor": "⌋", "lceil": "⌈", "rceil": "⌉", "langle": "⟨", "rangle": "⟩",
    "colon": ":", "quad": "  ", "qquad": "    ",
    # spacing and escapes (the one-character macros)
    ",": " ", ";": " ", ":": " ", " ": " ", "!": "", "{": "{", "}": "}", "_": "_", "%": "%", "&": "&",
    "#": "#", "$": "$",
}
# Operator names printed as themselves (\log x -> log x).
OPERATORS = ("log", "ln", "exp", "sin", "cos", "tan", "sinh", "cosh", "tanh", "arcsin", "arccos", "arctan",
              "det", "lim", "max", "min", "sup", "inf", "arg", "argmax", "argmin", "Pr", "tr", "sgn", "dim",
              "ker", "liminf", "limsup", "gcd")
SYMBOLS.update({_name: _name for _name in OPERATORS})
# Relations, binary operators and arrows keep the spaces the source puts around them (a \le b -> a ≤ b).
SPACED = {"cdot", "times", "div", "pm", "mp", "odot", "otimes", "oplus", "circ", "ast", "star", "bullet", "le",
          "leq", "ge", "geq", "ne", "neq", "approx", "sim", "simeq", "equiv", "propto", "ll", "gg", "succ", "prec",
          "succeq", "preceq", "in", "notin", "ni", "subset", "subseteq", "supset", "supseteq", "cup", "cap",
          "setminus", "land", "wedge", "lor", "vee", "to", "rightarrow", "leftarrow", "gets", "mapsto",
          "Rightarrow", "Leftarrow", "implies", "Leftrightarrow", "iff", "leftrightarrow", "mid", "colon",
          "quad", "qquad"}

# Sizing and delimiters that print nothing themselves.
INVISIBLE = {"left", "right", "big", "Big", "bigg", "Bigg", "bigl", "bigr", "Bigl", "Bigr", "biggl", "biggr",
             "displaystyle", "textstyle", "scriptstyle", "limits", "nolimits", "middle"}

# One argument, printed as it is (its font or wording is all the macro adds).
AS_IS = {"text", "textrm", "textit", "textbf", "texttt", "mathrm", "mathit", "mathbf", "mathsf", "mathtt",
         "operatorname", "boldsymbol", "bm", "emph", "mbox", "mathcal", "mathscr", "mathfrak", "hbox"}

DOUBLE_STRUCK = {"R": "ℝ", "N": "ℕ", "Z": "ℤ", "Q": "ℚ", "C": "ℂ", "E": "𝔼", "P": "ℙ", "I": "𝕀", "1": "𝟙",
                 "H": "ℍ", "V": "𝕍"}

# One argument, one combining mark over a single character (\hat y -> ŷ).
ACCENTS = {"hat": "\u0302", "widehat": "\u0302", "bar": "\u0304", "overline": "\u0305", "tilde": "\u0303",
           "widetilde": "\u0303", "dot": "\u0307", "ddot": "\u0308", "vec": "\u20d7", "check": "\u030c"}

SUPERSCRIPT = dict(zip("0123456789+-=()nijklmTabcdeghoprstuvwxyzABDEGHIJKLMNOPRUVW'",
                       "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁿⁱʲᵏˡᵐᵀᵃᵇᶜᵈᵉᵍʰᵒᵖʳˢᵗᵘᵛʷˣʸᶻᴬᴮᴰᴱᴳᴴᴵᴶᴷᴸᴹᴺᴼᴾᴿᵁⱽᵂ′"))
SUPERSCRIPT.update({"−": "⁻", "∗": "*", "*": "*", "′": "′", "T": "ᵀ"})
SUBSCRIPT = dict(zip("0123456789+-=()aehijklmnoprstuvxβγρφχ",
                     "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓᵦᵧᵨᵩᵪ"))
SUBSCRIPT["−"] = "₋"

_TOKEN = re.compile(r"\\[A-Za-z]+|\\.|\s+|.", re.S)


# ---- the renderer --------------------------------------------------------------------------------------

class _Math:
    """A recursive reader over the tokens of one math span (or of text, with scripts=False)."""

    def __init__(self, source: str, scripts: bool = True):
        self.toks = _TOKEN.findall(source)
        self.i = 0
        self.scripts = scripts

    def peek(self):
        return self.toks[self.i] if self.i < len(self.toks) else None

    def take(self):
        tok = self.peek()
        self.i += 1
        return tok

    def skip_space(self):
        while self.peek() is not None and self.peek().isspace():
            self.i += 1

    def drop_space(self, keep=False):
        """After a control word: drop the space before a letter or a letter-like macro (\\sigma x -> σx), keep it
        before a relation or an operator (\\gamma = 1 -> γ = 1), or when `keep` (a \\le b -> a ≤ b)."""
        j = self.i
        while j < len(self.toks) and self.toks[j].isspace():
            j += 1
        nxt = self.toks[j] if j < len(self.toks) else ""
        if j > self.i and not keep and (nxt[:1].isalnum() or _letter_macro(nxt)):
            self.i = j

    def group(self) -> str:
        """The next argument: a {...} group, or one token (a macro with its own arguments, or a character)."""
        self.skip_space()
        tok = self.take()
        if tok is None:
            return ""
        if tok == "{":
            return self.sequence(until="}")
        return self.atom(tok)

    def optional(self) -> str | None:
        """An optional [...] argument, if one follows."""
        if self.peek() != "[":
            return None
        self.take()
        out = []
        while self.peek() not in (None, "]"):
            out.append(self.atom(self.take()))
        self.take()
        return "".join(out)

    def sequence(self, until=None) -> str:
        out = []
        while True:
            tok = self.take()
            if tok is None or tok == until:
                return "".join(out)
            if tok in ("^", "_") and self.scripts:
                out.append(_script(self.group(), SUPERSCRIPT if tok == "^" else SUBSCRIPT, tok))
            else:
                piece = self.atom(tok)
                if tok[1:] in OPERATORS and out and out[-1][-1:].isalnum():
                    piece = " " + piece            # r\cos\varphi -> r cos φ
                out.append(piece)

    def atom(self, tok: str) -> str:
        if tok == "{":
            return self.sequence(until="}")
        if tok == "}":
            return ""                         # unbalanced: dropped, never printed
        if tok.startswith("\\"):
            return self.macro(tok[1:])
        if tok == "~" and self.scripts:
            return " "
        if tok == "&" and self.scripts:
            return ", "
        if tok == "'" and self.scripts:
            return "′"
        return " " if tok.isspace() else tok

    def macro(self, name: str) -> str:
        handler = _HANDLERS.get(name)
        if handler is not None:
            return handler(self)
        if name in SYMBOLS:
            if name in OPERATORS:              # \tanh z -> "tanh z", \cos(x) -> "cos(x)"
                spaced = (self.peek() or "").isspace()
                self.skip_space()
                nxt = self.peek() or ""
                apart = nxt[:1].isalnum() or _letter_macro(nxt) or (spaced and nxt not in ("(", "^", "_", "'"))
                return name + (" " if apart and nxt else "")
            if name.isalpha():                 # the space that only ends a control word is dropped
                self.drop_space(keep=name in SPACED and (self.i < 2 or self.toks[self.i - 2].isspace()))
            return SYMBOLS[name]
        if name in INVISIBLE:
            if self.peek() in (".",):          # \left. and \right. print nothing
                self.take()
            return ""
        if name in AS_IS:
            return self.group()
        if name in ACCENTS:
            return _accent(self.group(), ACCENTS[name])
        if name == "\\":
            return "; "
        return name                           # unknown: the name stays readable, without its backslash


def _letter_macro(tok: str) -> bool:
    """A control word that prints a letter-like symbol or a name (not a relation, operator or delimiter)."""
    name = tok[1:]
    return tok[:1] == "\\" and name.isalpha() and name not in SPACED and name not in INVISIBLE


def _compound(text: str) -> bool:
    """Whether text needs parentheses around it as a fraction's side or a root's argument."""
    return bool(re.search(r"[\s+\-−=<>≤≥/·×±,]", text.strip()))


def _wrap(text: str) -> str:
    text = text.strip()
    return f"({text})" if _compound(text) else text


def _script(text: str, table: dict, mark: str) -> str:
    """x^{2} -> x², x_{k} -> xₖ where Unicode has every character; else x^(…) / x_k."""
    text = text.strip()
    if text and all(c in table for c in text):
        return "".join(table[c] for c in text)
    if len(text) <= 1 or re.fullmatch(r"\w+", text):
        return mark + text
    return f"{mark}({text})"


def _accent(text: str, mark: str) -> str:
    text = text.strip()
    return text + mark if len(text) == 1 else f"{text}{mark}" if not _compound(text) else f"({text}){mark}"


def _frac(m: _Math) -> str:
    num, den = m.group(), m.group().strip()
    if _compound(den) or (re.search(r"\d", den) and not den.isdigit()):
        den = f"({den})"                       # n/(2π), not n/2π
    nxt = m.peek() or ""
    apart = nxt[:1].isalpha() or _letter_macro(nxt)
    return f"{_wrap(num)}/{den}" + (" " if apart else "")   # d/dt σ(…), not d/dtσ(…)


def _sqrt(m: _Math) -> str:
    index = m.optional()
    root = {"3": "∛", "4": "∜"}.get(index, "√") if index else "√"
    prefix = _script(index, SUPERSCRIPT, "^") if index and index not in ("3", "4") else ""
    arg = m.group().strip()
    return prefix + root + (arg if len(arg) == 1 or arg.isdigit() else f"({arg})")


def _binom(m: _Math) -> str:
    n, k = m.group(), m.group()
    return f"C({n.strip()}, {k.strip()})"


def _mathbb(m: _Math) -> str:
    text = m.group().strip()
    return "".join(DOUBLE_STRUCK.get(c, c) for c in text)


def _begin(m: _Math) -> str:
    env = m.group().strip()
    return {"pmatrix": "(", "bmatrix": "[", "vmatrix": "|", "Bmatrix": "[", "matrix": "["}.get(env, "")


def _end(m: _Math) -> str:
    env = m.group().strip()
    return {"pmatrix": ")", "bmatrix": "]", "vmatrix": "|", "Bmatrix": "]", "matrix": "]"}.get(env, "")


_HANDLERS = {
    "frac": _frac, "tfrac": _frac, "dfrac": _frac, "cfrac": _frac,
    "sqrt": _sqrt, "binom": _binom, "tbinom": _binom, "dbinom": _binom, "choose": lambda m: " choose ",
    "mathbb": _mathbb, "begin": _begin, "end": _end,
}


def _math(source: str) -> str:
    return _Math(source).sequence()


def _text(source: str) -> str:
    """Text outside $...$: escapes and stray macros only (an underscore there is a character, not a script)."""
    return _Math(source, scripts=False).sequence()


def plain(latex: str) -> str:
    """A justification (text with $...$ math) as plain Unicode for a terminal: no backslash, no $, no braces
    (but the set braces \\{ \\} the text itself writes); macros it does not know keep their name."""
    parts = re.split(r"(?<!\\)\$", str(latex))
    out = "".join(_math(p) if k % 2 else _text(p) for k, p in enumerate(parts))
    return unicodedata.normalize("NFC", re.sub(r"[ \t]{2,}", " ", out).strip())   # ŷ as one character


# ---- for terminals without Unicode ------------------------------------------------------------------------

ASCII = {"≤": "<=", "≥": ">=", "≠": "!=", "≈": "~=", "∼": "~", "≃": "~=", "≡": "==", "∝": "~", "≪": "<<",
         "≫": ">>", "→": "->", "←": "<-", "↦": "|->", "⇒": "=>", "⇐": "<=", "⇔": "<=>", "↔": "<->", "·": "*",
         "×": "x", "±": "+-", "∓": "-+", "−": "-", "∈": " in ", "∉": " not in ", "∞": "inf", "∂": "d", "∇": "grad",
         "Σ": "sum", "∏": "prod", "∫": "int", "…": "...", "⋯": "...", "‖": "||", "√": "sqrt", "∛": "cbrt",
         "′": "'", "⊙": "(.)", "⊗": "(x)", "∘": "o", "ℓ": "l", "⊤": "T", "⌊": "floor(", "⌋": ")", "⌈": "ceil(",
         "⌉": ")", "⟨": "<", "⟩": ">", "∀": "for all ", "∃": "exists ", "¬": "not ", "∧": " and ", "∨": " or ",
         "∪": " u ", "∩": " n ", "∅": "{}", "≻": ">", "≺": "<", "𝟙": "1"}
ASCII.update({v: k for k, v in GREEK.items() if k[:3] != "var"})
ASCII.update({"ε": "epsilon", "φ": "phi", "ϕ": "phi"})
_SCRIPTS = ((SUPERSCRIPT, "^"), (SUBSCRIPT, "_"))


def ascii_text(text: str) -> str:
    """plain()'s Unicode spelled in ASCII, for a stream that cannot encode it (σ′ -> sigma', x² -> x^2)."""
    out, i = [], 0
    text = unicodedata.normalize("NFD", text)      # ŷ -> y + a combining mark, dropped below
    while i < len(text):
        for table, mark in _SCRIPTS:
            back = {v: k for k, v in table.items() if v not in "*′" and k.isascii()}
            j = i
            while j < len(text) and text[j] in back:
                j += 1
            if j > i:
                run = "".join(back[c] for c in text[i:j])
                out.append(mark + (run if len(run) == 1 or run.isdigit() else f"({run})"))
                i = j
                break
        else:
            c = text[i]
            if c in ASCII:
                name = ASCII[c]
                nxt = text[i + 1] if i + 1 < len(text) else ""
                word = name.isalpha() and len(name) > 1
                after = word and ((nxt.isascii() and nxt.isalnum()) or ASCII.get(nxt, " ")[:1].isalpha())
                before = word and out and out[-1][-1:].isalpha()
                out.append((" " if before else "") + name + (" " if after else ""))   # k eta m, not ketam
            elif not unicodedata.combining(c):
                out.append(unicodedata.normalize("NFKD", c).encode("ascii", "ignore").decode() or "?")
            i += 1
    return "".join(out)


def for_stream(text: str, stream) -> str:
    """text as it is when `stream` can encode it, else in ASCII (ascii_text)."""
    encoding = getattr(stream, "encoding", None) or "utf-8"
    try:
        text.encode(encoding)
    except (UnicodeEncodeError, LookupError):
        return ascii_text(text)
    return text
