"""Text for TeX: escaping, and every non-ASCII character mapped to a LaTeX command or ASCII.

The reports are ASCII, so they compile under any input encoding: a title, a justification, a detail
or a code listing may hold Greek letters, arrows, accents or modifier letters (qᴸ), and each becomes a
LaTeX command (or, in a listing, an ASCII spelling). A character no table maps is an UnmappedCharacter
error naming it (in a listing: its Python escape, visible), never a silent "?".
"""
from __future__ import annotations

import re
import unicodedata

from ..exitcodes import UsageError


#: the Greek letters by name, in Unicode order (their TeX commands, and names latexify prints)
GREEK = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa", "lambda",
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
    "\u223c": r"\sim", "\u2243": r"\simeq", "\u230a": r"\lfloor", "\u230b": r"\rfloor", "\u2308": r"\lceil",
    "\u2309": r"\rceil", "\u21a6": r"\mapsto", "\u2229": r"\cap", "\u222a": r"\cup", "\u2713": r"\checkmark",
    "\u2714": r"\checkmark", "\u226a": r"\ll", "\u226b": r"\gg", "\u00b5": r"\mu", "\u2205": r"\emptyset",
    "\u00f7": r"\div", "\u2191": r"\uparrow", "\u2193": r"\downarrow", "\u2194": r"\leftrightarrow",
    "\u21d0": r"\Leftarrow", "\u27f6": r"\longrightarrow", "\u27f9": r"\Longrightarrow", "\u22ef": r"\cdots",
    "\u2223": r"\mid", "\u2283": r"\supset", "\u2287": r"\supseteq", "\u22a5": r"\perp", "\u2044": "/",
    "\u2215": "/", "\u211d": r"\mathbb{R}", "\u2115": r"\mathbb{N}", "\u2124": r"\mathbb{Z}",
    "\u211a": r"\mathbb{Q}", "\u2102": r"\mathbb{C}", "\u03d1": r"\vartheta", "\u03f5": r"\epsilon",
    "\u2234": r"\therefore", "\u22c6": r"\star", "\u2020": r"\dagger",
}
for _i, _g in enumerate(GREEK):
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
               "\u2032": "'", "\u2033": "''", "\u2016": "||", "\u223c": "~", "\u21a6": "|->",
               "\u230a": "floor(", "\u230b": ")", "\u2308": "ceil(", "\u2309": ")", "\u226a": "<<",
               "\u226b": ">>", "\u2229": "&", "\u222a": "|", "\u2713": "[ok]", "\u00b5": "u"}


class UnmappedCharacter(UsageError, ValueError):
    """A character no table of text.py maps to LaTeX: named, so that it can be added to a table (a usage error on
    the command line: one line, exit 2)."""

    def __init__(self, ch: str, context: str = ""):
        self.char = ch
        where = "" if not context else f" on {context}" if context.startswith("line ") else f" in {context[:80]!r}"
        super().__init__(f"no LaTeX for the character {ch!r} (U+{ord(ch):04X} {unicodedata.name(ch, 'unnamed')})"
                         f"{where}: write it in LaTeX or ASCII, or add it to a table in deepderive/report/text.py")


def _scripted(ch: str):
    """('^' or '_', its base characters) of a superscript or subscript character (\u00b2, \u2096, the modifier
    letter \u1d38 of q\u1d38), else None: Unicode tags them <super> and <sub>, the base stays (q\u1d38 is q^L, not qL)."""
    if ch in _SUP:
        return "^", _SUP[ch]
    if ch in _SUB:
        return "_", _SUB[ch]
    tag, _, codes = unicodedata.decomposition(ch).partition(" ")
    if tag in ("<super>", "<sub>") and codes:
        return ("^" if tag == "<super>" else "_"), "".join(chr(int(c, 16)) for c in codes.split())
    return None


def _ascii_fallback(ch: str) -> str:
    """The ASCII of a character's compatibility decomposition (1/4 for U+00BC, e for U+00E9), or its Python
    escape (\\N{CHECK MARK}): visible, never a silent '?'."""
    a = unicodedata.normalize("NFKD", ch).replace("\u2044", "/").encode("ascii", "ignore").decode()
    if a:
        return a
    name = unicodedata.name(ch, "")
    return "\\N{%s}" % name if name else "\\u%04x" % ord(ch)


def _accented(ch: str):
    """An ASCII letter with combining accents as TeX accent commands (\\'{e}), or None."""
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
        if ch == "'" and not in_math:
            out.append(_text_quote(s, i))
            i += 1
            continue
        if ch.isascii():
            out.append(_TEXT_ESCAPES[ch] if escape_text_specials and not in_math and ch in _TEXT_ESCAPES else ch)
            i += 1
            continue
        script = _scripted(ch)
        if script:    # a run of superscripts (or subscripts) is one ^{...}: x\u00b2\u207a\u00b9 is x^{2+1}
            j, run = i, []
            while j < len(s) and (_scripted(s[j]) or ("", ""))[0] == script[0]:
                run.append(_script_base(_scripted(s[j])[1], s))
                j += 1
            tex = "{}%s{%s}" % (script[0], "".join(run))
            out.append(tex if in_math else r"\ensuremath{%s}" % tex)
            i = j
            continue
        out.append(_char_tex(ch, in_math, s))
        i += 1
    return "".join(out)


