"""Runs every benchmark script in this folder and prints one table of the figures the issues asked for.

Each ``bench_*.py`` runs in its own process (numba thread settings, caches and memory must not leak
from one benchmark into the next), prints its own table, and prints one ``#figure {json}`` line per
figure its issue asks for (``figure_report.py``): a throughput, a ratio against a baseline run in the
same process, a wall time or a memory size, with the issue's target. This runner collects those
lines and prints one table — benchmark, figure, measured, target, met? — under a table of each
script's status and wall time; a script that fails or times out is shown as such, with the last line
of its error output, never a traceback.

Run: ``python benchmarks/run_all.py [--only NAME ...] [--quick] [--timeout SECONDS] [--verbose]``.
``--quick`` passes each script its smallest arguments (a smoke run of the whole pipeline: throughputs
are indicative, and the fixed-size wall-time targets are not applied); ``--verbose`` prints each
script's own output after the table. ``bench_divergence.py`` measures the seed's JAX code as its
baseline when jax is importable (``pip install riptools[jax]``). The machine's load (``uptime``) is
printed before and after: on a shared machine the ratios (baseline run in the same process) and the
CPU-time rates count, not the wall times.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from figure_report import NOT_APPLICABLE, Figure, parse_figure_line, uptime

HERE = Path(__file__).resolve().parent
QUICK_ARGS = {
    "atlas": ["--quick"],
    "basin": ["--steps", "200", "--numpy-steps", "5", "--sweep-trials", "20", "--study-trials", "2000"],
    "cli_startup": ["--runs", "3"],
    "claims": ["--budget", "20"],
    "counterexample": ["--repeats", "1"],
    "divergence": ["--iters", "1e6", "--e2e-repeats", "1"],
    "rip": ["--sizes", "10", "30"],
    "scaledsgd": ["--steps", "20000"],
}
"""Each script's smallest arguments, for ``--quick`` (scripts not listed have none)."""
SCRIPT_ENV = {"scaledsgd": {"NUMBA_NUM_THREADS": "1"}}
"""Environment a script's docstring asks for: ScaledSGD's rates are one core's."""
STDERR_TAIL = 2000
REASON_WIDTH = 100
"""Characters of a failure reason shown in the scripts table (the figures table notes it whole)."""


@dataclass
class ScriptRun:
    """What one benchmark script produced: its status, wall time, output and parsed figures."""

    name: str
    status: str
    seconds: float
    stdout: str = ""
    stderr: str = ""
    figures: list[Figure] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    def reason(self) -> str:
        """Returns why the script failed (the last line of its error output), or "" when it did not."""
        if self.ok:
            return ""
        lines = [line.strip() for line in self.stderr.splitlines() if line.strip()]
        return lines[-1] if lines else "no error output"


def script_name(path: Path) -> str:
    """Returns the short name of a benchmark script: ``basin`` for ``bench_basin.py``."""
    return path.stem.removeprefix("bench_")


def select_scripts(available: list[str], only: list[str] | None) -> list[str]:
    """Returns the scripts to run: all of ``available``, or those ``only`` names (short or file names)."""
    if not only:
        return list(available)
    wanted = [script_name(Path(name)) for name in only]
    unknown = [name for name in wanted if name not in available]
    if unknown:
        raise ValueError(f"--only: unknown benchmark(s) {', '.join(unknown)}; expected some of {', '.join(available)}")
    return [name for name in available if name in wanted]


def collect(name: str, status: str, seconds: float, stdout: str, stderr: str) -> ScriptRun:
    """Returns the ScriptRun of a finished (or stopped) script, its figure lines parsed from ``stdout``."""
    figures = [figure for figure in map(parse_figure_line, stdout.splitlines()) if figure is not None]
    return ScriptRun(name, status, seconds, stdout, stderr, figures)


def _text(output: str | bytes | None) -> str:
    return output.decode(errors="replace") if isinstance(output, bytes) else output or ""


def run_script(name: str, command: list[str], *, timeout: float, env: dict[str, str]) -> ScriptRun:
    """Returns the ScriptRun of ``command`` run in a child process, stopped after ``timeout`` seconds."""
    start = time.perf_counter()
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, env=env, cwd=HERE.parent)
        status, stdout, stderr = ("ok" if done.returncode == 0 else f"exit {done.returncode}"), done.stdout, done.stderr
    except subprocess.TimeoutExpired as stopped:  # the figures printed before the stop are kept
        status, stdout = "timeout", _text(stopped.stdout)
        stderr = _text(stopped.stderr) + f"\nno result within {timeout:g} s"
    return collect(name, status, time.perf_counter() - start, stdout, stderr)


