"""End-to-end tests of the ``riptools reproduce`` command line (issue 9, "Tests").

1. The CLI itself is killed (SIGKILL) in the middle of a sweep and rerun: the rerun reuses the
   finished tasks, computes only the rest, and ends with the results of an uninterrupted run.
2. ``--quick`` writes every section and every figure: one section per source, the summary and the
   findings grouped by source up front, each figure linked, present and inlined in the HTML (slow).
3. ``--full`` states its expected time before any work starts.
"""

import base64
import contextlib
import html
import io
import json
import os
import pickle
import re
import shlex
import signal
import subprocess
import sys
import time
import types

import pytest

import riptools.reproduce
from riptools.cli import build_parser, main
from riptools.findings import Section, Verdict
from riptools.protocols.counterexample_search import RANDOM_PAIRS
from riptools.report import TABLE_HEADER, by_source

from json_helpers import without_timings

VERDICTS = tuple(verdict.value for verdict in Verdict)

# The kill test: the NeurIPS 2018 source first stores its random pairs, chunk by chunk, as each finishes.
KILLED_SOURCE = "zjsl_neurips2018"
TASK = "counterexample-random-pairs"
CELL_PREFIX = f"{TASK}-"
POLL_SECONDS = 0.005  # the quick study stores its 4 chunks over ~5 s, so 5 ms lands well inside it
FIRST_CELL_TIMEOUT_SECONDS = 300  # imports and numba compilation on a busy 2-core machine
RUN_TIMEOUT_SECONDS = 600
KILL_ATTEMPTS = 3  # a kill that lands after the sweep is retried in a fresh folder, then the test fails


def _rip_command(out, *options):
    """Returns the argv of the real entry point running only the RIP section into ``out``."""
    return [sys.executable, "-m", "riptools.cli", "reproduce", "--quick", "--only", KILLED_SOURCE,
            "--out", str(out), *options]


def _stored_cells(out):
    return sorted((out / "results" / "store").glob(f"{CELL_PREFIX}*.pkl"))


def _cell_record(path):
    return pickle.loads(path.read_bytes())


def _run_to_completion(out, log, *options):
    with open(log, "wb") as stderr:
        finished = subprocess.run(_rip_command(out, *options), stdout=subprocess.DEVNULL, stderr=stderr,
                                  timeout=RUN_TIMEOUT_SECONDS)
    assert finished.returncode == 0, f"{shlex.join(_rip_command(out, *options))} failed:\n{log.read_text()[-3000:]}"


def _kill_during_sweep(out, log):
    """Starts the CLI and SIGKILLs it with its pool workers once a cell is stored.

    Returns:
        the number of cells stored when it died, or None when the run exited by itself first.
    """
    with open(log, "wb") as stderr:
        # Its own process group, so the kill also takes the process pool's workers, as kill -9 of a job would.
        process = subprocess.Popen(_rip_command(out), stdout=subprocess.DEVNULL, stderr=stderr, start_new_session=True)
        try:
            deadline = time.monotonic() + FIRST_CELL_TIMEOUT_SECONDS
            while process.poll() is None and not _stored_cells(out) and time.monotonic() < deadline:
                time.sleep(POLL_SECONDS)
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    if process.returncode != -signal.SIGKILL:
        assert process.returncode == 0, f"the run to be killed failed on its own:\n{log.read_text()[-3000:]}"
        return None
    assert _stored_cells(out), f"no sweep task was stored within {FIRST_CELL_TIMEOUT_SECONDS} s:\n{log.read_text()[-3000:]}"
    return len(_stored_cells(out))


