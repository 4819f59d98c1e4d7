"""Search over (X, Z) for the smallest δ*(X, Z): the worst spurious critical points of a given shape.

References: Zhang, Sojoudi, Lavaei, "Sharp restricted isometry bounds for the inexistence of spurious
local minima in nonconvex matrix recovery", JMLR 20(114), 2019 (δ < 1/2 is sharp for rank 1); R. Y.
Zhang, "Sharp global guarantees for nonconvex low-rank matrix recovery in the overparameterized
regime", arXiv:2104.10790, 2021 (r > r★); Lewis, Overton, "Nonsmooth optimization via quasi-Newton
methods", Math. Programming 141, 2013 (BFGS with a weak Wolfe line search on nonsmooth functions).

By the size reduction of :mod:`riptools.counterexample`, δ*(X, Z) only depends on (X̃, Z̃) = (PᵀX, PᵀZ),
so the search runs in d = min(n, r + r★) dimensions and embeds its best point in Rⁿ by zero rows.

**Local method.** ``"bfgs"`` (default): BFGS on θ = vec(X̃, Z̃) with the gradient of δ* from the
optimal primal–dual pair (:func:`riptools.counterexample.solve_sdp` with ``gradient=True``; one SDP
solve gives the value and the gradient). δ* is nonsmooth at its minimisers (several dual solutions;
the infimum is a max of several active pieces), where BFGS with a strong Wolfe line search stalls. The
safeguards, after Lewis and Overton: a *weak* Wolfe line search by bracketing and bisection (it only
asks for sufficient decrease and a directional-derivative increase, both of which hold across a kink),
a reset of the inverse Hessian to the identity when the direction is not a descent direction or the
curvature sᵀy is not positive, and a stop when the line search cannot make progress (a nonsmooth
minimiser to the solver's precision) rather than on a small gradient norm (which need not become small
at a kink). ``"nelder-mead"``: the derivative-free simplex method, kept for comparison.

**Starts.** Random Gaussian starts (start k uses the stream (seed, k)), and *structured* starts built
from the best points of smaller shapes (:func:`structured_starts`): X gains a small column (from
(r − 1, r★)), or X and Z gain a matched direction t·e beside the old block (from (r − 1, r★ − 1)),
each also after a random orthogonal mixing of X's rows (X → UX, U = exp(εA), A skew; (X, Z) → (UX, UZ)
would be a symmetry of δ*, X → UX alone is not). Starts are independent tasks and run on any executor
of :mod:`riptools.executors` (process pool or Dask).

**Report.** The best point of all starts is re-solved at default accuracy in Rⁿ, certified numerically
(:func:`riptools.certify.certify_result`) and exactly (:func:`riptools.certify.certify_exact`: rational
LDLᵀ) before it is returned.
"""

from __future__ import annotations

import enum
import time
from dataclasses import dataclass

import numpy as np
import scipy.linalg
import scipy.optimize
from tqdm import tqdm

from riptools.certify import ExactCertificate, NumericCertificate, certify_exact, certify_result
from riptools.counterexample import (
    ACCURACY_TOL,
    DEFAULT_SOLVER,
    SAME_POINT_TOL,
    CounterexampleResult,
    counterexample_sdp,
    solve_sdp,
)
from riptools.executors import make_executor
from riptools.validation import InputError, positive_int

