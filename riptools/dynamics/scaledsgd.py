"""Online SGD and ScaledSGD for symmetric completion M ≈ XXᵀ: numba kernels, one sample per step.

The method (G. Zhang, H.-M. Chiu, R. Y. Zhang, "Accelerating SGD for highly ill-conditioned huge-scale
online matrix completion", NeurIPS 2022):

* **SGD, equation (1).** A sample (i, j) with residual e moves two rows of X:
  ``x_i ← x_i − η e x_j``, ``x_j ← x_j − η e x_i`` (both from the old rows).
* **ScaledSGD, equation (2a).** The same step right-multiplied by the cached preconditioner
  ``P = (XᵀX)⁻¹``: ``x_i ← x_i − η e x_j P``, ``x_j ← x_j − η e x_i P``.
* **Preconditioner update, equation (2b).** Replacing row x by x₊ changes XᵀX by the rank-2 term
  ``x₊x₊ᵀ − xxᵀ``; as in the paper this is two Sherman–Morrison calls per changed row,
  ``(P⁻¹ + uuᵀ)⁻¹ = P − Puuᵀ P/(1 + uᵀPu)`` with u = x₊ (first) and
  ``(P⁻¹ − uuᵀ)⁻¹ = P + Puuᵀ P/(1 − uᵀPu)`` with u = x (second), i.e. O(r²) per row.
* **Drift and resynchronisation.** Rounding makes the cached P drift from (XᵀX)⁻¹. Every
  ``resync_every`` steps (counted across calls; 0 = never) the kernel forms XᵀX in O(dr²), inverts
  it, records the relative drift ``‖P − (XᵀX)⁻¹‖_F / ‖(XᵀX)⁻¹‖_F`` of the cached P just before the
  reset, and replaces P by the exact inverse. Default schedule: every :data:`DEFAULT_RESYNC_EVERY`
  steps, which costs O(dr²/10⁵) per step (≈ 6 flops per step at d = 62,000, r = 3).
* **Initial P.** ``"exact"``: P₀ = (X₀ᵀX₀)⁻¹ (what the authors' public code does);
  ``"footnote"``: P₀ = σ²I, literally as footnote 1 of the paper says for rows x_i ~ N(0, σ²I);
  ``"expected"``: P₀ = I/(dσ²), the inverse of E[X₀ᵀX₀] = dσ²I. (The footnote's σ²I is off by
  the factor dσ⁴ from E[X₀ᵀX₀]⁻¹; since Sherman–Morrison only adds changes, a wrong P₀ persists:
  P_t⁻¹ = X_tᵀX_t + (P₀⁻¹ − X₀ᵀX₀) for every t until a resynchronisation.)

Losses (per sample; the step is the gradient of the per-sample loss in the rows it touches):

* ``rmse`` on pairs (i, j, M_ij): ``½e²`` with ``e = x_iᵀx_j − M_ij``. For i ≠ j the step of (1) is
  (η/2d²)·SG(X) with the paper's SG(X) = 2d²·e·(e_i x_jᵀ + e_j x_iᵀ), whose mean over
  (i, j) ∈ [d]² is exactly ∇f(X) = 4(XXᵀ − M)X. For i = j both lines of (1) assign the same row the
  same value x_i − ηe x_i, which is *half* of (η/2d²)·SG(X) (as in the authors' code); we keep (1)
  literally. (Doubling the diagonal step makes SGD with the paper's η = 0.3 diverge from
  X₀ ~ N(0, 1) at d = 30: a row with ‖x_i‖² > 1/η is expanded by the factor |1 − 2η‖x_i‖²| > 1.)
* ``onebit`` on pairs: cross-entropy of σ(x_iᵀx_j) against the target probability σ(M_ij); the
  step uses ``e = σ(x_iᵀx_j) − σ(M_ij)``.
* ``edm`` on pairs (i, j, D_ij): ``¼e²`` with ``e = ‖x_i − x_j‖² − D_ij``; the steps are
  ``x_i ← x_i − ηe(x_i − x_j)P`` and ``x_j ← x_j + ηe(x_i − x_j)P``.
* ``bpr`` on triples (i, j, k, y), y = 1 when item i is closer to j than to k: logistic loss
  ``log(1 + eᶻ) − yz`` of ``z = x_iᵀx_j − x_iᵀx_k``; with ``g = σ(z) − y`` the steps are
  ``x_i ← x_i − ηg(x_j − x_k)P``, ``x_j ← x_j − ηg x_iP``, ``x_k ← x_k + ηg x_iP``. Triples have three
  distinct items (the data generators never draw others).

All kernels are sequential (SGD is), deterministic, and update X and P in place.
"""

