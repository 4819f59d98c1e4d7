"""The claim-check engine: put an inequality on trial and return an earned verdict.

A claim is a :class:`Claim` record (claims as data, STYLE.md): where it comes from, its statement,
the reading checked (which quantifier or normalisation), a hypothesis strategy of admissible
instances, the two sides as functions, and what riptools recorded for it. The engine is generic:

1. **Explore** — hypothesis draws ``budget/2`` instances (``hypothesis.target`` steers generation
   towards small margins).
2. **Attack** — scipy's L-BFGS-B minimises the normalised margin from the 3 worst instances (with
   distinct margins), moving the claim's free variables; the claim's ``repair`` maps every trial
   point back inside the hypotheses, so the optimiser cannot "win" by leaving them. The rest of the
   budget is split between the attacks, with a floor of a few gradient steps each, so the count of
   instances actually evaluated (``examples_tried``) can exceed the budget by up to half.
3. **Verify** — a float64 violation counts only if it survives re-evaluation of the hypotheses and
   both sides in mpmath at 50 and at 80 digits (the stored float64 inputs are exact binary numbers,
   so the high-precision evaluation has no input rounding). The worst candidates are verified first,
   up to half the budget of them; the observed extreme is re-evaluated at 50 digits wherever a
   float64 value could be the extreme.
4. **Shrink** — a refuted claim is re-searched at the smallest sizes (n, r) first, and the entries of
   the counterexample are rounded to as few significant digits as still violate in high precision.

The result is a :class:`riptools.findings.Finding`. Verdicts: ``agrees`` (no violation within the
stated budget; the reason says "held on N instances, not a proof"), ``refuted`` (a counterexample
that re-verifies in high precision), ``inconclusive`` (float64 violations left unexamined).
"""

from __future__ import annotations

import contextlib
import json
import math
import re
import shlex
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import mpmath
import numpy as np
import scipy.optimize
from hypothesis import HealthCheck, Phase, assume, given, settings, target
from hypothesis import seed as hypothesis_seed
from hypothesis import strategies as st

from riptools.findings import Finding, Reference, SourcePlace, Verdict
from riptools.results import write_json_atomic
from riptools.validation import InputError, positive_int

FLOAT_VIOLATION_TOL = 1e-9
"""A float64 normalised margin below −FLOAT_VIOLATION_TOL is a candidate violation (rounding is ~1e-15)."""
MP_VIOLATION_TOL = 1e-40
"""A violation is confirmed when the normalised margin is below −MP_VIOLATION_TOL at 50 and 80 digits."""
VERIFY_DIGITS = (50, 80)
"""Working precisions (decimal digits) of the high-precision re-verification."""
DEFAULT_BUDGET = 400
"""Instances per claim by default: half hypothesis examples, half optimiser evaluations."""
SIMPLIFY_DIGITS = (1, 2, 3, 4, 6, 8, 12)
"""Significant digits tried, in order, when simplifying a counterexample's entries."""
COUNTEREXAMPLE_DIR = Path(__file__).with_name("counterexamples")
"""Package data: the stored counterexamples, one JSON file per refuted claim."""
ATTACK_MIN_STEPS = 5
"""Each attack may take at least this many finite-difference gradient steps (dimension + 1 evaluations each)."""
MAX_SHRINK_SIZES = 8
"""Shrinking searches at most this many sizes (n, r) below the one found, smallest first."""
MAX_VERIFIED_CANDIDATES = 10
"""Each attack re-verifies at most this many of its float64 candidates in high precision; after the
search, up to max(MAX_VERIFIED_CANDIDATES, budget/2) candidates (the worst first) are re-verified, so
a tight claim whose float64 evaluation is often "violated" by rounding is still decided."""
EXTREME_SLACK = 1e-12
"""Float64 statistics within this relative distance of the best high-precision value are not
re-evaluated (float64 rounding moves a statistic by ~1e-15 relative)."""


class Float64:
    """Linear algebra on float64 numpy arrays: the fast backend of the search.

    A claim's sides are written once against the operations below and evaluated by this backend
    during the search and by :class:`Multiprecision` for verification. Both offer the same list:

    - ``array(value)``: an array of the backend's numbers (float64, or mpmath numbers);
    - ``const(x)``: the number x at the backend's precision; pass decimals as strings
      (``m.const("0.1")`` is 1/10 exactly in high precision, ``m.const(0.1)`` the float nearest it);
    - ``matmul(a, b)`` (also ``a @ b``), ``transpose(a)`` (also ``a.T``), ``inv(a)``;
    - ``fro(a)``: the Frobenius norm; ``dot(a, b)``: Σ a_ij b_ij; ``trace(a)``; ``sum(a)``;
    - ``svdvals(a)``: singular values, descending; ``eigvalsh(a)``: eigenvalues of a symmetric
      matrix, ascending (both arrays, so ``m.eigvalsh(g)[0]`` is λ_min);
    - ``sqrt(x)``, ``abs(x)`` (scalars or elementwise on arrays), ``max(a)``, ``min(a)`` (over all
      entries);
    - ``eye(n)``, ``zeros(shape)``;
    - ordinary ``+ − * /`` and ``**`` (integer powers) on its scalars and arrays, and numpy
      indexing and slicing of its arrays.

    Example:
        >>> import numpy as np
        >>> m = FLOAT64
        >>> x = m.array([[3.0, 0.0], [0.0, 4.0]])
        >>> float(m.fro(x)), [float(v) for v in m.svdvals(x)], float(m.eigvalsh(x)[0])
        (5.0, [4.0, 3.0], 3.0)
    """

    name = "float64"

    def array(self, value) -> np.ndarray:
        """Returns ``value`` as a float64 array."""
        return np.asarray(value, dtype=np.float64)

    def const(self, value):
        """Returns the number ``value`` (a number or a decimal string such as "0.1") as the nearest float."""
        return float(value)

    def matmul(self, a, b):
        """Returns the matrix product a·b."""
        return a @ b

    def transpose(self, a):
        """Returns aᵀ."""
        return a.T

    def inv(self, matrix):
        """Returns the inverse of a square matrix."""
        return np.linalg.inv(matrix)

    def fro(self, a):
        """Returns the Frobenius norm ‖a‖_F."""
        return float(np.sqrt(np.sum(a * a)))

    def dot(self, a, b):
        """Returns the Frobenius inner product Σ a_ij b_ij."""
        return np.sum(a * b)

    def trace(self, a):
        """Returns the trace of a square matrix."""
        return np.trace(a)

    def sum(self, a):
        """Returns the sum of all entries."""
        return np.sum(a)

    def svdvals(self, a):
        """Returns the singular values of a matrix, descending."""
        return np.linalg.svd(a, compute_uv=False)

    def eigvalsh(self, matrix):
        """Returns the ascending eigenvalues of a symmetric matrix."""
        return np.linalg.eigvalsh(matrix)

    def sqrt(self, value):
        """Returns the square root of a scalar (negative rounding residues give 0), elementwise on arrays."""
        if isinstance(value, np.ndarray):
            return np.sqrt(np.maximum(value, 0.0))
        return math.sqrt(max(float(value), 0.0))

    def abs(self, value):
        """Returns |value| (elementwise on arrays)."""
        return np.abs(value)

    def max(self, a):
        """Returns the largest entry."""
        return np.max(a)

    def min(self, a):
        """Returns the smallest entry."""
        return np.min(a)

    def eye(self, n: int):
        """Returns the n×n identity."""
        return np.eye(n)

    def zeros(self, shape):
        """Returns an array of zeros."""
        return np.zeros(shape)


