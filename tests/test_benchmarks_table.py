"""Tests of the benchmark figure lines and of run_all.py's unified table (no benchmark is run)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

import run_all  # noqa: E402  (benchmarks/ is a folder of scripts, not a package)
from figure_report import Figure, figure_line, parse_figure_line, report_figure  # noqa: E402

TRACEBACK = 'Traceback (most recent call last):\n  File "bench_x.py", line 3, in <module>\nModuleNotFoundError: No module named \'jax\''


def _figure(**changes) -> Figure:
    fields = dict(benchmark="basin", figure="numba, 2 thread(s) ÷ NumPy, wall", value=13.9, unit="×", target=20.0,
                  relation=">=", baseline="NumPy reference, this process", note="idle machine")
    return Figure(**{**fields, **changes})


def test_figure_line_round_trips_every_field():
    for figure in (_figure(), _figure(value=None, target=None, baseline=None, note=None), _figure(relation="<=", unit="s")):
        line = figure_line(figure)
        assert "\n" not in line
        assert parse_figure_line(line) == figure


def test_report_figure_prints_one_parsable_line(capsys):
    returned = report_figure("rip", "exact δ, n = 10", 3e-4, "s", target=0.5, relation="<=")
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 1
    assert parse_figure_line(lines[0]) == returned
    assert returned.met() == "yes"


def test_human_lines_are_not_figures():
    for line in ("numba kernel, 2 thread(s)   2.2e+08", "", " #figure {}", "#figures {}"):
        assert parse_figure_line(line) is None


@pytest.mark.parametrize(("value", "target", "relation", "met"), [
    (25.0, 20.0, ">=", "yes"), (20.0, 20.0, ">=", "yes"), (13.9, 20.0, ">=", "no"),
    (1.4, 10.0, "<=", "yes"), (10.0, 10.0, "<=", "yes"), (12.0, 10.0, "<=", "no"),
    (13.9, None, ">=", "–"), (None, 2.0, ">=", "–"), (float("nan"), 2.0, ">=", "–"),
])
def test_met_follows_the_relation(value, target, relation, met):
    assert _figure(value=value, target=target, relation=relation).met() == met


def test_an_unknown_relation_is_rejected():
    with pytest.raises(ValueError, match="relation"):
        _figure(relation=">")


def test_collect_keeps_only_the_figure_lines():
    figures = [_figure(), _figure(figure="sweep, wall", value=1.37, unit="s", target=10.0, relation="<=")]
    stdout = "a human table\n" + "\n".join(map(figure_line, figures)) + "\nthe last human line\n"
    run = run_all.collect("basin", "ok", 3.0, stdout, "")
    assert run.figures == figures
    assert run.reason() == ""


def test_unified_table_shows_values_targets_and_verdicts():
    figures = [_figure(), _figure(figure="sweep, wall", value=1.37, unit="s", target=10.0, relation="<=", baseline=None, note=None)]
    table = run_all.figures_table([run_all.collect("basin", "ok", 3.0, "\n".join(map(figure_line, figures)), "")])
    cells = {row[1]: row[2:] for row in (re.split(r"\s{2,}", line) for line in table.splitlines()) if row[0] == "basin"}
    assert cells["numba, 2 thread(s) ÷ NumPy, wall [1] [2]"] == ["13.9×", "≥ 20×", "no"]
    assert cells["sweep, wall"] == ["1.37 s", "≤ 10 s", "yes"]
    assert "targets met: 1 of 2 judged" in table
    assert "[1] vs NumPy reference, this process" in table and "[2] idle machine" in table


def test_a_failed_script_is_reported_with_its_reason_not_its_traceback():
    failed = run_all.collect("divergence", "exit 1", 0.4, "a partial table\n", TRACEBACK)
    passed = run_all.collect("rip", "ok", 1.0, figure_line(_figure(benchmark="rip")), "")
    scripts = run_all.scripts_table([failed, passed])
    table = run_all.figures_table([failed, passed])
    assert "Traceback" not in scripts + table
    failed_row = next(line for line in scripts.splitlines() if line.startswith("bench_divergence.py"))
    assert "exit 1" in failed_row and "ModuleNotFoundError: No module named 'jax'" in failed_row
    assert any(line.startswith("divergence") and "script did not finish" in line and "exit 1" in line for line in table.splitlines())
    assert "ModuleNotFoundError: No module named 'jax'" in table


def test_a_timeout_keeps_the_figures_printed_before_it(monkeypatch):
    def stopped(command, **kwargs):  # subprocess.run's TimeoutExpired carries bytes, whatever text= says
        raise subprocess.TimeoutExpired(command, kwargs["timeout"], output=(figure_line(_figure()) + "\n").encode(), stderr=None)

    monkeypatch.setattr(run_all.subprocess, "run", stopped)
    run = run_all.run_script("basin", ["python", "bench_basin.py"], timeout=5, env={})
    assert run.status == "timeout"
    assert run.figures == [_figure()]
    assert run.reason() == "no result within 5 s"
    assert any("script did not finish" in line and "timeout" in line for line in run_all.figures_table([run]).splitlines())


def test_a_real_child_that_fails_is_caught():
    code = f"import sys; print({figure_line(_figure())!r}); sys.exit('broken input')"
    run = run_all.run_script("basin", [sys.executable, "-c", code], timeout=60, env={})
    assert (run.status, run.figures, run.reason()) == ("exit 1", [_figure()], "broken input")


def test_only_accepts_short_and_file_names_and_rejects_unknown_ones():
    available = ["basin", "claims", "rip"]
    assert run_all.select_scripts(available, None) == available
    assert run_all.select_scripts(available, ["rip", "bench_basin.py"]) == ["basin", "rip"]
    with pytest.raises(ValueError, match="unknown benchmark.*nosuch"):
        run_all.select_scripts(available, ["nosuch"])


def test_quantities_and_targets_are_formatted_with_their_units():
    assert run_all.format_quantity(2.2e8, "trial-steps/s") == "2.2e+08 trial-steps/s"
    assert run_all.format_quantity(None, "s") == "not measured"
    assert run_all.format_target(_figure(relation="<=", target=0.5, unit="s")) == "≤ 0.5 s"
    assert run_all.format_target(_figure(target=None)) == "–"


def test_quick_arguments_name_existing_scripts():
    # A --quick key naming no script would silently run a benchmark at full size.
    scripts = {path.stem.removeprefix("bench_") for path in Path(run_all.HERE).glob("bench_*.py")}
    assert set(run_all.QUICK_ARGS) <= scripts