def _in_texttt(s: str, i: int) -> bool:
    r"""Is s[i] inside a \texttt{...} group of s?"""
    start = s.rfind("\\texttt{", 0, i)
    if start < 0:
        return False
    body = re.sub(r"\\[{}]", "", s[start + len("\\texttt{"):i])
    return body.count("{") >= body.count("}")


def _text_quote(s: str, i: int) -> str:
    r"""A straight ' in text: in code (\texttt) the straight quote itself (textcomp's \textquotesingle; TeX's '
    is a curly closing quote there); in prose an opening quote (`) where a quoted word starts ('sigmoid' is
    `sigmoid', not ’sigmoid’), else the closing quote or apostrophe it is (Barron's)."""
    if _in_texttt(s, i):
        return r"\textquotesingle{}"
    opens = (i == 0 or s[i - 1].isspace() or s[i - 1] in "([{/") and i + 1 < len(s) and not s[i + 1].isspace()
    return "`" if opens else "'"


def _math_command(tex: str) -> str:
    """A math table entry inside math: a command followed by a letter needs a space (\\mu x, not \\mux)."""
    return tex + " " if tex[-1].isalpha() else tex


def _script_base(base: str, context: str) -> str:
    """The base characters of a super- or subscript as math (ASCII as is, Greek as commands)."""
    return "".join(c if c.isascii() else _math_command(_char_tex(c, True, context)) for c in base)


def _char_tex(ch: str, in_math: bool, context: str = "") -> str:
    """One non-ASCII character as LaTeX, in math or in text (math symbols through \\ensuremath there).

    The tables first; then a letter with accents as TeX accents; then the compatibility form (NFKC: \u00b5 is
    \u03bc, \u00bd is 1\u20442, a wide space a space), each of its characters mapped the same way; anything
    else is an UnmappedCharacter error naming it."""
    if in_math and ch in _MATH_MODE_TEXT:
        return _MATH_MODE_TEXT[ch]
    if ch in _MATH_CHARS:
        return _math_command(_MATH_CHARS[ch]) if in_math else r"\ensuremath{%s}" % _MATH_CHARS[ch]
    if not in_math and ch in _TEXT_CHARS:
        return _TEXT_CHARS[ch]
    accented = _accented(ch)
    if accented:
        return accented if not in_math else r"\text{%s}" % accented
    compat = unicodedata.normalize("NFKC", ch)
    if compat != ch and not set(compat) & set("\\{}$&#^_%~<>|"):     # a TeX special would need escaping
        try:
            return "".join(c if c.isascii() else _char_tex(c, in_math, context) for c in compat)
        except UnmappedCharacter:
            pass
    raise UnmappedCharacter(ch, context)


# "~" in plain text reads "distributed as" (x ~ N(0, 1)) or "about" (~ 7): the sign \sim, in math mode
# (\ensuremath: right in text and in math); a bare ~ is a tie in TeX, and the OT1 \~{} an accent.
_SPECIAL = {"\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "$": r"\$", "&": r"\&", "#": r"\#",
            "^": r"\textasciicircum{}", "_": r"\_", "%": r"\%", "~": r"\ensuremath{\sim}",
            "<": r"\textless{}", ">": r"\textgreater{}", "|": r"\textbar{}"}


def escape_text(s) -> str:
    """Plain text (names, details, data descriptions) -> LaTeX text, ASCII only."""
    s = "".join(_SPECIAL.get(c, c) for c in str(s))
    return _unicode_to_tex(s, escape_text_specials=False)


def escape_code(s) -> str:
    r"""Code set in \texttt (a signature, a qualified name) -> LaTeX text: like escape_text, with straight quotes
    (textcomp's \textquotesingle and \textasciigrave: activation='relu' reads as typed, not with curly quotes)."""
    pieces = re.split(r"(['`])", str(s))
    return "".join({"'": r"\textquotesingle{}", "`": r"\textasciigrave{}"}.get(p) or escape_text(p) for p in pieces)


#: Greek letters by name, for PDF bookmarks (plain ASCII: pdfTeX's bookmarks drop what hyperref cannot spell)
_BOOKMARK_CHARS = {"\u2013": "-", "\u2014": " - ", "\u2212": "-", "\u2264": "<=", "\u2265": ">=", "\u2260": "!=",
                   "\u2192": "->", "\u221e": "infinity", "\u00d7": "x", "\u2019": "'", "\u2018": "'"}


