"""A derivation: definitions, then chains of claimed equalities (or inequalities), each step with its justification."""
from __future__ import annotations

from dataclasses import dataclass, field
from itertools import product

import sympy as sp

from .prove import CHECKED, FAILED, PROVED, Context, Verdict, canonical_bound, judge, judge_induction, math_text
from .inequality import RELATIONS, combine, judge_relation
from .definitions import bound_symbols, definition_problems, domain_problems, expand, shape_symbols, valid_domain


@dataclass(frozen=True)
class Step:
    lhs: object
    rhs: object
    why: str
    cases: tuple = ()         # substitutions that together cover a finite domain, e.g. ({y: 0}, {y: 1})
    induction: object = None  # a positive integer symbol n: the claim is proved for n = 1 and n -> n+1
    starts: bool = False      # this step opens a chain
    chain: str | None = None  # the name derive() gave the chain this step opens
    source: object = None     # the quantity derive() named: the step's lhs must be it
    relation: str = "="       # "=", or "<=", "<", ">=", ">": lhs relation rhs
    certificate: object = None  # for an inequality: a manifestly signed expression equal to the gap


@dataclass(frozen=True)
class StepResult:
    """A step with its status: proved, checked (numerically only: not a pass) or failed."""

    step: Step
    status: str
    detail: str
    routes: dict = field(default_factory=dict)

    why = property(lambda self: self.step.why)
    lhs = property(lambda self: self.step.lhs)
    rhs = property(lambda self: self.step.rhs)
    starts = property(lambda self: self.step.starts)
    chain_name = property(lambda self: self.step.chain)
    relation = property(lambda self: self.step.relation)

    @property
    def ok(self):
        return self.status == PROVED


@dataclass(frozen=True)
class Proof:
    derivation: "Derivation"
    steps: tuple
    problems: tuple = ()      # bad definitions, results no proved chain backs

    @property
    def ok(self) -> bool:
        """Every step proved and nothing wrong with definitions or results: "checked" is not a pass."""
        return not self.problems and all(s.status == PROVED for s in self.steps)

    @property
    def holds(self) -> bool:
        """Nothing failed: the weaker verdict ``--allow-checked`` accepts (checked steps allowed)."""
        return not self.problems and all(s.status != FAILED for s in self.steps)

    proved = ok

    def passes(self, allow_checked=False) -> bool:
        return self.holds if allow_checked else self.ok

    @property
    def chains(self) -> tuple:
        """The steps grouped into chains lhs = e1 = e2 = …, in order."""
        return tuple(tuple(g) for g in _group(self.steps))

    @staticmethod
    def claim(chain) -> str:
        """What a chain claims between its first lhs and last rhs: '=' or the inequality its steps combine to."""
        return combine(r.relation for r in chain)

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


def _same(a, b) -> bool:
    """Identical up to the names of bound indices."""
    return a == b or canonical_bound(a) == canonical_bound(b)


