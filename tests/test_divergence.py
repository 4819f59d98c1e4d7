"""Tests of the subgradient kernel (riptools.dynamics.subgradient) and the divergence protocol.

The JAX reference digests below are SHA-256 of the (100, 4) little-endian float64 final iterates that the
notebook's own jitted code (``jax.lax.scan`` over ``x - alpha / jnp.power(i + 1, beta) * grads``, jax 0.10.2,
x86-64 with FMA, ``jax_enable_x64``) produced from the 100 notebook starts; computed once with a separate
jax installation (a scratch script ran the notebook's ``run_all`` cell with these (α, β, K)).
The source's findings and verdicts are tested in ``tests/test_source_subgradient_notebook.py``.
"""

import hashlib
import json
import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from riptools.cli import main
from riptools.dynamics.subgradient import (
    NOTEBOOK_INSTANCE,
    CompletionInstance,
    checkpoint_steps,
    fma,
    reference_trajectory,
    run_subgradient,
    step_size,
)
from riptools.protocols.divergence import (
    DIVERGENCE_PROBABILITY,
    NOTEBOOK_STUDY,
    NotebookStudyParams,
    ProbabilityParams,
    Regime,
    RunClass,
    classify_runs,
    gaussian_starts,
    notebook_starts,
    predicted_growth_exponent,
    run_study,
    shortening_changes,
    trapped,
)
from riptools.sources.subgradient_notebook import NOTEBOOK_REPORTED_KEYS
from riptools.statistics import wilson_interval
from riptools.validation import InputError

JAX_FINAL_DIGESTS = {
    (0.1, 0.501, 10**5): "d0b03dcc3213c772ce58923ff931073cec1ba4fd7779905d254a170e0ff1af0e",
    (0.01, 0.0, 10**5): "59eb60a72ea411bd866a869d10001d45115505d80b3139bb7725f75fffb3b96f",
    (0.1, 1.001, 10**5): "aa0e9a82a8c5757747adcdaad23b07ad468fc93526da6d589d1c025b51446b98",
    (0.1, 0.501, 10**7): "dffa897a9a9a9d78d0d87923b4043abb29c31373d09e88a95b17f71d08107539",
}
NOTEBOOK_PRINTED_X0_KEY1 = (-1.18428442, -0.11617041, 0.17269028, 0.95730718)
"""The seed prints ``Initial x0`` for PRNGKey(1) to 8 decimals."""
PRINTED_DECIMALS_TOL = 5e-9


def _digest(final: np.ndarray) -> str:
    return hashlib.sha256(np.ascontiguousarray(final, dtype="<f8").tobytes()).hexdigest()


# ---------------------------------------------------------------- arithmetic of the kernel


def test_fma_rounds_once():
    """fma(a, b, c) is the exact a·b + c rounded once; a plain a*b + c differs here."""
    a, b, c = 1.0 + 2.0**-30, 1.0 - 2.0**-30, -1.0
    assert fma(a, b, c) == float(Fraction(a) * Fraction(b) + Fraction(c)) == -(2.0**-60)
    assert a * b + c == 0.0


def test_step_size_is_xlas_rewrite():
    """α·pow(k+1, −β) — what XLA computes for α / (k+1)^β — differs from α / pow(k+1, β) for some k."""
    ks = range(1, 200)
    ours = [step_size(0.1, 0.501, k) for k in ks]
    assert ours == [0.1 * math.pow(k + 1, -0.501) for k in ks]
    assert any(a != 0.1 / math.pow(k + 1, 0.501) for a, k in zip(ours, ks))


def test_kink_subgradient_is_plus_one():
    """At z = (1, 1, 1, 1) every residual is 0; JAX's d|t|/dt at 0 is +1, so g = (1, 2, 2, 1) ≠ 0."""
    runs = run_subgradient(np.ones((1, 4)), alpha=0.1, beta=0.0, iters=1)
    np.testing.assert_array_equal(runs.final[0], [0.9, 0.8, 0.8, 0.9])
    points, _ = reference_trajectory(np.ones(4), alpha=0.1, beta=0.0, iters=1)
    np.testing.assert_array_equal(points[-1], runs.final[0])


@pytest.mark.parametrize("alpha, beta, iters", [(0.1, 0.501, 10**5), (0.01, 0.0, 10**5), (0.1, 1.001, 10**5)])
def test_kernel_is_bit_identical_to_jax(alpha, beta, iters):
    """All 100 final iterates equal, bit for bit, those of the seed's JAX code (digests above)."""
    runs = run_subgradient(notebook_starts(), alpha=alpha, beta=beta, iters=iters, per_decade=5)
    assert _digest(runs.final) == JAX_FINAL_DIGESTS[(alpha, beta, iters)]


