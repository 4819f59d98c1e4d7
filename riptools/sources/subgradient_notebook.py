"""The notebook on the subgradient method for entrywise-ℓ1 matrix completion (JAX, 2025).

The document (a Jupyter notebook titled "Matrix Completion", dated December 11, 2025; no author is
named) runs z_{k+1} = z_k − α/(k+1)^β g_k on f = |x₁y₁ − 1| + |x₂y₁ − 1| + |x₂y₂ − 1| with JAX in
float64. Cell [1] runs 100 starts (``jax.random.normal(PRNGKey(i), (4,))``, i = 0…99) at α = 0.1,
β = 0.501, K = 10⁷ and prints 13 keys (1 5 6 13 38 40 44 47 51 54 76 85 98) with "unbounded
iterates", judged by f(z_{K−1}) > 0.9; the comments of cell [3] list seven regimes (constant,
nonsummable and summable steps) and remark that divergence is "definitely not an edge case
(prob > 0.1)".

What riptools checks (computation in :mod:`riptools.protocols.divergence`): the 13 keys, whether the
notebook's criterion f(z_{K−1}) > 0.9 identifies the unbounded runs, and the probability claim, with
95 % Wilson intervals. The report explains the mechanism (runs trapped in x₁y₂ < 0, where f ≥ 1 and
the infimum lies at infinity) with the measured numbers, and says where the reduced model stops:
with constant steps the trapped runs stall at a finite norm (measured, per α, in the report).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import scipy.special

from riptools.findings import Finding, Reference, Section, Verdict
from riptools.protocols.divergence import (
    DIVERGENCE_PROBABILITY,
    GROWTH_EXPONENT_MIN,
    NOTEBOOK_STUDY,
    DivergenceStudy,
    NotebookStudy,
    ProbabilityEstimate,
    Regime,
    RunClass,
    predicted_growth_exponent,
    scientific,
    shortening_changes,
)

REFERENCE = Reference(
    key="subgradient_notebook",
    authors=(),
    title="Matrix Completion",
    venue="Jupyter notebook",
    year=2025,
    provenance="000_ec0d8ef3d4a5faa0.txt",
)

FULL_EXPECTED_SECONDS = 830

NOTEBOOK_REPORTED_KEYS = (1, 5, 6, 13, 38, 40, 44, 47, 51, 54, 76, 85, 98)
"""The notebook's printed output at α = 0.1, β = 0.501, K = 10⁷ (a claim to test, not a result)."""
NOTEBOOK_PROBABILITY_CLAIM = 0.1
"""The notebook's remark: divergence is "not an edge case (prob > 0.1)"."""
REGIMES = (
    Regime(0.01, 0.0, 10**7), Regime(0.001, 0.0, 10**8), Regime(0.0001, 0.0, 10**9),
    Regime(0.1, 0.501, 10**7), Regime(0.01, 0.501, 10**8), Regime(0.001, 0.501, 10**9),
    Regime(0.1, 1.001, 10**9),
)
"""The seven regimes listed in the comments of cell [3]."""
NOTEBOOK_REGIME = REGIMES[3]
"""The regime of cell [1]."""

EXPONENT_AGREEMENT = 0.25
"""Relative tolerance between the fitted and the predicted exponent (1−β)/4 (a heuristic model)."""
BALANCED_IMBALANCE = 0.1
"""The growth is called balanced when the median final |‖x‖² − ‖y‖²| / ‖z‖² is below this: the two
large coordinates then carry equal shares of the norm to within 10 %."""
STALL_LAW_TOLERANCE = 0.05
"""The stall norms across α are called consistent with α^(−1/4) when the fitted exponent of
‖z_K‖ against α is within this of −1/4 (α‖z‖⁴ then varies by less than a factor 10^(0.05·decades))."""

ORDER = 60


# ----------------------------------------------------------------------------- data


