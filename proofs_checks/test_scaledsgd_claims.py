"""One test per claim of seed 001 (ScaledSGD): each asserts the verdict recorded in its Claim record.

Refuted claims: the stored counterexample (package data) still violates the claim when the
hypotheses and both sides are re-evaluated at 50 and 80 digits, and it is small. Claims that hold:
a fixed-budget search (hypothesis + L-BFGS-B attack, seed 1, a different seed from the recorded
search) finds no violation — evidence within that budget, not a proof.
"""

import pytest

from riptools.sources import all_claims
from riptools.claims.engine import check_claim, load_counterexample, replay

HOLDS_BUDGET = 100
"""Instances per claim that holds (~0.5–1 s each on one core): small, but the attack is real."""
SMALLEST_SIZE = 3
"""Stored counterexamples were shrunk: none needs n > 3."""

CLAIMS = all_claims()


@pytest.mark.parametrize("claim_id", [i for i, c in CLAIMS.items() if c.recorded_verdict == "refuted"])
def test_refuted_claim_counterexample_replays_in_high_precision(claim_id):
    claim = CLAIMS[claim_id]
    stored = load_counterexample(claim_id)
    assert stored is not None, f"{claim_id}: recorded as refuted but no counterexample is stored"
    record = replay(claim, stored)
    assert record is not None, f"{claim_id}: the stored counterexample no longer violates the claim"
    assert float(record["margin"]) < 0
    assert record["size"]["n"] <= SMALLEST_SIZE
    # The stored sides are the ones recomputed now (30 significant digits).
    assert record["lhs"] == stored["lhs"] and record["rhs"] == stored["rhs"]


@pytest.mark.parametrize("claim_id", [i for i, c in CLAIMS.items() if c.recorded_verdict == "agrees"])
def test_claim_that_holds_survives_a_fixed_budget_search(claim_id):
    finding = check_claim(CLAIMS[claim_id], budget=HOLDS_BUDGET, seed=1)
    assert finding.verdict == "agrees", finding.reason
    evidence = finding.evidence
    assert evidence["counterexample"] is None
    if evidence["claimed_constant"] is not None and evidence["observed_extreme"] is not None:
        # A violation of a constant-type claim would show here first (rounding slack only).
        if evidence["extreme"] == "max":
            assert evidence["observed_extreme"] <= evidence["claimed_constant"] * (1 + 1e-9)
        else:
            assert evidence["observed_extreme"] >= evidence["claimed_constant"] * (1 - 1e-9)


def test_claim_ids_are_the_ones_the_issue_names():
    required = {f"lemma3.descent[C={c}]" for c in ("0.1", "0.2", "0.5", "1", "2", "5")} | {
        "lemma3.gradient_dominance",
        "sec4.cos_identity",
        "sec4.lambda_min",
        "lemma4.descent",
        "lemma4.coherence_decrement",
        "sg.unbiased",
        "sg.variance",
    }
    assert {f"scaledsgd.{name}" for name in required} <= set(CLAIMS)
    assert all(claim.recorded_verdict in {"agrees", "refuted"} for claim in CLAIMS.values())


DEEP_BUDGET = 1500
"""Instances per claim in the slow search (~5–20 s per claim)."""


@pytest.mark.slow
@pytest.mark.parametrize("claim_id", [i for i, c in CLAIMS.items() if c.recorded_verdict == "agrees"])
def test_claim_that_holds_survives_a_deep_search(claim_id):
    finding = check_claim(CLAIMS[claim_id], budget=DEEP_BUDGET, seed=2)
    assert finding.verdict == "agrees", finding.reason
