"""The claim-check engine on claims whose truth is known, and the ``riptools check`` command."""

import importlib
import json
import math
import sys

import numpy as np
import pytest
from hypothesis import strategies as st

from riptools.claims.engine import (
    Claim,
    _adjudicate,
    _high_precision_margin,
    check_claim,
    fixed_size_strategy,
    load_counterexample,
    normalised_margin,
    replay,
    save_counterexample,
    verify,
)
from riptools.cli import main
from riptools.sources import all_claims
from riptools.findings import FINDING_KEYS, Verdict

ENGINE_BUDGET = 120
"""Instances per engine test (about a second each)."""


def _gaussian_pair(draw, n, r):
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    return {"X": rng.standard_normal((n, r)), "V": rng.standard_normal((n, r))}


def _toy_claim(claim_id, sides, *, r_range=(1, 5), n_range=(2, 30)) -> Claim:
    return Claim(
        id=claim_id,
        source="test",
        statement=claim_id,
        reading="all real matrices",
        strategy=fixed_size_strategy(_gaussian_pair),
        sides=sides,
        hypotheses=lambda instance, backend: True,
        repair=lambda instance: instance,
        free=("X", "V"),
        n_range=n_range,
        r_range=r_range,
    )


def _cauchy_schwarz(instance, backend):
    x, v = instance["X"], instance["V"]
    return np.sum(x * v) ** 2, np.sum(x * x) * np.sum(v * v)


def _frobenius_at_most_twice_spectral(instance, backend):
    # ‖X‖²_F ≤ 2‖X‖²_2 is false exactly when rank X ≥ 3, so the smallest counterexample is 3×3.
    x = instance["X"]
    return np.sum(x * x), 2 * backend.eigvalsh(x.T @ x)[-1]


def _rounding_only(instance, backend):
    # (X + V) − X − V is exactly 0; float64 leaves residues of either sign.
    x, v = instance["X"], instance["V"]
    return np.sum(((x + v) - x) - v) * 1e8, 0 * np.sum(x)


def test_a_true_inequality_is_never_refuted():
    finding = check_claim(_toy_claim("cauchy_schwarz", _cauchy_schwarz), budget=ENGINE_BUDGET, seed=0)
    assert finding.verdict == "agrees"
    assert finding.evidence["worst_margin"] >= -1e-12
    assert finding.evidence["examples_tried"] >= ENGINE_BUDGET // 2
    assert finding.reason.startswith(f"held on {finding.evidence['examples_tried']} instances") and finding.reason.endswith("not a proof")


def test_a_false_inequality_is_refuted_and_shrunk_to_the_smallest_size(tmp_path):
    claim = _toy_claim("frobenius_vs_spectral", _frobenius_at_most_twice_spectral)
    finding = check_claim(claim, budget=ENGINE_BUDGET, seed=0)
    assert finding.verdict == "refuted"
    counterexample = finding.evidence["counterexample"]
    assert counterexample["size"] == {"n": 3, "r": 3}
    assert counterexample["significant_digits"] <= 4
    assert counterexample["digits"] == [50, 80]
    assert replay(claim, counterexample) is not None
    save_counterexample(finding, tmp_path)
    assert replay(claim, load_counterexample(claim.id, tmp_path)) is not None


def test_float_rounding_cannot_fake_a_violation():
    finding = check_claim(_toy_claim("rounding", _rounding_only, n_range=(2, 6)), budget=40, seed=0)
    # Every float64 "violation" is a rounding residue that high precision re-evaluates to 0. (This
    # once varied with test order: Hypothesis drew constants from whichever modules were imported.)
    assert finding.verdict == "agrees"
    assert finding.evidence["counterexample"] is None


def test_check_cli_json_prints_findings_with_the_numbers(capsys):
    assert main(["check", "scaledsgd.sec4.lambda_min[unnormalised]", "--budget", "20", "--json"]) == 0
    (record,) = json.loads(capsys.readouterr().out)
    assert tuple(record) == FINDING_KEYS
    for key in ("claimed_constant", "observed_extreme", "worst_margin", "examples_tried", "budget", "seed", "seconds", "counterexample"):
        assert key in record["evidence"]
    counterexample = record["evidence"]["counterexample"]
    assert record["verdict"] == "refuted" and set(counterexample["inputs"]) == {"X", "Z"}
    assert counterexample["digits"] == [50, 80] and set(counterexample["size"]) == {"n", "r"}
    assert record["replay"] == "riptools check 'scaledsgd.sec4.lambda_min[unnormalised]' --budget 20 --seed 0"
    assert "Section 4" in record["source"]["citation"]