def _regimes(quick: bool) -> list[Regime]:
    """Returns the regimes studied: the notebook's regime at the quick size, all seven at the full size."""
    return [NOTEBOOK_REGIME] if quick else list(REGIMES)


def _studies(context) -> list[NotebookStudy]:
    """Returns the stored or computed notebook-start studies of the regimes of ``context``'s size."""
    params = [NOTEBOOK_STUDY.sized(quick=context.quick, alpha=r.alpha, beta=r.beta, iters=r.iters)
              for r in _regimes(context.quick)]
    return context.run(NOTEBOOK_STUDY, params, desc="regimes")


def _estimates(context) -> list[ProbabilityEstimate]:
    """Returns the stored or computed probability estimates of the regimes of ``context``'s size."""
    params = [DIVERGENCE_PROBABILITY.sized(quick=context.quick, alpha=r.alpha, beta=r.beta, iters=r.iters,
                                           seed=context.seed) for r in _regimes(context.quick)]
    return context.run(DIVERGENCE_PROBABILITY, params, desc="P(unbounded)")


def _notebook_result(studies: list[NotebookStudy]) -> NotebookStudy:
    """Returns the study of the notebook's regime (α = 0.1, β = 0.501)."""
    return next(s for s in studies if (s.params.alpha, s.params.beta) == (NOTEBOOK_REGIME.alpha, NOTEBOOK_REGIME.beta))


def _changes(studies: list[NotebookStudy], estimate: ProbabilityEstimate) -> int:
    """Returns how many notebook starts change class when the regime of ``estimate`` is cut to its steps."""
    for result in studies:
        if (result.params.alpha, result.params.beta) == (estimate.regime.alpha, estimate.regime.beta):
            return shortening_changes(result.study, result.runs, estimate.iters)
    return 0


# ----------------------------------------------------------------------------- verdicts (pure)


def keys_verdict(unbounded_indices, *, steps: int) -> tuple[Verdict, str]:
    """Returns (verdict, reason) for "these 13 keys give unbounded iterates" from the measured unbounded keys.

    Example:
        >>> keys_verdict(NOTEBOOK_REPORTED_KEYS, steps=10**7)
        (<Verdict.AGREES: 'agrees'>, '')
    """
    shortened = "" if steps == NOTEBOOK_REGIME.iters else \
        f"measured at K = {scientific(steps)} (quick size); the notebook runs K = {scientific(NOTEBOOK_REGIME.iters)}"
    if tuple(unbounded_indices) == NOTEBOOK_REPORTED_KEYS:
        return Verdict.AGREES, shortened
    missing = sorted(set(NOTEBOOK_REPORTED_KEYS) - set(unbounded_indices))
    extra = sorted(set(unbounded_indices) - set(NOTEBOOK_REPORTED_KEYS))
    return Verdict.DIFFERS, "; ".join(filter(None, [f"not unbounded here: {missing}" if missing else "",
                                                    f"unbounded here, not printed: {extra}" if extra else "",
                                                    shortened]))


def criterion_verdict(disagreements: dict) -> tuple[Verdict, str]:
    """Returns (verdict, reason) for "f(z_{K−1}) > 0.9 identifies the unbounded runs".

    ``disagreements`` maps a regime label to the starts where the criterion and the growth-based class
    differ.

    Example:
        >>> criterion_verdict({})
        (<Verdict.AGREES: 'agrees'>, '')
    """
    if not any(disagreements.values()):
        return Verdict.AGREES, ""
    return Verdict.DIFFERS, "a threshold on f counts bounded-not-converged (stalled) or slow runs as unbounded"


