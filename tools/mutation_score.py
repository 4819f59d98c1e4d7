"""Mutation score of the certifying core: runs mutmut on the functions that decide verdicts and prints the score.

Usage (from the repository root; mutmut ≥ 3.8 reads its configuration from pyproject.toml [tool.mutmut]):

    python tools/mutation_score.py                     # every module below, one after the other
    python tools/mutation_score.py certify rip         # some modules
    python tools/mutation_score.py --report-only       # the score of the last runs, without running
    python tools/mutation_score.py --unfinished rip    # only the mutants the last runs did not kill (resume, re-check)

Each module's certifying functions are mutated (every other function of the file is left alone) and
each mutant is tested by the focused test selection in pyproject.toml (only the tests that call the
mutated function run, stopping at the first failure). The score is killed / (killed + survived +
timeouts + mutants no test reaches), per module and overall; the script exits 1 when it is below
MIN_SCORE or when a surviving mutant is not listed, with its reason, in tests/mutation_survivors.md.
Mutation runs are CPU-heavy (about 5 s per mutant on 2 cores): ``--max-children`` sets the workers.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MIN_SCORE = 0.90
"""The issue's floor: at least 90 % of the mutants killed."""
SURVIVORS_FILE = ROOT / "tests" / "mutation_survivors.md"
"""Every surviving mutant is listed here with why it survives (equivalent, or accepted)."""

CORE = {
    "certify": ("riptools/certify.py", ["_residual_norm", "_scales", "_kind", "_describe", "_assemble", "certify_operator",
                                        "exact_psd", "_sign", "psd_by_rounding"]),
    "rip": ("riptools/rip.py", ["delta_as_given", "delta_rescaled", "sdp_rayleigh_bound", "rip_constant"]),
    "counterexample": ("riptools/counterexample.py", ["gradient_from_kernel", "hessian_from_kernel", "_min_eig", "lift_kernel",
                                                      "_dual_check", "rank1_delta_lower_bound_polar"]),
    "engine": ("riptools/claims/engine.py", ["normalised_margin", "verify", "_high_precision_margin", "_adjudicate"]),
}
"""Per module: its file and the functions that decide a certificate, a bound or a verdict."""

STATUS = {1: "killed", 3: "killed", 0: "survived", 33: "no tests", 5: "no tests", 36: "timeout", 24: "timeout",
          -24: "timeout", 152: "timeout", 255: "timeout", 34: "skipped", None: "not run"}
SINGLE_THREADED = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "NUMBA_NUM_THREADS": "1"}
"""The machine is shared: each mutmut worker uses one core."""


def _module_name(path: str) -> str:
    return path.removesuffix(".py").replace("/", ".")


def patterns(module: str) -> list[str]:
    """Returns mutmut's mutant-name globs for a module's certifying functions."""
    path, functions = CORE[module]
    return [f"{_module_name(path)}.x_{function}__mutmut_*" for function in functions]


def results(module: str) -> dict[str, str]:
    """Returns {mutant name: status} of a module's certifying mutants from mutmut's last run."""
    path, functions = CORE[module]
    meta = ROOT / "mutants" / (path + ".meta")
    if not meta.exists():
        return {}
    codes = json.loads(meta.read_text())["exit_code_by_key"]
    prefixes = tuple(f"{_module_name(path)}.x_{function}__mutmut_" for function in functions)
    return {name: STATUS.get(code, "suspicious") for name, code in codes.items() if name.startswith(prefixes)}


def listed_survivors() -> set[str]:
    """Returns the mutant names explained in SURVIVORS_FILE (lines starting with ``- `name```)."""
    if not SURVIVORS_FILE.exists():
        return set()
    return set(re.findall(r"^- `([^`]+)`", SURVIVORS_FILE.read_text(), flags=re.MULTILINE))


def run(module: str, max_children: int, *, unfinished: bool = False) -> int:
    """Runs mutmut on one module's certifying functions (with ``unfinished``, only those not yet killed); returns its exit code."""
    env = {**os.environ, **SINGLE_THREADED}
    names = patterns(module)
    if unfinished and results(module):
        names = sorted(name for name, status in results(module).items() if status != "killed")
        if not names:
            return 0
    command = ["mutmut", "run", "--max-children", str(max_children), *names]
    print("$", " ".join(command[:6]), f"... ({len(names)} names)" if len(names) > 2 else "", flush=True)
    return subprocess.run(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL).returncode


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("modules", nargs="*", metavar="MODULE", help=f"modules to run (default: all of {', '.join(CORE)})")
    parser.add_argument("--max-children", type=int, default=2, help="parallel mutmut workers (default: 2)")
    parser.add_argument("--report-only", action="store_true", help="report the last runs' results without running")
    parser.add_argument("--unfinished", action="store_true",
                        help="run only the mutants not killed by the last runs (after adding tests, or to resume)")
    args = parser.parse_args(argv)
    unknown = [module for module in args.modules if module not in CORE]
    if unknown:
        parser.error(f"MODULE: unknown {', '.join(unknown)}; expected some of {', '.join(CORE)}")
    if args.max_children < 1:
        parser.error(f"--max-children: expected an integer ≥ 1, got {args.max_children}")
    modules = args.modules or list(CORE)
    if not args.report_only:
        for module in modules:
            run(module, args.max_children, unfinished=args.unfinished)
    explained = listed_survivors()
    total, unexplained = Counter(), []
    print(f"{'module':<16}{'mutants':>8}{'killed':>8}{'survived':>10}{'timeout':>9}{'no tests':>10}{'score':>8}")
    for module in modules:
        statuses = results(module)
        counts = Counter(statuses.values())
        total += counts
        tested = len(statuses) - counts["skipped"] - counts["not run"]
        score = counts["killed"] / tested if tested else float("nan")
        print(f"{module:<16}{len(statuses):>8}{counts['killed']:>8}{counts['survived']:>10}{counts['timeout']:>9}"
              f"{counts['no tests']:>10}{score:>8.1%}")
        unexplained += sorted(name for name, status in statuses.items() if status != "killed" and status != "not run"
                              and name not in explained)
    tested = sum(total.values()) - total["skipped"] - total["not run"]
    score = total["killed"] / tested if tested else float("nan")
    print(f"{'all':<16}{sum(total.values()):>8}{total['killed']:>8}{total['survived']:>10}{total['timeout']:>9}"
          f"{total['no tests']:>10}{score:>8.1%}")
    if total["not run"]:
        print(f"{total['not run']} mutants not run yet")
    if unexplained:
        print(f"{len(unexplained)} escaped mutants not explained in {SURVIVORS_FILE.relative_to(ROOT)}:")
        print("\n".join(f"  {name}" for name in unexplained))
    return 0 if score >= MIN_SCORE and not unexplained else 1


if __name__ == "__main__":
    sys.exit(main())
