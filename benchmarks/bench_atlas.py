"""Benchmark of the counterexample search: gradient-based BFGS against Nelder–Mead, and the atlas.

Run: ``python benchmarks/bench_atlas.py [--starts 4] [--workers 2] [--quick]``. Prints, for the cells
(r, r★) = (2, 1), (2, 2), (3, 1), the best δ* of each method with the same random starts and budget
(400 SDP solves per start), its distance to the proved sharp value, and the wall times; then the SDP
solves each method needs to reach Nelder–Mead's best δ on (2, 1) (both methods replayed start after
start, solves counted cumulatively); then the atlas R = 3, S = 2 at the default budget on ``--workers``
processes. Targets (issue: sharp-threshold atlas): (2, 1) within 2e-5 of 0.585786 in under 60 s;
(2, 2) within 1e-4 of 1/2; (3, 1) within 2e-4 of 0.633975; the atlas in under 15 min; ≥ 10× fewer
SDP solves than Nelder–Mead to reach the same δ on (2, 1). ``--quick`` runs one start per method and
skips the atlas (a smoke run; the targets are still printed, the atlas one not measured).
"""

from __future__ import annotations

import argparse
import math
import os
import time

import numpy as np
import scipy.optimize

from figure_report import report_figure
from riptools.protocols.atlas import DEFAULT_STARTS, AtlasParams, run_atlas, run_cell
from riptools.search import (
    DEFAULT_MAX_EVALUATIONS,
    StartTask,
    delta_star_value,
    delta_star_with_gradient,
    quasi_newton,
    search_min_delta,
)
from riptools.sources.sharp_thresholds import atlas_row

NAME = "atlas"
TARGETS = {(2, 1): 2e-5, (2, 2): 1e-4, (3, 1): 2e-4}
"""Distance to the sharp value each cell must reach (issue)."""
SECONDS_21 = 60.0
ATLAS_SECONDS = 15 * 60.0
SOLVES_RATIO = 10.0


def sharp(rank: int, true_rank: int) -> float:
    """Returns the proved sharp value of the cells benchmarked (r = r★: 1/2; r★ = 1: 1/(1+1/√r))."""
    return 0.5 if rank == true_rank else 1.0 / (1.0 + 1.0 / math.sqrt(rank))


def compare_cell(rank: int, true_rank: int, starts: int) -> dict:
    """Returns both methods' best δ* and wall times on one cell (same starts, same budget, certified)."""
    row = {"rank": rank, "true_rank": true_rank}
    for method in ("bfgs", "nelder-mead"):
        begin = time.perf_counter()
        found = search_min_delta(rank + true_rank, rank, true_rank, starts=starts, seed=0, method=method)
        row[method] = {"delta": found.delta, "seconds": time.perf_counter() - begin, "solves": found.evaluations,
                       "verified": found.exact_certificate.verified}
    return row


def traces(rank: int, true_rank: int, starts: int) -> dict:
    """Returns {method: [best δ after each SDP solve]}, the starts run one after another (as one worker does)."""
    d = rank + true_rank
    result = {}
    for method in ("bfgs", "nelder-mead"):
        values = []
        for k in range(starts):
            theta0 = np.random.default_rng([0, k]).standard_normal(d * (rank + true_rank))
            task = StartTask(k, "random", theta0, d, rank, true_rank, 0.0, method, DEFAULT_MAX_EVALUATIONS)
            if method == "bfgs":
                def recorded(theta):
                    value, gradient = delta_star_with_gradient(*task.unpack(theta))
                    values.append(value)
                    return value, gradient
                quasi_newton(recorded, theta0, max_evaluations=DEFAULT_MAX_EVALUATIONS)
            else:
                def recorded(theta):
                    value = delta_star_value(*task.unpack(theta))
                    values.append(value)
                    return value
                scipy.optimize.minimize(recorded, theta0, method="Nelder-Mead", options={
                    "maxfev": DEFAULT_MAX_EVALUATIONS, "xatol": 1e-7, "fatol": 1e-10, "adaptive": True})
        result[method] = list(np.minimum.accumulate(values))
    return result


def solves_to_reach(best_so_far: list, target: float) -> int | None:
    """Returns the number of solves after which the best value is ≤ target (None if never)."""
    hits = [i for i, value in enumerate(best_so_far) if value <= target]
    return hits[0] + 1 if hits else None