class Multiprecision(Float64):
    """The same operations on numpy object arrays of mpmath numbers, at the current mp precision.

    Claim sides are written once against the interface of :class:`Float64`, so the float64 search
    and the high-precision re-verification run the same formulas. The operations it inherits
    (matmul, transpose, dot, trace, sum, abs) work on object arrays unchanged.

    Example:
        >>> import mpmath
        >>> with mpmath.workdps(30):
        ...     print(MULTIPRECISION.sqrt(MULTIPRECISION.const(2)))
        1.41421356237309504880168872421
    """

    name = "mpmath"

    def array(self, value) -> np.ndarray:
        """Returns ``value`` as an object array of mpf (exact: float64 inputs convert without rounding)."""
        array = np.asarray(value, dtype=np.float64)
        return np.vectorize(lambda x: mpmath.mpf(float(x)), otypes=[object])(array)

    def const(self, value):
        """Returns ``value`` at the working precision (``"0.1"`` is then 1/10, not a float)."""
        return mpmath.mpf(value)

    @staticmethod
    def _matrix(matrix):
        return mpmath.matrix(np.asarray(matrix, dtype=object).tolist())

    @staticmethod
    def _to_numpy(matrix) -> np.ndarray:
        return np.array(matrix.tolist(), dtype=object)

    def inv(self, matrix):
        """Returns the inverse of a square matrix."""
        return self._to_numpy(mpmath.inverse(self._matrix(matrix)))

    def fro(self, a):
        """Returns the Frobenius norm ‖a‖_F."""
        return mpmath.sqrt(mpmath.fsum(x * x for x in np.asarray(a, dtype=object).ravel()))

    def svdvals(self, a):
        """Returns the singular values of a matrix, descending."""
        values = mpmath.svd_r(self._matrix(a), compute_uv=False)
        return np.array(sorted((values[i] for i in range(values.rows)), reverse=True), dtype=object)

    def eigvalsh(self, matrix):
        """Returns the ascending eigenvalues of a symmetric matrix."""
        values = mpmath.eigsy(self._matrix(matrix), eigvals_only=True)
        return np.array(sorted(values[i] for i in range(values.rows)), dtype=object)

    def sqrt(self, value):
        """Returns the square root (elementwise on arrays).

        Raises:
            ValueError: a negative argument (the engine then counts the instance as not evaluable).
        """
        if isinstance(value, np.ndarray):
            return np.vectorize(self.sqrt, otypes=[object])(value)
        if value < 0:
            raise ValueError(f"sqrt of a negative number {mpmath.nstr(value, 5)}")
        return mpmath.sqrt(value)

    def max(self, a):
        """Returns the largest entry."""
        return max(np.asarray(a, dtype=object).ravel())

    def min(self, a):
        """Returns the smallest entry."""
        return min(np.asarray(a, dtype=object).ravel())

    def eye(self, n: int):
        """Returns the n×n identity."""
        return self.array(np.eye(n))

    def zeros(self, shape):
        """Returns an array of zeros."""
        return self.array(np.zeros(shape))


FLOAT64 = Float64()
MULTIPRECISION = Multiprecision()


@dataclass(frozen=True)
class Claim:
    """A claim of a paper as data: its source, statement, reading, sampler and two sides.

    The claim asserts ``lhs <= rhs`` (relation ``"<="``) or ``lhs == rhs`` (relation ``"=="``;
    sides may then be arrays) on every admissible instance.

    Attributes:
        id: stable identifier, e.g. ``lemma3.gradient_dominance``.
        source: where the claim comes from: a :class:`~riptools.findings.SourcePlace`, or text
            (e.g. ``"My paper (2026), Lemma 1"``; see :func:`claim_source`).
        statement: the claim in words and symbols.
        reading: which quantifier/normalisation this record checks (strongest or weakest sensible).
        strategy: ``strategy(n_range, r_range)`` → hypothesis strategy of admissible instances
            (dicts of numpy arrays and numbers; the hypotheses are enforced by construction).
        sides: ``sides(instance, backend)`` → (lhs, rhs).
        hypotheses: ``hypotheses(instance, backend)`` → True when the instance is admissible;
            re-checked in high precision for every counterexample.
        repair: maps an arbitrary perturbed instance (float64) back inside the hypotheses, or None.
        free: names of the instance's arrays the optimiser may move (empty: every float array).
        statistic: ``statistic(instance, backend)`` → the observed constant (e.g. the ratio of the
            two sides), or None for claims without one.
        claimed_constant: the constant the source claims for ``statistic``.
        extreme: ``"max"`` if the claim bounds the statistic from above, ``"min"`` if from below.
        parameter: ``parameter(instance)`` → the x-coordinate of the plots (ρ for these claims).
        n_range, r_range: instance sizes searched by default (an instance's size is the shape of
            its n×r array ``X``); None for a strategy that takes no sizes (its counterexamples are
            then simplified but not searched again at smaller sizes).
        recorded_verdict: what riptools found (``agrees`` or ``refuted``), asserted by proofs_checks;
            None for a claim never recorded (a user's).
        variant: True for riptools' own diagnostic or corrected versions of a claim (not a reading of
            the source's statement); they stay out of the report's top verdict table.
        origin: the file a user's claim was loaded from (its replay command names it), or None
            for the package's claims.
    """

    id: str
    source: "str | SourcePlace"
    statement: str
    reading: str
    strategy: Callable
    sides: Callable
    hypotheses: Callable
    repair: Callable
    free: tuple[str, ...]
    relation: str = "<="
    statistic: Callable | None = None
    claimed_constant: float | None = None
    extreme: str = "max"
    parameter: Callable | None = None
    n_range: tuple[int, int] | None = (2, 30)
    r_range: tuple[int, int] | None = (1, 5)
    recorded_verdict: str | None = None
    variant: bool = False
    origin: str | None = None


