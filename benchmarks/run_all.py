"""Runs every benchmark script in this folder and prints one summary table, then each script's table.

Each ``bench_*.py`` prints its own figures (throughputs and ratios against a baseline run in the
same process); this runner collects them in one place with the exit status and wall time of each.
Run: ``python benchmarks/run_all.py [--timeout SECONDS]``.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--timeout", type=float, default=1800, help="per-script time limit in seconds")
    args = parser.parse_args()
    scripts = sorted(Path(__file__).parent.glob("bench_*.py"))
    outputs, rows = {}, []
    for script in scripts:
        start = time.perf_counter()
        try:
            done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=args.timeout)
            status, text = ("ok" if done.returncode == 0 else f"exit {done.returncode}"), done.stdout + done.stderr[-2000:]
        except subprocess.TimeoutExpired:
            status, text = "timeout", ""
        rows.append((script.name, status, time.perf_counter() - start))
        outputs[script.name] = text
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    print(f"{'benchmark':<28} {'status':<10} {'seconds':>8}")
    for name, status, seconds in rows:
        print(f"{name:<28} {status:<10} {seconds:>8.1f}")
    for name, text in outputs.items():
        print(f"\n=== {name} ===\n{text.rstrip()}")


if __name__ == "__main__":
    main()
