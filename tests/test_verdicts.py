"""Verdict rules tested from outside: each test fails when a verdict stops following its evidence.

The computations behind the verdicts are tested elsewhere; here synthetic evidence on either side of
a verdict's boundary must give the two verdicts (so a verdict forced to one value, a threshold set to
0, or a point estimate used where the rule reads an interval is caught).
"""

import math
from dataclasses import replace
from types import SimpleNamespace

import numpy as np
import pytest

from riptools.claims import check_claim
from riptools.findings import Verdict
from riptools.protocols.basin import BasinPoint
from riptools.dynamics.subgradient import checkpoint_steps
from riptools.protocols import divergence
from riptools.protocols.divergence import (
    CONVERGED_OBJECTIVE,
    GROWTH_EXPONENT_MIN,
    GROWTH_FIT_R2_MIN,
    ProbabilityEstimate,
    Regime,
    RunClass,
    classify_run,
    fit_growth_exponent,
)
from riptools.sources import (
    learned_completion,
    scaledsgd,
    sharp_rip_slides,
    sharp_thresholds,
    subgradient_notebook,
    zjsl_neurips2018,
)
from riptools.sources._sharp_rip import local_minimum_verdict, point_kind
from riptools.sources.subgradient_notebook import probability_verdict
from riptools.statistics import wilson_interval
from riptools.validation import InputError

EXPONENT_FIT_TOL = 1e-6
"""A fitted slope of exact power-law data (tight: only rounding)."""


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


def test_covering_step_sizes_include_an_interval_ending_at_the_slides_rate():
    # The slides' failure rate 1 − 87,947/100,000 exactly at either end of a scanned step size's interval counts.
    rate = sharp_rip_slides.SLIDES_SUCCESSES / sharp_rip_slides.SLIDES_TRIALS
    scan = [(SimpleNamespace(step_size=0.1), SimpleNamespace(ci_low=rate - 0.01, ci_high=rate)),
            (SimpleNamespace(step_size=0.2), SimpleNamespace(ci_low=rate, ci_high=rate + 0.01)),
            (SimpleNamespace(step_size=0.3), SimpleNamespace(ci_low=rate + 0.001, ci_high=rate + 0.01))]
    assert sharp_rip_slides._covering_step_sizes(scan) == [0.1, 0.2]


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


# ---------------------------------------------------------------- classification


def _trajectory(norm_of_k, objective_of_k, iters=10**6):
    ks = checkpoint_steps(iters, per_decade=20)
    k = np.maximum(ks, 1).astype(float)
    norm, objective = norm_of_k(k), objective_of_k(k)
    return ks, objective, norm


def test_power_growth_is_unbounded_with_its_exponent():
    ks, f, norm = _trajectory(lambda k: 2.0 * k**0.125, lambda k: 1.0 + k**-0.25)
    result = classify_run(ks, f, norm, f, f)
    assert result.run_class == RunClass.UNBOUNDED
    assert abs(result.growth_exponent - 0.125) < EXPONENT_FIT_TOL and result.notebook_unbounded


def test_decaying_objective_is_converged():
    ks, f, norm = _trajectory(lambda k: 2.0 + 0 * k, lambda k: 3.0 * k**-0.5)
    result = classify_run(ks, f, norm, f, f)
    assert result.run_class == RunClass.CONVERGED and not result.notebook_unbounded


def test_stalled_run_above_the_threshold_is_bounded_not_unbounded():
    """f ≈ 1.2 with a flat norm: the seed's f > 0.9 says "unbounded", the evidence says bounded."""
    ks, f, norm = _trajectory(lambda k: 5.3 + 0 * k, lambda k: 1.2 + 0.01 * np.sin(k))
    result = classify_run(ks, f, norm, f + 0.02, f - 0.02)
    assert result.run_class == RunClass.BOUNDED and result.notebook_unbounded


