"""Report-page defects of issue #14, each with the test that would have caught it."""
from __future__ import annotations

import ast
import importlib
import inspect
import pathlib
import pkgutil
import re
import shutil
import subprocess
import unicodedata
from types import SimpleNamespace

import pytest

from derivations import PROVED
from deepderive.report import figures
from deepderive.report.checktable import check_text, render_checks
from deepderive.report.code import describe_function, render_function
from deepderive.report.preamble import LISTING_CHAR_PT, LISTING_COLUMNS, PREAMBLE, TEXT_WIDTH_PT
from deepderive.report.text import escape_text

ROOT = pathlib.Path(__file__).resolve().parents[1]
PDFLATEX = shutil.which("pdflatex")
needs_pdflatex = pytest.mark.skipif(PDFLATEX is None, reason="pdflatex is not installed")


def _generated():
    """(qualname, function) of every generated function a report shows (its module's DERIVED_FROM)."""
    import numeric.generated as pkg

    out = []
    for info in sorted(pkgutil.iter_modules(pkg.__path__), key=lambda m: m.name):
        mod = importlib.import_module(f"numeric.generated.{info.name}")
        out += [(f"{mod.__name__}.{n}", getattr(mod, n)) for n in getattr(mod, "DERIVED_FROM", {})]
    assert len(out) >= 30
    return out


_DOCS = {}


def _doc(qualname, fn):
    if qualname not in _DOCS:
        _DOCS[qualname] = describe_function(fn, qualname)
    return _DOCS[qualname]


def _without_docstring(tree):
    f = tree.body[0]
    if f.body and isinstance(f.body[0], ast.Expr) and isinstance(f.body[0].value, ast.Constant):
        f.body[0].value.value = ""
    return ast.dump(tree)


# ---- listings fit the page --------------------------------------------------------------------------

