"""Executors for embarrassingly parallel sweeps: serial, a local process pool, or a Dask cluster.

Every sweep hands riptools a list of parameter sets and a top-level function; each task is a pure
function of its parameters (seeds included), so the results are identical whichever executor runs
them. Dask is used through its ``concurrent.futures`` interface (``Client.get_executor()``).
"""

from __future__ import annotations

import concurrent.futures
import multiprocessing
import signal
from concurrent.futures import Executor

from riptools.validation import InputError


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


def make_executor(*, workers: int = 1, scheduler: str | None = None):
    """Returns (executor, close): Dask when ``scheduler`` is given, a process pool when workers > 1.

    Args:
        workers: local worker processes (1 = run in this process).
        scheduler: address of a running ``dask.distributed`` scheduler, e.g. ``tcp://10.0.0.5:8786``.

    Raises:
        InputError: workers < 1, or a scheduler given without the ``dask`` extra installed.
    """
    if scheduler:
        try:
            from dask.distributed import Client
        except ImportError:
            raise InputError("--scheduler: needs the dask extra (pip install -e \".[dask]\")") from None
        client = Client(scheduler)
        return client.get_executor(), client.close
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise InputError(f"--workers: expected an integer ≥ 1, got {workers!r}")
    if workers == 1:
        return SerialExecutor(), lambda: None
    # spawn, not fork: numba's and OpenBLAS's threads do not survive a fork safely.
    pool = concurrent.futures.ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
                                                  initializer=stop_on_interrupt)
    # On an interruption the queued tasks are cancelled (by default they would all still run, and
    # their results be thrown away); finished ones are already stored.
    return pool, lambda: pool.shutdown(wait=True, cancel_futures=True)
