"""Claim checks: inequalities of papers as records, put on trial by a generic search engine.

Write a claim with :func:`inequality` (in any Python file), run it with :func:`check_claim` (or
``riptools check --file PATH``, or :func:`riptools.testing.assert_holds` in pytest), and read the
:class:`riptools.findings.Finding` it returns. :mod:`riptools.claims.engine` holds the engine
(hypothesis exploration, an L-BFGS attack inside the hypotheses, verification at 50 and 80
digits, shrinking) and the numeric backends. The package's own claims belong to their documents:
each source module of :mod:`riptools.sources` lists its claims in ``CLAIMS``, and
:func:`riptools.sources.all_claims` collects them.

Example:
    >>> from riptools.claims import inequality, check_claim
    >>> from riptools import strategies as rs
    >>> @inequality(id="demo.lemma", source="My paper (2026), Lemma 1",
    ...             statement="‖XXᵀ − ZZᵀ‖_F ≤ (‖X‖₂ + ‖Z‖₂)·‖X − Z‖_F",
    ...             instances=rs.factor_pairs(n=(2, 4), r=(1, 2)))
    ... def lemma(inst, m):
    ...     x, z = inst["X"], inst["Z"]
    ...     lhs = m.fro(x @ x.T - z @ z.T)
    ...     return lhs, (m.svdvals(x)[0] + m.svdvals(z)[0]) * m.fro(x - z)
    >>> finding = check_claim(lemma, budget=20, seed=0)
    >>> finding.verdict.value, finding.source.citation
    ('agrees', 'My paper (2026), Lemma 1')
"""

from __future__ import annotations

from riptools.claims.engine import FLOAT64, MULTIPRECISION, Claim, ClaimTrial, check_claim, run_trial
from riptools.claims.user import inequality, load_claims


__all__ = ["FLOAT64", "MULTIPRECISION", "Claim", "ClaimTrial", "check_claim", "inequality", "load_claims", "run_trial"]
