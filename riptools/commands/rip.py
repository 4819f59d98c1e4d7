"""``riptools rip``: the RIP constant of an operator file or a built-in example."""

from __future__ import annotations

from riptools.commands._arguments import constant, integer, seed
from riptools.validation import InputError, check_size

EXAMPLES = ("half",)
FLOPS_PER_SECOND = 5e10
"""Optimistic floating-point rate of 2 cores for the time estimate (so the estimate is a lower bound)."""
SECONDS_PER_START = 1e-3
"""Optimistic time of one witness-search start on the smallest operators (measured: several ms)."""
SDP_SECONDS_PER_N4 = 1e-4
"""Optimistic SDP relaxation time per N⁴ (N = n(n+1)/2): measured 12, 44, 134 s at n = 5, 6, 7 on the
shared 2-core machine, about 2.4e-4·N⁴."""
SDP_BYTES_PER_N4 = 2000
"""SDP relaxation memory per N⁴: measured 0.35, 0.65, 1.5 GB at n = 5, 6, 7 (about 2500·N⁴ at n = 7)."""


def register(subparsers) -> None:
    """Adds the ``rip`` subcommand."""
    parser = subparsers.add_parser("rip", help="RIP constant of a sensing operator (exact or certified bounds)",
                                   description="Computes the RIP constant of a sensing operator at a rank: exact "
                                   "when the rank is ≥ n, otherwise certified lower and upper bounds with witnesses.")
    parser.add_argument("operator_file", nargs="?", help="operator file (.npz or .json with an array A of shape (m, n, n))")
    parser.add_argument("--example", choices=EXAMPLES, help="a built-in operator instead of a file")
    parser.add_argument("--normalisation", choices=["rip", "slides"], default="rip",
                        help="for --example half: 'rip' (A/√2, δ = 1/2 as written) or 'slides' (as printed)")
    parser.add_argument("--rank", type=integer(1), required=True, help="RIP over symmetric matrices of rank ≤ RANK")
    parser.add_argument("--starts", type=integer(1), default=constant("riptools.rip", "DEFAULT_STARTS"),
                        help="local-search starts per extreme for the witnesses")
    parser.add_argument("--seed", type=seed, default=0, help="seed of the witness search")
    parser.add_argument("--sdp-max-n", type=integer(0), default=constant("riptools.rip", "SDP_MAX_N"),
                        help="solve the SDP relaxation when n ≤ this (its size grows like n⁴; 0 = never)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.set_defaults(handler=run)


def estimate(n: int, m: int, rank: int, starts: int, sdp_max_n: int) -> tuple[float, float]:
    """Returns (bytes, seconds): optimistic estimates of :func:`riptools.rip.rip_constant`'s cost.

    The kernel H (N×N, N = n(n+1)/2) and its eigendecomposition (three N×N arrays), and the SDP
    relaxation when n ≤ sdp_max_n (growing like N⁴, measured), dominate memory and time.
    """
    size = n * (n + 1) // 2
    memory = 8.0 * (3 * size * size + m * size)
    flops = 10.0 * size**3 + 2.0 * m * size**2
    seconds = flops / FLOPS_PER_SECOND
    if rank < n:
        seconds += 2 * (starts + 1) * max(SECONDS_PER_START, 20 * 2.0 * m * n * n / FLOPS_PER_SECOND)
        if n <= sdp_max_n:
            seconds += SDP_SECONDS_PER_N4 * float(size) ** 4
            memory = max(memory, SDP_BYTES_PER_N4 * float(size) ** 4)
    return memory, seconds


def run(args) -> int:
    """Computes and prints the constant."""
    if (args.operator_file is None) == (args.example is None):
        raise InputError("OPERATOR_FILE: give exactly one of OPERATOR_FILE or --example")
    from riptools.sensing import half_example, load_operator

    if args.example:
        operator = half_example(args.normalisation).operator
    else:
        operator = load_operator(args.operator_file).operator
    memory, seconds = estimate(operator.n, operator.num_measurements, args.rank, args.starts, args.sdp_max_n)
    check_size("OPERATOR_FILE/--rank/--starts/--sdp-max-n", memory=memory, seconds=seconds, allow_large=args.allow_large)
    from riptools.results import dumps
    from riptools.rip import rip_constant

    result = rip_constant(operator, args.rank, starts=args.starts, seed=args.seed, sdp_max_n=args.sdp_max_n)
    if args.json:
        print(dumps(result.summary()))
        return 0
    print(f"operator: {operator.description} (n = {operator.n}, m = {operator.num_measurements})")
    print(f"rank ≤ {result.rank}: {'exact' if result.exact else 'bounds'} ({result.method})")
    print(f"  δ (as given)       = {result.delta:.10g}   in [{result.lower:.10g}, {result.upper:.10g}]")
    print(f"  δ (best rescaling) = {result.delta_scaled:.10g}   in [{result.delta_scaled_lower:.10g}, {result.delta_scaled_upper:.10g}]")
    print(f"  λ_min ∈ [{result.lambda_min_bounds[0]:.10g}, {result.lambda_min_bounds[1]:.10g}], "
          f"λ_max ∈ [{result.lambda_max_bounds[0]:.10g}, {result.lambda_max_bounds[1]:.10g}]")
    for bound in result.sdp:
        print(f"  SDP ({bound.extreme}): {bound.solver} {bound.status}, value {bound.value}")
    return 0
