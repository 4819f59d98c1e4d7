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

import functools

import numpy as np

from riptools.findings import Finding, Reference, Section, Verdict
from riptools.objective import classify_point
from riptools.protocols import basin
from riptools.protocols import counterexample_search as cs
from riptools.protocols import rip_sweep
from riptools.rip import SDP_MAX_N, rip_constant
from riptools.sensing import half_example, svec_dimension
from riptools.sources._sharp_rip import half_facts, local_minimum_verdict, point_kind
from riptools.sources._text import count, eigenvalue_set, percent, polynomial, vector

REFERENCE = Reference(
    key="sharp_rip_slides",
    authors=("R. Y. Zhang", "C. Josz", "S. Sojoudi", "J. Lavaei"),
    title="[talk slides on sharp RIP thresholds for spurious local minima in nonconvex matrix recovery; "
          "the copy has no title slide and names no speaker]",
    venue="talk slides",
    year=2018,
    provenance="002_d84c8ff9714f154d.txt",
)

FULL_EXPECTED_SECONDS = 90

SLIDES_TRIALS = 100_000
SLIDES_SUCCESSES = 87_947
"""Slide 19: "100,000 trials w/ SGD, 87,947 successful" on the δ = 1/2 example."""

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
        source_says="A₁, A₂, A₃ satisfy ½-RIP",
        measured=f"as printed δ = {slides.delta:.6g}; after rescaling δ = {slides.delta_scaled:.6g} (exact, rank 2 = n)",
        verdict=Verdict.AGREES if scaled_agrees else Verdict.DIFFERS,
        reason=reason,
        evidence={"delta_as_printed": slides.delta, "delta_rescaled": slides.delta_scaled, "best_scale": slides.best_scale,
                  "lambda_min": slides.lambda_min_bounds[0], "lambda_max": slides.lambda_max_bounds[1]},
        replay="riptools rip --example half --normalisation slides --rank 2 --json",
        counterexample_size="" if scaled_agrees else "the 2×2 example",
    )]


def _curve(facts: cs.HalfExampleFacts) -> str:
    return "u(t) = " + polynomial(facts.descent_curve).replace("[", "(").replace("]", ")")


def check_spurious_local_minimum(context) -> list[Finding]:
    """Returns the finding on "x = (0, 1/√2) is a spurious local minimum of the δ = 1/2 example" (slides 18–19)."""
    facts = half_facts(context)
    verdict, reason = local_minimum_verdict(facts)
    return [Finding(
        id="sharp_rip_slides.half_example.spurious_local_minimum",
        source=REFERENCE.at("slides 18–19"),
        statement="x = (0, 1/√2) is a spurious local minimum of the δ = 1/2 example",
        source_says="spurious local min",
        measured=(f"Hessian eigenvalues {eigenvalue_set(facts.hessian_eigenvalues)} at x; exactly "
                  f"f(u(t)) − f(x) = {polynomial(facts.descent)} along {_curve(facts)}; sphere search: {facts.sphere_verdict}"),
        verdict=verdict,
        reason=reason,
        evidence={"hessian_eigenvalues": facts.hessian_eigenvalues, "descent_curve": facts.descent_curve,
                  "descent": facts.descent, "descent_proven": facts.descent_proven, "sphere_search": facts.sphere_verdict},
        replay=cs.HALF_EXAMPLE.replay(cs.HALF_EXAMPLE.sized(quick=context.quick)),
        counterexample_size="the 2×2 example itself (n = 2, r = 1)" if verdict is Verdict.REFUTED else "",
    )]


def _study_tasks(quick: bool, seed: int) -> dict:
    """Returns the basin tasks of the slides' experiments, by role (γ sweeps per example, study, scan, checks)."""
    size = functools.partial(basin.BASIN_POINT.size, quick=quick)
    point = functools.partial(basin.BASIN_POINT.sized, quick=quick, seed=seed)
    steps, factor = size("steps"), size("long_run_factor")
    gammas = np.linspace(0, 1, size("gammas"))
    return {
        "sweeps": {label: [point(example=example, gamma=float(g), trials=size("sweep_trials")) for g in gammas]
                   for label, example in basin.shipped_examples().items()},
        "study": point(example="half", gamma=1.0, trials=size("study_trials")),
        "scan": [point(example="half", gamma=1.0, trials=size("scan_trials"), step_size=float(eta))
                 for eta in size("scan_step_sizes")],
        "long_sgd": point(example="half", gamma=1.0, trials=size("scan_trials"), steps=factor * steps),
        "gd": [point(example="half", gamma=1.0, trials=size("scan_trials"), steps=k * steps, method="gd") for k in (1, factor)],
    }


