"""LaTeX math to MathML Core (latex2mathml), refusing what it would print as raw LaTeX."""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from html import escape

from latex2mathml.converter import convert

from .typeset import typeset


class MathError(ValueError):
    """A formula that latex2mathml cannot render as MathML (a command it does not know, or an error)."""


# latex2mathml writes MathML 3's named spaces, which MathML Core (Chromium) dropped: their em values
NAMED_SPACES = {
    "veryverythinmathspace": "0.0556em", "verythinmathspace": "0.1111em", "thinmathspace": "0.1667em",
    "mediummathspace": "0.2222em", "thickmathspace": "0.2778em", "verythickmathspace": "0.3333em",
    "veryverythickmathspace": "0.3889em",
}
_SPACE = re.compile(r'(width|lspace|rspace)="(negative)?(%s)"' % "|".join(sorted(NAMED_SPACES, key=len, reverse=True)))
_TEXT_NODE = re.compile(r">([^<]*)<")
_EMPTY_IN_TOKEN = re.compile(r"<(mo|mi|mn|mtext)((?:\s[^>]*)?)>(?:<mrow\s*/>)+</\1>")
_SELF_CLOSED = re.compile(r"<([a-z]+)((?:\s[^>]*?)?)\s*/>")
_MARKUP_IN_TOKEN = re.compile(r"<(mo|mi|mn|mtext|ms)(?:\s[^>]*)?>[^<]*<(?!/)")
#: operators TeX sets as ordinary symbols (no space around: a/b, |x|) that MathML Core spaces as infix ones
ORDINARY = ("&#x0002F;", "&#x0007C;", "&#x02016;", "&#x02202;", "&#x02207;", "/", "|", "\u2016", "\u2202", "\u2207")
_ORDINARY_MO = re.compile(r"<mo((?:\s(?![^>]*lspace)[^>]*)?)>(%s)</mo>" % "|".join(re.escape(o) for o in ORDINARY))
_WORD_MO = re.compile(r"<mo(?:\s[^>]*)?>([A-Za-z]{2,})</mo>")
#: commands latex2mathml lacks or gets wrong, rewritten to ones it renders: (pattern, replacement)
REWRITES = (
    (re.compile(r"\\arg(?![A-Za-z])"), r"\\operatorname{arg}"),
    # \operatorname{cross\_ent} or {atan2} (a name with a digit or \_) comes out as an empty operator and
    # italic letters; \mathrm{} sets it upright
    (re.compile(r"\\operatorname\{((?:[A-Za-z0-9]|\\_)*(?:[0-9]|\\_)(?:[A-Za-z0-9]|\\_)*)\}"), r"\\mathrm{\1}"),
)
_EMPTY_MO = re.compile(r"<mo\s*>\s*</mo>")   # latex2mathml's mark of an argument it lost


def _core_spaces(mathml: str) -> str:
    return _SPACE.sub(lambda m: '%s="%s%s"' % (m.group(1), "-" if m.group(2) else "", NAMED_SPACES[m.group(3)]),
                      mathml)


def _html_safe(mathml: str) -> str:
    """MathML that the HTML parser reads as written: inside a token element (mo, mi, mn, mtext) it parses
    HTML, where ``<mrow />`` opens an element that swallows the rest of the formula; \\mathopen{} prints
    exactly that. Empty self-closed elements are written open-and-closed, and empty ones inside an mo dropped."""
    mathml = _EMPTY_IN_TOKEN.sub(r"<\1\2></\1>", mathml)
    return _SELF_CLOSED.sub(r"<\1\2></\1>", mathml)


def _word_operators(mathml: str) -> str:
    """\\max, \\min, \\operatorname{...} come out as <mo>max</mo>, which MathML Core spaces as a binary
    operator (max  (z)); as an <mi> a word is upright and set like a function name (log, exp)."""
    return _WORD_MO.sub(r"<mi>\1</mi>", mathml)


def _ordinary(mathml: str) -> str:
    return _ORDINARY_MO.sub(r'<mo\1 lspace="0em" rspace="0em">\2</mo>', mathml)


def to_mathml(tex: str, display: bool = False) -> str:
    """One ``<math>`` element for the LaTeX math `tex` (no dollars), with the source as its alttext.

    latex2mathml prints a command it does not know as the text ``\\foo``; that is refused here
    (MathError naming the commands), as is any conversion error, so no raw LaTeX reaches the page."""
    tex = str(tex).strip()
    source = tex
    for pattern, replacement in REWRITES:
        source = pattern.sub(replacement, source)
    try:
        out = convert(source, display="block" if display else "inline")
    except Exception as exc:
        raise MathError(f"latex2mathml failed on ${tex}$: {type(exc).__name__}: {exc}") from None
    leftover = sorted({c for node in _TEXT_NODE.findall(out) for c in re.findall(r"\\[A-Za-z]+|\\.", node)})
    if leftover:
        raise MathError(f"latex2mathml does not know {', '.join(leftover)} (in ${tex}$)")
    if "<merror" in out:
        raise MathError(f"latex2mathml marked an error in ${tex}$")
    out = _ordinary(_word_operators(_html_safe(_core_spaces(out))))
    if _EMPTY_MO.search(out):
        raise MathError(f"latex2mathml lost an argument in ${tex}$ (an empty operator)")
    if _MARKUP_IN_TOKEN.search(out):   # the HTML parser would read that markup as HTML, not MathML
        raise MathError(f"latex2mathml put markup inside a token element for ${tex}$")
    try:
        out = typeset(out)
    except ET.ParseError as exc:
        raise MathError(f"latex2mathml wrote MathML that does not parse for ${tex}$: {exc}") from None
    return out.replace("<math ", '<math alttext="%s" ' % escape(tex, quote=True), 1)