class _StopAttack(Exception):
    """Raised inside the optimiser's objective to stop it: a candidate violation, or budget spent."""




def normalised_margin(claim: Claim, instance: dict, backend=FLOAT64):
    """Returns (rhs − lhs)/(|lhs| + |rhs|) for ``<=`` claims, −‖lhs − rhs‖/(‖lhs‖ + ‖rhs‖) for ``==``.

    Negative means violated; the normalisation makes the tolerance relative.

    Example:
        >>> from riptools.claims.examples import frobenius_below_half_spectral as claim  # ‖X‖_F ≤ ‖X‖₂/2, false
        >>> import numpy as np
        >>> round(float(normalised_margin(claim, {"X": np.array([[3.0], [4.0]])})), 6)  # (2.5 − 5)/(5 + 2.5)
        -0.333333
    """
    lhs, rhs = claim.sides(instance, backend)
    if claim.relation == "==":
        difference = np.asarray(lhs - rhs, dtype=object).ravel()
        size = lambda a: backend.sqrt(sum(x * x for x in np.asarray(a, dtype=object).ravel()))  # noqa: E731
        denominator = size(lhs) + size(rhs)
        return -size(difference) / denominator if denominator != 0 else -size(difference)
    denominator = abs(lhs) + abs(rhs)
    return (rhs - lhs) / denominator if denominator != 0 else rhs - lhs


def _evaluate(claim: Claim, instance: dict) -> tuple[float, float | None]:
    """Returns (normalised margin, statistic) in float64; NaN margins count as not evaluable (+inf)."""
    with np.errstate(all="ignore"):
        try:
            margin = float(normalised_margin(claim, instance))
            statistic = float(claim.statistic(instance, FLOAT64)) if claim.statistic else None
        except (np.linalg.LinAlgError, ZeroDivisionError, ValueError, OverflowError):
            return math.inf, None
    return (margin if math.isfinite(margin) else math.inf), statistic


def float_arrays(instance: dict) -> list[str]:
    """Returns the keys of the instance's floating-point arrays (what a backend converts and an attack may move).
    Example:
        >>> import numpy as np
        >>> float_arrays({"X": np.ones((2, 1)), "mask": np.ones(2, dtype=bool), "k": 3})
        ['X']
    """
    return [key for key, value in instance.items() if isinstance(value, np.ndarray) and value.dtype.kind == "f"]


def to_backend(instance: dict, backend) -> dict:
    """Returns the instance with its float arrays converted for ``backend`` (other values untouched).
    Example:
        >>> import numpy as np
        >>> converted = to_backend({"X": np.array([[0.5]]), "k": 3}, MULTIPRECISION)
        >>> type(converted["X"][0, 0]).__name__, converted["k"]
        ('mpf', 3)
    """
    arrays = float_arrays(instance)
    return {key: backend.array(value) if key in arrays else value for key, value in instance.items()}


def _free(claim: Claim, instance: dict) -> list[str]:
    """Returns the names of the arrays the attack moves: the claim's ``free``, or every float array."""
    return list(claim.free) if claim.free else float_arrays(instance)


def verify(claim: Claim, instance: dict) -> dict | None:
    """Returns the high-precision record of a violation, or None when it does not re-verify.

    The hypotheses and both sides are re-evaluated in mpmath at every precision of VERIFY_DIGITS;
    the violation must hold (margin < −MP_VIOLATION_TOL) and the hypotheses must hold at each.

    Example:
        >>> from riptools.claims.examples import frobenius_below_half_spectral as claim  # ‖X‖_F ≤ ‖X‖₂/2, false
        >>> import numpy as np
        >>> record = verify(claim, {"X": np.array([[3.0], [4.0]]), "Z": np.ones((2, 1))})
        >>> record["lhs"], record["rhs"], record["digits"], record["size"]
        ('5.0', '2.5', [50, 80], {'n': 2, 'r': 1})
    """
    record = None
    for digits in VERIFY_DIGITS:
        with mpmath.workdps(digits):
            exact = to_backend(instance, MULTIPRECISION)
            try:
                if not claim.hypotheses(exact, MULTIPRECISION):
                    return None
                lhs, rhs = claim.sides(exact, MULTIPRECISION)
                margin = normalised_margin(claim, exact, MULTIPRECISION)
            except (ZeroDivisionError, ValueError):
                return None
            if not margin < -MP_VIOLATION_TOL:
                return None
            if record is None:
                record = {
                    "lhs": _mp_text(lhs),
                    "rhs": _mp_text(rhs),
                    "margin": mpmath.nstr(margin, 20),
                    "digits": list(VERIFY_DIGITS),
                }
    record["inputs"] = instance_to_json(instance)
    record["size"] = _size(instance)
    return record


def _mp_text(value):
    if isinstance(value, np.ndarray):
        return [_mp_text(v) for v in value]
    return mpmath.nstr(value, 30)


