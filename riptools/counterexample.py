"""The counterexample SDP: the smallest δ for which some δ-RIP operator makes X a spurious critical point.

References: Zhang, Josz, Sojoudi, Lavaei, "How much restricted isometry is needed in nonconvex matrix
recovery?", NeurIPS 2018; Zhang, Sojoudi, Lavaei, "Sharp restricted isometry bounds for the
inexistence of spurious local minima in nonconvex matrix recovery", JMLR 20(114), 2019; the slides of
seed ``002`` (slide 21: "relax into a semidefinite program").

**The SDP.** Given X ∈ R^{n×r}, Z ∈ R^{n×r★} (XXᵀ ≠ ZZᵀ) and a margin μ ≥ 0, over the kernel H = 𝐀ᵀ𝐀
(N×N, N = n(n+1)/2, see :mod:`riptools.sensing`) and δ::

    minimise δ  subject to  ∇f(X) = 0,   Qᵀ∇²f(X)Q ⪰ μ·I,   (1−δ)I ⪯ H ⪯ (1+δ)I,   H ⪰ 0,

with f(U) = ‖A(UUᵀ − ZZᵀ)‖² (no factor ½, as :mod:`riptools.objective`). Both derivatives are linear
in H: with e = svec(XXᵀ − ZZᵀ), G = smat(He) and 𝐗: vec(V) ↦ svec(XVᵀ + VXᵀ),

    ∇f(X) = 4·G·X,     ∇²f(X) = 2·𝐗ᵀH𝐗 + 4·(G ⊗ I_r)       (vec(V) = V.ravel(), row-major).

**The U → UR symmetry.** For r ≥ 2, f(XR) = f(X) for orthogonal R, so at a critical point the Hessian
vanishes on {XΩ : Ω skew} (and does not couple it to anything else, because GX = 0). "∇²f ⪰ μI" with
μ > 0 would be infeasible, so the constraint is imposed on the orthogonal complement: Q is an
orthonormal basis of {XΩ}^⊥ (Q = I when r = 1). A strict local minimum is meant modulo the symmetry,
as in :func:`riptools.objective.classify_point`.

**Size reduction (JMLR Lemma 9) and when it is exact.** Let P (n×d) be an orthonormal basis of
span[X, Z], X = PX̃, Z = PZ̃, and W = {PSPᵀ} ⊂ Sⁿ. The *reduced* SDP is the same problem for (X̃, Z̃)
in d ≤ r + r★ dimensions. Its kernel H̃ is *lifted* to Sⁿ as H̃ on W and the identity on W^⊥.

* reduced ≤ full always: compressing a feasible full H to W is feasible for the reduced problem (the
  reduced gradient and Hessian are compressions of the full ones; eigenvalues of a compression lie
  in [1−δ, 1+δ]).
* full ≤ reduced when μ ≤ 4·σ_min(X)² (or d = n): for V = PV₁ + P⊥V₂ the lifted Hessian is
  block-diagonal, ∇²f(X)[V,V] = ∇̃²f(X̃)[V₁,V₁] + 4‖X̃V₂ᵀ‖², because X̃V₂ᵀ lives in the cross block
  (⊂ W^⊥, where H = I), G = PG̃Pᵀ kills P⊥, and H has no W–W^⊥ coupling. So the lifted Hessian's
  spectrum is the reduced one together with 4·eig(X̃ᵀX̃) (each n−d times), and the lifted kernel's
  is eig(H̃) ∪ {1}.

So the reduction is exact exactly when μ ≤ 4σ_min(X)², in particular always for μ = 0 (the
second-order-critical question). For larger μ the reduced value is only a lower bound (a coupling
of W to the trace direction of P⊥SP⊥ᵀ can raise the Hessian on P⊥), and :func:`counterexample_sdp`
refuses the reduced formulation.
"""

from __future__ import annotations

import functools
import time
import warnings
from dataclasses import dataclass

import cvxpy as cp
import numpy as np

from riptools.objective import symmetry_directions
from riptools.sensing import SensingOperator, smat, svec, svec_basis, svec_dimension
from riptools.validation import InputError, as_factor

