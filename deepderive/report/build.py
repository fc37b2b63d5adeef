"""Build one derivation's report: verify, run checks, draw figures, write .tex (and .pdf), atomically.

Everything is first written into a private staging directory inside ``out_dir`` (so on the same file
system); the PDF is compiled there; only when every part succeeded is each file moved into place with
``os.replace``. A failed or interrupted build therefore never leaves a half-written file where a good
one was: the previous .tex, figures and PDF stay as they were, and the staging directory is removed.
"""
from __future__ import annotations

import importlib
import math
import os
import pathlib
import pkgutil
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field

from . import figures as figure_registry
from . import latex

PDFLATEX = "pdflatex"
PDFLATEX_TIMEOUT = 300  # seconds per run


class ReportError(RuntimeError):
    """The report could not be built (LaTeX failed, or a PDF was requested without pdflatex)."""


@dataclass
class ReportResult:
    tex_path: pathlib.Path
    pdf_path: pathlib.Path | None
    figures: list = field(default_factory=list)      # paths of the figure files written
    ok: bool = True                                  # no failed step, no failed check, every figure drawn
    proof: object = None
    checks: list = field(default_factory=list)
    notes: list = field(default_factory=list)        # what was left out and why


def pdflatex_path() -> str | None:
    """pdflatex on PATH, or None. (latexmk would only call pdflatex, so pdflatex is what matters.)"""
    return shutil.which(PDFLATEX)


def _safe_stem(name: str) -> str:
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", str(name)).strip(".-")
    return stem or "derivation"


def _resolve(name_or_derivation):
    """(derivation, registered?) for a registered name or a Derivation object."""
    import derivations

    if isinstance(name_or_derivation, str):
        return derivations.get(name_or_derivation), True
    d = name_or_derivation
    try:
        registered = d.name in derivations.names() and derivations.get(d.name) is d
    except Exception:
        registered = False
    return d, registered


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
            docs.append(latex.describe_function(fn, f"{modname}.{fname}"))
    return docs, notes


def run_checks(name: str):
    """(CheckResults, note, trouble): every registered check of `name`; a check that raises is a failed row,
    and check modules that fail to import are trouble (the report is then not ok)."""
    from numeric import checks as registry
    from numeric.checks.result import CheckResult

    note, trouble = "", False
    try:
        fns = registry.for_derivation(name)
    except Exception as exc:
        fns, trouble = [], True
        note = f"check modules failing to import: {type(exc).__name__}: {exc}"
    results = []
    for fn in fns:
        try:
            results += list(fn())
        except Exception as exc:
            nan = math.nan
            results.append(CheckResult(name, getattr(fn, "__name__", "check"), "the check raised", "--",
                                       nan, nan, nan, False, f"{type(exc).__name__}: {exc}"))
    return results, note, trouble


# ---- files --------------------------------------------------------------------------------------

def _install(src: pathlib.Path, dst: pathlib.Path):
    """Move a finished file into place atomically (skipped when the bytes are already there)."""
    if dst.is_file() and dst.read_bytes() == src.read_bytes():
        src.unlink()
        return
    os.replace(src, dst)


def _log_excerpt(log: pathlib.Path, lines: int = 14) -> str:
    if not log.is_file():
        return "(no log written)"
    text = log.read_text(encoding="latin-1").splitlines()
    for i, line in enumerate(text):
        if line.startswith("!") or re.match(r"^[^:\s]+\.tex:\d+: ", line):
            excerpt = text[i:i + lines]
            for j, ln in enumerate(excerpt):       # stop after TeX's "l.<number> <context>" lines
                if re.match(r"^l\.\d+ ", ln):
                    excerpt = excerpt[:j + 2]
                    break
            return "\n".join(excerpt).rstrip()
    return "\n".join(text[-lines:])


def compile_pdf(tex: pathlib.Path) -> pathlib.Path:
    """Run pdflatex twice on `tex` in its own directory (no shell escape, fixed dates); return the PDF."""
    exe = pdflatex_path()
    if exe is None:
        raise ReportError("pdflatex is not on PATH (install texlive-latex-base and texlive-latex-recommended)")
    env = dict(os.environ, SOURCE_DATE_EPOCH="0", FORCE_SOURCE_DATE="1")
    cmd = [exe, "-interaction=nonstopmode", "-halt-on-error", "-no-shell-escape", "-file-line-error", tex.name]
    for run in (1, 2):
        try:
            proc = subprocess.run(cmd, cwd=tex.parent, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT, timeout=PDFLATEX_TIMEOUT)
        except subprocess.TimeoutExpired:
            raise ReportError(f"pdflatex timed out after {PDFLATEX_TIMEOUT} s on {tex.name}") from None
        if proc.returncode != 0:
            raise ReportError(f"pdflatex failed on {tex.name} (run {run}, exit {proc.returncode}):\n"
                              + _log_excerpt(tex.with_suffix(".log")))
    pdf = tex.with_suffix(".pdf")
    if not pdf.is_file():
        raise ReportError(f"pdflatex wrote no PDF for {tex.name}:\n" + _log_excerpt(tex.with_suffix(".log")))
    return pdf


