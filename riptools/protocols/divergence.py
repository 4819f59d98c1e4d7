"""The subgradient divergence protocol: which runs of the subgradient method diverge, why, and how often.

The method is z_{k+1} = z_k − α/(k+1)^β g_k on f = |x₁y₁ − 1| + |x₂y₁ − 1| + |x₂y₂ − 1| with JAX's
arithmetic (:mod:`riptools.dynamics.subgradient`), from the notebook's 100 JAX starts or from N(0, I)
starts. Each run is classified from its checkpoints, with evidence:

* **non-finite** — a checkpoint holds NaN/inf;
* **converged** — f ≤ :data:`CONVERGED_OBJECTIVE` at every step of the last decade k ∈ (K/10, K];
* **unbounded** — the norm grows as a power of k over the last decade: the least-squares slope p of
  log‖z_k‖ against log k is ≥ :data:`GROWTH_EXPONENT_MIN` with R² ≥ :data:`GROWTH_FIT_R2_MIN`, while
  f has settled (:data:`SETTLED_FRACTION`);
* **bounded, not converged** — anything else (e.g. summable steps that stop short).

**Mechanism** (the notebook instance). p₁p₂p₃ = (x₁y₁)(x₂y₁)(x₂y₂) = x₁y₂·(x₂y₁)², so on the half-space
x₁y₂ < 0 some product is ≤ 0 and f ≥ 1 there, while f = 1 is not attained (p₂ = 0 with p₁ = p₃ = 1 is
impossible for finite points). The infimum 1 is approached only by x₁, y₂ → ∞, x₂, y₁ → 0 with
x₁y₁ = x₂y₂ = 1, x₂y₁ → 0⁻. A run that settles in x₁y₂ < 0 therefore descends to infinity. If along
that path the imbalance ‖x‖² − ‖y‖² ≈ x₁² − y₂² stays bounded (the two large coordinates grow
together; :class:`ClassMechanism` measures it), then with t = |x₁| ≈ |y₂|, f − 1 ≈ 1/t², and the
subgradient moves t by about η_k/t³ per step: t⁴ ∝ Σ_{j≤k} η_j, i.e. ‖z_k‖ ∝ k^{(1−β)/4} for β < 1
(:func:`predicted_growth_exponent`; a heuristic reduced model whose prediction the data test) and
bounded for summable steps (β > 1). :func:`trapped` (x₁y₂ < 0 and f ≥ 1 on the last decade) counts
the runs caught by the mechanism, whatever their norm does.

Two protocols (:data:`NOTEBOOK_STUDY`, :data:`DIVERGENCE_PROBABILITY`) run regimes from the
notebook's starts and estimate the probability of divergence from Gaussian starts; they return
frozen dataclasses and carry no verdicts (those are the source's,
:mod:`riptools.sources.subgradient_notebook`).
"""

from __future__ import annotations

import enum
import json
import math
import time
from dataclasses import dataclass
from importlib import resources

import numpy as np

from riptools.dynamics.subgradient import CHECKPOINTS_PER_DECADE, NOTEBOOK_INSTANCE, SubgradientRuns, run_subgradient
from riptools.protocols import Protocol
from riptools.statistics import wilson_interval
from riptools.validation import InputError, positive_int

NOTEBOOK_THRESHOLD = 0.9
"""The notebook's criterion: a run is "unbounded" when f(z_{K−1}) > 0.9 (recorded per run, to compare)."""
CONVERGED_OBJECTIVE = 0.5
"""A run converged when f ≤ this at every step of the last decade. Constant steps α only reach a band
around the minimisers (f oscillates up to ≈ 10α for the notebook's instance), and the spurious branch
has f ≥ 1, so half of that level separates the two."""
GROWTH_EXPONENT_MIN = 0.02
"""A run is unbounded when ‖z_k‖ grows at least like k^0.02 over the last decade (a ×1.047 rise)."""
GROWTH_FIT_R2_MIN = 0.9
"""…and the power law fits log‖z_k‖ with R² at least this (a steady rise, not a jump)."""
SETTLED_FRACTION = 0.25
"""…and f has settled: its relative fall over the last decade is at most this fraction of the norm's
relative rise (an escape to an unattained infimum: f creeps to its limit while ‖z‖ grows; a run still
travelling from a poor start, as summable steps leave many, loses f faster than it gains norm)."""
MANY_STARTS_PER_DECADE = 10
"""Checkpoints per decade of the probability runs (memory ~ starts × checkpoints)."""