from __future__ import annotations

import functools

import numpy as np
from llvmlite import ir
from numba import njit, prange, types
from numba.core import cgutils
from numba.extending import intrinsic

from riptools.validation import InputError

PAIR_LOSSES = ("rmse", "onebit", "edm")
"""Losses on pairs (i, j, value), in the order of their kernel codes."""
LOSS_RMSE, LOSS_ONEBIT, LOSS_EDM = 0, 1, 2

MODE_SGD = 0
"""No preconditioner: equation (1)."""
MODE_SCALED = 1
"""ScaledSGD: cached P, Sherman–Morrison updates (2b)."""
MODE_FIXED_P = 2
"""P applied but never updated (with P = I this must be SGD exactly; a test checks it)."""
MODE_RECOMPUTE = 3
"""ScaledSGD that forms XᵀX (O(dr²)) and inverts it before every step: the naive baseline."""

P_INITS = ("exact", "footnote", "expected")
"""Ways to set P₀ (see the module docstring)."""
DEFAULT_RESYNC_EVERY = 100_000
"""Steps between resynchronisations of the cached P with (XᵀX)⁻¹ (0 = never)."""
PREFETCH_AHEAD = 8
"""Triples ahead whose rows of X (and, in a permuted order, whose entries of I, J, K, Y, twice as far
ahead) the triple kernel asks the caches for: each step otherwise waits on up to 7 cache misses."""
EVAL_BLOCKS = 64
"""Fixed number of blocks of the parallel triple evaluation: block sums are added in block order, so
the result does not depend on the number of threads."""


@intrinsic
def _prefetch(typingctx, array, index):
    """Asks the caches for ``array[index, 0, …]`` (LLVM's prefetch hint: it never faults or changes a value)."""
    if not isinstance(array, types.Array) or not isinstance(index, types.Integer):
        return None

    def codegen(context, builder, signature, args):
        array_type = signature.args[0]
        array_value = context.make_array(array_type)(context, builder, args[0])
        zero = context.get_constant(types.intp, 0)
        first = context.cast(builder, args[1], signature.args[1], types.intp)
        pointer = cgutils.get_item_pointer2(context, builder, array_value.data,
                                            cgutils.unpack_tuple(builder, array_value.shape),
                                            cgutils.unpack_tuple(builder, array_value.strides), array_type.layout,
                                            [first] + [zero] * (array_type.ndim - 1), wraparound=False)
        i32 = ir.IntType(32)
        function = builder.module.declare_intrinsic(
            "llvm.prefetch", [pointer.type], ir.FunctionType(ir.VoidType(), [pointer.type, i32, i32, i32]))
        builder.call(function, [pointer, i32(0), i32(3), i32(1)])  # read, keep in all levels, data cache
        return context.get_dummy_value()

    return types.void(array, index), codegen


@njit(cache=True, inline="always")
def _sherman_morrison(P, u, sign, work, rank):
    """Replaces P by (P⁻¹ + sign·uuᵀ)⁻¹ in place (P symmetric, r = ``rank``)."""
    quad = 0.0
    for a in range(rank):
        s = 0.0
        for b in range(rank):
            s += P[a, b] * u[b]
        work[a] = s
        quad += u[a] * s
    c = sign / (1.0 + sign * quad)
    for a in range(rank):
        ca = c * work[a]
        for b in range(rank):
            P[a, b] -= ca * work[b]


@njit(cache=True, inline="always")
def _replace_row(X, P, row, new, old, work, mode, rank):
    """Writes ``new`` into row ``row`` of X and, for ScaledSGD, updates P by (2b)."""
    for a in range(rank):
        X[row, a] = new[a]
    if mode == MODE_SCALED:
        _sherman_morrison(P, new, 1.0, work, rank)
        _sherman_morrison(P, old, -1.0, work, rank)


@njit(cache=True)
def _gram_inverse(X):
    """Returns (XᵀX)⁻¹, forming XᵀX in O(dr²)."""
    d, r = X.shape
    G = np.zeros((r, r))
    for i in range(d):
        for a in range(r):
            xa = X[i, a]
            for b in range(r):
                G[a, b] += xa * X[i, b]
    return np.linalg.inv(G)


@njit(cache=True)
def _resync(X, P):
    """Sets P to (XᵀX)⁻¹ and returns the relative Frobenius drift of the old P."""
    exact = _gram_inverse(X)
    num = 0.0
    den = 0.0
    r = P.shape[0]
    for a in range(r):
        for b in range(r):
            diff = P[a, b] - exact[a, b]
            num += diff * diff
            den += exact[a, b] * exact[a, b]
            P[a, b] = exact[a, b]
    return np.sqrt(num / den)


