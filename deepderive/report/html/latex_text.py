r"""LaTeX text (statements, justifications, captions, quiz answers) to HTML, math to MathML.

Like latexify's ``generic_visit``, a command missing from the tables below is refused
(:class:`UnknownLatex` names it) rather than printed as raw LaTeX.
"""
from __future__ import annotations

import re
from html import escape

from .mathml import to_mathml


class UnknownLatex(ValueError):
    """LaTeX text holding a command or environment the HTML converter has no rule for."""


#: commands with one argument -> (opening tag, closing tag)
WRAP = {
    "emph": ("<em>", "</em>"), "textit": ("<em>", "</em>"), "textsl": ("<em>", "</em>"),
    "textbf": ("<strong>", "</strong>"), "texttt": ("<code>", "</code>"), "textrm": ("", ""),
    "textsf": ("", ""), "textup": ("", ""), "text": ("", ""), "mbox": ("", ""), "hbox": ("", ""),
    "underline": ("<u>", "</u>"), "textsc": ('<span class="sc">', "</span>"), "url": ("<code>", "</code>"),
    "footnotesize": ("", ""),
}
#: commands without arguments -> HTML
SYMBOL = {
    "_": "_", "&": "&amp;", "%": "%", "#": "#", "$": "$", "{": "{", "}": "}", " ": " ", ",": "\u2009",
    ";": "\u2005", ":": "\u2005", "!": "", "-": "\u00ad", "/": "", "@": "", "\\": "<br>",
    "ldots": "\u2026", "dots": "\u2026", "textellipsis": "\u2026", "quad": "\u2003", "qquad": "\u2003\u2003",
    "enspace": "\u2002", "thinspace": "\u2009", "S": "\u00a7", "textless": "&lt;", "textgreater": "&gt;",
    "textasciicircum": "^", "textbar": "|", "textasciitilde": "~", "textendash": "\u2013",
    "textemdash": "\u2014", "allowbreak": "<wbr>", "noindent": "", "par": "</p><p>", "newline": "<br>",
    "linebreak": "<br>", "smallskip": "", "medskip": "", "bigskip": "", "centering": "", "small": "",
    "ss": "\u00df", "ae": "\u00e6", "o": "\u00f8", "AE": "\u00c6", "O": "\u00d8", "i": "\u0131",
    "LaTeX": "LaTeX", "TeX": "TeX", "textbackslash": "\\",
}
#: environments -> (opening, closing); ``\item`` starts a list item inside the lists
ENVIRONMENT = {"itemize": ("<ul>", "</ul>"), "enumerate": ("<ol>", "</ol>"), "center": ('<div class="center">', "</div>"),
               "quote": ("<blockquote>", "</blockquote>")}
