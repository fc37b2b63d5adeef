"""The independent numeric route: SymPy trees computed by mpmath alone, never by SymPy's doit or evalf.

Each SymPy head is an entry of ``RULES`` (one function per head, found along the class's MRO, as
SymPy's printers find their methods); a head without an entry raises ``NotEvaluable`` naming it, so
nothing is evaluated by guessing. Integrals, sums, products, limits, substitutions and derivatives
(scalar, Indexed, entrywise with respect to matrices, mixed) go to mpmath's quad, direct summation or
nsum, limit, evaluation at the substituted point and diff.

While it evaluates, the evaluator records the largest term of any sum that cancelled (``Trace.scale``)
and how many digits its approximate operations may have lost (``Trace.lost``): together they bound the
rounding noise of a value, which is how the prover tells a real difference from noise.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass, field

import mpmath
import sympy as sp

from .entrywise import Map
from .families import Layered
from .matrices import Grad, Jacobian, scalar

_MAX_TERMS = 20_000      # direct summation beyond this is refused (nsum handles infinite ranges)


class NotEvaluable(Exception):
    """mpmath cannot evaluate this expression here; the step cannot be confirmed (the reason is the message)."""


class Diverges(NotEvaluable):
    """An integral or series that diverges here: where the other side of a claim is finite, a counterexample."""


_LOST_CAP = 10_000.0     # "every digit": a value computed with no accuracy at all


@dataclass
class Trace:
    """What one evaluation saw: the largest term of a sum that cancelled, and the digits that
    ill-conditioned functions and approximate operations may have cost (passed on to the parent
    evaluation, ``factor`` times, for an operation built on this one, e.g. a numeric derivative)."""

    scale: object = 0
    lost: float = 0.0
    parent: "Trace | None" = None
    factor: float = 1.0
    reach: object = 0            # largest |f|/|x|^k of a numeric derivative by a matrix entry: what it must resolve
    absorbed: bool = False       # a nonzero term vanished below the precision of a sum
    approximate: bool = False    # quad, nsum, limit or diff: errors set by the method, not the precision alone

    def absorb(self):
        self.absorbed = True
        if self.parent is not None:
            self.parent.absorb()

    def approximated(self):
        self.approximate = True
        if self.parent is not None:
            self.parent.approximated()

    def reached(self, v):
        if v > self.reach:
            self.reach = v
            if self.parent is not None:
                self.parent.reached(v)

    def lose(self, digits):
        digits = min(float(digits), _LOST_CAP)
        if digits > self.lost:
            self.lost = digits
            if self.parent is not None:
                self.parent.lose(digits * self.factor)

    def saw(self, terms, total):
        """Record an addition's largest term when the sum cancels at least three digits of it: only
        then does its rounding noise stand out against what the result carries on."""
        sizes = [_magnitude(t) for t in terms]
        m, size = max(sizes, default=0), _magnitude(total)
        if m > self.scale and size * 1000 < m:
            self.scale = m
        if not self.absorbed:
            floor = size * mpmath.mpf(10) ** (3 - mpmath.mp.dps)
            if any(0 < s < floor for s in sizes):
                self.absorb()


@dataclass
class Env:
    """Values of the free symbols, of Indexed entries (by a callback), and of the dimension symbols."""

    values: dict
    indexed: object                       # (base label, integer indices) -> value
    trace: Trace = field(default_factory=Trace)
    memo: dict = field(default_factory=dict)   # values of defined functions already computed here

    def bind(self, extra):
        return Env({**self.values, **extra}, self.indexed, self.trace, self.memo)

    def apart(self, extra, factor=1.0):
        """Bound like ``bind``, with a trace of its own for the inner evaluations of an approximate
        operation (quad, diff, limit, nsum): their cancellations are that operation's business, but
        the digits they lose are lost for the result too (``factor`` times)."""
        return Env({**self.values, **extra}, self.indexed, Trace(parent=self.trace, factor=factor), self.memo)


def _magnitude(v):
    if isinstance(v, mpmath.matrix):
        return max((abs(x) for x in v), default=mpmath.mpf(0))
    return abs(v)


def evaluate(expr, env: Env):
    """The value of a SymPy expression in ``env``: an mpf/mpc, or an mpmath matrix for a matrix expression."""
    for cls in type(expr).__mro__:
        rule = RULES.get(cls)
        if rule is not None:
            return rule(expr, env)
    if isinstance(expr, sp.Function) and hasattr(type(expr), "definition"):
        return _defined(expr, env)
    raise NotEvaluable(f"the numeric route has no rule for {type(expr).__name__} (in {sp.sstr(expr)[:80]})")


def _args(expr, env):
    return [evaluate(a, env) for a in expr.args]


# ---- numbers and symbols -------------------------------------------------------------------------

def _symbol(e, env):
    try:
        return env.values[e]
    except KeyError:
        draw = getattr(env.indexed, "matrix", None)
        if isinstance(e, sp.MatrixSymbol) and draw is not None:
            # a layer's matrix that a definition made at the sampled depth (W_7 of an L = 9 network)
            return draw(e, _dim(e.rows, env), _dim(e.cols, env))
        raise NotEvaluable(f"no value for the symbol {e}") from None


def _integer(e, env):
    return mpmath.mpf(int(e))


def _rational(e, env):
    return mpmath.mpf(int(e.p)) / int(e.q)


def _float(e, env):
    return mpmath.mpf(e._mpf_)


_CONSTANTS = {sp.pi: lambda: +mpmath.pi, sp.E: lambda: mpmath.e, sp.EulerGamma: lambda: +mpmath.euler,
              sp.GoldenRatio: lambda: +mpmath.phi, sp.Catalan: lambda: +mpmath.catalan,
              sp.I: lambda: mpmath.mpc(0, 1), sp.oo: lambda: mpmath.inf, -sp.oo: lambda: -mpmath.inf}


def _constant(e, env):
    if e in _CONSTANTS:
        return _CONSTANTS[e]()
    raise NotEvaluable(f"no numeric value for the constant {e}")


# ---- arithmetic ------------------------------------------------------------------------------------

def _add(e, env):
    terms = _args(e, env)
    out = terms[0]
    for t in terms[1:]:
        out = out + t
    env.trace.saw(terms, out)
    return out


def _mul(e, env):
    out = mpmath.mpf(1)
    for a in _args(e, env):
        out = out * a
    return out


def _real_int(v):
    """v as a Python int when it is an exact integer value, else None."""
    if isinstance(v, mpmath.mpc):
        if v.imag != 0:
            return None
        v = v.real
    if isinstance(v, mpmath.mpf) and mpmath.isint(v) and abs(v) < 10**9:
        return int(v)
    return None


def _pow(e, env):
    b = evaluate(e.base, env)
    if e.exp.is_Integer:
        k = int(e.exp)
        if isinstance(b, mpmath.matrix):
            return b ** k
        if b == 0 and k < 0:
            raise NotEvaluable("division by zero")
        return b ** k
    x = evaluate(e.exp, env)
    if b == 0:
        if x == 0:
            return mpmath.mpf(1)                 # SymPy's 0**0 = 1
        if mpmath.re(x) > 0:
            return mpmath.mpf(0)
        raise NotEvaluable("0 to a non-positive power")
    _amplified(env, x * mpmath.log(b))
    return mpmath.power(b, x)


def _real(v, what):
    if isinstance(v, mpmath.mpc):
        if v.imag != 0:
            raise NotEvaluable(f"{what} of a complex value")
        return v.real
    return v


def _unary(fn, amplifies=False):
    """A one-argument function; ``amplifies``: its condition number grows like |x| (exp, sin, …),
    so the digits of |x| are recorded as lost."""
    def rule(e, env):
        x = _one_by_one(evaluate(e.args[0], env))
        if amplifies:
            _amplified(env, x)
        return fn(x)
    return rule


def _amplified(env, x):
    m = abs(x)
    if m > 1:
        env.trace.lose(mpmath.log10(m))


def _one_by_one(v):
    """A 1×1 matrix where a scalar function is applied (exp(wᵀx)) is its entry; larger ones are refused."""
    if isinstance(v, mpmath.matrix):
        if (v.rows, v.cols) != (1, 1):
            raise NotEvaluable(f"a scalar function of a {v.rows}x{v.cols} matrix")
        return v[0, 0]
    return v


def _log(e, env):
    x = _one_by_one(evaluate(e.args[0], env))
    if x == 0:
        raise NotEvaluable("log(0)")
    value = mpmath.log(x)
    if abs(value) < 1:                # log's condition number is 1/|log x|: large next to x = 1
        env.trace.lose(_LOST_CAP if value == 0 else -mpmath.log10(abs(value)))
    if len(e.args) == 2:
        return value / mpmath.log(evaluate(e.args[1], env))
    return value


def _max(e, env):
    return max(_real(v, "max") for v in _args(e, env))


def _min(e, env):
    return min(_real(v, "min") for v in _args(e, env))


def _heaviside(e, env):
    x = _real(evaluate(e.args[0], env), "Heaviside")
    if x == 0:
        return evaluate(e.args[1], env) if len(e.args) > 1 else mpmath.mpf(0.5)
    return mpmath.mpf(1 if x > 0 else 0)


def _sign(e, env):
    x = evaluate(e.args[0], env)
    return mpmath.mpf(0) if x == 0 else x / abs(x)


def _floor(e, env):
    return mpmath.floor(_real(evaluate(e.args[0], env), "floor"))


def _ceiling(e, env):
    return mpmath.ceil(_real(evaluate(e.args[0], env), "ceiling"))


def _factorial(e, env):
    return mpmath.factorial(evaluate(e.args[0], env))


def _binomial(e, env):
    n, k = _args(e, env)
    return mpmath.binomial(n, k)


def _kronecker(e, env):
    i, j = _args(e, env)
    return mpmath.mpf(1 if i == j else 0)


# ---- logic (Piecewise conditions) -----------------------------------------------------------------

_COMPARE = {sp.StrictLessThan: lambda a, b: a < b, sp.LessThan: lambda a, b: a <= b,
            sp.StrictGreaterThan: lambda a, b: a > b, sp.GreaterThan: lambda a, b: a >= b,
            sp.Equality: lambda a, b: a == b, sp.Unequality: lambda a, b: a != b}


def _relational(e, env):
    a, b = (_real(v, "a comparison") for v in _args(e, env))
    return _COMPARE[type(e)](a, b)


def _and(e, env):
    return all(evaluate(a, env) for a in e.args)


def _or(e, env):
    return any(evaluate(a, env) for a in e.args)


def _not(e, env):
    return not evaluate(e.args[0], env)


def _piecewise(e, env):
    for value, cond in e.args:
        if evaluate(cond, env):
            return evaluate(value, env)
    raise NotEvaluable("no branch of a Piecewise applies")


# ---- defined functions (sigmoid, softplus, the library's recursive chains) -------------------------

def _defined(e, env):
    """A function known by its ``definition``: integer arguments are fixed first, so that recursive
    definitions (h_j = σ(w_j h_{j-1})) unroll to the sampled depth."""
    args = []
    for a in e.args:
        if _integer_variable(a):
            k = _real_int(evaluate(a, env))
            args.append(sp.Integer(k) if k is not None else a)
        else:
            args.append(a)
    value = _definition(type(e), tuple(args))
    if value is None:
        raise NotEvaluable(f"{type(e).__name__} has no value here (its definition needs integer arguments)")
    # A deep chain h_L contains h_{L-1}, …: each layer is computed once per point, precision and
    # values of its free symbols, not once per path that reaches it.
    key = (value, mpmath.mp.prec, env.indexed, tuple(_memo_value(env.values.get(s)) for s in _free(value)))
    if key not in env.memo:
        env.memo[key] = evaluate(value, env)
    return env.memo[key]


# Assumption queries and sorting are SymPy's slowest calls, and a deep chain asks the same ones at every
# layer, point and precision: ask once per expression.
@functools.lru_cache(maxsize=1 << 16)
def _integer_variable(a) -> bool:
    return bool(a.free_symbols) and bool(getattr(a, "is_integer", False))


@functools.lru_cache(maxsize=1 << 16)
def _free(value) -> tuple:
    return tuple(sorted(value.free_symbols, key=sp.default_sort_key))


def _memo_value(v):
    return tuple(v) if isinstance(v, mpmath.matrix) else v


_DEFINITIONS: dict = {}


def _definition(cls, args):
    """cls.definition(*args), built once per argument tuple (deep chains are evaluated many times)."""
    key = (cls, args)
    if key not in _DEFINITIONS:
        if len(_DEFINITIONS) > 50_000:
            _DEFINITIONS.clear()
        _DEFINITIONS[key] = cls.definition(*args)
    return _DEFINITIONS[key]


# ---- indexed symbols --------------------------------------------------------------------------------

def _indexed(e, env):
    idx = []
    for i in e.indices:
        k = _real_int(evaluate(i, env))
        if k is None:
            raise NotEvaluable(f"the index of {e} is not an integer here")
        idx.append(k)
    return env.indexed(e.base.label, tuple(idx))


# ---- sums, products, integrals, limits, substitutions -------------------------------------------------

def _bounds(lo, hi, env, what):
    a, b = evaluate(lo, env), evaluate(hi, env)
    ia = _real_int(a)
    if ia is None:
        raise NotEvaluable(f"the lower limit of a {what} is not an integer here")
    if b == mpmath.inf:
        return ia, None
    ib = _real_int(b)
    if ib is None:
        raise NotEvaluable(f"the upper limit of a {what} is not an integer here")
    return ia, ib


def _fold(e, env, unit, combine, inverse, what):
    """Sum or Product over its limits, innermost last, with SymPy's (Karr's) convention for empty and
    reversed ranges: an upper limit below the lower one means the inverse over the range between."""
    (var, lo, hi), rest = e.limits[-1], e.limits[:-1]        # SymPy lists the innermost limit first
    inner = type(e)(e.function, *rest) if rest else e.function
    a, b = _bounds(lo, hi, env, what)
    if b is None:
        return _infinite(inner, var, a, env, what)
    flip = b < a - 1
    if flip:
        a, b = b + 1, a - 1
    if b - a + 1 > _MAX_TERMS:
        raise NotEvaluable(f"a {what} of {b - a + 1} terms is beyond the direct route ({_MAX_TERMS})")
    acc = unit()
    for k in range(a, b + 1):
        acc = combine(acc, evaluate(inner, env.bind({var: mpmath.mpf(k)})), env)
    return inverse(acc) if flip else acc


def _sum_combine(acc, v, env):
    out = acc + v
    env.trace.saw((acc, v), out)
    return out


def _infinite(inner, var, a, env, what):
    if what != "sum":
        raise NotEvaluable(f"an infinite {what} is beyond the numeric route")
    env.trace.approximated()
    _converges(inner, var, env)
    f = lambda k: evaluate(inner, env.apart({var: mpmath.mpf(k)}, factor=0.0))
    value = mpmath.nsum(f, [a, mpmath.inf])
    with mpmath.workdps(mpmath.mp.dps + 15):
        finer = mpmath.nsum(f, [a, mpmath.inf])
    _lose(env, value, finer)
    return value


def _converges(inner, var, env):
    """nsum extrapolates divergent series too (Σ(−1)^k "= 1/2", Σ cos k), and grinds on slowly
    convergent ones: refuse a series whose terms, over a few consecutive k far out, do not shrink
    faster than 1/k (necessary for convergence where it refuses; nsum's own estimate stands for the rest)."""
    def block(k0):
        return max(abs(evaluate(inner, env.apart({var: mpmath.mpf(k0 + j)}, factor=0.0))) for j in range(4))
    try:
        far, farther = block(10 ** 4), block(10 ** 8)
    except (NotEvaluable, ZeroDivisionError):
        return
    if farther > mpmath.mpf(10) ** (-mpmath.mp.dps // 2) and farther * 10 ** 8 >= far * 10 ** 4 / 2:
        raise Diverges("the series does not converge, or too slowly to sum (its terms do not shrink faster than 1/k)")


def _steadily_growing(inner, var, env, sign):
    """|f| grows at every step 10, 10², …, 10⁶ and keeps its sign: no oscillating integrand (t cos t³)."""
    values = [evaluate(inner, env.apart({var: sign * mpmath.mpf(10) ** k}, factor=0.0)) for k in range(1, 7)]
    if any(isinstance(v, mpmath.mpc) for v in values):
        return all(abs(b) > 2 * abs(a) for a, b in zip(values, values[1:]))
    return all(abs(b) > 2 * abs(a) and (a > 0) == (b > 0) for a, b in zip(values, values[1:]))


def _grows(inner, var, env, sign):
    """An integrand that grows without bound towards an infinite end: the integral diverges there."""
    try:
        near, far = (abs(evaluate(inner, env.apart({var: sign * mpmath.mpf(10) ** k}, factor=0.0))) for k in (2, 4))
    except (NotEvaluable, ZeroDivisionError):
        return
    if far > 1 and far > near * 2 and _steadily_growing(inner, var, env, sign):
        raise Diverges("the integral diverges here (its integrand grows towards an infinite end)")


def _lose(env, coarse, fine):
    """Record how many digits an approximate operation kept, from two evaluations at different precision."""
    err, size = abs(coarse - fine), max(abs(fine), mpmath.mpf(10) ** -mpmath.mp.dps)
    if err == 0:
        return
    kept = -float(mpmath.log10(err / size))
    env.trace.lose(mpmath.mp.dps - kept)


def _sum(e, env):
    return _fold(e, env, lambda: mpmath.mpf(0), _sum_combine, lambda v: -v, "sum")


def _product(e, env):
    def inverse(v):
        if v == 0:
            raise NotEvaluable("a reversed product over a zero factor")
        return 1 / v
    return _fold(e, env, lambda: mpmath.mpf(1), lambda acc, v, _: acc * v, inverse, "product")


def _integral(e, env):
    (var, *ends), rest = e.limits[-1], e.limits[:-1]         # SymPy lists the innermost limit first
    if len(ends) != 2:
        raise NotEvaluable("an indefinite integral has no value to compare")
    inner = sp.Integral(e.function, *rest) if rest else e.function
    a, b = (evaluate(x, env) for x in ends)
    env.trace.approximated()
    for end in (a, b):
        if end in (mpmath.inf, -mpmath.inf):
            _grows(inner, var, env, 1 if end > 0 else -1)
    f = lambda t: evaluate(inner, env.apart({var: t}, factor=0.0))   # quad's error estimate covers it
    value, err = mpmath.quad(f, [a, b], error=True)
    size = max(abs(value), mpmath.mpf(10) ** -mpmath.mp.dps)
    if mpmath.inf in (abs(a), abs(b)):     # over an infinite range quad's own estimate can be blind
        inner_point = mpmath.mpf(1) if b == mpmath.inf and a < 1 else (mpmath.mpf(-1) if a == -mpmath.inf and b > -1 else a + 1)
        other = mpmath.quad(f, [a, inner_point, b])      # other nodes, same method: a second opinion
        err = max(err, abs(other - value))
    if not mpmath.isfinite(value) or err > size * mpmath.mpf(10) ** (-mpmath.mp.dps // 3):
        raise NotEvaluable(f"mpmath.quad does not converge here (error estimate {mpmath.nstr(err, 3)})")
    if err:
        env.trace.lose(mpmath.mp.dps + float(mpmath.log10(err / size)))
    return value


_LIMIT_DPS = 90   # mpmath.limit's extrapolation grows steeply with precision: a claim decided at 60 digits is evaluated at 80; minutes at 128


def _limit(e, env):
    expr, var, point, direction = e.args
    if mpmath.mp.dps > _LIMIT_DPS:
        raise NotEvaluable(f"a limit that needs more than {_LIMIT_DPS} digits is not evaluated")
    z0 = evaluate(point, env)
    env.trace.approximated()
    f = lambda t: evaluate(expr, env.apart({var: t}, factor=0.0))
    sides = {"+": (1,), "-": (-1,), "+-": (1, -1)}[str(direction)]
    values = []
    for d in sides:
        _settles(f, z0, d)
        coarse = mpmath.limit(f, z0, direction=d)
        with mpmath.workdps(mpmath.mp.dps + 15):
            fine = mpmath.limit(f, z0, direction=d)
        _lose(env, coarse, fine)
        values.append(fine)
    if len(values) == 2 and abs(values[0] - values[1]) > mpmath.mpf(10) ** (-mpmath.mp.dps // 3) * (1 + abs(values[0])):
        raise NotEvaluable("the one-sided limits differ: the two-sided limit does not exist")
    return +values[0]


def _settles(f, z0, d):
    """Before asking mpmath.limit (which can grind for minutes on an infinite or oscillating limit):
    f must settle as the point is approached, within a part in a million over a few close points."""
    ks = (mpmath.mp.dps // 4, mpmath.mp.dps // 3)     # close, yet far above the rounding of the point itself
    if z0 in (mpmath.inf, -mpmath.inf):
        sign = 1 if z0 > 0 else -1
        near = [f(sign * mpmath.mpf(10) ** k * (1 + mpmath.mpf(j) / 10)) for k in ks for j in range(2)]
    else:
        near = [f(z0 + d * mpmath.mpf(10) ** -k * (1 + mpmath.mpf(j) / 10)) for k in ks for j in range(2)]
    mid = near[-1]
    if any(not mpmath.isfinite(v) for v in near) or \
            max(abs(v - mid) for v in near) > mpmath.mpf(10) ** -6 * (1 + abs(mid)):
        raise NotEvaluable("the limit does not settle (infinite, or oscillating) on this side")


def _subs(e, env):
    expr, variables, points = e.args
    return evaluate(expr, env.bind({v: evaluate(p, env) for v, p in zip(variables, points)}))


# ---- derivatives ----------------------------------------------------------------------------------------

def _entry(value, i, j):
    return value[i, j] if isinstance(value, mpmath.matrix) else value


def _partial(expr, env, variables, orders, out=(0, 0)):
    """∂^k expr / ∂v1^k1 ∂v2^k2 … at the point in env, by mpmath.diff; each variable is a scalar slot
    (symbol, Indexed entry, or (MatrixSymbol, i, j)). A derivative of a scalar derivative is taken
    as one mixed partial, not as a difference of differences."""
    while isinstance(expr, sp.Derivative) and not any(isinstance(v, sp.MatrixSymbol) for v in expr.variables):
        variables = list(variables) + [v for v, _ in expr.variable_count]
        orders = list(orders) + [int(k) for _, k in expr.variable_count]
        expr = expr.expr
    x0 = [_slot_value(v, env) for v in variables]
    env.trace.approximated()
    inner = Trace(parent=env.trace)

    def g(*ts):
        return _entry(evaluate(expr, _with_slots(env, variables, ts, inner)), *out)

    at, k = (tuple(x0), tuple(orders)) if len(x0) > 1 else (x0[0], orders[0])
    with mpmath.workdps(mpmath.mp.dps + 10):
        value = mpmath.diff(g, at, k)
        f0 = g(*x0)
    # Its error is measured by the prover, which evaluates every claim at two precisions. A zero
    # where f depends on the variable, or any tiny value where f absorbed terms, may be a variation
    # below the precision (a saturated deep chain) rather than a real zero. (For an entry of a
    # matrix f may hold the matrix without depending on that entry, so only absorption counts.)
    flat = value == 0 and any(not isinstance(v, tuple) and expr.has(v) for v in variables)
    if inner.absorbed or flat:
        _resolved(env, value, f0, x0, orders)
    if any(isinstance(v, tuple) for v in variables):
        # By a matrix entry a zero may be exact (f ignores that entry) or below what differences of f
        # resolve (a deep saturated network): the prover raises the precision until |f|/|x|^k is resolved.
        env.trace.reached(_reach(f0, x0, orders))
    return +value


def _reach(f0, x0, orders):
    """|f|/|x|^k: the scale below which a numeric derivative of f is lost in the differences of f."""
    reach = abs(f0)
    for x, k in zip(x0, orders):
        reach /= max(abs(x), 1) ** k
    return reach


def _resolved(env, d, f0, x0, orders):
    """A numeric derivative far below |f|/|x|^k is below what differences of f can resolve: the point
    then says nothing about the derivative, and is marked so."""
    if abs(d) < _reach(f0, x0, orders) * mpmath.mpf(10) ** (-mpmath.mp.dps // 2):
        env.trace.lose(_LOST_CAP)


def _slot_value(v, env):
    if isinstance(v, tuple):
        m, i, j = v
        return _symbol(m, env)[i, j]
    return evaluate(v, env)


def _with_slots(env, variables, ts, trace):
    values, indexed = {}, {}
    for v, t in zip(variables, ts):
        if isinstance(v, tuple):
            m, i, j = v
            mat = values[m] if m in values else _symbol(m, env).copy()
            mat[i, j] = t
            values[m] = mat
        elif isinstance(v, sp.Indexed):
            indexed[v] = t
        else:
            values[v] = t
    new = Env({**env.values, **values}, env.indexed, trace, env.memo)
    if indexed:
        keys = {(v.base.label, tuple(int(_real_int(evaluate(i, env))) for i in v.indices)): t
                for v, t in indexed.items()}
        base = env.indexed
        new.indexed = lambda label, idx: keys[label, idx] if (label, idx) in keys else base(label, idx)
    return new


def _derivative(e, env):
    expr = e.expr
    slots, orders = [], []
    for v, k in e.variable_count:
        if isinstance(v, sp.MatrixSymbol):
            if len(e.variable_count) != 1 or k != 1:
                raise NotEvaluable("a higher or mixed derivative with respect to a matrix")
            return _grad_matrix(expr, v, env)
        slots.append(v)
        orders.append(int(k))
    value = evaluate(expr, env)
    if isinstance(value, mpmath.matrix):
        return mpmath.matrix([[_partial(expr, env, slots, orders, (i, j)) for j in range(value.cols)]
                              for i in range(value.rows)])
    return _partial(expr, env, slots, orders)


def _grad_matrix(f, m, env):
    """∇_M f for a scalar f: the matrix of ∂f/∂M_ij, entry by entry."""
    shape = _symbol(m, env)
    return mpmath.matrix([[_partial(f, env, [(m, i, j)], [1]) for j in range(shape.cols)]
                          for i in range(shape.rows)])


def _grad(e, env):
    f, w = e.args
    return _grad_matrix(f, w, env)


def _jacobian(e, env):
    v, w = e.args
    n = _symbol(w, env).rows
    if isinstance(v, Grad) and v.args[1] == w:        # a Hessian: second partials directly
        f = v.args[0]
        return mpmath.matrix([[_partial(f, env, [(w, i, 0)], [2]) if i == j else
                               _partial(f, env, [(w, i, 0), (w, j, 0)], [1, 1]) for j in range(n)]
                              for i in range(n)])
    rows = evaluate(v, env).rows
    return mpmath.matrix([[_partial(v, env, [(w, j, 0)], [1], (i, 0)) for j in range(n)] for i in range(rows)])


# ---- matrices ------------------------------------------------------------------------------------------

def _dim(e, env):
    k = _real_int(evaluate(sp.sympify(e), env)) if not isinstance(e, int) else e
    if k is None or k < 0:
        raise NotEvaluable(f"the dimension {e} is not a size here")
    return k


def _matadd(e, env):
    return _add(e, env)


def _matmul(e, env):
    out = None
    for a in _args(e, env):
        if out is None:
            out = a
        elif isinstance(out, mpmath.matrix) and isinstance(a, mpmath.matrix):
            prod = out * a
            bound = _magnitude(out) * _magnitude(a) * out.cols     # the largest term of any entry's sum
            env.trace.saw((bound,), prod)
            out = prod
        else:
            out = out * a
    return out


def _transpose(e, env):
    return evaluate(e.args[0], env).T


def _inverse(e, env):
    m = evaluate(e.args[0], env)
    # Singular, or singular up to rounding (|det| far below Hadamard's bound Π‖row‖): no inverse.
    bound = mpmath.mpf(1)
    for i in range(m.rows):
        bound *= mpmath.norm(m[i, :])
    if bound == 0 or abs(mpmath.det(m)) <= bound * mpmath.mpf(10) ** (-mpmath.mp.dps // 2):
        raise NotEvaluable("a singular matrix has no inverse")
    return mpmath.inverse(m)


def _determinant(e, env):
    return mpmath.det(evaluate(e.args[0], env))


def _trace(e, env):
    m = evaluate(e.args[0], env)
    return sum((m[i, i] for i in range(m.rows)), mpmath.mpf(0))


def _identity(e, env):
    return mpmath.eye(_dim(e.rows, env))


def _zero(e, env):
    return mpmath.zeros(_dim(e.rows, env), _dim(e.cols, env))


def _ones(e, env):
    return mpmath.ones(_dim(e.rows, env), _dim(e.cols, env))


def _hadamard(e, env):
    ms = _args(e, env)
    out = ms[0].copy()
    for m in ms[1:]:
        for i in range(out.rows):
            for j in range(out.cols):
                out[i, j] *= m[i, j]
    return out


def _map(e, env):
    """f applied to each entry: the function's body evaluated with its variable bound to the entry."""
    m = evaluate(e.arg, env)
    var = e.function.variables[0]
    return mpmath.matrix([[evaluate(e.body, env.bind({var: m[i, j]})) for j in range(m.cols)] for i in range(m.rows)])


def _explicit(e, env):
    return mpmath.matrix([[evaluate(e[i, j], env) for j in range(e.cols)] for i in range(e.rows)])


def _element(e, env):
    m = evaluate(e.parent, env)
    i, j = (_real_int(evaluate(k, env)) for k in (e.i, e.j))
    return m[i, j]


def _scalar(e, env):
    m = evaluate(e.args[0], env)
    if isinstance(m, mpmath.matrix):
        if (m.rows, m.cols) != (1, 1):
            raise NotEvaluable(f"scalar() of a {m.rows}x{m.cols} matrix")
        return m[0, 0]
    return m


RULES = {
    sp.Symbol: _symbol, sp.MatrixSymbol: _symbol,
    sp.Integer: _integer, sp.Rational: _rational, sp.Float: _float,
    sp.NumberSymbol: _constant, sp.core.numbers.ImaginaryUnit: _constant,
    sp.core.numbers.Infinity: _constant, sp.core.numbers.NegativeInfinity: _constant,
    sp.Add: _add, sp.Mul: _mul, sp.Pow: _pow,
    sp.exp: _unary(mpmath.exp, True), sp.log: _log, sp.Abs: _unary(abs),
    sp.sin: _unary(mpmath.sin, True), sp.cos: _unary(mpmath.cos, True), sp.tan: _unary(mpmath.tan, True),
    sp.sinh: _unary(mpmath.sinh, True), sp.cosh: _unary(mpmath.cosh, True), sp.tanh: _unary(mpmath.tanh, True),
    sp.asin: _unary(mpmath.asin), sp.acos: _unary(mpmath.acos), sp.atan: _unary(mpmath.atan),
    sp.erf: _unary(mpmath.erf), sp.erfc: _unary(mpmath.erfc), sp.gamma: _unary(mpmath.gamma),
    sp.re: _unary(mpmath.re), sp.im: _unary(mpmath.im), sp.conjugate: _unary(mpmath.conj),
    sp.Max: _max, sp.Min: _min, sp.Heaviside: _heaviside, sp.sign: _sign,
    sp.floor: _floor, sp.ceiling: _ceiling, sp.factorial: _factorial, sp.binomial: _binomial,
    sp.KroneckerDelta: _kronecker,
    sp.core.relational.Relational: _relational, sp.And: _and, sp.Or: _or, sp.Not: _not,
    sp.logic.boolalg.BooleanTrue: lambda e, env: True, sp.logic.boolalg.BooleanFalse: lambda e, env: False,
    sp.Piecewise: _piecewise,
    sp.Indexed: _indexed,
    sp.Sum: _sum, sp.Product: _product, sp.Integral: _integral, sp.Limit: _limit, sp.Subs: _subs,
    sp.Derivative: _derivative, Grad: _grad, Jacobian: _jacobian,
    sp.MatAdd: _matadd, sp.MatMul: _matmul, sp.Transpose: _transpose, sp.Inverse: _inverse,
    sp.MatPow: lambda e, env: evaluate(e.args[0], env) ** int(e.args[1]),
    sp.Determinant: _determinant, sp.Trace: _trace, sp.Identity: _identity, sp.ZeroMatrix: _zero,
    sp.OneMatrix: _ones, sp.HadamardProduct: _hadamard, Map: _map, Layered: _defined, sp.MatrixBase: _explicit,
    sp.matrices.expressions.matexpr.MatrixElement: _element, scalar: _scalar,
}
