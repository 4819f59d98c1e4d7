"""The sharp-threshold atlas: for every small (r, r★), the smallest δ*(X, Z) found, certified exactly.

For 1 ≤ r★ ≤ S and r★ ≤ r ≤ R, one cell runs :func:`riptools.search.search_min_delta` in
d = r + r★ dimensions (the reduction of :mod:`riptools.counterexample` makes n = d lose nothing)
with random starts and structured starts built from the best points of the smaller cells
(r − 1, r★), (r − 1, r★ − 1) and (r − r★ + 1, 1). Its best point is re-solved, certified
numerically and exactly (rational LDLᵀ), and the cell also measures δ* at the *construction*: the
best (r − r★ + 1, 1) point with r★ − 1 matched directions beside it (:func:`riptools.search.embed_point`),
so the construction's value is a computed number, not a quoted one.

Cells are computed in order of r + r★ (a cell's structured starts need the smaller cells); the cells
of one level are independent tasks. No verdicts here: the theory and the verdicts live in
:mod:`riptools.sources.sharp_thresholds`.

Example:
    >>> cell = run_cell(AtlasCellParams(rank=1, true_rank=1, starts=1, max_evaluations=40))
    >>> abs(cell.delta - 0.5) < 1e-6 and cell.exact_verified
    True
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from riptools.counterexample import counterexample_sdp
from riptools.protocols import Protocol
from riptools.search import DEFAULT_MAX_EVALUATIONS, embed_point, search_min_delta
from riptools.validation import InputError, positive_int

DEFAULT_STARTS = 4
"""Random starts per cell (structured starts come on top: STRUCTURED_PER_SEED per smaller cell)."""


@dataclass(frozen=True)
class AtlasCellParams:
    """One cell of the atlas.

    Attributes:
        rank, true_rank: r and r★ (r ≥ r★).
        starts: random starts.
        seed: seed of the random starts and of the structured starts' mixing.
        max_evaluations: SDP solves per start.
        seeds: best points of smaller cells, ((X rows), (Z rows)) as nested tuples of floats.
        construction: the best (r − r★ + 1, 1) point (same form), or () when r★ = 1.
    """

    rank: int
    true_rank: int
    starts: int = DEFAULT_STARTS
    seed: int = 0
    max_evaluations: int = DEFAULT_MAX_EVALUATIONS
    seeds: tuple = ()
    construction: tuple = ()


@dataclass(frozen=True)
class AtlasCell:
    """What one cell found (data only).

    Attributes:
        rank, true_rank, n: the shape (n = r + r★).
        delta: δ* at the best point, from a fresh default-accuracy solve.
        x, z: the best point (n×r, n×r★).
        certified: the numeric certificate's verdict (:func:`riptools.certify.certify_result`).
        classification: what X is for the recovered operator.
        exact_delta: δ' of the exact certificate as ``"p/q"`` ("" when none was made).
        exact_delta_float: float(δ').
        exact_verified: every exact check passed.
        construction_delta: δ* at the construction point (None when r★ = 1: the cell is its own base).
        starts: local searches run (random + structured); solves: SDP solves they spent.
        per_start: [(kind, δ*, solves, stopping reason)] of every start.
        seconds: wall time of the cell.
    """

    rank: int
    true_rank: int
    n: int
    delta: float
    x: tuple
    z: tuple
    certified: bool
    classification: str
    exact_delta: str
    exact_delta_float: float
    exact_verified: bool
    construction_delta: float | None
    starts: int
    solves: int
    per_start: tuple
    seconds: float


def as_nested(matrix: np.ndarray) -> tuple:
    """Returns a matrix as a tuple of row tuples of floats (hashable, JSON-ready, exact)."""
    return tuple(tuple(float(v) for v in row) for row in np.asarray(matrix, dtype=float))


def run_cell(params: AtlasCellParams, *, workers: int = 1, scheduler: str | None = None) -> AtlasCell:
    """Returns the cell (r, r★): best δ* from random and structured starts, certified, and the construction's δ*.

    Args:
        params: the cell.
        workers, scheduler: where its starts run (:func:`riptools.executors.make_executor`).
    """
    begin = time.perf_counter()
    rank, true_rank = params.rank, params.true_rank
    n = rank + true_rank
    seeds = [(np.array(x), np.array(z)) for x, z in params.seeds]
    construction_delta = None
    if params.construction:
        base_x, base_z = (np.array(m) for m in params.construction)
        x, z, _ = embed_point(base_x, base_z, rank, true_rank, rng=np.random.default_rng(params.seed))
        construction_delta = float(counterexample_sdp(x, z).delta)
    found = search_min_delta(n, rank, true_rank, starts=params.starts, seed=params.seed,
                             max_evaluations=params.max_evaluations, seeds=seeds, workers=workers, scheduler=scheduler)
    exact = found.exact_certificate
    return AtlasCell(
        rank=rank, true_rank=true_rank, n=n, delta=found.delta, x=as_nested(found.best_x), z=as_nested(found.best_z),
        certified=found.certificate.certified, classification=found.certificate.classification,
        exact_delta=exact.delta if exact else "", exact_delta_float=exact.delta_float if exact else float("nan"),
        exact_verified=bool(exact and exact.verified), construction_delta=construction_delta,
        starts=len(found.starts), solves=found.evaluations,
        per_start=tuple((s.kind, s.delta, s.evaluations, s.stopping_reason) for s in found.starts),
        seconds=time.perf_counter() - begin,
    )


@dataclass(frozen=True)
class AtlasParams:
    """The whole atlas: every (r, r★) with 1 ≤ r★ ≤ max_true_rank, r★ ≤ r ≤ max_rank.

    Attributes:
        max_rank: R.
        max_true_rank: S (≤ R).
        starts: random starts per cell.
        seed: base seed.
        max_evaluations: SDP solves per start.
    """

    max_rank: int = 2
    max_true_rank: int = 2
    starts: int = DEFAULT_STARTS
    seed: int = 0
    max_evaluations: int = DEFAULT_MAX_EVALUATIONS


@dataclass(frozen=True)
class AtlasResult:
    """The atlas's cells in computing order (by r + r★, then r★), and its parameters and time."""

    params: AtlasParams
    cells: tuple
    seconds: float


def check_atlas_params(params: AtlasParams) -> AtlasParams:
    """Returns the parameters validated.

    Raises:
        InputError: non-positive sizes, or max_true_rank > max_rank (there would be no cell r ≥ r★).
    """
    max_rank = positive_int(params.max_rank, "max_rank")
    max_true_rank = positive_int(params.max_true_rank, "max_true_rank")
    positive_int(params.starts, "starts")
    positive_int(params.max_evaluations, "max_evaluations", minimum=10)
    if max_true_rank > max_rank:
        raise InputError(f"max_true_rank: expected ≤ max_rank = {max_rank}, got {max_true_rank}")
    return params


def cell_levels(max_rank: int, max_true_rank: int) -> list[list[tuple[int, int]]]:
    """Returns the cells (r, r★) grouped by r + r★ ascending: the cells of a level only need smaller levels.

    Example:
        >>> cell_levels(3, 2)
        [[(1, 1)], [(2, 1)], [(3, 1), (2, 2)], [(3, 2)]]
    """
    cells = [(r, s) for s in range(1, max_true_rank + 1) for r in range(s, max_rank + 1)]
    levels = sorted({r + s for r, s in cells})
    return [[(r, s) for r, s in cells if r + s == level] for level in levels]


def _seed_cells(rank: int, true_rank: int) -> list[tuple[int, int]]:
    """Returns the smaller cells whose best points seed (r, r★): (r − 1, r★), (r − 1, r★ − 1), (r − r★ + 1, 1)."""
    candidates = [(rank - 1, true_rank), (rank - 1, true_rank - 1), (rank - true_rank + 1, 1)]
    return list(dict.fromkeys((r, s) for r, s in candidates if 1 <= s <= r and (r, s) != (rank, true_rank)))


def cell_params(params: AtlasParams, rank: int, true_rank: int, found: dict) -> AtlasCellParams:
    """Returns the parameters of cell (r, r★) given the cells ``found`` so far ({(r, r★): AtlasCell})."""
    seeds = tuple((found[key].x, found[key].z) for key in _seed_cells(rank, true_rank) if key in found)
    base = found.get((rank - true_rank + 1, 1)) if true_rank > 1 else None
    return AtlasCellParams(rank=rank, true_rank=true_rank, starts=params.starts, seed=params.seed,
                           max_evaluations=params.max_evaluations, seeds=seeds,
                           construction=(base.x, base.z) if base else ())


def run_atlas(params: AtlasParams, *, run_cells=None) -> AtlasResult:
    """Returns the atlas: every cell, level by level.

    Args:
        params: the atlas.
        run_cells: ``run_cells(list of AtlasCellParams) -> list of AtlasCell`` for one level (for
            example ``ReproduceContext.run`` with :data:`ATLAS_CELL`, or :func:`run_cell` with a
            process pool for each cell's starts); default: :func:`run_cell` in this process.
    """
    check_atlas_params(params)
    begin = time.perf_counter()
    run_cells = run_cells or (lambda cells: [run_cell(cell) for cell in cells])
    found: dict = {}
    order = []
    for level in cell_levels(params.max_rank, params.max_true_rank):
        cells = run_cells([cell_params(params, r, s, found) for r, s in level])
        for (r, s), cell in zip(level, cells):
            found[(r, s)] = cell
            order.append(cell)
    return AtlasResult(params=params, cells=tuple(order), seconds=time.perf_counter() - begin)


def replay_command(params: AtlasParams) -> str:
    """Returns the command that recomputes the atlas ``params``."""
    return (f"riptools counterexample atlas --max-rank {params.max_rank} --max-true-rank {params.max_true_rank} "
            f"--starts {params.starts} --seed {params.seed} --json")


ATLAS_CELL = Protocol(name="atlas-cell", run=run_cell, params=AtlasCellParams,
                      sizes={"quick": {"starts": 1}, "full": {"starts": DEFAULT_STARTS}})
"""One cell of the atlas (its parameters carry the smaller cells' points, so a level's cells are independent tasks)."""
ATLAS = Protocol(name="atlas", run=run_atlas, params=AtlasParams,
                 sizes={"quick": {"max_rank": 2, "max_true_rank": 2, "starts": 1},
                        "full": {"max_rank": 4, "max_true_rank": 2, "starts": DEFAULT_STARTS}},
                 command=replay_command)
"""The whole atlas: quick R = 2 (cells (1,1), (2,1), (2,2)), full R = 4, S = 2 (seven cells)."""
