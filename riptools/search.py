"""Search over (X, Z) for the smallest δ*(X, Z): the worst spurious critical points of a given shape.

Reference: seed 002 (Theorem 2, "δ < 1/2 is sharp for rank 1"); Zhang, Sojoudi, Lavaei, JMLR 2019.
By the size reduction of :mod:`riptools.counterexample`, δ*(X, Z) only depends on (X̃, Z̃) = (PᵀX, PᵀZ),
so the search runs in d = min(n, r + r★) dimensions and embeds its best point in Rⁿ by zero rows.
Strategy: multi-start Nelder–Mead (derivative-free) on vec(X̃, Z̃) from Gaussian starts; each
evaluation is one reduced SDP (a DPP problem compiled once per shape).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import scipy.optimize
from tqdm import tqdm

from riptools.certify import NumericCertificate, certify_result
from riptools.counterexample import SAME_POINT_TOL, CounterexampleResult, counterexample_sdp, solve_sdp
from riptools.validation import InputError, positive_int

PENALTY = 2.0
"""Value given to excluded points (XXᵀ = ZZᵀ, failed solves); above every δ* (δ = 1 is always feasible for μ = 0)."""
DEFAULT_MAX_EVALUATIONS = 400
"""Default Nelder–Mead budget (SDP solves) per start."""


@dataclass(frozen=True)
class SearchStart:
    """One local search: where it started, where it ended, δ* there, and its cost."""

    start: int
    delta: float
    evaluations: int
    stopping_reason: str


@dataclass(frozen=True)
class SearchResult:
    """The best (X, Z) found, its δ*, the certified operator, and the search log.

    Attributes:
        best_x, best_z: the best pair, embedded in Rⁿ (n×r and n×r★).
        delta: δ*(best_x, best_z) from a fresh solve of :func:`riptools.counterexample.counterexample_sdp`.
        result: that solve.
        certificate: its numeric certificate (:func:`riptools.certify.certify_result`).
        starts: per-start log.
        evaluations: total SDP solves.
        n, rank, true_rank, margin, seed: the parameters.
        seconds: total time.
    """

    best_x: np.ndarray
    best_z: np.ndarray
    delta: float
    result: CounterexampleResult
    certificate: NumericCertificate
    starts: list
    evaluations: int
    n: int
    rank: int
    true_rank: int
    margin: float
    seed: int
    seconds: float


def delta_star_value(x: np.ndarray, z: np.ndarray, *, margin: float = 0.0) -> float:
    """Returns δ*(X, Z) for the search (PENALTY at excluded points), solving in the given coordinates.

    Excluded: XXᵀ = ZZᵀ (global minima, where δ* = 0 trivially), rank-deficient X when μ > 0, and
    solves that are not optimal.
    """
    truth = z @ z.T
    if np.linalg.norm(x @ x.T - truth) <= max(SAME_POINT_TOL, 1e-6) * max(np.linalg.norm(truth), 1e-300):
        return PENALTY
    if margin > 0 and np.linalg.svd(x, compute_uv=False)[-1] < 1e-6 * max(1.0, np.linalg.norm(x)):
        return PENALTY
    solve = solve_sdp(x, z, margin=margin)
    return float(solve.delta) if (solve.delta is not None and solve.status == "optimal") else PENALTY


def search_min_delta(n: int, rank: int, true_rank: int, *, starts: int = 8, seed: int = 0, margin: float = 0.0,
                     max_evaluations: int = DEFAULT_MAX_EVALUATIONS, progress: bool = False) -> SearchResult:
    """Returns the smallest δ*(X, Z) found over X ∈ R^{n×rank}, Z ∈ R^{n×true_rank} with XXᵀ ≠ ZZᵀ.

    Kind of result: an upper bound on inf δ* (the value of a found pair, certified); for rank 1 the
    slides' Theorem 2 says inf δ* = 1/2.

    Args:
        n: ambient dimension (the search runs in min(n, rank + true_rank) dimensions).
        rank: r, columns of X (r > true_rank is the over-parameterised case).
        true_rank: r★, columns of Z.
        starts: number of random starts.
        seed: seed of the starts (start k uses the stream (seed, k)).
        margin: μ ≥ 0 for the SDP (μ > 0: strict local minima; then μ is scale-dependent).
        max_evaluations: SDP solves per start.
        progress: show a tqdm bar on stderr.

    Raises:
        InputError: non-positive sizes, rank > n, true_rank > n, negative margin.
    """
    n = positive_int(n, "n")
    rank = positive_int(rank, "rank")
    true_rank = positive_int(true_rank, "true_rank")
    starts = positive_int(starts, "starts")
    max_evaluations = positive_int(max_evaluations, "max_evaluations", minimum=10)
    if rank > n or true_rank > n:
        raise InputError(f"rank, true_rank: expected ≤ n = {n}, got rank = {rank}, true_rank = {true_rank}")
    if not (np.isfinite(margin) and margin >= 0):
        raise InputError(f"margin: expected a finite μ ≥ 0, got {margin!r}")
    begin = time.perf_counter()
    d = min(n, rank + true_rank)
    split = d * rank

    def unpack(theta):
        return theta[:split].reshape(d, rank), theta[split:].reshape(d, true_rank)

    def objective(theta):
        x, z = unpack(theta)
        return delta_star_value(x, z, margin=margin)

    log, best_theta, best_value, total = [], None, np.inf, 0
    for k in tqdm(range(starts), desc="search starts", disable=not progress):
        rng = np.random.default_rng([seed, k])
        theta0 = rng.standard_normal(d * (rank + true_rank))
        solution = scipy.optimize.minimize(objective, theta0, method="Nelder-Mead",
                                           options={"maxfev": max_evaluations, "xatol": 1e-7, "fatol": 1e-10, "adaptive": True})
        total += solution.nfev
        log.append(SearchStart(start=k, delta=float(solution.fun), evaluations=int(solution.nfev), stopping_reason=str(solution.message)))
        if solution.fun < best_value:
            best_theta, best_value = solution.x, float(solution.fun)
    if best_value >= PENALTY:
        raise InputError("starts: every start ended at an excluded point; try more starts or another seed")
    x_small, z_small = unpack(best_theta)
    best_x = np.vstack([x_small, np.zeros((n - d, rank))])
    best_z = np.vstack([z_small, np.zeros((n - d, true_rank))])
    result = counterexample_sdp(best_x, best_z, margin=margin)
    return SearchResult(
        best_x=best_x, best_z=best_z, delta=float(result.delta), result=result, certificate=certify_result(result),
        starts=log, evaluations=total, n=n, rank=rank, true_rank=true_rank, margin=float(margin), seed=seed,
        seconds=time.perf_counter() - begin,
    )
