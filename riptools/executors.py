"""Executors for embarrassingly parallel sweeps: serial, a local process pool, or a Dask cluster.

Every sweep hands riptools a list of parameter sets and a top-level function; each task is a pure
function of its parameters (seeds included), so the results are identical whichever executor runs
them. Dask is used through its ``concurrent.futures`` interface (``Client.get_executor()``).
"""

from __future__ import annotations

import concurrent.futures
import multiprocessing
import os
import re
import signal
import socket
import sys
import threading
import time
from concurrent.futures import Executor

from riptools.validation import InputError

SCHEDULER_ADDRESS = re.compile(r"^(?:(tcp|tls)://)?(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.\-]+):(\d{1,5})$")
"""A Dask scheduler address: ``[tcp://|tls://]HOST:PORT``."""
CONNECT_TIMEOUT = 5.0
"""Seconds to wait for a scheduler to accept a connection before refusing ``--scheduler``."""
PARENT_POLL_SECONDS = 0.5
"""How often a pool worker checks that the process that started it is still alive."""


class SerialExecutor(Executor):
    """Runs each task at once in this process (no pickling, easiest to debug)."""

    def submit(self, fn, /, *args, **kwargs):
        future = concurrent.futures.Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except Exception as error:  # the caller sees it through future.result(); Ctrl-C propagates
            future.set_exception(error)
        return future


def stop_on_interrupt() -> None:
    """Makes Ctrl-C end this (worker) process at once.

    Python would raise KeyboardInterrupt only when a numba kernel returns, which in a long run can
    be minutes; the task is lost either way, and every finished task is already stored.
    """
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _exit_with_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(PARENT_POLL_SECONDS)
    os._exit(1)


def init_worker(parent: int) -> None:
    """Prepares a pool worker: Ctrl-C ends it at once, and it ends when its parent ``parent`` dies.

    A pool's workers wait on a queue the parent feeds; when the parent is killed (SIGKILL, out of
    memory) nothing closes that queue, so without this they and the resource tracker would wait
    forever. A daemon thread polls ``os.getppid()`` (which changes when the worker is orphaned) and
    ends the worker, whatever task it runs: that task's result would have nowhere to go.
    """
    stop_on_interrupt()
    threading.Thread(target=_exit_with_parent, args=(parent,), daemon=True, name="riptools-parent-watch").start()


def check_scheduler(address: str) -> tuple[str, int]:
    """Returns (host, port) of a Dask scheduler address after checking that it accepts a connection.

    Raises:
        InputError: a malformed address, or no scheduler answering there within CONNECT_TIMEOUT.
    """
    match = SCHEDULER_ADDRESS.match(address.strip())
    if not match:
        raise InputError(f"--scheduler: expected an address such as tcp://HOST:8786, got {address[:80]!r}")
    host, port = match.group(2).strip("[]"), int(match.group(3))
    try:
        socket.create_connection((host, port), timeout=CONNECT_TIMEOUT).close()
    except OSError as error:
        reason = "no answer" if isinstance(error, socket.timeout) else (error.strerror or str(error))
        raise InputError(f"--scheduler: cannot reach {address} within {CONNECT_TIMEOUT:g} s ({reason}); "
                         "is `dask scheduler` running there?") from None
    return host, port


def make_executor(*, workers: int = 1, scheduler: str | None = None):
    """Returns (executor, close): Dask when ``scheduler`` is given, a process pool when workers > 1.

    Args:
        workers: local worker processes (1 = run in this process).
        scheduler: address of a running ``dask.distributed`` scheduler, e.g. ``tcp://10.0.0.5:8786``.

    More local workers than cores are capped at the cores (each task uses a core fully), with a note
    on stderr.

    Raises:
        InputError: workers < 1, a scheduler address that is malformed or does not answer, or a
            scheduler given without the ``dask`` extra installed.
    """
    if scheduler is not None:
        check_scheduler(scheduler)
        try:
            from dask.distributed import Client
        except ImportError:
            raise InputError("--scheduler: needs the dask extra (pip install -e \".[dask]\")") from None
        try:
            client = Client(scheduler, timeout=f"{CONNECT_TIMEOUT * 2:g}s")
        except Exception as error:  # whatever answers there (a proxy, a web server) failed the handshake
            raise InputError(f"--scheduler: {scheduler} accepts connections but is not a Dask scheduler "
                             f"({type(error).__name__}: {' '.join(str(error).split())[:120]})") from None
        return client.get_executor(), client.close
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise InputError(f"--workers: expected an integer ≥ 1, got {workers!r}")
    cores = os.cpu_count() or 1
    if workers > cores:
        print(f"--workers: {workers} capped at this machine's {cores} cores", file=sys.stderr)
        workers = cores
    if workers == 1:
        return SerialExecutor(), lambda: None
    # spawn, not fork: numba's and OpenBLAS's threads do not survive a fork safely.
    pool = concurrent.futures.ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
                                                  initializer=init_worker, initargs=(os.getpid(),))
    # On an interruption the queued tasks are cancelled (by default they would all still run, and
    # their results be thrown away); finished ones are already stored.
    return pool, lambda: pool.shutdown(wait=True, cancel_futures=True)
