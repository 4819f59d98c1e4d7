"""Learned completion protocols: the MLP baseline beside exact completion, the printed examples, the claims' numbers.

Reference: M. Alkady, "Low-Rank Matrix Completion via Deep Neural Networks" (summer-school slides,
2025). :func:`compare_one` trains the slides' network for one (n, r, number masked) and completes
the same held-out matrices by ALS + Gauss–Newton (:mod:`riptools.completion.exact`);
:func:`slide_example` completes one matrix printed in the slides and sets it beside the printed
network output; :func:`non_unique_witness` recomputes an instance with two exact completions;
:func:`claim_measurements` computes the quantities of the slides' claims about random rank-r
matrices (:mod:`riptools.completion.claims`). Each is a :class:`~riptools.protocols.Protocol`
(parameters in, a frozen result out); verdicts and prose are the source's
(:mod:`riptools.sources.learned_completion`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from riptools.completion import claims as claim_numbers
from riptools.completion.exact import EXACT_MAX_N, EXACT_MAX_UNKNOWNS, complete, complete_batch, exact_completions
from riptools.completion.instances import degrees_of_freedom, identifiability, masked_batch
from riptools.completion.network import masked_relative_errors, train_network
from riptools.protocols import Protocol
from riptools.validation import positive_int

SIZES = (2, 3, 4, 6)
RANKS = (1, 2)
RECOVERED_TOL = 1e-6
"""An instance counts as recovered when its masked entries are right to this relative error."""

# The matrices printed in the slides (None = masked), with the printed network output and, where
# printed, the ground truth: the inputs of the slide-example protocol.
SLIDE_EXAMPLES = (
    {
        "name": "2×2 worked example",
        "slide": "Examples",
        "rank": 1,
        "input": [[0.6, -0.2], [1.2, None]],
        "printed_prediction": [[0.6, -0.2], [1.2, -0.4]],
        "ground_truth": None,
    },
    {
        "name": "4×4 worked example",
        "slide": "Examples",
        "rank": 2,
        "input": [[-0.303, 0.388, None, -0.64], [-4.413, -2.146, -0.12, 0.776], [None, 0.362, 1.1, -0.307], [1.375, 0.96, 1.717, None]],
        "printed_prediction": [[-0.303, 0.388, 3.082, -0.64], [-4.413, -2.146, -0.12, 0.776], [0.356, 0.362, 1.1, -0.307], [1.375, 0.96, 1.717, -0.619]],
        "ground_truth": None,
    },
    {
        "name": "2×2 performance example",
        "slide": "Performance on 2×2 matrices",
        "rank": 1,
        "input": [[-0.0233782, -0.0575182], [-0.12784362, None]],
        "printed_prediction": [[-0.02139766, -0.05180938], [-0.13365555, -0.30243173]],
        "ground_truth": [[-0.0233782, -0.0575182], [-0.12784362, -0.31453815]],
    },
    {
        "name": "4×4 performance example",
        "slide": "Performance on 4×4 matrices",
        "rank": 2,
        "input": [[-0.784, -0.07, -0.167, 0.333], [-1.185, 0.579, 0.841, None], [None, None, -2.152, -0.031], [1.413, -0.628, -0.904, -0.565]],
        "printed_prediction": [[-0.766, -0.074, -0.143, 0.313], [-1.187, 0.603, 0.854, 0.388], [1.625, -0.602, -2.103, -0.028], [1.378, -0.627, -0.876, -0.572]],
        "ground_truth": [[-0.784, -0.07, -0.167, 0.333], [-1.185, 0.579, 0.841, 0.472], [0.221, -1.358, -2.152, -0.031], [1.413, -0.628, -0.904, -0.565]],
    },
)


@dataclass(frozen=True)
class SlideExample:
    """A matrix printed in the slides, completed by riptools, beside the printed network output.

    Attributes:
        name: which example.
        slide: the slide's title.
        rank: r.
        input: the printed input (None = masked).
        riptools_completion: the best rank-r completion (ALS + Gauss–Newton, 16 restarts).
        printed_prediction: the network's printed output.
        ground_truth: the printed ground truth, if any.
        observed_residual: relative misfit of riptools' completion on the observed entries
            (≈ 1e-4: the printed data are rounded to 3–8 digits).
        distinct_completions: distinct best completions over the restarts (1 = numerically unique).
        jacobian_rank: rank of the observation Jacobian at riptools' completion (dof = locally unique).
        degrees_of_freedom: 2nr − r².
        slides_count_condition: whether the example's mask satisfies m < n² − dof.
        exact: sympy's answer on the printed data read as exact decimals (``"none"`` when the rounded
            data have no exact rank-r completion).
        exact_generic: sympy's answer on a random integer rank-r matrix with the same mask (the
            pattern's generic behaviour).
        printed_singular_values: singular values of the printed prediction (rank r ⇔ σ_{r+1} ≈ 0).
        completion_vs_printed: max |riptools − printed| on the masked entries.
        printed_error: relative error of the printed prediction on the masked entries (vs truth).
        riptools_error: relative error of riptools' completion on the masked entries (vs truth).
    """

    name: str
    slide: str
    rank: int
    input: list
    riptools_completion: np.ndarray
    printed_prediction: np.ndarray
    ground_truth: np.ndarray | None
    observed_residual: float
    distinct_completions: int
    jacobian_rank: int
    degrees_of_freedom: int
    slides_count_condition: bool
    exact: str
    exact_generic: str
    printed_singular_values: np.ndarray
    completion_vs_printed: float
    printed_error: float | None
    riptools_error: float | None


def _generic_exact_status(mask: np.ndarray, rank: int, seed: int) -> str:
    """Returns sympy's uniqueness status for a random small-integer rank-r matrix with ``mask``."""
    rng = np.random.default_rng(seed)
    n = mask.shape[0]
    # Nonzero factors: a zero entry of U or V is a special (non-generic) point.
    nonzero = np.array([v for v in range(-5, 6) if v])
    matrix = (rng.choice(nonzero, (n, rank)) @ rng.choice(nonzero, (n, rank)).T).astype(float)
    return exact_completions(np.where(mask, matrix, np.nan), rank).status


