"""A generated function in the report: its summary, its docstring formula, latexify-py's reading of
the code, and the listing."""
from __future__ import annotations

import inspect
import io
import re
import textwrap
import tokenize
from dataclasses import dataclass

from .code_latex import latexify_function, spaced_rows, tidy
from .preamble import LISTING_COLUMNS
from .text import ascii_code, escape_code, escape_text, tex_math, tex_source


@dataclass(frozen=True)
class FunctionDoc:
    """What the report shows for one generated function."""

    qualname: str           # numeric.generated.lda.lda_posterior
    summary: str            # the docstring's first paragraph, on one line
    formula: str | None     # the docstring's "Formula:" line (LaTeX, math in $...$)
    latexify: str | None    # latexify-py output, or None when it failed
    latexify_error: str     # why latexify failed ("" when it worked)
    source: str             # ASCII source for the listing, long lines re-wrapped to its width
    transliterated: bool    # did the source contain non-ASCII characters
    rewrapped: bool = False  # were lines longer than the listing's width re-wrapped
    #: the docstring's "Formulas, ...:" block: (what the header adds, e.g. ", per sample"; ((label, LaTeX), ...))
    formulas: tuple | None = None


def summary(doc: str) -> str:
    """A docstring's summary: its first paragraph (up to the first blank line) on one line; a summary sentence
    may wrap over several lines, and its first line alone stops mid-sentence."""
    return " ".join(doc.strip().split("\n\n")[0].split())


def _formula_line(doc: str) -> str | None:
    """The text after "Formula:" in a docstring, or None."""
    for line in doc.splitlines():
        if line.strip().startswith("Formula:"):
            return line.split("Formula:", 1)[1].strip() or None
    return None


_FORMULA_ROW = re.compile(r"^\s+([^$:][^$]*?):\s*\$(.+)\$\s*$")


def _formula_block(doc: str) -> tuple | None:
    """A docstring's "Formulas, <how>:" block: the header (which may wrap over lines, up to its colon), then one
    indented row "label: $LaTeX$" per formula, as (the header's words after "Formulas", ((label, LaTeX), ...));
    None when there is none."""
    lines = doc.splitlines()
    for k, line in enumerate(lines):
        if not line.strip().startswith("Formulas"):
            continue
        head, j = line.strip(), k
        while not head.endswith(":") and j + 1 < len(lines) and not _FORMULA_ROW.match(lines[j + 1]):
            j += 1
            head += " " + lines[j].strip()
        rows = []
        for row in lines[j + 1:]:
            m = _FORMULA_ROW.match(row)
            if not m:
                break
            rows.append((" ".join(m.group(1).split()), m.group(2).strip()))
        if rows:
            return " ".join(head[len("Formulas"):].rstrip(":").split()), tuple(rows)
    return None


def _latexified(fn) -> tuple[str | None, str]:
    """(latexify-py's LaTeX, "") or (None, why it failed): latexify reads a subset of Python, and
    the report goes on without it."""
    try:
        return tidy(latexify_function(fn, readable=True)), ""
    except Exception as exc:
        return None, f"{type(exc).__name__}: {exc}"


#: the Python statements latexify-py's function codegen refuses, as a reader would name them
_STATEMENTS = {"For": "a for loop", "While": "a while loop", "If": "an if statement before the return",
               "Try": "a try block", "With": "a with block", "Expr": "a statement that is not an assignment",
               "AugAssign": "an augmented assignment", "AnnAssign": "an annotated assignment",
               "Raise": "a raise statement", "Assert": "an assert statement", "Import": "an import",
               "Match": "a match statement", "Return": "a return before the last line",
               "FunctionDef": "a nested function", "Lambda": "a lambda", "ListComp": "a list comprehension",
               "Subscript": "this subscript", "Starred": "a starred expression"}


def cannot_render(error: str) -> str:
    """What latexify-py cannot render, in words, from the error it raised ("a for loop"); the
    class name and message of the error stay out of the page."""
    m = re.search(r"(?:but got|Unsupported AST|Unsupported last statement|Unsupported)\W+(\w+)\s*$", error)
    if m and m.group(1) in _STATEMENTS:
        return _STATEMENTS[m.group(1)]
    if m:
        return "the Python construct %s" % m.group(1)
    return "this function's Python"


def _listing(fn) -> tuple[str, bool, bool]:
    """(the ASCII source re-wrapped to the listing's width, was anything transliterated, re-wrapped)."""
    try:
        src = inspect.getsource(fn)
    except (OSError, TypeError) as exc:
        src = f"# source not available: {exc}"
    src, changed = ascii_code(src.rstrip("\n"))
    fitted = fit_listing(src, LISTING_COLUMNS)
    return fitted, changed, fitted != src


# ---- re-wrapping source to the listing's width ---------------------------------------------------
# listings would break a long line itself, with a hook arrow and no regard for Python; these lines are
# broken the way a person would: docstring and comment text re-flowed (the generated code has no other
# multi-line strings), code between tokens (inside
# brackets, where Python joins lines; elsewhere with a backslash), long string literals split into
# adjacent literals. The result is still Python that means the same.

