"""Claims in a pytest suite: :func:`assert_holds` fails a test with the minimal counterexample.

The pytest plugin of riptools (:mod:`riptools.pytest_plugin`, installed with the package) adds
``--riptools-budget N`` and ``--riptools-seed S``; :func:`assert_holds` uses them when no budget or
seed is passed, so one suite runs cheaply on every commit and deeply overnight, with the same
result for the same seed::

    # test_my_lemmas.py
    from riptools.testing import assert_holds
    from my_lemmas import lemma1          # a claim written with riptools.claims.inequality

    def test_lemma1():
        assert_holds(lemma1)

    $ pytest test_my_lemmas.py --riptools-budget 2000 --riptools-seed 7
"""

from __future__ import annotations

import os
import shlex

from riptools.findings import Finding, Verdict

# The claim engine (scipy, mpmath, hypothesis) is imported when a claim is checked, not here: the
# pytest plugin imports this module in every pytest run of an environment with riptools installed.

TEST_BUDGET = 200
"""Instances per claim in a test when neither the call nor ``--riptools-budget`` sets one (a second or two)."""

SMALL_INPUT = 12
"""Inputs with at most this many entries are printed on one line in a failure message."""

_defaults = {"budget": None, "seed": None}
"""The budget and seed of this pytest run (set by the plugin from its options; None: not given)."""


class ClaimRefuted(AssertionError):
    """Raised by :func:`assert_holds` when a claim is refuted (or the search is inconclusive)."""


def configure(*, budget: int | None = None, seed: int | None = None) -> None:
    """Sets the default budget and seed of :func:`assert_holds` for this process (the plugin calls it).

    Example:
        >>> configure(budget=50, seed=3); current_settings()
        {'budget': 50, 'seed': 3}
        >>> configure(); current_settings()["budget"] == TEST_BUDGET
        True
    """
    _defaults.update(budget=budget, seed=seed)


def current_settings() -> dict:
    """Returns the budget and seed :func:`assert_holds` uses when given none.

    Example:
        >>> sorted(current_settings())
        ['budget', 'seed']
    """
    return {"budget": TEST_BUDGET if _defaults["budget"] is None else _defaults["budget"],
            "seed": 0 if _defaults["seed"] is None else _defaults["seed"]}


def _input_lines(key: str, value) -> list[str]:
    """Returns ``key = value`` lines: one line for a small value, one line per row for a large matrix."""
    rows = value if isinstance(value, list) and value and isinstance(value[0], list) else None
    if rows is None or sum(len(row) for row in rows) <= SMALL_INPUT:
        return [f"    {key} = {value}"]
    indent = " " * (len(key) + 8)
    return [f"    {key} = [{rows[0]},"] + [f"{indent}{row}," for row in rows[1:-1]] + [f"{indent}{rows[-1]}]"]


def counterexample_message(finding: Finding) -> str:
    """Returns the failure message of a finding: verdict, counterexample inputs, both sides, replay commands.

    Example:
        >>> from riptools.findings import Reference
        >>> finding = Finding(id="demo.x", source=Reference("demo", ("A. Author",), "Demo", "arXiv", 2026).at("Lemma 1"), statement="a ≤ b",
        ...     source_says="a ≤ b", measured="", verdict="refuted", reason="counterexample at n=1, r=1",
        ...     evidence={"counterexample": {"inputs": {"X": [[2.0]]}, "lhs": "4.0", "rhs": "2.0", "margin": "-0.33",
        ...               "digits": [50, 80], "size": {"n": 1, "r": 1}}}, replay="riptools check demo.x")
        >>> print(counterexample_message(finding))  # doctest: +NORMALIZE_WHITESPACE
        demo.x is refuted: a ≤ b
          source: A. Author (arXiv 2026), Lemma 1
          counterexample at n=1, r=1
          minimal counterexample (n=1, r=1; float64 inputs, exact):
            X = [[2.0]]
          lhs = 4.0
          rhs = 2.0
          (normalised margin -0.33, verified at 50 and 80 digits)
          replay: riptools check demo.x
    """
    from riptools.claims.engine import size_text

    lines = [f"{finding.id} is {finding.verdict.value}: {finding.statement}", f"  source: {finding.source.citation}", f"  {finding.reason}"]
    counterexample = finding.evidence.get("counterexample")
    if counterexample is not None:
        lines.append(f"  minimal counterexample ({size_text(counterexample['size'])}; float64 inputs, exact):")
        lines += [line for key, value in counterexample["inputs"].items() for line in _input_lines(key, value)]
        lines += [f"  lhs = {counterexample['lhs']}", f"  rhs = {counterexample['rhs']}",
                  f"  (normalised margin {counterexample['margin']}, verified at {' and '.join(map(str, counterexample['digits']))} digits)"]
    lines.append(f"  replay: {finding.replay}")
    test = os.environ.get("PYTEST_CURRENT_TEST", "").rsplit(" ", 1)[0]
    if test and "budget" in finding.evidence:
        lines.append(f"      or: pytest {shlex.quote(test)} --riptools-budget {finding.evidence['budget']} --riptools-seed {finding.evidence['seed']}")
    return "\n".join(lines)


def assert_holds(claim, *, budget: int | None = None, seed: int | None = None) -> Finding:
    """Returns the claim's finding when it survives the search; fails the test otherwise.

    Runs :func:`riptools.claims.check_claim`. On a refutation it raises :class:`ClaimRefuted` (an
    AssertionError, so pytest reports a failure) whose message shows the minimal counterexample
    (inputs, both sides at high precision) and the replay commands; an inconclusive search fails
    too, with its reason. A finding that agrees is evidence within the budget, not a proof.

    Args:
        claim: a claim (see :func:`riptools.claims.inequality`).
        budget: instances to try; default ``--riptools-budget`` or :data:`TEST_BUDGET`.
        seed: seed of the search; default ``--riptools-seed`` or 0. Same seed, same result.

    Raises:
        ClaimRefuted: the claim is refuted or the search inconclusive.

    Example:
        >>> from riptools.claims import inequality
        >>> from riptools import strategies as rs
        >>> @inequality(id="demo.trace", source="Folklore", statement="tr(XᵀX) ≤ ‖X‖_F²·(1.5)",
        ...             instances=rs.factor_pairs(n=(2, 3), r=1))
        ... def trace_bound(inst, m):
        ...     x = inst["X"]
        ...     return m.trace(m.transpose(x) @ x), m.fro(x) ** 2 * m.const("1.5")
        >>> assert_holds(trace_bound, budget=20).verdict.value
        'agrees'
    """
    __tracebackhide__ = True  # pytest shows the caller's line, not this function's source
    from riptools.claims.engine import check_claim

    settings = current_settings()
    finding = check_claim(claim, budget=settings["budget"] if budget is None else budget,
                          seed=settings["seed"] if seed is None else seed)
    if finding.verdict is not Verdict.AGREES:
        raise ClaimRefuted(counterexample_message(finding))
    return finding


__all__ = ["ClaimRefuted", "TEST_BUDGET", "assert_holds", "configure", "counterexample_message", "current_settings"]
