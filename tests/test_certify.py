"""Tests of the solver-independent certificates (riptools.certify)."""

import functools
from fractions import Fraction

import numpy as np
import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st

import riptools.certify as certify
from riptools.certify import (
    certify_exact,
    certify_half_example_exact,
    certify_operator,
    certify_result,
    exact_psd,
    local_minimum_test,
    psd_by_rounding,
    verify_exact,
)
from riptools.counterexample import counterexample_sdp
from riptools import objective
from riptools.objective import PointKind
from riptools.sensing import SensingOperator, half_example, svec
from riptools.validation import InputError

EXACT_DELTA_WINDOW = 1e-6
"""The exact certificate's δ' may exceed the numeric δ* by at most this (the issue's requirement)."""
TIGHT_TOL = 1e-6
"""Numeric values of a certified solve vs the solver's."""


def pair(seed, n, r, true_rank):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, r)), rng.standard_normal((n, true_rank))


def test_certifier_accepts_sdp_output():
    x, z = pair(0, 3, 1, 1)
    result = counterexample_sdp(x, z, margin=0.05)
    certificate = certify_result(result)
    assert certificate.certified, certificate.failures
    assert certificate.method == "dense operator"
    assert certificate.kind == PointKind.STRICT_LOCAL_MINIMUM
    assert certificate.hessian_min_eig >= 0.05 - 1e-6
    assert abs(certificate.rip_delta_verified - result.delta) <= TIGHT_TOL
    assert certificate.objective_gap > 0


def test_certifier_rejects_perturbed_operator():
    x, z = pair(1, 3, 1, 1)
    result = counterexample_sdp(x, z, margin=0.05)
    operator = result.operator()
    noise = np.random.default_rng(2).standard_normal(operator.matrices.shape) * 1e-3
    perturbed = SensingOperator.from_matrices(operator.matrices + noise)
    certificate = certify_operator(perturbed, x, z, margin=0.05, claimed_delta=result.delta)
    assert not certificate.certified
    assert any("not critical" in failure for failure in certificate.failures)


def test_certifier_rejects_understated_delta_and_inaccurate_solves():
    x, z = pair(3, 3, 1, 1)
    result = counterexample_sdp(x, z)
    operator = result.operator()
    assert not certify_operator(operator, x, z, claimed_delta=result.delta - 1e-3).certified
    assert not certify_operator(operator, x, z, claimed_delta=result.delta, solver_accurate=False).certified
    # the ground truth itself is critical but not spurious
    assert not certify_operator(operator, z, z).certified


def test_block_certificate_matches_dense(monkeypatch):
    x, z = pair(4, 7, 1, 1)
    result = counterexample_sdp(x, z, margin=0.02)
    dense = certify_result(result)
    monkeypatch.setattr(certify, "DENSE_MAX_N", 3)
    blocks = certify_result(result)
    assert blocks.method.startswith("reduced operator")
    assert dense.certified and blocks.certified
    for field in ("hessian_min_eig", "rip_delta_verified", "objective_gap", "kernel_eigenvalue_min", "kernel_eigenvalue_max"):
        assert abs(getattr(dense, field) - getattr(blocks, field)) <= 1e-8, field


def test_large_n_is_certified_by_blocks():
    x, z = pair(5, 600, 1, 1)
    result = counterexample_sdp(x, z, margin=0.1)
    certificate = certify_result(result)
    assert certificate.certified and certificate.method.startswith("reduced operator")
    assert certificate.kind == PointKind.STRICT_LOCAL_MINIMUM


@settings(max_examples=25)  # tiny exact LDLᵀ per example
@given(seed=st.integers(0, 2**31 - 1), size=st.integers(1, 5), rank=st.integers(0, 5), shift=st.integers(-3, 3))
def test_exact_psd_agrees_with_eigenvalues(seed, size, rank, shift):
    rng = np.random.default_rng(seed)
    factor = rng.integers(-3, 4, size=(size, min(rank, size)))
    matrix = factor @ factor.T + shift * np.eye(size, dtype=int)
    exact = exact_psd([[Fraction(int(v)) for v in row] for row in matrix])
    smallest = np.linalg.eigvalsh(matrix.astype(float))[0]
    if abs(smallest) > 1e-9:
        assert exact == (smallest > 0)
    else:
        assert exact is True  # singular PSD integer matrices are decided exactly, not by tolerance


