"""``riptools counterexample``: the SDP counterexample at (X, Z), the search for the worst (X, Z), certificates.

Forms::

    riptools counterexample --x 0,0.7071067811865476 --z 1,0 [--rank-shape n,r] [--margin μ]
                            [--solver S] [--formulation reduced|full] [--exact] [--save FILE] [--json]
    riptools counterexample search --n N --rank r --true-rank r★ --starts K --seed s [--margin μ] [--json]
    riptools counterexample certify FILE [--exact] [--json]

Negative values need no ``=``: ``--x -1,0`` (``--x=-1,0`` works too).
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import TYPE_CHECKING

from riptools.commands._arguments import constant, integer, real, seed, shorten
from riptools.results import dumps
from riptools.validation import (
    PLOT_SUFFIXES,
    InputError,
    as_finite_array,
    check_magnitude,
    check_output_file,
    check_size,
)

if TYPE_CHECKING:
    import numpy as np

EXACT_DEFAULT_MAX_N = 4
"""The exact certificate is computed by default when n ≤ this, and with --exact otherwise."""
SAVE_SUFFIXES = (".npz", ".json")
"""Operator file formats (:func:`riptools.sensing.save_operator`)."""
SECONDS_PER_SOLVE = 5e-3
"""Optimistic time of one reduced SDP solve (measured: 10–50 ms), for the search's time estimate."""
LIFTED_COPIES = 8
"""n×(r + r★) float64 arrays the search holds at once when it lifts its best point to n rows (a bound)."""
FLOPS_PER_SECOND = 5e10
"""Optimistic floating-point rate of 2 cores (so estimates are lower bounds)."""
SDP_SECONDS_PER_N4 = 1e-4
"""Optimistic interior-point time per N⁴ for an SDP over N×N matrices (N = n(n+1)/2; see riptools.commands.rip)."""
EXACT_SECONDS_PER_OPERATION = 1e-6
"""Optimistic time of one rational operation of the exact certificate (an LDLᵀ of N×N rationals)."""
PRINTED_ENTRIES = 12
"""Text output shows at most this many entries of a matrix (``--json`` has them all)."""


def register(subparsers) -> None:
    """Adds the ``counterexample`` subcommand and its ``search`` and ``certify`` forms."""
    parser = subparsers.add_parser("counterexample", help="smallest-δ SDP counterexample at (X, Z), search, certificates",
                                   description=__doc__.split("\n\n")[0])
    parser.add_argument("--x", help="X as comma-separated numbers (a vector, or n·r entries row-major with --rank-shape)")
    parser.add_argument("--z", help="Z as comma-separated numbers (n·r★ entries, row-major)")
    parser.add_argument("--x-file", help="X from a .npy or .json file")
    parser.add_argument("--z-file", help="Z from a .npy or .json file")
    parser.add_argument("--rank-shape", help="n,r: the shape of X (Z then has n rows)")
    _add_common(parser)
    parser.add_argument("--exact", action="store_true", help=f"exact certificate (default when n ≤ {EXACT_DEFAULT_MAX_N})")
    parser.add_argument("--solver", default=constant("riptools.counterexample", "DEFAULT_SOLVER"),
                        choices=constant("riptools.counterexample", "SOLVERS"), help="SDP solver")
    parser.add_argument("--formulation", default="reduced", choices=["reduced", "full"], help="SDP size (default reduced)")
    parser.add_argument("--save", help="write the certified operator with X_bad and Z (.npz or .json)")
    parser.add_argument("--seed", type=seed, default=0, help="seed of the local-minimum test's sphere search (default 0)")
    parser.add_argument("--gradient", action="store_true",
                        help="also print ∇δ*(X, Z) (gradient_x, gradient_z; envelope theorem, one solve)")
    parser.set_defaults(handler=run_solve)
    forms = parser.add_subparsers(dest="form", metavar="[search | certify | atlas]")
    search = forms.add_parser("search", help="minimise δ*(X, Z) over X ∈ R^{n×r}, Z ∈ R^{n×r★}; the best point is certified exactly")
    search.add_argument("--n", type=integer(1), required=True, help="ambient dimension n")
    search.add_argument("--rank", type=integer(1), required=True, help="r, columns of X")
    search.add_argument("--true-rank", type=integer(1), required=True, help="r★, columns of Z")
    search.add_argument("--starts", type=integer(1), default=8, help="random starts (default 8)")
    search.add_argument("--seed", type=seed, default=0, help="seed of the starts (default 0)")
    search.add_argument("--max-evaluations", type=integer(10), default=constant("riptools.search", "DEFAULT_MAX_EVALUATIONS"),
                        help="SDP solves per start")
    search.add_argument("--method", default=constant("riptools.search", "DEFAULT_METHOD"), choices=constant("riptools.search", "METHODS"),
                        help="local search: bfgs (gradient of δ*, default) or nelder-mead")
    search.add_argument("--workers", type=integer(1), default=1, help="local processes for the starts (default 1)")
    search.add_argument("--save", help="write the best certified operator with X_bad and Z")
    _add_common(search)
    search.set_defaults(handler=run_search)
    certify = forms.add_parser("certify", help="certify an operator file holding A, X_bad and Z")
    certify.add_argument("file", help="operator file (.npz or .json) with X_bad and Z")
    certify.add_argument("--exact", action="store_true", help="also an exact (rational) certificate")
    certify.add_argument("--json", action="store_true", help="print one JSON object")
    certify.add_argument("--seed", type=seed, default=0, help="seed of the local-minimum test's sphere search (default 0)")
    certify.set_defaults(handler=run_certify)
    atlas = forms.add_parser("atlas", help="smallest certified δ* for every (r, r★) beside the sharp-threshold theory")
    atlas_starts = constant("riptools.protocols.atlas", "DEFAULT_STARTS")
    atlas.add_argument("--max-rank", type=integer(1), required=True, help="R: cells r★ ≤ r ≤ R")
    atlas.add_argument("--max-true-rank", type=integer(1), required=True, help="S: cells 1 ≤ r★ ≤ S (S ≤ R)")
    atlas.add_argument("--starts", type=integer(1), default=atlas_starts,
                       help=f"random starts per cell (default {atlas_starts}; structured starts come on top)")
    atlas.add_argument("--seed", type=seed, default=0, help="seed of the starts (default 0)")
    atlas.add_argument("--max-evaluations", type=integer(10), default=constant("riptools.search", "DEFAULT_MAX_EVALUATIONS"),
                       help="SDP solves per start")
    atlas.add_argument("--workers", type=integer(1), default=1, help="local processes for each cell's starts (default 1)")
    atlas.add_argument("--scheduler", help="address of a Dask scheduler for the starts (instead of --workers)")
    atlas.add_argument("--json", action="store_true", help="print the rows as one JSON list")
    atlas.add_argument("--plot", help=f"write the figure (δ found against r for each r★, with the theory curves) here ({', '.join(PLOT_SUFFIXES)})")
    atlas.set_defaults(handler=run_atlas_command)


