"""Benchmark of exact completion (the learned-completion slides, Alkady 2025): batched ALS + Gauss–Newton against a per-instance loop.

Prints a table of wall times and ratios against the baseline (one :func:`complete` call per
instance, as a user without the batched path would write it), run in the same process, and the
fraction of instances recovered by each, so speed is never bought with accuracy (in the unified
table of ``run_all.py`` the batched path's fraction has the baseline's as its target).

Run: ``python benchmarks/bench_completion.py``
"""

from __future__ import annotations

import time

import numpy as np

from figure_report import report_figure
from riptools.completion.exact import complete, complete_batch
from riptools.completion.instances import masked_batch
from riptools.completion.network import masked_relative_errors

CASES = [(4, 2, 3, 40), (6, 2, 15, 20)]
NAME = "completion"
RECOVERED_TOL = 1e-6
"""Relative error on the masked entries below which an instance counts as recovered."""


def main() -> None:
    print(f"{'case':>16} | {'method':>34} | {'seconds':>8} | {'ratio':>6} | recovered")
    for n, rank, n_masked, count in CASES:
        batch = masked_batch(n, rank, n_masked, count, seed=0)
        values = np.where(batch.masks, batch.matrices, 0.0)
        start = time.perf_counter()
        looped = np.array([complete(np.where(m, v, np.nan), rank, seed=0).matrix for v, m in zip(values, batch.masks)])
        baseline = time.perf_counter() - start
        start = time.perf_counter()
        batched, _ = complete_batch(values, batch.masks, rank, seed=0)
        candidate = time.perf_counter() - start
        recovered = {}
        for name, seconds, result in [("complete() per instance (baseline)", baseline, looped), ("complete_batch()", candidate, batched)]:
            recovered[name] = np.mean(masked_relative_errors(result, batch.matrices, batch.masks) < RECOVERED_TOL)
            print(f"{f'n={n} r={rank} m={n_masked}':>16} | {name:>34} | {seconds:8.2f} | {baseline / seconds:6.1f} | {recovered[name]:.0%}")
        case = f"n={n} r={rank} masked={n_masked} ×{count}"
        per_instance = "complete() per instance, same instances, this process"
        report_figure(NAME, f"{case}: complete_batch() ÷ per instance", baseline / candidate, "×", baseline=per_instance)
        report_figure(NAME, f"{case}: recovered by complete_batch()", 100 * recovered["complete_batch()"], "%",
                      target=100 * recovered["complete() per instance (baseline)"], baseline=per_instance,
                      note="target: the per-instance path's fraction (speed not bought with accuracy)")


if __name__ == "__main__":
    main()
