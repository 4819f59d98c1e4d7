"""SGD and gradient descent on f(U) = ‖A(UUᵀ − ZZᵀ)‖², many independent trials at once.

The method (the sharp-RIP talk slides, slides 29-33; Zhang, Josz, Sojoudi, Lavaei, NeurIPS 2018):

* **Objective.** ``f(U) = ‖A(UUᵀ − ZZᵀ)‖² = Σ_i ⟨A_i, E⟩²`` with ``E = UUᵀ − ZZᵀ`` and **no
  factor ½** (the convention of :mod:`riptools.objective`), so ``∇f(U) = 4 Σ_i ⟨A_i, E⟩ A_i U``.
* **Full-batch gradient descent** (``method="gd"``): ``U ← U − η·4 Σ_i ⟨A_i, E⟩ A_i U``.
* **SGD** (``method="sgd"``): each step draws one measurement i uniformly from {0, …, m−1} and makes
  ``U ← U − η·m·4⟨A_i, E⟩ A_i U``. The factor m makes the expected step equal to the full-gradient
  step η∇f(U), so one step size η means the same thing for both methods. At a solution every
  ⟨A_i, E⟩ vanishes, so the SGD noise vanishes there too (interpolation) and SGD converges to it
  linearly once close, without a decaying step size.
* **Scale.** Replacing A by cA multiplies f by c² and is the same as using the step size c²η; for
  example the slides' normalisation of the δ = 1/2 example is √2 times the "rip" one, so η under the
  "slides" normalisation equals 2η under the "rip" normalisation.

Random streams are counter-based (splitmix64): trial t of seed s owns the key
``k(s, t) = mix64(mix64(s + purpose) + (t+1)·φ)`` and its j-th draw is ``mix64(k + (j+1)·φ)``,
with φ the golden-ratio constant of splitmix64. No state is shared between trials, so the numba
kernel gives the same numbers for any thread count, any chunking of the trials, and as the NumPy
reference :func:`run_trials_numpy`. The index is drawn as ``⌊(x₃₂ · m) / 2³²⌋`` from the high 32
bits x₃₂ of a draw (Lemire's multiply-shift), whose bias is below m/2³² (< 10⁻⁹ for m ≤ 4).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numba import njit, prange

from riptools.sensing import SensingOperator
from riptools.validation import InputError, as_finite_array, positive_int

METHODS = ("sgd", "gd")
"""``sgd``: one uniformly sampled measurement per step; ``gd``: full-batch gradient descent."""
LANES = 64
"""Trials one thread advances in lockstep, stored trial-innermost (``u[j, lane]``) so that every
loop over the lanes is a SIMD loop. Measured on the 2×2 example (benchmarks/bench_basin.py): 4 lanes
stored trial-outermost gave 1.2e8 trial-steps/s per core, 8 lanes trial-innermost 1.6e8, 64 lanes 2.2e8."""
FINITE_CHECK_EVERY = 256
"""The kernel checks every FINITE_CHECK_EVERY steps whether the iterates are still finite and stops
a block of trials once none is (a non-finite trial is reported as such; continuing only produces NaN)."""

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)
_PURPOSE_START = np.uint64(0x5354415254)  # "START": the Gaussian starting points
_PURPOSE_SGD = np.uint64(0x534744)  # "SGD": the sampled measurement indices


def mix64(x):
    """Returns the splitmix64 finaliser of the uint64 ``x`` (a scalar in numba, an array in NumPy)."""
    x = (x ^ (x >> np.uint64(30))) * _MIX1
    x = (x ^ (x >> np.uint64(27))) * _MIX2
    return x ^ (x >> np.uint64(31))


_mix64_jit = njit(cache=True, inline="always")(mix64)


def draw_bits(key, draw):
    """Returns draw number ``draw`` (0, 1, …) of the splitmix64 stream ``key`` (scalars or arrays)."""
    return mix64(key + np.uint64(draw + 1) * _GOLDEN)


def index_from_bits(bits, num_measurements):
    """Returns ⌊(high 32 bits of ``bits``)·m / 2³²⌋ ∈ {0, …, m−1}: a uniform index (bias < m/2³²)."""
    return ((bits >> np.uint64(32)) * np.uint64(num_measurements)) >> np.uint64(32)


_index_from_bits_jit = njit(cache=True, inline="always")(index_from_bits)


def _check_seed(seed) -> int:
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or not 0 <= seed < 2**63:
        raise InputError(f"seed: expected an integer in [0, 2^63), got {seed!r}")
    return int(seed)


def stream_keys(seed: int, trial_ids, purpose: np.uint64) -> np.ndarray:
    """Returns the uint64 stream key k(seed, t) of every trial id t (see the module docstring)."""
    seed = _check_seed(seed)
    trial_ids = np.asarray(trial_ids, dtype=np.uint64).ravel()
    base = mix64(np.array([seed], dtype=np.uint64) + purpose)
    with np.errstate(over="ignore"):
        return mix64(base + (trial_ids + np.uint64(1)) * _GOLDEN)


def gaussian_factors(n: int, r: int, trial_ids, *, seed: int) -> np.ndarray:
    """Returns one n×r matrix with i.i.d. N(0, 1) entries per trial id, shape (trials, n, r).

    Trial t's matrix depends only on (seed, t) (its own splitmix64 stream, Box–Muller), so a trial
    starts from the same Gaussian matrix in every run, chunk and γ of a sweep.
    """
    n, r = positive_int(n, "n"), positive_int(r, "r")
    keys = stream_keys(seed, trial_ids, _PURPOSE_START)
    pairs = (n * r + 1) // 2
    with np.errstate(over="ignore"):
        bits = draw_bits(keys[:, None], np.arange(2 * pairs, dtype=np.uint64)[None, :]) >> np.uint64(11)
    uniforms = bits.astype(np.float64) * 2.0**-53
    radius = np.sqrt(-2.0 * np.log1p(-uniforms[:, 0::2]))  # 1 − u ∈ (0, 1]: the log is finite
    angle = 2.0 * np.pi * uniforms[:, 1::2]
    normals = np.concatenate([radius * np.cos(angle), radius * np.sin(angle)], axis=1)
    return normals[:, : n * r].reshape(-1, n, r)


@dataclass(frozen=True)
class TrialRuns:
    """Final iterates of independent runs of SGD or GD from given starting points.

    Attributes:
        final: the final iterates U, shape (trials, n, r); rows of non-finite trials hold NaN/inf.
        finite: whether each trial's iterate stayed finite (False: the step size made it overflow).
        method: ``"sgd"`` or ``"gd"``.
        step_size: η (see the module docstring for the SGD scaling).
        num_steps: steps per trial.
        seed: seed of the SGD index streams.
        trial_ids: the id t of each trial (its stream is derived from (seed, t)).
    """

    final: np.ndarray
    finite: np.ndarray
    method: str
    step_size: float
    num_steps: int
    seed: int
    trial_ids: np.ndarray


@njit(cache=True, inline="always")
def _sgd_lane_step(u, lane_keys, offset, matrices, targets, scale, indices, coefficients, products, r):
    """One SGD step of every lane: U ← U − scale·⟨A_i, UUᵀ − ZZᵀ⟩ A_i U with i drawn from the lane's stream.

    ``u[p·r + k, lane] = U[p, k]``. Every loop runs over the lanes innermost (SIMD, with gathers of
    A_i's entries); per trial the arithmetic and its order are those of the NumPy reference.
    """
    m, n = matrices.shape[0], matrices.shape[1]
    lanes = u.shape[1]
    for b in range(lanes):  # draw_bits(key, step) = mix64(key + offset), then the Lemire index
        indices[b] = np.int64(_index_from_bits_jit(_mix64_jit(lane_keys[b] + offset), m))
    for b in range(lanes):
        coefficients[b] = -targets[indices[b]]
    for p in range(n):
        for k in range(r):
            row = p * r + k
            for b in range(lanes):
                products[row, b] = 0.0
            for q in range(n):
                for b in range(lanes):
                    products[row, b] += matrices[indices[b], p, q] * u[q * r + k, b]
            for b in range(lanes):
                coefficients[b] += products[row, b] * u[row, b]
    for b in range(lanes):
        coefficients[b] *= scale
    for j in range(u.shape[0]):
        for b in range(lanes):
            u[j, b] -= coefficients[b] * products[j, b]


@njit(cache=True, inline="always")
def _gd_lane_step(u, matrices, targets, scale, residuals, all_products, r):
    """One full-batch step of every lane: U ← U − scale·Σ_i ⟨A_i, UUᵀ − ZZᵀ⟩ A_i U, every residual at the old U."""
    m, n = matrices.shape[0], matrices.shape[1]
    lanes = u.shape[1]
    for i in range(m):
        for b in range(lanes):
            residuals[i, b] = -targets[i]
        for p in range(n):
            for k in range(r):
                row = p * r + k
                for b in range(lanes):
                    all_products[i, row, b] = 0.0
                for q in range(n):
                    for b in range(lanes):
                        all_products[i, row, b] += matrices[i, p, q] * u[q * r + k, b]
                for b in range(lanes):
                    residuals[i, b] += all_products[i, row, b] * u[row, b]
    for i in range(m):
        for j in range(u.shape[0]):
            for b in range(lanes):
                u[j, b] -= scale * residuals[i, b] * all_products[i, j, b]


@njit(parallel=True, cache=True)
def _run_kernel(matrices, targets, starts, step_size, num_steps, keys, full_batch, check_every):
    trials, n, r = starts.shape
    m = matrices.shape[0]
    final = starts.copy().reshape(trials, n * r)
    finite = np.ones(trials, dtype=np.bool_)
    scale = 4.0 * step_size if full_batch else 4.0 * m * step_size
    # A thread advances LANES trials in lockstep. Each trial's arithmetic is unchanged, so results do
    # not depend on the blocks, on the thread count, or on which lane a trial occupies.
    for block in prange((trials + LANES - 1) // LANES):
        lo = block * LANES
        size = min(LANES, trials - lo)
        u = np.empty((n * r, LANES))
        lane_keys = np.empty(LANES, dtype=np.uint64)
        for b in range(LANES):  # a short last block is padded with copies of its first trial
            trial = lo + min(b, size - 1)
            lane_keys[b] = keys[trial]
            for j in range(n * r):
                u[j, b] = final[trial, j]
        indices = np.empty(LANES, dtype=np.int64)
        coefficients = np.empty(LANES)
        products = np.empty((n * r, LANES))  # A_i U, row p·r + k
        residuals = np.empty((m, LANES))  # ⟨A_i, UUᵀ − ZZᵀ⟩ (full batch)
        all_products = np.empty((m if full_batch else 0, n * r, LANES))
        running = True
        block_start = 0
        while block_start < num_steps and running:
            block_end = min(block_start + check_every, num_steps)
            for step in range(block_start, block_end):
                if full_batch:
                    _gd_lane_step(u, matrices, targets, scale, residuals, all_products, r)
                else:
                    offset = np.uint64(step + 1) * _GOLDEN
                    _sgd_lane_step(u, lane_keys, offset, matrices, targets, scale, indices, coefficients, products, r)
            running = False
            for b in range(size):
                total = 0.0  # ‖U‖²: not finite for NaN/inf entries and for entries beyond ~1e154
                for j in range(n * r):
                    total += u[j, b] * u[j, b]
                finite[lo + b] = np.isfinite(total)
                running = running or finite[lo + b]
            block_start = block_end
        for b in range(size):
            for j in range(n * r):
                final[lo + b, j] = u[j, b]
    return final.reshape(trials, n, r), finite


def _check_problem(operator: SensingOperator, z, starts, method: str, step_size, num_steps, seed, trial_ids):
    """Returns the kernel's inputs (A_i, targets ⟨A_i, ZZᵀ⟩, starts, steps, trial ids, stream keys) after checking them."""
    if not isinstance(operator, SensingOperator):
        raise InputError(f"operator: expected a SensingOperator, got {type(operator).__name__}")
    if method not in METHODS:
        raise InputError(f"method: expected one of {METHODS}, got {method!r}")
    starts = as_finite_array(starts, "starts", ndim=3)
    if starts.shape[1] != operator.n:
        raise InputError(f"starts: expected shape (trials, {operator.n}, r), got {starts.shape}")
    z = as_finite_array(z, "z")
    z = z[:, None] if z.ndim == 1 else z
    if z.ndim != 2 or z.shape[0] != operator.n:
        raise InputError(f"z: expected an {operator.n}×r★ matrix or a vector, got shape {z.shape}")
    if not (np.isfinite(step_size) and step_size > 0):
        raise InputError(f"step_size: expected a finite number > 0, got {step_size!r}")
    num_steps = positive_int(num_steps, "num_steps", minimum=0)
    targets = np.ascontiguousarray(operator.apply(z @ z.T))
    ids = _trial_ids(trial_ids, starts.shape[0])
    keys = stream_keys(seed, ids, _PURPOSE_SGD)
    return np.ascontiguousarray(operator.matrices), targets, np.ascontiguousarray(starts), num_steps, ids, keys


def _trial_ids(trial_ids, trials: int) -> np.ndarray:
    if trial_ids is None:
        return np.arange(trials, dtype=np.int64)
    ids = np.asarray(trial_ids, dtype=np.int64).ravel()
    if ids.shape != (trials,) or np.any(ids < 0):
        raise InputError(f"trial_ids: expected {trials} integers ≥ 0 (one per start), got shape {ids.shape}")
    return ids


def run_trials(
    operator: SensingOperator,
    z,
    starts,
    *,
    step_size: float,
    num_steps: int,
    seed: int = 0,
    method: str = "sgd",
    trial_ids=None,
) -> TrialRuns:
    """Returns the final iterates of SGD (or GD) run independently from each start (numba, parallel).

    Args:
        operator: the sensing operator A.
        z: the ground truth factor Z (n×r★ or a vector); only ZZᵀ enters.
        starts: starting points, shape (trials, n, r); any rank r ≥ 1.
        step_size: η > 0; SGD's sampled step is η·m·4⟨A_i, E⟩A_iU (see the module docstring).
        num_steps: steps per trial (≥ 0).
        seed: seed of the index streams, an integer in [0, 2^63).
        method: ``"sgd"`` or ``"gd"``.
        trial_ids: the id of each trial (default 0, 1, …); trial t's stream depends only on
            (seed, t), so splitting a run into chunks with their ids changes nothing.

    Raises:
        InputError: malformed operator, z, starts, step size, steps, seed or trial ids.
    """
    matrices, targets, starts, num_steps, ids, keys = _check_problem(operator, z, starts, method, step_size, num_steps, seed, trial_ids)
    final, finite = _run_kernel(matrices, targets, starts, float(step_size), num_steps, keys, method == "gd", FINITE_CHECK_EVERY)
    return TrialRuns(final=final, finite=finite, method=method, step_size=float(step_size), num_steps=num_steps, seed=seed, trial_ids=ids)


def run_trials_numpy(
    operator: SensingOperator,
    z,
    starts,
    *,
    step_size: float,
    num_steps: int,
    seed: int = 0,
    method: str = "sgd",
    trial_ids=None,
) -> TrialRuns:
    """Returns the same as :func:`run_trials`, computed by NumPy vectorised over the trials.

    The reference for tests and the baseline of ``benchmarks/bench_basin.py``: the same random
    indices, the same update; only the floating-point summation order may differ.
    """
    matrices, targets, starts, num_steps, ids, keys = _check_problem(operator, z, starts, method, step_size, num_steps, seed, trial_ids)
    m = matrices.shape[0]
    u = starts.copy()
    with np.errstate(over="ignore", invalid="ignore"):
        for step in range(num_steps):
            if method == "gd":
                products = np.einsum("ipq,tqk->tipk", matrices, u)
                residuals = np.einsum("tipk,tpk->ti", products, u) - targets
                u -= 4.0 * step_size * np.einsum("ti,tipk->tpk", residuals, products)
            else:
                index = index_from_bits(draw_bits(keys, step), m).astype(np.intp)
                products = matrices[index] @ u
                residuals = np.einsum("tpk,tpk->t", products, u) - targets[index]
                u -= (4.0 * m * step_size * residuals)[:, None, None] * products
    finite = np.isfinite(np.einsum("tpk,tpk->t", u, u))
    return TrialRuns(final=u, finite=finite, method=method, step_size=float(step_size), num_steps=num_steps, seed=seed, trial_ids=ids)
