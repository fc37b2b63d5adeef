"""The HTML book: LaTeX text and math to HTML/MathML (refusing what it does not know), and the page itself."""
from __future__ import annotations

import base64
import re
import xml.etree.ElementTree as ET

import pytest

import derivations
from derivations.registry import get
from deepderive.report.html import MathError, UnknownLatex, latex_to_html, render_book, to_mathml, write_html_book
from deepderive.report.html.book import records
from deepderive.report.html.latex_text import any_text

MATHML_NS = "{http://www.w3.org/1998/Math/MathML}"


def _visible_text(html: str) -> str:
    """The text a reader sees outside the formulas: tags and <math> elements removed."""
    html = re.sub(r"<math\b.*?</math>", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


def _texts_of(d):
    yield "title", d.title
    yield "statement", d.statement
    for sym, _, why in d.definitions:
        yield f"definition of {sym}", why
    for k, s in enumerate(d.steps, 1):
        yield f"step {k}", s.why


# ---- LaTeX text -> HTML ------------------------------------------------------------------------------------

def test_every_statement_and_justification_converts_without_raw_latex():
    bad = []
    for name in derivations.names():
        d = get(name)
        for where, text in _texts_of(d):
            try:
                html = any_text(text)
            except (UnknownLatex, MathError) as exc:
                bad.append(f"{name} {where}: {exc}")
                continue
            seen = _visible_text(html)
            if "\\" in seen or "$" in seen:
                bad.append(f"{name} {where}: raw LaTeX left in {seen[:120]!r}")
    assert not bad, "\n".join(bad)


@pytest.mark.parametrize("source, expected", [
    (r"\emph{a} and \textbf{b} and \texttt{c\_d}", "<em>a</em> and <strong>b</strong> and <code>c_d</code>"),
    ("pages 3--4 --- ``quoted'' p.~5", "pages 3\u20134 \u2014 \u201cquoted\u201d p.\u00a05"),
    (r"Pinkus \& Schocken", "Pinkus &amp; Schocken"),
    (r"a\\b", "a<br>b"),
    (r"\begin{itemize}\item one \item two\end{itemize}", "<ul><li>one </li><li>two</li></ul>"),
    (r"\begin{enumerate}\item x\end{enumerate}", "<ol><li>x</li></ol>"),
    (r"Mont\'ufar", "Montu\u0301far"),
    ("a < b & c", "a &lt; b &amp; c"),
])
def test_text_macros(source, expected):
    assert latex_to_html(source) == expected


def test_paragraphs_split_at_blank_lines():
    assert latex_to_html("one\n\ntwo", paragraphs=True) == "<p>one</p><p>two</p>"


@pytest.mark.parametrize("source, named", [
    (r"see \cite{barron} here", r"\cite"),
    (r"\begin{tabular}{l}x\end{tabular}", r"\begin{tabular}"),
    (r"\textbf{open", "unclosed"),
    ("a $x", "unmatched $"),
])
def test_unknown_text_latex_is_refused_by_name(source, named):
    with pytest.raises(UnknownLatex, match=re.escape(named)):
        latex_to_html(source)


def test_unknown_math_command_is_refused_by_name():
    with pytest.raises(MathError, match=r"\\foo"):
        to_mathml(r"\foo + x")
    with pytest.raises(MathError, match=r"\\foo"):
        latex_to_html(r"text $\foo x$ text")


# ---- LaTeX math -> MathML ----------------------------------------------------------------------------------

def _parse(mathml: str) -> ET.Element:
    return ET.fromstring(mathml)


def test_math_is_well_formed_mathml_with_its_source():
    root = _parse(to_mathml(r"\frac{a}{b}"))
    assert root.tag == MATHML_NS + "math" and root.get("alttext") == r"\frac{a}{b}"
    frac = root.find(f".//{MATHML_NS}mfrac")
    assert [t.text for t in frac.iter(MATHML_NS + "mi")] == ["a", "b"]
    assert _parse(to_mathml("x", display=True)).get("display") == "block"


def test_math_has_no_markup_the_html_parser_would_misread():
    # \mathopen{} is what latexify-py prints; latex2mathml writes it as <mo><mrow /></mo>, which the HTML
    # parser (not an XML one) reads as an unclosed HTML element swallowing the rest of the formula
    m = to_mathml(r"\mathrm{where} \mathopen{}\left( z \mathclose{}\right) + 1")
    assert "/>" not in m
    for token in ("mo", "mi", "mn", "mtext"):
        for el in _parse(m).iter(MATHML_NS + token):
            assert len(el) == 0, f"<{token}> holds markup"


def test_named_spaces_and_word_operators_follow_mathml_core():
    m = to_mathml(r"O\!\left(x\right) \, \max(a, b)")
    assert "mathspace" not in m                       # MathML Core knows lengths, not MathML 3's names
    assert "-0.1667em" in m
    words = [el.text for el in _parse(m).iter(MATHML_NS + "mi")]
    assert "max" in words                              # a function name, not a spaced binary operator


def test_every_step_of_a_derivation_converts():
    from deepderive.report.equations import latex

    d = get("logistic-gradient")
    for s in d.steps:
        for side in (s.lhs, s.rhs):
            _parse(to_mathml(latex(side, d.names)))


# ---- the book ----------------------------------------------------------------------------------------------

SMALL = ("logistic-loss-pm1", "gd-local-model", "barron")


@pytest.fixture(scope="module")
def small_book(tmp_path_factory):
    """A book of three cheap derivations with their real proofs and checks; barron's figure given as a PNG,
    gd-local-model's drawn as SVG by its figure function."""
    from matplotlib.figure import Figure

    from deepderive.report import figures as registry
    from numeric import checks

    verified = {n: (get(n).verify(), checks.run(get(n), catch=True)) for n in SMALL}
    tmp = tmp_path_factory.mktemp("html")
    fig = Figure(figsize=(2, 1))
    fig.subplots().plot([0, 1], [1, 0])
    png = tmp / "barron-given.pdf"                     # the PDF need not exist: its PNG sibling is embedded
    fig.savefig(tmp / "barron-given.png", dpi=40)
    (spec,) = registry.figures_for("gd-local-model")   # drawn once as SVG here, so re-rendering draws nothing
    svg = tmp / "gd-local-model.svg"
    figures = {"barron": [(png, r"A given figure, $q = 3$.")], "gd-local-model": [(svg, spec.fn(str(svg)))]}
    path = write_html_book(verified, out_dir=tmp / "out", figures=figures)
    return verified, figures, path, tmp


def test_book_is_written_atomically_and_deterministically(small_book):
    verified, figures, path, tmp = small_book
    assert path.name == "lecture.html" and sorted(p.name for p in path.parent.iterdir()) == ["lecture.html"]
    text = path.read_text("utf-8")
    assert render_book(records(verified), figures=figures) == text


def test_book_has_every_part(small_book):
    verified, _, path, _ = small_book
    html = path.read_text("utf-8")
    ids = set(re.findall(r'\bid="([^"]+)"', html))
    links = set(re.findall(r'href="#([^"]+)"', html))
    assert links <= ids, f"links to missing anchors: {sorted(links - ids)}"
    for name in SMALL:
        assert f"d-{name}" in links                         # listed in the contents
    assert "<script" not in html and "http://" not in html.replace("http://www.w3.org/1998/Math/MathML", "")
    assert "Index of generated functions" in html and 'id="fn-numeric.generated.logistic.logistic_loss"' in html
    seen = _visible_text(re.sub(r"<pre\b.*?</pre>", "", html.split("<body>", 1)[1], flags=re.S))   # not listings
    assert "\\" not in seen and "$" not in seen


def _float_of_tex(tex: str) -> float:
    """'1.2\\times10^{-16}' or '3.4' or '0' as a float (the table's number format, read back)."""
    m = re.fullmatch(r"\s*(-?[\d.]+)(?:\\times\s*10\^\{(-?\d+)\})?\s*", tex)
    assert m, tex
    return float(m.group(1)) * 10.0 ** int(m.group(2) or 0)


def test_checks_table_shows_each_number_to_its_printed_precision(small_book):
    verified, _, path, _ = small_book
    html = path.read_text("utf-8")
    for name in SMALL:
        section = html.split(f'id="d-{name}"', 1)[1].split("</section>", 1)[0]
        rows = re.findall(r"<tr><td>\d+\.&#160;.*?</tr>", section, flags=re.S)
        checks = verified[name][1]
        assert len(rows) == len(checks)
        for row, c in zip(rows, checks):
            cells = re.findall(r'<td class="n">(.*?)</td>', row, flags=re.S)
            for cell, want in zip(cells, (c.max_abs_err, c.max_rel_err, c.tolerance)):
                alt = re.search(r'alttext="([^"]*)"', cell)
                if alt is None:                                  # NaN / None print as a dash
                    assert want is None or want != want, cell
                    continue
                got = _float_of_tex(alt.group(1).replace("&amp;", "&"))
                assert got == pytest.approx(want, rel=0.06, abs=0), (name, c.name)
            assert ("pass" if c.passed else "FAIL") in row


def test_figures_are_embedded_images(small_book):
    _, _, path, _ = small_book
    html = path.read_text("utf-8")
    uris = re.findall(r'<img src="data:(image/[a-z+]+);base64,([^"]+)"', html)
    kinds = sorted(kind for kind, _ in uris)
    assert kinds == ["image/png", "image/svg+xml"]           # barron's given PNG, gd-local-model's SVG
    for kind, data in uris:
        raw = base64.b64decode(data)
        assert raw.startswith(b"\x89PNG") if kind == "image/png" else b"<svg" in raw[:2000]


def test_a_figure_with_no_embeddable_file_is_an_error(tmp_path):
    from deepderive.report.html.figures import FigureMissing, render_figures

    with pytest.raises(FigureMissing, match="nothing.svg"):
        render_figures("barron", [(tmp_path / "nothing.pdf", "caption")])


def test_a_figure_that_fails_to_draw_is_a_note(monkeypatch):
    from deepderive.report import figures as registry
    from deepderive.report.html.figures import render_figures

    def broken(path):
        raise RuntimeError("no data")

    monkeypatch.setattr(registry, "figures_for", lambda name: [registry.FigureSpec("broken", (name,), broken)])
    html, notes = render_figures("barron")
    assert html == "" and notes == ["figure broken could not be drawn: RuntimeError: no data"]


def test_an_svg_too_large_gives_way_to_the_png(tmp_path, monkeypatch):
    from deepderive.report.html import figures

    (tmp_path / "f.svg").write_bytes(b"<svg xmlns='http://www.w3.org/2000/svg'>" + b" " * 200 + b"</svg>")
    (tmp_path / "f.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    assert figures.embeddable(tmp_path / "f.pdf") == tmp_path / "f.svg"
    monkeypatch.setattr(figures, "SVG_LIMIT", 100)
    html, _ = figures.render_figures("barron", [(tmp_path / "f.pdf", "c")])
    assert 'src="data:image/png;base64,' in html and "image/svg" not in html


@pytest.mark.parametrize("name", [r"cross\_ent", "atan2"])
def test_operatorname_with_an_underscore_or_digit_is_set_upright_whole(name):
    # latex2mathml renders \operatorname{cross\_ent} and \operatorname{atan2} as an empty <mo> and italic letters
    root = _parse(to_mathml(r"\operatorname{%s}(y)" % name))
    assert all(el.text for el in root.iter(MATHML_NS + "mo"))
    letters = [el for el in root.iter() if el.tag in (MATHML_NS + "mi", MATHML_NS + "mn") and el.text != "y"]
    assert "".join(el.text for el in letters) == name.replace("\\", "")
    assert all(el.get("mathvariant") == "normal" for el in letters if el.tag == MATHML_NS + "mi")


def test_the_cli_records_give_the_same_book(small_book):
    from deepderive.cli import Verified

    verified, figures, path, _ = small_book
    as_list = [Verified(get(n), proof, checks) for n, (proof, checks) in reversed(list(verified.items()))]
    assert render_book(records(as_list), figures=figures) == path.read_text("utf-8")


def test_a_users_derivation_gets_no_library_code_checks_or_figures():
    import sympy as sp

    from derivations import Derivation

    x = sp.Symbol("x")
    d = Derivation("sigmoid", "My own sigmoid page", statement=r"A square: $(x + 1)^2$.", source="R6")
    d.derive((x + 1) ** 2).then(x ** 2 + 2 * x + 1, "expand")
    html = render_book(records({"sigmoid": (d.verify(), [])}))
    section = html.split('id="d-sigmoid"', 1)[1].split("</section>", 1)[0]
    assert "My own sigmoid page" in section and "Every step is proved." in section
    assert "Generated code" not in section and "Numeric checks" not in section and "<img" not in section


def test_the_figures_of_pages_already_written_are_reused(tmp_path):
    from deepderive.report import figures as registry
    from deepderive.report.document import render_figure
    from deepderive.report.html.figures import render_figures, reused

    (spec,) = registry.figures_for("gd-local-model")
    rel = f"figures/{spec.filename('gd-local-model')}"
    (tmp_path / "figures").mkdir()
    (tmp_path / rel).with_suffix(".svg").write_text("<svg xmlns='http://www.w3.org/2000/svg' width='10' height='5'/>")
    (tmp_path / "gd-local-model.tex").write_text("\\begin{document}\n" + render_figure(rel, "Caption \u2014 $\\gamma$")
                                                 + "\\end{document}\n")
    given = reused("gd-local-model", tmp_path)
    assert given == [(tmp_path / rel, "Caption --- $\\gamma$")]
    html, notes = render_figures("gd-local-model", given)
    assert notes == [] and html.count("data:image/svg+xml;base64,") == 1 and "Caption \u2014 <math" in html
    assert reused("gd-local-model", tmp_path / "elsewhere") is None            # no page there: drawn instead