def main() -> None:
    """Runs the comparison, the solve counts and the atlas, and prints the figure lines."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--starts", type=int, default=DEFAULT_STARTS)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    starts = 1 if args.quick else args.starts
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores; {starts} random starts per method, "
          f"{DEFAULT_MAX_EVALUATIONS} SDP solves per start")
    print(f"{'cell':>7} {'method':>12} {'δ found':>12} {'− sharp':>9} {'solves':>7} {'s':>7} {'exact':>6}")
    rows = [compare_cell(r, s, starts) for r, s in TARGETS]
    for row in rows:
        target = sharp(row["rank"], row["true_rank"])
        for method in ("bfgs", "nelder-mead"):
            m = row[method]
            print(f"({row['rank']}, {row['true_rank']}) {method:>12} {m['delta']:>12.9f} {m['delta'] - target:>9.1e} "
                  f"{m['solves']:>7} {m['seconds']:>7.1f} {m['verified']!s:>6}")
    for row in rows:
        cell = (row["rank"], row["true_rank"])
        target, bfgs, nm = sharp(*cell), row["bfgs"], row["nelder-mead"]
        report_figure(NAME, f"{cell}: |δ found − {target:.6f}|, BFGS, {starts} starts", abs(bfgs["delta"] - target), "",
                      target=TARGETS[cell], relation="<=")
        report_figure(NAME, f"{cell}: |δ found − {target:.6f}|, Nelder–Mead (baseline)", abs(nm["delta"] - target), "",
                      note=f"same {starts} starts and {DEFAULT_MAX_EVALUATIONS} solves per start, this process")
        report_figure(NAME, f"{cell}: BFGS ÷ Nelder–Mead wall time", bfgs["seconds"] / nm["seconds"], "×",
                      baseline=f"Nelder–Mead, same {starts} starts and budget, this process")
        if cell == (2, 1):
            report_figure(NAME, f"(2, 1) BFGS search wall time, {starts} starts, serial, with exact certificate",
                          bfgs["seconds"], "s", target=SECONDS_21, relation="<=")
    trace = traces(2, 1, starts)
    goal = trace["nelder-mead"][-1]
    need = {method: solves_to_reach(values, goal) for method, values in trace.items()}
    print(f"\n(2, 1): Nelder–Mead's best δ = {goal:.9f} after {len(trace['nelder-mead'])} solves; solves to reach it: "
          f"BFGS {need['bfgs']}, Nelder–Mead {need['nelder-mead']}")
    ratio = None if need["bfgs"] is None else need["nelder-mead"] / need["bfgs"]
    report_figure(NAME, "(2, 1): SDP solves to reach Nelder–Mead's best δ, Nelder–Mead ÷ BFGS", ratio, "×",
                  target=SOLVES_RATIO, baseline=f"Nelder–Mead, same {starts} starts, this process")
    if args.quick:
        report_figure(NAME, "atlas R = 3, S = 2 wall time", None, "s", target=ATLAS_SECONDS, relation="<=",
                      note="not run with --quick")
        return
    begin = time.perf_counter()
    atlas = run_atlas(AtlasParams(max_rank=3, max_true_rank=2),
                      run_cells=lambda cells: [run_cell(cell, workers=args.workers) for cell in cells])
    seconds = time.perf_counter() - begin
    print(f"\natlas R = 3, S = 2 on {args.workers} workers: {seconds:.1f} s")
    for cell in atlas.cells:
        row = atlas_row(cell)
        print(f"  ({row['rank']}, {row['true_rank']}) δ = {row['delta']:.9f}, exact δ' = {row['exact_certificate']['delta']} "
              f"({row['exact_certificate']['verified']}), {row['starts']} starts, {row['solves']} solves, "
              f"{row['seconds']:.1f} s: {row['verdict']}")
    report_figure(NAME, f"atlas R = 3, S = 2 wall time, default budget, {args.workers} workers", seconds, "s",
                  target=ATLAS_SECONDS, relation="<=", note=f"load average {os.getloadavg()[0]:.2f} at the end")
    report_figure(NAME, "atlas R = 3, S = 2: cells with a verified exact certificate",
                  sum(atlas_row(c)["exact_certificate"]["verified"] for c in atlas.cells), "", target=5, relation=">=")


if __name__ == "__main__":
    main()
