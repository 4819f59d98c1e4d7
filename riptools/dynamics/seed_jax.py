"""The seed notebook's own JAX code for the subgradient study: the baseline and the bit-for-bit oracle.

The notebook ("Matrix Completion", 11 December 2025, cell [1]) runs the subgradient method on
f = |x₁y₁ − 1| + |x₂y₁ − 1| + |x₂y₂ − 1| from 100 starts with ``jax.jit`` and ``jax.lax.scan``; its
step function is copied here verbatim (:func:`_segment_function`). It stores the (K, 100) histories of
f and ‖x‖, 16 GB at K = 10⁷, so :func:`run_seed_jax` scans the same jitted step over segments of
:data:`SEGMENT` iteration numbers, carrying x (the arithmetic of every step is unchanged). Used by
``tests/test_dynamics_subgradient.py`` to check :mod:`riptools.dynamics.subgradient` bit for bit, and by
``benchmarks/bench_divergence.py`` as the speed baseline; ``python -m riptools.dynamics.seed_jax --alpha
0.1 --beta 0.501 --iters 1e7`` is the notebook's cell end to end (draw the starts, run, print the
starts whose last recorded f exceeds 0.9, as JSON).

Needs jax (not a dependency of riptools: ``pip install jax``); jax is imported only when a function
here is called, on the CPU and with ``jax_enable_x64`` as the notebook sets them.
"""

from __future__ import annotations

import argparse
import functools
import json
import math
import os

import numpy as np

SEGMENT = 100_000
"""Iteration numbers per jitted scan call (its histories: 2 × SEGMENT × starts floats, 160 MB at 100 starts)."""
UNBOUNDED_THRESHOLD = 0.9
"""The notebook's test for an unbounded run: the last recorded f above 0.9."""
NUM_EXPERIMENTS = 100
"""The notebook's number of starts, key i = 0 … 99."""


def _jax():
    """Returns the jax module, configured as the notebook configures it (CPU, float64)."""
    os.environ.setdefault("JAX_PLATFORMS", "cpu")
    import jax

    jax.config.update("jax_enable_x64", True)
    return jax


@functools.cache
def _segment_function():
    """Returns the notebook's ``run_all`` scanned over given iteration numbers ``ks`` (jitted, α and β static)."""
    jax = _jax()
    import jax.numpy as jnp

    def obj(x):  # the notebook's objective, verbatim
        return jnp.abs(x[0] * x[2] - 1) + jnp.abs(x[1] * x[2] - 1) + jnp.abs(x[1] * x[3] - 1)

    batched_value_and_grad = jax.vmap(jax.value_and_grad(obj))

    @jax.jit(static_argnums=(2, 3))
    def run_segment(x0s, ks, alpha, beta):  # the notebook's run_all, over the iteration numbers ks
        def step(x, i):
            objs, grads = batched_value_and_grad(x)
            norms = jnp.linalg.norm(x, axis=1)
            step_size = alpha / jnp.power(i + 1, beta)
            x_next = x - step_size * grads
            return x_next, (objs, norms)

        x_final, (objs_hist, norms_hist) = jax.lax.scan(step, x0s, ks)
        return objs_hist.T, norms_hist.T, x_final

    return run_segment


def notebook_starts_jax() -> np.ndarray:
    """Returns the notebook's 100 starts, drawn as its cell draws them (``jax.random.normal(PRNGKey(i), (4,))``)."""
    jax = _jax()
    import jax.numpy as jnp

    x0s = jnp.zeros((NUM_EXPERIMENTS, 4), dtype=jnp.float64)
    for i in range(NUM_EXPERIMENTS):
        key = jax.random.PRNGKey(0 + i)
        x0s = x0s.at[i].set(jax.random.normal(key, (4,), dtype=jnp.float64))
    return np.asarray(x0s)


def run_seed_jax(starts, *, alpha: float, beta: float, iters: int, history: bool = False):
    """Returns (final iterates (S, 4), f of the last iterate recorded (S,), f history (S, K) or None).

    The notebook's jitted step from ``starts`` for ``iters`` steps; the notebook's ``all_objs[:, -1]``
    is the second value (f(x_{K−1}): f is recorded before each step). ``history=True`` keeps every
    f(x_k), k < K (memory 8·S·K bytes: for short runs).

    Example:
        >>> final, last, _ = run_seed_jax(np.ones((1, 4)), alpha=0.1, beta=0.0, iters=1)  # doctest: +SKIP
        >>> final.tolist()  # at the kink JAX's d|t|/dt is +1: g = (1, 2, 2, 1)  # doctest: +SKIP
        [[0.9, 0.8, 0.8, 0.9]]
    """
    jax = _jax()
    import jax.numpy as jnp

    run_segment = _segment_function()
    x = jnp.asarray(np.asarray(starts, dtype=np.float64))
    kept = []
    for begin in range(0, iters, SEGMENT):
        ks = jnp.arange(begin, min(begin + SEGMENT, iters), dtype=jnp.int64)
        objs, _, x = run_segment(x, ks, alpha, beta)
        kept = [*kept, objs] if history else [objs[:, -1:]]
    objs = np.concatenate([np.asarray(part) for part in kept], axis=1)
    return np.asarray(jax.block_until_ready(x)), objs[:, -1], objs if history else None


def main(argv: list[str] | None = None) -> int:
    """Runs the notebook's cell [1] end to end and prints its finding as one JSON object."""
    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--alpha", type=float, default=0.1)
    parser.add_argument("--beta", type=float, default=0.501)
    parser.add_argument("--iters", type=float, default=1e7)
    args = parser.parse_args(argv)
    iters = int(args.iters)
    if not (math.isfinite(args.iters) and iters == args.iters and iters >= 1):
        parser.error(f"--iters: expected a positive integer, got {args.iters}")
    x0s = notebook_starts_jax()
    _, last, _ = run_seed_jax(x0s, alpha=args.alpha, beta=args.beta, iters=iters)
    bad = np.flatnonzero(last > UNBOUNDED_THRESHOLD)
    print(json.dumps({"alpha": args.alpha, "beta": args.beta, "iters": iters, "unbounded": bad.tolist(),
                      "count": int(bad.size), "of": NUM_EXPERIMENTS}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
