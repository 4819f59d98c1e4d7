"""The machine-readable figure lines every ``bench_*.py`` prints beside its own table.

A benchmark calls :func:`report_figure` once per figure its issue asks for (a throughput, a ratio
against a baseline run in the same process, a wall time, a memory size). Each call prints one line
``#figure {json}``; ``run_all.py`` collects those lines from every script's stdout and prints one
table of measured values beside their targets. The line format is defined here once, for both
directions (:func:`figure_line` writes it, :func:`parse_figure_line` reads it back).
"""

from __future__ import annotations

import json
import math
import os
import subprocess
from dataclasses import asdict, dataclass

PREFIX = "#figure "
RELATIONS = (">=", "<=")
NOT_APPLICABLE = "–"


@dataclass(frozen=True)
class Figure:
    """One measured figure of a benchmark and the target its issue sets for it.

    Attributes:
        benchmark: short name of the benchmark script (``basin`` for ``bench_basin.py``).
        figure: what was measured, e.g. ``numba 2 threads ÷ NumPy (CPU)``.
        value: the measurement, or None when it could not be measured (the reason in ``note``).
        unit: its unit (``×`` for ratios, ``s``, ``MB``, ``trial-steps/s`` …).
        target: the issue's target in the same unit, or None when the issue sets none.
        relation: ``>=`` (the value must reach the target) or ``<=`` (stay under it).
        baseline: for a ratio, what the denominator is (always run in the same process).
        note: anything needed to read the value (reduced sizes, an estimate, a missing baseline).
    """

    benchmark: str
    figure: str
    value: float | None
    unit: str
    target: float | None = None
    relation: str = ">="
    baseline: str | None = None
    note: str | None = None

    def __post_init__(self):
        if self.relation not in RELATIONS:
            raise ValueError(f"relation must be one of {RELATIONS}, got {self.relation!r}")

    def met(self) -> str:
        """Returns ``yes``/``no`` against the target, or ``–`` without a target or a measured value."""
        if self.target is None or self.value is None or math.isnan(self.value):
            return NOT_APPLICABLE
        reached = self.value >= self.target if self.relation == ">=" else self.value <= self.target
        return "yes" if reached else "no"


def figure_line(figure: Figure) -> str:
    """Returns the one-line ``#figure {json}`` form of ``figure`` (compact JSON, non-ASCII kept)."""
    return PREFIX + json.dumps(asdict(figure), ensure_ascii=False, separators=(",", ":"))


def parse_figure_line(line: str) -> Figure | None:
    """Returns the Figure encoded in ``line``, or None when the line is not a figure line."""
    if not line.startswith(PREFIX):
        return None
    fields = json.loads(line[len(PREFIX):])
    fields["value"] = None if fields["value"] is None else float(fields["value"])
    fields["target"] = None if fields["target"] is None else float(fields["target"])
    return Figure(**fields)


def report_figure(benchmark: str, figure: str, value: float | None, unit: str, *, target: float | None = None,
                  relation: str = ">=", baseline: str | None = None, note: str | None = None) -> Figure:
    """Returns the Figure after printing its ``#figure`` line on stdout (flushed, so a timeout keeps it)."""
    result = Figure(benchmark, figure, None if value is None else float(value), unit,
                    None if target is None else float(target), relation, baseline, note)
    print(figure_line(result), flush=True)
    return result


def uptime() -> str:
    """Returns the output of ``uptime`` (the load of a shared machine, printed beside measurements)."""
    try:
        return subprocess.run(["uptime"], capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "load average: " + ", ".join(f"{load:.2f}" for load in os.getloadavg())
