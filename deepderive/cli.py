"""The deepderive command line: list, verify, codegen, report, build (and check, bench)."""
from __future__ import annotations

import argparse
import json
import sys
import textwrap
from dataclasses import dataclass, field

from .exitcodes import EPILOG, EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE, UsageError

__all__ = ["main", "parser", "resolve", "verify", "codegen", "write_reports", "Verified",
           "UsageError", "EXIT_OK", "EXIT_FAILED", "EXIT_USAGE"]

VERDICTS = ("verdicts: a step is PROVED when SymPy reduces the difference of its two sides to exactly 0 and an "
            "independent mpmath evaluation agrees at many random points; CHECKED when the sides agree "
            "numerically but no simplifier reached 0 (evidence, not a proof: it fails the command unless "
            "--allow-checked); FAILED on a counterexample, or when the step is refused (not chained to the "
            "previous one, a restatement, cases that do not cover the domain). A derivation also fails when its "
            "proof has problems: a refused definition, or a result that no fully proved chain derives.")
ALLOW_CHECKED_HELP = ("let steps that are only checked numerically pass (they stay labelled 'checked'); "
                      "failed steps and failed checks still fail")


def _err(msg):
    print(f"deepderive: error: {msg}", file=sys.stderr)


class Parser(argparse.ArgumentParser):
    """argparse with the project's error format: one line on stderr naming the command, then exit 2
    (argparse's own prints the usage too; --help still shows it). Subparsers inherit the class."""

    def error(self, message):
        self.exit(EXIT_USAGE, f"{self.prog}: error: {' '.join(message.split())} (see {self.prog} --help)\n")


def version() -> str:
    """The installed distribution's version; from a checkout that was never installed, its pyproject.toml's."""
    import pathlib
    import tomllib
    from importlib import metadata

    try:
        return metadata.version("deepderive")
    except metadata.PackageNotFoundError:
        project = pathlib.Path(__file__).resolve().parents[1] / "pyproject.toml"
        try:
            return tomllib.loads(project.read_text(encoding="utf-8"))["project"]["version"]
        except (OSError, KeyError, tomllib.TOMLDecodeError):
            return "unknown (not installed)"


def _progress(label):
    def report(i, n, item):
        print(f"[{i}/{n}] {label} {item}", file=sys.stderr, flush=True)
    return report


# ---- the work, as plain functions (verify, report and build all call these) ---------------------------

def resolve(items) -> list:
    """Derivations for names of registered ones and paths to users' .py files (none given: all registered)."""
    import derivations

    if not items:
        return [derivations.get(n) for n in derivations.names()]
    out = []
    for item in items:
        if item.endswith(".py"):
            out += _load_user_file(item)
        else:
            try:
                out.append(derivations.get(item))
            except derivations.UnknownDerivation as exc:
                raise UsageError(str(exc)) from None
    return out


def _readable_source(path, item):
    """Refuse, in one line, a path that is not a readable Python source file (before running it)."""
    import io
    import tokenize

    if path.is_dir():
        raise UsageError(f"{item}: is a directory, not a derivations file")
    if not path.exists():
        raise UsageError(f"no such derivations file: {item}")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UsageError(f"{item}: cannot read: {exc.strerror or exc}") from None
    nul = data.find(b"\0")
    if nul >= 0:
        raise UsageError(f"{item}: binary content (a NUL byte at offset {nul}), not Python source")
    try:
        encoding = tokenize.detect_encoding(io.BytesIO(data).readline)[0]
        data.decode(encoding)
    except (SyntaxError, UnicodeDecodeError, LookupError) as exc:
        at = f" at byte {exc.start}" if isinstance(exc, UnicodeDecodeError) else ""
        raise UsageError(f"{item}: binary content (not text in its declared encoding{at}), not Python source") \
            from None


def _where_in(exc, path) -> str:
    """'file:line' of the innermost frame of exc's traceback that lies in the user's file (or just the file)."""
    import os
    import traceback

    target = os.path.realpath(path)
    lines = [f.lineno for f in traceback.extract_tb(exc.__traceback__)
             if f.filename and os.path.realpath(f.filename) == target]
    return f"{path}:{lines[-1]}" if lines else str(path)


