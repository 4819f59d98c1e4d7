"""Tests of RIP constants: exact values, certified bounds, invariances."""

import time

import numpy as np
import pytest
from scipy.stats import ortho_group

from riptools import rip
from riptools.rip import delta_as_given, delta_rescaled, rayleigh_witnesses, rip_constant, sdp_rayleigh_bound, witness_rank
from riptools.sensing import SensingOperator, entry_sampling_operator, gaussian_operator, half_example, svec_basis
from riptools.validation import InputError

EXACT_TOL = 1e-12  # eigenvalue computations on tiny kernels
SEARCH_TOL = 1e-7  # local-search witnesses converge to a stationary quotient to about this accuracy


def test_half_example_is_one_half_after_rescaling():
    rip = rip_constant(half_example("rip").operator, 2)
    slides = rip_constant(half_example("slides").operator, 2)
    assert rip.exact and slides.exact
    assert rip.delta == pytest.approx(0.5, abs=EXACT_TOL)
    assert slides.delta == pytest.approx(2.0, abs=EXACT_TOL)  # as printed, not ½-RIP
    assert slides.delta_scaled == pytest.approx(0.5, abs=EXACT_TOL)
    assert rip.delta_scaled == pytest.approx(0.5, abs=EXACT_TOL)


def test_orthonormal_measurements_give_zero():
    operator = SensingOperator.from_matrices(svec_basis(3))
    for rank in (1, 2, 3):
        result = rip_constant(operator, rank, starts=3)
        assert result.lower == pytest.approx(0.0, abs=SEARCH_TOL)
        assert result.upper == pytest.approx(0.0, abs=SEARCH_TOL)


@pytest.mark.parametrize("seed", [0, 1])
def test_bounds_bracket_the_exact_value_and_grow_with_rank(seed):
    operator = gaussian_operator(3, 15, seed=seed)
    exact = rip_constant(operator, 3)
    lowers = []
    for rank in (1, 2, 3):
        bounds = rip_constant(operator, rank, force_bounds=True, seed=seed)
        assert bounds.lower <= bounds.upper + SEARCH_TOL
        assert bounds.upper <= exact.delta + SEARCH_TOL  # the full-space value bounds every rank
        assert witness_rank(bounds.witness) <= rank
        lowers.append(bounds.lower)
    assert lowers[-1] == pytest.approx(exact.delta, abs=SEARCH_TOL)  # at rank n the search is exact
    assert lowers[0] <= lowers[1] + SEARCH_TOL <= lowers[2] + 2 * SEARCH_TOL


def test_witness_attains_the_lower_bound():
    operator = gaussian_operator(4, 12, seed=5)
    result = rip_constant(operator, 1, starts=5)
    value = np.linalg.norm(operator.apply(result.witness)) ** 2 / np.linalg.norm(result.witness) ** 2
    assert max(1 - value, value - 1) == pytest.approx(result.lower, abs=1e-10)


def test_sdp_relaxation_tightens_the_full_space_bound():
    operator = gaussian_operator(3, 9, seed=2)
    full = rip_constant(operator, 3)
    rank_one = rip_constant(operator, 1, starts=10)
    assert [b.status for b in rank_one.sdp] == ["optimal", "optimal"]
    assert rank_one.upper < full.delta - 1e-3  # strictly better than the eigenvalue bound here


def test_rotation_leaves_the_constant_unchanged():
    operator = gaussian_operator(3, 10, seed=4)
    q = ortho_group.rvs(3, random_state=7)
    rotated = operator.rotated(q)
    assert rip_constant(rotated, 3).delta == pytest.approx(rip_constant(operator, 3).delta, abs=1e-10)
    assert rip_constant(rotated, 1, starts=10).lower == pytest.approx(rip_constant(operator, 1, starts=10).lower, abs=SEARCH_TOL)