def test_cli_killed_mid_sweep_resumes_with_identical_results(tmp_path):
    # ~30 s on 2 idle cores: the killed run, the rerun, and a clean run to compare with.
    attempts = []
    for attempt in range(KILL_ATTEMPTS):
        out = tmp_path / f"killed{attempt}"
        stored = _kill_during_sweep(out, tmp_path / f"killed{attempt}.log")
        if stored is None:
            attempts.append("the run finished before the kill")
            continue
        for cell in _stored_cells(out):  # written atomically: no half file survives the kill
            assert "value" in _cell_record(cell), cell
        _run_to_completion(out, tmp_path / f"rerun{attempt}.log")
        summary = json.loads((out / "results" / "run_summary.json").read_text())
        versions = {_cell_record(cell)["code_version"] for cell in _stored_cells(out)}
        if len(versions) > 1:  # someone edited riptools between the two runs: every key changed, nothing to reuse
            attempts.append(f"riptools' source changed between the killed run and the rerun ({sorted(versions)})")
            continue
        if summary["tasks_by_name"][TASK]["computed"] > 0:
            break
        attempts.append(f"killed after the sweep: {stored} cells stored, rerun {summary}")
    else:
        pytest.fail(f"could not kill the run in the middle of its sweep in {KILL_ATTEMPTS} attempts ({attempts}); "
                    "the sweep may have become too fast for this test: lower POLL_SECONDS or use a bigger sweep")
    tasks = RANDOM_PAIRS.size("chunks", quick=True)
    counts = summary["tasks_by_name"][TASK]
    assert summary["reused_sections"] == []
    assert counts["reused"] == stored > 0, f"{stored} tasks were stored, the rerun reused {summary}"
    assert counts["reused"] + counts["computed"] == tasks == len(_stored_cells(out))

    # The clean run uses one process (the killed one used the default pool): results must not depend on either.
    clean = tmp_path / "clean"
    _run_to_completion(clean, tmp_path / "clean.log", "--workers", "1")
    resumed_data = json.loads((out / "results" / "counterexample_random_pairs.json").read_text())
    clean_data = json.loads((clean / "results" / "counterexample_random_pairs.json").read_text())
    assert without_timings(resumed_data) == without_timings(clean_data), "resumed results differ from a clean run"
    assert (out / "REPORT.md").read_text() == (clean / "REPORT.md").read_text()


# --- --quick writes every section and figure (slow: the whole --quick run, ~60 s on 2 idle cores) ---

@pytest.fixture(scope="module")
def quick_run(tmp_path_factory):
    """Runs ``riptools reproduce --quick --workers 2`` once; returns (out, {name: Section it wrote}, stdout)."""
    out = tmp_path_factory.mktemp("quick")
    returned = {}
    section_of = riptools.reproduce.section_of

    def recording(name, module, context):
        returned[name] = section_of(name, module, context)
        return returned[name]

    stdout = io.StringIO()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(riptools.reproduce, "section_of", recording)
        with contextlib.redirect_stdout(stdout):
            code = main(["reproduce", "--quick", "--out", str(out), "--workers", "2"])
    assert code == 0
    return out, returned, stdout.getvalue()


def _headings(report, level=2):
    """Returns [(title, body)] of the report's headings of ``level``, in order."""
    parts = re.split(rf"^{'#' * level} (.+)$", report, flags=re.MULTILINE)
    return list(zip(parts[1::2], parts[2::2]))


def _ordered(returned):
    return sorted(returned.values(), key=lambda section: section.order)


def _table_rows(body):
    rows = [line for line in body.splitlines() if line.startswith("|")]
    return [[cell.strip().replace("\\|", "|") for cell in re.split(r"(?<!\\)\|", row.strip())[1:-1]] for row in rows]


@pytest.mark.slow
def test_quick_output_has_markdown_and_html(quick_run):
    out, returned, stdout = quick_run
    assert (out / "REPORT.md").read_text().startswith("# ")
    assert "<h2>Summary</h2>" in (out / "REPORT.html").read_text()
    assert f"with {len(riptools.reproduce.source_modules())} section(s)" in stdout


@pytest.mark.slow
def test_quick_output_has_one_section_per_source(quick_run):
    out, returned, _ = quick_run
    assert set(returned) == set(riptools.reproduce.source_modules())
    assert all(isinstance(section, Section) for section in returned.values())
    titles = [title for title, _ in _headings((out / "REPORT.md").read_text())]
    assert titles == ["Summary", "Findings"] + [section.title for section in _ordered(returned)]
    page = (out / "REPORT.html").read_text()
    for section in returned.values():
        assert f"<h2>{html.escape(section.title)}</h2>" in page


@pytest.mark.slow
def test_quick_output_opens_with_the_summary_and_the_findings_by_source(quick_run):
    out, returned, _ = quick_run
    text = (out / "REPORT.md").read_text()
    (_, summary), (_, findings), *_ = _headings(text)
    groups = by_source(returned.values())
    assert len([line for line in summary.splitlines() if line.strip()]) <= 50, "the summary is one screen"
    tables = _headings(findings, level=3)
    assert [title for title, _ in tables] == [reference.full for reference, _ in groups]
    for (_, body), (reference, expected) in zip(tables, groups):
        assert f"**{reference.short}**" in summary
        lines = [line for line in body.splitlines() if line.startswith("|")]
        assert lines[:2] == list(TABLE_HEADER)
        rows = _table_rows("\n".join(line for line in lines if line not in TABLE_HEADER))
        ordered = [f for f in expected if not f.diagnostic] + [f for f in expected if f.diagnostic]
        assert len(rows) == len(ordered)
        for cells, finding in zip(rows, ordered):
            assert len(cells) == 5, cells
            assert cells[0] == finding.statement.replace("\n", " ") and cells[1] == finding.source.citation
            verdict = re.fullmatch(r"(\w+)(?: \((.+)\))?", cells[4], flags=re.DOTALL)
            assert verdict and verdict.group(1) in VERDICTS and verdict.group(1) == finding.verdict.value, cells[4]
            assert (verdict.group(2) or "") == finding.reason.replace("\n", " ")
            assert "seed 00" not in cells[1] and not re.search(r"\bissue \d", cells[1]), cells[1]