def test_converged_at_the_end_but_spiking_in_between_is_not_converged():
    """The running maxima between checkpoints see a spike the checkpoints miss."""
    ks, f, norm = _trajectory(lambda k: 2.0 + 0 * k, lambda k: 1e-3 + 0 * k)
    spikes = f.copy()
    spikes[-5] = 1.5
    assert classify_run(ks, f, norm, spikes, f).run_class == RunClass.BOUNDED


def test_growing_norm_while_f_still_falls_is_a_transient_not_unbounded():
    """Summable steps leave runs still travelling: ‖z‖ ∝ k^0.03 while f falls 30 % per decade."""
    ks, f, norm = _trajectory(lambda k: 0.5 * k**0.03, lambda k: 3.0 * k**-0.15)
    result = classify_run(ks, f, norm, f, f)
    assert result.run_class == RunClass.BOUNDED and "transient" in result.evidence


def test_slow_growth_below_threshold_is_bounded():
    ks, f, norm = _trajectory(lambda k: 2.0 * k**0.005, lambda k: 1.0 + 0 * k)
    assert classify_run(ks, f, norm, f, f).run_class == RunClass.BOUNDED


def test_nonfinite_run():
    ks, f, norm = _trajectory(lambda k: 2.0 * k**0.125, lambda k: 1.0 + 0 * k)
    norm[-3:] = np.inf
    f[-3:] = np.nan
    result = classify_run(ks, f, norm, f, f)
    assert result.run_class == RunClass.NONFINITE and str(ks[-3]) in result.evidence


SHORT = checkpoint_steps(100, per_decade=5)
"""[0 1 2 3 4 6 10 16 25 40 63 99 100]: the last decade (k > 10) starts at index WINDOW_START (k = 16)."""
WINDOW_START = 7


def _short_run(norm, objective, *, max_objective=None, min_objective=None):
    return classify_run(SHORT, objective, norm, objective if max_objective is None else max_objective,
                        objective if min_objective is None else min_objective)


def _growing(scale: float = 1.0):
    """‖z_k‖ = scale·k^¼ (k ≥ 1; 0 at k = 0)."""
    return scale * SHORT.astype(float) ** 0.25


def test_run_index_defaults_to_0_and_mismatched_series_are_refused():
    objective = np.full(SHORT.size, 1.5)
    assert _short_run(_growing(), objective).index == 0
    with pytest.raises(InputError, match="^checkpoint series: expected arrays of the same length as checkpoints$"):
        classify_run(SHORT, objective[:-1], _growing()[:-1], objective[:-1], objective[:-1])


def test_unbounded_evidence_names_the_window_its_fit_and_the_fall_of_f():
    objective = np.full(SHORT.size, 1.5)
    objective[[1, WINDOW_START, WINDOW_START + 1, -2]] = 1.7, 1.6, 1.58, 1.55  # f at k = 1, 16, 25, 99; f_K = 1.5
    run = _short_run(_growing(), objective)
    ratio = (100 / 16) ** 0.25
    assert run.run_class is RunClass.UNBOUNDED and run.window_norm_ratio == pytest.approx(ratio, rel=1e-15)
    assert run.evidence == (f"‖z‖ ∝ k^0.250 (R² = 1.0000) over k ∈ [16, 100], ×{ratio:.3f}; f ∈ [1.5, 1.6] there, "
                            f"down {1 - 1.5 / 1.6:.1%}")


@pytest.mark.parametrize("f_window_start, f_second, drop", [
    (0.0, 1.5, 0.0),              # f = 0 at the window's first checkpoint: no fall to measure
    (1.6, 0.0, 1 - 1.5 / 1.6),    # a zero later in the window does not matter
    (0.8, 1.5, 1 - 1.5 / 0.8),    # f rose from below 1 (a negative fall)
])
def test_fall_of_f_is_measured_from_the_window_start(f_window_start, f_second, drop):
    objective = np.full(SHORT.size, 1.5)
    objective[[WINDOW_START, WINDOW_START + 1]] = f_window_start, f_second
    run = _short_run(_growing(), objective)
    assert run.run_class is RunClass.UNBOUNDED and run.evidence.endswith(f" there, down {drop:.1%}")


