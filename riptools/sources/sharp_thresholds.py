"""R. Y. Zhang, "Sharp global guarantees for nonconvex low-rank matrix recovery in the overparameterized regime" (2021).

What the document says (abstract of arXiv:2104.10790v1), for f(U) = ‖A(UUᵀ − ZZᵀ)‖², U ∈ R^{n×r},
rank Z = r★ ≤ r, A δ-RIP:

* δ < 1/(1 + √(r★/r)) is *sufficient* for no spurious local minima;
* δ < 1/(1 + 1/√(r − r★ + 1)) is *necessary*: counterexamples exist at every larger δ;
* so δ < 1/2 is sharp when r = r★ (for r = 1 already Zhang, Sojoudi, Lavaei, JMLR 2019), and
  δ < 1/(1 + 1/√r) is sharp when r★ = 1 (both bounds coincide);
* for r★ ≥ 2 and r > r★ the two bounds differ, and the true threshold lies between them (open).

What riptools does with it: the atlas (:mod:`riptools.protocols.atlas`) searches, for every small
(r, r★), the smallest δ*(X, Z) of the counterexample SDP, certifies the best point exactly, and
measures δ* at the construction (an (r − r★ + 1, 1) point beside r★ − 1 matched directions). Each
cell becomes a :class:`riptools.findings.Finding` whose verdict is computed here from the data:

* ``agrees``: the certified δ is ≥ the sufficient bound, and on a sharp cell within SHARP_TOL of the
  sharp value (a reproduction); on an open cell it is an upper bound on the threshold (no proof);
* ``inconclusive``: a sharp cell the search did not reach within SHARP_TOL, or a cell whose exact
  certificate failed;
* ``refuted``: an exactly certified δ' below the sufficient bound (a spurious second-order critical
  point the theorem excludes);
* a certified δ' below the construction on an open cell is flagged as a *new counterexample* (an
  ``agrees`` finding: it moves the open threshold, it contradicts nothing).
"""

from __future__ import annotations

import math

from riptools.findings import Finding, Reference, Section, Verdict
from riptools.protocols.atlas import ATLAS, ATLAS_CELL, AtlasCell, AtlasParams, run_atlas

REFERENCE = Reference(
    key="sharp_thresholds",
    authors=("R. Y. Zhang",),
    title="Sharp global guarantees for nonconvex low-rank matrix recovery in the overparameterized regime",
    venue="arXiv",
    year=2021,
    arxiv="2104.10790",
)
RELATED = (
    Reference(key="jmlr2019", authors=("R. Y. Zhang", "S. Sojoudi", "J. Lavaei"),
              title="Sharp restricted isometry bounds for the inexistence of spurious local minima in nonconvex matrix recovery",
              venue="JMLR", year=2019),
)
SHARP_TOL = 1e-4
"""A sharp value is reproduced when the search's δ is within this of it (the issue's tolerance)."""
CERTIFIED_TOL = 1e-6
"""An exact δ' counts as below a bound only by more than this: δ' exceeds the solver's δ* by ≤ 2e-7
(EXACT_DELTA_SLACK and rounding), so anything closer is the same value."""
ROW_VERDICTS = ("sharp within tolerance", "consistent with theory", "flagged new counterexample",
                "below the sufficient bound", "not certified")
"""The atlas row verdicts, in the order of :func:`row_verdict`'s cases."""


def theory_sufficient(rank: int, true_rank: int) -> float:
    """Returns 1/(1 + √(r★/r)): δ below it excludes spurious local minima (1/2 when r = r★).

    Example:
        >>> round(theory_sufficient(3, 2), 6)
        0.55051
    """
    return 1.0 / (1.0 + math.sqrt(true_rank / rank))


def known_construction(rank: int, true_rank: int) -> float:
    """Returns 1/(1 + 1/√(r − r★ + 1)): counterexamples exist for every δ above it.

    Example:
        >>> round(known_construction(3, 2), 6)
        0.585786
    """
    return 1.0 / (1.0 + 1.0 / math.sqrt(rank - true_rank + 1))


def sharp_value(rank: int, true_rank: int) -> float | None:
    """Returns the proved sharp threshold (r = r★: 1/2; r★ = 1: 1/(1 + 1/√r)), or None where it is open."""
    return known_construction(rank, true_rank) if (rank == true_rank or true_rank == 1) else None


def theory_reference(rank: int, true_rank: int) -> str:
    """Returns the citation of the theory values of cell (r, r★)."""
    if rank == true_rank == 1:
        return f"{RELATED[0].short}; {REFERENCE.short}"
    return REFERENCE.short