SOLVERS = ("CLARABEL", "SCS", "MOSEK")
DEFAULT_SOLVER = "CLARABEL"
ACCURACY_TOL = {"CLARABEL": 1e-6, "MOSEK": 1e-6, "SCS": 1e-4}
"""A solve is *accurate* when its primal residual, dual residual and |duality gap| are below this.
SCS is a first-order method and is judged at lower precision, as in cvxpy's own tests."""
SAME_POINT_TOL = 1e-9
"""XXᵀ = ZZᵀ (no spurious point to find) when ‖XXᵀ − ZZᵀ‖ ≤ SAME_POINT_TOL·‖ZZᵀ‖."""
RANK_TOL = 1e-10
"""Relative singular-value threshold for the rank of X and of [X, Z]."""
FULL_MAX_N = 12
"""The full (unreduced) formulation is allowed up to this n; its kernel has N² = (n(n+1)/2)² entries."""
DENSE_MAX_N = 40
"""Lifted operators are formed densely (for saving and dense certificates) up to this n."""


@dataclass(frozen=True)
class SdpMaps:
    """The linear maps of the SDP at (X, Z), in vec(H) coordinates (H symmetric, so the order is moot).

    Attributes:
        residual: e = svec(XXᵀ − ZZᵀ).
        lift: the N×nr matrix 𝐗 with 𝐗·vec(V) = svec(XVᵀ + VXᵀ).
        gradient_map: rows spanning H ↦ G·X (the condition ∇f(X) = 0), orthonormalised.
        hessian_map: the k²×N² matrix with vec(Qᵀ∇²f(X)Q) = hessian_map·vec(H).
        complement: Q, an orthonormal basis of {XΩ : Ω skew}^⊥ (nr×k).
    """

    residual: np.ndarray
    lift: np.ndarray
    gradient_map: np.ndarray
    hessian_map: np.ndarray
    complement: np.ndarray


def _unit_directions(n: int, r: int) -> np.ndarray:
    return np.eye(n * r).reshape(n * r, n, r)


def symmetric_product_map(x: np.ndarray) -> np.ndarray:
    """Returns 𝐗 (N×nr): the matrix of vec(V) ↦ svec(XVᵀ + VXᵀ), vec(V) = V.ravel()."""
    n, r = x.shape
    directions = _unit_directions(n, r)
    products = x @ np.swapaxes(directions, 1, 2)
    return svec(products + np.swapaxes(products, 1, 2)).T


def symmetry_complement(x: np.ndarray) -> np.ndarray:
    """Returns an orthonormal basis (columns) of the complement of {XΩ : Ω skew} in R^{nr}."""
    symmetric = symmetry_directions(x)
    size = x.size
    if symmetric.shape[1] == 0:
        return np.eye(size)
    full, _, _ = np.linalg.svd(symmetric, full_matrices=True)
    return full[:, symmetric.shape[1]:]


def gradient_from_kernel(kernel: np.ndarray, x: np.ndarray, z: np.ndarray) -> np.ndarray:
    """Returns ∇f(X) = 4·smat(He)·X for the kernel H (the SDP's gradient map, for cross-checks)."""
    e = svec(x @ x.T - z @ z.T)
    return 4.0 * smat(kernel @ e, x.shape[0]) @ x


def hessian_from_kernel(kernel: np.ndarray, x: np.ndarray, z: np.ndarray) -> np.ndarray:
    """Returns ∇²f(X) = 2𝐗ᵀH𝐗 + 4(smat(He) ⊗ I_r), nr×nr on vec(V) = V.ravel()."""
    lift = symmetric_product_map(x)
    e = svec(x @ x.T - z @ z.T)
    weighted = smat(kernel @ e, x.shape[0])
    return 2.0 * lift.T @ kernel @ lift + 4.0 * np.kron(weighted, np.eye(x.shape[1]))


