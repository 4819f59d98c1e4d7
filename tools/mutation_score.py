"""Mutation score of the certifying core: runs mutmut on the functions that decide verdicts and prints the score.

Usage (from the repository root; mutmut ≥ 3.8 reads its configuration from pyproject.toml [tool.mutmut]):

    python tools/mutation_score.py                     # every module below, one after the other
    python tools/mutation_score.py certify rip         # some modules
    python tools/mutation_score.py --report-only       # the score of the last runs, without running
    python tools/mutation_score.py --unfinished rip    # only the mutants the last runs did not kill (re-check them)
    python tools/mutation_score.py --sample 60 engine  # 60 mutants drawn at random: an estimate in a few minutes

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
import random
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

from riptools.statistics import wilson_interval

ROOT = Path(__file__).resolve().parents[1]
MIN_SCORE = 0.90
"""The issue's floor: at least 90 % of the mutants killed."""
SURVIVORS_FILE = ROOT / "tests" / "mutation_survivors.md"
"""Every surviving mutant is listed here with why it survives (equivalent, or accepted)."""

CORE = {
    "certify": {"riptools/certify.py": ["_residual_norm", "_scales", "_describe", "_assemble", "certify_operator",
                                        "exact_psd", "_sign", "psd_by_rounding"],
                "riptools/objective.py": ["critical_point_kind"]},
    "rip": {"riptools/rip.py": ["delta_as_given", "delta_rescaled", "sdp_rayleigh_bound", "rip_constant"]},
    "counterexample": {"riptools/counterexample.py": ["gradient_from_kernel", "_min_eig", "lift_kernel", "_stationarity",
                                                      "_symmetrised_rows", "same_point", "_dual_check", "_raw_gradient_map",
                                                      "_envelope_gradient", "rank1_delta_lower_bound_polar"]},
    "engine": {"riptools/claims/engine.py": ["normalised_margin", "verify", "_high_precision_margin", "_adjudicate"]},
    "verdicts": {"riptools/sources/sharp_rip_slides.py": ["_covering_step_sizes"],
                 "riptools/sources/_sharp_rip.py": ["local_minimum_verdict"],
                 "riptools/sources/zjsl_neurips2018.py": ["conjecture_verdict"],
                 "riptools/sources/sharp_thresholds.py": ["row_verdict"],
                 "riptools/sources/scaledsgd.py": ["rate_verdict", "slowdown_verdict", "same_rate_verdict",
                                                   "coherence_verdict", "footnote_verdict", "np_max_verdict",
                                                   "sample_ratio_verdict"],
                 "riptools/sources/subgradient_notebook.py": ["keys_verdict", "criterion_verdict", "probability_verdict"],
                 "riptools/sources/learned_completion.py": ["variance_verdict", "density_verdict",
                                                            "degrees_of_freedom_verdict", "within_one_sigma_verdict",
                                                            "worked_example_verdict", "mask_condition_verdict",
                                                            "prediction_verdict"],
                 "riptools/protocols/divergence.py": ["fit_growth_exponent", "classify_run"]},
}
"""Per module: its files and, in each, the functions that decide a certificate, a bound or a verdict."""

STATUS = {1: "killed", 3: "killed", 0: "survived", 33: "no tests", 5: "no tests", 36: "timeout", 24: "timeout",
          -24: "timeout", 152: "timeout", 255: "timeout", 34: "skipped", None: "not run"}
SINGLE_THREADED = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "NUMBA_NUM_THREADS": "1"}
"""The machine is shared: each mutmut worker uses one core."""


def _module_name(path: str) -> str:
    return path.removesuffix(".py").replace("/", ".")


def patterns(module: str) -> list[str]:
    """Returns mutmut's mutant-name globs for a module's certifying functions."""
    return [f"{_module_name(path)}.x_{function}__mutmut_*" for path, functions in CORE[module].items() for function in functions]


def results(module: str) -> dict[str, str]:
    """Returns {mutant name: status} of a module's certifying mutants from mutmut's last run."""
    statuses = {}
    for path, functions in CORE[module].items():
        meta = ROOT / "mutants" / (path + ".meta")
        if meta.exists():
            codes = json.loads(meta.read_text())["exit_code_by_key"]
            prefixes = tuple(f"{_module_name(path)}.x_{function}__mutmut_" for function in functions)
            statuses.update({name: STATUS.get(code, "suspicious") for name, code in codes.items() if name.startswith(prefixes)})
    return statuses


def listed_survivors() -> set[str]:
    """Returns the mutant names explained in SURVIVORS_FILE (lines starting with ``- `name```)."""
    if not SURVIVORS_FILE.exists():
        return set()
    return set(re.findall(r"^- `([^`]+)`", SURVIVORS_FILE.read_text(), flags=re.MULTILINE))


