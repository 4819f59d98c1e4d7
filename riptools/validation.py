"""Input checking shared by every riptools entry point.

Bad input raises :class:`InputError`, a :class:`ValueError` whose message names the argument and
what was expected. The command line turns it into exit code 2 and one line on stderr; any other
exception is a bug in riptools and is allowed to surface with its traceback.
"""

from __future__ import annotations

import numbers
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # numpy is imported where arrays are checked: the command line's help must not wait for it
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
        InputError: not numeric, complex, wrong dimension, empty, or containing NaN/inf.
    """
    import numpy as np

    try:
        raw = np.asarray(value)
        if np.iscomplexobj(raw) and np.any(raw.imag != 0):
            raise InputError(f"{name}: has complex entries; riptools works with real matrices")
        array = np.asarray(raw.real if np.iscomplexobj(raw) else raw, dtype=np.float64)
    except InputError:
        raise
    except (TypeError, ValueError) as error:
        raise InputError(f"{name}: expected a numeric array ({one_line_text(error)[:200]})") from None
    if ndim is not None and array.ndim != ndim:
        raise InputError(f"{name}: expected a {ndim}-dimensional array, got shape {array.shape}")
    if array.size == 0:
        raise InputError(f"{name}: expected a non-empty array, got shape {array.shape}")
    if not np.all(np.isfinite(array)):
        raise InputError(f"{name}: contains NaN or infinite values")
    return array


def one_line_text(value) -> str:
    """Returns ``str(value)`` on one line (line breaks folded into spaces)."""
    return " ".join(str(value).split())


MAGNITUDE_LIMIT = 1e30
"""Largest entry size accepted in A, X and Z (and 1/MAGNITUDE_LIMIT the smallest nonzero one):
f(U) = ‖A(UUᵀ − ZZᵀ)‖² multiplies two entries of A and four of U, so entries up to 1e30 give values
up to about 1e180, far from float64's overflow (1.8e308) and underflow (2.2e-308); the certificates'
tolerances are relative to these scales."""


def check_magnitude(array: np.ndarray, name: str, *, allow_zero: bool = True) -> np.ndarray:
    """Returns ``array`` after checking that its largest entry lies in [1/MAGNITUDE_LIMIT, MAGNITUDE_LIMIT].

    Raises:
        InputError: entries too large or too small to compute with in float64, or all zero when
            ``allow_zero`` is False.

    Example:
        >>> import numpy as np
        >>> check_magnitude(np.array([1e20, 0.0]), "--x").tolist()
        [1e+20, 0.0]
    """
    import numpy as np

    largest = float(np.max(np.abs(array))) if array.size else 0.0
    if largest == 0.0:
        if not allow_zero:
            raise InputError(f"{name}: all entries are zero")
        return array
    if not 1 / MAGNITUDE_LIMIT <= largest <= MAGNITUDE_LIMIT:
        raise InputError(f"{name}: its largest entry {largest:.3g} is outside [{1 / MAGNITUDE_LIMIT:.0e}, {MAGNITUDE_LIMIT:.0e}] "
                         "(the objective's fourth powers would overflow or underflow float64); rescale it")
    return array


def as_factor(value, name: str, n: int | None = None) -> np.ndarray:
    """Returns a factor matrix U of shape (n, r); a 1-d vector is read as one column.

    Raises:
        InputError: not finite, entries beyond :data:`MAGNITUDE_LIMIT`, not 1- or 2-dimensional, or
            with a row count other than ``n``.
    """
    array = check_magnitude(as_finite_array(value, name), name)
    if array.ndim == 1:
        array = array[:, None]
    if array.ndim != 2:
        raise InputError(f"{name}: expected an n×r matrix or a vector, got shape {array.shape}")
    if n is not None and array.shape[0] != n:
        raise InputError(f"{name}: expected {n} rows (the operator's n), got shape {array.shape}")
    return array


def positive_int(value, name: str, *, minimum: int = 1) -> int:
    """Returns ``value`` as an int, checking that it is an integer ≥ ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise InputError(f"{name}: expected an integer ≥ {minimum}, got {value!r}")
    if value < minimum:
        raise InputError(f"{name}: expected an integer ≥ {minimum}, got {value}")
    return int(value)


# ----------------------------------------------------------------------------- output paths

PLOT_SUFFIXES = (".png", ".pdf", ".svg")
"""Figure formats riptools writes (matplotlib's Agg, PDF and SVG backends; no extra packages)."""


def _check_writable_folder(folder: Path, target, name: str) -> None:
    """Checks that ``folder`` exists, is a folder, and accepts new files (by creating and removing a probe)."""
    if not folder.exists():
        raise InputError(f"{name}: cannot write {target}: the folder {folder} does not exist")
    if not folder.is_dir():
        raise InputError(f"{name}: cannot write {target}: {folder} is a file, not a folder")
    try:  # os.access says yes to root everywhere, /proc included: try it
        handle, probe = tempfile.mkstemp(dir=folder, prefix=".riptools-probe-")
    except OSError as error:
        raise InputError(f"{name}: cannot write {target}: {folder} is not writable ({error.strerror})") from None
    os.close(handle)
    os.unlink(probe)


