"""Benchmark of the counterexample SDP: the reduced formulation against n, and reduced vs full.

Run: ``python benchmarks/bench_counterexample.py [--repeats 3]``. Prints two tables:

1. δ* with the reduced formulation for n = 10, 100, 1000 (rank 1) and n = 200 (rank 3): cold time
   (first solve of a shape compiles the DPP problem), warm median, and the ratio of the warm time to
   the n = 10 baseline of the same rank run in this process (target: no material growth; < 0.5 s at
   n = 1000). The block certificate's time is shown beside it.
2. reduced vs full for n = 2…10 (rank 1): both values, their difference (target ≤ 1e-6) and the
   time ratio full/reduced.
3. the cost of the gradient (``gradient=True``: tighter Clarabel tolerances plus the envelope formula)
   against a plain solve of the same (X, Z), for (r, r★) = (1, 1), (2, 1), (2, 2), (3, 2), n = r + r★.
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

from figure_report import report_figure
from riptools.certify import certify_result
from riptools.counterexample import counterexample_sdp

VALUE_TOL = 1e-6
WARM_TARGET = 0.5
"""Seconds for the warm reduced solve at n = 1000, rank 1 (issue 3)."""
NAME = "counterexample"


def _pair(n: int, r: int, true_rank: int, seed: int = 0):
    rng = np.random.default_rng([seed, n, r])
    return rng.standard_normal((n, r)), rng.standard_normal((n, true_rank))


def _timed(function):
    start = time.perf_counter()
    value = function()
    return value, time.perf_counter() - start


def scaling_table(repeats: int) -> list[dict]:
    """Returns rows {n, r, cold, warm, ratio, delta, certify} for the reduced formulation."""
    rows, baseline = [], {}
    for n, r in [(10, 1), (100, 1), (1000, 1), (10, 3), (200, 3)]:
        x, z = _pair(n, r, r)
        result, cold = _timed(lambda: counterexample_sdp(x, z))
        warm = statistics.median(_timed(lambda: counterexample_sdp(x, z))[1] for _ in range(repeats))
        baseline.setdefault(r, warm)
        certificate, certify_seconds = _timed(lambda: certify_result(result))
        rows.append({"n": n, "r": r, "cold": cold, "warm": warm, "ratio": warm / baseline[r], "delta": result.delta,
                     "accurate": result.solve.accurate, "certified": certificate.certified, "certify": certify_seconds})
    return rows


def reduced_vs_full(repeats: int) -> list[dict]:
    """Returns rows {n, reduced, full, difference, t_reduced, t_full, ratio} for rank 1, n = 2…10."""
    rows = []
    for n in range(2, 11):
        x, z = _pair(n, 1, 1, seed=1)
        counterexample_sdp(x, z, formulation="full")  # compile once; time the warm solves
        reduced = counterexample_sdp(x, z)
        full = counterexample_sdp(x, z, formulation="full")
        t_reduced = statistics.median(_timed(lambda: counterexample_sdp(x, z))[1] for _ in range(repeats))
        t_full = statistics.median(_timed(lambda: counterexample_sdp(x, z, formulation="full"))[1] for _ in range(repeats))
        rows.append({"n": n, "reduced": reduced.delta, "full": full.delta, "difference": abs(reduced.delta - full.delta),
                     "t_reduced": t_reduced, "t_full": t_full, "ratio": t_full / t_reduced})
    return rows


def gradient_cost(repeats: int) -> list[dict]:
    """Returns rows {r, true_rank, plain, gradient, ratio}: warm median times of a solve without and with ∇δ*."""
    rows = []
    for r, true_rank in [(1, 1), (2, 1), (2, 2), (3, 2)]:
        x, z = _pair(r + true_rank, r, true_rank, seed=2)
        x = 0.6 * x  # nearer the interesting region than δ* ≈ 1
        counterexample_sdp(x, z, gradient=True)  # compile the shape once
        plain = statistics.median(_timed(lambda: counterexample_sdp(x, z))[1] for _ in range(repeats))
        with_gradient = statistics.median(_timed(lambda: counterexample_sdp(x, z, gradient=True))[1] for _ in range(repeats))
        rows.append({"r": r, "true_rank": true_rank, "plain": plain, "gradient": with_gradient, "ratio": with_gradient / plain})
    return rows


def main() -> None:
    """Runs both tables and prints them."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    print("reduced formulation (r = r★); ratio = warm time / warm time at n = 10 of the same rank")
    print(f"{'n':>6} {'r':>3} {'cold s':>8} {'warm s':>8} {'ratio':>7} {'δ*':>12} {'accurate':>9} {'certify s':>10} {'certified':>9}")
    scaling = scaling_table(args.repeats)
    for row in scaling:
        print(f"{row['n']:>6} {row['r']:>3} {row['cold']:>8.3f} {row['warm']:>8.3f} {row['ratio']:>7.2f} {row['delta']:>12.9f} "
              f"{row['accurate']!s:>9} {row['certify']:>10.4f} {row['certified']!s:>9}")
    print()
    print(f"reduced vs full (rank 1); target |difference| ≤ {VALUE_TOL:g}; ratio = full time / reduced time")
    print(f"{'n':>4} {'reduced δ*':>13} {'full δ*':>13} {'|diff|':>9} {'t_red s':>8} {'t_full s':>9} {'ratio':>7}")
    versus = reduced_vs_full(args.repeats)
    for row in versus:
        flag = "" if row["difference"] <= VALUE_TOL else "  <-- exceeds tolerance"
        print(f"{row['n']:>4} {row['reduced']:>13.9f} {row['full']:>13.9f} {row['difference']:>9.1e} {row['t_reduced']:>8.4f} "
              f"{row['t_full']:>9.4f} {row['ratio']:>7.1f}{flag}")
    _report(scaling, versus, args.repeats)
    print()
    print("cost of the gradient: warm median solve time without and with gradient=True (n = r + r★)")
    print(f"{'r':>3} {'r★':>3} {'plain s':>9} {'gradient s':>11} {'ratio':>7}")
    for row in gradient_cost(args.repeats):
        print(f"{row['r']:>3} {row['true_rank']:>3} {row['plain']:>9.4f} {row['gradient']:>11.4f} {row['ratio']:>7.2f}")
        report_figure(NAME, f"solve with ∇δ* ÷ plain solve, r = {row['r']}, r★ = {row['true_rank']}", row["ratio"], "×",
                      baseline="plain solve of the same (X, Z), this process", note="tighter tolerances (1e-12) + envelope formula")


def _report(scaling: list[dict], versus: list[dict], repeats: int) -> None:
    """Prints the figure lines of issue 3's targets from the two tables' rows."""
    warm = f"warm median of {repeats}"
    for row in scaling:
        if row["n"] == 1000 and row["r"] == 1:
            report_figure(NAME, f"reduced δ* at n = 1000, r = 1, {warm}", row["warm"], "s", target=WARM_TARGET, relation="<=")
        if row["n"] > 10:
            report_figure(NAME, f"reduced δ* at n = {row['n']}, r = {row['r']} ÷ n = 10", row["ratio"], "×",
                          baseline=f"reduced δ* at n = 10, r = {row['r']}, this process",
                          note="target: no material growth with n")
    report_figure(NAME, f"max |reduced − full| δ*, n = {versus[0]['n']}…{versus[-1]['n']}",
                  max(row["difference"] for row in versus), "", target=VALUE_TOL, relation="<=")
    report_figure(NAME, f"full ÷ reduced time at n = {versus[-1]['n']}, r = 1", versus[-1]["ratio"], "×",
                  baseline="reduced formulation, same (X, Z), this process")


if __name__ == "__main__":
    main()
