"""Check a claimed gradient against autograd, complex-step and Richardson oracles, and at a kink against
the Clarke generalised gradient (numeric.clarke)."""
from __future__ import annotations

import functools
import inspect
import warnings
from dataclasses import asdict, dataclass, field

import numpy as np

from .clarke import KinkCheck, check_kink, clarke_hull
from .floats import EPS, TINY
from .oracles import (ORACLES, RICH_K, ComplexWarning, Unavailable, complex_step, cs_steps,
                      fail_reason, one_sided_derivatives, richardson, sides_differ, underflowed)


# --- results -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class GradientCheck:
    """Verdict of `check_gradient`; errors are relative to the oracle's gradient scale (max |r|), widened
    where the oracle's own error estimate is larger (Richardson's tableau, the complex step's underflow), so
    that ``passed`` is exactly ``max_rel_err <= tolerance`` (given some oracle ran): the message and the
    verdict cannot disagree, also where an oracle returned 0.

    At a kink (see `check_gradient`) the reference is the nearest point of the Clarke generalised
    gradient instead, and `clarke` holds the limiting gradients found (empty when no kink was suspected).
    """

    passed: bool
    max_abs_err: float
    max_rel_err: float
    worst: str
    values: dict = field(default_factory=dict)
    disagreeing: str = ""
    oracles: dict = field(default_factory=dict)
    mode: str = "full"
    tolerance: float = 0.0
    name: str = ""
    clarke: dict = field(default_factory=dict)

    def summary(self) -> str:
        used = [o for o, s in self.oracles.items() if s == "used"] or ["none"]
        vals = ", ".join(f"{k}={v:.6g}" for k, v in self.values.items())
        tail = ""
        if len(self.clarke.get("pieces", ())) > 1:
            c = self.clarke
            tail = (f"; Clarke: claim {'inside' if c['inside'] else 'outside'} the hull of "
                    f"{len(c['pieces'])} limiting gradients (distance {c['distance']:.3g}, tol {c['tolerance']:.3g})")
        return (f"[{'PASS' if self.passed else 'FAIL'}] {self.name}: max rel err {self.max_rel_err:.3g} "
                f"(tol {self.tolerance:.3g}, abs {self.max_abs_err:.3g}) at {self.worst} [{vals}]; "
                f"oracles: {', '.join(used)}; {self.mode}; {self.disagreeing}{tail}")

    def as_dict(self) -> dict:
        return asdict(self)


# --- arguments and the claim ---------------------------------------------------------------------

def _is_float_arg(a) -> bool:
    if isinstance(a, (bool, np.bool_)):
        return False
    if isinstance(a, (float, np.floating)):
        return True
    return isinstance(a, np.ndarray) and np.issubdtype(a.dtype, np.floating)


