"""The claims of the ScaledSGD paper (seed 001, Sections 2–4, Lemmas 3 and 4) as records.

Conventions are the paper's (see :mod:`riptools.claims.matrix_functions`): f(X) = ‖XXᵀ − ZZᵀ‖²_F
without ½, ∇f = 4(XXᵀ − ZZᵀ)X, Lemma 3's hypothesis ‖XXᵀ − ZZᵀ‖_F ≤ ρ·λ_min(ZᵀZ) with ρ < 1/2, and
σ_max(Z) = 1 where the statement depends on the scale (Section 4's λ_min bound). The seed holds the
main text only (no appendix), so the statements are checked as printed there.

Readings. Where the statement leaves a quantifier implicit, the plain id checks the statement as
printed in its strongest sensible reading and a bracketed suffix another reading:

* ρ in Lemmas 3 and 4: "for every ρ < 1/2" (plain id) vs only "ρ < 0.01", very near the ground
  truth (suffix ``rho<0.01``, the weakest sensible reading);
* ρ on the right-hand side of Lemma 4 (second part): the smallest admissible ρ = ‖E‖_F/λ_min(ZᵀZ)
  (plain id; the right side decreases in ρ, so this is the strongest) vs ρ → 1/2 (``rho->1/2``);
* Lemma 4 (first part) does not involve Z: "under Lemma 3's hypothesis" (plain id, as printed) vs
  "for every full-rank X" (``any X``, stronger);
* k: every row index k (all readings); C in Lemma 3: one id per C.

Records with ``variant=True`` are riptools' own diagnostics (e.g. the identity of Section 4 weakened
to the side that holds, or the variance bound with the factor d² restored), not readings.

Each record's ``recorded_verdict`` is what ``riptools check`` found (budgets in proofs_checks).
"""

from __future__ import annotations

from functools import partial

import numpy as np
from hypothesis import assume
from hypothesis import strategies as st

from riptools.claims import matrix_functions as mf
from riptools.claims.engine import FLOAT64, Claim, fixed_size_strategy
from riptools.claims.instances import DIRECTIONS, INSIDE, direction, factor_pair, generic_factor, repair_rho, scale_into_ball, well_conditioned

SOURCE = "seed 001 (ScaledSGD, Zhang–Chiu–Zhang)"
DESCENT_CONSTANTS = ("0.1", "0.2", "0.5", "1", "2", "5")
"""The values of C of Lemma 3 checked (the issue asks for at least these)."""
WEAK_RHO = "0.01"
"""The weakest sensible reading of "ρ < 1/2": points this close to the ground truth."""
HALF = "0.5"
SG_SIZES = (1, 10)
MIN_COHERENCE_STEP = 1e-4
"""Lemma 4 (first part) is searched for ‖V‖*_X ∈ [1e-4, 1/2): below, float64 cannot resolve the
second-order remainder of g_k (its ratio tends continuously to the Hessian quotient as V → 0)."""
"""d for the stochastic-gradient claims, whose expectations enumerate all d² pairs."""


def _rho_parameter(instance):
    return float(mf.rho(instance["X"], instance["Z"], FLOAT64))


def _rho_hypothesis(instance, backend, rho_max: str) -> bool:
    x, z = instance["X"], instance["Z"]
    return bool(mf.rho(x, z, backend) < backend.const(rho_max))


def _draw_row(draw, instance: dict, n: int) -> dict:
    """Adds k (a row index) unless the pair sampler already chose a coherent row."""
    return instance if "k" in instance else {**instance, "k": draw(st.integers(0, n - 1))}


# ---------------------------------------------------------------- Lemma 3, first part (descent)


def _objective_scale(backend, half: bool):
    """Returns the factor of f: 1 as in the paper, ½ in the reading f = ½‖XXᵀ − ZZᵀ‖²_F."""
    return backend.const(HALF) if half else 1


def _lemma3_descent_build(draw, n, r, *, c: str, rho_max: str, half: bool):
    instance = draw(factor_pair(n, r, rho_max=float(rho_max)))
    x, z = instance["X"], instance["Z"]
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    fraction = draw(st.sampled_from([1.0, 0.5, 1e-3]) | st.floats(1e-4, 1.0))
    v = direction(rng, x, draw(st.sampled_from(DIRECTIONS)))
    radius = fraction * float(c) * np.sqrt(_objective_scale(FLOAT64, half) * mf.objective(x, z))
    norm = np.sqrt(mf.local_norm_sq(v, x))
    assume(radius > 0 and norm > 0)
    return {**instance, "V": scale_into_ball(v, norm, radius)}


