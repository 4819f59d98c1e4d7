"""Tests of the counterexample module written to kill the mutants the mutation run found alive (tests/mutation_survivors.md)."""

import numpy as np
import pytest

from riptools.counterexample import rank1_delta_lower_bound, rank1_delta_lower_bound_polar
from riptools.validation import InputError


@pytest.mark.parametrize("rho, phi", [(1.0, 0.0), (1.0, np.pi)])
def test_theorem_12_bound_refuses_the_global_minimum_by_name(rho, phi):
    # x = ±z (ρ = 1, φ ∈ {0, π}) is the global minimum: no spurious point to bound.
    with pytest.raises(InputError) as error:
        rank1_delta_lower_bound_polar(rho, phi)
    assert str(error.value) == "x, z: x = ±z is the global minimum, not a spurious point"
    with pytest.raises(InputError, match="^x, z: x = ±z"):
        rank1_delta_lower_bound(np.array([1.0, 2.0]), np.cos(phi) * np.array([1.0, 2.0]))
