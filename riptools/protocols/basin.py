"""Basin of attraction of a spurious point under SGD: success rate and error quantiles versus γ.

The protocol of Zhang, Josz, Sojoudi, Lavaei (NeurIPS 2018), as the talk slides show it (slides
29–33): pick γ ∈ [0, 1], start SGD at ``X_init = (1−γ)·X_bad + γ·G`` with G an n×r matrix of i.i.d.
N(0, 1) entries, run a fixed number of steps and measure the error of the final U. The random-start
study is the same protocol at γ = 1.

* **Error.** ``dist(U, {V : VVᵀ = ZZᵀ}) = min_R ‖U − Z R‖_F`` over orthogonal R (Z padded with zero
  columns to r columns), by orthogonal Procrustes; for rank 1 it is min(‖u − z‖, ‖u + z‖).
* **Success.** error ≤ SUCCESS_TOL·‖Z‖_F. SGD's noise vanishes at a solution (every ⟨A_i, E⟩ = 0),
  so a run that reaches the basin of Z converges linearly and ends far below the tolerance.
* **Attribution.** A failure with ``min_R ‖U − X_bad R‖_F ≤ NEAR_BAD_FRACTION·d★``, where d★ is the
  distance from X_bad's orbit to the solution set, ended near the spurious point's orbit (SGD's
  noise keeps a trapped iterate jittering around X_bad, so a tight radius would miss it); a run whose
  iterate overflowed is counted as a failure with the label ``nonfinite`` (step size too large), its
  error is +inf.
* **Common random numbers.** Trial t uses the same G and the same SGD indices at every γ (its
  streams depend only on (seed, t)), so the curves against γ are smooth and every γ is exactly
  replayable on its own.

Stored tasks are :data:`BASIN_POINT` (one γ, one step size, one method) and :data:`FLAT_DRIFT`; the
sizes of the study (γ grid, trials, step-size scan) are declared once in ``BASIN_POINT.sizes``.
"""

from __future__ import annotations

import dataclasses
import sys
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from tqdm import tqdm

from riptools.dynamics.sgd import METHODS, gaussian_factors, run_trials
from riptools.objective import EIGENVALUE_TOL, hessian, symmetry_directions
from riptools.protocols import Protocol
from riptools.sensing import SensingOperator, half_example, load_operator
from riptools.statistics import wilson_interval
from riptools.validation import InputError, as_factor, positive_int

SUCCESS_TOL = 1e-3
"""A run succeeds when dist(U, {UUᵀ = ZZᵀ}) ≤ SUCCESS_TOL·‖Z‖_F."""
NEAR_BAD_FRACTION = 0.5
"""A failed run is attributed to X_bad when min_R ‖U − X_bad R‖_F ≤ NEAR_BAD_FRACTION·dist(X_bad, {ZZᵀ})."""
DEFAULT_STEP_SIZE = 0.01
"""η used when none is given: fixed before any experiment was run, a quarter of the 2/λ_max(∇²f(Z)) = 1/4
stability bound of full-batch GD on the δ = 1/2 example ("rip" normalisation). The slides do not
state theirs; :func:`step_size_scan` shows how the random-start failure rate depends on it."""
QUANTILES = {"min": 0.0, "p5": 0.05, "median": 0.5, "p95": 0.95, "max": 1.0}
"""The error quantiles reported per γ (empirical, ``inverted_cdf``: each is one trial's error)."""
TRIAL_CHUNK = 20_000
"""Trials per kernel call (for the progress bar; chunking does not change any number)."""


