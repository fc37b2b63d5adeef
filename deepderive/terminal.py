"""Mathematics for the terminal: LaTeX as plain Unicode (σ′(z) ≤ ¼), SymPy expressions as the lecture writes them."""
from __future__ import annotations

import contextlib
import functools
import re
import unicodedata

__all__ = ["plain", "ascii_text", "for_stream", "SYMBOLS", "pretty", "inline", "latex", "claim", "step_values",
           "step_names", "step_note"]

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
SUPERSCRIPT.update({"−": "⁻", "∗": "*", "*": "*", "′": "′", "T": "ᵀ", "⊤": "ᵀ"})
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


# ---- SymPy expressions --------------------------------------------------------------------------------------

@functools.lru_cache(maxsize=None)
def _printers():
    """SymPy's pretty and LaTeX printers, spelling what SymPy names its own way as the lecture does: max and min
    (not Max, Min), the step as θ(u) (its value at 0, SymPy's second argument, is said apart in words: step_note;
    setting `steps` names the steps when one formula mixes values at 0), the project's functions by their ASCII
    names where Unicode cannot go. Built on first use: importing SymPy costs a second."""
    from sympy.printing.latex import LatexPrinter
    from sympy.printing.pretty.pretty import PrettyPrinter
    from sympy.printing.pretty.stringpict import prettyForm, stringPict

    from derivations.functions import _Defined

    class Pretty(PrettyPrinter):
        _default_settings = {**PrettyPrinter._default_settings, "steps": None}

        def _print(self, expr, **kwargs):
            if not self._use_unicode and isinstance(expr, _Defined):   # sigmoid, not σ, in ASCII
                return self._print_Function(expr, func_name=type(expr).__name__)
            return super()._print(expr, **kwargs)

        def _print_Max(self, e):
            return self._print_Function(e, func_name="max")

        def _print_Min(self, e):
            return self._print_Function(e, func_name="min")

        def _print_Heaviside(self, e):
            name = (self._settings["steps"] or {}).get(e.args[1], "θ")
            return self._helper_print_function(e.func, e.args[:1],
                                               func_name=name if self._use_unicode else ascii_text(name))

        def _print_scalar(self, e):   # the entry of a 1×1 product: the product itself, bracketed (wᵀx)
            return prettyForm(*self._print(e.args[0]).parens())

        def _bracketed(self, head, arg):   # head[arg], the head as written (SymPy's Symbol would reparse it)
            arg = prettyForm(*self._print(arg).parens("[", "]"))
            return prettyForm(*stringPict.next(prettyForm(head), arg), binding=prettyForm.FUNC)

        def _print_Grad(self, e):     # ∇_w[f], as the justifications write it
            f, w = e.args
            return self._bracketed(self._head("\\nabla", "grad", w), f)

        def _print_Jacobian(self, e):  # a Hessian ∇²_w[f]; any other Jacobian as SymPy prints it
            v, w = e.args
            if type(v).__name__ != "Grad" or v.args[1] != w:
                return self._print_Function(e)
            return self._bracketed(self._head("\\nabla^2", "hessian", w), v.args[0])

        def _head(self, tex, ascii_name, w):   # ∇_w, ∇²_W₁; grad_w, hessian_W_1 in ASCII
            w = Latex().doprint(w)
            return plain(f"${tex}_{{{w}}}$") if self._use_unicode else f"{ascii_name}_{ascii_text(plain(f'${w}$'))}"

    class Latex(LatexPrinter):
        _default_settings = {**LatexPrinter._default_settings, "steps": None}

        def _print_Heaviside(self, expr, exp=None):
            name = (self._settings["steps"] or {}).get(expr.args[1], "θ")
            sub = "".join(_UNSUBSCRIPT.get(c, c) for c in name[1:])
            tex = r"\theta%s\left(%s\right)" % (f"_{{{sub}}}" if sub else "", self._print(expr.args[0]))
            return r"\left(%s\right)^{%s}" % (tex, exp) if exp else tex

    return Pretty, Latex


_UNSUBSCRIPT = {v: k for k, v in SUBSCRIPT.items()}


@contextlib.contextmanager
def _unicode(flag):
    """SymPy's module-wide Unicode switch, set for one printing (its symbols' Greek names read it, not the
    printer's setting), then restored: as sympy.pretty does."""
    from sympy.printing.pretty.pretty_symbology import pretty_use_unicode

    before = pretty_use_unicode(flag)
    try:
        yield
    finally:
        pretty_use_unicode(before)


def _settings(unicode, width, steps):
    return {"use_unicode": unicode, "wrap_line": width is not None, "num_columns": width, "steps": steps}


def pretty(expr, unicode: bool = True, width: int | None = None, steps: dict | None = None) -> str:
    """SymPy's two-dimensional form of expr (fractions stacked, powers raised), in the lecture's spelling;
    lines wrapped at `width` columns (None: never); `steps`: step_names()."""
    with _unicode(unicode):
        return _printers()[0](_settings(unicode, width, steps)).doprint(expr)


def claim(lhs, relation: str, rhs, unicode: bool = True, width: int | None = None) -> str:
    """`lhs relation rhs` as pretty() draws it, both sides on one baseline (no Eq: it would evaluate)."""
    from sympy.printing.pretty.stringpict import prettyForm, stringPict

    printer = _printers()[0](_settings(unicode, width, None))
    sep = f" {relation if unicode else ascii_text(relation)} "
    with _unicode(unicode):
        form = prettyForm(*stringPict.next(printer._print(lhs), sep, printer._print(rhs)))
        return form.render(**printer._settings)


def latex(expr, steps: dict | None = None) -> str:
    """sympy.latex(expr) in the lecture's spelling (θ(u) for the step)."""
    return _printers()[1]({"steps": steps}).doprint(expr)


def inline(expr, unicode: bool = True, steps: dict | None = None) -> str:
    """expr on one line: pretty() when that is one line (x² - y²), else latex() made plain (x/y, not a stack)."""
    text = pretty(expr, unicode, steps=steps)
    if "\n" in text:
        text = plain(f"${latex(expr, steps)}$")
        text = text if unicode else ascii_text(text)
    return text


def step_values(*exprs) -> list:
    """The values at 0 of the steps θ in exprs (SymPy's second argument of Heaviside), smallest first."""
    import sympy as sp

    return sorted({a.args[1] for e in exprs if e is not None for a in sp.sympify(e).atoms(sp.Heaviside)}, key=float)


def step_names(*exprs) -> dict:
    """{value at 0: name} for the steps in exprs: all θ when they agree; when they differ, θ for SymPy's 1/2
    (else the first) and θ with the value as subscript for each other (θ₁ has θ₁(0) = 1), so that no two
    different functions print alike."""
    values = step_values(*exprs)
    plain_one = next((v for v in values if v * 2 == 1), values[0] if values else None)
    return {v: "θ" if v == plain_one else "θ" + "".join(SUBSCRIPT.get(c, c) for c in str(v)) for v in values}


def step_note(*exprs) -> str | None:
    """One sentence saying what θ is and the value it takes at 0, in the names step_names gives; None without θ."""
    names = step_names(*exprs)
    if not names:
        return None
    others = [f"{n} is the same step with {n}(0) = {v}" for v, n in names.items() if n != "θ"]
    main = next(v for v, n in names.items() if n == "θ")
    return f"θ is the unit step: θ(u) = 1 for u > 0, 0 for u < 0, and θ(0) = {main}" + "".join(f"; {o}" for o in others)
