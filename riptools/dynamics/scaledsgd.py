"""Online SGD and ScaledSGD for symmetric completion M ≈ XXᵀ: numba kernels, one sample per step.

The method (seed 001: Zhang, Chiu, Zhang, "Accelerating SGD for highly ill-conditioned huge-scale
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

import numpy as np
from numba import njit, prange

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
EVAL_BLOCKS = 64
"""Fixed number of blocks of the parallel triple evaluation: block sums are added in block order, so
the result does not depend on the number of threads."""


@njit(cache=True)
def _sherman_morrison(P, u, sign, work):
    """Replaces P by (P⁻¹ + sign·uuᵀ)⁻¹ in place (P symmetric)."""
    r = P.shape[0]
    quad = 0.0
    for a in range(r):
        s = 0.0
        for b in range(r):
            s += P[a, b] * u[b]
        work[a] = s
        quad += u[a] * s
    c = sign / (1.0 + sign * quad)
    for a in range(r):
        ca = c * work[a]
        for b in range(r):
            P[a, b] -= ca * work[b]


@njit(cache=True)
def _replace_row(X, P, row, new, old, work, mode):
    """Writes ``new`` into row ``row`` of X and, for ScaledSGD, updates P by (2b)."""
    r = X.shape[1]
    for a in range(r):
        X[row, a] = new[a]
    if mode == MODE_SCALED:
        _sherman_morrison(P, new, 1.0, work)
        _sherman_morrison(P, old, -1.0, work)


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


@njit(cache=True)
def _precondition(P, v, out, mode):
    """out ← vP (P symmetric), or out ← v when there is no preconditioner."""
    r = v.shape[0]
    if mode == MODE_SGD:
        for a in range(r):
            out[a] = v[a]
        return
    for a in range(r):
        s = 0.0
        for b in range(r):
            s += P[a, b] * v[b]
        out[a] = s


@njit(cache=True)
def _sigmoid(z):
    if z >= 0.0:
        return 1.0 / (1.0 + np.exp(-z))
    ez = np.exp(z)
    return ez / (1.0 + ez)


@njit(cache=True)
def pair_steps(X, P, rows, cols, values, order, lr, loss, mode, resync_every, counter):
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
    """
    r = X.shape[1]
    xi = np.empty(r)
    xj = np.empty(r)
    gi = np.empty(r)
    gj = np.empty(r)
    new = np.empty(r)
    work = np.empty(r)
    max_drift = 0.0
    start, stop = 0, order.shape[0]
    until = _steps_to_resync(counter[0], resync_every, mode)
    for t in range(order.shape[0]):
        s = order[t]
        i = rows[s]
        j = cols[s]
        if mode == MODE_RECOMPUTE:
            P[:, :] = _gram_inverse(X)
        inner = 0.0
        for a in range(r):
            xi[a] = X[i, a]
            xj[a] = X[j, a]
            inner += xi[a] * xj[a]
        if loss == LOSS_EDM:
            dist = 0.0
            for a in range(r):
                diff = xi[a] - xj[a]
                dist += diff * diff
                gj[a] = diff
            e = dist - values[s]
            _precondition(P, gj, gi, mode)
            for a in range(r):
                gi[a] *= e
                gj[a] = -gi[a]
        else:
            if loss == LOSS_RMSE:
                e = inner - values[s]
            else:
                e = _sigmoid(inner) - _sigmoid(values[s])
            _precondition(P, xj, gi, mode)
            _precondition(P, xi, gj, mode)
            for a in range(r):
                gi[a] *= e
                gj[a] *= e
        if i == j:
            for a in range(r):
                new[a] = xi[a] - lr * gi[a]
            _replace_row(X, P, i, new, xi, work, mode)
        else:
            for a in range(r):
                new[a] = xi[a] - lr * gi[a]
            _replace_row(X, P, i, new, xi, work, mode)
            for a in range(r):
                new[a] = xj[a] - lr * gj[a]
            _replace_row(X, P, j, new, xj, work, mode)
        until -= 1
        if until == 0:
            max_drift = max(max_drift, _resync(X, P))
            until = resync_every
    counter[0] += stop - start
    return max_drift


@njit(cache=True)
def triple_steps(X, P, I, J, K, Y, start, stop, perm, lr, mode, resync_every, counter):
    """Runs BPR steps on triples ``perm[t]`` (or t when ``perm`` is empty) for t in [start, stop).

    Same conventions as :func:`pair_steps`; returns the largest drift seen at a resync.
    """
    r = X.shape[1]
    xi = np.empty(r)
    xj = np.empty(r)
    xk = np.empty(r)
    pi = np.empty(r)
    dv = np.empty(r)
    pd = np.empty(r)
    new = np.empty(r)
    work = np.empty(r)
    use_perm = perm.shape[0] > 0
    max_drift = 0.0
    until = _steps_to_resync(counter[0], resync_every, mode)
    for t in range(start, stop):
        s = perm[t] if use_perm else t
        i = I[s]
        j = J[s]
        k = K[s]
        if mode == MODE_RECOMPUTE:
            P[:, :] = _gram_inverse(X)
        z = 0.0
        for a in range(r):
            xi[a] = X[i, a]
            xj[a] = X[j, a]
            xk[a] = X[k, a]
            dv[a] = xj[a] - xk[a]
            z += xi[a] * dv[a]
        g = _sigmoid(z) - Y[s]
        _precondition(P, xi, pi, mode)
        _precondition(P, dv, pd, mode)
        for a in range(r):
            new[a] = xj[a] - lr * g * pi[a]
        _replace_row(X, P, j, new, xj, work, mode)
        for a in range(r):
            new[a] = xk[a] + lr * g * pi[a]
        _replace_row(X, P, k, new, xk, work, mode)
        for a in range(r):
            new[a] = xi[a] - lr * g * pd[a]
        _replace_row(X, P, i, new, xi, work, mode)
        until -= 1
        if until == 0:
            max_drift = max(max_drift, _resync(X, P))
            until = resync_every
    counter[0] += stop - start
    return max_drift


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
    """Returns g_i(X) = e_iᵀX(XᵀX)⁻¹Xᵀe_i for every row i (seed 001, Theorem 2), via a thin QR."""
    Q, _ = np.linalg.qr(X)
    return np.einsum("ij,ij->i", Q, Q)


def coherence_bound_scale(Z: np.ndarray) -> float:
    """Returns μr/d = max_i ‖e_iᵀZ(ZᵀZ)^{-1/2}‖² of the ground truth factor Z (seed 001, eq. (5))."""
    return float(leverage_scores(Z).max())


def relative_drift(X: np.ndarray, P: np.ndarray) -> float:
    """Returns ‖P − (XᵀX)⁻¹‖_F / ‖(XᵀX)⁻¹‖_F."""
    exact = np.linalg.inv(X.T @ X)
    return float(np.linalg.norm(P - exact) / np.linalg.norm(exact))


@njit(cache=True)
def logistic_scores_epoch(scores, J, K, Y, order, lr):
    """One SGD pass of the logistic fit of y ≈ σ(s_j − s_k) over the triples ``order``, in place.

    The NP-Maximum baseline of seed 001's Figure 3: one global score per item instead of a factor X.
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
