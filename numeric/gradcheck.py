"""Check a claimed gradient against autograd, complex-step and Richardson oracles, and at a kink against
the Clarke generalised gradient."""
from __future__ import annotations

import functools
import inspect
import itertools
import warnings
from dataclasses import asdict, dataclass, field

import numpy as np

_ORACLES = ("autograd", "complex-step", "richardson")
_CS_STEP = 1e-200
# Richardson is trusted to k times its own error estimate: the estimate (difference of the last
# two diagonal tableau entries) is only an order-of-magnitude statement.
_RICH_K = 10.0
_RICH_LEVELS = 6
_EPS64 = np.finfo(np.float64).eps
_TINY = np.finfo(np.float64).tiny
_ComplexWarning = getattr(getattr(np, "exceptions", np), "ComplexWarning", Warning)
# Clarke sampling: gradients at z0 + delta*u, delta = _DELTA * max(1, |z0|), halved twice for the
# extrapolation to delta -> 0. A sample whose three gradients do not extrapolate consistently (to
# _STRADDLE of the gradient scale) straddles two pieces and is dropped.
_DELTA = 1e-8
_STRADDLE = 1e-6
_SAMPLES = 64
_MAX_COORDS = 64    # nudged coordinate directions +-e_i up to this many coordinates
_MAX_PATTERNS = 8   # one direction per sign pattern of the kink coordinates, up to 2**8 patterns


class _Unavailable(ValueError):
    """An oracle (or the Clarke test) does not apply here; the message says why."""


# --- results -------------------------------------------------------------------------------------

@dataclass(frozen=True)
class GradientCheck:
    """Verdict of `check_gradient`; errors are relative to the oracle's gradient scale (max |r|).

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


@dataclass(frozen=True)
class KinkCheck:
    """Whether a claimed gradient of f at x0 lies in the Clarke generalised gradient there.

    Scalar x0: left/right/claimed/autograd are floats and `pieces` a tuple of floats. Vector x0: tuples,
    one entry per coordinate (left/right are the one-sided partial derivatives), and `pieces` a tuple
    of gradients. `weights` writes the nearest hull point as a convex combination of the pieces.
    """

    x0: object
    left: object
    right: object
    claimed: object
    accepted: bool
    autograd: object
    tolerance: float
    note: str = ""
    pieces: tuple = ()
    weights: tuple = ()
    distance: float = 0.0
    sampler: str = ""

    def as_dict(self) -> dict:
        return asdict(self)


# --- finite differences --------------------------------------------------------------------------

def _richardson(phi, h0, one_sided=0):
    """Extrapolated derivative of scalar phi at 0 and an error estimate.

    one_sided=0: central differences (error series in h^2); +1/-1: forward/backward (series in h).
    """
    f0 = phi(0.0)
    p = 1 if one_sided else 2
    rows, fmax = [], abs(f0)
    for i in range(_RICH_LEVELS):
        h = h0 / 2 ** i
        if one_sided:
            fh = phi(one_sided * h)
            d, fmax = one_sided * (fh - f0) / h, max(fmax, abs(fh))
        else:
            fp, fm = phi(h), phi(-h)
            d, fmax = (fp - fm) / (2 * h), max(fmax, abs(fp), abs(fm))
        row = [d]
        for k in range(1, i + 1):
            row.append(row[k - 1] + (row[k - 1] - rows[i - 1][k - 1]) / (2 ** (p * k) - 1))
        rows.append(row)
    err = abs(rows[-1][-1] - rows[-2][-2])
    # The tableau difference cannot see rounding when both entries are flat (e.g. a change below
    # f's resolution), so add the cancellation floor of the smallest step explicitly.
    err = max(err, 4 * _EPS64 * fmax / (h0 / 2 ** (_RICH_LEVELS - 1)))
    return rows[-1][-1], err


def _one_sided(phi, h0):
    """Backward and forward derivatives of phi at 0, each with its error estimate (nan when f fails)."""
    try:
        with np.errstate(all="ignore"):
            left, el = _richardson(lambda t: float(phi(t)), h0, one_sided=-1)
            right, er = _richardson(lambda t: float(phi(t)), h0, one_sided=+1)
    except Exception:  # f failing beside the point (e.g. outside its domain): no evidence either way
        return np.nan, np.nan, np.inf, np.inf
    return left, right, el, er


def _sides_differ(left, right, el, er, rtol, scale):
    """A kink in f's own values: the one-sided derivatives differ beyond their error estimates."""
    if not np.all(np.isfinite([left, right, el, er])):
        return False
    return bool(abs(left - right) > _RICH_K * (el + er) + rtol * max(abs(left), abs(right), scale))


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


