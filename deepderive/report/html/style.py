"""The book's stylesheet (inline in the page: nothing is fetched when it is read)."""

CSS = """
:root { --proved: #1a7f37; --checked: #b26b00; --failed: #c62828; --rule: #d0d7de; }
body { font-family: "Latin Modern Roman", "DejaVu Serif", Georgia, serif; line-height: 1.45; color: #1f2328;
       max-width: 56rem; margin: 0 auto; padding: 1.5rem 1.5rem 4rem; background: #fff; }
/* Latin Modern Math sets parentheses loosely in Chromium; these math fonts, when present, set them tight */
math { font-family: "STIX Two Math", "DejaVu Math TeX Gyre", "Latin Modern Math", math; font-size: 1.05em; }
math[display="block"] { margin: 0.4em 0; overflow-x: auto; overflow-y: hidden; }
h1 { text-align: center; font-size: 2.1rem; margin-bottom: 0.2rem; }
h2 { border-bottom: 2px solid #444; padding-bottom: 0.2rem; margin-top: 3rem; }
h3 { border-bottom: 1px solid var(--rule); padding-bottom: 0.15rem; margin-top: 2.4rem; }
h4 { margin-bottom: 0.4rem; } h5 { font-size: 1rem; margin: 1.2rem 0 0.3rem; }
code, pre { font-family: "Latin Modern Mono", "DejaVu Sans Mono", monospace; font-size: 0.9em; }
pre.listing { background: #f6f8fa; border: 1px solid var(--rule); padding: 0.6rem; overflow-x: auto;
              font-size: 0.8rem; line-height: 1.3; }
.subtitle, .meta { text-align: center; margin: 0.2rem 0; }
.verdict { text-align: center; font-weight: bold; margin: 0.3rem 0; }
.proved { color: var(--proved); } .checked { color: var(--checked); } .failed { color: var(--failed); }
.status { font-weight: bold; white-space: nowrap; }
nav.toc ol { padding-left: 1.4rem; } nav.toc > ol > li { margin-top: 0.4rem; }
table.chain { border-collapse: collapse; margin: 0.3rem 0 0.8rem; width: 100%; }
table.chain td { vertical-align: baseline; padding: 0.15rem 0.3rem; }
table.chain td.lhs { text-align: right; white-space: nowrap; width: 1%; }
div.lhs.long { padding: 0.15rem 0.3rem; }
table.chain td.rel { width: 1%; text-align: center; }
/* the rhs cell takes the rest of the line and no more (max-width: 0 keeps its formula from widening the table);
   a formula wider than that scrolls in its own box (.mscroll), so the page never scrolls sideways */
table.chain td.rhs { max-width: 0; width: 100%; }
table.definitions .mscroll { max-width: min(34rem, 60vw); }   /* the why column keeps the rest */
.mscroll { overflow-x: auto; overflow-y: hidden; padding: 0.1em 0; }
/* chains are display-style (display="block", as in the PDF) but sit in their cells like text: Chromium centres
   a block math box in its cell, and the lhs, the relation and the rhs must line up */
div.chain math[display="block"], table.definitions math[display="block"] { display: inline math; margin: 0;
  math-style: normal; }
table.chain td.rhs.cont { padding-left: 1.2rem; }
tr.note td { font-size: 0.88rem; color: #404850; padding: 0.1rem 0.3rem 0.5rem 2rem; }
.num { color: #666; } .detail { display: block; color: #6a737d; font-size: 0.8rem; }
.chainhead { margin: 0.8rem 0 0; font-style: italic; }
table.legend, table.definitions, table.checks, table.index { border-collapse: collapse; font-size: 0.88rem; }
table.legend td { padding: 0.2rem 0.5rem; vertical-align: top; } table.legend td:first-child { white-space: nowrap; font-weight: bold; }
table.definitions td { padding: 0.3rem 0.4rem; vertical-align: baseline; } table.definitions td.why { font-size: 0.85rem; }
table.checks, table.index { width: 100%; border-top: 2px solid #444; border-bottom: 2px solid #444; }
table.checks th, table.index th { text-align: left; border-bottom: 1px solid #444; padding: 0.25rem 0.4rem; }
table.checks td, table.index td { padding: 0.25rem 0.4rem; vertical-align: top; border-bottom: 1px solid #eee; }
td.n { text-align: right; white-space: nowrap; } td.pass { color: var(--proved); white-space: nowrap; }
td.fail { color: var(--failed); font-weight: bold; white-space: nowrap; }
ol.compared { font-size: 0.82rem; }
table.index td:last-child { white-space: nowrap; }
.scroll { overflow-x: auto; }
.problems { border: 2px solid var(--failed); padding: 0.3rem 0.8rem; color: var(--failed); }
.note { color: #57606a; font-size: 0.9rem; }
figure { margin: 1rem 0; text-align: center; } figure img { max-width: 100%; height: auto; }
figcaption { font-size: 0.88rem; text-align: left; margin-top: 0.3rem; }
.formula { text-align: center; overflow-x: auto; }
.center { text-align: center; }
.quiz dt { font-weight: bold; margin-top: 1rem; } .quiz dd { margin-left: 1.2rem; }
.cites { font-size: 0.85rem; color: #57606a; }
.numbers { font-size: 0.85rem; } .numbers ul { margin: 0.2rem 0; }
"""
