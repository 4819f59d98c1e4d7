"""Basin of attraction of a spurious point under SGD: success rate and error quantiles versus γ.

The protocol of seed 002 (slides 29-33; Zhang, Josz, Sojoudi, Lavaei, NeurIPS 2018): pick γ ∈ [0, 1],
start SGD at ``X_init = (1−γ)·X_bad + γ·G`` with G an n×r matrix of i.i.d. N(0, 1) entries, run a
fixed number of steps and measure the error of the final U. The slides also report 100,000 SGD runs
from random starts on the δ = 1/2 example with 87,947 successes (12.05 % failure); the random-start
study here is the same protocol at γ = 1.

* **Error.** ``dist(U, {V : VVᵀ = ZZᵀ}) = min_R ‖U − Z R‖_F`` over orthogonal R (Z padded with zero
  columns to r columns), by orthogonal Procrustes; for rank 1 it is min(‖u − z‖, ‖u + z‖).
* **Success.** error ≤ SUCCESS_TOL·‖Z‖_F. SGD's noise vanishes at a solution (every ⟨A_i, E⟩ = 0),
  so a run that reaches the basin of Z converges linearly and ends far below the tolerance.
* **Attribution.** A failure with ``min_R ‖U − X_bad R‖_F ≤ NEAR_BAD_FRACTION·d★``, where d★ is the
  distance from X_bad's orbit to the solution set, ended near the spurious point's orbit (SGD's
  noise keeps a trapped iterate jittering around X_bad, so a tight radius would miss it); a run whose iterate overflowed is counted as a failure with the label
  ``nonfinite`` (step size too large), its error is +inf.
* **Common random numbers.** Trial t uses the same G and the same SGD indices at every γ (its
  streams depend only on (seed, t)), so the curves against γ are smooth and every γ is exactly
  replayable on its own.
"""

from __future__ import annotations

import dataclasses
import sys
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from tqdm import tqdm

from riptools.dynamics.sgd import METHODS, gaussian_factors, run_trials
from riptools.objective import EIGENVALUE_TOL, PointKind, classify_point, hessian, objective_value, symmetry_directions
from riptools.report import Section, VerdictRow
from riptools.sensing import SensingOperator, half_example, load_operator
from riptools.statistics import wilson_interval
from riptools.validation import InputError, as_factor, positive_int

FULL_EXPECTED_SECONDS = 60

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

SLIDES_TRIALS = 100_000
SLIDES_SUCCESSES = 87_947
"""Seed 002, slides 19-20: "100,000 trials w/ SGD, 87,947 successful" on the δ = 1/2 example."""


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
    """Returns the problem ``half`` (the slides' δ = 1/2 example) or the one stored in an operator file.

    Raises:
        InputError: unreadable file, or a file without X_bad and Z.
    """
    if example == "half":
        instance = half_example(normalisation)
        return BasinProblem.checked(instance.operator, instance.x_bad, instance.z, name=f"half ({normalisation})")
    stored = load_operator(example)
    if stored.x_bad is None or stored.z is None:
        raise InputError(f"--example: {example} must store X_bad and Z beside A (e.g. `riptools counterexample ... --save FILE`)")
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
    """Summary at one γ (the issue's JSON keys, plus the attribution of failures).

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
        """Returns the object printed by ``riptools basin --json`` (the keys of issue 5)."""
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

    Reference: seed 002, slides 29-33 (Zhang, Josz, Sojoudi, Lavaei, NeurIPS 2018).

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
    trials: int = SLIDES_TRIALS,
    steps: int = 10_000,
    step_size: float = DEFAULT_STEP_SIZE,
    seed: int = 0,
    method: str = "sgd",
    progress: bool = False,
) -> BasinPoint:
    """Returns the outcome of SGD from pure Gaussian starts (γ = 1), the slides' 100,000-trial study.

    Reference: seed 002, slide 19: "100,000 trials w/ SGD, 87,947 successful" on the δ = 1/2 example.
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
SCAN_STEP_SIZES = (1e-3, 3e-3, 1e-2, 3e-2, 1e-1)
"""Step sizes of the random-start scan (a log grid around the default, up to SGD's instability at Z)."""
LONG_RUN_FACTOR = 4
"""The persistence check reruns the random-start study with LONG_RUN_FACTOR times more steps."""


