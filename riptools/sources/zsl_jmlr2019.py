"""Zhang, Sojoudi, Lavaei (JMLR 2019): the rank-1 threshold δ < 1/2 is sharp; Theorem 12's closed-form bound.

Checked here: the closed-form lower bound δ_lb(ρ, φ) ≤ δ*(x, z) of Theorem 12 on a (ρ, φ) grid; the
sharpness of 1/2 at the δ = 1/2 example of the talk slides (the smallest δ making its x spurious
is 1/2, and a strict spurious minimum there needs δ > 1/2); the rank-1 threshold itself (as the talk
states it on slide 25, "Theorem 2") by searching for the smallest δ* over (x, z).
"""

from __future__ import annotations

import numpy as np

from riptools.findings import Finding, Reference, Section, Verdict
from riptools.protocols import counterexample_search as cs
from riptools.sources._sharp_rip import SDP_TOL, half_facts, point_kind, random_pairs
from riptools.sources._text import yes_no

REFERENCE = Reference(
    key="zsl_jmlr2019",
    authors=("R. Y. Zhang", "S. Sojoudi", "J. Lavaei"),
    title="Sharp restricted isometry bounds for the inexistence of spurious local minima in nonconvex matrix recovery",
    venue="JMLR",
    year=2019,
    arxiv="1901.01631",
    url="https://jmlr.org/papers/v20/19-020.html",
)

FULL_EXPECTED_SECONDS = 60

SEARCH_TOL = 1e-5
"""A derivative-free search's best δ* is within this of its infimum when it agrees with a threshold."""
TIGHT_TOL = 1e-5
"""δ* − δ_lb below this counts as tight on the landscape grid."""
STRICT_TOL = 1e-7
"""δ*(μ) above 1/2 by more than this counts as strictly above (the solves' accuracy at the δ = 1/2 point)."""


def landscape(context) -> cs.Landscape:
    """Returns δ*(ρ, φ) and δ_lb(ρ, φ) on the declared grid."""
    tasks = cs.landscape_tasks(quick=context.quick)
    return cs.gather_landscape(tasks, context.run(cs.LANDSCAPE_ROW, tasks, desc="δ*(ρ, φ)"))


def check_half_example_threshold(context) -> list[Finding]:
    """Returns the findings at the δ = 1/2 example: δ* = 1/2 exactly there, and strict minima need δ > 1/2."""
    facts = half_facts(context)
    at_half = facts.sdp_accurate and abs(facts.sdp_delta - 0.5) < SDP_TOL
    strict_above = all(delta > 0.5 + STRICT_TOL for _, delta in facts.strict_delta)
    strict_text = ", ".join(f"{delta:.6f} at μ = {mu:g}" for mu, delta in facts.strict_delta)
    place = "Theorem 12 at x = (0, 1/√2), z = (1, 0), the example of the talk slides"
    return [
        Finding(
            id="zsl_jmlr2019.half_example.threshold",
            source=REFERENCE.at(place),
            statement="δ = 1/2 is the smallest δ making (x, z) = ((0, 1/√2), (1, 0)) spurious (second order)",
            source_says="δ = 1/2",
            measured=(f"SDP δ* = {facts.sdp_delta:.9f}; exact certificate δ' = {facts.certificate_delta} "
                      f"({yes_no(facts.certificate_verified, 'verified exactly')}); δ_lb = {facts.delta_lower_bound:.9f}"),
            verdict=Verdict.AGREES if at_half else Verdict.DIFFERS,
            reason="" if at_half else f"δ* differs from 1/2 by more than the SDP's accuracy {SDP_TOL:g}",
            evidence={"sdp_delta": facts.sdp_delta, "sdp_accurate": facts.sdp_accurate,
                      "certificate_delta": facts.certificate_delta, "certificate_verified": facts.certificate_verified,
                      "delta_lower_bound": facts.delta_lower_bound},
            replay=cs.HALF_EXAMPLE.replay(cs.HALF_EXAMPLE.sized(quick=context.quick)),
        ),
        Finding(
            id="zsl_jmlr2019.half_example.strict_needs_more",
            source=REFERENCE.at("rank-1 threshold 1/2, sharpness (slide 25 of the talk: 'Theorem 2')"),
            statement="a strict spurious local min at this (x, z) needs δ > 1/2",
            source_says="δ < 1/2 ⇒ no spurious local min; 1/2 sharp",
            measured=f"δ*(μ) = {strict_text}",
            verdict=Verdict.AGREES if strict_above else Verdict.DIFFERS,
            reason=("sharp as an infimum: δ*(μ) decreases to 1/2 as μ → 0, so δ > 1/2 arbitrarily close gives strict "
                    f"spurious minima; at δ = 1/2 itself the example's x is {point_kind(facts)}" if strict_above else
                    f"some δ*(μ) is not above 1/2 by more than {STRICT_TOL:g}"),
            evidence={"strict_delta": [list(pair) for pair in facts.strict_delta]},
            replay="riptools counterexample --x 0,0.7071067811865476 --z 1,0 --margin " + f"{facts.strict_delta[-1][0]:g}",
            counterexample_size="" if strict_above else "n = 2, r = 1",
        ),
    ]


