"""Statistics shared by the experiments: confidence intervals of proportions."""

from __future__ import annotations

import numpy as np

from riptools.validation import InputError

WILSON_Z = 1.959963984540054
"""Normal quantile of the 95 % Wilson score interval."""


def wilson_interval(successes: int, trials: int) -> tuple[float, float]:
    """Returns the 95 % Wilson score interval of a binomial proportion (Wilson 1927).

    Example:
        >>> low, high = wilson_interval(87947, 100000)
        >>> round(float(low), 4), round(float(high), 4)
        (0.8774, 0.8815)
    """
    if trials <= 0:
        raise InputError(f"trials: expected ≥ 1, got {trials}")
    p = successes / trials
    denominator = 1.0 + WILSON_Z**2 / trials
    centre = (p + WILSON_Z**2 / (2 * trials)) / denominator
    half = WILSON_Z * np.sqrt(p * (1 - p) / trials + WILSON_Z**2 / (4 * trials**2)) / denominator
    # At 0 or n successes one end is exactly 0 or 1; the formula only reaches it up to rounding.
    low = 0.0 if successes == 0 else max(0.0, centre - half)
    high = 1.0 if successes == trials else min(1.0, centre + half)
    return low, high
