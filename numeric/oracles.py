"""What the gradient checks' derivative oracles share: Richardson-extrapolated differences (central and
one-sided), the complex step's step, and the exception for an oracle that does not apply."""
from __future__ import annotations

import numpy as np

from .floats import EPS, TINY

ORACLES = ("autograd", "complex-step", "richardson")
CS_STEP = 1e-200
# The complex step's truncation error is relative (h/L)^2, L f's length scale, and its imaginary part
# h f'(x) underflows when h |f'| leaves the normal range: steps stay at most CS_REL times the argument's
# magnitude (L ~ |x| for log, powers) and at least TINY, and grow to CS_REL * max(1, |x|) where the
# imaginary part underflowed (a gradient of 1e-188 at h = 1e-200 is 1e-388: 0).
CS_REL = 1e-20
# Below the normal range floats have the fixed absolute spacing 2**-1074: a value computed through
# intermediates that underflow is known only to some of those units, however small its relative
# tolerance. 1024 units: each rounding into the subnormal range costs at most half of one.
UNDERFLOW = 2.0 ** -1064
# Richardson is trusted to k times its own error estimate: the estimate (difference of the last
# two diagonal tableau entries) is only an order-of-magnitude statement.
RICH_K = 10.0
_RICH_LEVELS = 6
ComplexWarning = getattr(getattr(np, "exceptions", np), "ComplexWarning", Warning)


class Unavailable(ValueError):
    """An oracle (or the Clarke test) does not apply here; the message says why."""


def fail_reason(e: BaseException) -> str:
    """Why an oracle could not run, in one line."""
    msg = str(e).splitlines()[0] if str(e) else ""
    return f"unavailable: {type(e).__name__}: {msg[:160]}"


def richardson(phi, h0, one_sided=0):
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
    # f's resolution, or values that underflowed to 0), so add the cancellation floor of the smallest
    # step explicitly: relative rounding of f's values, and the absolute spacing below the normal range.
    err = max(err, 4 * (EPS * fmax + UNDERFLOW) / (h0 / 2 ** (_RICH_LEVELS - 1)))
    return rows[-1][-1], err


def cs_steps(scale):
    """The complex step for an argument of magnitude `scale` (max |x|), and the larger step to retry with
    when the imaginary part underflows (None: no larger step is safe). See CS_REL."""
    first = CS_STEP * max(1.0, scale)
    if scale > 0:
        first = max(min(first, CS_REL * scale), TINY)
    retry = CS_REL * max(1.0, scale)
    return first, (retry if retry > first else None)


def complex_step(phi, h):
    """phi's derivative at 0 by the complex step Im phi(ih) / h, and its error floor (the imaginary part's
    underflow, UNDERFLOW / h). Unavailable when phi returns a real result for complex input."""
    out = phi(1j * h)
    if not np.iscomplexobj(out):
        raise Unavailable("f returns a real result for complex input")
    return float(np.imag(out)) / h, UNDERFLOW / h


def underflowed(value, h):
    """Whether the complex step's imaginary part value * h lost digits below the normal range."""
    return abs(value) * h < TINY / EPS


def one_sided_derivatives(phi, h0):
    """Backward and forward derivatives of phi at 0, each with its error estimate (nan when f fails)."""
    try:
        with np.errstate(all="ignore"):
            left, el = richardson(lambda t: float(phi(t)), h0, one_sided=-1)
            right, er = richardson(lambda t: float(phi(t)), h0, one_sided=+1)
    except Exception:  # f failing beside the point (e.g. outside its domain): no evidence either way
        return np.nan, np.nan, np.inf, np.inf
    return left, right, el, er


def sides_differ(left, right, el, er, rtol, scale):
    """A kink in f's own values: the one-sided derivatives differ beyond their error estimates."""
    if not np.all(np.isfinite([left, right, el, er])):
        return False
    return bool(abs(left - right) > RICH_K * (el + er) + rtol * max(abs(left), abs(right), scale))
