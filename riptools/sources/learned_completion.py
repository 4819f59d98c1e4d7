"""M. Alkady, "Low-Rank Matrix Completion via Deep Neural Networks" (summer-school slides, 2025).

The slides train a feed-forward network (two ReLU hidden layers, Adam 10⁻³, batch 64, 90/10 split,
10,000 epochs) to fill masked entries of random rank-r matrices M = UVᵀ with Gaussian factors, print
worked examples and network predictions, and state facts about the data: an n×n rank-r matrix has
2nr − r² independent elements, masking m < n² − 2nr + r² entries is the condition used, the product
of two N(0, 1) has density K₀(|z|)/π with variance 1, Var(M_ij) = r, and "68.4 % lie within 1σ from
the mean".

What riptools checks (computation in :mod:`riptools.protocols.completion` and
:mod:`riptools.completion.claims`): each stated fact exactly (sympy, 30-digit quadratures) with a
simulation cross-check; the printed examples against the exact rank-r completion; the mask-count
condition against identifiability, with a replayable instance; and the network against exact
completion by nonconvex factorisation on the same held-out matrices.
"""

from __future__ import annotations

import math

import numpy as np

from riptools.findings import Finding, Reference, Section, Verdict
from riptools.protocols.completion import (
    CLAIM_NUMBERS,
    COMPARISON,
    RANKS,
    SIZES,
    SLIDE_STUDY,
    ClaimNumbers,
    Comparison,
    SlideExample,
    comparison_grid,
    skipped_sizes,
)

REFERENCE = Reference(
    key="learned_completion",
    authors=("M. Alkady",),
    title="Low-Rank Matrix Completion via Deep Neural Networks",
    venue="Machine Learning for Physicists and Mathematicians Summer School, Northeastern University",
    year=2025,
    provenance="003_0e08993aad4b435a.txt",
)

FULL_EXPECTED_SECONDS = 190

SLIDES_WITHIN_ONE_SIGMA = 0.684
"""The slides' "68.4 % lie within 1σ from the mean"."""
PRINTED_HALF_UNIT = 0.0005
"""A printed 68.4 % is right when the exact probability rounds to it (half a unit of the last digit)."""
QUADRATURE_TOL = 1e-20
"""Identities computed by 30-digit quadrature must agree to this (absolute)."""
GOF_ALPHA = 1e-3
"""A goodness-of-fit test rejects the stated law below this p-value."""
SIMULATION_Z_LIMIT = 4.5
"""A simulation contradicts an exact value when it lies beyond this many standard errors (a check of
the computation, not of the claim: then the verdict is inconclusive)."""
CLOSED_FORM_TOL = 1e-12
"""A quadrature and a closed form of the same probability must agree to this."""
PRINTED_TOL = 2e-3
"""The slides print 3 decimals: a completion agrees with a printed one within 2 units of the last digit."""
LEARNED_ERROR = 0.5
"""A prediction counts as good when its relative masked-entry error is below this: half the error of
predicting 0 (error 1)."""

ORDER = 80
CLAIMS_SLIDE = "slides 'Analysis of 2×2 Results' and 'Distribution of elements', eq. (5)"


# ----------------------------------------------------------------------------- verdicts (pure)


def variance_verdict(measurement) -> tuple[Verdict, str]:
    """Returns (verdict, reason) for Var(M_ij) = r: the exact value decides, the simulation must agree with it.

    Example:
        >>> from riptools.completion.claims import measure_variance
        >>> variance_verdict(measure_variance(3, seed=3, samples=20_000))[0]
        <Verdict.AGREES: 'agrees'>
    """
    if abs(measurement.simulated - measurement.exact) > SIMULATION_Z_LIMIT * measurement.standard_error:
        return Verdict.INCONCLUSIVE, f"the simulation is more than {SIMULATION_Z_LIMIT} standard errors from the exact value"
    if measurement.exact == measurement.rank:
        return Verdict.AGREES, "exact (sympy expansion with Gaussian moments); the simulation agrees"
    return Verdict.REFUTED, f"the exact variance is {measurement.exact}"


