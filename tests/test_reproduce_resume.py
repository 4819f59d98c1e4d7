"""Tests of resuming, result storage and executors for ``riptools reproduce`` (issue: one command)."""

import json
import subprocess
import sys
import textwrap
from types import SimpleNamespace

import pytest

from riptools.cli import main
from riptools.executors import SerialExecutor, make_executor
from riptools.protocols.basin import BASIN_POINT, BasinPoint
from riptools.protocols.counterexample_search import LANDSCAPE_ROW
from riptools.protocols.rip_sweep import GAUSSIAN_CELL
from riptools.reproduce import ReproduceContext
from riptools.store import ResultStore
from riptools.validation import InputError

from json_helpers import without_timings

CELLS = [{"n": 3, "rank": 1, "m": m, "seed": s, "starts": 2} for m in (8, 16) for s in (0, 1)]
gaussian_cell = GAUSSIAN_CELL.task_function()


def test_store_key_depends_on_params_and_code(tmp_path, monkeypatch):
    store = ResultStore(tmp_path)
    assert store.key("a", {"x": 1, "y": (1, 2)}) == store.key("a", {"y": [1, 2], "x": 1})
    assert store.key("a", {"x": 1}) != store.key("a", {"x": 2}) != store.key("b", {"x": 2})
    before = store.key("a", {"x": 1})
    monkeypatch.setattr("riptools.store.code_version", lambda: "another version")
    assert store.key("a", {"x": 1}) != before


def test_map_cached_computes_once_and_reuses(tmp_path):
    context = ReproduceContext(out_dir=tmp_path, quick=True)
    first = context.map_cached("cell", gaussian_cell, CELLS)
    assert context.counts == {"reused": 0, "computed": 4}
    again = ReproduceContext(out_dir=tmp_path, quick=True)
    assert again.map_cached("cell", gaussian_cell, CELLS) == first
    assert again.counts == {"reused": 4, "computed": 0}


def test_killed_sweep_resumes_without_recomputing(tmp_path):
    # A child process runs the sweep and dies abruptly (os._exit, as under kill -9) in its third task.
    script = textwrap.dedent(f"""
        import os, sys
        from riptools.protocols.rip_sweep import GAUSSIAN_CELL
        from riptools.reproduce import ReproduceContext
        gaussian_cell = GAUSSIAN_CELL.task_function()
        calls = []
        def dying(**params):
            calls.append(1)
            if len(calls) == 3:
                os._exit(9)
            return gaussian_cell(**params)
        ReproduceContext(out_dir=sys.argv[1], quick=True).map_cached("cell", dying, {CELLS!r})
    """)
    child = subprocess.run([sys.executable, "-c", script, str(tmp_path / "run")], capture_output=True)
    assert child.returncode == 9
    resumed = ReproduceContext(out_dir=tmp_path / "run", quick=True)
    values = resumed.map_cached("cell", gaussian_cell, CELLS)
    assert resumed.counts == {"reused": 2, "computed": 2}
    clean = ReproduceContext(out_dir=tmp_path / "clean", quick=True).map_cached("cell", gaussian_cell, CELLS)
    assert values == clean


SWEEPS = {
    "rip cells": (gaussian_cell, CELLS, "json"),
    # SDP solves: a solver warm-started from the previous solve in the same process gave other digits.
    "SDP landscape rows": (LANDSCAPE_ROW.task_function(), [{"rho": rho, "phis": (0.4, 1.2)} for rho in (0.5, 0.9, 1.4)], "json"),
    "basin points": (BASIN_POINT.task_function(), [{"example": "half", "gamma": g, "trials": 64, "steps": 500, "step_size": 0.01, "seed": 3,
                                    "method": "sgd"} for g in (0.0, 0.5, 1.0)], "pickle"),
}


@pytest.mark.parametrize("sweep", SWEEPS)
def test_process_pool_gives_identical_results(tmp_path, sweep):
    function, tasks, codec = SWEEPS[sweep]
    executor, close = make_executor(workers=2)
    try:
        pooled = ReproduceContext(out_dir=tmp_path / "pool", quick=True, executor=executor).map_cached(
            "sweep", function, tasks, codec=codec)
    finally:
        close()
    serial = ReproduceContext(out_dir=tmp_path / "serial", quick=True, executor=SerialExecutor()).map_cached(
        "sweep", function, tasks, codec=codec)
    assert pooled == serial