def _size(instance: dict) -> dict:
    """Returns {"n", "r"} from the instance's n×r array ``X``, else {name: shape} of its arrays."""
    x = instance.get("X")
    if isinstance(x, np.ndarray) and x.ndim == 2:
        return {"n": int(x.shape[0]), "r": int(x.shape[1])}
    return {key: list(value.shape) for key, value in instance.items() if isinstance(value, np.ndarray)}


def size_text(size: dict) -> str:
    """Returns a size record as text, e.g. ``"n=3, r=1"`` or ``"A: 2×2"``.

    Example:
        >>> size_text({"n": 3, "r": 1}), size_text({"A": [2, 2]})
        ('n=3, r=1', 'A: 2×2')
    """
    return ", ".join(f"{key}: {'×'.join(map(str, value))}" if isinstance(value, list) else f"{key}={value}" for key, value in size.items())


def instance_to_json(instance: dict) -> dict:
    """Returns the instance with arrays as nested lists of floats (which JSON round-trips exactly).
    Example:
        >>> import numpy as np
        >>> instance_to_json({"X": np.array([[0.1], [2.0]]), "k": 1})
        {'X': [[0.1], [2.0]], 'k': 1}
    """
    return {key: value.tolist() if isinstance(value, np.ndarray) else value for key, value in instance.items()}


def instance_from_json(data: dict) -> dict:
    """Returns an instance from :func:`instance_to_json` output (lists become float64 arrays).
    Example:
        >>> instance_from_json({"X": [[0.1], [2.0]], "k": 1})["X"].dtype
        dtype('float64')
    """
    return {key: np.asarray(value, dtype=np.float64) if isinstance(value, list) else value for key, value in data.items()}


@contextlib.contextmanager
def _without_local_constants():
    """Makes Hypothesis draw no constants from the modules this process happens to have imported.

    Hypothesis (≥ 6.131) draws about 5 % of its values from literals found in the "local" modules
    currently in ``sys.modules``, so the same seeded search gave other examples in a process-pool
    worker than in the main process, and in a test run depending on which tests ran first. During
    the search that pool is empty (Hypothesis' own global constants are still drawn). If a future
    Hypothesis drops these internals, nothing is patched.
    """
    try:
        from hypothesis.internal.conjecture import providers

        empty = providers.Constants(integers=providers.SortedSet(), floats=providers.SortedSet(key=providers.float_to_int),
                                    bytes=providers.SortedSet(), strings=providers.SortedSet())
        original, cache = providers._get_local_constants, providers.CONSTANTS_CACHE.cache
    except (ImportError, AttributeError):
        yield
        return
    cache.clear()  # constants already combined with the local pool
    providers._get_local_constants = lambda: empty
    try:
        yield
    finally:
        providers._get_local_constants = original
        cache.clear()


def _explore(claim: Claim, *, examples: int, seed: int, n_range, r_range, log: "_SearchLog") -> list:
    """Runs hypothesis on the claim's strategy; returns [(margin, instance)] of every admissible example."""
    found = []

    @settings(
        max_examples=examples,
        database=None,
        deadline=None,
        derandomize=False,
        phases=[Phase.generate, Phase.target],
        suppress_health_check=list(HealthCheck),
    )
    @hypothesis_seed(seed)
    @given(claim.strategy(n_range, r_range))
    def probe(instance):
        if not isinstance(instance, dict):
            raise InputError(f"instances: the strategy of {claim.id} drew a {type(instance).__name__}, expected a dict of "
                             "arrays and numbers (wrap a single matrix as st.fixed_dictionaries({'A': ...}))")
        with np.errstate(all="ignore"):
            assume(claim.hypotheses(instance, FLOAT64))
        margin, _ = log.record(claim, instance)
        if math.isfinite(margin):
            target(-margin)
            found.append((margin, instance))

    with _without_local_constants():
        probe()
    return found


class _SearchLog:
    """Every evaluated instance and its (parameter, statistic, margin) in float64.

    The instances are kept so that the reported extreme can be re-evaluated in high precision
    (float64 cancellation can fake an extreme value, see :meth:`observed_extreme`).
    """

    def __init__(self):
        self.samples = []
        self._instances = []

    def record(self, claim: Claim, instance: dict) -> tuple[float, float | None]:
        """Evaluates the instance in float64, logs it and returns (normalised margin, statistic)."""
        margin, statistic = _evaluate(claim, instance)
        if not math.isfinite(margin):
            return margin, statistic
        parameter = claim.parameter(instance) if claim.parameter else math.nan
        self.samples.append((parameter, statistic, margin))
        self._instances.append(instance)
        return margin, statistic

    def observed_extreme(self, claim: Claim) -> float | None:
        """Returns the extreme statistic, re-evaluated at VERIFY_DIGITS[0] digits wherever float64 could change it.

        Instances are re-evaluated from the most extreme float64 value on, until the next float64
        value is no more extreme than the best high-precision one (within EXTREME_SLACK): every
        value that could be the extreme is then a high-precision value. Re-evaluated values replace
        the float64 ones in ``samples``.
        """
        sign = 1.0 if claim.extreme == "max" else -1.0
        order = sorted((index for index, (_, value, _) in enumerate(self.samples) if value is not None and math.isfinite(value)),
                       key=lambda index: -sign * self.samples[index][1])
        best = None
        for index in order:
            parameter, value, margin = self.samples[index]
            if best is not None and sign * value <= sign * best + EXTREME_SLACK * abs(best):
                break
            exact = statistic_of(claim, self._instances[index])
            self.samples[index] = (parameter, exact, margin)
            best = more_extreme(claim, best, exact)
        return best


def _flatten(instance: dict, names) -> np.ndarray:
    return np.concatenate([instance[name].ravel() for name in names]) if names else np.zeros(0)


def _unflatten(vector: np.ndarray, template: dict, names) -> dict:
    instance, offset = dict(template), 0
    for name in names:
        shape = template[name].shape
        size = int(np.prod(shape))
        instance[name] = vector[offset : offset + size].reshape(shape).copy()
        offset += size
    return instance


