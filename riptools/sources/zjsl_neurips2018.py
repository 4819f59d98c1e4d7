"""Zhang, Josz, Sojoudi, Lavaei (NeurIPS 2018): spurious local minima exist under RIP with 1/2 ≤ δ < 1.

riptools has no copy of the paper's text: its theorem and conjecture are checked as the talk slides
state them, attributing them to this paper (slide 22, "Theorem 1 (Zhang, Josz, Sojoudi, Lavaei
2018)", and slide 24, "Conjecture (Zhang, Josz, Sojoudi, Lavaei 2018)"). The SDP that computes δ*
is this paper's; riptools' implementation is :mod:`riptools.counterexample`.
"""

from __future__ import annotations

import numpy as np

from riptools.findings import Finding, Reference, Section, Verdict
from riptools.protocols import counterexample_search as cs
from riptools.sources._text import yes_no
from riptools.sources._sharp_rip import SDP_TOL, random_pairs

REFERENCE = Reference(
    key="zjsl_neurips2018",
    authors=("R. Y. Zhang", "C. Josz", "S. Sojoudi", "J. Lavaei"),
    title="How much restricted isometry is needed in nonconvex matrix recovery?",
    venue="NeurIPS",
    year=2018,
    arxiv="1805.10251",
)

FULL_EXPECTED_SECONDS = 35


def check_theorem1(context) -> list[Finding]:
    """Returns the finding on Theorem 1 (x, z non-colinear ⇒ a counterexample with 1/2 ≤ δ < 1) over random pairs."""
    pairs = random_pairs(context)
    values = [pair.delta for pair in pairs if pair.delta is not None]
    stricts = [pair.delta_strict for pair in pairs if pair.delta_strict is not None]
    certified = sum(pair.strict_certified for pair in pairs)
    inside = (all(0.5 - SDP_TOL <= v < 1 for v in values) and all(v < 1 for v in stricts)
              and certified == len(pairs) == len(values))
    violated = [v for v in values if v < 0.5 - SDP_TOL or v > 1 + SDP_TOL]
    n = cs.RANDOM_PAIRS.size("n", quick=context.quick)
    return [Finding(
        id="zjsl_neurips2018.theorem1",
        source=REFERENCE.at("Theorem 1 (as stated on slide 22 of the talk)"),
        statement="x, z non-colinear ⇒ counterexample with 1/2 ≤ δ < 1 and x a spurious local min",
        source_says="δ ∈ [1/2, 1)",
        measured=(f"{len(values)} Gaussian pairs in R^{n}: δ* ∈ [{min(values):.6f}, {max(values):.6f}]; strict "
                  f"(μ ≤ {cs.STRICT_MARGIN:g}‖x‖², halved until δ < 1) δ* ≤ {max(stricts):.6f}, "
                  f"{certified}/{len(pairs)} certified strict spurious local minima"),
        verdict=Verdict.AGREES if inside else (Verdict.REFUTED if violated else Verdict.INCONCLUSIVE),
        reason=("with δ* itself x is in general only second-order critical; strict minima need δ slightly above δ*"
                if inside else f"δ* outside [1/2, 1] for {len(violated)} pair(s)" if violated else
                "some solves were inaccurate or some strict minima did not certify"),
        evidence={"pairs": len(pairs), "delta_min": min(values), "delta_max": max(values), "strict_max": max(stricts),
                  "certified": certified, "inaccurate": len(pairs) - len(values)},
        replay=f"riptools reproduce --only {REFERENCE.key}",
        counterexample_size=f"n = {n}, r = 1" if violated else "",
    )]


def conjecture_verdict(found: cs.SearchSummary) -> tuple[Verdict, str]:
    """Returns (verdict, reason) for "δ < 1/2 ⇒ no spurious local min" from a search's best point."""
    if found.certified and found.delta < 0.5 - SDP_TOL:
        return Verdict.REFUTED, "a certified spurious point with δ below 1/2"
    return Verdict.INCONCLUSIVE, "no counterexample below 1/2 found; a finite search proves nothing"