@njit(cache=True)
def _steps_to_resync(count, resync_every, mode):
    """Steps until the next resync (multiples of ``resync_every`` of the global count); −1 = never."""
    if mode != MODE_SCALED or resync_every <= 0:
        return -1
    return resync_every - count % resync_every


@njit(cache=True, inline="always")
def _begin_step(X, P, mode):
    """Sets P to (XᵀX)⁻¹ when the mode recomputes it before every step (the naive ScaledSGD)."""
    if mode == MODE_RECOMPUTE:
        P[:, :] = _gram_inverse(X)


@njit(cache=True, inline="always")
def _gather(X, row, out, rank):
    """out ← row ``row`` of X."""
    for a in range(rank):
        out[a] = X[row, a]


@njit(cache=True, inline="always")
def _dot(u, v, rank):
    """Returns uᵀv, summed in index order."""
    total = 0.0
    for a in range(rank):
        total += u[a] * v[a]
    return total


@njit(cache=True, inline="always")
def _step_done(X, P, until, resync_every, max_drift):
    """Counts one step towards the next resync, resyncing when it is due; returns (until, max_drift)."""
    until -= 1
    if until == 0:
        max_drift = max(max_drift, _resync(X, P))
        until = resync_every
    return until, max_drift


@njit(cache=True, inline="always")
def _precondition(P, v, out, mode, rank):
    """out ← vP (P symmetric), or out ← v when there is no preconditioner."""
    if mode == MODE_SGD:
        for a in range(rank):
            out[a] = v[a]
        return
    for a in range(rank):
        s = 0.0
        for b in range(rank):
            s += P[a, b] * v[b]
        out[a] = s


@njit(cache=True, inline="always")
def _sigmoid(z):
    """Returns σ(z) = 1/(1 + e⁻ᶻ) without overflow: 1/(1 + e) for z ≥ 0, e/(1 + e) else, e = e^(−|z|).

    One exp and no branch (a select): the sign of z is a coin flip for BPR triples, and a mispredicted
    branch per step cost more than the rest of the logistic.
    """
    e = np.exp(-abs(z))
    return (1.0 if z >= 0.0 else e) / (1.0 + e)


@functools.cache
def _pair_kernel(loss: int, mode: int, rank: int):
    """Returns the pair-step kernel compiled for one loss, mode and rank r (see :func:`pair_steps`).

    The three are constants of the closure, so that the compiler unrolls the O(r²) loops and drops the
    other losses' and modes' branches (measured on BPR triples at r = 3, d = 62,000, one core, with the
    select in :func:`_sigmoid`: 2.4e6 updates/s with them as arguments, 6.0e6 as constants). numba's
    on-disk cache keeps one compiled kernel per combination.
    """

    @njit(cache=True)
    def kernel(X, P, rows, cols, values, order, lr, resync_every, counter):
        scratch = np.empty((6, rank))  # the work vectors, one allocation
        xi, xj, gi, gj, new, work = scratch[0], scratch[1], scratch[2], scratch[3], scratch[4], scratch[5]
        max_drift = 0.0
        until = _steps_to_resync(counter[0], resync_every, mode)
        for t in range(order.shape[0]):
            s = order[t]
            i = rows[s]
            j = cols[s]
            _begin_step(X, P, mode)
            _gather(X, i, xi, rank)
            _gather(X, j, xj, rank)
            inner = _dot(xi, xj, rank)
            if loss == LOSS_EDM:
                dist = 0.0
                for a in range(rank):
                    diff = xi[a] - xj[a]
                    dist += diff * diff
                    gj[a] = diff
                e = dist - values[s]
                _precondition(P, gj, gi, mode, rank)
                for a in range(rank):
                    gi[a] *= e
                    gj[a] = -gi[a]
            else:
                if loss == LOSS_RMSE:
                    e = inner - values[s]
                else:
                    e = _sigmoid(inner) - _sigmoid(values[s])
                _precondition(P, xj, gi, mode, rank)
                _precondition(P, xi, gj, mode, rank)
                for a in range(rank):
                    gi[a] *= e
                    gj[a] *= e
            for a in range(rank):
                new[a] = xi[a] - lr * gi[a]
            _replace_row(X, P, i, new, xi, work, mode, rank)
            if i != j:
                for a in range(rank):
                    new[a] = xj[a] - lr * gj[a]
                _replace_row(X, P, j, new, xj, work, mode, rank)
            until, max_drift = _step_done(X, P, until, resync_every, max_drift)
        counter[0] += order.shape[0]
        return max_drift

    return kernel


