"""Reports: one LaTeX file (and PDF, where pdflatex is installed) per derivation.

Each report shows the statement, the definitions, every chain of steps as one aligned block
``lhs = e1 = e2 = ...`` with each equality's justification and status (proved / checked numerically,
not proved / failed), the problems of the derivation as a whole, the generated NumPy code (as LaTeX
via latexify-py and as a listing), the table of numeric checks and the figures registered for the
derivation in :mod:`deepderive.report.figures`.

    from deepderive.report import write_report
    r = write_report("lda-posterior", out_dir="reports")     # r.tex_path, r.pdf_path, r.figures, r.ok

The modules, from text to files: ``text`` (escaping, ASCII), ``width`` (estimated widths),
``equations`` (the printer, line breaking), ``chains`` (steps as chains), ``definitions``,
``code_latex`` (latexify-py's stages) and ``code`` (generated functions), ``checktable``,
``preamble`` and ``document`` (the whole .tex), ``build`` (verify, check, draw, write, compile).
"""
from ..io import compile_pdf, pdflatex_path
from .build import ReportError, ReportResult, write_all, write_report
from .code import FunctionDoc, describe_function, render_function
from .document import render_document
from .figures import figure, figures_for
from .text import tex_source

__all__ = ["ReportError", "ReportResult", "write_report", "write_all", "compile_pdf",
           "pdflatex_path", "figure", "figures_for", "render_document", "describe_function", "render_function",
           "FunctionDoc", "tex_source"]