def _taylor_remainder(x, z, v):
    """Returns f(X+V) − f(X) − ⟨∇f(X), V⟩, expanded.

    With E = XXᵀ − ZZᵀ and D = XVᵀ + VXᵀ the remainder is 2⟨E, VVᵀ⟩ + ‖D‖² + 2⟨D, VVᵀ⟩ + ‖VVᵀ‖²,
    the same polynomial; the expansion avoids subtracting f(X) from f(X+V), which in float64 loses
    every digit when ‖V‖_X ≪ √f(X) ≪ 1 (the high-precision check evaluates the same expression).
    """
    outer, cross = v @ v.T, x @ v.T + v @ x.T
    return 2 * np.sum(mf.residual(x, z) * outer) + mf.frobenius_sq(cross) + 2 * np.sum(cross * outer) + mf.frobenius_sq(outer)


def _lemma3_descent_sides(instance, backend, *, c: str, half: bool):
    x, z, v = instance["X"], instance["Z"], instance["V"]
    c = backend.const(c)
    lipschitz = 6 + 8 * c + 2 * c * c
    return _objective_scale(backend, half) * _taylor_remainder(x, z, v), lipschitz / 2 * mf.local_norm_sq(v, x)


def _lemma3_descent_statistic(instance, backend, *, half: bool):
    """Returns the effective L_X = 2(f(X+V) − f(X) − ⟨∇f(X), V⟩)/‖V‖²_X."""
    x, z, v = instance["X"], instance["Z"], instance["V"]
    return 2 * _objective_scale(backend, half) * _taylor_remainder(x, z, v) / mf.local_norm_sq(v, x)


def _lemma3_descent_hypotheses(instance, backend, *, c: str, rho_max: str, half: bool):
    x, z, v = instance["X"], instance["Z"], instance["V"]
    c = backend.const(c)
    inside = mf.local_norm_sq(v, x) <= c * c * _objective_scale(backend, half) * mf.objective(x, z)
    return _rho_hypothesis(instance, backend, rho_max) and bool(inside)


def _lemma3_descent_repair(instance, *, c: str, rho_max: str, half: bool):
    x = repair_rho(instance["X"], instance["Z"], float(rho_max))
    if x is None:
        return None
    v = instance["V"]
    radius = float(c) * np.sqrt(_objective_scale(FLOAT64, half) * mf.objective(x, instance["Z"]))
    norm = np.sqrt(mf.local_norm_sq(v, x))
    # X = Z or V = 0 make both sides 0: degenerate, not informative.
    return None if radius == 0 or norm == 0 else {**instance, "X": x, "V": scale_into_ball(v, norm, radius)}


def lemma3_descent(c: str, *, rho_max: str = HALF, half: bool = False, recorded_verdict: str) -> Claim:
    """Returns the record of Lemma 3, first part, for one C (and one reading of ρ and of f's ½)."""
    suffix = f"C={c}" + ("" if rho_max == HALF else f",rho<{rho_max}") + (",f/2" if half else "")
    lipschitz = 6 + 8 * float(c) + 2 * float(c) ** 2
    options = {"c": c, "rho_max": rho_max, "half": half}
    return Claim(
        id=f"lemma3.descent[{suffix}]",
        source=f"{SOURCE}, Lemma 3 (first part)",
        statement=(
            f"f(X+V) ≤ f(X) + ⟨∇f(X), V⟩ + (L_X/2)‖V‖²_X for all ‖V‖_X ≤ C√f(X), L_X = 6+8C+2C² = {lipschitz:g} (C = {c}), "
            "when ‖XXᵀ−ZZᵀ‖_F ≤ ρλ_min(ZᵀZ)"
        ),
        reading=f"every ρ < {rho_max}, every n, r, every V in the ball; "
        + ("f = ½‖XXᵀ−ZZᵀ‖² (not the paper's eq. (3); a normalisation its constants may come from)" if half else "f without ½ (eq. (3))"),
        strategy=fixed_size_strategy(partial(_lemma3_descent_build, **options)),
        sides=partial(_lemma3_descent_sides, c=c, half=half),
        hypotheses=partial(_lemma3_descent_hypotheses, **options),
        repair=partial(_lemma3_descent_repair, **options),
        free=("X", "Z", "V"),
        statistic=partial(_lemma3_descent_statistic, half=half),
        claimed_constant=lipschitz,
        extreme="max",
        parameter=_rho_parameter,
        recorded_verdict=recorded_verdict,
        variant=half,
    )


