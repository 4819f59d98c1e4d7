"""Subgradient divergence study of seed 000: which runs diverge, why, and how often.

The seed (``/work/shared/seeds/000_ec0d8ef3d4a5faa0.txt``) runs z_{k+1} = z_k − α/(k+1)^β g_k on
f = |x₁y₁ − 1| + |x₂y₁ − 1| + |x₂y₂ − 1| from 100 JAX Gaussian starts and reports 13 starts
(keys 1 5 6 13 38 40 44 47 51 54 76 85 98) with "unbounded iterates" at α = 0.1, β = 0.501, K = 10⁷,
judged by f(z_{K−1}) > 0.9; it remarks that this is "not an edge case (prob > 0.1)".

Here each run is classified from its checkpoints (:mod:`riptools.dynamics.subgradient`), with evidence:

* **non-finite** — a checkpoint holds NaN/inf;
* **converged** — f ≤ :data:`CONVERGED_OBJECTIVE` at every step of the last decade k ∈ (K/10, K];
* **unbounded** — the norm grows as a power of k over the last decade: the least-squares slope p of
  log‖z_k‖ against log k is ≥ :data:`GROWTH_EXPONENT_MIN` with R² ≥ :data:`GROWTH_FIT_R2_MIN`, while
  f has settled (:data:`SETTLED_FRACTION`);
* **bounded, not converged** — anything else (e.g. summable steps that stop short).

**Mechanism** (the notebook instance). p₁p₂p₃ = (x₁y₁)(x₂y₁)(x₂y₂) = x₁y₂·(x₂y₁)², so on the half-space
x₁y₂ < 0 some product is ≤ 0 and f ≥ 1 there, while f = 1 is not attained (p₂ = 0 with p₁ = p₃ = 1 is
impossible for finite points). The infimum 1 is approached only by x₁, y₂ → ∞, x₂, y₁ → 0 with
x₁y₁ = x₂y₂ = 1, x₂y₁ → 0⁻. A run that settles in x₁y₂ < 0 therefore descends to infinity. Along that
path the imbalance ‖x‖² − ‖y‖² ≈ x₁² − y₂² stays bounded (the two large coordinates grow together),
and with t = |x₁| ≈ |y₂|, f − 1 ≈ 1/t², so the subgradient moves t by about η_k/t³ per step:
t⁴ ∝ Σ_{j≤k} η_j, i.e. ‖z_k‖ ∝ k^{(1−β)/4} for β < 1 (:func:`predicted_growth_exponent`; a heuristic
reduced model whose prediction the data test) and bounded for summable steps (β > 1).

Where the model stops: with **constant steps** the trapped runs stop growing at a finite norm with
f ≈ 1.2 — bounded, not converged, though the seed's f > 0.9 calls them unbounded. Measured on the
notebook starts: ‖z_K‖ ≈ 5.32 at α = 0.01 (K = 10⁷), 9.46 at α = 0.001 (K = 10⁸) and 16.82 at
α = 10⁻⁴ (K = 10⁹, predicted 16.8 from the first two), flat over the last decade, so α‖z‖⁴ ≈ 8.0 in
all three: the stall norm scales like α^(−1/4) (an empirical law, not derived here). With **summable steps** (β = 1.001)
Σ η_j = α·ζ(β) is finite but ≈ α ln k at any feasible k, so trapped norms creep like (ln k)^{1/4}
and no finite run can call them unbounded or bounded with confidence. :func:`trapped` (x₁y₂ < 0 and
f ≥ 1 on the last decade) counts the runs caught by the mechanism, whatever their norm does.
"""

from __future__ import annotations

import enum
import json
import math
import time
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import numpy as np
import scipy.special

from riptools.dynamics.subgradient import NOTEBOOK_INSTANCE, SubgradientRuns, run_subgradient
from riptools.statistics import wilson_interval
from riptools.report import Section, VerdictRow
from riptools.validation import InputError, positive_int

FULL_EXPECTED_SECONDS = 830

SEED_FILE = "seed 000 (000_ec0d8ef3d4a5faa0.txt)"
NOTEBOOK_REPORTED_KEYS = (1, 5, 6, 13, 38, 40, 44, 47, 51, 54, 76, 85, 98)
"""The seed's printed output at α = 0.1, β = 0.501, K = 10⁷ (a claim to test, not a result)."""
NOTEBOOK_THRESHOLD = 0.9
"""The seed's criterion: a run is "unbounded" when f(z_{K−1}) > 0.9."""
NOTEBOOK_PROBABILITY_CLAIM = 0.1
"""The seed's remark: divergence is "not an edge case (prob > 0.1)"."""

CONVERGED_OBJECTIVE = 0.5
"""A run converged when f ≤ this at every step of the last decade. Constant steps α only reach a band
around the minimisers (f oscillates up to ≈ 10α for the seed's instance), and the seed's spurious branch
has f ≥ 1, so half of that level separates the two."""
GROWTH_EXPONENT_MIN = 0.02
"""A run is unbounded when ‖z_k‖ grows at least like k^0.02 over the last decade (a ×1.047 rise)."""
GROWTH_FIT_R2_MIN = 0.9
"""…and the power law fits log‖z_k‖ with R² at least this (a steady rise, not a jump)."""
SETTLED_FRACTION = 0.25
"""…and f has settled: its relative fall over the last decade is at most this fraction of the norm's
relative rise (an escape to an unattained infimum: f creeps to its limit while ‖z‖ grows; a run still
travelling from a poor start, as summable steps leave many, loses f faster than it gains norm)."""
EXPONENT_AGREEMENT = 0.25
"""Relative tolerance between the fitted and the predicted exponent (1−β)/4 (a heuristic model)."""


