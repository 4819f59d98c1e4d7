"""Restricted isometry constants of a symmetric sensing operator: exact values and certified bounds.

Definition (the sharp-RIP talk slides, slide 6; Bhojanapalli et al. 2016): A satisfies δ-RIP of rank r when
``(1−δ)‖M‖² ≤ ‖A(M)‖² ≤ (1+δ)‖M‖²`` for every symmetric M with rank(M) ≤ r. With

    λ_min(r) = min ‖A(M)‖²/‖M‖²,   λ_max(r) = max ‖A(M)‖²/‖M‖²   over symmetric M ≠ 0, rank ≤ r,

the constant *as given* is ``δ = max(1 − λ_min(r), λ_max(r) − 1)``, and the constant after the best
rescaling A → cA (``c² = 2/(λ_max+λ_min)``) is ``δ_scaled = (λ_max − λ_min)/(λ_max + λ_min)``.

* rank ≥ n: every symmetric matrix qualifies, λ_min and λ_max are the extreme eigenvalues of the
  kernel H on Sⁿ, and the result is **exact**.
* rank < n: the result is a pair of **bounds**. Lower bounds on δ come from witnesses (rank-≤r
  matrices found by a local search from many starts: any witness's Rayleigh quotient lies in
  [λ_min(r), λ_max(r)]). Upper bounds come from the full-space eigenvalues and, for small n, from an
  SDP relaxation: with Y = svec(M)svec(M)ᵀ, ‖M‖ = 1 and rank(M) ≤ r imply Y ⪰ 0, tr Y = 1 and
  ‖M ⊗ M‖_* = ‖M‖_*² ≤ r, where M ⊗ M is a linear image of Y; optimising ⟨H, Y⟩ over this convex set
  bounds λ_max(r) from above and λ_min(r) from below.
"""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass

import numpy as np
import scipy.optimize
import scipy.sparse

from riptools.sensing import SensingOperator, smat, svec, svec_basis, svec_dimension
from riptools.validation import positive_int

SDP_MAX_N = 5
"""Default: the SDP relaxation is solved when n ≤ SDP_MAX_N (its size grows like n⁴)."""
SDP_SLACK = 1e-6
"""Added to (subtracted from) the SDP's optimal value before it is used as an upper (lower) bound,
to cover the solver's tolerance; the solver status is recorded beside it."""
DEFAULT_STARTS = 20
"""Default number of local-search starts per extreme (min and max) for the witnesses."""


@dataclass(frozen=True)
class SdpBound:
    """An SDP relaxation solve: which extreme, solver, status and value.

    Attributes:
        extreme: ``"max"`` (bounds λ_max(r) above) or ``"min"`` (bounds λ_min(r) below).
        solver: the cvxpy solver name.
        status: cvxpy's status string; only ``optimal`` solves are used as bounds.
        value: the optimal value reported by the solver.
        bound: value ± SDP_SLACK, the bound actually used (None when the solve was not optimal).
        seconds: solve time.
    """

    extreme: str
    solver: str
    status: str
    value: float | None
    bound: float | None
    seconds: float


@dataclass(frozen=True)
class RipResult:
    """The RIP constant of an operator at a rank: value or bounds, and how they were obtained.

    Attributes:
        rank: the rank r of the RIP (all symmetric M with rank ≤ r).
        delta: δ as given (no rescaling): exact when ``exact``, otherwise the best witness value,
            which equals ``lower``.
        delta_scaled: δ after the best rescaling A → cA (exact, or the lower bound).
        lower, upper: bounds on δ (equal when exact).
        delta_scaled_lower, delta_scaled_upper: bounds on δ_scaled.
        exact: True when the value is exact (rank ≥ n).
        method: how the value and bounds were obtained.
        witness: a rank-≤r symmetric matrix (unit Frobenius norm) attaining ``lower``, or None.
        lambda_min_bounds, lambda_max_bounds: (lower, upper) bounds on λ_min(r) and λ_max(r).
        best_scale: the factor c of the best rescaling cA, from the witness values.
        sdp: the SDP relaxation solves that were run (empty when none).
        seconds: total time.
    """

    rank: int
    delta: float
    delta_scaled: float
    lower: float
    upper: float
    delta_scaled_lower: float
    delta_scaled_upper: float
    exact: bool
    method: str
    witness: np.ndarray | None
    lambda_min_bounds: tuple[float, float]
    lambda_max_bounds: tuple[float, float]
    best_scale: float
    sdp: tuple[SdpBound, ...]
    seconds: float

    @property
    def gap(self) -> float:
        """Returns upper − lower, the uncertainty left in δ (0 when exact)."""
        return self.upper - self.lower

    def summary(self) -> dict:
        """Returns the JSON-ready summary printed by ``riptools rip --json``."""
        return {
            "rank": self.rank,
            "delta": self.delta,
            "delta_scaled": self.delta_scaled,
            "lower": self.lower,
            "upper": self.upper,
            "gap": self.gap,
            "delta_scaled_lower": self.delta_scaled_lower,
            "delta_scaled_upper": self.delta_scaled_upper,
            "exact": self.exact,
            "method": self.method,
            "witness": None if self.witness is None else self.witness.tolist(),
            "lambda_min_bounds": list(self.lambda_min_bounds),
            "lambda_max_bounds": list(self.lambda_max_bounds),
            "best_scale": self.best_scale,
            "sdp": [vars(bound) for bound in self.sdp],
            "seconds": self.seconds,
        }