def orbit_distance(u, w) -> np.ndarray:
    """Returns min_R ‖U_t − W R‖_F over orthogonal r×r R for each U_t in ``u`` (orthogonal Procrustes).

    With WᵀU = P Σ Qᵀ the minimiser is R = P Qᵀ; the difference is formed explicitly (not through
    ‖U‖² + ‖W‖² − 2‖WᵀU‖_*), so small distances keep their relative accuracy. W with fewer columns
    than U is padded with zeros, so for W = Z this is the distance to {V : VVᵀ = ZZᵀ}.

    Args:
        u: iterates, shape (trials, n, r); non-finite rows give +inf.
        w: the n×r_w factor (r_w ≤ r), or a vector.
    """
    u = np.asarray(u, dtype=np.float64)
    w = np.asarray(w, dtype=np.float64)
    w = w[:, None] if w.ndim == 1 else w
    trials, n, r = u.shape
    if w.shape[0] != n or w.shape[1] > r:
        raise InputError(f"w: expected an {n}×r_w factor with r_w ≤ {r}, got shape {w.shape}")
    padded = np.zeros((n, r))
    padded[:, : w.shape[1]] = w
    distances = np.full(trials, np.inf)
    finite = np.all(np.isfinite(u), axis=(1, 2))
    left, _, right = np.linalg.svd(padded.T @ u[finite])
    aligned = padded @ (left @ right)
    distances[finite] = np.linalg.norm(u[finite] - aligned, axis=(1, 2))
    return distances


@dataclass(frozen=True)
class BasinProblem:
    """An instance for the basin experiments: operator, ground truth Z and spurious point X_bad."""

    operator: SensingOperator
    x_bad: np.ndarray
    z: np.ndarray
    name: str

    @classmethod
    def checked(cls, operator: SensingOperator, x_bad, z, name: str = "") -> "BasinProblem":
        """Returns the problem after checking the shapes (X_bad n×r, Z n×r★ with r★ ≤ r)."""
        x_bad = as_factor(x_bad, "X_bad", operator.n)
        z = as_factor(z, "Z", operator.n)
        if z.shape[1] > x_bad.shape[1]:
            raise InputError(f"Z: has {z.shape[1]} columns, more than X_bad's rank r = {x_bad.shape[1]}; the search space n×r cannot reach ZZᵀ")
        return cls(operator=operator, x_bad=x_bad, z=z, name=name)


def load_problem(example: str, *, normalisation: str = "rip") -> BasinProblem:
    """Returns the problem ``half`` (the slides' δ = 1/2 example), a shipped one by file name (``strict_n3.npz``),
    or the one stored in an operator file.

    Raises:
        InputError: unreadable file, a file without X_bad and Z, or Z = 0.
    """
    if example == "half":
        instance = half_example(normalisation)
        return BasinProblem.checked(instance.operator, instance.x_bad, instance.z, name=f"half ({normalisation})")
    path = Path(example)
    if not path.exists() and (DATA_DIR / example).is_file():  # a shipped example, by its file name
        path = DATA_DIR / example
    stored = load_operator(path)
    if stored.x_bad is None or stored.z is None:
        raise InputError(f"--example: {example} must store X_bad and Z beside A (e.g. `riptools counterexample ... --save FILE`)")
    if not stored.z.any():
        raise InputError(f"--example: Z = 0 in {example}; success is measured relative to ‖Z‖_F, so Z must be nonzero")
    return BasinProblem.checked(stored.operator, stored.x_bad, stored.z, name=str(example))


@dataclass(frozen=True)
class BasinTrials:
    """Per-trial outcome at one γ: errors, distances to X_bad's orbit and finiteness."""

    gamma: float
    errors: np.ndarray
    bad_distances: np.ndarray
    finite: np.ndarray


@dataclass(frozen=True)
class BasinPoint:
    """Summary at one γ (the keys ``riptools basin --json`` prints, plus the attribution of failures).

    Attributes:
        gamma: interpolation weight of the Gaussian start.
        trials, successes: counts; success_rate = successes/trials.
        ci_low, ci_high: 95 % Wilson interval of the success rate.
        error_quantiles: {min, p5, median, p95, max} of the final errors (+inf for non-finite runs).
        nonfinite: runs whose iterate overflowed (failures).
        near_bad: finite failures that ended within NEAR_BAD_FRACTION·dist(X_bad, solutions) of
            X_bad's orbit.
    """

    gamma: float
    trials: int
    successes: int
    success_rate: float
    ci_low: float
    ci_high: float
    error_quantiles: dict
    nonfinite: int
    near_bad: int

    def as_issue_json(self) -> dict:
        """Returns the object printed by ``riptools basin --json``."""
        keys = ("gamma", "trials", "successes", "success_rate", "ci_low", "ci_high", "error_quantiles", "nonfinite")
        return {key: getattr(self, key) for key in keys}


