"""The slides' claims about random rank-r matrices M = UVᵀ, checked exactly or by simulation.

Reference: seed ``003_…`` ("Our Problem", "Analysis of 2×2 Results", "Distribution of elements in
n×n matrix (rank r)" slides). U, V ∈ R^{n×r} have independent N(0, 1) entries, so
M_ij = Σ_{k≤r} U_ik V_jk is a sum of r independent products of two standard Gaussians.

Theory used beside the computations:

* The product XY of independent N(0, 1) variables has density ∫ φ(x) φ(z/x) / |x| dx = K₀(|z|)/π
  (substitute x² = |z|eᵗ), and characteristic function (1 + t²)^{−1/2}; so M_ij has
  characteristic function (1 + t²)^{−r/2}: the symmetric variance-gamma law with density
  f_r(z) = |z|^ν K_ν(|z|) / (√π Γ(r/2) 2^ν), ν = (r − 1)/2, and variance r.
* P(|M_ij| ≤ √r) therefore depends on r only; as r → ∞ it tends to the Gaussian 68.27%.
* (U, V) ↦ UVᵀ has Jacobian rank ≤ 2nr − r² everywhere (the gauge (UA, −VAᵀ), A ∈ R^{r×r}, is in
  its null space), so exhibiting one point of rank 2nr − r² proves the generic rank is 2nr − r².

Each check returns a :class:`ClaimCheck`; verdicts are computed by comparing the computed value
with the slides' statement, never set by hand.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field

import numpy as np

from riptools.completion.instances import degrees_of_freedom, observation_jacobian
from riptools.validation import positive_int

SOURCE = "seed 003 (Alkady, low-rank completion via DNNs)"
# Digits of the mpmath quadratures.
MP_DIGITS = 30
BISECTION_DIGITS = 15
# Tight identities computed by quadrature must agree to this (absolute).
QUADRATURE_TOL = 1e-20
# The slides print "68.4%": it is right when the exact probability rounds to it.
SLIDES_WITHIN_ONE_SIGMA = 0.684
PRINTED_HALF_UNIT = 0.0005
# Goodness-of-fit and simulation cross-checks: reject below this p-value / beyond this many SEs.
GOF_ALPHA = 1e-3
SIMULATION_Z_LIMIT = 4.5
RANKS = (1, 2, 3, 4, 5, 6)
DOF_SIZES = tuple((n, r) for n in (2, 3, 4, 6) for r in (1, 2))
# Points where the K₀ density identity is evaluated.
DENSITY_POINTS = (0.01, 0.1, 0.5, 1.0, 1.5, 2.0, 3.0, 5.0, 8.0)


@dataclass(frozen=True)
class ClaimCheck:
    """One claim of the slides and what riptools computed.

    Attributes:
        id: stable identifier, e.g. ``variance[r=2]``.
        statement: the claim, as the slides make it.
        source: where it is (seed and slide).
        source_says: the slides' value.
        verdict: ``agrees`` or ``refuted`` (``inconclusive`` if exact and simulated results disagree).
        value: the computed quantity (exact where possible).
        method: how it was computed.
        details: cross-checks (simulations with their seed, other representations).
        seed: seed of the simulation, None if nothing random was used.
    """

    id: str
    statement: str
    source: str
    source_says: str
    verdict: str
    value: object
    method: str
    details: dict = field(default_factory=dict)
    seed: int | None = None


def _normal_moment(power: int) -> int:
    """Returns E[X^p] for X ~ N(0, 1): (p − 1)!! for even p, 0 for odd p."""
    return 0 if power % 2 else math.prod(range(power - 1, 0, -2))


def entry_variance_exact(rank: int):
    """Returns Var(M_ij) = E[(Σ_k U_k V_k)²] as an exact sympy number, by expanding the polynomial."""
    import sympy

    us, vs = sympy.symbols(f"u0:{rank}"), sympy.symbols(f"v0:{rank}")
    polynomial = sympy.Poly(sympy.expand(sum(u * v for u, v in zip(us, vs)) ** 2), *us, *vs)
    # Independence: the expectation of a monomial is the product of the one-variable moments.
    return sum(coefficient * math.prod(_normal_moment(p) for p in powers) for powers, coefficient in polynomial.terms())


def sample_entries(rank: int, count: int, *, seed: int) -> np.ndarray:
    """Returns ``count`` samples of M_ij = Σ_{k≤r} U_ik V_jk with standard Gaussian factors."""
    rng = np.random.default_rng(positive_int(seed, "seed", minimum=0))
    return np.sum(rng.standard_normal((count, rank)) * rng.standard_normal((count, rank)), axis=1)


def check_variance(rank: int, *, seed: int = 0, samples: int = 200_000) -> ClaimCheck:
    """Returns the check of Var(M_ij) = r (slide "Distribution of elements", eq. (5)), exact + simulated."""
    rank = positive_int(rank, "rank")
    exact = entry_variance_exact(rank)
    draws = sample_entries(rank, samples, seed=seed)
    simulated = float(np.var(draws))
    # Var of the sample variance: (μ₄ − σ⁴)/N with μ₄ = E M⁴ = 3r² + 6r for this law (from (1+t²)^{−r/2}).
    standard_error = math.sqrt((3 * rank**2 + 6 * rank - rank**2) / samples)
    consistent = abs(simulated - float(exact)) <= SIMULATION_Z_LIMIT * standard_error
    verdict = ("agrees" if exact == rank else "refuted") if consistent else "inconclusive"
    return ClaimCheck(
        id=f"variance[r={rank}]",
        statement=f"Var(M_ij) = r = {rank} for M = UVᵀ, U, V ∈ R^(n×{rank}) standard Gaussian" + (" (the K₀ law has variance 1)" if rank == 1 else ""),
        source=f"{SOURCE}, slides 'Analysis of 2×2 Results' and 'Distribution of elements', eq. (5)",
        source_says=str(rank),
        verdict=verdict,
        value=int(exact),
        method="exact: expansion of E[(Σ_k U_k V_k)²] with Gaussian moments (sympy); cross-check by simulation",
        details={"simulated": simulated, "samples": samples, "standard_error": standard_error},
        seed=seed,
    )


def product_cdf(z) -> np.ndarray:
    """Returns the CDF of the K₀(|z|)/π law: 1/2 + sign(z)·∫₀^|z| K₀ / π (scipy's iti0k0)."""
    from scipy.special import iti0k0

    z = np.asarray(z, dtype=np.float64)
    return 0.5 + np.sign(z) * iti0k0(np.abs(z))[1] / np.pi


def check_k0_density(*, seed: int = 0, samples: int = 20_000) -> ClaimCheck:
    """Returns the check that the product of two N(0,1) has density K₀(|z|)/π with variance 1.

    Exact part (sympy): the product density ∫ φ(x)φ(z/x)/|x| dx in closed form (a Meijer G), compared
    with K₀(z)/π to MP_DIGITS digits at DENSITY_POINTS; total mass ∫K₀/π and variance ∫z²K₀/π.
    Statistical part: Kolmogorov–Smirnov test of simulated products against the K₀ CDF.
    """
    import mpmath
    import sympy
    from scipy.stats import kstest

    z, x = sympy.symbols("z x", positive=True)
    # Density of XY at z > 0: twice the x > 0 half of ∫ φ(x) φ(z/x) / |x| dx.
    product_density = sympy.integrate(sympy.exp(-(x**2) / 2 - z**2 / (2 * x**2)) / x, (x, 0, sympy.oo)) / sympy.pi
    claimed = sympy.besselk(0, z) / sympy.pi
    # Evaluate both closed forms with mpmath at MP_DIGITS (sympy's own N() is 20× slower here).
    product_value, claimed_value = sympy.lambdify(z, product_density, "mpmath"), sympy.lambdify(z, claimed, "mpmath")
    with mpmath.workdps(MP_DIGITS):
        density_error = max(abs(product_value(mpmath.mpf(point)) - claimed_value(mpmath.mpf(point))) for point in DENSITY_POINTS)
    mass = 2 * sympy.integrate(claimed, (z, 0, sympy.oo))
    variance = 2 * sympy.integrate(z**2 * claimed, (z, 0, sympy.oo))
    draws = sample_entries(1, samples, seed=seed)
    test = kstest(draws, product_cdf)
    exact_ok = float(density_error) < QUADRATURE_TOL and mass == 1 and variance == 1
    verdict = "agrees" if exact_ok and test.pvalue > GOF_ALPHA else ("refuted" if not exact_ok else "inconclusive")
    return ClaimCheck(
        id="k0_density",
        statement="the product of two independent N(0,1) variables has density K₀(|z|)/π, with variance 1",
        source=f"{SOURCE}, slide 'Analysis of 2×2 Results', eq. (3)",
        source_says="P_Z = K₀(|Z|)/π, variance 1",
        verdict=verdict,
        value={"max_density_error": float(density_error), "total_mass": str(mass), "variance": str(variance), "ks_statistic": float(test.statistic), "ks_pvalue": float(test.pvalue)},
        method="exact: sympy closed form of ∫φ(x)φ(z/x)/|x|dx vs K₀/π at 30 digits, ∫K₀/π = 1, ∫z²K₀/π = 1; KS test of simulated products",
        details={"samples": samples, "product_density": str(product_density), "points": list(DENSITY_POINTS)},
        seed=seed,
    )


def jacobian_rank_exact(n: int, rank: int, *, seed: int = 0) -> tuple[int, int]:
    """Returns (rank of the Jacobian of (U,V) ↦ UVᵀ, rank of the gauge directions), exactly over Q.

    Evaluated at a random integer point (U, V) drawn from ``seed``; the gauge directions
    (UA, −VAᵀ) for the r² elementary A are checked to lie in the null space (else raises).
    """
    import sympy
    from sympy.polys.matrices import DomainMatrix

    rng = np.random.default_rng(seed)
    left = np.array([[sympy.Integer(int(v)) for v in row] for row in rng.integers(-9, 10, (n, rank))], dtype=object)
    right = np.array([[sympy.Integer(int(v)) for v in row] for row in rng.integers(-9, 10, (n, rank))], dtype=object)
    jacobian = sympy.Matrix(observation_jacobian(left, right, np.ones((n, n), dtype=bool)).tolist())
    gauge = []
    for a in range(rank):
        for b in range(rank):
            unit = np.zeros((rank, rank), dtype=object)
            unit[:] = 0
            unit[a, b] = 1
            gauge.append(list((left @ unit).ravel()) + list((-right @ unit.T).ravel()))
    gauge = sympy.Matrix(gauge).T
    if not (jacobian * gauge).is_zero_matrix:
        raise AssertionError("gauge directions are not in the Jacobian's null space")

    def exact_rank(matrix):
        return DomainMatrix.from_Matrix(matrix).convert_to(sympy.QQ).rank()

    return exact_rank(jacobian), exact_rank(gauge)


def check_degrees_of_freedom(n: int, rank: int, *, seed: int = 0) -> ClaimCheck:
    """Returns the check that rank-r n×n matrices have 2nr − r² degrees of freedom (slide "Our Problem").

    The Jacobian rank at one point is a lower bound on the generic rank, and n·r·2 minus the rank
    of the gauge directions is an upper bound everywhere; when both equal 2nr − r² the claim is proved.
    """
    n, rank = positive_int(n, "n"), positive_int(rank, "rank")
    jacobian, gauge = jacobian_rank_exact(n, rank, seed=seed)
    claimed = degrees_of_freedom(n, rank)
    upper = 2 * n * rank - gauge
    return ClaimCheck(
        id=f"degrees_of_freedom[n={n},r={rank}]",
        statement=f"an {n}×{n} matrix of rank {rank} has 2nr − r² = {claimed} independent elements (rank of the Jacobian of (U,V) ↦ UVᵀ)",
        source=f"{SOURCE}, slide 'Our Problem'",
        source_says=str(claimed),
        verdict="agrees" if jacobian == claimed == upper else "refuted",
        value=jacobian,
        method="exact rank over Q of the Jacobian at a random integer (U, V); gauge null space (UA, −VAᵀ) of rank r² gives the upper bound",
        details={"upper_bound_from_gauge": upper, "gauge_rank": gauge},
        seed=seed,
    )


def entry_density(z, rank: int):
    """Returns the density f_r(z) = |z|^ν K_ν(|z|) / (√π Γ(r/2) 2^ν), ν = (r−1)/2, as an mpmath number."""
    import mpmath

    nu = mpmath.mpf(rank - 1) / 2
    z = abs(mpmath.mpf(z))
    return z**nu * mpmath.besselk(nu, z) / (mpmath.sqrt(mpmath.pi) * mpmath.gamma(mpmath.mpf(rank) / 2) * 2**nu)


@functools.lru_cache(maxsize=None)
def within_one_sigma(rank: int, *, digits: int = MP_DIGITS):
    """Returns P(|M_ij| ≤ √r) = 2∫₀^√r f_r as an mpmath number, to ``digits`` digits."""
    import mpmath

    with mpmath.workdps(digits):
        return 2 * mpmath.quad(lambda z: entry_density(z, rank), [0, mpmath.sqrt(rank)])


def ranks_printing_as(target: float = SLIDES_WITHIN_ONE_SIGMA, half_unit: float = PRINTED_HALF_UNIT) -> tuple[int, int]:
    """Returns the ranks (first, last) whose P(|M_ij| ≤ √r) rounds to ``target`` (> 68.27%).

    Doubling then bisection, using that P decreases in r towards the Gaussian 68.27% (the tests
    check the decrease on a grid); 15-digit quadratures suffice to place a 4th-digit threshold.
    """

    def probability(rank: int) -> float:
        return float(within_one_sigma(rank, digits=BISECTION_DIGITS))

    def first_rank_below(level: float) -> int:
        low, high = 1, 2
        while probability(high) >= level:
            low, high = high, 2 * high
        while high - low > 1:
            middle = (low + high) // 2
            low, high = (middle, high) if probability(middle) >= level else (low, middle)
        return high

    return first_rank_below(target + half_unit), first_rank_below(target - half_unit) - 1


def check_within_one_sigma(rank: int, *, seed: int = 0, samples: int = 200_000, printed_ranks: tuple[int, int] | None = None) -> ClaimCheck:
    """Returns the check of "68.4% of entries lie within 1σ of the mean" for rank r.

    Exact: the quadrature of f_r over [−√r, √r] (mpmath), cross-checked for r = 1 with the K₀
    integral (scipy) and for r = 2 with the Laplace closed form 1 − e^{−√2}; and by simulation.
    """
    rank = positive_int(rank, "rank")
    exact = float(within_one_sigma(rank))
    closed_forms = {1: float(2 * product_cdf(1.0) - 1), 2: 1 - math.exp(-math.sqrt(2))}
    draws = sample_entries(rank, samples, seed=seed)
    simulated = float(np.mean(np.abs(draws) <= math.sqrt(rank)))
    standard_error = math.sqrt(exact * (1 - exact) / samples)
    consistent = abs(simulated - exact) <= SIMULATION_Z_LIMIT * standard_error and abs(closed_forms.get(rank, exact) - exact) < 1e-12
    holds = abs(exact - SLIDES_WITHIN_ONE_SIGMA) <= PRINTED_HALF_UNIT
    where = f" (exactly, it rounds to 68.4% only for r in [{printed_ranks[0]}, {printed_ranks[1]}])" if printed_ranks else ""
    return ClaimCheck(
        id=f"within_one_sigma[r={rank}]",
        statement=f"68.4% of the entries of a rank-{rank} product lie within 1σ = √{rank} of the mean 0{where}",
        source=f"{SOURCE}, slide 'Distribution of elements in n×n matrix'",
        source_says="68.4%",
        verdict=("agrees" if holds else "refuted") if consistent else "inconclusive",
        value=exact,
        method="exact: 30-digit quadrature of the variance-gamma density |z|^ν K_ν(|z|)/(√π Γ(r/2) 2^ν); simulation cross-check",
        details={"simulated": simulated, "samples": samples, "standard_error": standard_error, "closed_form": closed_forms.get(rank), "ranks_rounding_to_68.4%": printed_ranks},
        seed=seed,
    )


def check_claims(*, seed: int = 0, samples: int = 200_000) -> list[ClaimCheck]:
    """Returns every claim check of seed 003, in the order of the ``riptools nn claims`` output."""
    seed = positive_int(seed, "seed", minimum=0)
    printed_ranks = ranks_printing_as()
    return [
        *(check_variance(r, seed=seed + r, samples=samples) for r in RANKS),
        check_k0_density(seed=seed),
        *(check_degrees_of_freedom(n, r, seed=seed) for n, r in DOF_SIZES),
        *(check_within_one_sigma(r, seed=seed + 100 + r, samples=samples, printed_ranks=printed_ranks) for r in RANKS),
    ]
