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