def _fail_reason(e: BaseException) -> str:
    msg = str(e).splitlines()[0] if str(e) else ""
    return f"unavailable: {type(e).__name__}: {msg[:160]}"


def _wrt(args, wrt):
    """The differentiated argument indices: the float arguments unless named."""
    if wrt is None:
        wrt = tuple(i for i, a in enumerate(args) if _is_float_arg(a))
    elif isinstance(wrt, int):
        wrt = (wrt,)
    wrt = tuple(wrt)
    if not wrt:
        raise ValueError("no float arguments to differentiate")
    return wrt


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
        if c.shape != np.shape(args[i]):
            raise ValueError(f"claimed gradient for argument {i} ({names[i]}) has shape {c.shape}, "
                             f"argument has shape {np.shape(args[i])}")
    return claim


def _rtol(args, wrt, claim, rtol):
    """sqrt(eps) of the lowest float precision among the differentiated arguments and the claim."""
    if rtol is not None:
        return float(rtol)
    dtypes = [np.asarray(args[i]).dtype for i in wrt] + [c.dtype for c in claim]
    return float(np.sqrt(max(np.finfo(d).eps if np.issubdtype(d, np.floating) else _EPS64 for d in dtypes)))


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

    def h0(self, p):
        return 1e-3 * max(1.0, float(np.max(np.abs(self.args64[p.arg]))))

    def richardson(self, p, one_sided=0):
        return _richardson(lambda t: float(self.along(p, t)), self.h0(p), one_sided)

    def complex_step(self, p):
        out = self.along(p, 1j * _CS_STEP)
        if not np.iscomplexobj(out):
            raise _Unavailable("f returns a real result for complex input")
        return float(np.imag(out)) / _CS_STEP

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
        raise _Unavailable("non-finite differences (step leaves the domain?)")
    return est[:, 0], est[:, 1]


def _oracle_complex_step(s):
    with warnings.catch_warnings():
        # Casting complex to real inside f silently drops the imaginary part; make it loud.
        warnings.simplefilter("error", _ComplexWarning)
        v0 = s.complex_step(s.probes[s.at])
        if not np.isfinite(v0):
            raise _Unavailable("imaginary part is not finite")
        r0, e0 = s.rich_at
        if np.isfinite(r0) and abs(v0 - r0) > 10 * e0 + 1e-6 * max(abs(v0), abs(r0)):
            raise _Unavailable(f"not analytic here: complex step {v0:.6g} vs richardson "
                               f"{r0:.6g} at {s.probes[s.at].label}")
        vals = np.array([s.complex_step(p) for p in s.probes])
    if not np.all(np.isfinite(vals)):
        raise _Unavailable("imaginary part is not finite")
    return vals, None


def _oracle_autograd(s):
    import autograd
    g = {i: np.asarray(autograd.grad(s.f, argnum=i)(*s.args64), dtype=np.float64) for i in s.wrt}
    vals = np.array([float(np.sum(g[p.arg] * p.direction)) for p in s.probes])
    if not np.all(np.isfinite(vals)):
        raise _Unavailable("non-finite gradient")
    return vals, None


_ORACLE_FUNCS = {"richardson": _oracle_richardson, "complex-step": _oracle_complex_step,
                 "autograd": _oracle_autograd}


def _run_oracles(s, oracles):
    """Status, values and Richardson's error estimate, for each requested oracle (never raises)."""
    status, vals, rich_err = {}, {}, None
    for name in _ORACLES:  # Richardson first: the complex step's analyticity test reads it
        if name not in oracles:
            continue
        try:
            with np.errstate(all="ignore"):
                v, err = _ORACLE_FUNCS[name](s)
        except _Unavailable as e:
            status[name] = f"unavailable: {e}"
            continue
        except Exception as e:  # f failing for this oracle (domain, complex input, autograd): record it
            status[name] = _fail_reason(e)
            continue
        status[name], vals[name] = "used", v
        rich_err = err if name == "richardson" else rich_err
    return {o: status[o] for o in oracles}, vals, rich_err


# --- the verdict -----------------------------------------------------------------------------------

