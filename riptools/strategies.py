"""Hypothesis strategies of low-rank matrix recovery: factor pairs, PSD matrices, sensing operators.

Every strategy states its guarantee in its docstring, and ``tests/test_strategies.py`` checks that
every drawn instance satisfies it. Sizes are given as an int or an inclusive range ``(lo, hi)``.
Randomness is routed through a drawn integer seed (numpy ``Generator``), as hypothesis recommends
for numpy data, so draws shrink well: sizes towards ``lo`` and seeds towards 0.

The strategies whose instances are dicts holding an n×r array ``"X"`` (:func:`factor_pairs`,
:func:`near_ground_truth`) are *resizable*: the claim engine of :mod:`riptools.claims` redraws them
at fixed smaller sizes to shrink a counterexample to the smallest (n, r) (see :func:`size_ranges`).

Conventions: matrices are float64 numpy arrays with finite entries of absolute value at most
:data:`BOUND`; κ(M) is the condition number λ_max/λ_min of a symmetric positive definite M.

Example:
    >>> from hypothesis import given, settings
    >>> from riptools import strategies as rs
    >>> @settings(max_examples=5)
    ... @given(rs.factor_pairs(n=(2, 4), r=(1, 2), kappa=10))
    ... def test_shapes(pair):
    ...     assert pair["X"].shape == pair["Z"].shape
    >>> test_shapes()
"""

from __future__ import annotations

import numpy as np
from hypothesis import assume
from hypothesis import strategies as st

from riptools.claims.instances import direction, factor_pair, ground_truth, orthonormal
from riptools.rip import rip_constant
from riptools.sensing import SensingOperator, svec_dimension
from riptools.validation import InputError

BOUND = 1e3
"""Every entry of every drawn matrix has absolute value at most BOUND."""
MAX_KAPPA = 1e4
"""Condition numbers κ(ZᵀZ) are drawn in [1, MAX_KAPPA] when no ``kappa`` is given."""
SCALES = (1e-2, 1e-1, 1.0, 10.0)
"""Overall scales of the drawn matrices (besides a continuous range between the extremes)."""
MAX_DELTA = 0.95
"""Sensing operators built to a target δ draw it in [0, MAX_DELTA] when no ``delta_max`` is given."""
DELTA_ROOM = 1e-9
"""Operators built to δ ≤ delta_max aim at δ ≤ delta_max·(1 − DELTA_ROOM) − DELTA_ROOM (float64 room)."""
_SEEDS = st.integers(0, 2**32 - 1)


def _range(value, name: str, *, minimum: int = 1) -> tuple[int, int]:
    """Returns ``value`` (an int or (lo, hi)) as an inclusive range, checked."""
    low, high = (value, value) if isinstance(value, (int, np.integer)) and not isinstance(value, bool) else tuple(value)
    if not all(isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in (low, high)) or not minimum <= low <= high:
        raise InputError(f"{name}: expected an integer ≥ {minimum} or a range (lo, hi) with {minimum} ≤ lo ≤ hi, got {value!r}")
    return int(low), int(high)


def _ranks(n_range, r_range, name: str = "r") -> tuple[int, int]:
    """Returns ``r_range`` after checking that its smallest rank fits the smallest n."""
    if r_range[0] > n_range[0]:
        raise InputError(f"{name}: the smallest rank {r_range[0]} exceeds the smallest n {n_range[0]} (need r ≤ n)")
    return r_range


def _kappa(value) -> float | None:
    if value is None:
        return None
    if not (isinstance(value, (int, float)) and np.isfinite(value) and value >= 1):
        raise InputError(f"kappa: expected a number ≥ 1, got {value!r}")
    return float(value)


def _resizable(strategy, rebuild, **sizes):
    """Returns ``strategy`` marked resizable: its size ranges, and ``rebuild(**sizes)`` to redraw it."""
    strategy._riptools_sizes = sizes
    strategy._riptools_rebuild = rebuild
    return strategy


