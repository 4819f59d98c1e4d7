"""Tests of the learned-completion claims: the measurements (riptools.completion.claims), their verdicts and
findings (riptools.sources.learned_completion), and `riptools nn claims`."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from scipy import integrate, special, stats

from riptools.cli import main
from riptools.completion.instances import degrees_of_freedom, observation_jacobian
from riptools.completion.claims import (
    RANKS,
    VarianceMeasurement,
    entry_density,
    entry_variance_exact,
    measure_degrees_of_freedom,
    measure_product_density,
    measure_variance,
    measure_within_one_sigma,
    product_cdf,
    ranks_printing_as,
    sample_entries,
    within_one_sigma,
)
from riptools.findings import FINDING_KEYS, Verdict
from riptools.sources.learned_completion import (
    GOF_ALPHA,
    PRINTED_HALF_UNIT,
    SLIDES_WITHIN_ONE_SIGMA,
    density_verdict,
    degrees_of_freedom_verdict,
    prediction_verdict,
    variance_verdict,
    within_one_sigma_verdict,
)

# Tight identities computed two ways (quadrature vs closed form).
TIGHT = 1e-12
# Numerical quadrature with scipy (double precision) against the CDF.
QUAD_TOL = 1e-9
GAUSSIAN_WITHIN_ONE_SIGMA = math.erf(1 / math.sqrt(2))


def test_exact_variance_is_r():
    assert [entry_variance_exact(r) for r in RANKS] == list(RANKS)


PRINTED_RANKS = (133, 297)
"""The ranks whose P(|M_ij| ≤ √r) rounds to 68.4 % (asserted in test_ranks_where_68_4_percent_is_right)."""


@pytest.mark.parametrize("measure", [lambda s: measure_variance(3, seed=s, samples=20_000),
                                     lambda s: measure_within_one_sigma(2, seed=s, samples=20_000)])
def test_each_measurement_is_reproducible_from_its_seed(measure):
    first, second, other = measure(7), measure(7), measure(8)
    assert first == second
    assert first.seed == 7
    assert first.simulated != other.simulated  # the seed really drives the simulation
    assert first.exact == other.exact


def test_variance_claim_agrees_and_its_simulation_is_consistent():
    measurement = measure_variance(4, seed=0, samples=50_000)
    assert variance_verdict(measurement)[0] == Verdict.AGREES and measurement.exact == 4
    assert abs(measurement.simulated - 4) < 5 * measurement.standard_error


def test_variance_verdict_follows_the_exact_value_and_distrusts_a_wild_simulation():
    good = VarianceMeasurement(rank=2, exact=2, simulated=2.01, samples=10_000, standard_error=0.03, seed=0)
    assert variance_verdict(good)[0] == Verdict.AGREES
    wrong = VarianceMeasurement(rank=2, exact=3, simulated=3.01, samples=10_000, standard_error=0.03, seed=0)
    assert variance_verdict(wrong) == (Verdict.REFUTED, "the exact variance is 3")
    wild = VarianceMeasurement(rank=2, exact=2, simulated=2.5, samples=10_000, standard_error=0.03, seed=0)
    assert variance_verdict(wild)[0] == Verdict.INCONCLUSIVE


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
        measurement = measure_within_one_sigma(rank, seed=rank, samples=20_000)
        verdict, reason = within_one_sigma_verdict(measurement, PRINTED_RANKS)
        assert verdict == Verdict.REFUTED and "133 ≤ r ≤ 297" in reason
        assert measurement.exact > 0.7  # 79.1% (r=1) down to 71.7% (r=6): far above 68.4%


def test_ranks_where_68_4_percent_is_right():
    first, last = ranks_printing_as(SLIDES_WITHIN_ONE_SIGMA, PRINTED_HALF_UNIT)
    assert (first, last) == PRINTED_RANKS
    assert round(float(within_one_sigma(first)), 3) == 0.684 and round(float(within_one_sigma(last)), 3) == 0.684
    assert round(float(within_one_sigma(first - 1)), 3) == 0.685 and round(float(within_one_sigma(last + 1)), 3) == 0.683
    verdict, _ = within_one_sigma_verdict(measure_within_one_sigma(first, seed=0, samples=1000), PRINTED_RANKS)
    assert verdict in {Verdict.AGREES, Verdict.INCONCLUSIVE}


def test_product_cdf_matches_integrating_the_k0_density():
    for z in (0.05, 0.7, 2.5):
        integral = integrate.quad(lambda t: special.k0(t) / np.pi, 0, z)[0]
        assert product_cdf(z) == pytest.approx(0.5 + integral, abs=QUAD_TOL)
        assert product_cdf(-z) == pytest.approx(0.5 - integral, abs=QUAD_TOL)


def test_k0_claim_agrees_and_the_goodness_of_fit_test_has_power():
    measurement = measure_product_density(seed=0, samples=20_000)
    assert density_verdict(measurement)[0] == Verdict.AGREES
    assert measurement.total_mass == "1" and measurement.variance == "1"
    assert measurement.max_density_error < 1e-25
    # The same KS test rejects a variance-1 Laplace sample (the r = 2 law rescaled): it can tell laws apart.
    laplace = sample_entries(2, 20_000, seed=0) / math.sqrt(2)
    assert stats.kstest(laplace, product_cdf).pvalue < GOF_ALPHA


def test_density_verdict_cases():
    import dataclasses

    measurement = measure_product_density(seed=0, samples=2_000)
    assert density_verdict(dataclasses.replace(measurement, variance="2"))[0] == Verdict.REFUTED
    assert density_verdict(dataclasses.replace(measurement, ks_pvalue=GOF_ALPHA / 2))[0] == Verdict.INCONCLUSIVE


@pytest.mark.parametrize("n, rank", [(2, 1), (3, 2), (6, 2)])
def test_degrees_of_freedom_is_the_jacobian_rank(n, rank):
    measurement = measure_degrees_of_freedom(n, rank, seed=1)
    assert degrees_of_freedom_verdict(measurement)[0] == Verdict.AGREES
    assert measurement.jacobian_rank == 2 * n * rank - rank * rank == measurement.formula
    assert measurement.gauge_rank == rank * rank


def test_jacobian_rank_drops_at_a_degenerate_point():
    # Why the dof check needs a generic point: with rank-deficient U the Jacobian rank is below 2nr − r².
    left = np.array([[1.0, 2.0], [2.0, 4.0], [-1.0, -2.0]])
    right = np.array([[1.0, 0.0], [2.0, 1.0], [0.0, 3.0]])
    rank = np.linalg.matrix_rank(observation_jacobian(left, right, np.ones((3, 3), dtype=bool)))
    assert rank < degrees_of_freedom(3, 2) == 8


def test_prediction_verdict_says_worse_than_zero_only_when_it_is():
    assert prediction_verdict(0.2)[0] == Verdict.AGREES
    assert "worse than predicting 0" in prediction_verdict(1.1)[1]
    assert "better than predicting 0" in prediction_verdict(0.8)[1]


def test_within_sentence_is_computed_from_the_measurements():
    import dataclasses

    from riptools.protocols.completion import ClaimNumbers, ClaimNumbersParams
    from riptools.sources.learned_completion import _within_sentence

    values = tuple(measure_within_one_sigma(r, seed=r, samples=1000) for r in (1, 6))
    numbers = ClaimNumbers(params=ClaimNumbersParams(), variances=(), density=None, degrees_of_freedom=(),
                           within_one_sigma=values, printed_ranks=PRINTED_RANKS)
    assert "79.1% at r = 1 and 71.7% at r = 6" in _within_sentence(numbers)
    shifted = dataclasses.replace(numbers, within_one_sigma=(dataclasses.replace(values[0], exact=0.5), values[1]))
    assert "50.0% at r = 1" in _within_sentence(shifted)


def test_cli_claims_json_prints_findings(capsys):
    assert main(["nn", "claims", "--json", "--seed", "1", "--samples", "20000"]) == 0
    records = json.loads(capsys.readouterr().out)
    expected = (
        [f"variance[r={r}]" for r in RANKS]
        + ["k0_density"]
        + [f"degrees_of_freedom[n={n},r={r}]" for n in (2, 3, 4, 6) for r in (1, 2)]
        + [f"within_one_sigma[r={r}]" for r in RANKS]
    )
    assert [record["id"] for record in records] == [f"learned_completion.{name}" for name in expected]
    for record in records:
        assert tuple(record) == FINDING_KEYS
        assert record["source"]["year"] == 2025 and record["source"]["authors"] == ["M. Alkady"]
        assert record["replay"] == "riptools nn claims --seed 1 --samples 20000 --json"
    verdicts = {record["id"].split(".", 1)[1]: record["verdict"] for record in records}
    assert all(verdicts[f"within_one_sigma[r={r}]"] == "refuted" for r in RANKS)
    assert verdicts["k0_density"] == "agrees" and verdicts["variance[r=6]"] == "agrees"


def test_nn_claims_and_check_json_have_the_same_keys(capsys):
    """One serializer: `riptools nn claims --json` and `riptools check --json` print the same record keys."""
    assert main(["nn", "claims", "--json", "--samples", "1000"]) == 0
    nn_record = json.loads(capsys.readouterr().out)[0]
    assert main(["check", "scaledsgd.sg.unbiased", "--budget", "4", "--json"]) == 0
    (check_record,) = json.loads(capsys.readouterr().out)
    assert set(nn_record) == set(check_record)
    assert set(nn_record["source"]) == set(check_record["source"])


@pytest.mark.parametrize("argv, word", [(["--samples", "10"], "--samples"), (["--seed", "-1"], "--seed")])
def test_cli_claims_bad_input_exits_2(capsys, argv, word):
    assert main(["nn", "claims", *argv]) == 2
    err = capsys.readouterr().err
    assert word in err and err.count("\n") == 1