def test_check_cli_lists_and_rejects_bad_input(capsys):
    assert main(["check", "--list"]) == 0
    assert "scaledsgd.lemma3.gradient_dominance" in capsys.readouterr().out
    assert main(["check", "no.such.claim"]) == 2
    assert "no.such.claim" in capsys.readouterr().err
    assert main(["check", "scaledsgd.sg.unbiased", "--budget", "0"]) == 2
    assert "--budget" in capsys.readouterr().err


def test_a_search_does_not_depend_on_what_the_process_imported(tmp_path, monkeypatch):
    # Hypothesis draws some values from literals of the non-library modules in sys.modules, so a
    # search once depended on which modules (and which versions of them) the process had imported.
    claim = all_claims()["scaledsgd.lemma4.descent[any X]"]
    before = check_claim(claim, budget=40, seed=0).evidence
    literals = ", ".join(f"{0.37 * k:.6f}, {-0.11 * k:.6f}, {k}" for k in range(1, 40))
    (tmp_path / "decoy_constants.py").write_text(f"VALUES = [{literals}]\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setitem(sys.modules, "decoy_constants", importlib.import_module("decoy_constants"))
    after = check_claim(claim, budget=40, seed=0).evidence
    assert [after[k] for k in ("observed_extreme", "worst_margin", "examples_tried")] == [before[k] for k in ("observed_extreme", "worst_margin", "examples_tried")]


def test_the_measured_text_states_the_evidence_numbers():
    # The measured phrase once dropped the exponent of the high-precision sides (2.67e-11 read 2.675).
    import re

    finding = check_claim(all_claims()["scaledsgd.lemma3.gradient_dominance"], budget=40, seed=0)
    counterexample = finding.evidence["counterexample"]
    stated = re.search(r"lhs (\S+) > rhs (\S+);", finding.measured)
    assert stated is not None, finding.measured
    for text, exact in zip(stated.groups(), (counterexample["lhs"], counterexample["rhs"])):
        assert float(text) == pytest.approx(float(exact), rel=1e-11)
    observed = re.search(r"observed (\S+);", finding.measured).group(1)
    assert float(observed) == pytest.approx(finding.evidence["observed_extreme"], rel=1e-5)


def _sum_at_most_one(instance, backend):
    # In float64, 1 + 1e-17 rounds to 1; in exact arithmetic the sum exceeds 1.
    x = instance["X"]
    return x[0, 0] + x[1, 0] <= 1


def _always_violated(instance, backend):
    x = instance["X"]
    return np.sum(x * x) + 1, 0 * np.sum(x)


def _boundary_claim() -> Claim:
    instance = {"X": np.array([[1.0], [1e-17]]), "V": np.zeros((2, 1))}
    return Claim(
        id="boundary", source="test", statement="violated only outside its hypotheses", reading="test",
        strategy=lambda n_range, r_range: st.just(instance), sides=_always_violated, hypotheses=_sum_at_most_one,
        repair=lambda instance: None, free=("X",), n_range=(2, 2), r_range=(1, 1),
    )


def test_a_violation_outside_the_exact_hypotheses_is_not_a_counterexample():
    # The instance satisfies the hypotheses in float64 only: the high-precision re-check must reject it.
    claim = _boundary_claim()
    instance = {"X": np.array([[1.0], [1e-17]]), "V": np.zeros((2, 1))}
    assert claim.hypotheses(instance, None)  # float64: admissible
    assert verify(claim, instance) is None
    inside = {"X": np.array([[1.0], [0.0]]), "V": np.zeros((2, 1))}
    assert verify(claim, inside) is not None  # the same violation inside the hypotheses is confirmed
    finding = check_claim(claim, budget=8, seed=0)
    assert finding.verdict != Verdict.REFUTED and finding.evidence["counterexample"] is None


# The engine's decision functions on hand-made claims (no search): margins, re-verification, adjudication.

def _sides_claim(sides, relation="<=", hypotheses=lambda instance, backend: True) -> Claim:
    return Claim(id="sides", source="test", statement="test", reading="test", strategy=fixed_size_strategy(_gaussian_pair),
                 sides=sides, hypotheses=hypotheses, repair=lambda instance: instance, free=("X",), relation=relation)


def _constant_sides(lhs, rhs):
    return lambda instance, backend: (lhs, rhs)


ONE_BY_ONE = {"X": np.array([[1.0]]), "V": np.array([[0.0]])}


@pytest.mark.parametrize("lhs, rhs, margin", [(1.0, 3.0, 0.5), (3.0, 1.0, -0.5), (-1.0, 1.0, 1.0), (0.0, -2.0, -1.0), (0.0, 0.0, 0.0)])
def test_normalised_margin_of_an_inequality(lhs, rhs, margin):
    assert normalised_margin(_sides_claim(_constant_sides(lhs, rhs)), ONE_BY_ONE) == margin


@pytest.mark.parametrize("lhs, rhs, margin", [([3.0, 0.0], [0.0, 4.0], -5 / 7), ([3.0, 4.0], [0.0, 0.0], -1.0),
                                              ([1.0, 2.0], [1.0, 2.0], 0.0), ([0.0, 0.0], [0.0, 0.0], 0.0)])
def test_normalised_margin_of_an_identity(lhs, rhs, margin):
    claim = _sides_claim(_constant_sides(np.array(lhs), np.array(rhs)), relation="==")
    assert normalised_margin(claim, ONE_BY_ONE) == pytest.approx(margin, abs=1e-15)


def _shifted(text):
    # lhs = X + c with c = 10^-k exactly at the working precision: violated by c, whatever the float64 rounding.
    return lambda instance, backend: (instance["X"][0, 0] + backend.const(text), instance["X"][0, 0])


def test_verify_confirms_a_violation_at_both_precisions_and_records_it():
    record = verify(_sides_claim(_shifted("1e-30")), ONE_BY_ONE)
    assert record is not None and record["digits"] == [50, 80] and record["size"] == {"n": 1, "r": 1}
    assert float(record["lhs"]) == 1.0 and float(record["margin"]) == pytest.approx(-5e-31, rel=1e-12, abs=0)
    assert record["inputs"] == {"X": [[1.0]], "V": [[0.0]]}
    thirds = verify(_sides_claim(_shifted("6.666666666666666666666666666666666e-31")), ONE_BY_ONE)
    assert thirds["margin"] == "-3.3333333333333333333e-31"  # recorded to 20 significant digits
    # a violation below the high-precision threshold (1e-40, relative) is not confirmed
    assert verify(_sides_claim(_shifted("1e-45")), ONE_BY_ONE) is None
    assert _high_precision_margin(_sides_claim(_shifted("1e-30")), ONE_BY_ONE) == pytest.approx(-5e-31, rel=1e-12, abs=0)


def test_verify_and_the_high_precision_margin_survive_undefined_sides():
    def undefined(instance, backend):
        raise ZeroDivisionError

    assert verify(_sides_claim(undefined), ONE_BY_ONE) is None
    assert _high_precision_margin(_sides_claim(undefined), ONE_BY_ONE) == math.inf
    assert verify(_sides_claim(_shifted("1e-30"), hypotheses=lambda instance, backend: False), ONE_BY_ONE) is None


def test_adjudicate_returns_the_first_confirmed_violation_or_the_corrected_worst_margin():
    violated = _sides_claim(_shifted("1e-30"))
    record, instance, worst, unexamined = _adjudicate(violated, [(-1e-3, ONE_BY_ONE), (0.25, ONE_BY_ONE)])
    assert record is not None and instance is ONE_BY_ONE and worst == -1e-3 and unexamined == 0
    # float64 "violations" that high precision corrects: the worst margin is the corrected one
    fine = _sides_claim(_constant_sides(1.0, 1.0))
    record, instance, worst, unexamined = _adjudicate(fine, [(-1e-3, ONE_BY_ONE), (0.25, ONE_BY_ONE), (0.5, ONE_BY_ONE)])
    assert (record, instance, worst, unexamined) == (None, None, 0.0, 0)
    record, _, worst, unexamined = _adjudicate(fine, [(-1e-3, ONE_BY_ONE)] * 12 + [(0.25, ONE_BY_ONE)])
    assert record is None and worst == 0.0 and unexamined == 2  # at most 10 are re-verified
    assert _adjudicate(fine, [(-1e-10, ONE_BY_ONE), (0.25, ONE_BY_ONE)])[2] == -1e-10  # within the float tolerance
    assert _adjudicate(fine, [(5e-10, ONE_BY_ONE), (0.25, ONE_BY_ONE)])[2] == 5e-10  # not a candidate: kept as measured
    assert _adjudicate(fine, [(-1e-9, ONE_BY_ONE)])[2] == -1e-9  # exactly −FLOAT_VIOLATION_TOL is no candidate
    assert _adjudicate(fine, []) == (None, None, math.inf, 0)


def test_the_high_precision_margin_is_computed_in_mpmath_at_the_highest_precision():
    # 0.1·3 > 0.3 in float64 only; 1 + 10⁻⁶⁰ > 1 only beyond 60 digits (the margin is taken at VERIFY_DIGITS[-1] = 80).
    tenths = _sides_claim(lambda instance, backend: (backend.const("0.1") * 3, backend.const("0.3")))
    assert normalised_margin(tenths, ONE_BY_ONE) < -1e-17
    assert abs(_high_precision_margin(tenths, ONE_BY_ONE)) < 1e-45
    assert _high_precision_margin(_sides_claim(_shifted("1e-60")), ONE_BY_ONE) == pytest.approx(-5e-61, rel=1e-12, abs=0)
    assert _high_precision_margin(_sides_claim(_shifted("1e-90")), ONE_BY_ONE) == 0.0
