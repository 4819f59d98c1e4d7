"""Tests of the counterexample SDP (riptools.counterexample) and its CLI."""

import json
from types import SimpleNamespace

import cvxpy as cp
import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from riptools import objective
from riptools.cli import main
from riptools import counterexample
from riptools.counterexample import (
    ACCURACY_TOL,
    SdpMaps,
    _dual_check,
    _min_eig,
    _project_gradient_condition,
    counterexample_sdp,
    gradient_from_kernel,
    hessian_from_kernel,
    lift_kernel,
    rank1_delta_lower_bound,
    sdp_maps,
    solve_sdp,
)
from riptools.sensing import SensingOperator, gaussian_operator, half_example, load_operator
from riptools.validation import InputError

TIGHT_TOL = 1e-6
"""Optimal SDP values compared with each other or with exact values (Clarabel, interior point)."""
LOWER_BOUND_TOL = 1e-6
"""Slack for δ* ≥ δ_lb (a lower bound): solver precision."""
SCS_TOL = 1e-3
"""SCS (first-order) results compared at lower precision, as in cvxpy's tests."""
MAP_TOL = 1e-10
"""Two formulas of the same derivative in floating point."""


def random_pair(seed, n, r, true_rank):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, r)), rng.standard_normal((n, true_rank))


@pytest.mark.parametrize("n, r, true_rank", [(3, 1, 1), (4, 2, 1), (3, 2, 2)])
def test_sdp_maps_agree_with_objective(n, r, true_rank):
    x, z = random_pair(1, n, r, true_rank)
    operator = gaussian_operator(n, 25, seed=2)
    kernel = operator.kernel
    assert np.allclose(gradient_from_kernel(kernel, x, z), objective.gradient(operator, x, z), atol=MAP_TOL)
    full_hessian = objective.hessian(operator, x, z)
    assert np.allclose(hessian_from_kernel(kernel, x, z), full_hessian, atol=MAP_TOL)
    maps = sdp_maps(x, z)
    k = maps.complement.shape[1]
    reduced = (maps.hessian_map @ kernel.ravel()).reshape(k, k)
    assert np.allclose(reduced, maps.complement.T @ full_hessian @ maps.complement, atol=MAP_TOL)
    assert k == n * r - r * (r - 1) // 2
    # the gradient rows vanish exactly on kernels that make X critical
    projected = _project_gradient_condition(kernel, maps.gradient_map)
    assert np.linalg.norm(gradient_from_kernel(projected, x, z)) < MAP_TOL
    assert np.linalg.norm(gradient_from_kernel(kernel, x, z)) > 1e-3


def test_half_example_value_is_one_half_and_matches_theorem_12():
    example = half_example()
    result = counterexample_sdp(example.x_bad, example.z)
    assert result.solve.accurate and result.solve.status == cp.OPTIMAL
    assert abs(result.delta - 0.5) <= TIGHT_TOL
    assert abs(result.delta_lower_bound - 0.5) <= 1e-12
    # the SDP recovers the slides' kernel (eigenvalues 1/2, 3/2, 3/2)
    assert np.allclose(np.linalg.eigvalsh(result.kernel()), [0.5, 1.5, 1.5], atol=1e-6)


@settings(max_examples=12)  # one 3×3 SDP (~10 ms) per example
@given(seed=st.integers(0, 2**31 - 1), n=st.integers(2, 5))
def test_delta_star_at_least_theorem_12_bound(seed, n):
    x, z = random_pair(seed, n, 1, 1)
    cosine = abs(x[:, 0] @ z[:, 0]) / (np.linalg.norm(x) * np.linalg.norm(z))
    assume(cosine < 0.999)
    result = counterexample_sdp(x, z)
    assert result.solve.accurate
    assert result.delta >= result.delta_lower_bound - LOWER_BOUND_TOL
    assert 0.5 - LOWER_BOUND_TOL <= result.delta < 1.0  # seed 002, Theorems 1 and 2


@pytest.mark.parametrize("seed, n, r, true_rank, margin", [
    (0, 3, 1, 1, 0.0), (1, 4, 1, 1, 0.0), (2, 4, 2, 1, 0.0), (3, 4, 2, 2, 0.0), (4, 3, 1, 1, 0.05), (5, 4, 2, 1, 0.02),
])
def test_reduced_equals_full(seed, n, r, true_rank, margin):
    x, z = random_pair(seed, n, r, true_rank)
    reduced = counterexample_sdp(x, z, margin=margin)
    full = counterexample_sdp(x, z, margin=margin, formulation="full")
    assert reduced.solve.accurate and full.solve.accurate
    assert reduced.reduction_exact
    assert abs(reduced.delta - full.delta) <= TIGHT_TOL


