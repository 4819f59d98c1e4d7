"""``riptools scaledsgd rmse|edm|bpr``: ScaledSGD versus SGD on one of the paper's experiments (seed 001)."""

from __future__ import annotations

import math

from riptools.dynamics.scaledsgd import DEFAULT_RESYNC_EVERY, P_INITS
from riptools.results import dumps
from riptools.validation import InputError

DEFAULT_EPOCHS = {"rmse": 200, "edm": 500, "bpr": 2}


def register(subparsers) -> None:
    """Adds the ``scaledsgd`` subcommand."""
    parser = subparsers.add_parser("scaledsgd", help="ScaledSGD vs SGD: RMSE (Fig. 1), EDM (Fig. 2), BPR (Fig. 3)",
                                   description="Runs ScaledSGD and SGD from the same start on one experiment of "
                                               "seed 001 and reports their curves and summary numbers.")
    parser.add_argument("experiment", choices=("rmse", "edm", "bpr"))
    parser.add_argument("--kappa", type=float, default=None, help="rmse: condition number of M (default 1e4)")
    parser.add_argument("--d", type=int, default=30, help="rmse: size of M (default 30)")
    parser.add_argument("--rank", type=int, default=3, help="rmse/bpr: rank r (default 3)")
    parser.add_argument("--outliers", type=int, default=5, help="edm: points moved far outside the cube (default 5)")
    parser.add_argument("--epochs", type=int, default=None, help="epochs (default rmse 200, edm 500, bpr 2)")
    parser.add_argument("--lr", type=float, default=None,
                        help="one step size for both methods (default: rmse 0.3; edm/bpr the authors' per-method steps)")
    parser.add_argument("--p-init", choices=P_INITS, default="exact", help="ScaledSGD's initial P (default exact)")
    parser.add_argument("--resync-every", type=int, default=DEFAULT_RESYNC_EVERY,
                        help=f"steps between resyncs of P with (XᵀX)⁻¹, 0 = never (default {DEFAULT_RESYNC_EVERY})")
    parser.add_argument("--quick", action="store_true", help="bpr: scaled-down size (1,000 items) instead of 62,000")
    parser.add_argument("--ratings", default=None, help="bpr: a MovieLens ratings.csv instead of the generated matrix")
    parser.add_argument("--items", type=int, default=None, help="bpr: items of the generated matrix")
    parser.add_argument("--train", type=int, default=None, help="bpr: training triples")
    parser.add_argument("--test", type=int, default=None, help="bpr: test triples")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument("--json", action="store_true", help="print one JSON document")
    parser.add_argument("--plot", default=None, metavar="FILE", help="write a figure to FILE (.png)")
    parser.set_defaults(handler=run)


def _check(args) -> None:
    if args.experiment != "rmse" and args.kappa is not None:
        raise InputError("--kappa: only the rmse experiment has a condition number to set (edm: use --outliers)")
    if args.kappa is not None and not (math.isfinite(args.kappa) and args.kappa >= 1):
        raise InputError(f"--kappa: expected a finite number ≥ 1, got {args.kappa}")
    if args.lr is not None and not (math.isfinite(args.lr) and args.lr > 0):
        raise InputError(f"--lr: expected a positive step size, got {args.lr}")
    if args.epochs is not None and args.epochs < 1:
        raise InputError(f"--epochs: expected an integer ≥ 1, got {args.epochs}")
    if args.resync_every < 0:
        raise InputError(f"--resync-every: expected an integer ≥ 0, got {args.resync_every}")
    if not 0 <= args.outliers <= 30:
        raise InputError(f"--outliers: expected 0…30 (of the 30 points), got {args.outliers}")
    if not 0 <= args.seed < 2**63:
        raise InputError(f"--seed: expected an integer in [0, 2^63), got {args.seed}")
    for name in ("items", "train", "test"):
        value = getattr(args, name)
        if value is not None and value < (3 if name == "items" else 1):
            raise InputError(f"--{name}: expected a positive integer (items ≥ 3), got {value}")


def run(args) -> int:
    """Runs the chosen experiment; prints a table or (``--json``) ``{"methods": {...}, ...}``."""
    from riptools.experiments import scaledsgd as exp

    _check(args)
    epochs = args.epochs or DEFAULT_EPOCHS[args.experiment]
    if args.experiment == "rmse":
        kappa = 1e4 if args.kappa is None else args.kappa
        result = exp.completion_experiment(kappa, d=args.d, r=args.rank, epochs=epochs, lr=args.lr or exp.RMSE_STEP,
                                           seed=args.seed, p_init=args.p_init, resync_every=args.resync_every).summary()
    elif args.experiment == "edm":
        lrs = {m: args.lr for m in exp.METHODS} if args.lr else None
        result = exp.edm_experiment(args.outliers, epochs=epochs, lrs=lrs, seed=args.seed).summary()
    else:
        lrs = {m: args.lr for m in exp.METHODS} if args.lr else None
        result = exp.bpr_experiment(quick=args.quick, ratings=args.ratings, epochs=epochs, lrs=lrs, rank=args.rank,
                                    seed=args.seed, items=args.items, train_size=args.train, test_size=args.test,
                                    progress_bar=not args.json).summary()
    if args.plot:
        from riptools.experiments.scaledsgd_plots import plot_bpr, plot_pair_experiments

        if args.experiment == "bpr":
            plot_bpr(args.plot, result)
        else:
            plot_pair_experiments(args.plot, [result])
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