def check_output_file(path, name: str, *, suffixes=None) -> Path:
    """Returns ``path`` as a Path after checking, before any work, that a file can be written there.

    The one rule for every output path: the folder that will hold the output must exist and be
    writable (riptools creates an output *folder* itself, ``--out DIR``, but never a missing parent,
    so a mistyped path fails at once instead of leaving folders behind). A path through a file, into
    a read-only or virtual file system (``/proc``), onto a folder, or with an unsupported suffix is
    refused. Nothing is left behind by the check.

    Args:
        path: the output file.
        name: the argument's name, used in the error message.
        suffixes: accepted suffixes (lower case, with the dot), or None for any.

    Raises:
        InputError: the file cannot be written there.

    Example:
        >>> import tempfile
        >>> check_output_file(f"{tempfile.gettempdir()}/basin.png", "--plot", suffixes=PLOT_SUFFIXES).name
        'basin.png'
    """
    text = str(path)
    if not text.strip():
        raise InputError(f"{name}: expected a file name, got an empty string")
    file = Path(text)
    if suffixes is not None and file.suffix.lower() not in suffixes:
        raise InputError(f"{name}: expected a file ending in {', '.join(suffixes)}, got {text[:80]!r}")
    if file.is_dir():
        raise InputError(f"{name}: {text} is a folder, expected a file name")
    if file.exists() and not os.access(file, os.W_OK):
        raise InputError(f"{name}: {text} exists and is not writable")
    _check_writable_folder(file.absolute().parent, text, name)
    return file


def check_output_dir(path, name: str) -> Path:
    """Returns ``path`` as a Path after checking that it is, or can be made, a writable folder.

    The rule of :func:`check_output_file`: the folder itself may be missing (it is created when the
    first file is written), its parent must exist.

    Raises:
        InputError: the path is empty or a file, or its parent folder is missing or not writable.
    """
    text = str(path)
    if not text.strip():
        raise InputError(f"{name}: expected a folder, got an empty string")
    folder = Path(text)
    if folder.exists() and not folder.is_dir():
        raise InputError(f"{name}: {text} is a file, expected a folder")
    _check_writable_folder(folder if folder.exists() else folder.absolute().parent, text, name)
    return folder


# ----------------------------------------------------------------------------- size limits

def physical_memory() -> int:
    """Returns this machine's physical memory in bytes (the hard limit of :func:`check_size`)."""
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, ValueError, OSError):  # not POSIX: assume the 24 GiB machine riptools is measured on
        return 24 * 2**30


MEMORY_SOFT_LIMIT = 8 * 2**30
"""Bytes a run may need without ``--allow-large``: a third of the 24 GiB reference machine, which is
shared (the largest built-in run, ``reproduce --full``, peaks at 1.9 GB)."""
SECONDS_SOFT_LIMIT = 3600.0
"""Seconds a run may take without ``--allow-large`` (an optimistic estimate: ``reproduce --full`` takes 26 min)."""


def _bytes(value: float) -> str:
    for unit, size in (("TiB", 2**40), ("GiB", 2**30), ("MiB", 2**20)):
        if value >= size:
            return f"{value / size:.3g} {unit}"
    return f"{value:.3g} bytes"


def _seconds(value: float) -> str:
    for unit, size in (("years", 3.156e7), ("days", 86400), ("h", 3600), ("min", 60)):
        if value >= size:
            return f"{value / size:.3g} {unit}"
    return f"{value:.3g} s"


def describe_limits() -> str:
    """Returns the soft limits as text, for help messages."""
    return f"{_bytes(MEMORY_SOFT_LIMIT)} of memory, {_seconds(SECONDS_SOFT_LIMIT)} estimated time"


def check_size(name: str, *, memory: float = 0.0, seconds: float = 0.0, allow_large: bool = False) -> None:
    """Refuses a run whose estimated memory or time is too large, before anything is allocated.

    Memory beyond the machine's physical memory is always refused; beyond :data:`MEMORY_SOFT_LIMIT`, or
    an estimated time beyond :data:`SECONDS_SOFT_LIMIT`, only without ``allow_large`` (``--allow-large``
    on the command line). Estimates are computed from the arguments by the caller, optimistically, so
    a refused run would certainly exceed the limit.

    Args:
        name: the arguments that set the size, for the message.
        memory: estimated peak bytes.
        seconds: estimated seconds on this machine.
        allow_large: raise the soft limits.

    Raises:
        InputError: saying the estimate and the limit.

    Example:
        >>> check_size("--trials", memory=2**20, seconds=1.0)
    """
    hard = physical_memory()
    if memory > hard:
        raise InputError(f"{name}: needs about {_bytes(memory)} of memory, more than this machine's {_bytes(hard)}")
    if allow_large:
        return
    if memory > MEMORY_SOFT_LIMIT:
        raise InputError(f"{name}: needs about {_bytes(memory)} of memory, over the soft limit of "
                         f"{_bytes(MEMORY_SOFT_LIMIT)}; add --allow-large to run it anyway")
    if seconds > SECONDS_SOFT_LIMIT:
        raise InputError(f"{name}: would take at least {_seconds(seconds)} (estimate), over the soft limit of "
                         f"{_seconds(SECONDS_SOFT_LIMIT)}; add --allow-large to run it anyway")
