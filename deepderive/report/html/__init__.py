"""The lecture as one self-contained HTML page: MathML for the mathematics, figures inline, no script.

    from deepderive.report.html import write_html_book
    path = write_html_book({name: (proof, checks)}, out_dir="reports")     # reports/lecture.html

The modules, from text to the page: ``mathml`` (LaTeX math -> MathML), ``typeset`` (TeX's spacing rules on that
MathML), ``latex_text`` (LaTeX text -> HTML), ``chains``, ``code``, ``checks``, ``figures``, ``page`` (one
derivation), ``style`` and ``book``.
"""
from .book import BOOK_NAME, render_book, write_html_book
from .latex_text import UnknownLatex, latex_to_html
from .mathml import MathError, to_mathml

__all__ = ["write_html_book", "render_book", "BOOK_NAME", "latex_to_html", "to_mathml", "UnknownLatex",
           "MathError"]