def probability_verdict(estimate: ProbabilityEstimate, *, shortening_changes: int = 0) -> tuple[Verdict, str]:
    """Returns (verdict, reason) for "P(unbounded) > 0.1" from the Wilson intervals.

    agrees: the unbounded fraction's interval lies above 0.1. differs: it lies below 0.1 while the
    trapped fraction's lies above (the runs are trapped at f ≥ 1 but bounded). refuted: both below.
    inconclusive: otherwise, or when the runs were shortened and ``shortening_changes`` > 0 notebook
    starts enter or leave the unbounded class between the shortened and the full run (so shortened
    runs misjudge unboundedness in this regime).
    """
    claim = NOTEBOOK_PROBABILITY_CLAIM
    shortened = "" if not estimate.shortened else \
        f"; runs shortened to {scientific(estimate.iters)} of {scientific(estimate.regime.iters)} steps"
    if shortened and shortening_changes:
        return Verdict.INCONCLUSIVE, (f"{shortening_changes} notebook starts enter or leave 'unbounded' between "
                                      f"{scientific(estimate.iters)} and {scientific(estimate.regime.iters)} steps"
                                      + shortened)
    if estimate.low > claim:
        return Verdict.AGREES, shortened.lstrip("; ")
    if estimate.high < claim and estimate.trapped_low > claim:
        return Verdict.DIFFERS, "the trapped runs (x₁y₂ < 0, f ≥ 1) are bounded here" + shortened
    if estimate.high < claim and estimate.trapped_high < claim:
        return Verdict.REFUTED, shortened.lstrip("; ")
    return Verdict.INCONCLUSIVE, "the interval contains 0.1" + shortened


# ----------------------------------------------------------------------------- findings


def _keys_finding(result: NotebookStudy) -> Finding:
    study = result.study
    unbounded = study.mechanism.get(RunClass.UNBOUNDED.value)
    exponent = f" (‖z‖ ∝ k^{unbounded.median_growth_exponent:.3f})" if unbounded else ""
    verdict, reason = keys_verdict(study.unbounded_indices, steps=study.regime.iters)
    return Finding(
        id=f"{REFERENCE.key}.unbounded_keys",
        source=REFERENCE.at("cell [1]"),
        statement="13 of the 100 notebook starts give unbounded iterates (α = 0.1, β = 0.501, K = 10⁷)",
        source_says="keys " + " ".join(map(str, NOTEBOOK_REPORTED_KEYS)),
        measured=f"unbounded: {' '.join(map(str, study.unbounded_indices)) or 'none'}{exponent}",
        verdict=verdict, reason=reason,
        counterexample_size="" if verdict is Verdict.AGREES else f"100 runs of {scientific(study.regime.iters)} steps",
        evidence={"unbounded_indices": list(study.unbounded_indices), "steps": study.regime.iters,
                  "counts": dict(study.counts)},
        replay=NOTEBOOK_STUDY.replay(result.params))


def _criterion_finding(studies: list[NotebookStudy]) -> Finding:
    disagreements = {s.study.regime.label: list(s.study.criterion_disagreements) for s in studies}
    verdict, reason = criterion_verdict(disagreements)
    differing = {label: keys for label, keys in disagreements.items() if keys}
    return Finding(
        id=f"{REFERENCE.key}.threshold_criterion",
        source=REFERENCE.at("cell [1]"),
        statement="f(z_{K−1}) > 0.9 identifies the unbounded runs",
        source_says="bad_seeds = objs[:, -1] > .9",
        measured=(f"agrees with the growth-based class on every run of {len(studies)} regime(s)" if not differing
                  else "disagrees on " + "; ".join(f"{label}: starts {keys}" for label, keys in differing.items())),
        verdict=verdict, reason=reason, evidence={"disagreements": disagreements},
        counterexample_size="" if verdict is Verdict.AGREES else
        f"{sum(map(len, differing.values()))} of {100 * len(studies)} runs",
        replay=NOTEBOOK_STUDY.replay(_notebook_result(studies).params))