def delta_as_given(lambda_min: float, lambda_max: float) -> float:
    """Returns δ = max(1 − λ_min, λ_max − 1), the smallest δ with (1−δ) ≤ λ_min and λ_max ≤ 1+δ.

    Example:
        >>> delta_as_given(0.5, 1.5), delta_as_given(1.0, 3.0)
        (0.5, 2.0)
    """
    return max(1.0 - lambda_min, lambda_max - 1.0)


def delta_rescaled(lambda_min: float, lambda_max: float) -> float:
    """Returns (λ_max − λ_min)/(λ_max + λ_min), the δ of the best rescaling cA (1 if λ_max = 0).

    Example:
        >>> delta_rescaled(1.0, 3.0)  # A/√2 has eigenvalues ½ and 3/2: δ = 1/2
        0.5
    """
    lambda_min = max(lambda_min, 0.0)
    if lambda_max <= 0.0:
        return 1.0
    return (lambda_max - lambda_min) / (lambda_max + lambda_min)


def _apply_kernel(operator: SensingOperator, kernel: np.ndarray | None, vector: np.ndarray) -> np.ndarray:
    if kernel is not None:
        return kernel @ vector
    a = operator.svec_matrix
    return a.T @ (a @ vector)


def _rayleigh_search(operator, kernel, rank, sign, start):
    """Returns (quotient, unit witness) from one L-BFGS run of ±‖A(M)‖²/‖M‖² over M = U S Uᵀ."""
    n = operator.n

    def unpack(theta):
        u = theta[: n * rank].reshape(n, rank)
        w = theta[n * rank:].reshape(rank, rank)
        return u, 0.5 * (w + w.T)

    def value_and_gradient(theta):
        u, s = unpack(theta)
        m = u @ s @ u.T
        vector = svec(m)
        norm2 = vector @ vector
        if norm2 < 1e-300:
            return 0.0, np.zeros_like(theta)
        image = _apply_kernel(operator, kernel, vector)
        quotient = (vector @ image) / norm2
        g = smat(2.0 * (image - quotient * vector) / norm2, n)
        grad_u = 2.0 * g @ u @ s
        grad_s = u.T @ g @ u
        return -sign * quotient, -sign * np.concatenate([grad_u.ravel(), grad_s.ravel()])

    result = scipy.optimize.minimize(value_and_gradient, start, jac=True, method="L-BFGS-B",
                                     options={"maxiter": 500, "gtol": 1e-12, "ftol": 1e-15})
    u, s = unpack(result.x)
    m = u @ s @ u.T
    vector = svec(m)
    vector /= np.linalg.norm(vector)
    quotient = float(vector @ _apply_kernel(operator, kernel, vector))
    return quotient, smat(vector, n)


def _starts(kernel_eigenvectors, n, rank, count, rng):
    """Yields starting points (U, S) packed as vectors: eigenvector truncations first, then random."""
    for vector in kernel_eigenvectors:
        values, vectors = np.linalg.eigh(smat(vector, n))
        keep = np.argsort(-np.abs(values))[:rank]
        yield np.concatenate([vectors[:, keep].ravel(), np.diag(values[keep]).ravel()])
    for _ in range(count):
        yield np.concatenate([rng.standard_normal(n * rank), rng.standard_normal(rank * rank)])