def test_window_norm_ratio_needs_a_positive_norm_at_the_window_start():
    objective = np.full(SHORT.size, 1.5)
    norm = _growing()
    norm[WINDOW_START] = 0.0
    assert math.isnan(_short_run(norm, objective).window_norm_ratio)
    small = _short_run(_growing(0.1), objective)  # every norm below 1
    assert small.window_norm_ratio == pytest.approx((100 / 16) ** 0.25, rel=1e-15)
    assert small.growth_exponent == pytest.approx(0.25, abs=EXPONENT_FIT_TOL) and small.run_class is RunClass.UNBOUNDED


def test_nonfinite_evidence_names_the_first_checkpoint_of_any_series():
    objective = np.full(SHORT.size, 1.5)
    norm = _growing()
    norm[-3:] = np.inf  # only the norm, from k = 63
    run = _short_run(norm, objective)
    assert run.run_class is RunClass.NONFINITE and run.evidence == "non-finite value by checkpoint k = 63"
    maxima = objective.copy()
    maxima[WINDOW_START + 1] = np.nan  # only the running maximum, from k = 25
    assert _short_run(_growing(), objective, max_objective=maxima).evidence == "non-finite value by checkpoint k = 25"


def test_converged_includes_its_threshold():
    objective = np.full(SHORT.size, CONVERGED_OBJECTIVE / 2)
    maxima = objective.copy()
    maxima[-1] = CONVERGED_OBJECTIVE
    assert _short_run(_growing(), objective, max_objective=maxima).run_class is RunClass.CONVERGED
    maxima[-1] = np.nextafter(CONVERGED_OBJECTIVE, 1.0)
    assert _short_run(_growing(), objective, max_objective=maxima).run_class is RunClass.UNBOUNDED


def test_unbounded_thresholds_are_inclusive(monkeypatch):
    # The decision read from a fit exactly at both thresholds: a settled run is unbounded, a falling one a transient.
    monkeypatch.setattr(divergence, "fit_growth_exponent", lambda k, norms: (GROWTH_EXPONENT_MIN, GROWTH_FIT_R2_MIN))
    flat = np.full(SHORT.size, 2.0)  # window norm ratio exactly 1: settled only at equality (fall 0 ≤ ¼·0)
    assert _short_run(flat, np.full(SHORT.size, 1.5)).run_class is RunClass.UNBOUNDED
    falling = np.linspace(1.8, 1.5, SHORT.size)
    transient = _short_run(flat, falling)
    assert transient.run_class is RunClass.BOUNDED and ", but f still falls " in transient.evidence
    below = np.nextafter(GROWTH_EXPONENT_MIN, 0.0)
    monkeypatch.setattr(divergence, "fit_growth_exponent", lambda k, norms: (below, GROWTH_FIT_R2_MIN))
    slow = _short_run(flat, np.full(SHORT.size, 1.5))
    assert slow.run_class is RunClass.BOUNDED
    assert slow.evidence.startswith(f"‖z‖ ∝ k^{below:.3f} (R² = {GROWTH_FIT_R2_MIN:.3f}) over k ∈ [16, 100], "
                                    "below the growth threshold; f ∈ [1.5, 1.5] there")


def test_classification_computes_in_float64_whatever_the_input_precision():
    objective = np.full(SHORT.size, 1.5, dtype=np.float32)
    norm = (_growing() * 1.1).astype(np.float32)
    in_float64 = float(np.float64(norm[-1]) / np.float64(norm[WINDOW_START]))
    assert in_float64 != float(norm[-1] / norm[WINDOW_START])  # float32 arithmetic would round differently
    assert _short_run(norm, objective).window_norm_ratio == in_float64
    k, norms = SHORT[1:].astype(np.float32), norm[1:]
    assert fit_growth_exponent(k, norms) == fit_growth_exponent(k.astype(np.float64), norms.astype(np.float64))