class RunClass(str, enum.Enum):
    """What a run did, decided from its checkpoints."""

    CONVERGED = "converged"
    UNBOUNDED = "unbounded"
    BOUNDED = "bounded, not converged"
    NONFINITE = "non-finite"


@dataclass(frozen=True)
class Regime:
    """Step sizes α/(k+1)^β for K steps, as in the seed's list of regimes."""

    alpha: float
    beta: float
    iters: int

    @property
    def kind(self) -> str:
        """constant (β = 0), nonsummable (0 < β ≤ 1) or summable (β > 1)."""
        return "constant" if self.beta == 0 else ("nonsummable" if self.beta <= 1 else "summable")

    @property
    def label(self) -> str:
        """A file-name-safe label, e.g. ``a0.1_b0.501_K1e7``."""
        return f"a{self.alpha:g}_b{self.beta:g}_K1e{round(math.log10(self.iters))}"


REGIMES = (
    Regime(0.01, 0.0, 10**7), Regime(0.001, 0.0, 10**8), Regime(0.0001, 0.0, 10**9),
    Regime(0.1, 0.501, 10**7), Regime(0.01, 0.501, 10**8), Regime(0.001, 0.501, 10**9),
    Regime(0.1, 1.001, 10**9),
)
"""The seven regimes listed in the seed's comments."""
NOTEBOOK_REGIME = REGIMES[3]


@dataclass(frozen=True)
class RunClassification:
    """One run's class and the checkpoint evidence for it.

    Attributes:
        index: the start's index (the JAX PRNGKey for the notebook starts).
        run_class: see :class:`RunClass`.
        growth_exponent: least-squares slope of log‖z_k‖ against log k over the last decade.
        growth_fit_r2: R² of that fit.
        final_objective, final_norm: f(z_K), ‖z_K‖.
        window_max_objective, window_min_objective: extremes of f over every step of the last decade.
        window_norm_ratio: ‖z_K‖ / ‖z_k‖ at the first checkpoint of the last decade.
        notebook_objective: f(z_{K−1}), the value the seed thresholds.
        notebook_unbounded: f(z_{K−1}) > 0.9.
        evidence: one line for humans.
    """

    index: int
    run_class: RunClass
    growth_exponent: float
    growth_fit_r2: float
    final_objective: float
    final_norm: float
    window_max_objective: float
    window_min_objective: float
    window_norm_ratio: float
    notebook_objective: float
    notebook_unbounded: bool
    evidence: str


def predicted_growth_exponent(beta: float) -> float:
    """Returns (1−β)/4 for β < 1 (the reduced model of the module docstring) and 0 for β ≥ 1."""
    return max(0.0, (1.0 - beta) / 4.0)


def fit_growth_exponent(checkpoints, norms) -> tuple[float, float]:
    """Returns (slope, R²) of the least-squares fit log‖z_k‖ = p·log k + c over the given checkpoints (k ≥ 1)."""
    k = np.asarray(checkpoints, dtype=np.float64)
    norms = np.asarray(norms, dtype=np.float64)
    keep = (k >= 1) & np.isfinite(norms) & (norms > 0)
    if keep.sum() < 3:
        return math.nan, math.nan
    x, y = np.log(k[keep]), np.log(norms[keep])
    slope, intercept = np.polyfit(x, y, 1)
    total = float(np.sum((y - y.mean()) ** 2))
    r2 = 1.0 - float(np.sum((y - (slope * x + intercept)) ** 2)) / total if total > 0 else 1.0
    return float(slope), r2


def _window(checkpoints: np.ndarray) -> np.ndarray:
    """Returns the checkpoint columns of the last decade (k > K/10); at least the last three."""
    iters = int(checkpoints[-1])
    columns = np.nonzero(checkpoints > iters / 10)[0]
    return columns if columns.size >= 3 else np.arange(max(0, checkpoints.size - 3), checkpoints.size)