# ------------------------------------------------- Lemma 3, second part, and Section 4's identity


def _pair_build(draw, n, r, *, rho_max: str):
    return draw(factor_pair(n, r, rho_max=float(rho_max)))


def _pair_repair(instance, *, rho_max: str):
    x = repair_rho(instance["X"], instance["Z"], float(rho_max))
    return None if x is None else {**instance, "X": x}


def _scaled_gradient_sq(instance, backend):
    """Returns (‖∇f(X)‖*_X)²."""
    x, z = instance["X"], instance["Z"]
    return mf.dual_norm_sq(mf.gradient(x, z), mf.gram_inverse(x, backend))


def _tangent_error_sq(instance, backend):
    """Returns cos²θ·‖E‖²_F = ‖P_T(E)‖²_F, θ the angle between E and {XYᵀ + YXᵀ}."""
    x, z = instance["X"], instance["Z"]
    return mf.tangent_component_sq(mf.residual(x, z), x, backend)


def _pair_claim(claim_id, *, statement, reading, sides, statistic, claimed, extreme, rho_max=HALF, relation="<=", recorded_verdict, variant=False) -> Claim:
    """Returns a claim about (X, Z) only, under Lemma 3's hypothesis with ρ < rho_max."""
    return Claim(
        id=claim_id,
        source=f"{SOURCE}, " + ("Lemma 3 (second part)" if claim_id.startswith("lemma3") else "Section 4"),
        statement=statement,
        reading=reading,
        strategy=fixed_size_strategy(partial(_pair_build, rho_max=rho_max)),
        sides=sides,
        hypotheses=partial(_rho_hypothesis, rho_max=rho_max),
        repair=partial(_pair_repair, rho_max=rho_max),
        free=("X", "Z"),
        relation=relation,
        statistic=statistic,
        claimed_constant=claimed,
        extreme=extreme,
        parameter=_rho_parameter,
        recorded_verdict=recorded_verdict,
        variant=variant,
    )


def _dominance_sides(instance, backend, *, half: bool = False):
    # With f = s‖E‖², ∇f scales by s and (‖∇f‖*)² by s².
    scale = _objective_scale(backend, half)
    return 13 * scale * mf.objective(instance["X"], instance["Z"]), scale * scale * _scaled_gradient_sq(instance, backend)


def _dominance_statistic(instance, backend, *, half: bool = False):
    """Returns (‖∇f(X)‖*_X)²/f(X) (for f = ½‖E‖² in the ``f/2`` reading)."""
    lhs, rhs = _dominance_sides(instance, backend, half=half)
    return 13 * rhs / lhs


def _angle_sides(instance, backend):
    return 13 * mf.objective(instance["X"], instance["Z"]), 16 * _tangent_error_sq(instance, backend)


def _angle_statistic(instance, backend):
    """Returns 16cos²θ."""
    return 16 * _tangent_error_sq(instance, backend) / mf.objective(instance["X"], instance["Z"])


def gradient_dominance(*, rho_max: str = HALF, half: bool = False, recorded_verdict: str) -> Claim:
    """Returns the record of Lemma 3, second part: (‖∇f(X)‖*_X)² ≥ 13 f(X)."""
    suffix = "" if rho_max == HALF else f"[rho<{rho_max}]"
    suffix += "[f/2]" if half else ""
    return _pair_claim(
        f"lemma3.gradient_dominance{suffix}",
        statement="(‖∇f(X)‖*_X)² ≥ 13·f(X) when ‖XXᵀ−ZZᵀ‖_F ≤ ρλ_min(ZᵀZ)",
        reading=f"every ρ < {rho_max}; " + ("f = ½‖XXᵀ−ZZᵀ‖² (not eq. (3))" if half else "f without ½ (eq. (3))"),
        sides=partial(_dominance_sides, half=half),
        statistic=partial(_dominance_statistic, half=half),
        claimed=13.0,
        extreme="min",
        rho_max=rho_max,
        recorded_verdict=recorded_verdict,
        variant=half,
    )