def check_rank1_threshold(context) -> list[Finding]:
    """Returns the finding on "rank 1: δ < 1/2 ⇒ no spurious local minimum (sharp)" from a search and random pairs."""
    params = cs.search_task("rank1", quick=context.quick, seed=context.seed)
    (found,) = context.run(cs.SEARCH, [params], desc="rank-1 search")
    pairs = [pair.delta for pair in random_pairs(context) if pair.delta is not None]
    agrees = abs(found.delta - 0.5) < SEARCH_TOL
    below = found.certified and found.delta < 0.5 - SDP_TOL
    return [Finding(
        id="zsl_jmlr2019.rank1_threshold",
        source=REFERENCE.at("rank-1 threshold (slide 25 of the talk: 'Theorem 2')"),
        statement="rank 1: δ < 1/2 ⇒ no spurious local minimum (sharp)",
        source_says="inf δ* = 1/2",
        measured=(f"search from {params.starts} random starts: min δ* = {found.delta:.8f} "
                  f"({yes_no(found.certified, 'certified')}); random pairs: min δ* = {min(pairs):.6f}"),
        verdict=Verdict.REFUTED if below else (Verdict.AGREES if agrees else Verdict.DIFFERS),
        reason=("a certified spurious point with δ* below 1/2" if below else
                "computational evidence, not a proof" if agrees else
                f"the search's best δ* is above 1/2 by more than {SEARCH_TOL:g}: the search did not reach the infimum"),
        evidence={"search_delta": found.delta, "certified": found.certified, "best_x": found.best_x,
                  "best_z": found.best_z, "per_start": found.per_start, "random_pairs_min": min(pairs)},
        replay=cs.SEARCH.replay(params),
        counterexample_size=f"n = {params.n}, r = 1" if below else "",
    )]


def _tightness(grid: cs.Landscape) -> str:
    """Returns where δ_lb is tight on the grid, computed from the gap δ* − δ_lb."""
    gap = grid.delta - grid.delta_lower_bound
    worst = np.unravel_index(np.nanargmax(gap), gap.shape)
    tight_columns = [np.degrees(phi) for phi, column in zip(grid.phi, gap.T) if np.nanmax(column) <= TIGHT_TOL]
    loose_rho = [rho for rho, row in zip(grid.rho, gap) if np.nanmax(row) > TIGHT_TOL]
    if not loose_rho:
        return "tight on the whole grid"
    columns = f"at φ = {', '.join(f'{phi:.0f}°' for phi in tight_columns)} and " if tight_columns else ""
    return (f"tight (to {TIGHT_TOL:g}) {columns}for ρ > {max(loose_rho):.2f}; below that δ* exceeds δ_lb by up to "
            f"{gap[worst]:.3f} (at ρ = {grid.rho[worst[0]]:.2f}, φ = {np.degrees(grid.phi[worst[1]]):.0f}°)")


def check_theorem12(context) -> list[Finding]:
    """Returns the finding on Theorem 12: δ*(x, z) ≥ δ_lb(ρ, φ) on the landscape grid."""
    grid = landscape(context)
    gap = grid.delta - grid.delta_lower_bound
    worst = np.unravel_index(np.nanargmin(gap), gap.shape)
    holds = np.nanmin(gap) >= -SDP_TOL
    return [Finding(
        id="zsl_jmlr2019.theorem12",
        source=REFERENCE.at("Theorem 12"),
        statement="δ*(x, z) ≥ δ_lb(ρ, φ) for rank 1",
        source_says="δ* ≥ δ_lb",
        measured=(f"on a {gap.shape[0]}×{gap.shape[1]} (ρ, φ) grid: min(δ* − δ_lb) = {np.nanmin(gap):.2e}, "
                  f"max = {np.nanmax(gap):.3f}"),
        verdict=Verdict.AGREES if holds else Verdict.REFUTED,
        reason=_tightness(grid) if holds else f"δ* < δ_lb by more than the SDP's accuracy {SDP_TOL:g}",
        evidence={"min_gap": float(np.nanmin(gap)), "max_gap": float(np.nanmax(gap)),
                  "at_min_gap": {"rho": float(grid.rho[worst[0]]), "phi": float(grid.phi[worst[1]])},
                  "failed_solves": int(np.isnan(grid.delta).sum())},
        replay=f"riptools reproduce --only {REFERENCE.key}",
        counterexample_size="" if holds else f"n = 2, r = 1 (ρ = {grid.rho[worst[0]]:.3f}, φ = {grid.phi[worst[1]]:.3f})",
    )]


CHECKS = (check_half_example_threshold, check_rank1_threshold, check_theorem12)

RECORDED = {
    "zsl_jmlr2019.half_example.threshold": Verdict.AGREES,
    "zsl_jmlr2019.half_example.strict_needs_more": Verdict.AGREES,
    "zsl_jmlr2019.rank1_threshold": Verdict.AGREES,
    "zsl_jmlr2019.theorem12": Verdict.AGREES,
}

