"""Reports: one LaTeX file (and PDF, where pdflatex is installed) per derivation.

Each report shows the statement, the definitions, every step as an aligned equation with its
justification and status (proved / checked numerically / failed), the generated NumPy code (as
LaTeX via latexify-py and as a listing), the table of numeric checks and the figures registered
for the derivation in :mod:`deepderive.report.figures`.

    from deepderive.report import write_report
    r = write_report("lda-posterior", out_dir="reports")     # r.tex_path, r.pdf_path, r.figures, r.ok
"""
from .build import ReportError, ReportResult, compile_pdf, pdflatex_path, write_all, write_report
from .figures import figure, figures_for
from .latex import render_document

__all__ = ["ReportError", "ReportResult", "write_report", "write_all", "compile_pdf", "pdflatex_path",
           "figure", "figures_for", "render_document"]
