"""The HTML book in a real headless Chromium (Debian's, driven by playwright): it loads without errors,
every formula is laid out as MathML, every figure decodes; a full-page screenshot is kept for a human eye."""
from __future__ import annotations

import pathlib
import re
import shutil

import pytest

CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if pathlib.Path("/usr/bin/chromium").exists() else None)
# the machine's network is closed: nothing may try to reach it
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
NAMES = ("logistic-loss-pm1", "gd-local-model")      # cheap to prove; generated code, checks and a figure

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed (pip install -e '.[test]')")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (apt-get install chromium)")

_DOM_FACTS = """() => {
  const NS = 'http://www.w3.org/1998/Math/MathML';
  const maths = [...document.getElementsByTagName('math')];
  return {
    maths: maths.length,
    inMathNamespace: maths.filter(m => m.namespaceURI === NS).length,
    withAlttext: maths.filter(m => m.getAttribute('alttext')).length,
    notMathInside: maths.flatMap(m => [...m.querySelectorAll('*')]).filter(e => e.namespaceURI !== NS)
                        .map(e => e.tagName).slice(0, 5),
    merrors: document.getElementsByTagNameNS(NS, 'merror').length,
    empty: maths.filter(m => { const r = m.getBoundingClientRect(); return !(r.width > 0 && r.height > 0); })
                .map(m => m.getAttribute('alttext')).slice(0, 5),
    images: [...document.images].map(i => [i.complete, i.naturalWidth, i.naturalHeight]),
    height: document.documentElement.scrollHeight,
    pageWidth: document.documentElement.scrollWidth,
    windowWidth: window.innerWidth,
    // a chain's equations (not its notes) are display math, laid out display-style
    chainMaths: [...document.querySelectorAll('div.chain math')].filter(m => !m.closest('tr.note'))
                  .map(m => [m.getAttribute('display'), getComputedStyle(m).mathStyle]),
    // formulas wider than their column scroll inside their own box
    scrolling: [...document.querySelectorAll('.mscroll')].filter(d => d.scrollWidth > d.clientWidth + 1)
                 .map(d => getComputedStyle(d).overflowX),
  };
}"""


def _wide_derivation():
    """A user's derivation whose formulas are far wider than a 1000 px window: a long lhs, a long rhs."""
    import sympy as sp

    from derivations import Derivation

    x = sp.symbols("x_1:41", real=True)
    d = Derivation("wide-formula", "A formula wider than the page", statement=r"Forty terms: $\sum_i i x_i^2$.",
                   source="R2")
    terms = sum((i + 1) * xi ** 2 for i, xi in enumerate(x))
    s = sp.Symbol("s", real=True)
    d.define(s, terms, "a definition as wide")
    d.derive(terms).then(sp.expand(terms + sum(x) - sum(x)), "the same forty terms")
    d.derive(s, name="by_name").then(terms, "its definition")
    return d


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    from derivations.registry import get
    from deepderive.report.html import write_html_book
    from numeric import checks

    verified = {n: (get(n).verify(), checks.run(get(n), catch=True)) for n in NAMES}
    wide = _wide_derivation()
    verified[wide.name] = (wide.verify(), [])
    return write_html_book(verified, out_dir=tmp_path_factory.mktemp("browser"))


@pytest.fixture(scope="module")
def chromium():
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield browser
        finally:
            browser.close()


def test_book_renders_in_chromium(book, chromium, tmp_path):
    html = book.read_text("utf-8")
    written = len(re.findall(r"<math\b", html))
    problems = []
    page = chromium.new_page(viewport={"width": 1000, "height": 1200})
    try:
        page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
        page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
        page.on("request", lambda r: problems.append(f"request: {r.url}") if not r.url.startswith(("file:", "data:"))
                else None)
        page.goto(book.as_uri(), wait_until="load")
        facts = page.evaluate(_DOM_FACTS)
        page.screenshot(path=str(tmp_path / "lecture.png"), full_page=True)
    finally:
        page.close()
    assert problems == []
    assert written > 50 and facts["maths"] == written == facts["inMathNamespace"] == facts["withAlttext"]
    assert facts["notMathInside"] == [], "HTML elements inside formulas: the HTML parser misread their MathML"
    assert facts["merrors"] == 0
    assert facts["empty"] == [], "formulas laid out with no area"
    assert facts["images"] and all(ok and w > 0 and h > 0 for ok, w, h in facts["images"])
    assert facts["pageWidth"] <= facts["windowWidth"] == 1000, "the page scrolls sideways"
    assert facts["chainMaths"] and set(map(tuple, facts["chainMaths"])) == {("block", "normal")}
    assert facts["scrolling"] and set(facts["scrolling"]) == {"auto"}      # the wide formula's lines scroll
    shot = (tmp_path / "lecture.png").read_bytes()
    assert shot.startswith(b"\x89PNG") and len(shot) > 10_000
    print(f"screenshot: {tmp_path / 'lecture.png'} ({facts['height']} px tall, {written} formulas)")


_GAPS = """() => {
  const box = e => e.getBoundingClientRect();
  const find = (m, tag, text) => [...m.getElementsByTagName(tag)].find(e => e.textContent === text);
  const out = {};
  for (const m of document.getElementsByTagName('math')) {
    const id = m.getAttribute('id');
    if (id === 'unary' || id === 'binary') {          // the gap on each side of the minus
      const minus = find(m, 'mo', '\\u2212'), before = minus.previousElementSibling, after = minus.nextElementSibling;
      out[id] = [box(minus).left - box(before).right, box(after).left - box(minus).right];
    } else if (id === 'name') {                       // between the operator name and its operand
      out[id] = box(find(m, 'mi', 'z')).left - box(find(m, 'mi', 'Var')).right;
    } else if (id === 'prime') {     // the prime against the parenthesis' top and its letter's top and right
      const sigma = box(find(m, 'mi', '\\u03c3')), prime = box(find(m, 'mo', '\\u2032') || find(m, 'mi', '\\u2032'));
      const paren = box(find(m, 'mo', '('));
      out[id] = [paren.top - prime.top, sigma.top - prime.bottom, prime.left - sigma.right];
      out.em = parseFloat(getComputedStyle(m).fontSize);
    }
  }
  return out;
}"""


def test_formulas_are_spaced_as_tex_spaces_them(chromium):
    from deepderive.report.html import to_mathml
    from deepderive.report.html.style import CSS

    formulas = {"unary": r"\left(- x\right)", "binary": "a - x", "name": r"\operatorname{Var} z",
                "prime": r"\sigma'(z)"}
    body = "".join("<p>%s</p>" % to_mathml(tex).replace("<math ", '<math id="%s" ' % k, 1)
                   for k, tex in formulas.items())
    page = chromium.new_page(viewport={"width": 1000, "height": 600})
    try:
        page.set_content('<!DOCTYPE html><html><head><meta charset="utf-8"><style>%s</style></head><body>%s</body>'
                         "</html>" % (CSS, body))
        gaps = page.evaluate(_GAPS)
    finally:
        page.close()
    em = gaps["em"]
    assert max(gaps["unary"]) < 0.05 * em < 0.15 * em < min(gaps["binary"]), gaps     # −x, not − x; a − x
    assert gaps["name"] > 0.12 * em, gaps                                                  # Var z, not Varz
    above_paren, detached, beside = gaps["prime"]       # σ′ at the letter's top, not a script's height above it
    assert above_paren < 0.05 * em and detached <= 0.05 * em and beside < 0.15 * em, gaps
