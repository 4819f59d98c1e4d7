"""Tests of the learned-completion source (riptools.sources.learned_completion): verdicts and findings."""

import dataclasses

import numpy as np
import pytest

from riptools.findings import Verdict
from riptools.protocols.completion import SLIDE_EXAMPLES, NonUniqueWitness, slide_example
from riptools.sources import learned_completion as source


@pytest.fixture(scope="module")
def worked_2x2():
    return slide_example(SLIDE_EXAMPLES[0])


def test_worked_example_verdict(worked_2x2):
    assert worked_2x2.exact == "unique" and not worked_2x2.slides_count_condition
    assert source.worked_example_verdict(worked_2x2)[0] == Verdict.AGREES
    off = dataclasses.replace(worked_2x2, completion_vs_printed=10 * source.PRINTED_TOL)
    assert source.worked_example_verdict(off)[0] == Verdict.DIFFERS
    ambiguous = dataclasses.replace(worked_2x2, distinct_completions=2)
    assert source.worked_example_verdict(ambiguous)[0] == Verdict.DIFFERS


def _witness(completions: int, condition: bool = True) -> NonUniqueWitness:
    return NonUniqueWitness(instance={}, slides_count_condition=condition, jacobian_rank=20, degrees_of_freedom=20,
                            truth=np.zeros((2, 2)), completions=[np.zeros((2, 2))] * completions,
                            observed_residuals=[0.0] * completions, third_singular_values=[0.0] * completions)


def test_mask_condition_is_refuted_by_either_direction(worked_2x2):
    """Refuted when the condition is not necessary (the slides' 2×2) or not sufficient (a witness)."""
    assert source.mask_condition_verdict(worked_2x2, _witness(1))[0] == Verdict.REFUTED
    counted = dataclasses.replace(worked_2x2, slides_count_condition=True)
    assert source.mask_condition_verdict(counted, _witness(2))[0] == Verdict.REFUTED
    assert source.mask_condition_verdict(counted, _witness(1))[0] == Verdict.AGREES
    assert source.mask_condition_verdict(counted, _witness(2, condition=False))[0] == Verdict.AGREES


def test_reference_is_bibliographic():
    assert source.REFERENCE.short == ("M. Alkady (Machine Learning for Physicists and Mathematicians Summer School, "
                                      "Northeastern University 2025)")
    assert "003_" not in source.REFERENCE.full


@pytest.mark.slow
def test_reproduce_section_quick(tmp_path):
    """At the quick size every finding carries its recorded verdict; the prose names no seed file."""
    from riptools.reproduce import ReproduceContext

    section = source.reproduce_section(ReproduceContext(out_dir=tmp_path, quick=True, seed=0))
    assert {f.id: f.verdict for f in section.findings} == source.RECORDED
    assert "seed 00" not in section.markdown and "issue" not in section.markdown
    assert all(f.replay.startswith("riptools nn") for f in section.findings)
    assert (tmp_path / "completion_comparison.png").stat().st_size > 10_000
    network = next(f for f in section.findings if f.id.endswith("network_learns"))
    assert ("worse than predicting 0" in network.reason) == (max(network.evidence["network_errors"].values()) > 1)
