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

**The gradient of δ* (envelope / Danskin).** Write θ = (X, Z) and the Lagrangian of the SDP

    L(H, δ; Y, Λ; θ) = δ − ⟨Y₁, Qᵀ∇²f(X)Q − μI⟩ − ⟨Y₂, H − (1−δ)I⟩ − ⟨Y₃, (1+δ)I − H⟩ − ⟨Y₄, H⟩ − ⟨Λ, ∇f(X)⟩,

where ∇f and ∇²f are the H-linear maps above and Λ ∈ R^{n×r} is the multiplier of ∇f(X) = 0 in its
raw form 4·smat(He)·X = 0. The SDP is convex in (H, δ) and θ enters only the constraint data, so at a
point where the optimal dual (Y, Λ) is unique (and the duality gap is zero, which every solve
records as ``duality_gap``), the envelope (Danskin) theorem gives ∇_θ δ* = ∇_θ L at the optimal
primal–dual pair: one solve. Only Y₁ and Λ see θ. With Ŷ = QY₁Qᵀ = Σ_k λ_k vec(V_k)vec(V_k)ᵀ, 𝓗(M) = smat(H·svec(M)), E = XXᵀ − ZZᵀ,
S_k = XV_kᵀ + V_kXᵀ, and Φ(θ) = ⟨Ŷ, ∇²f(X)⟩ + ⟨Λ, ∇f(X)⟩
= Σ_k λ_k (2⟨S_k, 𝓗S_k⟩ + 4⟨𝓗E, V_kV_kᵀ⟩) + 4⟨sym(ΛXᵀ), 𝓗E⟩, differentiating at fixed H, Ŷ, Λ:

    ∂Φ/∂X = Σ_k λ_k (8·𝓗(S_k)V_k + 8·𝓗(V_kV_kᵀ)X) + 4·𝓗(E)Λ + 8·𝓗(sym(ΛXᵀ))X,
    ∂Φ/∂Z = −Σ_k λ_k 8·𝓗(V_kV_kᵀ)Z − 8·𝓗(sym(ΛXᵀ))Z,

and ∇_X δ* = −∂Φ/∂X, ∇_Z δ* = −∂Φ/∂Z. Two terms that look missing vanish:

* Q depends on X, but only through the subspace {XΩ}^⊥ plus a rotation inside it: dQ = QA + Q_T B
  with A skew. For feasible H the Hessian annihilates {XΩ} and does not couple it (GX = 0), so
  ⟨Y₁, Qᵀ∇²f dQ⟩ = tr(Y₁(S + μI)A) with S = Qᵀ∇²fQ − μI; complementary slackness Y₁S = 0 and
  tr(Y₁A) = 0 (Y₁ symmetric, A skew) make it zero.
* Λ is fitted (least squares) from dual stationarity in H, sym(Hessᵀ(Y₁) + Y₂ − Y₃ + Y₄ + ∇_H⟨Λ, ∇f⟩) = 0;
  it is unique up to Λ + XΩ when X has full column rank (⟨Λ, GX⟩ = ⟨sym(ΛXᵀ), G⟩ vanishes for all G
  iff ΛXᵀ is skew iff Λ = XΩ), and ⟨XΩ, GX⟩ ≡ 0 for every θ, so that freedom does not move the gradient.

Scaling: the solve happens at θ/s (s = ‖[X, Z]‖) with μ/s²; the same H is optimal at θ with duals
Y₁/s² and Λ/s³ (∇²f and ∇f are homogeneous of degrees 2 and 3), so the formulas are applied at θ
with those. Reduction: the lifted pair (H̃ on W, I on W^⊥; Ŷ, Λ lifted by P) is optimal for the
full problem (its stationarity has no W–W^⊥ or W^⊥ components, since S_k, V_kV_kᵀ, E and ΛXᵀ lie in
W), and every term of ∂Φ lies in span P, so ∇δ* = (P·∇_X̃ δ̃, P·∇_Z̃ δ̃).

