"""Every drawn instance of :mod:`riptools.strategies` satisfies the guarantee its docstring states."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from riptools import strategies as rs
from riptools.rip import rip_constant
from riptools.sensing import SensingOperator
from riptools.validation import InputError

EXAMPLES = 60
"""Draws per property (each costs well under a millisecond of numpy work, except the operators)."""
ROUNDING = 1e-9
"""Relative slack for guarantees on computed quantities (κ, δ): float64 eigenvalues of well-scaled
matrices are accurate to ~1e-13 relative to the largest; 1e-9 leaves room without hiding a real excess."""
ORTHOGONALITY_TOL = 1e-12
"""‖QᵀQ − I‖_max of a QR factor in float64 is ~n·1e-16."""


def _in(value, bounds):
    low, high = (bounds, bounds) if isinstance(bounds, int) else bounds
    return low <= value <= high


def _condition(gram):
    eigenvalues = np.linalg.eigvalsh(gram)
    return eigenvalues[-1] / eigenvalues[0], eigenvalues[0]


@settings(max_examples=EXAMPLES)
@given(st.data())
def test_factor_pairs_shapes_bounds_rank_and_kappa(data):
    n, r, true_rank, kappa = (2, 7), (1, 3), data.draw(st.sampled_from([None, (1, 2), 2])), data.draw(st.sampled_from([None, 1.0, 50.0]))
    pair = data.draw(rs.factor_pairs(n=n, r=r, true_rank=true_rank, kappa=kappa))
    x, z = pair["X"], pair["Z"]
    size, rank = x.shape
    assert _in(size, n) and _in(rank, r) and rank <= size
    assert z.shape[0] == size and z.shape[1] <= size
    assert z.shape[1] == rank if true_rank is None else _in(z.shape[1], true_rank)
    for array in (x, z):
        assert array.dtype == np.float64 and np.all(np.isfinite(array)) and np.max(np.abs(array)) <= rs.BOUND
    condition, smallest = _condition(z.T @ z)
    assert smallest > 0 and np.linalg.matrix_rank(z) == z.shape[1]
    assert condition <= (kappa or rs.MAX_KAPPA) * (1 + ROUNDING)


@settings(max_examples=EXAMPLES)
@given(st.data())
def test_near_ground_truth_satisfies_the_lemma_hypothesis(data):
    rho = data.draw(st.sampled_from([0.01, 0.3, 0.5]))
    pair = data.draw(rs.near_ground_truth(n=(2, 6), r=(1, 3), rho=rho))
    x, z = pair["X"], pair["Z"]
    assert x.shape == z.shape and x.shape[1] <= x.shape[0]
    gap = np.linalg.norm(x @ x.T - z @ z.T)
    assert gap <= rho * np.linalg.eigvalsh(z.T @ z)[0]


@settings(max_examples=EXAMPLES)
@given(st.data())
def test_low_rank_psd_has_rank_r_and_bounded_condition(data):
    kappa = data.draw(st.sampled_from([None, 1.0, 10.0]))
    m = data.draw(rs.low_rank_psd(n=(2, 6), r=(1, 3), kappa=kappa))
    assert np.array_equal(m, m.T) and np.max(np.abs(m)) <= rs.BOUND
    eigenvalues = np.linalg.eigvalsh(m)[::-1]
    top = eigenvalues[0]
    rank = int(np.sum(eigenvalues > 1e-12 * top))
    assert 1 <= rank <= 3
    assert np.all(np.abs(eigenvalues[rank:]) <= 1e-12 * top)
    assert top / eigenvalues[rank - 1] <= (kappa or rs.MAX_KAPPA) * (1 + ROUNDING)


@settings(max_examples=EXAMPLES)
@given(rs.symmetric(n=(1, 6)))
def test_symmetric_is_exactly_symmetric_and_bounded(m):
    assert m.shape[0] == m.shape[1] and _in(m.shape[0], (1, 6))
    assert np.array_equal(m, m.T) and np.all(np.isfinite(m)) and np.max(np.abs(m), initial=0) <= rs.BOUND


@settings(max_examples=EXAMPLES)
@given(rs.orthogonal(n=(1, 6)))
def test_orthogonal_is_orthogonal(q):
    assert np.max(np.abs(q.T @ q - np.eye(q.shape[0]))) <= ORTHOGONALITY_TOL
    assert np.max(np.abs(q)) <= 1 + ORTHOGONALITY_TOL


@settings(max_examples=25)  # each draw computes the operator's RIP constant (an eigendecomposition)
@given(st.data())
def test_sensing_operators_report_their_exact_rip_constant(data):
    delta_max = data.draw(st.sampled_from([None, 1e-8, 0.3]))
    draw = data.draw(rs.sensing_operators(n=(1, 3), m=(2, 8), delta_max=delta_max))
    operator = SensingOperator.from_matrices(draw["A"])
    assert _in(operator.n, (1, 3)) and draw["exact"] and draw["rank"] == operator.n
    # Recomputed independently of the strategy: the extreme eigenvalues of the kernel H on Sⁿ.
    eigenvalues = np.linalg.eigvalsh(operator.kernel)
    assert draw["delta"] == pytest.approx(max(1 - eigenvalues[0], eigenvalues[-1] - 1), abs=ROUNDING)
    if delta_max is not None:
        assert draw["delta"] <= delta_max


def test_sensing_operators_below_full_rank_give_an_upper_bound():
    @settings(max_examples=5)
    @given(rs.sensing_operators(n=3, m=6, rank=1))
    def check(draw):
        assert draw["rank"] == 1 and not draw["exact"]
        assert draw["delta"] >= rip_constant(SensingOperator.from_matrices(draw["A"]), 1, starts=3, sdp_max_n=0).lower - ROUNDING

    check()


@settings(max_examples=EXAMPLES)
@given(st.data())
def test_sampling_masks_observe_m_symmetric_pairs(data):
    m = data.draw(st.sampled_from([1, (2, 5), (4, 40)]))
    mask = data.draw(rs.sampling_masks(n=(1, 5), m=m))
    size = mask.shape[0]
    count = int(np.triu(mask).sum())
    low, high = (m, m) if isinstance(m, int) else m
    assert mask.dtype == bool and np.array_equal(mask, mask.T)
    assert min(low, size * (size + 1) // 2) <= count <= min(high, size * (size + 1) // 2)


def test_resizing_fixes_the_sizes():
    @settings(max_examples=10)
    @given(rs.resized(rs.factor_pairs(n=(2, 9), r=(1, 3)), n=(3, 3), r=(2, 2)))
    def check(pair):
        assert pair["X"].shape == (3, 2) and pair["Z"].shape == (3, 2)

    check()
    with pytest.raises(InputError, match="resizable"):
        rs.resized(rs.symmetric(n=3), n=(2, 2))


def test_draws_shrink_to_the_smallest_size():
    # Integer seeds and sizes drawn first: hypothesis shrinks a failing draw to n = lo.
    from hypothesis import find

    pair = find(rs.factor_pairs(n=(2, 9), r=(1, 3)), lambda p: p["X"].shape[0] >= 4)
    assert pair["X"].shape == (4, 1)


@pytest.mark.parametrize("call, argument", [
    (lambda: rs.factor_pairs(n=(5, 2)), "n"),
    (lambda: rs.factor_pairs(n=(2, 4), r=(3, 3)), "r"),
    (lambda: rs.factor_pairs(kappa=0.5), "kappa"),
    (lambda: rs.near_ground_truth(rho=0), "rho"),
    (lambda: rs.sensing_operators(delta_max=1.5), "delta_max"),
    (lambda: rs.sensing_operators(delta_max=0.0), "delta_max"),
    (lambda: rs.sampling_masks(m=0), "m"),
])
def test_bad_arguments_name_themselves(call, argument):
    with pytest.raises(InputError, match=f"^{argument}:"):
        call()
