"""``riptools check``: put lemma inequalities on trial, the package's or a claim file's (see :mod:`riptools.claims`)."""

from __future__ import annotations

import sys
from pathlib import Path

from riptools.commands._arguments import constant, integer, seed
from riptools.findings import Finding, Verdict
from riptools.results import dumps
from riptools.validation import InputError, check_output_dir, check_size

SECONDS_PER_INSTANCE = 1e-3
"""Optimistic time of one checked instance, for the time estimate (measured: about 4 ms)."""


def register(subparsers) -> None:
    """Adds the ``check`` subcommand."""
    parser = subparsers.add_parser("check", help="check lemma inequalities (the package's, or your own with --file) on adversarial instances",
                                   description="Puts published inequalities on trial: searches admissible instances "
                                   "adversarially and reports per claim whether it holds, is refuted (with a "
                                   "counterexample verified at high precision) or is inconclusive.")
    parser.add_argument("claims", nargs="*", metavar="CLAIM_ID", help="claims to check (default: all; see --list)")
    parser.add_argument("--file", action="append", metavar="PATH",
                        help="a Python file of claims (functions decorated with riptools.claims.inequality); repeatable. "
                        "CLAIM_IDs then select among its claims")
    parser.add_argument("--budget", type=integer(4), default=constant("riptools.claims.engine", "DEFAULT_BUDGET"),
                        help="instances per claim")
    parser.add_argument("--seed", type=seed, default=0, help="seed of the search")
    parser.add_argument("--json", action="store_true", help="print one JSON document (a list of objects)")
    parser.add_argument("--list", action="store_true", help="list the claims and exit")
    parser.add_argument("--save-counterexamples", metavar="DIR", help="write each refuted claim's counterexample as DIR/<id>.json")
    parser.set_defaults(handler=run)


def select_claims(ids, files=None) -> list:
    """Returns the claim records named by ``ids`` (all when empty), the package's or those of ``files``.

    Raises:
        InputError: an id that is not a known claim, given twice, or a claim file that cannot be loaded.
    """
    from riptools.sources import all_claims

    known = _file_claims(files) if files else all_claims()
    repeated = sorted({claim_id for claim_id in ids if ids.count(claim_id) > 1})
    if repeated:
        raise InputError(f"CLAIM_ID: {', '.join(repeated)} given more than once")
    unknown = [claim_id for claim_id in ids if claim_id not in known]
    if unknown:
        raise InputError(f"CLAIM_ID: unknown claim(s) {unknown}; `riptools check --list` lists them")
    return [known[claim_id] for claim_id in ids] if ids else list(known.values())


def _file_claims(files) -> dict:
    """Returns {id: claim} of every claim file, in order.

    Raises:
        InputError: a file that cannot be loaded, or one id in two files.
    """
    from riptools.claims import load_claims

    known = {}
    for path in dict.fromkeys(str(Path(path).resolve()) for path in files):  # a file given twice is read once
        for claim in load_claims(path):
            if claim.id in known:
                raise InputError(f"--file: the claim id {claim.id!r} is defined in {known[claim.id].origin} and in {path}")
            known[claim.id] = claim
    return known


def _number(value) -> str:
    return "—" if value is None else f"{value:.6g}"


def format_table(findings: list[Finding]) -> str:
    """Returns the plain-text verdict table, then each finding that does not agree: its evidence and replay command."""
    header = f"{'claim':42s} {'verdict':12s} {'claimed':>9s} {'observed':>14s} {'worst margin':>13s} {'tried':>6s}"
    lines = [header, "-" * len(header)]
    for finding in findings:
        evidence = finding.evidence
        observed = _number(evidence["observed_extreme"])
        if evidence["observed_extreme"] is not None:
            observed = f"{evidence['extreme']} {observed}"
        lines.append(
            f"{finding.id:42s} {finding.verdict.value:12s} {_number(evidence['claimed_constant']):>9s} {observed:>14s} "
            f"{evidence['worst_margin']:>13.3g} {evidence['examples_tried']:>6d}"
        )
    lines.append("margin = (rhs − lhs)/(|lhs| + |rhs|), negative = violated; counterexamples verified at 50 and 80 digits")
    for finding in findings:
        if finding.verdict is not Verdict.AGREES:
            lines += ["", f"{finding.id} ({finding.source.citation}): {finding.verdict.value}, {finding.reason}",
                      f"  {finding.measured}", f"  replay: {finding.replay}"]
    return "\n".join(lines)


def run(args) -> int:
    """Checks the selected claims; prints the table (or JSON). Exit code 0 whatever the verdicts."""
    from riptools.claims.engine import check_claim, claim_source, save_counterexample

    selected = select_claims(args.claims, args.file)
    if args.list:
        rows = [{"id": c.id, "source": claim_source(c).citation, "reading": c.reading, "recorded_verdict": c.recorded_verdict, "statement": c.statement} for c in selected]
        if args.json:
            print(dumps(rows))
        else:
            for row in rows:
                print(f"{row['id']:42s} {row['recorded_verdict'] or '—':9s} {row['statement']}")
                if row["reading"]:
                    print(f"{'':42s} reading: {row['reading']}")
        return 0
    if args.save_counterexamples is not None:
        check_output_dir(args.save_counterexamples, "--save-counterexamples")
    check_size("--budget", seconds=len(selected) * args.budget * SECONDS_PER_INSTANCE, allow_large=args.allow_large)
    from tqdm import tqdm

    findings = []
    for claim in tqdm(selected, desc="claims", file=sys.stderr, disable=len(selected) < 2):
        findings.append(check_claim(claim, budget=args.budget, seed=args.seed))
        if args.save_counterexamples and findings[-1].verdict is Verdict.REFUTED:
            save_counterexample(findings[-1], args.save_counterexamples)
    print(dumps([finding.to_record() for finding in findings]) if args.json else format_table(findings))
    return 0