def test_psd_by_rounding_proves_interior_and_refuses_outside():
    big = Fraction(10**40 + 1, 10**40)
    assert psd_by_rounding([[big, Fraction(1, 3)], [Fraction(1, 3), big]])
    assert not psd_by_rounding([[Fraction(1), Fraction(1)], [Fraction(1), Fraction(1) - Fraction(1, 10**30)]])


def test_exact_psd_on_radicals_undecidable_entries_and_underflowing_pivots():
    assert exact_psd(sympy.Matrix([[-sympy.sqrt(2)]])) is False  # a negative radical pivot
    assert exact_psd(sympy.Matrix([[sympy.sqrt(2), 1], [1, sympy.sqrt(2)]])) is True
    t = sympy.Symbol("t")
    assert exact_psd(sympy.Matrix([[0, t], [t, 0]])) is None  # zero diagonal, an entry of unknown sign
    assert exact_psd(sympy.Matrix([[t, 0], [0, 1]])) is None
    # A positive pivot whose float is 0.0 (as the zero beside it) must still be the pivot chosen.
    assert exact_psd([[Fraction(0), Fraction(0)], [Fraction(0), Fraction(1, 10**400)]]) is True


def test_psd_by_rounding_is_sound_when_the_rounding_error_underflows():
    # Rounding errors below 1e-154 square to less than the smallest float: ε must still bound them.
    assert psd_by_rounding([[Fraction(1, 3) + Fraction(1, 10**200)]])  # ε ≈ 1e-200, far inside the cone
    b = 10**120
    # [[b² + 1, b], [b, 1]] has det 1 and λ_min ≈ 1e-240; lowering its corner by 1e-200 makes det ≈ −1e40.
    not_psd = [[Fraction(b * b + 1), Fraction(b)], [Fraction(b), 1 - Fraction(1, 10**200)]]
    assert not psd_by_rounding(not_psd)
    # No rounding error at all: ε stays positive, so a matrix with λ_min ≈ −1e-301 is not passed as PSD.
    assert not psd_by_rounding([[Fraction(10**301), Fraction(1)], [Fraction(1), Fraction(0)]])


def test_exact_certificate_of_sdp_output():
    x, z = pair(6, 3, 1, 1)
    result = counterexample_sdp(x, z, margin=0.05)
    exact = certify_exact(result)
    assert exact.verified, exact.checks
    assert exact.coordinates == "original"
    assert 0 <= exact.delta_float - result.delta <= EXACT_DELTA_WINDOW
    assert sympy.Rational(exact.margin) <= sympy.Rational(0.05)


def test_exact_certificate_rank_two_and_reduced_coordinates(monkeypatch):
    x, z = pair(7, 6, 2, 1)
    result = counterexample_sdp(x, z)
    exact = certify_exact(result)
    assert exact.verified, exact.checks
    assert exact.coordinates.startswith("reduced")
    assert "lifting_condition" in exact.checks


def test_exact_checks_fail_below_the_optimum():
    x, z = pair(8, 2, 1, 1)
    result = counterexample_sdp(x, z, margin=0.01)
    exact = certify_exact(result)
    gram = sympy.Matrix([[sympy.Rational(entry) for entry in row] for row in exact.gram])
    xs = sympy.Matrix(2, 1, lambda i, j: sympy.Rational(Fraction(float(x[i, j]))))
    zs = sympy.Matrix(2, 1, lambda i, j: sympy.Rational(Fraction(float(z[i, j]))))
    lowered = verify_exact(gram, xs, zs, delta=sympy.Rational(exact.delta) - sympy.Rational(1, 1000), margin=0, rounding=True)
    assert not (lowered["upper_rip"] and lowered["lower_rip"])


