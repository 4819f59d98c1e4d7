"""Benchmark of the SGD basin kernel (the sharp-RIP talk slides' SGD experiment): trial-steps per second against the NumPy reference.

Prints, on the 2×2 δ = 1/2 example (m = 3, rank 1):

* the numba kernel's throughput with 1 and 2 threads, and the NumPy version of the same algorithm
  (vectorised over trials, one Python-level step at a time), with the ratio measured in this process;
* the wall time of the full default sweep (21 γ × 1000 trials × 10,000 steps) and of the
  100,000-trial random-start study, and the numba compile time when the cache is cold.

Targets of issue 5: ≥ 10⁸ trial-steps/s on 2 cores, ≥ 20× NumPy, sweep < 10 s, study < 30 s.

The machine is shared, so every row reports both wall-clock and CPU-time rates (CPU time of this
process over all its threads) and the 1-minute load average at the time of the measurement: on a
loaded machine the wall rate measures the other jobs, the CPU rate estimates what the cores did.

Usage: ``python benchmarks/bench_basin.py [--trials N] [--steps N] [--numpy-steps N] [--sweep-trials N]
[--study-trials N]``. The two wall-time targets apply to the default sweep and study sizes only; smaller
sizes (a smoke run) are reported without a target.
"""

from __future__ import annotations

import argparse
import os
import time

import numba
import numpy as np

from figure_report import report_figure
from riptools.dynamics.sgd import gaussian_factors, run_trials, run_trials_numpy
from riptools.protocols.basin import basin_sweep, load_problem, random_start_study

TARGET_RATE = 1e8
TARGET_RATIO = 20.0
SWEEP_TRIALS, SWEEP_TARGET = 1000, 10.0
STUDY_TRIALS, STUDY_TARGET = 100_000, 30.0
NAME = "basin"


def _timed(run) -> tuple[float, float]:
    """Returns (wall seconds, CPU seconds of this process) of ``run()``."""
    wall, cpu = time.perf_counter(), time.process_time()
    run()
    return time.perf_counter() - wall, time.process_time() - cpu


def _row(name: str, work: float, wall: float, cpu: float, baseline: tuple[float, float] | None = None) -> str:
    """One table row; ``baseline`` is NumPy's (wall rate, CPU rate), giving the two ratios."""
    ratios = f"{work / wall / baseline[0]:8.1f}× {work / cpu / baseline[1]:8.1f}×" if baseline else " " * 19
    return f"{name:<34} {work / wall:12.3e} {work / cpu:14.3e} {ratios} {os.getloadavg()[0]:6.2f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=100_000, help="trials of the throughput runs")
    parser.add_argument("--steps", type=int, default=2_000, help="steps of the kernel throughput runs")
    parser.add_argument("--numpy-steps", type=int, default=30, help="steps of the NumPy run")
    parser.add_argument("--sweep-trials", type=int, default=SWEEP_TRIALS, help="trials per γ of the sweep (21 γ × 10,000 steps)")
    parser.add_argument("--study-trials", type=int, default=STUDY_TRIALS, help="trials of the random-start study (10,000 steps)")
    args = parser.parse_args()

    problem = load_problem("half")
    starts = gaussian_factors(2, 1, np.arange(args.trials), seed=0)

    def kernel(steps):
        return lambda: run_trials(problem.operator, problem.z, starts, step_size=0.01, num_steps=steps, seed=0)

    compile_wall, _ = _timed(kernel(1))  # compile, or load from numba's cache
    print(f"first call (compile or cache load): {compile_wall:.2f} s; threads available: {numba.config.NUMBA_NUM_THREADS}")
    print(f"{'trial-steps/s':<34} {'wall':>12} {'per CPU-second':>14} {'÷NumPy wall':>9} {'÷NumPy CPU':>9} {'load1':>6}")

    numpy_wall, numpy_cpu = _timed(lambda: run_trials_numpy(problem.operator, problem.z, starts, step_size=0.01, num_steps=args.numpy_steps, seed=0))
    baseline = (args.trials * args.numpy_steps / numpy_wall, args.trials * args.numpy_steps / numpy_cpu)
    print(_row("NumPy reference (vectorised)", args.trials * args.numpy_steps, numpy_wall, numpy_cpu))
    before = numba.get_num_threads()
    numpy_name = "NumPy vectorised reference, same trials, this process"
    for threads in (1, min(2, numba.config.NUMBA_NUM_THREADS)):
        numba.set_num_threads(threads)
        wall, cpu = _timed(kernel(args.steps))
        print(_row(f"numba kernel, {threads} thread(s)", args.trials * args.steps, wall, cpu, baseline))
        rate = args.trials * args.steps / wall
        on_two = threads == 2
        report_figure(NAME, f"numba, {threads} thread(s), wall", rate, "trial-steps/s", target=TARGET_RATE if on_two else None)
        report_figure(NAME, f"numba, {threads} thread(s) ÷ NumPy, wall", rate / baseline[0], "×",
                      target=TARGET_RATIO if on_two else None, baseline=numpy_name)
    numba.set_num_threads(before)
    # The trials are independent, so two idle cores give twice one core's CPU rate (the NumPy
    # reference is single-threaded): the projection the "on 2 cores" targets refer to.
    two_core = 2 * args.trials * args.steps / cpu
    print(f"projected on 2 idle cores: {two_core:.3e} trial-steps/s = {two_core / baseline[1]:.1f}× NumPy's single-core rate")
    projection = "2 × the CPU-time rate of the last kernel run (trials are independent)"
    report_figure(NAME, "numba, projected on 2 idle cores", two_core, "trial-steps/s", target=TARGET_RATE, note=projection)
    report_figure(NAME, "numba, projected on 2 idle cores ÷ NumPy, CPU", two_core / baseline[1], "×", target=TARGET_RATIO,
                  baseline="NumPy reference's single-core CPU-time rate, this process", note=projection)

    for name, trials, default, target, run in (
            ("sweep 21 γ", args.sweep_trials, SWEEP_TRIALS, SWEEP_TARGET,
             lambda: basin_sweep(problem, gammas=np.linspace(0, 1, 21), trials=args.sweep_trials, steps=10_000)),
            ("random-start study", args.study_trials, STUDY_TRIALS, STUDY_TARGET,
             lambda: random_start_study(problem, trials=args.study_trials, steps=10_000))):
        wall, cpu = _timed(run)
        full = trials == default
        print(f"{name} × {trials:,} trials × 10,000 steps: {wall:.2f} s wall, {cpu:.2f} s CPU"
              f"{f' (target < {target:g} s wall)' if full else ''}, load {os.getloadavg()[0]:.2f}")
        report_figure(NAME, f"{name} × {trials:,} trials × 10,000 steps, wall", wall, "s", target=target if full else None,
                      relation="<=", note=None if full else f"reduced size; the target {target:g} s is for {default:,} trials")
    print(f"targets: ≥ {TARGET_RATE:.0e} trial-steps/s on 2 cores, ≥ {TARGET_RATIO:g}× NumPy")


if __name__ == "__main__":
    main()
