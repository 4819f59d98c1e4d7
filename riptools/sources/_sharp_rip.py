"""What the three sharp-RIP sources share: the stored counterexample tasks they read, and the SDP's accuracy.

The talk slides, the NeurIPS 2018 paper and the JMLR 2019 paper are checked on the same computations
(the δ = 1/2 example, random pairs); each is a stored protocol task, computed once per run whichever
source asks first.
"""

from __future__ import annotations

import sympy

from riptools.findings import Verdict
from riptools.protocols import counterexample_search as cs
from riptools.sources._text import polynomial

SDP_TOL = 1e-6
"""δ* from an interior-point SDP solve is accurate to about this (Clarabel's default tolerances)."""


def half_facts(context) -> cs.HalfExampleFacts:
    """Returns the δ = 1/2 example's facts (one stored task)."""
    (facts,) = context.run(cs.HALF_EXAMPLE, [cs.HALF_EXAMPLE.sized(quick=context.quick)], desc="δ = 1/2 example")
    return facts


def random_pairs(context) -> list[cs.PairResult]:
    """Returns δ* of the declared random pairs (stored chunk by chunk)."""
    chunks = context.run(cs.RANDOM_PAIRS, cs.pairs_tasks(quick=context.quick, seed=context.seed), desc="random pairs")
    return [pair for chunk in chunks for pair in chunk]


def descends(facts: cs.HalfExampleFacts) -> bool:
    """Returns whether f decreases on both sides of x along the exact curve u(t) (proven, lowest term c·t^k, c < 0, k even)."""
    k, c = cs.leading_descent_term(facts.descent)
    return facts.descent_proven and c < 0 and k % 2 == 0


def point_kind(facts: cs.HalfExampleFacts) -> str:
    """Returns what x is, from its exact Hessian eigenvalues and the exact descent curve (e.g. "a degenerate saddle").

    Example:
        >>> from types import SimpleNamespace
        >>> point_kind(SimpleNamespace(hessian_eigenvalues={"0": 1, "4": 1}, descent="-3*t**4", descent_proven=True))
        'a degenerate saddle'
    """
    eigenvalues = [sympy.sympify(value) for value in facts.hessian_eigenvalues]
    if any(value < 0 for value in eigenvalues):
        return "a saddle (negative curvature)"
    if all(value > 0 for value in eigenvalues):
        return "a strict local minimum"
    return "a degenerate saddle" if descends(facts) else "a degenerate critical point (second-order test undecided)"


def local_minimum_verdict(facts: cs.HalfExampleFacts) -> tuple[Verdict, str]:
    """Returns (verdict, reason) for "x is a spurious local minimum" from the exact curve and the sphere search.

    Example:
        >>> from types import SimpleNamespace
        >>> local_minimum_verdict(SimpleNamespace(hessian_eigenvalues={"0": 1, "4": 1}, descent="-3*t**4",
        ...                                       descent_proven=True, sphere_verdict="undecided"))[0]
        <Verdict.REFUTED: 'refuted'>
    """
    if descends(facts):
        return Verdict.REFUTED, (f"{point_kind(facts)}: f(u(t)) − f(x) = {polynomial(facts.descent)} along a curve "
                                 "leaving x (proven exactly)")
    if facts.sphere_verdict.startswith("not a local minimum"):
        return Verdict.REFUTED, "the sphere search found points arbitrarily close to x with smaller f (not proven exactly)"
    return Verdict.INCONCLUSIVE, "neither the exact curve nor the sphere search found a descent"
