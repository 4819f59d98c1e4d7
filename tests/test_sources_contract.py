"""The contract every registered source follows (in the style of benchopt's tests over every plugin).

Fast: each source declares a dated, bibliographic reference, recorded verdicts and checks. Slow: every
check runs at its quick size and its verdicts equal the recorded ones; every stored counterexample of
an inequality claim replays (still violates the claim in high precision).
"""

import re
import shlex

import pytest

from riptools.claims.engine import load_counterexample, replay
from riptools.cli import build_parser
from riptools.findings import Finding, Reference, Verdict
from riptools.reproduce import ReproduceContext
from riptools.sources import source_modules

SOURCES = source_modules()
HISTORY = re.compile(r"\bseed\s*0\d\d|\bissue\s*\d|/work/|/home/|/tmp/", re.IGNORECASE)
"""Our history or a build machine's paths: never in what a reader sees of a source."""


def _claims():
    return [(key, claim) for key, module in SOURCES.items() for claim in getattr(module, "CLAIMS", ())]


def test_at_least_the_documents_riptools_was_built_on_are_registered():
    assert {"sharp_rip_slides", "zjsl_neurips2018", "zsl_jmlr2019", "scaledsgd", "subgradient_notebook",
            "learned_completion"} <= set(SOURCES)


@pytest.mark.parametrize("key", sorted(SOURCES))
def test_source_declares_reference_checks_and_recorded_verdicts(key):
    module = SOURCES[key]
    reference = module.REFERENCE
    assert isinstance(reference, Reference) and reference.key == key
    assert reference.title and reference.venue and 1900 < reference.year < 2100
    # A document that names no author (the JAX notebook) is cited by its title: authors are never invented.
    assert reference.authors or reference.title in reference.short
    assert not HISTORY.search(reference.full), reference.full
    assert module.CHECKS, f"{key}: no checks"
    assert module.RECORDED and all(isinstance(verdict, Verdict) for verdict in module.RECORDED.values())
    assert all(finding_id.startswith(f"{key}.") for finding_id in module.RECORDED), module.RECORDED


@pytest.fixture(scope="module")
def context(tmp_path_factory):
    """One quick run shared by every source (tasks several sources read are computed once)."""
    return ReproduceContext(out_dir=tmp_path_factory.mktemp("contract"), quick=True, seed=0)


@pytest.mark.slow
@pytest.mark.parametrize("key", sorted(SOURCES))
def test_checks_at_the_quick_size_give_the_recorded_verdicts(key, context):
    module = SOURCES[key]
    findings = [finding for check in module.CHECKS for finding in check(context)]
    assert all(isinstance(finding, Finding) for finding in findings)
    ids = [finding.id for finding in findings]
    assert len(ids) == len(set(ids)), f"{key}: duplicate finding ids"
    related = {key} | {reference.key for reference in getattr(module, "RELATED", ())}
    for finding in findings:
        assert finding.source.reference.key in related, finding.id
        assert not HISTORY.search(" ".join((finding.source.citation, finding.statement, finding.measured, finding.reason))), finding.id
        assert finding.verdict is Verdict.AGREES or finding.reason, f"{finding.id}: a {finding.verdict} verdict needs a reason"
        if finding.verdict is Verdict.REFUTED and finding.evidence.get("worst_margin") is not None:
            # the numbers shown beside a verdict come from the evidence that decided it
            assert finding.evidence["worst_margin"] < 0, f"{finding.id}: refuted beside a worst margin ≥ 0"
    assert {finding.id: finding.verdict for finding in findings} == module.RECORDED
    parser = build_parser()
    for finding in findings:  # a replay command riptools would reject is no replay
        program, *argv = shlex.split(finding.replay) or [""]
        if program == "riptools":
            parser.parse_args(argv)


@pytest.mark.parametrize("key, claim", _claims(), ids=[claim.id for _, claim in _claims()])
def test_stored_counterexamples_replay(key, claim):
    stored = load_counterexample(claim.id)
    if stored is None:
        assert SOURCES[key].RECORDED.get(claim.id) is not Verdict.REFUTED, f"{claim.id} is recorded refuted without a stored counterexample"
        return
    assert replay(claim, stored) is not None, f"{claim.id}: the stored counterexample no longer violates the claim"