def slide_example(example: dict, *, seed: int = 0) -> SlideExample:
    """Returns one slide example completed and checked (see :class:`SlideExample`)."""
    rank = example["rank"]
    completion = complete(example["input"], rank, restarts=16, seed=seed)
    mask = completion.mask
    printed = np.array(example["printed_prediction"], dtype=float)
    truth = None if example["ground_truth"] is None else np.array(example["ground_truth"], dtype=float)
    small = mask.shape[0] <= EXACT_MAX_N and int((~mask).sum()) <= EXACT_MAX_UNKNOWNS
    report = identifiability(completion.left, completion.right, mask)

    def masked_error(matrix):
        return None if truth is None else float(masked_relative_errors(matrix[None], truth[None], mask[None])[0])

    return SlideExample(
        name=example["name"],
        slide=example["slide"],
        rank=rank,
        input=example["input"],
        riptools_completion=completion.matrix,
        printed_prediction=printed,
        ground_truth=truth,
        observed_residual=completion.observed_residual,
        distinct_completions=completion.distinct_completions,
        jacobian_rank=completion.jacobian_rank,
        degrees_of_freedom=completion.degrees_of_freedom,
        slides_count_condition=report.slides_count_condition,
        exact=exact_completions(example["input"], rank).status if small else "not attempted",
        exact_generic=_generic_exact_status(mask, rank, seed) if small else "not attempted",
        printed_singular_values=np.linalg.svd(printed, compute_uv=False),
        completion_vs_printed=float(np.max(np.abs(completion.matrix - printed)[~mask])),
        printed_error=masked_error(printed),
        riptools_error=masked_error(completion.matrix),
    )


def slide_examples(*, seed: int = 0) -> list[SlideExample]:
    """Returns the four matrices printed in the slides, completed and checked."""
    return [slide_example(example, seed=seed) for example in SLIDE_EXAMPLES]


