"""REPORT.md section "Claim checks": the verdict of every claim of seed 001 and the observed constants.

Data first (``results/claims.json``: one record per claim; ``results/claims_samples.json``: the
(ρ, statistic, margin) of the instances tried), then one figure per claim family: the observed
ratio (or the margin, for claims without a constant) against ρ, the claimed constant as a line.
"""

from __future__ import annotations

import math

from riptools.claims import all_claims
from riptools.claims.engine import DEFAULT_BUDGET, ClaimTrial, instance_from_json, run_trial, side_text, statistic_at, with_stored_counterexample
from riptools.report import Section, VerdictRow

FULL_EXPECTED_SECONDS = 70

QUICK_BUDGET = 40
"""Instances per claim in ``--quick`` (27 claims in about 15 s of CPU; stored counterexamples are replayed)."""
PLOTTED_SAMPLES = 1500
"""At most this many instances per claim are drawn in a figure (evenly subsampled)."""


def verdict_rows(claims, findings) -> list[VerdictRow]:
    """Returns one VerdictRow per claim id that reads the source's statement (diagnostic variants excluded)."""
    return [
        VerdictRow(
            claim=f"{claim.id}: {claim.reading}",
            source=finding.source.citation,
            source_says=finding.source_says,
            measured=finding.measured,
            verdict=finding.verdict.value,
            reason=finding.reason,
        )
        for claim, finding in zip(claims, findings)
        if not finding.diagnostic
    ]


def _markdown(claims, findings, budget: int, seed: int) -> str:
    lines = [
        "Each claim of the ScaledSGD paper (seed 001, Sections 2–4) was checked on hypothesis-drawn instances "
        f"(n = 2…30, r = 1…5, κ = 1…10⁴, ρ from 10⁻⁶·ρ_max to the boundary) and attacked with L-BFGS-B inside its "
        f"hypotheses ({budget} instances per claim, seed {seed}). Violations count only after re-evaluation at 50 and "
        "80 digits; counterexamples are shrunk to the smallest (n, r) and rounded. f(X) = ‖XXᵀ − ZZᵀ‖²_F without ½, "
        "as in the paper. Rows marked *variant* are riptools' diagnostic or corrected forms, not the paper's statement.",
        "",
        "| claim | reading | verdict | claimed | observed extreme | worst margin | instances |",
        "|---|---|---|---|---|---|---|",
    ]
    for claim, finding in zip(claims, findings):
        evidence = finding.evidence
        claimed = "—" if evidence["claimed_constant"] is None else f"{evidence['claimed_constant']:.6g}"
        observed = "—" if evidence["observed_extreme"] is None else f"{evidence['extreme']} {evidence['observed_extreme']:.6g}"
        name = f"`{claim.id}`" + (" *variant*" if claim.variant else "")
        lines.append(
            f"| {name} | {claim.reading.replace('|', '/')} | {finding.verdict.value} | {claimed} | {observed} | {evidence['worst_margin']:.3g} | {evidence['examples_tried']} |"
        )
    lines += ["", "Counterexamples (inputs are float64 values; replay with `riptools check ID` or `pytest proofs_checks`):", ""]
    for finding in findings:
        counterexample = finding.evidence["counterexample"]
        if counterexample is not None:
            inputs = ", ".join(f"{key} = {value}" for key, value in counterexample["inputs"].items())
            lines.append(f"- `{finding.id}`: {inputs} → lhs {side_text(counterexample['lhs'])} > rhs {side_text(counterexample['rhs'])}")
    return "\n".join(lines)


def _families(claims) -> dict[str, list[int]]:
    families = {}
    for index, claim in enumerate(claims):
        families.setdefault(claim.id.split("[")[0], []).append(index)
    return families


