"""The engine on user claims: the backends agree, hypotheses and repair bound the attack, identities."""

import mpmath
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from riptools import strategies as rs
from riptools.claims import FLOAT64, MULTIPRECISION, check_claim, inequality
from riptools.validation import InputError

BUDGET = 60
"""Instances per search (about a second each)."""
AGREEMENT = 1e-10
"""Relative agreement of the float64 and the 50-digit backends on well-conditioned 4×3 inputs."""


def _both(operation, *arrays):
    """Returns (float64 result, 50-digit result as floats) of ``operation(m, *arrays)``."""
    low = operation(FLOAT64, *(FLOAT64.array(a) for a in arrays))
    with mpmath.workdps(50):
        high = operation(MULTIPRECISION, *(MULTIPRECISION.array(a) for a in arrays))
    return np.asarray(low, dtype=float), np.asarray(np.vectorize(float)(np.asarray(high, dtype=object)), dtype=float)


OPERATIONS = {
    "matmul": lambda m, a, b: m.matmul(a, m.transpose(b)),
    "fro": lambda m, a, b: m.fro(a),
    "dot": lambda m, a, b: m.dot(a, b),
    "sum": lambda m, a, b: m.sum(a),
    "trace": lambda m, a, b: m.trace(m.transpose(a) @ b),
    "svdvals (descending)": lambda m, a, b: m.svdvals(a),
    "eigvalsh (ascending)": lambda m, a, b: m.eigvalsh(m.transpose(a) @ a - m.transpose(b) @ b),
    "inv": lambda m, a, b: m.inv(m.transpose(a) @ a),
    "sqrt": lambda m, a, b: m.sqrt(m.abs(a)),
    "max, min": lambda m, a, b: [m.max(a), m.min(a)],
    "eye, zeros, const": lambda m, a, b: m.eye(3) * m.const("0.5") + m.zeros((3, 3)),
}


@pytest.mark.parametrize("name", OPERATIONS)
@settings(max_examples=10)
@given(seed=st.integers(0, 2**32 - 1))
def test_the_two_backends_compute_the_same_operations(name, seed):
    rng = np.random.default_rng(seed)
    a, b = rng.standard_normal((4, 3)), rng.standard_normal((4, 3))
    low, high = _both(OPERATIONS[name], a, b)
    assert low.shape == high.shape
    assert np.allclose(low, high, rtol=AGREEMENT, atol=AGREEMENT * max(1.0, np.max(np.abs(low))))


def test_svdvals_descend_and_eigvalsh_ascend_in_both_backends():
    matrix = np.diag([1.0, 3.0, 2.0])
    for backend in (FLOAT64, MULTIPRECISION):
        assert [float(v) for v in backend.svdvals(backend.array(matrix))] == [3.0, 2.0, 1.0]
        assert [float(v) for v in backend.eigvalsh(backend.array(matrix))] == [1.0, 2.0, 3.0]


def _in_ball(inst, m):
    return m.fro(inst["X"]) <= m.const(2)


def _into_ball(inst):
    norm = np.linalg.norm(inst["X"])
    return inst if norm <= 2 else {**inst, "X": inst["X"] * (2 * (1 - 1e-12) / norm)}


def _ball_claim(**options):
    @inequality(id="test.ball", source="Test (2026)", statement="‖X‖_F ≤ 2 when ‖X‖_F ≤ 2",
                instances=rs.factor_pairs(n=(2, 4), r=(1, 2)), free=("X",), **options)
    def ball(inst, m):
        return m.fro(inst["X"]), m.const(2)

    return ball


def test_the_attack_stays_inside_the_hypotheses():
    # Without hypotheses the claim is false; with them, points the attack moves outside never count.
    assert check_claim(_ball_claim(), budget=BUDGET).verdict == "refuted"
    assert check_claim(_ball_claim(hypotheses=_in_ball), budget=BUDGET).verdict == "agrees"


def test_repair_lets_the_attack_reach_the_boundary_without_a_false_refutation():
    finding = check_claim(_ball_claim(hypotheses=_in_ball, repair=_into_ball), budget=BUDGET)
    assert finding.verdict == "agrees"
    # The ratio ‖X‖_F/2 is pushed to the boundary of the hypotheses (1 − 1e-12 by the repair).
    assert finding.evidence["observed_extreme"] > 0.999


@inequality(id="test.trace_identity", source="Test (2026)", statement="tr(XᵀX) = ‖X‖²_F", relation="==",
            instances=rs.factor_pairs(n=(2, 4), r=(1, 2)))
def trace_identity(inst, m):
    x = inst["X"]
    return m.trace(m.transpose(x) @ x), m.fro(x) ** 2


@inequality(id="test.gram_identity", source="Test (2026)", statement="XᵀX = XXᵀ (false unless square and normal)",
            relation="==", instances=rs.factor_pairs(n=(2, 4), r=(1, 2)))
def gram_identity(inst, m):
    x = inst["X"]
    return m.transpose(x) @ x, (x @ m.transpose(x))[: x.shape[1], : x.shape[1]]


def test_identities_hold_or_are_refuted():
    assert check_claim(trace_identity, budget=BUDGET).verdict == "agrees"
    refuted = check_claim(gram_identity, budget=BUDGET)
    assert refuted.verdict == "refuted" and refuted.evidence["counterexample"]["digits"] == [50, 80]


def test_a_strategy_that_is_not_resizable_is_still_searched_and_simplified():
    @inequality(id="test.symmetric", source="Test (2026)", statement="λ_max(A) ≤ ‖A‖_F/2 (false)",
                instances=st.fixed_dictionaries({"A": rs.symmetric(n=(2, 4))}))
    def claim(inst, m):
        return m.eigvalsh(inst["A"])[-1], m.fro(inst["A"]) / 2

    finding = check_claim(claim, budget=BUDGET)
    assert finding.verdict == "refuted"
    assert set(finding.evidence["counterexample"]["size"]) == {"A"}
    assert "significant_digits" in finding.evidence["counterexample"]


def test_a_strategy_drawing_no_dict_is_bad_input():
    @inequality(id="test.bare", source="Test", statement="", instances=rs.symmetric(n=2))
    def claim(inst, m):
        return 0, 1

    with pytest.raises(InputError, match="^instances: .*expected a dict"):
        check_claim(claim, budget=BUDGET)


@pytest.mark.parametrize("options, argument", [({"relation": "<"}, "relation"), ({"extreme": "sup"}, "extreme"), ({"id": ""}, "id")])
def test_bad_decorator_arguments_name_themselves(options, argument):
    with pytest.raises(InputError, match=f"^{argument}:"):
        inequality(**{"id": "x.y", "source": "s", "statement": "", "instances": rs.symmetric(), **options})
