"""Admissible instances for the ScaledSGD claims: ground truths Z, points X at a chosen ρ, directions V.

Instances cover what the issue asks for: sizes n = 2…30, r = 1…5, condition numbers κ from 1 to
10⁴, points from very near the ground truth to the boundary ρ → 1/2, directions inside and
orthogonal to the column space and along the weakest direction of Z. Randomness is routed through a
drawn integer seed (numpy Generator), so hypothesis can replay every instance.

The ``repair_*`` functions map an arbitrary perturbed point back inside a hypothesis (used by the
optimiser): X is pulled towards Z along the segment until ρ(X) is admissible; V is scaled down.
"""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from riptools.claims import matrix_functions as mf
from riptools.claims.engine import FLOAT64

INSIDE = 1 - 1e-9
"""Relative safety factor: float64 points are placed this far inside a boundary, so the hypotheses
still hold when re-checked exactly in high precision."""
MAX_CONDITION = 1e10
"""Repairs reject points whose Gram matrices XᵀX or ZᵀZ are worse conditioned (numerically singular)."""
DIRECTIONS = ("random", "orthogonal", "in_span", "weakest", "scale")


def orthonormal(rng: np.random.Generator, n: int, r: int) -> np.ndarray:
    """Returns an n×r matrix with orthonormal columns (QR of a Gaussian matrix).

    Example:
        >>> rng = np.random.default_rng(0)
        >>> q = orthonormal(rng, 4, 2)
        >>> bool(np.allclose(q.T @ q, np.eye(2)))
        True
    """
    q, _ = np.linalg.qr(rng.standard_normal((n, r)))
    return q


def ground_truth(rng: np.random.Generator, n: int, r: int, *, kappa: float, row_scale: tuple[int, float] | None = None) -> np.ndarray:
    """Returns Z (n×r) with σ_max(Z) = 1 and condition number κ(ZᵀZ) = ``kappa``.

    ``row_scale = (k, c)`` multiplies row k by c before renormalising (c = 0 makes g_k(Z) = 0),
    which produces coherent ground truths.

    Example:
        >>> rng = np.random.default_rng(0)
        >>> z = ground_truth(rng, 5, 2, kappa=100.0)
        >>> round(float(np.linalg.cond(z.T @ z)), 6), round(float(np.linalg.norm(z, 2)), 12)
        (100.0, 1.0)
    """
    singular = np.sqrt(np.geomspace(1.0, 1.0 / kappa, r))
    z = orthonormal(rng, n, r) * singular @ orthonormal(rng, r, r).T
    if row_scale is not None:
        k, c = row_scale
        z[k] *= c
        z /= np.linalg.norm(z, 2) or 1.0
    return z


def direction(rng: np.random.Generator, base: np.ndarray, kind: str) -> np.ndarray:
    """Returns a random n×r direction of the given kind relative to ``base`` (columns of X or Z).

    Kinds: ``random``; ``orthogonal`` (columns ⊥ col(base)); ``in_span`` (base·M); ``weakest``
    (along base's weakest right-singular direction, the worst case of several lemmas); ``scale``
    (±base: X = cZ and V = ±sX, the extremal family of Lemma 3's first part).

    Example:
        >>> rng = np.random.default_rng(0)
        >>> z = ground_truth(rng, 4, 2, kappa=1.0)
        >>> v = direction(rng, z, "orthogonal")
        >>> bool(np.allclose(z.T @ v, 0))
        True
    """
    n, r = base.shape
    gaussian = rng.standard_normal((n, r))
    if kind == "orthogonal" and n > r:
        q, _ = np.linalg.qr(base)
        return gaussian - q @ (q.T @ gaussian)
    if kind == "in_span":
        return base @ rng.standard_normal((r, r))
    if kind == "scale":
        return base * rng.choice([-1.0, 1.0]) + 1e-3 * gaussian
    if kind == "weakest":
        _, _, vt = np.linalg.svd(base, full_matrices=False)
        weak = vt[-1]
        return np.outer(base @ weak, weak) * rng.choice([-1.0, 1.0]) + 1e-3 * gaussian
    return gaussian


def point_at_rho(z: np.ndarray, step: np.ndarray, target: float) -> np.ndarray:
    """Returns X = Z + t·step with ρ(X, Z) ≈ target (bisection on t; ρ(Z) = 0).

    Example:
        >>> rng = np.random.default_rng(0)
        >>> from riptools.claims import matrix_functions as mf
        >>> from riptools.claims.engine import FLOAT64
        >>> z = ground_truth(rng, 3, 1, kappa=1.0)
        >>> x = point_at_rho(z, rng.standard_normal((3, 1)), 0.25)
        >>> round(float(mf.rho(x, z, FLOAT64)), 6)
        0.25
    """
    if target <= 0:
        return z.copy()
    rho = lambda t: mf.rho(z + t * step, z, FLOAT64)  # noqa: E731
    high = 1e-3 / (np.linalg.norm(step) or 1.0)
    for _ in range(80):
        if rho(high) >= target:
            break
        high *= 2
    low = 0.0
    for _ in range(60):
        middle = 0.5 * (low + high)
        low, high = (middle, high) if rho(middle) < target else (low, middle)
    return z + low * step


