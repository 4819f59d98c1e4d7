"""``riptools nn``: the neural-network completion baseline of seed 003 and its claims.

``riptools nn compare [--quick] [--json] [--seed S]`` prints the network-vs-exact table and the slide
examples; ``riptools nn claims [--json] [--seed S]`` prints the claim checks. With ``--json`` exactly
one JSON document goes to stdout: for ``compare`` an object with ``rows``, ``skipped``,
``slide_examples`` (each with ``input``, ``riptools_completion``, ``printed_prediction``, …),
``quick`` and ``seed``; for ``claims`` a list of objects with ``id``, ``statement``, ``verdict``,
``value`` (and ``source``, ``source_says``, ``method``, ``details``, ``seed``).
"""

from __future__ import annotations

import sys

from riptools.commands._arguments import seed
from riptools.results import dumps


def register(subparsers) -> None:
    """Adds ``nn compare`` and ``nn claims``."""
    parser = subparsers.add_parser("nn", help="seed 003: MLP completion baseline vs exact completion, and the slides' claims")
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    compare = actions.add_parser("compare", help="network vs exact completion table and the slide examples")
    compare.add_argument("--quick", action="store_true", help="small sizes (600 matrices, 20 epochs, one mask count per (n, r))")
    compare.add_argument("--json", action="store_true", help="print one JSON document")
    compare.add_argument("--seed", type=seed, default=0, help="base seed (default 0)")
    compare.set_defaults(handler=run_compare)
    claims = actions.add_parser("claims", help="check the slides' claims (variance, K₀ density, dof, 68.4%%)")
    claims.add_argument("--json", action="store_true", help="print one JSON document")
    claims.add_argument("--seed", type=seed, default=0, help="seed of the simulations (default 0)")
    claims.set_defaults(handler=run_claims)


def run_compare(args) -> int:
    """Runs the comparison and prints it (markdown table, or JSON)."""
    from riptools.experiments.completion import compare, comparison_markdown

    comparison = compare(quick=args.quick, seed=args.seed, progress=sys.stderr.isatty())
    print(dumps(comparison) if args.json else comparison_markdown(comparison))
    return 0


def run_claims(args) -> int:
    """Checks the claims and prints them (one line each, or JSON)."""
    from riptools.completion.claims import check_claims

    claims = check_claims(seed=args.seed)
    if args.json:
        print(dumps(claims))
    else:
        for claim in claims:
            print(f"{claim.id:32s} {claim.verdict:12s} {claim.value}")
            if claim.verdict != "agrees":
                print(f"{'':32s} ↳ {claim.statement}")
    return 0