INSTANCES = [
    NOTEBOOK_INSTANCE,
    CompletionInstance(m=3, n=2, rank=2, rows=(0, 1, 2, 2), cols=(0, 1, 0, 1), values=(1.0, -0.5, 2.0, 0.25)),
]


@pytest.mark.parametrize("instance", INSTANCES, ids=["notebook", "rank2"])
@pytest.mark.parametrize("per_decade", [1, 50])
def test_kernel_matches_python_loop_step_for_step(instance, per_decade):
    """Every checkpoint value and extreme, and the last iterate, equal the plain loop's (10 starts: 1¼ blocks)."""
    iters = 300
    starts = np.random.default_rng(7).normal(size=(10, instance.dimension))
    runs = run_subgradient(starts, alpha=0.05, beta=0.501, iters=iters, instance=instance, per_decade=per_decade)
    ks = runs.checkpoints
    for s in range(10):
        points, values = reference_trajectory(starts[s], alpha=0.05, beta=0.501, iters=iters, instance=instance)
        np.testing.assert_array_equal(runs.final[s], points[-1])
        np.testing.assert_array_equal(runs.objective[s], values[ks])
        np.testing.assert_allclose(runs.norm[s], np.linalg.norm(points[ks], axis=1), rtol=1e-15)
        bounds = np.concatenate([[-1], ks])
        for c in range(len(ks)):
            window = values[bounds[c] + 1: bounds[c + 1] + 1]
            assert runs.max_objective[s, c] == window.max() and runs.min_objective[s, c] == window.min()
        x, y = instance.split(points[ks])
        np.testing.assert_allclose(runs.imbalance[s], (x**2).sum((1, 2)) - (y**2).sum((1, 2)), rtol=1e-12, atol=1e-12)
        products = np.einsum("cir,cjr->cij", x, y)[:, list(instance.rows), list(instance.cols)]
        np.testing.assert_allclose(runs.products[s], products, rtol=1e-14, atol=1e-14)


def test_runs_do_not_depend_on_batching():
    """A start gives the same bits alone, in a full block, or in another lane."""
    starts = notebook_starts()[:13]
    batch = run_subgradient(starts, alpha=0.1, beta=0.501, iters=2000)
    for s in (0, 9, 12):
        alone = run_subgradient(starts[s], alpha=0.1, beta=0.501, iters=2000)
        np.testing.assert_array_equal(alone.final[0], batch.final[s])
        np.testing.assert_array_equal(alone.objective[0], batch.objective[s])


def test_checkpoints():
    """0, K−1, K, every k ≤ 10 and 50 per decade beyond (rounding merges the first decade's), increasing."""
    ks = checkpoint_steps(10**7)
    assert ks[0] == 0 and ks[-2] == 10**7 - 1 and ks[-1] == 10**7
    assert np.all(np.diff(ks) > 0) and list(ks[:11]) == list(range(11))
    assert np.sum((ks > 10**5) & (ks <= 10**6)) == 50


def test_bad_input_is_rejected():
    with pytest.raises(InputError, match="starts"):
        run_subgradient(np.ones((2, 3)), alpha=0.1, beta=0.5, iters=10)
    with pytest.raises(InputError, match="alpha"):
        run_subgradient(np.ones((2, 4)), alpha=-1.0, beta=0.5, iters=10)
    with pytest.raises(InputError, match="starts"):
        run_subgradient(np.full((1, 4), np.nan), alpha=0.1, beta=0.5, iters=10)
    with pytest.raises(InputError, match="rows, cols"):
        CompletionInstance(m=2, n=2, rank=1, rows=(0, 2), cols=(0, 0), values=(1.0, 1.0))


# ---------------------------------------------------------------- the notebook's starts


def test_notebook_starts_match_the_printed_key_1():
    starts = notebook_starts()
    assert starts.shape == (100, 4)
    np.testing.assert_allclose(starts[1], NOTEBOOK_PRINTED_X0_KEY1, atol=PRINTED_DECIMALS_TOL, rtol=0)