CONTINUATION = 4            # extra indent of a continuation line
_OPEN, _CLOSE = "([{", ")]}"
_GOOD_AFTER = {",", "(", "[", "{", ":", "="}                     # break after these ...
_GOOD_BEFORE = {"+", "-", "*", "/", "@", "//", "%", "**", "and", "or", "if", "else", "for", "==", "!=",
                "<", ">", "<=", ">=", "in", "not"}              # ... or before these


def _indent(line: str) -> str:
    return line[:len(line) - len(line.lstrip(" "))]


def _reflow(line: str, columns: int, prefix: str = "") -> list[str]:
    """Docstring or comment text re-flowed at word breaks; continuation lines indented a little more."""
    lead = _indent(line)
    body = line.strip().lstrip(prefix.strip()).strip() if prefix else line.strip()
    first, rest = lead + prefix, lead + prefix + " " * CONTINUATION
    return textwrap.wrap(body, width=columns, initial_indent=first, subsequent_indent=rest,
                         break_long_words=True, break_on_hyphens=False) or [line.rstrip()]


def _split_string(text: str, room: int) -> list[str]:
    """A one-line string literal as adjacent literals of at most `room` characters, split at spaces
    outside f-string braces (the literal itself when it cannot be split)."""
    m = re.match(r"^([rRbBfFuU]*)(['\"])(.*)\2$", text, re.S)
    if not m or text[len(m.group(1)):].startswith(m.group(2) * 3):
        return [text]
    prefix, quote, body = m.groups()
    pieces, depth, start, last_space = [], 0, 0, None
    wrap = len(prefix) + 2
    for i, ch in enumerate(body):
        depth += (ch == "{") - (ch == "}")
        if ch == " " and depth == 0 and (i == 0 or body[i - 1] != "\\"):
            if i + 1 - start + wrap > room and last_space is not None:
                pieces.append(body[start:last_space + 1])
                start = last_space + 1
            last_space = i
    if len(body) - start + wrap > room and last_space is not None and last_space >= start:
        pieces.append(body[start:last_space + 1])
        start = last_space + 1
    pieces.append(body[start:])
    return [f"{prefix}{quote}{p}{quote}" for p in pieces if p] or [text]


def _atoms(line: str, toks, depths, room: int) -> list[tuple[str, str, int]]:
    """(whitespace before, text, bracket depth before) of each token on a code line; string literals
    longer than `room` split into adjacent literals."""
    out, end = [], 0
    for t, d in zip(toks, depths):
        gap, text = line[end:t.start[1]], t.string
        if t.type == tokenize.STRING and len(text) > room:
            for k, piece in enumerate(_split_string(text, room)):
                out.append((gap if k == 0 else " ", piece, d))
        else:
            out.append((gap, text, d))
        end = t.end[1]
    return out


def _wrap_code(line: str, toks, depths, columns: int) -> list[str]:
    """One physical code line broken between tokens to fit `columns` (a backslash where no bracket is open)."""
    lead = _indent(line)
    cont = lead + " " * (2 * CONTINUATION)
    atoms = _atoms(line, toks, depths, max(columns - len(cont) - 4, 16))
    lines, cur = [], [atoms[0]]

    def text(parts, first_prefix):
        return first_prefix + parts[0][1] + "".join(g + t for g, t, _ in parts[1:])

    prefix = lead
    for atom in atoms[1:]:
        trial = text(cur + [atom], prefix)
        if len(trial) + (2 if atom[2] == 0 else 0) <= columns:     # room for a backslash at depth 0
            cur.append(atom)
            continue
        # a good break in the second half of the line, the shallowest in brackets, then the last
        good = [j for j in range(1, len(cur)) if (cur[j - 1][1] in _GOOD_AFTER or cur[j][1] in _GOOD_BEFORE)
                and len(text(cur[:j], prefix)) >= columns // 2 and len(text(cur[j:] + [atom], cont)) + 2 <= columns]
        cut = min(good, key=lambda j: (cur[j][2], -j)) if good else len(cur)
        head, tail = cur[:cut], cur[cut:] + [atom]
        lines.append(text(head, prefix) + (" \\" if tail[0][2] == 0 else ""))
        cur, prefix = tail, cont
    lines.append(text(cur, prefix))
    return lines


def _docstring_like(tok) -> bool:
    """A triple-quoted string alone on its line (a docstring): its text is prose."""
    return tok.type == tokenize.STRING and tok.string.endswith(('"""', "'''"))


def fit_listing(src: str, columns: int) -> str:
    """Python source with every line longer than `columns` re-wrapped (see above); the rest unchanged."""
    lines = src.split("\n")
    if all(len(ln) <= columns for ln in lines):
        return src
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(src + "\n").readline))
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return src                    # not Python: listings breaks the lines
    text_rows, by_row, depth = set(), {}, 0
    for t in tokens:
        if t.type == tokenize.STRING and t.start[0] != t.end[0]:
            text_rows.update(range(t.start[0], t.end[0] + 1))       # a multi-line string: prose
        elif t.type not in (tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT,
                            tokenize.ENDMARKER):
            by_row.setdefault(t.start[0], []).append((t, depth))
        if t.type == tokenize.OP and t.string in _OPEN:
            depth += 1
        elif t.type == tokenize.OP and t.string in _CLOSE:
            depth -= 1
    out = []
    for row, line in enumerate(lines, 1):
        if len(line) <= columns:
            out.append(line)
            continue
        if row in text_rows:
            out.extend(_reflow(line, columns))
            continue
        entries = by_row.get(row, [])
        if len(entries) == 1 and _docstring_like(entries[0][0]):
            out.extend(_reflow(line, columns))      # a one-line docstring: prose too
            continue
        comment = [t for t, _ in entries if t.type == tokenize.COMMENT]
        code = [(t, d) for t, d in entries if t.type != tokenize.COMMENT]
        if comment:                   # a comment goes on lines of its own, above its code
            out.extend(_reflow(_indent(line) + comment[0].string, columns, prefix="# "))
            line = line[:comment[0].start[1]].rstrip()
        if code and len(line) > columns:
            out.extend(_wrap_code(line, [t for t, _ in code], [d for _, d in code], columns))
        elif code:
            out.append(line)
    return "\n".join(out)