def _identity_sides(instance, backend):
    # Both sides are ≥ 0, so the identity of norms is the identity of their squares (which are rational).
    return _scaled_gradient_sq(instance, backend), 16 * _tangent_error_sq(instance, backend)


def _identity_statistic(instance, backend):
    """Returns ‖∇f(X)‖*_X / (4cosθ‖XXᵀ − ZZᵀ‖_F)."""
    return backend.sqrt(_scaled_gradient_sq(instance, backend) / (16 * _tangent_error_sq(instance, backend)))


def _identity_lower_sides(instance, backend):
    return 8 * _tangent_error_sq(instance, backend), _scaled_gradient_sq(instance, backend)


# ----------------------------------------------------------------------- Section 4, λ_min bound


def _lambda_min_sides(instance, backend, *, normalised: bool):
    x, z = instance["X"], instance["Z"]
    eigenvalues = backend.eigvalsh(z.T @ z)
    kappa = eigenvalues[-1] / eigenvalues[0]
    bound = (1 + mf.rho(x, z, backend)) / kappa
    # With σ_max(Z) = 1 imposed, the bound (1+ρ)/κ reads (1+ρ)/κ·σ_max(Z)² for a Z of any scale.
    return backend.eigvalsh(x.T @ x)[0], bound * eigenvalues[-1] if normalised else bound


def _lambda_min_statistic(instance, backend):
    """Returns λ_min(XᵀX)·κ/((1+ρ)σ_max(Z)²)."""
    lhs, rhs = _lambda_min_sides(instance, backend, normalised=True)
    return lhs / rhs


def _unnormalised_build(draw, n, r):
    instance = draw(factor_pair(n, r, rho_max=0.5))
    scale = draw(st.sampled_from([0.1, 2.0, 10.0]) | st.floats(0.1, 10.0))
    return {key: scale * value for key, value in instance.items()}


# -------------------------------------------------------------- Lemma 4, first part (descent)


def _lemma4_descent_build(draw, n, r, *, rho_max: str | None):
    if rho_max is None:
        x = draw(generic_factor(n, r))
        instance = {"X": x, "Z": x.copy()}
    else:
        instance = draw(factor_pair(n, r, rho_max=float(rho_max)))
    instance = _draw_row(draw, instance, n)
    x = instance["X"]
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    kind = draw(st.sampled_from(DIRECTIONS + ("towards_row",)))
    if kind == "towards_row":
        v = np.zeros_like(x)
        v[instance["k"]] = rng.standard_normal(r)
    else:
        v = direction(rng, x, kind)
    fraction = draw(st.sampled_from([1 - 1e-6, 0.5, 1e-3]) | st.floats(2 * MIN_COHERENCE_STEP, 1.0))
    v = _coherence_step(v, x, 0.5 * fraction)
    assume(v is not None)
    return {**instance, "V": v}


def _coherence_step(v, x, radius):
    """Returns V scaled so that ‖V‖*_X lies in [MIN_COHERENCE_STEP, radius·INSIDE]."""
    norm = np.sqrt(mf.dual_norm_sq(v, mf.gram_inverse(x, FLOAT64)))
    if norm == 0:
        return None
    return v * (MIN_COHERENCE_STEP / norm) if norm < MIN_COHERENCE_STEP else scale_into_ball(v, norm, radius)


def _lemma4_descent_sides(instance, backend):
    x, v, k = instance["X"], instance["V"], instance["k"]
    step = backend.sqrt(mf.dual_norm_sq(v, mf.gram_inverse(x, backend)))
    change = mf.coherence(x + v, k, backend) - mf.coherence(x, k, backend) - np.sum(v * mf.coherence_gradient(x, k, backend))
    return change, 5 * step * step / (1 - 2 * step)


def _lemma4_descent_statistic(instance, backend):
    """Returns (g_k(X+V) − g_k(X) − ⟨V, ∇g_k(X)⟩)(1 − 2‖V‖*_X)/(‖V‖*_X)²."""
    change, bound = _lemma4_descent_sides(instance, backend)
    return 5 * change / bound


