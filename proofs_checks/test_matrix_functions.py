"""The quantities of seed 001 used by the claims: gradients against finite differences, exact identities."""

from fractions import Fraction

import numpy as np
import pytest

from riptools.claims import matrix_functions as mf
from riptools.claims.engine import FLOAT64

FINITE_DIFFERENCE_TOL = 1e-6
"""Relative agreement of an analytic gradient with central differences (step 1e-6)."""
TIGHT_TOL = 1e-10
"""Relative agreement of two float64 formulas for the same quantity."""


def _central_difference(function, x, step=1e-6):
    gradient = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        e = np.zeros_like(x)
        e[index] = step
        gradient[index] = (function(x + e) - function(x - e)) / (2 * step)
    return gradient


@pytest.mark.parametrize("n, r, k", [(2, 1, 0), (5, 2, 3), (7, 3, 6)])
def test_coherence_gradient_matches_finite_differences(n, r, k):
    rng = np.random.default_rng(n * 10 + r)
    x = rng.standard_normal((n, r))
    analytic = mf.coherence_gradient(x, k, FLOAT64)
    numeric = _central_difference(lambda y: mf.coherence(y, k, FLOAT64), x)
    assert np.allclose(analytic, numeric, rtol=FINITE_DIFFERENCE_TOL, atol=FINITE_DIFFERENCE_TOL)


def test_objective_gradient_matches_finite_differences_and_has_no_half():
    rng = np.random.default_rng(3)
    x, z = rng.standard_normal((4, 2)), rng.standard_normal((4, 2))
    numeric = _central_difference(lambda y: mf.objective(y, z), x)
    assert np.allclose(mf.gradient(x, z), numeric, rtol=FINITE_DIFFERENCE_TOL, atol=FINITE_DIFFERENCE_TOL)
    assert mf.objective(2 * z, z) == pytest.approx(9 * np.sum((z @ z.T) ** 2), rel=TIGHT_TOL)


def test_tangent_component_is_the_least_squares_projection_onto_xy_plus_yx():
    rng = np.random.default_rng(4)
    n, r = 5, 2
    x, z = rng.standard_normal((n, r)), rng.standard_normal((n, r))
    e = mf.residual(x, z)
    # Least squares over Y of ‖XYᵀ + YXᵀ − E‖: the definition of the angle θ in Section 4.
    basis = []
    for index in np.ndindex(n, r):
        y = np.zeros((n, r))
        y[index] = 1
        basis.append((x @ y.T + y @ x.T).ravel())
    basis = np.array(basis).T
    coefficients, *_ = np.linalg.lstsq(basis, e.ravel(), rcond=None)
    projection = (basis @ coefficients).reshape(n, n)
    assert np.allclose(mf.tangent_projection(e, x, FLOAT64), projection, atol=1e-10)
    assert mf.tangent_component_sq(e, x, FLOAT64) == pytest.approx(np.sum(projection**2), rel=TIGHT_TOL)


def test_expected_stochastic_gradient_is_the_gradient_exactly_in_rationals():
    rng = np.random.default_rng(5)
    to_fractions = np.vectorize(lambda v: Fraction(int(v), 7), otypes=[object])
    x, z = to_fractions(rng.integers(-9, 9, (4, 2))), to_fractions(rng.integers(-9, 9, (4, 2)))
    assert np.all(mf.expected_stochastic_gradient(x, z) == mf.gradient(x, z))


def test_expected_sg_dual_norm_matches_the_closed_form():
    # E[(‖SG‖*)²] = 4d² Σ_ij E_ij²(g_i + g_j) + 8d² Σ_i E_ii² g_i (the i = j pairs count e_i x_iᵀ twice).
    rng = np.random.default_rng(6)
    d = 5
    x, z = rng.standard_normal((d, 2)), rng.standard_normal((d, 2))
    e, g = mf.residual(x, z), mf.coherences(x, FLOAT64)
    closed = 4 * d * d * np.sum(e**2 * (g[:, None] + g[None, :])) + 8 * d * d * np.sum(np.diag(e) ** 2 * g)
    assert mf.expected_sg_dual_norm_sq(x, z, FLOAT64) == pytest.approx(closed, rel=TIGHT_TOL)