def rayleigh_witnesses(operator: SensingOperator, rank: int, *, starts: int = DEFAULT_STARTS, seed: int = 0,
                       kernel_eigenvectors: np.ndarray | None = None):
    """Returns ((λ_lo, M_lo), (λ_hi, M_hi)): the smallest and largest ‖A(M)‖²/‖M‖² found over rank ≤ r.

    A multi-start local search (L-BFGS over M = U S Uᵀ, U ∈ R^{n×r}, S symmetric) started from the
    rank-r truncations of the kernel's extreme eigenvectors and from ``starts`` random points. Each
    returned value is attained by its (unit-norm, rank ≤ r) witness, so λ_min(r) ≤ λ_lo and
    λ_hi ≤ λ_max(r) hold whatever the search finds.

    Args:
        kernel_eigenvectors: the kernel's eigenvectors in ascending order of eigenvalue, if known.
    """
    rng = np.random.default_rng(seed)
    size = svec_dimension(operator.n)
    kernel = operator.kernel if operator.num_measurements >= size else None  # the cheaper product
    eigenvectors = np.linalg.eigh(operator.kernel)[1] if kernel_eigenvectors is None else kernel_eigenvectors
    best = {}
    for sign, column in ((-1.0, 0), (1.0, -1)):
        candidates = [_rayleigh_search(operator, kernel, rank, sign, start)
                      for start in _starts([eigenvectors[:, column]], operator.n, rank, starts, rng)]
        best[sign] = (min if sign < 0 else max)(candidates, key=lambda pair: pair[0])
    return best[-1.0], best[1.0]


def _kronecker_map(n: int) -> scipy.sparse.csr_matrix:
    """Returns the sparse map vec(Y) ↦ vec(Σ_ab Y_ab B_a ⊗ B_b), which sends svec(M)svec(M)ᵀ to M ⊗ M."""
    basis = svec_basis(n)
    size = basis.shape[0]
    rows, cols, values = [], [], []
    nonzeros = [np.argwhere(b != 0) for b in basis]
    for a in range(size):
        for b in range(size):
            for i, j in nonzeros[a]:
                for k, l in nonzeros[b]:
                    rows.append((i * n + k) * n * n + (j * n + l))
                    cols.append(a * size + b)
                    values.append(basis[a, i, j] * basis[b, k, l])
    return scipy.sparse.csr_matrix((values, (rows, cols)), shape=(n ** 4, size * size))


def sdp_rayleigh_bound(kernel: np.ndarray, n: int, rank: int, extreme: str, *, solver: str = "CLARABEL") -> SdpBound:
    """Returns the SDP relaxation bound on λ_max(r) (``extreme="max"``) or λ_min(r) (``"min"``).

    Solves max/min ⟨H, Y⟩ over Y ⪰ 0, tr Y = 1, ‖K(Y)‖_* ≤ r, where K(svec(M)svec(M)ᵀ) = M ⊗ M
    (see the module docstring). The bound used is the optimal value ± SDP_SLACK.
    """
    import cvxpy as cp

    size = svec_dimension(n)
    y = cp.Variable((size, size), PSD=True)
    kron = cp.reshape(_kronecker_map(n) @ cp.vec(y, order="C"), (n * n, n * n), order="C")
    objective = cp.trace(kernel @ y)
    # K(Y) is symmetric (each B_a ⊗ B_b is), so ‖K(Y)‖_* = min tr P + tr N over K(Y) = P − N, P, N ⪰ 0: two
    # n²×n² PSD blocks instead of cp.normNuc's 2n²×2n² one. Same value; 5× faster at n = 6, and Clarabel
    # reaches "optimal" on instances where normNuc ended "optimal_inaccurate" (and the bound went unused).
    positive = cp.Variable((n * n, n * n), PSD=True)
    negative = cp.Variable((n * n, n * n), PSD=True)
    constraints = [cp.trace(y) == 1, kron == positive - negative, cp.trace(positive) + cp.trace(negative) <= rank]
    problem = cp.Problem(cp.Maximize(objective) if extreme == "max" else cp.Minimize(objective), constraints)
    start = time.perf_counter()
    try:
        with warnings.catch_warnings():  # an inaccurate solve is recorded in `status`, not warned about
            warnings.simplefilter("ignore", UserWarning)
            problem.solve(solver=solver)
        status = problem.status
    except cp.error.SolverError as error:
        status = f"solver error: {error}"
    seconds = time.perf_counter() - start
    value = float(problem.value) if status == cp.OPTIMAL else None
    bound = None if value is None else (value + SDP_SLACK if extreme == "max" else value - SDP_SLACK)
    return SdpBound(extreme=extreme, solver=solver, status=str(status), value=value, bound=bound, seconds=seconds)