def density_verdict(measurement) -> tuple[Verdict, str]:
    """Returns (verdict, reason) for "the product of two N(0, 1) has density K₀(|z|)/π, variance 1"."""
    exact = measurement.max_density_error < QUADRATURE_TOL and measurement.total_mass == "1" and measurement.variance == "1"
    if not exact:
        return Verdict.REFUTED, "the closed-form product density, its mass or its variance differ from the statement"
    if measurement.ks_pvalue <= GOF_ALPHA:
        return Verdict.INCONCLUSIVE, f"exact identities hold but the KS test rejects at p = {measurement.ks_pvalue:.2g}"
    return Verdict.AGREES, "exact (sympy closed form at 30 digits, mass and variance); the KS test does not reject"


def degrees_of_freedom_verdict(measurement) -> tuple[Verdict, str]:
    """Returns (verdict, reason) for 2nr − r² degrees of freedom: proved when the Jacobian rank at a point
    equals the gauge upper bound and the formula."""
    if measurement.jacobian_rank == measurement.formula == measurement.upper_bound:
        return Verdict.AGREES, "proved: the exact Jacobian rank at an integer point meets the gauge upper bound"
    return Verdict.REFUTED, f"Jacobian rank {measurement.jacobian_rank}, gauge bound {measurement.upper_bound}"


def within_one_sigma_verdict(measurement, printed_ranks: tuple[int, int]) -> tuple[Verdict, str]:
    """Returns (verdict, reason) for "68.4 % of the entries lie within 1σ" at rank r."""
    consistent = abs(measurement.simulated - measurement.exact) <= SIMULATION_Z_LIMIT * measurement.standard_error
    if measurement.closed_form is not None:
        consistent = consistent and abs(measurement.closed_form - measurement.exact) < CLOSED_FORM_TOL
    if not consistent:
        return Verdict.INCONCLUSIVE, "the quadrature, the closed form and the simulation disagree"
    first, last = printed_ranks
    gaussian = 100 * math.erf(2**-0.5)  # the limit r → ∞: a Gaussian's mass within 1σ
    where = f"the exact probability rounds to 68.4 % only for {first} ≤ r ≤ {last} (→ {gaussian:.2f} % as r → ∞)"
    if abs(measurement.exact - SLIDES_WITHIN_ONE_SIGMA) <= PRINTED_HALF_UNIT:
        return Verdict.AGREES, where
    return Verdict.REFUTED, f"exactly {measurement.exact:.1%} at r = {measurement.rank}; " + where


def worked_example_verdict(example: SlideExample) -> tuple[Verdict, str]:
    """Returns (verdict, reason) for a printed completion: the unique rank-r completion to the printed digits."""
    if example.completion_vs_printed <= PRINTED_TOL and example.distinct_completions == 1:
        return Verdict.AGREES, f"the unique rank-{example.rank} completion, to the printed 3 decimals"
    return Verdict.DIFFERS, "the printed completion is not the rank-r completion"


def mask_condition_verdict(worked: SlideExample, witness) -> tuple[Verdict, str]:
    """Returns (verdict, reason) for "masking m < n² − dof entries determines the masked entries".

    refuted when the slides' own example violates the condition yet has a unique completion (not
    necessary) or an instance satisfying it has two exact completions (not sufficient).
    """
    not_necessary = not worked.slides_count_condition and worked.exact == "unique"
    not_sufficient = witness.slides_count_condition and len(witness.completions) > 1
    if not_necessary or not_sufficient:
        return Verdict.REFUTED, "the count m ≤ n² − dof is necessary; no count is sufficient"
    return Verdict.AGREES, ""


def prediction_verdict(error: float) -> tuple[Verdict, str]:
    """Returns (verdict, reason) for a prediction shown as good, from its relative masked-entry error.

    Example:
        >>> prediction_verdict(1.1)[0]
        <Verdict.DIFFERS: 'differs'>
    """
    if error < LEARNED_ERROR:
        return Verdict.AGREES, f"masked-entry error {error:.2f} < {LEARNED_ERROR:g}"
    zero = "worse than" if error > 1 else "better than"
    return Verdict.DIFFERS, (f"masked-entry error {error:.2f} ≥ {LEARNED_ERROR:g} (a good prediction); "
                             f"{zero} predicting 0 (error 1)")


# ----------------------------------------------------------------------------- findings


def _matrix_text(matrix) -> str:
    return "[" + "; ".join(", ".join("*" if x is None else f"{x:.3f}" for x in row)
                           for row in np.asarray(matrix, dtype=object)) + "]"


def _exact_text(example: SlideExample) -> str:
    """Returns sympy's findings on a slide example in words."""
    data = {"none": "the printed (rounded) data have no exact rank-r completion"}.get(
        example.exact, f"{example.exact} completion of the printed data")
    return f"{data}; this mask pattern has a {example.exact_generic} completion for a generic rank-{example.rank} matrix"