def classify_run(checkpoints, objective, norm, max_objective, min_objective, *, index: int = 0) -> RunClassification:
    """Returns the class of one run from its checkpoint series, with the evidence (see the module docstring).

    Args:
        checkpoints: (C,) iteration counts, ending with K−1 and K.
        objective, norm: (C,) f and ‖z‖ at the checkpoints.
        max_objective, min_objective: (C,) extremes of f over the steps since the previous checkpoint.
        index: the start's index, carried into the result.
    """
    checkpoints = np.asarray(checkpoints, dtype=np.int64)
    series = [np.asarray(a, dtype=np.float64) for a in (objective, norm, max_objective, min_objective)]
    objective, norm, max_objective, min_objective = series
    if not all(s.shape == checkpoints.shape for s in series):
        raise InputError("checkpoint series: expected arrays of the same length as checkpoints")
    window = _window(checkpoints)
    exponent, r2 = fit_growth_exponent(checkpoints[window], norm[window])
    common = dict(
        index=int(index), growth_exponent=exponent, growth_fit_r2=r2,
        final_objective=float(objective[-1]), final_norm=float(norm[-1]),
        window_max_objective=float(np.max(max_objective[window])),
        window_min_objective=float(np.min(min_objective[window])),
        window_norm_ratio=float(norm[-1] / norm[window[0]]) if norm[window[0]] > 0 else math.nan,
        notebook_objective=float(objective[-2]),
        notebook_unbounded=bool(objective[-2] > NOTEBOOK_THRESHOLD),
    )
    span = f"k ∈ [{checkpoints[window[0]]:.3g}, {checkpoints[-1]:.3g}]"
    finite = all(np.all(np.isfinite(s)) for s in series)
    if not finite:
        first = int(checkpoints[np.argmax(~np.all(np.isfinite(np.stack(series)), axis=0))])
        return RunClassification(run_class=RunClass.NONFINITE, evidence=f"non-finite value by checkpoint k = {first}", **common)
    if common["window_max_objective"] <= CONVERGED_OBJECTIVE:
        evidence = f"f ≤ {common['window_max_objective']:.2g} at every step of {span}; ‖z‖ ∝ k^{exponent:.3f}"
        return RunClassification(run_class=RunClass.CONVERGED, evidence=evidence, **common)
    objective_drop = float(1.0 - objective[-1] / objective[window[0]]) if objective[window[0]] > 0 else 0.0
    settled = objective_drop <= SETTLED_FRACTION * (common["window_norm_ratio"] - 1.0)
    if exponent >= GROWTH_EXPONENT_MIN and r2 >= GROWTH_FIT_R2_MIN and settled:
        evidence = (f"‖z‖ ∝ k^{exponent:.3f} (R² = {r2:.4f}) over {span}, ×{common['window_norm_ratio']:.3f}; "
                    f"f ∈ [{common['window_min_objective']:.3g}, {common['window_max_objective']:.3g}] there, "
                    f"down {objective_drop:.1%}")
        return RunClassification(run_class=RunClass.UNBOUNDED, evidence=evidence, **common)
    why = "below the growth threshold" if exponent < GROWTH_EXPONENT_MIN or r2 < GROWTH_FIT_R2_MIN else \
        f"but f still falls {objective_drop:.1%} (a transient, not settled)"
    evidence = (f"‖z‖ ∝ k^{exponent:.3f} (R² = {r2:.3f}) over {span}, {why}; "
                f"f ∈ [{common['window_min_objective']:.3g}, {common['window_max_objective']:.3g}] there")
    return RunClassification(run_class=RunClass.BOUNDED, evidence=evidence, **common)


def classify_runs(runs: SubgradientRuns, *, up_to: int | None = None) -> list[RunClassification]:
    """Returns the classification of every run of ``runs`` (row s → index s).

    ``up_to`` classifies the runs as if they had stopped after that many steps (using the checkpoints
    k ≤ up_to; it must be a checkpoint): how a shortened run would have been judged.
    """
    keep = slice(None) if up_to is None else slice(0, int(np.searchsorted(runs.checkpoints, up_to, side="right")))
    if up_to is not None and runs.checkpoints[keep][-1] != up_to:
        raise InputError(f"up_to: expected one of the checkpoints, got {up_to}")
    return [classify_run(runs.checkpoints[keep], runs.objective[s, keep], runs.norm[s, keep],
                         runs.max_objective[s, keep], runs.min_objective[s, keep], index=s)
            for s in range(runs.num_starts)]


def notebook_starts() -> np.ndarray:
    """Returns the seed's 100 starts (row i = ``jax.random.normal(PRNGKey(i), (4,), float64)``), bit-exact.

    Read from ``riptools/data/notebook_starts.json`` (generated once with jax; provenance inside).
    """
    record = json.loads(resources.files("riptools").joinpath("data", "notebook_starts.json").read_text())
    return np.array([[float.fromhex(v) for v in row] for row in record["starts_hex"]])


def gaussian_starts(count: int, *, seed: int, dimension: int = NOTEBOOK_INSTANCE.dimension) -> np.ndarray:
    """Returns ``count`` starts drawn from N(0, I_d) with ``numpy.random.default_rng(seed)``."""
    count = positive_int(count, "count")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise InputError(f"seed: expected an integer ≥ 0, got {seed!r}")
    return np.random.default_rng(int(seed)).standard_normal((count, dimension))


@dataclass(frozen=True)
class DivergenceStudy:
    """A regime run from a set of starts, classified.

    Attributes:
        regime: α, β, K.
        inits: ``notebook`` or ``gaussian``; seed: the Gaussian seed (None for notebook).
        runs: one classification per start.
        unbounded_indices: starts classified unbounded.
        notebook_criterion_indices: starts with f(z_{K−1}) > 0.9 (the seed's criterion).
        criterion_disagreements: starts where the two differ.
        counts: number of runs per class.
        mechanism: the notebook instance's mechanism statistics (see :func:`mechanism_statistics`).
        seconds: wall time of the runs.
    """

    regime: Regime
    inits: str
    seed: int | None
    runs: list[RunClassification]
    unbounded_indices: list[int]
    notebook_criterion_indices: list[int]
    criterion_disagreements: list[int]
    counts: dict[str, int]
    mechanism: dict = field(default_factory=dict)
    seconds: float = 0.0