def bookmark_text(s) -> str:
    """A plain-text title as the ASCII of a PDF bookmark, readable: Greek letters by name, a name's
    scripts and a trailing word as a subscript (0 < γ < 2/λmax is 0 < gamma < 2/lambda_max), dashes as
    hyphens, accents dropped (Montúfar is Montufar); maths in $...$ kept without its dollars and backslashes."""
    s = str(s)
    s = re.sub(r"\$([^$]*)\$", lambda m: re.sub(r"\\([A-Za-z]+)", r"\1", m.group(1)), s)
    out, i = [], 0
    while i < len(s):
        ch = s[i]
        if ch in _BOOKMARK_CHARS:
            out.append(_BOOKMARK_CHARS[ch])
        elif _code_name(ch) and unicodedata.name(ch, "").startswith("GREEK"):
            word = re.match(r"[a-z]+\b", s[i + 1:])        # λmax: lambda_max
            out.append(_code_name(ch) + ("_" + word.group(0) if word else ""))
            i += len(word.group(0)) if word else 0
        elif _scripted(ch):
            text, i = _code_script_run(s, i)
            out.append(text)
            continue
        elif ch.isascii():
            out.append(ch)
        elif _code_name(ch):
            out.append(_code_name(ch) + (" " if re.match(r"[A-Za-z]", s[i + 1:i + 2]) else ""))
        else:
            out.append(unicodedata.normalize("NFKD", ch).encode("ascii", "ignore").decode())
        i += 1
    text = re.sub(r"[\\{}$&#^%~]", "", "".join(out))
    return " ".join(text.split())


def ascii_tex(tex: str, where: str = "the .tex") -> bytes:
    """A whole .tex as ASCII bytes for writing; a character that escaped the tables above is an
    UnmappedCharacter naming it and its line (encoding with errors="replace" would print a silent "?")."""
    try:
        return tex.encode("ascii")
    except UnicodeEncodeError as exc:
        line = tex.count("\n", 0, exc.start) + 1
        raise UnmappedCharacter(tex[exc.start], f"line {line} of {where}") from None


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


#: a square root of one name (\u221aq\u1d62\u2099, \u221a2): sqrt(q_in), not sqrtq_in
_SQRT_NAME = re.compile(r"\u221a(\w+)")


def _code_script_run(s: str, i: int) -> tuple[str, int]:
    """The run of super- (or sub-)scripts starting at s[i] as ASCII code, and where it ends: one script is
    ^T or _k, a run is grouped (h\u2096\u208b\u2081 is h_(k-1), not h_k_-_1; X\u207b\u00b9 is X^(-1)), and a
    letter right after it is kept apart (W2\u1d40\u03c3 is W2^T sigma)."""
    mark, j, run = _scripted(s[i])[0], i, []
    while j < len(s) and _scripted(s[j]) and _scripted(s[j])[0] == mark and _scripted(s[j])[1].isascii():
        run.append(_scripted(s[j])[1])
        j += 1
    body = "".join(run)
    text = mark + (body if body.isalnum() and (len(body) == 1 or body.isdigit() or body.isalpha()) else "(%s)" % body)
    apart = j < len(s) and s[j].isalpha() and not _scripted(s[j])      # uⱼᵀx is u_j^T x
    return text + (" " if apart else ""), j


def _code_name(ch: str) -> str | None:
    """A Greek letter as its name in code (sigma), or None."""
    tex = _MATH_CHARS.get(ch, "")
    return tex[1:] if tex.startswith("\\") and tex[1:].isalpha() else None


def ascii_code(s: str) -> tuple[str, bool]:
    """Source code -> ASCII for listings; returns (text, changed). Greek letters by name, kept apart from the
    letters around them (v\u2c7ch\u2c7c(x) is v_j h_j(x), \u03bbx is lambda x); runs of scripts grouped (see
    _code_script_run)."""
    if s.isascii():
        return s, False
    s = _SQRT_NAME.sub(lambda m: "sqrt(%s)" % m.group(1), s)
    for k in sorted(_ASCII_CODE, key=len, reverse=True):
        s = s.replace(k, _ASCII_CODE[k])
    out, i = [], 0
    while i < len(s):
        ch = s[i]
        if ch.isascii():
            out.append(ch)
            i += 1
            continue
        if _scripted(ch) and _scripted(ch)[1].isascii():
            text, i = _code_script_run(s, i)
            out.append(text)
            continue
        name = _code_name(ch)
        if name:
            before = " " if out and out[-1][-1:].isalnum() else ""
            after = " " if i + 1 < len(s) and (s[i + 1].isalpha()) else ""
            out.append(before + name + after)
        else:
            out.append(_ascii_fallback(ch))
        i += 1
    return "".join(out), True