def _arg_names(f, n):
    try:
        params = [p.name for p in inspect.signature(f).parameters.values()
                  if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    except (TypeError, ValueError):
        params = []
    return [params[i] if i < len(params) else f"arg{i}" for i in range(n)]


def _wrt(args, wrt, names):
    """The differentiated argument indices: the float arguments unless named; each in range, once, and real."""
    if wrt is None:
        wrt = tuple(i for i, a in enumerate(args) if _is_float_arg(a))
    elif isinstance(wrt, (int, np.integer)) and not isinstance(wrt, (bool, np.bool_)):
        wrt = (wrt,)
    wrt = tuple(wrt)
    if not wrt:
        lists = [i for i, a in enumerate(args) if isinstance(a, (list, tuple))]
        hint = f" (argument {lists[0]} is a {type(args[lists[0]]).__name__}: pass np.array(...))" if lists else ""
        raise ValueError(f"no float arguments to differentiate{hint}")
    for i in wrt:
        if isinstance(i, (bool, np.bool_)) or not isinstance(i, (int, np.integer)):
            raise TypeError(f"wrt must hold argument indices (ints), got {i!r}")
        if not 0 <= i < len(args):
            raise ValueError(f"wrt={i} is out of range: f is called with {len(args)} argument(s), "
                             f"indices 0 to {len(args) - 1}")
    if len(set(wrt)) < len(wrt):
        raise ValueError(f"wrt names argument {next(i for i in wrt if wrt.count(i) > 1)} twice")
    for i in wrt:
        kind = np.asarray(args[i]).dtype.kind
        if kind == "c":
            raise TypeError(f"argument {i} ({names[i]}) is complex: check_gradient differentiates real arguments")
        if kind not in "fiu":
            raise TypeError(f"argument {i} ({names[i]}) is not a real number or array (dtype "
                            f"{np.asarray(args[i]).dtype}): it cannot be differentiated")
    return tuple(int(i) for i in wrt)


def _check_value(f, args64):
    """f at the point must be a real scalar: a vector-valued or complex-valued f is refused here, where the
    oracles would each fail (no verdict) or drop the imaginary part (a silent pass). An f that raises at
    the point is left to the oracles, which report why."""
    try:
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out = f(*args64)
    except Exception:  # the oracles record the failure
        return
    a = np.asarray(out)
    if a.dtype.kind == "c":
        raise TypeError(f"f returns a complex value ({a.ravel()[0] if a.size else a!r}) at real arguments: "
                        "check_gradient needs a real scalar f")
    if a.size != 1:
        raise ValueError(f"f returns an array of shape {a.shape}, not a scalar: check_gradient needs a scalar "
                         "f (check each output, or a weighted sum of them)")
    if a.dtype.kind not in "fiub":
        raise TypeError(f"f returns {type(out).__name__} (dtype {a.dtype}), not a real number")


def _claim(grad, args, wrt, names):
    """grad(*args) as one array per differentiated argument, shapes checked."""
    claim = grad(*args)
    if len(wrt) == 1 and not (isinstance(claim, (tuple, list)) and len(claim) == 1
                              and np.shape(claim[0]) == np.shape(args[wrt[0]])):
        claim = (claim,)
    if len(claim) != len(wrt):
        raise ValueError(f"grad returned {len(claim)} entries for {len(wrt)} differentiated arguments")
    claim = [np.asarray(c) for c in claim]
    for i, c in zip(wrt, claim):
        if c.dtype.kind not in "fiu":
            what = "complex" if c.dtype.kind == "c" else f"of dtype {c.dtype}"
            raise TypeError(f"claimed gradient for argument {i} ({names[i]}) is {what}, not real")
        if c.shape != np.shape(args[i]):
            raise ValueError(f"claimed gradient for argument {i} ({names[i]}) has shape {c.shape}, "
                             f"argument has shape {np.shape(args[i])}")
    return claim


def _rtol(args, wrt, claim, rtol):
    """sqrt(eps) of the lowest float precision among the differentiated arguments and the claim."""
    if rtol is not None:
        return float(rtol)
    dtypes = [np.asarray(args[i]).dtype for i in wrt] + [c.dtype for c in claim]
    return float(np.sqrt(max(np.finfo(d).eps if np.issubdtype(d, np.floating) else EPS for d in dtypes)))


def _promote(args, wrt):
    """The differentiated arguments in float64; scalars stay scalars so f sees the kind it expects."""
    out = list(args)
    for i in wrt:
        out[i] = np.float64(args[i]) if np.ndim(args[i]) == 0 else np.asarray(args[i], dtype=np.float64)
    return out


# --- probes: which components or directions are compared -----------------------------------------

@dataclass(frozen=True)
class _Probe:
    arg: int
    direction: np.ndarray
    label: str


def _full_probes(i, x, c, name):
    """One probe per component of argument i: the whole Jacobian row."""
    for j in range(x.size):
        e = np.zeros(x.shape)
        e.flat[j] = 1.0
        idx = np.unravel_index(j, x.shape) if x.ndim else ()
        yield _Probe(i, e, f"argument {i} ({name}), index {tuple(int(k) for k in idx)}"), float(c.flat[j])


def _direction_probes(i, x, c, name, rng, k):
    """k seeded random unit directions for a large argument i."""
    for n in range(k):
        v = rng.standard_normal(x.shape)
        v /= np.linalg.norm(v)
        yield _Probe(i, v, f"argument {i} ({name}), direction {n} of {k}"), float(np.sum(c * v))


def _probes(args64, wrt, names, claim, max_full, directions, seed):
    """Probes, the claim along each, and the mode (full or directions) per argument."""
    rng = np.random.default_rng(seed)
    pairs, modes = [], []
    for i, c in zip(wrt, claim):
        x, c = np.asarray(args64[i]), c.astype(np.float64)
        if x.size <= max_full:
            modes.append((names[i], "full"))
            pairs += list(_full_probes(i, x, c, names[i]))
        else:
            modes.append((names[i], f"directions (seed={seed}, k={directions})"))
            pairs += list(_direction_probes(i, x, c, names[i], rng, directions))
    if not pairs:
        raise ValueError("the differentiated arguments are empty")
    return [p for p, _ in pairs], np.array([v for _, v in pairs]), modes


def _mode_text(modes):
    if len({m for _, m in modes}) == 1:
        return modes[0][1]
    return "mixed: " + "; ".join(f"{m} for {n}" for n, m in modes)


@dataclass
class _Setup:
    """f at the float64 point, the probes, and f along a probe: what every oracle reads."""

    f: object
    args64: list
    wrt: tuple
    probes: list
    claim_vals: np.ndarray

    def along(self, p, t):
        a = list(self.args64)
        x = self.args64[p.arg]
        a[p.arg] = x + t * p.direction if np.ndim(x) else x + t * p.direction[()]
        return self.f(*a)

    def magnitude(self, p):
        return float(np.max(np.abs(self.args64[p.arg])))

    def h0(self, p):
        # Relative to the argument's magnitude, so the stencil sees f at its own scale (sin(x/s) for any s in
        # 1e-300..1e300); absolute only at an argument of zeros; never so small that the finest step (h0/32)
        # leaves the normal range.
        m = self.magnitude(p)
        return 1e-3 * (max(m, 1e-302) if m > 0 else 1.0)

    def richardson(self, p, one_sided=0):
        return richardson(lambda t: float(self.along(p, t)), self.h0(p), one_sided)

    def complex_step(self, p):
        """(derivative, error floor) along p at the step for the argument's magnitude; where its imaginary
        part underflowed, at the larger step instead if the two agree within their floors (a larger step
        that disagrees has met f's curvature: the first, however vague, stays)."""
        phi = lambda t: self.along(p, t)  # noqa: E731
        first, retry = cs_steps(self.magnitude(p))
        v, e = complex_step(phi, first)
        if retry is not None and underflowed(v, first):
            v2, e2 = complex_step(phi, retry)
            if abs(v2 - v) <= RICH_K * (e + e2) + 1e-10 * max(abs(v), abs(v2)):
                return v2, e2
        return v, e

    @functools.cached_property
    def at(self):
        """The probe with the largest claim: where the complex step is first tried."""
        return int(np.argmax(np.abs(self.claim_vals)))

    @functools.cached_property
    def rich_at(self):
        try:
            with np.errstate(all="ignore"):
                return self.richardson(self.probes[self.at])
        except Exception:  # f failing at a shifted point: no reference for the analyticity test
            return np.nan, np.inf


# --- the oracles: each returns (values along the probes, error estimates or None) ----------------

def _oracle_richardson(s):
    est = np.array([s.richardson(p) for p in s.probes])
    if not np.all(np.isfinite(est)):
        raise Unavailable("non-finite differences (step leaves the domain?)")
    return est[:, 0], est[:, 1]


def _oracle_complex_step(s):
    with warnings.catch_warnings():
        # Casting complex to real inside f silently drops the imaginary part; make it loud.
        warnings.simplefilter("error", ComplexWarning)
        v0, c0 = s.complex_step(s.probes[s.at])
        if not np.isfinite(v0):
            raise Unavailable("imaginary part is not finite")
        r0, e0 = s.rich_at
        if np.isfinite(r0) and abs(v0 - r0) > 10 * (e0 + c0) + 1e-6 * max(abs(v0), abs(r0)):
            raise Unavailable(f"not analytic here: complex step {v0:.6g} vs richardson "
                               f"{r0:.6g} at {s.probes[s.at].label}")
        est = np.array([s.complex_step(p) for p in s.probes])
    if not np.all(np.isfinite(est)):
        raise Unavailable("imaginary part is not finite")
    return est[:, 0], est[:, 1]


def _oracle_autograd(s):
    import autograd
    g = {i: np.asarray(autograd.grad(s.f, argnum=i)(*s.args64), dtype=np.float64) for i in s.wrt}
    vals = np.array([float(np.sum(g[p.arg] * p.direction)) for p in s.probes])
    if not np.all(np.isfinite(vals)):
        raise Unavailable("non-finite gradient")
    return vals, None


_ORACLE_FUNCS = {"richardson": _oracle_richardson, "complex-step": _oracle_complex_step,
                 "autograd": _oracle_autograd}


def _run_oracles(s, oracles):
    """Status, values and error estimates (None: exact up to rounding), for each requested oracle (never raises)."""
    status, vals, errs = {}, {}, {}
    for name in ORACLES:  # Richardson first: the complex step's analyticity test reads it
        if name not in oracles:
            continue
        try:
            with np.errstate(all="ignore"):
                v, err = _ORACLE_FUNCS[name](s)
        except Unavailable as e:
            status[name] = f"unavailable: {e}"
            continue
        except Exception as e:  # f failing for this oracle (domain, complex input, autograd): record it
            status[name] = fail_reason(e)
            continue
        status[name], vals[name], errs[name] = "used", v, err
    return {o: status[o] for o in oracles}, vals, errs


# --- the verdict -----------------------------------------------------------------------------------

# Below the smallest normal float a value keeps fewer than 53 bits, and an oracle that rounds through that
# range is off by up to about its size (autograd's tanh' at 360 is g/cosh(z)**2 = 0 where tanh' = 3e-310):
# a difference below TINY is no evidence against a claim, whatever the relative tolerance. Gradients of
# 1.5e-300 and up keep the full rtol (rtol * 1.5e-300 = TINY); a sign flip fails at every normal scale.
_FLOOR = TINY


@dataclass
class _Comparison:
    """The claim against every used oracle, probe by probe, each within its own allowance."""

    claim: np.ndarray
    vals: dict
    errs: dict            # oracle -> its error estimate per probe, or None (exact up to rounding)
    rtol: float
    atol: float
    used: list

    def scale(self, o):
        return max(float(np.max(np.abs(self.vals[o]))), TINY)

    def allowance(self, o):
        """rtol of the oracle's scale (plus atol, plus _FLOOR), or k times the oracle's own error estimate
        where that is larger."""
        a = np.full(len(self.claim), self.rtol * self.scale(o) + self.atol + _FLOOR)
        err = self.errs.get(o)
        return a if err is None else np.maximum(a, RICH_K * err + self.atol)

    def bad(self, o):
        return np.abs(self.claim - self.vals[o]) > self.allowance(o)

    def rel(self, o):
        """|claim - r| per probe in the measure the verdict uses: relative to allowance / rtol, the scale
        widened by the oracle's uncertainty, so it exceeds rtol exactly where `bad` holds."""
        return _in_tolerance(np.abs(self.claim - self.vals[o]), self.allowance(o), self.rtol)

    def firm(self):
        """Per component, whether both exact oracles agree on it to 1e-10 of its own size, the complex step
        being that precise there (or both give exactly 0): there the value is known, however small next
        to the largest component (a factor 2 on a 1e-40 entry of a depth-64 gradient is caught); where
        they don't agree (cancellation, underflow), scale rules."""
        if "autograd" not in self.vals or "complex-step" not in self.vals:
            return np.zeros(len(self.claim), dtype=bool)
        a, c = self.vals["autograd"], self.vals["complex-step"]
        err = self.errs.get("complex-step")
        err = np.zeros(len(a)) if err is None else err
        return ((np.abs(a - c) <= 1e-10 * np.abs(a)) & (RICH_K * err <= 1e-10 * np.abs(a))) | ((a == 0) & (c == 0))

    def firm_allowance(self):
        return self.rtol * np.abs(self.vals["autograd"]) + self.atol + _FLOOR

    def firm_bad(self):
        firm = self.firm()
        if not firm.any():
            return firm
        return firm & (np.abs(self.claim - self.vals["autograd"]) > self.firm_allowance())

    def firm_rel(self):
        return _in_tolerance(np.abs(self.claim - self.vals["autograd"]), self.firm_allowance(), self.rtol)

    def split(self, a, b):
        """Probes where oracles a and b disagree: either side's allowance, since neither is the reference."""
        return np.abs(self.vals[a] - self.vals[b]) > np.maximum(self.allowance(a), self.allowance(b))

    def pairs(self):
        return [(a, b) for a in self.used for b in self.used if a < b]


def _in_tolerance(err, allowance, rtol):
    """err in the unit allowance / rtol (the reference's effective scale): > rtol exactly where err > allowance."""
    unit = allowance / rtol if rtol > 0 else allowance
    with np.errstate(all="ignore"):  # a unit of 0 or a subnormal one: the error is infinitely many tolerances
        return np.where(err == 0, 0.0, err / unit)


def _worst(cmp, firm_bad, fallback):
    """The probe with the largest error in the verdict's measure (`_Comparison.rel`), and that error."""
    worst_abs, worst_rel, at = 0.0, 0.0, fallback
    for o in cmp.used:
        err, rel = np.abs(cmp.claim - cmp.vals[o]), cmp.rel(o)
        j = int(np.argmax(rel))
        worst_abs = max(worst_abs, float(err.max()))
        if rel[j] >= worst_rel:
            worst_rel, at = float(rel[j]), j
    if firm_bad.any():
        rel = cmp.firm_rel()
        at = int(np.argmax(np.where(firm_bad, rel, 0.0)))
        worst_rel = max(worst_rel, float(rel[at]))
    return at, worst_abs, worst_rel


def _oracle_verdict(s, cmp):
    """PASS iff every used oracle agrees with the claim (and none was unavailable for all)."""
    ok = {o: not cmp.bad(o).any() for o in cmp.used}
    firm_bad = cmp.firm_bad()
    if firm_bad.any():
        ok = {o: False if o in ("autograd", "complex-step") else v for o, v in ok.items()}
    at, worst_abs, worst_rel = _worst(cmp, firm_bad, s.at)
    values = {"claim": float(cmp.claim[at])}
    values.update({o: float(cmp.vals[o][at]) for o in cmp.used})
    if "richardson" in cmp.vals:
        values["richardson_err"] = float(cmp.errs["richardson"][at])
    pairs = {p: not cmp.split(*p).any() for p in cmp.pairs()}
    return dict(passed=bool(cmp.used) and all(ok.values()), max_abs_err=worst_abs, max_rel_err=worst_rel,
                worst=s.probes[at].label, values=values, disagreeing=_explain(ok, pairs, cmp.used))


_WHY = {
    "autograd": "f is probably not differentiable here or not autograd-compatible",
    "complex-step": "f is probably not complex-analytic here (abs/maximum/where on the real part?)",
    "richardson": "finite differences are unreliable here (kink, noise or too few digits in f)",
}


def _explain(ok, pairs, used):
    """One sentence naming which side disagrees."""
    if not used:
        return "no oracle available: nothing to compare against"
    bad_pairs = [p for p, agreed in pairs.items() if not agreed]
    if all(ok.values()) and not bad_pairs:
        return f"none: claim agrees with all oracles ({', '.join(used)})"
    if not any(ok.values()) and not bad_pairs:
        return f"claim vs all oracles ({', '.join(used)}): the claimed gradient is wrong"
    for o in used:
        others = [u for u in used if u != o]
        if others and all(not pairs[tuple(sorted((o, u)))] for u in others) and \
                all(pairs[tuple(sorted((a, b)))] for a in others for b in others if a < b):
            if ok[o]:
                tail = f"the claim sides with {o}"
            elif all(ok[u] for u in others):
                tail = f"the claim sides with {'/'.join(others)}"
            else:
                tail = "the claim disagrees with every oracle"
            return f"{o} vs {'/'.join(others)}: {_WHY[o]}; {tail}"
    good = [o for o in used if ok[o]]
    bad = [o for o in used if not ok[o]]
    return (f"mixed: claim agrees with {good or 'none'}, disagrees with {bad or 'none'}; "
            f"oracle pairs disagreeing: {['/'.join(p) for p in bad_pairs] or 'none'}")


# --- at a kink: the claim against the Clarke generalised gradient (numeric.clarke) -----------------

def _kink_sides(s, cmp):
    """{failing probe: f's one-sided derivatives along it} if every probe where the claim fails shows a
    kink (the oracles disagree there, or the one-sided derivatives differ); None at the first that does
    not: a claim wrong where f is smooth keeps the oracles' verdict, and the search stops there."""
    bad = cmp.firm_bad()
    for o in cmp.used:
        bad |= cmp.bad(o)
    scale = max([cmp.scale(o) for o in cmp.used] or [TINY])
    sides = {}
    for r in np.flatnonzero(bad):
        p = s.probes[r]
        sides[r] = one_sided_derivatives(lambda t: s.along(p, t), s.h0(p))
        if not (any(cmp.split(a, b)[r] for a, b in cmp.pairs()) or sides_differ(*sides[r], cmp.rtol, scale)):
            return None
    return sides or None


def _flatten(s):
    """f of one flat vector (the differentiated arguments end to end), that vector at the point, and
    the probes as the rows of a matrix P (a probe's value of a flat gradient g is P @ g)."""
    shapes = [np.shape(s.args64[i]) for i in s.wrt]
    offs = [0] + list(np.cumsum([int(np.prod(sh)) for sh in shapes]))
    z0 = np.concatenate([np.ravel(s.args64[i]) for i in s.wrt])

    def F(z):
        a = list(s.args64)
        for k, i in enumerate(s.wrt):
            a[i] = z[offs[k]] if shapes[k] == () else z[offs[k]:offs[k + 1]].reshape(shapes[k])
        return s.f(*a)

    P = np.zeros((len(s.probes), offs[-1]))
    for r, p in enumerate(s.probes):
        k = s.wrt.index(p.arg)
        P[r, offs[k]:offs[k + 1]] = p.direction.ravel()
    return F, z0, P


def _kink_verdict(s, cmp, verdict, samplers, seed):
    """Where every failing probe shows a kink, the oracles only report conventions: the claim passes
    iff it lies in the Clarke generalised gradient. A failing probe where f is smooth keeps the
    oracles' verdict, and so does a point where only one piece is found around (no kink after all)."""
    sides = _kink_sides(s, cmp)
    if sides is None:
        return verdict
    F, z0, P = _flatten(s)
    rows = sorted(sides)
    # One-sided partial derivatives by flat coordinate, where a failing probe is a coordinate.
    coords = {int(np.flatnonzero(P[r])[0]): sides[r][:2] for r in rows if np.count_nonzero(P[r]) == 1}
    labels = [s.probes[r].label for r in rows]
    try:
        hull = clarke_hull(F, z0, P, s.claim_vals, cmp.rtol, cmp.atol, samplers, coords, seed=seed)
    except Unavailable as e:
        return {**verdict, "clarke": {"kink_at": labels, "note": f"Clarke test unavailable: {e}"}}
    info = hull.info(labels)
    if len(hull.pieces) < 2:
        return {**verdict, "clarke": {**info, "note": "one piece around the point: f is smooth here"}}
    at = int(np.argmax(np.abs(hull.nearest - s.claim_vals))) if hull.distance > 0 else int(rows[0])
    values = {"claim": float(s.claim_vals[at]), "clarke": float(hull.nearest[at])}
    values.update({o: float(cmp.vals[o][at]) for o in cmp.used})
    side = "inside" if hull.inside else "outside"
    # The distance in the tolerance's unit (see GradientCheck): inside iff max_rel_err <= rtol.
    rel = float(_in_tolerance(np.float64(hull.distance), np.float64(hull.tolerance), cmp.rtol))
    return dict(passed=hull.inside, max_abs_err=hull.distance, max_rel_err=rel,
                worst=s.probes[at].label, values=values, clarke=info,
                disagreeing=f"kink at {'; '.join(labels)}: the oracles give conventions there; the claim lies "
                            f"{side} the Clarke generalised gradient (hull of {len(hull.pieces)} limiting "
                            f"gradients, sampled with {hull.sampler})")


# --- the public check ------------------------------------------------------------------------------

def check_gradient(f, grad, *args, wrt=None, oracles=ORACLES, rtol=None, atol=None, seed=0,
                   max_full=64, directions=8, name=None) -> GradientCheck:
    """Compare grad(*args) with the gradient of the scalar f(*args) given by independent oracles.

    Tolerances: the default rtol is sqrt(eps) of the lowest float precision among the differentiated
    arguments and the claim (float64: 1.5e-8, float32: 3.5e-4). A wrong formula is off by O(1), while
    rounding in a correct claim stays many orders below sqrt(eps), so that midpoint separates the two
    with a wide margin either way. Errors are measured against scale = max|r| over the oracle's
    whole gradient (never an absolute tolerance alone), so a gradient of size 1e-20 that is off by a
    factor 2 fails. Richardson and the complex step are trusted to max(rtol * scale, 10 * their error
    estimate): the tableau's, and the complex step's underflow floor. atol (default 0) is added to every
    allowance, for gradients that are exactly zero; so is TINY, below which a difference is no evidence.
    Scale: the finite-difference and complex steps are relative to each argument's magnitude (see
    oracles.cs_steps), so any magnitude from 1e-300 to 1e300 is checked alike. max_rel_err is in the
    verdict's own measure: passed iff max_rel_err <= tolerance (when some oracle ran).
    f must return a real scalar and the claim be real (TypeError/ValueError otherwise); wrt must name
    real arguments, each once and in range (ValueError/TypeError naming the problem).
    Oracles run in float64 (float32 arguments are promoted) so the reference is never the
    bottleneck; the claim's own precision enters only through the tolerance.
    Arguments with more than max_full elements are checked along `directions` random unit
    directions drawn with np.random.default_rng(seed).

    At a kink the oracles return conventions (autograd's maximum splits a tie evenly: ReLU'(0) = 0.5),
    so a claim that fails only on probes showing a kink (oracles disagreeing, or one-sided differences
    differing) is judged by the Clarke test instead: it passes iff it lies, within the tolerance, in
    the convex hull of the limiting gradients sampled around the point (see `check_kink`).
    """
    unknown = set(oracles) - set(ORACLES)
    if unknown:
        raise ValueError(f"unknown oracles {sorted(unknown)}; choose from {ORACLES}")
    names = _arg_names(f, len(args))
    wrt = _wrt(args, wrt, names)
    claim = _claim(grad, args, wrt, names)
    rtol, atol = _rtol(args, wrt, claim, rtol), 0.0 if atol is None else float(atol)
    args64 = _promote(args, wrt)
    _check_value(f, args64)
    probes, claim_vals, modes = _probes(args64, wrt, names, claim, max_full, directions, seed)
    s = _Setup(f, args64, wrt, probes, claim_vals)
    status, vals, errs = _run_oracles(s, oracles)
    cmp = _Comparison(claim_vals, vals, errs, rtol, atol, [o for o in oracles if o in vals])
    verdict = _oracle_verdict(s, cmp)
    if not verdict["passed"] and cmp.used:
        verdict = _kink_verdict(s, cmp, verdict, [o for o in ORACLES if o in oracles], seed)
    return GradientCheck(**verdict, oracles=status, mode=_mode_text(modes), tolerance=rtol,
                         name=name or getattr(f, "__name__", "f"))


__all__ = ["check_gradient", "check_kink", "GradientCheck", "KinkCheck"]
