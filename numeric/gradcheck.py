"""Check a claimed gradient against autograd, complex-step and Richardson oracles, scale-aware."""
from __future__ import annotations

import inspect
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


class _NotAnalytic(Exception):
    pass


@dataclass(frozen=True)
class GradientCheck:
    """Verdict of `check_gradient`; errors are relative to the oracle's gradient scale (max |r|)."""

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

    def summary(self) -> str:
        used = [o for o, s in self.oracles.items() if s == "used"] or ["none"]
        vals = ", ".join(f"{k}={v:.6g}" for k, v in self.values.items())
        return (f"[{'PASS' if self.passed else 'FAIL'}] {self.name}: max rel err {self.max_rel_err:.3g} "
                f"(tol {self.tolerance:.3g}, abs {self.max_abs_err:.3g}) at {self.worst} [{vals}]; "
                f"oracles: {', '.join(used)}; {self.mode}; {self.disagreeing}")

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class KinkCheck:
    """One-sided derivatives of a scalar f at x0 and whether the claimed derivative lies between them."""

    x0: float
    left: float
    right: float
    claimed: float
    accepted: bool
    autograd: float | None
    tolerance: float
    note: str = ""

    def as_dict(self) -> dict:
        return asdict(self)


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
    """
    unknown = set(oracles) - set(_ORACLES)
    if unknown:
        raise ValueError(f"unknown oracles {sorted(unknown)}; choose from {_ORACLES}")
    if wrt is None:
        wrt = tuple(i for i, a in enumerate(args) if _is_float_arg(a))
    elif isinstance(wrt, int):
        wrt = (wrt,)
    wrt = tuple(wrt)
    if not wrt:
        raise ValueError("no float arguments to differentiate")
    names = _arg_names(f, len(args))
    name = name or getattr(f, "__name__", "f")

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

    dtypes = [np.asarray(args[i]).dtype for i in wrt] + [c.dtype for c in claim]
    eps = max(np.finfo(d).eps if np.issubdtype(d, np.floating) else _EPS64 for d in dtypes)
    rtol = float(np.sqrt(eps)) if rtol is None else float(rtol)
    atol = 0.0 if atol is None else float(atol)

    # Promote the differentiated arguments; scalars stay scalars so f sees the kind it expects.
    args64 = list(args)
    for i in wrt:
        a = args[i]
        args64[i] = np.float64(a) if np.ndim(a) == 0 else np.asarray(a, dtype=np.float64)

    # Probes: a list of (argument index, direction array, label) and the claim along each.
    rng = np.random.default_rng(seed)
    probes, claim_vals, modes = [], [], []
    for i, c in zip(wrt, claim):
        x = np.asarray(args64[i])
        c = c.astype(np.float64)
        if x.size <= max_full:
            modes.append((names[i], "full"))
            for j in range(x.size):
                e = np.zeros(x.shape)
                e.flat[j] = 1.0
                idx = np.unravel_index(j, x.shape) if x.ndim else ()
                probes.append((i, e, f"argument {i} ({names[i]}), index {tuple(int(k) for k in idx)}"))
                claim_vals.append(c.flat[j])
        else:
            modes.append((names[i], f"directions (seed={seed}, k={directions})"))
            for k in range(directions):
                v = rng.standard_normal(x.shape)
                v /= np.linalg.norm(v)
                probes.append((i, v, f"argument {i} ({names[i]}), direction {k} of {directions}"))
                claim_vals.append(float(np.sum(c * v)))
    claim_vals = np.array(claim_vals)
    if not probes:
        raise ValueError("the differentiated arguments are empty")

    def shifted(i, d, t):
        a = list(args64)
        a[i] = args64[i] + t * d if np.ndim(args64[i]) else args64[i] + t * d[()]
        return a

    def along(i, d, t):
        return float(f(*shifted(i, d, t)))

    def rich(p):
        i, d, _ = p
        h0 = 1e-3 * max(1.0, float(np.max(np.abs(args64[i]))))
        return _richardson(lambda t: along(i, d, t), h0)

    status, vals, rich_err = {}, {}, None
    probe_at = int(np.argmax(np.abs(claim_vals)))
    need_rich = "richardson" in oracles or "complex-step" in oracles
    probe_rich = (np.nan, np.inf)
    if need_rich:
        full_rich = "richardson" in oracles
        try:
            with np.errstate(all="ignore"):
                est = np.array([rich(p) for p in (probes if full_rich else [probes[probe_at]])])
            probe_rich = est[probe_at if full_rich else 0]
            if full_rich and not np.all(np.isfinite(est)):
                status["richardson"] = "unavailable: non-finite differences (step leaves the domain?)"
            elif full_rich:
                status["richardson"], vals["richardson"], rich_err = "used", est[:, 0], est[:, 1]
        except Exception as e:  # f failing at a shifted point (e.g. outside its domain)
            if full_rich:
                status["richardson"] = _fail_reason(e)

    if "complex-step" in oracles:
        def cs(p):
            i, d, _ = p
            out = f(*shifted(i, d, 1j * _CS_STEP))
            if not np.iscomplexobj(out):
                raise _NotAnalytic("f returns a real result for complex input")
            return float(np.imag(out)) / _CS_STEP
        try:
            with warnings.catch_warnings(), np.errstate(all="ignore"):
                # Casting complex to real inside f silently drops the imaginary part; make it loud.
                warnings.simplefilter("error", _ComplexWarning)
                v0 = cs(probes[probe_at])
                if not np.isfinite(v0):
                    raise _NotAnalytic("imaginary part is not finite")
                r0, e0 = probe_rich
                if np.isfinite(r0) and abs(v0 - r0) > 10 * e0 + 1e-6 * max(abs(v0), abs(r0)):
                    raise _NotAnalytic(f"not analytic here: complex step {v0:.6g} vs richardson "
                                       f"{r0:.6g} at {probes[probe_at][2]}")
                cvals = np.array([cs(p) for p in probes])
            status["complex-step"] = "used" if np.all(np.isfinite(cvals)) else \
                "unavailable: imaginary part is not finite"
            if status["complex-step"] == "used":
                vals["complex-step"] = cvals
        except _NotAnalytic as e:
            status["complex-step"] = f"unavailable: {e}"
        except Exception as e:  # any failure on complex input means the oracle does not apply
            status["complex-step"] = _fail_reason(e)

    if "autograd" in oracles:
        try:
            import autograd
            with np.errstate(all="ignore"):
                g = {i: np.asarray(autograd.grad(f, argnum=i)(*args64), dtype=np.float64) for i in wrt}
            avals = np.array([float(np.sum(g[i] * d)) for i, d, _ in probes])
            if np.all(np.isfinite(avals)):
                status["autograd"], vals["autograd"] = "used", avals
            else:
                status["autograd"] = "unavailable: non-finite gradient"
        except Exception as e:  # autograd-incompatible f: record, never crash
            status["autograd"] = _fail_reason(e)

    status = {o: status[o] for o in oracles}
    scale = {o: max(float(np.max(np.abs(v))), _TINY) for o, v in vals.items()}

    def allowance(o):
        a = rtol * scale[o] + atol
        return np.maximum(a, _RICH_K * rich_err + atol) if o == "richardson" else a

    used = [o for o in oracles if o in vals]
    ok = {o: bool(np.all(np.abs(claim_vals - vals[o]) <= allowance(o))) for o in used}
    passed = bool(used) and all(ok.values())

    # Per component, where both exact oracles agree on it to 1e-10 of its own size: there the
    # value is known, however small next to the largest component (a factor 2 on a 1e-40 entry
    # of a depth-64 gradient is caught); where they don't agree (cancellation), scale rules.
    firm_bad = np.zeros(len(claim_vals), dtype=bool)
    if "autograd" in vals and "complex-step" in vals:
        a, c = vals["autograd"], vals["complex-step"]
        firm = np.abs(a - c) <= 1e-10 * np.abs(a)
        firm_bad = firm & (np.abs(claim_vals - a) > rtol * np.abs(a) + atol)
        if firm_bad.any():
            passed = False
            ok = {o: False if o in ("autograd", "complex-step") else v for o, v in ok.items()}

    worst_abs, worst_rel, worst_at = 0.0, 0.0, probe_at
    for o in used:
        err = np.abs(claim_vals - vals[o])
        j = int(np.argmax(err / scale[o]))
        worst_abs = max(worst_abs, float(err.max()))
        if err[j] / scale[o] >= worst_rel:
            worst_rel, worst_at = float(err[j] / scale[o]), j
    if firm_bad.any():
        rel = np.abs(claim_vals - vals["autograd"]) / np.maximum(np.abs(vals["autograd"]), _TINY)
        worst_at = int(np.argmax(np.where(firm_bad, rel, 0.0)))
        worst_rel = max(worst_rel, float(rel[worst_at]))
    values = {"claim": float(claim_vals[worst_at])}
    values.update({o: float(vals[o][worst_at]) for o in used})
    if "richardson" in vals:
        values["richardson_err"] = float(rich_err[worst_at])

    # Oracle vs oracle: either side's allowance, since neither is the reference.
    pairs = {(a, b): bool(np.all(np.abs(vals[a] - vals[b]) <= np.maximum(allowance(a), allowance(b))))
             for a in used for b in used if a < b}
    disagreeing = _explain(ok, pairs, used)
    if len({m for _, m in modes}) == 1:
        mode = modes[0][1]
    else:
        mode = "mixed: " + "; ".join(f"{m} for {n}" for n, m in modes)
    return GradientCheck(passed=passed, max_abs_err=worst_abs, max_rel_err=worst_rel,
                         worst=probes[worst_at][2], values=values, disagreeing=disagreeing,
                         oracles=status, mode=mode, tolerance=rtol, name=name)


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


def check_kink(f, claimed_value, x0, h=None, rtol=None) -> KinkCheck:
    """Accept a claimed derivative of scalar f at a breakpoint x0 iff it lies between the one-sided
    derivatives (inclusive, within tolerance); also report what autograd returns at x0.

    One-sided derivatives come from forward/backward differences with Richardson extrapolation,
    starting at h = 1e-3 * max(1, |x0|). Tolerance: rtol (default sqrt(eps64)) times the larger
    one-sided slope, plus 10x the extrapolation error estimates.

    Autograd's convention at the ReLU kink, measured with autograd 1.9.1 (autograd.grad at z = 0.0):
    ``np.maximum(z, 0)`` gives 0.5 -- its VJP splits the gradient evenly between tied arguments
    (``balanced_eq`` in autograd.numpy.numpy_vjps); the leaky ``np.maximum(z, 0.1*z)`` likewise gives
    the average 0.55. ``np.where(z > 0, z, 0)`` gives 0.0 -- at z = 0 the condition is False and the
    constant branch is selected. Both lie in the subdifferential [0, 1], so both are accepted.
    """
    x0 = float(x0)
    h = 1e-3 * max(1.0, abs(x0)) if h is None else float(h)
    rtol = float(np.sqrt(_EPS64)) if rtol is None else float(rtol)
    with np.errstate(all="ignore"):
        left, el = _richardson(lambda t: float(f(x0 + t)), h, one_sided=-1)
        right, er = _richardson(lambda t: float(f(x0 + t)), h, one_sided=+1)
    tol = rtol * max(abs(left), abs(right), _TINY) + _RICH_K * max(el, er)
    lo, hi = min(left, right), max(left, right)
    claimed = float(claimed_value)
    accepted = bool(lo - tol <= claimed <= hi + tol)
    ag, note = None, ""
    try:
        import autograd
        ag = float(autograd.grad(f)(x0))
    except Exception as e:  # autograd-incompatible f: the kink check itself does not need it
        note = f"autograd {_fail_reason(e)}"
    return KinkCheck(x0=x0, left=float(left), right=float(right), claimed=claimed, accepted=accepted,
                     autograd=ag, tolerance=float(tol), note=note)


__all__ = ["check_gradient", "check_kink", "GradientCheck", "KinkCheck"]