def _add_common(parser) -> None:
    parser.add_argument("--margin", type=real(0), default=0.0, help="μ ≥ 0: ask for ∇²f(X) ⪰ μI (strict local minimum when > 0)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")


def _numbers(text: str, name: str) -> np.ndarray:
    try:
        values = [float(part) for part in text.replace(";", ",").split(",") if part.strip()]
    except ValueError:
        raise InputError(f"{name}: expected comma-separated numbers, got {shorten(text)}") from None
    return check_magnitude(as_finite_array(values, name, ndim=1), name)


def _read_matrix(path: str, name: str) -> np.ndarray:
    import numpy as np

    file = Path(path)
    if not file.is_file():
        raise InputError(f"{name}: {path} does not exist")
    try:
        data = np.load(file, allow_pickle=False) if file.suffix == ".npy" else json.loads(file.read_text())
    except Exception as error:  # any parse failure of a user's file is bad input
        raise InputError(f"{name}: cannot read {path}: {error}") from None
    return check_magnitude(as_finite_array(data, name), name)


def read_pair(args) -> tuple[np.ndarray, np.ndarray]:
    """Returns (X, Z) from --x/--x-file, --z/--z-file and --rank-shape."""
    values = {}
    for name in ("x", "z"):
        text, path = getattr(args, name), getattr(args, f"{name}_file")
        if (text is None) == (path is None):
            raise InputError(f"--{name}: give exactly one of --{name} or --{name}-file")
        values[name] = _numbers(text, f"--{name}") if text is not None else _read_matrix(path, f"--{name}-file")
    x, z = values["x"], values["z"]
    if args.rank_shape:
        try:
            n, r = (int(part) for part in args.rank_shape.split(","))
        except ValueError:
            raise InputError(f"--rank-shape: expected 'n,r' (two integers), got {args.rank_shape!r}") from None
        if n < 1 or r < 1 or x.size != n * r:
            raise InputError(f"--rank-shape: X has {x.size} entries, which is not n·r = {n}·{r}")
        if z.size % n:
            raise InputError(f"--z: {z.size} entries do not make a matrix with n = {n} rows")
        return x.reshape(n, r), z.reshape(n, -1)
    x = x[:, None] if x.ndim == 1 else x
    z = z[:, None] if z.ndim == 1 else z
    if x.shape[0] != z.shape[0]:
        raise InputError(f"--x, --z: shapes disagree ({x.shape[0]} vs {z.shape[0]} rows); use --rank-shape n,r for matrices")
    return x, z


