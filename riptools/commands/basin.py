"""``riptools basin``: SGD success rate and error quantiles against γ (see :mod:`riptools.protocols.basin`)."""

from __future__ import annotations

import numpy as np

from riptools.protocols.basin import DEFAULT_STEP_SIZE, SUCCESS_TOL, basin_sweep, load_problem, plot_basin
from riptools.results import dumps
from riptools.validation import InputError


def parse_gammas(text: str) -> np.ndarray:
    """Returns the γ values of ``start:stop:count`` (evenly spaced, ends included), ``a,b,c`` or ``a``.

    Raises:
        InputError: not numbers, a count < 1, or values outside [0, 1].
    """
    try:
        if ":" in text:
            start, stop, count = text.split(":")
            if int(count) < 1:
                raise ValueError("count < 1")
            values = np.linspace(float(start), float(stop), int(count))
        else:
            values = np.array([float(item) for item in text.split(",")])
    except ValueError:
        raise InputError(f"--gammas: expected start:stop:count, a comma list or one number in [0, 1], got {text!r}") from None
    if not np.all(np.isfinite(values) & (values >= 0) & (values <= 1)):
        raise InputError(f"--gammas: every γ must lie in [0, 1], got {text!r}")
    return values


def register(subparsers) -> None:
    """Adds the ``basin`` subcommand."""
    parser = subparsers.add_parser(
        "basin",
        help="SGD from (1−γ)X_bad + γ·Gaussian: success rate and error quantiles per γ",
        description="Runs SGD (or GD) from X_init = (1−γ)·X_bad + γ·G, G Gaussian, and reports per γ the "
        "success rate (95% Wilson interval), the error quantiles and the non-finite runs.",
    )
    parser.add_argument("--example", default="half", help="'half' (the slides' δ = 1/2 example) or an operator file with X_bad and Z")
    parser.add_argument("--normalisation", choices=("rip", "slides"), default="rip", help="scaling of the half example (slides = √2·rip: η acts like 2η)")
    parser.add_argument("--gammas", default="0:1:21", help="start:stop:count, a comma list, or one γ (default 0:1:21)")
    parser.add_argument("--trials", type=int, default=1000, help="runs per γ (default 1000)")
    parser.add_argument("--steps", type=int, default=10_000, help="steps per run (default 10000)")
    parser.add_argument("--step-size", type=float, default=DEFAULT_STEP_SIZE, help=f"η (default {DEFAULT_STEP_SIZE}); SGD steps by η·m·4⟨A_i,E⟩A_iU")
    parser.add_argument("--method", choices=("sgd", "gd"), default="sgd", help="sgd (one measurement per step) or gd (full batch)")
    parser.add_argument("--success-tol", type=float, default=SUCCESS_TOL, help=f"success when error ≤ tol·‖Z‖_F (default {SUCCESS_TOL})")
    parser.add_argument("--seed", type=int, default=0, help="seed of the starts and of the SGD streams (default 0)")
    parser.add_argument("--json", action="store_true", help="print a JSON list, one object per γ")
    parser.add_argument("--plot", metavar="FILE", help="write the error-quantile and success-rate figure")
    parser.set_defaults(handler=run)


def run(args) -> int:
    """Runs the sweep and prints a table (or JSON)."""
    problem = load_problem(args.example, normalisation=args.normalisation)
    sweep = basin_sweep(
        problem,
        gammas=parse_gammas(args.gammas),
        trials=args.trials,
        steps=args.steps,
        step_size=args.step_size,
        seed=args.seed,
        method=args.method,
        success_tol=args.success_tol,
        progress=True,
    )
    if args.plot:
        plot_basin(sweep, args.plot)
    if args.json:
        print(dumps([point.as_issue_json() for point in sweep.points]))
        return 0
    print(f"{problem.name}: {args.method}, η = {args.step_size:g}, {args.steps} steps, seed {args.seed}, success: error ≤ {args.success_tol:g}·‖Z‖")
    print(f"{'gamma':>6} {'trials':>7} {'success':>8} {'95% Wilson':>17} {'nonfinite':>9} {'near X_bad':>10} {'median err':>11} {'max err':>9}")
    for p in sweep.points:
        q = p.error_quantiles
        print(
            f"{p.gamma:6.3f} {p.trials:7d} {100 * p.success_rate:7.2f}% [{100 * p.ci_low:6.2f}, {100 * p.ci_high:6.2f}]% "
            f"{p.nonfinite:9d} {p.near_bad:10d} {q['median']:11.3g} {q['max']:9.3g}"
        )
    if args.plot:
        print(f"wrote {args.plot}")
    return 0