def row_verdict(cell: AtlasCell) -> tuple[str, str]:
    """Returns (row verdict, reason) of one atlas cell (one of ROW_VERDICTS), from its certified data."""
    r, s = cell.rank, cell.true_rank
    sufficient, construction, sharp = theory_sufficient(r, s), known_construction(r, s), sharp_value(r, s)
    if not cell.exact_verified:
        return ROW_VERDICTS[4], f"the exact certificate of δ = {cell.delta:.8f} did not verify"
    exact = cell.exact_delta_float
    if exact < sufficient - CERTIFIED_TOL:
        return ROW_VERDICTS[3], (f"exactly certified δ' = {cell.exact_delta} < sufficient bound {sufficient:.6f}: "
                                 "a spurious second-order critical point the theorem excludes")
    if sharp is not None and abs(cell.delta - sharp) <= SHARP_TOL:
        return ROW_VERDICTS[0], f"|δ − {sharp:.6f}| = {abs(cell.delta - sharp):.1e} ≤ {SHARP_TOL:g} (proved sharp)"
    if sharp is None and exact < construction - CERTIFIED_TOL:
        return ROW_VERDICTS[2], (f"exactly certified δ' = {cell.exact_delta} < known construction {construction:.6f} "
                                 f"on an open cell")
    if sharp is not None:
        return ROW_VERDICTS[1], f"δ = {cell.delta:.8f} ≥ {sufficient:.6f}, but {cell.delta - sharp:.1e} above the sharp value"
    return ROW_VERDICTS[1], (f"δ = {cell.delta:.8f} ≥ sufficient {sufficient:.6f}; {cell.delta - construction:+.1e} from the "
                             f"construction {construction:.6f}: an upper bound on the open threshold")


def atlas_row(cell: AtlasCell) -> dict:
    """Returns the JSON row of one cell: the issue's keys, then the verdict and what it rests on."""
    verdict, reason = row_verdict(cell)
    return {
        "rank": cell.rank,
        "true_rank": cell.true_rank,
        "n": cell.n,
        "delta": cell.delta,
        "theory_sufficient": theory_sufficient(cell.rank, cell.true_rank),
        "known_construction": known_construction(cell.rank, cell.true_rank),
        "exact_certificate": {"delta": cell.exact_delta, "verified": cell.exact_verified},
        "x": [list(row) for row in cell.x],
        "z": [list(row) for row in cell.z],
        "starts": cell.starts,
        "seconds": cell.seconds,
        "verdict": verdict,
        "reason": reason,
        "solves": cell.solves,
        "classification": cell.classification,
        "sharp_value": sharp_value(cell.rank, cell.true_rank),
        "construction_measured": cell.construction_delta,
        "theory_reference": theory_reference(cell.rank, cell.true_rank),
    }


def cell_finding(cell: AtlasCell, params: AtlasParams) -> Finding:
    """Returns the Finding of one atlas cell (verdict computed from the cell's certified data)."""
    row = atlas_row(cell)
    r, s = cell.rank, cell.true_rank
    sharp = row["sharp_value"]
    label = row["verdict"]
    verdict = {ROW_VERDICTS[0]: Verdict.AGREES, ROW_VERDICTS[2]: Verdict.AGREES, ROW_VERDICTS[3]: Verdict.REFUTED,
               ROW_VERDICTS[4]: Verdict.INCONCLUSIVE}.get(label, Verdict.AGREES if sharp is None else Verdict.INCONCLUSIVE)
    if sharp is not None:
        says = f"δ < {sharp:.6f} excludes spurious local minima, and {sharp:.6f} is sharp"
        place = "abstract: r★ = 1 sharp threshold 1/(1+1/√r)" if s == 1 and r > 1 else "abstract: δ < 1/2 necessary and sufficient"
    else:
        says = (f"δ < {row['theory_sufficient']:.6f} = 1/(1+√(r★/r)) is sufficient; counterexamples exist above "
                f"{row['known_construction']:.6f} = 1/(1+1/√(r−r★+1)); the threshold between is open")
        place = "abstract: sufficient 1/(1+√(r★/r)), necessary 1/(1+1/√(r−r★+1))"
    construction = "" if cell.construction_delta is None else f"; δ* at the construction = {cell.construction_delta:.8f}"
    return Finding(
        id=f"sharp_thresholds.atlas[r={r},r*={s}]",
        source=REFERENCE.at(place),
        statement=f"r = {r}, r★ = {s}: the smallest RIP constant δ of an operator with a spurious second-order critical point",
        source_says=says,
        measured=(f"min δ* = {cell.delta:.8f} over {cell.starts} starts ({cell.solves} SDP solves), exact δ' = "
                  f"{cell.exact_delta} ({'verified' if cell.exact_verified else 'NOT verified'}); X is a "
                  f"{cell.classification}{construction}"),
        verdict=verdict,
        reason=f"{label}: {row['reason']}" + ("" if sharp is not None else "; a finite search proves no threshold"),
        evidence=row,
        replay=ATLAS.replay(params),
        counterexample_size=f"n = {cell.n}, r = {r}, r★ = {s}" if verdict is Verdict.REFUTED else "",
    )


