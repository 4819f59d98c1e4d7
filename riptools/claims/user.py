"""Claims written outside the package: the :func:`inequality` decorator and claim files.

A claim is a decorated function in any Python file. It receives an instance (a dict of numpy
arrays and numbers drawn by ``instances``) and a numeric backend ``m`` (see
:class:`riptools.claims.engine.Float64` for the operations it offers), and returns ``(lhs, rhs)``.
The engine evaluates it in float64 during the search and in mpmath at 50 and 80 digits to verify a
violation, so the function is written once. ``riptools check --file PATH`` runs every claim of a
file; :func:`riptools.testing.assert_holds` runs one inside pytest.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import math
import sys
from pathlib import Path

from riptools.claims.engine import Claim
from riptools.findings import SourcePlace
from riptools.validation import InputError

RELATIONS = ("<=", "==")


def _no_hypotheses(instance, m) -> bool:
    return True


def _unchanged(instance):
    return instance


def _ratio(sides, instance, m):
    """Returns lhs/rhs when both sides are positive scalars, else NaN (no statistic on that instance)."""
    lhs, rhs = sides(instance, m)
    return lhs / rhs if lhs > 0 and rhs > 0 else math.nan


def _sized(instances, n_range, r_range):
    # Imported here: riptools.strategies imports riptools.claims (its instance builders).
    from riptools.strategies import resized

    return instances if n_range is None else resized(instances, n=n_range, r=r_range)


def inequality(*, id: str, source, statement: str, instances, hypotheses=None, repair=None, free=None,
               relation: str = "<=", statistic=None, claimed_constant=None, extreme: str = "max", reading: str = ""):
    """Returns a decorator that turns ``f(instance, m) -> (lhs, rhs)`` into a :class:`~riptools.claims.engine.Claim`.

    The claim is "lhs <= rhs" (or "lhs == rhs") on every instance ``instances`` draws that
    satisfies ``hypotheses``. Run it with ``riptools check --file PATH``,
    :func:`riptools.claims.check_claim` or :func:`riptools.testing.assert_holds`.

    Args:
        id: stable identifier, ``<paper>.<name>`` (e.g. ``"mypaper.lemma1"``).
        source: where the claim comes from: text such as ``"My paper (2026), Lemma 1"`` (it becomes
            the citation) or a :class:`~riptools.findings.SourcePlace`.
        statement: the claim in words and symbols.
        instances: a hypothesis strategy of instances, dicts of numpy arrays and numbers (e.g.
            :func:`riptools.strategies.factor_pairs`). With a resizable strategy of
            :mod:`riptools.strategies` a counterexample is shrunk to the smallest (n, r).
        hypotheses: ``hypotheses(instance, m) -> bool``, re-checked in high precision for every
            counterexample; default: none.
        repair: ``repair(instance) -> instance or None``: maps a point the attack perturbed back
            inside the hypotheses (None: discard it); default: unchanged (points outside the
            hypotheses are then discarded).
        free: names of the arrays the L-BFGS attack may move; default: every float array.
        relation: ``"<="`` or ``"=="`` (for ``"=="`` the sides may be arrays).
        statistic: ``statistic(instance, m)``, the number reported as the observed extreme; default
            for ``"<="``: lhs/rhs on instances where both sides are positive, with claimed constant 1,
            so an observed extreme near 1 means the inequality is tight there.
        claimed_constant: the constant the claim states for ``statistic`` (default 1 for the default
            statistic, else None).
        extreme: ``"max"`` if the claim bounds the statistic from above, ``"min"`` if from below.
        reading: which reading of the statement this checks (optional).

    Raises:
        InputError: an unknown relation or extreme, or an empty id.

    Example:
        >>> from riptools.claims import inequality, check_claim
        >>> from riptools import strategies as rs
        >>> @inequality(id="demo.spectral_below_frobenius", source="Folklore (1900)",
        ...             statement="‖X‖₂ ≤ ‖X‖_F", instances=rs.factor_pairs(n=(2, 4), r=(1, 2)))
        ... def spectral(inst, m):
        ...     return m.svdvals(inst["X"])[0], m.fro(inst["X"])
        >>> finding = check_claim(spectral, budget=20)
        >>> finding.verdict.value, finding.evidence["claimed_constant"]
        ('agrees', 1.0)
    """
    if not isinstance(id, str) or not id:
        raise InputError(f"id: expected a non-empty string, got {id!r}")
    if relation not in RELATIONS:
        raise InputError(f"relation: expected one of {RELATIONS}, got {relation!r}")
    if extreme not in ("max", "min"):
        raise InputError(f"extreme: expected 'max' or 'min', got {extreme!r}")
    if not isinstance(source, (str, SourcePlace)):
        raise InputError(f"source: expected text or a SourcePlace, got {source!r}")

    def decorate(function) -> Claim:
        from riptools.strategies import size_ranges  # see _sized

        ratio = statistic is None and relation == "<="
        sizes = size_ranges(instances) or {}
        return Claim(
            id=id,
            source=source,
            statement=statement,
            reading=reading,
            strategy=functools.partial(_sized, instances),
            sides=function,
            hypotheses=hypotheses or _no_hypotheses,
            repair=repair or _unchanged,
            free=tuple(free or ()),
            relation=relation,
            statistic=functools.partial(_ratio, function) if ratio else statistic,
            claimed_constant=1.0 if ratio and claimed_constant is None else claimed_constant,
            extreme=extreme,
            n_range=sizes.get("n"),
            r_range=sizes.get("r"),
            origin=str(Path(function.__code__.co_filename).resolve()),
        )

    return decorate


def load_claims(path) -> list[Claim]:
    """Returns the claims defined at the top level of the Python file ``path``, in definition order.

    The file is imported from its path (it need not be on ``sys.path`` or in a package). Its claims
    are its top-level :class:`~riptools.claims.engine.Claim` objects and those of a list ``CLAIMS``
    (as in a source module of :mod:`riptools.sources`); claims imported into it count too, each once.

    Raises:
        InputError: no such file, a syntax error, an error while importing it, no claims in it, or two
            different claims with one id.

    Example:
        >>> import pathlib, tempfile
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "empty_claims.py"
        >>> _ = path.write_text("x = 1\\n")
        >>> load_claims(path)  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        riptools.validation.InputError: --file: ... defines no claims (functions decorated with riptools.claims.inequality)
    """
    path = Path(path)
    if not path.is_file():
        raise InputError(f"--file: no such file {path}")
    name = "riptools_claims_" + hashlib.sha1(str(path.resolve()).encode()).hexdigest()[:12]
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None:  # not a .py file: Python has no loader for it
        raise InputError(f"--file: {path} is not a Python file (expected a name ending in .py)")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except SyntaxError as error:
        del sys.modules[name]
        raise InputError(f"--file: {path}: syntax error at line {error.lineno}: {error.msg}") from None
    except Exception as error:  # noqa: BLE001 - any failure of the user's file is bad input, reported in one line
        del sys.modules[name]
        line = _user_line(error, path)
        raise InputError(f"--file: {path}{line}: {type(error).__name__}: {error}") from None
    claims = {}
    listed = getattr(module, "CLAIMS", ())
    for value in [*vars(module).values(), *(listed if isinstance(listed, (list, tuple)) else ())]:
        if isinstance(value, Claim):
            if claims.setdefault(value.id, value) is not value:
                raise InputError(f"--file: {path} defines two different claims with the id {value.id!r}")
    if not claims:
        raise InputError(f"--file: {path} defines no claims (functions decorated with riptools.claims.inequality)")
    return list(claims.values())


def _user_line(error: BaseException, path: Path) -> str:
    """Returns ", line N" of the deepest traceback frame in the user's file (or "")."""
    line, traceback = "", error.__traceback__
    while traceback is not None:
        if Path(traceback.tb_frame.f_code.co_filename).resolve() == path.resolve():
            line = f", line {traceback.tb_lineno}"
        traceback = traceback.tb_next
    return line