def mask_counts(n: int, rank: int, *, quick: bool) -> list[int]:
    """Returns the numbers of masked entries tried for (n, r): up to the necessary bound n² − dof.

    Quick mode tries only the slides' largest m (bound − 1, or the bound when that is 0); the full
    mode also a quarter, half and the bound itself, where the slides' strict condition fails.
    """
    bound = n * n - degrees_of_freedom(n, rank)
    if bound < 1:
        return []
    largest_allowed = max(1, bound - 1)
    if quick:
        return [largest_allowed]
    return sorted({max(1, bound // 4), max(1, bound // 2), largest_allowed, bound})


@dataclass(frozen=True)
class ComparisonRow:
    """Network against exact completion on the same held-out matrices of one (n, r, m).

    Attributes:
        n, rank, n_masked: the configuration.
        bound: n² − dof, the largest m leaving dof observed entries.
        slides_count_condition: m < bound.
        n_matrices, n_train, n_test: generated, trained on (90%), held out (10%).
        hidden, epochs, max_epochs, train_seconds: the network.
        network_error: pooled relative error on masked entries √(Σ err² / Σ M²) (predicting 0 gives 1).
        network_median_error: median over matrices of the per-matrix relative error.
        network_error_identifiable: pooled network error over the locally identifiable matrices only.
        exact_error_identifiable: pooled error of ALS + Gauss–Newton over the locally identifiable
            matrices (on the others any completion fits, so a pooled error there measures nothing).
        exact_median_error: median per-matrix relative error of ALS + Gauss–Newton (all matrices).
        exact_recovered: fraction of held-out matrices recovered to RECOVERED_TOL.
        exact_recovered_identifiable: the same among the locally identifiable ones.
        locally_identifiable: fraction of held-out masks that are locally identifiable at M.
        exact_seconds: time of the exact completions.
    """

    n: int
    rank: int
    n_masked: int
    bound: int
    slides_count_condition: bool
    n_matrices: int
    n_train: int
    n_test: int
    hidden: tuple[int, int]
    epochs: int
    max_epochs: int
    train_seconds: float
    network_error: float
    network_median_error: float
    network_error_identifiable: float
    exact_error_identifiable: float
    exact_median_error: float
    exact_recovered: float
    exact_recovered_identifiable: float
    locally_identifiable: float
    exact_seconds: float


def _pooled_error(predicted, truth, masks) -> float:
    """Returns √(Σ masked err² / Σ masked M²) over the batch (NaN for an empty batch)."""
    if truth.shape[0] == 0:
        return float("nan")
    hidden = ~masks
    return float(np.linalg.norm((predicted - truth) * hidden) / np.linalg.norm(truth * hidden))


def compare_one(n: int, rank: int, n_masked: int, *, n_matrices: int, max_epochs: int, seed: int = 0) -> ComparisonRow:
    """Returns the network and exact completion errors for one (n, r, m) (see :class:`ComparisonRow`)."""
    network = train_network(n, rank, n_masked, n_matrices=n_matrices, max_epochs=max_epochs, seed=seed)
    test = network.test
    truth, masks = test.matrices, test.masks
    predicted = network.predict(truth, masks)
    start = time.perf_counter()
    completed, _ = complete_batch(np.where(masks, truth, 0.0), masks, rank, seed=seed)
    exact_seconds = time.perf_counter() - start
    exact_errors = masked_relative_errors(completed, truth, masks)
    identifiable = np.array([identifiability(u, v, mask).locally_identifiable for u, v, mask in zip(test.left, test.right, masks)])
    recovered = exact_errors < RECOVERED_TOL
    bound = n * n - degrees_of_freedom(n, rank)
    return ComparisonRow(
        n=n,
        rank=rank,
        n_masked=n_masked,
        bound=bound,
        slides_count_condition=n_masked < bound,
        n_matrices=n_matrices,
        n_train=network.n_train,
        n_test=truth.shape[0],
        hidden=network.hidden,
        epochs=network.epochs,
        max_epochs=max_epochs,
        train_seconds=network.seconds,
        network_error=_pooled_error(predicted, truth, masks),
        network_median_error=float(np.median(masked_relative_errors(predicted, truth, masks))),
        network_error_identifiable=_pooled_error(predicted[identifiable], truth[identifiable], masks[identifiable]),
        exact_error_identifiable=_pooled_error(completed[identifiable], truth[identifiable], masks[identifiable]),
        exact_median_error=float(np.median(exact_errors)),
        exact_recovered=float(np.mean(recovered)),
        exact_recovered_identifiable=float(np.mean(recovered[identifiable])) if identifiable.any() else float("nan"),
        locally_identifiable=float(np.mean(identifiable)),
        exact_seconds=exact_seconds,
    )


# A replayable instance inside the slides' condition that is locally identifiable yet has two exact
# completions: held-out matrix `index` of masked_batch(n, rank, n_masked, count, seed=seed).
WITNESS = {"n": 6, "rank": 2, "n_masked": 15, "count": 20, "seed": 0, "index": 0}


@dataclass(frozen=True)
class NonUniqueWitness:
    """An instance whose rank-r completion is not unique although the counts and the Jacobian say fine.

    Attributes:
        instance: how to regenerate it (arguments of ``masked_batch`` and the index).
        slides_count_condition: whether m < n² − dof holds.
        jacobian_rank: rank of the observation Jacobian at the true factors.
        degrees_of_freedom: 2nr − r².
        truth: the matrix M.
        completions: the distinct exact rank-r completions found (best fit first).
        observed_residuals: each completion's relative misfit on the observed entries.
        third_singular_values: σ_{r+1} of each completion (0: rank r).
    """

    instance: dict
    slides_count_condition: bool
    jacobian_rank: int
    degrees_of_freedom: int
    truth: np.ndarray
    completions: list[np.ndarray]
    observed_residuals: list[float]
    third_singular_values: list[float]


def non_unique_witness() -> NonUniqueWitness:
    """Returns the completions of the WITNESS instance (the slides' mask condition against uniqueness)."""
    spec = WITNESS
    batch = masked_batch(spec["n"], spec["rank"], spec["n_masked"], spec["count"], seed=spec["seed"])
    k = spec["index"]
    truth, mask = batch.matrices[k], batch.masks[k]
    report = identifiability(batch.left[k], batch.right[k], mask)
    completion = complete(np.where(mask, truth, np.nan), spec["rank"], seed=0)
    return NonUniqueWitness(
        instance=dict(spec),
        slides_count_condition=report.slides_count_condition,
        jacobian_rank=report.jacobian_rank,
        degrees_of_freedom=report.degrees_of_freedom,
        truth=truth,
        completions=completion.alternatives,
        observed_residuals=[float(np.linalg.norm((x - truth)[mask]) / np.linalg.norm(truth[mask])) for x in completion.alternatives],
        third_singular_values=[float(np.linalg.svd(x, compute_uv=False)[spec["rank"]]) for x in completion.alternatives],
    )


@dataclass(frozen=True)
class Comparison:
    """The comparison table and the slide examples.

    Attributes:
        rows: one :class:`ComparisonRow` per (n, r, m).
        skipped: (n, r) pairs with no admissible mask count (n² ≤ dof).
        slide_examples: the four printed matrices.
        witness: a locally identifiable instance inside the slides' condition with two completions.
        quick: whether the quick sizes were used.
        seed: the base seed.
    """

    rows: list[ComparisonRow]
    skipped: list[tuple[int, int]]
    slide_examples: list[SlideExample]
    witness: NonUniqueWitness
    quick: bool
    seed: int


def compare(*, quick: bool = False, seed: int = 0, progress: bool = False, map_rows=None) -> Comparison:
    """Returns the comparison over n ∈ SIZES, r ∈ RANKS and the mask counts of :func:`mask_counts`.

    ``map_rows(tasks)``, when given, returns ``[comparison_row(task) for task in tasks]`` its own way
    (``riptools reproduce`` stores each row and spreads them over its executor).
    """
    from tqdm import tqdm

    seed = positive_int(seed, "seed", minimum=0)
    tasks = comparison_grid(quick=quick, seed=seed)
    if map_rows is None:
        rows = [comparison_row(task) for task in tqdm(tasks, desc="nn compare", disable=not progress, leave=False)]
    else:
        rows = map_rows(tasks)
    return Comparison(rows=list(rows), skipped=skipped_sizes(quick=quick), slide_examples=slide_examples(seed=seed),
                      witness=non_unique_witness(), quick=quick, seed=seed)


def skipped_sizes(*, quick: bool) -> list[tuple[int, int]]:
    """Returns the (n, r) pairs with no admissible mask count (n² ≤ dof)."""
    return [(n, r) for n in SIZES for r in RANKS if not mask_counts(n, r, quick=quick)]


# ----------------------------------------------------------------------------- protocols


@dataclass(frozen=True)
class ComparisonParams:
    """One cell of the comparison: the configuration and the network's budget.

    Attributes:
        n, rank, n_masked: the configuration. n_matrices: generated (90 % train, 10 % held out).
        max_epochs: the network's epoch cap (the slides: 10,000 epochs). seed: the data and the network.
    """

    n: int
    rank: int
    n_masked: int
    n_matrices: int = 5000
    max_epochs: int = 60
    seed: int = 0


def comparison_row(params: ComparisonParams) -> ComparisonRow:
    """Returns :func:`compare_one` for ``params``."""
    return compare_one(params.n, params.rank, params.n_masked, n_matrices=params.n_matrices,
                       max_epochs=params.max_epochs, seed=params.seed)


COMPARISON = Protocol(
    name="completion-row",
    run=comparison_row,
    params=ComparisonParams,
    sizes={"quick": {"n_matrices": 600, "max_epochs": 20}, "full": {"n_matrices": 5000, "max_epochs": 60}},
    command=lambda p: "riptools nn compare" + (" --quick" if p.n_matrices < 5000 else "") + f" --seed {p.seed} --json",
)
"""Network against exact completion for one (n, r, m); quick trains on 600 matrices for ≤ 20 epochs."""


def comparison_grid(*, quick: bool, seed: int) -> list[ComparisonParams]:
    """Returns the cells compared: every n ∈ SIZES, r ∈ RANKS and m of :func:`mask_counts`, seeds seed, seed+1, …"""
    grid = [(n, r, m) for n in SIZES for r in RANKS for m in mask_counts(n, r, quick=quick)]
    return [COMPARISON.sized(quick=quick, n=n, rank=r, n_masked=m, seed=seed + index)
            for index, (n, r, m) in enumerate(grid)]


@dataclass(frozen=True)
class SlideExamplesParams:
    """The printed slide examples, completed with restarts drawn from ``seed``."""

    seed: int = 0


@dataclass(frozen=True)
class SlideStudy:
    """The printed examples completed and checked, and the non-unique witness."""

    examples: tuple[SlideExample, ...]
    witness: NonUniqueWitness


def slide_study(params: SlideExamplesParams) -> SlideStudy:
    """Returns the four printed examples completed (:func:`slide_examples`) and the witness."""
    return SlideStudy(examples=tuple(slide_examples(seed=params.seed)), witness=non_unique_witness())


SLIDE_STUDY = Protocol(name="completion-slides", run=slide_study, params=SlideExamplesParams,
                       command=lambda p: f"riptools nn compare --quick --seed {p.seed} --json")
"""The printed examples and the witness (no sizes: the same at quick and full size)."""


@dataclass(frozen=True)
class ClaimNumbersParams:
    """The claims' computations: simulation sizes and seed, and the printed percentage to place.

    Attributes:
        seed: base seed (variance of rank r: seed + r; within 1σ: seed + 100 + r; density: seed).
        samples: simulated entries per rank.
        printed_within_one_sigma, printed_half_unit: a printed percentage and half its last digit; the
            ranks whose exact probability lies within are located (:func:`~riptools.completion.claims.ranks_printing_as`).
    """

    seed: int = 0
    samples: int = 200_000
    printed_within_one_sigma: float = 0.684
    printed_half_unit: float = 0.0005


@dataclass(frozen=True)
class ClaimNumbers:
    """The measurements behind the slides' claims about random rank-r matrices.

    Attributes:
        params: what was computed.
        variances: per rank of :data:`~riptools.completion.claims.RANKS`.
        density: the product-of-Gaussians law.
        degrees_of_freedom: per (n, r) of :data:`~riptools.completion.claims.DOF_SIZES`.
        within_one_sigma: per rank.
        printed_ranks: (first, last) ranks whose P(|M_ij| ≤ √r) rounds to the printed percentage.
    """

    params: ClaimNumbersParams
    variances: tuple[claim_numbers.VarianceMeasurement, ...]
    density: claim_numbers.DensityMeasurement
    degrees_of_freedom: tuple[claim_numbers.DegreesOfFreedomMeasurement, ...]
    within_one_sigma: tuple[claim_numbers.WithinOneSigmaMeasurement, ...]
    printed_ranks: tuple[int, int]


def claim_measurements(params: ClaimNumbersParams) -> ClaimNumbers:
    """Returns every measurement behind the slides' claims (see :class:`ClaimNumbers`)."""
    seed = positive_int(params.seed, "seed", minimum=0)
    return ClaimNumbers(
        params=params,
        variances=tuple(claim_numbers.measure_variance(r, seed=seed + r, samples=params.samples)
                        for r in claim_numbers.RANKS),
        density=claim_numbers.measure_product_density(seed=seed),
        degrees_of_freedom=tuple(claim_numbers.measure_degrees_of_freedom(n, r, seed=seed)
                                 for n, r in claim_numbers.DOF_SIZES),
        within_one_sigma=tuple(claim_numbers.measure_within_one_sigma(r, seed=seed + 100 + r, samples=params.samples)
                               for r in claim_numbers.RANKS),
        printed_ranks=claim_numbers.ranks_printing_as(params.printed_within_one_sigma, params.printed_half_unit),
    )


CLAIM_NUMBERS = Protocol(
    name="completion-claims",
    run=claim_measurements,
    params=ClaimNumbersParams,
    sizes={"quick": {"samples": 50_000}, "full": {"samples": 200_000}},
    command=lambda p: f"riptools nn claims --seed {p.seed} --samples {p.samples} --json",
)
"""The claims' numbers; quick simulates 50,000 entries per rank, full 200,000."""
