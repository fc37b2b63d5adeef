"""The Clarke generalised gradient at a kink: limiting gradients sampled on rays around the point, and
whether a claimed gradient lies in their convex hull."""
from __future__ import annotations

import itertools
import warnings
from dataclasses import asdict, dataclass

import numpy as np

from .floats import EPS, TINY
from .oracles import (ORACLES, RICH_K, ComplexWarning, Unavailable, cs_steps, fail_reason,
                      one_sided_derivatives, richardson, sides_differ)

# Clarke sampling: gradients at z0 + delta*u, delta = _DELTA * max(1, |z0|), halved twice for the
# extrapolation to delta -> 0. A sample whose three gradients do not extrapolate consistently (to
# _STRADDLE of the gradient scale) straddles two pieces and is dropped.
_DELTA = 1e-8
_STRADDLE = 1e-6
_SAMPLES = 64
_MAX_COORDS = 64    # nudged coordinate directions +-e_i up to this many coordinates
_MAX_PATTERNS = 8   # one direction per sign pattern of the kink coordinates, up to 2**8 patterns


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


@dataclass(frozen=True)
class Hull:
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
    h, _ = cs_steps(float(np.max(np.abs(z))))  # relative to |z|, as check_gradient's (see oracles.CS_REL)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ComplexWarning)
        out = [F(z + 1j * h * p) for p in P]
    if not all(np.iscomplexobj(o) for o in out):
        raise Unavailable("f returns a real result for complex input")
    return np.array([float(np.imag(o)) for o in out]) / h


def _grad_richardson(F, z, P, delta):
    # Coarse: steps well inside the distance to the kink, so rounding limits it to ~1e-7 of |f|.
    return np.array([richardson(lambda t: float(F(z + t * p)), delta / 64)[0] for p in P])


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
    raise Unavailable(f"no gradient oracle works beside the point ({'; '.join(reasons)})")


def _unit(u, rng, nudge=1e-2):
    """u as a unit direction, nudged at random so the ray leaves every tie (a ray along a tie would
    see f's convention there, not a limiting gradient)."""
    u = u / max(float(np.linalg.norm(u)), TINY)
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
        raise Unavailable("no finite gradient beside the point")
    scale = max(max(float(np.max(np.abs(g))) for g, _ in limits), TINY)
    # If no ray passes (gradients vanishing like |t|**p along every ray, as for |x|**3 at 0), keep them
    # all: their error estimates then widen the tolerance by what are only rounding-size amounts.
    kept = [(g, e) for g, e in limits if e <= _STRADDLE * scale + atol] or limits
    tol = rtol * scale + atol + RICH_K * max(e for _, e in kept)
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
    unit = max(float(np.max(np.abs(G))), float(np.max(np.abs(c))), TINY)  # a well-scaled LP
    Gs, cs = G / unit, c / unit
    A_ub = np.block([[Gs.T, -np.ones((k, 1))], [-Gs.T, -np.ones((k, 1))]])
    res = linprog(np.r_[np.zeros(m), 1.0], A_ub=A_ub, b_ub=np.r_[cs, -cs],
                  A_eq=np.r_[np.ones(m), 0.0][None, :], b_eq=[1.0], bounds=[(0, None)] * (m + 1),
                  method="highs-ds", options={"primal_feasibility_tolerance": 1e-10,
                                             "dual_feasibility_tolerance": 1e-10})
    if res.status != 0:
        raise Unavailable(f"the hull LP failed: {res.message}")
    w = np.clip(res.x[:m], 0.0, None)
    w /= w.sum()  # the distance below is measured, not taken from the solver
    nearest = w @ G
    marg = res.ineqlin.marginals
    return w, nearest, float(np.max(np.abs(nearest - c))), marg[:k] - marg[k:]


def _hull(limits, claim, rtol, atol, sampler):
    pieces, tol, scale = _pieces(limits, rtol, atol)
    w, nearest, distance, outward = _nearest_in_hull(pieces, claim)
    return Hull(pieces, w, nearest, distance, outward, tol, scale, sampler)


def clarke_hull(F, z0, P, claim, rtol, atol, samplers, sides, samples=_SAMPLES, seed=0, rounds=8):
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


def _autograd_at(F, z0):
    """What autograd returns at the point itself (its convention at a kink), or why it cannot."""
    try:
        import autograd
        with np.errstate(all="ignore"):
            return np.asarray(autograd.grad(F)(z0), dtype=np.float64).ravel(), ""
    except Exception as e:  # autograd-incompatible f: the kink check itself does not need it
        return None, f"autograd {fail_reason(e)}"


def check_kink(f, claimed, x0, h=None, rtol=None, *, atol=0.0, samples=_SAMPLES, seed=0) -> KinkCheck:
    """Accept a claimed gradient of f at x0 (scalar or array, f of the same kind) iff it lies in the Clarke
    generalised gradient: the convex hull of the limiting gradients of the smooth pieces around x0.

    Limiting gradients: gradients (autograd, else complex-step, else Richardson) at x0 + t u for t = d,
    d/2, d/4 (d = 1e-8 * max(1, |x0|)), extrapolated to t -> 0, along seeded rays u (`clarke_hull`: random,
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
    rtol = float(np.sqrt(EPS)) if rtol is None else float(rtol)
    eye = np.eye(z0.size)
    sides = [one_sided_derivatives(lambda t, e=e: F(z0 + t * e), h) for e in eye]
    kinks = {j: sd[:2] for j, sd in enumerate(sides) if sides_differ(*sd, rtol, 0.0)}
    hull = clarke_hull(F, z0, eye, c, rtol, float(atol), ORACLES, kinks, samples, seed)
    ag, note = _autograd_at(F, z0)
    out = (lambda v: float(v[0])) if scalar else (lambda v: tuple(float(x) for x in v))
    return KinkCheck(x0=out(z0), left=out([sd[0] for sd in sides]), right=out([sd[1] for sd in sides]),
                     claimed=out(c), accepted=hull.inside, autograd=None if ag is None else out(ag),
                     tolerance=float(hull.tolerance), note=note,
                     pieces=tuple(out(p) for p in hull.pieces), weights=tuple(float(w) for w in hull.weights),
                     distance=hull.distance, sampler=hull.sampler)


__all__ = ["check_kink", "clarke_hull", "Hull", "KinkCheck"]
