"""The pytest plugin of riptools: ``--riptools-budget`` and ``--riptools-seed`` for claim tests.

Registered through the ``pytest11`` entry point, so any pytest run in an environment with riptools
installed has the two options; :func:`riptools.testing.assert_holds` reads them. The same seed
gives the same instances and the same verdicts.
"""

from __future__ import annotations

import pytest

from riptools import testing


def _non_negative(text: str) -> int:
    value = int(text)
    if value < 0:
        raise ValueError(text)
    return value


def pytest_addoption(parser) -> None:
    """Adds the riptools options to pytest's command line."""
    group = parser.getgroup("riptools", "riptools claim checks")
    group.addoption("--riptools-budget", type=int, default=None, metavar="N",
                    help=f"instances per claim for riptools.testing.assert_holds (default {testing.TEST_BUDGET})")
    group.addoption("--riptools-seed", type=_non_negative, default=None, metavar="S",
                    help="seed of the claim searches (default 0; the same seed gives the same result)")


def pytest_configure(config) -> None:
    """Passes the options to :func:`riptools.testing.configure`."""
    budget = config.getoption("riptools_budget", None)
    if budget is not None and budget < 4:
        raise pytest.UsageError(f"--riptools-budget: expected an integer ≥ 4, got {budget}")
    testing.configure(budget=budget, seed=config.getoption("riptools_seed", None))


def pytest_report_header(config) -> str:
    """Returns the header line stating the budget and seed of the claim searches."""
    settings = testing.current_settings()
    return f"riptools: claim budget {settings['budget']}, seed {settings['seed']}"