def _sizes(quick: bool) -> dict:
    if quick:
        return {"gammas": np.linspace(0, 1, 11), "sweep_trials": 200, "steps": 10_000, "study_trials": 10_000, "scan_trials": 2_000}
    return {"gammas": np.linspace(0, 1, 21), "sweep_trials": 1_000, "steps": 10_000, "study_trials": SLIDES_TRIALS, "scan_trials": 20_000}


def _percent(p: BasinPoint, *, failure: bool = True) -> str:
    if failure:
        return f"{100 * (1 - p.success_rate):.2f} % [{100 * (1 - p.ci_high):.2f}, {100 * (1 - p.ci_low):.2f}]"
    return f"{100 * p.success_rate:.2f} % [{100 * p.ci_low:.2f}, {100 * p.ci_high:.2f}]"


def _sweep_table(sweep: BasinSweep) -> str:
    lines = ["| γ | success (95 % Wilson) | near X_bad | non-finite | median error | p95 error |", "|---|---|---|---|---|---|"]
    for p in sweep.points:
        q = p.error_quantiles
        lines.append(f"| {p.gamma:.2f} | {_percent(p, failure=False)} | {p.near_bad} | {p.nonfinite} | {q['median']:.3g} | {q['p95']:.3g} |")
    return "\n".join(lines)


def _not_a_local_minimum(problem: BasinProblem) -> list[tuple[float, float]]:
    """Returns (a, f(a, √(1/2 − 2a²)) − f(X_bad)) on the δ = 1/2 example ("rip" normalisation).

    With s = b² − 1/2, f(a, b) = 3/4 + a⁴ + 4a²s + s², an indefinite quartic: along s = −2a² it equals
    3/4 − 3a⁴, so X_bad = (0, 1/√2) is a degenerate saddle, not a local minimum.
    """
    base = objective_value(problem.operator, problem.x_bad, problem.z)
    return [(a, objective_value(problem.operator, np.array([a, np.sqrt(0.5 - 2 * a * a)]), problem.z) - base) for a in (1e-1, 1e-2, 1e-3)]


def _shipped_problem(example: str) -> BasinProblem:
    """Returns ``half`` or the problem stored in ``riptools/data/<example>``, named by the file name."""
    if example == "half":
        return load_problem("half")
    return dataclasses.replace(load_problem(str(DATA_DIR / example)), name=example)


def basin_point(*, example: str, gamma: float, trials: int, steps: int, step_size: float, seed: int, method: str) -> BasinPoint:
    """Returns the :class:`BasinPoint` of trials 0 … trials−1 at one γ: one task of the reproduce sweep.

    ``example`` is ``half`` or a file in ``riptools/data``. A top-level function of plain arguments,
    so any executor (process pool, Dask) can run it; it equals the matching point of :func:`basin_sweep`.
    """
    problem = _shipped_problem(example)
    outcome = basin_trials(problem, gamma, np.arange(trials), steps=steps, step_size=step_size, seed=seed, method=method)
    return summarise(problem, outcome)