def _basin_points(context) -> dict:
    """Returns the slides' basin experiments as {role: BasinPoint or list}, each point a stored task."""
    tasks = _study_tasks(context.quick, context.seed)
    flat = [task for sweep in tasks["sweeps"].values() for task in sweep]
    flat += [tasks["study"], *tasks["scan"], tasks["long_sgd"], *tasks["gd"]]
    points = dict(zip(flat, context.run(basin.BASIN_POINT, flat, desc="basin points")))

    def pick(value):
        return [points[task] for task in value] if isinstance(value, list) else points[value]

    return {"tasks": tasks, "sweeps": {label: pick(sweep) for label, sweep in tasks["sweeps"].items()},
            **{role: pick(tasks[role]) for role in ("study", "scan", "long_sgd", "gd")}}


def _flat_drift(context) -> float:
    size = functools.partial(basin.BASIN_POINT.size, quick=context.quick)
    task = basin.FlatDriftParams(example="half", trials=size("sweep_trials"), steps=size("steps"), seed=context.seed)
    (drift,) = context.run(basin.FLAT_DRIFT, [task], desc="flat drift")
    return drift


def _covering_step_sizes(scan) -> list[float]:
    """Returns the scanned step sizes whose 95 % interval of the failure rate contains the slides' rate."""
    slides = 1 - SLIDES_SUCCESSES / SLIDES_TRIALS
    return [task.step_size for task, p in scan if 1 - p.ci_high <= slides <= 1 - p.ci_low]


def check_sgd_failure_rate(context) -> list[Finding]:
    """Returns the finding on slide 19's random-start study (100,000 SGD runs, 87,947 successes)."""
    data = _basin_points(context)
    study, task = data["study"], data["tasks"]["study"]
    slides = 1 - SLIDES_SUCCESSES / SLIDES_TRIALS
    low, high = 1 - study.ci_high, 1 - study.ci_low
    inside = low <= slides <= high
    scan = list(zip(data["tasks"]["scan"], data["scan"]))
    rates = [1 - p.success_rate for _, p in scan]
    covering = _covering_step_sizes(scan)
    protocol = (f"SGD, η = {task.step_size:g} (the example ÷ √2), {task.steps:,} steps, X_init ~ N(0, I), "
                f"success: error ≤ {basin.SUCCESS_TOL:g}·‖Z‖")
    return [Finding(
        id="sharp_rip_slides.half_example.sgd_failure_rate",
        source=REFERENCE.at("slide 19"),
        statement="δ = 1/2 example: 100,000 SGD runs from random starts, 87,947 successes (12.05 % failure)",
        source_says=f"failure {percent(slides)}",
        measured=f"failure {percent(1 - study.success_rate, low, high)} over {count(study.trials, 'run')} ({protocol})",
        verdict=Verdict.AGREES if inside else Verdict.DIFFERS,
        reason=(("within" if inside else f"{percent(slides)} is outside") + " the 95 % interval under this protocol; "
                f"the rate depends on the step size, which the slides do not state: {100 * min(rates):.1f}–"
                f"{100 * max(rates):.1f} % over η ∈ {{{', '.join(f'{t.step_size:g}' for t, _ in scan)}}} "
                f"({count(scan[0][0].trials, 'run')} each); step sizes whose interval contains {percent(slides)}: "
                + (", ".join(f"{eta:g}" for eta in covering) or "none")),
        evidence={"trials": study.trials, "successes": study.successes, "failure_ci": [low, high],
                  "slides_failure": slides, "scan": {f"{t.step_size:g}": 1 - p.success_rate for t, p in scan}},
        replay=basin.BASIN_POINT.replay(task),
        counterexample_size="" if inside else count(study.trials, "run"),
    )]