@dataclass
class _Comparison:
    """The claim against every used oracle, probe by probe, each within its own allowance."""

    claim: np.ndarray
    vals: dict
    rich_err: object
    rtol: float
    atol: float
    used: list

    def scale(self, o):
        return max(float(np.max(np.abs(self.vals[o]))), _TINY)

    def allowance(self, o):
        a = self.rtol * self.scale(o) + self.atol
        return np.maximum(a, _RICH_K * self.rich_err + self.atol) if o == "richardson" else np.full(len(self.claim), a)

    def bad(self, o):
        return np.abs(self.claim - self.vals[o]) > self.allowance(o)

    def firm_bad(self):
        """Per component, where both exact oracles agree on it to 1e-10 of its own size: there the
        value is known, however small next to the largest component (a factor 2 on a 1e-40 entry
        of a depth-64 gradient is caught); where they don't agree (cancellation), scale rules."""
        if "autograd" not in self.vals or "complex-step" not in self.vals:
            return np.zeros(len(self.claim), dtype=bool)
        a, c = self.vals["autograd"], self.vals["complex-step"]
        firm = np.abs(a - c) <= 1e-10 * np.abs(a)
        return firm & (np.abs(self.claim - a) > self.rtol * np.abs(a) + self.atol)

    def split(self, a, b):
        """Probes where oracles a and b disagree: either side's allowance, since neither is the reference."""
        return np.abs(self.vals[a] - self.vals[b]) > np.maximum(self.allowance(a), self.allowance(b))

    def pairs(self):
        return [(a, b) for a in self.used for b in self.used if a < b]


def _worst(cmp, firm_bad, fallback):
    """The probe with the largest error relative to each oracle's scale, and that error."""
    worst_abs, worst_rel, at = 0.0, 0.0, fallback
    for o in cmp.used:
        err = np.abs(cmp.claim - cmp.vals[o])
        j = int(np.argmax(err / cmp.scale(o)))
        worst_abs = max(worst_abs, float(err.max()))
        if err[j] / cmp.scale(o) >= worst_rel:
            worst_rel, at = float(err[j] / cmp.scale(o)), j
    if firm_bad.any():
        a = cmp.vals["autograd"]
        rel = np.abs(cmp.claim - a) / np.maximum(np.abs(a), _TINY)
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
        values["richardson_err"] = float(cmp.rich_err[at])
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


# --- at a kink: the Clarke generalised gradient ----------------------------------------------------

def _kink_sides(s, cmp):
    """{failing probe: f's one-sided derivatives along it} if every probe where the claim fails shows a
    kink (the oracles disagree there, or the one-sided derivatives differ); None at the first that does
    not: a claim wrong where f is smooth keeps the oracles' verdict, and the search stops there."""
    bad = cmp.firm_bad()
    for o in cmp.used:
        bad |= cmp.bad(o)
    scale = max([cmp.scale(o) for o in cmp.used] or [_TINY])
    sides = {}
    for r in np.flatnonzero(bad):
        p = s.probes[r]
        sides[r] = _one_sided(lambda t: s.along(p, t), s.h0(p))
        if not (any(cmp.split(a, b)[r] for a, b in cmp.pairs()) or _sides_differ(*sides[r], cmp.rtol, scale)):
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
        hull = _clarke(F, z0, P, s.claim_vals, cmp.rtol, cmp.atol, samplers, coords, seed=seed)
    except _Unavailable as e:
        return {**verdict, "clarke": {"kink_at": labels, "note": f"Clarke test unavailable: {e}"}}
    info = hull.info(labels)
    if len(hull.pieces) < 2:
        return {**verdict, "clarke": {**info, "note": "one piece around the point: f is smooth here"}}
    at = int(np.argmax(np.abs(hull.nearest - s.claim_vals))) if hull.distance > 0 else int(rows[0])
    values = {"claim": float(s.claim_vals[at]), "clarke": float(hull.nearest[at])}
    values.update({o: float(cmp.vals[o][at]) for o in cmp.used})
    side = "inside" if hull.inside else "outside"
    return dict(passed=hull.inside, max_abs_err=hull.distance, max_rel_err=hull.distance / hull.scale,
                worst=s.probes[at].label, values=values, clarke=info,
                disagreeing=f"kink at {'; '.join(labels)}: the oracles give conventions there; the claim lies "
                            f"{side} the Clarke generalised gradient (hull of {len(hull.pieces)} limiting "
                            f"gradients, sampled with {hull.sampler})")