class Derivation:
    """Chains of claims ``lhs = e1 = e2 = …``; ``verify()`` judges each step and the chain structure.

    ``derive(q)`` opens a chain from the quantity q, and each ``step`` (or ``then``) continues it: its
    left side is the previous right side. ``define(symbol, expr)`` names an expression; definitions
    are substituted (to a fixed point) before anything is compared or judged.
    """

    def __init__(self, name, title, *, statement="", source="", symmetric=(), spd=(), domains=None,
                 dims=(), sizes=(1, 2, 3), points=12, names=None):
        self.name = name
        self.title = title
        self.statement = statement
        self.source = source
        self.steps: list[Step] = []
        self.definitions: list[tuple] = []
        self.results: dict = {}
        self.names = dict(names or {})   # symbol -> LaTeX name, for the report
        self.domains = {s: (frozenset(v) if isinstance(v, (set, frozenset)) else tuple(v))
                        for s, v in (domains or {}).items()}
        self._claims: list[tuple] = []   # (result name, expected expr or None, at)
        self._opening = None             # (quantity, name) from derive(), until the next step
        self._dangling: list = []        # derive() calls no step followed
        spd = tuple(spd)
        self.context = Context(symmetric=tuple(dict.fromkeys(tuple(symmetric) + spd)), spd=spd,
                               domains=tuple(self.domains.items()), dims=tuple(dims),
                               sizes=tuple(sizes), points=points)

    # ---- building ----------------------------------------------------------------------------------

    def define(self, symbol, expr, why="definition"):
        self.definitions.append((symbol, _expr(expr), why))
        return self

    def derive(self, quantity, name=None, why=""):
        """Open a new chain whose first left side is ``quantity``; ``name`` names what it derives."""
        if self._opening is not None:
            self._dangling.append(self._opening)
        self._opening = (_expr(quantity), name)
        return self

    def step(self, lhs, rhs, why, cases=(), induction=None, relation="=", certificate=None):
        """Claim lhs = rhs, continuing the current chain (or opening one after ``derive`` / at the start).
        With ``cases`` the claim is judged in each case, which must cover the symbols' finite domains;
        with ``induction=n`` (a positive integer symbol), it is proved for n = 1 and from n to n + 1.
        ``relation`` ("<=", "<", ">=", ">") claims an inequality instead; ``certificate`` may give a
        manifestly signed expression equal to the gap (rhs − lhs, or lhs − rhs for ≥ and >)."""
        if relation != "=" and relation not in RELATIONS:
            raise ValueError(f"relation must be one of =, {', '.join(RELATIONS)}; got {relation!r}")
        if relation == "=" and certificate is not None:
            raise ValueError("a certificate belongs to an inequality step (relation '<=', '<', '>=' or '>')")
        if relation != "=" and induction is not None:
            raise ValueError("induction proves equalities; state the inequality as its own step")
        opening, self._opening = self._opening, None
        starts = opening is not None or not self.steps
        if not starts:
            combine([s.relation for s in _group(self.steps)[-1]] + [relation])   # refuses mixed directions
        self.steps.append(Step(_expr(lhs), _expr(rhs), why, tuple(cases), induction, starts,
                               opening[1] if opening else None, opening[0] if opening else None,
                               relation, None if certificate is None else _expr(certificate)))
        return self

    def then(self, rhs, why, cases=(), induction=None, relation="=", certificate=None):
        """The next link of the chain: previous right side (or the derived quantity) = rhs."""
        if self._opening is not None:
            lhs = self._opening[0]
        elif self.steps:
            lhs = self.steps[-1].rhs
        else:
            raise ValueError("then() needs a chain: call derive(quantity) first")
        return self.step(lhs, rhs, why, cases, induction, relation, certificate)

    def result(self, name, expr=None, at=None):
        """The closed form ``name``: the last right side of the chain derive(..., name=name) opened, with
        ``at`` substituted for free symbols; ``expr``, when given, must be that same expression.
        A defined symbol as ``expr`` records its definition, labelled as a definition, not a derivation.
        What does not hold is reported by verify() as a problem of the proof."""
        at = dict(at or {})
        chain = self._chain_named(name)
        value = _expr(expr) if expr is not None else None
        defined = dict((s, e) for s, e, _ in self.definitions)
        if value is not None and value in defined and chain is None:   # a named definition, shown as such
            self.results[name] = defined[value]
            self._claims.append((name, value, "definition"))
            return self
        if value is None:
            if chain is None:            # reported by verify(): no chain is named after the result
                self._claims.append((name, None, at))
                return self
            value = chain[-1].rhs.xreplace(at)
        self.results[name] = value
        self._claims.append((name, value, at))
        return self

    def _chain_named(self, name):
        chains = _group(self.steps)
        named = [c for c in chains if c[0].chain == name]
        return named[-1] if named else None

    # ---- definitions -----------------------------------------------------------------------------------

    def expand_definitions(self, expr):
        """Substitute every (valid) definition, to a fixed point."""
        return expand(expr, self._valid_definitions()[0])

    def _valid_definitions(self):
        exprs = [e for s in self.steps for e in (s.lhs, s.rhs)] + [e for _, e, _ in self.definitions]
        dims = set(self.context.dims) | shape_symbols(exprs)
        table, problems = definition_problems(self.definitions, dims, bound_symbols(exprs), self.domains)
        return table, problems + domain_problems(self.domains, dims)

    # ---- verifying ---------------------------------------------------------------------------------------

    def verify_step(self, step: Step, previous: Step | None = None, table=None) -> StepResult:
        table = self._valid_definitions()[0] if table is None else table
        lhs, rhs = expand(step.lhs, table), expand(step.rhs, table)
        refusal = self._refusal(step, previous, lhs, rhs, table)
        if refusal:
            return StepResult(step, FAILED, refusal)
        if step.induction is not None:
            v = _guarded(judge_induction, lhs, rhs, step.induction, self.context)
            return StepResult(step, v.status, v.detail, v.routes)
        verdicts = []
        cert = None if step.certificate is None else expand(step.certificate, table)
        for case in step.cases or ({},):
            if step.relation == "=":
                v = _guarded(judge, lhs.xreplace(case), rhs.xreplace(case), self.context)
            else:
                v = _guarded(judge_relation, lhs.xreplace(case), rhs.xreplace(case), step.relation, self.context,
                             None if cert is None else cert.xreplace(case))
            label = ", ".join(f"{math_text(k)} = {math_text(val)}" for k, val in case.items())
            verdicts.append(v if not label else Verdict(v.status, f"case {label}: {v.detail}", v.routes))
        order = {FAILED: 0, CHECKED: 1, PROVED: 2}
        worst = min(verdicts, key=lambda v: order[v.status])
        return StepResult(step, worst.status, _cases_detail(verdicts, step.cases), worst.routes)

    def _refusal(self, step, previous, lhs, rhs, table):
        """Why the step is refused before any judging (chain structure, restatement, cases), or ''."""
        if _same(lhs, rhs):
            return "refused: both sides are the same expression; a restatement proves nothing"
        if step.source is not None and not _same(lhs, expand(step.source, table)):
            return "refused: the chain's first step does not start from the quantity derive() named"
        if not step.starts and previous is not None and not _same(lhs, expand(previous.rhs, table)):
            return ("refused: the left side is not the previous step's right side; "
                    "open a new chain with derive(quantity) to start from elsewhere")
        return _cases_problem(step.cases, self.domains)

    def verify(self, progress=None, judge_steps=None) -> Proof:
        """Judge every step (``judge_steps(derivation, [(step, previous, table)])`` may do it elsewhere,
        e.g. in parallel), then the chain structure and the results."""
        table, problems = self._valid_definitions()
        tasks = [(s, self.steps[i - 1] if i else None, table) for i, s in enumerate(self.steps)]
        if judge_steps is not None:
            results = list(judge_steps(self, tasks))
        else:
            results = []
            for i, task in enumerate(tasks):
                results.append(self.verify_step(*task))
                if progress:
                    progress(i + 1, len(tasks), results[-1])
        problems = list(problems) + self._result_problems(results, table)
        return Proof(self, tuple(results), tuple(problems))

    def _result_problems(self, results, table):
        chains = _group(results)
        out = [f"derive({q}) opened a chain no step follows" for q, _ in
               self._dangling + ([self._opening] if self._opening is not None else [])]
        for name, value, at in self._claims:
            if at == "definition":
                if value not in table:
                    out.append(f"result {name!r}: the definition of {value} was refused")
                continue
            named = [c for c in chains if c[0].chain_name == name]
            if not named:
                out.append(f"result {name!r}: no chain is named {name!r}; open one with derive(..., name={name!r})")
                continue
            chain = named[-1]
            if not _same(expand(chain[-1].rhs.xreplace(at), table), expand(value, table)):
                out.append(f"result {name!r} is not the last right side of the chain named {name!r}")
                continue
            if not all(r.status == PROVED for r in chain):
                out.append(f"result {name!r}: its chain is not fully proved")
            if Proof.claim(chain) != "=":
                out.append(f"result {name!r}: its chain claims an inequality ({Proof.claim(chain)}), "
                           "a bound, not a closed form")
            problem = _at_problem(at, chain, self.domains)
            if problem:
                out.append(f"result {name!r}: {problem}")
        return out

    def __repr__(self):
        return f"Derivation({self.name!r}, {len(self.steps)} steps)"