def test_growth_fit_quality_is_the_squared_correlation():
    k = np.array([1, 3, 10, 30, 100, 300])
    norms = np.exp(0.3 * np.log(k) + np.array([0.2, -0.1, 0.3, -0.4, 0.1, 0.0]))
    slope, r2 = fit_growth_exponent(k, norms)
    assert r2 == pytest.approx(np.corrcoef(np.log(k), np.log(norms))[0, 1] ** 2, rel=1e-12) and 0.5 < r2 < 0.99
    assert fit_growth_exponent([1, 10, 100], [1.0, 1.0, 1.0]) == (0.0, 1.0)  # a constant norm fits exactly, slope 0


@pytest.mark.parametrize("fields, verdict", [
    (dict(low=0.1, high=0.3), Verdict.INCONCLUSIVE),                      # the interval touches 0.1 from above
    (dict(low=0.05, high=0.1, trapped_low=0.3), Verdict.INCONCLUSIVE),    # … from below, trapped runs above
    (dict(low=0.05, high=0.09, trapped_low=0.1, trapped_high=0.3), Verdict.INCONCLUSIVE),  # trapped touches it
    (dict(low=0.05, high=0.1, trapped_low=0.01, trapped_high=0.05), Verdict.INCONCLUSIVE),  # both below, one touches
    (dict(low=0.05, high=0.09, trapped_low=0.01, trapped_high=0.1), Verdict.INCONCLUSIVE),
])
def test_probability_verdict_counts_an_interval_ending_at_0_1_as_containing_it(fields, verdict):
    assert probability_verdict(replace(_estimate(10, 20, 1000), **fields))[0] is verdict


# Every named verdict rule of the sources on hand-made evidence, each branch and each boundary, with its reason
# (the reasons are the report's words: a rule that returned another verdict or reason would change the report).

NS = SimpleNamespace


def _stub(decades_per_epoch=None, epochs_to=None):
    """A ScaledSGD trajectory that only answers the two questions the rules ask."""
    return NS(decades_per_epoch=lambda: decades_per_epoch, epochs_to=lambda: epochs_to)


def test_scaledsgd_rate_and_sample_rules():
    differs_reason = ("rates differ by more than a factor 2 or a run does not converge; this κ = 1 matrix has ZᵀZ = 2I, "
                      "so near the solution P ≈ I/2 and at equal η ScaledSGD's steps are half of SGD's")
    assert scaledsgd.rate_verdict(_stub(1.0), _stub(2.0)) == (Verdict.AGREES, "")  # ratio ½: the lower end
    assert scaledsgd.rate_verdict(_stub(2.0), _stub(1.0)) == (Verdict.AGREES, "")  # ratio 2: the upper end
    assert scaledsgd.rate_verdict(_stub(4.0), _stub(1.0)) == (Verdict.DIFFERS, differs_reason)
    assert scaledsgd.slowdown_verdict(_stub(epochs_to=10), _stub(epochs_to=50)) == (Verdict.AGREES, "")  # 5×
    assert scaledsgd.slowdown_verdict(_stub(epochs_to=10), _stub(epochs_to=49)) == \
        (Verdict.DIFFERS, "SGD reaches 1e-10 within 5× ScaledSGD's epochs")
    assert scaledsgd.same_rate_verdict(_stub(epochs_to=10), _stub(epochs_to=15)) == (Verdict.AGREES, "")  # 1.5×
    assert scaledsgd.same_rate_verdict(_stub(epochs_to=10), _stub(epochs_to=16)) == \
        (Verdict.DIFFERS, "more than 1.5× the well-conditioned epochs")
    assert scaledsgd.sample_ratio_verdict(2.0) == (Verdict.AGREES, "")
    assert scaledsgd.sample_ratio_verdict(1.9) == (Verdict.DIFFERS, "SGD needs less than 2× ScaledSGD's samples")
    assert scaledsgd.footnote_verdict(_stub(epochs_to=30)) == (Verdict.AGREES, "")
    assert scaledsgd.footnote_verdict(_stub(epochs_to=None)) == (Verdict.REFUTED, (
        "Sherman–Morrison keeps P₀⁻¹ − X₀ᵀX₀ forever, and σ²I is not even E[X₀ᵀX₀]⁻¹ = I/(dσ²); "
        "it works only if P is resynchronised"))
    assert scaledsgd.np_max_verdict([1.0, 0.5]) == (Verdict.AGREES, "")  # within the first epoch, its end included
    for fractions in ([1.5, 0.5], [None, 0.5]):
        assert scaledsgd.np_max_verdict(fractions) == (Verdict.DIFFERS, "a method needs more than one epoch or never beats NP-Maximum")