def claim_findings(numbers: ClaimNumbers) -> list[Finding]:
    """Returns the findings on the slides' facts about random rank-r matrices (variance, K₀, dof, 68.4 %)."""
    replay = CLAIM_NUMBERS.replay(numbers.params)
    findings = []
    for m in numbers.variances:
        verdict, reason = variance_verdict(m)
        findings.append(Finding(
            id=f"{REFERENCE.key}.variance[r={m.rank}]", source=REFERENCE.at(CLAIMS_SLIDE),
            statement=f"Var(M_ij) = r = {m.rank} for M = UVᵀ, U, V ∈ R^(n×{m.rank}) standard Gaussian",
            source_says=str(m.rank), measured=f"exactly {m.exact}; simulated {m.simulated:.4f} ± {m.standard_error:.4f}",
            verdict=verdict, reason=reason, evidence=_fields(m), replay=replay,
            counterexample_size="" if verdict is Verdict.AGREES else f"rank {m.rank}"))
    d = numbers.density
    verdict, reason = density_verdict(d)
    findings.append(Finding(
        id=f"{REFERENCE.key}.k0_density", source=REFERENCE.at("slide 'Analysis of 2×2 Results', eq. (3)"),
        statement="the product of two independent N(0, 1) variables has density K₀(|z|)/π, with variance 1",
        source_says="P_Z = K₀(|Z|)/π, variance 1",
        measured=(f"density error {d.max_density_error:.0e}, mass {d.total_mass}, variance {d.variance}, "
                  f"KS p = {d.ks_pvalue:.2f}"),
        verdict=verdict, reason=reason, evidence=_fields(d), replay=replay))
    for m in numbers.degrees_of_freedom:
        verdict, reason = degrees_of_freedom_verdict(m)
        findings.append(Finding(
            id=f"{REFERENCE.key}.degrees_of_freedom[n={m.n},r={m.rank}]", source=REFERENCE.at("slide 'Our Problem'"),
            statement=f"an {m.n}×{m.n} matrix of rank {m.rank} has 2nr − r² = {m.formula} independent elements",
            source_says=str(m.formula), measured=f"Jacobian rank {m.jacobian_rank}, gauge upper bound {m.upper_bound}",
            verdict=verdict, reason=reason, evidence=_fields(m), replay=replay,
            counterexample_size="" if verdict is Verdict.AGREES else f"n = {m.n}, r = {m.rank}"))
    for m in numbers.within_one_sigma:
        verdict, reason = within_one_sigma_verdict(m, numbers.printed_ranks)
        findings.append(Finding(
            id=f"{REFERENCE.key}.within_one_sigma[r={m.rank}]",
            source=REFERENCE.at("slide 'Distribution of elements in n×n matrix'"),
            statement=f"68.4 % of the entries of a rank-{m.rank} product lie within 1σ = √{m.rank} of the mean 0",
            source_says="68.4 %", measured=f"exactly {m.exact:.4%} (simulated {m.simulated:.4f})",
            verdict=verdict, reason=reason,
            counterexample_size="" if verdict is Verdict.AGREES else f"rank {m.rank}",
            evidence={**_fields(m), "ranks_rounding_to_printed": list(numbers.printed_ranks)}, replay=replay))
    return findings


def _fields(measurement) -> dict:
    """Returns a measurement's fields as a JSON-ready dict."""
    return {name: getattr(measurement, name) for name in measurement.__dataclass_fields__}