def _probability_finding(estimate: ProbabilityEstimate, changes: int) -> Finding:
    verdict, reason = probability_verdict(estimate, shortening_changes=changes)
    regime = estimate.regime
    return Finding(
        id=f"{REFERENCE.key}.probability[alpha={regime.alpha:g},beta={regime.beta:g}]",
        source=REFERENCE.at("cell [3], comments"),
        statement=f"divergence is not an edge case: P(unbounded) > 0.1 (α = {regime.alpha:g}, β = {regime.beta:g})",
        source_says="prob > 0.1",
        measured=(f"unbounded {estimate.unbounded}/{estimate.count} = {estimate.fraction:.3f}, 95% CI "
                  f"[{estimate.low:.3f}, {estimate.high:.3f}]; trapped {estimate.trapped / estimate.count:.3f} "
                  f"[{estimate.trapped_low:.3f}, {estimate.trapped_high:.3f}]"),
        verdict=verdict, reason=reason,
        counterexample_size="" if verdict is Verdict.AGREES else f"{estimate.count:,} runs of {scientific(estimate.iters)} steps",
        evidence={"unbounded": estimate.unbounded, "count": estimate.count,
                  "interval": [float(estimate.low), float(estimate.high)], "trapped": estimate.trapped,
                  "trapped_interval": [float(estimate.trapped_low), float(estimate.trapped_high)],
                  "steps": estimate.iters, "regime_steps": regime.iters, "shortening_changes": changes},
        replay=DIVERGENCE_PROBABILITY.replay(DIVERGENCE_PROBABILITY.params(
            alpha=regime.alpha, beta=regime.beta, iters=regime.iters, count=estimate.count, seed=estimate.seed,
            max_iters=estimate.iters)))


def check_notebook_keys(context) -> list[Finding]:
    """Returns the findings on cell [1]: the 13 printed keys and the f(z_{K−1}) > 0.9 criterion."""
    studies = _studies(context)
    return [_keys_finding(_notebook_result(studies)), _criterion_finding(studies)]


def check_probability(context) -> list[Finding]:
    """Returns one finding per regime on "P(unbounded) > 0.1" (cell [3])."""
    studies = _studies(context)
    return [_probability_finding(e, _changes(studies, e)) for e in _estimates(context)]


CHECKS = (check_notebook_keys, check_probability)

RECORDED = {
    f"{REFERENCE.key}.unbounded_keys": Verdict.AGREES,
    f"{REFERENCE.key}.threshold_criterion": Verdict.AGREES,
    f"{REFERENCE.key}.probability[alpha=0.1,beta=0.501]": Verdict.AGREES,
}
"""Verdicts at the quick size (the notebook's regime only)."""


# ----------------------------------------------------------------------------- report prose (from data)


def _stall_sentence(study: DivergenceStudy) -> str:
    """Returns one sentence on the bounded-not-converged runs of ``study``."""
    stats = study.mechanism[RunClass.BOUNDED.value]
    regime = study.regime
    flagged = sum(r.run_class == RunClass.BOUNDED and r.notebook_unbounded for r in study.runs)
    return (f"α = {regime.alpha:g}, β = {regime.beta:g}, K = {scientific(regime.iters)}: {stats.runs} runs bounded, "
            f"not converged, {stats.final_x1y2_negative} of them with x₁y₂ < 0, median ‖z_K‖ = "
            f"{stats.median_final_norm:.2f} (α‖z_K‖⁴ = {regime.alpha * stats.median_final_norm ** 4:.2f}), growth "
            f"exponent {stats.median_growth_exponent:.4f}"
            + (f"; f(z_{{K−1}}) > 0.9 calls {flagged} of them unbounded." if flagged else "."))


def stall_law(points) -> float | None:
    """Returns the least-squares exponent s of ‖z_K‖ ∝ α^s over (α, stall norm) pairs, or None for fewer
    than two distinct α.

    Example:
        >>> round(stall_law([(0.01, 1.0), (0.0001, 10 ** 0.5)]), 6)
        -0.25
    """
    alphas = sorted({alpha for alpha, _ in points})
    if len(alphas) < 2:
        return None
    x = np.log([alpha for alpha, _ in points])
    y = np.log([norm for _, norm in points])
    return float(np.polyfit(x, y, 1)[0])


