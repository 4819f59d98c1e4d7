"""Tests of the search for the smallest δ*(X, Z) (riptools.search)."""

import json

import numpy as np
import pytest

from riptools.cli import main
from riptools.counterexample import counterexample_sdp
from riptools.search import PENALTY, delta_star_value, search_min_delta
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
    # rank r = r★ = 2: the JMLR/NeurIPS conjecture is inf δ* = 1/2; ~1 min of SDP solves
    found = search_min_delta(4, 2, 2, starts=4, seed=0, max_evaluations=800)
    assert 0.5 - 1e-6 <= found.delta <= 0.6
    assert found.certificate.certified