def test_delta_invariant_under_rotation_and_joint_scaling():
    x, z = random_pair(7, 4, 2, 1)
    rotation, _ = np.linalg.qr(np.random.default_rng(8).standard_normal((4, 4)))
    base = counterexample_sdp(x, z).delta
    assert abs(counterexample_sdp(rotation @ x, rotation @ z).delta - base) <= TIGHT_TOL
    assert abs(counterexample_sdp(3.7 * x, 3.7 * z).delta - base) <= TIGHT_TOL
    # right rotation of X (the U → UR symmetry) does not change δ* either
    right, _ = np.linalg.qr(np.random.default_rng(9).standard_normal((2, 2)))
    assert abs(counterexample_sdp(x @ right, z).delta - base) <= TIGHT_TOL


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_margin_never_lowers_delta(seed):
    x, z = random_pair(seed, 3, 1, 1)
    values = [counterexample_sdp(x, z, margin=mu).delta for mu in (0.0, 0.01, 0.1)]
    assert values[0] <= values[1] + TIGHT_TOL <= values[2] + 2 * TIGHT_TOL


def test_margin_positive_rank_two_is_feasible_modulo_symmetry():
    x, z = random_pair(11, 4, 2, 2)
    result = counterexample_sdp(x, z, margin=0.05)
    assert result.solve.accurate and result.delta < 1
    point = objective.classify_point(result.operator(), x, z, gradient_tol=1e-7, eigenvalue_tol=1e-7)
    assert point.symmetry_dimension == 1
    assert point.kind == objective.PointKind.STRICT_LOCAL_MINIMUM and point.hessian_min_eig >= 0.05 - 1e-6


def test_lifted_hessian_spectrum_is_reduced_plus_complement_block():
    x, z = random_pair(12, 8, 1, 1)
    result = counterexample_sdp(x, z, margin=0.01)
    operator = result.operator()
    dense = np.linalg.eigvalsh(objective.hessian(operator, x, z))
    small = np.linalg.eigvalsh(objective.hessian(result.reduced_operator(), result.x_reduced, result.z_reduced))
    complement = np.full(8 - 2, 4 * float(result.x_reduced[:, 0] @ result.x_reduced[:, 0]))
    assert np.allclose(np.sort(dense), np.sort(np.concatenate([small, complement])), atol=1e-8)
    assert np.allclose(np.sort(np.linalg.eigvalsh(operator.kernel)),
                       np.sort(np.concatenate([np.linalg.eigvalsh(result.kernel_reduced), np.ones(36 - 3)])), atol=1e-8)


def test_reduction_refused_where_not_exact():
    x, z = random_pair(13, 5, 1, 1)
    too_big = 4 * float(x[:, 0] @ x[:, 0]) * 1.5
    with pytest.raises(InputError, match="4σ_min"):
        counterexample_sdp(x, z, margin=too_big)
    full = counterexample_sdp(x, z, margin=too_big, formulation="full")
    assert full.solve.status == cp.OPTIMAL


def test_scs_agrees_with_clarabel_at_lower_precision():
    if "SCS" not in cp.installed_solvers():
        pytest.skip("SCS not installed")
    x, z = random_pair(14, 3, 1, 1)
    clarabel = counterexample_sdp(x, z).delta
    scs = counterexample_sdp(x, z, solver="SCS")
    assert abs(scs.delta - clarabel) <= SCS_TOL


def test_colinear_pair_needs_delta_one():
    # x = 2z is a non-global critical point only for operators with δ ≥ 1 (Theorem 1 needs non-colinear pairs)
    result = counterexample_sdp([2.0, 0.0], [1.0, 0.0])
    assert abs(result.delta - 1.0) <= TIGHT_TOL


