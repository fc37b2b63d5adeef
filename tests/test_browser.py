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
  };
}"""


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    from derivations.registry import get
    from deepderive.report.html import write_html_book
    from numeric import checks

    verified = {n: (get(n).verify(), checks.run(get(n), catch=True)) for n in NAMES}
    return write_html_book(verified, out_dir=tmp_path_factory.mktemp("browser"))


def test_book_renders_in_chromium(book, tmp_path):
    html = book.read_text("utf-8")
    written = len(re.findall(r"<math\b", html))
    problems = []
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1000, "height": 1200})
            page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
            page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
            page.on("request", lambda r: problems.append(f"request: {r.url}") if not r.url.startswith(("file:", "data:"))
                    else None)
            page.goto(book.as_uri(), wait_until="load")
            facts = page.evaluate(_DOM_FACTS)
            page.screenshot(path=str(tmp_path / "lecture.png"), full_page=True)
        finally:
            browser.close()
    assert problems == []
    assert written > 50 and facts["maths"] == written == facts["inMathNamespace"] == facts["withAlttext"]
    assert facts["notMathInside"] == [], "HTML elements inside formulas: the HTML parser misread their MathML"
    assert facts["merrors"] == 0
    assert facts["empty"] == [], "formulas laid out with no area"
    assert facts["images"] and all(ok and w > 0 and h > 0 for ok, w, h in facts["images"])
    shot = (tmp_path / "lecture.png").read_bytes()
    assert shot.startswith(b"\x89PNG") and len(shot) > 10_000
    print(f"screenshot: {tmp_path / 'lecture.png'} ({facts['height']} px tall, {written} formulas)")