def _lemma4_descent_hypotheses(instance, backend, *, rho_max: str | None):
    x, v = instance["X"], instance["V"]
    inside = bool(4 * mf.dual_norm_sq(v, mf.gram_inverse(x, backend)) < 1)
    return inside and (rho_max is None or _rho_hypothesis(instance, backend, rho_max))


def _lemma4_descent_repair(instance, *, rho_max: str | None):
    if rho_max is None:
        x = instance["X"] if well_conditioned(instance["X"]) else None
    else:
        x = repair_rho(instance["X"], instance["Z"], float(rho_max))
    if x is None:
        return None
    v = _coherence_step(instance["V"], x, 0.5)
    return None if v is None else {**instance, "X": x, "V": v}


def lemma4_descent(*, rho_max: str | None, recorded_verdict: str) -> Claim:
    """Returns the record of Lemma 4, first part (with Lemma 3's hypothesis, or for any full-rank X)."""
    return Claim(
        id="lemma4.descent" + ("[any X]" if rho_max is None else ""),
        source=f"{SOURCE}, Lemma 4 (first part)",
        statement="g_k(X+V) ≤ g_k(X) + ⟨V, ∇g_k(X)⟩ + 5(‖V‖*_X)²/(1 − 2‖V‖*_X) for ‖V‖*_X < 1/2",
        reading=("every full-rank X (no hypothesis on Z)" if rho_max is None else f"under Lemma 3's hypothesis, every ρ < {rho_max}")
        + ", every k, every V with ‖V‖*_X < 1/2",
        strategy=fixed_size_strategy(partial(_lemma4_descent_build, rho_max=rho_max)),
        sides=_lemma4_descent_sides,
        hypotheses=partial(_lemma4_descent_hypotheses, rho_max=rho_max),
        repair=partial(_lemma4_descent_repair, rho_max=rho_max),
        free=("X", "V") if rho_max is None else ("X", "Z", "V"),
        statistic=_lemma4_descent_statistic,
        claimed_constant=5.0,
        extreme="max",
        parameter=_rho_parameter if rho_max is not None else None,
        recorded_verdict=recorded_verdict,
    )


# ---------------------------------------------------- Lemma 4, second part (coherence decrement)


def _coherence_build(draw, n, r, *, rho_max: str):
    return _draw_row(draw, draw(factor_pair(n, r, rho_max=float(rho_max), coherent_rows=True)), n)


def _coherence_sides(instance, backend, *, rho_reading: str):
    x, z, k = instance["X"], instance["Z"], instance["k"]
    rho = mf.rho(x, z, backend) if rho_reading == "actual" else backend.const(HALF)
    g_x, g_z = mf.coherence(x, k, backend), mf.coherence(z, k, backend)
    inner = np.sum(mf.coherence_gradient(x, k, backend) * (mf.gradient(x, z) @ mf.gram_inverse(x, backend)))
    return (1 - 2 * rho) / (1 - rho) * g_x - backend.sqrt(g_x * g_z) / (1 - rho), inner


def coherence_decrement(*, rho_reading: str, rho_max: str = HALF, recorded_verdict: str) -> Claim:
    """Returns the record of Lemma 4, second part, with ρ the smallest admissible one or ρ → 1/2."""
    suffix = "" if rho_reading == "actual" else "[rho->1/2]"
    if rho_max != HALF:
        suffix = f"[rho<{rho_max}]"
    return Claim(
        id="lemma4.coherence_decrement" + suffix,
        source=f"{SOURCE}, Lemma 4 (second part)",
        statement="⟨∇g_k(X), ∇f(X)(XᵀX)⁻¹⟩ ≥ (1−2ρ)/(1−ρ)·g_k(X) − 1/(1−ρ)·√(g_k(X)g_k(Z))",
        reading=(
            "ρ = ‖XXᵀ−ZZᵀ‖_F/λ_min(ZᵀZ) (smallest admissible ρ, strongest)"
            if rho_reading == "actual"
            else "ρ → 1/2 on the right-hand side (weakest: right side −2√(g_k(X)g_k(Z)))"
        )
        + f", points with ρ < {rho_max}, every k, incl. coherent Z",
        strategy=fixed_size_strategy(partial(_coherence_build, rho_max=rho_max)),
        sides=partial(_coherence_sides, rho_reading=rho_reading),
        hypotheses=partial(_rho_hypothesis, rho_max=rho_max),
        repair=partial(_pair_repair, rho_max=rho_max),
        free=("X", "Z"),
        parameter=_rho_parameter,
        recorded_verdict=recorded_verdict,
    )