def check_gamma_zero(context) -> list[Finding]:
    """Returns the finding on slides 30–32: SGD started at X_bad (γ = 0) fails every time."""
    data = _basin_points(context)
    point, task = data["sweeps"]["half"][0], data["tasks"]["sweeps"]["half"][0]
    drift = _flat_drift(context)
    agrees = point.successes == 0
    return [Finding(
        id="sharp_rip_slides.half_example.gamma_zero",
        source=REFERENCE.at("slides 30–32"),
        statement="starting at X_bad (γ = 0) SGD fails every time",
        source_says="100 % failure at γ = 0",
        measured=f"{point.successes}/{point.trials} successes at γ = 0 on the δ = 1/2 example",
        verdict=Verdict.AGREES if agrees else Verdict.DIFFERS,
        reason=f"max over runs of |⟨U_final, v⟩| along X_bad's flat direction v: {drift:.3g}"
        + (" — no sampled step leaves X_bad's line {⟨U, v⟩ = 0}" if drift == 0 else ""),
        evidence={"successes": point.successes, "trials": point.trials, "max_flat_component": drift},
        replay=basin.BASIN_POINT.replay(task),
        counterexample_size="" if agrees else count(point.trials, "run"),
    )]


CHECKS = (check_half_example_rip, check_spurious_local_minimum, check_sgd_failure_rate, check_gamma_zero)

RECORDED = {
    "sharp_rip_slides.half_example.rip": Verdict.AGREES,
    "sharp_rip_slides.half_example.spurious_local_minimum": Verdict.REFUTED,
    "sharp_rip_slides.half_example.sgd_failure_rate": Verdict.DIFFERS,
    "sharp_rip_slides.half_example.gamma_zero": Verdict.AGREES,
}


def _rip_row(name: str, result) -> str:
    kind = "exact" if result.exact else f"[{result.lower:.6g}, {result.upper:.6g}]"
    return (f"| {name} | {result.rank} | {result.delta:.6g} | {kind} | {result.delta_scaled:.6g} | "
            f"[{result.delta_scaled_lower:.6g}, {result.delta_scaled_upper:.6g}] |")


def _sweep_table(points) -> str:
    lines = ["| γ | success (95 % Wilson) | near X_bad | non-finite | median error | p95 error |", "|---|---|---|---|---|---|"]
    for p in points:
        q = p.error_quantiles
        lines.append(f"| {p.gamma:.2f} | {percent(p.success_rate, p.ci_low, p.ci_high)} | {p.near_bad} | {p.nonfinite} | "
                     f"{q['median']:.3g} | {q['p95']:.3g} |")
    return "\n".join(lines)


def _failure(p) -> str:
    return percent(1 - p.success_rate, 1 - p.ci_high, 1 - p.ci_low)


def _trap_trend(scan) -> str:
    """Returns a sentence on how the near-X_bad failures move with η among convergent step sizes (empty when mixed)."""
    stable = [(task.step_size, p.near_bad) for task, p in scan if p.nonfinite == 0 and p.error_quantiles["min"] <= basin.SUCCESS_TOL]
    counts = [near for _, near in stable]
    if len(counts) < 2 or not (counts == sorted(counts) or counts == sorted(counts, reverse=True)) or counts[0] == counts[-1]:
        return ""
    direction = "fewer" if counts == sorted(counts) else "more"
    return (f" Here smaller steps trap {direction} runs near X_bad: "
            + ", ".join(f"{near} at η = {eta:g}" for eta, near in stable) + ".")


