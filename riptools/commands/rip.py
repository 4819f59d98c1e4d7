"""``riptools rip``: the RIP constant of an operator file or a built-in example."""

from __future__ import annotations

from riptools.results import dumps
from riptools.rip import DEFAULT_STARTS, SDP_MAX_N, rip_constant
from riptools.sensing import half_example, load_operator
from riptools.validation import InputError

EXAMPLES = {"half": half_example}


def register(subparsers) -> None:
    """Adds the ``rip`` subcommand."""
    parser = subparsers.add_parser("rip", help="RIP constant of a sensing operator (exact or certified bounds)")
    parser.add_argument("operator_file", nargs="?", help="operator file (.npz or .json with an array A of shape (m, n, n))")
    parser.add_argument("--example", choices=sorted(EXAMPLES), help="a built-in operator instead of a file")
    parser.add_argument("--normalisation", choices=["rip", "slides"], default="rip",
                        help="for --example half: 'rip' (A/√2, δ = 1/2 as written) or 'slides' (as printed)")
    parser.add_argument("--rank", type=int, required=True, help="RIP over symmetric matrices of rank ≤ RANK")
    parser.add_argument("--starts", type=int, default=DEFAULT_STARTS, help="local-search starts for the witnesses")
    parser.add_argument("--seed", type=int, default=0, help="seed of the witness search")
    parser.add_argument("--sdp-max-n", type=int, default=SDP_MAX_N, help="solve the SDP relaxation when n ≤ this")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.set_defaults(handler=run)


def run(args) -> int:
    """Computes and prints the constant."""
    if (args.operator_file is None) == (args.example is None):
        raise InputError("give exactly one of OPERATOR_FILE or --example")
    if args.example:
        operator = EXAMPLES[args.example](args.normalisation).operator
    else:
        operator = load_operator(args.operator_file).operator
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
