"""Claim checks: papers' inequalities as records, put on trial by a generic search engine.

:mod:`riptools.claims.engine` holds the engine (search, adversarial refinement, high-precision
verification, shrinking); :mod:`riptools.claims.scaledsgd` the claims of seed 001 (ScaledSGD);
:mod:`riptools.claims.matrix_functions` the quantities they use. :func:`all_claims` lists every
claim riptools knows, in report order.
"""

from __future__ import annotations

from riptools.claims.engine import Claim, ClaimTrial, check_claim, run_trial


def all_claims() -> dict:
    """Returns {claim id: Claim} for every registered claim, in report order."""
    from riptools.claims import scaledsgd

    return scaledsgd.claims_by_id()


__all__ = ["Claim", "ClaimTrial", "all_claims", "check_claim", "run_trial"]
