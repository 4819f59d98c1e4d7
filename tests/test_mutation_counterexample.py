"""Tests of the counterexample module written to kill the mutants the mutation run found alive (tests/mutation_survivors.md)."""

import numpy as np
import pytest

from riptools.counterexample import rank1_delta_lower_bound, rank1_delta_lower_bound_polar
from riptools.validation import InputError


def test_theorem_12_bound_refuses_the_global_minimum_by_name():
    # x = ±z (ρ = 1, φ = 0) is the global minimum: no spurious point to bound.
    with pytest.raises(InputError) as error:
        rank1_delta_lower_bound_polar(1.0, 0.0)
    assert str(error.value) == "x, z: x = ±z is the global minimum, not a spurious point"
    with pytest.raises(InputError, match="^x, z: x = ±z"):
        rank1_delta_lower_bound(np.array([3.0, 0.0]), np.array([-3.0, 0.0]))


@pytest.mark.xfail(strict=True, reason="x = z is detected by an exact test on a rounded angle: for x = (1, 2) "
                   "arccos(x·z/‖x‖‖z‖) is 2e-8, not 0, and δ_lb ≈ 1 is returned instead of the refusal")
def test_theorem_12_bound_refuses_every_x_equal_to_z():
    with pytest.raises(InputError):
        rank1_delta_lower_bound(np.array([1.0, 2.0]), np.array([1.0, 2.0]))