def trapped(runs: SubgradientRuns) -> np.ndarray:
    """Returns, per run of the notebook instance, whether it ends trapped: x₁y₂ < 0 at z_K and f ≥ 1 at
    every step of the last decade (the half-space where f ≥ 1 and whose infimum lies at infinity)."""
    if runs.instance != NOTEBOOK_INSTANCE:
        raise InputError("trapped: defined for the seed's instance only")
    window = _window(runs.checkpoints)
    # p₁p₂p₃ = x₁y₂·(x₂y₁)², so its sign is that of x₁y₂ unless x₂y₁ = 0.
    cycle_negative = np.prod(runs.products[:, -1, :], axis=1) < 0
    return cycle_negative & (np.min(runs.min_objective[:, window], axis=1) >= 1.0)


def mechanism_statistics(runs: SubgradientRuns, classes: list[RunClassification]) -> dict:
    """Returns, per class, what the products and the imbalance did (the notebook instance only).

    Per class: the number of runs; how many end with x₁y₂ < 0 (sign of p₁p₂p₃ at z_K) and how many
    keep f ≥ 1 over the whole last decade; the median final products (x₁y₁, x₂y₁, x₂y₂); the median
    fitted growth exponent next to the prediction (1−β)/4; and the largest relative change of the
    imbalance ‖x‖² − ‖y‖² over the run, max |Δ| / max(1, |imbalance₀|), and the median final
    |imbalance| / ‖z_K‖² (small: the growth is balanced).
    """
    if runs.instance != NOTEBOOK_INSTANCE:
        return {}
    window = _window(runs.checkpoints)
    is_trapped = trapped(runs)
    statistics = {}
    for run_class in RunClass:
        members = [c.index for c in classes if c.run_class == run_class]
        if not members:
            continue
        products = runs.products[members, -1, :]
        cycle = np.prod(products, axis=1)
        imbalance = runs.imbalance[members]
        drift = np.max(np.abs(imbalance - imbalance[:, :1]), axis=1) / np.maximum(1.0, np.abs(imbalance[:, 0]))
        statistics[run_class.value] = {
            "runs": len(members),
            "final_x1y2_negative": int(np.sum(cycle < 0)),
            "f_at_least_1_on_last_decade": int(np.sum(np.min(runs.min_objective[members][:, window], axis=1) >= 1.0)),
            "trapped": int(np.sum(is_trapped[members])),
            "median_final_products": np.median(products, axis=0).tolist(),
            "median_growth_exponent": float(np.median([classes[i].growth_exponent for i in members])),
            "median_final_norm": float(np.median(runs.norm[members, -1])),
            "exponent_matches_prediction": bool(predicted_growth_exponent(runs.beta) > 0 and abs(
                np.median([classes[i].growth_exponent for i in members]) / predicted_growth_exponent(runs.beta) - 1)
                <= EXPONENT_AGREEMENT),
            "predicted_growth_exponent": predicted_growth_exponent(runs.beta),
            "max_relative_imbalance_change": float(np.max(drift)),
            "median_final_imbalance_over_squared_norm": float(np.median(np.abs(imbalance[:, -1]) / runs.norm[members, -1] ** 2)),
        }
    return statistics


def run_study(regime: Regime, starts, *, inits: str, seed: int | None = None, per_decade: int = 50,
              progress: bool = False) -> tuple[DivergenceStudy, SubgradientRuns]:
    """Returns the classified study of ``regime`` from ``starts`` and the checkpointed runs behind it."""
    begin = time.perf_counter()
    runs = run_subgradient(starts, alpha=regime.alpha, beta=regime.beta, iters=regime.iters,
                           per_decade=per_decade, progress=progress)
    seconds = time.perf_counter() - begin
    classes = classify_runs(runs)
    unbounded = [c.index for c in classes if c.run_class == RunClass.UNBOUNDED]
    criterion = [c.index for c in classes if c.notebook_unbounded]
    study = DivergenceStudy(
        regime=regime, inits=inits, seed=seed, runs=classes, unbounded_indices=unbounded,
        notebook_criterion_indices=criterion,
        criterion_disagreements=sorted(set(unbounded) ^ set(criterion)),
        counts={c.value: sum(r.run_class == c for r in classes) for c in RunClass},
        mechanism=mechanism_statistics(runs, classes), seconds=seconds,
    )
    return study, runs


@dataclass(frozen=True)
class ProbabilityEstimate:
    """Fraction of Gaussian starts classified unbounded, with a 95 % Wilson interval.

    Attributes:
        regime: the seed's regime; iters: the number of steps actually run (≤ regime.iters).
        count, seed: the Gaussian starts.
        counts: runs per class; unbounded: count of unbounded runs.
        fraction, low, high: the estimate and its Wilson interval.
        notebook_criterion: count with f(z_{K−1}) > 0.9.
        trapped, trapped_low, trapped_high: count of runs ending trapped (:func:`trapped`), its Wilson interval.
    """

    regime: Regime
    iters: int
    count: int
    seed: int
    counts: dict[str, int]
    unbounded: int
    fraction: float
    low: float
    high: float
    notebook_criterion: int
    trapped: int
    trapped_low: float
    trapped_high: float


