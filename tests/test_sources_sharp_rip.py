"""Tests of the sharp-RIP sources' verdict rules and prose (the computations are tested in test_counterexample.py)."""

from types import SimpleNamespace

import numpy as np

from riptools.findings import Verdict
from riptools.protocols.counterexample_search import Landscape, SearchSummary, leading_descent_term
from riptools.sources._sharp_rip import local_minimum_verdict, point_kind
from riptools.sources._text import eigenvalue_set, polynomial
from riptools.sources.zjsl_neurips2018 import conjecture_verdict
from riptools.sources.zsl_jmlr2019 import _tightness


def _facts(eigenvalues=None, descent="-3*t**4", proven=True, sphere="undecided"):
    return SimpleNamespace(hessian_eigenvalues=eigenvalues or {"0": 1, "4": 1}, descent=descent, descent_proven=proven,
                           sphere_verdict=sphere)


def _search(delta, certified):
    return SearchSummary(delta=delta, certified=certified, classification="", best_x=np.zeros(3), best_z=np.zeros(3),
                         per_start=(delta,), evaluations=1, seconds=0.0)


def test_conjecture_verdict_needs_a_certified_point_below_one_half():
    assert conjecture_verdict(_search(0.49, True))[0] is Verdict.REFUTED
    assert conjecture_verdict(_search(0.49, False))[0] is Verdict.INCONCLUSIVE
    assert conjecture_verdict(_search(0.5, True))[0] is Verdict.INCONCLUSIVE


def test_local_minimum_verdict_follows_the_exact_curve_then_the_sphere_search():
    assert local_minimum_verdict(_facts())[0] is Verdict.REFUTED
    assert "−3t⁴" in local_minimum_verdict(_facts())[1]
    assert local_minimum_verdict(_facts(proven=False, sphere="not a local minimum (descent found)"))[0] is Verdict.REFUTED
    assert local_minimum_verdict(_facts(proven=False, sphere="local minimum (strict: μ = 0.1)"))[0] is Verdict.INCONCLUSIVE
    # an odd lowest term, or a rise, is no descent on both sides
    assert local_minimum_verdict(_facts(descent="-t**3"))[0] is Verdict.INCONCLUSIVE
    assert local_minimum_verdict(_facts(descent="3*t**4"))[0] is Verdict.INCONCLUSIVE


def test_point_kind_is_computed_from_eigenvalues_and_curve():
    assert point_kind(_facts()) == "a degenerate saddle"
    assert point_kind(_facts(eigenvalues={"1": 1, "4": 1})) == "a strict local minimum"
    assert point_kind(_facts(eigenvalues={"-1": 1, "4": 1})).startswith("a saddle")
    assert point_kind(_facts(descent="t**4")).startswith("a degenerate critical point")


def test_leading_descent_term():
    assert leading_descent_term("-3*t**4 + t**6") == (4, -3.0)
    assert leading_descent_term("2*t**2 - t**4") == (2, 2.0)


def test_mathematics_is_written_as_mathematics():
    assert polynomial("-3*t**4") == "−3t⁴"
    assert polynomial("[t, sqrt(1/2 - 2*t**2)]") == "[t, √(1/2 − 2t²)]"
    assert eigenvalue_set({"0": 2, "4": 1}) == "{0 (×2), 4}"


def test_tightness_names_the_tight_columns_from_the_data():
    phi = np.radians([30.0, 60.0, 90.0])
    rho = np.array([0.5, 1.0, 1.5])
    bound = np.full((3, 3), 0.6)
    delta = bound.copy()
    delta[0, 1] += 0.1  # loose at ρ = 0.5, φ = 60° only
    text = _tightness(Landscape(rho=rho, phi=phi, delta=delta, delta_lower_bound=bound))
    assert text.startswith("tight (to 1e-05) at φ = 30°, 90° and for ρ > 0.50") and "0.100 (at ρ = 0.50, φ = 60°)" in text
    assert _tightness(Landscape(rho=rho, phi=phi, delta=bound, delta_lower_bound=bound)) == "tight on the whole grid"
