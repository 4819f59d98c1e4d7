"""Tests of f(U) = ‖A(UUᵀ − ZZᵀ)‖², its closed-form derivatives, and the critical-point classes."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from riptools.objective import (
    PointKind,
    classify_point,
    gradient,
    hessian,
    objective_value,
    symmetry_directions,
)
from riptools.sensing import SensingOperator, gaussian_operator, half_example
from riptools.validation import InputError

FD_STEP = 1e-6
FD_REL_TOL = 1e-5  # central differences: error O(h²) relative to the derivative's size


@settings(max_examples=25)  # each example: O((nr)²) objective evaluations at n·r ≤ 12
@given(n=st.integers(1, 4), r=st.integers(1, 3), r_star=st.integers(1, 3), seed=st.integers(0, 2**32 - 1))
def test_gradient_and_hessian_match_finite_differences(n, r, r_star, seed):
    rng = np.random.default_rng(seed)
    operator = gaussian_operator(n, 2 * n + 3, seed=seed % 1000)
    u, z = rng.standard_normal((n, r)), rng.standard_normal((n, r_star))
    grad = gradient(operator, u, z)
    hess = hessian(operator, u, z)
    size = n * r
    fd_grad = np.zeros(size)
    fd_hess = np.zeros((size, size))
    for k in range(size):
        step = np.zeros(size)
        step[k] = FD_STEP
        plus, minus = u + step.reshape(n, r), u - step.reshape(n, r)
        fd_grad[k] = (objective_value(operator, plus, z) - objective_value(operator, minus, z)) / (2 * FD_STEP)
        fd_hess[:, k] = (gradient(operator, plus, z) - gradient(operator, minus, z)).ravel() / (2 * FD_STEP)
    scale = 1.0 + np.abs(grad).max()
    np.testing.assert_allclose(grad.ravel(), fd_grad, atol=FD_REL_TOL * scale)
    np.testing.assert_allclose(hess, fd_hess, atol=FD_REL_TOL * (1.0 + np.abs(hess).max()))
    np.testing.assert_allclose(hess, hess.T, atol=1e-10 * (1.0 + np.abs(hess).max()))


def test_objective_has_no_factor_one_half():
    operator = SensingOperator.from_matrices(np.eye(1)[None])  # A(M) = M for 1×1 M
    assert objective_value(operator, [[2.0]], [[1.0]]) == pytest.approx(9.0)  # (4 − 1)² with no ½
    assert gradient(operator, [[2.0]], [[1.0]])[0, 0] == pytest.approx(4 * 3 * 2)


def test_half_example_point_is_degenerate_not_a_strict_minimum():
    example = half_example()
    result = classify_point(example.operator, example.x_bad, example.z)
    assert result.kind == PointKind.DEGENERATE
    assert result.spurious and not result.is_global
    assert result.gradient_norm < 1e-12
    np.testing.assert_allclose(result.hessian_eigenvalues, [0.0, 4.0], atol=1e-12)
    assert result.margin is None


def test_global_minimum_is_recognised():
    example = half_example()
    result = classify_point(example.operator, -example.z, example.z)
    assert result.is_global and not result.spurious
    assert result.kind == PointKind.STRICT_LOCAL_MINIMUM


def test_saddle_and_not_critical():
    example = half_example()
    origin = classify_point(example.operator, np.zeros((2, 1)), example.z)
    assert origin.kind == PointKind.SADDLE  # U = 0 is critical with negative curvature towards z
    assert classify_point(example.operator, [[0.3], [0.2]], example.z).kind == PointKind.NOT_CRITICAL


def test_rotation_symmetry_is_projected_out_at_rank_two():
    rng = np.random.default_rng(0)
    operator = gaussian_operator(3, 60, seed=1)
    z = rng.standard_normal((3, 2))
    full_spectrum = np.linalg.eigvalsh(hessian(operator, z, z))
    assert abs(full_spectrum[0]) < 1e-9  # the orbit {Z R} makes the full Hessian singular
    result = classify_point(operator, z, z)
    assert result.symmetry_dimension == 1
    assert result.kind == PointKind.STRICT_LOCAL_MINIMUM and result.is_global
    assert np.linalg.norm(symmetry_directions(z), axis=0) == pytest.approx([1.0])


def test_bad_points_are_rejected():
    example = half_example()
    with pytest.raises(InputError, match="U: expected 2 rows"):
        classify_point(example.operator, np.zeros((3, 1)), example.z)
    with pytest.raises(InputError, match="Z: contains NaN"):
        objective_value(example.operator, example.x_bad, [[np.nan], [0.0]])
    with pytest.raises(InputError, match="gradient_tol"):
        classify_point(example.operator, example.x_bad, example.z, gradient_tol=-1.0)