def test_listing_width_comes_from_the_font_metrics():
    # cmtt9 (\ttfamily\footnotesize at 11 pt): read the glyph width from the TFM when tftopl is there
    tftopl, kpsewhich = shutil.which("tftopl"), shutil.which("kpsewhich")
    if tftopl and kpsewhich:
        tfm = subprocess.run([kpsewhich, "cmtt9.tfm"], capture_output=True, text=True).stdout.strip()
        pl = subprocess.run([tftopl, tfm], capture_output=True, text=True).stdout
        design = float(re.search(r"\(DESIGNSIZE R ([\d.]+)\)", pl).group(1))
        widths = {float(w) for w in re.findall(r"\(CHARWD R ([\d.]+)\)", pl)}
        assert len(widths) == 1 and abs(widths.pop() * design - LISTING_CHAR_PT) < 1e-9
    # A4 less 2 x 2.3 cm, and the listing's two 3.6 pt margins, in whole characters
    assert abs(TEXT_WIDTH_PT - (210 - 46) / 25.4 * 72.27) < 1e-9
    assert LISTING_COLUMNS == int((TEXT_WIDTH_PT - 7.2) // LISTING_CHAR_PT) == 97
    assert r"\usepackage[margin=2.3cm]{geometry}" in PREAMBLE and "xleftmargin=3.6pt, xrightmargin=3.6pt" in PREAMBLE


def test_no_listing_line_is_longer_than_the_listing_allows_and_the_code_is_the_same():
    rewrapped = 0
    for qualname, fn in _generated():
        doc = _doc(qualname, fn)
        long = [ln for ln in doc.source.splitlines() if len(ln) > LISTING_COLUMNS]
        assert not long, (qualname, long)
        # the re-wrapped listing is the same Python (docstrings are re-flowed prose)
        assert _without_docstring(ast.parse(doc.source)) == \
            _without_docstring(ast.parse(inspect.getsource(fn))), qualname
        rewrapped += doc.rewrapped
        assert doc.rewrapped == (r"re-wrapped" in render_function(doc))
    assert rewrapped >= 5          # there were long lines to wrap (gd.local_model's return is 238 characters)


PDFTOTEXT = shutil.which("pdftotext")
BREAK = "QQBREAKQQ"          # printed where listings breaks a line (instead of its hook arrow)


def _compile(tmp_path, body: str) -> tuple[str, str]:
    """(pdflatex log, text of the PDF) of PREAMBLE + body, listings marking each line they break."""
    tex = PREAMBLE + "\\lstset{postbreak=\\mbox{%s}}\n\\begin{document}\n" % BREAK + body + "\n\\end{document}\n"
    (tmp_path / "t.tex").write_text(tex)
    for old in ("t.log", "t.pdf"):
        (tmp_path / old).unlink(missing_ok=True)
    subprocess.run([PDFLATEX, "-interaction=nonstopmode", "-halt-on-error", "t.tex"], cwd=tmp_path,
                   capture_output=True, timeout=120)
    log = (tmp_path / "t.log").read_text(errors="replace")
    text = subprocess.run([PDFTOTEXT, "t.pdf", "-"], cwd=tmp_path, capture_output=True, text=True).stdout \
        if (tmp_path / "t.pdf").exists() and PDFTOTEXT else ""
    return log, text


@needs_pdflatex
@pytest.mark.skipif(PDFTOTEXT is None, reason="pdftotext (poppler-utils) is not installed")
def test_pdflatex_breaks_no_listing_line(tmp_path):
    from numeric.generated import gd, guiding, logistic

    probe = lambda n: "\\begin{lstlisting}\n" + "x" * n + "\n\\end{lstlisting}\n"
    body = probe(LISTING_COLUMNS) + "".join(render_function(_doc(f"{f.__module__}.{f.__name__}", f)) for f in
                                            (gd.local_model, guiding.value_and_grad,
                                             logistic.cross_entropy_value_and_grad))
    log, text = _compile(tmp_path, body)
    assert "Output written" in log and "Overfull" not in log and "local_model" in text
    assert BREAK not in text
    # and the probe one character longer does break: a break would show
    assert BREAK in _compile(tmp_path, probe(LISTING_COLUMNS + 1))[1]


# ---- check texts as mathematics ---------------------------------------------------------------------

_ASCII_MATH = ("\\textbar{}\\textbar{}", "-\\textgreater{}", "\\textless{}=", "\\textgreater{}=", "kappa(",
               "sqrt(")


def _check_strings():
    """Every string literal of numeric/checks/*.py except docstrings: what names, data and details are made of."""
    out = []
    for path in sorted((ROOT / "numeric" / "checks").glob("*.py")):
        tree = ast.parse(path.read_text())
        docs = {id(n.body[0].value) for n in ast.walk(tree)
                if isinstance(n, (ast.Module, ast.FunctionDef, ast.ClassDef)) and ast.get_docstring(n)}
        out += [(path.name, n.value) for n in ast.walk(tree)
                if isinstance(n, ast.Constant) and isinstance(n.value, str) and id(n) not in docs]
    return out


def test_no_check_text_renders_ascii_pseudo_math():
    strings = _check_strings()
    assert len(strings) > 100          # the checks' texts were read (the notation table's cases: the next test)
    for name, s in strings:
        tex = check_text(s)
        assert not any(bad in tex for bad in _ASCII_MATH), (name, s, tex)


def test_the_notation_table_reads_as_meant():
    assert check_text("||w - coef_|| / ||coef_||") == \
        r"\ensuremath{\|}w - coef\_\ensuremath{\|} / \ensuremath{\|}coef\_\ensuremath{\|}"
    assert check_text("kappa(Sigma) <= 3") == r"\ensuremath{\kappa}(\ensuremath{\Sigma}) \ensuremath{\leq} 3"
    assert check_text("max |z| ~ 7") == r"max \textbar{}z\textbar{} \ensuremath{\approx} 7"     # about
    assert check_text("x ~ N(0, I)") == r"x \ensuremath{\sim} N(0, I)"                          # distributed as
    assert check_text("sigma(kz) -> H(z)") == r"\ensuremath{\sigma}(kz) \ensuremath{\to} H(z)"
    assert check_text("sqrt(2/q)") == r"\ensuremath{\surd}(2/\allowbreak{}q)"
    assert check_text("||grad||_inf") == r"\ensuremath{\|}grad\ensuremath{\|_{\infty}}"
    assert check_text("(1/4)**L") == r"(1/4)\ensuremath{^{L}}"
    assert check_text("sigmoid, lambda_max") == r"sigmoid, \ensuremath{\lambda_{\mathrm{max}}}"   # words stay
    assert check_text("delta-method SE, alpha=2") == "delta-method SE, alpha=2"          # a word, a keyword


def test_the_check_table_uses_the_notations():
    from numeric.checks.result import CheckResult

    tex = render_checks([CheckResult("sigmoid", "norms", "||w - coef_||", "rows x ~ N(0, I)", 1e-16, 1e-16, 1e-12,
                                     True, "kappa(Sigma) <= 1e3")])
    assert r"\ensuremath{\kappa}" in tex and r"\ensuremath{\sim}" in tex and r"\ensuremath{\|}" in tex
    assert not any(bad in tex for bad in _ASCII_MATH)


# ---- the LDA prior is not pi --------------------------------------------------------------------------

def test_lda_prior_is_not_written_pi():
    import derivations

    d = derivations.get("lda-posterior")
    shown = d.statement + " ".join(d.names.values())
    assert r"\rho = P(y=1)" in d.statement and r"\pi" not in shown
    assert not any(s.name == "pi" for s in d.results["b"].free_symbols)
    from numeric.generated import lda

    assert r"\pi" not in inspect.getdoc(lda.lda_params)
    # nor in the LDA checks' texts
    assert not [t for f, t in _check_strings() if f == "lda.py" and re.search(r"\bpi\b", t)]


# ---- escaping ---------------------------------------------------------------------------------------

def test_escape_text_sets_a_tilde_as_a_sign_not_an_accent():
    out = escape_text("max |z| ~ 7")
    assert out == r"max \textbar{}z\textbar{} \ensuremath{\sim} 7"
    assert "~" not in out.replace(r"\ensuremath{\sim}", "") and r"\~" not in out


@needs_pdflatex
def test_escaped_text_compiles_with_the_sign(tmp_path):
    body = escape_text("max |z| ~ 7, x~N(0, 1), 50% & #1 _ ^ {}") + "\n\n$" + escape_text("a ~ b") + "$\n"
    log, _ = _compile(tmp_path, body)
    assert "Output written" in log and "! " not in log


# ---- latexify's view: transposes, products, fractions ---------------------------------------------------

def test_latexified_code_has_no_attribute_transpose_or_at_sign():
    seen = 0
    for qualname, fn in _generated():
        tex = _doc(qualname, fn).latexify
        if tex is None:
            continue
        seen += 1
        assert ".T" not in tex and "X.T" not in tex and "@" not in tex, (qualname, tex)
        assert r"\mathrm{shape}" not in tex, (qualname, tex)                   # X.shape[0] reads rows(X)
    assert seen >= 20


def test_the_two_products_are_set_apart_and_fractions_have_room():
    from numeric.generated import logistic

    tex = _doc("h", logistic.cross_entropy_hessian).latexify
    # (X.T * t4) @ X / n: elementwise, then the matrix product, its left side in parentheses
    assert r"\frac{\mathopen{}\left( X^{T} \odot t_{4} \mathclose{}\right) \, X}{n}" in tex
    assert r"\mathrm{Xw} = X \, w" in tex                               # X @ w
    assert r"\mathrm{h\_wb} = \frac{t_{4} \, X}{n}" in tex                # t4 @ X
    # on the page the rows are amsmath's aligned (display style, rows kept apart), not an array's
    page = render_function(_doc("h", logistic.cross_entropy_hessian))
    shown = re.search(r"\\ddfit\{\\linewidth\}\{(\\begin\{aligned\}.*?\\end\{aligned\})\}", page).group(1)
    assert shown.count(r" \\ &") == tex.count(r" \\ ") >= 8 and r"\begin{array}{l}" not in shown
    tex = _doc("g", logistic.cross_entropy_grad).latexify
    assert r"t_{0} = 1.0 - 2.0 y" in tex                                  # a number times y: a scalar multiple


# ---- latexify failures as sentences -------------------------------------------------------------------

_ERROR_NAME = re.compile(r"\b\w*(Error|Exception)\b")


def _outside_listings(tex: str) -> str:
    return re.sub(r"\\begin\{lstlisting\}.*?\\end\{lstlisting\}", "", tex, flags=re.S)


def test_no_function_section_prints_an_error_class_name():
    failed = 0
    for qualname, fn in _generated():
        doc = _doc(qualname, fn)
        text = _outside_listings(render_function(doc))
        assert not _ERROR_NAME.search(text), (qualname, _ERROR_NAME.search(text).group(0))
        if doc.latexify is None:
            failed += 1
            assert "shown as code only" in text and "cannot render a" in text, text
    assert failed >= 1            # the depth chain's loops


def test_depth_chain_says_what_latexify_cannot_render():
    from numeric.generated.depth import chain_forward

    text = render_function(describe_function(chain_forward))
    assert "it cannot render a for loop" in text and "LatexifyNotSupportedError" not in text


# ---- figures belong to one derivation ---------------------------------------------------------------

def test_each_figure_belongs_to_one_derivation():
    import derivations

    figures._load()
    for f in figures._FIGURES:
        assert len(f.derivations) == 1 or f.shared, (f.name, f.derivations)
    fns = [f.fn for f in figures._FIGURES if not f.shared]
    assert len(fns) == len(set(map(id, fns)))
    files = [f.filename(d) for d in derivations.names() for f in figures.figures_for(d)]
    assert len(files) == len(set(files)) >= 25
    # logistic-regression no longer repeats logistic-gradient's gradient-descent figure
    assert [f.name for f in figures.figures_for("logistic-regression")] == []
    assert "gradient-descent" in [f.name for f in figures.figures_for("logistic-gradient")]


def test_a_figure_for_two_derivations_must_say_it_is_shared():
    with pytest.raises(ValueError, match="shared=True"):
        figures.figure("sigmoid", "tanh", name="twice")


# ---- SVG siblings -----------------------------------------------------------------------------------

def test_save_writes_a_deterministic_svg_sibling(tmp_path):
    def draw():
        fig, (ax,) = figures.new_figure(1, width=3.0, height=2.0)
        ax.plot([0, 1, 2], [0, 1, 4], label=r"$\sigma(z)$")
        ax.legend()
        return fig

    blobs = []
    for k in range(2):
        path = tmp_path / f"run{k}" / "d-f.pdf"
        path.parent.mkdir()
        figures.save(draw(), path)
        svg = path.with_suffix(".svg")
        assert path.exists() and svg.exists()
        blobs.append(svg.read_bytes())
    assert blobs[0] == blobs[1] and blobs[0].startswith(b"<?xml")
    assert b"<dc:date>" not in blobs[0]


def test_fit_listing_breaks_prose_comments_strings_and_code_as_python():
    from deepderive.report.code import fit_listing

    src = ("def f(alpha_one, beta_two):\n"
           '    """' + "A docstring line of many words, " * 4 + '"""\n'
           "    # " + "a comment of many words " * 5 + "\n"
           "    total = alpha_one * beta_two + alpha_one / beta_two - alpha_one ** 2 + beta_two ** 3 - 7  # why\n"
           "    raise ValueError(f\"alpha_one {alpha_one} and beta_two {beta_two} are not what this wants at all\")\n")
    out = fit_listing(src, 60)
    assert all(len(ln) <= 60 for ln in out.splitlines()), out
    assert _without_docstring(ast.parse(out)) == _without_docstring(ast.parse(src))
    assert "\\\n" in out                        # no bracket open at the break: a backslash continues the line
    assert fit_listing("not python (", 5) == "not python ("      # not Python: left to listings


# ---- listings: code copied from the PDF runs (upright quotes and backticks) -------------------------------

def test_listings_set_upright_quotes():
    # listings' upquote needs textcomp (texlive-latex-base), loaded before it
    assert "upquote=true" in PREAMBLE
    assert PREAMBLE.index(r"\usepackage{textcomp}") < PREAMBLE.index(r"\usepackage{listings}")


@needs_pdflatex
@pytest.mark.skipif(PDFTOTEXT is None, reason="pdftotext (poppler-utils) is not installed")
def test_quotes_in_a_listing_copy_as_typed_and_every_mapped_character_compiles(tmp_path):
    code = "a = 'x' + \"y\"  # `z`\nb = f'{a!r}'"
    body = ("\\begin{lstlisting}\n" + code + "\n\\end{lstlisting}\n\n"
            + escape_text("count q\u1d38, x \u223c N(0, 1), \u230ax\u230b, h \u21a6 H(h), A \u2229 B \u222a C, "
                          "\u2713, a \u226a b, 3 \u00b5s") + "\n")
    log, text = _compile(tmp_path, body)
    assert "Output written" in log and "! " not in log
    # straight ' and `, not the curly \u2019 and \u2018 (pdftotext may set the comment apart)
    assert all(piece in text for piece in ("a = 'x' + \"y\"", "# `z`", "b = f'{a!r}'")), text
    assert "\u2019" not in text and "\u2018" not in text


# ---- Unicode in text: every character becomes LaTeX, none a silent "?" -------------------------------------

def test_modifier_letters_are_superscripts_and_subscripts():
    # Unicode tags these <super>/<sub> (unicodedata is the oracle): q\u1d38 is q^L, not qL
    assert escape_text("exact count = q\u1d38") == r"exact count = q\ensuremath{{}^{L}}"
    assert escape_text("w\u1d40x, x\u2096") == r"w\ensuremath{{}^{T}}x, x\ensuremath{{}_{k}}"
    from deepderive.report.text import tex_math
    assert tex_math("q\u1d38") == "q{}^{L}"
    seen = 0
    for cp in range(0x80, 0x2100):
        ch = chr(cp)
        tag, _, codes = unicodedata.decomposition(ch).partition(" ")
        if tag not in ("<super>", "<sub>") or len(codes.split()) != 1:
            continue
        base = chr(int(codes, 16))
        if not (base.isascii() and base.isalnum()):
            continue
        seen += 1
        assert escape_text("q" + ch) == r"q\ensuremath{{}%s{%s}}" % ("^" if tag == "<super>" else "_", base), ch
    assert seen >= 60


@pytest.mark.parametrize("ch, tex", [("\u223c", r"\sim"), ("\u230a", r"\lfloor"), ("\u230b", r"\rfloor"),
                                     ("\u21a6", r"\mapsto"), ("\u2229", r"\cap"), ("\u222a", r"\cup"),
                                     ("\u2713", r"\checkmark"), ("\u226a", r"\ll"), ("\u00b5", r"\mu")])
def test_math_characters_map_to_their_latex(ch, tex):
    from deepderive.report.text import tex_math

    assert escape_text("a %s b" % ch) == r"a \ensuremath{%s} b" % tex
    assert tex_math("a %s b" % ch).split() == ["a", tex, "b"]


def test_an_unmapped_character_is_an_error_naming_it_never_a_question_mark():
    from deepderive.report.text import UnmappedCharacter, tex_source

    for fn, s in ((escape_text, "x \u4e2d y"), (tex_source, "$x$ \u4e2d")):
        with pytest.raises(UnmappedCharacter, match=r"U\+4E2D CJK UNIFIED IDEOGRAPH-4E2D"):
            fn(s)
    # compatibility forms are still read as what they are (NFKC): a fraction, a full-width letter, a ligature
    assert escape_text("\u00bd \uff21 \ufb01") == r"1\ensuremath{/}2 A fi"


def test_listing_text_is_ascii_and_an_unknown_character_stays_visible():
    from deepderive.report.text import ascii_code

    assert ascii_code("q\u1d38 \u2713 h \u21a6 \u230ax\u230b 3 \u00b5s") == ("q^L [ok] h |-> floor(x) 3 us", True)
    text, changed = ascii_code("# \u4e2d")
    assert changed and text == r"# \N{CJK UNIFIED IDEOGRAPH-4E2D}" and "?" not in text


# ---- an induction on a variable the statement does not use says what it is ----------------------------------

def test_induction_variable_is_glossed_in_the_statement_terms():
    import derivations
    from deepderive.report.chains import induction_gloss, step_note
    from deepderive.report.equations import latex

    d = derivations.get("depth-chain")
    (step,) = [s for s in d.steps if s.induction is not None]
    result = SimpleNamespace(step=step, why=step.why, status=PROVED,
                             detail="by induction on m: base m = 1 proved; step m -> m + 1 reduces to 0")
    note = step_note(7, result, d.definitions, d.names)
    assert (r"the induction runs on $m$, where $L = k + m - 1$: the base $m = 1$ is $L = k$ and the step "
            r"$m \to m + 1$ is $L \to L + 1$") in note
    glossed = 0
    for name in derivations.names():     # every induction names its variable in its why, or is glossed
        d = derivations.get(name)
        for s in (s for s in d.steps if s.induction is not None):
            v = latex(s.induction, d.names)
            gloss = induction_gloss(s, d.definitions, d.names)
            assert re.search(r"\$%s\b|\b%s\$" % (v, v), s.why) or gloss, (name, s.why)
            glossed += gloss is not None
    assert glossed >= 3            # depth-chain, relu-chain, backprop: L = k + m - 1


# ---- figures: legends inside their frame; no result repeats another's figure ---------------------------------

def test_a_legend_crossing_its_frame_is_an_error_and_nothing_is_written(tmp_path):
    fig, (ax1, ax2, ax3) = figures.new_figure(3)
    for ax in (ax1, ax2, ax3):
        ax.plot([0, 1], [0, 1], label="ok")
    ax1.set_title("narrow")
    ax1.legend(loc="lower left", labels=["a label far too long for a third of the figure's width"])
    ax2.legend(loc="upper left")                                         # inside: fine
    ax3.legend(loc="upper center", bbox_to_anchor=(0.5, -0.35))          # wholly below the axes: deliberate
    with pytest.raises(figures.FigureLayoutError, match="'narrow'"):
        figures.save(fig, tmp_path / "f.svg")
    assert not list(tmp_path.iterdir())
    ax1.get_legend().remove()
    figures.save(fig, tmp_path / "f.svg")
    assert figures.legends_crossing_frame(fig) == [] and (tmp_path / "f.svg").exists()


def test_the_sigmoid_figure_does_not_repeat_the_soft_heaviside_limit(tmp_path, monkeypatch):
    """The limit sigma(kz) -> H(z) is soft-heaviside's figure; the sigmoid's own shows its own claims."""
    caught = []
    monkeypatch.setattr(figures, "save", lambda fig, path: caught.append(fig))
    (spec,) = figures.figures_for("sigmoid")
    spec.fn(str(tmp_path / "s.pdf"))
    lines = [ln for ax in caught[0].axes for ln in ax.get_lines()]
    steps = [ln for ln in lines if len(ln.get_ydata()) > 1 and set(map(float, ln.get_ydata())) == {0.0, 1.0}]
    assert lines and not steps, "the sigmoid figure draws the Heaviside step"
    assert not any("H(" in ln.get_label() or "kz" in ln.get_label() for ln in lines)
    assert not any("H(" in ax.get_title() for ax in caught[0].axes)


def test_every_text_of_the_library_has_latex_for_each_character():
    """Titles, statements, justifications, definitions and chain names of every registered derivation: each
    character maps (an unmapped one would stop the book with UnmappedCharacter), and the result is ASCII."""
    import derivations
    from deepderive.report.document import title_tex as _title
    from deepderive.report.text import tex_source

    texts = 0
    for name in derivations.names():
        d = derivations.get(name)
        pieces = [d.statement, d.source] + [s.why for s in d.steps] + [w for _s, _e, w in d.definitions]
        out = [_title(d), escape_text(d.name)] + [tex_source(p) for p in pieces if str(p).strip()]
        out += [escape_text(s.chain) for s in d.steps if s.chain]
        assert all(t.isascii() for t in out), name
        texts += len(out)
    assert texts > 300


# ---- page-reader findings (round 5): headings, quotes, summaries, listings, equations, the indicator ----------

def test_bookmarks_spell_greek_letters_and_headings_set_subscripts():
    from deepderive.report.document import title_tex as _title, bookmark
    from deepderive.report.text import bookmark_text

    # the titles as the derivations write them (Unicode); the bookmark is ASCII a reader can read
    assert bookmark_text("the step-size law 0 < \u03b3 < 2/\u03bbmax") == "the step-size law 0 < gamma < 2/lambda_max"
    assert bookmark_text("Barron's bound: the approximation\u2013estimation trade-off") == \
        "Barron's bound: the approximation-estimation trade-off"
    assert bookmark_text("Mont\u00fafar's bound, W\u2096\u208b\u2081") == "Montufar's bound, W_(k-1)"
    assert bookmark("a \u03c3max") == r"a sigma\textunderscore{}max"
    heading = _title(SimpleNamespace(title="law 0 < \u03b3 < 2/\u03bbmax", name="x"))
    assert heading.endswith(r"2/$\lambda_{\mathrm{max}}$") and r"\ensuremath{\gamma}" in heading


def test_quotes_open_in_prose_and_stay_straight_in_code():
    from deepderive.report.text import escape_code, tex_source

    assert escape_text("definition (proved in 'sigmoid'): Barron's bound") == \
        "definition (proved in `sigmoid'): Barron's bound"
    assert tex_source(r"in 'sigmoid', $f'(x)$, \texttt{g('relu')}") == \
        r"in `sigmoid', $f'(x)$, \texttt{g(\textquotesingle{}relu\textquotesingle{})}"
    assert escape_code("forward(X, activation='relu')") == \
        r"forward(X, activation=\textquotesingle{}relu\textquotesingle{})"


@needs_pdflatex
@pytest.mark.skipif(PDFTOTEXT is None, reason="pdftotext (poppler-utils) is not installed")
def test_headings_bookmarks_quotes_and_the_indicator_in_the_pdf(tmp_path):
    from deepderive.report.document import title_tex as _title, bookmark
    from deepderive.report.text import escape_code

    title = "Gradient descent on a quadratic: the step-size law 0 < \u03b3 < 2/\u03bbmax"
    long_words = "Why is SGD a good learning algorithm though a poor optimiser, approximation\u2013estimation"
    body = "\n".join([
        r"\section{\texorpdfstring{%s}{%s}}" % (_title(SimpleNamespace(title=title, name="g")), bookmark(title)),
        # a narrow column: a justified, hyphenating heading would split a word here
        r"\begin{minipage}{5cm}\section{%s}\end{minipage}" % escape_text(long_words),
        escape_text("proved in 'sigmoid'."), r"\par\texttt{%s}" % escape_code("f(activation='relu')"),
        r"\par $H(z) = \mathbb{1}\{z \ge 0\}$ on $\mathbb{R}$"])
    log, text = _compile(tmp_path, body)
    assert "Output written" in log and "! " not in log, log[-2000:]
    # the bookmark (hyperref's .out, UTF-16 in octal escapes) reads "gamma" and "lambda_max"
    out = (tmp_path / "t.out").read_text(encoding="latin-1")
    marks = [bytes(int(o, 8) if o else ord(c) for o, c in re.findall(r"\\([0-7]{3})|(.)", m)).decode("utf-16")
             for m in re.findall(r"\{(\\376\\377[^}]*)\}", out)]
    assert any("0 < gamma < 2/lambda_max" in m for m in marks), marks
    # no heading line ends in a hyphen or a dash (a hyphenated word, "approximation--" / "estimation")
    assert not any(line.rstrip().endswith(("-", "\u2013")) for line in text.splitlines()), text
    assert "\u2018sigmoid\u2019" in text and "activation='relu'" in text
    assert "\u22ae" not in text            # a 1, not the glyph amssymb's blackboard font has in its place
    assert re.search(r"H\(z\) = 1\{?z", text.replace("\u2265", ">=")), text


def test_formula_blocks_are_read_and_rendered():
    from numeric.generated import guiding, mlp

    for fn, labels in ((mlp.value_and_grad, ["layer", "output loss", "output delta", "delta", "dl/dW_k",
                                             "dl/db_k", "penalty"]),
                       (guiding.value_and_grad, ["loss", "grad_W1", "grad_W2"])):
        doc = describe_function(fn)
        assert doc.formulas and [label for label, _ in doc.formulas[1]] == labels
        tex = render_function(doc)
        assert "carries no formula" not in tex and r"\begin{align*}" in tex
        for _label, formula in doc.formulas[1]:
            assert formula in tex
    # every generated function whose docstring states formulas has them read (none left for "no formula")
    for qualname, fn in _generated():
        d = inspect.getdoc(fn) or ""
        if "Formula" in d:
            doc = describe_function(fn, qualname)
            assert doc.formula or doc.formulas, qualname


def test_summaries_are_the_first_paragraph_in_the_section_and_the_index():
    from deepderive.report.book_plan import generated_index

    index = {e.qualname: e.summary for e in generated_index()}
    for qualname, fn in _generated():
        first = " ".join((inspect.getdoc(fn) or "").strip().split("\n\n")[0].split())
        assert index[qualname] == first and describe_function(fn, qualname).summary == first, qualname
    assert index["numeric.generated.nngp.kernel_erf"].rstrip().endswith(".")   # not cut at "of variances"


@pytest.mark.parametrize("code, ascii", [
    ("L\u2033(theta)", "L''(theta)"), ("h\u2096\u208b\u2081", "h_(k-1)"), ("\u221aq\u1d62\u2099", "sqrt(q_in)"),
    ("W2\u1d40\u03c3(W1\u1d40x)", "W2^T sigma(W1^T x)"), ("v\u2c7ch\u2c7c(x)", "v_j h_j(x)"),
    ("\u2016W\u2016\u00b2", "||W||^2"), ("a + u\u2c7c\u1d40x", "a + u_j^T x"), ("\u03a3\u207b\u00b9", "Sigma^(-1)"), ("x\u00b2 + h\u2081\u2080", "x^2 + h_10")])
def test_listing_transliteration_groups_scripts_and_separates_names(code, ascii):
    from deepderive.report.text import ascii_code

    assert ascii_code(code) == (ascii, True)


def test_latexify_view_sets_greek_named_arguments_as_letters():
    from numeric.generated import nngp

    tex = describe_function(nngp.kernel_erf).latexify
    assert tex and r"\sigma_{u}" in tex and r"\sigma_{a}" in tex and "sigma\\_" not in tex


def test_a_negative_term_prints_its_minus_alone():
    import sympy as sp

    from derivations.matrices import scalar
    from deepderive.report.equations import latex

    w, v = sp.MatrixSymbol("a", 3, 1), sp.MatrixSymbol("b", 3, 1)
    m = scalar(w.T * w) * v.T + (-scalar(w.T * v)) * w.T       # a matrix term with a negative scalar coefficient
    t, a = sp.Symbol("t"), sp.Symbol("a")
    subs = sp.Symbol("x") * sp.Subs(sp.Derivative(t ** 3, t), t, a) + sp.Subs(-3 * t ** 2 / 5 + t ** 4, t, a)
    for expr in (m, subs):
        tex = latex(expr)
        assert "+ -" not in re.sub(r"\\left\.\s*", "", tex), tex
    assert latex(m) == "a^{T} a b^{T} - a^{T} b a^{T}"
    assert r"\left. \left(t^{4} - \frac{3 t^{2}}{5}\right) \right|" in latex(subs)


def test_quiz_counts_every_cited_result_and_says_exactly_for_zero():
    from deepderive.report import book_plan

    wanted = sorted({m for a in book_plan.quiz({}) for m in a.missing})
    evidence = {}
    for k, item in enumerate(wanted):
        dname, _, prefix = item.partition(": ")
        evidence.setdefault(dname, []).append(SimpleNamespace(name=prefix + " (row)", passed=k % 3 != 0,
                                                              max_abs_err=0.0, max_rel_err=0.5, tolerance=1.0))
    for d, extra in (("backprop", 3), ("chain-rule", 2)):        # results with several rows
        evidence[d] += [SimpleNamespace(name="other", passed=True, max_abs_err=0.0, max_rel_err=0.5, tolerance=1.0)
                        for _ in range(extra)]
    answers = book_plan.quiz(evidence, strict=True)
    for a in answers:
        counted = re.findall(r"(\d+) of (\d+) checks of the (?:\w+ )?cited results pass", a.answer)
        if not counted:
            continue
        rows = [r for n in a.cites for r in evidence.get(n, ())]
        assert counted == [(str(sum(r.passed for r in rows)), str(len(rows)))], a.question
    auto = answers[2].answer
    assert "checks of the four cited results pass" in auto and "exactly 2" in auto and "within $0$" not in auto
    init = answers[4].answer
    assert "between" in init and "make the factor 1" not in init and "exactly 1" in init
    # a cited result with no registered checks (chain-rule has none) adds no rows and is not "not measured"
    evidence["chain-rule"] = []
    auto = book_plan.quiz(evidence, strict=True)[2]
    rows = [r for n in auto.cites for r in evidence[n]]
    assert "%d of %d checks of the four" % (sum(r.passed for r in rows), len(rows)) in auto.answer
    assert not auto.missing


def test_index_signatures_break_at_spaces_not_after_a_parenthesis_and_summaries_are_text():
    from deepderive.report.book import _index
    from deepderive.report.book_plan import IndexEntry

    entry = IndexEntry("numeric.generated.mlp.forward", "forward(weights, biases, X, activation='relu')",
                       "P(y = 1 | x) for each row of X, as 'sigmoid' computes it.", "backprop")
    item = [line for line in _index([entry], {"backprop"}) if line.startswith(r"\item")][0]
    assert r"(\allowbreak" not in item and r",\allowbreak" not in item
    assert r"activation=\allowbreak{}\textquotesingle{}relu\textquotesingle{})" in item
    assert r"\texttt{P(" not in item and "`sigmoid'" in item        # the summary is prose, not code


def test_the_rewrap_note_stays_with_its_listing():
    from numeric.generated import guiding

    tex = render_function(describe_function(guiding.value_and_grad))
    note = tex.index(r"\ddnote{Non-ASCII")
    before, after = tex[:note], tex[note:]
    assert "re-wrapped in the listing" in after.split("\n")[0] and before.endswith(r"\ddneedspace{6\baselineskip}")
    assert re.match(r"[^\n]*\}\\nopagebreak\n\\begin\{lstlisting\}", after), after[:200]
