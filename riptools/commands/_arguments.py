"""What every subcommand's parser shares: one-line errors, defaults in the help, argument types.

Bad input on the command line must end with exit code 2 and exactly one line on stderr naming the
argument, before any work starts. :class:`Parser` makes argparse's own errors one line
(``riptools rip: error: argument --seed: expected an integer in [0, 2^63), got '-1'``); the types here
check each value as it is parsed, so a malformed number never reaches a computation.

This module is imported by every subcommand to build the parser, so it must stay light: the
defaults shown in the help are read from the core modules' source by :func:`constant` instead of by
importing them (importing :mod:`riptools.counterexample` alone loads cvxpy, about a second).
"""

from __future__ import annotations

import argparse
import ast
import functools
import math
import re
from pathlib import Path

from riptools.validation import one_line_text

SEED_LIMIT = 2**63
"""Seeds are integers in [0, 2^63): the numba kernels' streams take 64-bit seeds, NumPy any ≥ 0."""
NEGATIVE_VALUE = re.compile(r"^-(\d|\.\d|inf|nan)[\d.eE+\-,;:]*$")
"""A token read as a value, not an option, even though it starts with '-': ``-1,0``, ``-0.5``, ``-1e3``.

No riptools option starts with a digit, so ``--x -1,0`` is unambiguous."""


class DefaultsFormatter(argparse.ArgumentDefaultsHelpFormatter):
    """Shows ``(default: …)`` after every option that has a meaningful default not already stated."""

    def _get_help_string(self, action):
        text = action.help or ""
        if action.default in (None, False, argparse.SUPPRESS) or "default" in text or isinstance(action.default, bool):
            return text
        return super()._get_help_string(action)


class Parser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line (no usage block) and whose help shows defaults.

    Negative numbers are accepted as values (``--x -1,0``), see :data:`NEGATIVE_VALUE`.
    """

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("formatter_class", DefaultsFormatter)
        super().__init__(*args, **kwargs)
        # argparse reads a token as an option unless it matches this pattern (and no option looks
        # like a negative number); its own pattern misses lists such as -1,0.
        self._negative_number_matcher = NEGATIVE_VALUE

    def error(self, message):
        """Prints ``PROG: error: MESSAGE`` as one line on stderr and exits with code 2."""
        self.exit(2, f"{self.prog}: error: {one_line_text(message)}\n")


ASSIGNMENT = re.compile(r"^([A-Z_][A-Z0-9_]*(?:\s*,\s*[A-Z_][A-Z0-9_]*)*)\s*=\s*(.+?)\s*$", re.MULTILINE)
"""A one-line top-level assignment of constants: ``NAME = value`` or ``A, B = 1, 2``."""


@functools.lru_cache(maxsize=None)
def _module_constants(module: str) -> dict:
    source = Path(__file__).resolve().parents[1].joinpath(*module.split(".")[1:]).with_suffix(".py")
    constants = {}
    # A line scan, not ast.parse: parsing whole modules would cost more start-up time than it saves.
    for match in ASSIGNMENT.finditer(source.read_text(encoding="utf-8")):
        names = [name.strip() for name in match.group(1).split(",")]
        try:
            value = ast.literal_eval(match.group(2))
        except (ValueError, SyntaxError):
            continue
        if len(names) == 1:
            constants[names[0]] = value
        elif isinstance(value, tuple) and len(value) == len(names):
            constants.update(zip(names, value))
    return constants


def constant(module: str, name: str):
    """Returns the literal value of the top-level constant ``module.name`` (one line), without importing ``module``.

    The help of a subcommand shows defaults defined in core modules whose imports are slow (cvxpy,
    numba, sympy); reading the literal from the source keeps one definition and a fast ``--help``.

    Example:
        >>> constant("riptools.rip", "SDP_MAX_N")
        5
    """
    constants = _module_constants(module)
    if name not in constants:
        raise KeyError(f"{module}.{name} is not a top-level literal constant")
    return constants[name]


SHOWN_CHARACTERS = 60
"""A value quoted back in an error message is cut to this many characters (a message is one short line)."""


def shorten(text: str) -> str:
    """Returns ``repr(text)``, cut in the middle when longer than :data:`SHOWN_CHARACTERS`."""
    if len(text) <= SHOWN_CHARACTERS:
        return repr(text)
    half = SHOWN_CHARACTERS // 2
    return repr(f"{text[:half]}…{text[-half:]}") + f" ({len(text)} characters)"


def _fail(expected: str, text: str):
    raise argparse.ArgumentTypeError(f"expected {expected}, got {shorten(text)}")


def integer(minimum: int | None = None, maximum: int | None = None):
    """Returns an argparse type: an integer in [minimum, maximum] (``1e6`` accepted when integral)."""
    if maximum is None:
        expected = "an integer" if minimum is None else f"an integer ≥ {minimum}"
    else:
        expected = f"an integer in [{minimum}, {maximum}]"

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            try:
                number = float(text)
            except ValueError:
                _fail(expected, text)
            if not math.isfinite(number) or number != int(number):
                _fail(expected, text)
            value = int(number)
        if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
            _fail(expected, text)
        return value

    parse.__name__ = "integer"
    return parse


def seed(text: str) -> int:
    """Parses a seed: an integer in [0, 2^63)."""
    try:
        value = int(text)
    except ValueError:
        _fail("an integer in [0, 2^63)", text)
    if not 0 <= value < SEED_LIMIT:
        _fail("an integer in [0, 2^63)", text)
    return value


def real(minimum: float | None = None, maximum: float | None = None, *, strict_minimum: bool = False):
    """Returns an argparse type: a finite float in [minimum, maximum] (``(minimum, …`` when strict)."""
    low = "" if minimum is None else f"{'>' if strict_minimum else '≥'} {minimum:g}"
    high = "" if maximum is None else f"≤ {maximum:g}"
    expected = "a finite number" + (f" {low}" if low else "") + (" and" if low and high else "") + (f" {high}" if high else "")

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            _fail(expected, text)
        if not math.isfinite(value):
            _fail(expected, text)
        if minimum is not None and (value < minimum or (strict_minimum and value == minimum)):
            _fail(expected, text)
        if maximum is not None and value > maximum:
            _fail(expected, text)
        return value

    parse.__name__ = "number"
    return parse


def add_allow_large(parser: argparse.ArgumentParser) -> None:
    """Adds ``--allow-large``, which raises the soft size limits of :func:`riptools.validation.check_size`."""
    from riptools.validation import describe_limits

    parser.add_argument("--allow-large", action="store_true",
                        help=f"run even beyond the soft limits ({describe_limits()}); what cannot fit the machine is refused anyway")


def subparsers_of(parser: argparse.ArgumentParser):
    """Yields ``parser`` and every parser below it (subcommands and their forms), depth first."""
    yield parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for child in dict.fromkeys(action.choices.values()):
                yield from subparsers_of(child)


def describe_subcommands(parser: argparse.ArgumentParser) -> None:
    """Gives each subcommand of ``parser`` without a description its one-line help as description."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for choice in action._choices_actions:
                child = action.choices[choice.dest]
                if not child.description and choice.help:
                    child.description = choice.help[0].upper() + choice.help[1:] + "."
