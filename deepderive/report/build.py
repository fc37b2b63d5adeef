"""Build one derivation's report: verify, run checks, draw figures, write .tex (and .pdf), atomically.

Everything is first written into a private staging directory inside ``out_dir`` (so on the same file
system); the PDF is compiled there; only when every part succeeded is each file moved into place with
``os.replace``. A failed or interrupted build therefore never leaves a half-written file where a good
one was: the previous .tex, figures and PDF stay as they were, and the staging directory is removed.
"""
from __future__ import annotations

import importlib
import pathlib
import pkgutil
import re
import shutil
import tempfile
from dataclasses import dataclass, field

from ..io import TexError, compile_pdf, install, pdflatex_path   # module attributes: tests replace them
from . import figures as figure_registry
from .code import describe_function
from .document import render_document
from .text import ascii_tex


class ReportError(RuntimeError):
    """The report could not be built (LaTeX failed, or a PDF was requested without pdflatex)."""


@dataclass
class ReportResult:
    tex_path: pathlib.Path
    pdf_path: pathlib.Path | None
    figures: list = field(default_factory=list)      # paths of the figure files written
    ok: bool = True                                  # every step proved, every check passed, every figure drawn
    proof: object = None
    checks: list = field(default_factory=list)
    notes: list = field(default_factory=list)        # what was left out and why


# A build's scratch entry is stale when nothing in it changed for this long: atomic writes hold theirs for
# milliseconds, a report's staging folder gets a file at every stage (each pdflatex run writes its log as it
# goes and is stopped after io.PDFLATEX_TIMEOUT), so only a killed build leaves one idle this long.
STALE_AFTER = 3600.0   # seconds


def _last_change(path: pathlib.Path) -> float:
    """The newest modification time of `path` and, for a folder, of everything in it (symlinks not followed)."""
    newest = path.lstat().st_mtime
    if path.is_dir() and not path.is_symlink():
        for sub in path.rglob("*"):
            try:
                newest = max(newest, sub.lstat().st_mtime)
            except FileNotFoundError:        # removed meanwhile by its own build
                pass
    return newest


def remove_stale_tmp(folder, older_than: float = STALE_AFTER, now: float | None = None) -> list[pathlib.Path]:
    """Remove the scratch files and folders (``.*.tmp``, as io.atomic_write and write_report name them) that
    killed builds left directly in `folder` and that nothing changed for `older_than` seconds; a live
    build's are younger, so concurrent builds keep theirs. Returns what was removed."""
    import time

    folder = pathlib.Path(folder)
    now = time.time() if now is None else now
    removed = []
    for entry in sorted(folder.glob(".*.tmp")) if folder.is_dir() else []:
        try:
            if now - _last_change(entry) < older_than:
                continue
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry)
            else:
                entry.unlink()
        except OSError:                      # its build finished meanwhile, or it is not ours to remove:
            continue                         # cleaning is best effort and never fails a build
        removed.append(entry)
    return removed


def _safe_stem(name: str) -> str:
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", str(name)).strip(".-")
    return stem or "derivation"


def _resolve(name_or_derivation):
    """(derivation, registered?) for a registered name or a Derivation object: a user's Derivation is not
    registered even when it reuses a library name."""
    from derivations.registry import get, is_registered

    if isinstance(name_or_derivation, str):
        return get(name_or_derivation), True
    return name_or_derivation, is_registered(name_or_derivation)


# ---- the parts: generated code, checks -----------------------------------------------------------

def generated_functions(name: str):
    """FunctionDocs of every generated function whose module's DERIVED_FROM names `name`; and notes."""
    docs, notes = [], []
    try:
        import numeric.generated as pkg
    except Exception as exc:  # pragma: no cover - the package is part of the repository
        return docs, [f"numeric.generated could not be imported: {type(exc).__name__}: {exc}"]
    for info in sorted(pkgutil.iter_modules(pkg.__path__), key=lambda m: m.name):
        modname = f"{pkg.__name__}.{info.name}"
        try:
            mod = importlib.import_module(modname)
        except Exception as exc:
            notes.append(f"{modname} could not be imported ({type(exc).__name__}: {exc}); its functions are missing")
            continue
        table = getattr(mod, "DERIVED_FROM", None)
        if not isinstance(table, dict):
            continue
        for fname, dname in table.items():
            if dname != name:
                continue
            fn = getattr(mod, fname, None)
            if not callable(fn):
                notes.append(f"{modname}.DERIVED_FROM lists {fname!r}, which the module does not define")
                continue
            docs.append(describe_function(fn, f"{modname}.{fname}"))
    return docs, notes


def run_checks(derivation):
    """(CheckResults, note, trouble): every check registered for `derivation` (a name or Derivation), a check
    that raises as a failed row; check modules that fail to import are trouble (the report is then not ok)."""
    from numeric import checks

    try:
        return checks.run(derivation, catch=True), "", False
    except Exception as exc:  # a check module failing to import: reported, and the report is not ok
        return [], f"check modules failing to import: {type(exc).__name__}: {exc}", True


# ---- the report ---------------------------------------------------------------------------------

def _draw(specs, folder: pathlib.Path, stem: str, tell):
    """Draw each figure into `folder`: ([(file name, caption)], [notes on the figures that failed])."""
    drawn, notes = [], []
    for spec in specs:
        tell(f"figure {spec.name}")
        fname = spec.filename(stem)
        target = folder / fname
        try:
            caption = spec.fn(str(target))
            if not target.is_file():
                raise RuntimeError(f"it wrote no file at {target.name}")
        except Exception as exc:
            notes.append(f"figure {spec.name} could not be drawn: {type(exc).__name__}: {exc}")
            continue
        drawn.append((fname, caption or ""))
    return drawn, notes