def test_notebook_starts_regenerate_with_jax():
    """The shipped starts are what jax.random.normal(PRNGKey(i), (4,), float64) gives (skipped without jax)."""
    jax = pytest.importorskip("jax")
    jax.config.update("jax_enable_x64", True)
    # The default since jax 0.5, recorded in the data file; the seed's printed key-1 start matches it.
    jax.config.update("jax_threefry_partitionable", True)
    import jax.numpy as jnp

    regenerated = np.array([np.asarray(jax.random.normal(jax.random.PRNGKey(i), (4,), dtype=jnp.float64))
                            for i in range(100)])
    np.testing.assert_array_equal(regenerated, notebook_starts())


# ---------------------------------------------------------------- mechanism and statistics


@settings(max_examples=300)  # pure arithmetic, ~1 ms each
@given(st.lists(st.floats(-1e3, 1e3, allow_nan=False), min_size=4, max_size=4))
def test_negative_x1y2_forces_f_at_least_one(z):
    """p₁p₂p₃ = x₁y₂(x₂y₁)², so x₁y₂ < 0 makes some product ≤ 0 and f ≥ 1 (the trap of the mechanism)."""
    x1, x2, y1, y2 = (Fraction(v) for v in z)
    if x1 * y2 < 0:
        f = abs(x1 * y1 - 1) + abs(x2 * y1 - 1) + abs(x2 * y2 - 1)
        assert f >= 1


def test_notebook_regime_mechanism_on_a_short_run():
    """At K = 10⁵ the seed's 13 keys are the unbounded runs; all end with x₁y₂ < 0, grow like k^((1−β)/4)."""
    study, runs = run_study(Regime(0.1, 0.501, 10**5), notebook_starts(), inits="notebook")
    assert study.unbounded_indices == NOTEBOOK_REPORTED_KEYS
    stats = study.mechanism["unbounded"]
    assert stats.final_x1y2_negative == stats.runs == 13 == stats.f_at_least_1_on_last_decade == stats.trapped
    assert study.mechanism["converged"].final_x1y2_negative == 0
    assert abs(stats.median_growth_exponent / predicted_growth_exponent(0.501) - 1) < 0.1
    assert stats.predicted_growth_exponent == predicted_growth_exponent(0.501)
    assert np.flatnonzero(trapped(runs)).tolist() == list(NOTEBOOK_REPORTED_KEYS)
    assert stats.median_final_imbalance_over_squared_norm < 0.1  # balanced growth


def test_wilson_interval():
    """The endpoints solve (p̂ − p)² = z²p(1−p)/n (the score test's boundary); 13/100 → [0.0776, 0.2098]."""
    low, high = wilson_interval(13, 100)
    z = 1.959963984540054
    for p in (low, high):
        assert (0.13 - p) ** 2 == pytest.approx(z**2 * p * (1 - p) / 100, rel=1e-12)
    assert low == pytest.approx(0.07757, abs=1e-5) and high == pytest.approx(0.20980, abs=1e-5)
    assert wilson_interval(0, 50)[0] == 0.0 and wilson_interval(50, 50)[1] == 1.0
    low, high = wilson_interval(50, 100)
    assert low + high == pytest.approx(1.0)


def test_classification_of_a_shortened_run():
    """Classifying the first 10⁴ steps of a 10⁵-step run gives the classes of a 10⁴-step run (the fitted
    exponents differ slightly: only the short run has the checkpoint K−1 = 9999)."""
    starts = notebook_starts()[:16]
    long_run = run_subgradient(starts, alpha=0.01, beta=0.0, iters=10**5, per_decade=10)
    short_run = run_subgradient(starts, alpha=0.01, beta=0.0, iters=10**4, per_decade=10)
    early = classify_runs(long_run, up_to=10**4)
    assert [c.run_class for c in early] == [c.run_class for c in classify_runs(short_run)]
    with pytest.raises(InputError, match="up_to"):
        classify_runs(long_run, up_to=12345)
    study, _ = run_study(Regime(0.01, 0.0, 10**5), starts, inits="notebook", per_decade=10)
    changes = sum((a.run_class == RunClass.UNBOUNDED) != (b.run_class == RunClass.UNBOUNDED)
                  for a, b in zip(early, study.runs))
    assert shortening_changes(study, long_run, 10**4) == changes
    assert shortening_changes(study, long_run, 10**5) == 0  # not shorter: nothing to compare


