"""The HTML book: LaTeX text and math to HTML/MathML (refusing what it does not know), and the page itself."""
from __future__ import annotations

import base64
import os
import re
import stat
import unicodedata
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


# ---- defects of the reviewed book (issue #14) --------------------------------------------------------------

def _user_derivation(name="mine", title="My own page"):
    import sympy as sp

    from derivations import Derivation

    x = sp.Symbol("x")
    d = Derivation(name, title, statement=r"A square: $(x + 1)^2$.", source="R6")
    d.derive((x + 1) ** 2).then(x ** 2 + 2 * x + 1, "expand")
    return d


@pytest.mark.parametrize("umask", [0o022, 0o002], ids=["umask022", "umask002"])
def test_the_book_is_written_with_the_mode_open_would_give(tmp_path, umask):
    # mkstemp's 0600 kept lecture.html from a web server's (and another user's) reading, unlike the PDF
    d = _user_derivation()
    old = os.umask(umask)
    try:
        path = write_html_book({d.name: (d.verify(), [])}, out_dir=tmp_path)
        with open(tmp_path / "reference", "w"):          # what a plain open() creates under this umask
            pass
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == stat.S_IMODE((tmp_path / "reference").stat().st_mode) == 0o666 & ~umask
    assert sorted(p.name for p in tmp_path.iterdir()) == ["lecture.html", "reference"]   # no temporary left


def _children(el):
    return [(c.tag.replace(MATHML_NS, ""), c.text, dict(c.attrib)) for c in el]


def _mo(root, text):
    return [el for el in root.iter(MATHML_NS + "mo") if el.text == text]


@pytest.mark.parametrize("tex", [r"\left(- x\right)", "(-x + 1)", "[-1, 1]", "a = -c", r"\{-1, 1\}", "|-x| - 1"])
def test_a_sign_after_an_opening_or_a_relation_is_unary(tex):
    first = _mo(_parse(to_mathml(tex)), "\u2212")[0]
    assert first.get("form") == "prefix" and first.get("lspace") == first.get("rspace") == "0em"


@pytest.mark.parametrize("tex", ["a - b", r"\left(x\right) - 1", "x^2 - 1", "|x| - 1", r"f'(x) - 1", r"a \, - b"])
def test_a_sign_between_operands_stays_binary(tex):
    (minus,) = [m for m in _mo(_parse(to_mathml(tex)), "\u2212")]
    assert minus.get("form") is None and minus.get("lspace") is None


def _row_of(tex):
    root = _parse(to_mathml(tex))
    return _children(root[0])


@pytest.mark.parametrize("tex, spaced", [
    (r"\operatorname{Var} z_j", ["after Var"]), (r"\operatorname{Var}(W)", []),
    (r"x \operatorname{ReLU}\left(u\right)", ["before ReLU"]), (r"2 \log x", ["before log", "after log"]),
    (r"\operatorname{erf}(z) \operatorname{erf}(z)", ["before erf"]), (r"a = \operatorname{tr}(A)", []),
])
def test_an_operator_name_is_spaced_from_its_operands_as_tex_does(tex, spaced):
    row = _row_of(tex)
    found = []
    for k, (tag, text, attrs) in enumerate(row):
        if tag == "mspace":
            assert attrs["width"] == "0.1667em"                  # TeX's thin space
            after = row[k - 1][1] if k and row[k - 1][0] == "mi" and len(row[k - 1][1]) > 1 else None
            found.append("after " + after if after else "before " + row[k + 1][1])
    assert found == spaced, row


@pytest.mark.parametrize("tex, base", [(r"\sigma'(z)", "\u03c3"), (r"g^{\prime}(x)", "g"), ("f''(x)", "f")])
def test_a_prime_follows_its_base_instead_of_being_raised_twice(tex, base):
    root = _parse(to_mathml(tex))
    assert root.find(f".//{MATHML_NS}msup") is None
    (row,) = [el for el in root.iter(MATHML_NS + "mrow") if [c.text for c in el][:1] == [base]]
    mark = row[1]
    assert mark.tag == MATHML_NS + "mo" and mark.text in ("\u2032", "\u2033") and mark.get("lspace") == "0em"