def size_ranges(strategy) -> dict | None:
    """Returns the size ranges {"n": (lo, hi), "r": (lo, hi)} of a resizable strategy, else None.

    Example:
        >>> size_ranges(factor_pairs(n=(3, 6), r=3))
        {'n': (3, 6), 'r': (3, 3)}
        >>> size_ranges(symmetric(n=3)) is None
        True
    """
    return getattr(strategy, "_riptools_sizes", None)


def resized(strategy, **sizes):
    """Returns the same resizable strategy with other size ranges (e.g. ``n=(3, 3), r=(1, 1)``).

    Raises:
        InputError: the strategy is not resizable (see :func:`size_ranges`).

    Example:
        >>> size_ranges(resized(factor_pairs(n=(2, 6), r=(1, 3)), n=(2, 2), r=(1, 1)))
        {'n': (2, 2), 'r': (1, 1)}
    """
    if size_ranges(strategy) is None:
        raise InputError(f"strategy: {strategy!r} is not a resizable riptools strategy")
    return strategy._riptools_rebuild(**{**size_ranges(strategy), **sizes})


def _draw_size(draw, n_range, r_range):
    """Draws n, then r ≤ n (both in their ranges; r_range[0] ≤ n_range[0] is checked beforehand)."""
    n = draw(st.integers(*n_range))
    return n, draw(st.integers(r_range[0], min(r_range[1], n)))


def _bounded(matrix: np.ndarray) -> np.ndarray:
    return np.clip(matrix, -BOUND, BOUND)


def _draw_kappa(draw, kappa: float | None) -> float:
    """Draws a condition number in [1, kappa] (or [1, MAX_KAPPA]), favouring 1 and the largest."""
    top = np.log10(kappa if kappa is not None else MAX_KAPPA)
    return float(10.0 ** draw(st.sampled_from([0.0, top]) | st.floats(0.0, top)))


def _draw_scale(draw) -> float:
    return draw(st.sampled_from(SCALES) | st.floats(SCALES[0], SCALES[-1]))


def factor_pairs(n=(2, 10), r=(1, 3), true_rank=None, kappa=None):
    """Returns a strategy of factor pairs {"X": n×r, "Z": n×r★} (r★ = ``true_rank``, default r).

    Guarantee: X and Z are finite float64 arrays with entries bounded by :data:`BOUND`; r ≤ n and
    r★ ≤ n; Z has full column rank r★, with κ(ZᵀZ) ≤ ``kappa`` when given (else ≤ :data:`MAX_KAPPA`).
    X is any n×r matrix: random, near Z (when r = r★), along Z's weakest direction, or rank deficient.
    Resizable in n and r.

    Args:
        n: size n, an int or a range (lo, hi), lo ≥ 1.
        r: search rank r (columns of X), an int or a range.
        true_rank: rank r★ of the ground truth Z (columns of Z), an int or a range; default r.
        kappa: upper bound on the condition number of ZᵀZ (a number ≥ 1), or None.

    Raises:
        InputError: a malformed size or kappa, or a smallest rank above the smallest n.

    Example:
        >>> from hypothesis import find
        >>> pair = find(factor_pairs(n=(3, 5), r=2, true_rank=1), lambda p: True)
        >>> pair["X"].shape, pair["Z"].shape
        ((3, 2), (3, 1))
    """
    n_range = _range(n, "n")
    r_range = _ranks(n_range, _range(r, "r"))
    true_range = None if true_rank is None else _ranks(n_range, _range(true_rank, "true_rank"), "true_rank")
    kappa = _kappa(kappa)

    @st.composite
    def pairs(draw):
        size, rank = _draw_size(draw, n_range, r_range)
        rank_z = rank if true_range is None else draw(st.integers(true_range[0], min(true_range[1], size)))
        rng = np.random.default_rng(draw(_SEEDS))
        scale = _draw_scale(draw)
        z = scale * ground_truth(rng, size, rank_z, kappa=_draw_kappa(draw, kappa))
        kind = draw(st.sampled_from(("random", "near", "weakest", "deficient")))
        if kind in ("near", "weakest") and rank == rank_z:
            x = z + draw(st.sampled_from([1e-6, 0.1, 1.0])) * scale * direction(rng, z, "random" if kind == "near" else "weakest")
        else:
            x = _draw_scale(draw) * rng.standard_normal((size, rank))
            if kind == "deficient" and rank > 1:
                x[:, -1] = x[:, 0]
        return {"X": _bounded(x), "Z": z}

    return _resizable(pairs(), lambda n, r: factor_pairs(n=n, r=r, true_rank=true_rank, kappa=kappa), n=n_range, r=r_range)


