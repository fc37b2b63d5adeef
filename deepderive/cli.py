"""The deepderive command line: list, verify, codegen, report, build."""
from __future__ import annotations

import argparse
import json
import sys

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    """Bad input from the command line: one line to the user, exit code 2."""


def _err(msg):
    print(f"deepderive: error: {msg}", file=sys.stderr)


def _progress(label):
    def report(i, n, item):
        print(f"[{i}/{n}] {label} {item}", file=sys.stderr, flush=True)
    return report


def _resolve(items):
    """Names of registered derivations, or paths to users' .py files defining Derivations."""
    import derivations

    if not items:
        return [derivations.get(n) for n in derivations.names()]
    out = []
    for item in items:
        if item.endswith(".py"):
            try:
                out += derivations.load_file(item)
            except (FileNotFoundError, ValueError) as exc:
                raise UsageError(str(exc)) from None
        else:
            try:
                out.append(derivations.get(item))
            except derivations.UnknownDerivation as exc:
                raise UsageError(str(exc)) from None
    return out


def _mark(status):
    return {"proved": "proved ", "checked": "checked", "failed": "FAILED "}[status]


def cmd_list(args):
    import derivations

    for name in derivations.names():
        d = derivations.get(name)
        print(f"{name:22s} {d.source:10s} {d.title}")
    return EXIT_OK


def verify_one(d, with_checks=True):
    """Prove every step of d, then run its numeric checks; returns (JSON-able record, proof, checks)."""
    from numeric import checks

    proof = d.verify()
    results = checks.run(d.name) if with_checks else []
    return proof, results, {
        "name": d.name, "title": d.title, "source": d.source,
        "ok": proof.ok and all(r.passed for r in results),
        "steps": [{"status": s.status, "why": s.why, "claim": f"{s.lhs} = {s.rhs}", "detail": s.detail}
                  for s in proof.steps],
        "checks": [r.as_dict() for r in results],
    }


def cmd_verify(args, keep=None):
    ds = _resolve(args.names)
    records = []
    for i, d in enumerate(ds):
        print(f"[{i + 1}/{len(ds)}] verifying {d.name}", file=sys.stderr, flush=True)
        proof, results, rec = verify_one(d, with_checks=not args.no_checks)
        if keep is not None:
            keep[d.name] = (proof, results)
        records.append(rec)
        if not args.json:
            print(f"{d.name}: {d.title} ({d.source})")
            for k, s in enumerate(rec["steps"], 1):
                print(f"  step {k:2d} {_mark(s['status'])}  {s['why']}")
                if s["status"] != "proved" or args.verbose:
                    print(f"           {s['detail']}")
            for c in rec["checks"]:
                verdict = "pass" if c["passed"] else "FAIL"
                print(f"  check   {verdict}     {c['name']}: max abs err {c['max_abs_err']:.2e}, "
                      f"max rel err {c['max_rel_err']:.2e} (tol {c['tolerance']:.1e}) on {c['data']}")
    ok = all(r["ok"] for r in records)
    if args.json:
        json.dump({"ok": ok, "derivations": records}, sys.stdout, indent=2, default=str)
        print()
    else:
        steps = [s["status"] for r in records for s in r["steps"]]
        nchecks = sum(len(r["checks"]) for r in records)
        failed_checks = sum(not c["passed"] for r in records for c in r["checks"])
        print(f"{len(records)} derivations: {steps.count('proved')} steps proved, {steps.count('checked')} checked "
              f"numerically only, {steps.count('failed')} failed; {nchecks - failed_checks}/{nchecks} numeric checks passed")
    return EXIT_OK if ok else EXIT_FAILED


def cmd_codegen(args):
    from derivations.codegen import generate_all

    result = generate_all(check=args.check, progress=_progress("rendering"))
    stale = [p for p, fresh in result if not fresh]
    if args.check:
        if stale:
            for p in stale:
                print(f"stale: {p}")
            print("generated code is out of date: run `deepderive codegen`")
            return EXIT_FAILED
        print(f"{len(result)} generated modules up to date")
        return EXIT_OK
    for p, fresh in result:
        print(f"{'unchanged' if fresh else 'wrote'}  {p}")
    return EXIT_OK