def plot_atlas(cells, path) -> None:
    """Writes the figure: δ found against r for each r★, with the sufficient and construction curves."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6.4, 4.4))
    true_ranks = sorted({cell.true_rank for cell in cells})
    for index, s in enumerate(true_ranks):
        color = f"C{index}"
        mine = sorted((c for c in cells if c.true_rank == s), key=lambda c: c.rank)
        ranks = [c.rank for c in mine]
        dense = [s + k / 20 for k in range(20 * (max(ranks) - s) + 1)]
        ax.plot(dense, [theory_sufficient(r, s) for r in dense], "--", color=color, lw=1,
                label=f"r★ = {s}: sufficient 1/(1+√(r★/r))")
        ax.plot(ranks, [known_construction(r, s) for r in ranks], ":", color=color, lw=1, marker="x",
                label=f"r★ = {s}: construction 1/(1+1/√(r−r★+1))")
        ax.plot(ranks, [c.delta for c in mine], "o", color=color, ms=7, mfc="none", label=f"r★ = {s}: δ found (certified)")
    ax.set_xticks(sorted({cell.rank for cell in cells}))
    ax.set_xlabel("search rank r")
    ax.set_ylabel("δ")
    ax.set_title("Sharp-threshold atlas: smallest δ* found per (r, r★)")
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def _atlas(context) -> tuple[AtlasParams, tuple]:
    params = ATLAS.sized(quick=context.quick, seed=context.seed)
    result = run_atlas(params, run_cells=lambda cells: context.run(ATLAS_CELL, cells, desc="atlas cells"))
    return params, result.cells


def check_atlas(context) -> list[Finding]:
    """Returns one Finding per atlas cell at the context's size."""
    params, cells = _atlas(context)
    return [cell_finding(cell, params) for cell in cells]


CHECKS = (check_atlas,)
RECORDED = {
    "sharp_thresholds.atlas[r=1,r*=1]": Verdict.AGREES,
    "sharp_thresholds.atlas[r=2,r*=1]": Verdict.AGREES,
    "sharp_thresholds.atlas[r=2,r*=2]": Verdict.AGREES,
}
"""Verdicts at the quick size (R = 2, S = 2), as riptools recorded them."""
FULL_EXPECTED_SECONDS = 3600
"""Expected ``--full`` time (R = 4, S = 2) on 2 cores: an estimate, not a completed measurement (a run
with 2 workers at load average 14–19 on 2 cores was stopped after 58 min; the (4, 2) cell's SDP has
N = 21 and takes about 1 s per solve on an idle core, 10 starts × ~200 solves)."""


def reproduce_section(context) -> Section:
    """Returns the atlas section: a table of every cell, its verdict, the figure, and the replay command."""
    params, cells = _atlas(context)
    findings = [cell_finding(cell, params) for cell in cells]
    rows = [atlas_row(cell) for cell in cells]
    context.save_result("sharp_thresholds_atlas", rows)
    figure = context.figure_path("sharp_thresholds_atlas")
    plot_atlas(cells, figure)
    lines = ["| r | r★ | δ found | exact δ' | sufficient | construction (measured) | sharp | starts | solves | verdict |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for row in rows:
        sharp = "open" if row["sharp_value"] is None else f"{row['sharp_value']:.6f}"
        measured = "" if row["construction_measured"] is None else f" ({row['construction_measured']:.6f})"
        lines.append(f"| {row['rank']} | {row['true_rank']} | {row['delta']:.8f} | {row['exact_certificate']['delta']} "
                     f"({'verified' if row['exact_certificate']['verified'] else 'NOT verified'}) | "
                     f"{row['theory_sufficient']:.6f} | {row['known_construction']:.6f}{measured} | {sharp} | "
                     f"{row['starts']} | {row['solves']} | {row['verdict']} |")
    sharp_rows = [r for r in rows if r["verdict"] == ROW_VERDICTS[0]]
    open_rows = [r for r in rows if r["sharp_value"] is None]
    summary = (f"{len(sharp_rows)} of {sum(r['sharp_value'] is not None for r in rows)} cells with a proved sharp value "
               f"reproduce it within {SHARP_TOL:g}; {len(open_rows)} open cell(s)"
               + (": " + "; ".join(f"(r, r★) = ({r['rank']}, {r['true_rank']}) best δ = {r['delta']:.8f}, "
                                   f"{r['delta'] - r['known_construction']:+.1e} from the construction"
                                   for r in open_rows) if open_rows else "")
               + f". Every exact certificate verified: {all(r['exact_certificate']['verified'] for r in rows)}.")
    markdown = "\n".join([
        f"Theory: {REFERENCE.full} For r★ ≤ r, δ < 1/(1+√(r★/r)) is sufficient and counterexamples exist above "
        "1/(1+1/√(r−r★+1)); the two meet at r = r★ (1/2) and at r★ = 1 (1/(1+1/√r)). "
        f"Rank 1: {RELATED[0].full}",
        "",
        summary,
        "",
        *lines,
    ])
    return Section(title="Sharp-threshold atlas", markdown=markdown, findings=tuple(findings), figures=(figure.name,),
                   commands=(ATLAS.replay(params),), order=60, source=REFERENCE.key)