# ------------------------------------------------------------ Sections 2–4, stochastic gradient


def _sg_build(draw, n, r):
    # The SG facts are algebraic in X: points far from Z (ρ up to 4) are included.
    return draw(factor_pair(n, r, rho_max=4.0))


def _full_rank(instance, backend):
    x = instance["X"]
    return bool(backend.eigvalsh(x.T @ x)[0] > 0)


def _sg_repair(instance):
    return instance if well_conditioned(instance["X"]) and well_conditioned(instance["Z"]) else None


def _unbiased_sides(instance, backend):
    x, z = instance["X"], instance["Z"]
    return mf.expected_stochastic_gradient(x, z), mf.gradient(x, z)


def _variance_sides(instance, backend, *, dimension_factor: bool):
    x, z = instance["X"], instance["Z"]
    d = x.shape[0]
    bound = 16 * mf.objective(x, z) * max(mf.coherences(x, backend))
    return mf.expected_sg_dual_norm_sq(x, z, backend), bound * d * d if dimension_factor else bound


def _variance_statistic(instance, backend, *, dimension_factor: bool):
    """Returns E[(‖SG‖*_X)²]/(f·max_i g_i), divided by d² in the d² reading."""
    lhs, rhs = _variance_sides(instance, backend, dimension_factor=dimension_factor)
    return 16 * lhs / rhs


def _sg_claim(claim_id, *, statement, reading, sides, relation="<=", statistic=None, claimed=None, recorded_verdict, variant=False) -> Claim:
    return Claim(
        id=claim_id,
        source=f"{SOURCE}, Sections 2 and 4 (stochastic gradient)",
        statement=statement,
        reading=reading + "; SG(X) = 2d²(x_iᵀx_j − z_iᵀz_j)(e_i x_jᵀ + e_j x_iᵀ), (i, j) uniform on [d]×[d] (ordered, i = j included); expectation by enumerating all d² pairs",
        strategy=fixed_size_strategy(_sg_build),
        sides=sides,
        hypotheses=_full_rank,
        repair=_sg_repair,
        free=("X", "Z"),
        relation=relation,
        statistic=statistic,
        claimed_constant=claimed,
        extreme="max",
        parameter=_rho_parameter,
        n_range=SG_SIZES,
        recorded_verdict=recorded_verdict,
        variant=variant,
    )


def variance_claim(*, dimension_factor: bool, recorded_verdict: str) -> Claim:
    """Returns the record of Section 4's variance bound, as printed or with the factor d² restored."""
    return _sg_claim(
        "sg.variance" + ("[d^2]" if dimension_factor else ""),
        statement="E[(‖SG(X)‖*_X)²] ≤ 16·" + ("d²·" if dimension_factor else "") + "f(X)·max_i g_i(X)",
        reading="with the factor d² of the paper's own intermediate sum Σ_{i,j} 4d²(…)²" if dimension_factor else "as printed in Section 4",
        sides=partial(_variance_sides, dimension_factor=dimension_factor),
        statistic=partial(_variance_statistic, dimension_factor=dimension_factor),
        claimed=16.0,
        recorded_verdict=recorded_verdict,
        variant=dimension_factor,
    )