def _gap(claim: Claim, margin: float, statistic: float | None) -> float:
    """Returns what the attack minimises: the relative gap to the claimed constant, else the margin.

    The normalised margin saturates at ±1 when one side changes sign, leaving the optimiser no
    slope; the statistic of a constant-type claim (the ratio of its sides) has none of that. Both
    are negative exactly on violations.
    """
    if claim.claimed_constant is None or statistic is None or not math.isfinite(statistic):
        return margin
    gap = (claim.claimed_constant - statistic) if claim.extreme == "max" else (statistic - claim.claimed_constant)
    return gap / max(abs(claim.claimed_constant), 1e-300)


def _attack(claim: Claim, start: dict, *, evaluations: int, log: _SearchLog) -> tuple[float, dict, int]:
    """Attacks the claim from ``start`` inside the hypotheses; returns (best margin, its instance, evaluations used)."""
    best = [math.inf, start]
    count, checked = [0], [0]
    free = _free(claim, start)

    def objective(vector):
        # scipy checks maxfun only between iterations, and a finite-difference gradient costs one
        # evaluation per coordinate: the budget is enforced here instead.
        if count[0] >= evaluations:
            raise _StopAttack
        count[0] += 1
        with np.errstate(all="ignore"):
            instance = claim.repair(_unflatten(vector, start, free))
            if instance is None or not claim.hypotheses(instance, FLOAT64):
                return 1.0
        margin, statistic = log.record(claim, instance)
        if not math.isfinite(margin):
            return 1.0
        if margin < -FLOAT_VIOLATION_TOL and checked[0] < MAX_VERIFIED_CANDIDATES:
            # Stop at a violation that re-verifies; otherwise go on with its high-precision values,
            # so float64 rounding neither ends the attack nor steers it.
            checked[0] += 1
            if verify(claim, instance) is not None:
                best[:] = [margin, instance]
                raise _StopAttack
            margin = _high_precision_margin(claim, instance)
            statistic = statistic_of(claim, instance)
        if margin < best[0]:
            best[:] = [margin, instance]
        return _gap(claim, margin, statistic)

    try:
        scipy.optimize.minimize(
            objective,
            _flatten(start, free),
            method="L-BFGS-B",
            options={"maxfun": max(evaluations, 2), "maxiter": max(evaluations, 2)},
        )
    except _StopAttack:
        pass
    return best[0], best[1], count[0]


def _distinct_starts(found, count: int) -> list:
    """Returns the ``count`` worst instances with pairwise distinct margins.

    Degenerate instances often tie (e.g. both sides 0); one of them is enough as a starting point.
    """
    starts, seen = [], set()
    for margin, instance in found:
        key = round(margin, 12)
        if key not in seen:
            seen.add(key)
            starts.append((margin, instance))
        if len(starts) == count:
            break
    return starts