def test_protocol_sizes_and_replay_commands_come_from_the_parameters():
    """Quick and full sizes are declared once; the replay command runs what the parameters say."""
    quick = NOTEBOOK_STUDY.sized(quick=True, alpha=0.1, beta=0.501, iters=10**7)
    full = NOTEBOOK_STUDY.sized(quick=False, alpha=0.1, beta=0.501, iters=10**7)
    assert (quick.steps, full.steps) == (10**6, 10**7)
    assert "--iters 1e6 --inits notebook" in NOTEBOOK_STUDY.replay(quick)
    estimate = DIVERGENCE_PROBABILITY.sized(quick=True, alpha=0.01, beta=0.0, iters=10**8, seed=3)
    assert isinstance(estimate, ProbabilityParams) and estimate.steps == 10**5
    assert DIVERGENCE_PROBABILITY.replay(estimate) == (
        "riptools diverge --alpha 0.01 --beta 0 --iters 1e5 --inits gaussian --count 2000 --seed 3 --json")
    assert isinstance(full, NotebookStudyParams)


def test_probability_protocol_counts_and_intervals(tmp_path):
    """A small estimate through the stored protocol: counts add up and the interval is Wilson's."""
    from riptools.reproduce import ReproduceContext

    context = ReproduceContext(out_dir=tmp_path, quick=True)
    params = ProbabilityParams(alpha=0.1, beta=0.501, iters=10**7, count=200, seed=1, max_iters=10**4)
    (estimate,) = context.run(DIVERGENCE_PROBABILITY, [params])
    assert estimate.shortened and estimate.iters == 10**4 and sum(estimate.counts.values()) == 200
    assert (estimate.low, estimate.high) == wilson_interval(estimate.unbounded, 200)
    rerun = ReproduceContext(out_dir=tmp_path, quick=True)  # a later run reads the stored task
    (again,) = rerun.run(DIVERGENCE_PROBABILITY, [params])
    assert again == estimate and context.counts["computed"] == 1 and rerun.counts["computed"] == 0


def test_gaussian_starts_are_seeded():
    np.testing.assert_array_equal(gaussian_starts(5, seed=3), gaussian_starts(5, seed=3))
    assert not np.array_equal(gaussian_starts(5, seed=3), gaussian_starts(5, seed=4))
    with pytest.raises(InputError, match="count"):
        gaussian_starts(0, seed=1)


# ---------------------------------------------------------------- CLI


def test_cli_json(capsys):
    code = main(["diverge", "--alpha", "0.1", "--beta", "0.501", "--iters", "2e4", "--inits", "gaussian",
                 "--count", "20", "--seed", "5", "--json"])
    assert code == 0
    out = json.loads(capsys.readouterr().out)
    assert out["regime"] == {"alpha": 0.1, "beta": 0.501, "iters": 20000}
    assert len(out["runs"]) == 20 and set(out["runs"][0]) >= {"index", "final_objective", "final_norm", "class",
                                                               "growth_exponent"}
    assert out["unbounded_indices"] == [r["index"] for r in out["runs"] if r["class"] == "unbounded"]


@pytest.mark.parametrize("argv, word", [
    (["--alpha", "0.1", "--beta", "0.5", "--iters", "1.5"], "--iters"),
    (["--alpha", "0.1", "--beta", "0.5", "--iters", "abc"], "--iters"),
    (["--alpha", "-1", "--beta", "0.5", "--iters", "10"], "alpha"),
    (["--alpha", "0.1", "--beta", "-0.5", "--iters", "10"], "beta"),
    (["--alpha", "0.1", "--beta", "0.5", "--iters", "10", "--count", "0"], "--count"),
    (["--alpha", "0.1", "--beta", "0.5", "--iters", "10", "--count", "101"], "--count"),
])
def test_cli_bad_input_exits_2(capsys, argv, word):
    assert main(["diverge", *argv]) == 2
    err = capsys.readouterr().err
    assert word in err and err.count("\n") == 1


# ---------------------------------------------------------------- slow: the seed's full regime


@pytest.mark.slow
def test_notebook_regime_reproduces_the_13_keys():
    """α = 0.1, β = 0.501, K = 10⁷ (10⁹ start-steps, ~10–60 s): the seed's keys, bit-identical to JAX."""
    study, runs = run_study(Regime(0.1, 0.501, 10**7), notebook_starts(), inits="notebook")
    assert _digest(runs.final) == JAX_FINAL_DIGESTS[(0.1, 0.501, 10**7)]
    assert study.unbounded_indices == NOTEBOOK_REPORTED_KEYS
    assert study.notebook_criterion_indices == NOTEBOOK_REPORTED_KEYS
