"""Benchmark: command-line start-up. Wall time of ``riptools --help`` and of every ``riptools COMMAND --help``.

Each command line runs in a fresh process, ``--runs`` times after one warm-up run (which also writes
the bytecode caches a normal installation has: ``PYTHONDONTWRITEBYTECODE`` is removed from the
children's environment); the median wall time, and the median CPU time (which estimates the wall
time on an idle machine), of the slowest command line are reported against issue 16's target of
0.5 s, beside each command line's own times in the table. Baselines, run
in this process the same way: ``python -c pass`` (the interpreter alone) and ``python -c "import
numpy"`` (what one scientific import costs).

Run: ``python benchmarks/bench_cli_startup.py [--runs 7]``.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

from figure_report import report_figure
from riptools.cli import build_parser
from riptools.commands._arguments import subparsers_of

NAME = "cli_startup"
TARGET_SECONDS = 0.5
"""Issue 16: ``riptools --help`` and every ``riptools COMMAND --help`` in under 0.5 s on the 2-core machine."""


def riptools_command() -> list[str]:
    """Returns the command that starts riptools: the installed console script, else ``python -m riptools``."""
    script = Path(sys.executable).with_name("riptools")
    return [str(script)] if script.is_file() else [sys.executable, "-m", "riptools"]


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def median_seconds(command: list[str], *, runs: int, env: dict[str, str]) -> tuple[float, float]:
    """Returns the median (wall, CPU) seconds of ``runs`` runs of ``command`` after one warm-up run.

    The CPU time (user + system of the child) estimates the wall time on an idle machine: a process
    that waits for a busy core accrues wall time but not CPU time.
    """
    subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    walls, cpus = [], []
    for _ in range(runs):
        start, cpu = time.perf_counter(), _children_cpu()
        subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        walls.append(time.perf_counter() - start)
        cpus.append(_children_cpu() - cpu)
    return statistics.median(walls), statistics.median(cpus)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="timed runs per command line (median reported)")
    args = parser.parse_args()
    env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores; median of {args.runs} runs")
    baselines = {
        "python -c pass": median_seconds([sys.executable, "-c", "pass"], runs=args.runs, env=env),
        "python -c 'import numpy'": median_seconds([sys.executable, "-c", "import numpy"], runs=args.runs, env=env),
    }
    baseline_text = ", ".join(f"{name} {wall:.3f} s wall, {cpu:.3f} s CPU" for name, (wall, cpu) in baselines.items())
    print(f"{'command line':<42} {'wall s':>7} {'CPU s':>7}")
    for name, (wall, cpu) in baselines.items():
        print(f"{name:<42} {wall:7.3f} {cpu:7.3f}   (baseline)")
    lines = [parser_.prog.split()[1:] for parser_ in subparsers_of(build_parser())]
    measured = {}
    for argv in lines:
        label = " ".join(["riptools", *argv, "--help"])
        measured[label] = median_seconds([*riptools_command(), *argv, "--help"], runs=args.runs, env=env)
        print(f"{label:<42} {measured[label][0]:7.3f} {measured[label][1]:7.3f}")
    slowest_wall = max(measured, key=lambda label: measured[label][0])
    slowest_cpu = max(measured, key=lambda label: measured[label][1])
    note = f"{len(measured)} command lines; baselines in the same run: {baseline_text}"
    report_figure(NAME, f"slowest --help, median wall time ({slowest_wall})", measured[slowest_wall][0], "s",
                  target=TARGET_SECONDS, relation="<=", note=note)
    report_figure(NAME, f"slowest --help, median CPU time ({slowest_cpu}; ≈ idle wall time)", measured[slowest_cpu][1], "s",
                  target=TARGET_SECONDS, relation="<=", note=note)
    report_figure(NAME, "riptools --help, median wall time", measured["riptools --help"][0], "s",
                  target=TARGET_SECONDS, relation="<=", note=note)
    report_figure(NAME, f"slowest --help ÷ python -c 'import numpy' (wall)",
                  measured[slowest_wall][0] / baselines["python -c 'import numpy'"][0], "×",
                  baseline="python -c 'import numpy', same run")


if __name__ == "__main__":
    main()