def pair_steps(X, P, rows, cols, values, order, lr, loss, mode, resync_every, counter) -> float:
    """Runs one step per sample ``order[t]`` and returns the largest drift seen at a resync.

    Args:
        X: (d, r) iterate, updated in place.
        P: (r, r) cached preconditioner, updated in place (ignored by SGD).
        rows, cols, values: the samples (i, j, M_ij); ``order`` lists the indices to visit.
        lr: step size η. loss: LOSS_RMSE / LOSS_ONEBIT / LOSS_EDM. mode: MODE_*.
        resync_every: steps between resynchronisations of P (0 = never).
        counter: int64 array of length 1, the global step count (kept across calls).

    Returns:
        The largest relative drift ‖P − (XᵀX)⁻¹‖_F/‖(XᵀX)⁻¹‖_F at the resyncs of this call (0 if none).

    Example:
        >>> X, P = np.array([[1.0, 0.0], [0.0, 1.0]]), np.eye(2)
        >>> pair_steps(X, P, np.array([0]), np.array([1]), np.array([1.0]), np.array([0]), 0.5, LOSS_RMSE,
        ...            MODE_SCALED, 0, np.zeros(1, np.int64))  # e = x₀ᵀx₁ − 1 = −1: the rows move together
        0.0
        >>> X.tolist(), bool(np.allclose(P, np.linalg.inv(X.T @ X)))
        ([[1.0, 0.5], [0.5, 1.0]], True)
    """
    kernel = _pair_kernel(int(loss), int(mode), X.shape[1])
    return kernel(X, P, rows, cols, values, order, lr, resync_every, counter)


@functools.cache
def _triple_kernel(mode: int, rank: int):
    """Returns the BPR triple-step kernel compiled for one mode and rank (constants, as in :func:`_pair_kernel`)."""

    @njit(cache=True)
    def kernel(X, P, I, J, K, Y, start, stop, perm, lr, resync_every, counter):
        scratch = np.empty((8, rank))  # the work vectors, one allocation
        xi, xj, xk, pi, dv, pd, new, work = (scratch[0], scratch[1], scratch[2], scratch[3], scratch[4], scratch[5],
                                             scratch[6], scratch[7])
        use_perm = perm.shape[0] > 0
        max_drift = 0.0
        until = _steps_to_resync(counter[0], resync_every, mode)
        for t in range(start, stop):
            if t + PREFETCH_AHEAD < stop:
                ahead = perm[t + PREFETCH_AHEAD] if use_perm else t + PREFETCH_AHEAD
                _prefetch(X, I[ahead])
                _prefetch(X, J[ahead])
                _prefetch(X, K[ahead])
                if use_perm and t + 2 * PREFETCH_AHEAD < stop:
                    further = perm[t + 2 * PREFETCH_AHEAD]
                    _prefetch(I, further)
                    _prefetch(J, further)
                    _prefetch(K, further)
                    _prefetch(Y, further)
            s = perm[t] if use_perm else t
            i = I[s]
            j = J[s]
            k = K[s]
            _begin_step(X, P, mode)
            _gather(X, i, xi, rank)
            _gather(X, j, xj, rank)
            _gather(X, k, xk, rank)
            for a in range(rank):
                dv[a] = xj[a] - xk[a]
            step = lr * (_sigmoid(_dot(xi, dv, rank)) - Y[s])
            _precondition(P, xi, pi, mode, rank)
            _precondition(P, dv, pd, mode, rank)
            for a in range(rank):
                new[a] = xj[a] - step * pi[a]
            _replace_row(X, P, j, new, xj, work, mode, rank)
            for a in range(rank):
                new[a] = xk[a] + step * pi[a]
            _replace_row(X, P, k, new, xk, work, mode, rank)
            for a in range(rank):
                new[a] = xi[a] - step * pd[a]
            _replace_row(X, P, i, new, xi, work, mode, rank)
            until, max_drift = _step_done(X, P, until, resync_every, max_drift)
        counter[0] += stop - start
        return max_drift

    return kernel


def triple_steps(X, P, I, J, K, Y, start, stop, perm, lr, mode, resync_every, counter) -> float:
    """Runs BPR steps on triples ``perm[t]`` (or t when ``perm`` is empty) for t in [start, stop).

    Same conventions as :func:`pair_steps`; returns the largest drift seen at a resync.

    Example:
        >>> X, P = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]), np.eye(2)
        >>> I, J, K = np.array([0], np.int32), np.array([1], np.int32), np.array([2], np.int32)
        >>> Y = np.array([1], np.uint8)  # item 0 is closer to item 1 than to item 2
        >>> triple_steps(X, P, I, J, K, Y, 0, 1, np.empty(0, np.int64), 1.0, MODE_SGD, 0, np.zeros(1, np.int64))
        0.0
        >>> bool(X[0] @ (X[1] - X[2]) > -1.0)  # the score x₀ᵀ(x₁ − x₂) was −1 and went up
        True
    """
    kernel = _triple_kernel(int(mode), X.shape[1])
    return kernel(X, P, I, J, K, Y, start, stop, perm, lr, resync_every, counter)


