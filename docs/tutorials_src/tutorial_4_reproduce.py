"""
Reproduce the report, resume it, run it on a Dask cluster
=========================================================

``riptools reproduce`` runs every source document's checks, stores each finished task as data, and
writes ``REPORT.md`` and ``REPORT.html``. Each task is a pure function of its parameters and seed,
stored under a key made of them and of riptools' code version, so an interrupted run resumes where
it stopped, and the results are the same on one process, a process pool or a Dask cluster.

This tutorial runs one source (``--only``) at the quick size to keep the build short; without
``--only`` every source runs, and ``--full`` runs the sources' real sizes.
"""

# %%
# The sources
# -----------
import subprocess
import sys
import tempfile
from pathlib import Path


def riptools(*arguments):
    """Runs ``riptools ARGUMENTS`` with this Python and returns what it printed (stdout, then stderr)."""
    run = subprocess.run([sys.executable, "-m", "riptools", *arguments], capture_output=True, text=True, check=True)
    return run.stdout, run.stderr


print(riptools("sources")[0])

# %%
# Run one source
# --------------
out = Path(tempfile.mkdtemp()) / "report"
_, log = riptools("reproduce", "--quick", "--only", "zjsl_neurips2018", "--out", str(out), "--workers", "1")
print(log.strip().splitlines()[-1])
print(sorted(path.name for path in out.iterdir()))

# %%
# The report opens with a summary per source, then the findings, then a section per source with its
# figures and the commands that regenerate them:
print("\n".join((out / "REPORT.md").read_text().splitlines()[:12]))

# %%
# Resume
# ------
# Run the same command again (as after an interruption): every finished task is read from
# ``results/store/`` instead of being computed, and the last lines of the log say so.
_, log = riptools("reproduce", "--quick", "--only", "zjsl_neurips2018", "--out", str(out), "--workers", "1")
import re

print("\n".join(re.findall(r"\[reproduce\][^\r\n]*reused[^\r\n]*", log)))

# %%
# On a Dask cluster
# -----------------
# ``--scheduler ADDRESS`` sends the sweeps' tasks to a Dask cluster (install the ``dask`` extra where
# riptools runs, the same version everywhere). A cluster is a scheduler and workers: on real
# machines run ``dask scheduler`` on one and ``dask worker tcp://HOST:8786`` on the others. Here both
# run on this machine's loopback address, and the findings equal those of the run in one process.
import json
import socket

with socket.socket() as probe:  # a free port for the scheduler
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
address = f"tcp://127.0.0.1:{port}"
quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
scheduler = subprocess.Popen([sys.executable, "-m", "dask", "scheduler", "--host", "127.0.0.1", "--port", str(port),
                              "--dashboard-address", ":0", "--no-show"], **quiet)
worker = subprocess.Popen([sys.executable, "-m", "dask", "worker", address, "--nworkers", "1", "--nthreads", "1",
                           "--no-dashboard"], **quiet)
try:
    from dask.distributed import Client

    with Client(address, timeout=60) as client:
        client.wait_for_workers(1, timeout=60)
    on_dask = Path(tempfile.mkdtemp()) / "report"
    riptools("reproduce", "--quick", "--only", "zjsl_neurips2018", "--out", str(on_dask), "--scheduler", address)
finally:
    for process in (worker, scheduler):
        process.terminate()
        process.wait(timeout=60)


def verdicts(folder):
    """Returns {finding id: verdict} from a report folder's ``results/findings.json``."""
    findings = json.loads((folder / "results" / "findings.json").read_text())
    return {finding["id"]: finding["verdict"] for finding in findings}


print(verdicts(on_dask))
print("the same verdicts on Dask as in one process:", verdicts(on_dask) == verdicts(out))