@pytest.mark.parametrize("x, z, kwargs, message", [
    ([1.0, 0.0], [1.0, 0.0], {}, "global minimum"),
    ([-1.0, 0.0], [1.0, 0.0], {}, "global minimum"),
    ([[1.0, 0.0], [0.0, 1.0]], [[0.0, 1.0], [1.0, 0.0]], {}, "global minimum"),
    ([1.0, np.nan], [1.0, 0.0], {}, "NaN"),
    ([1.0, 0.0, 0.0], [1.0, 0.0], {}, "row counts"),
    ([1.0, 0.0], [0.0, 0.0], {}, "zero"),
    ([0.0, 1.0], [1.0, 0.0], {"margin": -1.0}, "margin"),
    ([[1.0, 2.0], [2.0, 4.0]], [[1.0], [0.0]], {"margin": 0.1}, "rank-deficient"),
    ([0.0, 1.0], [1.0, 0.0], {"solver": "NOPE"}, "solver"),
    ([0.0, 1.0], [1.0, 0.0], {"formulation": "tiny"}, "formulation"),
    (np.ones(13), np.arange(13.0), {"formulation": "full"}, "n ≤ 12"),
])
def test_bad_input_raises(x, z, kwargs, message):
    with pytest.raises(InputError, match=message):
        counterexample_sdp(x, z, **kwargs)


def test_theorem_12_bound_formula_cases():
    # orthogonal, ρ = 1/√2: the δ = 1/2 example (second branch); ρ = 1, φ = 90°: √(1 − α²) branch
    assert abs(rank1_delta_lower_bound([0, 2**-0.5], [1, 0]) - 0.5) <= 1e-12
    alpha = 1 / np.sqrt(2)
    assert abs(rank1_delta_lower_bound([0, 1], [1, 0]) - np.sqrt(1 - alpha**2)) <= 1e-12
    with pytest.raises(InputError):
        rank1_delta_lower_bound([1, 0], [-1, 0])


def test_lift_kernel_is_identity_off_the_subspace():
    basis = np.linalg.qr(np.random.default_rng(3).standard_normal((4, 2)))[0]
    small = np.diag([0.5, 1.2, 1.4])
    lifted = lift_kernel(small, basis)
    assert np.allclose(np.sort(np.linalg.eigvalsh(lifted)), np.sort(np.concatenate([[0.5, 1.2, 1.4], np.ones(7)])))


# ---------------------------------------------------------------------------------------------- CLI

JSON_KEYS = {"delta", "delta_lower_bound", "solver", "status", "duality_gap", "classification", "gradient_norm",
             "hessian_min_eig", "rip_delta_verified", "objective_gap", "exact_certificate", "seconds"}


