"""``riptools reproduce``: run every source's checks, save their data, write REPORT.md and REPORT.html.

Each source document is a module of :mod:`riptools.sources` (see its docstring for the contract);
its ``reproduce_section(context: ReproduceContext) -> Section`` saves its results as data through the
context (before plotting) and returns its part of the report; a source without one contributes the
findings of its ``CHECKS``. A source may also define ``FULL_EXPECTED_SECONDS`` (its expected time
with ``--full`` on 2 cores, measured with ``--workers 2``; the whole run took 26 min), printed up front.

Resuming: each finished section is stored (see :mod:`riptools.store`) with the files it wrote;
sweeps inside a section store each finished task through :meth:`ReproduceContext.map_cached`. A
rerun with the same parameters and code reuses all of it, so an interrupted run loses no finished
work, and the summary says what was reused.
"""

from __future__ import annotations

import concurrent.futures
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from riptools.executors import SerialExecutor, make_executor
from riptools.findings import Section
from riptools.report import report_order, write_report
from riptools.sources import source_modules
from riptools.results import write_json_atomic
from riptools.store import ResultStore
from riptools.validation import InputError


UNKNOWN_FULL_SECONDS = 60
"""Expected ``--full`` seconds of a source that does not state its own."""


@dataclass(frozen=True)
class ReproduceContext:
    """Where, how big and on what: handed to every ``reproduce_section``.

    Attributes:
        out_dir: the output folder (REPORT.md, figures; data under ``results/``).
        quick: the small version (the whole ``--quick`` run finishes in under 5 minutes on 2 cores).
        seed: the base seed of every randomised experiment.
        executor: runs the tasks of :meth:`map_cached` (serial, process pool or Dask).
        counts: how many stored results were reused and computed (filled in as the run goes).
        counts_by_name: the same per task name (a protocol's name, or the name given to :meth:`map_cached`).
        saved: the file names (under ``results/``) written by :meth:`save_result` and :meth:`save_arrays` so far.
        results: protocol results of this run by (protocol name, parameters), so that several checks
            reading one task (in one source or several) get it without another load.
    """

    out_dir: Path
    quick: bool
    seed: int = 0
    executor: concurrent.futures.Executor = field(default_factory=SerialExecutor)
    counts: dict = field(default_factory=lambda: {"reused": 0, "computed": 0})
    counts_by_name: dict = field(default_factory=dict)
    saved: list = field(default_factory=list)
    results: dict = field(default_factory=dict)

    def __post_init__(self):
        object.__setattr__(self, "out_dir", Path(self.out_dir))

    @property
    def results_dir(self) -> Path:
        """Folder of the JSON results."""
        return self.out_dir / "results"

    @property
    def store(self) -> ResultStore:
        """The store of finished results, under ``results/store``."""
        return ResultStore(self.results_dir / "store")

    def save_result(self, name: str, value) -> Path:
        """Writes ``results/<name>.json`` atomically and returns its path."""
        self.saved.append(f"{name}.json")
        return write_json_atomic(self.results_dir / f"{name}.json", value)

    def save_arrays(self, name: str, **arrays) -> Path:
        """Writes ``results/<name>.npz`` (compressed numpy arrays) atomically and returns its path."""
        import numpy as np

        self.saved.append(f"{name}.npz")
        path = self.results_dir / f"{name}.npz"
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f".{path.name}.partial")
        with open(partial, "wb") as handle:
            np.savez_compressed(handle, **arrays)
        os.replace(partial, path)
        return path

    def figure_path(self, name: str) -> Path:
        """Returns the path of figure ``<name>.png`` in the output folder (link it as ``<name>.png``)."""
        self.out_dir.mkdir(parents=True, exist_ok=True)
        return self.out_dir / f"{name}.png"

    def map_cached(self, name: str, function, params_list, *, desc: str | None = None, codec: str = "json") -> list:
        """Returns [function(**params) for params in params_list], reusing stored results.

        Missing results are computed on the executor and stored as each finishes, so an
        interruption keeps every finished task. Values come back the same whether computed now or
        reused: as they read from JSON (``codec="json"``) or exactly as computed (``"pickle"``).
        ``function`` must be a picklable top-level function.
        """
        from tqdm import tqdm

        store, results, pending = self.store, [None] * len(params_list), {}
        with tqdm(total=len(params_list), desc=desc or name, file=sys.stderr, leave=False,
                  disable=len(params_list) < 2) as bar:

            def collect(future):
                index = pending.pop(future)
                results[index] = store.save(name, params_list[index], future.result(), codec=codec)
                self._count(name, "computed")
                bar.update()

            for index, params in enumerate(params_list):
                found, value = store.load(name, params, codec=codec)
                if found:
                    results[index] = value
                    self._count(name, "reused")
                    bar.update()
                    continue
                future = self.executor.submit(function, **params)
                pending[future] = index
                if future.done():  # a serial executor: store at once, so an interruption keeps it
                    collect(future)
            for future in concurrent.futures.as_completed(list(pending)):
                collect(future)
        return results


    def _count(self, name: str, outcome: str) -> None:
        self.counts[outcome] += 1
        named = self.counts_by_name.setdefault(name, {"reused": 0, "computed": 0})
        named[outcome] += 1

    def run(self, protocol, params_list, *, desc: str | None = None) -> list:
        """Returns [protocol.run(params) for params in params_list], each a stored, resumable task.

        The store key is (protocol name, parameters), so nothing about a task is written by hand.
        ``protocol`` is a :class:`riptools.protocols.Protocol` whose ``run`` is a top-level function.
        A task already returned in this run is returned again without a load (and not counted again).
        """
        keys = [(protocol.name, repr(protocol.task(params))) for params in params_list]
        first = {}
        for index, key in enumerate(keys):
            if key not in self.results:
                first.setdefault(key, index)
        missing = list(first.values())
        values = self.map_cached(protocol.name, protocol.task_function(), [protocol.task(params_list[i]) for i in missing],
                                 desc=desc, codec="pickle")
        self.results.update({keys[i]: value for i, value in zip(missing, values)})
        return [self.results[key] for key in keys]