def _matrix_text(matrix) -> str:
    """Returns ``matrix`` as a one-line list, eliding the middle beyond PRINTED_ENTRIES entries."""
    import numpy as np

    return np.array2string(np.asarray(matrix), threshold=PRINTED_ENTRIES, edgeitems=3, max_line_width=10**9, separator=", ")


def _exact_summary(certificate) -> dict | None:
    return None if certificate is None else certificate.summary()


def _report(result, certificate, *, exact, local) -> dict:
    return {
        **result.summary(),
        "classification": certificate.classification,
        "certified": certificate.certified,
        "failures": certificate.failures,
        "certificate_method": certificate.method,
        "gradient_norm": certificate.gradient_norm,
        "hessian_min_eig": certificate.hessian_min_eig,
        "rip_delta_verified": certificate.rip_delta_verified,
        "objective_gap": certificate.objective_gap,
        "local_minimum": None if local is None else {"verdict": local.verdict, "how": local.how},
        "exact_certificate": _exact_summary(exact),
        "n": result.n,
        "rank": result.x.shape[1],
        "true_rank": result.z.shape[1],
    }


def _degenerate_test(result, certificate, seed: int):
    """Runs the local-minimum test for degenerate points small enough to form the operator densely."""
    from riptools.certify import local_minimum_test
    from riptools.counterexample import DENSE_MAX_N
    from riptools.objective import PointKind

    if certificate.kind != PointKind.DEGENERATE or result.n > DENSE_MAX_N or not certificate.certified:
        return None
    return local_minimum_test(result.operator(), result.x, result.z, seed=seed)


def _save(path, result, certificate) -> str:
    from riptools.sensing import save_operator

    if not certificate.certified:
        raise InputError(f"--save: not saved, the result is not a certified counterexample ({'; '.join(certificate.failures)})")
    return str(save_operator(path, result.operator(), x_bad=result.x, z=result.z))


def _print_text(report: dict) -> None:
    print(f"δ* = {report['delta']}   (solver {report['solver']}: {report['status']}, accurate = {report['accurate']}, "
          f"gap {report['duality_gap']:.2e}, residuals {report['primal_residual']:.2e} / {report['dual_residual']:.2e})")
    if report.get("delta_lower_bound") is not None:
        print(f"δ_lb (JMLR Thm 12) = {report['delta_lower_bound']:.10g}")
    print(f"{report['formulation']} formulation, d = {report['reduced_dimension']}, n = {report['n']}, μ = {report['margin']:g}")
    print(f"certificate ({report['certificate_method']}): {'CERTIFIED' if report['certified'] else 'NOT certified'}"
          + ("" if report["certified"] else f" — {'; '.join(report['failures'])}"))
    print(f"  X is a {report['classification']}; ‖∇f‖ = {report['gradient_norm']:.3g}, min Hessian eig = {report['hessian_min_eig']:.6g}")
    print(f"  RIP constant verified (all of Sⁿ) = {report['rip_delta_verified']:.10g}; f(X) − f(Z) = {report['objective_gap']:.6g}")
    if report["local_minimum"]:
        print(f"  beyond second order: {report['local_minimum']['verdict']} ({report['local_minimum']['how']})")
    exact = report["exact_certificate"]
    if exact:
        print(f"exact certificate ({exact['coordinates']}): δ' = {exact['delta']}, μ' = {exact['margin']}: "
              f"{'VERIFIED' if exact['verified'] else 'not verified'} {exact['checks']}")
    if report.get("gradient_x") is not None:
        print(f"∇_X δ* = {_matrix_text(report['gradient_x'])}\n∇_Z δ* = {_matrix_text(report['gradient_z'])}")
    if report.get("saved"):
        print(f"saved {report['saved']}")
    print(f"{report['seconds']:.3f} s")


def check_dimension(n: int, args, *, formulation: str = "reduced", exact: bool = False) -> None:
    """Refuses an ``n`` whose full-space work (the full SDP, the recovered operator for --save, the
    exact certificate in the original coordinates) cannot fit: that work is on N×N matrices,
    N = n(n+1)/2; the reduced SDP is not. ``exact``: an exact certificate was asked for."""
    size = n * (n + 1) / 2
    memory, seconds = 0.0, 0.0
    if formulation == "full":
        memory, seconds = 8.0 * size**2 * 4, SDP_SECONDS_PER_N4 * size**4
    if args.save is not None:  # the operator is recovered from the N×N kernel by an eigendecomposition
        memory, seconds = max(memory, 8.0 * size**2 * 3), seconds + 10 * size**3 / FLOPS_PER_SECOND
    if exact or n <= EXACT_DEFAULT_MAX_N:
        seconds += EXACT_SECONDS_PER_OPERATION * size**3
    check_size("--x/--n/--formulation/--save/--exact", memory=memory, seconds=seconds, allow_large=args.allow_large)