def test_pickle_codec_returns_what_was_computed_and_reuses_it(tmp_path):
    function, tasks, _ = SWEEPS["basin points"]
    first = ReproduceContext(out_dir=tmp_path, quick=True).map_cached("points", function, tasks, codec="pickle")
    assert all(isinstance(point, BasinPoint) for point in first)
    again = ReproduceContext(out_dir=tmp_path, quick=True)
    assert again.map_cached("points", function, tasks, codec="pickle") == first
    assert again.counts == {"reused": 3, "computed": 0}


def test_unknown_codec_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="codec"):
        ResultStore(tmp_path).save("x", {}, 1, codec="yaml")


def test_dask_local_cluster_gives_identical_results(tmp_path):
    distributed = pytest.importorskip("dask.distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, host="127.0.0.1", dashboard_address=None,
                                  processes=True) as cluster:
        executor, close = make_executor(scheduler=cluster.scheduler_address)
        try:
            on_dask = ReproduceContext(out_dir=tmp_path / "dask", quick=True, executor=executor).map_cached(
                "cell", gaussian_cell, CELLS)
        finally:
            close()
    serial = ReproduceContext(out_dir=tmp_path / "serial", quick=True).map_cached("cell", gaussian_cell, CELLS)
    assert on_dask == serial


def test_rerun_reuses_the_section_and_writes_the_same_report(tmp_path, capsys):
    argv = ["reproduce", "--quick", "--out", str(tmp_path), "--only", "zjsl_neurips2018", "--workers", "1"]
    assert main(argv) == 0
    report = (tmp_path / "REPORT.md").read_text()
    data = (tmp_path / "results" / "counterexample_random_pairs.json").read_text()
    assert main(argv) == 0
    summary = json.loads((tmp_path / "results" / "run_summary.json").read_text())
    assert summary["reused_sections"] == ["zjsl_neurips2018"]
    assert (tmp_path / "REPORT.md").read_text() == report
    assert (tmp_path / "results" / "counterexample_random_pairs.json").read_text() == data
    assert "<img" in (tmp_path / "REPORT.html").read_text()


def test_bad_workers_is_an_input_error():
    with pytest.raises(InputError, match="--workers"):
        make_executor(workers=0)


def test_a_deleted_data_file_makes_its_section_run_again(tmp_path, capsys):
    argv = ["reproduce", "--quick", "--out", str(tmp_path), "--only", "zjsl_neurips2018", "--workers", "1"]
    assert main(argv) == 0
    data = tmp_path / "results" / "counterexample_random_pairs.json"
    expected = without_timings(json.loads(data.read_text()))
    data.unlink()
    assert main(argv) == 0
    summary = json.loads((tmp_path / "results" / "run_summary.json").read_text())
    assert summary["reused_sections"] == []
    assert summary["tasks"]["computed"] == 0  # the section reran, its sweep tasks were reused
    assert without_timings(json.loads(data.read_text())) == expected



def test_pool_workers_stop_at_once_on_ctrl_c():
    import signal

    executor, close = make_executor(workers=2)
    try:
        assert executor.submit(signal.getsignal, signal.SIGINT).result() == signal.SIG_DFL
    finally:
        close()


def test_a_deleted_array_file_makes_its_section_run_again(tmp_path):
    import numpy as np

    from riptools.findings import Section
    from riptools.reproduce import _run_stage

    def reproduce_section(context):
        context.save_arrays("runs", final=np.arange(3.0))
        return Section(title="S", markdown="")

    source = SimpleNamespace(reproduce_section=reproduce_section)
    context = ReproduceContext(out_dir=tmp_path, quick=True)
    assert _run_stage("demo", source, context)[1] is False
    arrays = tmp_path / "results" / "runs.npz"
    assert np.load(arrays)["final"].tolist() == [0.0, 1.0, 2.0] and not list(arrays.parent.glob(".*partial"))
    assert _run_stage("demo", source, ReproduceContext(out_dir=tmp_path, quick=True))[1] is True
    arrays.unlink()
    assert _run_stage("demo", source, ReproduceContext(out_dir=tmp_path, quick=True))[1] is False
    assert arrays.is_file()