def format_quantity(value: float | None, unit: str) -> str:
    """Returns ``value`` with three significant digits and its unit (``13.9×``, ``1.23e+08 trial-steps/s``)."""
    if value is None:
        return "not measured"
    number = f"{value:.3g}"
    if unit in ("×", "%"):
        return number + unit
    return f"{number} {unit}".rstrip()


def format_target(figure: Figure) -> str:
    """Returns the target as ``≥ 20×`` or ``≤ 10 s``, or ``–`` when the issue sets none."""
    if figure.target is None:
        return NOT_APPLICABLE
    return ("≥ " if figure.relation == ">=" else "≤ ") + format_quantity(figure.target, figure.unit)


def _columns(rows: list[list[str]]) -> list[str]:
    """Returns ``rows`` as aligned text lines (the first row is the header, underlined)."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip() for row in rows]
    return [lines[0], "  ".join("-" * width for width in widths)] + lines[1:]


def scripts_table(runs: list[ScriptRun]) -> str:
    """Returns the table of each script's status, wall time and figure count, with why a script failed."""
    rows = [["script", "status", "seconds", "figures", "reason"]]
    rows += [[f"bench_{run.name}.py", run.status, f"{run.seconds:.1f}", str(len(run.figures)), run.reason()[:REASON_WIDTH]] for run in runs]
    return "\n".join(_columns(rows))


def figures_table(runs: list[ScriptRun]) -> str:
    """Returns the unified table: benchmark, figure, measured, target, met?, with numbered notes below.

    A baseline or a note becomes a footnote ``[k]`` after the figure's name (equal texts share one
    number), so the table stays narrow. A script that did not finish gets a row saying so.
    """
    rows = [["benchmark", "figure", "measured", "target", "met?"]]
    notes: dict[str, int] = {}

    def marks(*texts: str | None) -> str:
        numbers = [notes.setdefault(text, len(notes) + 1) for text in texts if text]
        return "".join(f" [{number}]" for number in numbers)

    for run in runs:
        for figure in run.figures:
            baseline = f"vs {figure.baseline}" if figure.baseline else None
            rows.append([run.name, figure.figure + marks(baseline, figure.note), format_quantity(figure.value, figure.unit),
                         format_target(figure), figure.met()])
        if not run.ok:
            rows.append([run.name, f"script did not finish{marks(run.reason())}", run.status, NOT_APPLICABLE, NOT_APPLICABLE])
    lines = _columns(rows)
    judged = [figure.met() for run in runs for figure in run.figures if figure.met() != NOT_APPLICABLE]
    lines.append(f"targets met: {judged.count('yes')} of {len(judged)} judged")
    lines += [f"[{number}] {text}" for text, number in notes.items()]
    return "\n".join(lines)


def _command(name: str, *, quick: bool) -> tuple[list[str], dict[str, str]]:
    """Returns the command line and environment of benchmark ``name``."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1", **SCRIPT_ENV.get(name, {})}
    return [sys.executable, str(HERE / f"bench_{name}.py"), *(QUICK_ARGS.get(name, []) if quick else [])], env


def main(argv: list[str] | None = None) -> int:
    """Runs the selected benchmarks and prints the tables; returns 1 when a script failed, else 0."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="+", metavar="NAME", help="run only these benchmarks (e.g. basin rip)")
    parser.add_argument("--quick", action="store_true", help="pass each script its smallest arguments (smoke run)")
    parser.add_argument("--timeout", type=float, default=1800, help="per-script time limit in seconds")
    parser.add_argument("--verbose", action="store_true", help="print each script's own output after the table")
    args = parser.parse_args(argv)
    available = [script_name(path) for path in sorted(HERE.glob("bench_*.py"))]
    try:
        selected = select_scripts(available, args.only)
    except ValueError as error:
        parser.error(str(error))
    before = uptime()
    runs = []
    for name in selected:
        command, env = _command(name, quick=args.quick)
        print(f"running bench_{name}.py ...", file=sys.stderr, flush=True)
        runs.append(run_script(name, command, timeout=args.timeout, env=env))
    print(f"uptime before: {before}\nuptime after:  {uptime()}\n{os.cpu_count()} cores"
          + ("; --quick: reduced sizes, throughputs indicative only" if args.quick else ""))
    print(scripts_table(runs))
    print()
    print(figures_table(runs))
    if args.verbose:
        for run in runs:
            own = "\n".join(line for line in run.stdout.splitlines() if parse_figure_line(line) is None)
            print(f"\n=== bench_{run.name}.py ({run.status}) ===\n{own.rstrip()}")
            if run.stderr.strip():
                print(f"--- stderr (last {STDERR_TAIL} characters) ---\n{run.stderr[-STDERR_TAIL:].rstrip()}")
    return 0 if all(run.ok for run in runs) else 1


if __name__ == "__main__":
    sys.exit(main())