def divergence_probability(regime: Regime, *, count: int, seed: int, iters: int | None = None,
                           per_decade: int = 10, progress: bool = False) -> ProbabilityEstimate:
    """Returns the estimated probability that a N(0, I) start gives an unbounded run in ``regime``.

    ``iters`` (default: the regime's K) may be smaller than K to fit a time budget; the class is then
    decided on the shorter run, and the report says so.
    """
    iters = regime.iters if iters is None else positive_int(iters, "iters")
    shortened = Regime(regime.alpha, regime.beta, iters)
    study, runs = run_study(shortened, gaussian_starts(count, seed=seed), inits="gaussian", seed=seed,
                            per_decade=per_decade, progress=progress)
    unbounded = study.counts[RunClass.UNBOUNDED.value]
    num_trapped = int(np.sum(trapped(runs)))
    return ProbabilityEstimate(regime=regime, iters=iters, count=count, seed=seed, counts=study.counts,
                               unbounded=unbounded, fraction=unbounded / count, low=wilson_interval(unbounded, count)[0],
                               high=wilson_interval(unbounded, count)[1],
                               notebook_criterion=len(study.notebook_criterion_indices), trapped=num_trapped,
                               trapped_low=wilson_interval(num_trapped, count)[0],
                               trapped_high=wilson_interval(num_trapped, count)[1])


CLASS_COLOURS = {RunClass.CONVERGED: "tab:blue", RunClass.UNBOUNDED: "tab:red",
                 RunClass.BOUNDED: "tab:orange", RunClass.NONFINITE: "black"}


def plot_runs(study: DivergenceStudy, runs: SubgradientRuns, prefix) -> list[str]:
    """Writes ``<prefix>-objective.png`` and ``<prefix>-norm.png`` (the seed's two figures, log k) and returns their paths."""
    import matplotlib.pyplot as plt

    k = np.maximum(runs.checkpoints, 1)
    regime = study.regime
    paths = []
    for quantity, label in (("objective", "objective f(z_k)"), ("norm", "iterate norm ‖z_k‖")):
        figure, axis = plt.subplots(figsize=(8, 5))
        values = getattr(runs, quantity)
        for run in sorted(study.runs, key=lambda r: r.run_class == RunClass.UNBOUNDED):  # unbounded on top
            axis.plot(k, values[run.index], color=CLASS_COLOURS[run.run_class], alpha=0.6, linewidth=0.8)
        for run_class, colour in CLASS_COLOURS.items():
            axis.plot([], [], color=colour, label=f"{run_class.value} ({study.counts[run_class.value]})")
        axis.set_xscale("log")
        if quantity == "norm":
            axis.set_yscale("log")
        axis.set_xlabel("iteration k")
        axis.set_ylabel(label)
        axis.set_title(f"α = {regime.alpha:g}, β = {regime.beta:g}, {runs.num_starts} starts ({study.inits})")
        axis.grid(True, alpha=0.3)
        axis.legend(loc="best", fontsize=8)
        path = f"{prefix}-{quantity}.png"
        figure.savefig(path, dpi=120, bbox_inches="tight")
        plt.close(figure)
        paths.append(path)
    return paths


def plot_mechanism(study: DivergenceStudy, runs: SubgradientRuns, path) -> str:
    """Writes the mechanism figure (products, norm with the predicted slope, imbalance; by class) and returns its path."""
    import matplotlib.pyplot as plt

    k = np.maximum(runs.checkpoints, 1)
    figure, axes = plt.subplots(1, 3, figsize=(15, 4.5))
    names = ("x₁y₁", "x₂y₁", "x₂y₂")
    styles = ("-", "--", ":")
    for run in sorted(study.runs, key=lambda r: r.run_class == RunClass.UNBOUNDED):  # unbounded on top
        colour = CLASS_COLOURS[run.run_class]
        for e, style in enumerate(styles):
            axes[0].plot(k, runs.products[run.index, :, e], color=colour, linestyle=style, alpha=0.4, linewidth=0.7)
        axes[1].plot(k, runs.norm[run.index], color=colour, alpha=0.5, linewidth=0.7)
        axes[2].plot(k, runs.imbalance[run.index], color=colour, alpha=0.5, linewidth=0.7)
    for name, style in zip(names, styles):
        axes[0].plot([], [], color="gray", linestyle=style, label=name)
    exponent = predicted_growth_exponent(study.regime.beta)
    unbounded = [r.index for r in study.runs if r.run_class == RunClass.UNBOUNDED]
    if unbounded and exponent > 0:
        anchor = np.median(runs.norm[unbounded, -1])
        axes[1].plot(k, anchor * (k / k[-1]) ** exponent, color="black", linewidth=2,
                     label=f"k^{exponent:.3f} = k^((1−β)/4)")
    axes[0].set_ylim(-1.5, 2.5)
    axes[0].set_title("products on Ω (red: unbounded runs)")
    axes[1].set_yscale("log")
    axes[1].set_title("‖z_k‖")
    axes[2].set_title("imbalance ‖x‖² − ‖y‖²")
    for axis in axes:
        axis.set_xscale("log")
        axis.set_xlabel("iteration k")
        axis.grid(True, alpha=0.3)
        if axis.get_legend_handles_labels()[0]:
            axis.legend(loc="best", fontsize=8)
    figure.suptitle(f"Mechanism, α = {study.regime.alpha:g}, β = {study.regime.beta:g}")
    figure.savefig(path, dpi=110, bbox_inches="tight")
    plt.close(figure)
    return str(path)


