"""Exact and simulated facts about random rank-r matrices M = UVᵀ: the quantities the slides' claims are about.

Reference: M. Alkady, "Low-Rank Matrix Completion via Deep Neural Networks" (summer-school slides,
2025): slides "Our Problem", "Analysis of 2×2 Results", "Distribution of elements in n×n matrix
(rank r)". U, V ∈ R^{n×r} have independent N(0, 1) entries, so M_ij = Σ_{k≤r} U_ik V_jk is a sum of
r independent products of two standard Gaussians.

Theory used beside the computations:

* The product XY of independent N(0, 1) variables has density ∫ φ(x) φ(z/x) / |x| dx = K₀(|z|)/π
  (substitute x² = |z|eᵗ), and characteristic function (1 + t²)^{−1/2}; so M_ij has
  characteristic function (1 + t²)^{−r/2}: the symmetric variance-gamma law with density
  f_r(z) = |z|^ν K_ν(|z|) / (√π Γ(r/2) 2^ν), ν = (r − 1)/2, and variance r.
* P(|M_ij| ≤ √r) therefore depends on r only; as r → ∞ it tends to the Gaussian 68.27%.
* (U, V) ↦ UVᵀ has Jacobian rank ≤ 2nr − r² everywhere (the gauge (UA, −VAᵀ), A ∈ R^{r×r}, is in
  its null space), so exhibiting one point of rank 2nr − r² proves the generic rank is 2nr − r².

Each function returns a frozen measurement (exact value, simulation cross-check, seed); the verdicts
are the source's (:mod:`riptools.sources.learned_completion`), computed from these measurements.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np

from riptools.completion.instances import degrees_of_freedom, observation_jacobian
from riptools.validation import positive_int

MP_DIGITS = 30
"""Digits of the mpmath quadratures."""
BISECTION_DIGITS = 15
"""Digits of the quadratures that place a rank between two printed percentages (a 4th-digit threshold)."""
RANKS = (1, 2, 3, 4, 5, 6)
"""The ranks r whose entry law is computed."""
DOF_SIZES = tuple((n, r) for n in (2, 3, 4, 6) for r in (1, 2))
"""The (n, r) whose degrees of freedom are computed (the slides' matrix sizes)."""
DENSITY_POINTS = (0.01, 0.1, 0.5, 1.0, 1.5, 2.0, 3.0, 5.0, 8.0)
"""Points where the K₀ density identity is evaluated."""


@dataclass(frozen=True)
class VarianceMeasurement:
    """Var(M_ij) for rank r: exact (sympy) and simulated.

    Attributes:
        rank: r. exact: the exact variance (an integer). simulated: the sample variance.
        samples: simulated entries. standard_error: of the sample variance, √((μ₄ − σ⁴)/N) with
            μ₄ = E M⁴ = 3r² + 6r. seed: the simulation's seed.
    """

    rank: int
    exact: int
    simulated: float
    samples: int
    standard_error: float
    seed: int


@dataclass(frozen=True)
class DensityMeasurement:
    """The product of two N(0, 1): its density against K₀(|z|)/π, mass and variance, and a KS test.

    Attributes:
        max_density_error: max |closed-form product density − K₀/π| at :data:`DENSITY_POINTS` (30 digits).
        total_mass, variance: ∫K₀/π and ∫z²K₀/π, exact (sympy), as text.
        ks_statistic, ks_pvalue: Kolmogorov–Smirnov test of simulated products against the K₀ CDF.
        samples, seed: the simulation. product_density: sympy's closed form, as text.
    """

    max_density_error: float
    total_mass: str
    variance: str
    ks_statistic: float
    ks_pvalue: float
    samples: int
    seed: int
    product_density: str


@dataclass(frozen=True)
class DegreesOfFreedomMeasurement:
    """The rank of (U, V) ↦ UVᵀ for n×n rank-r matrices, exactly over Q.

    Attributes:
        n, rank: the size. formula: 2nr − r². jacobian_rank: the Jacobian's rank at a random integer
            point (a lower bound on the generic rank). gauge_rank: rank of the gauge directions
            (UA, −VAᵀ) in its null space; upper_bound: 2nr − gauge_rank (an upper bound everywhere).
        seed: the random point's seed.
    """

    n: int
    rank: int
    formula: int
    jacobian_rank: int
    gauge_rank: int
    upper_bound: int
    seed: int


@dataclass(frozen=True)
class WithinOneSigmaMeasurement:
    """P(|M_ij| ≤ √r) for rank r: exact (30-digit quadrature), closed form where known, and simulated.

    Attributes:
        rank: r. exact: the probability. closed_form: (2/π)∫₀¹K₀ for r = 1, 1 − e^{−√2} for r = 2, else
            None. simulated, samples, standard_error, seed: the simulation.
    """

    rank: int
    exact: float
    closed_form: float | None
    simulated: float
    samples: int
    standard_error: float
    seed: int


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


def measure_variance(rank: int, *, seed: int = 0, samples: int = 200_000) -> VarianceMeasurement:
    """Returns Var(M_ij) for rank r, exact (expansion with Gaussian moments) and simulated from ``seed``.

    Example:
        >>> measure_variance(2, seed=0, samples=1000).exact
        2
    """
    rank = positive_int(rank, "rank")
    draws = sample_entries(rank, samples, seed=seed)
    # Var of the sample variance: (μ₄ − σ⁴)/N with μ₄ = E M⁴ = 3r² + 6r for this law (from (1+t²)^{−r/2}).
    standard_error = math.sqrt((3 * rank**2 + 6 * rank - rank**2) / samples)
    return VarianceMeasurement(rank=rank, exact=int(entry_variance_exact(rank)), simulated=float(np.var(draws)),
                               samples=samples, standard_error=standard_error, seed=seed)


def product_cdf(z) -> np.ndarray:
    """Returns the CDF of the K₀(|z|)/π law: 1/2 + sign(z)·∫₀^|z| K₀ / π (scipy's iti0k0)."""
    from scipy.special import iti0k0

    z = np.asarray(z, dtype=np.float64)
    return 0.5 + np.sign(z) * iti0k0(np.abs(z))[1] / np.pi


def measure_product_density(*, seed: int = 0, samples: int = 20_000) -> DensityMeasurement:
    """Returns the product-of-Gaussians law measured against K₀(|z|)/π (see :class:`DensityMeasurement`).

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
    return DensityMeasurement(max_density_error=float(density_error), total_mass=str(mass), variance=str(variance),
                              ks_statistic=float(test.statistic), ks_pvalue=float(test.pvalue), samples=samples,
                              seed=seed, product_density=str(product_density))


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


def measure_degrees_of_freedom(n: int, rank: int, *, seed: int = 0) -> DegreesOfFreedomMeasurement:
    """Returns the exact Jacobian and gauge ranks of (U, V) ↦ UVᵀ for n×n rank-r matrices (slide "Our Problem").

    The Jacobian rank at one point is a lower bound on the generic rank, and 2nr minus the rank of the
    gauge directions is an upper bound everywhere; when both equal 2nr − r² the formula is proved.

    Example:
        >>> m = measure_degrees_of_freedom(3, 1)
        >>> (m.jacobian_rank, m.upper_bound, m.formula)
        (5, 5, 5)
    """
    n, rank = positive_int(n, "n"), positive_int(rank, "rank")
    jacobian, gauge = jacobian_rank_exact(n, rank, seed=seed)
    return DegreesOfFreedomMeasurement(n=n, rank=rank, formula=degrees_of_freedom(n, rank), jacobian_rank=jacobian,
                                       gauge_rank=gauge, upper_bound=2 * n * rank - gauge, seed=seed)


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


def ranks_printing_as(target: float, half_unit: float) -> tuple[int, int]:
    """Returns the ranks (first, last) whose P(|M_ij| ≤ √r) lies within ``half_unit`` of ``target`` (> 68.27%).

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


def measure_within_one_sigma(rank: int, *, seed: int = 0, samples: int = 200_000) -> WithinOneSigmaMeasurement:
    """Returns P(|M_ij| ≤ √r) for rank r: a 30-digit quadrature of the variance-gamma density, the closed
    forms for r = 1 (K₀ integral, scipy) and r = 2 (1 − e^{−√2}), and a simulation from ``seed``."""
    rank = positive_int(rank, "rank")
    exact = float(within_one_sigma(rank))
    closed_forms = {1: float(2 * product_cdf(1.0) - 1), 2: 1 - math.exp(-math.sqrt(2))}
    draws = sample_entries(rank, samples, seed=seed)
    return WithinOneSigmaMeasurement(rank=rank, exact=exact, closed_form=closed_forms.get(rank),
                                     simulated=float(np.mean(np.abs(draws) <= math.sqrt(rank))), samples=samples,
                                     standard_error=math.sqrt(exact * (1 - exact) / samples), seed=seed)
