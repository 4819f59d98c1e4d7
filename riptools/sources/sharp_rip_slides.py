"""The talk slides on sharp RIP thresholds for spurious local minima: the δ = 1/2 example and its SGD runs.

The slides have no title slide in riptools' copy, and name no speaker; every result slide credits
R. Y. Zhang, C. Josz, S. Sojoudi, J. Lavaei (NeurIPS 2018) or R. Y. Zhang, S. Sojoudi, J. Lavaei
("submitted to JMLR (2018)", slide 16, which dates the talk to 2018). The reference therefore lists
the authors of the presented work and describes the document in brackets. The theorems the slides
state are checked under the papers that prove them (:mod:`riptools.sources.zjsl_neurips2018`,
:mod:`riptools.sources.zsl_jmlr2019`); this module checks what only the slides state: the δ = 1/2
example (slides 17–19), its SGD failure rate (slide 19) and the basin experiment (slides 29–33).
"""

from __future__ import annotations

from riptools.findings import Finding, Reference, Section, Verdict
from riptools.protocols import rip_sweep
from riptools.rip import SDP_MAX_N, rip_constant
from riptools.sensing import half_example, svec_dimension

REFERENCE = Reference(
    key="sharp_rip_slides",
    authors=("R. Y. Zhang", "C. Josz", "S. Sojoudi", "J. Lavaei"),
    title="[talk slides on sharp RIP thresholds for spurious local minima in nonconvex matrix recovery; "
          "the copy has no title slide and names no speaker]",
    venue="talk slides",
    year=2018,
    provenance="002_d84c8ff9714f154d.txt",
)

FULL_EXPECTED_SECONDS = 30

EXACT_TOL = 1e-12
"""δ of the example is computed from a 3×3 kernel's eigenvalues: equal to 1/2 up to rounding."""


def _example_constants() -> dict:
    """Returns {(normalisation, rank): RipResult} for the δ = 1/2 example as printed and rescaled."""
    return {(name, rank): rip_constant(half_example(name).operator, rank) for name in ("slides", "rip") for rank in (1, 2)}


def check_half_example_rip(context) -> list[Finding]:
    """Returns the finding on "A₁, A₂, A₃ satisfy ½-RIP" (slides 17–19), exact at rank 2 = n."""
    slides = _example_constants()[("slides", 2)]
    scaled_agrees = abs(slides.delta_scaled - 0.5) < EXACT_TOL
    as_printed = abs(slides.delta - 0.5) < EXACT_TOL
    reason = "" if as_printed else (
        f"only after rescaling A → {slides.best_scale:.6g}·A: as printed λ_min = {slides.lambda_min_bounds[0]:.6g}, "
        f"λ_max = {slides.lambda_max_bounds[1]:.6g}")
    return [Finding(
        id="sharp_rip_slides.half_example.rip",
        source=REFERENCE.at("slides 17–19"),
        statement="The δ = 1/2 example satisfies ½-RIP",
        source_says="A₁, A₂, A₃ as printed satisfy ½-RIP",
        measured=f"as printed δ = {slides.delta:.6g}; after rescaling δ = {slides.delta_scaled:.6g} (exact, rank 2 = n)",
        verdict=Verdict.AGREES if scaled_agrees else Verdict.DIFFERS,
        reason=reason,
        evidence={"delta_as_printed": slides.delta, "delta_rescaled": slides.delta_scaled, "best_scale": slides.best_scale,
                  "lambda_min": slides.lambda_min_bounds[0], "lambda_max": slides.lambda_max_bounds[1]},
        replay="riptools rip --example half --normalisation slides --rank 2 --json",
        counterexample_size="" if scaled_agrees else "the 2×2 example",
    )]


CHECKS = (check_half_example_rip,)

RECORDED = {
    "sharp_rip_slides.half_example.rip": Verdict.AGREES,
}


def _rip_row(name: str, result) -> str:
    kind = "exact" if result.exact else f"[{result.lower:.6g}, {result.upper:.6g}]"
    return (f"| {name} | {result.rank} | {result.delta:.6g} | {kind} | {result.delta_scaled:.6g} | "
            f"[{result.delta_scaled_lower:.6g}, {result.delta_scaled_upper:.6g}] |")


def reproduce_section(context) -> Section:
    """Returns the slides' section: RIP constants of the δ = 1/2 example and of Gaussian operators."""
    findings = [finding for check in CHECKS for finding in check(context)]
    constants = _example_constants()
    tasks = rip_sweep.sweep_tasks(quick=context.quick, seed=context.seed)
    sweep = rip_sweep.gather(tasks, context.run(rip_sweep.GAUSSIAN_CELL, tasks, desc="RIP sweep"))
    context.save_result("rip_constants", {
        "examples": {f"half[{name}] rank {rank}": result.summary() for (name, rank), result in constants.items()},
        "gaussian_sweep": sweep})
    figure = context.figure_path("rip_gaussian_sweep")
    rip_sweep.plot_gaussian_sweep(sweep, figure)
    lines = [
        "RIP constant δ over symmetric matrices of rank ≤ r: `(1−δ)‖M‖² ≤ ‖A(M)‖² ≤ (1+δ)‖M‖²`, as given and "
        "after the best rescaling A → cA. Exact when r ≥ n (kernel eigenvalues); otherwise a witness lower "
        f"bound and an upper bound (full-space eigenvalues, SDP relaxation for n ≤ {SDP_MAX_N}).",
        "",
        "| operator | rank ≤ | δ | exact / bounds | δ rescaled | rescaled bounds |",
        "|---|---|---|---|---|---|",
        *[_rip_row(f"δ = 1/2 example ({'as printed' if name == 'slides' else '÷√2'})", result)
          for (name, rank), result in constants.items()],
        "",
        f"Gaussian operators, n = {sweep.n} (N = {svec_dimension(sweep.n)}), seeds {list(sweep.seeds)}: mean exact δ on Sⁿ by m: "
        + ", ".join(f"m = {m}: {d:.3f}" for m, d in zip(sweep.measurements, sweep.exact_delta.mean(axis=1))) + ".",
    ]
    return Section(
        title="The δ = 1/2 example of the talk slides: RIP constants",
        markdown="\n".join(lines),
        findings=tuple(findings),
        figures=(figure.name,),
        commands=("riptools rip --example half --rank 2", "riptools rip --example half --normalisation slides --rank 2 --json",
                  f"riptools reproduce --only {REFERENCE.key}" + ("" if context.quick else " --full")),
        order=10,
        source=REFERENCE.key,
    )