@dataclass(frozen=True)
class _Hull:
    """The limiting gradients found (as probe values), the hull point nearest the claim, how far the
    claim is from it, and the direction in which it sticks out (zero when inside)."""

    pieces: np.ndarray
    weights: np.ndarray
    nearest: np.ndarray
    distance: float
    outward: np.ndarray
    tolerance: float
    scale: float
    sampler: str

    @property
    def inside(self) -> bool:
        return bool(self.distance <= self.tolerance)

    def info(self, kink_at):
        return {"kink_at": list(kink_at), "sampler": self.sampler, "pieces": self.pieces.tolist(),
                "weights": self.weights.tolist(), "nearest": self.nearest.tolist(),
                "distance": self.distance, "tolerance": self.tolerance, "inside": self.inside}


# Gradient oracles for the sampled points, each (F, z, P, delta) -> P @ grad F(z).

def _grad_autograd(F, z, P, delta):
    import autograd
    return P @ np.asarray(autograd.grad(F)(z), dtype=np.float64)


def _grad_complex_step(F, z, P, delta):
    with warnings.catch_warnings():
        warnings.simplefilter("error", _ComplexWarning)
        out = [F(z + 1j * _CS_STEP * p) for p in P]
    if not all(np.iscomplexobj(o) for o in out):
        raise _Unavailable("f returns a real result for complex input")
    return np.array([float(np.imag(o)) for o in out]) / _CS_STEP


def _grad_richardson(F, z, P, delta):
    # Coarse: steps well inside the distance to the kink, so rounding limits it to ~1e-7 of |f|.
    return np.array([_richardson(lambda t: float(F(z + t * p)), delta / 64)[0] for p in P])


_SAMPLERS = {"autograd": _grad_autograd, "complex-step": _grad_complex_step, "richardson": _grad_richardson}


def _pick_sampler(F, z, P, delta, samplers):
    """The first gradient oracle (in the order given) that gives a finite gradient at z."""
    reasons = []
    for name in samplers:
        try:
            with np.errstate(all="ignore"):
                if np.all(np.isfinite(_SAMPLERS[name](F, z, P, delta))):
                    return name, _SAMPLERS[name]
            reasons.append(f"{name}: non-finite")
        except Exception as e:  # this oracle does not apply to f: try the next
            reasons.append(f"{name}: {type(e).__name__}")
    raise _Unavailable(f"no gradient oracle works beside the point ({'; '.join(reasons)})")


def _unit(u, rng, nudge=1e-2):
    """u as a unit direction, nudged at random so the ray leaves every tie (a ray along a tie would
    see f's convention there, not a limiting gradient)."""
    u = u / max(float(np.linalg.norm(u)), _TINY)
    u = u + nudge * rng.standard_normal(u.shape) / np.sqrt(u.size)
    return u / np.linalg.norm(u)


def _directions(n, kink_coords, samples, rng):
    """First rays: `samples` random ones; the coordinate directions +-e_i; and, when the kink
    coordinates are few, one per sign pattern on them (every orthant piece of a sum of ReLUs)."""
    out = [rng.standard_normal(n) for _ in range(samples)]
    if n <= _MAX_COORDS:
        out += [_unit(sign * np.eye(n)[i], rng) for i, sign in itertools.product(range(n), (1.0, -1.0))]
    kink_coords = sorted(kink_coords)
    if 0 < len(kink_coords) <= _MAX_PATTERNS:
        for signs in itertools.product((1.0, -1.0), repeat=len(kink_coords)):
            u = rng.standard_normal(n)
            u[kink_coords] = np.array(signs) * np.abs(u[kink_coords])
            out.append(u)
    return [u / np.linalg.norm(u) for u in out]


def _aimed(sides, claim_at, n, rng, draws=4):
    """Rays into the orthant of the kink coordinates that the claim points at: on each, the side whose
    one-sided partial is nearer the claimed partial. For separable kinks (a sum of ReLUs at 0) that is
    the claim's own corner, e.g. the lecture's ReLU'(0) = 0 everywhere, among 2**k pieces."""
    known = [i for i in sides if i in claim_at]
    if not known:
        return []
    out = []
    for _ in range(draws):
        u = 1e-2 * rng.standard_normal(n)
        for i in known:
            left, right = sides[i]
            u[i] = (1.0 if abs(claim_at[i] - right) <= abs(claim_at[i] - left) else -1.0) * rng.uniform(0.5, 1.0)
        out.append(u / np.linalg.norm(u))
    return out