SLIDES_POINT = (90.0, 2**-0.5)
"""(φ in degrees, ρ) of the talk slides' δ = 1/2 example on the landscape: x = (0, 1/√2), z = (1, 0)."""


def plot_landscape(grid: cs.Landscape, path) -> None:
    """Writes the heat map of δ*(ρ, φ) with δ_lb's contours, the grid minimum and the slides' point marked."""
    import matplotlib.patheffects as effects
    import matplotlib.pyplot as plt

    phi_deg = np.degrees(grid.phi)
    outline = [effects.withStroke(linewidth=2.2, foreground="#222222")]  # white on light and dark colours alike
    fig, ax = plt.subplots(figsize=(6.6, 4.8))
    mesh = ax.pcolormesh(phi_deg, grid.rho, grid.delta, shading="nearest", cmap="viridis", vmin=0.5, vmax=1.0)
    fig.colorbar(mesh, ax=ax, label="δ*(x, z) (SDP)")
    contours = ax.contour(phi_deg, grid.rho, grid.delta_lower_bound, levels=[0.55, 0.6, 0.7, 0.8, 0.9, 0.95],
                          colors="white", linewidths=0.8, linestyles="--")
    contours.set(path_effects=outline)
    for label in ax.clabel(contours, fontsize=7, fmt="δ_lb=%.2f"):
        label.set_path_effects(outline)
    # The slides' point first, as a wide ring; the grid minimum on top, as a star with a dark edge, so
    # both stay visible when they coincide.
    ax.plot(*SLIDES_POINT, "o", markersize=17, markerfacecolor="none", markeredgecolor="#ff4f00", markeredgewidth=2.2,
            clip_on=False, zorder=4, label="the slides' x = (0, 1/√2)")
    i, j = np.unravel_index(np.nanargmin(grid.delta), grid.delta.shape)
    ax.plot(phi_deg[j], grid.rho[i], "*", markersize=13, markerfacecolor="#ffd700", markeredgecolor="black",
            clip_on=False, zorder=5, label=f"grid minimum δ* = {grid.delta[i, j]:.4f}")
    ax.set_xlim(phi_deg[0] - 3, 93)
    ax.set_xlabel("angle φ between x and z (degrees)")
    ax.set_ylabel("ρ = ‖x‖/‖z‖")
    ax.set_title("rank-1 landscape: δ* (colour) and Theorem 12's δ_lb (dashed)")
    ax.legend(loc="upper left", fontsize=8, facecolor="#dddddd")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def reproduce_section(context) -> Section:
    """Returns the section of this paper: the rank-1 landscape beside Theorem 12, and the threshold 1/2."""
    findings = [finding for check in CHECKS for finding in check(context)]
    grid = landscape(context)
    (found,) = context.run(cs.SEARCH, [cs.search_task("rank1", quick=context.quick, seed=context.seed)])
    context.save_result("counterexample_landscape", grid)
    context.save_result("counterexample_search_rank1", found)
    plot_landscape(grid, context.figure_path("counterexample_landscape"))
    i, j = np.unravel_index(np.nanargmin(grid.delta), grid.delta.shape)
    at_slides = abs(np.degrees(grid.phi[j]) - SLIDES_POINT[0]) < 1e-9 and abs(grid.rho[i] - SLIDES_POINT[1]) < 1e-9
    where = ("the talk slides' example x = (0, 1/√2)" if at_slides else
             f"not the talk slides' example (φ = 90°, ρ = 1/√2, where δ* = "
             f"{grid.delta[np.argmin(abs(grid.rho - SLIDES_POINT[1])), -1]:.6f})")
    lines = [
        "δ*(ρ, φ) for z = (1, 0), x = ρ(cos φ, sin φ), from the SDP reduced to span[x, z] (Lemma 9); dashed: "
        "Theorem 12's closed-form δ_lb(ρ, φ). " + _tightness(grid).capitalize() + ".",
        "",
        f"* **Grid minimum.** δ* = {grid.delta[i, j]:.6f} at φ = {np.degrees(grid.phi[j]):.0f}°, ρ = {grid.rho[i]:.4f}: "
        f"{where}.",
        f"* **Search.** Over (x, z) ∈ R³ × R³ from {len(found.per_start)} random starts the smallest δ* found is "
        f"{found.delta:.8f} ({yes_no(found.certified, 'certified')}; {found.evaluations} SDP solves).",
    ]
    return Section(
        title="Sharp rank-1 threshold: the landscape of δ* and Theorem 12",
        markdown="\n".join(lines),
        findings=tuple(findings),
        figures=("counterexample_landscape.png",),
        commands=(f"riptools reproduce --only {REFERENCE.key}" + ("" if context.quick else " --full"),
                  "riptools counterexample --x 0,0.7071067811865476 --z 1,0",
                  cs.SEARCH.replay(cs.search_task("rank1", quick=context.quick, seed=context.seed))),
        order=35,
        source=REFERENCE.key,
    )
