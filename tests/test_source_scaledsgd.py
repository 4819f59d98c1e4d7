"""Tests of the ScaledSGD source (riptools.sources.scaledsgd): verdict functions, findings, prose from data."""

import dataclasses

import pytest

from riptools.findings import Verdict
from riptools.protocols.scaledsgd import BprExperiment, PairExperiment, Trajectory
from riptools.sources import all_claims, source_modules
from riptools.sources import scaledsgd as source


def _trajectory(errors, method="scaledsgd"):
    """A trajectory whose relative error after epoch e is errors[e]."""
    return Trajectory(method=method, lr=0.3, epochs=tuple(range(len(errors))), error=tuple(errors),
                      max_leverage=(0.1,) * len(errors))


def _geometric(epochs_to_1e_10: int, total: int = 200):
    """Errors falling from 1 to 1e-10 in ``epochs_to_1e_10`` epochs, then flat."""
    rate = 10 ** (-10 / epochs_to_1e_10)
    return [max(rate**e, 1e-10 if e >= epochs_to_1e_10 else rate**e) for e in range(total)]


def test_rate_verdict_compares_the_linear_rates():
    assert source.rate_verdict(_trajectory(_geometric(40)), _trajectory(_geometric(30)))[0] == Verdict.AGREES
    verdict, reason = source.rate_verdict(_trajectory(_geometric(47)), _trajectory(_geometric(20)))
    assert verdict == Verdict.DIFFERS and "factor 2" in reason
    assert source.rate_verdict(_trajectory(_geometric(40)), _trajectory([1.0] * 200))[0] == Verdict.DIFFERS


def test_slowdown_and_same_rate_verdicts():
    scaled = _trajectory(_geometric(45))
    assert source.slowdown_verdict(scaled, _trajectory([5e-4] * 200))[0] == Verdict.AGREES  # never arrives
    assert source.slowdown_verdict(scaled, _trajectory(_geometric(60)))[0] == Verdict.DIFFERS
    assert source.same_rate_verdict(_trajectory(_geometric(47)), scaled)[0] == Verdict.AGREES
    assert source.same_rate_verdict(_trajectory(_geometric(20)), scaled)[0] == Verdict.DIFFERS


def test_coherence_footnote_and_sample_verdicts():
    assert source.coherence_verdict(2.15, 0.125) == (
        Verdict.AGREES, "holds along the whole run from a random start, outside the theorem's local hypothesis"
        " (vacuous here: 16μr/d ≥ 1 ≥ g_i)")
    assert "vacuous" not in source.coherence_verdict(2.0, 0.01)[1]
    assert source.coherence_verdict(17.0, 0.01)[0] == Verdict.DIFFERS
    assert source.footnote_verdict(_trajectory([13.4] * 200))[0] == Verdict.REFUTED
    assert source.footnote_verdict(_trajectory(_geometric(45)))[0] == Verdict.AGREES
    assert source.np_max_verdict((0.07, 0.30))[0] == Verdict.AGREES
    assert source.np_max_verdict((0.07, None))[0] == Verdict.DIFFERS
    assert source.sample_ratio_verdict(4.36)[0] == Verdict.AGREES
    assert source.sample_ratio_verdict(1.5)[0] == Verdict.DIFFERS


def test_footnote_paragraph_explains_only_a_failure():
    def runs(footnote_errors):
        return {p: PairExperiment(name=p, kappa=1e4, coherence=0.1, methods={"scaledsgd": _trajectory(errors)})
                for p, errors in (("footnote", footnote_errors), ("exact", _geometric(45)), ("expected", [5e-3] * 200))}

    failed = source._footnote_paragraph(runs([13.4] * 200))
    assert "1.34e+01" in failed and "only a resynchronisation" in failed
    assert "only a resynchronisation" not in source._footnote_paragraph(runs(_geometric(50)))


def test_claims_belong_to_the_source_and_cite_the_paper():
    assert source_modules()["scaledsgd"] is source
    assert all(claim.id.startswith("scaledsgd.") for claim in source.CLAIMS)
    assert set(all_claims()) >= set(source.CLAIMS_BY_ID)
    assert {claim.source.reference for claim in source.CLAIMS} == {source.REFERENCE}
    assert source.REFERENCE.short == "G. Zhang, H.-M. Chiu, R. Y. Zhang (NeurIPS 2022)"
    assert source.REFERENCE.full.endswith("NeurIPS, 2022, arXiv:2208.11246.")
    for claim_id, verdict in source.RECORDED.items():
        if claim_id in source.CLAIMS_BY_ID:
            assert verdict == source.CLAIMS_BY_ID[claim_id].recorded_verdict


def test_bpr_findings_flag_the_stand_in():
    bpr = BprExperiment(data="generated stand-in", items=1000, train=10_000, test=1000, rank=3, np_max_auc=0.7,
                        methods={"scaledsgd": Trajectory("scaledsgd", 1.0, epochs=(0, 0.5, 1.0), auc=(0.5, 0.8, 0.95)),
                                 "sgd": Trajectory("sgd", 0.01, epochs=(0, 0.5, 1.0), auc=(0.5, 0.6, 0.75))})
    findings = source._bpr_findings(bpr, source.BPR.sized(quick=True))
    assert [f.verdict for f in findings] == [Verdict.AGREES, Verdict.AGREES, Verdict.DIFFERS]
    assert all("generated stand-in" in f.reason for f in findings)
    real = dataclasses.replace(bpr, data="MovieLens ratings ratings.csv")
    assert all("stand-in" not in f.reason for f in source._bpr_findings(real, source.BPR.sized(quick=True)))


@pytest.mark.slow
def test_reproduce_section_quick(tmp_path):
    """At the quick size every finding carries its recorded verdict; figures and data are written."""
    from riptools.reproduce import ReproduceContext

    section = source.reproduce_section(ReproduceContext(out_dir=tmp_path, quick=True, seed=0))
    assert {f.id: f.verdict for f in section.findings} == source.RECORDED
    assert "seed 00" not in section.markdown and "issue" not in section.markdown
    for figure in section.figures:
        assert (tmp_path / figure).stat().st_size > 10_000
    assert (tmp_path / "results" / "scaledsgd_bpr.json").exists()