def _load_user_file(item) -> list:
    """The Derivations a user's .py file defines; any way it can fail is one line naming file:line."""
    import pathlib

    import derivations

    path = pathlib.Path(item)
    _readable_source(path, item)
    try:
        return derivations.load_file(path)
    except SyntaxError as exc:   # incl. IndentationError
        raise UsageError(f"{item}:{exc.lineno}: {type(exc).__name__}: {exc.msg}") from exc
    except (Exception, SystemExit) as exc:   # the user's file itself is broken: their error, in one line
        where = _where_in(exc, path)
        if where == str(path) and isinstance(exc, ValueError):   # load_file's own message (no Derivation)
            raise UsageError(str(exc)) from exc
        raise UsageError(f"{where}: {type(exc).__name__}: {' '.join(str(exc).split())[:300]}") from exc


@dataclass
class Verified:
    """One derivation judged: its proof and the numeric checks of the library derivation it is (if any)."""

    derivation: object
    proof: object
    checks: list = field(default_factory=list)

    def passes(self, allow_checked: bool = False) -> bool:
        """Strict: every step proved, no problems, every check passed (checked steps too, if allowed)."""
        return self.proof.passes(allow_checked=allow_checked) and all(c.passed for c in self.checks)

    def record(self, allow_checked: bool = False) -> dict:
        """A JSON-able summary."""
        from derivations.inequality import TEXT as relation_text

        d, proof = self.derivation, self.proof
        return {
            "name": d.name, "title": d.title, "source": d.source,
            "ok": self.passes(allow_checked), "allow_checked": allow_checked,
            "counts": proof.counts(),
            "problems": list(proof.problems),
            "steps": [{"status": s.status, "why": s.why, "claim": f"{s.lhs} {relation_text[s.relation]} {s.rhs}",
                       "detail": s.detail,
                       "starts_chain": s.starts, "chain": s.chain_name}
                      for s in proof.steps],
            "checks": [r.as_dict() for r in self.checks],
        }


def verify(ds, *, with_checks: bool = True, progress=None, time_limit=None) -> list[Verified]:
    """Prove every step of each derivation, then run the numeric checks registered for it.

    Checks run only for the library's own Derivation objects: a user's derivation that reuses a
    library name ("sigmoid") is proved, but the library's checks say nothing about it.
    ``time_limit``: seconds per step; a step past it (or raising) is a UsageError naming it."""
    from derivations.parallel import StepFailure, verify_many
    from numeric import checks

    try:   # the steps of all of them, spread over the cores
        proofs = verify_many(ds, progress=progress, time_limit=time_limit)
    except StepFailure as exc:
        raise UsageError(str(exc)) from exc
    return [Verified(d, proof, checks.run(d, catch=True) if with_checks else []) for d, proof in zip(ds, proofs)]


def codegen(check: bool = False, progress=None, file=None) -> int:
    """Regenerate numeric/generated/ (or, with check, only compare, byte for byte): the exit code."""
    import pathlib

    import numeric.generated
    from derivations.codegen import generate
    from derivations.codegen.module import differences

    from .io import atomic_write
    from .report.build import remove_stale_tmp

    file = file or sys.stdout
    out = pathlib.Path(numeric.generated.__file__).parent
    if not check:
        remove_stale_tmp(out, older_than=60)   # a killed run's scratch files; a live one holds its own for ms
    files = generate(progress=progress)
    problems = dict(differences(files, {p.name: p.read_bytes() for p in out.glob("*.py")}))
    if check:
        if problems:
            for name, what in sorted(problems.items()):
                print(f"{what}: {out / name}", file=file)
            print("generated code is out of date: run `deepderive codegen`", file=file)
            return EXIT_FAILED
        print(f"{len(files)} generated modules up to date", file=file)
        return EXIT_OK
    for name, text in files.items():
        if name in problems:
            atomic_write(out / name, text)
        print(f"{'wrote' if name in problems else 'unchanged'}  {out / name}", file=file)
    for name, what in sorted(problems.items()):
        if name not in files:                   # reported, never deleted: it may be somebody's work
            print(f"{what}: {out / name}", file=file)
    return EXIT_OK