def _toward(d, sides, rng, nudges=4):
    """Rays meant to meet the piece whose gradient reaches furthest along d (where the claim sticks out
    of the hull found so far): along d (max-like kinks), against d (min-like kinks), and mostly along the
    kink coordinates, each towards the side whose one-sided partial is larger along d (separable kinks,
    such as ReLUs of either sign: there the kink coordinates alone decide the piece)."""
    greedy, top = 1e-3 * d, float(np.max(np.abs(d)))
    for i, (left, right) in sides.items():
        sign = rng.choice((-1.0, 1.0)) if d[i] == 0 else (1.0 if d[i] * right >= d[i] * left else -1.0)
        greedy[i] = sign * max(abs(d[i]), 1e-2 * top)
    return [_unit(b, rng) for b in (d, -d, greedy) for _ in range(nudges)]


def _limit(grad, z0, u, delta):
    """The limit of the gradient along the ray z0 + t u as t -> 0+, extrapolated from t = delta, delta/2,
    delta/4, and its error estimate (large when the three points straddle two pieces). None if f fails."""
    try:
        with np.errstate(all="ignore"):
            g1, g2, g3 = (grad(z0 + (delta / 2 ** k) * u) for k in range(3))
    except Exception:  # f undefined on this side of the point: this ray contributes no piece
        return None
    e1, e2 = 2 * g2 - g1, 2 * g3 - g2
    return e2, float(np.max(np.abs(e2 - e1)))


def _pieces(limits, rtol, atol):
    """The distinct limiting gradients (rays that straddle two pieces dropped), the tolerance for lying
    in their hull (rtol times the gradient scale, plus atol, plus the extrapolation error) and the scale."""
    limits = [(g, e) for g, e in filter(None, limits) if np.all(np.isfinite(g)) and np.isfinite(e)]
    if not limits:
        raise _Unavailable("no finite gradient beside the point")
    scale = max(max(float(np.max(np.abs(g))) for g, _ in limits), _TINY)
    # If no ray passes (gradients vanishing like |t|**p along every ray, as for |x|**3 at 0), keep them
    # all: their error estimates then widen the tolerance by what are only rounding-size amounts.
    kept = [(g, e) for g, e in limits if e <= _STRADDLE * scale + atol] or limits
    tol = rtol * scale + atol + _RICH_K * max(e for _, e in kept)
    reps = []
    for g, _ in kept:
        if not any(np.max(np.abs(g - r)) <= tol for r in reps):
            reps.append(g)
    return np.array(sorted(reps, key=lambda g: tuple(g))), tol, scale


def _nearest_in_hull(G, c):
    """Convex weights w minimising max_i |(w @ G - c)_i|, by a small LP (SciPy's HiGHS dual simplex):
    minimise s subject to -s <= w @ G - c <= s, sum(w) = 1, w >= 0. Returns w, w @ G, the distance and
    the LP's dual direction e, along which c reaches beyond every piece: c.e - max_j g_j.e = distance."""
    from scipy.optimize import linprog  # SciPy only here: numeric/ stays cheap to import

    m, k = G.shape
    unit = max(float(np.max(np.abs(G))), float(np.max(np.abs(c))), _TINY)  # a well-scaled LP
    Gs, cs = G / unit, c / unit
    A_ub = np.block([[Gs.T, -np.ones((k, 1))], [-Gs.T, -np.ones((k, 1))]])
    res = linprog(np.r_[np.zeros(m), 1.0], A_ub=A_ub, b_ub=np.r_[cs, -cs],
                  A_eq=np.r_[np.ones(m), 0.0][None, :], b_eq=[1.0], bounds=[(0, None)] * (m + 1),
                  method="highs-ds", options={"primal_feasibility_tolerance": 1e-10,
                                             "dual_feasibility_tolerance": 1e-10})
    if res.status != 0:
        raise _Unavailable(f"the hull LP failed: {res.message}")
    w = np.clip(res.x[:m], 0.0, None)
    w /= w.sum()  # the distance below is measured, not taken from the solver
    nearest = w @ G
    marg = res.ineqlin.marginals
    return w, nearest, float(np.max(np.abs(nearest - c))), marg[:k] - marg[k:]


