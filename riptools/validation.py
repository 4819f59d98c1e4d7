"""Input checking shared by every riptools entry point.

Bad input raises :class:`InputError`, a :class:`ValueError` whose message names the argument and
what was expected. The command line turns it into exit code 2 and one line on stderr; any other
exception is a bug in riptools and is allowed to surface with its traceback.
"""

from __future__ import annotations

import numpy as np


class InputError(ValueError):
    """Raised when an argument is malformed; the message says which argument and why."""


def as_finite_array(value, name: str, *, ndim: int | None = None) -> np.ndarray:
    """Returns ``value`` as a float64 array, checking dimension and finiteness.

    Args:
        value: anything ``np.asarray`` accepts.
        name: the argument's name, used in the error message.
        ndim: required number of dimensions, or None for any.

    Raises:
        InputError: not numeric, wrong dimension, empty, or containing NaN/inf.
    """
    try:
        array = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise InputError(f"{name}: expected a numeric array ({error})") from None
    if ndim is not None and array.ndim != ndim:
        raise InputError(f"{name}: expected a {ndim}-dimensional array, got shape {array.shape}")
    if array.size == 0:
        raise InputError(f"{name}: expected a non-empty array, got shape {array.shape}")
    if not np.all(np.isfinite(array)):
        raise InputError(f"{name}: contains NaN or infinite values")
    return array


def as_factor(value, name: str, n: int | None = None) -> np.ndarray:
    """Returns a factor matrix U of shape (n, r); a 1-d vector is read as one column.

    Raises:
        InputError: not finite, not 1- or 2-dimensional, or with a row count other than ``n``.
    """
    array = as_finite_array(value, name)
    if array.ndim == 1:
        array = array[:, None]
    if array.ndim != 2:
        raise InputError(f"{name}: expected an n×r matrix or a vector, got shape {array.shape}")
    if n is not None and array.shape[0] != n:
        raise InputError(f"{name}: expected {n} rows (the operator's n), got shape {array.shape}")
    return array


def positive_int(value, name: str, *, minimum: int = 1) -> int:
    """Returns ``value`` as an int, checking that it is an integer ≥ ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise InputError(f"{name}: expected an integer ≥ {minimum}, got {value!r}")
    if value < minimum:
        raise InputError(f"{name}: expected an integer ≥ {minimum}, got {value}")
    return int(value)