def write_reports(ds, *, out="reports", pdf=None, allow_checked=False, verified=None, progress=None,
                  file=None) -> int:
    """Write each derivation's report, reusing proofs and checks in `verified` ({name: Verified}); exit code."""
    from deepderive.report import ReportError, write_report

    file = file or sys.stdout
    verified = verified or {}
    ok = True
    for i, d in enumerate(ds, 1):
        if progress:
            progress(i, len(ds), d.name)
        v = verified.get(d.name)
        v = v if v is not None and v.derivation is d else None
        try:
            r = write_report(d, out_dir=out, pdf=pdf, proof=v and v.proof, checks=v and v.checks,
                             allow_checked=allow_checked)
        except ReportError as exc:
            _err(f"{d.name}: {exc}")
            ok = False
            continue
        ok &= r.ok
        print(f"wrote {r.tex_path}" + (f" and {r.pdf_path}" if r.pdf_path else ""), file=file)
        if not r.ok:
            _err(f"{d.name}: {not_ok(r, allow_checked)} (report written: {r.tex_path})")
    return EXIT_OK if ok else EXIT_FAILED


def not_ok(r, allow_checked=False) -> str:
    """Why a written report is not ok, in one line: the steps not proved (by number, as verify numbers them),
    the proof's problems, the failed checks, the figures that could not be drawn."""
    from derivations import CHECKED, FAILED

    from .terminal import plain

    bad = {FAILED: "failed", CHECKED: "only checked numerically"}
    steps = [f"step {k} {bad[s.status]} ({plain(s.why)[:60]})" for k, s in enumerate(r.proof.steps, 1)
             if s.status == FAILED or (s.status == CHECKED and not allow_checked)]
    parts = ([", ".join(steps)] if steps else []) \
        + [f"problem: {plain(p)[:100]}" for p in r.proof.problems] \
        + [f"check failed: {check_text(c.name)}" for c in r.checks if not c.passed] \
        + [n for n in r.notes if n.startswith(("figure ", "check modules"))]
    return "not proved: " + "; ".join(parts) if steps or r.proof.problems else "; ".join(parts) or "not ok"


# ---- printing -------------------------------------------------------------------------------------------

def _mark(status, allowed):
    from derivations import CHECKED, FAILED, PROVED

    marks = {PROVED: "proved ", CHECKED: "checked" if allowed else "CHECKED", FAILED: "FAILED "}
    return marks[status]


CLAIM_INDENT = " " * 11
CLAIM_WIDTH = 110   # columns SymPy wraps a wide claim at (fixed, not the terminal's: the same bytes everywhere)


def _claim(step, file) -> str:
    """The claim a step judges, lhs relation rhs, drawn as `check` draws formulas (SymPy's pretty printer in
    the lecture's spelling: σ(t), max(0, x), stacked fractions; ASCII where `file` cannot print Unicode), on
    the "claim:" line when it is one line, else below it."""
    from derivations.inequality import TEXT

    from .terminal import claim

    text = claim(step.lhs, TEXT[step.relation], step.rhs, width=CLAIM_WIDTH)
    try:
        text.encode(getattr(file, "encoding", None) or "utf-8")
    except (UnicodeEncodeError, LookupError):
        text = claim(step.lhs, TEXT[step.relation], step.rhs, unicode=False, width=CLAIM_WIDTH)
    lines = text.rstrip("\n").splitlines()
    if len(lines) == 1:
        return f"{CLAIM_INDENT}claim: {lines[0]}"
    return f"{CLAIM_INDENT}claim:\n" + "\n".join(f"{CLAIM_INDENT}  {line}".rstrip() for line in lines)


def check_text(text) -> str:
    """A check's name or data for the terminal: its $...$ maths as Unicode (terminal.plain), text without $...$
    as it is (plain would drop its braces: {0,1})."""
    from .terminal import plain

    text = str(text)
    return plain(text) if "$" in text else text


