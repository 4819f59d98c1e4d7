"""Benchmark: RIP constants. Prints one table; ratios are against baselines run in this process.

* exact constant (kernel eigenvalues on Sⁿ, N×N with N = n(n+1)/2) against the naive baseline that
  takes the eigenvalues of the n²×n² vec-kernel Σ vec(A_i)vec(A_i)ᵀ compressed to symmetric matrices;
* certified bounds at rank 2 (witness search + eigenvalue bound; SDP only for n ≤ SDP_MAX_N),
  as a multiple of the exact computation's time.

Run: ``python benchmarks/bench_rip.py [--sizes 10 30 60]``. Issue 2 asks for these times and sets no target.
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np

from figure_report import report_figure
from riptools.rip import rip_constant
from riptools.sensing import gaussian_operator, svec_basis


NAME = "rip"


def best_time(function, repeats: int = 3) -> float:
    """Returns the best wall time of ``repeats`` calls of ``function``."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


def naive_exact_delta(operator) -> float:
    """Returns δ from the n²×n² vec-kernel compressed to Sⁿ (the baseline)."""
    vec = operator.matrices.reshape(operator.num_measurements, -1)
    basis = svec_basis(operator.n).reshape(-1, operator.n ** 2).T  # n²×N, orthonormal columns
    values = np.linalg.eigvalsh(basis.T @ (vec.T @ vec) @ basis)
    return max(1 - values[0], values[-1] - 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 30, 60], help="n of the Gaussian operators (m = 2N)")
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    print(f"{'n':>4} {'N':>6} {'m':>6} {'exact s':>9} {'naive s':>9} {'speed-up':>9} {'bounds r=2 s':>13} {'bounds/exact':>13}")
    for n in args.sizes:
        size = n * (n + 1) // 2
        operator = gaussian_operator(n, 2 * size, seed=0)
        exact = best_time(lambda: rip_constant(operator, n))
        naive = best_time(lambda: naive_exact_delta(operator), repeats=1 if n == 60 else 3)
        assert abs(naive_exact_delta(operator) - rip_constant(operator, n).delta) < 1e-8
        bounds = best_time(lambda: rip_constant(operator, 2, starts=5), repeats=1)
        print(f"{n:>4} {size:>6} {2 * size:>6} {exact:>9.3f} {naive:>9.3f} {naive / exact:>8.1f}x {bounds:>13.2f} {bounds / exact:>12.1f}x")
        report_figure(NAME, f"exact δ, n = {n} (N = {size}), best of 3", exact, "s")
        report_figure(NAME, f"exact δ, n = {n}: naive ÷ riptools", naive / exact, "×",
                      baseline="eigenvalues of the n²×n² vec-kernel compressed to Sⁿ, this process")
        report_figure(NAME, f"bounds at rank 2, n = {n}, 5 starts", bounds, "s")


if __name__ == "__main__":
    main()