def sdp_maps(x: np.ndarray, z: np.ndarray) -> SdpMaps:
    """Returns the SDP's linear maps H ↦ ∇f(X) and H ↦ Qᵀ∇²f(X)Q at (X, Z) (see the module docstring)."""
    n, r = x.shape
    size = svec_dimension(n)
    e = svec(x @ x.T - z @ z.T)
    lift = symmetric_product_map(x)
    complement = symmetry_complement(x)
    basis = svec_basis(n)
    # column a: vec(B_a X) and vec(Qᵀ(B_a ⊗ I_r)Q), the images of G = B_a
    gradient_columns = (basis @ x).reshape(size, -1).T
    kron_columns = np.stack([(complement.T @ np.kron(b, np.eye(r)) @ complement).ravel() for b in basis], axis=1)
    contract = np.kron(e[None, :], np.eye(size))  # vec(H) ↦ He
    gradient_map = gradient_columns @ contract
    lifted = lift @ complement
    hessian_map = 2.0 * np.kron(lifted.T, lifted.T) + 4.0 * kron_columns @ contract
    # orthonormal rows for the equality constraint: dependent rows hurt interior-point solvers
    _, singular, rows = np.linalg.svd(gradient_map, full_matrices=False)
    keep = singular > RANK_TOL * max(1.0, singular[0] if singular.size else 0.0)
    return SdpMaps(residual=e, lift=lift, gradient_map=rows[keep], hessian_map=hessian_map, complement=complement)


@functools.lru_cache(maxsize=32)
def _parametrised_problem(size: int, gradient_rows: int, complement_dim: int):
    """Returns a DPP cvxpy problem for fixed shapes (compiled once, re-solved with new parameters)."""
    kernel = cp.Variable((size, size), symmetric=True)
    delta = cp.Variable()
    gradient_map = cp.Parameter((gradient_rows, size * size)) if gradient_rows else None
    hessian_map = cp.Parameter((complement_dim * complement_dim, size * size))
    margin = cp.Parameter(nonneg=True)
    flat = cp.vec(kernel, order="F")
    hess = cp.reshape(hessian_map @ flat, (complement_dim, complement_dim), order="F")
    identity = np.eye(size)
    constraints = [
        0.5 * (hess + hess.T) - margin * np.eye(complement_dim) >> 0,
        kernel - (1 - delta) * identity >> 0,
        (1 + delta) * identity - kernel >> 0,
        kernel >> 0,
    ]
    if gradient_map is not None:
        constraints.append(gradient_map @ flat == 0)
    problem = cp.Problem(cp.Minimize(delta), constraints)
    return problem, kernel, delta, gradient_map, hessian_map, margin


@dataclass(frozen=True)
class SdpSolve:
    """One solve of the SDP in the coordinates it was posed in.

    Attributes:
        delta: optimal δ reported by the solver (None if it returned none).
        kernel: the solver's H, symmetrised and projected onto ∇f(X) = 0 (float projection).
        status: cvxpy's status string.
        solver: solver name.
        primal_residual: max of the raw gradient-condition residual and the PSD violations.
        dual_residual: stationarity residual of the dual (Lagrangian gradient in H and δ).
        duality_gap: δ minus the dual objective μ·tr Y₁ + tr Y₂ − tr Y₃.
        accurate: status optimal and all three below ACCURACY_TOL[solver].
        seconds: solve time.
    """

    delta: float | None
    kernel: np.ndarray | None
    status: str
    solver: str
    primal_residual: float
    dual_residual: float
    duality_gap: float
    accurate: bool
    seconds: float


def _project_gradient_condition(kernel: np.ndarray, gradient_map: np.ndarray) -> np.ndarray:
    """Returns the nearest symmetric H' to H with gradient_map·vec(H') = 0 (rows orthonormal)."""
    if gradient_map.shape[0] == 0:
        return kernel
    size = kernel.shape[0]
    # constraints on symmetric H: symmetrise each row, then re-orthonormalise
    rows = gradient_map.reshape(-1, size, size)
    rows = 0.5 * (rows + np.swapaxes(rows, 1, 2))
    flat = rows.reshape(rows.shape[0], -1)
    correction = flat.T @ np.linalg.lstsq(flat @ flat.T, flat @ kernel.ravel(), rcond=None)[0]
    projected = kernel - correction.reshape(size, size)
    return 0.5 * (projected + projected.T)


def _min_eig(matrix: np.ndarray) -> float:
    return float(np.linalg.eigvalsh(0.5 * (matrix + matrix.T))[0])