def print_verified(vs, *, allow_checked=False, verbose=False, file=None):
    """The human-readable verdicts: every step, every problem, every check, then one summary line."""
    from derivations import CHECKED, FAILED, PROVED

    from .terminal import for_stream, plain

    file = file or sys.stdout

    def show(latex):   # justifications are LaTeX: the terminal gets them as Unicode (or ASCII, if it must)
        return for_stream(plain(latex), file)
    for v in vs:
        d, proof = v.derivation, v.proof
        print(f"{d.name}: {d.title}" + (f" ({d.source})" if d.source else ""), file=file)
        for k, s in enumerate(proof.steps, 1):
            if s.starts and s.chain_name:
                print(f"  chain {s.chain_name}", file=file)
            print(f"  step {k:2d} {_mark(s.status, allow_checked)}  {show(s.why)}", file=file)
            if verbose:
                print(_claim(s, file), file=file)
            if s.status != PROVED or verbose:
                print(f"           {for_stream(s.detail, file)}", file=file)   # Unicode maths (x₁, k → k + 1)
        for problem in proof.problems:
            print(f"  PROBLEM  {show(problem)}", file=file)
        for c in v.checks:
            verdict = "pass" if c.passed else "FAIL"
            print(f"  check   {verdict}     {for_stream(check_text(c.name), file)}: max abs err {c.max_abs_err:.2e}, "
                  f"max rel err {c.max_rel_err:.2e} (tol {c.tolerance:.1e}) on {for_stream(check_text(c.data), file)}",
                  file=file)
    counts = {PROVED: 0, CHECKED: 0, FAILED: 0}
    for v in vs:
        for status, n in v.proof.counts().items():
            counts[status] += n
    problems = sum(len(v.proof.problems) for v in vs)
    nchecks = sum(len(v.checks) for v in vs)
    passed_checks = sum(c.passed for v in vs for c in v.checks)
    checked = (f"{counts[CHECKED]} checked numerically only"
               + (" (allowed by --allow-checked)" if allow_checked and counts[CHECKED] else
                  " (not a pass: see --allow-checked)" if counts[CHECKED] else ""))
    print(f"{len(vs)} derivations: {counts[PROVED]} steps proved, {checked}, {counts[FAILED]} failed"
          + (f", {problems} problems" if problems else "")
          + f"; {passed_checks}/{nchecks} numeric checks passed", file=file)


def _verdict(vs, allow_checked):
    return EXIT_OK if all(v.passes(allow_checked) for v in vs) else EXIT_FAILED


# ---- the commands ---------------------------------------------------------------------------------------

def cmd_list(args):
    import derivations

    for name in derivations.names():
        d = derivations.get(name)
        print(f"{name:22s} {d.source:10s} {d.title}")
    return EXIT_OK


def cmd_verify(args):
    vs = verify(resolve(args.names), with_checks=not args.no_checks, progress=_progress("verifying"),
                time_limit=args.time_limit)
    if args.json:
        json.dump({"ok": all(v.passes(args.allow_checked) for v in vs), "allow_checked": args.allow_checked,
                   "derivations": [v.record(args.allow_checked) for v in vs]},
                  sys.stdout, indent=2, default=str)
        print()
    else:
        print_verified(vs, allow_checked=args.allow_checked, verbose=args.verbose)
    return _verdict(vs, args.allow_checked)


def cmd_codegen(args):
    return codegen(check=args.check, progress=_progress("rendering"))


def _pdf(args):
    return False if args.no_pdf else None


def _registered(d) -> bool:
    import derivations
    try:
        return derivations.get(d.name) is d
    except derivations.UnknownDerivation:
        return False


def writable_dir(path) -> None:
    """Refuse, in one line (exit 2), an output directory that could not be created or written into: checked
    before any work and without creating anything (bad input leaves nothing behind). The nearest existing
    ancestor must be a directory we may write in (a path under a regular file never is)."""
    import os
    import pathlib

    out = pathlib.Path(path)
    probe = out
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    if probe == out and not out.is_dir():
        raise UsageError(f"--out {path}: exists and is not a directory")
    if not probe.is_dir():
        raise UsageError(f"--out {path}: cannot be created: {probe} is not a directory")
    if not os.access(probe, os.W_OK | os.X_OK):
        raise UsageError(f"--out {path}: cannot write there: {probe} is not writable")