def _basin_markdown(context, facts) -> tuple[str, list, list]:
    """Returns (markdown, figures, commands) of the SGD experiments, every result sentence computed from the data."""
    data, drift = _basin_points(context), _flat_drift(context)
    tasks, study = data["tasks"], data["study"]
    size = functools.partial(basin.BASIN_POINT.size, quick=context.quick)
    steps, eta = size("steps"), tasks["study"].step_size
    half = basin.shipped_problem("half")
    half_class = classify_point(half.operator, half.x_bad, half.z)
    growth = basin.flat_direction_growth(half, size("scan_step_sizes"))
    scan = list(zip(tasks["scan"], data["scan"]))
    sweeps = {label: basin.BasinSweep(example=half.name if label == "half" else tasks["sweeps"][label][0].example, method="sgd",
                                      step_size=eta, steps=steps, seed=context.seed, success_tol=basin.SUCCESS_TOL, points=points)
              for label, points in data["sweeps"].items()}
    context.save_result("basin", {
        "protocol": {"step_size": eta, "steps": steps, "seed": context.seed, "success_tol": basin.SUCCESS_TOL,
                     "near_bad_fraction": basin.NEAR_BAD_FRACTION, "normalisation": "rip", "quick": context.quick},
        "sweeps": sweeps, "random_start_study": study, "step_size_scan": [{"step_size": t.step_size, "point": p} for t, p in scan],
        "long_sgd": data["long_sgd"], "gd": data["gd"], "flat_direction_growth": growth, "x_bad_classification": half_class,
        "max_flat_component_from_x_bad": drift})
    figures = []
    for label, sweep in sweeps.items():
        basin.plot_basin(sweep, context.figure_path(f"basin_{label}"))
        figures.append(f"basin_{label}.png")
    slides = 1 - SLIDES_SUCCESSES / SLIDES_TRIALS
    inside = 1 - study.ci_high <= slides <= 1 - study.ci_low
    stable = [t.step_size for t, p in scan if p.nonfinite == 0 and p.error_quantiles["min"] <= basin.SUCCESS_TOL]
    scan_rows = ["| η | failure (95 % Wilson) | near X_bad | non-finite | min error | λ(η) of the flat direction |",
                 "|---|---|---|---|---|---|"]
    for k, (task, p) in enumerate(scan):
        rate = f"{growth.lyapunov[k]:.3g}" if growth is not None else "–"
        scan_rows.append(f"| {task.step_size:g} | {_failure(p)} | {p.near_bad} | {p.nonfinite} | {p.error_quantiles['min']:.3g} | {rate} |")
    parts = [
        "**SGD from random and interpolated starts** (slides 19 and 29–33; Zhang, Josz, Sojoudi, Lavaei, NeurIPS 2018). "
        "f(U) = ‖A(UUᵀ − ZZᵀ)‖² (no ½) on the example divided by √2 (the printed matrices are √2 times larger, the same "
        "as doubling η); SGD samples one of the m measurements per step and steps by η·m·4⟨A_i, E⟩A_iU (expected step = "
        f"gradient step); success when dist(U, {{UUᵀ = ZZᵀ}}) ≤ {basin.SUCCESS_TOL:g}·‖Z‖_F; a failure is \"near X_bad\" "
        f"when it ended within {basin.NEAR_BAD_FRACTION:g}× the X_bad–solution distance of X_bad's orbit. η = {eta:g} was "
        "fixed before the experiments; the slides state no step size, so the table shows the dependence on it.",
        "",
        f"**Random-start study** ({count(study.trials, 'run')}, {steps:,} steps): failure {_failure(study)} "
        f"(slides: {percent(slides)}), {study.near_bad} failures ended near X_bad, {study.nonfinite} non-finite. "
        f"The slides' {percent(slides)} is {'inside' if inside else 'outside'} the interval.",
        "",
        f"**Failure rate against the step size** (γ = 1, {count(size('scan_trials'), 'run')} each, {steps:,} steps); SGD is "
        "unstable at the solution itself once η·m·λ_max(∇²f_i(Z)) > 2, which shows as min error > tolerance (every run "
        "fails). Step sizes with finite, convergent runs: " + (", ".join(f"{h:g}" for h in stable) or "none") + ".",
        "",
        *scan_rows,
        "",
    ]
    if growth is not None:
        long_sgd, (gd, long_gd) = data["long_sgd"], data["gd"]
        at_eta = next((p for t, p in scan if t.step_size == eta), study)
        factor = size("long_run_factor")
        escape = (f" and escapes slowly along the exact descent curve (f(u(t)) − f(x) = {polynomial(facts.descent)})"
                  if local_minimum_verdict(facts)[0] is Verdict.REFUTED else "")
        parts += [
            f"**Why SGD fails near X_bad.** `classify_point` finds X_bad {half_class.describe()} (reduced Hessian "
            f"{eigenvalue_set((np.round(half_class.hessian_eigenvalues, 10) + 0.0).tolist())}); along the flat direction "
            f"v = {vector(growth.direction)} gradient descent has no linear restoring force{escape}. "
            f"Each sampled f_i is not flat there: vᵀ∇²f_i(X_bad)v ∈ {eigenvalue_set((np.round(growth.curvatures, 10) + 0.0).tolist())} "
            f"(v is {'a' if growth.common_eigenvector else 'not a'} common eigenvector), so near X_bad a sampled step multiplies "
            "the v-component by 1 − η·m·h_i, a random product with Lyapunov exponent λ(η) = (1/m)Σ log|1 − η m h_i|, "
            f"{'negative' if np.all(growth.lyapunov < 0) else 'not negative'} for every η in the table. A negative λ means "
            "SGD's noise pulls iterates that come close to X_bad's invariant set back onto it; the pull (∝ η² per step) "
            "competes with the escape (∝ η per step)." + _trap_trend(scan)
            + f" Failure after {factor}× more steps, SGD against full-batch GD (a slow escape shrinks with more steps, a "
            "trap does not):",
            "",
            "| protocol | steps | failure (95 % Wilson) | near X_bad |", "|---|---|---|---|",
            f"| SGD η = {eta:g} | {steps:,} | {_failure(at_eta)} | {at_eta.near_bad} |",
            f"| SGD η = {eta:g} | {factor * steps:,} | {_failure(long_sgd)} | {long_sgd.near_bad} |",
            f"| GD η = {eta:g} | {steps:,} | {_failure(gd)} | {gd.near_bad} |",
            f"| GD η = {eta:g} | {factor * steps:,} | {_failure(long_gd)} | {long_gd.near_bad} |",
            "",
        ]
    parts += [f"**γ sweep, δ = 1/2 example** ({count(size('sweep_trials'), 'run')} per γ, η = {eta:g}, {steps:,} steps; "
              "trial t uses the same G and the same SGD indices at every γ):", "", _sweep_table(data["sweeps"]["half"]), ""]
    if "strict_n3" in sweeps:
        second = basin.shipped_problem(basin.SECOND_EXAMPLE)
        kind = classify_point(second.operator, second.x_bad, second.z)
        parts += [f"**Second example** `riptools/data/{basin.SECOND_EXAMPLE}`, made by the counterexample engine "
                  f"(n = {second.operator.n}, m = {second.operator.num_measurements}, X_bad = "
                  f"{vector(second.x_bad.ravel())}, Z = {vector(second.z.ravel())}); "
                  f"`classify_point` finds X_bad {kind.describe()}. γ sweep with the same protocol:", "",
                  _sweep_table(data["sweeps"]["strict_n3"]), ""]
    commands = [basin.BASIN_POINT.replay(tasks["study"])] + [basin.BASIN_POINT.replay(t) for t in tasks["scan"]]
    commands += [basin.BASIN_POINT.replay(t) for t in (tasks["long_sgd"], *tasks["gd"])]
    for label, sweep_tasks in tasks["sweeps"].items():
        first = sweep_tasks[0]
        commands.append(f"riptools basin --example {first.example} --gammas 0:1:{len(sweep_tasks)} --trials {first.trials} "
                        f"--steps {first.steps} --step-size {first.step_size:g} --seed {first.seed} --plot basin_{label}.png")
    return "\n".join(parts), figures, commands


