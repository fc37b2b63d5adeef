"""The structured outcome of one numeric check."""
from __future__ import annotations

import re
from dataclasses import dataclass, asdict


@dataclass(frozen=True)
class CheckResult:
    """What was compared, on what data, how far apart, against which tolerance."""

    derivation: str
    name: str
    compared: str
    data: str
    max_abs_err: float
    max_rel_err: float
    tolerance: float
    passed: bool
    detail: str = ""

    def as_dict(self) -> dict:
        return asdict(self)


def result(derivation, name, compared, data, abs_err, rel_err, tol, passed, detail="") -> CheckResult:
    """A CheckResult with its numbers as Python floats and its verdict a bool (NumPy scalars print oddly)."""
    return CheckResult(derivation=derivation, name=name, compared=compared, data=data,
                       max_abs_err=float(abs_err), max_rel_err=float(rel_err), tolerance=float(tol),
                       passed=bool(passed), detail=detail)


# ---- details as the report prints them: words, and mathematics in $...$ (checktable.check_text) --------

def tex_num(x, digits: int = 3) -> str:
    """A number as LaTeX math (no $): 0.0462, 1.27\\times10^{-15}; what a detail puts inside $...$."""
    x = float(x)
    if x != x or x in (float("inf"), float("-inf")):          # a failing check may hold them
        return r"\mathrm{NaN}" if x != x else ("-" if x < 0 else "") + r"\infty"
    text = f"{x:.{digits}g}"
    if "e" not in text:
        return text
    mantissa, exponent = text.split("e")
    return r"%s\times10^{%d}" % (mantissa, int(exponent)) if mantissa != "1" else r"10^{%d}" % int(exponent)


_ORACLE_WORDS = {"richardson": "Richardson-extrapolated differences", "complex-step": "the complex step",
                 "autograd": "autograd"}


def _coordinates(mode: str) -> str:
    """check_gradient's mode ("full", or "mixed: directions (seed=0, k=6) for arg0; full for arg1; ...") in words."""
    sampled = re.findall(r"directions \(seed=(\d+), k=(\d+)\) for (\S+)", mode)
    full = re.findall(r"full for (\S+)", mode)
    if not sampled:
        return "every coordinate"
    seed, k = sampled[0][0], sampled[0][1]
    words = f"{k} random directions (seed {seed}) in each of {len(sampled)} argument{'s' * (len(sampled) > 1)}"
    return words + (f", every coordinate of the other {len(full)}" if full else "")


def _where(worst: str) -> str:
    """check_gradient's worst probe, "argument 1 (arg1), index (0, 2)", with the entry as an index, not a tuple."""
    worst = re.sub(r", index \(\)", "", worst)                      # a scalar argument has no index
    worst = re.sub(r"argument (\d+) \(arg\1\)", r"argument \1", worst)   # no name but its position
    return re.sub(r"index \(([^()]*?),?\)", lambda m: "entry " + m.group(1).replace(" ", ""), worst)


def gradient_check_text(gc) -> str:
    """A numeric.gradcheck verdict in words for the report's details: where the largest error is, what the
    claim and each oracle gave there, which coordinates were probed (``gc.summary()`` is the terminal's line)."""
    values = dict(gc.values)
    estimate = {"richardson": values.get("richardson_err")}   # the oracle's own error bound, where it has one
    given = [f"{_ORACLE_WORDS.get(o, o)} {values[o]:.6g}"
             + (" (error estimate $%s$)" % tex_num(estimate[o]) if estimate.get(o) is not None else "")
             for o, s in gc.oracles.items() if s == "used" and o in values]
    agree = "the claim agrees with every oracle" if gc.disagreeing.startswith("none") else gc.disagreeing
    clarke = ""
    if len(gc.clarke.get("pieces", ())) > 1:
        c = gc.clarke
        clarke = (f"; at a kink the claim lies {'inside' if c['inside'] else 'outside'} the hull of "
                  f"{len(c['pieces'])} limiting gradients (distance {c['distance']:.3g})")
    return (f"largest error at {_where(gc.worst)}: claim {values.get('claim', float('nan')):.6g}, "
            f"{', '.join(given)}; probed {_coordinates(gc.mode)}; {agree}{clarke}")
