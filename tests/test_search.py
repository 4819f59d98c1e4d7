"""Tests of the search for the smallest δ*(X, Z) (riptools.search)."""

import json

import numpy as np
import pytest

from riptools.cli import main
from riptools.counterexample import counterexample_sdp
from riptools.search import (
    PENALTY,
    StopReason,
    delta_star_value,
    delta_star_with_gradient,
    embed_point,
    mix_rows,
    quasi_newton,
    search_min_delta,
    structured_starts,
)
from riptools.validation import InputError

THEOREM_2_TOL = 1e-5
"""The rank-1 search must reach the slides' Theorem 2 value 1/2 within this (a tight value found by a
derivative-free local search: its xatol/fatol leave ~1e-8, the SDP ~1e-9)."""


def test_rank_one_search_finds_one_half_from_random_starts():
    found = search_min_delta(3, 1, 1, starts=2, seed=0)
    assert abs(found.delta - 0.5) <= THEOREM_2_TOL
    assert found.delta >= 0.5 - 1e-6  # Theorem 2: no rank-1 spurious second-order point below 1/2
    assert found.certificate.certified
    assert found.best_x.shape == (3, 1) and found.best_z.shape == (3, 1)
    # the best pair is the slides' geometry: x ⟂ z with ‖x‖/‖z‖ = 1/√2
    x, z = found.best_x[:, 0], found.best_z[:, 0]
    assert abs(x @ z) / (np.linalg.norm(x) * np.linalg.norm(z)) < 1e-2
    assert abs(np.linalg.norm(x) / np.linalg.norm(z) - 2**-0.5) < 1e-2


def test_overparameterised_search_improves_on_its_start_and_is_certified():
    found = search_min_delta(3, 2, 1, starts=1, seed=1, max_evaluations=60)
    rng = np.random.default_rng([1, 0])
    theta = rng.standard_normal(3 * 3)
    start_value = delta_star_value(theta[:6].reshape(3, 2), theta[6:].reshape(3, 1))
    assert found.delta <= start_value + 1e-9
    assert found.certificate.certified and found.result.x.shape == (3, 2)


def test_search_is_deterministic_in_seed():
    first = search_min_delta(2, 1, 1, starts=1, seed=5, max_evaluations=30)
    second = search_min_delta(2, 1, 1, starts=1, seed=5, max_evaluations=30)
    assert first.delta == second.delta and np.array_equal(first.best_x, second.best_x)


def test_excluded_points_get_the_penalty():
    z = np.array([[1.0], [0.0]])
    assert delta_star_value(-z, z) == PENALTY
    assert delta_star_value(np.array([[0.0], [0.0]]), z, margin=0.1) == PENALTY
    assert abs(delta_star_value(np.array([[0.0], [2**-0.5]]), z) - 0.5) < 1e-6


@pytest.mark.parametrize("args, message", [
    ((2, 3, 1), "rank"), ((0, 1, 1), "n"), ((2, 1, 1), "margin"),
])
def test_search_bad_input(args, message):
    kwargs = {"margin": -1.0} if message == "margin" else {}
    with pytest.raises(InputError, match=message):
        search_min_delta(*args, starts=1, **kwargs)
    with pytest.raises(InputError, match="method"):
        search_min_delta(2, 1, 1, starts=1, method="newton")


