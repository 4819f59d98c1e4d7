"""Tests of the seed-003 claim checks (riptools.completion.claims) and of `riptools nn claims`."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from scipy import integrate, special, stats

from riptools.cli import main
from riptools.completion.instances import degrees_of_freedom, observation_jacobian
from riptools.completion.claims import (
    GOF_ALPHA,
    RANKS,
    check_degrees_of_freedom,
    check_k0_density,
    check_variance,
    check_within_one_sigma,
    entry_density,
    entry_variance_exact,
    product_cdf,
    ranks_printing_as,
    sample_entries,
    within_one_sigma,
)

# Tight identities computed two ways (quadrature vs closed form).
TIGHT = 1e-12
# Numerical quadrature with scipy (double precision) against the CDF.
QUAD_TOL = 1e-9
GAUSSIAN_WITHIN_ONE_SIGMA = math.erf(1 / math.sqrt(2))


def test_exact_variance_is_r():
    assert [entry_variance_exact(r) for r in RANKS] == list(RANKS)


@pytest.mark.parametrize("claim", [lambda s: check_variance(3, seed=s, samples=20_000), lambda s: check_within_one_sigma(2, seed=s, samples=20_000)])
def test_each_claim_is_reproducible_from_its_seed(claim):
    first, second, other = claim(7), claim(7), claim(8)
    assert first == second
    assert first.seed == 7
    assert first.details["simulated"] != other.details["simulated"]  # the seed really drives the simulation
    assert first.verdict == other.verdict


def test_variance_claim_agrees_and_its_simulation_is_consistent():
    check = check_variance(4, seed=0, samples=50_000)
    assert check.verdict == "agrees" and check.value == 4
    assert abs(check.details["simulated"] - 4) < 5 * check.details["standard_error"]


def test_within_one_sigma_matches_closed_forms():
    # r = 2: M is Laplace(1) (characteristic function 1/(1+t²)), P(|M| ≤ √2) = 1 − e^{−√2}.
    assert float(within_one_sigma(2)) == pytest.approx(1 - math.exp(-math.sqrt(2)), abs=TIGHT)
    # r = 1: (2/π) ∫₀¹ K₀.
    assert float(within_one_sigma(1)) == pytest.approx(2 / math.pi * special.iti0k0(1.0)[1], abs=TIGHT)


def test_entry_density_integrates_to_one_with_variance_r():
    for rank in (1, 3, 6):
        mass = 2 * integrate.quad(lambda z: float(entry_density(z, rank)), 0, np.inf)[0]
        variance = 2 * integrate.quad(lambda z: z * z * float(entry_density(z, rank)), 0, np.inf)[0]
        assert mass == pytest.approx(1, abs=QUAD_TOL) and variance == pytest.approx(rank, rel=QUAD_TOL)


def test_within_one_sigma_decreases_towards_the_gaussian_value():
    values = [float(within_one_sigma(r, digits=15)) for r in range(1, 13)]
    assert all(a > b for a, b in zip(values, values[1:]))
    assert values[-1] > GAUSSIAN_WITHIN_ONE_SIGMA


def test_within_one_sigma_claim_is_refuted_for_small_ranks():
    for rank in RANKS:
        check = check_within_one_sigma(rank, seed=rank, samples=20_000)
        assert check.verdict == "refuted"
        assert check.value > 0.7  # 79.1% (r=1) down to 71.7% (r=6): far above 68.4%


def test_ranks_where_68_4_percent_is_right():
    first, last = ranks_printing_as()
    assert round(float(within_one_sigma(first)), 3) == 0.684 and round(float(within_one_sigma(last)), 3) == 0.684
    assert round(float(within_one_sigma(first - 1)), 3) == 0.685 and round(float(within_one_sigma(last + 1)), 3) == 0.683
    assert check_within_one_sigma(first, seed=0, samples=1000).verdict in {"agrees", "inconclusive"}


def test_product_cdf_matches_integrating_the_k0_density():
    for z in (0.05, 0.7, 2.5):
        integral = integrate.quad(lambda t: special.k0(t) / np.pi, 0, z)[0]
        assert product_cdf(z) == pytest.approx(0.5 + integral, abs=QUAD_TOL)
        assert product_cdf(-z) == pytest.approx(0.5 - integral, abs=QUAD_TOL)


def test_k0_claim_agrees_and_the_goodness_of_fit_test_has_power():
    check = check_k0_density(seed=0, samples=20_000)
    assert check.verdict == "agrees"
    assert check.value["total_mass"] == "1" and check.value["variance"] == "1"
    assert check.value["max_density_error"] < 1e-25
    # The same KS test rejects a variance-1 Laplace sample (the r = 2 law rescaled): it can tell laws apart.
    laplace = sample_entries(2, 20_000, seed=0) / math.sqrt(2)
    assert stats.kstest(laplace, product_cdf).pvalue < GOF_ALPHA


@pytest.mark.parametrize("n, rank", [(2, 1), (3, 2), (6, 2)])
def test_degrees_of_freedom_is_the_jacobian_rank(n, rank):
    check = check_degrees_of_freedom(n, rank, seed=1)
    assert check.verdict == "agrees" and check.value == 2 * n * rank - rank * rank
    assert check.details["gauge_rank"] == rank * rank


def test_jacobian_rank_drops_at_a_degenerate_point():
    # Why the dof check needs a generic point: with rank-deficient U the Jacobian rank is below 2nr − r².
    left = np.array([[1.0, 2.0], [2.0, 4.0], [-1.0, -2.0]])
    right = np.array([[1.0, 0.0], [2.0, 1.0], [0.0, 3.0]])
    rank = np.linalg.matrix_rank(observation_jacobian(left, right, np.ones((3, 3), dtype=bool)))
    assert rank < degrees_of_freedom(3, 2) == 8


def test_cli_claims_json_lists_every_claim(capsys):
    assert main(["nn", "claims", "--json", "--seed", "1"]) == 0
    claims = json.loads(capsys.readouterr().out)
    expected = (
        [f"variance[r={r}]" for r in RANKS]
        + ["k0_density"]
        + [f"degrees_of_freedom[n={n},r={r}]" for n in (2, 3, 4, 6) for r in (1, 2)]
        + [f"within_one_sigma[r={r}]" for r in RANKS]
    )
    assert [c["id"] for c in claims] == expected
    for claim in claims:
        assert {"id", "statement", "verdict", "value"} <= set(claim)
    verdicts = {c["id"]: c["verdict"] for c in claims}
    assert all(verdicts[f"within_one_sigma[r={r}]"] == "refuted" for r in RANKS)
    assert verdicts["k0_density"] == "agrees" and verdicts["variance[r=6]"] == "agrees"
