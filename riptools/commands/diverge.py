"""``riptools diverge``: the subgradient divergence study of the JAX notebook (see :mod:`riptools.protocols.divergence`)."""

from __future__ import annotations

import math

from riptools.commands._arguments import constant, integer, real, seed
from riptools.validation import InputError, check_output_file, check_size

MANY_STARTS = 1000
"""Above this many starts, 10 checkpoints per decade instead of 50 (memory ~ starts × checkpoints)."""
NOTEBOOK_STARTS = 100
"""The notebook's number of starts (``riptools/data/notebook_starts.json``)."""
START_STEPS_PER_SECOND = 2e9
"""Optimistic kernel throughput (start-steps/s on 2 cores) for the time estimate, so that it is a
lower bound (measured: about 5e8)."""
BYTES_PER_CHECKPOINT = 2 * 9 * 8
"""Memory per start and checkpoint: six summaries and three products (float64), and one copy of them
made by the classification."""
PLOT_SUFFIXES = ("-objective.png", "-norm.png", "-mechanism.png")
"""The files ``--plot-prefix P`` writes."""


def _iterations(text: str) -> int:
    """Returns ``text`` (``10000000`` or ``1e7``) as a positive integer step count."""
    try:
        value = float(text)
    except ValueError:
        raise InputError(f"--iters: expected a positive integer such as 10000000 or 1e7, got {text[:60]!r}") from None
    if not math.isfinite(value) or value < 1 or value != int(value) or value > 2**53:
        raise InputError(f"--iters: expected a positive integer such as 10000000 or 1e7, got {text[:60]!r}")
    return int(value)


def register(subparsers) -> None:
    """Adds the ``diverge`` subcommand."""
    parser = subparsers.add_parser(
        "diverge", help="subgradient method on |x1y1-1|+|x2y1-1|+|x2y2-1|: which starts diverge (the JAX notebook)",
        description="Runs the subgradient method z ← z − α/(k+1)^β·g on f = |x₁y₁−1| + |x₂y₁−1| + |x₂y₂−1| "
        "with the notebook's float64 arithmetic, from its 100 starts or from Gaussian ones, classifies "
        "every run (converged, unbounded, stalled, ...) from log-spaced checkpoints and explains it.")
    parser.add_argument("--alpha", type=real(0, strict_minimum=True), required=True, help="step scale α > 0 (step α/(k+1)^β)")
    parser.add_argument("--beta", type=real(0), required=True, help="step decay exponent β ≥ 0")
    parser.add_argument("--iters", type=str, required=True, help="number of steps K, e.g. 1e7")
    parser.add_argument("--inits", choices=("notebook", "gaussian"), default="notebook",
                        help="notebook: the notebook's 100 JAX starts; gaussian: N(0, I) from --seed")
    parser.add_argument("--count", type=integer(1), default=None, help="number of starts (gaussian: default 100; "
                        "notebook: the first COUNT of the 100)")
    parser.add_argument("--seed", type=seed, default=None, help="seed of the Gaussian starts (only with --inits gaussian; default 0)")
    parser.add_argument("--json", action="store_true", help="print one JSON object on stdout")
    parser.add_argument("--plot-prefix", default=None, metavar="P",
                        help="write P-objective.png, P-norm.png and P-mechanism.png")
    parser.set_defaults(handler=run)


def check(args) -> tuple[int, int, int]:
    """Returns (iterations, number of starts, checkpoints per decade) after checking every argument and the run's size."""
    iters = _iterations(args.iters)
    count = args.count if args.count is not None else NOTEBOOK_STARTS
    if args.inits == "notebook" and count > NOTEBOOK_STARTS:
        raise InputError(f"--count: the notebook has {NOTEBOOK_STARTS} starts, got {args.count}")
    if args.inits == "notebook" and args.seed is not None:
        raise InputError("--seed: the notebook's starts are fixed; a seed needs --inits gaussian")
    if args.plot_prefix is not None:
        for suffix in PLOT_SUFFIXES:
            check_output_file(f"{args.plot_prefix}{suffix}", "--plot-prefix")
    per_decade = (constant("riptools.dynamics.subgradient", "CHECKPOINTS_PER_DECADE") if count <= MANY_STARTS
                  else constant("riptools.protocols.divergence", "MANY_STARTS_PER_DECADE"))
    checkpoints = per_decade * math.log10(iters) + 4
    check_size("--count/--iters", memory=count * checkpoints * BYTES_PER_CHECKPOINT,
               seconds=count * iters / START_STEPS_PER_SECOND, allow_large=args.allow_large)
    return iters, count, per_decade


def run(args) -> int:
    """Runs the study and prints the classes (or JSON)."""
    iters, count, per_decade = check(args)
    from riptools.protocols.divergence import Regime, gaussian_starts, notebook_starts, run_study
    from riptools.results import dumps

    if args.inits == "notebook":
        starts = notebook_starts()[:count]
        seed_used = None
    else:
        seed_used = args.seed or 0
        starts = gaussian_starts(count, seed=seed_used)
    study, runs = run_study(Regime(args.alpha, args.beta, iters), starts, inits=args.inits, seed=seed_used,
                            per_decade=per_decade,
                            progress=not args.json)
    plots = []
    if args.plot_prefix:
        from riptools.sources.subgradient_notebook import plot_mechanism, plot_runs

        plots = plot_runs(study, runs, args.plot_prefix)
        plots.append(plot_mechanism(study, runs, f"{args.plot_prefix}-mechanism.png"))
    if args.json:
        print(dumps({
            "regime": {"alpha": args.alpha, "beta": args.beta, "iters": iters},
            "inits": args.inits,
            "seed": seed_used,
            "runs": [{"index": r.index, "final_objective": r.final_objective, "final_norm": r.final_norm,
                      "class": r.run_class.value, "growth_exponent": r.growth_exponent} for r in study.runs],
            "unbounded_indices": list(study.unbounded_indices),
            "counts": study.counts,
            "notebook_criterion_indices": list(study.notebook_criterion_indices),
            "plots": plots,
        }))
        return 0
    print(f"α = {args.alpha:g}, β = {args.beta:g}, K = {iters}, {len(starts)} {args.inits} starts "
          f"({study.seconds:.1f} s)")
    print("  ".join(f"{name}: {count}" for name, count in study.counts.items()))
    print(f"unbounded indices: {list(study.unbounded_indices)}")
    print(f"f(z_(K-1)) > 0.9 (the notebook's criterion): {list(study.notebook_criterion_indices)}")
    for r in study.runs:
        if r.run_class.value != "converged":
            print(f"  {r.index:>5} {r.run_class.value:<22} {r.evidence}")
    for path in plots:
        print(f"wrote {path}")
    return 0