def cmd_report(args):
    writable_dir(args.out)
    ds = resolve(args.names)
    # Users' derivations are proved here first, under the per-step time limit (the library's are known to be fast).
    users = [d for d in ds if not _registered(d)]
    verified = ({v.derivation.name: v for v in verify(users, with_checks=False, time_limit=args.time_limit)}
                if users else None)
    return write_reports(ds, out=args.out, pdf=_pdf(args), allow_checked=args.allow_checked, verified=verified,
                         progress=_progress("report"))


def cmd_build(args):
    """The main job: verify everything, regenerate the code, write every report (reusing the proofs)."""
    writable_dir(args.out)   # before a minute of work, not after it
    ds = resolve([])
    vs = verify(ds, progress=_progress("verifying"), time_limit=args.time_limit)
    print_verified(vs, allow_checked=args.allow_checked)
    codes = [_verdict(vs, args.allow_checked),
             codegen(progress=_progress("rendering")),
             write_reports(ds, out=args.out, pdf=_pdf(args), allow_checked=args.allow_checked,
                           verified={v.derivation.name: v for v in vs}, progress=_progress("report")),
             write_lecture(vs, out=args.out, pdf=_pdf(args), allow_checked=args.allow_checked,
                           progress=_progress("book"))]   # after the reports: it reuses their figures
    return max(codes)


def write_lecture(vs, *, out="reports", pdf=None, allow_checked=False, progress=None, file=None) -> int:
    """Write the book (lecture.tex, lecture.pdf, lecture.html) from the Verified records `vs`, proving nothing
    again: the exit code (1 when a result is not proved, a check failed, a figure is missing, LaTeX failed or
    the HTML refused something it cannot render)."""
    from deepderive.report.book import BookError, write_book
    from deepderive.report.html import MathError, UnknownLatex, write_html_book
    from deepderive.report.html.book import DuplicateId
    from deepderive.report.html.figures import FigureMissing

    file = file or sys.stdout
    try:
        r = write_book(vs, out_dir=out, pdf=pdf, progress=progress)
    except BookError as exc:
        _err(f"book: {exc}")
        return EXIT_FAILED
    for note in r.notes:
        _err(f"book: {note}")
    print(f"wrote {r.tex_path}" + (f" and {r.pdf_path}" if r.pdf_path else ""), file=file)
    try:
        html = write_html_book(vs, out_dir=out, progress=progress)
    except (MathError, UnknownLatex, FigureMissing, DuplicateId) as exc:   # refused, never printed as raw LaTeX
        _err(f"book (HTML): {type(exc).__name__}: {exc}")
        return EXIT_FAILED
    print(f"wrote {html}", file=file)
    return EXIT_OK if all(v.passes(allow_checked) for v in vs) and not r.notes else EXIT_FAILED


def cmd_book(args):
    """Verify and check everything, then write only the book."""
    import io

    writable_dir(args.out)
    vs = verify(resolve([]), progress=_progress("verifying"), time_limit=args.time_limit)
    summary = io.StringIO()
    print_verified(vs, allow_checked=args.allow_checked, file=summary)
    print(summary.getvalue().rstrip("\n").rpartition("\n")[2])   # the one-line verdict; `verify` lists steps
    return max(_verdict(vs, args.allow_checked),
               write_lecture(vs, out=args.out, pdf=_pdf(args), allow_checked=args.allow_checked,
                             progress=_progress("book")))


def _sub(sub, name, helptext, description=None, run=None, epilog=None):
    s = sub.add_parser(name, help=helptext, description=description or helptext[0].upper() + helptext[1:] + ".",
                       epilog=epilog or _fill(EPILOG), formatter_class=argparse.RawDescriptionHelpFormatter)
    s.set_defaults(run=run)
    return s


def _fill(text):
    return textwrap.fill(text, 78)


def _add_allow_checked(s):
    s.add_argument("--allow-checked", action="store_true", help=ALLOW_CHECKED_HELP)


