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

import pytest

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
    assert any("||" in s for _, s in strings) and any("kappa(" in s for _, s in strings)   # the cases exist
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
