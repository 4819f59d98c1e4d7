"""Symmetric sensing operators, svec coordinates and operator files: the conventions of riptools.

Every other module uses these conventions; they are stated here once.

* **Inner product.** ``⟨A, B⟩ = tr(AᵀB)`` and ``‖M‖ = ‖M‖_F`` on n×n matrices.
* **svec.** ``Sⁿ`` (symmetric n×n matrices) has dimension ``N = n(n+1)/2``. ``svec(M)`` lists the
  upper-triangle entries ``(i, j), i ≤ j`` in row-major order, diagonal entries as they are and
  off-diagonal entries multiplied by √2. It is an isometry: ``⟨A, B⟩ = svec(A)·svec(B)``, i.e. the
  coordinates in an orthonormal basis ``{B_a}`` of ``Sⁿ`` (:func:`svec_basis`).
* **Operator.** A sensing operator ``A: Sⁿ → Rᵐ`` is ``A(M)_i = ⟨A_i, M⟩``. Only the symmetric part
  ``(A_i + A_iᵀ)/2`` acts on symmetric M, so riptools stores the symmetric parts.
  Its **svec matrix** is the m×N matrix whose row i is ``svec(sym A_i)``, so ``A(M) = 𝐀·svec(M)``.
  Its **kernel** is ``H = 𝐀ᵀ𝐀`` (N×N, PSD), so ``‖A(M)‖² = svec(M)ᵀ H svec(M)``.
* **RIP.** A satisfies δ-RIP of rank r when ``(1−δ)‖M‖² ≤ ‖A(M)‖² ≤ (1+δ)‖M‖²`` for every
  symmetric M of rank ≤ r (the slides' definition, no rescaling); see :mod:`riptools.rip`.
* **Objective.** ``f(U) = ‖A(UUᵀ − ZZᵀ)‖²`` with **no factor ½**; see :mod:`riptools.objective`.
* **Operator files.** ``.npz`` with an array ``A`` of shape (m, n, n), optionally ``X_bad`` (n×r)
  and ``Z`` (n×r★); ``.json`` with the same keys as nested lists (and optional ``description``).
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from riptools.validation import InputError, as_factor, as_finite_array, check_magnitude, positive_int

SQRT2 = np.sqrt(2.0)


def svec_dimension(n: int) -> int:
    """Returns N = n(n+1)/2, the dimension of Sⁿ.

    Example:
        >>> svec_dimension(3)
        6
    """
    return n * (n + 1) // 2


def _upper_indices(n: int) -> tuple[np.ndarray, np.ndarray]:
    return np.triu_indices(n)


def svec(matrix: np.ndarray) -> np.ndarray:
    """Returns the svec coordinates of the symmetric part of ``matrix`` (last two axes n×n).

    Example:
        >>> import numpy as np
        >>> m = np.array([[1.0, 2.0], [2.0, 3.0]])
        >>> svec(m).round(6).tolist()
        [1.0, 2.828427, 3.0]
        >>> float(svec(m) @ svec(m)) == float(np.sum(m * m))  # ⟨A, B⟩ = svec(A)·svec(B)
        True
    """
    matrix = np.asarray(matrix, dtype=np.float64)
    n = matrix.shape[-1]
    sym = 0.5 * (matrix + np.swapaxes(matrix, -1, -2))
    rows, cols = _upper_indices(n)
    weights = np.where(rows == cols, 1.0, SQRT2)
    return sym[..., rows, cols] * weights


def smat(vector: np.ndarray, n: int | None = None) -> np.ndarray:
    """Returns the symmetric matrix whose svec is ``vector`` (inverse of :func:`svec`).

    Example:
        >>> import numpy as np
        >>> m = np.array([[1.0, 2.0], [2.0, 3.0]])
        >>> bool(np.allclose(smat(svec(m)), m))
        True
    """
    vector = np.asarray(vector, dtype=np.float64)
    size = vector.shape[-1]
    if n is None:
        n = int(round((np.sqrt(8 * size + 1) - 1) / 2))
    if svec_dimension(n) != size:
        raise InputError(f"vector: length {size} is not n(n+1)/2 for any n")
    rows, cols = _upper_indices(n)
    weights = np.where(rows == cols, 1.0, 1.0 / SQRT2)
    matrix = np.zeros(vector.shape[:-1] + (n, n))
    matrix[..., rows, cols] = vector * weights
    matrix[..., cols, rows] = vector * weights
    return matrix


def svec_basis(n: int) -> np.ndarray:
    """Returns the orthonormal basis {B_a} of Sⁿ behind svec, shape (N, n, n)."""
    return smat(np.eye(svec_dimension(n)), n)


@dataclass(frozen=True)
class SensingOperator:
    """A linear map A: Sⁿ → Rᵐ, A(M)_i = ⟨A_i, M⟩, stored as the symmetric parts of its A_i.

    Build it with :meth:`from_matrices`, :meth:`from_svec_matrix` or :meth:`from_kernel`.
    """

    matrices: np.ndarray
    description: str = ""
    _svec_matrix: np.ndarray = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        object.__setattr__(self, "_svec_matrix", svec(self.matrices))

    @classmethod
    def from_matrices(cls, matrices, description: str = "") -> "SensingOperator":
        """Returns the operator with measurement matrices ``matrices`` (shape (m, n, n) or a list).

        Raises:
            InputError: empty, non-square, mismatched shapes, or non-finite entries.
        """
        if isinstance(matrices, (list, tuple)):
            if len(matrices) == 0:
                raise InputError("matrices: the operator has no measurements (empty list)")
            shapes = {np.shape(a) for a in matrices}
            if len(shapes) != 1:
                raise InputError(f"matrices: all matrices must have one shape, got {sorted(shapes)}")
        array = as_finite_array(matrices, "matrices")
        if array.ndim != 3:
            raise InputError(f"matrices: expected shape (m, n, n), got {array.shape}")
        if array.shape[1] != array.shape[2]:
            raise InputError(f"matrices: each matrix must be square, got {array.shape[1]}×{array.shape[2]}")
        check_magnitude(array, "matrices", allow_zero=False)
        sym = 0.5 * (array + np.swapaxes(array, 1, 2))
        return cls(matrices=sym, description=description)

    @classmethod
    def from_svec_matrix(cls, svec_matrix, description: str = "") -> "SensingOperator":
        """Returns the operator whose m×N matrix in svec coordinates is ``svec_matrix``."""
        array = as_finite_array(svec_matrix, "svec_matrix", ndim=2)
        n = int(round((np.sqrt(8 * array.shape[1] + 1) - 1) / 2))
        if svec_dimension(n) != array.shape[1]:
            raise InputError(f"svec_matrix: {array.shape[1]} columns is not n(n+1)/2 for any n")
        return cls(matrices=smat(array, n), description=description)

    @classmethod
    def from_kernel(cls, kernel, *, rank_tol: float = 1e-12, description: str = "") -> "SensingOperator":
        """Returns an operator A with AᵀA = ``kernel`` by factoring the PSD kernel H.

        The factor is ``𝐀 = diag(√λ) Vᵀ`` from the eigendecomposition H = V diag(λ) Vᵀ, keeping the
        eigenvalues above ``rank_tol·λ_max`` (so m = numerical rank of H).

        Raises:
            InputError: H not square, not symmetric, of the wrong size, or not PSD.
        """
        kernel = as_finite_array(kernel, "kernel", ndim=2)
        size = kernel.shape[0]
        if kernel.shape != (size, size):
            raise InputError(f"kernel: expected a square N×N matrix, got {kernel.shape}")
        scale = max(1.0, float(np.max(np.abs(kernel))))
        if np.max(np.abs(kernel - kernel.T)) > 1e-10 * scale:
            raise InputError("kernel: expected a symmetric matrix")
        eigenvalues, eigenvectors = np.linalg.eigh(0.5 * (kernel + kernel.T))
        if eigenvalues[0] < -1e-9 * scale:
            raise InputError(f"kernel: expected a PSD matrix, smallest eigenvalue {eigenvalues[0]:.3g}")
        keep = eigenvalues > rank_tol * max(eigenvalues[-1], 0.0)
        if not np.any(keep):
            raise InputError("kernel: the zero kernel has no factorisation with measurements")
        factor = np.sqrt(eigenvalues[keep])[:, None] * eigenvectors[:, keep].T
        return cls.from_svec_matrix(factor, description=description)

    @property
    def n(self) -> int:
        """Size n of the matrices the operator acts on."""
        return self.matrices.shape[1]

    @property
    def num_measurements(self) -> int:
        """Number m of measurements."""
        return self.matrices.shape[0]

    @property
    def svec_matrix(self) -> np.ndarray:
        """The m×N matrix 𝐀 with A(M) = 𝐀·svec(M)."""
        return self._svec_matrix

    @functools.cached_property
    def kernel(self) -> np.ndarray:
        """The N×N PSD kernel H = 𝐀ᵀ𝐀, so that ‖A(M)‖² = svec(M)ᵀ H svec(M) (computed once)."""
        return self._svec_matrix.T @ self._svec_matrix

    def apply(self, matrix) -> np.ndarray:
        """Returns A(M) ∈ Rᵐ for a symmetric M (its symmetric part is used)."""
        return self._svec_matrix @ svec(matrix)

    def adjoint(self, values) -> np.ndarray:
        """Returns A*(y) = Σ_i y_i A_i ∈ Sⁿ."""
        return np.tensordot(np.asarray(values, dtype=np.float64), self.matrices, axes=1)

    def rotated(self, rotation) -> "SensingOperator":
        """Returns the operator with matrices Q A_i Qᵀ (the same RIP constants for orthogonal Q)."""
        q = as_finite_array(rotation, "rotation", ndim=2)
        return SensingOperator(matrices=q @ self.matrices @ q.T, description=self.description)

    def scaled(self, factor: float) -> "SensingOperator":
        """Returns the operator c·A (its kernel is c²·H)."""
        return SensingOperator(matrices=float(factor) * self.matrices, description=self.description)


def gaussian_operator(n: int, num_measurements: int, seed: int = 0) -> SensingOperator:
    """Returns a Gaussian operator with E‖A(M)‖² = ‖M‖² for every symmetric M.

    The svec matrix has i.i.d. N(0, 1/m) entries, so E[𝐀ᵀ𝐀] = I on Sⁿ.

    Example:
        >>> op = gaussian_operator(3, 20, seed=0)
        >>> (op.num_measurements, op.n)
        (20, 3)
    """
    n = positive_int(n, "n")
    m = positive_int(num_measurements, "num_measurements")
    rng = np.random.default_rng(seed)
    matrix = rng.standard_normal((m, svec_dimension(n))) / np.sqrt(m)
    return SensingOperator.from_svec_matrix(matrix, description=f"Gaussian, n={n}, m={m}, seed={seed}")


def entry_sampling_operator(n: int, entries, *, scale: float = 1.0) -> SensingOperator:
    """Returns the matrix-completion operator A(M)_k = scale·M_{i_k j_k} for the given entries.

    Each measurement matrix is ``scale·(e_i e_jᵀ + e_j e_iᵀ)/2``; list (i, j) once to observe the
    symmetric pair M_ij = M_ji once.

    Raises:
        InputError: no entries, or an index outside 0..n−1.

    Example:
        >>> import numpy as np
        >>> op = entry_sampling_operator(2, [(0, 0), (0, 1)])
        >>> op.apply(np.array([[1.0, 2.0], [2.0, 3.0]])).round(12).tolist()
        [1.0, 2.0]
    """
    n = positive_int(n, "n")
    entries = [tuple(int(k) for k in pair) for pair in entries]
    if not entries:
        raise InputError("entries: expected at least one (i, j) pair")
    matrices = np.zeros((len(entries), n, n))
    for k, (i, j) in enumerate(entries):
        if not (0 <= i < n and 0 <= j < n):
            raise InputError(f"entries: pair {(i, j)} is outside 0..{n - 1}")
        matrices[k, i, j] += 0.5 * scale
        matrices[k, j, i] += 0.5 * scale
    return SensingOperator(matrices=matrices, description=f"entry sampling, n={n}, {len(entries)} entries")


@dataclass(frozen=True)
class Example:
    """A shipped instance: an operator with a ground truth Z and a candidate spurious point X_bad."""

    operator: SensingOperator
    x_bad: np.ndarray
    z: np.ndarray
    name: str
    source: str


def half_example(normalisation: str = "rip") -> Example:
    """Returns the δ = 1/2 counterexample of the slides (Zhang, Josz, Sojoudi, Lavaei, NeurIPS 2018).

    The slides print A₁ = [[√2, 0], [0, 1/√2]], A₂ = [[0, √(3/2)], [√(3/2), 0]],
    A₃ = [[0, 0], [0, √(3/2)]] with ground truth z = (1, 0) and spurious point x = (0, 1/√2). Their
    kernel has eigenvalues {1, 3, 3}, so as printed the operator satisfies the RIP inequality only
    with δ = 2; the slides' "½-RIP" holds after the rescaling A → A/√2 (eigenvalues {½, 3/2, 3/2}).

    Args:
        normalisation: ``"slides"`` for the matrices as printed, ``"rip"`` for A/√2, which satisfies
            (1−δ)‖M‖² ≤ ‖A(M)‖² ≤ (1+δ)‖M‖² with δ = 1/2 as written. Both have the same critical
            points and the same rescaled constant.

    Example:
        >>> import numpy as np
        >>> example = half_example()
        >>> np.linalg.eigvalsh(example.operator.kernel).round(6).tolist()
        [0.5, 1.5, 1.5]
    """
    if normalisation not in ("slides", "rip"):
        raise InputError(f"normalisation: expected 'slides' or 'rip', got {normalisation!r}")
    a = np.sqrt(1.5)
    matrices = np.array([
        [[SQRT2, 0.0], [0.0, 1.0 / SQRT2]],
        [[0.0, a], [a, 0.0]],
        [[0.0, 0.0], [0.0, a]],
    ])
    if normalisation == "rip":
        matrices = matrices / SQRT2
    operator = SensingOperator(matrices=matrices, description=f"δ = 1/2 example ({normalisation} normalisation)")
    return Example(
        operator=operator,
        x_bad=np.array([[0.0], [1.0 / SQRT2]]),
        z=np.array([[1.0], [0.0]]),
        name="half",
        source="the slides on sharp RIP bounds; Zhang, Josz, Sojoudi, Lavaei, NeurIPS 2018",
    )


@dataclass(frozen=True)
class OperatorFile:
    """What an operator file holds: the operator and, optionally, X_bad and Z stored beside it."""

    operator: SensingOperator
    x_bad: np.ndarray | None = None
    z: np.ndarray | None = None


def save_operator(path, operator: SensingOperator, *, x_bad=None, z=None) -> Path:
    """Writes an operator file (``.npz`` or ``.json``, by the suffix) and returns its path."""
    path = Path(path)
    arrays = {"A": operator.matrices}
    if x_bad is not None:
        arrays["X_bad"] = as_factor(x_bad, "x_bad", operator.n)
    if z is not None:
        arrays["Z"] = as_factor(z, "z", operator.n)
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix == ".npz":
        np.savez(path, **arrays)
    elif path.suffix == ".json":
        payload = {key: value.tolist() for key, value in arrays.items()}
        payload["description"] = operator.description
        path.write_text(json.dumps(payload))
    else:
        raise InputError(f"path: expected a .npz or .json file name, got {path.name!r}")
    return path


def load_operator(path) -> OperatorFile:
    """Reads an operator file written by :func:`save_operator` (or by hand in the same format).

    Raises:
        InputError: missing or unreadable file, unknown suffix, no array ``A``, or bad shapes/values.

    Example:
        >>> import tempfile, pathlib
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "half.json"
        >>> example = half_example()
        >>> _ = save_operator(path, example.operator, x_bad=example.x_bad, z=example.z)
        >>> load_operator(path).x_bad.ravel().round(6).tolist()
        [0.0, 0.707107]
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(f"operator file: {path} does not exist or is not a file")
    try:
        if path.suffix == ".npz":
            with np.load(path, allow_pickle=False) as data:
                raw = {key: data[key] for key in data.files}
        elif path.suffix == ".json":
            raw = json.loads(path.read_text())
        else:
            raise InputError(f"operator file: expected a .npz or .json file, got {path.name!r}")
    except InputError:
        raise
    except Exception as error:  # any parse failure of a user's file is bad input
        raise InputError(f"operator file: cannot read {path}: {error}") from None
    if not isinstance(raw, dict) or "A" not in raw:
        raise InputError(f"operator file: {path} has no array 'A' of shape (m, n, n)")
    try:
        operator = SensingOperator.from_matrices(raw["A"], description=str(raw.get("description", path.name)))
        x_bad = as_factor(raw["X_bad"], "X_bad", operator.n) if "X_bad" in raw else None
        z = as_factor(raw["Z"], "Z", operator.n) if "Z" in raw else None
    except InputError as error:
        raise InputError(f"operator file {path}: {str(error).replace('matrices:', 'A:', 1)}") from None
    return OperatorFile(operator=operator, x_bad=x_bad, z=z)