def interpolated_starts(x_bad: np.ndarray, gamma: float, trial_ids, *, seed: int) -> np.ndarray:
    """Returns X_init = (1−γ)·X_bad + γ·G_t for each trial id t, shape (trials, n, r)."""
    n, r = x_bad.shape
    return (1.0 - gamma) * x_bad[None] + gamma * gaussian_factors(n, r, trial_ids, seed=seed)


def basin_trials(problem: BasinProblem, gamma: float, trial_ids, *, steps: int, step_size: float, seed: int, method: str = "sgd") -> BasinTrials:
    """Returns the per-trial outcome of SGD (or GD) from X_init = (1−γ)X_bad + γG for the given trials."""
    starts = interpolated_starts(problem.x_bad, gamma, trial_ids, seed=seed)
    runs = run_trials(problem.operator, problem.z, starts, step_size=step_size, num_steps=steps, seed=seed, method=method, trial_ids=trial_ids)
    return BasinTrials(
        gamma=float(gamma),
        errors=orbit_distance(runs.final, problem.z),
        bad_distances=orbit_distance(runs.final, problem.x_bad),
        finite=runs.finite,
    )


def summarise(problem: BasinProblem, outcome: BasinTrials, *, success_tol: float = SUCCESS_TOL) -> BasinPoint:
    """Returns the :class:`BasinPoint` of one γ's trials."""
    trials = outcome.errors.size
    success = outcome.errors <= success_tol * np.linalg.norm(problem.z)
    separation = orbit_distance(problem.x_bad[None], problem.z)[0]
    near_bad = ~success & outcome.finite & (outcome.bad_distances <= NEAR_BAD_FRACTION * separation)
    successes = int(np.count_nonzero(success))
    low, high = wilson_interval(successes, trials)
    values = np.quantile(outcome.errors, list(QUANTILES.values()), method="inverted_cdf")
    return BasinPoint(
        gamma=outcome.gamma,
        trials=trials,
        successes=successes,
        success_rate=successes / trials,
        ci_low=low,
        ci_high=high,
        error_quantiles={name: float(value) for name, value in zip(QUANTILES, values)},
        nonfinite=int(np.count_nonzero(~outcome.finite)),
        near_bad=int(np.count_nonzero(near_bad)),
    )


@dataclass(frozen=True)
class BasinSweep:
    """Success rate and error quantiles against γ for one problem and protocol (data behind a figure)."""

    example: str
    method: str
    step_size: float
    steps: int
    seed: int
    success_tol: float
    points: list[BasinPoint] = field(default_factory=list)


def _check_protocol(gammas, trials, steps, step_size, method, success_tol):
    gammas = np.atleast_1d(np.asarray(gammas, dtype=np.float64))
    if gammas.ndim != 1 or gammas.size == 0 or not np.all((gammas >= 0) & (gammas <= 1)):
        raise InputError(f"gammas: expected values in [0, 1], got {gammas.tolist()}")
    if not (np.isfinite(step_size) and step_size > 0):
        raise InputError(f"step_size: expected a finite number > 0, got {step_size!r}")
    if method not in METHODS:
        raise InputError(f"method: expected one of {METHODS}, got {method!r}")
    if not (np.isfinite(success_tol) and success_tol > 0):
        raise InputError(f"success_tol: expected a finite number > 0, got {success_tol!r}")
    return gammas, positive_int(trials, "trials"), positive_int(steps, "steps", minimum=0)