def test_scaledsgd_coherence_rule():
    holds = "holds along the whole run from a random start, outside the theorem's local hypothesis"
    vacuous = " (vacuous here: 16μr/d ≥ 1 ≥ g_i)"
    assert scaledsgd.coherence_verdict(16.0, 0.03125) == (Verdict.AGREES, holds)  # 16μr/d = ½: not vacuous
    assert scaledsgd.coherence_verdict(2.0, 0.0625) == (Verdict.AGREES, holds + vacuous)  # 16μr/d = 1 exactly
    assert scaledsgd.coherence_verdict(2.0, 0.09375) == (Verdict.AGREES, holds + vacuous)  # 16μr/d = 1.5
    assert scaledsgd.coherence_verdict(16.5, 0.03125) == (Verdict.DIFFERS, (
        "exceeds 16μr/d; the theorem assumes a start with f(X₀) ≤ ½(ρ/κ)², a random start is outside it"))


def test_subgradient_keys_and_criterion_rules():
    keys = list(subgradient_notebook.NOTEBOOK_REPORTED_KEYS)
    full = subgradient_notebook.NOTEBOOK_REGIME.iters
    assert subgradient_notebook.keys_verdict(keys, steps=full) == (Verdict.AGREES, "")
    assert subgradient_notebook.keys_verdict(keys[1:], steps=full) == (Verdict.DIFFERS, f"not unbounded here: [{keys[0]}]")
    assert subgradient_notebook.keys_verdict(keys + [100], steps=full) == (Verdict.DIFFERS, "unbounded here, not printed: [100]")
    assert subgradient_notebook.keys_verdict(keys[1:] + [100], steps=10**6) == (Verdict.DIFFERS, (
        f"not unbounded here: [{keys[0]}]; unbounded here, not printed: [100]; "
        "measured at K = 1e6 (quick size); the notebook runs K = 1e7"))
    assert subgradient_notebook.criterion_verdict({"a": [], "b": []}) == (Verdict.AGREES, "")
    assert subgradient_notebook.criterion_verdict({"a": [], "b": [3]}) == (
        Verdict.DIFFERS, "a threshold on f counts bounded-not-converged (stalled) or slow runs as unbounded")


