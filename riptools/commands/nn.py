"""``riptools nn``: the learned-completion slides' network baseline against exact completion, and their claims.

``riptools nn compare [--quick] [--json] [--seed S]`` prints the network-vs-exact table and the slide
examples; ``riptools nn claims [--json] [--seed S] [--samples N]`` prints the findings on the slides'
claims about random rank-r matrices. With ``--json`` exactly one JSON document goes to stdout: for
``compare`` an object with ``rows``, ``skipped``, ``slide_examples`` (each with ``input``,
``riptools_completion``, ``printed_prediction``, …), ``witness``, ``quick`` and ``seed``; for
``claims`` a list of Finding records (:meth:`riptools.findings.Finding.to_record`, the keys of
``riptools check --json``).
"""

from __future__ import annotations

import sys

from riptools.commands._arguments import constant, integer
from riptools.results import dumps
from riptools.validation import check_size

MIN_SAMPLES = 1000
"""Fewer simulated entries make the simulation cross-checks meaningless."""
NN_SEED_MAX = 2**32 - 2**16 - 1
"""scikit-learn's random_state must be below 2³², and the tasks add their index (or 100 + r) to the base seed."""
NN_SEED = integer(0, NN_SEED_MAX)
SECONDS_PER_NORMAL = 5e-9
"""Optimistic time to draw and multiply one standard normal (NumPy), for the time estimate."""


def register(subparsers) -> None:
    """Adds ``nn compare`` and ``nn claims``."""
    parser = subparsers.add_parser("nn", help="learned-completion slides: MLP baseline vs exact completion, and their claims")
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    compare = actions.add_parser("compare", help="network vs exact completion table and the slide examples")
    compare.add_argument("--quick", action="store_true", help="small sizes (600 matrices, 20 epochs, one mask count per (n, r))")
    compare.add_argument("--json", action="store_true", help="print one JSON document")
    compare.add_argument("--seed", type=NN_SEED, default=0, help=f"base seed, at most {NN_SEED_MAX} (default 0)")
    compare.set_defaults(handler=run_compare)
    claims = actions.add_parser("claims", help="check the slides' claims (variance, K₀ density, dof, 68.4%%)")
    claims.add_argument("--json", action="store_true", help="print one JSON document (a list of Finding records)")
    claims.add_argument("--seed", type=NN_SEED, default=0, help=f"seed of the simulations, at most {NN_SEED_MAX} (default 0)")
    claims.add_argument("--samples", type=integer(MIN_SAMPLES), default=200_000,
                        help="simulated entries per rank for the cross-checks (default 200000)")
    claims.set_defaults(handler=run_claims)


def run_compare(args) -> int:
    """Runs the comparison and prints it (markdown table, or JSON)."""
    from riptools.protocols.completion import compare
    from riptools.sources.learned_completion import comparison_markdown

    comparison = compare(quick=args.quick, seed=args.seed, progress=sys.stderr.isatty())
    print(dumps(comparison) if args.json else comparison_markdown(comparison))
    return 0


def run_claims(args) -> int:
    """Checks the claims and prints the findings (one line each, or JSON)."""
    ranks = constant("riptools.completion.claims", "RANKS")
    # per rank, two (samples × r) Gaussian factors and their product: twice, for two claims
    check_size("--samples", memory=3 * 8.0 * args.samples * max(ranks),
               seconds=2 * 2 * SECONDS_PER_NORMAL * args.samples * sum(ranks), allow_large=args.allow_large)
    from riptools.protocols.completion import CLAIM_NUMBERS, claim_measurements
    from riptools.sources.learned_completion import claim_findings

    findings = claim_findings(claim_measurements(CLAIM_NUMBERS.params(seed=args.seed, samples=args.samples)))
    if args.json:
        print(dumps([finding.to_record() for finding in findings]))
    else:
        for finding in findings:
            print(f"{finding.id:48s} {finding.verdict.value:12s} {finding.measured}")
            if finding.verdict.value != "agrees":
                print(f"{'':48s} ↳ {finding.statement}: {finding.reason}")
    return 0