def basin_sweep(
    problem: BasinProblem,
    *,
    gammas,
    trials: int,
    steps: int,
    step_size: float = DEFAULT_STEP_SIZE,
    seed: int = 0,
    method: str = "sgd",
    success_tol: float = SUCCESS_TOL,
    progress: bool = False,
) -> BasinSweep:
    """Returns the success rate and error quantiles of SGD (or GD) started at (1−γ)X_bad + γG, per γ.

    Reference: Zhang, Josz, Sojoudi, Lavaei (NeurIPS 2018); the talk slides 29–33.

    Args:
        problem: operator, X_bad (fixes the rank r) and Z.
        gammas: values of γ in [0, 1].
        trials: runs per γ (trial ids 0 … trials−1, the same at every γ).
        steps: SGD steps per run.
        step_size: η (see :mod:`riptools.dynamics.sgd` for the scaling).
        seed: seed of the starts and of the SGD index streams.
        method: ``"sgd"`` or ``"gd"``.
        success_tol: success when error ≤ success_tol·‖Z‖_F.
        progress: show a progress bar (stderr) over γ and chunks of trials.
    """
    gammas, trials, steps = _check_protocol(gammas, trials, steps, step_size, method, success_tol)
    chunks = [np.arange(first, min(first + TRIAL_CHUNK, trials)) for first in range(0, trials, TRIAL_CHUNK)]
    bar = tqdm(total=gammas.size * len(chunks), desc=f"basin {problem.name}", file=sys.stderr, disable=not progress, leave=False)
    points = []
    for gamma in gammas:
        parts = []
        for ids in chunks:
            parts.append(basin_trials(problem, float(gamma), ids, steps=steps, step_size=step_size, seed=seed, method=method))
            bar.update()
        outcome = BasinTrials(
            gamma=float(gamma),
            errors=np.concatenate([p.errors for p in parts]),
            bad_distances=np.concatenate([p.bad_distances for p in parts]),
            finite=np.concatenate([p.finite for p in parts]),
        )
        points.append(summarise(problem, outcome, success_tol=success_tol))
    bar.close()
    return BasinSweep(example=problem.name, method=method, step_size=float(step_size), steps=steps, seed=seed, success_tol=success_tol, points=points)


def random_start_study(
    problem: BasinProblem,
    *,
    trials: int = 100_000,
    steps: int = 10_000,
    step_size: float = DEFAULT_STEP_SIZE,
    seed: int = 0,
    method: str = "sgd",
    progress: bool = False,
) -> BasinPoint:
    """Returns the outcome of SGD from pure Gaussian starts (γ = 1), the slides' 100,000-trial study.

    The default ``trials`` is the talk slides' (slide 19: 100,000 SGD runs on the δ = 1/2 example).
    """
    sweep = basin_sweep(problem, gammas=[1.0], trials=trials, steps=steps, step_size=step_size, seed=seed, method=method, progress=progress)
    return sweep.points[0]


def step_size_scan(problem: BasinProblem, step_sizes, *, trials: int, steps: int, seed: int = 0, method: str = "sgd", progress: bool = False) -> list[dict]:
    """Returns the random-start (γ = 1) outcome for each step size: ``{"step_size", "steps", "point"}``.

    The slides do not state their step size; this shows how the failure rate depends on it.
    """
    return [
        {"step_size": float(eta), "steps": steps, "method": method, "point": random_start_study(problem, trials=trials, steps=steps, step_size=eta, seed=seed, method=method, progress=progress)}
        for eta in step_sizes
    ]


def single_measurement_hessians(problem: BasinProblem, u) -> np.ndarray:
    """Returns ∇²f_i(U) for f_i(U) = ⟨A_i, UUᵀ − ZZᵀ⟩², shape (m, nr, nr) (Σ_i ∇²f_i = ∇²f)."""
    operator = problem.operator
    return np.array([hessian(SensingOperator(matrices=operator.matrices[i : i + 1]), u, problem.z) for i in range(operator.num_measurements)])


@dataclass(frozen=True)
class FlatDirectionGrowth:
    """How SGD's linearisation at X_bad acts on the flat direction v of ∇²f(X_bad) (∇²f(X_bad)v = 0).

    If v is an eigenvector of every ∇²f_i(X_bad) with eigenvalue h_i (Σ h_i = 0), a sampled SGD step
    multiplies the v-component of U − X_bad by 1 − η·m·h_i, so near X_bad that component evolves as a
    random product with Lyapunov exponent λ(η) = (1/m) Σ_i log|1 − η m h_i| per step: λ < 0 means the
    noise of SGD pulls iterates back onto X_bad's invariant set although full-batch GD (multiplier 1)
    has no linear restoring force there.

    Attributes:
        direction: v (unit, vec coordinates).
        curvatures: h_i = vᵀ∇²f_i(X_bad)v.
        common_eigenvector: whether v is an eigenvector of every ∇²f_i (else λ is not the exponent).
        step_sizes, lyapunov: λ(η) for each η.
    """

    direction: np.ndarray
    curvatures: np.ndarray
    common_eigenvector: bool
    step_sizes: np.ndarray
    lyapunov: np.ndarray


