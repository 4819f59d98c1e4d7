"""pytest plugin for mutation runs: the fastest tests first, so a killed mutant is found quickly.

mutmut runs the tests that call a mutated function and stops at the first failure; ordering them by
the durations of its clean run (``mutants/mutmut-stats.json``) makes most kills take milliseconds.
Loaded by ``pytest_add_cli_args`` in pyproject.toml [tool.mutmut]; outside a mutation run it does nothing.
"""

import json
from pathlib import Path

STATS = Path("mutmut-stats.json")
"""mutmut runs the tests from inside ``mutants/``, where it keeps this file."""


def pytest_collection_modifyitems(session, config, items):
    """Sorts the collected tests by their clean-run duration, fastest first (unknown ones last)."""
    if not STATS.exists():
        return
    durations = json.loads(STATS.read_text()).get("duration_by_test", {})
    items.sort(key=lambda item: durations.get(item.nodeid, float("inf")))