def _pdf(tex: pathlib.Path) -> pathlib.Path:
    """The PDF of the staged .tex; a TeX failure is a ReportError. Nothing is installed then but, for
    debugging, the staged source and pdflatex's log, as ``<stem>.failed.tex`` / ``.failed.log`` beside
    where the report goes (never over the good ``<stem>.tex``); the error's first line names them."""
    try:
        return compile_pdf(tex)
    except TexError as exc:
        kept = _keep_failed(tex)
        first, _, rest = str(exc).partition("\n")
        where = f"; kept for debugging: {', '.join(str(k) for k in kept)}" if kept else ""
        raise ReportError(first.rstrip(":") + where + (":\n" + rest if rest else "")) from None


def _keep_failed(tex: pathlib.Path) -> list[pathlib.Path]:
    """Move the staged .tex and its .log out of staging (tex.parent, inside the output folder) as
    <stem>.failed.tex / .failed.log, each atomically; best effort: keeping them never hides the TeX error."""
    out, kept = tex.parent.parent, []
    for src in (tex, tex.with_suffix(".log")):
        dst = out / f"{tex.stem}.failed{src.suffix}"
        try:
            if src.is_file():
                install(src, dst)
                kept.append(dst)
        except OSError:
            continue
    return kept


def _install_all(staging: pathlib.Path, out: pathlib.Path, stem: str, drawn, staged_pdf):
    """Move the finished figures, .tex and PDF from staging into `out`: (figure paths, PDF path)."""
    if drawn:
        (out / "figures").mkdir(exist_ok=True)
    fig_paths = []
    for fname, _ in drawn:
        install(staging / "figures" / fname, out / "figures" / fname)
        fig_paths.append(out / "figures" / fname)
        svg = (staging / "figures" / fname).with_suffix(".svg")   # figures.save's sibling, for the HTML book
        if svg.is_file() and fname != svg.name:
            install(svg, out / "figures" / svg.name)
    install(staging / f"{stem}.tex", out / f"{stem}.tex")
    if staged_pdf is None:
        return fig_paths, None
    install(staged_pdf, out / f"{stem}.pdf")
    return fig_paths, out / f"{stem}.pdf"


def write_report(name_or_derivation, out_dir="reports", pdf=None, progress=None, proof=None,
                 checks=None, allow_checked=False) -> ReportResult:
    """Write ``<out_dir>/<name>.tex`` (+ ``figures/``, + ``<name>.pdf``) for one derivation.

    ``name_or_derivation``: a registered name, or a Derivation object (a user's own, from
    ``derivations.load_file``: its report has no generated-code and no checks section).
    ``pdf``: True builds the PDF (ReportError without pdflatex), False skips it, None builds it when
    pdflatex is on PATH. ``progress(i, n, what)`` is called before each stage. ``proof`` and
    ``checks`` (CheckResults) reuse what a caller already computed instead of verifying again.
    The report is written whatever the verdict (it shows it); ``ok`` is True only when every step
    is proved (or, with ``allow_checked``, at least checked), every check passed and every figure
    was drawn. Raises ReportError when LaTeX fails; nothing in ``out_dir`` is changed then.
    """
    d, registered = _resolve(name_or_derivation)
    stem = _safe_stem(d.name)
    out = pathlib.Path(out_dir)
    build_pdf = (pdflatex_path() is not None) if pdf is None else bool(pdf)
    if build_pdf and pdflatex_path() is None:
        raise ReportError("a PDF was requested but pdflatex is not on PATH")
    specs = figure_registry.figures_for(d)
    total = 4 + len(specs) + build_pdf
    step = iter(range(1, total + 1))

    def tell(what):
        if progress:
            progress(next(step), total, what)

    tell(f"verifying {d.name}")
    proof = proof or d.verify()
    given, checks, notes, checks_note = checks, None, [], ""
    ok = proof.passes(allow_checked)
    tell(f"numeric checks of {d.name}")
    if registered and given is not None:
        checks, trouble = list(given), False
    elif registered:
        checks, checks_note, trouble = run_checks(d)
    if registered:
        ok = ok and not trouble and all(c.passed for c in checks)
    tell(f"generated code of {d.name}")
    functions = []
    if registered:
        functions, code_notes = generated_functions(d.name)
        notes += code_notes

    out.mkdir(parents=True, exist_ok=True)
    remove_stale_tmp(out)
    staging = pathlib.Path(tempfile.mkdtemp(prefix=f".{stem}.", suffix=".tmp", dir=out))
    try:
        (staging / "figures").mkdir()
        drawn, figure_notes = _draw(specs, staging / "figures", stem, tell)
        notes += figure_notes
        ok = ok and not figure_notes
        tell(f"writing {stem}.tex")
        tex_text = render_document(d, proof, functions=functions, checks=checks,
                                   figures=[(f"figures/{f}", c) for f, c in drawn], notes=notes,
                                   checks_note=checks_note)
        tex = staging / f"{stem}.tex"
        tex.write_bytes(ascii_tex(tex_text, f"{stem}.tex"))   # private staging: installed atomically below
        staged_pdf = None
        if build_pdf:
            tell(f"pdflatex {stem}.tex")
            staged_pdf = _pdf(tex)
        fig_paths, pdf_path = _install_all(staging, out, stem, drawn, staged_pdf)   # every part succeeded
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return ReportResult(out / f"{stem}.tex", pdf_path, fig_paths, ok, proof, list(checks or []),
                        ([checks_note] if checks_note else []) + notes)


def write_all(out_dir="reports", pdf=None, progress=None, allow_checked=False) -> list[ReportResult]:
    """A report for every registered derivation."""
    import derivations

    return [write_report(n, out_dir=out_dir, pdf=pdf, progress=progress, allow_checked=allow_checked)
            for n in derivations.names()]