def test_half_example_exact_certificate():
    certificate = certify_half_example_exact()
    assert certificate.verified, certificate.checks
    assert certificate.delta == "1/2"
    assert certificate.kernel_eigenvalues == {"1/2": 1, "3/2": 2}
    assert certificate.hessian_eigenvalues == {"0": 1, "4": 1}
    assert certificate.objective_at_x == "3/4"
    assert certificate.descent_curve["f(u(t)) - f(x)"] == "-3*t**4"


def test_half_example_point_is_not_a_local_minimum():
    example = half_example()
    test = local_minimum_test(example.operator, example.x_bad, example.z)
    assert test.kind == PointKind.DEGENERATE
    assert test.verdict == "not a local minimum (descent found)"
    assert all(d.exact for d in test.descents)
    assert abs(test.decay_exponent - 4.0) < 0.2  # the exact curve gives a drop of 3t⁴


def test_local_minimum_test_on_strict_and_saddle_points():
    x, z = pair(9, 3, 1, 1)
    strict = counterexample_sdp(x, z, margin=0.05).operator()
    assert local_minimum_test(strict, x, z).verdict.startswith("local minimum (strict")
    identity = SensingOperator.from_kernel(np.eye(6))
    # identity operator: U = 0 is critical with Hessian 4(−ZZᵀ) ⊗ I, a saddle; a random x is not critical
    assert local_minimum_test(identity, np.zeros((3, 1)), z).verdict == "not a local minimum (negative curvature)"
    assert local_minimum_test(identity, x, z).verdict == "not critical"


# ----------------------------------------------------------------------------------------------
# The certificate's thresholds, pinned from outside: each test below fails if a check is
# inverted, dropped, or its tolerance loosened (numbers independent of the module's constants).

REAL_GRADIENT = 1e-5
"""‖∇f(X)‖ this large relative to its natural scale max(1, ‖X‖·‖XXᵀ − ZZᵀ‖) is a real gradient, not solver
noise (100× the certificate's 1e-7): a certificate that accepts it is loosened."""
NOISE_GRADIENT = 1e-10
"""A relative gradient this small is rounding: a certificate that rejects it is too strict."""
REAL_CURVATURE_SHORTFALL = 1e-5
"""A Hessian minimum this far below μ (relative to the Hessian's scale, O(1) here) does not meet μ."""
REAL_DELTA_EXCESS = 1e-5
"""A claimed δ this far below the verified one is understated (10× the certificate's 1e-6)."""
SMALL_BUT_REAL_GAP = 1e-7
"""f(X) − f(Z) = 1e-7·‖XXᵀ − ZZᵀ‖² is a real (if tiny) gap: X is spurious (certificate threshold 1e-9)."""


@functools.lru_cache(maxsize=None)
def _solved(seed: int, margin: float):
    x, z = pair(seed, 3, 1, 1)
    return x, z, counterexample_sdp(x, z, margin=margin)


def test_margin_free_solution_is_not_certified_at_a_positive_margin():
    # The slides' point x = (0, 1/√2), z = (1, 0): its μ = 0 solution (δ* = 1/2) has a singular Hessian.
    # Asking the certificate for μ = 0.05 must fail (a sign error in the ⪰ μ test once certified it).
    example = half_example()
    x, z = example.x_bad, example.z
    result = counterexample_sdp(x, z)
    operator = result.operator()
    own = certify_operator(operator, x, z, claimed_delta=result.delta)
    assert own.certified, own.failures
    assert own.kind == PointKind.DEGENERATE and abs(own.hessian_min_eig) < TIGHT_TOL
    asked = certify_operator(operator, x, z, margin=0.05, claimed_delta=result.delta)
    assert not asked.certified
    assert any("Hessian minimum" in failure for failure in asked.failures), asked.failures
    assert asked.margin_required == 0.05


def test_the_margin_test_is_tight():
    x, z, result = _solved(11, 0.05)
    operator = result.operator()
    achieved = certify_operator(operator, x, z).hessian_min_eig
    assert achieved >= 0.05 - TIGHT_TOL
    just_below = certify_operator(operator, x, z, margin=achieved - REAL_CURVATURE_SHORTFALL, claimed_delta=result.delta)
    assert just_below.certified, just_below.failures
    assert just_below.kind == PointKind.STRICT_LOCAL_MINIMUM
    assert just_below.classification == f"spurious strict local minimum (μ = {achieved:.6g})"
    just_above = certify_operator(operator, x, z, margin=achieved + REAL_CURVATURE_SHORTFALL, claimed_delta=result.delta)
    assert not just_above.certified
    assert just_above.failures == [f"Hessian minimum {achieved:.6g} < μ = {achieved + REAL_CURVATURE_SHORTFALL:g}"]