def cmd_report(args, done=None):
    from deepderive.report import ReportError, write_report

    ds = _resolve(args.names)
    ok = True
    for i, d in enumerate(ds):
        print(f"[{i + 1}/{len(ds)}] report {d.name}", file=sys.stderr, flush=True)
        proof, checks = (done or {}).get(d.name, (None, None))
        try:
            r = write_report(d, out_dir=args.out, pdf=False if args.no_pdf else None, proof=proof, checks=checks)
        except ReportError as exc:
            _err(f"{d.name}: {exc}")
            ok = False
            continue
        ok &= r.ok
        print(f"wrote {r.tex_path}" + (f" and {r.pdf_path}" if r.pdf_path else ""))
    return EXIT_OK if ok else EXIT_FAILED


def cmd_build(args):
    """The main job: verify everything, regenerate the code, write every report."""
    done = {}  # the reports reuse the proofs and checks instead of running them again
    codes = [cmd_verify(argparse.Namespace(names=[], json=False, verbose=False, no_checks=False), keep=done),
             cmd_codegen(argparse.Namespace(check=False)),
             cmd_report(argparse.Namespace(names=[], out=args.out, no_pdf=args.no_pdf), done=done)]
    return max(codes)


def parser():
    p = argparse.ArgumentParser(
        prog="deepderive",
        description="Machine-checked derivations of deep-learning mathematics: prove each step with SymPy, "
                    "generate NumPy code from the closed forms, check it numerically, and write LaTeX/PDF reports.")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    s = sub.add_parser("list", help="list the registered derivations")
    s.set_defaults(run=cmd_list)

    s = sub.add_parser("verify", help="prove every step, then run the numeric checks; exit 1 if anything fails",
                       description="Judge every step of each derivation (proved: SymPy reduces the difference to 0, "
                                   "confirmed by explicit components and at 50 digits; checked: equal at random points "
                                   "at 50 digits only; failed), then run its numeric checks.")
    s.add_argument("names", nargs="*", metavar="NAME|FILE.py",
                   help="derivation names (default: all) or a Python file defining Derivation objects")
    s.add_argument("--json", action="store_true", help="print the results as JSON")
    s.add_argument("--no-checks", action="store_true", help="prove the steps only; skip numeric checks")
    s.add_argument("-v", "--verbose", action="store_true", help="show how each step was established")
    s.set_defaults(run=cmd_verify)

    s = sub.add_parser("codegen", help="write numeric/generated/*.py from the derivations' closed forms",
                       description="Regenerate the NumPy modules in numeric/generated/ (deterministic bytes).")
    s.add_argument("--check", action="store_true", help="write nothing; exit 1 if the committed files are stale")
    s.set_defaults(run=cmd_codegen)

    from deepderive import bench, checkcmd
    bench.add_parser(sub)
    checkcmd.add_parser(sub)

    for name, helptext, fn in (("report", "write LaTeX (and PDF when pdflatex is installed) reports", cmd_report),
                               ("build", "the main job: verify, codegen and report everything", cmd_build)):
        s = sub.add_parser(name, help=helptext, description=helptext[0].upper() + helptext[1:] + ".")
        if name == "report":
            s.add_argument("names", nargs="*", metavar="NAME|FILE.py", help="derivations (default: all)")
        s.add_argument("--out", default="reports", metavar="DIR", help="output directory (default: reports)")
        s.add_argument("--no-pdf", action="store_true", help="write the .tex only, even when pdflatex exists")
        s.set_defaults(run=fn)
    return p


def main(argv=None):
    args = parser().parse_args(argv)
    try:
        return args.run(args)
    except UsageError as exc:
        _err(exc)
        return EXIT_USAGE
    except OSError as exc:  # unwritable output directory, full disk, ...: one line, not a traceback
        _err(f"{exc.strerror or exc}: {exc.filename}" if exc.filename else str(exc))
        return EXIT_FAILED
    except KeyboardInterrupt:
        _err("interrupted")
        return 130


if __name__ == "__main__":
    sys.exit(main())