def comparison_findings(comparison: Comparison) -> list[Finding]:
    """Returns the findings on the printed examples, the mask condition and the network baseline."""
    examples = {example.name: example for example in comparison.slide_examples}
    seed = comparison.seed
    replay = SLIDE_STUDY.replay(SLIDE_STUDY.params(seed=seed))
    findings = []
    for key, name in (("2x2", "2×2 worked example"), ("4x4", "4×4 worked example")):
        example = examples[name]
        verdict, reason = worked_example_verdict(example)
        findings.append(Finding(
            id=f"{REFERENCE.key}.worked_example[{key}]", source=REFERENCE.at("slide 'Examples'"),
            statement=f"{name}: the masked entries complete to {_matrix_text(example.printed_prediction)}",
            source_says="printed completion",
            measured=(f"riptools {_matrix_text(example.riptools_completion)} (max diff {example.completion_vs_printed:.1e}); "
                      f"{example.distinct_completions} completion over restarts, Jacobian rank "
                      f"{example.jacobian_rank}/{example.degrees_of_freedom}; sympy: {_exact_text(example)}"),
            verdict=verdict, reason=reason,
            counterexample_size="" if verdict is Verdict.AGREES else f"the printed {key} example",
            evidence={"completion_vs_printed": example.completion_vs_printed,
                      "distinct_completions": example.distinct_completions, "exact": example.exact},
            replay=replay))
    worked = examples["2×2 worked example"]
    weakest = min(comparison.rows, key=lambda row: row.locally_identifiable)
    witness = comparison.witness
    spec = witness.instance
    verdict, reason = mask_condition_verdict(worked, witness)
    findings.append(Finding(
        id=f"{REFERENCE.key}.mask_condition", source=REFERENCE.at("slide 'Our Problem'"),
        statement="masking m < n² − (2nr − r²) entries leaves the masked entries determined",
        source_says="m < n² − 2nr + r²",
        measured=(f"the slides' own 2×2 example has m = 1 = n² − dof (condition "
                  f"{'holds' if worked.slides_count_condition else 'fails'}) and a {worked.exact} completion (sympy); at "
                  f"n={weakest.n}, r={weakest.rank}, m={weakest.n_masked} {weakest.locally_identifiable:.0%} of random masks "
                  f"are locally identifiable; masked_batch(n={spec['n']}, r={spec['rank']}, m={spec['n_masked']}, "
                  f"count={spec['count']}, seed={spec['seed']})[{spec['index']}] (condition "
                  f"{'holds' if witness.slides_count_condition else 'fails'}, Jacobian rank "
                  f"{witness.jacobian_rank}/{witness.degrees_of_freedom}) has {len(witness.completions)} exact "
                  f"rank-{spec['rank']} completions (residuals ≤ {max(witness.observed_residuals):.0e})"),
        verdict=verdict, reason=reason,
        counterexample_size="" if verdict is Verdict.AGREES else
        f"the printed 2×2 example (n = 2, r = 1) and a {spec['n']}×{spec['n']} rank-{spec['rank']} instance",
        evidence={"witness": dict(spec), "completions": len(witness.completions),
                  "observed_residuals": witness.observed_residuals},
        replay=replay))
    performance = examples["4×4 performance example"]
    sigma = performance.printed_singular_values
    verdict, reason = prediction_verdict(performance.printed_error)
    findings.append(Finding(
        id=f"{REFERENCE.key}.performance_4x4", source=REFERENCE.at("slide 'Performance on 4×4 matrices'"),
        statement="the network's printed 4×4 prediction is a good completion",
        source_says=f"prediction {_matrix_text(performance.printed_prediction)}",
        measured=(f"printed prediction: masked-entry error {performance.printed_error:.2f}, σ₃/σ₁ = "
                  f"{sigma[2] / sigma[0]:.3f}; riptools' rank-2 completion: error {performance.riptools_error:.1e}"),
        verdict=verdict, reason=reason,
        counterexample_size="" if verdict is Verdict.AGREES else "the printed 4×4 prediction",
        evidence={"printed_error": performance.printed_error, "riptools_error": performance.riptools_error,
                  "printed_singular_values": [float(v) for v in sigma]},
        replay=replay))
    worst = max(comparison.rows, key=lambda row: row.network_error)
    best = min(comparison.rows, key=lambda row: row.network_error)
    verdict, reason = prediction_verdict(worst.network_error)
    budget = (f"{comparison.rows[0].n_matrices} matrices, ≤ {comparison.rows[0].max_epochs} epochs per configuration "
              "(slides: 10,000 epochs, data-set size not printed)")
    findings.append(Finding(
        id=f"{REFERENCE.key}.network_learns", source=REFERENCE.at("slides 'Model', 'Results'"),
        statement="an MLP (2 ReLU layers, Adam 1e-3, batch 64) learns to fill masked entries",
        source_says="predictions shown as good",
        measured=(f"network pooled error {best.network_error:.2f}–{worst.network_error:.2f} (predicting 0: 1); exact "
                  f"completion recovers {min(r.exact_recovered_identifiable for r in comparison.rows):.0%}–"
                  f"{max(r.exact_recovered_identifiable for r in comparison.rows):.0%} of the locally identifiable "
                  "held-out matrices to 1e-6"),
        verdict=verdict, reason=f"worst configuration n={worst.n}, r={worst.rank}, m={worst.n_masked}: {reason}; {budget}",
        counterexample_size="" if verdict is Verdict.AGREES else
        f"{worst.n_test} held-out {worst.n}×{worst.n} matrices (n = {worst.n}, r = {worst.rank})",
        evidence={"network_errors": {f"n={r.n},r={r.rank},m={r.n_masked}": r.network_error for r in comparison.rows}},
        replay=COMPARISON.replay(COMPARISON.params(n=worst.n, rank=worst.rank, n_masked=worst.n_masked,
                                                   n_matrices=worst.n_matrices, max_epochs=worst.max_epochs,
                                                   seed=seed))))
    return findings