PENALTY = 2.0
"""Value given to excluded points (XXᵀ = ZZᵀ, failed solves); above every δ* (δ = 1 is always feasible for μ = 0)."""
DEFAULT_MAX_EVALUATIONS = 400
"""Default budget (SDP solves) per start."""
METHODS = ("bfgs", "nelder-mead")
DEFAULT_METHOD = "bfgs"
ARMIJO = 1e-4
"""Sufficient-decrease constant c₁ of the weak Wolfe line search (the usual value)."""
CURVATURE = 0.5
"""Weak Wolfe curvature constant c₂: a step is accepted once the slope has risen to c₂ times the initial
slope (Lewis–Overton use 1/2; any c₁ < c₂ < 1 works)."""
LINE_SEARCH_STEPS = 40
"""Bisections or doublings per line search: a kink is bracketed to 2⁻⁴⁰ of the first step before the
local search stops (below that δ* differences are solver noise, ~1e-11)."""
STEP_TOL = 1e-10
"""Stop when the accepted step is below STEP_TOL·max(1, ‖θ‖): the point no longer moves at solver precision."""
STALL_STEPS = 5
STALL_TOL = 1e-10
"""Stop when the last STALL_STEPS accepted steps lowered the value by less than STALL_TOL in all: the
tight solves agree to ~1e-11, so later progress is noise (measured: 30–50 solves saved per start on
(2, 1) and (2, 2) with the same final values to 1e-10)."""
NEW_COLUMN_SCALE = 0.1
"""Size (relative to ‖X‖/√r) of the column a structured start adds to X: small enough to stay near the
smaller shape's point, large enough that X is numerically full rank."""
MIXING_ANGLE = 0.3
"""ε of the random orthogonal mixing X → exp(εA)X (A skew, entries N(0, 1)): a rotation of about 0.3 rad."""
STRUCTURED_PER_SEED = 3
"""Structured starts per smaller-shape point: the plain embedding and two mixed ones."""


class StopReason(str, enum.Enum):
    """Why a local search stopped (structured, as pymanopt's users asked for)."""

    LINE_SEARCH = "line search found no weak Wolfe step (a nonsmooth minimiser, to solver precision)"
    STEP = "step below tolerance"
    STALLED = "no decrease above solver precision over the last steps"
    STATIONARY = "gradient is zero"
    BUDGET = "evaluation budget spent"
    EXCLUDED_START = "the start is an excluded point"
    SIMPLEX = "Nelder–Mead stopped"

    def __str__(self) -> str:
        return self.value


@dataclass(frozen=True)
class SearchStart:
    """One local search: where it started, where it ended, δ* there, and its cost.

    Attributes:
        start: index of the start (random starts first, then structured ones).
        delta: δ* at the end point (PENALTY when it is excluded).
        evaluations: SDP solves spent.
        stopping_reason: why it stopped (a :class:`StopReason` value; Nelder–Mead adds scipy's message).
        kind: ``"random"`` or the structured start's description (``"embed (1,1)+column"``, …).
        seconds: wall time of this local search.
    """

    start: int
    delta: float
    evaluations: int
    stopping_reason: str
    kind: str = "random"
    seconds: float = 0.0


@dataclass(frozen=True)
class SearchResult:
    """The best (X, Z) found, its δ*, the certified operator, and the search log.

    Attributes:
        best_x, best_z: the best pair, embedded in Rⁿ (n×r and n×r★).
        delta: δ*(best_x, best_z) from a fresh solve of :func:`riptools.counterexample.counterexample_sdp`.
        result: that solve.
        certificate: its numeric certificate (:func:`riptools.certify.certify_result`).
        starts: per-start log.
        evaluations: total SDP solves.
        n, rank, true_rank, margin, seed: the parameters.
        seconds: total time.
        exact_certificate: the exact (rational LDLᵀ) certificate of ``result`` (:func:`riptools.certify.certify_exact`),
            None only when the solve returned no solution.
        method: the local method (``"bfgs"`` or ``"nelder-mead"``).
    """

    best_x: np.ndarray
    best_z: np.ndarray
    delta: float
    result: CounterexampleResult
    certificate: NumericCertificate
    starts: list
    evaluations: int
    n: int
    rank: int
    true_rank: int
    margin: float
    seed: int
    seconds: float
    exact_certificate: ExactCertificate | None = None
    method: str = DEFAULT_METHOD


def _excluded(x: np.ndarray, z: np.ndarray, margin: float) -> bool:
    """Returns True at points the search must not score: XXᵀ = ZZᵀ, or X rank-deficient when μ > 0."""
    truth = z @ z.T
    if np.linalg.norm(x @ x.T - truth) <= max(SAME_POINT_TOL, 1e-6) * max(np.linalg.norm(truth), 1e-300):
        return True
    return bool(margin > 0 and np.linalg.svd(x, compute_uv=False)[-1] < 1e-6 * max(1.0, np.linalg.norm(x)))