def check_conjecture(context) -> list[Finding]:
    """Returns the finding on the conjecture "δ < 1/2 ⇒ no spurious local min" at rank 2 (none at sizes without that search)."""
    params = cs.search_task("rank2", quick=context.quick, seed=context.seed)
    if params is None:
        return []
    (found,) = context.run(cs.SEARCH, [params], desc="rank-2 search")
    verdict, reason = conjecture_verdict(found)
    return [Finding(
        id="zjsl_neurips2018.conjecture",
        source=REFERENCE.at("conjecture (as stated on slide 24 of the talk)"),
        statement="δ < 1/2 ⇒ no spurious local min, for every rank",
        source_says="threshold 1/2 for all r",
        measured=f"search r = r★ = {params.rank}: min δ* found = {found.delta:.6f} ({yes_no(found.certified, 'certified')})",
        verdict=verdict,
        reason=reason,
        evidence={"delta": found.delta, "certified": found.certified, "best_x": found.best_x, "best_z": found.best_z},
        replay=cs.SEARCH.replay(params),
        counterexample_size=f"n = {params.n}, r = {params.rank}" if verdict is Verdict.REFUTED else "",
    )]


CHECKS = (check_theorem1, check_conjecture)

RECORDED = {
    "zjsl_neurips2018.theorem1": Verdict.AGREES,
}


def plot_distribution(pairs, n: int, path) -> None:
    """Writes the histogram of δ* over random non-colinear pairs with Theorem 1's interval [1/2, 1)."""
    import matplotlib.pyplot as plt

    values = [pair.delta for pair in pairs if pair.delta is not None]
    strict = [pair.delta_strict for pair in pairs if pair.delta_strict is not None]
    fig, ax = plt.subplots(figsize=(6.4, 4.0))
    bins = np.linspace(0.45, 1.0, 45)
    ax.hist(values, bins=bins, alpha=0.7, label="δ* (μ = 0)")
    ax.hist(strict, bins=bins, histtype="step", linewidth=1.5, color="black",
            label=f"δ* (μ ≤ {cs.STRICT_MARGIN:g}·‖x‖², strict local min)")
    ax.axvspan(0.5, 1.0, color="green", alpha=0.08, label="Theorem 1: [1/2, 1)")
    ax.axvline(0.5, color="green")
    ax.set_xlabel("δ*")
    ax.set_ylabel("pairs")
    ax.set_title(f"δ* over {len(values)} Gaussian pairs x, z ∈ R^{n}")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def reproduce_section(context) -> Section:
    """Returns this paper's section: δ* over random pairs (Theorem 1), the over-parameterised and rank-2 searches."""
    findings = [finding for check in CHECKS for finding in check(context)]
    pairs = random_pairs(context)
    n = cs.RANDOM_PAIRS.size("n", quick=context.quick)
    over = cs.search_task("overparameterised", quick=context.quick, seed=context.seed)
    (found,) = context.run(cs.SEARCH, [over], desc="over-parameterised search")
    context.save_result("counterexample_random_pairs", {"n": n, "pairs": pairs})
    context.save_result("counterexample_search_overparameterised", found)
    plot_distribution(pairs, n, context.figure_path("counterexample_distribution"))
    values = [pair.delta for pair in pairs if pair.delta is not None]
    cos_at_min = pairs[int(np.argmin([np.inf if p.delta is None else p.delta for p in pairs]))].cos
    lines = [
        "The SDP of this paper, reduced to span[X, Z] (Zhang, Sojoudi, Lavaei, JMLR 2019, Lemma 9), gives δ*(X, Z): the "
        "smallest RIP constant of an operator making X a spurious second-order critical point (or, with μ > 0, a strict "
        "local minimum). Every value below is re-checked from the recovered matrices Aᵢ alone.",
        "",
        f"* **Theorem 1.** Over {len(values)} Gaussian pairs x, z ∈ R^{n} (non-colinear almost surely), δ* ranges over "
        f"[{min(values):.6f}, {max(values):.6f}]; the pair with the smallest δ* has |cos∠(x, z)| = {cos_at_min:.3f}.",
        f"* **Over-parameterised search** (r = {over.rank}, r★ = {over.true_rank}, n = {over.n}): smallest δ* found "
        f"{found.delta:.6f} ({yes_no(found.certified, 'certified')}); for comparison, 1/(1 + √(r★/r)) = "
        f"{1 / (1 + np.sqrt(over.true_rank / over.rank)):.6f}, the sufficient over-parameterised bound of R. Y. Zhang "
        "(arXiv:2104.10790, 2021; its own section checks it), not a claim of this paper.",
        "",
        "Strict margins μ are absolute (they scale like ‖x‖²); the reduction is exact for μ ≤ 4σ_min(X)².",
    ]
    return Section(
        title="Counterexamples almost everywhere: δ* over random pairs",
        markdown="\n".join(lines),
        findings=tuple(findings),
        figures=("counterexample_distribution.png",),
        commands=(f"riptools reproduce --only {REFERENCE.key}" + ("" if context.quick else " --full"),
                  cs.SEARCH.replay(over)),
        order=30,
        source=REFERENCE.key,
    )
