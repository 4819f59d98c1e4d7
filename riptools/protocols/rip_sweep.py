"""RIP constants of Gaussian operators against the number of measurements m: one task per (m, seed).

A task draws the Gaussian operator of (n, m, seed) (E‖A(M)‖² = ‖M‖², see
:func:`riptools.sensing.gaussian_operator`) and computes its RIP constant on all of Sⁿ (exact) and
certified bounds at ``rank`` (:func:`riptools.rip.rip_constant`). No verdict is drawn here.

Example:
    >>> cell = gaussian_cell(GaussianCellParams(n=2, rank=1, m=6, seed=0, starts=2))
    >>> cell.lower <= cell.upper and cell.exact >= cell.upper - 1e-9
    True
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from riptools.protocols import Protocol
from riptools.rip import rip_constant
from riptools.sensing import gaussian_operator


@dataclass(frozen=True)
class GaussianCellParams:
    """One Gaussian operator: matrix size n, the rank of the bounds, m measurements, its seed, search starts."""

    n: int
    rank: int
    m: int
    seed: int
    starts: int


@dataclass(frozen=True)
class GaussianCell:
    """δ of one Gaussian operator: ``exact`` on all of Sⁿ, and [``lower``, ``upper``] at rank ≤ ``rank``."""

    exact: float
    lower: float
    upper: float


def gaussian_cell(params: GaussianCellParams) -> GaussianCell:
    """Returns δ on Sⁿ and the certified rank-``params.rank`` bounds of one Gaussian operator."""
    operator = gaussian_operator(params.n, params.m, seed=params.seed)
    bounds = rip_constant(operator, params.rank, starts=params.starts, seed=params.seed)
    return GaussianCell(exact=float(rip_constant(operator, params.n).delta), lower=float(bounds.lower),
                        upper=float(bounds.upper))


GAUSSIAN_CELL = Protocol(
    name="rip-gaussian-cell",
    run=gaussian_cell,
    params=GaussianCellParams,
    sizes={
        "quick": {"n": 3, "rank": 2, "starts": 5, "measurements": (6, 12, 24, 48, 96), "seeds": 2},
        "full": {"n": 4, "rank": 2, "starts": 20, "measurements": (10, 20, 40, 80, 160, 320), "seeds": 5},
    },
)
"""The RIP-sweep protocol; a sweep is one task per m in ``measurements`` and per seed (``seeds`` of them)."""


@dataclass(frozen=True)
class GaussianSweep:
    """RIP constants of Gaussian operators against m (the data behind the sweep's figure).

    Attributes:
        n, rank: matrix size and the rank of the bounds.
        measurements: the values of m.
        seeds: one operator per (m, seed).
        exact_delta: δ over all of Sⁿ (exact), shape (len(measurements), len(seeds)).
        rank_lower, rank_upper: bounds on δ at ``rank``, same shape.
    """

    n: int
    rank: int
    measurements: tuple
    seeds: tuple
    exact_delta: np.ndarray
    rank_lower: np.ndarray
    rank_upper: np.ndarray


def sweep_tasks(*, quick: bool, seed: int) -> list[GaussianCellParams]:
    """Returns the tasks of the declared quick or full sweep, seeds ``seed``, ``seed + 1``, ..."""
    seeds = range(seed, seed + GAUSSIAN_CELL.size("seeds", quick=quick))
    return [GAUSSIAN_CELL.sized(quick=quick, m=m, seed=s) for m in GAUSSIAN_CELL.size("measurements", quick=quick)
            for s in seeds]


def gather(tasks, cells) -> GaussianSweep:
    """Returns the :class:`GaussianSweep` of tasks (from :func:`sweep_tasks`) and their cells."""
    measurements = tuple(dict.fromkeys(task.m for task in tasks))
    seeds = tuple(dict.fromkeys(task.seed for task in tasks))
    shape = (len(measurements), len(seeds))
    values = {key: np.array([getattr(cell, key) for cell in cells]).reshape(shape) for key in ("exact", "lower", "upper")}
    return GaussianSweep(tasks[0].n, tasks[0].rank, measurements, seeds, values["exact"], values["lower"], values["upper"])


def plot_gaussian_sweep(sweep: GaussianSweep, path) -> None:
    """Writes the figure of δ against m (exact on Sⁿ, and the rank bounds) to ``path``."""
    import matplotlib.pyplot as plt

    m = np.array(sweep.measurements)
    figure, axes = plt.subplots(figsize=(6, 4))
    axes.plot(m, sweep.exact_delta.mean(axis=1), "o-", label=f"δ on all of S^{sweep.n} (exact)")
    axes.fill_between(m, sweep.rank_lower.mean(axis=1), sweep.rank_upper.mean(axis=1), alpha=0.3,
                      label=f"δ at rank ≤ {sweep.rank}: [lower, upper]")
    axes.plot(m, sweep.rank_lower.mean(axis=1), "s--", label=f"rank ≤ {sweep.rank} witness (lower)")
    axes.set_xscale("log")
    axes.set_xlabel("measurements m")
    axes.set_ylabel("RIP constant δ (mean over seeds)")
    axes.set_title(f"Gaussian operators, n = {sweep.n}")
    axes.legend()
    axes.grid(True, which="both", alpha=0.3)
    figure.tight_layout()
    figure.savefig(path, dpi=120)
    plt.close(figure)
