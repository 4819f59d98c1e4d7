"""The "Claim checks" section of REPORT.md: verdict rows, figures, saved data."""

import dataclasses
import json

import pytest

from riptools.claims import all_claims
from riptools.claims.engine import check_claim, run_trial, with_stored_counterexample
from riptools.experiments import claims as experiment
from riptools.reproduce import ReproduceContext


def test_verdict_rows_and_figure_for_two_claims(tmp_path):
    claims = [all_claims()["sec4.lambda_min"], all_claims()["sec4.lambda_min[unnormalised]"]]
    trials = [run_trial(claim, budget=20, seed=0) for claim in claims]
    rows = experiment.verdict_rows(claims, [trial.finding for trial in trials])
    # The unnormalised form is riptools' variant, not the paper's statement: no row.
    assert [row.verdict for row in rows] == ["agrees"]
    assert rows[0].source.endswith("Section 4")
    path = tmp_path / "family.png"
    experiment.plot_family(path, claims, trials)
    assert path.stat().st_size > 1000


def test_stored_counterexample_refutes_when_the_search_misses():
    claim = all_claims()["sg.variance"]
    found = check_claim(claim, budget=20, seed=0)
    evidence = dict(found.evidence, counterexample=None)
    missed = dataclasses.replace(found, verdict="agrees", evidence=evidence)  # as if the search had missed it
    replayed = with_stored_counterexample(claim, missed)
    assert replayed.verdict == "refuted" and replayed.evidence["counterexample"]["size"] == {"n": 2, "r": 1}
    assert replayed.reason.startswith("stored counterexample") and "found none" in replayed.reason


@pytest.mark.slow
def test_reproduce_section_quick(tmp_path):
    section = experiment.reproduce_section(ReproduceContext(out_dir=tmp_path, quick=True, seed=0))
    recorded = {claim.id: claim.recorded_verdict for claim in all_claims().values()}
    saved = json.loads((tmp_path / "results" / "claims.json").read_text())
    assert {record["id"]: record["verdict"] for record in saved} == recorded
    assert all((tmp_path / figure).exists() for figure in section.figures)