def _hull(limits, claim, rtol, atol, sampler):
    pieces, tol, scale = _pieces(limits, rtol, atol)
    w, nearest, distance, outward = _nearest_in_hull(pieces, claim)
    return _Hull(pieces, w, nearest, distance, outward, tol, scale, sampler)


def _clarke(F, z0, P, claim, rtol, atol, samplers, sides, samples=_SAMPLES, seed=0, rounds=8):
    """The claim (as probe values P @ g) against the convex hull of the limiting gradients of F around
    z0. sides: {flat coordinate: (left, right) one-sided partials} where f has a kink along it.

    First rays: random, coordinate and sign-pattern directions. While the claim lies outside the hull,
    rays aimed where it sticks out (`_toward`) look for the missing pieces, so that a claim at a corner
    of a box of 2**k pieces (k ReLUs at 0, say) is reached without visiting all 2**k orthants."""
    rng = np.random.default_rng(seed)
    delta = _DELTA * max(1.0, float(np.max(np.abs(z0))))
    claim_at = {int(np.flatnonzero(p)[0]): c for p, c in zip(P, claim) if np.count_nonzero(p) == 1}
    dirs = _directions(z0.size, sides, samples, rng) + _aimed(sides, claim_at, z0.size, rng)
    name, grad = _pick_sampler(F, z0 + delta * dirs[0], P, delta, samplers)
    ray = lambda u: _limit(lambda z: grad(F, z, P, delta), z0, u, delta)  # noqa: E731
    limits = [ray(u) for u in dirs]
    hull = _hull(limits, claim, rtol, atol, name)
    for _ in range(rounds):
        if hull.inside:
            break
        limits += [ray(u) for u in _toward(P.T @ hull.outward, sides, rng)]
        before, hull = hull.distance, _hull(limits, claim, rtol, atol, name)
        if hull.distance > before - hull.tolerance:
            break  # the aimed rays brought the hull no nearer: the claim is outside
    return hull


# --- the public checks -----------------------------------------------------------------------------

def check_gradient(f, grad, *args, wrt=None, oracles=_ORACLES, rtol=None, atol=None, seed=0,
                   max_full=64, directions=8, name=None) -> GradientCheck:
    """Compare grad(*args) with the gradient of the scalar f(*args) given by independent oracles.

    Tolerances: the default rtol is sqrt(eps) of the lowest float precision among the differentiated
    arguments and the claim (float64: 1.5e-8, float32: 3.5e-4). A wrong formula is off by O(1), while
    rounding in a correct claim stays many orders below sqrt(eps), so that midpoint separates the two
    with a wide margin either way. Errors are measured against scale = max|r| over the oracle's
    whole gradient (never an absolute tolerance alone), so a gradient of size 1e-20 that is off by a
    factor 2 fails. Richardson is trusted to max(rtol * scale, 10 * its error estimate). atol
    (default 0) is added to every allowance, for gradients that are exactly zero.
    Oracles run in float64 (float32 arguments are promoted) so the reference is never the
    bottleneck; the claim's own precision enters only through the tolerance.
    Arguments with more than max_full elements are checked along `directions` random unit
    directions drawn with np.random.default_rng(seed).

    At a kink the oracles return conventions (autograd's maximum splits a tie evenly: ReLU'(0) = 0.5),
    so a claim that fails only on probes showing a kink (oracles disagreeing, or one-sided differences
    differing) is judged by the Clarke test instead: it passes iff it lies, within the tolerance, in
    the convex hull of the limiting gradients sampled around the point (see `check_kink`).
    """
    unknown = set(oracles) - set(_ORACLES)
    if unknown:
        raise ValueError(f"unknown oracles {sorted(unknown)}; choose from {_ORACLES}")
    wrt = _wrt(args, wrt)
    names = _arg_names(f, len(args))
    claim = _claim(grad, args, wrt, names)
    rtol, atol = _rtol(args, wrt, claim, rtol), 0.0 if atol is None else float(atol)
    args64 = _promote(args, wrt)
    probes, claim_vals, modes = _probes(args64, wrt, names, claim, max_full, directions, seed)
    s = _Setup(f, args64, wrt, probes, claim_vals)
    status, vals, rich_err = _run_oracles(s, oracles)
    cmp = _Comparison(claim_vals, vals, rich_err, rtol, atol, [o for o in oracles if o in vals])
    verdict = _oracle_verdict(s, cmp)
    if not verdict["passed"] and cmp.used:
        verdict = _kink_verdict(s, cmp, verdict, [o for o in _ORACLES if o in oracles], seed)
    return GradientCheck(**verdict, oracles=status, mode=_mode_text(modes), tolerance=rtol,
                         name=name or getattr(f, "__name__", "f"))


