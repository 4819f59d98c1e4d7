"""Verdict rules tested from outside: each test fails when a verdict stops following its evidence.

The computations behind the verdicts are tested elsewhere; here synthetic evidence on either side of
a verdict's boundary must give the two verdicts (so a verdict forced to one value, a threshold set to
0, or a point estimate used where the rule reads an interval is caught).
"""

from types import SimpleNamespace

from riptools.findings import Verdict
from riptools.protocols.basin import BasinPoint
from riptools.sources import sharp_rip_slides
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
    (lower,) = sharp_rip_slides.check_sgd_failure_rate(_basin_context(0.90))
    assert lower.verdict is Verdict.DIFFERS and lower.reason.startswith("12.05 % is outside")
    low, high = lower.evidence["failure_ci"]
    assert high < 0.1205 and low <= 0.10 <= high