def test_cli_search_json(capsys):
    assert main(["counterexample", "search", "--n", "2", "--rank", "1", "--true-rank", "1", "--starts", "1",
                 "--seed", "0", "--max-evaluations", "40", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    for key in ("best_x", "best_z", "delta", "delta_lower_bound", "certified", "exact_certificate", "seconds"):
        assert key in report
    assert np.array(report["best_x"]).shape == (2, 1)
    again = counterexample_sdp(report["best_x"], report["best_z"]).delta
    assert abs(again - report["delta"]) <= 1e-6


@pytest.mark.slow
def test_rank_two_search_gets_near_one_half():
    # rank r = r★ = 2: inf δ* = 1/2 (arXiv:2104.10790, r = r★); the tolerance 1e-4; ~30 s of SDP solves
    found = search_min_delta(4, 2, 2, starts=2, seed=0)
    assert 0.5 - 1e-6 <= found.delta <= 0.5 + 1e-4
    assert found.certificate.certified and found.exact_certificate.verified


SHARP_21 = 1 / (1 + 2**-0.5)
"""The sharp (r, r★) = (2, 1) threshold 1/(1+1/√2) (arXiv:2104.10790)."""
SHARP_21_TOL = 2e-5
"""The issue's tolerance for the (2, 1) search."""


def test_quasi_newton_reaches_a_nonsmooth_minimiser():
    # f = |a| + 10|b| + c²: a kink along two axes, where BFGS with a strong Wolfe line search stalls
    def function(t):
        return abs(t[0]) + 10 * abs(t[1]) + t[2] ** 2, np.array([np.sign(t[0]), 10 * np.sign(t[1]), 2 * t[2]])

    theta, value, evaluations, reason = quasi_newton(function, np.array([1.3, -0.7, 2.0]), max_evaluations=500)
    assert value < 1e-6 and evaluations <= 500
    assert reason in (StopReason.LINE_SEARCH, StopReason.STEP, StopReason.STALLED)


def test_quasi_newton_respects_the_budget_and_excluded_starts():
    _, _, evaluations, reason = quasi_newton(lambda t: (float(t @ t), 2 * t), np.ones(3) * 1e3, max_evaluations=3)
    assert evaluations <= 3 + 1 and reason in (StopReason.BUDGET, StopReason.STEP)
    _, value, evaluations, reason = quasi_newton(lambda t: (PENALTY, None), np.ones(2), max_evaluations=10)
    assert (value, evaluations, reason) == (PENALTY, 1, StopReason.EXCLUDED_START)


def test_gradient_objective_matches_the_value_objective():
    x, z = np.array([[0.2], [0.6]]), np.array([[1.0], [0.1]])
    value, gradient = delta_star_with_gradient(x, z)
    assert abs(value - delta_star_value(x, z)) < 1e-7 and gradient.shape == (4,)
    assert delta_star_with_gradient(-z, z) == (PENALTY, None)


def test_gradient_search_reaches_the_overparameterised_sharp_value():
    found = search_min_delta(3, 2, 1, starts=1, seed=0)
    assert abs(found.delta - SHARP_21) <= SHARP_21_TOL
    assert found.certificate.certified and found.exact_certificate.verified
    assert found.method == "bfgs" and found.starts[0].kind == "random"


def test_nelder_mead_is_kept_as_an_option():
    first = search_min_delta(2, 1, 1, starts=1, seed=5, max_evaluations=30, method="nelder-mead", exact=False)
    second = search_min_delta(2, 1, 1, starts=1, seed=5, max_evaluations=30, method="nelder-mead", exact=False)
    assert first.delta == second.delta and first.evaluations <= 31
    assert first.starts[0].stopping_reason.startswith(str(StopReason.SIMPLEX))
    assert first.exact_certificate is None


def test_structured_starts_embed_smaller_points():
    x0, z0 = np.array([[0.0], [2**-0.5]]), np.array([[1.0], [0.0]])
    starts = structured_starts(2, 1, [(x0, z0)], seed=0)
    assert [kind for kind, _, _ in starts] == ["embed (1,1) + 1 column"] + ["embed (1,1) + 1 column, mixed"] * 2
    for _, x, z in starts:
        assert x.shape == (3, 2) and z.shape == (3, 1)
        assert np.linalg.matrix_rank(x) == 2  # the added column makes X full rank
    # the plain embedding keeps X₀ (up to the basis of span[X₀, Z₀]) and Z₀'s norm
    assert abs(np.linalg.norm(starts[0][1][:, 0]) - np.linalg.norm(x0)) < 1e-12
    assert abs(np.linalg.norm(starts[0][2]) - 1.0) < 1e-12
    # shapes that do not fit are skipped; a (2, 1) point does not embed in (2, 2)
    assert structured_starts(2, 2, [(np.ones((3, 2)), np.ones((3, 1)))]) == []
    with pytest.raises(InputError, match="seeds"):
        embed_point(np.ones((3, 2)), np.ones((3, 1)), 2, 2, rng=np.random.default_rng(0))


def test_mixing_is_a_rotation_of_the_rows():
    x = np.random.default_rng(0).standard_normal((4, 2))
    mixed = mix_rows(x, rng=np.random.default_rng(1))
    assert np.allclose(mixed.T @ mixed, x.T @ x) and not np.allclose(mixed, x)


def test_structured_starts_join_the_random_ones():
    x0, z0 = np.array([[0.0], [2**-0.5]]), np.array([[1.0], [0.0]])
    found = search_min_delta(3, 2, 1, starts=1, seed=0, seeds=[(x0, z0)], max_evaluations=60, exact=False)
    assert [s.kind for s in found.starts][:2] == ["random", "embed (1,1) + 1 column"] and len(found.starts) == 4
    assert found.evaluations == sum(s.evaluations for s in found.starts)


@pytest.mark.slow
def test_process_pool_gives_the_serial_result():
    serial = search_min_delta(3, 2, 1, starts=2, seed=3, max_evaluations=40, exact=False)
    pooled = search_min_delta(3, 2, 1, starts=2, seed=3, max_evaluations=40, exact=False, workers=2)
    assert [s.delta for s in serial.starts] == [s.delta for s in pooled.starts]
    assert np.array_equal(serial.best_x, pooled.best_x)


@pytest.mark.slow
def test_rank_three_overparameterised_search():
    # r = 3, r★ = 1: the sharp value 1/(1+1/√3) within the 2e-4; ~1 min
    found = search_min_delta(4, 3, 1, starts=1, seed=0)
    assert abs(found.delta - 1 / (1 + 3**-0.5)) <= 2e-4
    assert found.exact_certificate.verified
