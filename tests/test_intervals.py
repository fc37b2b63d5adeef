"""Constant gaps are signed by interval arithmetic (mpmath.iv, outward rounding), never by SymPy's is_positive, which
rests on a floating-point evalf: a true claim is proved with its enclosure named, a zero in disguise or a false claim
is not proved."""
import mpmath
import pytest
import sympy as sp

from derivations import PROVED
from derivations import intervals
from derivations.core import Derivation

# cos(pi/7) + cos(3 pi/7) + cos(5 pi/7) = 1/2 exactly, which no enclosure can show to be positive or negative
ZERO_IN_DISGUISE = sp.cos(sp.pi / 7) + sp.cos(3 * sp.pi / 7) + sp.cos(5 * sp.pi / 7) - sp.Rational(1, 2)
PI_36 = sp.Rational(3141592653589793238462643383279502884, 10 ** 36)   # pi to 36 digits, just below it


def _step(lhs, rhs, relation):
    d = Derivation("t", "t")
    d.derive(lhs).then(rhs, "claim", relation=relation)
    return d.verify().steps[0]


def test_enclosures_contain_the_value_mpmath_gives_at_100_digits():
    exprs = [sp.acos(999 * sp.sqrt(5) / 10000) / 3, sp.asin(sp.Rational(1, 3)) * sp.exp(2), sp.atan(7) - sp.log(3),
             sp.sqrt(2) ** 3 / sp.pi, sp.Float(0.1) - sp.Rational(1, 10), sp.tan(1) ** -2 + sp.Abs(sp.sin(-2))]
    with mpmath.workdps(100):
        for e in exprs:
            lo, hi = intervals.enclosure(e)
            exact = sp.N(e, 110)
            assert lo <= mpmath.mpf(str(exact)) <= hi, e


def test_a_near_tie_needs_more_digits_and_is_decided():
    assert intervals.sign(sp.pi - PI_36) == 1 and intervals.sign(PI_36 - sp.pi) == -1


@pytest.mark.parametrize("e", [ZERO_IN_DISGUISE, -ZERO_IN_DISGUISE, sp.I, sp.gamma(sp.Rational(1, 3)),
                               sp.acos(sp.Rational(3, 2)), sp.log(1 - sp.cos(0) ** 2 + 0 * sp.pi)])
def test_what_no_enclosure_settles_has_no_sign(e):
    assert intervals.sign(e) is None


def test_a_true_constant_inequality_is_proved_by_its_enclosure():
    gap = -sp.Rational(6, 5) + 24 * sp.cos(sp.acos(999 * sp.sqrt(5) / 10000) / 3) ** 2 / 5    # gd-pictures' curvature
    step = _step(0, gap, "<")
    assert step.status == PROVED and "interval arithmetic" in step.detail and "manifestly" not in step.detail


@pytest.mark.parametrize("lhs, rhs, relation", [(sp.Rational(1, 2), sp.Rational(1, 2) + ZERO_IN_DISGUISE, "<"),
                                                (sp.pi, PI_36, "<"), (sp.Rational(355, 113), sp.pi, "<")])
def test_a_false_or_undecidable_constant_claim_is_not_proved(lhs, rhs, relation):
    assert _step(lhs, rhs, relation).status != PROVED


def test_a_float_of_many_digits_is_enclosed_as_the_number_it_is():
    # read through a 53-bit mpf, 0.1 + 1e-37 at 40 digits would become 0.1 rounded: its gap to 1/10 would be ~5.6e-18
    f = sp.Float("0.1000000000000000000000000000000000001", 40)
    lo, hi = intervals.enclosure(sp.Add(f, -sp.Rational(1, 10), evaluate=False))   # SymPy would round f - 1/10
    exact = sp.Rational(f) - sp.Rational(1, 10)        # the Float's binary value, exactly
    with mpmath.workdps(100):
        assert lo <= mpmath.mpf(exact.p) / exact.q <= hi and hi < 1e-36
