"""The capacity derivations (R21, R22, R24): each fully proved; a wrong ingredient in each fails; the constructions
agree with independent evaluations (NumPy's interpolation, SciPy's minimiser, exact rational arithmetic)."""
from fractions import Fraction

import numpy as np
import pytest
import sympy as sp
from scipy.optimize import minimize_scalar

from derivations.core import Derivation
from derivations.library import barron, regions, universal


@pytest.mark.parametrize("name", ["universal-approximation", "barron", "linear-regions"])
def test_proved(name, library_proof):
    proof = library_proof(name)        # verified once per run, shared with tests/test_registry.py
    assert proof.ok, [(s.why, s.status, s.detail) for s in proof.steps if not s.ok] or proof.problems


def _statuses(d):
    return [s.status for s in d.verify().steps]


def test_slope_change_sum_instead_of_difference_fails(monkeypatch):
    """c_i = s_i + s_{i−1} instead of s_i − s_{i−1}: the whole-network claims no longer hold."""
    def wrong(n, step=universal.h):
        return universal.slope(0, step) if n == 0 else universal.slope(n, step) + universal.slope(n - 1, step)
    monkeypatch.setattr(universal, "coef", wrong)
    d = Derivation("mutant", "mutant")
    universal._whole_network(d)
    assert "failed" in _statuses(d)


def test_error_bound_with_h2_over_16_fails():
    """M uv/2 ≤ M h²/16 is false (at u = v it is M h²/8): refused whatever the certificate says."""
    u, v, M = universal.u, universal.v, universal.M
    d = Derivation("mutant", "mutant")
    d.derive(M * u * v / 2).then(M * (u + v) ** 2 / 16, "h^2/16", relation="<=", certificate=M * (u - v) ** 2 / 16)
    assert _statuses(d) == ["failed"]


def test_barron_wrong_minimiser_fails(monkeypatch):
    """q* = C N/(p log N) (no square root) is not where B' vanishes."""
    monkeypatch.setattr(barron, "Q_STAR", barron.C * barron.N / (barron.p * barron.ell))
    d = Derivation("mutant", "mutant")
    d.derive(sp.Subs(sp.Derivative(barron.bound(barron.q), barron.q), barron.q, barron.Q_STAR)).then(0, "q*")
    assert _statuses(d) == ["failed"]


def test_zigzag_without_the_factor_two_fails(monkeypatch):
    """Slope changes ±1/h instead of ±2/h: the zig-zag no longer maps each piece onto [0, 1]."""
    monkeypatch.setattr(regions, "zigzag_coef", lambda n: 1 if n == 0 else (-1) ** n)
    d = Derivation("mutant", "mutant")
    regions._zigzag(d)
    assert _statuses(d) == ["failed"]


def test_montufar_without_the_plus_one_fails():
    q, L = regions.q, regions.L
    d = Derivation("mutant", "mutant")
    d.derive(sp.Product(q, (regions.i, 1, L - 1)) * sp.Sum(sp.binomial(q, regions.jj), (regions.jj, 0, 1))).then(
        q ** L, "no +1")
    assert _statuses(d) == ["failed"]


def test_relu_interpolant_is_numpys_linear_interpolation():
    """f_0 + Σ c_i ReLU(x − x_i) with the derivation's c_i, against np.interp on the same knots."""
    q, lo, hi = 7, -0.5, 2.0
    knots = np.linspace(lo, hi, q + 1)
    values = np.sin(3 * knots) + knots ** 2
    slopes = np.diff(values) / np.diff(knots)
    coefs = np.concatenate([[slopes[0]], np.diff(slopes)])
    x = np.linspace(lo, hi, 1001)
    net = values[0] + sum(c * np.maximum(x - t, 0.0) for c, t in zip(coefs, knots[:-1]))
    np.testing.assert_allclose(net, np.interp(x, knots, values), rtol=0, atol=1e-12)
    # the error bound (h²/8) max|f''| holds, with |f''| = |−9 sin 3x + 2| ≤ 11
    fine = np.linspace(lo, hi, 20001)
    err = np.abs(np.sin(3 * fine) + fine ** 2 - np.interp(fine, knots, values)).max()
    assert err <= ((hi - lo) / q) ** 2 / 8 * 11


def test_barron_minimiser_against_scipy():
    C, N, p = 3.0, 5000.0, 4
    B = lambda q: C ** 2 / q + q * p * np.log(N) / N
    found = minimize_scalar(B, bounds=(1e-3, 1e4), method="bounded", options={"xatol": 1e-10})
    q_star = float(barron.Q_STAR.subs({barron.C: C, barron.N: N, barron.p: p, barron.ell: sp.log(N)}))
    assert found.x == pytest.approx(q_star, rel=1e-6)
    assert found.fun == pytest.approx(2 * C * np.sqrt(p * np.log(N) / N), rel=1e-9)


def _pieces(f, q_lo, q_hi, grid):
    """Pieces of a piecewise-linear f whose breakpoints all lie on the grid: slope changes between grid cells."""
    xs = [Fraction(q_lo) + (Fraction(q_hi) - Fraction(q_lo)) * n / grid for n in range(grid + 1)]
    slopes = [(f(b) - f(a)) / (b - a) for a, b in zip(xs, xs[1:])]
    return 1 + sum(s != t for s, t in zip(slopes, slopes[1:]))


@pytest.mark.parametrize("q,L", [(2, 3), (3, 2), (4, 2)])
def test_zigzag_composed_has_q_to_the_L_pieces(q, L):
    """The derivation's zig-zag (its zigzag_coef), composed L times, in exact rationals: q^L pieces on [0, 1]."""
    h = Fraction(1, q)

    def g(t):
        return sum(regions.zigzag_coef(n) * max(t - n * h, Fraction(0)) for n in range(q)) / h

    def composed(t):
        for _ in range(L):
            t = g(t)
        return t
    # every breakpoint of the composite is a multiple of q^-L; a finer grid shows no more
    assert _pieces(composed, 0, 1, 2 * q ** L) == q ** L