def test_half_example_local_minimum_and_conjecture_rules():
    curve = NS(hessian_eigenvalues={"0": 1, "4": 1}, descent="-3*t**4", descent_proven=True, sphere_verdict="undecided")
    verdict, reason = local_minimum_verdict(curve)
    assert verdict is Verdict.REFUTED and reason.startswith(point_kind(curve) + ": f(u(t)) − f(x) = ")
    assert reason.endswith(" along a curve leaving x (proven exactly)")
    sphere = NS(hessian_eigenvalues={"0": 1, "4": 1}, descent="3*t**4", descent_proven=True,
                sphere_verdict="not a local minimum: f falls on every sphere")
    assert local_minimum_verdict(sphere) == (
        Verdict.REFUTED, "the sphere search found points arbitrarily close to x with smaller f (not proven exactly)")
    neither = NS(hessian_eigenvalues={"0": 1, "4": 1}, descent="-3*t**4", descent_proven=False, sphere_verdict="undecided")
    assert local_minimum_verdict(neither) == (Verdict.INCONCLUSIVE, "neither the exact curve nor the sphere search found a descent")
    below = zjsl_neurips2018.SDP_TOL
    assert zjsl_neurips2018.conjecture_verdict(NS(certified=True, delta=0.25)) == (
        Verdict.REFUTED, "a certified spurious point with δ below 1/2")
    for found in (NS(certified=True, delta=0.5 - below), NS(certified=False, delta=0.25)):  # at 1/2 − tol; not certified
        assert zjsl_neurips2018.conjecture_verdict(found) == (
            Verdict.INCONCLUSIVE, "no counterexample below 1/2 found; a finite search proves nothing")


def _cell(rank, true_rank, delta, *, exact=None, verified=True):
    exact = delta if exact is None else exact
    return NS(rank=rank, true_rank=true_rank, delta=delta, exact_delta_float=exact, exact_delta=f"{exact!r}",
              exact_verified=verified)


def test_atlas_row_rules():
    sharp, certified_tol = sharp_thresholds.ROW_VERDICTS, sharp_thresholds.CERTIFIED_TOL
    assert sharp_thresholds.row_verdict(_cell(1, 1, 0.5, verified=False)) == (
        sharp[4], "the exact certificate of δ = 0.50000000 did not verify")
    below = 0.5 - 2 * certified_tol
    assert sharp_thresholds.row_verdict(_cell(1, 1, below)) == (sharp[3], (
        f"exactly certified δ' = {below!r} < sufficient bound 0.500000: a spurious second-order critical point the theorem "
        "excludes"))
    at_tolerance = 0.5 - certified_tol  # the certified tolerance itself is not below the bound
    assert sharp_thresholds.row_verdict(_cell(1, 1, 0.5, exact=at_tolerance))[0] == sharp[0]
    assert sharp_thresholds.row_verdict(_cell(1, 1, 0.50005)) == (sharp[0], "|δ − 0.500000| = 5.0e-05 ≤ 0.0001 (proved sharp)")
    assert sharp_thresholds.row_verdict(_cell(1, 1, 0.5003)) == (
        sharp[1], "δ = 0.50030000 ≥ 0.500000, but 3.0e-04 above the sharp value")
    sufficient, construction = sharp_thresholds.theory_sufficient(3, 2), sharp_thresholds.known_construction(3, 2)
    assert sharp_thresholds.row_verdict(_cell(3, 2, 0.56)) == (sharp[2], (
        f"exactly certified δ' = 0.56 < known construction {construction:.6f} on an open cell"))
    assert sharp_thresholds.row_verdict(_cell(3, 2, construction - certified_tol))[0] == sharp[1]  # at the tolerance
    assert sharp_thresholds.row_verdict(_cell(3, 2, 0.59)) == (sharp[1], (
        f"δ = 0.59000000 ≥ sufficient {sufficient:.6f}; {0.59 - construction:+.1e} from the construction "
        f"{construction:.6f}: an upper bound on the open threshold"))


