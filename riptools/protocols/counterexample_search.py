"""Counterexample protocols: the δ = 1/2 example's facts, the rank-1 landscape δ*(ρ, φ), random pairs, searches.

Each protocol solves SDPs of :mod:`riptools.counterexample` (δ*(X, Z): the smallest RIP constant of an
operator making X a spurious second-order critical point, or with μ > 0 a strict local minimum) and
re-checks what it reports with :mod:`riptools.certify`. Results are frozen dataclasses; no verdict is
drawn here (the sources compare them with what the papers state).

Example:
    >>> row = landscape_row(LandscapeRowParams(rho=2 ** -0.5, phis=(np.pi / 2,)))
    >>> round(row[0], 6)
    0.5
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import sympy

from riptools.certify import DESCENT_CHECK, certify_exact, certify_half_example_exact, certify_result, local_minimum_test
from riptools.counterexample import counterexample_sdp, rank1_delta_lower_bound_polar
from riptools.protocols import Protocol
from riptools.search import search_min_delta
from riptools.sensing import half_example

STRICT_MARGIN = 1e-3
"""Largest μ/‖x‖² tried to show that a strict spurious local minimum exists with δ < 1 (Theorem 1's 'local min')."""
STRICT_HALVINGS = 30
"""How many times μ is halved, at most, looking for δ*(μ) < 1."""


# --- The δ = 1/2 example ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class HalfExampleParams:
    """The strict margins μ at which δ*(μ) of the δ = 1/2 example's (x, z) is computed."""

    margins: tuple = (1e-3, 1e-2, 5e-2)


@dataclass(frozen=True)
class HalfExampleFacts:
    """What x = (0, 1/√2) is for the δ = 1/2 example (z = (1, 0)), exactly and numerically.

    Attributes:
        sdp_delta: δ*(x, z) from the SDP (μ = 0); ``sdp_accurate``: the solve met its accuracy.
        delta_lower_bound: JMLR Theorem 12's closed-form δ_lb at (x, z).
        certificate_delta: the rational δ' of the exact certificate of the SDP's operator, as text;
            ``certificate_verified``: every exact check of that certificate passed.
        example_delta: the example's exact RIP constant (radicals, as text); ``example_verified``:
            every exact check of :func:`riptools.certify.certify_half_example_exact` passed.
        hessian_eigenvalues: exact eigenvalues of ∇²f(x) with multiplicities ({text: count}).
        descent_curve: the curve u(t) (text); ``descent``: f(u(t)) − f(x) exactly (text);
            ``descent_proven``: the exact check of that identity passed.
        sphere_verdict: the numeric sphere search's verdict; ``decay_exponent``: the fitted p of
            the drop ∝ ε^p (None when no descent was found).
        strict_delta: ((μ, δ*(μ)), ...) for the margins asked.
    """

    sdp_delta: float
    sdp_accurate: bool
    delta_lower_bound: float
    certificate_delta: str
    certificate_verified: bool
    example_delta: str
    example_verified: bool
    hessian_eigenvalues: dict
    descent_curve: str
    descent: str
    descent_proven: bool
    sphere_verdict: str
    decay_exponent: float | None
    strict_delta: tuple


def half_example_facts(params: HalfExampleParams) -> HalfExampleFacts:
    """Returns the exact and numeric facts about x = (0, 1/√2) of the δ = 1/2 example (normalisation "rip")."""
    example = half_example()
    exact = certify_half_example_exact()
    sdp = counterexample_sdp(example.x_bad, example.z)
    certificate = certify_exact(sdp).summary()
    local = local_minimum_test(example.operator, example.x_bad, example.z)
    strict = tuple((float(mu), float(counterexample_sdp(example.x_bad, example.z, margin=mu).delta)) for mu in params.margins)
    return HalfExampleFacts(
        sdp_delta=float(sdp.delta), sdp_accurate=bool(sdp.solve.accurate), delta_lower_bound=float(sdp.delta_lower_bound),
        certificate_delta=str(certificate["delta"]), certificate_verified=bool(certificate["verified"]),
        example_delta=exact.delta, example_verified=bool(exact.verified), hessian_eigenvalues=dict(exact.hessian_eigenvalues),
        descent_curve=exact.descent_curve["u(t)"], descent=exact.descent_curve["f(u(t)) - f(x)"],
        descent_proven=exact.checks.get(DESCENT_CHECK) is True, sphere_verdict=local.verdict,
        decay_exponent=None if local.decay_exponent is None else float(local.decay_exponent), strict_delta=strict)


def leading_descent_term(descent: str) -> tuple[int, float]:
    """Returns (k, c) of the lowest-order term c·t^k of f(u(t)) − f(x) (a polynomial in t, as text).

    c < 0 with k even means f decreases along u(t) on both sides of t = 0.

    Example:
        >>> leading_descent_term("-3*t**4")
        (4, -3.0)
    """
    t = sympy.symbols("t", real=True)
    poly = sympy.Poly(sympy.sympify(descent, locals={"t": t}), t)
    k = min(monomial[0] for monomial in poly.monoms())
    return k, float(poly.coeff_monomial(t**k))


HALF_EXAMPLE = Protocol(
    name="counterexample-half-example",
    run=half_example_facts,
    params=HalfExampleParams,
    sizes={"quick": {}, "full": {}},
    command=lambda params: "riptools counterexample --x 0,0.7071067811865476 --z 1,0",
)
"""The δ = 1/2 example's facts (one task, the same at every size)."""


# --- The rank-1 landscape δ*(ρ, φ) --------------------------------------------------------------------------

@dataclass(frozen=True)
class LandscapeRowParams:
    """One row of the landscape: ‖x‖/‖z‖ = ρ and the angles φ between x and z = (1, 0)."""

    rho: float
    phis: tuple


def landscape_row(params: LandscapeRowParams) -> tuple:
    """Returns δ*(x, z) for z = (1, 0), x = ρ(cos φ, sin φ), one value per φ (None when the solve is inaccurate)."""
    values = []
    for phi in params.phis:
        result = counterexample_sdp([params.rho * np.cos(phi), params.rho * np.sin(phi)], [1.0, 0.0])
        values.append(float(result.delta) if result.solve.accurate else None)
    return tuple(values)


LANDSCAPE_ROW = Protocol(
    name="counterexample-landscape-row",
    run=landscape_row,
    params=LandscapeRowParams,
    sizes={"quick": {"grid": 15}, "full": {"grid": 41}},
)
"""A landscape row; the landscape is ``grid`` values of ρ ∈ [0.05, 2] (and 1/√2) by ``grid`` angles φ ∈ (0, π/2]."""


@dataclass(frozen=True)
class Landscape:
    """δ*(ρ, φ) beside JMLR Theorem 12's δ_lb(ρ, φ) on a grid (rows ρ, columns φ; NaN where a solve failed)."""

    rho: np.ndarray
    phi: np.ndarray
    delta: np.ndarray
    delta_lower_bound: np.ndarray


def landscape_tasks(*, quick: bool) -> list[LandscapeRowParams]:
    """Returns the rows of the declared landscape; the grid of ρ includes 1/√2 (the δ = 1/2 example's ‖x‖)."""
    size = LANDSCAPE_ROW.size("grid", quick=quick)
    rhos = sorted(np.append(np.linspace(0.05, 2.0, size), 2**-0.5))
    phis = tuple(float(phi) for phi in np.linspace(np.pi / 2 / size, np.pi / 2, size))
    return [LandscapeRowParams(rho=float(rho), phis=phis) for rho in rhos]


def gather_landscape(tasks, rows) -> Landscape:
    """Returns the :class:`Landscape` of the rows computed for ``tasks`` (with δ_lb beside)."""
    rho = np.array([task.rho for task in tasks])
    phi = np.array(tasks[0].phis)
    delta = np.array([[np.nan if value is None else value for value in row] for row in rows])
    bound = np.array([[rank1_delta_lower_bound_polar(r, p) for p in phi] for r in rho])
    return Landscape(rho=rho, phi=phi, delta=delta, delta_lower_bound=bound)


# --- Random pairs (Theorem 1) ----------------------------------------------------------------------------

@dataclass(frozen=True)
class PairsParams:
    """``count`` Gaussian pairs x, z ∈ Rⁿ from the random stream (seed, chunk)."""

    n: int
    seed: int
    chunk: int
    count: int


@dataclass(frozen=True)
class PairResult:
    """δ* of one random pair: plain (μ = 0) and strict (μ halved from STRICT_MARGIN·‖x‖² until δ*(μ) < 1).

    Attributes:
        strict_margin: the μ used for ``delta_strict``.
        delta, delta_strict: δ* at μ = 0 and at ``strict_margin`` (None when the solve is inaccurate).
        strict_certified: the strict solution's operator re-checks as a strict spurious local minimum.
        delta_lower_bound: JMLR Theorem 12's δ_lb.
        cos: |cos| of the angle between x and z.
    """

    strict_margin: float
    delta: float | None
    delta_strict: float | None
    strict_certified: bool
    delta_lower_bound: float
    cos: float


def random_pairs(params: PairsParams) -> tuple:
    """Returns a :class:`PairResult` for each of ``params.count`` Gaussian pairs x, z ∈ Rⁿ."""
    rng = np.random.default_rng([params.seed, params.chunk])
    results = []
    for _ in range(params.count):
        x, z = rng.standard_normal(params.n), rng.standard_normal(params.n)
        plain = counterexample_sdp(x, z)
        # Theorem 1 asks for *some* strict margin with δ < 1: halve μ until δ*(μ) < 1 (δ*(μ) → δ*(0) as μ → 0)
        margin = STRICT_MARGIN * float(x @ x)
        for _ in range(STRICT_HALVINGS):
            strict = counterexample_sdp(x, z, margin=margin)
            if strict.solve.accurate and strict.delta < 1:
                break
            margin /= 2
        results.append(PairResult(
            strict_margin=margin,
            delta=float(plain.delta) if plain.solve.accurate else None,
            delta_strict=float(strict.delta) if strict.solve.accurate else None,
            strict_certified=bool(certify_result(strict).certified),
            delta_lower_bound=float(plain.delta_lower_bound),
            cos=float(abs(x @ z) / (np.linalg.norm(x) * np.linalg.norm(z))),
        ))
    return tuple(results)


RANDOM_PAIRS = Protocol(
    name="counterexample-random-pairs",
    run=random_pairs,
    params=PairsParams,
    sizes={"quick": {"n": 5, "count": 30, "chunks": 4}, "full": {"n": 5, "count": 100, "chunks": 20}},
)
"""Random pairs, ``chunks`` tasks of ``count`` pairs each."""


def pairs_tasks(*, quick: bool, seed: int) -> list[PairsParams]:
    """Returns the chunks of the declared random-pairs study."""
    return [RANDOM_PAIRS.sized(quick=quick, seed=seed, chunk=k) for k in range(RANDOM_PAIRS.size("chunks", quick=quick))]


# --- Searches for the smallest δ* -------------------------------------------------------------------------

@dataclass(frozen=True)
class SearchParams:
    """One search for the smallest δ*(X, Z) over X ∈ R^{n×r}, Z ∈ R^{n×r★}."""

    n: int
    rank: int
    true_rank: int
    starts: int
    max_evaluations: int
    seed: int


@dataclass(frozen=True)
class SearchSummary:
    """The best point of a search: its δ*, whether it re-certifies, what X is, and the search's effort."""

    delta: float
    certified: bool
    classification: str
    best_x: np.ndarray
    best_z: np.ndarray
    per_start: tuple
    evaluations: int
    seconds: float


def search(params: SearchParams) -> SearchSummary:
    """Returns the smallest δ* found by :func:`riptools.search.search_min_delta` for one shape."""
    found = search_min_delta(params.n, params.rank, params.true_rank, starts=params.starts, seed=params.seed,
                             max_evaluations=params.max_evaluations)
    return SearchSummary(delta=float(found.delta), certified=bool(found.certificate.certified),
                         classification=str(found.certificate.classification), best_x=np.asarray(found.best_x),
                         best_z=np.asarray(found.best_z), per_start=tuple(float(s.delta) for s in found.starts),
                         evaluations=int(found.evaluations), seconds=float(found.seconds))


def _search_command(params: SearchParams) -> str:
    return (f"riptools counterexample search --n {params.n} --rank {params.rank} --true-rank {params.true_rank} "
            f"--starts {params.starts} --max-evaluations {params.max_evaluations} --seed {params.seed}")


SEARCH = Protocol(
    name="counterexample-search",
    run=search,
    params=SearchParams,
    sizes={
        # (n, r, r★, starts, SDP solves per start) per shape
        "quick": {"shapes": {"rank1": (3, 1, 1, 2, 400), "overparameterised": (3, 2, 1, 1, 600)}},
        "full": {"shapes": {"rank1": (3, 1, 1, 8, 400), "overparameterised": (3, 2, 1, 4, 600),
                            "rank2": (4, 2, 2, 4, 800)}},
    },
    command=_search_command,
)
"""Searches for the smallest δ*, one task per named shape."""


def search_task(shape: str, *, quick: bool, seed: int) -> SearchParams | None:
    """Returns the search of the declared ``shape`` at this size, or None when the size has no such search."""
    shapes = SEARCH.size("shapes", quick=quick)
    if shape not in shapes:
        return None
    n, rank, true_rank, starts, evaluations = shapes[shape]
    return SearchParams(n=n, rank=rank, true_rank=true_rank, starts=starts, max_evaluations=evaluations, seed=seed)