def near_ground_truth(n=(2, 10), r=(1, 3), rho=0.5):
    """Returns a strategy of pairs {"X", "Z"} (both n×r) with ‖XXᵀ − ZZᵀ‖_F ≤ ρ·λ_min(ZᵀZ).

    This is the hypothesis of the local lemmas of ScaledSGD (G. Zhang, H.-M. Chiu, R. Y. Zhang,
    "Accelerating SGD for highly ill-conditioned huge-scale online matrix completion", NeurIPS
    2022, Lemma 3). Guarantee: the inequality holds strictly in float64, with relative room of
    1e-9 so it still holds when re-checked in high precision; σ_max(Z) = 1 and κ(ZᵀZ) ≤ 10⁴; X is
    placed at a fraction of ρ that favours the boundary, the middle and points very near Z, along
    random, orthogonal, in-span, weakest and scaling directions. Resizable in n and r.

    Args:
        n: size n, an int or a range.
        r: rank r, an int or a range.
        rho: the radius ρ > 0.

    Raises:
        InputError: a malformed size, or ρ not positive.

    Example:
        >>> from hypothesis import find
        >>> pair = find(near_ground_truth(n=3, r=1, rho=0.1), lambda p: True)
        >>> import numpy as np
        >>> gap = np.linalg.norm(pair["X"] @ pair["X"].T - pair["Z"] @ pair["Z"].T)
        >>> bool(gap <= 0.1 * np.linalg.eigvalsh(pair["Z"].T @ pair["Z"])[0])
        True
    """
    n_range = _range(n, "n")
    r_range = _ranks(n_range, _range(r, "r"))
    if not (isinstance(rho, (int, float)) and 0 < rho < np.inf):
        raise InputError(f"rho: expected a positive number, got {rho!r}")

    @st.composite
    def pairs(draw):
        size, rank = _draw_size(draw, n_range, r_range)
        return draw(factor_pair(size, rank, rho_max=float(rho)))

    return _resizable(pairs(), lambda n, r: near_ground_truth(n=n, r=r, rho=rho), n=n_range, r=r_range)


def low_rank_psd(n=(2, 10), r=(1, 3), kappa=None):
    """Returns a strategy of n×n positive semidefinite matrices M = ZZᵀ of rank r ≤ n.

    Guarantee: M is exactly symmetric with entries bounded by :data:`BOUND`; its r largest
    eigenvalues are positive with ratio λ_1/λ_r ≤ ``kappa`` when given (else ≤ :data:`MAX_KAPPA`)
    and the other n − r are 0 up to rounding (|λ| ≤ 1e-12·λ_1).

    Args:
        n: size n, an int or a range.
        r: rank r, an int or a range (r ≤ n is enforced per draw).
        kappa: upper bound on λ_1/λ_r, or None.

    Example:
        >>> from hypothesis import find
        >>> import numpy as np
        >>> m = find(low_rank_psd(n=4, r=2), lambda m: True)
        >>> int(np.sum(np.linalg.eigvalsh(m) > 1e-9 * np.abs(m).max()))
        2
    """
    n_range = _range(n, "n")
    r_range = _ranks(n_range, _range(r, "r"))
    kappa = _kappa(kappa)

    @st.composite
    def matrices(draw):
        size, rank = _draw_size(draw, n_range, r_range)
        rng = np.random.default_rng(draw(_SEEDS))
        z = np.sqrt(_draw_scale(draw)) * ground_truth(rng, size, rank, kappa=_draw_kappa(draw, kappa))
        m = z @ z.T
        return 0.5 * (m + m.T)

    return matrices()