def checks_section(module, context: ReproduceContext) -> Section:
    """Returns the section of a source without ``reproduce_section``: the findings of its ``CHECKS``."""
    findings = tuple(finding for check in getattr(module, "CHECKS", ()) for finding in check(context))
    return Section(title=module.REFERENCE.title, markdown="", findings=findings, source=module.REFERENCE.key)


def section_of(name: str, module, context: ReproduceContext) -> Section:
    """Returns the :class:`riptools.findings.Section` that source ``name`` writes."""
    if not hasattr(module, "reproduce_section"):
        return checks_section(module, context)
    return module.reproduce_section(context)


def _run_stage(name, module, context: ReproduceContext) -> tuple[Section, bool]:
    """Returns (section, reused): the stored section when it, its figures and its data files exist, else a new one."""
    params = {"stage": name, "quick": context.quick, "seed": context.seed}
    found, record = context.store.load(f"section-{name}", params, codec="pickle")
    if found:
        files = [context.out_dir / figure for figure in record["section"].figures]
        files += [context.results_dir / result for result in record["results"]]
        if all(path.is_file() for path in files):
            return record["section"], True
    first = len(context.saved)
    section = section_of(name, module, context)
    context.store.save(f"section-{name}", params, {"section": section, "results": context.saved[first:]}, codec="pickle")
    return section, False


def reproduce(out_dir, *, quick: bool, only=None, seed: int = 0, workers: int = 1, scheduler: str | None = None,
              log=None) -> list[Section]:
    """Runs the selected sources, writes ``out_dir/REPORT.md`` (and REPORT.html), returns the sections.

    Every finding of the run is also written, as data, to ``out_dir/results/findings.json``: a list
    of :meth:`riptools.findings.Finding.to_record` objects in the order of the report's tables.

    Args:
        out_dir: output folder.
        quick: small sizes instead of the sources' real sizes.
        only: keys of the sources to run (default: all; ``riptools sources`` lists them).
        seed: base seed.
        workers: local processes for sweeps (1 = in this process).
        scheduler: a Dask scheduler address; when given, sweeps run on that cluster.
        log: stream for progress lines (default stderr).

    Raises:
        InputError: ``only`` names a source that does not exist.
    """
    from tqdm import tqdm

    log = log or sys.stderr
    modules = source_modules()
    selected = list(modules) if not only else list(dict.fromkeys(only))
    unknown = [name for name in selected if name not in modules]
    if unknown:
        raise InputError(f"--only: unknown source(s) {unknown}; choose from {sorted(modules)}")
    if not quick:
        seconds = {name: getattr(modules[name], "FULL_EXPECTED_SECONDS", UNKNOWN_FULL_SECONDS) for name in selected}
        parts = ", ".join(f"{name} {value / 60:.0f}" for name, value in seconds.items())
        print(f"[reproduce] --full: expected time about {max(1, round(sum(seconds.values()) / 60))} minutes "
              f"on 2 cores ({parts}); "
              f"interrupt at will, a rerun resumes", file=log, flush=True)
    executor, close = make_executor(workers=workers, scheduler=scheduler)
    context = ReproduceContext(out_dir=Path(out_dir), quick=quick, seed=seed, executor=executor)
    sections, timings, reused_stages = [], {}, []
    try:
        for name in tqdm(selected, desc="reproduce", file=log, leave=False):
            start = time.perf_counter()
            section, reused = _run_stage(name, modules[name], context)
            sections.append(section)
            timings[name] = time.perf_counter() - start
            if reused:
                reused_stages.append(name)
            print(f"[reproduce] {name}: {'reused' if reused else 'done'} in {timings[name]:.1f} s", file=log, flush=True)
    finally:
        close()
    summary = {"quick": quick, "seconds": timings, "reused_sections": reused_stages, "tasks": dict(context.counts),
               "tasks_by_name": context.counts_by_name}
    context.save_result("run_summary", summary)
    context.save_result("findings", [finding.to_record() for finding in report_order(sections)])
    print(f"[reproduce] reused {len(reused_stages)} of {len(selected)} section(s) {reused_stages}; "
          f"sweep tasks reused {context.counts['reused']}, computed {context.counts['computed']}", file=log, flush=True)
    mode = "--quick" if quick else "--full"
    write_report(
        context.out_dir,
        sections,
        preamble=f"Written by `riptools reproduce {mode}`. Data behind every number: `results/*.json`.",
    )
    return sections