QUICK_ITERS = 10**6
"""--quick runs the notebook regime for 10⁶ steps (10⁷ takes ~10–40 s on a shared 2-core machine)."""
QUICK_PROBABILITY = (2000, 10**5)
"""--quick estimates the divergence probability from 2000 Gaussian starts run for 10⁵ steps."""
FULL_PROBABILITY = (10000, 10**6)
"""Full mode: 10,000 Gaussian starts per regime, run for min(K, 10⁶) steps (time budget)."""


def _sci(count: int) -> str:
    """Returns 10000000 as ``1e7`` (for tables and commands), other counts as integers."""
    exponent = round(math.log10(count)) if count > 0 else 0
    return f"1e{exponent}" if 10**exponent == count else str(count)


def _save_runs(context, name: str, runs: SubgradientRuns) -> None:
    """Writes the checkpoint arrays of ``runs`` to ``results/<name>.npz`` (data before plots)."""
    context.results_dir.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(context.results_dir / f"{name}.npz", checkpoints=runs.checkpoints, starts=runs.starts,
                        objective=runs.objective, norm=runs.norm, imbalance=runs.imbalance, products=runs.products,
                        max_norm=runs.max_norm, min_objective=runs.min_objective,
                        max_objective=runs.max_objective, final=runs.final)


def probability_verdict(estimate: ProbabilityEstimate, *, shortening_changes: int = 0) -> tuple[str, str]:
    """Returns (verdict, reason) for "P(unbounded) > 0.1" from the Wilson intervals.

    agrees: the unbounded fraction's interval lies above 0.1. differs: it lies below 0.1 while the
    trapped fraction's lies above (the runs are trapped at f ≥ 1 but bounded). refuted: both below.
    inconclusive: otherwise, or when the runs were shortened and ``shortening_changes`` > 0 notebook
    starts enter or leave the unbounded class between the shortened and the full run (so shortened
    runs misjudge unboundedness in this regime).
    """
    claim = NOTEBOOK_PROBABILITY_CLAIM
    shortened = "" if estimate.iters == estimate.regime.iters else \
        f"; runs shortened to {_sci(estimate.iters)} of {_sci(estimate.regime.iters)} steps"
    if shortened and shortening_changes:
        return "inconclusive", (f"{shortening_changes} notebook starts enter or leave 'unbounded' between "
                                f"{_sci(estimate.iters)} and {_sci(estimate.regime.iters)} steps" + shortened)
    if estimate.low > claim:
        return "agrees", shortened.lstrip("; ")
    if estimate.high < claim and estimate.trapped_low > claim:
        return "differs", "the trapped runs (x₁y₂ < 0, f ≥ 1) are bounded here" + shortened
    if estimate.high < claim and estimate.trapped_high < claim:
        return "refuted", shortened.lstrip("; ")
    return "inconclusive", "the interval contains 0.1" + shortened


def notebook_study_task(*, alpha: float, beta: float, iters: int) -> tuple[DivergenceStudy, SubgradientRuns]:
    """Returns :func:`run_study` of the regime from the notebook's 100 starts: one task of the reproduce sweep."""
    return run_study(Regime(alpha, beta, iters), notebook_starts(), inits="notebook")


def probability_task(*, alpha: float, beta: float, regime_iters: int, count: int, seed: int, iters: int) -> ProbabilityEstimate:
    """Returns :func:`divergence_probability` of one regime: one task of the reproduce sweep."""
    return divergence_probability(Regime(alpha, beta, regime_iters), count=count, seed=seed, iters=iters)


