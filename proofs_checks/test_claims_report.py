"""The claims part of the ScaledSGD source's report: findings of variants, figures, saved data."""

import dataclasses
import json

import pytest

from riptools.claims.engine import check_claim, run_trial, with_stored_counterexample
from riptools.reproduce import ReproduceContext
from riptools.sources import all_claims
from riptools.sources import scaledsgd as source


def test_variant_findings_are_diagnostic_and_cite_the_paper():
    claims = [all_claims()["scaledsgd.sec4.lambda_min"], all_claims()["scaledsgd.sec4.lambda_min[unnormalised]"]]
    findings = [check_claim(claim, budget=20, seed=0) for claim in claims]
    # The unnormalised form is riptools' variant, not the paper's statement: a diagnostic finding.
    assert [(f.verdict.value, f.diagnostic) for f in findings] == [("agrees", False), ("refuted", True)]
    assert findings[0].source.citation == "G. Zhang, H.-M. Chiu, R. Y. Zhang (NeurIPS 2022), Section 4"


def _captured_axes(monkeypatch):
    """Returns a list filled with (ylabel, legend labels) of every axis of the next saved figures."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    captured = []
    original = plt.Figure.savefig

    def keep(figure, *args, **kwargs):
        captured.extend((axis.get_ylabel(), axis.get_legend_handles_labels()[1]) for axis in figure.axes
                        if axis.get_visible())
        return original(figure, *args, **kwargs)

    monkeypatch.setattr(plt.Figure, "savefig", keep)
    return captured


def test_family_figure_defines_the_ratio_and_marks_violations(tmp_path, monkeypatch):
    claims = [all_claims()["scaledsgd.lemma3.gradient_dominance"], all_claims()["scaledsgd.sec4.lambda_min"]]
    trials = [run_trial(claim, budget=30, seed=0) for claim in claims]
    captured = _captured_axes(monkeypatch)
    path = tmp_path / "family.png"
    source.plot_family(path, claims, trials)
    assert path.stat().st_size > 1000
    (dominance_label, dominance_legend), (lambda_label, _) = captured
    assert dominance_label.startswith("(‖∇f(X)‖*_X)²/f(X)") and lambda_label.startswith("λ_min(XᵀX)")
    # Lemma 3 (second part) is refuted: its verified counterexample is drawn, and the claimed line says which side.
    assert "verified counterexample" in dominance_legend and "claimed: statistic ≥ 13" in dominance_legend
    violations = sum(1 for _, _, margin in trials[0].samples if margin is not None and margin < 0)
    assert (f"float64 violations ({violations})" in dominance_legend) == (violations > 0)


def test_stored_counterexample_refutes_when_the_search_misses():
    claim = all_claims()["scaledsgd.sg.variance"]
    found = check_claim(claim, budget=20, seed=0)
    evidence = dict(found.evidence, counterexample=None)
    missed = dataclasses.replace(found, verdict="agrees", evidence=evidence)  # as if the search had missed it
    replayed = with_stored_counterexample(claim, missed)
    assert replayed.verdict == "refuted" and replayed.evidence["counterexample"]["size"] == {"n": 2, "r": 1}
    assert replayed.reason.startswith("stored counterexample") and "found none" in replayed.reason


@pytest.mark.slow
def test_claim_findings_at_the_quick_size_are_the_recorded_ones(tmp_path):
    findings = source.check_claims(ReproduceContext(out_dir=tmp_path, quick=True, seed=0))
    assert {f.id: f.verdict for f in findings} == {c.id: c.recorded_verdict for c in source.CLAIMS}
    saved_context = ReproduceContext(out_dir=tmp_path, quick=True, seed=0)
    assert source.check_claims(saved_context) == findings  # stored: the rerun reuses every trial
    assert saved_context.counts["computed"] == 0
    assert json.dumps([f.to_record() for f in findings])
