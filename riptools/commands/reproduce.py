"""``riptools reproduce``: the main job (see :mod:`riptools.reproduce`)."""

from __future__ import annotations

import os
from pathlib import Path

from riptools.commands._arguments import integer, seed
from riptools.validation import check_output_dir

DEFAULT_OUT = "riptools-report"
"""Default output folder, in the current directory: a run never rewrites the committed report in
``figures/`` (regenerate that on purpose with ``--out figures``)."""


def _modules_defining(package: str, marker: str) -> list[str]:
    folder = Path(__file__).resolve().parents[1] / package
    return sorted(path.stem for path in folder.glob("*.py")
                  if not path.stem.startswith("_") and marker in path.read_text(encoding="utf-8"))


def section_names() -> list[str]:
    """Returns the names ``--only`` accepts: the sources' keys.

    Read from the modules' source (not imported: the help must stay fast); a test checks that this
    agrees with :func:`riptools.sources.source_modules`.
    """
    return _modules_defining("sources", "\nREFERENCE = ")


def register(subparsers) -> None:
    """Adds the ``reproduce`` subcommand."""
    names = section_names()
    parser = subparsers.add_parser("reproduce", help="run every source's checks and write REPORT.md",
                                   description="Runs every source's checks and experiments, stores their data, and "
                                   "writes OUT/REPORT.md and OUT/REPORT.html with the figures and OUT/results/*.json. "
                                   "An interrupted run resumes where it stopped.")
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--quick", action="store_true", help="small sizes, under 5 minutes on 2 cores (the default)")
    size.add_argument("--full", action="store_true", help="the sources' real sizes (states its expected time first)")
    parser.add_argument("--out", default=DEFAULT_OUT, help="output folder (created if missing; "
                        "`--out figures` regenerates the committed report)")
    parser.add_argument("--only", nargs="+", metavar="SOURCE", help=f"run only these sources, among: {', '.join(names)}")
    parser.add_argument("--seed", type=seed, default=0, help="base seed")
    parser.add_argument("--workers", type=integer(1), default=os.cpu_count() or 1,
                        help="local worker processes for sweeps (one per core; more are capped at the cores; 1 = in this process)")
    parser.add_argument("--scheduler", metavar="ADDRESS", help="run sweeps on this Dask scheduler, e.g. tcp://HOST:8786 (needs the dask extra)")
    parser.set_defaults(handler=run)


def run(args) -> int:
    """Runs the sources' checks and prints where the report is."""
    check_output_dir(args.out, "--out")
    if args.scheduler is not None:
        from riptools.executors import check_scheduler

        check_scheduler(args.scheduler)  # at once, before the experiments are even imported
    from riptools.reproduce import reproduce

    sections = reproduce(args.out, quick=not args.full, only=args.only, seed=args.seed,
                         workers=args.workers, scheduler=args.scheduler)
    print(f"wrote {args.out}/REPORT.md and REPORT.html with {len(sections)} section(s): "
          f"{', '.join(s.title for s in sections)}")
    return 0
