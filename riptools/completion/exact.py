"""Exact completion by nonconvex factorisation, and whether the completion is unique.

Method: alternating least squares on X = UVᵀ restricted to the observed entries (each half-step
is a small ridge-regularised least-squares solve per row, batched over instances and restarts),
from several random starts, then Gauss–Newton polishing with minimum-norm steps (the Jacobian
has the r² gauge directions (UA, −VAᵀ) in its null space) until the observed residual stops
decreasing. On a locally identifiable instance Gauss–Newton converges quadratically, so a
consistent instance is fitted to machine precision.

Uniqueness is answered two ways: numerically, by counting the distinct completions reached from
all restarts that fit as well as the best one; and, for tiny instances with exact (rational)
data, by a lex Gröbner basis of the (r+1)×(r+1) minors in the masked entries
(:func:`exact_completions`), which lists every completion of rank ≤ r.

Reference: M. Alkady, "Low-Rank Matrix Completion via Deep Neural Networks" (slides, 2025) for the
completion problem; ALS and Gauss–Newton are textbook.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

from riptools.completion.instances import check_rank, degrees_of_freedom, numerical_rank, observation_jacobian, parse_partial_matrix
from riptools.validation import InputError, positive_int

# Ridge added to each ALS normal equation, relative to its trace: keeps rows with fewer than r
# observed entries solvable without visibly biasing well-posed ones.
ALS_RIDGE = 1e-12
# ALS stops when no factor entry moved by more than this (relative to the data's scale).
ALS_STEP_TOL = 1e-10
# Gauss–Newton stops when the step is below this, relative to ‖(U, V)‖.
NEWTON_STEP_TOL = 1e-14
# A restart counts as a best fit when its observed residual is within this (absolute, relative to
# ‖M_Ω‖) of the best one; two best fits are one completion when their masked entries agree to
# DISTINCT_TOL relative to the matrix's scale.
BEST_FIT_SLACK = 1e-9
# A relative observed residual below this is an exact fit (consistent data are fitted to ~1e-16).
FIT_TOL = 1e-12
DISTINCT_TOL = 1e-6
# Gröbner bases are only attempted for this many unknowns and this size: they grow quickly.
EXACT_MAX_UNKNOWNS = 4
EXACT_MAX_N = 4


@dataclass(frozen=True)
class Completion:
    """A rank-r completion of a partially observed matrix.

    Attributes:
        matrix: the completed n×n matrix UVᵀ.
        left: U (n×r).
        right: V (n×r).
        mask: True where observed.
        observed_residual: ‖(UVᵀ − M)_Ω‖ / ‖M_Ω‖ (0 up to rounding when the data are exactly rank r).
        stop_reason: ``"step below tolerance"``, ``"no further decrease"`` or ``"step limit"``.
        restarts: number of random starts.
        distinct_completions: distinct completions among the best-fitting restarts (>1: not unique;
            1 is evidence of uniqueness only together with local identifiability, since ALS's
            ridge picks the same minimum-norm point of a continuum from every start).
        alternatives: one completed matrix per distinct completion, best fit first.
        jacobian_rank: rank of the observation Jacobian at (U, V).
        degrees_of_freedom: 2nr − r².
        locally_identifiable: jacobian_rank == degrees_of_freedom.
        singular_values: singular values of the completed matrix.
    """

    matrix: np.ndarray
    left: np.ndarray
    right: np.ndarray
    mask: np.ndarray
    observed_residual: float
    stop_reason: str
    restarts: int
    distinct_completions: int
    alternatives: list[np.ndarray]
    jacobian_rank: int
    degrees_of_freedom: int
    locally_identifiable: bool
    singular_values: np.ndarray

    @property
    def unique(self) -> bool:
        """Returns True when the numerical evidence says the completion is unique (see the attributes)."""
        return self.locally_identifiable and self.distinct_completions == 1


def _solve_rows(values: np.ndarray, weights: np.ndarray, other: np.ndarray) -> np.ndarray:
    """Returns, for each batch b and row i, argmin_u Σ_j w_bij (M_bij − u·other_bj)² (+ ridge)."""
    batch, n, rank = other.shape
    outer = (other[..., :, None] * other[..., None, :]).reshape(batch, n, rank * rank)
    gram = (weights @ outer).reshape(batch, n, rank, rank)
    rhs = (weights * values) @ other
    scale = np.trace(gram, axis1=-2, axis2=-1)[..., None, None] / rank + 1.0
    gram = gram + ALS_RIDGE * scale * np.eye(rank)
    return np.linalg.solve(gram, rhs[..., None])[..., 0]


def _relative_residuals(values, weights, left, right) -> np.ndarray:
    """Returns ‖(UVᵀ − M)_Ω‖ / ‖M_Ω‖ for each batch entry."""
    misfit = weights * (left @ np.swapaxes(right, -1, -2) - values)
    data = np.sqrt(np.sum((weights * values) ** 2, axis=(-2, -1)))
    return np.sqrt(np.sum(misfit**2, axis=(-2, -1))) / np.maximum(data, np.finfo(float).tiny)


def alternating_least_squares(values, masks, rank: int, *, restarts: int, seed: int, iterations: int):
    """Returns factors (B, R, n, r) twice and residuals (B, R): ALS from R random starts per instance.

    Args:
        values: (B, n, n) data (masked entries ignored).
        masks: (B, n, n) booleans, True where observed.
        rank: r.
        restarts: R.
        seed: seed of the random starts.
        iterations: maximum number of ALS sweeps.
    """
    values, masks = np.asarray(values, dtype=np.float64), np.asarray(masks, dtype=bool)
    batch, n = values.shape[0], values.shape[-1]
    weights = np.repeat(masks.astype(np.float64), restarts, axis=0)
    data = np.repeat(values, restarts, axis=0)
    # Start at the data's scale: entries of UVᵀ have size ~ √r·|u||v|.
    scale = np.sqrt(np.sqrt(np.mean(data**2 * weights, axis=(1, 2)) / rank) + 1e-300)[:, None, None]
    rng = np.random.default_rng(positive_int(seed, "seed", minimum=0))
    right = rng.standard_normal((batch * restarts, n, rank)) * scale
    left = np.zeros_like(right)
    for _ in range(iterations):
        new_left = _solve_rows(data, weights, right)
        new_right = _solve_rows(np.swapaxes(data, 1, 2), np.swapaxes(weights, 1, 2), new_left)
        moved = max(np.max(np.abs(new_left - left)), np.max(np.abs(new_right - right)))
        left, right = new_left, new_right
        if moved <= ALS_STEP_TOL * float(np.max(scale)):
            break
    residuals = _relative_residuals(data, weights, left, right)
    shape = (batch, restarts, n, rank)
    return left.reshape(shape), right.reshape(shape), residuals.reshape(batch, restarts)


def gauss_newton(values, mask, left, right, *, steps: int = 200):
    """Returns (U, V, relative observed residual, stop reason) after Gauss–Newton polishing.

    Minimum-norm least-squares steps on the observed residual, halved until the residual decreases.
    """
    values, mask = np.asarray(values, dtype=np.float64), np.asarray(mask, dtype=bool)
    n, rank = left.shape
    target = values[mask]
    norm = max(float(np.linalg.norm(target)), np.finfo(float).tiny)
    point = np.concatenate([left.ravel(), right.ravel()])

    def unpack(x):
        return x[: n * rank].reshape(n, rank), x[n * rank :].reshape(n, rank)

    def residual(x):
        u, v = unpack(x)
        return (u @ v.T)[mask] - target

    current = residual(point)
    reason = "step limit"
    for _ in range(steps):
        step = np.linalg.lstsq(observation_jacobian(*unpack(point), mask), -current, rcond=None)[0]
        if np.linalg.norm(step) <= NEWTON_STEP_TOL * (1.0 + np.linalg.norm(point)):
            reason = "step below tolerance"
            break
        for _ in range(30):
            trial = residual(point + step)
            if np.linalg.norm(trial) < np.linalg.norm(current):
                break
            step = step / 2
        else:
            reason = "no further decrease"
            break
        point, current = point + step, trial
    u, v = unpack(point)
    return u, v, float(np.linalg.norm(current)) / norm, reason


def _distinct(matrices: list[np.ndarray], mask: np.ndarray, scale: float) -> list[np.ndarray]:
    """Returns one representative per cluster of ``matrices`` whose masked entries agree to DISTINCT_TOL·scale."""
    centres: list[np.ndarray] = []
    for matrix in matrices:
        if all(np.linalg.norm((matrix - centre)[~mask]) > DISTINCT_TOL * scale for centre in centres):
            centres.append(matrix)
    return centres


def complete(partial, rank: int, *, restarts: int = 32, seed: int = 0, als_iterations: int = 100, newton_steps: int = 200) -> Completion:
    """Returns the best rank-r completion of ``partial`` and the evidence on its uniqueness.

    Every restart is polished by Gauss–Newton; the best-fitting ones are compared on the masked
    entries. Reference: M. Alkady (slides, 2025), the completion problem the network is trained on.

    Args:
        partial: square matrix with None or NaN at the masked entries.
        rank: r.
        restarts: random starts of ALS.
        seed: seed of the random starts.
        als_iterations: maximum ALS sweeps per start.
        newton_steps: maximum Gauss–Newton steps per start.

    Raises:
        InputError: malformed ``partial`` or ``rank``.
    """
    values, mask = parse_partial_matrix(partial, "partial")
    n = values.shape[0]
    rank = check_rank(rank, n)
    restarts = positive_int(restarts, "restarts")
    lefts, rights, _ = alternating_least_squares(values[None], mask[None], rank, restarts=restarts, seed=seed, iterations=als_iterations)
    polished = [gauss_newton(values, mask, u, v, steps=newton_steps) for u, v in zip(lefts[0], rights[0])]
    best = min(polished, key=lambda fit: fit[2])
    best_fits = [fit for fit in polished if fit[2] <= best[2] + BEST_FIT_SLACK]
    scale = 1.0 + float(np.max(np.abs(values)))
    alternatives = _distinct([u @ v.T for u, v, _, _ in sorted(best_fits, key=lambda fit: fit[2])], mask, scale)
    u, v, residual, reason = best
    jacobian_rank = numerical_rank(observation_jacobian(u, v, mask))
    dof = degrees_of_freedom(n, rank)
    matrix = u @ v.T
    return Completion(
        matrix=matrix,
        left=u,
        right=v,
        mask=mask,
        observed_residual=residual,
        stop_reason=reason,
        restarts=restarts,
        distinct_completions=len(alternatives),
        alternatives=alternatives,
        jacobian_rank=jacobian_rank,
        degrees_of_freedom=dof,
        locally_identifiable=jacobian_rank == dof,
        singular_values=np.linalg.svd(matrix, compute_uv=False),
    )


def complete_batch(values, masks, rank: int, *, restarts: int = 32, seed: int = 0, als_iterations: int = 100, newton_steps: int = 200) -> tuple[np.ndarray, np.ndarray]:
    """Returns (completed matrices (B, n, n), relative observed residuals (B,)) for many instances.

    ALS runs batched over instances × restarts; restarts are then polished by Gauss–Newton, best ALS
    residual first, until one fits to FIT_TOL. Uniqueness is not assessed (use :func:`complete`).
    """
    values, masks = np.asarray(values, dtype=np.float64), np.asarray(masks, dtype=bool)
    if values.ndim != 3 or values.shape != masks.shape or values.shape[1] != values.shape[2]:
        raise InputError(f"values, masks: expected equal shapes (B, n, n), got {values.shape} and {masks.shape}")
    rank = check_rank(rank, values.shape[1])
    lefts, rights, residuals = alternating_least_squares(values, masks, rank, restarts=restarts, seed=seed, iterations=als_iterations)
    completed, fitted = np.empty_like(values), np.full(values.shape[0], np.inf)
    for b in range(values.shape[0]):
        # ALS can stall far from a fit that Gauss–Newton reaches from the same start, so polish the
        # restarts in order of ALS residual until one fits the observed entries.
        for index in np.argsort(residuals[b]):
            u, v, residual, _ = gauss_newton(values[b], masks[b], lefts[b, index], rights[b, index], steps=newton_steps)
            if residual < fitted[b]:
                completed[b], fitted[b] = u @ v.T, residual
            if residual <= FIT_TOL:
                break
    return completed, fitted


@dataclass(frozen=True)
class ExactCompletions:
    """Every completion of rank ≤ r of exact (rational) data, from a Gröbner basis.

    Attributes:
        status: ``"unique"``, ``"finitely many"``, ``"infinitely many"`` or ``"none"`` (real completions).
        unknowns: the masked positions (i, j), in row-major order.
        solutions: real solutions, each the list of masked values (as exact strings).
        basis: the reduced lex Gröbner basis, as strings.
    """

    status: str
    unknowns: list[tuple[int, int]]
    solutions: list[list[str]]
    basis: list[str]


def exact_completions(partial, rank: int) -> ExactCompletions:
    """Returns every real completion of rank ≤ r of ``partial``, computed exactly with sympy.

    The completions are the common zeros of all (r+1)×(r+1) minors, polynomials in the masked
    entries; a lex Gröbner basis decides whether there are none, finitely many (then listed) or
    infinitely many. Entries are read as exact rationals from their decimal form (0.6 → 3/5), so
    rounded data that are not exactly rank r have no completion.

    Raises:
        InputError: more than EXACT_MAX_UNKNOWNS masked entries or n > EXACT_MAX_N.
    """
    import sympy

    values, mask = parse_partial_matrix(partial, "partial")
    n = values.shape[0]
    rank = check_rank(rank, n)
    unknowns = [(int(i), int(j)) for i, j in zip(*np.nonzero(~mask))]
    if n > EXACT_MAX_N or len(unknowns) > EXACT_MAX_UNKNOWNS:
        raise InputError(
            f"partial: exact completion is limited to n ≤ {EXACT_MAX_N} and ≤ {EXACT_MAX_UNKNOWNS} masked entries "
            f"(got n={n}, {len(unknowns)} masked)"
        )
    symbols = sympy.symbols(f"x0:{len(unknowns)}")
    entries = [[sympy.Rational(repr(float(values[i, j]))) for j in range(n)] for i in range(n)]
    for symbol, (i, j) in zip(symbols, unknowns):
        entries[i][j] = symbol
    matrix = sympy.Matrix(entries)
    lines = list(itertools.combinations(range(n), rank + 1))
    minors = {sympy.expand(matrix.extract(list(r), list(c)).det()) for r in lines for c in lines} - {0}
    if not unknowns:
        status = "none" if minors else "unique"
        return ExactCompletions(status, [], [[]] if status == "unique" else [], [])
    if not minors:
        return ExactCompletions("infinitely many", unknowns, [], [])
    basis = sympy.groebner(sorted(minors, key=sympy.default_sort_key), *symbols, order="lex")
    basis_text = [str(g) for g in basis.exprs]
    if basis.exprs == [1]:
        return ExactCompletions("none", unknowns, [], basis_text)
    if not basis.is_zero_dimensional:
        return ExactCompletions("infinitely many", unknowns, [], basis_text)
    solutions = sympy.solve(basis.exprs, symbols, dict=True)
    real = [[str(sympy.nsimplify(s[x])) for x in symbols] for s in solutions if all(s[x].is_real for x in symbols)]
    status = {0: "none", 1: "unique"}.get(len(real), "finitely many")
    return ExactCompletions(status, unknowns, real, basis_text)