def test_gaussian_delta_falls_as_measurements_grow():
    means = [np.mean([rip_constant(gaussian_operator(3, m, seed=s), 3).delta for s in range(8)]) for m in (12, 48, 192, 768)]
    assert all(a > b for a, b in zip(means, means[1:]))
    assert means[-1] < 0.35  # concentration: δ = O(√(N/m)) with N = 6


def test_diagonal_sampling_constants_are_known_in_closed_form():
    # Observing the diagonal of M = ±uuᵀ (‖u‖ = 1) gives ‖A(M)‖² = Σu_i⁴ ∈ [1/n, 1]: δ = 1 − 1/n at rank 1.
    # At rank 2, e₁e₂ᵀ + e₂e₁ᵀ is invisible: λ_min = 0 and δ = 1.
    operator = entry_sampling_operator(3, [(0, 0), (1, 1), (2, 2)])
    rank_one = rip_constant(operator, 1, starts=5)
    assert rank_one.lower == pytest.approx(2 / 3, abs=SEARCH_TOL)
    assert rank_one.upper == pytest.approx(2 / 3, abs=1e-4)  # the SDP relaxation is tight here
    assert rip_constant(operator, 2, starts=5).lower == pytest.approx(1.0, abs=SEARCH_TOL)


@pytest.mark.parametrize("rank", [0, -1, 1.5, "2", True])
def test_bad_rank_is_rejected(rank):
    with pytest.raises(InputError, match="^rank: "):
        rip_constant(half_example().operator, rank)


@pytest.mark.slow
def test_rip_bounds_at_larger_n():
    # n = 6: the SDP relaxation has a 21×21 PSD block and two 36×36 ones (K(Y) = P − N); the bounds must
    # bracket every witness and sit inside the exact full-space value.
    operator = gaussian_operator(6, 60, seed=11)
    exact = rip_constant(operator, 6)
    for rank in (1, 2):
        bounds = rip_constant(operator, rank, starts=10, seed=rank, sdp_max_n=6)
        assert len(bounds.sdp) == 2
        assert all((b.bound is None) == (b.status != "optimal") for b in bounds.sdp)  # inaccurate solves unused
        assert bounds.lower <= bounds.upper + SEARCH_TOL <= exact.delta + 2 * SEARCH_TOL
        assert witness_rank(bounds.witness) <= rank


SDP_TOL = 1e-6
"""Clarabel's optimal values against closed forms (interior point, default tolerances ~1e-8)."""


def test_sdp_bounds_contain_the_closed_form_extremes():
    # Diagonal sampling at rank 1: λ_max(1) = 1 (at e₁e₁ᵀ) and λ_min(1) = 1/3 (at uuᵀ, u = (1,1,1)/√3).
    # A bound on the wrong side of these is unsound, however close.
    kernel = entry_sampling_operator(3, [(0, 0), (1, 1), (2, 2)]).kernel
    upper = sdp_rayleigh_bound(kernel, 3, 1, "max")
    lower = sdp_rayleigh_bound(kernel, 3, 1, "min")
    assert (upper.status, lower.status, upper.solver) == ("optimal", "optimal", "CLARABEL")
    assert upper.bound >= 1.0 and upper.bound >= upper.value
    assert lower.bound <= 1 / 3 and lower.bound <= lower.value
    assert upper.value == pytest.approx(1.0, abs=SDP_TOL)  # the relaxation is tight here
    assert lower.value == pytest.approx(1 / 3, abs=SDP_TOL)