Where the optimal dual is not unique δ* may be nonsmooth (at the minimisers of the search it
typically is); the formula then returns the directional-derivative slope of the dual the solver
returned, one element of a generalised gradient, and a search must not trust it as a descent test.

Which derivative, measured (2026-11-30, rank 1, three points where δ* equals the closed form of JMLR
Theorem 12): this formula after a Clarabel solve at GRADIENT_CLARABEL_SETTINGS has relative error
4e-7 to 1e-5 against the closed-form gradient (1e-4 to 2e-3 at Clarabel's default tolerances).
cvxpy's own derivative machinery (``Problem.backward``, diffcp 1.1.9, which differentiates an SCS
solve; its Clarabel path failed inside cvxpy 1.9.3) gave relative errors of 13 to 144 end to end, and
dδ*/d(Hessian data) = 0.146 in a direction where the central difference of the Clarabel value is
7e-8. So riptools uses the envelope formula and does not depend on diffcp. The tests
(``tests/test_counterexample_gradient.py``) check it against central differences at random points and
against Theorem 12 (relative error ≤ 1e-4).
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
GRADIENT_CLARABEL_SETTINGS = {"tol_gap_abs": 1e-12, "tol_gap_rel": 1e-12, "tol_feas": 1e-12, "tol_ktratio": 1e-10,
                              "max_iter": 400}
"""Clarabel's settings for solves asked for a gradient. At the default 1e-8 the interior-point pair is
off the optimal face by ~1e-4 in its degenerate directions, and the envelope gradient with it
(the module docstring gives the measured errors at both settings); at 1e-12 a solve takes 1.5–2× the time
of a default one (benchmarks/bench_counterexample.py).
Clarabel often stops short of 1e-12 with status ``optimal_inaccurate`` (its best iterate, typically
at 1e-11); the residuals recomputed here judge it."""
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
        gradient_x, gradient_z: ∇δ* with respect to X and Z in the coordinates of the solve (envelope
            formula of the module docstring), when asked for and the solve returned duals; else None.
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
    gradient_x: np.ndarray | None = None
    gradient_z: np.ndarray | None = None


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


def solve_sdp(x: np.ndarray, z: np.ndarray, *, margin: float = 0.0, solver: str = DEFAULT_SOLVER,
              gradient: bool = False) -> SdpSolve:
    """Returns the solve of the counterexample SDP at (X, Z) posed in the coordinates given.

    No reduction happens here: :func:`counterexample_sdp` calls this with (X̃, Z̃) or with (X, Z).
    X and Z are rescaled jointly to ‖[X, Z]‖ = 1 (and μ by the square) for conditioning; δ and H
    are invariant under that rescaling. With ``gradient``, ∇δ* at (X, Z) (unscaled) is computed
    from the optimal primal–dual pair (module docstring), at no extra solve.
    """
    original_x, original_z = x, z
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
    if gradient and solver == "CLARABEL":
        kwargs = dict(GRADIENT_CLARABEL_SETTINGS)
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
    tolerance = ACCURACY_TOL.get(solver, 1e-6)  # each must be ≤ it: a NaN residual is not accurate
    accurate = bool(problem.status == cp.OPTIMAL and all(residual <= tolerance for residual in (primal_residual, dual_residual, abs(gap))))
    gradients = _envelope_gradient(problem, maps, raw, original_x, original_z, scale) if gradient else (None, None)
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
        gradient_x=gradients[0],
        gradient_z=gradients[1],
    )


def _raw_gradient_map(maps: SdpMaps, x: np.ndarray) -> np.ndarray:
    """Returns the nr×N² matrix of vec(H) ↦ vec(∇f(X)) = vec(4·smat(He)·X), rows not orthonormalised."""
    n, r = x.shape
    size = maps.lift.shape[0]
    columns = (svec_basis(n) @ x).reshape(size, n * r).T
    return 4.0 * columns @ np.kron(maps.residual[None, :], np.eye(size))


