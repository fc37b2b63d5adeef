"""TeX's spacing rules on latex2mathml's MathML: unary signs, operator names, primes, relations, math alphabets.

MathML Core (Chromium) spaces an operator by its position in its row and writes a token as its characters;
latex2mathml leaves TeX's atom classes to it, so without these passes ``(-x)`` reads ``( − x)``,
``\\operatorname{Var} z`` reads ``Varz``, ``\\sigma'`` carries its prime a second time up, ``\\succeq`` is
a letter and ``\\mathbb{1}`` a plain 1. Each pass is one function over the parsed tree (see PASSES).
"""
from __future__ import annotations

import unicodedata
import xml.etree.ElementTree as ET

NS = "http://www.w3.org/1998/Math/MathML"
THIN = "0.1667em"            # TeX's \, : the space between an operator name and its operand
#: elements whose children are laid out as one row (an inferred mrow, MathML Core 3.1.3)
ROWS = {"math", "mrow", "mstyle", "mpadded", "mphantom", "msqrt", "mtd", "menclose", "merror"}
#: scripted elements whose first child is the base
SCRIPTED = {"msub", "msup", "msubsup", "munder", "mover", "munderover"}
SIGNS = {"\u2212", "-", "+", "\u00b1", "\u2213"}
#: operators after which a sign is an operand's (TeX's Close class and postfix marks): a sign after anything
#: else, or first in its row, is unary
CLOSING = {")", "]", "}", "\u27e9", "\u230b", "\u2309", "\u2032", "\u2033", "\u2034", "!", "%"}
AMBIGUOUS_FENCES = {"|", "\u2016", "\u2223", "\u2225"}     # | opens or closes: by what precedes it
PRIMES = {"\u2032", "\u2033", "\u2034"}
#: latex2mathml writes \sim as the ASCII tilde (the relation is U+223C), and \succeq, \preceq as U+2AB0, U+2AAF,
#: which the math fonts a browser has draw nearly as >= and <=: the curly forms read as the PDF's do
SYMBOL_FOR = {"~": "\u223c", "\u2ab0": "\u227d", "\u2aaf": "\u227c"}
#: relations latex2mathml writes as <mi> (\preceq, \succeq, \sim, ...): set as operators, spaced as relations
RELATIONS = set("\u2aaf\u2ab0\u227c\u227d\u227a\u227b\u223c\u2243\u2245\u2248\u221d\u226a\u226b\u2264\u2265"
                "\u2266\u2267\u2282\u2283\u2286\u2287\u2208\u2209\u220b\u2192\u2190\u21a6\u21d2\u21d4\u2261\u2260~")
#: mathvariant -> the word of the Unicode name of its mathematical alphanumeric characters
ALPHABETS = {"bold": "BOLD", "double-struck": "DOUBLE-STRUCK", "bold-italic": "BOLD ITALIC", "italic": "ITALIC",
             "script": "SCRIPT", "fraktur": "FRAKTUR", "sans-serif": "SANS-SERIF", "monospace": "MONOSPACE",
             "bold-script": "BOLD SCRIPT", "bold-fraktur": "BOLD FRAKTUR"}


_PREFIX = len("{%s}" % NS)


def _tag(el) -> str:
    return el.tag[_PREFIX:]         # every element is in the MathML namespace (the <math> root declares it)


def _new(tag: str, text: str | None = None, **attrs) -> ET.Element:
    el = ET.Element("{%s}%s" % (NS, tag), attrs)
    el.text = text
    return el


# ---- what an element is, in TeX's terms -------------------------------------------------------------------

def is_name(el) -> bool:
    """An operator name (log, max, ReLU, softplus; with primes or scripts): a word set upright, which TeX
    spaces as an Op atom and MathML Core not at all."""
    if _tag(el) in SCRIPTED and len(el):
        return is_name(el[0])
    if _tag(el) == "mrow" and len(el) and is_name(el[0]) and all(_tag(c) == "mo" and c.text in PRIMES for c in el[1:]):
        return True
    text = (el.text or "").rstrip("".join(PRIMES))
    return _tag(el) == "mi" and len(text) >= 2 and text.isalpha()