def _scaled_perturbation(operator, x, z, relative_gradient):
    """Returns X + εV with ‖∇f‖ ≈ relative_gradient·max(1, ‖X‖‖XXᵀ − ZZᵀ‖) (∇f is linear in ε near a critical X)."""
    direction = np.random.default_rng(0).standard_normal(x.shape)
    probe = 1e-6
    slope = np.linalg.norm(objective.gradient(operator, x + probe * direction, z)) / probe
    scale = max(1.0, np.linalg.norm(x) * np.linalg.norm(x @ x.T - z @ z.T))
    moved = x + relative_gradient * scale / slope * direction
    measured = np.linalg.norm(objective.gradient(operator, moved, z)) / scale
    assert 0.5 * relative_gradient <= measured <= 2 * relative_gradient, (measured, relative_gradient)
    return moved


def test_a_real_gradient_is_not_critical_and_rounding_is():
    x, z, result = _solved(12, 0.05)
    operator = result.operator()
    moved = certify_operator(operator, _scaled_perturbation(operator, x, z, REAL_GRADIENT), z)
    assert moved.kind == PointKind.NOT_CRITICAL and not moved.certified
    assert any(failure.startswith("X is not critical") for failure in moved.failures)
    nudged = certify_operator(operator, _scaled_perturbation(operator, x, z, NOISE_GRADIENT), z, margin=0.05 - TIGHT_TOL)
    assert nudged.kind == PointKind.STRICT_LOCAL_MINIMUM and nudged.certified, nudged.failures


def test_an_understated_delta_is_rejected_at_a_small_excess():
    x, z, result = _solved(13, 0.0)
    operator = result.operator()
    verified = certify_operator(operator, x, z).rip_delta_verified
    assert certify_operator(operator, x, z, claimed_delta=verified).certified
    understated = certify_operator(operator, x, z, claimed_delta=verified - REAL_DELTA_EXCESS)
    assert not understated.certified
    assert understated.failures == [f"verified δ {verified:.9g} exceeds the claimed δ {verified - REAL_DELTA_EXCESS:.9g}"]


def _nearly_blind_operator(x, z, gap):
    """Returns the operator with kernel I − (1 − gap)êêᵀ, ê = svec(XXᵀ − ZZᵀ)/‖·‖: f(X) − f(Z) = gap·‖XXᵀ − ZZᵀ‖²."""
    e = svec(x @ x.T - z @ z.T)
    e = e / np.linalg.norm(e)
    return SensingOperator.from_kernel(np.eye(e.size) - (1 - gap) * np.outer(e, e))


def test_the_spurious_test_separates_a_tiny_gap_from_none():
    x, z = pair(14, 3, 1, 1)
    residual = np.linalg.norm(x @ x.T - z @ z.T)
    small = certify_operator(_nearly_blind_operator(x, z, SMALL_BUT_REAL_GAP), x, z)
    assert small.objective_gap == pytest.approx(SMALL_BUT_REAL_GAP * residual**2, rel=1e-3)
    assert not any("not spurious" in failure for failure in small.failures), small.failures
    assert small.classification.startswith("spurious ")
    blind = certify_operator(_nearly_blind_operator(x, z, 0.0), x, z)
    assert any("X is not spurious" in failure for failure in blind.failures)
    assert not blind.classification.startswith("spurious")


# The rules of the numeric certificate on synthetic numbers (no solve): thresholds scaled as documented
# (GRADIENT_TOL·max(1, ‖X‖‖XXᵀ − ZZᵀ‖), EIGENVALUE_TOL·max(1, ‖X‖², ‖XXᵀ − ZZᵀ‖), OBJECTIVE_GAP_TOL·‖XXᵀ − ZZᵀ‖²),
# checked at 0.9 and 1.1 times each threshold, at a point where the floor 1 applies and at one where it does not.

