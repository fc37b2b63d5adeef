"""The structured outcome of one numeric check."""
from __future__ import annotations

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
