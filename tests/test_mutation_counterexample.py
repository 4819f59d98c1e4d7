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


def test_theorem_12_bound_refuses_every_x_equal_to_z():
    # x = (1, 2): arccos(x·z/‖x‖‖z‖) is 2e-8, not 0, so a test on the angle alone let δ_lb ≈ 1 through.
    for x in ([1.0, 2.0], [0.3, -0.7], [1e-3, 5.0]):
        for sign in (1.0, -1.0):
            with pytest.raises(InputError, match="x = ±z"):
                rank1_delta_lower_bound(np.array(x), sign * np.array(x))


def test_the_same_point_tolerance_is_relative_to_zz():
    # ‖ZZᵀ‖ = 1e6: X = Z(1 + 1e-12) is within SAME_POINT_TOL·‖ZZᵀ‖ = 1e-3 (the residual is about 2e-6)
    from riptools.counterexample import same_point

    z = np.array([[1e3], [0.0]])
    assert same_point(z * (1 + 1e-12), z) and same_point(-z, z)
    assert not same_point(z * (1 + 1e-6), z)  # a residual of about 2: a different point