def _add_time_limit(s):
    from .budget import DEFAULT_TIME_LIMIT, positive_seconds
    s.add_argument("--time-limit", type=positive_seconds, default=DEFAULT_TIME_LIMIT, metavar="SECONDS",
                   help=f"stop with exit 2 if one step takes longer than SECONDS (default {DEFAULT_TIME_LIMIT:g})")


def _add_output(s, no_pdf="write the .tex only, even when pdflatex exists"):
    """The options report, build and book share: --out, --no-pdf, --allow-checked and --time-limit."""
    _add_allow_checked(s)
    s.add_argument("--out", default="reports", metavar="DIR",
                   help="output directory (default: reports); created if missing, checked before any work: exit 2 "
                        "if it cannot be created or written")
    s.add_argument("--no-pdf", action="store_true", help=no_pdf)
    _add_time_limit(s)


DEBUG_HELP = "show the traceback behind a one-line error"


def parser():
    p = Parser(
        prog="deepderive", formatter_class=argparse.RawDescriptionHelpFormatter,
        description=_fill("Machine-checked derivations of deep-learning mathematics: prove each step with SymPy, "
                          "generate NumPy code from the closed forms, check it numerically, and write LaTeX/PDF "
                          "reports and the lecture as one book (PDF and HTML)."),
        epilog=_fill(VERDICTS) + "\n\n" + _fill(EPILOG))
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    _sub(sub, "list", "list the registered derivations", run=cmd_list)

    s = _sub(sub, "verify", "prove every step, then run the numeric checks; exit 1 unless all proved and passed",
             description=_fill("Judge every step of each derivation, then run the numeric checks registered for "
                               "it (a derivation from your own file gets none, even if it reuses a library name). "
                               "Exit 0 only if every step is proved and every check passes.") + "\n\n"
                         + _fill(VERDICTS),
             run=cmd_verify,
             epilog="examples:\n  deepderive verify sigmoid\n  deepderive verify my_derivations.py --allow-checked\n"
                    "\n" + _fill(EPILOG))
    s.add_argument("names", nargs="*", metavar="NAME|FILE.py",
                   help="derivation names (default: all) or a Python file defining Derivation objects")
    _add_allow_checked(s)
    s.add_argument("--json", action="store_true", help="print the results as JSON")
    s.add_argument("--no-checks", action="store_true", help="prove the steps only; skip numeric checks")
    s.add_argument("-v", "--verbose", action="store_true", help="show how each step was established")
    _add_time_limit(s)

    s = _sub(sub, "codegen", "write numeric/generated/*.py from the derivations' closed forms",
             description="Regenerate the NumPy modules in numeric/generated/ (deterministic bytes).", run=cmd_codegen)
    s.add_argument("--check", action="store_true", help="write nothing; exit 1 if the committed files are stale")

    from deepderive import bench, checkcmd
    bench.add_parser(sub)
    checkcmd.add_parser(sub)

    s = _sub(sub, "report", "write LaTeX (and PDF when pdflatex is installed) reports", run=cmd_report,
             description=_fill("Write one report per derivation into DIR: NAME.tex, NAME.pdf when pdflatex is "
                               "installed, and its figures in DIR/figures/. Exit 1 if a step is not proved (unless "
                               "--allow-checked and it is only checked), a check fails or a report cannot be built.")
                         + "\n\n" + _fill(VERDICTS),
             epilog="examples:\n  deepderive report sigmoid            # reports/sigmoid.tex and .pdf\n"
                    "  deepderive report my_derivations.py --out /tmp/mine --no-pdf\n\n" + _fill(EPILOG))
    s.add_argument("names", nargs="*", metavar="NAME|FILE.py", help="derivations (default: all)")
    _add_output(s)
    s = _sub(sub, "build", "the main job: verify, codegen, then every report and the book (PDF and HTML)",
             run=cmd_build,
             description=_fill("The main job. Verify every registered derivation and run its checks, regenerate "
                               "numeric/generated/*.py, then write into DIR: one report per derivation (NAME.tex, "
                               "NAME.pdf, figures in DIR/figures/) and the book, the whole lecture in one document: "
                               "DIR/lecture.pdf (from DIR/lecture.tex) and DIR/lecture.html (one self-contained page, "
                               "formulas as MathML, figures inline). Without pdflatex, or with --no-pdf, the .tex "
                               "files and the HTML are written but no PDF.") + "\n\n"
                         + _fill("Exit 1 if a step is not proved (unless --allow-checked and it is only checked), a "
                                 "check fails or a report or the book cannot be built.") + "\n\n" + _fill(VERDICTS),
             epilog="examples:\n  deepderive build                      # into reports/: NAME.pdf for each, "
                    "lecture.pdf, lecture.html\n  deepderive build --out /tmp/site --no-pdf\n\n" + _fill(EPILOG))
    _add_output(s, no_pdf="run no pdflatex: the .tex files and lecture.html only")
    s = _sub(sub, "book", "write the lecture as one book: reports/lecture.pdf and reports/lecture.html",
             run=cmd_book,
             description=_fill("Verify every derivation and run its checks, then write the book into DIR: "
                               "DIR/lecture.pdf (from DIR/lecture.tex; needs pdflatex) and DIR/lecture.html (one "
                               "self-contained page, formulas as MathML, figures inline). A chapter per part of the "
                               "lecture, each result with its derivation, generated code, checks and figures (reused "
                               "from DIR/figures when `deepderive report` or `build` drew them, else drawn), an index "
                               "of the generated functions and the closing quiz answered from the checks. The "
                               "per-derivation reports are `deepderive build`'s.") + "\n\n"
                         + _fill("Exit 1 if a step is not proved (unless --allow-checked and it is only checked), a "
                                 "check fails or the book cannot be built.") + "\n\n" + _fill(VERDICTS),
             epilog="examples:\n  deepderive book                       # reports/lecture.pdf and "
                    "reports/lecture.html\n  deepderive book --out /tmp/book --no-pdf   # lecture.tex and "
                    "lecture.html only\n\n" + _fill(EPILOG))
    _add_output(s, no_pdf="run no pdflatex: lecture.tex and lecture.html only")
    p.add_argument("--debug", action="store_true", help=DEBUG_HELP)
    p.add_argument("--version", action="version", version=f"%(prog)s {version()}")
    for s in sub.choices.values():   # also after the command; SUPPRESS keeps a --debug given before it
        s.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help=DEBUG_HELP)
    return p


