"""``riptools basin``: SGD success rate and error quantiles against γ (see :mod:`riptools.protocols.basin`)."""

from __future__ import annotations

from riptools.commands._arguments import constant, integer, real, seed
from riptools.validation import InputError, check_output_file, check_size, PLOT_SUFFIXES

MAX_GAMMAS = 10_000
"""More γ values than this are refused: a sweep is read as a curve, and each γ costs a full set of trials."""
TRIAL_STEPS_PER_SECOND = 1e9
"""Optimistic SGD throughput (trial-steps/s) on the δ = 1/2 example (m·n·r = 6) for the time estimate:
5.1e8 is measured on 2 cores, so the estimate is a lower bound; a step costs O(m·n·r)."""
BYTES_PER_TRIAL = 64
"""Memory per trial at one γ: error, distance to X_bad and finiteness of every trial, their chunk
copies and the quantile sort."""


def parse_gammas(text: str):
    """Returns the γ values of ``start:stop:count`` (evenly spaced, ends included), ``a,b,c`` or ``a``.

    Raises:
        InputError: not numbers, a count outside 1…MAX_GAMMAS, or values outside [0, 1].
    """
    import numpy as np

    try:
        if ":" in text:
            start, stop, count = text.split(":")
            if not 1 <= int(count) <= MAX_GAMMAS:
                raise InputError(f"--gammas: the count must be 1…{MAX_GAMMAS}, got {count}")
            values = np.linspace(float(start), float(stop), int(count))
        else:
            items = text.split(",")
            if len(items) > MAX_GAMMAS:
                raise InputError(f"--gammas: at most {MAX_GAMMAS} values, got {len(items)}")
            values = np.array([float(item) for item in items])
    except ValueError as error:
        if isinstance(error, InputError):
            raise
        raise InputError(f"--gammas: expected start:stop:count, a comma list or one number in [0, 1], got {text[:60]!r}") from None
    if not np.all(np.isfinite(values) & (values >= 0) & (values <= 1)):
        raise InputError(f"--gammas: every γ must lie in [0, 1], got {text[:60]!r}")
    return values


def register(subparsers) -> None:
    """Adds the ``basin`` subcommand."""
    step_size = constant("riptools.protocols.basin", "DEFAULT_STEP_SIZE")
    success_tol = constant("riptools.protocols.basin", "SUCCESS_TOL")
    parser = subparsers.add_parser(
        "basin",
        help="SGD from (1−γ)X_bad + γ·Gaussian: success rate and error quantiles per γ",
        description="Runs SGD (or GD) from X_init = (1−γ)·X_bad + γ·G, G Gaussian, and reports per γ the "
        "success rate (95 % Wilson interval), the error quantiles and the non-finite runs.",
    )
    parser.add_argument("--example", default="half", help="'half' (the slides' δ = 1/2 example), a shipped example (strict_n3.npz) or an operator file with X_bad and Z")
    parser.add_argument("--normalisation", choices=("rip", "slides"), default="rip", help="scaling of the half example (slides = √2·rip: η acts like 2η)")
    parser.add_argument("--gammas", default="0:1:21", help=f"start:stop:count, a comma list, or one γ in [0, 1]; at most {MAX_GAMMAS} values")
    parser.add_argument("--trials", type=integer(1), default=1000, help="runs per γ")
    parser.add_argument("--steps", type=integer(1), default=10_000, help="steps per run")
    parser.add_argument("--step-size", type=real(0, strict_minimum=True), default=step_size, help="η; SGD steps by η·m·4⟨A_i,E⟩A_iU")
    parser.add_argument("--method", choices=("sgd", "gd"), default="sgd", help="sgd (one measurement per step) or gd (full batch)")
    parser.add_argument("--success-tol", type=real(0, strict_minimum=True), default=success_tol, help="success when error ≤ tol·‖Z‖_F")
    parser.add_argument("--seed", type=seed, default=0, help="seed of the starts and of the SGD streams")
    parser.add_argument("--json", action="store_true", help="print a JSON list, one object per γ")
    parser.add_argument("--plot", metavar="FILE", help=f"write the error-quantile and success-rate figure ({', '.join(PLOT_SUFFIXES)})")
    parser.set_defaults(handler=run)


def check(args, problem):
    """Returns the γ values after checking every argument and the run's size, before any work."""
    gammas = parse_gammas(args.gammas)
    if args.plot is not None:
        check_output_file(args.plot, "--plot", suffixes=PLOT_SUFFIXES)
    work = problem.operator.num_measurements * problem.x_bad.size / 6
    check_size("--trials/--steps/--gammas", memory=BYTES_PER_TRIAL * args.trials,
               seconds=gammas.size * args.trials * args.steps * max(1.0, work) / TRIAL_STEPS_PER_SECOND,
               allow_large=args.allow_large)
    return gammas


def run(args) -> int:
    """Runs the sweep and prints a table (or JSON)."""
    from riptools.protocols.basin import basin_sweep, load_problem, plot_basin
    from riptools.results import dumps

    problem = load_problem(args.example, normalisation=args.normalisation)
    gammas = check(args, problem)
    sweep = basin_sweep(
        problem,
        gammas=gammas,
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