def well_conditioned(matrix: np.ndarray) -> bool:
    """Returns True when matrixᵀmatrix is invertible in float64 with room to spare.

    Example:
        >>> well_conditioned(np.eye(3)[:, :2]), well_conditioned(np.ones((3, 2)))
        (True, False)
    """
    return bool(np.all(np.isfinite(matrix)) and np.linalg.cond(matrix.T @ matrix) < MAX_CONDITION)


def repair_rho(x: np.ndarray, z: np.ndarray, rho_max: float) -> np.ndarray | None:
    """Returns X, or the point of the segment from Z to X where ρ = ρ_max·INSIDE; None if Z is singular.

    Example:
        >>> rng = np.random.default_rng(0)
        >>> from riptools.claims import matrix_functions as mf
        >>> from riptools.claims.engine import FLOAT64
        >>> z = ground_truth(rng, 3, 1, kappa=1.0)
        >>> bool(mf.rho(repair_rho(3 * z, z, 0.5), z, FLOAT64) < 0.5)  # 3z has ρ = 8; pulled back towards z
        True
    """
    if not (well_conditioned(z) and np.all(np.isfinite(x))):
        return None
    if mf.rho(x, z, FLOAT64) <= rho_max * INSIDE:
        return x if well_conditioned(x) else None
    pulled = point_at_rho(z, x - z, rho_max * INSIDE * INSIDE)
    return pulled if well_conditioned(pulled) else None


def scale_into_ball(v: np.ndarray, norm: float, radius: float) -> np.ndarray:
    """Returns V scaled so that its norm (given as ``norm``) is at most radius·INSIDE.

    Example:
        >>> scale_into_ball(np.array([3.0, 4.0]), 5.0, 1.0).round(6).tolist()
        [0.6, 0.8]
    """
    limit = radius * INSIDE
    return v if norm <= limit else v * (limit / norm) if norm > 0 else v


@st.composite
def factor_pair(draw, n: int, r: int, *, rho_max: float, coherent_rows: bool = False) -> dict:
    """Draws {"X", "Z", ...}: Z with σ_max = 1 and κ ∈ [1, 10⁴], X at ρ(X, Z) ∈ (0, ρ_max).

    The ratio ρ/ρ_max favours the boundary (1 − 10⁻⁶), the middle and points very near Z.

    Example:
        >>> from hypothesis import find
        >>> from riptools.claims import matrix_functions as mf
        >>> from riptools.claims.engine import FLOAT64
        >>> pair = find(factor_pair(3, 1, rho_max=0.1), lambda p: True)
        >>> bool(mf.rho(pair["X"], pair["Z"], FLOAT64) < 0.1)
        True
    """
    seed = draw(st.integers(0, 2**32 - 1))
    log_kappa = draw(st.sampled_from([0.0, 1.0, 2.0, 4.0]) | st.floats(0.0, 4.0))
    fraction = draw(st.sampled_from([1 - 1e-6, 0.5, 1e-3]) | st.floats(1e-6, 1.0))
    kind = draw(st.sampled_from(DIRECTIONS))
    rng = np.random.default_rng(seed)
    row_scale = None
    if coherent_rows:
        # A zero row keeps Z of full rank only when n > r.
        row_scale = (draw(st.integers(0, n - 1)), draw(st.sampled_from([0.0, 0.1, 1.0, 10.0] if n > r else [0.1, 1.0, 10.0])))
    z = ground_truth(rng, n, r, kappa=10.0**log_kappa, row_scale=row_scale)
    x = point_at_rho(z, direction(rng, z, kind), fraction * rho_max * INSIDE)
    instance = {"X": x, "Z": z}
    if row_scale is not None:
        instance["k"] = row_scale[0]
    return instance


@st.composite
def generic_factor(draw, n: int, r: int) -> np.ndarray:
    """Draws an n×r X of full column rank with condition number up to 10⁴, no relation to any Z.

    Example:
        >>> from hypothesis import find
        >>> find(generic_factor(4, 2), lambda x: True).shape
        (4, 2)
    """
    seed = draw(st.integers(0, 2**32 - 1))
    log_kappa = draw(st.sampled_from([0.0, 2.0, 4.0]) | st.floats(0.0, 4.0))
    scale = draw(st.sampled_from([1.0, 1e-3, 1e3]))
    rng = np.random.default_rng(seed)
    return scale * ground_truth(rng, n, r, kappa=10.0**log_kappa)