@pytest.mark.parametrize("seed, m", [(3, 6), (5, 9)])
def test_reported_bounds_are_the_relaxation_not_the_witness(seed, m):
    # Where the relaxation is not tight (seed 3: at λ_max, gap 0.006; seed 5: at λ_min, gap 0.08, as
    # measured), the reported λ bounds are the SDP's values widened by its slack, strictly outside
    # the witnesses: a bound moved inward cannot hide behind the clamp to the witness.
    operator = gaussian_operator(3, m, seed=seed)
    result = rip_constant(operator, 1, starts=10)
    upper, lower = result.sdp
    assert (upper.extreme, upper.status, lower.extreme, lower.status) == ("max", "optimal", "min", "optimal")
    assert upper.bound > upper.value and lower.bound < lower.value  # the solver's slack widens, never narrows
    assert (result.lambda_min_bounds[0], result.lambda_max_bounds[1]) == (lower.bound, upper.bound)
    gaps = (result.lambda_max_bounds[1] - result.lambda_max_bounds[0], result.lambda_min_bounds[1] - result.lambda_min_bounds[0])
    assert max(gaps) > 1e-3
    assert result.upper == delta_as_given(result.lambda_min_bounds[0], result.lambda_max_bounds[1])
    assert result.lower == delta_as_given(result.lambda_min_bounds[1], result.lambda_max_bounds[0])
    # Quotients of rank-1 matrices sampled on the sphere lie inside the reported bounds.
    rng = np.random.default_rng(0)
    for u in rng.standard_normal((500, 3)):
        m = np.outer(u, u)
        quotient = np.linalg.norm(operator.apply(m)) ** 2 / np.linalg.norm(m) ** 2
        assert result.lambda_min_bounds[0] <= quotient <= result.lambda_max_bounds[1]


def test_delta_formulas_on_hand_computed_values():
    assert delta_as_given(0.25, 1.5) == 0.75  # the lower side decides
    assert delta_as_given(0.75, 1.5) == 0.5  # the upper side decides
    assert delta_rescaled(0.5, 1.5) == 0.5  # (1.5 − 0.5)/(1.5 + 0.5)
    assert delta_rescaled(-1e-12, 2.0) == 1.0  # a rounding-negative λ_min counts as 0
    assert delta_rescaled(0.0, 0.0) == 1.0  # the zero operator: no rescaling helps
    assert delta_rescaled(0.2, 0.9) == pytest.approx(0.7 / 1.1, abs=EXACT_TOL)  # λ_max < 1 is an ordinary operator


def _quotient(operator, matrix):
    return np.linalg.norm(operator.apply(matrix)) ** 2 / np.linalg.norm(matrix) ** 2


EXACT_CASES = {
    "slides": (lambda: half_example("slides").operator, 1.0, 3.0),  # kernel eigenvalues {1, 3, 3} as printed (README)
    "rip": (lambda: half_example("rip").operator, 0.5, 1.5),  # {1/2, 3/2, 3/2} after ÷√2: a tie, the lower side wins
    "diagonal": (lambda: SensingOperator.from_kernel(np.diag([0.8, 1.2, 1.5])), 0.8, 1.5),  # distinct, upper side decides
}


@pytest.mark.parametrize("case", EXACT_CASES)
def test_exact_result_fields(case):
    make, lam_min, lam_max = EXACT_CASES[case]
    operator = make()
    begin = time.perf_counter()
    result = rip_constant(operator, 2)
    elapsed = time.perf_counter() - begin
    delta, scaled = max(1 - lam_min, lam_max - 1), (lam_max - lam_min) / (lam_max + lam_min)
    assert result.exact and result.sdp == () and result.rank == 2
    assert result.method == "exact: extreme eigenvalues of the kernel H on Sⁿ (rank ≥ n)"
    for value, expected in ((result.delta, delta), (result.lower, delta), (result.upper, delta), (result.delta_scaled, scaled),
                            (result.delta_scaled_lower, scaled), (result.delta_scaled_upper, scaled),
                            (result.best_scale, np.sqrt(2 / (lam_min + lam_max)))):
        assert value == pytest.approx(expected, abs=EXACT_TOL)
    assert result.lambda_min_bounds == pytest.approx((lam_min, lam_min), abs=EXACT_TOL)
    assert result.lambda_max_bounds == pytest.approx((lam_max, lam_max), abs=EXACT_TOL)
    # the witness attains the side that decides δ (the lower side on a tie)
    deciding = lam_min if 1 - lam_min >= lam_max - 1 else lam_max
    assert _quotient(operator, result.witness) == pytest.approx(deciding, abs=EXACT_TOL)
    assert result.gap == 0 and 0 <= result.seconds <= elapsed