def _autograd_at(F, z0):
    """What autograd returns at the point itself (its convention at a kink), or why it cannot."""
    try:
        import autograd
        with np.errstate(all="ignore"):
            return np.asarray(autograd.grad(F)(z0), dtype=np.float64).ravel(), ""
    except Exception as e:  # autograd-incompatible f: the kink check itself does not need it
        return None, f"autograd {_fail_reason(e)}"


def check_kink(f, claimed, x0, h=None, rtol=None, *, atol=0.0, samples=_SAMPLES, seed=0) -> KinkCheck:
    """Accept a claimed gradient of f at x0 (scalar or array, f of the same kind) iff it lies in the Clarke
    generalised gradient: the convex hull of the limiting gradients of the smooth pieces around x0.

    Limiting gradients: gradients (autograd, else complex-step, else Richardson) at x0 + t u for t = d,
    d/2, d/4 (d = 1e-8 * max(1, |x0|)), extrapolated to t -> 0, along seeded rays u (`_clarke`: random,
    coordinate and sign-pattern rays, rays aimed at the claim's corner, then rays aimed where the claim
    sticks out of the hull found so far); duplicates merged. A point within d of a kink counts as on it.
    Membership is a small LP (`scipy.optimize.linprog`), within rtol (default sqrt(eps64)) times the
    gradient scale, plus atol, plus 10x the extrapolation error. A smooth f has one piece: the claim
    must equal it. The Clarke gradient is that of a locally Lipschitz f: a jump (a step) is not
    detected here. One-sided partial derivatives (Richardson, from h = 1e-3 * max(1, |x0|)) are
    reported as left/right; they also tell which coordinates are at a kink.

    Autograd's convention at the ReLU kink, measured with autograd 1.9.1 (autograd.grad at z = 0.0):
    ``np.maximum(z, 0)`` gives 0.5 -- its VJP splits the gradient evenly between tied arguments
    (``balanced_eq`` in autograd.numpy.numpy_vjps); the leaky ``np.maximum(z, 0.1*z)`` likewise gives
    the average 0.55. ``np.where(z > 0, z, 0)`` gives 0.0 -- at z = 0 the condition is False and the
    constant branch is selected. Both lie in the subdifferential [0, 1], so both are accepted.
    """
    scalar, shape = np.ndim(x0) == 0, np.shape(x0)
    z0 = np.asarray(x0, dtype=np.float64).ravel()
    c = np.asarray(claimed, dtype=np.float64).ravel()
    if c.size != z0.size:
        raise ValueError(f"claimed gradient has {c.size} entries, the point has {z0.size}")
    F = (lambda z: f(z[0])) if scalar else (lambda z: f(z.reshape(shape)))
    h = 1e-3 * max(1.0, float(np.max(np.abs(z0)))) if h is None else float(h)
    rtol = float(np.sqrt(_EPS64)) if rtol is None else float(rtol)
    eye = np.eye(z0.size)
    sides = [_one_sided(lambda t, e=e: F(z0 + t * e), h) for e in eye]
    kinks = {j: sd[:2] for j, sd in enumerate(sides) if _sides_differ(*sd, rtol, 0.0)}
    hull = _clarke(F, z0, eye, c, rtol, float(atol), _ORACLES, kinks, samples, seed)
    ag, note = _autograd_at(F, z0)
    out = (lambda v: float(v[0])) if scalar else (lambda v: tuple(float(x) for x in v))
    return KinkCheck(x0=out(z0), left=out([sd[0] for sd in sides]), right=out([sd[1] for sd in sides]),
                     claimed=out(c), accepted=hull.inside, autograd=None if ag is None else out(ag),
                     tolerance=float(hull.tolerance), note=note,
                     pieces=tuple(out(p) for p in hull.pieces), weights=tuple(float(w) for w in hull.weights),
                     distance=hull.distance, sampler=hull.sampler)


__all__ = ["check_gradient", "check_kink", "GradientCheck", "KinkCheck"]