def run_solve(args) -> int:
    """Solves the SDP at (X, Z), certifies the result and prints it."""
    start = time.perf_counter()
    x, z = read_pair(args)
    if args.save is not None:
        check_output_file(args.save, "--save", suffixes=SAVE_SUFFIXES)
    check_dimension(x.shape[0], args, formulation=args.formulation, exact=args.exact)
    from riptools.certify import certify_exact, certify_result
    from riptools.counterexample import counterexample_sdp

    result = counterexample_sdp(x, z, margin=args.margin, formulation=args.formulation, solver=args.solver)
    certificate = certify_result(result)
    exact = certify_exact(result) if (certificate.certified and (args.exact or result.n <= EXACT_DEFAULT_MAX_N)) else None
    report = _report(result, certificate, exact=exact, local=_degenerate_test(result, certificate, args.seed))
    if args.gradient:
        # a separate, tighter solve (GRADIENT_CLARABEL_SETTINGS): the certified solve above stays as it was
        differentiated = counterexample_sdp(x, z, margin=args.margin, formulation=args.formulation, solver=args.solver,
                                            gradient=True)
        report["gradient_x"], report["gradient_z"] = differentiated.gradient_x, differentiated.gradient_z
    report["saved"] = _save(args.save, result, certificate) if args.save else None
    report["seconds"] = time.perf_counter() - start
    print(dumps(report)) if args.json else _print_text(report)
    return 0


def run_search(args) -> int:
    """Searches for the smallest δ* and prints the best pair with its certificate."""
    start = time.perf_counter()
    if args.save is not None:
        check_output_file(args.save, "--save", suffixes=SAVE_SUFFIXES)
    check_size("--starts/--max-evaluations", seconds=args.starts * args.max_evaluations * SECONDS_PER_SOLVE / args.workers,
               allow_large=args.allow_large)
    check_dimension(args.n, args)
    # the best point is lifted to n rows: X, Z, a basis of span[X, Z] and a few n×(r + r★) work arrays
    check_size("--n", memory=8.0 * LIFTED_COPIES * args.n * (args.rank + args.true_rank), allow_large=args.allow_large)
    from riptools.search import search_min_delta

    found = search_min_delta(args.n, args.rank, args.true_rank, starts=args.starts, seed=args.seed, margin=args.margin,
                             max_evaluations=args.max_evaluations, progress=not args.json, method=args.method,
                             workers=args.workers)
    result, certificate = found.result, found.certificate
    exact = found.exact_certificate
    report = _report(result, certificate, exact=exact, local=None)
    report.update({"best_x": found.best_x, "best_z": found.best_z, "starts": found.starts, "evaluations": found.evaluations,
                   "seed": found.seed, "saved": _save(args.save, result, certificate) if args.save else None,
                   "seconds": time.perf_counter() - start})
    if args.json:
        print(dumps(report))
        return 0
    print(f"search n = {args.n}, r = {args.rank}, r★ = {args.true_rank}: {args.starts} starts, {found.evaluations} SDP solves")
    print(f"per start: {', '.join(f'{s.delta:.8f}' for s in found.starts)}")
    print(f"best X = {_matrix_text(found.best_x)}\nbest Z = {_matrix_text(found.best_z)}")
    _print_text(report)
    return 0