@pytest.mark.parametrize("seed, m", [(3, 6), (5, 9)])
def test_bound_result_fields(seed, m):
    operator = gaussian_operator(3, m, seed=seed)
    result = rip_constant(operator, 1, starts=10)
    (min_low, min_high), (max_low, max_high) = result.lambda_min_bounds, result.lambda_max_bounds
    assert result.exact is False and result.rank == 1
    assert result.method == ("bounds: witnesses from a 10-start local search; upper bound from the full-space eigenvalues"
                             " and the Kronecker nuclear-norm SDP relaxation")
    assert result.delta == result.lower and result.gap == result.upper - result.lower > 0
    assert result.delta_scaled == result.delta_scaled_lower == delta_rescaled(min_high, max_low)
    assert result.delta_scaled_upper == delta_rescaled(min_low, max_high) > result.delta_scaled_lower
    assert result.best_scale == pytest.approx(np.sqrt(2 / (min_high + max_low)), abs=EXACT_TOL)
    deciding = min_high if 1 - min_high >= max_low - 1 else max_low
    assert witness_rank(result.witness) == 1
    assert _quotient(operator, result.witness) == pytest.approx(deciding, abs=SEARCH_TOL)
    eigenvalues = np.linalg.eigvalsh(operator.kernel)
    assert eigenvalues[0] <= min_low <= min_high and max_low <= max_high <= eigenvalues[-1]
    assert len(rip_constant(operator, 1, starts=2, sdp_max_n=3).sdp) == 2  # n ≤ sdp_max_n: solved
    # without the SDP the upper bound is the full-space eigenvalues'
    plain = rip_constant(operator, 1, starts=10, sdp_max_n=2)
    assert plain.sdp == () and "SDP" not in plain.method
    assert (plain.lambda_min_bounds[0], plain.lambda_max_bounds[1]) == pytest.approx((eigenvalues[0], eigenvalues[-1]), abs=EXACT_TOL)
    assert plain.upper == pytest.approx(delta_as_given(eigenvalues[0], eigenvalues[-1]), abs=EXACT_TOL)
    assert plain.lower == result.lower and plain.upper >= result.upper


@pytest.mark.parametrize("seed, starts, scale", [(2, 2, 1.0), (1, 5, 1.1)])  # ×1.1: the upper side decides δ, by less than 2λ_lo
def test_bounds_come_from_the_witness_search_with_the_given_seed_and_starts(seed, starts, scale):
    operator = gaussian_operator(3, 6, seed=0).scaled(scale)
    begin = time.perf_counter()
    result = rip_constant(operator, 1, starts=starts, seed=seed, sdp_max_n=2)
    elapsed = time.perf_counter() - begin
    (low, low_witness), (high, high_witness) = rayleigh_witnesses(operator, 1, starts=starts, seed=seed)
    assert result.lambda_min_bounds[1] == low and result.lambda_max_bounds[0] == high  # bit for bit: same starts
    assert np.array_equal(result.witness, low_witness if 1 - low >= high - 1 else high_witness)
    assert (1 - low < high - 1) == (scale > 1) and high - 1 <= 1 + low
    assert 0 <= result.seconds <= elapsed
    (default_low, _), (default_high, _) = rayleigh_witnesses(operator, 1)  # other starts end elsewhere in the last bits
    assert (default_low, default_high) != (low, high)


def test_the_default_seed_is_0():
    operator = gaussian_operator(3, 6, seed=0)
    default, zero, one = (rip_constant(operator, 1, sdp_max_n=2, **seed) for seed in ({}, {"seed": 0}, {"seed": 1}))
    assert (default.lambda_min_bounds, default.lambda_max_bounds) == (zero.lambda_min_bounds, zero.lambda_max_bounds)
    assert (one.lambda_min_bounds, one.lambda_max_bounds) != (zero.lambda_min_bounds, zero.lambda_max_bounds)