def _search(claim: Claim, *, budget: int, seed: int, n_range, r_range, starts: int = 3, stop_at_violation=False):
    """Explores then attacks; returns (instances sorted by float64 margin, examples tried, log)."""
    log = _SearchLog()
    found = _explore(claim, examples=max(budget // 2, 1), seed=seed, n_range=n_range, r_range=r_range, log=log)
    tried = len(found)
    found.sort(key=lambda item: item[0])
    if found and not (stop_at_violation and found[0][0] < -FLOAT_VIOLATION_TOL):
        per_start = max((budget - tried) // starts, 10)
        # An attack needs a few finite-difference gradient steps (dimension + 1 evaluations each):
        # start from the worst instances small enough for that, or else from the smallest ones.
        dimension = lambda instance: _flatten(instance, _free(claim, instance)).size  # noqa: E731
        affordable = [item for item in found if ATTACK_MIN_STEPS * (dimension(item[1]) + 1) <= per_start]
        pool = affordable or sorted(found, key=lambda item: dimension(item[1]))
        for margin, instance in _distinct_starts(pool, starts):
            floor = min(ATTACK_MIN_STEPS * (dimension(instance) + 1), budget // starts)
            attacked_margin, attacked, used = _attack(claim, instance, evaluations=max(per_start, floor), log=log)
            tried += used
            found.append((attacked_margin, attacked))
        found.sort(key=lambda item: item[0])
    return found, tried, log


def _high_precision_margin(claim: Claim, instance: dict) -> float:
    """Returns the normalised margin at the highest precision of VERIFY_DIGITS (+inf when not evaluable there).

    The highest, because a claim that is an equality on the instance can still show a margin of
    −1e-35 at 50 digits when its sides cancel (the margin replaces float64's in the worst margin).
    """
    with mpmath.workdps(VERIFY_DIGITS[-1]):
        try:
            return float(normalised_margin(claim, to_backend(instance, MULTIPRECISION), MULTIPRECISION))
        except (ZeroDivisionError, ValueError):
            return math.inf


def _adjudicate(claim: Claim, candidates, *, limit: int = MAX_VERIFIED_CANDIDATES) -> tuple[dict | None, dict | None, float, int]:
    """Re-verifies the float64 violations in high precision.

    Returns (violation record or None, its instance, worst margin after high-precision correction,
    number of float64 violations left unexamined).
    """
    violations = [item for item in candidates if item[0] < -FLOAT_VIOLATION_TOL]
    corrected = [margin for margin, _ in candidates if margin >= -FLOAT_VIOLATION_TOL][:1]
    for margin, instance in violations[:limit]:
        record = verify(claim, instance)
        if record is not None:
            return record, instance, margin, 0
        corrected.append(_high_precision_margin(claim, instance))
    return None, None, min(corrected, default=math.inf), max(len(violations) - limit, 0)


def _simplify(claim: Claim, instance: dict, record: dict) -> tuple[dict, dict]:
    """Returns (record, instance) of the roundest version of ``instance`` that still violates (high precision)."""
    arrays = float_arrays(instance)
    for digits in SIMPLIFY_DIGITS:
        rounded = dict(instance)
        for key in arrays:
            # Round relative to the array's largest entry so small entries may become exactly 0.
            scale = float(np.max(np.abs(instance[key]))) or 1.0
            exponent = math.floor(math.log10(scale)) - digits + 1
            # Through a decimal string, so the stored float is the one nearest the short decimal.
            rounded[key] = np.vectorize(lambda v: float(f"{int(v)}e{exponent}"))(np.round(instance[key] / 10.0**exponent))
        simpler = verify(claim, rounded)
        if simpler is not None:
            simpler["significant_digits"] = digits
            return simpler, rounded
    return record, instance


def _shrink(claim: Claim, record: dict, instance: dict, *, seed: int, budget: int) -> tuple[dict, dict]:
    """Returns (record, instance) of a counterexample at the smallest size (n, r) a short search can refute, simplified.

    Sizes are tried by increasing n + r (then n) up to the size of ``record``. A claim without
    size ranges (instances from a strategy that is not resizable) is only simplified.
    """
    best = (record, instance)
    if claim.n_range is not None and "r" in record["size"]:
        n_found, r_found = record["size"]["n"], record["size"]["r"]
        sizes = sorted(
            ((n, r) for n in range(max(claim.n_range[0], 1), n_found + 1) for r in range(claim.r_range[0], min(r_found, n) + 1)),
            key=lambda size: (size[0] + size[1], size[0]),
        )
        for n, r in sizes[:MAX_SHRINK_SIZES]:
            if (n, r) == (n_found, r_found):
                break
            candidates, _, _ = _search(claim, budget=budget, seed=seed, n_range=(n, n), r_range=(r, r), stop_at_violation=True)
            smaller, smaller_instance, _, _ = _adjudicate(claim, candidates)
            if smaller is not None:
                best = (smaller, smaller_instance)
                break
    return _simplify(claim, best[1], best[0])


@dataclass(frozen=True)
class ClaimTrial:
    """One search of one claim: its :class:`~riptools.findings.Finding` and the instances tried.

    The samples are data for plots, not a second verdict: the verdict is the finding's.

    Attributes:
        finding: the verdict, the reason and the evidence (see :func:`check_claim`).
        samples: (parameter, statistic, normalised margin) of every instance evaluated; the
            parameter is ``claim.parameter(instance)`` (NaN without one), the statistic None for
            claims without one.
    """

    finding: Finding
    samples: tuple = ()


def run_trial(claim: Claim, *, budget: int = DEFAULT_BUDGET, seed: int = 0, n_range=None, r_range=None) -> ClaimTrial:
    """Returns the finding of one search of ``budget`` instances, with the instances' samples.

    Same arguments as :func:`check_claim`, which returns only the finding.

    Example:
        >>> from riptools.claims.examples import frobenius_below_half_spectral as claim  # ‖X‖_F ≤ ‖X‖₂/2, false
        >>> trial = run_trial(claim, budget=10)
        >>> trial.finding.verdict.value, len(trial.samples) >= 5
        ('refuted', True)
    """
    budget = positive_int(budget, "budget", minimum=4)
    if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool):
        raise InputError(f"seed: expected an integer, got {seed!r}")
    seed = int(seed)
    start = time.perf_counter()
    candidates, tried, log = _search(claim, budget=budget, seed=seed, n_range=n_range or claim.n_range, r_range=r_range or claim.r_range)
    record, instance, worst, unexamined = _adjudicate(claim, candidates, limit=max(MAX_VERIFIED_CANDIDATES, budget // 2))
    verdict, counterexample, note = Verdict.AGREES, None, ""
    if candidates and candidates[0][0] < -FLOAT_VIOLATION_TOL and record is None:
        note = "the float64 violations were rounding artefacts (re-evaluated in high precision)"
        if unexamined:
            verdict, note = Verdict.INCONCLUSIVE, f"{unexamined} float64 violations not re-verified in high precision"
    if record is not None:
        verdict = Verdict.REFUTED
        counterexample, instance = _shrink(claim, record, instance, seed=seed, budget=max(budget, 40))
    observed = log.observed_extreme(claim) if claim.statistic else None
    if counterexample is not None:
        observed = more_extreme(claim, observed, statistic_of(claim, instance))
    evidence = {
        "reading": claim.reading,
        "relation": claim.relation,
        "claimed_constant": claim.claimed_constant,
        "observed_extreme": observed,
        "extreme": claim.extreme,
        "worst_margin": worst,
        "examples_tried": tried,
        "budget": budget,
        "seed": seed,
        "seconds": time.perf_counter() - start,
        "counterexample": counterexample,
        "note": note,
    }
    return ClaimTrial(finding=_finding(claim, verdict, evidence), samples=tuple(log.samples))


def check_claim(claim: Claim, *, budget: int = DEFAULT_BUDGET, seed: int = 0, n_range=None, r_range=None) -> Finding:
    """Returns the finding of one claim after a search of ``budget`` instances (see module docstring).

    The finding's evidence holds the numbers: ``claimed_constant``, ``observed_extreme`` (the most
    extreme statistic seen, re-evaluated at 50 digits), ``extreme`` (``"max"``/``"min"``),
    ``worst_margin`` (smallest normalised margin (rhs − lhs)/(|lhs| + |rhs|), negative = violated),
    ``examples_tried``, ``budget``, ``seed``, ``seconds``, ``reading``, ``relation``, ``note`` and
    ``counterexample``: None, or {``inputs`` (float64 values as lists), ``lhs``, ``rhs``,
    ``margin`` (30 significant digits, as strings), ``digits`` (the precisions it was verified at),
    ``size`` ({"n", "r"}), ``significant_digits`` (when rounding kept it a counterexample)}.

    Args:
        claim: the claim record.
        budget: number of instances to evaluate (half hypothesis examples, half optimiser steps).
        seed: seed of the hypothesis search (same seed, same instances).
        n_range, r_range: instance sizes (default: the claim's own).

    Raises:
        InputError: budget not an integer ≥ 4, or seed not an integer.

    Example:
        >>> import numpy as np
        >>> from hypothesis import strategies as st
        >>> def pairs(draw, n, r):
        ...     rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
        ...     return {"X": rng.standard_normal((n, r)), "V": rng.standard_normal((n, r))}
        >>> claim = Claim(id="demo.cauchy_schwarz", source="Cauchy–Schwarz", statement="⟨X, V⟩² ≤ ‖X‖²‖V‖²",
        ...               reading="", strategy=fixed_size_strategy(pairs),
        ...               sides=lambda i, m: (np.sum(i["X"] * i["V"]) ** 2, np.sum(i["X"] ** 2) * np.sum(i["V"] ** 2)),
        ...               hypotheses=lambda i, m: True, repair=lambda i: i, free=("X", "V"), n_range=(2, 4), r_range=(1, 2))
        >>> finding = check_claim(claim, budget=20)
        >>> finding.verdict.value, finding.reason.startswith("held on")
        ('agrees', True)
    """
    return run_trial(claim, budget=budget, seed=seed, n_range=n_range, r_range=r_range).finding


def claim_source(claim: Claim) -> SourcePlace:
    """Returns the claim's source as a :class:`~riptools.findings.SourcePlace`.

    A source given as text (a user's claim: ``"My paper (2026), Lemma 1"``) becomes a reference
    whose citation is that text; the year is read from it when it holds one.

    Example:
        >>> claim_source(Claim(id="mine.l1", source="My paper (2026), Lemma 1", statement="", reading="",
        ...     strategy=None, sides=None, hypotheses=None, repair=None, free=())).citation
        'My paper (2026), Lemma 1'
    """
    if isinstance(claim.source, SourcePlace):
        return claim.source
    return SourcePlace(reference=TextReference(claim.source, key=claim.id.split(".")[0]), place="")


class TextReference(Reference):
    """A reference given only as text (a user's claim file): its citation is the text itself."""

    def __init__(self, text: str, *, key: str):
        year = re.search(r"\b(1[89]\d\d|2\d\d\d)\b", text)
        super().__init__(key=key, authors=(), title=text, venue="", year=int(year.group(1)) if year else None)

    @property
    def short(self) -> str:
        """Returns the text as given."""
        return self.title

    @property
    def full(self) -> str:
        """Returns the text as given."""
        return self.title


def _number(value) -> str:
    return f"{value:.6g}"


def side_text(value) -> str:
    """Returns a side of a counterexample record (a decimal string, or a list for ``==`` claims) as short text.

    Scalars keep 12 significant digits and their exponent; arrays are summarised by their shape.

    Example:
        >>> side_text("2.67514428041012345e-11"), side_text([["1.0", "2.0"]])
        ('2.67514428041e-11', 'a 1×2 array')
    """
    if isinstance(value, str):
        return mpmath.nstr(mpmath.mpf(value), 12)
    return f"a {'×'.join(map(str, np.shape(np.asarray(value, dtype=object))))} array"


def _describe(claim: Claim, verdict: Verdict, evidence: dict) -> tuple[str, str]:
    """Returns (measured, reason) of a finding, both phrases computed from its evidence."""
    parts = []
    if evidence["observed_extreme"] is not None:
        parts.append(f"{evidence['extreme']} observed {_number(evidence['observed_extreme'])}")
    counterexample = evidence["counterexample"]
    if counterexample is not None:
        size = counterexample["size"]
        relation = ">" if claim.relation == "<=" else "≠"
        parts.append(f"counterexample {size_text(size)}: lhs {side_text(counterexample['lhs'])} {relation} rhs {side_text(counterexample['rhs'])}")
    parts.append(f"{evidence['examples_tried']} instances")
    tried = f"{evidence['examples_tried']} instances (budget {evidence['budget']}, seed {evidence['seed']})"
    if counterexample is not None:
        reason = f"counterexample at {size_text(size)}, verified at {' and '.join(map(str, counterexample['digits']))} digits"
        if evidence.get("replayed"):
            reason = f"stored {reason} (the search of {tried} found none)"
    elif verdict is Verdict.INCONCLUSIVE:
        reason = evidence["note"]
    else:
        reason = f"held on {tried}, not a proof" + (f"; {evidence['note']}" if evidence["note"] else "")
    return "; ".join(parts), reason


def _finding(claim: Claim, verdict: Verdict, evidence: dict) -> Finding:
    """Returns the :class:`~riptools.findings.Finding` of ``claim`` for a verdict and its evidence."""
    measured, reason = _describe(claim, verdict, evidence)
    constant = "" if claim.claimed_constant is None else f" (constant {_number(claim.claimed_constant)})"
    return Finding(
        id=claim.id,
        source=claim_source(claim),
        statement=claim.statement,
        source_says=claim.statement + constant,
        measured=measured,
        verdict=verdict,
        reason=reason,
        evidence=evidence,
        replay=replay_command(claim, budget=evidence["budget"], seed=evidence["seed"]),
        diagnostic=claim.variant,
        counterexample_size=_size_text(evidence.get("counterexample")),
    )


def _size_text(counterexample: dict | None) -> str:
    """Returns the counterexample's size as the report's summary shows it (``"n = 2, r = 1"``), or ``""``."""
    if not counterexample:
        return ""
    return ", ".join(f"{key} = {value}" for key, value in counterexample["size"].items())


def replay_command(claim: Claim, *, budget: int, seed: int) -> str:
    """Returns the ``riptools check`` command that repeats this search (same budget and seed, same result).

    Example:
        >>> replay_command(Claim(id="a.b[C=1]", source="", statement="", reading="", strategy=None, sides=None,
        ...                      hypotheses=None, repair=None, free=()), budget=400, seed=0)
        "riptools check 'a.b[C=1]' --budget 400 --seed 0"
    """
    origin = f"--file {shlex.quote(str(claim.origin))} " if claim.origin else ""
    return f"riptools check {origin}{shlex.quote(claim.id)} --budget {budget} --seed {seed}"


def with_stored_counterexample(claim: Claim, finding: Finding, directory=COUNTEREXAMPLE_DIR) -> Finding:
    """Returns the finding, refuted by the stored counterexample (re-verified now) if the search found none.

    A stored counterexample that no longer violates the claim in high precision changes nothing.

    Example:
        >>> from riptools.claims.examples import frobenius_below_half_spectral as claim  # ‖X‖_F ≤ ‖X‖₂/2, false
        >>> import dataclasses, tempfile
        >>> found = check_claim(claim, budget=10)
        >>> folder = tempfile.mkdtemp()
        >>> _ = save_counterexample(found, folder)
        >>> missed = dataclasses.replace(found, verdict="agrees", evidence={**found.evidence, "counterexample": None})
        >>> replayed = with_stored_counterexample(claim, missed, folder)
        >>> replayed.reason.startswith("stored counterexample"), replayed.evidence["worst_margin"] < 0
        (True, True)
    """
    if finding.verdict is Verdict.REFUTED:
        return finding
    stored = load_counterexample(claim.id, directory)
    record = replay(claim, stored) if stored else None
    if record is None:
        return finding
    evidence = dict(finding.evidence, counterexample=record, replayed=True)
    evidence["observed_extreme"] = more_extreme(claim, evidence["observed_extreme"], statistic_at(claim, record["inputs"]))
    # The verdict now rests on the stored counterexample: its margin is the worst, whatever the search saw.
    margins = [m for m in (evidence.get("worst_margin"), float(record["margin"])) if m is not None]
    evidence["worst_margin"] = min(margins)
    return _finding(claim, Verdict.REFUTED, evidence)


def statistic_of(claim: Claim, instance: dict) -> float | None:
    """Returns the claim's statistic on an instance at VERIFY_DIGITS[0] digits (None if it has none or it is not evaluable).
    Example:
        >>> from riptools.claims.examples import frobenius_below_half_spectral as claim  # ‖X‖_F ≤ ‖X‖₂/2, false
        >>> import numpy as np
        >>> statistic_of(claim, {"X": np.array([[3.0], [4.0]]), "Z": np.ones((2, 1))})  # lhs/rhs
        2.0
    """
    if claim.statistic is None:
        return None
    with mpmath.workdps(VERIFY_DIGITS[0]):
        try:
            return float(claim.statistic(to_backend(instance, MULTIPRECISION), MULTIPRECISION))
        except (ZeroDivisionError, ValueError):
            return None


def statistic_at(claim: Claim, inputs: dict) -> float | None:
    """Returns the claim's statistic on JSON inputs (see :func:`instance_to_json`) at VERIFY_DIGITS[0] digits.
    Example:
        >>> from riptools.claims.examples import frobenius_below_half_spectral as claim  # ‖X‖_F ≤ ‖X‖₂/2, false
        >>> statistic_at(claim, {"X": [[3.0], [4.0]], "Z": [[1.0], [1.0]]})
        2.0
    """
    return statistic_of(claim, instance_from_json(inputs))


def more_extreme(claim: Claim, first: float | None, second: float | None) -> float | None:
    """Returns the more extreme of two statistics in the claim's direction (None-aware).
    Example:
        >>> from riptools.claims.examples import frobenius_below_half_spectral as claim  # ‖X‖_F ≤ ‖X‖₂/2, false
        >>> more_extreme(claim, 1.5, None), more_extreme(claim, 1.5, 2.0)
        (1.5, 2.0)
    """
    values = [value for value in (first, second) if value is not None and math.isfinite(value)]
    if not values:
        return None
    return max(values) if claim.extreme == "max" else min(values)


def counterexample_path(claim_id: str, directory=COUNTEREXAMPLE_DIR) -> Path:
    """Returns the JSON path of a claim's stored counterexample (id with unsafe characters replaced).
    Example:
        >>> counterexample_path("lemma3.descent[C=0.1]", "/tmp").name
        'lemma3.descent_C_0.1_.json'
    """
    safe = "".join(c if c.isalnum() or c in "._-" else "_" for c in claim_id)
    return Path(directory) / f"{safe}.json"


def save_counterexample(finding: Finding, directory=COUNTEREXAMPLE_DIR) -> Path:
    """Writes the counterexample of a refuted claim's finding as JSON and returns the path.

    Raises:
        InputError: the finding holds no counterexample.

    Example:
        >>> from riptools.claims.examples import frobenius_below_half_spectral as claim  # ‖X‖_F ≤ ‖X‖₂/2, false
        >>> import tempfile
        >>> folder = tempfile.mkdtemp()
        >>> path = save_counterexample(check_claim(claim, budget=10), folder)
        >>> replay(claim, load_counterexample(claim.id, folder))["digits"]
        [50, 80]
    """
    counterexample = finding.evidence.get("counterexample")
    if counterexample is None:
        raise InputError(f"{finding.id}: no counterexample to save (verdict {finding.verdict})")
    payload = {
        "id": finding.id,
        "source": finding.source.citation,
        "statement": finding.statement,
        "reading": finding.evidence.get("reading", ""),
        "found_with": {"budget": finding.evidence["budget"], "seed": finding.evidence["seed"]},
        "inputs_note": "arrays are float64 values (JSON numbers parse exactly to them)",
        **counterexample,
    }
    return write_json_atomic(counterexample_path(finding.id, directory), payload)


def load_counterexample(claim_id: str, directory=COUNTEREXAMPLE_DIR) -> dict | None:
    """Returns the stored counterexample of ``claim_id``, or None when none is stored.
    Example:
        >>> load_counterexample("no.such.claim") is None
        True
    """
    path = counterexample_path(claim_id, directory)
    if not path.exists():
        return None
    return json.loads(path.read_text())


def replay(claim: Claim, stored: dict) -> dict | None:
    """Returns the high-precision violation record of a stored counterexample, or None if it no longer violates.
    Example:
        >>> from riptools.claims.examples import frobenius_below_half_spectral as claim  # ‖X‖_F ≤ ‖X‖₂/2, false
        >>> replay(claim, {"inputs": {"X": [[3.0], [4.0]], "Z": [[1.0], [1.0]]}})["margin"]
        '-0.33333333333333333333'
    """
    return verify(claim, instance_from_json(stored["inputs"]))


def fixed_size_strategy(build: Callable) -> Callable:
    """Returns a claim strategy factory: sizes (n, r ≤ n) drawn from the ranges, then ``build(draw, n, r)``.
    Example:
        >>> import numpy as np
        >>> from hypothesis import find
        >>> from hypothesis import strategies as st
        >>> sized = fixed_size_strategy(lambda draw, n, r: {"X": np.zeros((n, r))})
        >>> find(sized((3, 5), (2, 2)), lambda instance: True)["X"].shape
        (3, 2)
    """

    def strategy(n_range, r_range):
        @st.composite
        def instances(draw):
            n = draw(st.integers(*n_range))
            r = draw(st.integers(r_range[0], max(r_range[0], min(r_range[1], n))))
            return build(draw, n, r)

        return instances()

    return strategy
