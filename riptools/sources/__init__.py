"""Source documents as plugins: one module per document, discovered automatically.

Adding a source is adding one file ``riptools/sources/<key>.py``; no registry is edited. A source
module defines:

- ``REFERENCE``: the document's :class:`riptools.findings.Reference` (``REFERENCE.key`` equals the
  module name); ``RELATED`` (optional): further references its findings cite.
- ``CLAIMS`` (optional): its inequality claims, records of :mod:`riptools.claims`; a stored
  counterexample of a claim (``riptools/claims/counterexamples/<claim id>.json``) must replay.
- ``CHECKS``: functions ``check(context) -> list[Finding]``, which together return every finding of
  the source (a source with ``CLAIMS`` has a check that runs them); ``context`` is the
  :class:`riptools.reproduce.ReproduceContext` of the run (its ``quick`` flag picks the protocols'
  declared sizes, its ``run`` method runs a protocol's tasks, stored and resumable). Finding ids
  start with ``<key>.``.
- ``RECORDED``: {finding id: verdict} as riptools recorded them at the quick size; the contract test
  (``tests/test_sources_contract.py``) runs every check at its quick size and asserts these.
- ``reproduce_section(context) -> Section`` (optional): the source's part of the report: the
  findings of its checks, figures, and prose computed from the data (a source without one gets a
  section listing its findings).
- ``FULL_EXPECTED_SECONDS`` (optional): expected ``--full`` time on 2 cores.

Modules whose name starts with ``_`` are helpers shared by sources, not sources.

Example:
    >>> from riptools.sources import source_modules
    >>> all(module.REFERENCE.key == key for key, module in source_modules().items())
    True
"""

from __future__ import annotations

import importlib
import pkgutil


def source_modules() -> dict[str, object]:
    """Returns {key: module} for every module of this package that defines ``REFERENCE``, by key."""
    modules = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        if hasattr(module, "REFERENCE"):
            modules[info.name] = module
    return modules


def all_claims() -> dict:
    """Returns {claim id: Claim} for the ``CLAIMS`` of every source, sources by key, claims in their order.

    Example:
        >>> "scaledsgd.sg.variance" in all_claims()
        True
    """
    return {claim.id: claim for module in source_modules().values() for claim in getattr(module, "CLAIMS", ())}
