"""What the gradient checks' derivative oracles share: Richardson-extrapolated differences (central and
one-sided), the complex step's step, and the exception for an oracle that does not apply."""
from __future__ import annotations

import numpy as np

from .floats import EPS

ORACLES = ("autograd", "complex-step", "richardson")
CS_STEP = 1e-200
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
    # f's resolution), so add the cancellation floor of the smallest step explicitly.
    err = max(err, 4 * EPS * fmax / (h0 / 2 ** (_RICH_LEVELS - 1)))
    return rows[-1][-1], err


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