# ---- the report ---------------------------------------------------------------------------------

def write_report(name_or_derivation, out_dir="reports", pdf=None, progress=None, proof=None,
                 checks=None) -> ReportResult:
    """Write ``<out_dir>/<name>.tex`` (+ ``figures/``, + ``<name>.pdf``) for one derivation.

    ``name_or_derivation``: a registered name, or a Derivation object (a user's own, from
    ``derivations.load_file``: its report has no generated-code and no checks section).
    ``pdf``: True builds the PDF (ReportError without pdflatex), False skips it, None builds it when
    pdflatex is on PATH. ``progress(i, n, what)`` is called before each stage. ``proof`` and
    ``checks`` (CheckResults) reuse what a caller already computed instead of verifying again.
    Raises ReportError when LaTeX fails; nothing in ``out_dir`` is changed then.
    """
    d, registered = _resolve(name_or_derivation)
    stem = _safe_stem(d.name)
    out = pathlib.Path(out_dir)
    build_pdf = (pdflatex_path() is not None) if pdf is None else bool(pdf)
    if build_pdf and pdflatex_path() is None:
        raise ReportError("a PDF was requested but pdflatex is not on PATH")
    specs = figure_registry.figures_for(d.name) if registered or not _is_library_name(d.name) else []
    total = 4 + len(specs) + build_pdf
    step = iter(range(1, total + 1))

    def tell(what):
        if progress:
            progress(next(step), total, what)

    tell(f"verifying {d.name}")
    proof = proof or d.verify()
    given, checks, notes, checks_note, ok = checks, None, [], "", proof.ok
    tell(f"numeric checks of {d.name}")
    if registered and given is not None:
        checks, trouble = list(given), False
    elif registered:
        checks, checks_note, trouble = run_checks(d.name)
    if registered:
        ok = ok and not trouble and all(c.passed for c in checks)
    tell(f"generated code of {d.name}")
    functions = []
    if registered:
        functions, code_notes = generated_functions(d.name)
        notes += code_notes

    out.mkdir(parents=True, exist_ok=True)
    staging = pathlib.Path(tempfile.mkdtemp(prefix=f".{stem}.", suffix=".tmp", dir=out))
    try:
        (staging / "figures").mkdir()
        drawn = []
        for spec in specs:
            tell(f"figure {spec.name}")
            fname = spec.filename(stem)
            target = staging / "figures" / fname
            try:
                caption = spec.fn(str(target))
                if not target.is_file():
                    raise RuntimeError(f"it wrote no file at {target.name}")
            except Exception as exc:
                notes.append(f"figure {spec.name} could not be drawn: {type(exc).__name__}: {exc}")
                ok = False
                continue
            drawn.append((fname, caption or ""))
        tell(f"writing {stem}.tex")
        tex_text = latex.render_document(d, proof, functions=functions, checks=checks,
                                         figures=[(f"figures/{f}", c) for f, c in drawn], notes=notes,
                                         checks_note=checks_note)
        tex = staging / f"{stem}.tex"
        tex.write_bytes(tex_text.encode("ascii", "replace"))
        staged_pdf = None
        if build_pdf:
            tell(f"pdflatex {stem}.tex")
            staged_pdf = compile_pdf(tex)

        # every part succeeded: move each finished file into place
        if drawn:
            (out / "figures").mkdir(exist_ok=True)
        fig_paths = []
        for fname, _ in drawn:
            _install(staging / "figures" / fname, out / "figures" / fname)
            fig_paths.append(out / "figures" / fname)
        _install(tex, out / f"{stem}.tex")
        pdf_path = None
        if staged_pdf is not None:
            _install(staged_pdf, out / f"{stem}.pdf")
            pdf_path = out / f"{stem}.pdf"
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return ReportResult(out / f"{stem}.tex", pdf_path, fig_paths, ok, proof, list(checks or []),
                        ([checks_note] if checks_note else []) + notes)


def _is_library_name(name: str) -> bool:
    import derivations

    return name in derivations.names()


def write_all(out_dir="reports", pdf=None, progress=None) -> list[ReportResult]:
    """A report for every registered derivation."""
    import derivations

    return [write_report(n, out_dir=out_dir, pdf=pdf, progress=progress) for n in derivations.names()]