def _claim_numbers(context) -> ClaimNumbers:
    (numbers,) = context.run(CLAIM_NUMBERS, [CLAIM_NUMBERS.sized(quick=context.quick, seed=context.seed)])
    return numbers


def _comparison(context) -> Comparison:
    rows = context.run(COMPARISON, comparison_grid(quick=context.quick, seed=context.seed), desc="nn compare")
    (slides,) = context.run(SLIDE_STUDY, [SLIDE_STUDY.params(seed=context.seed)])
    return Comparison(rows=list(rows), skipped=skipped_sizes(quick=context.quick), slide_examples=list(slides.examples),
                      witness=slides.witness, quick=context.quick, seed=context.seed)


def check_claims(context) -> list[Finding]:
    """Returns the findings on the slides' facts about random rank-r matrices at ``context``'s size."""
    return claim_findings(_claim_numbers(context))


def check_comparison(context) -> list[Finding]:
    """Returns the findings on the printed examples, the mask condition and the network at ``context``'s size."""
    return comparison_findings(_comparison(context))


CHECKS = (check_claims, check_comparison)

RECORDED = {
    **{f"{REFERENCE.key}.variance[r={r}]": Verdict.AGREES for r in range(1, 7)},
    f"{REFERENCE.key}.k0_density": Verdict.AGREES,
    **{f"{REFERENCE.key}.degrees_of_freedom[n={n},r={r}]": Verdict.AGREES for n in (2, 3, 4, 6) for r in (1, 2)},
    **{f"{REFERENCE.key}.within_one_sigma[r={r}]": Verdict.REFUTED for r in range(1, 7)},
    f"{REFERENCE.key}.worked_example[2x2]": Verdict.AGREES,
    f"{REFERENCE.key}.worked_example[4x4]": Verdict.AGREES,
    f"{REFERENCE.key}.mask_condition": Verdict.REFUTED,
    f"{REFERENCE.key}.performance_4x4": Verdict.DIFFERS,
    f"{REFERENCE.key}.network_learns": Verdict.DIFFERS,
}
"""Verdicts at the quick size."""


# ----------------------------------------------------------------------------- report


