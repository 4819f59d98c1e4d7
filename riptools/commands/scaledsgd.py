"""``riptools scaledsgd rmse|edm|bpr``: ScaledSGD versus SGD on one experiment of the ScaledSGD paper (NeurIPS 2022)."""

from __future__ import annotations

from riptools.commands._arguments import constant, integer, real, seed
from riptools.validation import PLOT_SUFFIXES, InputError, check_size, check_output_file

DEFAULT_EPOCHS = {"rmse": 200, "edm": 500, "bpr": 2}
OPTIONS = {
    "kappa": ("rmse",), "d": ("rmse",), "rank": ("rmse", "bpr"), "outliers": ("edm",), "p_init": ("rmse",),
    "resync_every": ("rmse",), "quick": ("bpr",), "ratings": ("bpr",), "items": ("bpr",), "train": ("bpr",),
    "test": ("bpr",),
}
"""The experiments each experiment-specific option applies to; given to another one it is refused."""
UPDATES_PER_SECOND = 2e7
"""Optimistic update rate (one sampled entry or triple) for the time estimate: measured 6–7e6 for
pairs and 3–5e6 for triples on one core, so the estimate is a lower bound."""
BYTES_PER_PAIR = 48
"""Memory per observed entry of the RMSE experiment: row, column, value, the epoch's visiting order
and the error's d×d products (int64/float64)."""
BYTES_PER_TRIPLE = 13
"""Memory per BPR triple: three int32 item indices and a uint8 label."""
BYTES_PER_RECORD = 64
"""Memory per recorded point of a trajectory (error, loss, leverage, drift, ... of both methods)."""
MAX_ITEMS = 2**31 - 1
"""Items are indexed by int32 in the BPR triples."""


def register(subparsers) -> None:
    """Adds the ``scaledsgd`` subcommand."""
    parser = subparsers.add_parser("scaledsgd", help="ScaledSGD vs SGD: RMSE (Fig. 1), EDM (Fig. 2), BPR (Fig. 3)",
                                   description="Runs ScaledSGD and SGD from the same start on one experiment of "
                                               "the ScaledSGD paper (Zhang, Chiu, Zhang, NeurIPS 2022) and reports "
                                               "their curves and summary numbers. Options "
                                               "marked rmse/edm/bpr apply to that experiment only; given to "
                                               "another they are refused.")
    parser.add_argument("experiment", choices=("rmse", "edm", "bpr"))
    parser.add_argument("--kappa", type=real(1), default=None, help="rmse: condition number of M (default 1e4)")
    parser.add_argument("--d", type=integer(2), default=None, help="rmse: size of M (default 30)")
    parser.add_argument("--rank", type=integer(1), default=None, help="rmse/bpr: rank r (default 3)")
    parser.add_argument("--outliers", type=integer(0, 30), default=None, help="edm: points (of 30) moved far outside the cube (default 5)")
    parser.add_argument("--epochs", type=integer(1), default=None, help="epochs (default rmse 200, edm 500, bpr 2)")
    parser.add_argument("--lr", type=real(0, strict_minimum=True), default=None,
                        help="one step size for both methods (default: rmse 0.3; edm/bpr the authors' per-method steps)")
    parser.add_argument("--p-init", choices=constant("riptools.dynamics.scaledsgd", "P_INITS"), default=None,
                        help="rmse: ScaledSGD's initial P (default exact)")
    parser.add_argument("--resync-every", type=integer(0), default=None,
                        help=f"rmse: steps between resyncs of P with (XᵀX)⁻¹, 0 = never "
                             f"(default {constant('riptools.dynamics.scaledsgd', 'DEFAULT_RESYNC_EVERY')})")
    parser.add_argument("--quick", action="store_true", help="bpr: scaled-down size (1,000 items) instead of 62,000")
    parser.add_argument("--ratings", default=None, help="bpr: a MovieLens ratings.csv instead of the generated matrix")
    parser.add_argument("--items", type=integer(3, MAX_ITEMS), default=None, help="bpr: items of the generated matrix (default 62,000; --quick 1,000)")
    parser.add_argument("--train", type=integer(1), default=None, help="bpr: training triples (default 10⁸, scaled with the items)")
    parser.add_argument("--test", type=integer(1), default=None, help="bpr: test triples (default a tenth of --train)")
    parser.add_argument("--seed", type=seed, default=0, help="random seed")
    parser.add_argument("--json", action="store_true", help="print one JSON document")
    parser.add_argument("--plot", default=None, metavar="FILE", help=f"write a figure to FILE ({', '.join(PLOT_SUFFIXES)})")
    parser.set_defaults(handler=run)