def _opens(el) -> bool:
    """Does `el` start with an opening fence, so that a name before it is a function applied (no space)?"""
    while _tag(el) in ROWS | SCRIPTED and len(el):
        el = el[0]
    return _tag(el) == "mo" and (el.get("form") == "prefix" or (el.text or "") in "([{\u27e8\u230a\u2308")


def _is_closing(row, k: int) -> bool:
    """Does the operator row[k] end an operand (a closing fence, a postfix mark, a closing |)?"""
    text = row[k].text or ""
    if text in CLOSING or row[k].get("form") == "postfix":
        return True
    if text in AMBIGUOUS_FENCES:       # closing when an operand stands before it
        return k > 0 and (_tag(row[k - 1]) != "mo" or _is_closing(row, k - 1))
    return False


def _is_operand(row, k: int) -> bool:
    return _tag(row[k]) not in ("mo", "mspace") or _is_closing(row, k)


# ---- the passes -------------------------------------------------------------------------------------------

def unary_signs(row):
    """A sign first in its row or after an operator, an opening fence or a relation is unary, as in TeX
    (``(-x)``, ``= -c``, ``[-1, 1]``): no space around it, where MathML Core would space it as binary."""
    for k, el in enumerate(row):
        j = k - 1
        while j >= 0 and _tag(row[j]) == "mspace":       # an explicit space (a \, b) changes no atom's class
            j -= 1
        if _tag(el) == "mo" and (el.text or "") in SIGNS and (j < 0 or not _is_operand(row, j)):
            el.set("form", "prefix")
            el.set("lspace", "0em")
            el.set("rspace", "0em")


def name_spacing(row):
    """A thin space between an operator name and an operand on either side (``\\operatorname{Var} z``,
    ``x \\operatorname{ReLU}'(u)``, ``2\\log x``), none before its parenthesised argument: TeX's Op spacing."""
    k = 0
    while k < len(row):
        if is_name(row[k]):
            if k + 1 < len(row) and _is_operand(row, k + 1) and not _opens(row[k + 1]):
                row.insert(k + 1, _new("mspace", width=THIN))
            if k > 0 and _is_operand(row, k - 1):
                row.insert(k, _new("mspace", width=THIN))
                k += 1
        k += 1


def _is_prime(el) -> bool:
    while _tag(el) == "mrow" and len(el) == 1:      # g^{\prime}: the prime in a group of its own
        el = el[0]
    return _tag(el) in ("mi", "mo") and not len(el) and (el.text or "") in PRIMES


def _primed(base, mark: str):
    """`base` followed by the prime `mark` at its own height (an operator name takes it inside: ReLU′)."""
    if _tag(base) == "mi" and is_name(base):
        base.text = (base.text or "") + mark
        return base
    group = _new("mrow")
    group.extend([base, _new("mo", mark, form="postfix", lspace="0em", rspace="0em")])
    return group


def primes(row):
    """``\\sigma'`` is <msup>σ ′</msup>: U+2032 is already a superscript-height glyph, so as a script it sits
    a second time up, detached. The prime follows its base as a postfix mark instead; ``z'^2`` (a script
    that starts with the prime) becomes (z′)², as TeX sets it."""
    for k, el in enumerate(row):
        if _tag(el) != "msup" or len(el) != 2:
            continue
        base, script = el[0], el[1]
        if _is_prime(script):
            row[k] = _primed(base, "".join(script.itertext()))
        elif _tag(script) == "mrow" and len(script) > 1 and _is_prime(script[0]):
            mark = script[0].text
            script.remove(script[0])
            el[0] = _primed(base, mark)


