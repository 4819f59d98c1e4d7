"""``riptools reproduce``: the main job (see :mod:`riptools.reproduce`)."""

from __future__ import annotations

import os

from riptools.reproduce import reproduce


def register(subparsers) -> None:
    """Adds the ``reproduce`` subcommand."""
    parser = subparsers.add_parser("reproduce", help="run every experiment and write REPORT.md")
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--quick", action="store_true", help="small sizes, under 5 minutes on 2 cores (the default)")
    size.add_argument("--full", action="store_true", help="the sources' real sizes (states its expected time first)")
    parser.add_argument("--out", default="figures", help="output folder (default: figures)")
    parser.add_argument("--only", nargs="+", metavar="SOURCE", help="run only these sources (keys as `riptools sources` lists them)")
    parser.add_argument("--seed", type=int, default=0, help="base seed (default 0)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                        help="local worker processes for sweeps (default: one per core; 1 = in this process)")
    parser.add_argument("--scheduler", metavar="ADDRESS", help="run sweeps on this Dask scheduler (needs the dask extra)")
    parser.set_defaults(handler=run)


def run(args) -> int:
    """Runs the sources' checks and prints where the report is."""
    sections = reproduce(args.out, quick=not args.full, only=args.only, seed=args.seed,
                         workers=args.workers, scheduler=args.scheduler)
    print(f"wrote {args.out}/REPORT.md and REPORT.html with {len(sections)} section(s): "
          f"{', '.join(s.title for s in sections)}")
    return 0
