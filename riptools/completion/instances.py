"""Masked low-rank instances and their identifiability: what the completion problem is given.

Reference: M. Alkady, slides "Low-Rank Matrix Completion via Deep Neural Networks" (2025):
M = UVᵀ with U, V ∈ R^{n×r} Gaussian, and m entries masked with ``m < n² − (2nr − r²)``.

Conventions used throughout :mod:`riptools.completion`:

* A **mask** is a boolean n×n array, ``True`` where the entry is *observed*; "masked" entries are
  the ``False`` ones, the entries to fill in.
* The **degrees of freedom** of rank-r n×n matrices are ``2nr − r²`` (the dimension of that
  manifold, i.e. the generic rank of the Jacobian of (U, V) ↦ UVᵀ; see :mod:`riptools.completion.claims`).
* **Identifiability** is reported three ways, because the slides' count condition alone decides
  nothing: (1) the slides' strict count ``m < n² − dof``; (2) the necessary count ``m ≤ n² − dof``
  (at least dof observed entries; the slides' own 2×2 example is on this boundary); (3) *local
  identifiability*: the Jacobian of the observed entries with respect to (U, V) has rank dof at
  the instance's factors, so no completion of rank r lies near M other than M itself. A fully
  masked row fails (3) whatever the count. Global uniqueness is a further question, answered for
  small instances by :func:`riptools.completion.exact.exact_completions`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from riptools.validation import InputError, positive_int

# Singular values of the observation Jacobian below this fraction of the largest count as zero.
JACOBIAN_RANK_RTOL = 1e-9
# Redraws of a mask before the generator gives up on finding a locally identifiable one.
MAX_MASK_DRAWS = 200
CONDITIONS = ("slides", "identifiable", "none")


def degrees_of_freedom(n: int, rank: int) -> int:
    """Returns 2nr − r², the dimension of the n×n matrices of rank r (slides, "Our Problem")."""
    return 2 * n * rank - rank * rank


@dataclass(frozen=True)
class Identifiability:
    """Whether the observed entries can determine a rank-r completion.

    Attributes:
        n: matrix size.
        rank: the rank r assumed.
        n_masked: number of masked (unobserved) entries m.
        degrees_of_freedom: 2nr − r².
        slides_count_condition: ``m < n² − dof``, the slides' condition.
        necessary_count_condition: ``m ≤ n² − dof``: at least dof observed entries.
        min_observed_per_line: fewest observed entries in any row or column (< r: not identifiable).
        jacobian_rank: numerical rank of the Jacobian of the observed entries w.r.t. (U, V).
        locally_identifiable: ``jacobian_rank == dof``.
    """

    n: int
    rank: int
    n_masked: int
    degrees_of_freedom: int
    slides_count_condition: bool
    necessary_count_condition: bool
    min_observed_per_line: int
    jacobian_rank: int
    locally_identifiable: bool


@dataclass(frozen=True)
class MaskedInstance:
    """A rank-r matrix M = UVᵀ with a mask of observed entries.

    Attributes:
        matrix: the full n×n ground truth M.
        mask: boolean n×n, True where observed.
        left: U (n×r).
        right: V (n×r).
        seed: the seed that drew it (None if built from given data).
        identifiability: the checks of :func:`identifiability`.
    """

    matrix: np.ndarray
    mask: np.ndarray
    left: np.ndarray
    right: np.ndarray
    seed: int | None
    identifiability: Identifiability

    @property
    def n(self) -> int:
        """Matrix size."""
        return self.matrix.shape[0]

    @property
    def rank(self) -> int:
        """The rank r of M = UVᵀ."""
        return self.left.shape[1]

    @property
    def observed(self) -> np.ndarray:
        """Returns M with masked entries set to NaN: what a completion method is given."""
        return np.where(self.mask, self.matrix, np.nan)


def observation_jacobian(left, right, mask) -> np.ndarray:
    """Returns the Jacobian of (U, V) ↦ (UVᵀ)_Ω, Ω the observed entries, on (U.ravel(), V.ravel()).

    Row (i, j) ∈ Ω (row-major order) has V[j, k] at column (i, k) of the U block and U[i, k] at
    column (j, k) of the V block. Works for float arrays and for object arrays of sympy numbers.
    """
    left, right = np.asarray(left), np.asarray(right)
    n, rank = left.shape
    rows, cols = np.nonzero(np.asarray(mask, dtype=bool))
    dtype = object if left.dtype == object or right.dtype == object else np.float64
    jacobian = np.zeros((rows.size, 2 * n * rank), dtype=dtype)
    if dtype is object:
        jacobian[:] = 0
    for index, (i, j) in enumerate(zip(rows, cols)):
        jacobian[index, i * rank : (i + 1) * rank] = right[j]
        jacobian[index, n * rank + j * rank : n * rank + (j + 1) * rank] = left[i]
    return jacobian


def numerical_rank(matrix: np.ndarray, *, rtol: float = JACOBIAN_RANK_RTOL) -> int:
    """Returns the number of singular values above ``rtol`` times the largest."""
    if matrix.size == 0:
        return 0
    singular = np.linalg.svd(matrix, compute_uv=False)
    return int(np.sum(singular > rtol * singular[0])) if singular[0] > 0 else 0


def identifiability(left, right, mask) -> Identifiability:
    """Returns the count conditions and the local identifiability of ``mask`` at M = UVᵀ.

    The Jacobian rank is never above dof (the r² directions (UA, −VAᵀ) are in its null space), and
    equals dof exactly when the observed entries pin M down to first order, up to that gauge.
    """
    mask = np.asarray(mask, dtype=bool)
    left, right = np.asarray(left, dtype=np.float64), np.asarray(right, dtype=np.float64)
    n, rank = left.shape
    dof = degrees_of_freedom(n, rank)
    n_masked = int(mask.size - mask.sum())
    jacobian_rank = numerical_rank(observation_jacobian(left, right, mask))
    return Identifiability(
        n=n,
        rank=rank,
        n_masked=n_masked,
        degrees_of_freedom=dof,
        slides_count_condition=n_masked < n * n - dof,
        necessary_count_condition=n_masked <= n * n - dof,
        min_observed_per_line=int(min(mask.sum(axis=0).min(), mask.sum(axis=1).min())),
        jacobian_rank=jacobian_rank,
        locally_identifiable=jacobian_rank == dof,
    )


def check_rank(rank, n: int) -> int:
    """Returns ``rank`` as an int, checking 1 ≤ rank ≤ n (raises InputError otherwise)."""
    rank = positive_int(rank, "rank")
    if rank > n:
        raise InputError(f"rank: expected an integer ≤ n = {n}, got {rank}")
    return rank


def _check_sizes(n, rank, n_masked) -> tuple[int, int, int]:
    n = positive_int(n, "n")
    rank = check_rank(rank, n)
    if isinstance(n_masked, bool) or not isinstance(n_masked, (int, np.integer)) or not 0 <= n_masked < n * n:
        raise InputError(f"n_masked: expected an integer in [0, {n * n - 1}], got {n_masked!r}")
    return n, rank, int(n_masked)


def check_condition(n: int, rank: int, n_masked: int, condition: str) -> None:
    """Raises InputError when ``n_masked`` breaks the count condition that ``condition`` asks for.

    ``"slides"`` asks for ``m < n² − dof``; ``"identifiable"`` for the necessary ``m ≤ n² − dof``
    (the mask is then redrawn until locally identifiable); ``"none"`` checks nothing.
    """
    if condition not in CONDITIONS:
        raise InputError(f"condition: expected one of {CONDITIONS}, got {condition!r}")
    bound = n * n - degrees_of_freedom(n, rank)
    if condition == "slides" and not n_masked < bound:
        raise InputError(
            f"n_masked: the slides' condition m < n² − (2nr − r²) = {bound} fails for m = {n_masked} "
            f"(n={n}, r={rank}); pass condition='identifiable' to allow m ≤ {bound}"
        )
    if condition == "identifiable" and not n_masked <= bound:
        raise InputError(
            f"n_masked: m = {n_masked} masked entries leave fewer observed entries than the "
            f"{degrees_of_freedom(n, rank)} degrees of freedom (n={n}, r={rank}); expected m ≤ {bound}"
        )


def random_mask(n: int, n_masked: int, rng: np.random.Generator) -> np.ndarray:
    """Returns a boolean n×n mask with ``n_masked`` False entries at uniformly random positions."""
    mask = np.ones(n * n, dtype=bool)
    mask[rng.choice(n * n, size=n_masked, replace=False)] = False
    return mask.reshape(n, n)


def masked_instance(n: int, rank: int, n_masked: int, *, seed: int = 0, condition: str = "slides") -> MaskedInstance:
    """Returns a random masked instance M = UVᵀ (U, V standard Gaussian) with its identifiability.

    Reference: M. Alkady (2025), "Dataset" and "Our Problem" slides.

    Args:
        n: matrix size.
        rank: r.
        n_masked: number m of masked entries (uniformly random positions).
        seed: seed of numpy's default generator.
        condition: ``"slides"`` (default) refuses m ≥ n² − dof; ``"identifiable"`` allows
            m ≤ n² − dof and redraws the mask until it is locally identifiable; ``"none"``
            draws any mask. The result always carries the full :class:`Identifiability` report.

    Raises:
        InputError: sizes out of range, the count condition fails, or no locally identifiable
            mask was found in ``MAX_MASK_DRAWS`` draws.
    """
    n, rank, n_masked = _check_sizes(n, rank, n_masked)
    check_condition(n, rank, n_masked, condition)
    rng = np.random.default_rng(positive_int(seed, "seed", minimum=0))
    left, right = rng.standard_normal((n, rank)), rng.standard_normal((n, rank))
    for _ in range(MAX_MASK_DRAWS):
        mask = random_mask(n, n_masked, rng)
        report = identifiability(left, right, mask)
        if condition != "identifiable" or report.locally_identifiable:
            return MaskedInstance(left @ right.T, mask, left, right, seed, report)
    raise InputError(
        f"n_masked: no locally identifiable mask with m = {n_masked} found in {MAX_MASK_DRAWS} draws "
        f"(n={n}, r={rank}); use fewer masked entries"
    )


@dataclass(frozen=True)
class MaskedBatch:
    """Many masked instances as arrays (leading axis: instance).

    Attributes:
        matrices: (B, n, n) ground truths M = UVᵀ.
        masks: (B, n, n) booleans, True where observed.
        left: (B, n, r) factors U.
        right: (B, n, r) factors V.
    """

    matrices: np.ndarray
    masks: np.ndarray
    left: np.ndarray
    right: np.ndarray

    def __len__(self) -> int:
        return self.matrices.shape[0]

    def subset(self, index) -> "MaskedBatch":
        """Returns the instances selected by ``index`` (a slice or an index array)."""
        return MaskedBatch(self.matrices[index], self.masks[index], self.left[index], self.right[index])


def masked_batch(n: int, rank: int, n_masked: int, count: int, *, seed: int = 0) -> MaskedBatch:
    """Returns ``count`` random masked instances as arrays.

    The data set of the slides' network: M = UVᵀ with Gaussian factors and an independent uniformly
    random mask of ``n_masked`` entries per matrix (no identifiability filter, as in the slides).
    """
    n, rank, n_masked = _check_sizes(n, rank, n_masked)
    count = positive_int(count, "count")
    rng = np.random.default_rng(positive_int(seed, "seed", minimum=0))
    left = rng.standard_normal((count, n, rank))
    right = rng.standard_normal((count, n, rank))
    # argsort of uniform keys gives an independent uniformly random subset per matrix, vectorised.
    order = np.argsort(rng.random((count, n * n)), axis=1)
    masks = np.ones((count, n * n), dtype=bool)
    np.put_along_axis(masks, order[:, :n_masked], False, axis=1)
    return MaskedBatch(left @ np.swapaxes(right, 1, 2), masks.reshape(count, n, n), left, right)


def parse_partial_matrix(value, name: str) -> tuple[np.ndarray, np.ndarray]:
    """Returns (values, mask) from a square matrix whose masked entries are NaN or None.

    Masked entries of ``values`` are set to 0.

    Raises:
        InputError: not square, an observed entry not finite, or nothing observed.
    """
    try:
        array = np.array([[np.nan if x is None else x for x in row] for row in value], dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise InputError(f"{name}: expected a square matrix of numbers with None/NaN for masked entries ({error})") from None
    if array.ndim != 2 or array.shape[0] != array.shape[1] or array.size == 0:
        raise InputError(f"{name}: expected a non-empty square matrix, got shape {array.shape}")
    mask = ~np.isnan(array)
    if np.isinf(array[mask]).any():
        raise InputError(f"{name}: observed entries must be finite")
    if not mask.any():
        raise InputError(f"{name}: every entry is masked; nothing to complete from")
    return np.where(mask, array, 0.0), mask
