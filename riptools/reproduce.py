"""``riptools reproduce``: run every capability's experiments, save their data, write REPORT.md.

A capability takes part by defining, in a module of :mod:`riptools.experiments`, a function
``reproduce_section(context: ReproduceContext) -> Section`` that saves its results as data through
the context (before plotting) and returns its part of the report.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import riptools.experiments
from riptools.report import Section, write_report
from riptools.results import write_json_atomic
from riptools.validation import InputError


@dataclass(frozen=True)
class ReproduceContext:
    """Where and how big: handed to every ``reproduce_section``.

    Attributes:
        out_dir: the output folder (REPORT.md, figures; data under ``results/``).
        quick: the small version (the whole ``--quick`` run finishes in under 5 minutes on 2 cores).
        seed: the base seed of every randomised experiment.
    """

    out_dir: Path
    quick: bool
    seed: int = 0

    @property
    def results_dir(self) -> Path:
        """Folder of the JSON results."""
        return self.out_dir / "results"

    def save_result(self, name: str, value) -> Path:
        """Writes ``results/<name>.json`` atomically and returns its path."""
        return write_json_atomic(self.results_dir / f"{name}.json", value)

    def figure_path(self, name: str) -> Path:
        """Returns the path of figure ``<name>.png`` in the output folder (link it as ``<name>.png``)."""
        self.out_dir.mkdir(parents=True, exist_ok=True)
        return self.out_dir / f"{name}.png"


def experiment_modules() -> dict[str, object]:
    """Returns {name: module} for every experiments module that defines ``reproduce_section``."""
    modules = {}
    for info in sorted(pkgutil.iter_modules(riptools.experiments.__path__), key=lambda i: i.name):
        module = importlib.import_module(f"riptools.experiments.{info.name}")
        if hasattr(module, "reproduce_section"):
            modules[info.name] = module
    return modules


def reproduce(out_dir, *, quick: bool, only=None, seed: int = 0, log=None) -> list[Section]:
    """Runs the selected experiments, writes ``out_dir/REPORT.md`` and returns the sections.

    Raises:
        InputError: ``only`` names an experiment that does not exist.
    """
    log = log or sys.stderr
    modules = experiment_modules()
    selected = list(modules) if not only else list(only)
    unknown = [name for name in selected if name not in modules]
    if unknown:
        raise InputError(f"--only: unknown experiment(s) {unknown}; choose from {sorted(modules)}")
    context = ReproduceContext(out_dir=Path(out_dir), quick=quick, seed=seed)
    sections, timings = [], {}
    for name in selected:
        print(f"[reproduce] {name} ...", file=log, flush=True)
        start = time.perf_counter()
        sections.append(modules[name].reproduce_section(context))
        timings[name] = time.perf_counter() - start
        print(f"[reproduce] {name} done in {timings[name]:.1f} s", file=log, flush=True)
    context.save_result("timings", {"quick": quick, "seconds": timings})
    mode = "--quick" if quick else "full"
    write_report(
        context.out_dir,
        sections,
        preamble=f"Written by `riptools reproduce` ({mode}). Data behind every number: `results/*.json`.",
    )
    return sections