def _group(items):
    groups = []
    for s in items:
        if s.starts or not groups:
            groups.append([])
        groups[-1].append(s)
    return groups


def _guarded(judge_fn, *args):
    """Nothing passes by accident: an engine error fails the step, with its reason."""
    try:
        return judge_fn(*args)
    except Exception as exc:  # noqa: BLE001 - the reason is shown; the step fails
        return Verdict(FAILED, f"could not be judged: {type(exc).__name__}: {exc}")


_CASES_SHOWN = 2     # more cases than this are summarised: a report note cannot break across pages


def _cases_detail(verdicts, cases) -> str:
    """How the cases were judged: each one, or for many a count, the first case's way and any case not proved."""
    if len(verdicts) == 1:
        return verdicts[0].detail
    if len(verdicts) <= _CASES_SHOWN:
        return " | ".join(v.detail for v in verdicts)
    syms = ", ".join(math_text(k) for k in dict.fromkeys(k for c in cases for k in c))
    proved = sum(v.status == PROVED for v in verdicts)
    bad = [v.detail for v in verdicts if v.status != PROVED]
    shown = " | ".join(bad[:2]) + (f" | … ({len(bad) - 2} more)" if len(bad) > 2 else "") if bad else verdicts[0].detail
    return f"{len(verdicts)} cases over {syms}, {proved} proved; " + shown