class RunClass(str, enum.Enum):
    """What a run did, decided from its checkpoints."""

    CONVERGED = "converged"
    UNBOUNDED = "unbounded"
    BOUNDED = "bounded, not converged"
    NONFINITE = "non-finite"


@dataclass(frozen=True)
class Regime:
    """Step sizes α/(k+1)^β for K steps."""

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
        notebook_objective: f(z_{K−1}), the value the notebook thresholds.
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
    """Returns the notebook's 100 starts (row i = ``jax.random.normal(PRNGKey(i), (4,), float64)``), bit-exact.

    Read from ``riptools/data/notebook_starts.json`` (generated once with jax; provenance inside).

    Example:
        >>> notebook_starts().shape
        (100, 4)
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
class ClassMechanism:
    """What the products and the imbalance did for the runs of one class (the notebook instance).

    Attributes:
        runs: number of runs in the class.
        final_x1y2_negative: runs ending with x₁y₂ < 0 (sign of p₁p₂p₃ = x₁y₂(x₂y₁)² at z_K).
        f_at_least_1_on_last_decade: runs with f ≥ 1 at every step of the last decade.
        trapped: runs that are both (:func:`trapped`).
        median_final_products: median (x₁y₁, x₂y₁, x₂y₂) at z_K.
        median_growth_exponent: median fitted growth exponent of ‖z_k‖ over the last decade.
        predicted_growth_exponent: the reduced model's (1−β)/4 (0 for β ≥ 1).
        median_final_norm: median ‖z_K‖.
        max_relative_imbalance_change: max over runs of max_k |Δ imbalance| / max(1, |imbalance₀|).
        median_final_imbalance_over_squared_norm: median |‖x_K‖² − ‖y_K‖²| / ‖z_K‖².
    """

    runs: int
    final_x1y2_negative: int
    f_at_least_1_on_last_decade: int
    trapped: int
    median_final_products: tuple[float, float, float]
    median_growth_exponent: float
    predicted_growth_exponent: float
    median_final_norm: float
    max_relative_imbalance_change: float
    median_final_imbalance_over_squared_norm: float


@dataclass(frozen=True)
class DivergenceStudy:
    """A regime run from a set of starts, classified.

    Attributes:
        regime: α, β and the number of steps run.
        inits: ``notebook`` or ``gaussian``; seed: the Gaussian seed (None for notebook).
        runs: one classification per start.
        unbounded_indices: starts classified unbounded.
        notebook_criterion_indices: starts with f(z_{K−1}) > 0.9 (the notebook's criterion).
        criterion_disagreements: starts where the two differ.
        counts: number of runs per class (by :class:`RunClass` value).
        mechanism: per class value, the :class:`ClassMechanism` (notebook instance only; else empty).
        seconds: wall time of the runs.
    """

    regime: Regime
    inits: str
    seed: int | None
    runs: tuple[RunClassification, ...]
    unbounded_indices: tuple[int, ...]
    notebook_criterion_indices: tuple[int, ...]
    criterion_disagreements: tuple[int, ...]
    counts: dict[str, int]
    mechanism: dict[str, ClassMechanism]
    seconds: float = 0.0


def trapped(runs: SubgradientRuns) -> np.ndarray:
    """Returns, per run of the notebook instance, whether it ends trapped: x₁y₂ < 0 at z_K and f ≥ 1 at
    every step of the last decade (the half-space where f ≥ 1 and whose infimum lies at infinity)."""
    if runs.instance != NOTEBOOK_INSTANCE:
        raise InputError("trapped: defined for the notebook's instance only")
    window = _window(runs.checkpoints)
    # p₁p₂p₃ = x₁y₂·(x₂y₁)², so its sign is that of x₁y₂ unless x₂y₁ = 0.
    cycle_negative = np.prod(np.sign(runs.products[:, -1, :]), axis=1) < 0  # signs: the product may overflow
    return cycle_negative & (np.min(runs.min_objective[:, window], axis=1) >= 1.0)


def mechanism_statistics(runs: SubgradientRuns, classes) -> dict[str, ClassMechanism]:
    """Returns {class value: :class:`ClassMechanism`} for the classes present (empty off the notebook instance)."""
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
        imbalance = runs.imbalance[members]
        drift = np.max(np.abs(imbalance - imbalance[:, :1]), axis=1) / np.maximum(1.0, np.abs(imbalance[:, 0]))
        statistics[run_class.value] = ClassMechanism(
            runs=len(members),
            final_x1y2_negative=int(np.sum(np.prod(np.sign(products), axis=1) < 0)),
            f_at_least_1_on_last_decade=int(np.sum(np.min(runs.min_objective[members][:, window], axis=1) >= 1.0)),
            trapped=int(np.sum(is_trapped[members])),
            median_final_products=tuple(float(v) for v in np.median(products, axis=0)),
            median_growth_exponent=float(np.median([classes[i].growth_exponent for i in members])),
            predicted_growth_exponent=predicted_growth_exponent(runs.beta),
            median_final_norm=float(np.median(runs.norm[members, -1])),
            max_relative_imbalance_change=float(np.max(drift)),
            median_final_imbalance_over_squared_norm=float(np.median(np.abs(imbalance[:, -1]) / runs.norm[members, -1] ** 2)),
        )
    return statistics


def run_study(regime: Regime, starts, *, inits: str, seed: int | None = None, per_decade: int = CHECKPOINTS_PER_DECADE,
              progress: bool = False) -> tuple[DivergenceStudy, SubgradientRuns]:
    """Returns the classified study of ``regime`` from ``starts`` and the checkpointed runs behind it."""
    begin = time.perf_counter()
    runs = run_subgradient(starts, alpha=regime.alpha, beta=regime.beta, iters=regime.iters,
                           per_decade=per_decade, progress=progress)
    seconds = time.perf_counter() - begin
    classes = tuple(classify_runs(runs))
    unbounded = tuple(c.index for c in classes if c.run_class == RunClass.UNBOUNDED)
    criterion = tuple(c.index for c in classes if c.notebook_unbounded)
    study = DivergenceStudy(
        regime=regime, inits=inits, seed=seed, runs=classes, unbounded_indices=unbounded,
        notebook_criterion_indices=criterion,
        criterion_disagreements=tuple(sorted(set(unbounded) ^ set(criterion))),
        counts={c.value: sum(r.run_class == c for r in classes) for c in RunClass},
        mechanism=mechanism_statistics(runs, classes), seconds=seconds,
    )
    return study, runs


def shortening_changes(study: DivergenceStudy, runs: SubgradientRuns, steps: int) -> int:
    """Returns how many starts enter or leave "unbounded" when the runs of ``study`` are judged after
    ``steps`` steps instead of all of them (0 when ``steps`` is not shorter): how far shortened runs
    can be trusted in that regime. ``steps`` must be one of the checkpoints."""
    if steps >= study.regime.iters:
        return 0
    early = classify_runs(runs, up_to=steps)
    return sum((a.run_class == RunClass.UNBOUNDED) != (b.run_class == RunClass.UNBOUNDED)
               for a, b in zip(early, study.runs))


@dataclass(frozen=True)
class ProbabilityEstimate:
    """Fraction of Gaussian starts classified unbounded, with a 95 % Wilson interval.

    Attributes:
        regime: the regime (its K); iters: the number of steps actually run (≤ regime.iters).
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

    @property
    def shortened(self) -> bool:
        """True when fewer steps were run than the regime's K."""
        return self.iters < self.regime.iters


def divergence_probability(regime: Regime, *, count: int, seed: int, iters: int | None = None,
                           per_decade: int = MANY_STARTS_PER_DECADE, progress: bool = False) -> ProbabilityEstimate:
    """Returns the estimated probability that a N(0, I) start gives an unbounded run in ``regime``.

    ``iters`` (default: the regime's K) may be smaller than K to fit a time budget; the class is then
    decided on the shorter run (:attr:`ProbabilityEstimate.shortened`).
    """
    iters = regime.iters if iters is None else positive_int(iters, "iters")
    shortened = Regime(regime.alpha, regime.beta, iters)
    study, runs = run_study(shortened, gaussian_starts(count, seed=seed), inits="gaussian", seed=seed,
                            per_decade=per_decade, progress=progress)
    unbounded = study.counts[RunClass.UNBOUNDED.value]
    num_trapped = int(np.sum(trapped(runs)))
    low, high = wilson_interval(unbounded, count)
    trapped_low, trapped_high = wilson_interval(num_trapped, count)
    return ProbabilityEstimate(regime=regime, iters=iters, count=count, seed=seed, counts=study.counts,
                               unbounded=unbounded, fraction=unbounded / count, low=low, high=high,
                               notebook_criterion=len(study.notebook_criterion_indices), trapped=num_trapped,
                               trapped_low=trapped_low, trapped_high=trapped_high)


# ----------------------------------------------------------------------------- protocols


def scientific(count: int) -> str:
    """Returns 10000000 as ``1e7`` (for tables and commands), other counts as integers.

    Example:
        >>> scientific(10**7), scientific(2000)
        ('1e7', '2000')
    """
    exponent = round(math.log10(count)) if count > 0 else 0
    return f"1e{exponent}" if 10**exponent == count else str(count)


@dataclass(frozen=True)
class NotebookStudyParams:
    """One regime run from the notebook's 100 starts.

    Attributes:
        alpha, beta, iters: the regime (its K).
        max_iters: run min(K, max_iters) steps (None: all K).
    """

    alpha: float
    beta: float
    iters: int
    max_iters: int | None = None

    @property
    def steps(self) -> int:
        """The number of steps run."""
        return self.iters if self.max_iters is None else min(self.iters, self.max_iters)


@dataclass(frozen=True)
class NotebookStudy:
    """The result of :data:`NOTEBOOK_STUDY`: the classified study and the checkpointed runs behind it."""

    params: NotebookStudyParams
    study: DivergenceStudy
    runs: SubgradientRuns


def notebook_study(params: NotebookStudyParams) -> NotebookStudy:
    """Returns :func:`run_study` of the regime of ``params`` from the notebook's 100 starts."""
    study, runs = run_study(Regime(params.alpha, params.beta, params.steps), notebook_starts(), inits="notebook")
    return NotebookStudy(params=params, study=study, runs=runs)


@dataclass(frozen=True)
class ProbabilityParams:
    """A probability estimate from Gaussian starts.

    Attributes:
        alpha, beta, iters: the regime (its K).
        count, seed: the N(0, I) starts.
        max_iters: run min(K, max_iters) steps (None: all K).
    """

    alpha: float
    beta: float
    iters: int
    count: int = 10_000
    seed: int = 0
    max_iters: int | None = None

    @property
    def steps(self) -> int:
        """The number of steps run."""
        return self.iters if self.max_iters is None else min(self.iters, self.max_iters)


def probability(params: ProbabilityParams) -> ProbabilityEstimate:
    """Returns :func:`divergence_probability` for ``params``."""
    return divergence_probability(Regime(params.alpha, params.beta, params.iters), count=params.count,
                                  seed=params.seed, iters=params.steps)


NOTEBOOK_STUDY = Protocol(
    name="divergence-study",
    run=notebook_study,
    params=NotebookStudyParams,
    # --quick: 10⁶ steps (10⁷ takes ~10–40 s on a shared 2-core machine).
    sizes={"quick": {"max_iters": 10**6}, "full": {"max_iters": None}},
    command=lambda p: (f"riptools diverge --alpha {p.alpha:g} --beta {p.beta:g} --iters {scientific(p.steps)} "
                       "--inits notebook --plot-prefix divergence"),
)
"""A regime from the notebook's starts; quick runs at most 10⁶ steps, full the regime's K."""

DIVERGENCE_PROBABILITY = Protocol(
    name="divergence-probability",
    run=probability,
    params=ProbabilityParams,
    # full: 10,000 starts for min(K, 10⁶) steps (a time budget); quick: 2000 starts for 10⁵ steps.
    sizes={"quick": {"count": 2000, "max_iters": 10**5}, "full": {"count": 10_000, "max_iters": 10**6}},
    command=lambda p: (f"riptools diverge --alpha {p.alpha:g} --beta {p.beta:g} --iters {scientific(p.steps)} "
                       f"--inits gaussian --count {p.count} --seed {p.seed} --json"),
)
"""P(unbounded) from N(0, I) starts, with Wilson intervals."""
