"""Mathematics written as mathematics in findings and report prose (no Python repr reaches a reader).

Example:
    >>> polynomial("-3*t**4 + sqrt(2)*t")
    '−3t⁴ + √2·t'
    >>> eigenvalue_set({"0": 1, "4": 1})
    '{0, 4}'
    >>> yes_no(True, "exact")
    'exact'
    >>> vector([0.0, 2 ** -0.5, -0.0])
    '(0, 0.707107, 0)'
"""

from __future__ import annotations

import re

SUPERSCRIPTS = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")


def polynomial(expression) -> str:
    """Returns a sympy expression (or its ``str``) in the notation of the page: −3t⁴, √2·t, x/2."""
    text = str(expression)
    text = re.sub(r"sqrt\(([^()]+)\)", lambda m: "√" + (m.group(1) if re.fullmatch(r"\w+", m.group(1)) else f"({m.group(1)})"), text)
    text = re.sub(r"\*\*(?:(\d+)|\((-?\d+)\))", lambda m: (m.group(1) or m.group(2)).translate(SUPERSCRIPTS), text)
    text = re.sub(r"(?<![√\d.])(\d+)\*(?=[A-Za-z(])", r"\1", text)
    return text.replace("*", "·").replace("-", "−")


def eigenvalue_set(eigenvalues) -> str:
    """Returns eigenvalues ({value: multiplicity} or a list) as a set, multiplicities as ×k: ``{0, 4 (×2)}``."""
    if isinstance(eigenvalues, dict):
        items = [polynomial(value) + (f" (×{count})" if count > 1 else "") for value, count in eigenvalues.items()]
    else:
        items = [f"{float(value):.6g}" for value in eigenvalues]
    return "{" + ", ".join(items) + "}"


def vector(values, digits: int = 6) -> str:
    """Returns numbers as a tuple in print, rounded to ``digits`` decimals, −0 shown as 0: ``(0, 0.707107)``."""
    return "(" + ", ".join(f"{round(float(value), digits) + 0.0:g}" for value in values) + ")"


def yes_no(flag: bool, word: str) -> str:
    """Returns ``word`` when ``flag`` holds, else ``"not " + word``."""
    return word if flag else f"not {word}"


def percent(rate: float, low: float | None = None, high: float | None = None) -> str:
    """Returns a rate in percent with its interval, e.g. ``9.09 % [8.54, 9.67]``."""
    text = f"{100 * rate:.2f} %"
    return text if low is None else f"{text} [{100 * low:.2f}, {100 * high:.2f}]"


def count(number: int, noun: str) -> str:
    """Returns ``"1 run"``, ``"10,000 runs"``: a count with thousands separators and a plural."""
    return f"{number:,} {noun}{'' if number == 1 else 's'}"
