"""``riptools diverge``: the subgradient divergence study of seed 000 (see :mod:`riptools.experiments.divergence`)."""

from __future__ import annotations

import math

from riptools.experiments.divergence import (
    Regime,
    gaussian_starts,
    notebook_starts,
    plot_mechanism,
    plot_runs,
    run_study,
)
from riptools.dynamics.subgradient import CHECKPOINTS_PER_DECADE
from riptools.results import dumps
from riptools.validation import InputError

MANY_STARTS = 1000
"""Above this many starts, 10 checkpoints per decade instead of 50 (memory ~ starts × checkpoints)."""


def _iterations(text: str) -> int:
    """Returns ``text`` (``10000000`` or ``1e7``) as a positive integer step count."""
    try:
        value = float(text)
    except ValueError:
        raise InputError(f"--iters: expected a positive integer such as 10000000 or 1e7, got {text!r}") from None
    if not math.isfinite(value) or value < 1 or value != int(value) or value > 2**53:
        raise InputError(f"--iters: expected a positive integer such as 10000000 or 1e7, got {text!r}")
    return int(value)


def register(subparsers) -> None:
    """Adds the ``diverge`` subcommand."""
    parser = subparsers.add_parser(
        "diverge", help="subgradient method on |x1y1-1|+|x2y1-1|+|x2y2-1|: which starts diverge (seed 000)")
    parser.add_argument("--alpha", type=float, required=True, help="step scale α (step α/(k+1)^β)")
    parser.add_argument("--beta", type=float, required=True, help="step decay exponent β ≥ 0")
    parser.add_argument("--iters", type=str, required=True, help="number of steps K, e.g. 1e7")
    parser.add_argument("--inits", choices=("notebook", "gaussian"), default="notebook",
                        help="notebook: the seed's 100 JAX starts (default); gaussian: N(0, I) from --seed")
    parser.add_argument("--count", type=int, default=None, help="number of starts (gaussian: default 100; "
                        "notebook: the first COUNT of the 100)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the Gaussian starts (default 0)")
    parser.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    parser.add_argument("--plot-prefix", default=None, metavar="P",
                        help="write P-objective.png, P-norm.png and P-mechanism.png")
    parser.set_defaults(handler=run)


def run(args) -> int:
    """Runs the study and prints the classes (or JSON)."""
    iters = _iterations(args.iters)
    if args.count is not None and args.count < 1:
        raise InputError(f"--count: expected an integer ≥ 1, got {args.count}")
    if args.inits == "notebook":
        starts = notebook_starts()
        if args.count is not None:
            if args.count > len(starts):
                raise InputError(f"--count: the notebook has {len(starts)} starts, got {args.count}")
            starts = starts[: args.count]
        seed = None
    else:
        starts = gaussian_starts(100 if args.count is None else args.count, seed=args.seed)
        seed = args.seed
    study, runs = run_study(Regime(args.alpha, args.beta, iters), starts, inits=args.inits, seed=seed,
                            per_decade=CHECKPOINTS_PER_DECADE if len(starts) <= MANY_STARTS else 10,
                            progress=not args.json)
    plots = []
    if args.plot_prefix:
        plots = plot_runs(study, runs, args.plot_prefix)
        plots.append(plot_mechanism(study, runs, f"{args.plot_prefix}-mechanism.png"))
    if args.json:
        print(dumps({
            "regime": {"alpha": args.alpha, "beta": args.beta, "iters": iters},
            "inits": args.inits,
            "seed": seed,
            "runs": [{"index": r.index, "final_objective": r.final_objective, "final_norm": r.final_norm,
                      "class": r.run_class.value, "growth_exponent": r.growth_exponent} for r in study.runs],
            "unbounded_indices": study.unbounded_indices,
            "counts": study.counts,
            "notebook_criterion_indices": study.notebook_criterion_indices,
            "plots": plots,
        }))
        return 0
    print(f"α = {args.alpha:g}, β = {args.beta:g}, K = {iters}, {len(starts)} {args.inits} starts "
          f"({study.seconds:.1f} s)")
    print("  ".join(f"{name}: {count}" for name, count in study.counts.items()))
    print(f"unbounded indices: {study.unbounded_indices}")
    print(f"f(z_(K-1)) > 0.9 (the notebook's criterion): {study.notebook_criterion_indices}")
    for r in study.runs:
        if r.run_class.value != "converged":
            print(f"  {r.index:>5} {r.run_class.value:<22} {r.evidence}")
    for path in plots:
        print(f"wrote {path}")
    return 0