def _bpr_sizes(args) -> tuple[int, int, int]:
    """Returns (items, train, test) as :func:`riptools.protocols.scaledsgd.bpr_experiment` will choose them."""
    full_items, full_train = (constant("riptools.protocols.scaledsgd", name) for name in ("FULL_ITEMS", "FULL_TRAIN"))
    items = args.items or (constant("riptools.protocols.scaledsgd", "QUICK_ITEMS") if args.quick else full_items)
    train = args.train or (max(1000, round(full_train * items / full_items)) if args.quick else full_train)
    return items, train, args.test or max(100, train // 10)


def _check(args) -> None:
    experiment = args.experiment
    for option, experiments in OPTIONS.items():
        if getattr(args, option) not in (None, False) and experiment not in experiments:
            flag = "--" + option.replace("_", "-")
            raise InputError(f"{flag}: applies to {'/'.join(experiments)} only, not to {experiment}")
    if args.ratings is not None and args.items is not None:
        raise InputError("--items: the ratings file sets the items; give --items only for the generated matrix")
    if args.ratings is not None:
        from pathlib import Path

        if not Path(args.ratings).is_file():
            raise InputError(f"--ratings: {args.ratings} does not exist or is not a file")
    if args.plot is not None:
        check_output_file(args.plot, "--plot", suffixes=PLOT_SUFFIXES)
    epochs = args.epochs or DEFAULT_EPOCHS[experiment]
    if experiment == "rmse":
        d, r = args.d or 30, args.rank or 3
        if r > d:
            raise InputError(f"--rank: expected r ≤ d = {d}, got {r}")
        memory = BYTES_PER_PAIR * d * d + BYTES_PER_RECORD * epochs
        seconds = 2 * epochs * d * d * (1 + r / 3) / UPDATES_PER_SECOND
    elif experiment == "edm":
        memory, seconds = BYTES_PER_RECORD * epochs, 2 * 2 * epochs * 30 * 29 / UPDATES_PER_SECOND
    else:
        items, train, test = _bpr_sizes(args)
        r = args.rank or 3
        if args.ratings is None and r > items:
            raise InputError(f"--rank: expected r ≤ items = {items}, got {r}")
        # the triples, two item×r factors per method (r = 3 costs 16 bytes a row), the records
        memory = BYTES_PER_TRIPLE * (train + test) + 8 * 16 * 2 * items * max(1.0, r / 3) + BYTES_PER_RECORD * epochs * 100
        seconds = (2 * epochs * train * max(1.0, r / 3) + 20 * test + train + test) / UPDATES_PER_SECOND
    check_size("--epochs/--d/--rank/--items/--train/--test", memory=memory, seconds=seconds, allow_large=args.allow_large)


def run(args) -> int:
    """Runs the chosen experiment; prints a table or (``--json``) ``{"methods": {...}, ...}``."""
    _check(args)
    from riptools.protocols import scaledsgd as exp
    from riptools.results import dumps

    epochs = args.epochs or DEFAULT_EPOCHS[args.experiment]
    rank = args.rank or 3
    if args.experiment == "rmse":
        kappa = 1e4 if args.kappa is None else args.kappa
        experiment = exp.completion_experiment(
            kappa, d=args.d or 30, r=rank, epochs=epochs, lr=args.lr or exp.RMSE_STEP, seed=args.seed,
            p_init=args.p_init or "exact",
            resync_every=exp.DEFAULT_RESYNC_EVERY if args.resync_every is None else args.resync_every)
    elif args.experiment == "edm":
        lrs = {m: args.lr for m in exp.METHODS} if args.lr else None
        experiment = exp.edm_experiment(5 if args.outliers is None else args.outliers, epochs=epochs, lrs=lrs, seed=args.seed)
    else:
        lrs = {m: args.lr for m in exp.METHODS} if args.lr else None
        experiment = exp.bpr_experiment(quick=args.quick, ratings=args.ratings, epochs=epochs, lrs=lrs, rank=rank,
                                        seed=args.seed, items=args.items, train_size=args.train, test_size=args.test,
                                        progress_bar=not args.json)
    result = experiment.summary()
    if args.plot:
        from riptools.sources.scaledsgd import plot_bpr, plot_pair_experiments

        if args.experiment == "bpr":
            plot_bpr(args.plot, experiment)
        else:
            plot_pair_experiments(args.plot, [experiment])
    if args.json:
        print(dumps(result))
        return 0
    _print_table(args.experiment, result)
    return 0


def _print_table(experiment: str, result: dict) -> None:
    if experiment == "bpr":
        print(f"{result['data']}: {result['items']:,} items, {result['train']:,}/{result['test']:,} train/test triples; "
              f"NP-Maximum AUC {result['np_max_auc']:.4f}")
        print(f"{'method':<10} {'lr':>9} {'final AUC':>10} {'→NP-max':>8} {'→AUC 0.9':>9} {'seconds':>8}")
        for name, m in result["methods"].items():
            def cell(v):
                return "never" if v is None else f"{v:.3f}"
            print(f"{name:<10} {m['lr']:>9.3g} {m['final_auc']:>10.4f} {cell(m['fraction_to_np_max']):>8} "
                  f"{cell(m['fraction_to_auc_0.9']):>9} {m['seconds']:>8.1f}")
        return
    print(f"{result['name']}: κ(ZᵀZ) = {result['kappa']:.3g}, ground-truth coherence μr/d = {result['ground_truth_coherence']:.3g}")
    print(f"{'method':<10} {'lr':>7} {'epochs→1e-10':>13} {'final error':>12} {'max g_i':>8} {'max P drift':>12}")
    for name, m in result["methods"].items():
        reach = "never" if m["epochs_to_1e-10"] is None else str(m["epochs_to_1e-10"])
        final = m["error"][-1]
        lev = max(v for v in m["max_leverage"] if v is not None)
        print(f"{name:<10} {m['lr']:>7.3g} {reach:>13} {'diverged' if final is None else format(final, '.2e'):>12} "
              f"{lev:>8.3f} {max(m['p_drift']):>12.1e}")