def comparison_markdown(comparison: Comparison) -> str:
    """Returns the comparison table and the slide examples as markdown."""
    lines = [
        "| n | r | masked m | n²−dof | slides' m < n²−dof | matrices (train/test) | epochs | network error | network median | locally identifiable | network error (identifiable) | exact error (identifiable) | exact recovered (all / identifiable) |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for row in comparison.rows:
        lines.append(
            f"| {row.n} | {row.rank} | {row.n_masked} | {row.bound} | {'yes' if row.slides_count_condition else 'no'} | "
            f"{row.n_matrices} ({row.n_train}/{row.n_test}) | {row.epochs}/{row.max_epochs} | {row.network_error:.3f} | "
            f"{row.network_median_error:.3f} | {row.locally_identifiable:.0%} | {row.network_error_identifiable:.3f} | "
            f"{row.exact_error_identifiable:.1e} | {row.exact_recovered:.0%} / {row.exact_recovered_identifiable:.0%} |"
        )
    if comparison.skipped:
        lines += ["", "No admissible mask (n² ≤ 2nr − r²) for (n, r) = " + ", ".join(map(str, comparison.skipped)) + "."]
    lines += [
        "",
        "Errors are relative, on the masked entries, pooled over the held-out matrices: √(Σ err²/Σ M²), so predicting 0 "
        "gives 1; 'median' is the median per-matrix error. 'Locally identifiable': the Jacobian of the observed entries "
        "w.r.t. (U, V) has rank 2nr − r² at the true factors; recovered: masked entries right to 1e-6.",
        "",
    ]
    lines += ["| slide example | input | riptools completion | printed prediction | truth | printed err | riptools err | unique? |", "|---|---|---|---|---|---|---|---|"]
    for example in comparison.slide_examples:
        truth = "—" if example.ground_truth is None else _matrix_text(example.ground_truth)
        printed = "—" if example.printed_error is None else f"{example.printed_error:.3f}"
        ours = "—" if example.riptools_error is None else f"{example.riptools_error:.1e}"
        unique = (f"{example.distinct_completions} completion(s) over restarts; Jacobian rank "
                  f"{example.jacobian_rank}/{example.degrees_of_freedom}; sympy: {_exact_text(example)}")
        lines.append(f"| {example.name} | {_matrix_text(example.input)} | {_matrix_text(example.riptools_completion)} | "
                     f"{_matrix_text(example.printed_prediction)} | {truth} | {printed} | {ours} | {unique} |")
    return "\n".join(lines)


def _within_sentence(numbers: ClaimNumbers) -> str:
    """Returns the sentence on "68.4 % within 1σ", every number from the measurements."""
    values = numbers.within_one_sigma
    first, last = numbers.printed_ranks
    return (f"P(|M_ij| ≤ √r) is exactly {values[0].exact:.1%} at r = {values[0].rank} and {values[-1].exact:.1%} at "
            f"r = {values[-1].rank}; it rounds to the printed 68.4 % only for {first} ≤ r ≤ {last}.")


def plot_comparison(comparison: Comparison, path) -> None:
    """Writes the figure: masked-entry error against the fraction m / (n² − dof), network vs exact."""
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(1, len(RANKS), figsize=(10, 4), sharey=True)
    floor = 1e-17  # exact completion's error can be 0; drawn at this floor on the log axis
    for axis, rank in zip(np.atleast_1d(axes), RANKS):
        for index, n in enumerate(SIZES):
            rows = [row for row in comparison.rows if row.n == n and row.rank == rank]
            if not rows:
                continue
            fraction = [row.n_masked / row.bound for row in rows]
            colour = f"C{index}"
            axis.plot(fraction, [row.network_error for row in rows], "o-", color=colour, label=f"network n={n}")
            axis.plot(fraction, [max(row.exact_error_identifiable, floor) for row in rows], "s--", color=colour,
                      label=f"exact (identifiable) n={n}")
        axis.axhline(1.0, color="grey", lw=0.8, ls=":", label="predict 0")
        axis.set_yscale("log")
        axis.set_xlabel("masked entries m / (n² − (2nr − r²))")
        axis.set_title(f"rank r = {rank}")
        axis.legend(fontsize=7, loc="center right")
    np.atleast_1d(axes)[0].set_ylabel("relative error on masked entries")
    figure.suptitle("MLP baseline vs exact completion (ALS + Gauss–Newton)")
    figure.tight_layout()
    figure.savefig(path, dpi=120)
    plt.close(figure)


def reproduce_section(context) -> Section:
    """Returns the report section: the claims, the comparison table and figure, the slide examples."""
    numbers = _claim_numbers(context)
    comparison = _comparison(context)
    context.save_result("completion_claims", numbers)
    context.save_result("completion_comparison", comparison)
    plot_comparison(comparison, context.figure_path("completion_comparison"))
    claims = claim_findings(numbers)
    findings = claims + comparison_findings(comparison)
    claim_lines = ["| finding | verdict | measured |", "|---|---|---|"] + [
        f"| `{f.id.removeprefix(REFERENCE.key + '.')}` | {f.verdict.value} | {f.measured} |" for f in claims]
    markdown = "\n".join([
        "The slides train an MLP to fill masked entries of random rank-r matrices M = UVᵀ. riptools trains the same "
        "network (scikit-learn MLPRegressor; input = entries with masked ones zeroed + mask) and completes the same "
        "held-out matrices by nonconvex factorisation (ALS from random starts, then Gauss–Newton).",
        "",
        comparison_markdown(comparison),
        "",
        "Claim checks (`riptools nn claims`): " + _within_sentence(numbers),
        "",
        *claim_lines,
    ])
    mode = " --quick" if context.quick else ""
    commands = [f"riptools nn compare{mode} --json --seed {context.seed}", CLAIM_NUMBERS.replay(numbers.params)]
    return Section(title="Learned completion of small matrices (the summer-school slides)", markdown=markdown,
                   findings=tuple(findings), figures=("completion_comparison.png",), commands=tuple(commands),
                   order=ORDER, source=REFERENCE.key)