def symmetric(n=(2, 10)):
    """Returns a strategy of n×n symmetric matrices.

    Guarantee: exactly symmetric (M = Mᵀ bit for bit), finite, entries bounded by :data:`BOUND`.
    Kinds: Gaussian (GOE-like), diagonal, low rank with either sign, and the zero matrix.

    Example:
        >>> from hypothesis import find
        >>> m = find(symmetric(n=3), lambda m: m.any())
        >>> bool((m == m.T).all())
        True
    """
    n_range = _range(n, "n")

    @st.composite
    def matrices(draw):
        size = draw(st.integers(*n_range))
        rng = np.random.default_rng(draw(_SEEDS))
        kind = draw(st.sampled_from(("gaussian", "diagonal", "low_rank", "zero")))
        if kind == "zero":
            return np.zeros((size, size))
        if kind == "diagonal":
            m = np.diag(rng.standard_normal(size))
        elif kind == "low_rank":
            u = rng.standard_normal((size, draw(st.integers(1, size))))
            m = u @ np.diag(rng.choice([-1.0, 1.0], u.shape[1])) @ u.T
        else:
            m = rng.standard_normal((size, size))
        m = _bounded(_draw_scale(draw) * m)
        return np.triu(m) + np.triu(m, 1).T

    return matrices()


def orthogonal(n=(2, 10)):
    """Returns a strategy of n×n orthogonal matrices Q (the Q factor of a Gaussian matrix's QR; not exactly Haar).

    Guarantee: ‖QᵀQ − I‖_max ≤ 1e-12 (float64 rounding), entries in [−1, 1].

    Example:
        >>> from hypothesis import find
        >>> import numpy as np
        >>> q = find(orthogonal(n=4), lambda q: True)
        >>> bool(np.allclose(q.T @ q, np.eye(4)))
        True
    """
    n_range = _range(n, "n")

    @st.composite
    def matrices(draw):
        size = draw(st.integers(*n_range))
        return orthonormal(np.random.default_rng(draw(_SEEDS)), size, size)

    return matrices()


