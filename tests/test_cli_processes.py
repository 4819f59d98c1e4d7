"""Interrupting and killing ``riptools reproduce``: exit 130 on Ctrl-C, no orphaned pool workers.

The signal tests run the console script in its own process group (as a terminal would) and are
marked slow: each starts a process pool.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from riptools.executors import make_executor

POOL_START_SECONDS = 120
"""Time allowed for the pool's workers to appear (imports on a loaded 2-core machine)."""
EXIT_SECONDS = 30
"""Time allowed for every process of the group to end after the signal (workers poll their parent every 0.5 s)."""


def test_workers_beyond_the_cores_are_capped_with_a_note(capsys):
    executor, close = make_executor(workers=100_000)
    try:
        assert executor._max_workers == (os.cpu_count() or 1)
    finally:
        close()
    assert "capped" in capsys.readouterr().err


def _group(pgid: int) -> list[int]:
    listing = subprocess.run(["ps", "-o", "pid=", "-g", str(pgid)], capture_output=True, text=True).stdout
    return [int(pid) for pid in listing.split()]


def _start_reproduce(out: Path) -> subprocess.Popen:
    script = Path(sys.executable).with_name("riptools")
    return subprocess.Popen(
        [str(script), "reproduce", "--quick", "--only", "zjsl_neurips2018", "--out", str(out), "--workers", "2"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
        # as in a terminal: Ctrl-C not ignored (a background job of a script would ignore it)
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))


def _wait_for_pool(process: subprocess.Popen) -> list[int]:
    deadline = time.monotonic() + POOL_START_SECONDS
    while time.monotonic() < deadline:
        members = _group(process.pid)
        if len(members) >= 4:  # riptools, the resource tracker and two workers
            time.sleep(1.0)
            return _group(process.pid)
        if process.poll() is not None:
            pytest.fail(f"reproduce ended before its pool started: {process.stderr.read()[-500:]}")
        time.sleep(0.2)
    pytest.fail("the pool did not start")


def _gone(pids: list[int]) -> list[int]:
    deadline = time.monotonic() + EXIT_SECONDS
    while time.monotonic() < deadline:
        alive = [pid for pid in pids if Path(f"/proc/{pid}").exists() and "Z" not in Path(f"/proc/{pid}/stat").read_text().split()[2]]
        if not alive:
            return []
        time.sleep(0.2)
    return alive


@pytest.mark.slow
@pytest.mark.skipif(sys.platform != "linux", reason="reads /proc")
def test_ctrl_c_exits_130_with_one_line_and_keeps_finished_work(tmp_path):
    process = _start_reproduce(tmp_path)
    members = _wait_for_pool(process)
    os.killpg(process.pid, signal.SIGINT)
    _, stderr = process.communicate(timeout=EXIT_SECONDS)
    assert process.returncode == 130
    assert "Traceback" not in stderr and "BrokenProcessPool" not in stderr
    assert stderr.strip().splitlines()[-1] == "riptools reproduce: interrupted; finished results are kept"
    assert _gone(members) == []


@pytest.mark.slow
@pytest.mark.skipif(sys.platform != "linux", reason="reads /proc")
def test_sigkill_leaves_no_orphaned_workers_or_resource_tracker(tmp_path):
    process = _start_reproduce(tmp_path)
    members = _wait_for_pool(process)
    process.kill()
    process.communicate(timeout=EXIT_SECONDS)
    assert _gone(members) == []