@njit(cache=True, parallel=True)
def evaluate_triples(X, I, J, K, Y):
    """Returns (mean BPR loss, AUC) of X on triples; AUC counts sign(x_iᵀ(x_j − x_k)) agreeing with y.

    A zero score counts as a miss (as the authors' evaluation does). Deterministic for any thread
    count: :data:`EVAL_BLOCKS` fixed blocks, summed in order.
    """
    n = I.shape[0]
    r = X.shape[1]
    loss_blocks = np.zeros(EVAL_BLOCKS)
    hit_blocks = np.zeros(EVAL_BLOCKS, dtype=np.int64)
    size = (n + EVAL_BLOCKS - 1) // EVAL_BLOCKS
    for b in prange(EVAL_BLOCKS):
        loss = 0.0
        hits = 0
        for s in range(b * size, min(n, (b + 1) * size)):
            i = I[s]
            j = J[s]
            k = K[s]
            z = 0.0
            for a in range(r):
                z += X[i, a] * (X[j, a] - X[k, a])
            y = Y[s]
            # log(1 + e^z) − yz, computed without overflow
            loss += max(z, 0.0) + np.log1p(np.exp(-abs(z))) - y * z
            if (z > 0.0 and y == 1) or (z < 0.0 and y == 0):
                hits += 1
        loss_blocks[b] = loss
        hit_blocks[b] = hits
    return loss_blocks.sum() / n, hit_blocks.sum() / n


def initial_preconditioner(X0: np.ndarray, *, p_init: str = "exact", sigma: float = 1.0) -> np.ndarray:
    """Returns P₀ for the rows of X0 drawn from N(0, σ²I) (see the module docstring for the modes).

    Raises:
        InputError: unknown ``p_init``.
    """
    r = X0.shape[1]
    if p_init == "exact":
        return np.linalg.inv(X0.T @ X0)
    if p_init == "footnote":
        return sigma**2 * np.eye(r)
    if p_init == "expected":
        return np.eye(r) / (X0.shape[0] * sigma**2)
    raise InputError(f"p_init: expected one of {P_INITS}, got {p_init!r}")


def leverage_scores(X: np.ndarray) -> np.ndarray:
    """Returns g_i(X) = e_iᵀX(XᵀX)⁻¹Xᵀe_i for every row i (the ScaledSGD paper, Theorem 2), via a thin QR."""
    Q, _ = np.linalg.qr(X)
    return np.einsum("ij,ij->i", Q, Q)


def coherence_bound_scale(Z: np.ndarray) -> float:
    """Returns μr/d = max_i ‖e_iᵀZ(ZᵀZ)^{-1/2}‖² of the ground truth factor Z (the ScaledSGD paper, eq. (5))."""
    return float(leverage_scores(Z).max())


def relative_drift(X: np.ndarray, P: np.ndarray) -> float:
    """Returns ‖P − (XᵀX)⁻¹‖_F / ‖(XᵀX)⁻¹‖_F."""
    exact = np.linalg.inv(X.T @ X)
    return float(np.linalg.norm(P - exact) / np.linalg.norm(exact))


@njit(cache=True)
def logistic_scores_epoch(scores, J, K, Y, order, lr):
    """One SGD pass of the logistic fit of y ≈ σ(s_j − s_k) over the triples ``order``, in place.

    The NP-Maximum baseline of the ScaledSGD paper's Figure 3: one global score per item instead of a factor X.
    """
    for t in range(order.shape[0]):
        s = order[t]
        j = J[s]
        k = K[s]
        g = _sigmoid(scores[j] - scores[k]) - Y[s]
        scores[j] -= lr * g
        scores[k] += lr * g


@njit(cache=True)
def score_auc(scores, J, K, Y):
    """Returns the AUC of a global item score: the fraction of triples with sign(s_j − s_k) matching y."""
    hits = 0
    for s in range(J.shape[0]):
        z = scores[J[s]] - scores[K[s]]
        if (z > 0.0 and Y[s] == 1) or (z < 0.0 and Y[s] == 0):
            hits += 1
    return hits / J.shape[0]
