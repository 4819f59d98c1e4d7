"""RIP constants of the shipped operators and of Gaussian operators as m grows (REPORT.md section)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from riptools.report import Section, VerdictRow
from riptools.rip import SDP_MAX_N, RipResult, rip_constant
from riptools.sensing import gaussian_operator, half_example, svec_dimension


FULL_EXPECTED_SECONDS = 30

@dataclass(frozen=True)
class GaussianSweep:
    """RIP constants of Gaussian operators (E‖A(M)‖² = ‖M‖²) against the number of measurements.

    Attributes:
        n: matrix size.
        rank: the low rank at which bounds are computed.
        measurements: the values of m.
        seeds: one operator per (m, seed).
        exact_delta: δ over all of Sⁿ (exact), shape (len(measurements), len(seeds)).
        rank_lower, rank_upper: bounds on δ at ``rank``, same shape.
    """

    n: int
    rank: int
    measurements: list[int]
    seeds: list[int]
    exact_delta: np.ndarray
    rank_lower: np.ndarray
    rank_upper: np.ndarray


def gaussian_cell(n: int, rank: int, m: int, seed: int, starts: int) -> dict:
    """Returns {"exact", "lower", "upper"}: δ on Sⁿ and the rank bounds for one Gaussian operator."""
    operator = gaussian_operator(n, m, seed=seed)
    bounds = rip_constant(operator, rank, starts=starts, seed=seed)
    return {"exact": rip_constant(operator, n).delta, "lower": bounds.lower, "upper": bounds.upper}


def gaussian_sweep(n: int, rank: int, measurements, seeds, *, starts: int, context=None) -> GaussianSweep:
    """Returns the exact full-space δ and the rank-``rank`` bounds for Gaussian operators.

    With a ``context`` (see :mod:`riptools.reproduce`) the cells run on its executor and are stored.
    """
    params = [{"n": n, "rank": rank, "m": m, "seed": seed, "starts": starts} for m in measurements for seed in seeds]
    if context is None:
        cells = [gaussian_cell(**p) for p in params]
    else:
        cells = context.map_cached("rip-gaussian-cell", gaussian_cell, params, desc="RIP sweep")
    shape = (len(measurements), len(seeds))
    values = {key: np.array([cell[key] for cell in cells]).reshape(shape) for key in ("exact", "lower", "upper")}
    return GaussianSweep(n, rank, list(measurements), list(seeds), values["exact"], values["lower"], values["upper"])


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


def _row(name: str, result: RipResult) -> str:
    kind = "exact" if result.exact else f"[{result.lower:.6g}, {result.upper:.6g}]"
    return (f"| {name} | {result.rank} | {result.delta:.6g} | {kind} | {result.delta_scaled:.6g} | "
            f"[{result.delta_scaled_lower:.6g}, {result.delta_scaled_upper:.6g}] |")


def reproduce_section(context) -> Section:
    """Returns the RIP-constants section: the δ = 1/2 example and a Gaussian sweep."""
    examples = {normalisation: half_example(normalisation).operator for normalisation in ("slides", "rip")}
    results = {f"half[{name}] rank {rank}": rip_constant(op, rank) for name, op in examples.items() for rank in (1, 2)}
    n, rank = (3, 2) if context.quick else (4, 2)
    measurements = [6, 12, 24, 48, 96] if context.quick else [10, 20, 40, 80, 160, 320]
    seeds = list(range(context.seed, context.seed + (2 if context.quick else 5)))
    sweep = gaussian_sweep(n, rank, measurements, seeds, starts=5 if context.quick else 20, context=context)
    context.save_result("rip_constants", {"examples": {k: v.summary() for k, v in results.items()}, "gaussian_sweep": sweep})
    figure = context.figure_path("rip_gaussian_sweep")
    plot_gaussian_sweep(sweep, figure)

    slides = results["half[slides] rank 2"]
    lines = [
        "RIP constant δ over symmetric matrices of rank ≤ r: `(1−δ)‖M‖² ≤ ‖A(M)‖² ≤ (1+δ)‖M‖²`, as given and "
        "after the best rescaling A → cA. Exact when r ≥ n (kernel eigenvalues); otherwise a witness lower "
        f"bound and an upper bound (full-space eigenvalues, SDP relaxation for n ≤ {SDP_MAX_N}).",
        "",
        "| operator | rank ≤ | δ | exact / bounds | δ rescaled | rescaled bounds |",
        "|---|---|---|---|---|---|",
        *[_row(name, result) for name, result in results.items()],
        "",
        f"Gaussian operators, n = {n} (N = {svec_dimension(n)}), seeds {seeds}: mean exact δ on Sⁿ by m: "
        + ", ".join(f"m={m}: {d:.3f}" for m, d in zip(measurements, sweep.exact_delta.mean(axis=1))) + ".",
    ]
    verdicts = [VerdictRow(
        claim="The δ = 1/2 example satisfies ½-RIP",
        source="seed 002, slides 17-19",
        source_says="A₁, A₂, A₃ as printed satisfy ½-RIP",
        measured=f"as printed δ = {slides.delta:.6g}; after rescaling δ = {slides.delta_scaled:.6g} (exact, rank 2 = n)",
        verdict="agrees" if abs(slides.delta_scaled - 0.5) < 1e-12 else "differs",
        reason="" if abs(slides.delta - 0.5) < 1e-12 else (
            f"only after rescaling A → {slides.best_scale:.6g}·A: as printed λ_min = {slides.lambda_min_bounds[0]:.6g}, "
            f"λ_max = {slides.lambda_max_bounds[1]:.6g}"),
    )]
    return Section(
        title="RIP constants",
        markdown="\n".join(lines),
        verdicts=verdicts,
        figures=[figure.name],
        commands=["riptools rip --example half --rank 2", "riptools rip --example half --normalisation slides --rank 2 --json",
                  "riptools reproduce --only rip_constants"],
        order=10,
    )