COMMON_EIGENVECTOR_TOL = 1e-9
"""v is a common eigenvector when ‖∇²f_i v − h_i v‖ ≤ COMMON_EIGENVECTOR_TOL·max(1, ‖∇²f_i‖) for all i."""


def flat_direction_growth(problem: BasinProblem, step_sizes) -> FlatDirectionGrowth | None:
    """Returns the SGD Lyapunov exponent of X_bad's flat direction, or None if ∇²f(X_bad) has no zero eigenvalue.

    Uses the smallest eigenvector of the (symmetry-reduced) Hessian; for a strict local minimum there is
    no flat direction and None is returned.
    """
    full = hessian(problem.operator, problem.x_bad, problem.z)
    symmetric = symmetry_directions(problem.x_bad)
    projector = np.eye(full.shape[0]) - symmetric @ symmetric.T
    eigenvalues, eigenvectors = np.linalg.eigh(projector @ full @ projector + symmetric @ symmetric.T)
    if abs(eigenvalues[0]) > EIGENVALUE_TOL * max(1.0, abs(eigenvalues[-1])):
        return None
    v = eigenvectors[:, 0]
    per_measurement = single_measurement_hessians(problem, problem.x_bad)
    curvatures = np.einsum("a,iab,b->i", v, per_measurement, v)
    residuals = np.linalg.norm(per_measurement @ v - curvatures[:, None] * v[None, :], axis=1)
    scales = np.maximum(1.0, np.linalg.norm(per_measurement, axis=(1, 2)))
    step_sizes = np.asarray(step_sizes, dtype=np.float64)
    m = problem.operator.num_measurements
    with np.errstate(divide="ignore"):
        lyapunov = np.log(np.abs(1.0 - step_sizes[:, None] * m * curvatures[None, :])).mean(axis=1)
    return FlatDirectionGrowth(
        direction=v,
        curvatures=curvatures,
        common_eigenvector=bool(np.all(residuals <= COMMON_EIGENVECTOR_TOL * scales)),
        step_sizes=step_sizes,
        lyapunov=lyapunov,
    )


ERROR_FLOOR = 1e-16
"""Errors below this are drawn at this value on the log scale (a converged run can reach 0)."""


def plot_basin(sweep: BasinSweep, path) -> None:
    """Writes the slides' pair of panels for one sweep: error quantiles against γ (log scale) and the
    success rate with its 95 % Wilson band. Non-finite quantiles are left out of the left panel."""
    import matplotlib.pyplot as plt

    gammas = [p.gamma for p in sweep.points]
    figure, (left, right) = plt.subplots(1, 2, figsize=(10, 3.8))
    styles = {"max": ":", "p95": "--", "median": "-", "p5": "--", "min": ":"}
    for name, style in styles.items():
        values = np.array([p.error_quantiles[name] for p in sweep.points])
        values = np.where(np.isfinite(values), np.maximum(values, ERROR_FLOOR), np.nan)
        left.semilogy(gammas, values, style, marker=".", label=name)
    left.axhline(sweep.success_tol, color="grey", lw=0.8, label="success tol")
    left.set_xlabel("γ   (X_init = (1−γ)·X_bad + γ·Gaussian)")
    left.set_ylabel("final error  dist(U, {UUᵀ = ZZᵀ})")
    left.legend(fontsize=8)
    rate = np.array([p.success_rate for p in sweep.points])
    right.plot(gammas, 100 * rate, marker="o", color="C2")
    right.fill_between(gammas, [100 * p.ci_low for p in sweep.points], [100 * p.ci_high for p in sweep.points], color="C2", alpha=0.25)
    right.set_ylim(-3, 103)
    right.set_xlabel("γ")
    right.set_ylabel("success rate (%)")
    trials = sweep.points[0].trials
    figure.suptitle(f"{sweep.example}: {sweep.method.upper()}, η = {sweep.step_size:g}, {sweep.steps} steps, {trials} trials per γ")
    figure.tight_layout()
    figure.savefig(path, dpi=120)
    plt.close(figure)


