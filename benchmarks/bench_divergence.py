"""Benchmark of the subgradient divergence kernel (seed 000) against the seed's own JAX code.

Runs the 100 notebook starts for K steps (default 10⁷, the seed's regime α = 0.1, β = 0.501) with
riptools' numba kernel (checkpoints at 50 per decade plus running extremes), and — when jax is
importable in this interpreter — the seed's ``jax.jit`` + ``lax.scan`` step (``batched_value_and_grad``,
``jnp.linalg.norm``, ``alpha / jnp.power(i + 1, beta)``), scanned in segments of 10⁵ steps because the
seed's full (K, 100) histories would need 16 GB at K = 10⁷. Both give bit-identical final iterates
(checked here). Prints wall and CPU seconds, start-steps per CPU-second and the ratios, the peak
resident memory, and the time of the seed's seven regimes: measured with ``--all-regimes``, otherwise
estimated from the measured wall-clock throughput.

Usage: ``python benchmarks/bench_divergence.py [--iters 1e7] [--threads N] [--all-regimes]``; with
jax: ``/work/jaxvenv/bin/python`` with riptools importable (``PYTHONPATH=/work/main`` and numba, tqdm,
matplotlib, scipy installed there). CPU seconds make the comparison fair on a loaded machine;
``--threads 1`` compares one core with one core (XLA runs this scan on one thread).
"""

from __future__ import annotations

import argparse
import os
import resource
import time

import numpy as np

from figure_report import report_figure
from riptools.dynamics.seed_jax import SEGMENT
from riptools.dynamics.subgradient import run_subgradient
from riptools.experiments.divergence import REGIMES, notebook_starts
NAME = "divergence"
JAX_RATIO_TARGET = 2.0
MEMORY_TARGET_MB = 100.0
REGIMES_TARGET_MIN = 30.0


def _timed(function):
    wall, cpu = time.perf_counter(), time.process_time()
    result = function()
    return result, time.perf_counter() - wall, time.process_time() - cpu


def _jax_runner():
    """Returns run(starts, alpha, beta, iters) -> final iterates using the seed's code, or None without jax."""
    try:
        import jax
    except ImportError:
        return None
    from riptools.dynamics.seed_jax import run_seed_jax

    def run(starts, alpha, beta, iters):
        return run_seed_jax(starts, alpha=alpha, beta=beta, iters=iters)[0]

    run.version = jax.__version__
    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iters", type=float, default=1e7)
    parser.add_argument("--threads", type=int, default=None, help="numba threads (default: all)")
    parser.add_argument("--all-regimes", action="store_true", help="run the seven regimes instead of estimating")
    args = parser.parse_args()
    if args.threads:
        import numba

        numba.set_num_threads(args.threads)
    iters, alpha, beta = int(args.iters), 0.1, 0.501
    starts = notebook_starts()
    work = len(starts) * iters
    run_subgradient(starts[:2], alpha=alpha, beta=beta, iters=10)  # compile (or load the cache)
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    runs, wall, cpu = _timed(lambda: run_subgradient(starts, alpha=alpha, beta=beta, iters=iters))
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    recorded = sum(getattr(runs, name).nbytes for name in ("objective", "norm", "imbalance", "products", "max_norm",
                                                           "min_objective", "max_objective"))
    rows = [("riptools numba kernel (checkpoints)", wall, cpu)]
    jax_run = _jax_runner()
    if jax_run is not None:
        jax_run(starts[:2], alpha, beta, 2 * SEGMENT)  # compile
        final, jax_wall, jax_cpu = _timed(lambda: jax_run(starts, alpha, beta, iters))
        rows.append((f"seed's JAX jit + lax.scan (jax {jax_run.version})", jax_wall, jax_cpu))
        identical = np.array_equal(final, runs.final)
    print(f"100 notebook starts × {iters:.0e} steps, α = {alpha}, β = {beta} ({work:.1e} start-steps)")
    print(f"{'method':<44} {'wall s':>8} {'CPU s':>8} {'Msteps/CPU-s':>13} {'wall ratio':>11} {'CPU ratio':>10}")
    for name, w, c in rows:
        print(f"{name:<44} {w:8.2f} {c:8.2f} {work / c / 1e6:13.1f} {w / wall:11.2f} {c / cpu:10.2f}")
    if jax_run is None:
        print("jax is not importable here: no JAX baseline (run with /work/jaxvenv/bin/python, see the docstring)")
    else:
        print(f"final iterates bit-identical to JAX: {identical}")
    report_figure(NAME, f"numba, 100 starts × {iters:.0e} steps, per CPU-second", work / cpu, "start-steps/s")
    jax_name = f"seed's JAX jit + lax.scan, {iters:.0e} steps, this process"
    missing = None if jax_run is not None else "jax not importable in this interpreter: no baseline"
    jax_seconds = {"CPU": jax_cpu, "wall": jax_wall} if jax_run is not None else {}
    for clock, numba_seconds in (("CPU", cpu), ("wall", wall)):
        ratio = jax_seconds[clock] / numba_seconds if jax_seconds else None
        report_figure(NAME, f"JAX time ÷ numba time, {clock}", ratio, "×", target=JAX_RATIO_TARGET, baseline=jax_name, note=missing)
    print(f"memory: recorded checkpoint arrays {recorded / 2**20:.2f} MB; peak RSS of the process "
          f"{rss_after:.0f} MB, {rss_after - rss_before:.0f} MB of it added by the run (the rest is Python, "
          "numpy, numba/LLVM" + (", jax)" if jax_run is not None else ")"))
    report_figure(NAME, "peak RSS added by the numba run", rss_after - rss_before, "MB", target=MEMORY_TARGET_MB, relation="<=",
                  note=f"recorded checkpoints {recorded / 2**20:.2f} MB; whole process {rss_after:.0f} MB with Python and LLVM")

    throughput = work / wall
    how = "measured" if args.all_regimes else f"estimated from {throughput / 1e6:.0f} M start-steps per wall-second"
    print(f"\nThe seed's seven regimes, 100 starts ({how}):")
    total = 0.0
    for regime in REGIMES:
        if args.all_regimes:
            _, seconds, _ = _timed(lambda: run_subgradient(starts, alpha=regime.alpha, beta=regime.beta,
                                                           iters=regime.iters))
        else:
            seconds = len(starts) * regime.iters / throughput
        total += seconds
        print(f"  α = {regime.alpha:<7g} β = {regime.beta:<6g} K = {regime.iters:.0e}: {seconds:9.1f} s")
    print(f"  total: {total / 60:.1f} min (target: under 30 min on 2 cores)")
    all_work = len(starts) * sum(regime.iters for regime in REGIMES)
    print(f"From the CPU throughput ({work / cpu / 1e6:.0f} M start-steps per CPU-second, i.e. an idle core): "
          f"{all_work / (work / cpu) / 60:.1f} min on one idle core for all seven regimes "
          f"({all_work:.2e} start-steps), about half that on two.")
    report_figure(NAME, "seven regimes, 100 starts, wall", total / 60, "min", target=REGIMES_TARGET_MIN, relation="<=",
                  note=None if args.all_regimes else f"estimated from the wall throughput of the {iters:.0e}-step run")
    report_figure(NAME, "seven regimes on 2 idle cores", all_work / (work / cpu) / 120, "min", target=REGIMES_TARGET_MIN,
                  relation="<=", note=f"estimated: half the time at the CPU-time rate of the {iters:.0e}-step run")


if __name__ == "__main__":
    main()
