"""Kernel-level tests of riptools.dynamics.subgradient: bit for bit against the seed's own JAX code, run here.

``tests/test_divergence.py`` compares the 100 notebook starts' final iterates with digests recorded once;
these tests run the notebook's jitted step (:mod:`riptools.dynamics.seed_jax`) in this process, on
starts chosen to reach every branch of the arithmetic — signed zeros (which the −0/+0 rules of the
subgradient's accumulation decide), kinks (a residual exactly 0), products that overflow (f = inf)
and iterates that end NaN — and compare every final coordinate's bits and every recorded f(z_k). Skipped without jax.
"""

import itertools

import numpy as np
import pytest

from riptools.dynamics.subgradient import reference_trajectory, run_subgradient

pytest.importorskip("jax")
from riptools.dynamics.seed_jax import run_seed_jax  # noqa: E402 - after the skip

ITERS = 300
"""Steps: beyond the per-step checkpoints of k ≤ 10, so that the generated straight-line code runs."""
PER_DECADE = 2
"""Few checkpoints, so most steps go through the generated code rather than the generic one."""


def _edge_starts() -> np.ndarray:
    """Returns the 256 points of {+0, −0, 1, −1}⁴, kinks, and starts whose iterates overflow."""
    grid = np.array(list(itertools.product([0.0, -0.0, 1.0, -1.0], repeat=4)))
    kinks = np.array([[1.0, 1.0, 1.0, 1.0], [2.0, 2.0, 0.5, 0.5], [-2.0, 4.0, 0.25, 0.25]])
    overflow = np.array([[1.7e308, -1.7e308, 1.7e308, 1.7e308], [1.7e308, 1.0, 1.0, 1.7e308], [1e300, 1e300, 1e300, -1e300]])
    return np.concatenate([grid, kinks, overflow])


def _bits(values: np.ndarray) -> np.ndarray:
    """Returns the float64 bit patterns, every NaN mapped to one pattern (a NaN's sign and payload carry nothing)."""
    return np.where(np.isnan(values), np.nan, values).view(np.int64)


@pytest.mark.parametrize("alpha, beta", [(0.1, 0.501), (0.5, 0.0), (0.1, 1.001)])
def test_kernel_equals_the_seed_jax_code_bit_for_bit(alpha, beta):
    """Final iterates (bits, ±0 included) and f(z_k) at every checkpoint k < K equal the notebook's jitted code's."""
    starts = _edge_starts()
    jax_final, _, jax_objective = run_seed_jax(starts, alpha=alpha, beta=beta, iters=ITERS, history=True)
    runs = run_subgradient(starts, alpha=alpha, beta=beta, iters=ITERS, per_decade=PER_DECADE)
    assert np.isinf(jax_objective).any() and np.isnan(jax_final).any(), "some starts overflow"
    np.testing.assert_array_equal(_bits(runs.final), _bits(jax_final))
    recorded = runs.checkpoints < ITERS
    np.testing.assert_array_equal(_bits(runs.objective[:, recorded]), _bits(jax_objective[:, runs.checkpoints[recorded]]))


def test_kernel_equals_the_seed_jax_code_on_the_notebook_starts_through_many_chunks():
    """The 100 notebook starts with 1, 2 and 7 threads (different chunks): the same bits as JAX's."""
    from riptools.protocols.divergence import notebook_starts

    starts = notebook_starts()
    jax_final, jax_last, _ = run_seed_jax(starts, alpha=0.1, beta=0.501, iters=5000)
    for threads in (1, 2, 7):
        runs = run_subgradient(starts, alpha=0.1, beta=0.501, iters=5000, threads=threads)
        np.testing.assert_array_equal(_bits(runs.final), _bits(jax_final))
        np.testing.assert_array_equal(_bits(runs.objective[:, -2]), _bits(jax_last))


def test_reference_loop_equals_the_seed_jax_code_on_signed_zeros():
    """The plain Python reference (exact rational fma) follows the same ±0 rules as JAX."""
    starts = _edge_starts()[:256:7]
    jax_final, _, _ = run_seed_jax(starts, alpha=0.1, beta=0.501, iters=40)
    for start, expected in zip(starts, jax_final):
        points, _ = reference_trajectory(start, alpha=0.1, beta=0.501, iters=40)
        np.testing.assert_array_equal(_bits(points[-1]), _bits(expected))