def relations(el):
    """latex2mathml writes \\succeq, \\preceq, \\sim as <mi> (a letter, unspaced): a math symbol is an <mo>."""
    text = el.text or ""
    if _tag(el) == "mi" and text in RELATIONS:
        el.tag = "{%s}mo" % NS
        el.text = SYMBOL_FOR.get(text, text)


def _alphabet_char(ch: str, variant: str) -> str | None:
    """`ch` in the mathematical alphabet `variant` (MATHEMATICAL BOLD DIGIT ONE), None when Unicode has none."""
    try:
        name = unicodedata.name(ch)
    except ValueError:
        return None
    for prefix in ("LATIN ", "GREEK "):
        name = name.replace(prefix, "", 1) if name.startswith(prefix) else name
    name = name.replace(" LETTER ", " ")
    for candidate in ("MATHEMATICAL %s %s" % (variant, name), "%s %s" % (variant, name)):   # U+211D DOUBLE-STRUCK R
        try:
            return unicodedata.lookup(candidate)
        except KeyError:
            continue
    return None


def alphabets(el):
    """``mathvariant`` other than normal is not in MathML Core (\\mathbb{1}, \\mathbf{1} come out as a plain
    1): the characters are written in their mathematical alphabet instead (𝟙, 𝟏)."""
    variant = ALPHABETS.get(el.get("mathvariant", ""))
    if variant is None or _tag(el) not in ("mi", "mn", "mo", "mtext"):
        return
    chars = [_alphabet_char(c, variant) for c in el.text or ""]
    if el.text and all(chars):
        el.text = "".join(chars)
        del el.attrib["mathvariant"]


#: operator names whose subscript TeX sets underneath in display style (\lim_{h \to 0}, \max_i)
LIMITS = {"lim", "max", "min", "sup", "inf", "limsup", "liminf", "argmax", "argmin", "det", "gcd", "Pr"}


def display_limits(el):
    """In display math (the chains), ``\\lim_{h \\to 0}`` has its limit underneath, as TeX sets it; latex2mathml
    writes a subscript whatever the style."""
    if _tag(el) == "msub" and len(el) == 2 and _tag(el[0]) == "mi" and el[0].text in LIMITS:
        el.tag = "{%s}munder" % NS


#: (pass, what it runs on: each element, each row, or each element of display math); order matters: primes
#: before names
PASSES = ((alphabets, "element"), (relations, "element"), (display_limits, "display"), (primes, "row"),
          (unary_signs, "row"), (name_spacing, "row"))


def apply(root: ET.Element) -> ET.Element:
    elements = list(root.iter())      # the passes replace and insert children, but create no row to revisit
    rows = [el for el in elements if _tag(el) in ROWS]
    display = root.get("display") == "block"
    for fn, kind in PASSES:
        for el in (rows if kind == "row" else elements if kind == "element" or display else ()):
            fn(el)
    return root


# ---- parsing and writing back ------------------------------------------------------------------------------

def _escape(s: str, attribute: bool = False) -> str:
    s = s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    if attribute:
        s = s.replace('"', "&quot;")
    return s if s.isascii() else "".join(c if ord(c) < 128 else "&#x%05X;" % ord(c) for c in s)


def serialize(el, root: bool = True) -> str:
    """Written as latex2mathml writes it: no self-closed elements (the HTML parser would misread them), the
    namespace on <math> only, non-ASCII characters as references."""
    attrs = ([("xmlns", NS)] if root else []) + list(el.attrib.items())
    head = "<%s%s>" % (_tag(el), "".join(' %s="%s"' % (k, _escape(v, True)) for k, v in attrs))
    inner = _escape(el.text or "") + "".join(serialize(c, False) for c in el)
    return head + inner + "</%s>" % _tag(el) + _escape(el.tail or "")


def typeset(mathml: str) -> str:
    """The MathML of one <math> element with TeX's spacing rules applied (see the module's docstring)."""
    return serialize(apply(ET.fromstring(mathml)))