def _symmetrised_rows(gradient_map: np.ndarray, size: int) -> np.ndarray:
    """Returns the rows of a vec(H) ↦ ∇f map made symmetric in H (each row read as a size×size matrix)."""
    rows = gradient_map.reshape(-1, size, size)
    return (0.5 * (rows + np.swapaxes(rows, 1, 2))).reshape(rows.shape[0], -1)


def _stationarity(problem, maps: SdpMaps, size: int):
    """Returns ((Y₁, Y₂, Y₃, Y₄), sym(Hessᵀ(Y₁) + Y₂ − Y₃ + Y₄)) from the solver's duals, or None when it gave none."""
    duals = [c.dual_value for c in problem.constraints[:4]]
    if any(d is None for d in duals):
        return None
    y1, y2, y3, y4 = (np.atleast_2d(np.asarray(d, dtype=float)) for d in duals)
    stationarity = (maps.hessian_map.T @ y1.ravel()).reshape(size, size) + y2 - y3 + y4
    return (y1, y2, y3, y4), 0.5 * (stationarity + stationarity.T)


def _envelope_gradient(problem, maps: SdpMaps, kernel: np.ndarray, x: np.ndarray, z: np.ndarray,
                       scale: float) -> tuple[np.ndarray | None, np.ndarray | None]:
    """Returns (∇_X δ*, ∇_Z δ*) at the unscaled (X, Z) from the optimal pair of the solve at (X, Z)/scale.

    The formulas and why they hold are in the module docstring (envelope theorem; Λ fitted from dual
    stationarity; duals rescaled by s⁻² and s⁻³).
    """
    size = kernel.shape[0]
    pair = _stationarity(problem, maps, size)
    if pair is None:
        return None, None
    (y1, *_), target = pair
    n, r = x.shape
    rows = _symmetrised_rows(_raw_gradient_map(maps, x / scale), size)
    # stationarity: target + ∇_H⟨Λ, ∇f⟩ = 0, with ∇_H⟨Λ, ∇f⟩ = sym(rawᵀ vec Λ)
    multiplier = np.linalg.lstsq(rows.T, -target.ravel(), rcond=None)[0].reshape(n, r) / scale**3
    weights = maps.complement @ (0.5 * (y1 + y1.T)) @ maps.complement.T / scale**2
    values, vectors = np.linalg.eigh(weights)
    directions = vectors.T.reshape(-1, n, r)

    def apply(matrix):  # 𝓗(M) = smat(H svec(M))
        return smat(kernel @ svec(matrix), n)

    residual = apply(x @ x.T - z @ z.T)
    paired = apply(multiplier @ x.T)  # svec symmetrises: 𝓗(sym(ΛXᵀ))
    d_x = 4.0 * residual @ multiplier + 8.0 * paired @ x
    d_z = -8.0 * paired @ z
    for value, v in zip(values, directions):
        outer = apply(v @ v.T)
        d_x += value * (8.0 * apply(x @ v.T + v @ x.T) @ v + 8.0 * outer @ x)
        d_z -= value * 8.0 * outer @ z
    return -d_x, -d_z


def _dual_check(problem, maps: SdpMaps, delta: float, margin: float, size: int) -> tuple[float, float]:
    """Returns (dual residual, duality gap) recomputed from the solver's dual matrices.

    Lagrangian: δ − ⟨Y₁, Hess(H) − μI⟩ − ⟨Y₂, H − (1−δ)I⟩ − ⟨Y₃, (1+δ)I − H⟩ − ⟨Y₄, H⟩ − yᵀ·R·vec(H).
    Stationarity in δ: 1 = tr Y₂ + tr Y₃; in (symmetric) H: sym(Hessᵀ(Y₁) + Y₂ − Y₃ + Y₄) ∈ sym(range Rᵀ),
    checked by a least-squares fit of y (so the sign convention of the equality dual does not matter).
    """
    pair = _stationarity(problem, maps, size)
    if pair is None:
        return np.inf, np.inf
    (y1, y2, y3, y4), stationarity = pair
    target = stationarity.ravel()
    if maps.gradient_map.shape[0]:
        rows = _symmetrised_rows(maps.gradient_map, size)
        coefficients = np.linalg.lstsq(rows.T, target, rcond=None)[0]
        target = target - rows.T @ coefficients
    scale = 1.0 + max(np.abs(y).max() for y in (y1, y2, y3, y4))
    dual_residual = max(float(np.linalg.norm(target)), abs(1.0 - np.trace(y2) - np.trace(y3))) / scale
    dual_objective = margin * np.trace(y1) + np.trace(y2) - np.trace(y3)
    return dual_residual, float(delta - dual_objective)