DATA_DIR = Path(__file__).resolve().parent.parent / "data"
"""The examples shipped with riptools."""
SECOND_EXAMPLE = "strict_n3.npz"
"""File name, in ``riptools/data``, of the second shipped example (a strict spurious local minimum, n ≥ 3,
made by the counterexample engine); used when present."""


def shipped_problem(example: str) -> BasinProblem:
    """Returns ``half`` or the problem stored in ``riptools/data/<example>``, named by the file name."""
    if example == "half":
        return load_problem("half")
    return dataclasses.replace(load_problem(str(DATA_DIR / example)), name=example)


def shipped_examples() -> dict[str, str]:
    """Returns {label: example} of the shipped problems: ``half`` and, when present, SECOND_EXAMPLE."""
    return {"half": "half", **({"strict_n3": SECOND_EXAMPLE} if (DATA_DIR / SECOND_EXAMPLE).is_file() else {})}


@dataclass(frozen=True)
class BasinPointParams:
    """One point of the basin study: a shipped example, γ, the number of trials and the SGD (or GD) protocol."""

    example: str
    gamma: float
    trials: int
    steps: int
    step_size: float = DEFAULT_STEP_SIZE
    seed: int = 0
    method: str = "sgd"


def basin_point(params: BasinPointParams) -> BasinPoint:
    """Returns the :class:`BasinPoint` of trials 0 … trials−1 at one γ; it equals the matching point of :func:`basin_sweep`."""
    problem = shipped_problem(params.example)
    outcome = basin_trials(problem, params.gamma, np.arange(params.trials), steps=params.steps, step_size=params.step_size,
                           seed=params.seed, method=params.method)
    return summarise(problem, outcome)


def _basin_command(params: BasinPointParams) -> str:
    return (f"riptools basin --example {params.example} --gammas {params.gamma:g} --trials {params.trials} --steps {params.steps} "
            f"--step-size {params.step_size:g} --method {params.method} --seed {params.seed}")


BASIN_POINT = Protocol(
    name="basin-point",
    run=basin_point,
    params=BasinPointParams,
    sizes={
        # gammas: points of the γ sweep; sweep_trials: runs per γ; study_trials: the random-start study;
        # scan_trials: runs per step size of the scan; long_run_factor: the persistence check's extra steps.
        "quick": {"steps": 10_000, "gammas": 11, "sweep_trials": 200, "study_trials": 10_000, "scan_trials": 2_000,
                  "scan_step_sizes": (1e-3, 3e-3, 1e-2, 3e-2, 1e-1), "long_run_factor": 4},
        "full": {"steps": 10_000, "gammas": 21, "sweep_trials": 1_000, "study_trials": 100_000, "scan_trials": 20_000,
                 "scan_step_sizes": (1e-3, 3e-3, 1e-2, 3e-2, 1e-1), "long_run_factor": 4},
    },
    command=_basin_command,
)
"""One basin point (the scan's step sizes are a log grid around the default, up to SGD's instability at Z)."""


@dataclass(frozen=True)
class FlatDriftParams:
    """SGD from X_bad itself (γ = 0) on a shipped example: trials, steps, step size, seed."""

    example: str
    trials: int
    steps: int
    step_size: float = DEFAULT_STEP_SIZE
    seed: int = 0


def flat_drift(params: FlatDriftParams) -> float:
    """Returns max over runs from X_bad of |⟨U_final, v⟩| along X_bad's flat direction v (NaN without one)."""
    problem = shipped_problem(params.example)
    growth = flat_direction_growth(problem, [params.step_size])
    if growth is None:
        return float("nan")
    starts = interpolated_starts(problem.x_bad, 0.0, np.arange(params.trials), seed=params.seed)
    runs = run_trials(problem.operator, problem.z, starts, step_size=params.step_size, num_steps=params.steps, seed=params.seed)
    return float(np.max(np.abs(np.tensordot(runs.final, growth.direction.reshape(problem.x_bad.shape), axes=2))))


FLAT_DRIFT = Protocol(name="basin-flat-drift", run=flat_drift, params=FlatDriftParams)
"""How far SGD started at X_bad moves along X_bad's flat direction."""