def run_certify(args) -> int:
    """Certifies an operator file (A, X_bad, Z) without any solver."""
    start = time.perf_counter()
    from riptools.certify import certify_example_file, certify_kernel_exact
    from riptools.objective import PointKind
    from riptools.sensing import load_operator

    stored = load_operator(args.file)
    if stored.z is not None and not stored.z.any():
        raise InputError(f"FILE: Z = 0 in {args.file}; the ground truth must be nonzero (distances and gaps are measured against ZZᵀ)")
    loaded, certificate, local = certify_example_file(args.file, seed=args.seed)
    exact = None
    if args.exact:
        margin = 0.0 if certificate.kind != PointKind.STRICT_LOCAL_MINIMUM else 0.5 * certificate.hessian_min_eig
        exact = certify_kernel_exact(loaded.operator.kernel, loaded.x_bad, loaded.z, delta=certificate.rip_delta_verified,
                                     margin=margin, delta_numeric=certificate.rip_delta_verified)
    report = {
        "file": args.file,
        "delta": certificate.rip_delta_verified,
        "delta_lower_bound": None,
        "solver": None,
        "status": None,
        "duality_gap": None,
        "classification": certificate.classification,
        "certified": certificate.certified,
        "failures": certificate.failures,
        "gradient_norm": certificate.gradient_norm,
        "hessian_min_eig": certificate.hessian_min_eig,
        "rip_delta_verified": certificate.rip_delta_verified,
        "objective_gap": certificate.objective_gap,
        "local_minimum": {"verdict": local.verdict, "how": local.how},
        "exact_certificate": _exact_summary(exact),
        "n": loaded.operator.n,
        "seconds": time.perf_counter() - start,
    }
    if args.json:
        print(dumps(report))
        return 0
    print(f"{args.file}: n = {loaded.operator.n}, m = {loaded.operator.num_measurements}")
    print(f"certificate: {'CERTIFIED' if certificate.certified else 'NOT certified'}"
          + ("" if certificate.certified else f" — {'; '.join(certificate.failures)}"))
    print(f"  X_bad is a {certificate.classification}; ‖∇f‖ = {certificate.gradient_norm:.3g}, "
          f"min Hessian eig = {certificate.hessian_min_eig:.6g}")
    print(f"  RIP constant (all of Sⁿ) = {certificate.rip_delta_verified:.10g}; f(X) − f(Z) = {certificate.objective_gap:.6g}")
    print(f"  beyond second order: {local.verdict} ({local.how})")
    if exact:
        print(f"exact certificate: δ' = {exact.delta}, μ' = {exact.margin}: {'VERIFIED' if exact.verified else 'not verified'} {exact.checks}")
    return 0


def run_atlas_command(args) -> int:
    """Runs the sharp-threshold atlas and prints one row per (r, r★) with the theory and a verdict."""
    if args.max_true_rank > args.max_rank:
        raise InputError(f"--max-true-rank: expected ≤ --max-rank = {args.max_rank}, got {args.max_true_rank}")
    if args.plot is not None:
        check_output_file(args.plot, "--plot", suffixes=PLOT_SUFFIXES)
    cells = sum(args.max_rank - true_rank + 1 for true_rank in range(1, args.max_true_rank + 1))
    check_size("--max-rank/--max-true-rank/--starts/--max-evaluations",
               seconds=cells * args.starts * args.max_evaluations * SECONDS_PER_SOLVE / args.workers, allow_large=args.allow_large)
    from riptools.executors import make_executor
    from riptools.protocols.atlas import AtlasParams, check_atlas_params, run_atlas, run_cell
    from riptools.sources.sharp_thresholds import REFERENCE, RELATED, atlas_row, plot_atlas

    params = check_atlas_params(AtlasParams(max_rank=args.max_rank, max_true_rank=args.max_true_rank, starts=args.starts,
                                            seed=args.seed, max_evaluations=args.max_evaluations))
    _, close = make_executor(workers=args.workers, scheduler=args.scheduler)  # validates --workers/--scheduler first
    close()
    result = run_atlas(params, run_cells=lambda cells: [run_cell(cell, workers=args.workers, scheduler=args.scheduler)
                                                         for cell in cells])
    rows = [atlas_row(cell) for cell in result.cells]
    if args.plot:
        plot_atlas(result.cells, args.plot)
    if args.json:
        print(dumps(rows))
        return 0
    print(f"theory: {REFERENCE.full}\n        rank 1: {RELATED[0].full}")
    print(f"{'r':>2} {'r★':>2} {'δ found':>11} {'exact δ′':>20} {'sufficient':>10} {'construction':>12} {'sharp':>8} "
          f"{'starts':>6} {'solves':>6} {'s':>6}  verdict")
    for row in rows:
        exact = f"{row['exact_certificate']['delta']}{'' if row['exact_certificate']['verified'] else ' (NOT verified)'}"
        sharp = "open" if row["sharp_value"] is None else f"{row['sharp_value']:.6f}"
        print(f"{row['rank']:>2} {row['true_rank']:>2} {row['delta']:>11.8f} {exact:>20} {row['theory_sufficient']:>10.6f} "
              f"{row['known_construction']:>12.6f} {sharp:>8} {row['starts']:>6} {row['solves']:>6} {row['seconds']:>6.1f}  "
              f"{row['verdict']} ({row['reason']})")
    if args.plot:
        print(f"figure: {args.plot}")
    print(f"{result.seconds:.1f} s")
    return 0