def solve_sdp(x: np.ndarray, z: np.ndarray, *, margin: float = 0.0, solver: str = DEFAULT_SOLVER) -> SdpSolve:
    """Returns the solve of the counterexample SDP at (X, Z) posed in the coordinates given.

    No reduction happens here: :func:`counterexample_sdp` calls this with (X̃, Z̃) or with (X, Z).
    X and Z are rescaled jointly to ‖[X, Z]‖ = 1 (and μ by the square) for conditioning; δ and H
    are invariant under that rescaling.
    """
    scale = float(np.linalg.norm(np.hstack([x, z])))
    x, z, margin = x / scale, z / scale, margin / scale**2
    maps = sdp_maps(x, z)
    size = maps.lift.shape[0]
    k = maps.complement.shape[1]
    problem, kernel, delta, gradient_param, hessian_param, margin_param = _parametrised_problem(size, maps.gradient_map.shape[0], k)
    if gradient_param is not None:
        gradient_param.value = maps.gradient_map
    hessian_param.value = maps.hessian_map
    margin_param.value = margin
    kwargs = {"eps": 1e-7, "max_iters": 50000} if solver == "SCS" else {}
    start = time.perf_counter()
    try:
        with warnings.catch_warnings():
            # cvxpy warns on "optimal_inaccurate"; the status is recorded and judged below instead
            warnings.simplefilter("ignore", UserWarning)
            # The parametrised problem is cached, and cvxpy would warm-start from the previous solve:
            # δ would then depend (at 1e-8) on what this process solved before, and a sweep would
            # differ between a serial run and a process pool.
            problem.solve(solver=solver, warm_start=False, **kwargs)
    except cp.error.SolverError as error:
        return SdpSolve(None, None, f"solver error: {error}", solver, np.inf, np.inf, np.inf, False, time.perf_counter() - start)
    seconds = time.perf_counter() - start
    if kernel.value is None or delta.value is None:
        return SdpSolve(None, None, problem.status, solver, np.inf, np.inf, np.inf, False, seconds)
    raw = 0.5 * (kernel.value + kernel.value.T)
    value = float(delta.value)
    gradient_residual = float(np.linalg.norm(maps.gradient_map @ raw.ravel())) if maps.gradient_map.size else 0.0
    hess = (maps.hessian_map @ raw.ravel()).reshape(k, k)
    identity = np.eye(size)
    violations = [
        -_min_eig(hess - margin * np.eye(k)),
        -_min_eig(raw - (1 - value) * identity),
        -_min_eig((1 + value) * identity - raw),
        -_min_eig(raw),
    ]
    primal_residual = max(gradient_residual, *violations, 0.0)
    dual_residual, gap = _dual_check(problem, maps, value, margin, size)
    accurate = bool(problem.status == cp.OPTIMAL and max(primal_residual, dual_residual, abs(gap)) <= ACCURACY_TOL.get(solver, 1e-6))
    return SdpSolve(
        delta=value,
        kernel=_project_gradient_condition(raw, maps.gradient_map),
        status=problem.status,
        solver=solver,
        primal_residual=primal_residual,
        dual_residual=dual_residual,
        duality_gap=gap,
        accurate=accurate,
        seconds=seconds,
    )


def _dual_check(problem, maps: SdpMaps, delta: float, margin: float, size: int) -> tuple[float, float]:
    """Returns (dual residual, duality gap) recomputed from the solver's dual matrices.

    Lagrangian: δ − ⟨Y₁, Hess(H) − μI⟩ − ⟨Y₂, H − (1−δ)I⟩ − ⟨Y₃, (1+δ)I − H⟩ − ⟨Y₄, H⟩ − yᵀ·R·vec(H).
    Stationarity in δ: 1 = tr Y₂ + tr Y₃; in (symmetric) H: sym(Hessᵀ(Y₁) + Y₂ − Y₃ + Y₄) ∈ sym(range Rᵀ),
    checked by a least-squares fit of y (so the sign convention of the equality dual does not matter).
    """
    duals = [c.dual_value for c in problem.constraints[:4]]
    if any(d is None for d in duals):
        return np.inf, np.inf
    y1, y2, y3, y4 = (np.atleast_2d(np.asarray(d, dtype=float)) for d in duals)
    stationarity = (maps.hessian_map.T @ y1.ravel()).reshape(size, size) + y2 - y3 + y4
    stationarity = 0.5 * (stationarity + stationarity.T)
    target = stationarity.ravel()
    if maps.gradient_map.shape[0]:
        rows = maps.gradient_map.reshape(-1, size, size)
        rows = (0.5 * (rows + np.swapaxes(rows, 1, 2))).reshape(rows.shape[0], -1)
        coefficients = np.linalg.lstsq(rows.T, target, rcond=None)[0]
        target = target - rows.T @ coefficients
    scale = 1.0 + max(np.abs(y).max() for y in (y1, y2, y3, y4))
    dual_residual = max(float(np.linalg.norm(target)), abs(1.0 - np.trace(y2) - np.trace(y3))) / scale
    dual_objective = margin * np.trace(y1) + np.trace(y2) - np.trace(y3)
    return dual_residual, float(delta - dual_objective)


