"""Data for the ScaledSGD protocols: ground truths, MovieLens ``ratings.csv`` and item-item triples.

* Figure 1 ground truths (the ScaledSGD paper, NeurIPS 2022, Section 5; the matrices of the authors'
  public code ``Generate_Data.m``): M = U diag(s) Uᵀ with U a Haar-random d×r orthonormal matrix, s = (2, 2, 2)
  for κ = 1 and s_l = 10·κ^{−l/(r−1)}, l = 0…r−1, otherwise (κ = 10⁴, r = 3: 10, 10⁻¹, 10⁻³).
* Figure 2 point sets: d points uniform in [−1, 1]³; the ill-conditioned set moves the first 5 points
  by +10 along the first axis (the authors' code), i.e. "far outside the cube".
* Figure 3 item-item data. A *similarity oracle* returns M_ij on demand, so no d×d matrix is formed:

  - :class:`RatingsSimilarity`: the cosine similarity of item columns of a MovieLens user-item
    matrix, ``M_ij = ⟨u_i, u_j⟩/(‖u_i‖‖u_j‖)``, by merging the two sorted user lists
    (:func:`riptools.dynamics.item_similarity.sparse_cosine`);
  - :class:`LatentSimilarity`: a generated stand-in at MovieLens-25M size, ``M_ij = w_iᵀw_j`` with
    unit rows ``w_i = v_i/‖v_i‖`` of a d×k latent matrix: ``v_i0 = a_i`` (a per-item "mainstream"
    weight, lognormal(0, ½), which makes some items similar to everything as popular movies are)
    and ``v_il = s_l g_il`` with ``s_l = ½ l^{−3/2}`` and g ~ N(0, 1), l = 1…k−1, k = 16. The
    eigenvalues of M then decay like a power law (λ_l ∝ l^{−3}); they are the eigenvalues of the
    k×k matrix WᵀW, reported by :meth:`LatentSimilarity.spectrum`. These constants were fixed
    before any run and never changed.

  Triples (i, j, k) are three distinct items drawn uniformly; y = 1 when M_ij > M_ik, y = 0 when
  M_ij < M_ik, ties dropped (as the authors' ``generate_CF_LR.m`` does). Drawing is done in chunks
  of :data:`CHUNK` triples with one numpy stream per chunk.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from riptools.dynamics.item_similarity import latent_inner, parse_ratings_csv, sparse_cosine
from riptools.validation import InputError, positive_int

CHUNK = 1_000_000
"""Triples drawn per chunk (one random stream each)."""
LATENT_DIM = 16
"""k, the latent dimension of the generated item-item matrix (its rank)."""
MAINSTREAM_SIGMA = 0.5
"""σ of the lognormal per-item weight on the common direction."""
TAIL_SCALE, TAIL_POWER = 0.5, 1.5
"""s_l = TAIL_SCALE · l^(−TAIL_POWER) for the personal directions l = 1…k−1."""


def completion_ground_truth(d: int, r: int, kappa: float, rng: np.random.Generator) -> np.ndarray:
    """Returns Z (d×r) with ZZᵀ = U diag(s) Uᵀ of condition number κ (the Figure 1 matrices).

    Raises:
        InputError: κ < 1 or r > d.
    """
    d = positive_int(d, "d")
    r = positive_int(r, "r")
    if r > d:
        raise InputError(f"r: expected r ≤ d = {d}, got {r}")
    if not np.isfinite(kappa) or kappa < 1:
        raise InputError(f"kappa: expected a finite number ≥ 1, got {kappa!r}")
    U, _ = np.linalg.qr(rng.standard_normal((d, r)))
    if kappa == 1:
        spectrum = np.full(r, 2.0)
    else:
        spectrum = 10.0 * float(kappa) ** (-np.arange(r) / max(r - 1, 1))
    return U * np.sqrt(spectrum)


def edm_points(d: int, *, outliers: int, rng: np.random.Generator) -> np.ndarray:
    """Returns d points uniform in [−1, 1]³, the first ``outliers`` shifted by +10 along axis 0."""
    points = rng.uniform(-1.0, 1.0, size=(d, 3))
    points[:outliers, 0] += 10.0
    return points


def squared_distances(points: np.ndarray) -> np.ndarray:
    """Returns the Euclidean distance matrix D_ij = ‖p_i − p_j‖²."""
    sq = np.einsum("ij,ij->i", points, points)
    return np.maximum(sq[:, None] + sq[None, :] - 2.0 * points @ points.T, 0.0)


# ----------------------------------------------------------------------------- MovieLens ratings


@dataclass(frozen=True)
class RatingsSimilarity:
    """Cosine item-item similarity of a user-item rating matrix, column by column (CSC form).

    Attributes:
        indptr, users, ratings: item c rates users ``users[indptr[c]:indptr[c+1]]`` (sorted) with
            ``ratings[...]``.
        norms: ‖u_c‖ of every item column.
        movie_ids: the MovieLens movieId of item c.
    """

    indptr: np.ndarray
    users: np.ndarray
    ratings: np.ndarray
    norms: np.ndarray
    movie_ids: np.ndarray

    @property
    def num_items(self) -> int:
        """Number of items (movies with at least one rating)."""
        return int(self.norms.shape[0])

    def similarities(self, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        """Returns M_ij for the index arrays ``rows``, ``cols``."""
        return sparse_cosine(self.indptr, self.users, self.ratings, self.norms, rows, cols)


def load_ratings(path) -> RatingsSimilarity:
    """Returns the cosine item-item similarity of a MovieLens ``ratings.csv`` (header, then
    ``userId,movieId,rating,timestamp`` lines); items without ratings are dropped (as the authors do).

    Raises:
        InputError: missing file, malformed line, or no ratings.
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(f"ratings: no such file {str(path)!r}")
    buffer = np.fromfile(path, dtype=np.uint8)
    users, movies, ratings, bad = parse_ratings_csv(buffer)
    if bad >= 0:
        line = bytes(buffer[bad : bad + 80]).split(b"\n")[0].decode(errors="replace")
        raise InputError(f"ratings: expected 'userId,movieId,rating,timestamp', got {line!r}")
    if users.size == 0:
        raise InputError(f"ratings: {str(path)!r} holds no ratings")
    movie_ids, items = np.unique(movies, return_inverse=True)
    _, user_index = np.unique(users, return_inverse=True)
    order = np.lexsort((user_index, items))
    items, user_index, ratings = items[order], user_index[order], ratings[order]
    indptr = np.zeros(movie_ids.size + 1, dtype=np.int64)
    np.add.at(indptr, items + 1, 1)
    indptr = np.cumsum(indptr)
    norms = np.sqrt(np.bincount(items, weights=ratings**2, minlength=movie_ids.size))
    return RatingsSimilarity(indptr, user_index.astype(np.int64), ratings, norms, movie_ids)