def _stall_law_sentence(studies: list[DivergenceStudy]) -> str:
    """Returns the sentence comparing the stall norms of the constant-step regimes, or "" without two α."""
    points = [(s.regime.alpha, s.mechanism[RunClass.BOUNDED.value].median_final_norm) for s in studies
              if s.regime.kind == "constant" and RunClass.BOUNDED.value in s.mechanism]
    exponent = stall_law(points)
    if exponent is None:
        return ""
    products = [alpha * norm**4 for alpha, norm in points]
    verdict = ("consistent with a stall norm ∝ α^(−1/4), i.e. α‖z‖⁴ about constant (an empirical law, not derived "
               "here)" if abs(exponent + 0.25) <= STALL_LAW_TOLERANCE else "not the α^(−1/4) law")
    return (f"Across the constant steps α = {', '.join(f'{a:g}' for a, _ in points)} the median stall norm fits "
            f"‖z_K‖ ∝ α^{exponent:.3f} (α‖z_K‖⁴ from {min(products):.2f} to {max(products):.2f}): {verdict}.")


def _summable_text(regime: Regime) -> str:
    """Returns the paragraph for summable steps: bounded in theory, logarithmic growth in practice."""
    total = regime.alpha * float(scipy.special.zeta(regime.beta))
    return (f"**Summable steps (β = {regime.beta:g}).** Σ_j α j^(−β) = α·ζ(β) ≈ {total:.0f}, so the reduced model's "
            "t⁴ ∝ Σ η_j stays bounded and so do the trapped runs; but the partial sums grow like α ln k for every "
            "feasible k, so their norm grows like (ln k)^(1/4), whose local power-law exponent 1/(4 ln k) is "
            f"{1 / (4 * math.log(regime.iters)):.3f} at k = {scientific(regime.iters)} (threshold {GROWTH_EXPONENT_MIN}): "
            "in this regime the unbounded/bounded split of trapped runs depends on K, and neither the notebook's "
            "criterion nor a finite run can show unboundedness.\n")


def _mechanism_text(study: DivergenceStudy) -> str:
    """Returns the mechanism paragraph, every number and every conclusion from ``study``."""
    unbounded = study.mechanism.get(RunClass.UNBOUNDED.value)
    converged = study.mechanism.get(RunClass.CONVERGED.value)
    if not unbounded:
        return "no unbounded run in this regime."
    p = unbounded.median_final_products
    balance = unbounded.median_final_imbalance_over_squared_norm
    matches = unbounded.predicted_growth_exponent > 0 and \
        abs(unbounded.median_growth_exponent / unbounded.predicted_growth_exponent - 1) <= EXPONENT_AGREEMENT
    text = (f"{unbounded.final_x1y2_negative} of the {unbounded.runs} unbounded runs end with x₁y₂ < 0 "
            f"(sign of p₁p₂p₃ = x₁y₂(x₂y₁)²) and {unbounded.f_at_least_1_on_last_decade} keep f ≥ 1 at every "
            "step of the last decade; on x₁y₂ < 0 some product is ≤ 0, so f ≥ 1, and f = 1 is attained only "
            f"at infinity. The median final products are (x₁y₁, x₂y₁, x₂y₂) = ({p[0]:.3f}, {p[1]:.3f}, {p[2]:.3f}). "
            f"The median final |‖x‖² − ‖y‖²| / ‖z‖² is {balance:.2g}: "
            + ("the growth is balanced (the two large coordinates grow together), not an imbalance blow-up. "
               if balance <= BALANCED_IMBALANCE else
               f"above {BALANCED_IMBALANCE:g}, so the growth is not balanced and the reduced model does not apply. ")
            + f"The norm grows as k^{unbounded.median_growth_exponent:.4f} against the reduced model's (1−β)/4 = "
            f"{unbounded.predicted_growth_exponent:.4f} (t⁴ ∝ Σ η_j with t = |x₁| ≈ |y₂|; "
            + ("within" if matches else "outside") + f" a {EXPONENT_AGREEMENT:.0%} tolerance).")
    if converged:
        text += f" {converged.final_x1y2_negative} of the {converged.runs} converged runs end with x₁y₂ < 0."
    return text