def delta_star_value(x: np.ndarray, z: np.ndarray, *, margin: float = 0.0) -> float:
    """Returns δ*(X, Z) for the search (PENALTY at excluded points), solving in the given coordinates.

    Excluded: XXᵀ = ZZᵀ (global minima, where δ* = 0 trivially), rank-deficient X when μ > 0, and
    solves that are not optimal.
    """
    if _excluded(x, z, margin):
        return PENALTY
    solve = solve_sdp(x, z, margin=margin)
    return float(solve.delta) if (solve.delta is not None and solve.status == "optimal") else PENALTY


def delta_star_with_gradient(x: np.ndarray, z: np.ndarray, *, margin: float = 0.0) -> tuple[float, np.ndarray | None]:
    """Returns (δ*(X, Z), ∇δ* as one vector vec(∇_X, ∇_Z)), or (PENALTY, None) at excluded points.

    One tight solve (:data:`riptools.counterexample.GRADIENT_CLARABEL_SETTINGS`). Clarabel often ends
    those with status ``optimal_inaccurate`` at 1e-11; a solve counts when the residuals and the gap
    recomputed by riptools are within ACCURACY_TOL, whatever the status.

    Example:
        >>> value, gradient = delta_star_with_gradient(np.array([[0.0], [0.7]]), np.array([[1.0], [0.0]]))
        >>> round(value, 4), gradient.shape
        (0.5002, (4,))
    """
    if _excluded(x, z, margin):
        return PENALTY, None
    solve = solve_sdp(x, z, margin=margin, gradient=True)
    usable = (solve.delta is not None and solve.gradient_x is not None
              and max(solve.primal_residual, solve.dual_residual, abs(solve.duality_gap)) <= ACCURACY_TOL[DEFAULT_SOLVER])
    if not usable:
        return PENALTY, None
    return float(solve.delta), np.concatenate([solve.gradient_x.ravel(), solve.gradient_z.ravel()])


def quasi_newton(function, theta0: np.ndarray, *, max_evaluations: int) -> tuple[np.ndarray, float, int, StopReason]:
    """Returns (θ, value, evaluations, reason): BFGS with a weak Wolfe line search from θ₀ (Lewis–Overton 2013).

    ``function(θ)`` returns (value, gradient) or (value, None) at points that must not be entered (the
    line search treats them as failing sufficient decrease). Safeguards for nonsmooth functions: weak
    Wolfe conditions by bracketing/bisection, the inverse Hessian reset to the identity when the
    direction is not a descent direction, updates skipped when sᵀy ≤ 0, and a stop when no weak Wolfe
    step is found in LINE_SEARCH_STEPS trials (taking the best sufficient-decrease point if there was one),
    or when the value has stalled (STALL_STEPS, STALL_TOL).

    Example:
        >>> theta, value, _, _ = quasi_newton(lambda t: (abs(t[0]) + t[1] ** 2, np.array([np.sign(t[0]), 2 * t[1]])),
        ...                                   np.array([1.0, 1.0]), max_evaluations=200)
        >>> bool(value < 1e-6)
        True
    """
    evaluations = 0

    def call(theta):
        nonlocal evaluations
        evaluations += 1
        return function(theta)

    theta = np.array(theta0, dtype=float)
    value, gradient = call(theta)
    if gradient is None:
        return theta, value, evaluations, StopReason.EXCLUDED_START
    inverse = np.eye(theta.size)
    updated = False
    history = [value]
    while evaluations < max_evaluations:
        direction = -inverse @ gradient
        slope = float(gradient @ direction)
        if not slope < 0:
            inverse, updated = np.eye(theta.size), False
            direction = -gradient
            slope = -float(gradient @ gradient)
        if slope == 0:
            return theta, value, evaluations, StopReason.STATIONARY
        low, high, step_length, accepted, decreased = 0.0, np.inf, 1.0, None, None
        for _ in range(LINE_SEARCH_STEPS):
            if evaluations >= max_evaluations:
                break
            trial = theta + step_length * direction
            trial_value, trial_gradient = call(trial)
            if trial_gradient is None or trial_value > value + ARMIJO * step_length * slope:
                high = step_length
            elif trial_gradient @ direction < CURVATURE * slope:
                low, decreased = step_length, (trial, trial_value, trial_gradient)
            else:
                accepted = (trial, trial_value, trial_gradient)
                break
            step_length = 0.5 * (low + high) if np.isfinite(high) else 2.0 * low
        accepted = accepted or decreased
        if accepted is None:
            return theta, value, evaluations, (StopReason.BUDGET if evaluations >= max_evaluations else StopReason.LINE_SEARCH)
        new_theta, new_value, new_gradient = accepted
        step, change = new_theta - theta, new_gradient - gradient
        curvature = float(step @ change)
        if curvature > 0:
            if not updated:  # scale the first inverse Hessian (Nocedal–Wright 6.20)
                inverse = (curvature / float(change @ change)) * np.eye(theta.size)
                updated = True
            rho = 1.0 / curvature
            left = np.eye(theta.size) - rho * np.outer(step, change)
            inverse = left @ inverse @ left.T + rho * np.outer(step, step)
        theta, value, gradient = new_theta, new_value, new_gradient
        history.append(value)
        if np.linalg.norm(step) <= STEP_TOL * max(1.0, float(np.linalg.norm(theta))):
            return theta, value, evaluations, StopReason.STEP
        if len(history) > STALL_STEPS and history[-1 - STALL_STEPS] - value < STALL_TOL:
            return theta, value, evaluations, StopReason.STALLED
    return theta, value, evaluations, StopReason.BUDGET