def reproduce_section(context) -> Section:
    """Returns the report section: the seed's 13 keys, the criterion check, the mechanism and the probabilities."""
    quick = context.quick
    regimes = [Regime(NOTEBOOK_REGIME.alpha, NOTEBOOK_REGIME.beta, QUICK_ITERS)] if quick else list(REGIMES)
    studies = []
    lines = ["The subgradient method of seed 000 on f = |x₁y₁−1| + |x₂y₁−1| + |x₂y₂−1|, replayed with JAX's "
             "float64 arithmetic (`tests/test_divergence.py` checks the final iterates of all 100 notebook starts "
             "bit for bit against jax 0.10.2: three regimes at 10⁵ steps, and α = 0.1, β = 0.501 at 10⁷ in its "
             "slow test). Runs are classified from log-spaced checkpoints (growth exponent of "
             "‖z_k‖ over the last decade; f over every step of the last decade), not by f(z_{K−1}) > 0.9.", "",
             "| α | β | K | converged | unbounded | bounded, not conv. | non-finite | unbounded keys | "
             "median exponent (pred. (1−β)/4) | median ‖z_K‖ of the other non-converged | f>0.9 disagreements | "
             "seconds |", "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    tasks = [{"alpha": r.alpha, "beta": r.beta, "iters": r.iters} for r in regimes]
    for (study, runs) in context.map_cached("divergence-study", notebook_study_task, tasks, desc="regimes", codec="pickle"):
        regime = study.regime
        context.save_result(f"divergence_{regime.label}", study)
        _save_runs(context, f"divergence_{regime.label}_checkpoints", runs)
        studies.append((study, runs))
        unbounded = study.mechanism.get(RunClass.UNBOUNDED.value, {})
        exponent = f"{unbounded['median_growth_exponent']:.4f}" if unbounded else "–"
        lines.append(f"| {regime.alpha:g} | {regime.beta:g} | {_sci(regime.iters)} | "
                     + " | ".join(str(study.counts[c.value]) for c in RunClass)
                     + f" | {' '.join(map(str, study.unbounded_indices)) or '–'} | {exponent} "
                     f"({predicted_growth_exponent(regime.beta):.4f}) | {_stalled_norm(study)} | "
                     f"{study.criterion_disagreements or 'none'} | "
                     f"{study.seconds:.1f} |")
    notebook_study, notebook_runs = studies[0 if quick else REGIMES.index(NOTEBOOK_REGIME)]
    prefix = context.figure_path("divergence").with_suffix("")
    figures = [Path(p).name for p in plot_runs(notebook_study, notebook_runs, str(prefix))]
    plot_mechanism(notebook_study, notebook_runs, context.figure_path("divergence-mechanism"))
    figures.append("divergence-mechanism.png")

    mechanism = notebook_study.mechanism
    lines += ["", "**Mechanism.** " + _mechanism_text(notebook_study), ""]
    stalled = [_stall_text(study) for study, _ in studies if RunClass.BOUNDED.value in study.mechanism]
    if stalled:
        lines += ["**Trapped but bounded.** " + " ".join(stalled) + " With constant steps the trapped runs stop "
                  "growing at a norm where α‖z‖⁴ is about the same for every α (compare across α: the stall norm "
                  "scales like α^(−1/4), an empirical law), and f(z_{K−1}) > 0.9 calls them unbounded although "
                  "their norm is flat.", ""]
    lines += [_summable_text(s.regime) for s, _ in studies if s.regime.kind == "summable"]
    count, prob_iters = QUICK_PROBABILITY if quick else FULL_PROBABILITY
    prob_regimes = [NOTEBOOK_REGIME] if quick else list(REGIMES)
    tasks = [{"alpha": r.alpha, "beta": r.beta, "regime_iters": r.iters, "count": count, "seed": context.seed,
              "iters": min(r.iters, prob_iters)} for r in prob_regimes]
    estimates = context.map_cached("divergence-probability", probability_task, tasks, desc="P(unbounded)", codec="pickle")
    # How far to trust shortened runs: re-classify the notebook starts' run of each regime as if it had
    # stopped at the probability runs' length, and count the starts that enter or leave "unbounded".
    changes = {}
    for study, runs in studies:
        for e in estimates:
            if (e.regime.alpha, e.regime.beta) == (study.regime.alpha, study.regime.beta) and e.iters < study.regime.iters:
                early = classify_runs(runs, up_to=e.iters)
                changes[e.regime] = sum((a.run_class == RunClass.UNBOUNDED) != (b.run_class == RunClass.UNBOUNDED)
                                        for a, b in zip(early, study.runs))
    for e in estimates:
        changes.setdefault(e.regime, 0)
    context.save_result("divergence_probability", {"estimates": estimates, "shortening_changes": {
        r.label: n for r, n in changes.items()}})
    lines += ["**Probability of divergence from N(0, I) starts** (95 % Wilson interval; runs shortened to "
              f"min(K, {_sci(prob_iters)}) steps):", "",
              "| α | β | steps run | starts | unbounded | P(unbounded) [95 % CI] | bounded, not conv. | f>0.9 | "
              "P(trapped: x₁y₂<0, f≥1) [95 % CI] |", "|---|---|---|---|---|---|---|---|---|"]
    for e in estimates:
        lines.append(f"| {e.regime.alpha:g} | {e.regime.beta:g} | {_sci(e.iters)} | {e.count} | {e.unbounded} | "
                     f"{e.fraction:.3f} [{e.low:.3f}, {e.high:.3f}] | {e.counts[RunClass.BOUNDED.value]} | "
                     f"{e.notebook_criterion} | {e.trapped / e.count:.3f} [{e.trapped_low:.3f}, {e.trapped_high:.3f}] |")

    keys_match = notebook_study.unbounded_indices == list(NOTEBOOK_REPORTED_KEYS)
    steps_note = "" if notebook_study.regime.iters == NOTEBOOK_REGIME.iters else \
        f"measured at K = {_sci(notebook_study.regime.iters)} (--quick); K = 1e7 in full mode"
    disagreements = {s.regime.label: s.criterion_disagreements for s, _ in studies if s.criterion_disagreements}
    verdicts = [
        VerdictRow(
            claim="13 of 100 notebook starts give unbounded iterates (α=0.1, β=0.501, K=1e7)",
            source=f"{SEED_FILE}, cell [1]", source_says="keys " + " ".join(map(str, NOTEBOOK_REPORTED_KEYS)),
            measured=f"unbounded: {' '.join(map(str, notebook_study.unbounded_indices))} "
                     f"(‖z‖ ∝ k^{mechanism.get('unbounded', {}).get('median_growth_exponent', float('nan')):.3f})",
            verdict="agrees" if keys_match else "differs", reason=steps_note),
        VerdictRow(
            claim="f(z_{K−1}) > 0.9 identifies the unbounded runs",
            source=f"{SEED_FILE}, cell [1]", source_says="bad_seeds = objs[:, -1] > .9",
            measured=f"agrees with the growth-based class on every run of {len(studies)} regime(s)" if not disagreements
            else f"disagrees on {disagreements}",
            verdict="agrees" if not disagreements else "differs",
            reason="" if not disagreements else "threshold on f misses bounded-not-converged or slow runs"),
    ]
    for e in estimates:
        verdicts.append(VerdictRow(
            claim=f"divergence is not an edge case, P > 0.1 (α={e.regime.alpha:g}, β={e.regime.beta:g})",
            source=f"{SEED_FILE}, cell [3] comments", source_says="prob > 0.1",
            measured=f"unbounded {e.unbounded}/{e.count} = {e.fraction:.3f}, 95% CI [{e.low:.3f}, {e.high:.3f}]; "
                     f"trapped {e.trapped / e.count:.3f} [{e.trapped_low:.3f}, {e.trapped_high:.3f}]",
            verdict=probability_verdict(e, shortening_changes=changes[e.regime])[0],
            reason=probability_verdict(e, shortening_changes=changes[e.regime])[1]))
    quick_flag = " --quick" if quick else " --full"
    commands = [f"riptools reproduce{quick_flag} --only divergence --seed {context.seed}",
                "riptools diverge --alpha 0.1 --beta 0.501 --iters 1e7 --inits notebook --plot-prefix divergence",
                f"riptools diverge --alpha 0.1 --beta 0.501 --iters {_sci(prob_iters)} --inits gaussian --count {count} "
                f"--seed {context.seed} --json"]
    return Section(title="Subgradient divergence (seed 000)", markdown="\n".join(lines), verdicts=verdicts,
                   figures=figures, commands=commands, order=60)


def _summable_text(regime: Regime) -> str:
    """Returns the caveat paragraph for summable steps: bounded in theory, logarithmic growth in practice."""
    total = regime.alpha * float(scipy.special.zeta(regime.beta))
    return (f"**Summable steps (β = {regime.beta:g}).** Σ_j α j^(−β) = α·ζ(β) ≈ {total:.0f}, so the reduced model's "
            "t⁴ ∝ Σ η_j stays bounded and so do the trapped runs; but the partial sums grow like α ln k for every "
            "feasible k, so their norm grows like (ln k)^(1/4), whose local power-law exponent 1/(4 ln k) is "
            f"{1 / (4 * math.log(regime.iters)):.3f} at k = {_sci(regime.iters)} (threshold {GROWTH_EXPONENT_MIN}): "
            "in this regime the unbounded/bounded split of trapped runs depends on K, and neither the seed's "
            "criterion nor a finite run can show unboundedness.\n")


def _stall_text(study: DivergenceStudy) -> str:
    """Returns one sentence on the bounded-not-converged runs of ``study`` (the notebook instance)."""
    stats = study.mechanism[RunClass.BOUNDED.value]
    regime = study.regime
    return (f"α = {regime.alpha:g}, β = {regime.beta:g}, K = {_sci(regime.iters)}: {stats['runs']} runs bounded, not "
            f"converged, {stats['final_x1y2_negative']} of them with x₁y₂ < 0, median ‖z_K‖ = "
            f"{stats['median_final_norm']:.2f} (α‖z_K‖⁴ = {regime.alpha * stats['median_final_norm'] ** 4:.2f}), "
            f"growth exponent {stats['median_growth_exponent']:.4f}.")


def _stalled_norm(study: DivergenceStudy) -> str:
    """Returns the median final norm of the bounded-not-converged runs (the stalled trap), or –."""
    stats = study.mechanism.get(RunClass.BOUNDED.value)
    return f"{stats['median_final_norm']:.2f}" if stats else "–"


def _mechanism_text(study: DivergenceStudy) -> str:
    """Returns the mechanism paragraph, with the numbers of ``study``."""
    stats = study.mechanism
    unbounded, converged = stats.get(RunClass.UNBOUNDED.value), stats.get(RunClass.CONVERGED.value)
    if not unbounded:
        return "no unbounded run in this regime."
    p = unbounded["median_final_products"]
    text = (f"{unbounded['final_x1y2_negative']} of the {unbounded['runs']} unbounded runs end with x₁y₂ < 0 "
            f"(sign of p₁p₂p₃ = x₁y₂(x₂y₁)²) and {unbounded['f_at_least_1_on_last_decade']} keep f ≥ 1 at every "
            "step of the last decade; on x₁y₂ < 0 some product is ≤ 0, so f ≥ 1, and f = 1 is attained only "
            "at infinity. The products go to (x₁y₁, x₂y₁, x₂y₂) → "
            f"({p[0]:.3f}, {p[1]:.3f}, {p[2]:.3f}): the outer two sit at their kinks while x₂y₁ → 0⁻, so x₂, y₁ → 0 "
            "and x₁, y₂ → ∞ together. The imbalance ‖x‖² − ‖y‖² stays bounded (final |imbalance|/‖z‖² = "
            f"{unbounded['median_final_imbalance_over_squared_norm']:.2g}, median): the growth is balanced, "
            "not an imbalance blow-up. The norm grows as k^"
            f"{unbounded['median_growth_exponent']:.4f} against the reduced model's (1−β)/4 = "
            f"{unbounded['predicted_growth_exponent']:.4f} (t⁴ ∝ Σ η_j with t = |x₁| ≈ |y₂|; "
            + ("within" if unbounded["exponent_matches_prediction"] else "outside")
            + f" the {EXPONENT_AGREEMENT:.0%} tolerance).")
    if converged:
        text += f" {converged['final_x1y2_negative']} of the {converged['runs']} converged runs end with x₁y₂ < 0."
    return text