def _regime_row(result: NotebookStudy) -> str:
    study = result.study
    unbounded = study.mechanism.get(RunClass.UNBOUNDED.value)
    exponent = f"{unbounded.median_growth_exponent:.4f}" if unbounded else "–"
    stalled = study.mechanism.get(RunClass.BOUNDED.value)
    return (f"| {study.regime.alpha:g} | {study.regime.beta:g} | {scientific(study.regime.iters)} | "
            + " | ".join(str(study.counts[c.value]) for c in RunClass)
            + f" | {' '.join(map(str, study.unbounded_indices)) or '–'} | {exponent} "
            f"({predicted_growth_exponent(study.regime.beta):.4f}) | "
            f"{f'{stalled.median_final_norm:.2f}' if stalled else '–'} | "
            f"{list(study.criterion_disagreements) or 'none'} | {study.seconds:.1f} |")


def _probability_row(e: ProbabilityEstimate) -> str:
    return (f"| {e.regime.alpha:g} | {e.regime.beta:g} | {scientific(e.iters)} | {e.count} | {e.unbounded} | "
            f"{e.fraction:.3f} [{e.low:.3f}, {e.high:.3f}] | {e.counts[RunClass.BOUNDED.value]} | "
            f"{e.notebook_criterion} | {e.trapped / e.count:.3f} [{e.trapped_low:.3f}, {e.trapped_high:.3f}] |")


def _save_runs(context, name: str, runs) -> None:
    """Writes the checkpoint arrays of ``runs`` to ``results/<name>.npz`` (data before plots)."""
    context.save_arrays(name, checkpoints=runs.checkpoints, starts=runs.starts, objective=runs.objective, norm=runs.norm,
                        imbalance=runs.imbalance, products=runs.products, max_norm=runs.max_norm,
                        min_objective=runs.min_objective, max_objective=runs.max_objective, final=runs.final)


