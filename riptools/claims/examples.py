"""Example claims written with the public API: a template for your own, and the docstrings' examples.

Copy this file's shape to put your own lemma on trial (``riptools check --file my_claims.py``):
one function per claim, decorated with :func:`riptools.claims.inequality`, computing both sides
with the backend ``m`` only, so the same code runs in float64 during the search and at 50 and 80
digits to verify a violation.

Example:
    >>> from riptools.claims import check_claim
    >>> [check_claim(claim, budget=10).verdict.value for claim in (residual_bound, spectral_below_frobenius, frobenius_below_half_spectral)]
    ['agrees', 'agrees', 'refuted']
"""

from __future__ import annotations

from riptools import strategies as rs
from riptools.claims.user import inequality

SOURCE = "Matrix norm facts (textbook)"


@inequality(id="examples.residual_bound", source=SOURCE, statement="‖XXᵀ − ZZᵀ‖_F ≤ (‖X‖₂ + ‖Z‖₂)·‖X − Z‖_F",
            instances=rs.factor_pairs(n=(2, 6), r=(1, 3)))
def residual_bound(inst, m):
    """Returns the sides of ‖XXᵀ − ZZᵀ‖_F ≤ (‖X‖₂ + ‖Z‖₂)·‖X − Z‖_F (true: XXᵀ − ZZᵀ = X(X − Z)ᵀ + (X − Z)Zᵀ)."""
    x, z = inst["X"], inst["Z"]
    return m.fro(x @ m.transpose(x) - z @ m.transpose(z)), (m.svdvals(x)[0] + m.svdvals(z)[0]) * m.fro(x - z)


@inequality(id="examples.spectral_below_frobenius", source=SOURCE, statement="‖X‖₂ ≤ ‖X‖_F (equality iff rank X ≤ 1)",
            instances=rs.factor_pairs(n=(2, 6), r=(1, 3)))
def spectral_below_frobenius(inst, m):
    """Returns the sides of ‖X‖₂ ≤ ‖X‖_F: true and tight (the ratio is exactly 1 at rank 1)."""
    return m.svdvals(inst["X"])[0], m.fro(inst["X"])


@inequality(id="examples.frobenius_below_half_spectral", source=SOURCE, statement="‖X‖_F ≤ ‖X‖₂/2 (false)",
            instances=rs.factor_pairs(n=(2, 6), r=(1, 3)))
def frobenius_below_half_spectral(inst, m):
    """Returns the sides of ‖X‖_F ≤ ‖X‖₂/2: false for every X ≠ 0 (‖X‖_F ≥ ‖X‖₂)."""
    return m.fro(inst["X"]), m.svdvals(inst["X"])[0] / 2
