"""A derivation: definitions, then a chain of claimed equalities, each with its justification."""
from __future__ import annotations

from dataclasses import dataclass, field

import sympy as sp

from .prove import CHECKED, FAILED, PROVED, Context, Verdict, judge, judge_induction


@dataclass(frozen=True)
class Step:
    lhs: object
    rhs: object
    why: str
    cases: tuple = ()   # substitutions that together cover the claim, e.g. ({y: 0}, {y: 1})
    induction: object = None  # a positive integer symbol n: the claim is proved for n = 1 and n -> n+1


@dataclass(frozen=True)
class StepResult:
    """A step with its status: proved, checked (numerically only) or failed."""

    step: Step
    status: str
    detail: str
    routes: dict = field(default_factory=dict)

    @property
    def why(self):
        return self.step.why

    @property
    def lhs(self):
        return self.step.lhs

    @property
    def rhs(self):
        return self.step.rhs

    @property
    def ok(self):
        return self.status != FAILED


@dataclass(frozen=True)
class Proof:
    derivation: "Derivation"
    steps: tuple

    @property
    def ok(self) -> bool:
        """No step failed (checked steps count as holding, but weaker than proved)."""
        return all(s.ok for s in self.steps)

    @property
    def proved(self) -> bool:
        return all(s.status == PROVED for s in self.steps)

    def counts(self) -> dict:
        out = {PROVED: 0, CHECKED: 0, FAILED: 0}
        for s in self.steps:
            out[s.status] += 1
        return out


def _expr(value):
    """A SymPy object; strings are refused, since turning them into expressions means eval."""
    if isinstance(value, str):
        raise TypeError(f"got the string {value!r}: build the expression from SymPy objects instead")
    return sp.sympify(value, strict=True)


class Derivation:
    """An ordered chain of claims ``lhs = rhs``; ``verify()`` judges each one.

    ``define(symbol, expr)`` introduces a name used in later steps; the definitions are substituted
    before a step is judged, so a step is proved about what the symbols mean, not about letters.
    """

    def __init__(self, name, title, *, statement="", source="", symmetric=(), spd=(), domains=None,
                 dims=(), sizes=(1, 2, 3), points=4, names=None):
        self.name = name
        self.title = title
        self.statement = statement
        self.source = source
        self.steps: list[Step] = []
        self.definitions: list[tuple] = []
        self.results: dict = {}
        self.names = dict(names or {})   # symbol -> LaTeX name, for the report
        spd = tuple(spd)
        self.context = Context(symmetric=tuple(dict.fromkeys(tuple(symmetric) + spd)), spd=spd,
                               domains=tuple((domains or {}).items()), dims=tuple(dims),
                               sizes=tuple(sizes), points=points)

    def define(self, symbol, expr, why="definition"):
        self.definitions.append((symbol, _expr(expr), why))
        return self

    def step(self, lhs, rhs, why, cases=(), induction=None):
        """Claim lhs = rhs; with ``cases``, the claim is judged in each case (e.g. y = 0 and y = 1);
        with ``induction=n`` (a positive integer symbol), it is proved for n = 1 and from n to n + 1."""
        self.steps.append(Step(_expr(lhs), _expr(rhs), why, tuple(cases), induction))
        return self

    def result(self, name, expr):
        """Record a closed form that code generation and the report use."""
        self.results[name] = expr
        return self

    def expand_definitions(self, expr):
        """Substitute definitions (latest first, since later ones may use earlier ones)."""
        for sym, value, _ in reversed(self.definitions):
            expr = expr.xreplace({sym: value})
        return expr

    def verify_step(self, step: Step) -> StepResult:
        lhs, rhs = self.expand_definitions(step.lhs), self.expand_definitions(step.rhs)
        if step.induction is not None:
            try:
                v = judge_induction(lhs, rhs, step.induction, self.context)
            except Exception as exc:  # an engine error fails the step
                v = Verdict(FAILED, f"could not be judged: {type(exc).__name__}: {exc}")
            return StepResult(step, v.status, v.detail, v.routes)
        verdicts = []
        for case in step.cases or ({},):
            try:
                v = judge(lhs.xreplace(case), rhs.xreplace(case), self.context)
            except Exception as exc:  # nothing passes by accident: an engine error fails the step
                v = Verdict(FAILED, f"could not be judged: {type(exc).__name__}: {exc}")
            label = ", ".join(f"{k} = {val}" for k, val in case.items())
            verdicts.append(v if not label else Verdict(v.status, f"case {label}: {v.detail}", v.routes))
        order = {FAILED: 0, CHECKED: 1, PROVED: 2}
        worst = min(verdicts, key=lambda v: order[v.status])
        detail = worst.detail if len(verdicts) == 1 else " | ".join(v.detail for v in verdicts)
        return StepResult(step, worst.status, detail, worst.routes)

    def verify(self, progress=None) -> Proof:
        results = []
        for i, s in enumerate(self.steps):
            results.append(self.verify_step(s))
            if progress:
                progress(i + 1, len(self.steps), results[-1])
        return Proof(self, tuple(results))

    def __repr__(self):
        return f"Derivation({self.name!r}, {len(self.steps)} steps)"
