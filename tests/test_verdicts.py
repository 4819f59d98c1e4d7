"""Verdict rules tested from outside: each test fails when a verdict stops following its evidence.

The computations behind the verdicts are tested elsewhere; here synthetic evidence on either side of
a verdict's boundary must give the two verdicts (so a verdict forced to one value, a threshold set to
0, or a point estimate used where the rule reads an interval is caught).
"""

from types import SimpleNamespace

import numpy as np
import pytest

from riptools.claims import check_claim
from riptools.findings import Verdict
from riptools.protocols.basin import BasinPoint
from riptools.protocols.divergence import GROWTH_FIT_R2_MIN, ProbabilityEstimate, Regime, RunClass, classify_run, fit_growth_exponent
from riptools.sources import scaledsgd, sharp_rip_slides
from riptools.sources.subgradient_notebook import probability_verdict
from riptools.statistics import wilson_interval


def _basin_context(success_fraction: float):
    """Returns a reproduce context whose basin tasks all succeed in ``success_fraction`` of their runs."""

    def point(task) -> BasinPoint:
        successes = round(success_fraction * task.trials)
        low, high = wilson_interval(successes, task.trials)
        return BasinPoint(gamma=task.gamma, trials=task.trials, successes=successes, success_rate=successes / task.trials,
                          ci_low=low, ci_high=high, error_quantiles={"min": 0.0, "p5": 0.0, "median": 0.0, "p95": 1.0, "max": 1.0},
                          nonfinite=0, near_bad=0)

    return SimpleNamespace(quick=True, seed=0, run=lambda protocol, tasks, desc="": [point(task) for task in tasks])


def test_sgd_failure_rate_verdict_reads_the_interval():
    # The slides' 12.05 % failure against a measured 12.05 % (inside its interval) and 10 % (outside).
    (same,) = sharp_rip_slides.check_sgd_failure_rate(_basin_context(1 - 0.1205))
    assert same.verdict is Verdict.AGREES and same.reason.startswith("within the 95 % interval")
    assert same.reason.endswith("step sizes whose interval contains 12.05 %: 0.001, 0.003, 0.01, 0.03, 0.1")
    (lower,) = sharp_rip_slides.check_sgd_failure_rate(_basin_context(0.90))
    assert lower.verdict is Verdict.DIFFERS and lower.reason.startswith("12.05 % is outside")
    assert lower.reason.endswith("step sizes whose interval contains 12.05 %: none")
    low, high = lower.evidence["failure_ci"]
    assert high < 0.1205 and low <= 0.10 <= high


def _estimate(unbounded: int, trapped: int, count: int, *, iters: int = 10**6, regime_iters: int = 10**6) -> ProbabilityEstimate:
    low, high = wilson_interval(unbounded, count)
    trapped_low, trapped_high = wilson_interval(trapped, count)
    return ProbabilityEstimate(regime=Regime(0.1, 0.501, regime_iters), iters=iters, count=count, seed=0,
                               counts={"unbounded": unbounded}, unbounded=unbounded, fraction=unbounded / count, low=low,
                               high=high, notebook_criterion=unbounded, trapped=trapped, trapped_low=trapped_low,
                               trapped_high=trapped_high)


@pytest.mark.parametrize("unbounded, trapped, count, verdict", [
    (150, 150, 1000, Verdict.AGREES),          # interval [0.13, 0.17] above 0.1
    (11, 11, 100, Verdict.INCONCLUSIVE),       # point estimate 0.11 > 0.1, interval [0.06, 0.19] contains it
    (9, 50, 100, Verdict.INCONCLUSIVE),        # point estimate 0.09 < 0.1, interval contains it
    (10, 300, 1000, Verdict.DIFFERS),          # unbounded interval below 0.1, trapped above
    (10, 20, 1000, Verdict.REFUTED),           # both below
    (10, 100, 1000, Verdict.INCONCLUSIVE),     # trapped interval [0.083, 0.12] contains 0.1
])
def test_probability_verdict_reads_the_intervals_not_the_point_estimate(unbounded, trapped, count, verdict):
    assert probability_verdict(_estimate(unbounded, trapped, count))[0] is verdict


def test_probability_verdict_of_shortened_runs_that_change_class_is_inconclusive():
    shortened = _estimate(150, 150, 1000, iters=10**5)
    assert probability_verdict(shortened)[0] is Verdict.AGREES
    verdict, reason = probability_verdict(shortened, shortening_changes=3)
    assert verdict is Verdict.INCONCLUSIVE and reason.startswith("3 notebook starts enter or leave")
    assert probability_verdict(_estimate(150, 150, 1000), shortening_changes=3)[0] is Verdict.AGREES  # not shortened


def _run(log_norm_noise: float, exponent: float):
    """Checkpoint series of a run whose norm grows like k^exponent, log-norm zigzagging by ±noise, f settled at 1.5."""
    checkpoints = np.unique(np.round(np.logspace(0, 6, 61)).astype(np.int64))
    zigzag = log_norm_noise * (-1.0) ** np.arange(checkpoints.size)
    norm = np.exp(exponent * np.log(checkpoints) + zigzag - zigzag[-1])
    objective = np.full(checkpoints.size, 1.5)
    return classify_run(checkpoints, objective, norm, objective, objective)


def test_growth_is_unbounded_only_when_the_power_law_fits():
    steady = _run(0.0, 0.1)
    assert steady.run_class is RunClass.UNBOUNDED and steady.growth_exponent == pytest.approx(0.1)
    noisy = _run(0.05, 0.05)
    assert noisy.growth_exponent >= 0.02 and noisy.window_norm_ratio > 1  # steep enough and settled
    assert noisy.growth_fit_r2 < 0.5 < GROWTH_FIT_R2_MIN  # but no power law
    assert noisy.run_class is RunClass.BOUNDED and "below the growth threshold" in noisy.evidence
    assert _run(0.0, 0.01).run_class is RunClass.BOUNDED  # a fitted but too slow growth


