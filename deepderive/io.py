"""File output for the application: atomic writes and installs, and the one pdflatex call."""
from __future__ import annotations

import os
import pathlib
import re
import shutil
import subprocess
import tempfile

PDFLATEX = "pdflatex"
PDFLATEX_TIMEOUT = 300  # seconds per run


class TexError(RuntimeError):
    """pdflatex is missing, failed, timed out or wrote no PDF (the message carries the log's error)."""


def atomic_write(path, text: str) -> None:
    """Write `text` to `path` through a temporary file and a rename: readers never see half a file."""
    path = pathlib.Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp's 0600 suits the scratch name, not the result
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def install(src, dst) -> None:
    """Move a finished file into place atomically (skipped when the bytes there are already the same,
    so an unchanged file keeps its modification time)."""
    src, dst = pathlib.Path(src), pathlib.Path(dst)
    if dst.is_file() and dst.read_bytes() == src.read_bytes():
        src.unlink()
        return
    os.replace(src, dst)


def pdflatex_path() -> str | None:
    """pdflatex on PATH, or None. (latexmk would only call pdflatex, so pdflatex is what matters.)"""
    return shutil.which(PDFLATEX)


def _log_excerpt(log: pathlib.Path, lines: int = 14) -> str:
    """The first error of a TeX log and its context (or the log's tail when no error is marked)."""
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


def compile_pdf(tex, runs: int = 2) -> pathlib.Path:
    """Run pdflatex `runs` times on `tex` in its own directory (no shell escape, fixed dates; the
    second run settles the PDF outline); return the PDF. Raises TexError with the log's error."""
    tex = pathlib.Path(tex)
    exe = pdflatex_path()
    if exe is None:
        raise TexError("pdflatex is not on PATH (install texlive-latex-base and texlive-latex-recommended)")
    env = dict(os.environ, SOURCE_DATE_EPOCH="0", FORCE_SOURCE_DATE="1")
    cmd = [exe, "-interaction=nonstopmode", "-halt-on-error", "-no-shell-escape", "-file-line-error", tex.name]
    for run in range(1, runs + 1):
        try:
            proc = subprocess.run(cmd, cwd=tex.parent, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT, timeout=PDFLATEX_TIMEOUT)
        except subprocess.TimeoutExpired:
            raise TexError(f"pdflatex timed out after {PDFLATEX_TIMEOUT} s on {tex.name}") from None
        if proc.returncode != 0:
            raise TexError(f"pdflatex failed on {tex.name} (run {run}, exit {proc.returncode}):\n"
                           + _log_excerpt(tex.with_suffix(".log")))
    pdf = tex.with_suffix(".pdf")
    if not pdf.is_file():
        raise TexError(f"pdflatex wrote no PDF for {tex.name}:\n" + _log_excerpt(tex.with_suffix(".log")))
    return pdf
