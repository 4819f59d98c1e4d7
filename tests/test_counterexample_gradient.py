"""Tests of ∇δ*(X, Z) from the optimal primal–dual pair (riptools.counterexample, envelope theorem)."""

import json

import numpy as np
import pytest
import sympy

from riptools.cli import main
from riptools.counterexample import counterexample_sdp

GRADIENT_REL_TOL = 1e-4
"""Relative error allowed against central differences and the closed form where δ* is smooth (issue's
target; measured 2e-7 to 3e-5 with the tight Clarabel settings)."""
STEP = 1e-4
"""Central-difference step: truncation error O(STEP²) ≈ 1e-8, solver noise of the tight solves ~1e-12/STEP."""
INVARIANCE_TOL = 1e-6
"""Inner products that vanish by an exact symmetry of δ*, at the gradient's solver precision (∇δ* = O(1))."""


def value(x, z, margin=0.0):
    return counterexample_sdp(x, z, margin=margin, gradient=True).delta  # the tight solve: less noise in differences


def central_differences(x, z, margin=0.0):
    theta = np.concatenate([x.ravel(), z.ravel()])
    gradient = np.zeros_like(theta)
    for i in range(theta.size):
        step = np.zeros_like(theta)
        step[i] = STEP
        plus, minus = theta + step, theta - step
        gradient[i] = (value(plus[:x.size].reshape(x.shape), plus[x.size:].reshape(z.shape), margin)
                       - value(minus[:x.size].reshape(x.shape), minus[x.size:].reshape(z.shape), margin)) / (2 * STEP)
    return gradient


def flat(result):
    return np.concatenate([result.gradient_x.ravel(), result.gradient_z.ravel()])


def relative_error(a, b):
    return float(np.linalg.norm(a - b) / np.linalg.norm(b))


def random_pair(seed, n, r, true_rank, x_scale=0.6):
    rng = np.random.default_rng(seed)
    return x_scale * rng.standard_normal((n, r)), rng.standard_normal((n, true_rank))


@pytest.mark.parametrize("seed, n, r, true_rank, margin", [
    (0, 2, 1, 1, 0.0),    # d = n: no reduction
    (1, 3, 1, 1, 0.0),    # n > d: the gradient is lifted by P
    (2, 3, 1, 1, 0.05),   # a strict margin (the Y₁ term carries μ)
    (11, 3, 2, 1, 0.0),   # r > r★: the symmetry complement Q depends on X
    (12, 4, 2, 2, 0.0),
])
def test_gradient_matches_central_differences(seed, n, r, true_rank, margin):
    x, z = random_pair(seed, n, r, true_rank)
    result = counterexample_sdp(x, z, margin=margin, gradient=True)
    assert result.gradient_x.shape == x.shape and result.gradient_z.shape == z.shape
    assert result.delta < 1 - 1e-3  # away from the trivial value, where δ* is flat
    assert relative_error(flat(result), central_differences(x, z, margin)) <= GRADIENT_REL_TOL


def theorem_12_closed_form():
    """Returns a function (x, z) ↦ (δ_lb, ∇δ_lb) for δ_lb = √(1 − α²) of JMLR Theorem 12 (its first branch)."""
    xs, zs = sympy.symbols("x0:3", real=True), sympy.symbols("z0:3", real=True)
    x, z = sympy.Matrix(xs), sympy.Matrix(zs)
    norm_x, norm_z, inner = (x.T * x)[0], (z.T * z)[0], (x.T * z)[0]
    rho2, sin2 = norm_x / norm_z, 1 - inner**2 / (norm_x * norm_z)
    alpha = sin2 / sympy.sqrt((rho2 - 1) ** 2 + 2 * rho2 * sin2)
    bound = sympy.sqrt(1 - alpha**2)
    function = sympy.lambdify(xs + zs, [bound] + [sympy.diff(bound, v) for v in xs + zs])
    return lambda a, b: (lambda out: (out[0], np.array(out[1:], dtype=float)))(function(*a, *b))


@pytest.mark.parametrize("rho, phi", [(1.5, 0.9), (1.5, 1.2), (2.0, 1.2), (3.0, 1.0)])
def test_rank_one_gradient_matches_theorem_12_where_it_is_tight(rho, phi):
    # For ρ = ‖x‖/‖z‖ ≥ 1.5 (branch β ≥ α/(1+√(1−α²))) δ* equals δ_lb = √(1 − α²) (measured to 1e-13),
    # so ∇δ* is the gradient of that closed form.
    x = np.array([rho * np.cos(phi), 0.8 * rho * np.sin(phi), 0.6 * rho * np.sin(phi)])
    z = np.array([1.0, 0.0, 0.3])
    bound, gradient = theorem_12_closed_form()(x, z)
    result = counterexample_sdp(x, z, gradient=True)
    assert abs(result.delta - bound) <= 1e-8
    assert relative_error(flat(result), gradient) <= GRADIENT_REL_TOL


def test_gradient_respects_the_symmetries_of_delta_star():
    x, z = random_pair(5, 4, 2, 1)
    result = counterexample_sdp(x, z, gradient=True)
    g_x, g_z = result.gradient_x, result.gradient_z
    # scale invariance (μ = 0): δ*(tX, tZ) = δ*(X, Z)
    assert abs(np.sum(g_x * x) + np.sum(g_z * z)) <= INVARIANCE_TOL
    # X → XR invariance: no derivative along XΩ, Ω skew
    omega = np.array([[0.0, 1.0], [-1.0, 0.0]])
    assert abs(np.sum(g_x * (x @ omega))) <= INVARIANCE_TOL
    # equivariance under (X, Z) → (UX, UZ), U orthogonal
    rotation, _ = np.linalg.qr(np.random.default_rng(6).standard_normal((4, 4)))
    rotated = counterexample_sdp(rotation @ x, rotation @ z, gradient=True)
    assert np.allclose(rotated.gradient_x, rotation @ g_x, atol=INVARIANCE_TOL)
    assert np.allclose(rotated.gradient_z, rotation @ g_z, atol=INVARIANCE_TOL)


def test_reduced_and_full_formulations_give_the_same_gradient():
    x, z = random_pair(7, 4, 1, 1)
    reduced = counterexample_sdp(x, z, gradient=True)
    full = counterexample_sdp(x, z, gradient=True, formulation="full")
    assert relative_error(flat(reduced), flat(full)) <= GRADIENT_REL_TOL


def test_gradient_is_not_computed_unless_asked():
    x, z = random_pair(8, 3, 1, 1)
    assert counterexample_sdp(x, z).gradient_x is None


def test_cli_gradient_json(capsys):
    assert main(["counterexample", "--x", "0.3,0.7,0.1,0.2", "--z", "1,0.5", "--rank-shape", "2,2",
                 "--gradient", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert np.array(report["gradient_x"]).shape == (2, 2)
    assert np.array(report["gradient_z"]).shape == (2, 1)
    again = counterexample_sdp(np.array([[0.3, 0.7], [0.1, 0.2]]), np.array([[1.0], [0.5]]), gradient=True)
    assert np.allclose(report["gradient_x"], again.gradient_x) and np.allclose(report["gradient_z"], again.gradient_z)
