"""Kernel-level tests of riptools.dynamics.scaledsgd: the compiled kernels against a plain Python loop.

The kernels are compiled once per (loss, mode, rank) with those as constants and prefetch the rows of
later triples; these tests check, for every mode and loss and ranks 1, 2, 3 and 5, that X, P and the drift equal
— bit for bit — a plain Python loop written from the module docstring's formulas (same operation order).
"""

import math

import numpy as np
import pytest

from riptools.dynamics.scaledsgd import (
    LOSS_EDM,
    LOSS_ONEBIT,
    LOSS_RMSE,
    MODE_FIXED_P,
    MODE_RECOMPUTE,
    MODE_SCALED,
    MODE_SGD,
    _gram_inverse,
    pair_steps,
    triple_steps,
)

TRIPLE_CASES = [(mode, 3) for mode in (MODE_SGD, MODE_SCALED, MODE_FIXED_P, MODE_RECOMPUTE)] + [
    (MODE_SCALED, 1), (MODE_SCALED, 5)]
"""Every mode at the experiments' rank 3, and ranks 1 and 5. Each case is a kernel to compile (seconds
on a cold cache; the first three are compiled by tests/test_scaledsgd.py anyway), so not the full grid."""
PAIR_CASES = [(loss, MODE_SCALED, 2) for loss in (LOSS_RMSE, LOSS_ONEBIT, LOSS_EDM)] + [
    (LOSS_RMSE, MODE_SGD, 2), (LOSS_ONEBIT, MODE_FIXED_P, 2), (LOSS_RMSE, MODE_RECOMPUTE, 2), (LOSS_RMSE, MODE_SCALED, 5)]
"""Every loss and every mode at rank 2 (the pair tests' rank), and rank 5."""
RESYNC_EVERY = 37
"""Small, so that both loops resynchronise several times (and the drift they return is compared)."""


def _sigmoid(z: float) -> float:
    if z >= 0.0:
        return 1.0 / (1.0 + math.exp(-z))
    ez = math.exp(z)
    return ez / (1.0 + ez)


def _matvec(P, v):
    return [sum_in_order(P[a][b] * v[b] for b in range(len(v))) for a in range(len(v))]


def sum_in_order(terms) -> float:
    total = 0.0
    for term in terms:
        total += term
    return total


def _sherman_morrison(P, u, sign):
    work = _matvec(P, u)
    quad = sum_in_order(u[a] * work[a] for a in range(len(u)))
    c = sign / (1.0 + sign * quad)
    for a in range(len(u)):
        ca = c * work[a]
        for b in range(len(u)):
            P[a][b] -= ca * work[b]


class Loop:
    """X, P and the resync schedule, advanced one sample at a time in plain Python."""

    def __init__(self, X, P, mode):
        self.X, self.P, self.mode = X.tolist(), P.tolist(), mode
        self.count, self.max_drift = 0, 0.0

    def precondition(self, v):
        return list(v) if self.mode == MODE_SGD else _matvec(self.P, v)

    def begin(self):
        if self.mode == MODE_RECOMPUTE:
            self.P = self.exact_inverse()

    def exact_inverse(self):
        # The kernel's own (XᵀX)⁻¹ (numba's LAPACK inverse rounds differently from NumPy's): the steps
        # are what these tests compare.
        return _gram_inverse(np.array(self.X)).tolist()

    def replace(self, row, new, old):
        self.X[row] = list(new)
        if self.mode == MODE_SCALED:
            _sherman_morrison(self.P, new, 1.0)
            _sherman_morrison(self.P, old, -1.0)

    def end(self):
        self.count += 1
        if self.mode == MODE_SCALED and self.count % RESYNC_EVERY == 0:
            exact = self.exact_inverse()
            pairs = [(self.P[a][b], exact[a][b]) for a in range(len(exact)) for b in range(len(exact))]
            drift = math.sqrt(sum_in_order((old - new) ** 2 for old, new in pairs) / sum_in_order(new**2 for _, new in pairs))
            self.max_drift = max(self.max_drift, drift)
            self.P = exact

    def triple(self, i, j, k, y, lr):
        self.begin()
        xi, xj, xk = list(self.X[i]), list(self.X[j]), list(self.X[k])
        dv = [xj[a] - xk[a] for a in range(len(xi))]
        step = lr * (_sigmoid(sum_in_order(xi[a] * dv[a] for a in range(len(xi)))) - y)
        pi, pd = self.precondition(xi), self.precondition(dv)
        self.replace(j, [xj[a] - step * pi[a] for a in range(len(xi))], xj)
        self.replace(k, [xk[a] + step * pi[a] for a in range(len(xi))], xk)
        self.replace(i, [xi[a] - step * pd[a] for a in range(len(xi))], xi)
        self.end()

    def pair(self, i, j, value, lr, loss):
        self.begin()
        xi, xj = list(self.X[i]), list(self.X[j])
        rank = len(xi)
        if loss == LOSS_EDM:
            diff = [xi[a] - xj[a] for a in range(rank)]
            e = sum_in_order(d * d for d in diff) - value
            gi = [e * g for g in self.precondition(diff)]
            gj = [-g for g in gi]
        else:
            inner = sum_in_order(xi[a] * xj[a] for a in range(rank))
            e = inner - value if loss == LOSS_RMSE else _sigmoid(inner) - _sigmoid(value)
            gi = [g * e for g in self.precondition(xj)]
            gj = [g * e for g in self.precondition(xi)]
        self.replace(i, [xi[a] - lr * gi[a] for a in range(rank)], xi)
        if i != j:
            self.replace(j, [xj[a] - lr * gj[a] for a in range(rank)], xj)
        self.end()