def reproduce_section(context) -> Section:
    """Returns the slides' section: the δ = 1/2 example (RIP, what x is, SGD experiments) and Gaussian RIP constants."""
    findings = [finding for check in CHECKS for finding in check(context)]
    constants = _example_constants()
    tasks = rip_sweep.sweep_tasks(quick=context.quick, seed=context.seed)
    sweep = rip_sweep.gather(tasks, context.run(rip_sweep.GAUSSIAN_CELL, tasks, desc="RIP sweep"))
    context.save_result("rip_constants", {
        "examples": {f"half[{name}] rank {rank}": result.summary() for (name, rank), result in constants.items()},
        "gaussian_sweep": sweep})
    figure = context.figure_path("rip_gaussian_sweep")
    rip_sweep.plot_gaussian_sweep(sweep, figure)
    facts = half_facts(context)
    context.save_result("counterexample_half_example", facts)
    decay = ("" if facts.decay_exponent is None else
             f" The numeric sphere search agrees: {facts.sphere_verdict} (drop ∝ ε^{facts.decay_exponent:.2f}).")
    lines = [
        f"**The point x = (0, 1/√2).** For the example divided by √2 (exact RIP constant {polynomial(facts.example_delta)}), "
        f"z = (1, 0), the Hessian at x has eigenvalues {eigenvalue_set(facts.hessian_eigenvalues)}, and along "
        f"{_curve(facts)} exactly f(u(t)) − f(x) = {polynomial(facts.descent)}: **x is {point_kind(facts)}**"
        + (", not a local minimum." if local_minimum_verdict(facts)[0] is Verdict.REFUTED else ".") + decay,
        "",
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
        "",
    ]
    markdown, figures, commands = _basin_markdown(context, facts)
    return Section(
        title="The δ = 1/2 example of the talk slides",
        markdown="\n".join(lines) + "\n" + markdown,
        findings=tuple(findings),
        figures=(figure.name, *figures),
        commands=("riptools rip --example half --rank 2", "riptools rip --example half --normalisation slides --rank 2 --json",
                  cs.HALF_EXAMPLE.replay(cs.HALF_EXAMPLE.sized(quick=context.quick)), *commands,
                  f"riptools reproduce --only {REFERENCE.key}" + ("" if context.quick else " --full")),
        order=10,
        source=REFERENCE.key,
    )
