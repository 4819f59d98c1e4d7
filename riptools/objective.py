"""The Burer–Monteiro objective f(U) = ‖A(UUᵀ − ZZᵀ)‖², its derivatives, and critical-point classes.

Conventions (see :mod:`riptools.sensing` for svec and the operator):

* ``f(U) = ‖A(UUᵀ − M★)‖²`` with ``M★ = ZZᵀ``, U ∈ R^{n×r}, Z ∈ R^{n×r★}; **no factor ½**, as in the
  sharp-RIP talk slides. With ``E = UUᵀ − M★`` and ``G = A*(A(E)) = Σ_i ⟨A_i, E⟩ A_i``:
  ``∇f(U) = 4 G U`` and ``∇²f(U)[V, V] = 2‖A(UVᵀ + VUᵀ)‖² + 4⟨G, VVᵀ⟩``.
* The Hessian is an nr×nr matrix acting on ``vec(V) = V.ravel()`` (row-major: index i·r + k holds
  V[i, k]), so ``∇²f(U) = 8 Σ_i vec(A_i U) vec(A_i U)ᵀ + 4 (G ⊗ I_r)``.
* f is invariant under U → UR for orthogonal R, so at any critical point of rank r ≥ 2 the Hessian
  vanishes on the tangent space {UΩ : Ω skew} of that orbit. :func:`classify_point` reports the
  spectrum on the orthogonal complement of this space, where a strict local minimum (modulo the
  symmetry) has a positive spectrum.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

import numpy as np
import scipy.linalg

from riptools.sensing import SensingOperator
from riptools.validation import InputError, as_factor

GRADIENT_TOL = 1e-8
"""Default: a point is critical when ‖∇f(U)‖_F ≤ GRADIENT_TOL."""
EIGENVALUE_TOL = 1e-8
"""Default: Hessian eigenvalues within ±EIGENVALUE_TOL of 0 count as zero."""
GLOBAL_TOL = 1e-8
"""Default: U is a global minimiser when ‖UUᵀ − ZZᵀ‖_F ≤ GLOBAL_TOL·max(1, ‖ZZᵀ‖_F)."""


def check_point(operator: SensingOperator, u, z) -> tuple[np.ndarray, np.ndarray]:
    """Returns (U, Z) as 2-d float arrays with n rows; raises InputError naming the bad argument."""
    return as_factor(u, "U", operator.n), as_factor(z, "Z", operator.n)


def residual(u: np.ndarray, z: np.ndarray) -> np.ndarray:
    """Returns E = UUᵀ − ZZᵀ."""
    return u @ u.T - z @ z.T


def objective_value(operator: SensingOperator, u, z) -> float:
    """Returns f(U) = ‖A(UUᵀ − ZZᵀ)‖² (no factor ½).

    Example:
        >>> from riptools.sensing import half_example
        >>> ex = half_example()
        >>> round(objective_value(ex.operator, ex.x_bad, ex.z), 6), objective_value(ex.operator, ex.z, ex.z)
        (0.75, 0.0)
    """
    u, z = check_point(operator, u, z)
    values = operator.apply(residual(u, z))
    return float(values @ values)


def _weighted_sum(operator: SensingOperator, u: np.ndarray, z: np.ndarray) -> np.ndarray:
    """Returns G = A*(A(UUᵀ − ZZᵀ))."""
    return operator.adjoint(operator.apply(residual(u, z)))


def gradient(operator: SensingOperator, u, z) -> np.ndarray:
    """Returns ∇f(U) = 4·A*(A(UUᵀ − ZZᵀ))·U, an n×r matrix.

    Example:
        >>> from riptools.sensing import half_example
        >>> ex = half_example()
        >>> float(abs(gradient(ex.operator, ex.x_bad, ex.z)).max()) < 1e-12  # x_bad is critical
        True
    """
    u, z = check_point(operator, u, z)
    return 4.0 * _weighted_sum(operator, u, z) @ u


def hessian(operator: SensingOperator, u, z) -> np.ndarray:
    """Returns ∇²f(U) as an nr×nr matrix on vec(V) = V.ravel() (see the module docstring).

    Example:
        >>> from riptools.sensing import half_example
        >>> ex = half_example()
        >>> (hessian(ex.operator, ex.x_bad, ex.z).round(6) + 0.0).tolist()
        [[0.0, 0.0], [0.0, 4.0]]
    """
    u, z = check_point(operator, u, z)
    r = u.shape[1]
    columns = (operator.matrices @ u).reshape(operator.num_measurements, -1)  # rows vec(A_i U)
    return 8.0 * columns.T @ columns + 4.0 * np.kron(_weighted_sum(operator, u, z), np.eye(r))


def symmetry_directions(u: np.ndarray, tol: float = 1e-10) -> np.ndarray:
    """Returns an orthonormal basis (columns, in vec coordinates) of {UΩ : Ω skew-symmetric}."""
    n, r = u.shape
    directions = []
    for a in range(r):
        for b in range(a + 1, r):
            omega = np.zeros((r, r))
            omega[a, b], omega[b, a] = 1.0, -1.0
            directions.append((u @ omega).ravel())
    if not directions:
        return np.zeros((n * r, 0))
    basis, singular_values, _ = np.linalg.svd(np.array(directions).T, full_matrices=False)
    return basis[:, singular_values > tol * max(1.0, singular_values[0])]


class PointKind(str, enum.Enum):
    """The classes of :func:`classify_point`."""

    STRICT_LOCAL_MINIMUM = "strict local minimum"
    DEGENERATE = "second-order critical, degenerate"
    SADDLE = "saddle"
    NOT_CRITICAL = "not critical"


def critical_point_kind(gradient_norm: float, min_eig: float, gradient_tol: float, eigenvalue_tol: float) -> PointKind:
    """Returns the class of a point from ‖∇f‖ and the reduced Hessian minimum, at the given tolerances.

    The one rule behind :func:`classify_point` and the numeric certificate. A NaN gradient (float64
    overflow) is not critical, and a NaN Hessian minimum is a saddle: no comparison passes NaN.

    Example:
        >>> critical_point_kind(1e-9, 0.0, 1e-7, 1e-7).value, critical_point_kind(float("nan"), 1.0, 1e-7, 1e-7).value
        ('second-order critical, degenerate', 'not critical')
    """
    if not gradient_norm <= gradient_tol:
        return PointKind.NOT_CRITICAL
    if min_eig > eigenvalue_tol:
        return PointKind.STRICT_LOCAL_MINIMUM
    return PointKind.DEGENERATE if min_eig >= -eigenvalue_tol else PointKind.SADDLE


@dataclass(frozen=True)
class PointClassification:
    """What a point U is for f(U) = ‖A(UUᵀ − ZZᵀ)‖².

    Attributes:
        kind: strict local minimum (modulo the U → UR symmetry), degenerate second-order critical
            point (Hessian ⪰ 0 with a zero eigenvalue: *not* shown to be a local minimum), saddle, or
            not critical.
        is_global: UUᵀ = ZZᵀ within the tolerance.
        spurious: a critical point that is not global.
        gradient_norm: ‖∇f(U)‖_F.
        hessian_min_eig: smallest eigenvalue of the Hessian on the complement of the symmetry
            directions (equal to the full Hessian's when r = 1).
        margin: μ = hessian_min_eig for a strict local minimum, else None.
        hessian_eigenvalues: that reduced spectrum, ascending.
        symmetry_dimension: dimension of {UΩ : Ω skew} that was projected out.
        objective: f(U).
        residual_norm: ‖UUᵀ − ZZᵀ‖_F.
    """

    kind: PointKind
    is_global: bool
    spurious: bool
    gradient_norm: float
    hessian_min_eig: float
    margin: float | None
    hessian_eigenvalues: np.ndarray
    symmetry_dimension: int
    objective: float
    residual_norm: float

    def describe(self) -> str:
        """Returns a one-line description such as 'spurious strict local minimum (μ = 0.25)'."""
        prefix = "global " if self.is_global else ("spurious " if self.spurious else "")
        text = f"{prefix}{self.kind.value}"
        if self.margin is not None:
            text += f" (μ = {self.margin:.6g})"
        return text


def reduced_hessian_spectrum(hessian_matrix: np.ndarray, u: np.ndarray) -> tuple[np.ndarray, int]:
    """Returns the Hessian's eigenvalues on the complement of the symmetry directions, and their count."""
    symmetric = symmetry_directions(u)
    if symmetric.shape[1] == 0:
        return np.linalg.eigvalsh(hessian_matrix), 0
    complement = scipy.linalg.null_space(symmetric.T)
    return np.linalg.eigvalsh(complement.T @ hessian_matrix @ complement), symmetric.shape[1]


def classify_point(
    operator: SensingOperator,
    u,
    z,
    *,
    gradient_tol: float = GRADIENT_TOL,
    eigenvalue_tol: float = EIGENVALUE_TOL,
    global_tol: float = GLOBAL_TOL,
) -> PointClassification:
    """Returns the critical-point class of U for f(U) = ‖A(UUᵀ − ZZᵀ)‖².

    Args:
        operator: the sensing operator A.
        u: the point U (n×r, or a length-n vector for rank 1).
        z: the ground truth factor Z (n×r★, or a vector).
        gradient_tol: U is critical when ‖∇f(U)‖_F ≤ gradient_tol.
        eigenvalue_tol: reduced Hessian eigenvalues in [−tol, tol] count as zero.
        global_tol: U is global when ‖UUᵀ − ZZᵀ‖_F ≤ global_tol·max(1, ‖ZZᵀ‖_F).

    Example:
        >>> from riptools.sensing import half_example
        >>> ex = half_example()
        >>> point = classify_point(ex.operator, ex.x_bad, ex.z)
        >>> point.kind.value, point.spurious
        ('second-order critical, degenerate', True)
    """
    u, z = check_point(operator, u, z)
    for name, value in (("gradient_tol", gradient_tol), ("eigenvalue_tol", eigenvalue_tol), ("global_tol", global_tol)):
        if not (np.isfinite(value) and value >= 0):
            raise InputError(f"{name}: expected a finite number ≥ 0, got {value!r}")
    gradient_norm = float(np.linalg.norm(gradient(operator, u, z)))
    eigenvalues, symmetry_dimension = reduced_hessian_spectrum(hessian(operator, u, z), u)
    min_eig = float(eigenvalues[0]) if eigenvalues.size else 0.0
    residual_norm = float(np.linalg.norm(residual(u, z)))
    is_global = residual_norm <= global_tol * max(1.0, float(np.linalg.norm(z @ z.T)))
    kind = critical_point_kind(gradient_norm, min_eig, gradient_tol, eigenvalue_tol)
    return PointClassification(
        kind=kind,
        is_global=bool(is_global),
        spurious=bool(kind != PointKind.NOT_CRITICAL and not is_global),
        gradient_norm=gradient_norm,
        hessian_min_eig=min_eig,
        margin=min_eig if kind == PointKind.STRICT_LOCAL_MINIMUM else None,
        hessian_eigenvalues=eigenvalues,
        symmetry_dimension=symmetry_dimension,
        objective=objective_value(operator, u, z),
        residual_norm=residual_norm,
    )