SMALL = (np.array([[0.3], [0.0]]), np.array([[0.1], [0.2]]))
"""‖X‖ = 0.3, ‖XXᵀ − ZZᵀ‖ ≈ 0.094: every scale is its floor 1."""
LARGE = (np.array([[3.0], [0.0]]), np.array([[1.0], [2.0]]))
"""‖X‖ = 3, ‖XXᵀ − ZZᵀ‖ ≈ 9.38 (X and Z not orthogonal, so ‖XXᵀ + ZZᵀ‖ ≈ 11.1 would differ): scales 28.1 and 9.38."""


def _scales_by_hand(x, z):
    residual = np.linalg.norm(x @ x.T - z @ z.T)
    return max(1.0, np.linalg.norm(x) * residual), max(1.0, np.linalg.norm(x) ** 2, residual), residual


def _numeric(x, z, *, gradient_norm=0.0, min_eig=1.0, eigenvalues=(0.9, 1.1), gap=None, margin=0.0, claimed_delta=None,
             accurate=None):
    residual = _scales_by_hand(x, z)[2]
    gap = residual**2 if gap is None else gap
    return certify._assemble("test", x, z, gradient_norm, min_eig, list(eigenvalues), gap, margin=margin,
                             claimed_delta=claimed_delta, solver_accurate=accurate)


NORM_DOMINATED = (np.array([[3.0], [0.0]]), np.array([[2.5], [1.0]]))
"""‖X‖² = 9 above ‖XXᵀ − ZZᵀ‖ ≈ 4.6: the Hessian scale is ‖X‖²."""


@pytest.mark.parametrize("point", [SMALL, LARGE, NORM_DOMINATED], ids=["floor", "residual", "norm"])
def test_numeric_thresholds_are_where_documented(point):
    x, z = point
    gradient_scale, hessian_scale, residual = _scales_by_hand(x, z)
    g, e = certify.GRADIENT_TOL * gradient_scale, certify.EIGENVALUE_TOL * hessian_scale
    assert _numeric(x, z, gradient_norm=0.9 * g).certified
    assert _numeric(x, z, gradient_norm=g).kind == PointKind.STRICT_LOCAL_MINIMUM  # ≤ the tolerance is critical
    rejected = _numeric(x, z, gradient_norm=1.1 * g)
    assert rejected.kind == PointKind.NOT_CRITICAL and rejected.failures == [f"X is not critical (‖∇f‖ = {1.1 * g:.3g})"]
    assert _numeric(x, z, min_eig=1.1 * e).kind == PointKind.STRICT_LOCAL_MINIMUM
    assert _numeric(x, z, min_eig=e).kind == PointKind.DEGENERATE  # a zero eigenvalue within tolerance
    assert _numeric(x, z, min_eig=-e).kind == PointKind.DEGENERATE
    assert _numeric(x, z, min_eig=-1.1 * e).kind == PointKind.SADDLE
    assert _numeric(x, z, min_eig=0.5 - 0.9 * e, margin=0.5).certified
    assert not _numeric(x, z, min_eig=0.5 - 1.1 * e, margin=0.5).certified
    assert _numeric(x, z, min_eig=0.5 - certify.EIGENVALUE_TOL * hessian_scale, margin=0.5).certified  # the boundary
    spurious = certify.OBJECTIVE_GAP_TOL * residual**2
    assert _numeric(x, z, gap=1.1 * spurious).certified
    assert not _numeric(x, z, gap=0.9 * spurious).certified


