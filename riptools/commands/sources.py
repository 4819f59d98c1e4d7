"""``riptools sources``: the source documents riptools checks, with their numbers of claims and checks."""

from __future__ import annotations

from riptools.results import dumps
from riptools.sources import source_modules


def register(subparsers) -> None:
    """Adds the ``sources`` subcommand."""
    parser = subparsers.add_parser("sources", help="list the source documents (key, citation, claims, checks)")
    parser.add_argument("--json", action="store_true", help="print one JSON array")
    parser.set_defaults(handler=run)


def source_records() -> list[dict]:
    """Returns one record per registered source: key, citation, the reference's fields, numbers of claims and checks.

    Example:
        >>> all(record["year"] > 0 for record in source_records())
        True
    """
    records = []
    for key, module in source_modules().items():
        reference = module.REFERENCE
        records.append({
            "key": key,
            "citation": reference.full,
            "authors": list(reference.authors),
            "title": reference.title,
            "venue": reference.venue,
            "year": reference.year,
            "arxiv": reference.arxiv,
            "url": reference.url,
            "claims": len(getattr(module, "CLAIMS", ())),
            "checks": len(getattr(module, "CHECKS", ())),
        })
    return records


def run(args) -> int:
    """Prints the sources as a table, or as JSON with ``--json``."""
    records = source_records()
    if args.json:
        print(dumps(records, indent=2, ensure_ascii=False))
        return 0
    width = max((len(record["key"]) for record in records), default=3)
    print(f"{'key':<{width}}  claims  checks  citation")
    for record in records:
        print(f"{record['key']:<{width}}  {record['claims']:>6}  {record['checks']:>6}  {record['citation']}")
    return 0