def main(argv=None) -> int:
    """Run the command line on `argv` (default: sys.argv[1:]) and return the exit code."""
    try:
        args = parser().parse_args(argv)
    except SystemExit as exc:   # --help (0) or a bad option (2): argparse has already printed
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    _tolerant_stdout()
    try:
        return args.run(args)
    except UsageError as exc:
        _trace(args, exc)
        _err(exc)
        return EXIT_USAGE
    except OSError as exc:  # unwritable output directory, full disk, ...: one line, not a traceback
        _trace(args, exc)
        _err(f"{exc.strerror or exc}: {exc.filename}" if exc.filename else str(exc))
        return EXIT_FAILED
    except KeyboardInterrupt:
        _err("interrupted")
        return EXIT_INTERRUPTED
    except Exception as exc:  # noqa: BLE001 - a bug or an input nothing above foresaw: still one line
        _trace(args, exc)
        _err(f"internal error: {type(exc).__name__}: {str(exc)[:200]} (rerun with --debug for the traceback)")
        return EXIT_USAGE


def _tolerant_stdout():
    """Characters the terminal's encoding lacks print as escapes, not as a UnicodeEncodeError mid-output."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.reconfigure(errors="backslashreplace")
        except (AttributeError, ValueError):   # not a TextIOWrapper (a test's capture, say)
            pass


def _trace(args, exc):
    """With --debug, the traceback behind a one-line error (including the cause a `from` chained)."""
    if not getattr(args, "debug", False):
        return
    import traceback
    cause = exc.__cause__ or exc.__context__
    trace = getattr(cause, "trace", None) or getattr(exc, "trace", None)   # a worker's, from its process
    if trace:
        print(trace, file=sys.stderr, end="")
    traceback.print_exception(cause or exc, file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