def reproduce_section(context) -> Section:
    """Returns the basin-of-attraction section of REPORT.md (seed 002, slides 19-33)."""
    sizes, seed = _sizes(context.quick), context.seed
    steps, eta = sizes["steps"], DEFAULT_STEP_SIZE
    half = load_problem("half")
    half_class = classify_point(half.operator, half.x_bad, half.z)
    examples = {"half": "half"}

    second_path = DATA_DIR / SECOND_EXAMPLE
    second_note = f"No second example: `riptools/data/{SECOND_EXAMPLE}` (a strict spurious local minimum, n ≥ 3, from the counterexample engine, with X_bad and Z) is not in this checkout, and none was made by hand."
    second_class = None
    if second_path.is_file():
        second = _shipped_problem(SECOND_EXAMPLE)
        second_class = classify_point(second.operator, second.x_bad, second.z)
        examples["strict_n3"] = SECOND_EXAMPLE
        second_note = (
            f"**Second example** `riptools/data/{SECOND_EXAMPLE}`, made by the counterexample engine (issue 3) "
            f"(n = {second.operator.n}, m = {second.operator.num_measurements}, X_bad = {np.round(second.x_bad.ravel(), 6).tolist()}, "
            f"Z = {np.round(second.z.ravel(), 6).tolist()}); checked here: X_bad is a {second_class.describe()} by `classify_point`, "
            + ("so it attracts GD from nearby. " if second_class.kind == PointKind.STRICT_LOCAL_MINIMUM else "— not strict, so not the example issue 5 asks for. ")
            + "γ sweep with the same protocol:"
        )

    # Every SGD/GD experiment of the section is a set of basin points: one task each, stored as it
    # finishes (an interrupted run keeps them) and spread over the context's executor.
    common = {"steps": steps, "step_size": eta, "seed": seed, "method": "sgd"}
    sweep_tasks = [dict(common, example=example, gamma=float(g), trials=sizes["sweep_trials"]) for example in examples.values() for g in sizes["gammas"]]
    at_gamma_1 = dict(common, example="half", gamma=1.0, trials=sizes["scan_trials"])
    other_tasks = [dict(at_gamma_1, trials=sizes["study_trials"])]
    other_tasks += [dict(at_gamma_1, step_size=float(h)) for h in SCAN_STEP_SIZES]
    other_tasks += [dict(at_gamma_1, steps=LONG_RUN_FACTOR * steps)]
    other_tasks += [dict(at_gamma_1, steps=k * steps, method="gd") for k in (1, LONG_RUN_FACTOR)]
    points = context.map_cached("basin-point", basin_point, sweep_tasks + other_tasks, desc="basin points", codec="pickle")
    sweep_points, (study, *rest) = points[: len(sweep_tasks)], points[len(sweep_tasks):]
    scan_points, (long_sgd, *gd) = rest[: len(SCAN_STEP_SIZES)], rest[len(SCAN_STEP_SIZES):]
    per_example = len(sizes["gammas"])
    sweeps = {
        label: BasinSweep(example=half.name if example == "half" else example, method="sgd", step_size=eta, steps=steps, seed=seed,
                          success_tol=SUCCESS_TOL, points=sweep_points[k * per_example:(k + 1) * per_example])
        for k, (label, example) in enumerate(examples.items())
    }
    scan = [{"step_size": float(h), "steps": steps, "method": "sgd", "point": point} for h, point in zip(SCAN_STEP_SIZES, scan_points)]
    growth = flat_direction_growth(half, SCAN_STEP_SIZES)
    from_bad = run_trials(half.operator, half.z, interpolated_starts(half.x_bad, 0.0, np.arange(sizes["sweep_trials"]), seed=seed), step_size=eta, num_steps=steps, seed=seed)
    flat_drift = float(np.max(np.abs(np.tensordot(from_bad.final, growth.direction.reshape(half.x_bad.shape), axes=2)))) if growth is not None else float("nan")
    witness = _not_a_local_minimum(half)

    context.save_result("basin", {
        "protocol": {"step_size": eta, "steps": steps, "seed": seed, "success_tol": SUCCESS_TOL, "near_bad_fraction": NEAR_BAD_FRACTION, "normalisation": "rip", "quick": context.quick},
        "sweeps": sweeps,
        "random_start_study": study,
        "step_size_scan": scan,
        "long_sgd": long_sgd,
        "gd": gd,
        "flat_direction_growth": growth,
        "x_bad_classification": half_class,
        "second_example_classification": second_class,
        "descent_witness": witness,
        "max_flat_component_from_x_bad": flat_drift,
    })
    figures = []
    for name, sweep in sweeps.items():
        plot_basin(sweep, context.figure_path(f"basin_{name}"))
        figures.append(f"basin_{name}.png")

    slides_failure = 1 - SLIDES_SUCCESSES / SLIDES_TRIALS
    low, high = 1 - study.ci_high, 1 - study.ci_low
    inside = low <= slides_failure <= high
    scan_failures = [1 - row["point"].success_rate for row in scan]
    partial = [1 - row["point"].success_rate for row in scan if row["point"].successes > 0]
    bracketed = bool(partial) and min(partial) < slides_failure < max(partial)
    stable = [row for row in scan if row["point"].nonfinite == 0 and row["point"].error_quantiles["min"] <= SUCCESS_TOL]
    protocol = f"SGD, η = {eta:g} (rip normalisation), {steps} steps, X_init ~ N(0, I), success: error ≤ {SUCCESS_TOL:g}·‖Z‖"
    verdicts = [
        VerdictRow(
            claim="δ = 1/2 example: 100,000 SGD runs from random starts, 87,947 successes (12.05 % failure)",
            source="seed 002, slide 19",
            source_says=f"failure {100 * slides_failure:.2f} %",
            measured=f"failure {100 * (1 - study.success_rate):.2f} % [{100 * low:.2f}, {100 * high:.2f}] over {study.trials} runs ({protocol}); "
            f"{100 * min(scan_failures):.1f}–{100 * max(scan_failures):.1f} % over η ∈ {list(SCAN_STEP_SIZES)}",
            verdict="agrees" if inside else "differs",
            reason=("within the 95 % interval under this protocol; " if inside else "12.05 % is outside the 95 % interval under this protocol; ")
            + "the rate depends on the step size, which the slides do not state; step sizes whose interval contains 12.05 %: "
            + (", ".join(f"{row['step_size']:g}" for row in scan if 1 - row["point"].ci_high <= slides_failure <= 1 - row["point"].ci_low) or "none")
            + ("; the scanned step sizes with partial failure give rates on both sides of it" if bracketed else ""),
        ),
        VerdictRow(
            claim="starting at X_bad (γ = 0) SGD fails every time",
            source="seed 002, slides 30-32",
            source_says="100 % failure at γ = 0",
            measured=f"{sweeps['half'].points[0].successes}/{sweeps['half'].points[0].trials} successes at γ = 0 on the δ = 1/2 example",
            verdict="agrees" if sweeps["half"].points[0].successes == 0 else "differs",
            reason=f"max over runs of |⟨U_final, v⟩| along X_bad's flat direction v: {flat_drift:.3g}"
            + (" — no sampled step leaves X_bad's line {⟨U, v⟩ = 0}" if flat_drift == 0 else ""),
        ),
    ]

    scan_rows = ["| η | failure (95 % Wilson) | near X_bad | non-finite | min error | λ(η) of the flat direction |", "|---|---|---|---|---|---|"]
    for k, row in enumerate(scan):
        p = row["point"]
        rate = f"{growth.lyapunov[k]:.3g}" if growth is not None else "–"
        scan_rows.append(f"| {row['step_size']:g} | {_percent(p)} | {p.near_bad} | {p.nonfinite} | {p.error_quantiles['min']:.3g} | {rate} |")
    growth_text = ""
    if growth is not None:
        growth_text = (
            f"**Why SGD fails although X_bad is not a local minimum.** X_bad is a degenerate critical point "
            f"(`classify_point`: {half_class.describe()}, reduced Hessian {(np.round(half_class.hessian_eigenvalues, 10) + 0.0).tolist()}); "
            f"along the flat direction v = {np.round(growth.direction, 6).tolist()} gradient descent has no linear restoring force and "
            f"escapes (slowly, through the −3a⁴ term). Each sampled f_i is not flat there: vᵀ∇²f_i(X_bad)v = {(np.round(growth.curvatures, 10) + 0.0).tolist()} "
            f"(v is a common eigenvector: {growth.common_eigenvector}), so near X_bad a sampled step multiplies the v-component by "
            f"1 − η·m·h_i and the component follows a random product with Lyapunov exponent λ(η) = (1/m)Σ log|1 − η m h_i| "
            f"({'negative' if np.all(growth.lyapunov < 0) else 'not negative'} for every η in the table). A negative λ means SGD's noise "
            f"pulls iterates that come close to X_bad's invariant set back onto it. The pull (∝ η² per step) competes with the "
            f"quartic escape (∝ η·a³ per step), so smaller steps trap fewer runs but escape more slowly within a fixed budget. "
            f"Failure after {LONG_RUN_FACTOR}× more steps, SGD against full-batch GD (a slow escape shrinks with more steps, a trap does not):\n\n"
            f"| protocol | steps | failure (95 % Wilson) | near X_bad |\n|---|---|---|---|\n"
            f"| SGD η = {eta:g} | {steps} | {_percent(scan[SCAN_STEP_SIZES.index(eta)]['point'])} | {scan[SCAN_STEP_SIZES.index(eta)]['point'].near_bad} |\n"
            f"| SGD η = {eta:g} | {LONG_RUN_FACTOR * steps} | {_percent(long_sgd)} | {long_sgd.near_bad} |\n"
            f"| GD η = {eta:g} | {steps} | {_percent(gd[0])} | {gd[0].near_bad} |\n"
            f"| GD η = {eta:g} | {LONG_RUN_FACTOR * steps} | {_percent(gd[1])} | {gd[1].near_bad} |\n"
        )
    markdown = f"""
Seed 002 (slides 19-33) runs SGD from X_init = (1−γ)·X_bad + γ·G (G Gaussian) and reports error quantiles and the
success rate against γ, and 100,000 random-start runs on the δ = 1/2 example with 87,947 successes.
Protocol here: f(U) = ‖A(UUᵀ − ZZᵀ)‖² (no ½) on the "rip" normalisation of the example (kernel eigenvalues
{{1/2, 3/2, 3/2}}; the slides' printed matrices are √2 times larger, which is the same as doubling η);
SGD samples one of the m measurements per step and steps by η·m·4⟨A_i, E⟩A_iU (expected step = gradient step);
G has i.i.d. N(0, 1) entries; success when dist(U, {{UUᵀ = ZZᵀ}}) ≤ {SUCCESS_TOL:g}·‖Z‖_F; a failure is "near X_bad"
when it ended within {NEAR_BAD_FRACTION:g}× the X_bad–solution distance of X_bad's orbit. η = {eta:g} was fixed before the
experiments; the slides state no step size, so the table below shows the dependence instead of matching 12.05 %.

**Random-start study** ({study.trials} runs, {protocol}): failure {_percent(study)} (slides: {100 * slides_failure:.2f} %),
{study.near_bad} failures ended near X_bad, {study.nonfinite} non-finite.
{"The slides' 12.05 % is inside the interval." if inside else "The slides' 12.05 % is outside the interval: they do not agree under this protocol."}

**Failure rate against the step size** (γ = 1, {sizes['scan_trials']} runs each, {steps} steps); SGD is unstable at the
solution itself once η·m·λ_max(∇²f_i(Z)) > 2, which shows as min error > tolerance (every run fails). Step sizes with
finite, convergent runs: {", ".join(f"{row['step_size']:g}" for row in stable)}.

{chr(10).join(scan_rows)}

{growth_text}
**γ sweep, δ = 1/2 example** ({sizes['sweep_trials']} runs per γ, η = {eta:g}, {steps} steps; trial t uses the same G
and the same SGD indices at every γ):

{_sweep_table(sweeps['half'])}

{second_note}
"""
    if "strict_n3" in sweeps:
        markdown += "\n" + _sweep_table(sweeps["strict_n3"]) + "\n"
    gamma_count = len(sizes["gammas"])
    commands = [
        f"riptools basin --example half --gammas 0:1:{gamma_count} --trials {sizes['sweep_trials']} --steps {steps} --step-size {eta:g} --seed {seed} --plot basin_half.png",
        f"riptools basin --example half --gammas 1 --trials {sizes['study_trials']} --steps {steps} --step-size {eta:g} --seed {seed}",
    ] + [f"riptools basin --example half --gammas 1 --trials {sizes['scan_trials']} --steps {steps} --step-size {s:g} --seed {seed}" for s in SCAN_STEP_SIZES] + [
        f"riptools basin --example half --gammas 1 --trials {sizes['scan_trials']} --steps {k * steps} --step-size {eta:g} --method {m} --seed {seed}"
        for m, k in (("sgd", LONG_RUN_FACTOR), ("gd", 1), ("gd", LONG_RUN_FACTOR))
    ]
    if "strict_n3" in sweeps:
        commands.append(f"riptools basin --example riptools/data/{SECOND_EXAMPLE} --gammas 0:1:{gamma_count} --trials {sizes['sweep_trials']} --steps {steps} --step-size {eta:g} --seed {seed} --plot basin_strict_n3.png")
    return Section(title="SGD basin of attraction (seed 002)", markdown=markdown, verdicts=verdicts, figures=figures, commands=commands, order=50)