def column_space_basis(x: np.ndarray, z: np.ndarray) -> np.ndarray:
    """Returns P (n×d), an orthonormal basis of span[X, Z] (d its numerical rank)."""
    stacked = np.hstack([x, z])
    left, singular, _ = np.linalg.svd(stacked, full_matrices=False)
    rank = int(np.sum(singular > RANK_TOL * singular[0])) if singular[0] > 0 else 0
    return left[:, :rank]


def lift_basis(basis: np.ndarray) -> np.ndarray:
    """Returns L (N×N_d): orthonormal svec coordinates of W = {PSPᵀ}, column a = svec(P B_a Pᵀ)."""
    d = basis.shape[1]
    return svec(basis @ svec_basis(d) @ basis.T).T


def lift_kernel(kernel_reduced: np.ndarray, basis: np.ndarray) -> np.ndarray:
    """Returns the lifted kernel L H̃ Lᵀ + (I − LLᵀ): H̃ on W = {PSPᵀ}, the identity on W^⊥."""
    lift = lift_basis(basis)
    size = lift.shape[0]
    return lift @ kernel_reduced @ lift.T + (np.eye(size) - lift @ lift.T)


def rank1_delta_lower_bound(x, z) -> float:
    """Returns δ_lb(ρ, φ) of JMLR Theorem 12 (Zhang, Sojoudi, Lavaei 2019): δ*(x, z) ≥ δ_lb for rank 1.

    With ρ = ‖x‖/‖z‖ and φ the angle between x and z: D = √((ρ²−1)² + 2ρ² sin²φ), α = sin²φ/D,
    β = ρ²/D, and δ_lb = √(1−α²) if β ≥ α/(1+√(1−α²)), else (1 − 2αβ + β²)/(1 − β²).
    Kind of bound: lower (the theorem); riptools measures how tight it is (see tests and reproduce).

    Raises:
        InputError: x or z not a nonzero vector of the same length, or x = ±z.
    """
    x = as_factor(x, "x")
    z = as_factor(z, "z", x.shape[0])
    if x.shape[1] != 1 or z.shape[1] != 1:
        raise InputError(f"x, z: δ_lb is the rank-1 bound; got shapes {x.shape} and {z.shape}")
    norm_x, norm_z = float(np.linalg.norm(x)), float(np.linalg.norm(z))
    if norm_x == 0 or norm_z == 0:
        raise InputError("x, z: expected nonzero vectors")
    rho = norm_x / norm_z
    cosine = float(np.clip(abs(x[:, 0] @ z[:, 0]) / (norm_x * norm_z), 0.0, 1.0))
    return rank1_delta_lower_bound_polar(rho, np.arccos(cosine))


def rank1_delta_lower_bound_polar(rho: float, phi: float) -> float:
    """Returns δ_lb of JMLR Theorem 12 in the coordinates ρ = ‖x‖/‖z‖ > 0, φ = angle(x, z)."""
    sin2 = np.sin(phi) ** 2
    denominator = np.sqrt((rho**2 - 1) ** 2 + 2 * rho**2 * sin2)
    if denominator == 0:
        raise InputError("x, z: x = ±z is the global minimum, not a spurious point")
    alpha, beta = sin2 / denominator, rho**2 / denominator
    root = np.sqrt(max(0.0, 1 - alpha**2))
    if beta >= alpha / (1 + root):
        return float(root)
    return float((1 - 2 * alpha * beta + beta**2) / (1 - beta**2))