def selected(module: str, *, unfinished: bool = False, sample: int | None = None) -> list[str]:
    """Returns the mutant names (or globs) to run for a module.

    All its certifying functions' mutants by default. With ``unfinished``, those the last runs tested
    and did not kill; with ``sample``, that many drawn at random (seed 0); with both, the union. The
    mutants exist once a first run has generated them.
    """
    known = results(module)
    if not known or not (unfinished or sample):
        return patterns(module)
    names = set()
    if unfinished:
        names |= {name for name, status in known.items() if status not in ("killed", "not run")}
    if sample is not None:
        names |= set(random.Random(0).sample(sorted(known), min(sample, len(known))))
    return sorted(names)


def run(names: list[str], max_children: int) -> int:
    """Runs mutmut once on the given mutant names (one stats pass and one clean run for all); returns its exit code."""
    if not names:
        return 0
    for path in (path for files in CORE.values() for path in files):
        copy = ROOT / "mutants" / path
        if copy.exists() and not copy.with_name(copy.name + ".meta").exists():
            # mutmut copied it unmutated before it was listed, and keeps a copy newer than its source as it is
            copy.unlink()
    env = {**os.environ, **SINGLE_THREADED}
    command = ["mutmut", "run", "--max-children", str(max_children), *names]
    print("$", " ".join(command[:4]), f"... ({len(names)} mutant names or globs)", flush=True)
    return subprocess.run(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL).returncode


def _estimate(killed: int, tested: int, not_run: int) -> str:
    """Returns, when some mutants were not run, the score's 95 % Wilson interval as an estimate from those that were."""
    if not not_run or not tested:
        return ""
    low, high = wilson_interval(killed, tested)
    return f"   (estimate from {tested} run, {not_run} not: 95 % interval [{low:.1%}, {high:.1%}])"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("modules", nargs="*", metavar="MODULE", help=f"modules to run (default: all of {', '.join(CORE)})")
    parser.add_argument("--max-children", type=int, default=2, help="parallel mutmut workers (default: 2)")
    parser.add_argument("--report-only", action="store_true", help="report the last runs' results without running")
    parser.add_argument("--unfinished", action="store_true",
                        help="run the mutants the last runs tested and did not kill (after adding tests)")
    parser.add_argument("--sample", type=int, help="run N mutants per module drawn at random (seed 0), for a quick estimate")
    args = parser.parse_args(argv)
    unknown = [module for module in args.modules if module not in CORE]
    if unknown:
        parser.error(f"MODULE: unknown {', '.join(unknown)}; expected some of {', '.join(CORE)}")
    if args.max_children < 1:
        parser.error(f"--max-children: expected an integer ≥ 1, got {args.max_children}")
    if args.sample is not None and args.sample < 1:
        parser.error(f"--sample: expected an integer ≥ 1, got {args.sample}")
    modules = args.modules or list(CORE)
    if not args.report_only:
        run([name for module in modules for name in selected(module, unfinished=args.unfinished, sample=args.sample)],
            args.max_children)
    explained = listed_survivors()
    total, unexplained = Counter(), []
    print(f"{'module':<16}{'mutants':>8}{'killed':>8}{'survived':>10}{'timeout':>9}{'no tests':>10}{'score':>8}")
    for module in modules:
        statuses = results(module)
        counts = Counter(statuses.values())
        total += counts
        _print_row(module, counts)
        unexplained += sorted(name for name, status in statuses.items() if status != "killed" and status != "not run"
                              and name not in explained)
    score = _print_row("all", total)
    if total["not run"]:
        print(f"{total['not run']} mutants not run yet")
    if unexplained:
        print(f"{len(unexplained)} escaped mutants not explained in {SURVIVORS_FILE.relative_to(ROOT)}:")
        print("\n".join(f"  {name}" for name in unexplained))
    complete = args.report_only or args.sample is not None or args.unfinished or not total["not run"]
    if not complete:
        print("the run did not test every mutant (mutmut stopped early?): no score")
    return 0 if complete and score >= MIN_SCORE and not unexplained else 1


def _print_row(label: str, counts: Counter) -> float:
    """Prints one row of the score table (with an estimate when some mutants were not run); returns the score."""
    tested = sum(counts.values()) - counts["skipped"] - counts["not run"]
    score = counts["killed"] / tested if tested else float("nan")
    print(f"{label:<16}{sum(counts.values()):>8}{counts['killed']:>8}{counts['survived']:>10}{counts['timeout']:>9}"
          f"{counts['no tests']:>10}{score:>8.1%}" + _estimate(counts["killed"], tested, counts["not run"]))
    return score


if __name__ == "__main__":
    sys.exit(main())