def _start(rank, d=12, seed=0):
    rng = np.random.default_rng([seed, rank])
    X = rng.standard_normal((d, rank))
    return X, np.linalg.inv(X.T @ X), rng


@pytest.mark.parametrize("mode, rank", TRIPLE_CASES)
def test_triple_kernel_equals_the_plain_loop_bit_for_bit(mode, rank):
    """In a permuted order (the prefetching path) and then in index order, 300 triples."""
    X, P, rng = _start(rank)
    count = 300
    I, J, K = np.array([rng.choice(X.shape[0], 3, replace=False) for _ in range(count)], dtype=np.int32).T.copy()
    Y = rng.integers(0, 2, count).astype(np.uint8)
    perm = rng.permutation(count)
    loop = Loop(X, P, mode)
    for t in perm[:200]:
        loop.triple(I[t], J[t], K[t], float(Y[t]), 0.05)
    for t in range(200, count):
        loop.triple(I[t], J[t], K[t], float(Y[t]), 0.05)
    counter = np.zeros(1, np.int64)
    drift = triple_steps(X, P, I, J, K, Y, 0, 200, perm, 0.05, mode, RESYNC_EVERY, counter)
    drift = max(drift, triple_steps(X, P, I, J, K, Y, 200, count, np.empty(0, np.int64), 0.05, mode, RESYNC_EVERY, counter))
    np.testing.assert_array_equal(X, np.array(loop.X))
    np.testing.assert_array_equal(P, np.array(loop.P) if mode != MODE_SGD else P)
    assert drift == loop.max_drift and counter[0] == count


@pytest.mark.parametrize("loss, mode, rank", PAIR_CASES)
def test_pair_kernel_equals_the_plain_loop_bit_for_bit(loss, mode, rank):
    """200 samples, some on the diagonal (i = j, where only one row moves)."""
    X, P, rng = _start(rank, seed=1)
    X /= 3
    P *= 9
    rows = rng.integers(0, X.shape[0], 150)
    cols = rng.integers(0, X.shape[0], 150)
    cols[::7] = rows[::7]
    values = rng.standard_normal(150) / 4
    order = rng.integers(0, 150, 200)
    loop = Loop(X, P, mode)
    for s in order:
        loop.pair(rows[s], cols[s], values[s], 0.02, loss)
    counter = np.zeros(1, np.int64)
    drift = pair_steps(X, P, rows, cols, values, order, 0.02, loss, mode, RESYNC_EVERY, counter)
    np.testing.assert_array_equal(X, np.array(loop.X))
    if mode != MODE_SGD:
        np.testing.assert_array_equal(P, np.array(loop.P))
    assert drift == loop.max_drift and counter[0] == order.size
