"""Tests of riptools.dynamics.sgd: the numba kernel against its NumPy reference, reproducibility, scaling."""

import numba
import numpy as np
import pytest

from riptools.dynamics.sgd import gaussian_factors, run_trials, run_trials_numpy
from riptools.objective import gradient
from riptools.sensing import SensingOperator, gaussian_operator, half_example
from riptools.validation import InputError

AGREEMENT_TOL = 1e-10
"""numba and NumPy differ only in summation order: agreement to ~1e-13 after hundreds of contracting steps."""
EXACT_STEP_TOL = 1e-13
"""One step compared with its closed form: rounding only."""


def _half():
    example = half_example()
    return example.operator, example.z


def _rank2_problem():
    operator = gaussian_operator(3, 12, seed=4)
    z = np.random.default_rng(5).standard_normal((3, 2))
    starts = gaussian_factors(3, 2, np.arange(40), seed=6)
    return operator, z, starts


@pytest.mark.parametrize("method", ["sgd", "gd"])
def test_numba_and_numpy_agree_trial_by_trial(method):
    operator, z = _half()
    starts = gaussian_factors(2, 1, np.arange(64), seed=3)
    fast = run_trials(operator, z, starts, step_size=0.01, num_steps=400, seed=11, method=method)
    reference = run_trials_numpy(operator, z, starts, step_size=0.01, num_steps=400, seed=11, method=method)
    assert np.array_equal(fast.finite, reference.finite)
    assert np.max(np.abs(fast.final - reference.final)) <= AGREEMENT_TOL


def test_numba_and_numpy_agree_for_rank_two():
    operator, z, starts = _rank2_problem()
    fast = run_trials(operator, z, starts, step_size=0.002, num_steps=300, seed=2)
    reference = run_trials_numpy(operator, z, starts, step_size=0.002, num_steps=300, seed=2)
    assert fast.final.shape == (40, 3, 2)
    assert np.max(np.abs(fast.final - reference.final)) <= AGREEMENT_TOL


def test_same_seed_same_numbers_for_any_thread_count_and_chunking():
    operator, z = _half()
    starts = gaussian_factors(2, 1, np.arange(300), seed=1)
    before = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        one = run_trials(operator, z, starts, step_size=0.01, num_steps=500, seed=7)
        numba.set_num_threads(min(2, numba.config.NUMBA_NUM_THREADS))
        two = run_trials(operator, z, starts, step_size=0.01, num_steps=500, seed=7)
    finally:
        numba.set_num_threads(before)
    assert np.array_equal(one.final, two.final)
    # 101 and 199 trials: neither is a multiple of the kernel's block of trials, so padding is exercised.
    head = run_trials(operator, z, starts[:101], step_size=0.01, num_steps=500, seed=7, trial_ids=np.arange(101))
    tail = run_trials(operator, z, starts[101:], step_size=0.01, num_steps=500, seed=7, trial_ids=np.arange(101, 300))
    assert np.array_equal(np.concatenate([head.final, tail.final]), one.final)
    other_seed = run_trials(operator, z, starts, step_size=0.01, num_steps=500, seed=8)
    assert not np.array_equal(other_seed.final, one.final)


def test_sgd_step_is_m_times_a_single_measurement_gradient_and_averages_to_the_gradient():
    """One SGD step moves U by η·m·∇f_i(U) for the sampled i; the mean over i is η∇f(U) (no factor ½)."""
    operator, z = _half()
    u = np.array([[0.3], [-0.8]])
    eta, m = 0.01, operator.num_measurements
    runs = run_trials(operator, z, np.repeat(u[None], 3000, axis=0), step_size=eta, num_steps=1, seed=0)
    moves = (u[None] - runs.final) / eta
    single = [m * gradient(SensingOperator(matrices=operator.matrices[i : i + 1]), u, z) for i in range(m)]
    labels = np.argmin([[np.max(np.abs(move - s)) for s in single] for move in moves], axis=1)
    assert max(np.max(np.abs(move - single[i])) for move, i in zip(moves, labels)) <= EXACT_STEP_TOL
    assert set(labels.tolist()) == set(range(m))  # every measurement gets sampled
    counts = np.bincount(labels, minlength=m)
    assert np.all(np.abs(counts / 3000 - 1 / m) < 0.04)  # ~5 standard deviations of a fair draw
    assert np.max(np.abs(np.mean(single, axis=0) - gradient(operator, u, z))) <= EXACT_STEP_TOL


def test_gd_step_is_the_full_gradient_step():
    operator, z, starts = _rank2_problem()
    runs = run_trials(operator, z, starts[:3], step_size=0.05, num_steps=1, method="gd")
    for start, final in zip(starts[:3], runs.final):
        assert np.max(np.abs(final - (start - 0.05 * gradient(operator, start, z)))) <= EXACT_STEP_TOL


def test_too_large_a_step_is_reported_as_non_finite_not_raised():
    operator, z = _half()
    starts = gaussian_factors(2, 1, np.arange(20), seed=0) * 5
    runs = run_trials(operator, z, starts, step_size=10.0, num_steps=2000, seed=0)
    assert not np.any(runs.finite)
    reference = run_trials_numpy(operator, z, starts, step_size=10.0, num_steps=50, seed=0)
    assert not np.any(reference.finite)


def test_gaussian_factors_depend_only_on_seed_and_trial_and_are_standard_normal():
    draws = gaussian_factors(2, 3, np.arange(20000), seed=9)
    assert np.array_equal(gaussian_factors(2, 3, [17, 5], seed=9), draws[[17, 5]])
    assert not np.array_equal(gaussian_factors(2, 3, [17], seed=10), draws[[17]])
    assert abs(draws.mean()) < 0.01 and abs(draws.std() - 1) < 0.01  # ~4 standard errors at 120000 draws
    assert abs(np.mean(np.abs(draws) < 1.0) - 0.6827) < 0.01


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"method": "adam"}, "method"),
        ({"step_size": -1.0}, "step_size"),
        ({"step_size": float("nan")}, "step_size"),
        ({"num_steps": 2.5}, "num_steps"),
        ({"seed": -3}, "seed"),
        ({"trial_ids": [0, 1]}, "trial_ids"),
    ],
)
def test_bad_arguments_raise_input_error(kwargs, message):
    operator, z = _half()
    options = {"step_size": 0.01, "num_steps": 3, "seed": 0} | kwargs
    with pytest.raises(InputError, match=message):
        run_trials(operator, z, np.zeros((4, 2, 1)), **options)


def test_bad_starts_raise_input_error():
    operator, z = _half()
    with pytest.raises(InputError, match="starts"):
        run_trials(operator, z, np.zeros((4, 3, 1)), step_size=0.01, num_steps=3)
    with pytest.raises(InputError, match="starts"):
        run_trials(operator, z, np.full((4, 2, 1), np.nan), step_size=0.01, num_steps=3)


def test_slides_normalisation_with_step_eta_is_rip_normalisation_with_step_two_eta():
    """A → √2·A doubles f, so η on the slides' matrices is 2η on the "rip" ones (documented in the module)."""
    rip, slides = half_example("rip"), half_example("slides")
    starts = gaussian_factors(2, 1, np.arange(50), seed=2)
    a = run_trials(slides.operator, slides.z, starts, step_size=0.005, num_steps=300, seed=1)
    b = run_trials(rip.operator, rip.z, starts, step_size=0.01, num_steps=300, seed=1)
    assert np.max(np.abs(a.final - b.final)) <= AGREEMENT_TOL
