"""Tests of riptools.protocols.basin and `riptools basin`: errors, intervals, γ = 0, a benign operator, CLI."""

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from riptools.cli import main
from riptools.commands.basin import parse_gammas
from riptools.dynamics.sgd import run_trials
from riptools.objective import PointKind, classify_point, gradient, objective_value
from riptools.protocols.basin import (
    BasinProblem,
    basin_sweep,
    flat_direction_growth,
    interpolated_starts,
    orbit_distance,
    single_measurement_hessians,
)
from riptools.statistics import wilson_interval
from riptools.sensing import SensingOperator, gaussian_operator, half_example, save_operator
from riptools.validation import InputError

DISTANCE_TOL = 1e-12
"""Procrustes distances: rounding only."""
WILSON_TOL = 1e-4
"""Wilson intervals against published four-digit values."""


def _half_problem():
    example = half_example()
    return BasinProblem.checked(example.operator, example.x_bad, example.z, "half")


def test_orbit_distance_rank_one_is_the_smaller_of_the_two_signs():
    z = np.array([[1.0], [0.0]])
    u = np.array([[[0.9], [0.2]], [[-1.1], [0.0]], [[np.inf], [0.0]]])
    expected = [np.hypot(0.1, 0.2), 0.1, np.inf]
    assert np.allclose(orbit_distance(u, z), expected, atol=DISTANCE_TOL)


# 30 examples of 3×2 SVDs: milliseconds.
@settings(max_examples=30)
@given(st.integers(0, 2**32 - 1))
def test_orbit_distance_is_invariant_under_rotations_and_zero_on_the_orbit(seed):
    rng = np.random.default_rng(seed)
    u, w = rng.standard_normal((3, 2)), rng.standard_normal((3, 2))
    rotation, _ = np.linalg.qr(rng.standard_normal((2, 2)))
    d = orbit_distance(u[None], w)[0]
    assert abs(orbit_distance((u @ rotation)[None], w)[0] - d) <= DISTANCE_TOL * (1 + d)
    assert d <= min(np.linalg.norm(u - w), np.linalg.norm(u + w)) + DISTANCE_TOL
    assert orbit_distance((w @ rotation)[None], w)[0] <= DISTANCE_TOL * (1 + np.linalg.norm(w))
    # Z with fewer columns than U is padded: U = [z, 0] is on the solution set of ZZᵀ.
    assert orbit_distance(np.concatenate([w[:, :1], np.zeros((3, 1))], axis=1)[None], w[:, :1])[0] <= DISTANCE_TOL


def test_wilson_interval_matches_published_values():
    low, high = wilson_interval(5, 10)  # Newcombe (1998), Table I: 0.2366–0.7634
    assert abs(low - 0.2366) < WILSON_TOL and abs(high - 0.7634) < WILSON_TOL
    low, high = wilson_interval(0, 10)  # 0–0.2775
    assert low == 0.0 and abs(high - 0.2775) < WILSON_TOL


def test_gamma_zero_sgd_stays_on_the_flat_line_of_the_degenerate_point():
    """At γ = 0 every run starts at X_bad = (0, 1/√2). classify_point: a degenerate second-order critical
    point, Hessian {0, 4}, flat direction v = e₁. Every single-measurement Hessian has v as an eigenvector
    and every sampled gradient on the line {u₁ = 0} has u₁-component 0, so SGD jitters along u₂ but never
    leaves the line: all runs fail, end near X_bad, and their u₁ is exactly 0."""
    problem = _half_problem()
    classification = classify_point(problem.operator, problem.x_bad, problem.z)
    assert classification.kind == PointKind.DEGENERATE and classification.spurious
    growth = flat_direction_growth(problem, [0.01])
    assert np.allclose(np.abs(growth.direction), [1.0, 0.0]) and growth.common_eigenvector
    assert abs(growth.curvatures.sum()) < 1e-9  # Σ_i vᵀ∇²f_i v = vᵀ∇²f v = 0: the flat direction
    for b in (0.3, 1 / np.sqrt(2), 1.4):
        point = np.array([[0.0], [b]])
        for i in range(problem.operator.num_measurements):
            single = SensingOperator(matrices=problem.operator.matrices[i : i + 1])
            assert gradient(single, point, problem.z)[0, 0] == 0.0
    starts = interpolated_starts(problem.x_bad, 0.0, np.arange(100), seed=0)
    assert np.all(starts == problem.x_bad)
    runs = run_trials(problem.operator, problem.z, starts, step_size=0.01, num_steps=3000, seed=0)
    assert np.all(runs.final[:, 0, 0] == 0.0)
    assert np.std(runs.final[:, 1, 0]) > 1e-3  # SGD does move (along u₂): the noise is not zero at X_bad
    point = basin_sweep(problem, gammas=[0.0], trials=100, steps=3000, step_size=0.01, seed=0).points[0]
    assert point.successes == 0 and point.near_bad == 100 and point.nonfinite == 0


def test_near_x_bad_sgd_noise_contracts_the_flat_direction_while_gd_escapes():
    """Off the line, GD has no linear force along v (Hessian 0) and drifts away through the −3a⁴ term,
    while SGD multiplies the v-component by 1 − η·m·h_i with h = (−3, 3, 0): Lyapunov exponent
    (1/3)·log(1 − 81η²) < 0, so from a small offset SGD mostly returns to the line."""
    problem = _half_problem()
    eta = 0.01
    growth = flat_direction_growth(problem, [eta])
    assert np.allclose(growth.curvatures, [-3.0, 3.0, 0.0], atol=1e-9)
    assert np.isclose(growth.lyapunov[0], np.log(1 - 81 * eta**2) / 3)
    starts = np.repeat(np.array([[[0.02], [1 / np.sqrt(2)]]]), 200, axis=0)
    sgd = run_trials(problem.operator, problem.z, starts, step_size=eta, num_steps=10_000, seed=0)
    gd = run_trials(problem.operator, problem.z, starts[:1], step_size=eta, num_steps=10_000, method="gd")
    assert abs(gd.final[0, 0, 0]) > 0.02  # GD drifted away from the line
    assert np.median(np.abs(sgd.final[:, 0, 0])) < 1e-3  # most SGD runs collapsed back onto it