def test_bound_witness_is_the_lower_sides_on_a_tie(monkeypatch):
    low_witness, high_witness = np.diag([1.0, 0.0, 0.0]), np.diag([0.0, 1.0, 0.0])
    monkeypatch.setattr(rip, "rayleigh_witnesses", lambda *args, **kwargs: ((0.5, low_witness), (1.5, high_witness)))
    result = rip_constant(gaussian_operator(3, 6, seed=0), 1, sdp_max_n=2)  # 1 − 0.5 = 1.5 − 1 exactly
    assert result.witness is low_witness and result.delta == 0.5


def test_forced_bounds_at_full_rank_use_no_sdp_and_match_the_exact_value():
    operator = gaussian_operator(2, 5, seed=1)
    exact = rip_constant(operator, 2)
    bounds = rip_constant(operator, 2, force_bounds=True, starts=3)
    assert not bounds.exact and bounds.sdp == ()
    assert bounds.upper == pytest.approx(exact.delta, abs=EXACT_TOL) and bounds.lower == pytest.approx(exact.delta, abs=SEARCH_TOL)


def test_a_failed_sdp_solve_gives_no_bound():
    kernel = entry_sampling_operator(3, [(0, 0), (1, 1), (2, 2)]).kernel
    failed = sdp_rayleigh_bound(kernel, 3, 1, "max", solver="NO_SUCH_SOLVER")
    assert failed.status.startswith("solver error") and failed.value is None and failed.bound is None
    assert (failed.extreme, failed.solver) == ("max", "NO_SUCH_SOLVER")
    begin = time.perf_counter()
    rank_two = sdp_rayleigh_bound(kernel, 3, 2, "max")
    assert 0 <= rank_two.seconds <= time.perf_counter() - begin
    assert rank_two.value == pytest.approx(1.0, abs=SDP_TOL) and rank_two.bound == rank_two.value + rip.SDP_SLACK
    assert sdp_rayleigh_bound(kernel, 3, 2, "min").value == pytest.approx(0.0, abs=SDP_TOL)  # e₁e₂ᵀ + e₂e₁ᵀ is invisible


@pytest.mark.parametrize("failing", ["max", "min"])
def test_one_failed_sdp_solve_leaves_the_other_bound(monkeypatch, failing):
    solve = rip.sdp_rayleigh_bound
    monkeypatch.setattr(rip, "sdp_rayleigh_bound", lambda kernel, n, rank, extreme: solve(
        kernel, n, rank, extreme, solver="NO_SUCH_SOLVER" if extreme == failing else "CLARABEL"))
    operator = gaussian_operator(3, 6, seed=3)
    result = rip_constant(operator, 1, starts=2)
    eigenvalues = np.linalg.eigvalsh(operator.kernel)
    max_upper, min_lower = result.lambda_max_bounds[1], result.lambda_min_bounds[0]
    if failing == "max":
        assert max_upper == pytest.approx(eigenvalues[-1], abs=EXACT_TOL) and min_lower > eigenvalues[0] + SEARCH_TOL
    else:
        assert min_lower == pytest.approx(eigenvalues[0], abs=EXACT_TOL) and max_upper < eigenvalues[-1] - SEARCH_TOL


def test_sdp_bounds_are_solved_where_the_nuclear_norm_form_was_inaccurate():
    # With cp.normNuc Clarabel ended "optimal_inaccurate" at both extremes here, so the bound fell back to the
    # full-space eigenvalues (2.445 against a witness of 1.778); the split form P − N is solved and tight.
    result = rip_constant(gaussian_operator(3, 9, seed=6), 1, starts=10)
    assert [b.status for b in result.sdp] == ["optimal", "optimal"]
    assert result.lambda_max_bounds[1] - result.lambda_max_bounds[0] < 1e-5
    assert result.gap < 0.07  # was 0.65