def reproduce_section(context) -> Section:
    """Returns the report section: the 13 keys, the criterion, the mechanism and the probabilities."""
    studies = _studies(context)
    estimates = _estimates(context)
    findings = check_notebook_keys(context) + check_probability(context)
    for result in studies:
        context.save_result(f"divergence_{result.study.regime.label}", result.study)
        _save_runs(context, f"divergence_{result.study.regime.label}_checkpoints", result.runs)
    context.save_result("divergence_probability", {
        "estimates": estimates, "shortening_changes": {e.regime.label: _changes(studies, e) for e in estimates}})
    notebook = _notebook_result(studies)
    prefix = context.figure_path("divergence").with_suffix("")
    figures = [Path(p).name for p in plot_runs(notebook.study, notebook.runs, str(prefix))]
    plot_mechanism(notebook.study, notebook.runs, context.figure_path("divergence-mechanism"))
    figures.append("divergence-mechanism.png")

    lines = ["The notebook's subgradient method on f = |x₁y₁−1| + |x₂y₁−1| + |x₂y₂−1|, replayed with JAX's float64 "
             "arithmetic (`tests/test_divergence.py` checks the final iterates of all 100 notebook starts bit for bit "
             "against jax 0.10.2). Runs are classified from log-spaced checkpoints (growth exponent of ‖z_k‖ over the "
             "last decade; f over every step of the last decade), not by f(z_{K−1}) > 0.9.", "",
             "| α | β | K | converged | unbounded | bounded, not conv. | non-finite | unbounded keys | "
             "median exponent (pred. (1−β)/4) | median ‖z_K‖ of the bounded, not conv. | f>0.9 disagreements | "
             "seconds |", "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    lines += [_regime_row(result) for result in studies]
    lines += ["", "**Mechanism.** " + _mechanism_text(notebook.study), ""]
    stalled = [s.study for s in studies if RunClass.BOUNDED.value in s.study.mechanism]
    if stalled:
        law = _stall_law_sentence(stalled)
        lines += ["**Trapped but bounded.** " + " ".join(_stall_sentence(s) for s in stalled)
                  + (" " + law if law else ""), ""]
    lines += [_summable_text(s.study.regime) for s in studies if s.study.regime.kind == "summable"]
    steps = sorted({e.iters for e in estimates})
    lines += [f"**Probability of divergence from N(0, I) starts** (95 % Wilson interval; runs of "
              f"{', '.join(scientific(s) for s in steps)} steps):", "",
              "| α | β | steps run | starts | unbounded | P(unbounded) [95 % CI] | bounded, not conv. | f>0.9 | "
              "P(trapped: x₁y₂<0, f≥1) [95 % CI] |", "|---|---|---|---|---|---|---|---|---|"]
    lines += [_probability_row(e) for e in estimates]
    mode = "--quick" if context.quick else "--full"
    commands = [f"riptools reproduce {mode} --only {REFERENCE.key} --seed {context.seed}",
                *dict.fromkeys(f.replay for f in findings if f.replay)]
    return Section(title="Subgradient divergence (the JAX notebook)", markdown="\n".join(lines),
                   findings=tuple(findings), figures=tuple(figures), commands=tuple(commands), order=ORDER,
                   source=REFERENCE.key)


# ----------------------------------------------------------------------------- figures


CLASS_COLOURS = {RunClass.CONVERGED: "tab:blue", RunClass.UNBOUNDED: "tab:red",
                 RunClass.BOUNDED: "tab:orange", RunClass.NONFINITE: "black"}


def plot_runs(study: DivergenceStudy, runs, prefix) -> list[str]:
    """Writes ``<prefix>-objective.png`` and ``<prefix>-norm.png`` (the notebook's two figures, log k); returns their paths."""
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


def plot_mechanism(study: DivergenceStudy, runs, path) -> str:
    """Writes the mechanism figure (products, norm with the predicted slope, imbalance; by class); returns its path."""
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
    for run_class, colour in CLASS_COLOURS.items():
        if study.counts[run_class.value]:
            axes[1].plot([], [], color=colour, label=f"{run_class.value} ({study.counts[run_class.value]})")
    exponent = predicted_growth_exponent(study.regime.beta)
    unbounded = [r.index for r in study.runs if r.run_class == RunClass.UNBOUNDED]
    if unbounded and exponent > 0:
        anchor = np.median(runs.norm[unbounded, -1])
        axes[1].plot(k, anchor * (k / k[-1]) ** exponent, color="black", linewidth=2,
                     label=f"k^{exponent:.3f} = k^((1−β)/4)")
    axes[0].set_ylim(-1.5, 2.5)
    axes[0].set_title("products on Ω")
    axes[0].set_ylabel("product (x_i y_j at the observed entries)")
    axes[1].set_yscale("log")
    axes[1].set_title("iterate norm")
    axes[1].set_ylabel("‖z_k‖ (log scale)")
    axes[2].set_title("imbalance")
    axes[2].set_ylabel("‖x_k‖² − ‖y_k‖²")
    for axis in axes:
        axis.set_xscale("log")
        axis.set_xlabel("iteration k")
        axis.grid(True, alpha=0.3)
        if axis.get_legend_handles_labels()[0]:
            axis.legend(loc="best", fontsize=8)
    figure.suptitle(f"Mechanism, α = {study.regime.alpha:g}, β = {study.regime.beta:g} (colours: run classes)")
    figure.savefig(path, dpi=110, bbox_inches="tight")
    plt.close(figure)
    return str(path)