@dataclass(frozen=True)
class StartTask:
    """One local search to run (picklable, so that any executor can run it).

    Attributes:
        index: start index; kind: ``"random"`` or the structured start's description.
        theta: the start vec(X̃, Z̃) in d dimensions.
        d, rank, true_rank, margin, method, max_evaluations: the search's parameters.
    """

    index: int
    kind: str
    theta: np.ndarray
    d: int
    rank: int
    true_rank: int
    margin: float
    method: str
    max_evaluations: int

    def unpack(self, theta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Returns (X̃, Z̃) from vec(X̃, Z̃)."""
        split = self.d * self.rank
        return theta[:split].reshape(self.d, self.rank), theta[split:].reshape(self.d, self.true_rank)


def run_start(task: StartTask) -> tuple[SearchStart, np.ndarray]:
    """Returns (the start's log, its end point θ): one local search (a top-level function for executors)."""
    begin = time.perf_counter()
    if task.method == "bfgs":
        theta, value, evaluations, reason = quasi_newton(
            lambda t: delta_star_with_gradient(*task.unpack(t), margin=task.margin), task.theta,
            max_evaluations=task.max_evaluations)
        reason = str(reason)
    else:
        solution = scipy.optimize.minimize(lambda t: delta_star_value(*task.unpack(t), margin=task.margin), task.theta,
                                           method="Nelder-Mead", options={"maxfev": task.max_evaluations, "xatol": 1e-7,
                                                                          "fatol": 1e-10, "adaptive": True})
        theta, value, evaluations = solution.x, float(solution.fun), int(solution.nfev)
        reason = f"{StopReason.SIMPLEX}: {solution.message}"
    log = SearchStart(start=task.index, delta=float(value), evaluations=int(evaluations), stopping_reason=reason,
                      kind=task.kind, seconds=time.perf_counter() - begin)
    return log, np.asarray(theta, dtype=float)


def _pad_rows(matrix: np.ndarray, d: int) -> np.ndarray:
    return np.vstack([matrix, np.zeros((d - matrix.shape[0], matrix.shape[1]))])


def embed_point(x: np.ndarray, z: np.ndarray, rank: int, true_rank: int, *, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, str]:
    """Returns (X, Z, description): a point of shape (rank, true_rank) in d = rank + true_rank dimensions built from a smaller one.

    The smaller (X₀, Z₀) (any d₀ rows) is compressed to its column space and placed in the first
    coordinates; then m = true_rank − r★₀ *matched directions* are added (a new coordinate e with X and
    Z both gaining the column t·e, t = ‖X₀‖/√r₀: the direction is then recovered exactly, and beside a
    rank-1 point this is the construction of the known (r, r★) values), and rank − r₀ − m new columns
    of X of size NEW_COLUMN_SCALE·t in fresh coordinates.

    Raises:
        InputError: the smaller shape does not fit (r₀ > rank, r★₀ > true_rank or fewer columns to add than directions).
    """
    r0, s0 = x.shape[1], z.shape[1]
    matched, extra = true_rank - s0, rank - r0 - (true_rank - s0)
    if r0 > rank or s0 > true_rank or extra < 0:
        raise InputError(f"seeds: a ({r0}, {s0}) point does not embed in ({rank}, {true_rank})")
    d = rank + true_rank
    left, singular, _ = np.linalg.svd(np.hstack([x, z]), full_matrices=False)
    basis = left[:, singular > 1e-10 * singular[0]]
    x_small, z_small = _pad_rows(basis.T @ x, d), _pad_rows(basis.T @ z, d)
    t = float(np.linalg.norm(x)) / np.sqrt(r0)
    free = basis.shape[1]
    new_x, new_z = [], []
    for _ in range(matched):
        column = np.zeros(d)
        column[free] = t
        free += 1
        new_x.append(column)
        new_z.append(column)
    for _ in range(extra):
        column = NEW_COLUMN_SCALE * t * rng.standard_normal(d) / np.sqrt(d)
        if free < d:
            column[free] += NEW_COLUMN_SCALE * t
            free += 1
        new_x.append(column)
    big_x = np.column_stack([x_small, *new_x]) if new_x else x_small
    big_z = np.column_stack([z_small, *new_z]) if new_z else z_small
    return big_x, big_z, f"embed ({r0},{s0})" + (f" + {matched} matched" if matched else "") + (f" + {extra} column" if extra else "")


def mix_rows(x: np.ndarray, *, rng: np.random.Generator, angle: float = MIXING_ANGLE) -> np.ndarray:
    """Returns exp(εA)·X with A a random skew matrix (entries N(0, 1)): a random orthogonal mixing of X's rows."""
    generator = rng.standard_normal((x.shape[0], x.shape[0]))
    return scipy.linalg.expm(angle * (generator - generator.T) / np.sqrt(2 * x.shape[0])) @ x


def structured_starts(rank: int, true_rank: int, seeds, *, seed: int = 0,
                      per_seed: int = STRUCTURED_PER_SEED) -> list[tuple[str, np.ndarray, np.ndarray]]:
    """Returns [(description, X, Z)] in d = rank + true_rank dimensions from points of smaller shapes.

    For each seed (X₀, Z₀): the plain embedding (:func:`embed_point`) and per_seed − 1 copies with X's
    rows mixed by a random rotation (:func:`mix_rows`); seeds that do not fit are skipped.

    Example:
        >>> starts = structured_starts(2, 1, [(np.array([[0.0], [0.7]]), np.array([[1.0], [0.0]]))])
        >>> [(kind, x.shape, z.shape) for kind, x, z in starts][:1]
        [('embed (1,1) + 1 column', (3, 2), (3, 1))]
    """
    rng = np.random.default_rng([seed, rank, true_rank, 7919])
    starts = []
    for x0, z0 in seeds:
        x0, z0 = np.asarray(x0, dtype=float), np.asarray(z0, dtype=float)
        x0, z0 = (x0[:, None] if x0.ndim == 1 else x0), (z0[:, None] if z0.ndim == 1 else z0)
        if x0.shape[1] > rank or z0.shape[1] > true_rank or rank - x0.shape[1] < true_rank - z0.shape[1]:
            continue
        x, z, kind = embed_point(x0, z0, rank, true_rank, rng=rng)
        starts.append((kind, x, z))
        starts += [(f"{kind}, mixed", mix_rows(x, rng=rng), z) for _ in range(per_seed - 1)]
    return starts


def search_min_delta(n: int, rank: int, true_rank: int, *, starts: int = 8, seed: int = 0, margin: float = 0.0,
                     max_evaluations: int = DEFAULT_MAX_EVALUATIONS, progress: bool = False, method: str = DEFAULT_METHOD,
                     seeds=(), workers: int = 1, scheduler: str | None = None, exact: bool = True) -> SearchResult:
    """Returns the smallest δ*(X, Z) found over X ∈ R^{n×rank}, Z ∈ R^{n×true_rank} with XXᵀ ≠ ZZᵀ.

    Kind of result: an upper bound on inf δ* (the value of a found pair, certified numerically and
    exactly); for rank 1 inf δ* = 1/2 (JMLR 2019), for true_rank 1 inf δ* = 1/(1 + 1/√rank) (arXiv:2104.10790).

    Args:
        n: ambient dimension (the search runs in min(n, rank + true_rank) dimensions).
        rank: r, columns of X (r > true_rank is the over-parameterised case).
        true_rank: r★, columns of Z.
        starts: number of random starts.
        seed: seed of the starts (random start k uses the stream (seed, k)).
        margin: μ ≥ 0 for the SDP (μ > 0: strict local minima; then μ is scale-dependent).
        max_evaluations: SDP solves per start.
        progress: show a tqdm bar on stderr.
        method: ``"bfgs"`` (gradient-based, default) or ``"nelder-mead"``.
        seeds: points (X₀, Z₀) of smaller shapes; each adds STRUCTURED_PER_SEED structured starts
            (:func:`structured_starts`; only when n ≥ rank + true_rank).
        workers, scheduler: where the starts run (:func:`riptools.executors.make_executor`).
        exact: also certify the best point exactly (rational LDLᵀ).

    Example:
        >>> found = search_min_delta(2, 1, 1, starts=1, seed=0, max_evaluations=60)
        >>> abs(found.delta - 0.5) < 1e-6, found.exact_certificate.verified
        (True, True)

    Raises:
        InputError: non-positive sizes, rank > n, true_rank > n, negative margin, unknown method.
    """
    n = positive_int(n, "n")
    rank = positive_int(rank, "rank")
    true_rank = positive_int(true_rank, "true_rank")
    starts = positive_int(starts, "starts")
    max_evaluations = positive_int(max_evaluations, "max_evaluations", minimum=10)
    if rank > n or true_rank > n:
        raise InputError(f"rank, true_rank: expected ≤ n = {n}, got rank = {rank}, true_rank = {true_rank}")
    if not (np.isfinite(margin) and margin >= 0):
        raise InputError(f"margin: expected a finite μ ≥ 0, got {margin!r}")
    if method not in METHODS:
        raise InputError(f"method: expected one of {METHODS}, got {method!r}")
    begin = time.perf_counter()
    d = min(n, rank + true_rank)
    tasks = []
    for k in range(starts):
        theta0 = np.random.default_rng([seed, k]).standard_normal(d * (rank + true_rank))
        tasks.append(StartTask(k, "random", theta0, d, rank, true_rank, float(margin), method, max_evaluations))
    if seeds and d == rank + true_rank:
        for kind, x, z in structured_starts(rank, true_rank, seeds, seed=seed):
            theta0 = np.concatenate([x.ravel(), z.ravel()])
            tasks.append(StartTask(len(tasks), kind, theta0, d, rank, true_rank, float(margin), method, max_evaluations))
    executor, close = make_executor(workers=workers, scheduler=scheduler)
    try:
        futures = [executor.submit(run_start, task) for task in tasks]
        outcomes = [future.result() for future in tqdm(futures, desc="search starts", disable=not progress)]
    finally:
        close()
    log = [outcome[0] for outcome in outcomes]
    best = min(range(len(outcomes)), key=lambda i: (log[i].delta, i))
    if log[best].delta >= PENALTY:
        raise InputError("starts: every start ended at an excluded point; try more starts or another seed")
    x_small, z_small = tasks[best].unpack(outcomes[best][1])
    best_x = np.vstack([x_small, np.zeros((n - d, rank))])
    best_z = np.vstack([z_small, np.zeros((n - d, true_rank))])
    result = counterexample_sdp(best_x, best_z, margin=margin)
    exact_certificate = certify_exact(result) if (exact and result.kernel_reduced is not None) else None
    return SearchResult(
        best_x=best_x, best_z=best_z, delta=float(result.delta), result=result, certificate=certify_result(result),
        starts=log, evaluations=sum(s.evaluations for s in log), n=n, rank=rank, true_rank=true_rank,
        margin=float(margin), seed=seed, seconds=time.perf_counter() - begin, exact_certificate=exact_certificate,
        method=method,
    )