def _cases_problem(cases, domains):
    """'' when the cases cover every combination of the finite domains of the symbols they fix."""
    if not cases:
        return ""
    syms = list(dict.fromkeys(k for c in cases for k in c))
    for s in syms:
        if s in domains and not valid_domain(domains[s]):
            return f"refused: the domain of {s} is not a non-empty set of real numbers"
        if not isinstance(domains.get(s), frozenset):
            return (f"refused: cases fix {s}, which has no finite domain; declare e.g. "
                    f"domains={{{s}: {{0, 1}}}} on the Derivation, or prove the claim for every {s}")
    if any(set(c) != set(syms) for c in cases):
        return "refused: every case must fix the same symbols (" + ", ".join(map(str, syms)) + ")"
    given = {tuple(sp.sympify(c[s]) for s in syms) for c in cases}
    missing = [combo for combo in product(*(sorted(domains[s], key=float) for s in syms))
               if tuple(sp.sympify(v) for v in combo) not in given]
    if missing:
        shown = ", ".join(f"{s} = {v}" for s, v in zip(syms, missing[0]))
        return f"refused: the cases do not cover the declared domain (missing {shown})"
    return ""


def _at_problem(at, chain, domains):
    """A result may instantiate a chain's free scalar symbols, only where that keeps the claim's premises
    and where no binder of the chain would capture the value's symbols."""
    bound = bound_symbols([e for r in chain for e in (r.lhs, r.rhs)])
    for sym, value in at.items():
        captured = sp.sympify(value).free_symbols & bound
        if captured:
            return f"{value} mentions {', '.join(map(str, captured))}, bound in the chain: it would be captured"
        if not isinstance(sym, sp.Symbol):
            return f"only symbols can be instantiated, not {sym}"
        if sym in domains:
            return f"{sym} has a declared domain and cannot be instantiated"
        value = sp.sympify(value)
        for prop, holds in sym.assumptions0.items():
            if prop == "commutative" or getattr(value, f"is_{prop}", None) is holds:
                continue
            return f"{sym} is {'' if holds else 'not '}{prop}, but {value} is not known to be so"
    return ""