@dataclass(frozen=True)
class CounterexampleResult:
    """The SDP's answer at (X, Z): the smallest δ, the operator's kernel, and how it was solved.

    Attributes:
        delta: δ* reported by the solver (None when it returned no solution).
        delta_lower_bound: δ_lb of JMLR Theorem 12 for rank 1 (r = r★ = 1), else None.
        margin: the μ that was asked for.
        formulation: ``"reduced"`` or ``"full"``.
        reduction_exact: for the reduced formulation, whether its value provably equals the full
            one (μ ≤ 4σ_min(X)² or d = n; see the module docstring); None for the full formulation.
        solve: the :class:`SdpSolve` (status, residuals, gap, accuracy, time).
        x, z: the inputs.
        basis: P (n×d), orthonormal basis of span[X, Z] (the identity for the full formulation).
        x_reduced, z_reduced: PᵀX, PᵀZ, the coordinates the SDP was posed in.
        kernel_reduced: the SDP's kernel H̃ on S^d (on Sⁿ for the full formulation).
        seconds: total time including the reduction.
    """

    delta: float | None
    delta_lower_bound: float | None
    margin: float
    formulation: str
    reduction_exact: bool | None
    solve: SdpSolve
    x: np.ndarray
    z: np.ndarray
    basis: np.ndarray
    x_reduced: np.ndarray
    z_reduced: np.ndarray
    kernel_reduced: np.ndarray | None
    seconds: float

    @property
    def n(self) -> int:
        """Ambient dimension n."""
        return self.x.shape[0]

    @property
    def reduced_dimension(self) -> int:
        """d, the dimension the SDP was solved in."""
        return self.basis.shape[1]

    def _require_solution(self) -> np.ndarray:
        if self.kernel_reduced is None:
            raise InputError(f"result: the solver returned no solution (status {self.solve.status})")
        return self.kernel_reduced

    def kernel(self) -> np.ndarray:
        """Returns the lifted N×N kernel on Sⁿ (H̃ on W, the identity on W^⊥).

        Raises:
            InputError: no solution, or n > DENSE_MAX_N (the kernel would have N² entries).
        """
        kernel_reduced = self._require_solution()
        if self.n > DENSE_MAX_N:
            raise InputError(f"n: the lifted operator is formed densely only for n ≤ {DENSE_MAX_N}, got n = {self.n}; "
                             "use reduced_operator() and the lifting lemma")
        return lift_kernel(kernel_reduced, self.basis)

    def operator(self) -> SensingOperator:
        """Returns the recovered sensing operator on Sⁿ (factor of the lifted kernel)."""
        return SensingOperator.from_kernel(self.kernel(), description=self._description())

    def reduced_operator(self) -> SensingOperator:
        """Returns the recovered operator on S^d at (X̃, Z̃) (factor of H̃)."""
        return SensingOperator.from_kernel(self._require_solution(), description=self._description() + " (reduced)")

    def _description(self) -> str:
        return f"SDP counterexample, δ* = {self.delta:.10g}, μ = {self.margin:g}, n = {self.n}"

    def summary(self) -> dict:
        """Returns the JSON-ready fields of the solve (no arrays beyond X and Z)."""
        return {
            "delta": self.delta,
            "delta_lower_bound": self.delta_lower_bound,
            "margin": self.margin,
            "formulation": self.formulation,
            "reduction_exact": self.reduction_exact,
            "reduced_dimension": self.reduced_dimension,
            "solver": self.solve.solver,
            "status": self.solve.status,
            "accurate": self.solve.accurate,
            "primal_residual": self.solve.primal_residual,
            "dual_residual": self.solve.dual_residual,
            "duality_gap": self.solve.duality_gap,
        }


def check_pair(x, z, *, margin: float = 0.0) -> tuple[np.ndarray, np.ndarray, float]:
    """Returns (X, Z, μ) validated for the SDP.

    Raises:
        InputError: non-finite or mis-shaped X or Z, rows that disagree, XXᵀ = ZZᵀ (X is a global
            minimum: there is no spurious point to find), Z = 0, μ < 0, or μ > 0 with X not of
            full column rank (a strict local minimum needs it; see the module docstring).
    """
    x = as_factor(x, "x")
    z = as_factor(z, "z")
    if z.shape[0] != x.shape[0]:
        raise InputError(f"x, z: row counts disagree ({x.shape[0]} vs {z.shape[0]}); both must have n rows")
    if not (np.isfinite(margin) and margin >= 0):
        raise InputError(f"margin: expected a finite μ ≥ 0, got {margin!r}")
    # compare XXᵀ with ZZᵀ in the coordinates of span[X, Z]: the same norms without n×n matrices
    basis = column_space_basis(x, z)
    x_small, z_small = basis.T @ x, basis.T @ z
    truth = z_small @ z_small.T
    if np.linalg.norm(truth) == 0:
        raise InputError("z: the ground truth ZZᵀ is zero; expected a nonzero Z")
    if np.linalg.norm(x_small @ x_small.T - truth) <= SAME_POINT_TOL * np.linalg.norm(truth):
        raise InputError("x, z: XXᵀ = ZZᵀ (X = ±Z up to rotation) is a global minimum; there is no spurious point to find")
    singular = np.linalg.svd(x, compute_uv=False)
    if margin > 0 and singular[-1] <= RANK_TOL * max(singular[0], 1e-300):
        raise InputError(f"x: rank-deficient (σ_min = {singular[-1]:.3g}); a strict margin μ > 0 needs X of full column rank")
    if x.shape[1] > x.shape[0]:
        raise InputError(f"x: expected r ≤ n columns, got shape {x.shape}")
    return x, z, float(margin)