def same_point(x: np.ndarray, z: np.ndarray) -> bool:
    """Returns whether XXᵀ = ZZᵀ within SAME_POINT_TOL (X = ±Z up to rotation: a global minimum, nothing spurious).

    Compared in an orthonormal basis of span[X, Z]: the same norms, without n×n matrices.
    """
    basis = column_space_basis(x, z)
    x_small, z_small = basis.T @ x, basis.T @ z
    truth = z_small @ z_small.T
    return bool(np.linalg.norm(x_small @ x_small.T - truth) <= SAME_POINT_TOL * np.linalg.norm(truth))


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

    Example:
        >>> round(rank1_delta_lower_bound([0.0, 2**-0.5], [1.0, 0.0]), 9)
        0.5

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
    if same_point(x, z):  # not on the angle alone: arccos near 1 loses half the digits
        raise InputError("x, z: x = ±z is the global minimum, not a spurious point")
    rho = norm_x / norm_z
    cosine = float(np.clip(abs(x[:, 0] @ z[:, 0]) / (norm_x * norm_z), 0.0, 1.0))
    return rank1_delta_lower_bound_polar(rho, np.arccos(cosine))


def rank1_delta_lower_bound_polar(rho: float, phi: float) -> float:
    """Returns δ_lb of JMLR Theorem 12 in the coordinates ρ = ‖x‖/‖z‖ > 0, φ = angle(x, z).

    Example:
        >>> import math
        >>> round(rank1_delta_lower_bound_polar(2**-0.5, math.pi / 2), 9)
        0.5
    """
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
        gradient_x, gradient_z: ∇δ* with respect to X (n×r) and Z (n×r★), when asked for
            (``gradient=True``) and the solver returned duals; else None.
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
    gradient_x: np.ndarray | None = None
    gradient_z: np.ndarray | None = None

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
    if not z.any():
        raise InputError("z: the ground truth ZZᵀ is zero; expected a nonzero Z")
    if same_point(x, z):
        raise InputError("x, z: XXᵀ = ZZᵀ (X = ±Z up to rotation) is a global minimum; there is no spurious point to find")
    singular = np.linalg.svd(x, compute_uv=False)
    if margin > 0 and singular[-1] <= RANK_TOL * max(singular[0], 1e-300):
        raise InputError(f"x: rank-deficient (σ_min = {singular[-1]:.3g}); a strict margin μ > 0 needs X of full column rank")
    if x.shape[1] > x.shape[0]:
        raise InputError(f"x: expected r ≤ n columns, got shape {x.shape}")
    return x, z, float(margin)


def counterexample_sdp(x, z, *, margin: float = 0.0, formulation: str = "reduced", solver: str = DEFAULT_SOLVER,
                       gradient: bool = False) -> CounterexampleResult:
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
        gradient: also return ∇δ*(X, Z) (``gradient_x``, ``gradient_z``) from the optimal primal–dual
            pair (envelope theorem, module docstring); exact where the optimal dual is unique.

    Example:
        >>> result = counterexample_sdp([0.0, 0.6], [1.0, 0.0], gradient=True)
        >>> result.gradient_x.shape, result.gradient_z.shape
        ((2, 1), (2, 1))

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
    solve = solve_sdp(x_reduced, z_reduced, margin=margin, solver=solver, gradient=gradient)
    lifted = [None if g is None else basis @ g for g in (solve.gradient_x, solve.gradient_z)]
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
        gradient_x=lifted[0],
        gradient_z=lifted[1],
    )