def test_x_bad_is_not_a_local_minimum_of_the_half_example():
    """f(a, √(1/2 − 2a²)) = f(X_bad) − 3a⁴: the degenerate point is a saddle."""
    problem = _half_problem()
    base = objective_value(problem.operator, problem.x_bad, problem.z)
    for a in (1e-1, 1e-2, 1e-3):
        drop = objective_value(problem.operator, np.array([a, np.sqrt(0.5 - 2 * a * a)]), problem.z) - base
        assert drop < 0 and np.isclose(drop, -3 * a**4, rtol=1e-3)


def test_single_measurement_hessians_sum_to_the_hessian():
    from riptools.objective import hessian

    problem = _half_problem()
    u = np.array([[0.4], [-0.3]])
    assert np.allclose(single_measurement_hessians(problem, u).sum(axis=0), hessian(problem.operator, u, problem.z))


def test_well_conditioned_gaussian_operator_gives_full_success():
    operator = gaussian_operator(3, 200, seed=1)
    rng = np.random.default_rng(0)
    problem = BasinProblem.checked(operator, rng.standard_normal((3, 1)), rng.standard_normal((3, 1)), "gaussian")
    assert classify_point(operator, problem.x_bad, problem.z).kind == PointKind.NOT_CRITICAL
    sweep = basin_sweep(problem, gammas=[0.0, 0.5, 1.0], trials=200, steps=6000, step_size=0.003, seed=0)
    for point in sweep.points:
        assert point.successes == point.trials == 200
        assert point.ci_low > 0.98 and point.ci_high == 1.0
        assert point.error_quantiles["max"] <= 1e-3 * np.linalg.norm(problem.z)


def test_problem_rejects_ground_truth_of_higher_rank_than_x_bad():
    operator = gaussian_operator(3, 10, seed=0)
    with pytest.raises(InputError, match="Z"):
        BasinProblem.checked(operator, np.ones((3, 1)), np.ones((3, 2)))


@pytest.mark.parametrize("text, expected", [("0:1:5", [0, 0.25, 0.5, 0.75, 1]), ("1", [1.0]), ("0,0.3", [0, 0.3])])
def test_parse_gammas(text, expected):
    assert np.allclose(parse_gammas(text), expected)


@pytest.mark.parametrize("text", ["0:2:3", "a:b", "0:1:0", "-0.1", ""])
def test_parse_gammas_rejects_bad_text(text):
    with pytest.raises(InputError, match="--gammas"):
        parse_gammas(text)


def test_cli_json_has_the_issue_keys(capsys):
    code = main(["basin", "--gammas", "0:1:3", "--trials", "50", "--steps", "2000", "--seed", "1", "--json"])
    assert code == 0
    rows = json.loads(capsys.readouterr().out)
    assert [row["gamma"] for row in rows] == [0.0, 0.5, 1.0]
    keys = {"gamma", "trials", "successes", "success_rate", "ci_low", "ci_high", "error_quantiles", "nonfinite"}
    for row in rows:
        assert set(row) == keys
        assert set(row["error_quantiles"]) == {"min", "p5", "median", "p95", "max"}
        assert row["trials"] == 50 and row["successes"] == round(50 * row["success_rate"])
        assert row["ci_low"] <= row["success_rate"] <= row["ci_high"]
    assert rows[0]["successes"] == 0


def test_cli_reads_an_operator_file_and_plots(tmp_path, capsys):
    example = half_example()
    path = save_operator(tmp_path / "half.npz", example.operator, x_bad=example.x_bad, z=example.z)
    figure = tmp_path / "basin.png"
    code = main(["basin", "--example", str(path), "--gammas", "1", "--trials", "40", "--steps", "2000", "--plot", str(figure)])
    assert code == 0 and figure.stat().st_size > 0
    assert "near X_bad" in capsys.readouterr().out


def test_cli_rejects_files_without_x_bad_and_bad_arguments(tmp_path, capsys):
    path = save_operator(tmp_path / "bare.npz", half_example().operator)
    assert main(["basin", "--example", str(path)]) == 2
    assert "X_bad" in capsys.readouterr().err
    assert main(["basin", "--trials", "0", "--steps", "10"]) == 2
    assert "trials" in capsys.readouterr().err
    assert main(["basin", "--step-size", "-1", "--trials", "2", "--steps", "10"]) == 2
    assert "--step-size" in capsys.readouterr().err


def test_shipped_examples_load_by_file_name_from_any_folder(tmp_path, monkeypatch):
    # Replay commands name a shipped example by its file name, so they run outside the repository too.
    from riptools.protocols.basin import BASIN_POINT, SECOND_EXAMPLE, BasinPointParams, load_problem, shipped_problem

    monkeypatch.chdir(tmp_path)
    problem = load_problem(SECOND_EXAMPLE)
    assert np.array_equal(problem.x_bad, shipped_problem(SECOND_EXAMPLE).x_bad)
    command = BASIN_POINT.replay(BasinPointParams(example=SECOND_EXAMPLE, gamma=0.0, trials=2, steps=10))
    assert f"--example {SECOND_EXAMPLE} " in command and "riptools/data" not in command