@pytest.mark.slow
def test_quick_output_sections_have_figures_and_regenerate_commands(quick_run):
    out, returned, _ = quick_run
    sections = dict(_headings((out / "REPORT.md").read_text()))
    parser = build_parser()
    for section in returned.values():
        body = sections[section.title]
        links = re.findall(r"^!\[[^\]]*\]\(([^)]+)\)$", body, flags=re.MULTILINE)
        assert links and links == list(section.figures), f"{section.title}: figures {section.figures}, linked {links}"
        block = re.search(r"^Regenerate with:\n\n```\n(.*?)\n```$", body, flags=re.MULTILINE | re.DOTALL)
        assert block, f"{section.title}: no regenerate block"
        commands = block.group(1).splitlines()
        assert commands and commands == list(section.commands)
        for command in commands:  # each is a command line riptools accepts
            program, *argv = shlex.split(command)
            assert program == "riptools", command
            parser.parse_args(argv)


@pytest.mark.slow
def test_quick_output_links_every_figure_file_and_every_link_exists(quick_run):
    out, returned, _ = quick_run
    report = (out / "REPORT.md").read_text()
    links = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", report)
    assert len(links) == len(set(links)) == sum(len(section.figures) for section in returned.values())
    for link in links:
        assert (out / link).read_bytes().startswith(b"\x89PNG"), f"{link} is linked but is not a PNG file"
    files = {path.relative_to(out).as_posix() for path in out.rglob("*.png")}
    assert files == set(links), f"figure files not linked: {files - set(links)}; links to no file: {set(links) - files}"


@pytest.mark.slow
def test_quick_output_html_inlines_every_png(quick_run):
    out, _, _ = quick_run
    page = (out / "REPORT.html").read_text()
    links = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", (out / "REPORT.md").read_text())
    sources = re.findall(r'<img [^>]*src="([^"]+)"', page)
    assert len(sources) == len(links)
    inlined = [base64.b64decode(source.removeprefix("data:image/png;base64,")) for source in sources
               if source.startswith("data:image/png;base64,")]
    assert inlined == [(out / link).read_bytes() for link in links]


# --- --full states its expected time up front (fast: stub experiments) ---

def _stub(title, seconds, on_start=lambda: None):
    """Returns a stand-in source module whose section records ``on_start()`` when it starts."""
    started = []

    def reproduce_section(context):
        started.append(on_start())
        return Section(title=title, markdown="stub", commands=(f"riptools reproduce --only {title}",))

    return types.SimpleNamespace(reproduce_section=reproduce_section, FULL_EXPECTED_SECONDS=seconds, started=started)


def test_full_prints_expected_time_of_the_selected_experiments_first(tmp_path, capsys, monkeypatch):
    stubs = {"short": _stub("short", 900, on_start=lambda: capsys.readouterr().err), "long": _stub("long", 1500),
             "unselected": _stub("unselected", 100_000)}
    monkeypatch.setattr(riptools.reproduce, "source_modules", lambda: stubs)
    argv = ["reproduce", "--full", "--out", str(tmp_path), "--only", "short", "long", "--workers", "1"]
    assert main(argv) == 0
    (before_work,) = stubs["short"].started  # stderr as it stood when the first experiment started
    assert len(stubs["long"].started) == 1 and not stubs["unselected"].started
    expected = re.findall(r"expected time about (\d+) minutes", before_work)
    assert expected == [str((900 + 1500) // 60)], before_work


def test_quick_does_not_print_a_full_time_estimate(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(riptools.reproduce, "source_modules", lambda: {"short": _stub("short", 900)})
    assert main(["reproduce", "--quick", "--out", str(tmp_path), "--workers", "1"]) == 0
    assert "expected time" not in capsys.readouterr().err