def test_a_primed_power_keeps_the_prime_on_its_letter():
    (power,) = [el for el in _parse(to_mathml("z'^2")).iter(MATHML_NS + "msup")]
    base, script = power
    assert [c.text for c in base] == ["z", "\u2032"] and [c.text for c in script.iter() if c.text] == ["2"]


def test_a_prime_on_an_operator_name_joins_the_name():
    root = _parse(to_mathml(r"\operatorname{ReLU}'\left(x\right)"))
    assert "ReLU\u2032" in [el.text for el in root.iter(MATHML_NS + "mi")]


@pytest.mark.parametrize("tex, char", [(r"A \succeq 0", "\u227d"), (r"A \preceq B", "\u227c"), (r"z \sim 7", "\u223c")])
def test_relations_are_operators(tex, char):
    root = _parse(to_mathml(tex))
    assert [el.text for el in root.iter(MATHML_NS + "mo")] == [char]
    assert unicodedata.category(char) == "Sm" and {"~", "\u2ab0", "\u2aaf"}.isdisjoint(
        el.text for el in root.iter(MATHML_NS + "mi"))


@pytest.mark.parametrize("tex, name", [(r"\mathbf{1}", "MATHEMATICAL BOLD DIGIT ONE"),
                                       (r"\mathbb{1}\{z \ge 0\}", "MATHEMATICAL DOUBLE-STRUCK DIGIT ONE")])
def test_math_alphabets_are_written_as_their_characters(tex, name):
    # MathML Core (Chromium) ignores mathvariant="bold" / "double-struck": the 1 rendered plain
    m = to_mathml(tex)
    assert "mathvariant" not in m
    assert [el.text for el in _parse(m).iter(MATHML_NS + "mn")][0] == unicodedata.lookup(name)


def test_display_math_sets_limits_underneath():
    display = _parse(to_mathml(r"\lim_{h \to 0^+} f(h) + \max_i x_i", display=True))
    assert [el[0].text for el in display.iter(MATHML_NS + "munder")] == ["lim", "max"]
    inline = _parse(to_mathml(r"\lim_{h \to 0^+} f(h)"))
    assert inline.find(f".//{MATHML_NS}munder") is None and inline.find(f".//{MATHML_NS}msub") is not None


def test_chain_equations_are_display_math_in_scroll_boxes(small_book):
    _, _, path, _ = small_book
    html = path.read_text("utf-8")
    chains = re.findall(r'<div class="chain">.*?</table></div>', html, flags=re.S)
    assert chains
    for chain in chains:
        maths = re.findall(r"<math\b[^>]*>", re.sub(r'<tr class="note"[^>]*>.*?</tr>', "", chain, flags=re.S))
        assert maths and all('display="block"' in m for m in maths)
        rhs = re.findall(r'<td class="rhs[^"]*">(.*?)</td>', chain, flags=re.S)
        assert rhs and all(c.startswith('<div class="mscroll"><math') for c in rhs)


class _CheckRow:
    def __init__(self, name):
        self.name = name


def test_the_quiz_says_where_each_number_comes_from():
    from deepderive.report.book_plan import Cited, QuizAnswer
    from deepderive.report.html.book import _quiz

    cited = Cited("sigmoid", "second row", "max_rel_err", 3.3e-14, r"3.3\times 10^{-14}")
    answer = QuizAnswer("Why?", "Because $3.3\\times 10^{-14}$ is small.", ("sigmoid",), (cited,),
                        ("barron: bound",))
    html = _quiz([answer], {"sigmoid"}, {"sigmoid": [_CheckRow("first row"), _CheckRow("second row")]})
    numbers = html.split("Numbers from:", 1)[1]
    (item,) = re.findall(r"<li>(.*?)</li>", numbers)
    assert r'alttext="3.3\times 10^{-14}"' in item
    assert ': check 2 of <a href="#d-sigmoid"><code>sigmoid</code></a>, column \u201cmax rel err\u201d' in item
    assert "Not measured in this build: barron: bound." in html


