"""Certificates for counterexamples, independent of the SDP solver: numeric, exact, and local-minimum tests.

* **Numeric** (:func:`certify_operator`, :func:`certify_result`): from the recovered matrices Aᵢ alone,
  recompute ∇f(X), the Hessian spectrum modulo the U → UR symmetry, the full-space kernel eigenvalues
  (which bound the RIP constant of every rank, so "δ verified" is the as-given constant
  max(1 − λ_min, λ_max − 1) of the whole of Sⁿ), f(X) − f(Z) and the class of X
  (:func:`riptools.objective.classify_point`). For n > DENSE_MAX_N the lifted operator is never formed:
  the reduced operator is certified at (X̃, Z̃) and the lifting lemma of :mod:`riptools.counterexample`
  adds the eigenvalue 1 to the kernel and 4·eig(X̃ᵀX̃) to the Hessian.
* **Exact** (:func:`certify_exact`): the numeric kernel is rounded to rationals and the condition
  ∇f(X) = 0 restored by an exact projection; PSD-ness of the Hessian − μ'I, of (1+δ')I − H and of
  H − (1−δ')I is decided by exact LDLᵀ with diagonal pivoting (sympy rationals). Exact arithmetic is
  done in *upper-triangle coordinates* u(M) = (M_ij)_{i≤j}, where svec = D·u with D = diag(1 or √2):
  the Gram matrix K = DHD is rational when H's svec form is not, and H − cI ⪰ 0 ⇔ K − cD² ⪰ 0.
  :func:`certify_half_example_exact` certifies the slides' δ = 1/2 example with exact radicals.
* **Degenerate points** (:func:`local_minimum_test`): a second-order critical point with a singular
  Hessian is not a local minimum until shown. The test minimises f on small spheres around X and
  verifies any descent it finds in exact rational arithmetic (the float operator and points are exact
  rationals).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np
import scipy.optimize
import sympy

from riptools.counterexample import (
    DENSE_MAX_N,
    CounterexampleResult,
    gradient_from_kernel,
    lift_kernel,
    solve_sdp,
)
from riptools.objective import PointKind, classify_point, critical_point_kind, hessian, objective_value
from riptools.sensing import SensingOperator, load_operator, svec
from riptools.validation import InputError, as_factor

GRADIENT_TOL = 1e-7
"""Certified critical: ‖∇f(X)‖ ≤ GRADIENT_TOL·max(1, ‖X‖·‖XXᵀ − ZZᵀ‖) (the gradient's natural scale)."""
EIGENVALUE_TOL = 1e-7
"""Hessian eigenvalues ≥ μ − EIGENVALUE_TOL·max(1, ‖X‖², ‖XXᵀ − ZZᵀ‖) count as ⪰ μ (solver accuracy)."""
OBJECTIVE_GAP_TOL = 1e-9
"""X is spurious only when f(X) − f(Z) > OBJECTIVE_GAP_TOL·‖XXᵀ − ZZᵀ‖² (f(X) ≥ (1−δ)‖XXᵀ − ZZᵀ‖² for δ < 1)."""
DELTA_TOL = 1e-6
"""The verified RIP constant may exceed the solver's δ by at most this (a tight value, solver precision)."""
EXACT_DENSE_MAX_N = 4
"""Exact certificates are done in the original coordinates up to this n, in the reduced ones above."""
EXACT_INTERIOR = 1e-7
"""The exact certificate re-solves with margin μ + EXACT_INTERIOR·‖[X, Z]‖² so rounding cannot break PSD-ness."""
EXACT_DELTA_SLACK = 1e-7
"""δ' = the interior solve's δ + EXACT_DELTA_SLACK, rounded up to a multiple of 10⁻⁸ (within 1e-6 of δ*)."""
ROUNDING_DENOMINATOR = 10**12
"""Kernel entries are rounded to fractions with denominators ≤ this before the exact projection."""
DEFAULT_RADII = (1e-1, 3e-2, 1e-2, 3e-3, 1e-3)
"""Sphere radii (relative to max(1, ‖X‖)) of the local-minimum test."""
DESCENT_TOL = 1e-13
"""A sphere point is a float descent candidate when f(W) < f(X) − DESCENT_TOL·max(1, f(X)); every
candidate is then verified (or rejected) in exact rational arithmetic."""


def _residual_norm(x: np.ndarray, z: np.ndarray) -> float:
    """Returns ‖XXᵀ − ZZᵀ‖_F in O(n(r+r★)²), for scaling tolerances (no n×n matrix is formed)."""
    squared = np.linalg.norm(x.T @ x) ** 2 + np.linalg.norm(z.T @ z) ** 2 - 2 * np.linalg.norm(x.T @ z) ** 2
    return float(np.sqrt(max(squared, 0.0)))


def _scales(x: np.ndarray, z: np.ndarray) -> tuple[float, float]:
    """Returns the natural scales of ∇f and ∇²f at X."""
    residual_norm = _residual_norm(x, z)
    gradient_scale = max(1.0, float(np.linalg.norm(x)) * residual_norm)
    hessian_scale = max(1.0, float(np.linalg.norm(x)) ** 2, residual_norm)
    return gradient_scale, hessian_scale


@dataclass(frozen=True)
class NumericCertificate:
    """What the recovered operator does at X, recomputed without the solver.

    Attributes:
        method: ``"dense operator"`` or ``"reduced operator + lifting lemma"``.
        gradient_norm: ‖∇f(X)‖_F.
        hessian_min_eig: smallest Hessian eigenvalue modulo the U → UR symmetry.
        kernel_eigenvalue_min, kernel_eigenvalue_max: extreme eigenvalues of H on Sⁿ.
        rip_delta_verified: max(1 − λ_min, λ_max − 1): the operator is δ-RIP of every rank with this δ.
        objective_gap: f(X) − f(Z) (> 0 for a spurious point).
        kind: the class of X (strict local minimum / degenerate / saddle / not critical).
        classification: one-line description, e.g. ``spurious strict local minimum (μ = 0.05)``.
        margin_required: the μ that X had to satisfy.
        solver_accurate: the solve's accuracy flag (None when certifying a file).
        certified: X is a spurious critical point with Hessian ⪰ μ (within tolerances), the verified δ
            is at most the claimed δ + DELTA_TOL, and the solve (if any) was accurate.
        failures: why ``certified`` is False (empty when True).
    """

    method: str
    gradient_norm: float
    hessian_min_eig: float
    kernel_eigenvalue_min: float
    kernel_eigenvalue_max: float
    rip_delta_verified: float
    objective_gap: float
    kind: PointKind
    classification: str
    margin_required: float
    solver_accurate: bool | None
    certified: bool
    failures: list[str] = field(default_factory=list)


def _describe(kind: PointKind, spurious: bool, min_eig: float) -> str:
    text = ("spurious " if spurious else "") + kind.value
    return text + (f" (μ = {min_eig:.6g})" if kind == PointKind.STRICT_LOCAL_MINIMUM else "")


def _assemble(method, x, z, gradient_norm, min_eig, eigenvalues, objective_gap, *, margin, claimed_delta, solver_accurate):
    gradient_scale, hessian_scale = _scales(x, z)
    residual_norm = _residual_norm(x, z)
    kind = critical_point_kind(gradient_norm, min_eig, GRADIENT_TOL * gradient_scale, EIGENVALUE_TOL * hessian_scale)
    lam_min, lam_max = float(min(eigenvalues)), float(max(eigenvalues))
    delta_verified = max(1.0 - lam_min, lam_max - 1.0)
    failures = []
    # Every test below is written to fail on NaN (float64 overflow at extreme scales), never to pass.
    if not all(np.isfinite([gradient_norm, min_eig, lam_min, lam_max, objective_gap])):
        failures.append("a recomputed quantity is not finite (float64 overflow at this scale): rescale X, Z or the operator")
    if solver_accurate is False:
        failures.append("the SDP solve was not accurate")
    if kind == PointKind.NOT_CRITICAL:
        failures.append(f"X is not critical (‖∇f‖ = {gradient_norm:.3g})")
    if not min_eig >= margin - EIGENVALUE_TOL * hessian_scale:
        failures.append(f"Hessian minimum {min_eig:.6g} < μ = {margin:g}")
    if not lam_min >= -EIGENVALUE_TOL:
        failures.append("the kernel is not PSD (no operator has it)")
    spurious = objective_gap > OBJECTIVE_GAP_TOL * residual_norm**2
    if not spurious:
        failures.append(f"f(X) − f(Z) = {objective_gap:.3g} ≈ 0: the operator does not see XXᵀ − ZZᵀ, X is not spurious")
    if claimed_delta is not None and not delta_verified <= claimed_delta + DELTA_TOL:
        failures.append(f"verified δ {delta_verified:.9g} exceeds the claimed δ {claimed_delta:.9g}")
    return NumericCertificate(
        method=method,
        gradient_norm=float(gradient_norm),
        hessian_min_eig=float(min_eig),
        kernel_eigenvalue_min=lam_min,
        kernel_eigenvalue_max=lam_max,
        rip_delta_verified=float(delta_verified),
        objective_gap=float(objective_gap),
        kind=kind,
        classification=_describe(kind, spurious, min_eig),
        margin_required=float(margin),
        solver_accurate=solver_accurate,
        certified=not failures,
        failures=failures,
    )


def certify_operator(operator: SensingOperator, x, z, *, margin: float = 0.0, claimed_delta: float | None = None,
                     solver_accurate: bool | None = None) -> NumericCertificate:
    """Returns the numeric certificate of X as a spurious critical point of the operator's f.

    Everything is recomputed from the matrices Aᵢ (reference: the δ-RIP definition of the sharp-RIP talk slides and
    :func:`riptools.objective.classify_point`).

    Example:
        >>> from riptools.sensing import half_example
        >>> ex = half_example()
        >>> certificate = certify_operator(ex.operator, ex.x_bad, ex.z)
        >>> certificate.classification, certificate.certified
        ('spurious second-order critical, degenerate', True)
    """
    x = as_factor(x, "x", operator.n)
    z = as_factor(z, "z", operator.n)
    point = classify_point(operator, x, z)  # its numbers only: _assemble classifies with the certificate's tolerances
    eigenvalues = np.linalg.eigvalsh(operator.kernel)
    gap = point.objective - objective_value(operator, z, z)
    return _assemble("dense operator", x, z, point.gradient_norm, point.hessian_min_eig, eigenvalues, gap,
                     margin=margin, claimed_delta=claimed_delta, solver_accurate=solver_accurate)


def certify_result(result: CounterexampleResult) -> NumericCertificate:
    """Returns the numeric certificate of an SDP result, dense for n ≤ DENSE_MAX_N, by blocks above.

    By blocks: the reduced operator is certified at (X̃, Z̃); the lifted operator's kernel spectrum is
    eig(H̃) ∪ {1} and its Hessian spectrum is the reduced one ∪ 4·eig(X̃ᵀX̃) (the lifting lemma in
    :mod:`riptools.counterexample`), so nothing of size N = n(n+1)/2 is formed.

    Example:
        >>> from riptools.counterexample import counterexample_sdp
        >>> certificate = certify_result(counterexample_sdp([0.0, 0.6, 0.0], [1.0, 0.0, 0.0], margin=0.05))
        >>> certificate.certified, certificate.kind.value
        (True, 'strict local minimum')
    """
    accurate = result.solve.accurate
    if result.kernel_reduced is None:
        return _assemble("none", result.x, result.z, np.inf, -np.inf, [np.inf], 0.0, margin=result.margin,
                         claimed_delta=None, solver_accurate=False)
    if result.n <= DENSE_MAX_N:
        return certify_operator(result.operator(), result.x, result.z, margin=result.margin,
                                claimed_delta=result.delta, solver_accurate=accurate)
    small = certify_operator(result.reduced_operator(), result.x_reduced, result.z_reduced, margin=result.margin,
                             claimed_delta=result.delta, solver_accurate=accurate)
    eigenvalues = [small.kernel_eigenvalue_min, small.kernel_eigenvalue_max, 1.0]
    complement_min = 4.0 * float(np.linalg.svd(result.x_reduced, compute_uv=False)[-1]) ** 2
    min_eig = min(small.hessian_min_eig, complement_min)
    return _assemble("reduced operator + lifting lemma", result.x, result.z, small.gradient_norm, min_eig, eigenvalues,
                     small.objective_gap, margin=result.margin, claimed_delta=result.delta, solver_accurate=accurate)


# ----------------------------------------------------------------------------------------------
# exact arithmetic


def exact_psd(matrix) -> bool | None:
    """Returns whether a symmetric exact matrix is PSD, by LDLᵀ with diagonal pivoting; None if undecidable.

    At each step the largest remaining diagonal entry is the pivot: a negative one means not PSD; if
    it is zero, the remaining block must vanish (a PSD matrix with zero diagonal is zero); otherwise
    the Schur complement is PSD iff the matrix is. Entries may be Fractions, sympy rationals or
    radicals (signs of radical expressions are decided by sympy after simplification).

    Example:
        >>> import sympy
        >>> exact_psd(sympy.Matrix([[1, 1], [1, 1]])), exact_psd(sympy.Matrix([[1, 2], [2, 1]]))
        (True, False)
    """
    rows = matrix.tolist() if hasattr(matrix, "tolist") else matrix
    block = [[_plain(entry) for entry in row] for row in rows]
    while block:
        size = len(block)
        diagonal = [_sign(block[i][i]) for i in range(size)]
        if None in diagonal:
            return None
        if min(diagonal) < 0:
            return False
        if max(diagonal) == 0:
            signs = [_sign(entry) for row in block for entry in row]
            return None if None in signs else all(s == 0 for s in signs)
        pivot = max((i for i in range(size) if diagonal[i] > 0), key=lambda i: float(block[i][i]))
        head = block[pivot][pivot]
        rest = [i for i in range(size) if i != pivot]
        block = [[_plain(block[i][j] - block[i][pivot] * block[pivot][j] / head) for j in rest] for i in rest]
    return True


def _plain(entry):
    """Returns rationals as Fractions (fast exact arithmetic), anything else as a simplified sympy expression."""
    if isinstance(entry, Fraction):
        return entry
    if isinstance(entry, (int, sympy.Rational)):
        entry = sympy.Rational(entry)
        return Fraction(int(entry.p), int(entry.q))
    simplified = sympy.simplify(entry)
    return Fraction(int(simplified.p), int(simplified.q)) if isinstance(simplified, sympy.Rational) else simplified


def _sign(entry) -> int | None:
    if isinstance(entry, Fraction):
        return (entry > 0) - (entry < 0)
    if entry.is_zero:
        return 0
    if entry.is_positive:
        return 1
    if entry.is_negative:
        return -1
    return None


def psd_by_rounding(matrix, *, denominator: int = 10**15) -> bool:
    """Returns True when a rational symmetric M is proven PSD via a rounded copy with small denominators.

    Exact LDLᵀ of matrices whose entries have hundreds of digits is slow, so: round M to M_r (entries
    with denominators ≤ ``denominator``), bound ‖M − M_r‖₂ ≤ ‖M − M_r‖_F ≤ ε exactly (ε rational,
    ε² ≥ Σ(M − M_r)²), and decide M_r − εI ⪰ 0 by exact LDLᵀ: then M ⪰ M_r − εI ⪰ 0. Succeeds for
    matrices strictly inside the cone (margin ≫ 1/denominator); False means "not proven".
    """
    rows = [[_plain(entry) for entry in row] for row in (matrix.tolist() if hasattr(matrix, "tolist") else matrix)]
    rounded = [[entry.limit_denominator(denominator) for entry in row] for row in rows]
    error_squared = sum((a - b) ** 2 for row, row_r in zip(rows, rounded) for a, b in zip(row, row_r))
    epsilon = Fraction(float(np.sqrt(float(error_squared))) * 1.01 + 1e-300)
    while epsilon * epsilon < error_squared:
        epsilon *= 2
    shifted = [[entry - (epsilon if i == j else 0) for j, entry in enumerate(row)] for i, row in enumerate(rounded)]
    return exact_psd(shifted) is True


def _exact(value) -> sympy.Rational:
    """Returns a float as the exact rational it is (floats are dyadic rationals)."""
    return sympy.Rational(Fraction(float(value)))


def _rounded(value) -> sympy.Rational:
    fraction = Fraction(float(value)).limit_denominator(ROUNDING_DENOMINATOR)
    return sympy.Rational(fraction.numerator, fraction.denominator)


def upper_coordinates(matrix: sympy.Matrix) -> list:
    """Returns u(M) = (M_ij)_{i≤j}, row-major (the svec order without the √2 weights)."""
    n = matrix.shape[0]
    return [matrix[i, j] for i in range(n) for j in range(i, n)]


def _weights_squared(n: int) -> sympy.Matrix:
    """Returns D² = diag(1 on diagonal pairs, 2 off-diagonal), with svec = D·u."""
    return sympy.diag(*[1 if i == j else 2 for i in range(n) for j in range(i, n)])


def _symmetric_from_pairing(vector, n: int) -> sympy.Matrix:
    """Returns the symmetric G with ⟨G, M⟩ = vectorᵀu(M): G_ii = v_ii, G_ij = v_ij/2."""
    g = sympy.zeros(n, n)
    index = 0
    for i in range(n):
        for j in range(i, n):
            g[i, j] = vector[index] if i == j else vector[index] / 2
            g[j, i] = g[i, j]
            index += 1
    return g


@dataclass(frozen=True)
class ExactDerivatives:
    """∇f(X) and ∇²f(X) in exact arithmetic for the Gram matrix K in upper-triangle coordinates."""

    gradient: sympy.Matrix
    hessian: sympy.Matrix
    objective: object


def _exact_pairing(gram: sympy.Matrix, x: sympy.Matrix, z: sympy.Matrix) -> tuple[list, sympy.Matrix, sympy.Matrix]:
    """Returns (u(E), K·u(E), G) with E = XXᵀ − ZZᵀ and ⟨G, M⟩ = u(M)ᵀK u(E)."""
    residual = upper_coordinates(x * x.T - z * z.T)
    pairing = gram * sympy.Matrix(residual)
    return residual, pairing, _symmetric_from_pairing(list(pairing), x.shape[0])


def exact_gradient(gram: sympy.Matrix, x: sympy.Matrix, z: sympy.Matrix) -> sympy.Matrix:
    """Returns ∇f(X) = 4GX exactly (G as in :func:`exact_derivatives`)."""
    return 4 * _exact_pairing(gram, x, z)[2] * x


def exact_derivatives(gram: sympy.Matrix, x: sympy.Matrix, z: sympy.Matrix) -> ExactDerivatives:
    """Returns f(X) = u(E)ᵀKu(E), ∇f(X) = 4GX and ∇²f(X) = 2𝐔ᵀK𝐔 + 4(G ⊗ I_r), exactly.

    Here E = XXᵀ − ZZᵀ, G is the symmetric matrix with ⟨G, M⟩ = u(M)ᵀK u(E), and 𝐔: vec(V) ↦ u(XVᵀ + VXᵀ)
    (vec row-major), the same formulas as :mod:`riptools.objective` with svec replaced by u and H by K.
    """
    n, r = x.shape
    residual, pairing, g = _exact_pairing(gram, x, z)
    columns = []
    for index in range(n * r):
        direction = sympy.zeros(n, r)
        direction[index // r, index % r] = 1
        columns.append(upper_coordinates(x * direction.T + direction * x.T))
    lift = sympy.Matrix(columns).T
    hessian = 2 * lift.T * gram * lift + 4 * sympy.kronecker_product(g, sympy.eye(r))
    value = (sympy.Matrix(residual).T * pairing)[0, 0]
    return ExactDerivatives(gradient=4 * g * x, hessian=hessian.applyfunc(sympy.expand), objective=value)


def exact_symmetry_complement(x: sympy.Matrix) -> sympy.Matrix:
    """Returns a rational basis (columns) of the complement of {XΩ : Ω skew} in vec coordinates."""
    n, r = x.shape
    directions = []
    for a in range(r):
        for b in range(a + 1, r):
            omega = sympy.zeros(r, r)
            omega[a, b], omega[b, a] = 1, -1
            directions.append(list(x * omega))  # row-major flattening = vec(V) = V.ravel()
    if not directions:
        return sympy.eye(n * r)
    return sympy.Matrix.hstack(*sympy.Matrix(directions).nullspace())


def _project_gradient_exact(gram: sympy.Matrix, x: sympy.Matrix, z: sympy.Matrix) -> sympy.Matrix:
    """Returns the least-change symmetric K' (in its upper-triangle entries) with ∇f(X) = 0 exactly."""
    size = gram.shape[0]
    pairs = [(a, b) for a in range(size) for b in range(a, size)]
    columns = []
    for a, b in pairs:
        unit = sympy.zeros(size, size)
        unit[a, b] = unit[b, a] = 1
        columns.append(list(exact_gradient(unit, x, z)))
    constraint = sympy.Matrix(columns).T  # (nr × #pairs): parameters ↦ ∇f(X)
    parameters = sympy.Matrix([gram[a, b] for a, b in pairs])
    violation = constraint * parameters
    if all(v == 0 for v in violation):
        return gram
    normal = constraint * constraint.T
    solution, free = normal.gauss_jordan_solve(violation)
    solution = solution.subs({symbol: 0 for symbol in free})
    corrected = parameters - constraint.T * solution
    projected = sympy.zeros(size, size)
    for (a, b), value in zip(pairs, corrected):
        projected[a, b] = projected[b, a] = value
    return projected


@dataclass(frozen=True)
class ExactCertificate:
    """An exact proof that some δ'-RIP operator has X as a spurious critical point with Hessian ⪰ μ'.

    Attributes:
        delta: δ' as the string ``"p/q"``.
        delta_float: float(δ').
        delta_numeric: the SDP's δ* it certifies (δ' − δ* is reported in ``delta_excess``).
        delta_excess: δ' − δ*.
        margin: μ' as ``"p/q"`` (the Hessian modulo the symmetry is ⪰ μ'·I).
        coordinates: ``"original"`` (the input X, Z as exact rationals) or ``"reduced (d = …)"``
            (X̃ = PᵀX; the lifting lemma, whose condition 4X̃ᵀX̃ ⪰ μ' is checked exactly, extends it).
        checks: each exact check and its outcome (True / False / None = undecidable).
        verified: all checks True.
        gram: the rational Gram matrix K in upper-triangle coordinates (nested lists of "p/q").
        seconds: time taken.
    """

    delta: str
    delta_float: float
    delta_numeric: float
    delta_excess: float
    margin: str
    coordinates: str
    checks: dict
    verified: bool
    gram: list
    seconds: float

    def summary(self) -> dict:
        """Returns the JSON form used by the CLI: delta, verified, and the checks."""
        return {"delta": self.delta, "verified": self.verified, "margin": self.margin, "coordinates": self.coordinates,
                "delta_excess": self.delta_excess, "checks": self.checks, "seconds": self.seconds}


def _gram_from_svec_kernel(kernel: np.ndarray, n: int) -> sympy.Matrix:
    """Returns K = D·H·D rounded to rationals (D = diag(1 or √2), so that u(M)ᵀKu(M) = svec(M)ᵀH svec(M))."""
    weights = np.array([1.0 if i == j else np.sqrt(2.0) for i in range(n) for j in range(i, n)])
    gram = weights[:, None] * kernel * weights[None, :]
    gram = 0.5 * (gram + gram.T)
    return sympy.Matrix(gram.shape[0], gram.shape[1], lambda a, b: _rounded(gram[a, b]))


def verify_exact(gram: sympy.Matrix, x: sympy.Matrix, z: sympy.Matrix, *, delta, margin, rounding: bool = False) -> dict:
    """Returns the exact checks of a Gram matrix K at (X, Z): critical, Hessian ⪰ μ', δ'-RIP on Sⁿ, spurious.

    δ'-RIP on the whole of Sⁿ: (1−δ')D² ⪯ K ⪯ (1+δ')D² (⇔ (1−δ')I ⪯ H ⪯ (1+δ')I), plus K ⪰ 0. With
    ``rounding``, PSD-ness is proven by :func:`psd_by_rounding` (for strictly interior rational
    matrices with huge entries), otherwise by plain :func:`exact_psd` (which also decides boundary cases).
    """
    psd = psd_by_rounding if rounding else exact_psd
    n = x.shape[0]
    derivatives = exact_derivatives(gram, x, z)
    complement = exact_symmetry_complement(x)
    weights = _weights_squared(n)
    reduced_hessian = complement.T * derivatives.hessian * complement - margin * complement.T * complement
    return {
        "gradient_zero": all(sympy.simplify(entry) == 0 for entry in derivatives.gradient),
        "hessian_minus_margin_psd": psd(reduced_hessian),
        "upper_rip": psd((1 + delta) * weights - gram),
        "lower_rip": psd(gram - (1 - delta) * weights),
        "kernel_psd": psd(gram),
        "spurious": bool(sympy.simplify(derivatives.objective) > 0) and (x * x.T - z * z.T) != sympy.zeros(n, n),
    }


def certify_exact(result: CounterexampleResult) -> ExactCertificate:
    """Returns an exact certificate of the SDP result: a rational δ' ≤ δ* + 1e-6 and an exactly checked operator.

    Steps: re-solve with margin μ + EXACT_INTERIOR·‖[X, Z]‖² (so the rounded kernel stays strictly inside the
    PSD cones), round K = DHD to rationals, restore ∇f(X) = 0 by an exact projection, and verify with
    :func:`verify_exact` at δ' = δ_interior + EXACT_DELTA_SLACK (rounded up to 10⁻⁸) and μ' = μ.

    Example:
        >>> from riptools.counterexample import counterexample_sdp
        >>> exact = certify_exact(counterexample_sdp([0.0, 0.6], [1.0, 0.0]))
        >>> exact.verified, exact.delta_excess < 1e-6
        (True, True)
    """
    start = time.perf_counter()
    if result.kernel_reduced is None or result.delta is None:
        raise InputError("result: the SDP returned no solution; there is nothing to certify")
    scale = float(np.linalg.norm(np.hstack([result.x_reduced, result.z_reduced]))) ** 2
    interior = solve_sdp(result.x_reduced, result.z_reduced, margin=result.margin + EXACT_INTERIOR * scale,
                         solver=result.solve.solver)
    if interior.kernel is None or not interior.accurate:
        # e.g. rank-deficient X: its Hessian has structural zeros, so no kernel is strictly interior
        return ExactCertificate(delta="", delta_float=float("nan"), delta_numeric=float(result.delta), delta_excess=float("nan"),
                                margin="", coordinates="none", checks={"interior_resolve": False}, verified=False, gram=[],
                                seconds=time.perf_counter() - start)
    if result.n <= EXACT_DENSE_MAX_N:
        kernel, x_float, z_float, coordinates = lift_kernel(interior.kernel, result.basis), result.x, result.z, "original"
    else:
        kernel, x_float, z_float = interior.kernel, result.x_reduced, result.z_reduced
        coordinates = f"reduced (d = {result.reduced_dimension})"
    return certify_kernel_exact(kernel, x_float, z_float, delta=interior.delta, margin=result.margin,
                                delta_numeric=float(result.delta), coordinates=coordinates,
                                lifting=coordinates != "original" and result.reduced_dimension < result.n, start=start)


def certify_kernel_exact(kernel: np.ndarray, x_float: np.ndarray, z_float: np.ndarray, *, delta: float, margin: float,
                         delta_numeric: float, coordinates: str = "original", lifting: bool = False,
                         start: float | None = None) -> ExactCertificate:
    """Returns the exact certificate of a float svec kernel at (X, Z): round, restore ∇f(X) = 0, verify.

    δ' = δ + EXACT_DELTA_SLACK rounded up to a multiple of 10⁻⁸; μ' = μ rounded down to a multiple of 10⁻⁹. With
    ``lifting``, also checks the lifting lemma's condition 4X̃ᵀX̃ ⪰ μ' exactly.
    """
    start = time.perf_counter() if start is None else start
    delta_exact = sympy.Rational(int(np.ceil((delta + EXACT_DELTA_SLACK) * 1e8)), 10**8)
    # μ' = μ rounded down to a multiple of 10⁻⁹: never above the margin asked for
    margin_exact = sympy.Rational(int(np.floor(margin * 1e9)), 10**9) if margin > 0 else sympy.Integer(0)
    x = sympy.Matrix(x_float.shape[0], x_float.shape[1], lambda i, j: _exact(x_float[i, j]))
    z = sympy.Matrix(z_float.shape[0], z_float.shape[1], lambda i, j: _exact(z_float[i, j]))
    gram = _project_gradient_exact(_gram_from_svec_kernel(kernel, x.shape[0]), x, z)
    checks = verify_exact(gram, x, z, delta=delta_exact, margin=margin_exact, rounding=True)
    if lifting:
        checks["lifting_condition"] = psd_by_rounding(4 * x.T * x - margin_exact * sympy.eye(x.shape[1]))
    return ExactCertificate(
        delta=str(delta_exact),
        delta_float=float(delta_exact),
        delta_numeric=float(delta_numeric),
        delta_excess=float(delta_exact) - float(delta_numeric),
        margin=str(margin_exact),
        coordinates=coordinates,
        checks=checks,
        verified=all(value is True for value in checks.values()),
        gram=[[str(entry) for entry in row] for row in gram.tolist()],
        seconds=time.perf_counter() - start,
    )


@dataclass(frozen=True)
class HalfExampleCertificate:
    """The exact facts about the slides' δ = 1/2 example (radicals kept exact).

    Attributes:
        kernel: the svec kernel H (exact strings).
        kernel_eigenvalues: exact eigenvalues of H with multiplicities.
        delta: the exact RIP constant max(1 − λ_min, λ_max − 1) on S² (hence every rank).
        checks: gradient zero, Hessian ⪰ 0, (1±δ) bounds, tightness det(H − (1−δ)I) = 0, f(x) > f(z).
        hessian_eigenvalues: exact Hessian eigenvalues at x.
        objective_at_x: f(x) exactly.
        descent_curve: the curve u(t) and f(u(t)) − f(x) as exact expressions.
        verified: every check True.
    """

    kernel: list
    kernel_eigenvalues: dict
    delta: str
    checks: dict
    hessian_eigenvalues: dict
    objective_at_x: str
    descent_curve: dict
    verified: bool


DESCENT_CHECK = "descent: f(u(t)) − f(x) = −3t⁴"
"""The check of :func:`certify_half_example_exact` proving that x is not a local minimum."""


def certify_half_example_exact() -> HalfExampleCertificate:
    """Returns the exact certificate of the slides' δ = 1/2 example and of what its point x is.

    Reference: the sharp-RIP talk slides (slides 17–19; Zhang, Josz, Sojoudi, Lavaei, NeurIPS 2018), A = A_printed/√2 (``half_example("rip")``), z = (1, 0),
    x = (0, 1/√2). Proves with radicals: ∇f(x) = 0, ∇²f(x) ⪰ 0 with eigenvalues {0, 4}, the kernel's
    eigenvalues {1/2, 3/2, 3/2} so δ = 1/2 exactly (and no smaller δ for this operator), and
    f(t, √(1/2 − 2t²)) = f(x) − 3t⁴ < f(x) for every t ≠ 0: x is **not** a local minimum.

    Example:
        >>> certify_half_example_exact().verified
        True
    """
    root = sympy.sqrt(sympy.Rational(3, 2))
    printed = [sympy.Matrix([[sympy.sqrt(2), 0], [0, 1 / sympy.sqrt(2)]]),
               sympy.Matrix([[0, root], [root, 0]]),
               sympy.Matrix([[0, 0], [0, root]])]
    matrices = [a / sympy.sqrt(2) for a in printed]
    x = sympy.Matrix([0, 1 / sympy.sqrt(2)])
    z = sympy.Matrix([1, 0])
    # K = Σ w(A_i)w(A_i)ᵀ with ⟨A_i, M⟩ = w(A_i)ᵀu(M), w = (A_11, 2A_12, A_22)
    rows = [sympy.Matrix([a[0, 0], 2 * a[0, 1], a[1, 1]]) for a in matrices]
    gram = sum((w * w.T for w in rows), sympy.zeros(3, 3)).applyfunc(sympy.simplify)
    weights = _weights_squared(2)
    d_inverse = sympy.diag(1, 1 / sympy.sqrt(2), 1)
    kernel = (d_inverse * gram * d_inverse).applyfunc(sympy.simplify)
    eigenvalues = kernel.eigenvals()
    lam_min, lam_max = min(eigenvalues), max(eigenvalues)
    delta = sympy.Max(1 - lam_min, lam_max - 1)
    checks = verify_exact(gram, x, z, delta=delta, margin=0)
    checks["tight: det(K − (1−δ)D²) = 0"] = sympy.simplify((gram - (1 - delta) * weights).det()) == 0
    derivatives = exact_derivatives(gram, x, z)
    t = sympy.symbols("t", real=True)
    curve = sympy.Matrix([t, sympy.sqrt(sympy.Rational(1, 2) - 2 * t**2)])
    along = exact_derivatives(gram, curve, z).objective
    drop = sympy.simplify(sympy.expand(along - derivatives.objective))
    checks[DESCENT_CHECK] = sympy.simplify(drop + 3 * t**4) == 0
    return HalfExampleCertificate(
        kernel=[[str(entry) for entry in row] for row in kernel.tolist()],
        kernel_eigenvalues={str(k): int(v) for k, v in eigenvalues.items()},
        delta=str(delta),
        checks=checks,
        hessian_eigenvalues={str(k): int(v) for k, v in derivatives.hessian.applyfunc(sympy.simplify).eigenvals().items()},
        objective_at_x=str(sympy.simplify(derivatives.objective)),
        descent_curve={"u(t)": str(list(curve)), "f(u(t)) - f(x)": str(drop), "valid for": "|t| ≤ 1/2"},
        verified=all(value is True for value in checks.values()),
    )


# ----------------------------------------------------------------------------------------------
# degenerate points


@dataclass(frozen=True)
class SphereDescent:
    """The lowest point of f found on a sphere ‖W − X‖ = radius, and whether it beats f(X) exactly."""

    radius: float
    point: np.ndarray
    drop: float
    exact: bool


@dataclass(frozen=True)
class LocalMinimumTest:
    """What a critical point is, beyond second order.

    Attributes:
        verdict: ``"local minimum (strict: …)"``, ``"not a local minimum (descent found)"``,
            ``"not a local minimum (negative curvature)"``, ``"not critical"`` or ``"undecided"``.
        how: how the verdict was shown.
        kind: the second-order class (:class:`riptools.objective.PointKind`).
        descents: per radius, the best sphere point and its drop f(W) − f(X) (exactly verified when
            ``exact``).
        decay_exponent: slope of log(−drop) against log(radius) over the radii with descent (the drop
            scales like radius^p; p = 4 for a quartic descent), or None.
    """

    verdict: str
    how: str
    kind: PointKind
    descents: list
    decay_exponent: float | None


def _exact_objective(matrices: list, w: np.ndarray, z: np.ndarray) -> Fraction:
    """Returns f(W) = Σ_i ⟨A_i, WWᵀ − ZZᵀ⟩² exactly for float data (every float is a rational)."""
    w_exact = [[Fraction(float(v)) for v in row] for row in w]
    z_exact = [[Fraction(float(v)) for v in row] for row in z]
    n = len(w_exact)

    def gram(f):
        return [[sum((f[i][k] * f[j][k] for k in range(len(f[0]))), Fraction(0)) for j in range(n)] for i in range(n)]

    ww, zz = gram(w_exact), gram(z_exact)
    total = Fraction(0)
    for a in matrices:
        inner = sum((a[i][j] * (ww[i][j] - zz[i][j]) for i in range(n) for j in range(n)), Fraction(0))
        total += inner * inner
    return total


def _sphere_minimum(kernel, x, z, radius, directions, rng, starts):
    """Returns (point, f(point) − f(X)) of local minimisations of f on the sphere ‖W − X‖ = radius.

    f and ∇f are evaluated through the kernel (f(W) = svec(E)ᵀH svec(E), ∇f = 4 smat(H svec(E))W):
    the same formulas as :mod:`riptools.objective`, without re-validating the operator at every step.
    """
    def value(w):
        e = svec(w @ w.T - z @ z.T)
        return float(e @ kernel @ e)

    f_x = value(x)

    def value_and_gradient(v):
        norm = np.linalg.norm(v)
        unit = v / norm
        w = x + radius * unit.reshape(x.shape)
        grad_w = gradient_from_kernel(kernel, w, z).ravel()
        tangent = grad_w - unit * (unit @ grad_w)
        return value(w) - f_x, radius * tangent / norm

    best_point, best_drop = x, 0.0
    for start in list(directions) + [rng.standard_normal(x.size) for _ in range(starts)]:
        solution = scipy.optimize.minimize(value_and_gradient, start, jac=True, method="BFGS",
                                           options={"gtol": 1e-300, "maxiter": 200})
        if solution.fun < best_drop:
            best_point, best_drop = x + radius * (solution.x / np.linalg.norm(solution.x)).reshape(x.shape), float(solution.fun)
    return best_point, best_drop


def local_minimum_test(operator: SensingOperator, x, z, *, radii=DEFAULT_RADII, starts: int = 4, seed: int = 0) -> LocalMinimumTest:
    """Returns whether X is a local minimum of f: second-order sufficient condition, or a sphere search.

    A strict local minimum (reduced Hessian ⪰ μ > 0) is shown by the second-order sufficient condition
    (modulo the U → UR orbit, along which f is constant). A saddle is shown by negative curvature. For a
    degenerate point, f is minimised on spheres ‖W − X‖ = ε (starts: ± the Hessian's near-null
    directions and random ones); a W with f(W) < f(X) in exact rational arithmetic (for the float
    operator as stored) is a descent. Descent at every ε down to the smallest tested gives
    ``not a local minimum (descent found)``; none found gives ``undecided`` (a degenerate point with
    no descent found is not thereby a local minimum).
    """
    x = as_factor(x, "x", operator.n)
    z = as_factor(z, "z", operator.n)
    gradient_scale, hessian_scale = _scales(x, z)
    point = classify_point(operator, x, z, gradient_tol=GRADIENT_TOL * gradient_scale, eigenvalue_tol=EIGENVALUE_TOL * hessian_scale)
    if point.kind == PointKind.NOT_CRITICAL:
        return LocalMinimumTest("not critical", f"‖∇f(X)‖ = {point.gradient_norm:.3g}", point.kind, [], None)
    if point.kind == PointKind.STRICT_LOCAL_MINIMUM:
        return LocalMinimumTest(f"local minimum (strict: reduced Hessian ⪰ {point.hessian_min_eig:.6g} > 0)",
                                "second-order sufficient condition modulo the U → UR symmetry", point.kind, [], None)
    if point.kind == PointKind.SADDLE:
        return LocalMinimumTest("not a local minimum (negative curvature)",
                                f"reduced Hessian eigenvalue {point.hessian_min_eig:.6g} < 0", point.kind, [], None)
    rng = np.random.default_rng(seed)
    kernel = operator.kernel
    eigenvalues, vectors = np.linalg.eigh(hessian(operator, x, z))
    null = [s * vectors[:, i] for i in range(len(eigenvalues)) if eigenvalues[i] <= EIGENVALUE_TOL * hessian_scale * 10 for s in (1, -1)]
    matrices = [[[Fraction(float(v)) for v in row] for row in a] for a in operator.matrices]
    f_x = _exact_objective(matrices, x, z)
    scale = max(1.0, float(np.linalg.norm(x)))
    descents = []
    for radius in radii:
        w, drop = _sphere_minimum(kernel, x, z, radius * scale, null, rng, starts)
        exact = bool(drop < -DESCENT_TOL * max(1.0, float(f_x)) and _exact_objective(matrices, w, z) < f_x)
        descents.append(SphereDescent(radius=radius * scale, point=w, drop=float(drop), exact=exact))
    found = [d for d in descents if d.exact]
    exponent = None
    if len(found) >= 2:
        exponent = float(np.polyfit(np.log([d.radius for d in found]), np.log([-d.drop for d in found]), 1)[0])
    if found and len(found) == len(descents):
        how = (f"f(W) < f(X) in exact rational arithmetic at every tested distance ε ∈ [{descents[-1].radius:.3g}, "
               f"{descents[0].radius:.3g}]; the drop scales like ε^{exponent:.2f}" if exponent is not None else "")
        return LocalMinimumTest("not a local minimum (descent found)", how, point.kind, descents, exponent)
    how = ("degenerate Hessian; " + (f"descent only at ε ≥ {min(d.radius for d in found):.3g}" if found else "no descent found on the tested spheres"))
    return LocalMinimumTest("undecided", how, point.kind, descents, exponent)


def certify_example_file(path, *, seed: int = 0) -> tuple:
    """Returns (operator file, numeric certificate, local-minimum test) for an operator file with X_bad and Z."""
    loaded = load_operator(path)
    if loaded.x_bad is None or loaded.z is None:
        raise InputError(f"operator file: {path} must hold X_bad and Z to certify a counterexample")
    certificate = certify_operator(loaded.operator, loaded.x_bad, loaded.z)
    return loaded, certificate, local_minimum_test(loaded.operator, loaded.x_bad, loaded.z, seed=seed)