# ----------------------------------------------------------------------------- generated stand-in


@dataclass(frozen=True)
class LatentSimilarity:
    """The generated item-item matrix M = WWᵀ (unit rows, rank k), evaluated entry by entry.

    Attributes:
        W: (d, k) unit rows.
    """

    W: np.ndarray

    @property
    def num_items(self) -> int:
        """Number of items d."""
        return int(self.W.shape[0])

    def similarities(self, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        """Returns M_ij = w_iᵀw_j for the index arrays ``rows``, ``cols``."""
        return latent_inner(self.W, rows, cols)

    def spectrum(self) -> np.ndarray:
        """Returns the nonzero eigenvalues of M (those of the k×k matrix WᵀW), descending."""
        return np.sort(np.linalg.eigvalsh(self.W.T @ self.W))[::-1]


def generated_similarity(num_items: int, *, seed: int) -> LatentSimilarity:
    """Returns the generated MovieLens-like item-item matrix (see the module docstring)."""
    num_items = positive_int(num_items, "items", minimum=3)
    rng = np.random.default_rng([seed, 0x4D4C])
    V = np.empty((num_items, LATENT_DIM))
    V[:, 0] = rng.lognormal(0.0, MAINSTREAM_SIGMA, size=num_items)
    scales = TAIL_SCALE * np.arange(1, LATENT_DIM, dtype=float) ** (-TAIL_POWER)
    V[:, 1:] = rng.standard_normal((num_items, LATENT_DIM - 1)) * scales
    return LatentSimilarity(V / np.linalg.norm(V, axis=1, keepdims=True))


@dataclass(frozen=True)
class Triples:
    """Labelled triples (i, j, k, y): y = 1 when M_ij > M_ik. int32 indices, uint8 labels."""

    I: np.ndarray
    J: np.ndarray
    K: np.ndarray
    Y: np.ndarray

    def __len__(self) -> int:
        return int(self.I.shape[0])

    def head(self, count: int) -> "Triples":
        """Returns the first ``count`` triples (views)."""
        return Triples(self.I[:count], self.J[:count], self.K[:count], self.Y[:count])


def draw_triples(similarity, count: int, *, seed: int, stream: int = 0, progress=None) -> Triples:
    """Returns ``count`` labelled triples of distinct items, ties dropped, drawn chunk by chunk.

    Args:
        similarity: a :class:`RatingsSimilarity` or :class:`LatentSimilarity`.
        count: number of triples to keep.
        seed, stream: chunk c uses ``default_rng([seed, stream, c])`` (train and test use two streams).
        progress: optional callable(kept) for progress reporting.

    Raises:
        InputError: fewer than 3 items, or too many ties to collect ``count`` triples.
    """
    d = similarity.num_items
    if d < 3:
        raise InputError(f"ratings: need at least 3 rated items, got {d}")
    I = np.empty(count, dtype=np.int32)
    J = np.empty(count, dtype=np.int32)
    K = np.empty(count, dtype=np.int32)
    Y = np.empty(count, dtype=np.uint8)
    kept, chunk = 0, 0
    while kept < count:
        rng = np.random.default_rng([seed, stream, chunk])
        chunk += 1
        size = min(CHUNK, 2 * (count - kept) + 1000)
        i, j, k = (rng.integers(0, d, size=size) for _ in range(3))
        distinct = (i != j) & (i != k) & (j != k)
        i, j, k = i[distinct], j[distinct], k[distinct]
        m_ij = similarity.similarities(i, j)
        m_ik = similarity.similarities(i, k)
        keep = m_ij != m_ik
        take = min(int(keep.sum()), count - kept)
        sel = np.flatnonzero(keep)[:take]
        I[kept : kept + take], J[kept : kept + take], K[kept : kept + take] = i[sel], j[sel], k[sel]
        Y[kept : kept + take] = m_ij[sel] > m_ik[sel]
        kept += take
        if progress is not None:
            progress(kept)
        if chunk > 50 + 20 * (count // CHUNK + 1):
            raise InputError(f"ratings: too many ties M_ij = M_ik to draw {count} triples (kept {kept})")
    return Triples(I, J, K, Y)