def sensing_operators(n=(2, 4), m=(3, 12), delta_max=None, rank=None):
    """Returns a strategy of sensing operators on n×n symmetric matrices with a known RIP constant.

    Instances are dicts {"A": (m, n, n) array of the symmetric measurement matrices A_i (build the
    operator with :meth:`riptools.sensing.SensingOperator.from_matrices`), "rank": the RIP rank,
    "delta": δ, "exact": bool}. δ is the constant as given (no rescaling) of
    :func:`riptools.rip.rip_constant`: **exact** when the rank is ≥ n (the default rank is n), and
    otherwise the full-space constant δ_n, an upper bound on δ_rank (``exact`` False).

    Guarantee: ``delta`` is what :func:`riptools.rip.rip_constant` computes for the operator at
    rank ≥ n; with ``delta_max``, δ ≤ delta_max. Operators with ``delta_max`` are built from a
    kernel with eigenvalues in [1 − δ, 1 + δ], which needs m ≥ n(n+1)/2 measurements (smaller m is
    raised to that); others are Gaussian (E‖A(M)‖² = ‖M‖²) or such designed kernels.

    Args:
        n: size n, an int or a range.
        m: number of measurements, an int or a range.
        delta_max: upper bound on δ in [1e-8, 1), or None (below 1e-8 float64 cannot certify it).
        rank: the RIP rank (an int ≥ 1), default n.

    Raises:
        InputError: malformed sizes, delta_max outside [1e-8, 1), or rank < 1.

    Example:
        >>> from hypothesis import find
        >>> draw = find(sensing_operators(n=2, m=3, delta_max=0.2), lambda d: True)
        >>> draw["A"].shape, draw["exact"], bool(draw["delta"] <= 0.2)
        ((3, 2, 2), True, True)
    """
    n_range, m_range = _range(n, "n"), _range(m, "m")
    if delta_max is not None and not (isinstance(delta_max, (int, float)) and 10 * DELTA_ROOM <= delta_max < 1):
        raise InputError(f"delta_max: expected a number in [{10 * DELTA_ROOM:g}, 1), got {delta_max!r}")
    if rank is not None:
        _range(rank, "rank")

    @st.composite
    def operators(draw):
        size = draw(st.integers(*n_range))
        dimension = svec_dimension(size)
        designed = delta_max is not None or draw(st.booleans())
        count = draw(st.integers(max(m_range[0], dimension) if designed else m_range[0], max(m_range[1], dimension) if designed else m_range[1]))
        rng = np.random.default_rng(draw(_SEEDS))
        if designed:
            top = MAX_DELTA if delta_max is None else delta_max
            # Kernel eigenvalues in [1 − δ, 1 + δ], δ a little inside the target, so that the δ
            # computed from float64 eigenvalues (error ~1e-15) stays ≤ delta_max.
            target = max(draw(st.sampled_from([0.0, top]) | st.floats(0.0, top)) * (1 - DELTA_ROOM) - DELTA_ROOM, 0.0)
            eigenvalues = 1 + target * rng.uniform(-1, 1, dimension)
            eigenvalues[: min(2, dimension)] = 1 + target * np.array([-1.0, 1.0])[: min(2, dimension)]
            basis = orthonormal(rng, count, dimension)
            svec_matrix = basis * np.sqrt(eigenvalues) @ orthonormal(rng, dimension, dimension).T
        else:
            svec_matrix = rng.standard_normal((count, dimension)) / np.sqrt(count)
        operator = SensingOperator.from_svec_matrix(svec_matrix)
        rip_rank = size if rank is None else rank
        result = rip_constant(operator, max(rip_rank, size))
        assume(delta_max is None or result.delta <= delta_max)
        return {"A": operator.matrices, "rank": rip_rank, "delta": result.delta, "exact": rip_rank >= size}

    return operators()


def sampling_masks(n=(2, 10), m=(1, 20)):
    """Returns a strategy of symmetric boolean n×n masks observing m entries of a symmetric matrix.

    Guarantee: the mask is symmetric, of dtype bool, and its upper triangle (diagonal included)
    holds exactly m True entries, with m in the given range clipped to n(n+1)/2 (a mask observes an
    entry M_ij and its mirror M_ji together).

    Example:
        >>> from hypothesis import find
        >>> import numpy as np
        >>> mask = find(sampling_masks(n=3, m=4), lambda mask: True)
        >>> int(np.triu(mask).sum()), bool((mask == mask.T).all())
        (4, True)
    """
    n_range, m_range = _range(n, "n"), _range(m, "m")

    @st.composite
    def masks(draw):
        size = draw(st.integers(*n_range))
        dimension = svec_dimension(size)
        count = draw(st.integers(min(m_range[0], dimension), min(m_range[1], dimension)))
        rng = np.random.default_rng(draw(_SEEDS))
        rows, columns = np.triu_indices(size)
        chosen = rng.choice(dimension, count, replace=False)
        mask = np.zeros((size, size), dtype=bool)
        mask[rows[chosen], columns[chosen]] = True
        return mask | mask.T

    return masks()


__all__ = [
    "BOUND",
    "factor_pairs",
    "low_rank_psd",
    "near_ground_truth",
    "orthogonal",
    "resized",
    "sampling_masks",
    "sensing_operators",
    "size_ranges",
    "symmetric",
]