def plot_family(path, claims, trials) -> None:
    """Writes one figure: per claim, the observed statistic (or margin) against ρ with the claimed constant."""
    import matplotlib.pyplot as plt

    count = len(claims)
    columns = min(count, 3)
    rows = math.ceil(count / columns)
    figure, axes = plt.subplots(rows, columns, figsize=(4.2 * columns, 3.3 * rows), squeeze=False)
    for axis, claim, trial in zip(axes.ravel(), claims, trials):
        finding = trial.finding
        counterexample = finding.evidence["counterexample"]
        samples = trial.samples[:: max(1, len(trial.samples) // PLOTTED_SAMPLES)]
        use_statistic = claim.statistic is not None
        points = [(p, s if use_statistic else m) for p, s, m in samples if math.isfinite(p) and (s if use_statistic else m) is not None]
        points = [(p, y) for p, y in points if math.isfinite(y)]
        if points:
            xs, ys = zip(*points)
            axis.scatter(xs, ys, s=4, alpha=0.4, color="tab:blue", label="instances tried")
            if use_statistic and min(ys) > 0 and max(ys) / min(ys) > 100:
                axis.set_yscale("log")
        if counterexample is not None and claim.parameter is not None:
            instance = instance_from_json(counterexample["inputs"])
            value = statistic_at(claim, counterexample["inputs"]) if use_statistic else float(counterexample["margin"])
            axis.scatter([claim.parameter(instance)], [value], marker="*", s=90, color="black", zorder=3, label="counterexample")
        reference = claim.claimed_constant if use_statistic else 0.0
        if reference is not None:
            axis.axhline(reference, color="tab:red", label="claimed" if use_statistic else "margin 0")
        axis.set_title(f"{claim.id}\n{finding.verdict.value}", fontsize=8)
        axis.set_xlabel("ρ = ‖XXᵀ−ZZᵀ‖_F / λ_min(ZᵀZ)", fontsize=7)
        axis.set_ylabel("observed ratio" if use_statistic else "normalised margin", fontsize=7)
        axis.tick_params(labelsize=7)
        axis.legend(fontsize=6)
    for axis in axes.ravel()[count:]:
        axis.set_visible(False)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


def claim_task(*, claim_id: str, budget: int, seed: int) -> ClaimTrial:
    """Returns the search of one claim (finding and samples): one task of the reproduce sweep."""
    return run_trial(all_claims()[claim_id], budget=budget, seed=seed)


def reproduce_section(context) -> Section:
    """Returns the "Claim checks" section: verdict table, counterexamples and figures (seed 001)."""
    claims = list(all_claims().values())
    budget = QUICK_BUDGET if context.quick else DEFAULT_BUDGET
    tasks = [{"claim_id": claim.id, "budget": budget, "seed": context.seed} for claim in claims]
    searched = context.map_cached("claim-trial", claim_task, tasks, desc="claims", codec="pickle")
    trials = [ClaimTrial(with_stored_counterexample(claim, trial.finding), trial.samples) for claim, trial in zip(claims, searched)]
    findings = [trial.finding for trial in trials]
    context.save_result("claims", [finding.to_record() for finding in findings])
    context.save_result(
        "claims_samples",
        {trial.finding.id: [list(sample) for sample in trial.samples[:: max(1, len(trial.samples) // PLOTTED_SAMPLES)]] for trial in trials},
    )
    figures = []
    for family, indices in _families(claims).items():
        if not any(claims[i].parameter for i in indices):
            continue
        name = "claims_" + family.replace(".", "_")
        plot_family(context.figure_path(name), [claims[i] for i in indices], [trials[i] for i in indices])
        figures.append(f"{name}.png")
    return Section(
        title="Claim checks (ScaledSGD lemmas, seed 001)",
        markdown=_markdown(claims, findings, budget, context.seed),
        verdicts=verdict_rows(claims, findings),
        figures=figures,
        commands=[
            f"riptools check --budget {budget} --seed {context.seed}",
            f"riptools reproduce {'--quick ' if context.quick else '--full '}--only claims --seed {context.seed}",
        ],
        order=40,
    )