def claims() -> list[Claim]:
    """Returns every claim record of seed 001, in report order."""
    records = [lemma3_descent(c, recorded_verdict=v) for c, v in zip(DESCENT_CONSTANTS, ("refuted", "refuted", "refuted", "agrees", "agrees", "agrees"))]
    records += [
        lemma3_descent(c, rho_max=WEAK_RHO, recorded_verdict=v)
        for c, v in zip(DESCENT_CONSTANTS, ("refuted", "refuted", "agrees", "agrees", "agrees", "agrees"))
    ]
    records += [lemma3_descent(c, half=True, recorded_verdict="agrees") for c in DESCENT_CONSTANTS[:3]]
    records += [
        gradient_dominance(recorded_verdict="refuted"),
        gradient_dominance(half=True, recorded_verdict="refuted"),
        gradient_dominance(rho_max=WEAK_RHO, recorded_verdict="refuted"),
        _pair_claim(
            "lemma3.gradient_dominance[via cos]",
            statement="16cos²θ ≥ 13, i.e. Lemma 3's constant if ‖∇f(X)‖*_X = 4cosθ‖XXᵀ−ZZᵀ‖_F held (θ: angle to {XYᵀ+YXᵀ})",
            reading="every ρ < 1/2; the reading that derives Lemma 3 (second part) from Section 4's identity",
            sides=_angle_sides,
            statistic=_angle_statistic,
            claimed=13.0,
            extreme="min",
            recorded_verdict="agrees",
            variant=True,
        ),
        _pair_claim(
            "sec4.cos_identity",
            statement="‖∇f(X)‖*_X = 4cosθ·‖XXᵀ−ZZᵀ‖_F, θ the angle between XXᵀ−ZZᵀ and {XYᵀ+YXᵀ}",
            reading="as an identity, every ρ < 1/2 (checked on squares; θ in the Frobenius inner product)",
            sides=_identity_sides,
            relation="==",
            statistic=_identity_statistic,
            claimed=1.0,
            extreme="min",
            recorded_verdict="refuted",
        ),
        _pair_claim(
            "sec4.cos_identity[upper]",
            statement="‖∇f(X)‖*_X ≤ 4cosθ·‖XXᵀ−ZZᵀ‖_F (the identity weakened to one side)",
            reading="every ρ < 1/2",
            sides=_identity_sides,
            statistic=_identity_statistic,
            claimed=1.0,
            extreme="max",
            recorded_verdict="agrees",
            variant=True,
        ),
        _pair_claim(
            "sec4.cos_identity[lower/sqrt2]",
            statement="‖∇f(X)‖*_X ≥ 2√2·cosθ·‖XXᵀ−ZZᵀ‖_F (the other side, with the factor 1/√2 riptools found)",
            reading="every ρ < 1/2",
            sides=_identity_lower_sides,
            statistic=_identity_statistic,
            claimed=float(1 / np.sqrt(2)),
            extreme="min",
            recorded_verdict="agrees",
            variant=True,
        ),
        _pair_claim(
            "sec4.lambda_min",
            statement="λ_min(XᵀX) ≤ (1+ρ)/κ with σ_max(Z) = 1",
            reading="ρ = ‖XXᵀ−ZZᵀ‖_F/λ_min(ZᵀZ) (strongest); σ_max(Z) = 1 imposed, i.e. the bound scaled by σ_max(Z)²",
            sides=partial(_lambda_min_sides, normalised=True),
            statistic=_lambda_min_statistic,
            claimed=1.0,
            extreme="max",
            recorded_verdict="agrees",
        ),
        Claim(
            id="sec4.lambda_min[unnormalised]",
            source=f"{SOURCE}, Section 4",
            statement="λ_min(XᵀX) ≤ (1+ρ)/κ for Z of any scale (σ_max(Z) = 1 dropped)",
            reading="shows the normalisation σ_max(Z) = 1 is needed; ρ smallest admissible",
            strategy=fixed_size_strategy(_unnormalised_build),
            sides=partial(_lambda_min_sides, normalised=False),
            hypotheses=partial(_rho_hypothesis, rho_max=HALF),
            repair=partial(_pair_repair, rho_max=HALF),
            free=("X", "Z"),
            parameter=_rho_parameter,
            recorded_verdict="refuted",
            variant=True,
        ),
        lemma4_descent(rho_max=HALF, recorded_verdict="agrees"),
        lemma4_descent(rho_max=None, recorded_verdict="agrees"),
        coherence_decrement(rho_reading="actual", recorded_verdict="refuted"),
        coherence_decrement(rho_reading="actual", rho_max=WEAK_RHO, recorded_verdict="refuted"),
        coherence_decrement(rho_reading="half", recorded_verdict="refuted"),
        _sg_claim(
            "sg.unbiased",
            statement="E[SG(X)] = ∇f(X) = 4(XXᵀ−ZZᵀ)X",
            reading="every X, Z (algebraic identity)",
            sides=_unbiased_sides,
            relation="==",
            recorded_verdict="agrees",
        ),
        variance_claim(dimension_factor=False, recorded_verdict="refuted"),
        variance_claim(dimension_factor=True, recorded_verdict="agrees"),
    ]
    return records


def claims_by_id() -> dict[str, Claim]:
    """Returns {id: claim} for every claim of seed 001."""
    return {claim.id: claim for claim in claims()}