# The ScaledSGD paper's constants, transcribed from its statements independently of the claim records.
PAPER_CONSTANTS = {
    "lemma3.descent": lambda c: 6 + 8 * c + 2 * c**2,  # Lemma 3: L_X = 6 + 8C + 2C²
    "lemma3.gradient_dominance": lambda c: 13.0,  # Lemma 3, second part: (‖∇f‖*_X)² ≥ 13 f
    "sec4.cos_identity": lambda c: 1.0,  # Section 4: ‖∇f(X)‖*_X = 4cosθ‖XXᵀ − ZZᵀ‖_F (ratio 1)
    "sec4.lambda_min": lambda c: 1.0,  # Section 4: λ_min(XᵀX) ≤ (1 + ρ)/κ (ratio 1)
    "lemma4.descent": lambda c: 5.0,  # Lemma 4: … + 5(‖V‖*_X)²/(1 − 2‖V‖*_X)
    "sg.variance": lambda c: 16.0,  # Section 3: E[(‖SG‖*_X)²] ≤ 16 f max_i g_i
}
VARIANT_CONSTANTS = {"sec4.cos_identity[lower/sqrt2]": 1 / np.sqrt(2)}
"""riptools' own variants whose constant is not the paper's (the factor it found)."""


def _paper_constant(claim):
    name = claim.id.removeprefix("scaledsgd.")
    if name in VARIANT_CONSTANTS:
        return VARIANT_CONSTANTS[name]
    base, _, options = name.partition("[")
    c = next((float(o[2:]) for o in options.rstrip("]").split(",") if o.startswith("C=")), None)
    return PAPER_CONSTANTS[base](c)


def test_claim_constants_are_the_papers():
    constant_claims = [claim for claim in scaledsgd.CLAIMS if claim.claimed_constant is not None]
    assert len(constant_claims) >= 20
    for claim in constant_claims:
        assert claim.claimed_constant == pytest.approx(_paper_constant(claim), rel=1e-12), claim.id


TIGHT_CLAIMS = ("sec4.cos_identity[upper]", "sec4.cos_identity[lower/sqrt2]", "sec4.lambda_min", "sg.variance[d^2]")
"""Claims that hold with their constant attained (measured: observed extreme = claimed to 1e-10 at budget 40)."""


@pytest.mark.parametrize("name", TIGHT_CLAIMS)
def test_tight_claims_attain_their_constant(name):
    # A constant changed in the record or in the sides moves either the observed extreme or the margin off 0.
    claim = next(claim for claim in scaledsgd.CLAIMS if claim.id == f"scaledsgd.{name}")
    finding = check_claim(claim, budget=40, seed=0)
    assert finding.verdict is Verdict.AGREES
    assert finding.evidence["observed_extreme"] == pytest.approx(claim.claimed_constant, rel=1e-6)
    assert abs(finding.evidence["worst_margin"]) < 1e-6


def test_probability_verdict_reasons():
    assert probability_verdict(_estimate(150, 150, 1000))[1] == ""
    assert probability_verdict(_estimate(150, 150, 1000, iters=10**5))[1].startswith("runs shortened to ")
    assert probability_verdict(_estimate(10, 20, 1000, iters=10**5))[1].startswith("runs shortened to ")
    assert probability_verdict(_estimate(10, 20, 1000))[1] == ""
    assert probability_verdict(_estimate(11, 11, 100))[1] == "the interval contains 0.1"
    assert probability_verdict(_estimate(10, 300, 1000))[1] == "the trapped runs (x₁y₂ < 0, f ≥ 1) are bounded here"


def test_growth_fit_on_exact_power_laws():
    assert fit_growth_exponent([1, 10, 100], [2.0, 2 * 10**0.5, 20.0]) == pytest.approx((0.5, 1.0))  # k = 1 counts
    slope, r2 = fit_growth_exponent([1, 10, 100, 1000], [0.0, 3.0, 3 * 10**0.25, 3 * 10**0.5])  # a zero norm is skipped
    assert (slope, r2) == pytest.approx((0.25, 1.0))
    assert all(np.isnan(fit_growth_exponent([1, 10], [1.0, 2.0])))  # fewer than three points


def test_run_classification_records_the_checkpoints_it_read():
    checkpoints = np.unique(np.round(np.logspace(0, 6, 61)).astype(np.int64))
    norm = checkpoints ** 0.1
    objective = np.linspace(1.52, 1.5, checkpoints.size)
    run = classify_run(checkpoints, objective, norm, objective, objective, index=7)
    first = np.nonzero(checkpoints > checkpoints[-1] / 10)[0][0]
    assert run.run_class is RunClass.UNBOUNDED and run.index == 7
    assert (run.final_objective, run.final_norm, run.notebook_objective) == (objective[-1], norm[-1], objective[-2])
    assert run.window_norm_ratio == pytest.approx(norm[-1] / norm[first]) and run.notebook_unbounded
    at_threshold = objective.copy()
    at_threshold[-2] = 0.9
    assert not classify_run(checkpoints, at_threshold, norm, objective, objective).notebook_unbounded  # 0.9 is not > 0.9
    converged = classify_run(checkpoints, objective / 4, norm, objective / 4, objective / 4)
    assert converged.run_class is RunClass.CONVERGED and converged.evidence.startswith("f ≤ 0.38 at every step of k ∈ [")