def test_cli_half_example_json(capsys):
    assert main(["counterexample", "--x", "0,0.7071067811865476", "--z", "1,0", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert JSON_KEYS <= set(report)
    assert abs(report["delta"] - 0.5) <= TIGHT_TOL and abs(report["delta_lower_bound"] - 0.5) <= 1e-12
    assert report["exact_certificate"]["verified"] is True
    numerator, denominator = map(int, report["exact_certificate"]["delta"].split("/"))
    assert 0 <= numerator / denominator - report["delta"] <= 1e-6
    assert report["local_minimum"]["verdict"] == "not a local minimum (descent found)"


def test_cli_save_then_certify_round_trip(tmp_path, capsys):
    path = tmp_path / "strict.npz"
    code = main(["counterexample", "--x", "0,0.6,0.3", "--z", "1,0,0", "--margin", "0.05", "--save", str(path), "--json"])
    assert code == 0
    report = json.loads(capsys.readouterr().out)
    assert report["certified"] and report["classification"].startswith("spurious strict local minimum")
    loaded = load_operator(path)
    assert loaded.operator.n == 3 and loaded.x_bad.shape == (3, 1)
    assert main(["counterexample", "certify", str(path), "--json"]) == 0
    checked = json.loads(capsys.readouterr().out)
    assert checked["certified"] and abs(checked["rip_delta_verified"] - report["delta"]) <= TIGHT_TOL
    assert checked["local_minimum"]["verdict"].startswith("local minimum (strict")


def test_cli_matrix_shapes_and_files(tmp_path, capsys):
    x, z = random_pair(20, 4, 2, 1)
    np.save(tmp_path / "x.npy", x)
    (tmp_path / "z.json").write_text(json.dumps(z.tolist()))
    assert main(["counterexample", "--x-file", str(tmp_path / "x.npy"), "--z-file", str(tmp_path / "z.json"), "--json"]) == 0
    from_files = json.loads(capsys.readouterr().out)
    flat = ",".join(str(float(v)) for v in x.ravel())
    zflat = ",".join(str(float(v)) for v in z.ravel())
    assert main(["counterexample", f"--x={flat}", f"--z={zflat}", "--rank-shape", "4,2", "--json"]) == 0
    from_flags = json.loads(capsys.readouterr().out)
    assert from_files["rank"] == 2 and abs(from_files["delta"] - from_flags["delta"]) <= TIGHT_TOL


@pytest.mark.parametrize("argv, message", [
    (["--x", "1,0", "--z", "1,0"], "global minimum"),
    (["--x", "1,0", "--z=-1,0,1"], "shapes disagree"),
    (["--x", "1,a", "--z", "1,0"], "comma-separated"),
    (["--x", "1,nan", "--z", "1,0"], "NaN"),
    (["--x", "1,0,0", "--z", "1,0", "--rank-shape", "2,2"], "rank-shape"),
    (["--z", "1,0"], "exactly one"),
    (["--x-file", "/nonexistent.npy", "--z", "1,0"], "does not exist"),
    (["certify", "/nonexistent.npz"], "does not exist"),
    (["search", "--n", "2", "--rank", "3", "--true-rank", "1"], "rank"),
])
def test_cli_bad_input_exit_2(argv, message, capsys):
    assert main(["counterexample", *argv]) == 2
    assert message in capsys.readouterr().err


def test_cli_refuses_to_save_inaccurate_or_uncertified(tmp_path, capsys, monkeypatch):
    import riptools.certify as certify

    original = certify.certify_result

    def failing(result):
        return original(result).__class__(**{**original(result).__dict__, "certified": False, "failures": ["forced"]})

    monkeypatch.setattr(certify, "certify_result", failing)  # the command imports it when it runs
    assert main(["counterexample", "--x", "0,1", "--z", "1,0", "--save", str(tmp_path / "a.npz")]) == 2
    assert "not saved" in capsys.readouterr().err
    assert not (tmp_path / "a.npz").exists()


def test_operator_from_kernel_reproduces_kernel():
    x, z = random_pair(21, 3, 1, 1)
    result = counterexample_sdp(x, z)
    operator = result.operator()
    assert isinstance(operator, SensingOperator)
    assert np.allclose(operator.kernel, result.kernel(), atol=1e-10)


def test_sdp_value_does_not_depend_on_the_previous_solve():
    # The parametrised SDP is cached; a warm start from the previous solve changed δ at 1e-8, so the
    # same sweep task gave different numbers in a serial run and in a process pool.
    x, z = [0.7 * np.cos(0.9), 0.7 * np.sin(0.9)], [1.0, 0.0]
    first = counterexample_sdp(x, z).delta
    counterexample_sdp([0.2, 1.3], [1.0, 0.4], margin=0.05)
    assert counterexample_sdp(x, z).delta == first


def test_a_solve_records_small_residuals_and_gap_and_a_nan_is_not_accurate(monkeypatch):
    example = half_example()
    solve = solve_sdp(example.x_bad, example.z)
    assert solve.accurate and solve.status == cp.OPTIMAL
    for residual in (solve.primal_residual, solve.dual_residual, abs(solve.duality_gap)):
        assert 0 <= residual <= ACCURACY_TOL["CLARABEL"]
    monkeypatch.setattr(counterexample, "_dual_check", lambda *args: (np.nan, np.nan))
    assert not solve_sdp(example.x_bad, example.z).accurate


def test_min_eig_reads_the_symmetric_part():
    assert _min_eig(np.array([[2.0, 0.0], [0.0, -1.0]])) == -1.0
    assert _min_eig(np.array([[1.0, 4.0], [0.0, 1.0]])) == pytest.approx(-1.0, abs=1e-15)  # sym part [[1, 2], [2, 1]]


def test_dual_check_on_hand_made_duals():
    # N = 2, k = 1, no gradient condition, Hessᵀ(Y₁) = 0: stationarity in H is sym(Y₂ − Y₃ + Y₄) = ¼I (norm √2/4)
    # and in δ |1 − tr Y₂ − tr Y₃| = ½; the residual is their max over 1 + max|Y| = 3.
    duals = [np.array([[2.0]]), 0.5 * np.eye(2), 0.25 * np.eye(2), np.zeros((2, 2))]
    problem = SimpleNamespace(constraints=[SimpleNamespace(dual_value=d) for d in duals])
    maps = SdpMaps(residual=np.zeros(3), lift=np.zeros((3, 1)), gradient_map=np.zeros((0, 4)), hessian_map=np.zeros((1, 4)),
                   complement=np.eye(1))
    residual, gap = _dual_check(problem, maps, delta=0.75, margin=0.125, size=2)
    assert residual == pytest.approx(0.5 / 3.0, rel=1e-15)
    assert gap == pytest.approx(0.75 - (0.125 * 2.0 + 1.0 - 0.5), abs=1e-15)  # δ − (μ tr Y₁ + tr Y₂ − tr Y₃)
