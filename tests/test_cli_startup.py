"""The command line starts fast: building the parser and every ``--help`` import no heavy library.

The start-up *time* is measured by ``benchmarks/bench_cli_startup.py`` (target < 0.5 s); these tests
check its cause structurally, in a fresh interpreter: which modules ``--help`` loads.
"""

from __future__ import annotations

import importlib
import json
import subprocess
import sys

import pytest

from riptools.commands._arguments import constant

HEAVY = ("cvxpy", "numba", "sympy", "scipy", "matplotlib", "jax", "mpmath", "hypothesis", "sklearn", "dask", "numpy")
"""Libraries ``--help`` must not import (numpy included: it alone costs about 0.1 s)."""

PROBE = """
import contextlib, io, json, sys
from riptools.cli import build_parser, main
from riptools.commands._arguments import subparsers_of
helps = [p.prog.split()[1:] for p in subparsers_of(build_parser())]
for argv in helps:
    with contextlib.redirect_stdout(io.StringIO()):
        assert main([*argv, "--help"]) == 0, argv
print(json.dumps({"helps": len(helps), "modules": sorted({m.split('.')[0] for m in sys.modules})}))
"""


def test_help_of_every_command_imports_no_heavy_library():
    done = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, check=True)
    report = json.loads(done.stdout.splitlines()[-1])
    assert report["helps"] >= 13
    assert not set(HEAVY) & set(report["modules"]), sorted(set(HEAVY) & set(report["modules"]))


@pytest.mark.parametrize(("module", "name"), [
    ("riptools.rip", "SDP_MAX_N"), ("riptools.rip", "DEFAULT_STARTS"), ("riptools.counterexample", "SOLVERS"),
    ("riptools.counterexample", "DEFAULT_SOLVER"), ("riptools.search", "DEFAULT_MAX_EVALUATIONS"),
    ("riptools.protocols.basin", "SUCCESS_TOL"), ("riptools.protocols.basin", "DEFAULT_STEP_SIZE"),
    ("riptools.dynamics.subgradient", "CHECKPOINTS_PER_DECADE"), ("riptools.dynamics.scaledsgd", "P_INITS"),
    ("riptools.dynamics.scaledsgd", "DEFAULT_RESYNC_EVERY"), ("riptools.claims.engine", "DEFAULT_BUDGET"),
    ("riptools.protocols.scaledsgd", "FULL_ITEMS"), ("riptools.protocols.scaledsgd", "FULL_TRAIN"),
    ("riptools.protocols.scaledsgd", "QUICK_ITEMS"), ("riptools.completion.claims", "RANKS"),
])
def test_help_defaults_read_from_source_equal_the_modules_constants(module, name):
    assert constant(module, name) == getattr(importlib.import_module(module), name)


def test_constant_refuses_a_name_that_is_not_a_literal():
    with pytest.raises(KeyError):
        constant("riptools.rip", "rip_constant")


def test_only_lists_exactly_the_sections_reproduce_runs():
    from riptools.commands.reproduce import section_names
    from riptools.sources import source_modules

    assert section_names() == list(source_modules())


def test_notebook_start_count_matches_the_data():
    from riptools.commands.diverge import NOTEBOOK_STARTS
    from riptools.protocols.divergence import notebook_starts

    assert notebook_starts().shape[0] == NOTEBOOK_STARTS


def test_default_report_folder_is_untracked_and_outside_figures():
    from pathlib import Path

    from riptools.cli import build_parser

    out = build_parser().parse_args(["reproduce"]).out
    assert Path(out).parts[0] != "figures"
    gitignore = (Path(__file__).resolve().parents[1] / ".gitignore").read_text().splitlines()
    assert f"/{out}/" in gitignore
