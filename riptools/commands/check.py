"""``riptools check``: put the seeds' lemma inequalities on trial (see :mod:`riptools.claims`)."""

from __future__ import annotations

import sys

from tqdm import tqdm

from riptools.claims import all_claims
from riptools.claims.engine import DEFAULT_BUDGET, ClaimResult, check_claim, save_counterexample
from riptools.results import dumps
from riptools.validation import InputError


def register(subparsers) -> None:
    """Adds the ``check`` subcommand."""
    parser = subparsers.add_parser("check", help="check lemma inequalities of the seeds on adversarial instances")
    parser.add_argument("claims", nargs="*", metavar="CLAIM_ID", help="claims to check (default: all; see --list)")
    parser.add_argument("--budget", type=int, default=DEFAULT_BUDGET, help=f"instances per claim (default {DEFAULT_BUDGET})")
    parser.add_argument("--seed", type=int, default=0, help="seed of the search (default 0)")
    parser.add_argument("--json", action="store_true", help="print one JSON document (a list of objects)")
    parser.add_argument("--list", action="store_true", help="list the claims and exit")
    parser.add_argument("--save-counterexamples", metavar="DIR", help="write each refuted claim's counterexample as DIR/<id>.json")
    parser.set_defaults(handler=run)


def select_claims(ids) -> list:
    """Returns the claim records named by ``ids`` (all when empty).

    Raises:
        InputError: an id that is not a known claim.
    """
    known = all_claims()
    unknown = [claim_id for claim_id in ids if claim_id not in known]
    if unknown:
        raise InputError(f"CLAIM_ID: unknown claim(s) {unknown}; `riptools check --list` lists them")
    return [known[claim_id] for claim_id in ids] if ids else list(known.values())


def result_record(result: ClaimResult) -> dict:
    """Returns the JSON object of one result (keys: id, source, verdict, claimed_constant, … counterexample)."""
    verification = None
    if result.counterexample is not None:
        verification = {key: value for key, value in result.counterexample.items() if key != "inputs"}
    return {
        "id": result.id,
        "source": result.source,
        "statement": result.statement,
        "reading": result.reading,
        "verdict": result.verdict,
        "claimed_constant": result.claimed_constant,
        "observed_extreme": result.observed_extreme,
        "extreme": result.extreme,
        "worst_margin": result.worst_margin,
        "examples_tried": result.examples_tried,
        "budget": result.budget,
        "seed": result.seed,
        "seconds": round(result.seconds, 3),
        "counterexample": None if result.counterexample is None else result.counterexample["inputs"],
        "counterexample_verification": verification,
        "note": result.note,
    }


def _number(value) -> str:
    return "—" if value is None else f"{value:.6g}"


def format_table(results: list[ClaimResult]) -> str:
    """Returns the plain-text verdict table."""
    header = f"{'claim':42s} {'verdict':12s} {'claimed':>9s} {'observed':>11s} {'worst margin':>13s} {'tried':>6s}"
    lines = [header, "-" * len(header)]
    for result in results:
        observed = _number(result.observed_extreme)
        if result.observed_extreme is not None:
            observed = f"{result.extreme} {observed}"
        lines.append(
            f"{result.id:42s} {result.verdict:12s} {_number(result.claimed_constant):>9s} {observed:>11s} "
            f"{result.worst_margin:>13.3g} {result.examples_tried:>6d}"
        )
    lines.append("margin = (rhs − lhs)/(|lhs| + |rhs|), negative = violated; counterexamples verified at 50 and 80 digits")
    return "\n".join(lines)


def run(args) -> int:
    """Checks the selected claims; prints the table (or JSON). Exit code 0 whatever the verdicts."""
    selected = select_claims(args.claims)
    if args.list:
        rows = [{"id": c.id, "source": c.source, "reading": c.reading, "recorded_verdict": c.recorded_verdict, "statement": c.statement} for c in selected]
        if args.json:
            print(dumps(rows))
        else:
            for row in rows:
                print(f"{row['id']:42s} {row['recorded_verdict']:9s} {row['statement']}\n{'':42s} reading: {row['reading']}")
        return 0
    if args.budget < 4:
        raise InputError(f"--budget: expected an integer ≥ 4, got {args.budget}")
    results = []
    for claim in tqdm(selected, desc="claims", file=sys.stderr, disable=len(selected) < 2):
        results.append(check_claim(claim, budget=args.budget, seed=args.seed))
        if args.save_counterexamples and results[-1].counterexample is not None:
            save_counterexample(results[-1], args.save_counterexamples)
    print(dumps([result_record(result) for result in results]) if args.json else format_table(results))
    return 0