def rip_constant(
    operator: SensingOperator,
    rank: int,
    *,
    starts: int = DEFAULT_STARTS,
    seed: int = 0,
    sdp_max_n: int = SDP_MAX_N,
    force_bounds: bool = False,
) -> RipResult:
    """Returns the RIP constant of ``operator`` over symmetric matrices of rank ≤ ``rank``.

    Reference: the RIP definition of the sharp-RIP talk slides (slide 6; Bhojanapalli et al. 2016).

    Args:
        operator: the sensing operator.
        rank: r ≥ 1; exact when r ≥ n, certified bounds otherwise.
        starts: random starts per extreme of the witness search.
        seed: seed of the random starts.
        sdp_max_n: solve the SDP relaxation for the upper bound when n ≤ sdp_max_n.
        force_bounds: compute bounds even when an exact value exists (for cross-checks).

    Example:
        >>> from riptools.sensing import half_example
        >>> result = rip_constant(half_example("slides").operator, rank=2)
        >>> result.exact, round(result.delta, 9), round(result.delta_scaled, 9)
        (True, 2.0, 0.5)

    Raises:
        InputError: rank not an integer ≥ 1.
    """
    rank = positive_int(rank, "rank")
    begin = time.perf_counter()
    n = operator.n
    eigenvalues, eigenvectors = np.linalg.eigh(operator.kernel)
    full_min, full_max = float(eigenvalues[0]), float(eigenvalues[-1])
    if rank >= n and not force_bounds:
        delta = delta_as_given(full_min, full_max)
        column = 0 if 1.0 - full_min >= full_max - 1.0 else -1
        return RipResult(
            rank=rank, delta=delta, delta_scaled=delta_rescaled(full_min, full_max), lower=delta, upper=delta,
            delta_scaled_lower=delta_rescaled(full_min, full_max), delta_scaled_upper=delta_rescaled(full_min, full_max),
            exact=True, method="exact: extreme eigenvalues of the kernel H on Sⁿ (rank ≥ n)",
            witness=smat(eigenvectors[:, column], n), lambda_min_bounds=(full_min, full_min),
            lambda_max_bounds=(full_max, full_max), best_scale=float(np.sqrt(2.0 / (full_min + full_max))),
            sdp=(), seconds=time.perf_counter() - begin,
        )
    (low_value, low_witness), (high_value, high_witness) = rayleigh_witnesses(
        operator, rank, starts=starts, seed=seed, kernel_eigenvectors=eigenvectors)
    lambda_min_upper, lambda_max_lower = min(low_value, high_value), max(low_value, high_value)
    lambda_min_lower, lambda_max_upper = full_min, full_max
    sdp_bounds = []
    method = f"bounds: witnesses from a {starts}-start local search; upper bound from the full-space eigenvalues"
    if n <= sdp_max_n and rank < n:
        sdp_bounds = [sdp_rayleigh_bound(operator.kernel, n, rank, extreme) for extreme in ("max", "min")]
        if sdp_bounds[0].bound is not None:
            lambda_max_upper = min(lambda_max_upper, sdp_bounds[0].bound)
        if sdp_bounds[1].bound is not None:
            lambda_min_lower = max(lambda_min_lower, sdp_bounds[1].bound)
        method += " and the Kronecker nuclear-norm SDP relaxation"
    # A bound may not cross its witness: the witness value is attained, the bound is only solver-accurate.
    lambda_max_upper = max(lambda_max_upper, lambda_max_lower)
    lambda_min_lower = min(lambda_min_lower, lambda_min_upper)
    lower = delta_as_given(lambda_min_upper, lambda_max_lower)
    witness = low_witness if 1.0 - lambda_min_upper >= lambda_max_lower - 1.0 else high_witness
    return RipResult(
        rank=rank, delta=lower, delta_scaled=delta_rescaled(lambda_min_upper, lambda_max_lower), lower=lower,
        upper=delta_as_given(lambda_min_lower, lambda_max_upper),
        delta_scaled_lower=delta_rescaled(lambda_min_upper, lambda_max_lower),
        delta_scaled_upper=delta_rescaled(lambda_min_lower, lambda_max_upper),
        exact=False, method=method, witness=witness,
        lambda_min_bounds=(lambda_min_lower, lambda_min_upper), lambda_max_bounds=(lambda_max_lower, lambda_max_upper),
        best_scale=float(np.sqrt(2.0 / (lambda_min_upper + lambda_max_lower))), sdp=tuple(sdp_bounds),
        seconds=time.perf_counter() - begin,
    )


def witness_rank(witness: np.ndarray, tol: float = 1e-9) -> int:
    """Returns the numerical rank of a witness matrix (eigenvalues above tol·‖W‖)."""
    values = np.linalg.eigvalsh(witness)
    return int(np.sum(np.abs(values) > tol * max(1.0, np.max(np.abs(values)))))