def counterexample_sdp(x, z, *, margin: float = 0.0, formulation: str = "reduced", solver: str = DEFAULT_SOLVER) -> CounterexampleResult:
    """Returns δ*(X, Z, μ), the smallest RIP constant of an operator making X a spurious critical point.

    The SDP of Zhang, Josz, Sojoudi, Lavaei (NeurIPS 2018), in the reduced form of Zhang, Sojoudi,
    Lavaei (JMLR 2019, Lemma 9). Kind of result: tight (the optimal value of a convex program);
    certify it with :mod:`riptools.certify` before calling it a counterexample.

    Args:
        x: the candidate spurious point X (n×r, or a vector).
        z: the ground truth Z (n×r★, or a vector).
        margin: μ ≥ 0; μ = 0 asks for ∇²f(X) ⪰ 0 (second-order critical), μ > 0 for a strict local
            minimum with ∇²f(X) ⪰ μI modulo the U → UR symmetry.
        formulation: ``"reduced"`` (d = rank[X, Z] dimensions; cost O(n(r+r★)²) plus an SDP that does not
            grow with n) or ``"full"`` (on Sⁿ; n ≤ FULL_MAX_N; for cross-checks).
        solver: ``"CLARABEL"`` (default), ``"SCS"`` or ``"MOSEK"``.

    Raises:
        InputError: see :func:`check_pair`; unknown formulation/solver; full formulation for n > FULL_MAX_N;
            reduced formulation with μ > 4σ_min(X)² and d < n (not exact there).
    """
    start = time.perf_counter()
    x, z, margin = check_pair(x, z, margin=margin)
    if solver not in SOLVERS:
        raise InputError(f"solver: expected one of {SOLVERS}, got {solver!r}")
    if solver not in cp.installed_solvers():
        raise InputError(f"solver: {solver} is not installed (installed: {cp.installed_solvers()})")
    n, r = x.shape
    lower_bound = rank1_delta_lower_bound(x, z) if (r == 1 and z.shape[1] == 1) else None
    if formulation == "full":
        if n > FULL_MAX_N:
            raise InputError(f"formulation: 'full' is limited to n ≤ {FULL_MAX_N} (got n = {n}); use 'reduced'")
        basis, reduction_exact = np.eye(n), None
    elif formulation == "reduced":
        basis = column_space_basis(x, z)
        sigma_min = float(np.linalg.svd(x, compute_uv=False)[-1])
        reduction_exact = bool(basis.shape[1] == n or margin <= 4 * sigma_min**2)
        if not reduction_exact:
            raise InputError(f"margin: μ = {margin:g} > 4σ_min(X)² = {4 * sigma_min**2:.6g}, where the reduced SDP is only "
                             "a lower bound; use formulation='full' (n ≤ 12) or a smaller margin")
    else:
        raise InputError(f"formulation: expected 'reduced' or 'full', got {formulation!r}")
    x_reduced, z_reduced = basis.T @ x, basis.T @ z
    solve = solve_sdp(x_reduced, z_reduced, margin=margin, solver=solver)
    return CounterexampleResult(
        delta=solve.delta,
        delta_lower_bound=lower_bound,
        margin=margin,
        formulation=formulation,
        reduction_exact=reduction_exact,
        solve=solve,
        x=x,
        z=z,
        basis=basis,
        x_reduced=x_reduced,
        z_reduced=z_reduced,
        kernel_reduced=solve.kernel,
        seconds=time.perf_counter() - start,
    )