def test_completion_rules():
    lc = learned_completion
    variance = NS(rank=3, exact=3, simulated=3 + 4.5 * 0.5, standard_error=0.5)  # exactly 4.5 standard errors off
    assert lc.variance_verdict(variance) == (Verdict.AGREES, "exact (sympy expansion with Gaussian moments); the simulation agrees")
    assert lc.variance_verdict(NS(rank=3, exact=2, simulated=2, standard_error=0.5)) == (Verdict.REFUTED, "the exact variance is 2")
    assert lc.variance_verdict(NS(rank=3, exact=3, simulated=6, standard_error=0.5)) == (
        Verdict.INCONCLUSIVE, "the simulation is more than 4.5 standard errors from the exact value")
    density = dict(max_density_error=0.0, total_mass="1", variance="1", ks_pvalue=0.5)
    assert lc.density_verdict(NS(**density)) == (
        Verdict.AGREES, "exact (sympy closed form at 30 digits, mass and variance); the KS test does not reject")
    assert lc.density_verdict(NS(**{**density, "ks_pvalue": lc.GOF_ALPHA})) == (
        Verdict.INCONCLUSIVE, "exact identities hold but the KS test rejects at p = 0.001")
    assert lc.density_verdict(NS(**{**density, "max_density_error": lc.QUADRATURE_TOL})) == (
        Verdict.REFUTED, "the closed-form product density, its mass or its variance differ from the statement")
    assert lc.degrees_of_freedom_verdict(NS(jacobian_rank=5, formula=5, upper_bound=5)) == (
        Verdict.AGREES, "proved: the exact Jacobian rank at an integer point meets the gauge upper bound")
    assert lc.degrees_of_freedom_verdict(NS(jacobian_rank=4, formula=5, upper_bound=5)) == (
        Verdict.REFUTED, "Jacobian rank 4, gauge bound 5")
    where = "the exact probability rounds to 68.4 % only for 3 ≤ r ≤ 7 (→ 68.27 % as r → ∞)"
    edge = NS(rank=2, exact=0.6875, simulated=0.6875 + 4.5 * 2.0, standard_error=2.0, closed_form=None)  # exactly 4.5 se
    assert lc.within_one_sigma_verdict(edge, (3, 7)) == (Verdict.REFUTED, "exactly 68.8% at r = 2; " + where)
    assert lc.within_one_sigma_verdict(NS(rank=5, exact=0.684, simulated=0.684, standard_error=0.01, closed_form=0.684),
                                       (3, 7)) == (Verdict.AGREES, where)
    disagree = "the quadrature, the closed form and the simulation disagree"
    for closed_form in (lc.CLOSED_FORM_TOL, 0.1):  # |closed form − exact| at the tolerance, and far off
        off = NS(rank=1, exact=0.0, simulated=0.0, standard_error=1.0, closed_form=closed_form)
        assert lc.within_one_sigma_verdict(off, (3, 7)) == (Verdict.INCONCLUSIVE, disagree)
    printed = NS(rank=2, completion_vs_printed=lc.PRINTED_TOL, distinct_completions=1)
    assert lc.worked_example_verdict(printed) == (Verdict.AGREES, "the unique rank-2 completion, to the printed 3 decimals")
    assert lc.worked_example_verdict(NS(rank=2, completion_vs_printed=0.0, distinct_completions=2)) == (
        Verdict.DIFFERS, "the printed completion is not the rank-r completion")
    worked, witness = NS(slides_count_condition=True, exact="unique"), NS(slides_count_condition=True, completions=[1])
    assert lc.mask_condition_verdict(worked, witness) == (Verdict.AGREES, "")
    assert lc.mask_condition_verdict(NS(slides_count_condition=False, exact="unique"), witness) == (
        Verdict.REFUTED, "the count m ≤ n² − dof is necessary; no count is sufficient")
    assert lc.prediction_verdict(0.25) == (Verdict.AGREES, "masked-entry error 0.25 < 0.5")
    assert lc.prediction_verdict(0.5) == (
        Verdict.DIFFERS, "masked-entry error 0.50 ≥ 0.5 (a good prediction); better than predicting 0 (error 1)")
    assert lc.prediction_verdict(1.0)[1].endswith("better than predicting 0 (error 1)")  # 1 is not worse than 0
    assert lc.prediction_verdict(1.5)[1].endswith("worse than predicting 0 (error 1)")
