"""Tests of the notebook source (riptools.sources.subgradient_notebook): verdicts, findings, prose from data."""

import dataclasses

import pytest

from riptools.findings import Verdict
from riptools.protocols.divergence import (
    ClassMechanism,
    DivergenceStudy,
    ProbabilityEstimate,
    Regime,
    RunClass,
    notebook_starts,
    run_study,
)
from riptools.sources import subgradient_notebook as source
from riptools.statistics import wilson_interval


def _estimate(unbounded, trapped_count, count=1000, iters=10**6):
    low, high = wilson_interval(unbounded, count)
    t_low, t_high = wilson_interval(trapped_count, count)
    return ProbabilityEstimate(regime=Regime(0.1, 0.501, 10**7), iters=iters, count=count, seed=0, counts={},
                               unbounded=unbounded, fraction=unbounded / count, low=low, high=high,
                               notebook_criterion=trapped_count, trapped=trapped_count, trapped_low=t_low,
                               trapped_high=t_high)


@pytest.mark.parametrize("unbounded, trapped_count, verdict", [
    (160, 160, Verdict.AGREES), (0, 150, Verdict.DIFFERS), (20, 30, Verdict.REFUTED), (100, 100, Verdict.INCONCLUSIVE)])
def test_probability_verdict(unbounded, trapped_count, verdict):
    got, reason = source.probability_verdict(_estimate(unbounded, trapped_count))
    assert got == verdict and "shortened to 1e6 of 1e7" in reason


def test_probability_verdict_of_a_full_length_run_has_no_shortening_note():
    assert source.probability_verdict(_estimate(160, 160, iters=10**7)) == (Verdict.AGREES, "")


def test_shortened_runs_that_change_class_make_the_verdict_inconclusive():
    verdict, reason = source.probability_verdict(_estimate(160, 160), shortening_changes=14)
    assert verdict == Verdict.INCONCLUSIVE and "14 notebook starts" in reason


def test_keys_verdict_names_the_missing_and_extra_keys():
    assert source.keys_verdict(source.NOTEBOOK_REPORTED_KEYS, steps=10**7) == (Verdict.AGREES, "")
    verdict, reason = source.keys_verdict((1, 5, 7), steps=10**6)
    assert verdict == Verdict.DIFFERS
    assert "[6, 13" in reason and "[7]" in reason and "K = 1e6" in reason


def test_criterion_verdict():
    assert source.criterion_verdict({"a": [], "b": []})[0] == Verdict.AGREES
    assert source.criterion_verdict({"a": [], "b": [3]})[0] == Verdict.DIFFERS


def test_stall_law_fits_the_exponent_and_needs_two_alphas():
    assert source.stall_law([(0.01, 5.32), (0.001, 9.46), (0.0001, 16.82)]) == pytest.approx(-0.25, abs=0.002)
    assert source.stall_law([(0.01, 5.0), (0.01, 5.1)]) is None


def _study(*, balance: float, bounded=None) -> DivergenceStudy:
    stats = ClassMechanism(runs=13, final_x1y2_negative=13, f_at_least_1_on_last_decade=13, trapped=13,
                           median_final_products=(1.0, -0.001, 1.0), median_growth_exponent=0.124,
                           predicted_growth_exponent=0.12475, median_final_norm=20.0,
                           max_relative_imbalance_change=0.1, median_final_imbalance_over_squared_norm=balance)
    mechanism = {RunClass.UNBOUNDED.value: stats}
    if bounded is not None:
        mechanism[RunClass.BOUNDED.value] = dataclasses.replace(stats, median_final_norm=bounded)
    return DivergenceStudy(regime=Regime(0.01, 0.0, 10**7), inits="notebook", seed=None, runs=(),
                           unbounded_indices=(), notebook_criterion_indices=(), criterion_disagreements=(),
                           counts={c.value: 0 for c in RunClass}, mechanism=mechanism)


def test_balanced_growth_is_said_only_when_the_imbalance_is_small():
    assert "the growth is balanced" in source._mechanism_text(_study(balance=0.01))
    text = source._mechanism_text(_study(balance=0.4))
    assert "the growth is balanced" not in text and "not balanced" in text


def test_stall_law_sentence_follows_the_data():
    """α^(−1/4) is claimed only when the stall norms across α fit it; one α gives no sentence."""
    studies = [dataclasses.replace(_study(balance=0.0, bounded=norm), regime=Regime(alpha, 0.0, 10**7))
               for alpha, norm in ((0.01, 5.32), (0.001, 9.46), (0.0001, 16.82))]
    assert "consistent with a stall norm ∝ α^(−1/4)" in source._stall_law_sentence(studies)
    flat = [dataclasses.replace(s, mechanism={**s.mechanism, "bounded, not converged": dataclasses.replace(
        s.mechanism["bounded, not converged"], median_final_norm=5.0)}) for s in studies]
    assert "not the α^(−1/4) law" in source._stall_law_sentence(flat)
    assert source._stall_law_sentence(studies[:1]) == ""


def test_mechanism_figure_labels_every_panel(tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    study, runs = run_study(Regime(0.1, 0.501, 2000), notebook_starts()[:8], inits="notebook")
    captured = {}
    original = plt.Figure.savefig

    def keep(figure, *args, **kwargs):
        captured["labels"] = [axis.get_ylabel() for axis in figure.axes]
        return original(figure, *args, **kwargs)

    plt.Figure.savefig = keep
    try:
        source.plot_mechanism(study, runs, tmp_path / "mechanism.png")
    finally:
        plt.Figure.savefig = original
    assert len(captured["labels"]) == 3 and all(captured["labels"])
    assert (tmp_path / "mechanism.png").stat().st_size > 10_000


@pytest.mark.slow
def test_reproduce_section_quick(tmp_path):
    """At the quick size the findings carry their recorded verdicts, citations and generated replays."""
    from riptools.reproduce import ReproduceContext

    section = source.reproduce_section(ReproduceContext(out_dir=tmp_path, quick=True, seed=0))
    assert {f.id: f.verdict for f in section.findings} == source.RECORDED
    for finding in section.findings:
        assert finding.source.citation.startswith("“Matrix Completion” (Jupyter notebook 2025)")
        assert finding.replay.startswith("riptools diverge")
    assert "seed 0" not in section.markdown.replace("--seed 0", "")
    for figure in section.figures:
        assert (tmp_path / figure).stat().st_size > 10_000
    assert (tmp_path / "results" / "divergence_probability.json").exists()