@pytest.mark.parametrize("rewrapped, transliterated", [(True, False), (False, True), (False, False)])
def test_a_rewrapped_or_transliterated_listing_says_so(rewrapped, transliterated):
    from deepderive.report.code import FunctionDoc
    from deepderive.report.html.code import render_function

    doc = FunctionDoc("numeric.generated.x.f", "Returns one.", None, "f = 1", "", "def f():\n    return 1",
                      transliterated, rewrapped)
    html = render_function(doc)
    assert ("re-wrapped in the listing; the Python is the same" in html) == rewrapped
    assert ("transliterated to ASCII in the listing" in html) == transliterated
    if rewrapped or transliterated:
        assert html.index('class="note"') < html.index("<pre")          # said before the listing


def _ids(html: str) -> list:
    from html.parser import HTMLParser

    ids = []

    class Ids(HTMLParser):
        def handle_starttag(self, tag, attrs):
            ids.extend(v for k, v in attrs if k == "id")

    Ids().feed(html)
    return ids


def test_every_element_id_of_the_book_is_unique(small_book):
    _, _, path, _ = small_book
    ids = _ids(path.read_text("utf-8"))
    assert len(ids) > 20 and len(ids) == len(set(ids)), sorted(i for i in set(ids) if ids.count(i) > 1)


def test_ids_stay_unique_whatever_the_derivations_are_named():
    from deepderive.report.html.page import anchor

    # 'a.b' and 'a-b' once shared d-a-b; a step's id d-x-s1 was the section id of a derivation named 'x-s1'
    names = ["x", "x-s1", "a.b", "a-b", "a_b"]
    assert len({anchor(n) for n in names}) == len(names)
    recs = records({n: (_user_derivation(n, "Title " + n).verify(), []) for n in names})
    ids = _ids(render_book(recs))
    assert len(ids) == len(set(ids)), sorted(i for i in set(ids) if ids.count(i) > 1)


def test_a_duplicate_id_is_an_error_naming_it():
    from deepderive.report.html.book import DuplicateId, _unique_ids

    with pytest.raises(DuplicateId, match="twice"):
        _unique_ids('<p id="twice"></p><div class="x" id="twice"></div><p id="once"></p>')


class _NoSteps:
    steps, problems = (), ()


def _pdf_heading_title(d) -> str:
    """The title in the PDF book's heading of `d`: the first argument of its \\texorpdfstring."""
    from deepderive.report.document import render_body

    tex = "\n".join(render_body(d, _NoSteps(), level=1, label="x"))
    start = tex.index(r"\texorpdfstring{") + len(r"\texorpdfstring{")
    depth, k = 1, start
    while depth:
        depth += {"{": 1, "}": -1}.get(tex[k], 0)
        k += 1
    return tex[start:k - 1]


def test_every_title_is_the_pdfs_title():
    from deepderive.report.html.book import _toc
    from deepderive.report.html.page import render_section

    ds = [get(n) for n in derivations.names()]
    toc = _toc([(type("Ch", (), {"title": "All"})(), ds)], False)
    for d in ds:
        want = latex_to_html(_pdf_heading_title(d))
        assert f"<h3>{want}</h3>" in render_section(d, _NoSteps()), d.name
        assert f">{want}</a></li>" in toc, d.name


def test_a_formulas_block_is_rendered_not_called_missing():
    # mlp.value_and_grad's docstring has "Formulas, per sample:"; the page said it "carries no formula"
    from deepderive.report.code import describe_function
    from deepderive.report.html.code import render_function
    from numeric.generated import mlp

    doc = describe_function(mlp.value_and_grad)
    html = render_function(doc)
    assert doc.formulas and "carries no formula" not in html and "formulas above" in html
    assert html.count("<math") >= len(doc.formulas[1]) and "<dt>output delta</dt>" in html