_LISTS = {"itemize", "enumerate"}
#: characters LaTeX treats specially in text
CHARS = [("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ('"', "&quot;"), ("---", "\u2014"), ("--", "\u2013"),
         ("``", "\u201c"), ("''", "\u201d"), ("`", "\u2018"), ("'", "\u2019"), ("~", "\u00a0")]
#: accents: \'e -> e + combining mark
ACCENT = {"'": "\u0301", "`": "\u0300", "^": "\u0302", '"': "\u0308", "~": "\u0303", "=": "\u0304", "c": "\u0327",
          "v": "\u030c", "u": "\u0306", "r": "\u030a", ".": "\u0307"}

_MATH = re.compile(r"\$\$(.+?)\$\$|\\\[(.+?)\\\]|\$(.+?)\$|\\\((.+?)\\\)", re.S)
_TOKEN = re.compile(r"\\begin\{(\w+)\}|\\end\{(\w+)\}|\\item(?![A-Za-z])(?:\[([^\]]*)\])?\s*|\\([A-Za-z]+)\s*|\\(.)|([{}])"
                    r"|([^\\{}]+)", re.S)
_BLANK_LINE = re.compile(r"\n[ \t]*\n\s*")


def _chars(s: str) -> str:
    for k, v in CHARS:
        s = s.replace(k, v)
    return s


class _Reader:
    """One pass over the text: a stack of open groups, each closing with the HTML it opened with."""

    def __init__(self, source: str):
        self.source, self.out, self.stack, self.unknown = source, [], [], []

    def command(self, name: str, rest: str, pos: int) -> int:
        """Handle ``\\name`` found before rest[pos:]; returns where reading goes on."""
        if name in WRAP:
            m = re.match(r"\s*\{", rest[pos:])
            if not m:
                self.unknown.append("\\%s without {argument}" % name)
                return pos
            self.out.append(WRAP[name][0])
            self.stack.append(WRAP[name][1])
            return pos + m.end()
        if name == "ensuremath":
            m = re.match(r"\s*\{((?:[^{}]|\{[^{}]*\})*)\}", rest[pos:])
            if m:
                self.out.append(to_mathml(m.group(1)))
                return pos + m.end()
        if name in SYMBOL:
            self.out.append(SYMBOL[name])
            return pos
        self.unknown.append("\\" + name)
        return pos


def _accented(text: str):
    return re.sub(r"\\([`'^\"~=.])\{?([A-Za-z])\}?|\\([cvur])\{([A-Za-z])\}",
                  lambda m: (m.group(2) or m.group(4)) + ACCENT[m.group(1) or m.group(3)], text)


def _text_to_html(text: str, source: str) -> str:
    """LaTeX text without math -> HTML; math spots are NUL-numbered placeholders kept as they are."""
    r = _Reader(source)
    text = _accented(text)
    pos = 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        begin, end, item_label, name, single, brace, plain = m.groups()
        pos = m.end()
        if begin:
            if begin not in ENVIRONMENT:
                r.unknown.append("\\begin{%s}" % begin)
                continue
            r.out.append(ENVIRONMENT[begin][0])
            r.stack.append(("env", begin))
        elif end:
            if end not in ENVIRONMENT:
                r.unknown.append("\\end{%s}" % end)
                continue
            if end in _LISTS and r.stack and r.stack[-1] == "</li>":
                r.out.append(r.stack.pop())
            if not r.stack or r.stack[-1] != ("env", end):
                r.unknown.append("\\end{%s} without its \\begin" % end)
                continue
            r.stack.pop()
            r.out.append(ENVIRONMENT[end][1])
        elif m.group(0).startswith("\\item"):
            if r.stack and r.stack[-1] == "</li>":
                r.out.append(r.stack.pop())
            label = "" if item_label is None else "<b>%s</b> " % _chars(item_label)
            r.out.append(("<li>" if item_label is None else '<li class="labelled">') + label)
            r.stack.append("</li>")
        elif name:
            pos = r.command(name, text, pos)
        elif single:
            if single in SYMBOL:
                r.out.append(SYMBOL[single])
            else:
                r.unknown.append("\\" + single)
        elif brace == "{":
            r.stack.append("")
        elif brace == "}":
            if not r.stack or isinstance(r.stack[-1], tuple):
                r.unknown.append("an unmatched }")
                continue
            r.out.append(r.stack.pop())
        else:
            r.out.append(_chars(plain))
    if r.stack:
        r.unknown.append("unclosed %s" % ", ".join(str(s) for s in r.stack))
    if r.unknown:
        raise UnknownLatex("the HTML converter has no rule for %s (in %r); known commands: %s"
                           % (", ".join(dict.fromkeys(r.unknown)), source[:160],
                              " ".join("\\" + k for k in sorted({**WRAP, **SYMBOL}) if k.isalpha())))
    return "".join(r.out)


def latex_to_html(source, paragraphs: bool = False) -> str:
    """LaTeX text -> HTML: ``$...$``/``\\(...\\)`` inline MathML, ``\\[...\\]``/``$$...$$`` display MathML.

    With ``paragraphs`` each paragraph (blank lines separate them) is a ``<p>``; without, the result
    is inline HTML (a blank line becomes a line break)."""
    source = str(source)
    maths, parts = [], []
    last = 0
    for m in _MATH.finditer(source):
        parts.append(source[last:m.start()])
        display = m.group(1) is not None or m.group(2) is not None
        tex = next(g for g in m.groups() if g is not None)
        maths.append(to_mathml(tex, display=display))
        parts.append("\x00%d\x00" % (len(maths) - 1))
        last = m.end()
    parts.append(source[last:])
    text = "".join(parts)
    if "$" in text.replace(r"\$", ""):
        raise UnknownLatex("an unmatched $ in %r" % source[:160])
    chunks = [_text_to_html(c, source) for c in _BLANK_LINE.split(text.strip()) if c.strip()]
    if paragraphs:    # a paragraph holding a list or a block is a <div>: <p> cannot hold them
        chunks = [("<div class=\"p\">%s</div>" if re.search(r"<(ul|ol|div|blockquote)", c) else "<p>%s</p>") % c
                  for c in chunks]
    html = ("" if paragraphs else "<br><br>").join(chunks)
    return re.sub("\x00(\\d+)\x00", lambda m: maths[int(m.group(1))], html)


def plain_to_html(text) -> str:
    """Plain text (names, details, data descriptions): escaped, nothing interpreted."""
    return escape(str(text), quote=False)


def is_latex(s) -> bool:
    """Does a string look like LaTeX source (math or commands) rather than plain text?"""
    s = str(s)
    return "$" in s or "\\" in s


def any_text(s) -> str:
    """A string that may be LaTeX or plain text (a title, a justification), as HTML."""
    return latex_to_html(s) if is_latex(s) else plain_to_html(s)