def describe_function(fn, qualname: str | None = None) -> FunctionDoc:
    """Summary, docstring formula, latexify-py rendering (or its error) and source of a function."""
    qualname = qualname or f"{fn.__module__}.{fn.__name__}"
    doc = (inspect.getdoc(fn) or "").strip()
    tex, err = _latexified(fn)
    return FunctionDoc(qualname, summary(doc), _formula_line(doc), tex, err, *_listing(fn),
                       formulas=_formula_block(doc))


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


def _label_tex(label: str) -> str:
    """A formula's label: an identifier as a name with its subscript (grad_W1: grad_{W1}), words as text."""
    if re.fullmatch(r"[A-Za-z][A-Za-z0-9]*_[A-Za-z0-9]+", label):
        return tex_math(_output_name(label + " = ").rstrip(" ="))
    return r"\text{%s}" % escape_text(label)


def _formulas_display(how: str, rows) -> list[str]:
    """The docstring's "Formulas" block: its header as a sentence, one fitted line per formula under its label."""
    # labels right-aligned against their formulas (one align* column each); a formula wider than what its
    # label leaves is scaled down
    lines = [r"%s\colon & \quad \ddfit{0.72\linewidth}{%s}" % (_label_tex(label), tex_math(f)) for label, f in rows]
    return [r"\par The closed forms it implements (from its docstring)%s:" % escape_text(
        (" " if how and not how.startswith(",") else "") + how),
            r"\begin{align*}" + "\n" + " \\\\\n".join(lines) + "\n" + r"\end{align*}"]


def _latexify_part(doc: FunctionDoc) -> str:
    """latexify-py's reading of the code, or a note saying why there is none."""
    if doc.latexify is not None:
        return (r"\par The code as \texttt{latexify-py} reads it (the accurate forms actually computed):" + "\n"
                + r"\[ \ddfit{\linewidth}{%s} \]" % tex_math(spaced_rows(doc.latexify)))
    where = ("the formula above, from its docstring, stands in for it" if doc.formula else
             "the formulas above, from its docstring, stand in for it" if doc.formulas else
             "its docstring carries no formula")
    return (r"\ddnote{\textit{Note:} shown as code only: \texttt{latexify-py} could not render this function, "
            r"as it cannot render %s; %s.}" % (escape_text(cannot_render(doc.latexify_error)), where))


def render_function(doc: FunctionDoc) -> str:
    """A subsection for one generated function."""
    out = [r"\subsection{\texttt{%s}}" % escape_code(doc.qualname)]
    if doc.summary:
        out.append(tex_source(doc.summary))
    if doc.formula:
        out.append(r"\par The closed form it implements (from its docstring):")
        out.append(_formula_display(doc.formula))
    if doc.formulas:
        out += _formulas_display(*doc.formulas)
    out.append(_latexify_part(doc))
    notes = ["Non-ASCII characters of the source are transliterated to ASCII in the listing."] \
        if doc.transliterated else []
    if doc.rewrapped:
        notes.append("Lines longer than the page are re-wrapped in the listing; the Python is the same.")
    if notes:
        # the note stays with its listing: room for it and the listing's first lines, no break between them
        out.append(r"\ddneedspace{6\baselineskip}\ddnote{%s}\nopagebreak" % " ".join(notes))
    out.append(r"\begin{lstlisting}" + "\n" + doc.source.replace(r"\end{lstlisting}", r"\end {lstlisting}")
               + "\n" + r"\end{lstlisting}")
    return "\n".join(out) + "\n"