def test_numeric_delta_and_solver_rules():
    x, z = SMALL
    certificate = _numeric(x, z, eigenvalues=(0.75, 1.25, 1.0))
    assert (certificate.kernel_eigenvalue_min, certificate.kernel_eigenvalue_max) == (0.75, 1.25)
    assert certificate.rip_delta_verified == 0.25
    assert _numeric(x, z, eigenvalues=(0.6, 1.25)).rip_delta_verified == 0.4  # the lower side decides
    assert _numeric(x, z, eigenvalues=(0.875, 1.5)).rip_delta_verified == 0.5  # the upper side decides
    at_tolerance = 0.5 + certify.DELTA_TOL  # 1 − (1 − v) = v exactly for this v, so the test is at the boundary
    assert 1.0 - (1.0 - at_tolerance) == at_tolerance
    assert _numeric(x, z, eigenvalues=(1.0 - at_tolerance, 1.0), claimed_delta=0.5).certified  # ≤ δ + DELTA_TOL
    assert _numeric(x, z, eigenvalues=(0.75, 1.25), claimed_delta=0.25 - certify.DELTA_TOL / 2).certified
    assert not _numeric(x, z, eigenvalues=(0.75, 1.25), claimed_delta=0.25 - 2 * certify.DELTA_TOL).certified
    assert _numeric(x, z, accurate=True).certified
    inaccurate = _numeric(x, z, accurate=False)
    assert inaccurate.failures == ["the SDP solve was not accurate"] and inaccurate.solver_accurate is False
    not_psd = _numeric(x, z, eigenvalues=(-2 * certify.EIGENVALUE_TOL, 1.0))
    assert not_psd.failures == ["the kernel is not PSD (no operator has it)"]
    assert _numeric(x, z, eigenvalues=(-certify.EIGENVALUE_TOL, 1.0)).certified  # −tol itself is rounding
    strict = _numeric(x, z, min_eig=0.25, margin=0.125)
    assert strict.classification == "spurious strict local minimum (μ = 0.25)"
    assert (strict.method, strict.margin_required, strict.gradient_norm, strict.hessian_min_eig) == ("test", 0.125, 0.0, 0.25)
    assert _numeric(x, z, min_eig=0.0).classification == "spurious second-order critical, degenerate"
    blind = _numeric(x, z, gap=0.0)
    assert blind.classification == "strict local minimum (μ = 1)" and not blind.certified
    assert blind.failures == ["f(X) − f(Z) = 0 ≈ 0: the operator does not see XXᵀ − ZZᵀ, X is not spurious"]


def test_certify_operator_names_the_bad_argument():
    operator = half_example().operator  # n = 2
    good = np.array([[0.0], [0.5]])
    for x, z, message in ((np.ones((3, 1)), good, "x: expected 2 rows (the operator's n), got shape (3, 1)"),
                          (good, np.ones((3, 1)), "z: expected 2 rows (the operator's n), got shape (3, 1)"),
                          (np.array([[np.nan], [0.0]]), good, "x:"), (good, np.ones((2, 1, 1)), "z:")):
        with pytest.raises(InputError) as error:
            certify_operator(operator, x, z)
        assert str(error.value).startswith(message)


def test_overflowing_quantities_are_never_certified():
    # At this scale ∇f overflows to NaN and f(X) − f(Z) to inf: a NaN compared with a tolerance once passed.
    example = half_example()
    with np.errstate(all="ignore"):
        overflowed = certify_operator(example.operator.scaled(1e140), example.x_bad * 1e29, example.z * 1e29)
    assert np.isnan(overflowed.gradient_norm) and not overflowed.certified
    assert overflowed.failures[0] == ("a recomputed quantity is not finite (float64 overflow at this scale): "
                                      "rescale X, Z or the operator")
    assert overflowed.kind == PointKind.NOT_CRITICAL
    with np.errstate(all="ignore"):  # the same rule in classify_point, so the local-minimum test stops there too
        point = objective.classify_point(example.operator.scaled(1e140), example.x_bad * 1e29, example.z * 1e29)
        assert point.kind == PointKind.NOT_CRITICAL
        assert local_minimum_test(example.operator.scaled(1e140), example.x_bad * 1e29, example.z * 1e29).verdict == "not critical"
    for field in ("gradient_norm", "min_eig", "gap"):
        nan = _numeric(*SMALL, **{field: np.nan})
        assert not nan.certified and nan.failures[0].startswith("a recomputed quantity is not finite"), field
    assert not _numeric(*SMALL, eigenvalues=(np.nan, 1.0)).certified
    assert not _numeric(*SMALL, eigenvalues=(0.9, 1.0), claimed_delta=np.nan).certified
