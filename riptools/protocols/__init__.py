"""Protocols: the computing half of every experiment, with no prose and no verdicts.

A protocol is a pure function from a frozen parameters dataclass to a frozen result dataclass
(``run(params) -> result``), declared once with its quick and full sizes and the command that
replays it. Stored tasks are (protocol, parameters) pairs, so store keys and replay commands are
generated from the parameters, never written by hand. Numerical kernels live in
:mod:`riptools.dynamics`; verdicts and prose live in :mod:`riptools.sources`.

Example:
    >>> from dataclasses import dataclass
    >>> @dataclass(frozen=True)
    ... class SquareParams:
    ...     x: float
    ...     trials: int = 10
    >>> square = Protocol(name="square", run=lambda p: p.x ** 2, params=SquareParams,
    ...                   sizes={"quick": {"trials": 10}, "full": {"trials": 1000}},
    ...                   command=lambda p: f"square --x {p.x} --trials {p.trials}")
    >>> square.sized(quick=False, x=3.0)
    SquareParams(x=3.0, trials=1000)
    >>> square.size("trials", quick=True)
    10
    >>> square.replay(square.sized(quick=True, x=2.0))
    'square --x 2.0 --trials 10'
"""

from __future__ import annotations

import dataclasses
import functools
from dataclasses import dataclass, field
from typing import Callable


@dataclass(frozen=True)
class Protocol:
    """One experiment protocol: parameters in, a frozen result out.

    Attributes:
        name: stable name; the store keys of its tasks are (name, parameters).
        run: ``run(params) -> result``, a top-level function (tasks run in other processes).
        params: the frozen parameters dataclass.
        sizes: ``{"quick": {...}, "full": {...}}``: the values that make the quick and the full
            (source-size) version, declared here once: parameter fields (used by :meth:`sized`) and
            the grids a source sweeps over (read with :meth:`size`).
        command: ``command(params) -> str``, the ``riptools ...`` command that replays one task; when
            None, :meth:`replay` writes a ``python -c`` line that calls ``run`` on the parameters.
    """

    name: str
    run: Callable
    params: type
    sizes: dict = field(default_factory=lambda: {"quick": {}, "full": {}})
    command: Callable | None = None

    def sized(self, *, quick: bool, **values):
        """Returns the parameters with the quick or full sizes, overridden by ``values``."""
        fields = {f.name for f in dataclasses.fields(self.params)}
        declared = {key: value for key, value in self.sizes["quick" if quick else "full"].items() if key in fields}
        return self.params(**{**declared, **values})

    def size(self, key: str, *, quick: bool):
        """Returns the declared quick or full value of ``key`` (a parameter or a grid)."""
        return self.sizes["quick" if quick else "full"][key]

    def replay(self, params) -> str:
        """Returns the command that replays the task ``params``, generated from the parameters."""
        if self.command:
            return self.command(params)
        arguments = ", ".join(f"{f.name}={getattr(params, f.name)!r}" for f in dataclasses.fields(params))
        return (f'python -c "from {self.run.__module__} import {self.run.__name__}, {self.params.__name__}; '
                f'print({self.run.__name__}({self.params.__name__}({arguments})))"')

    def task_function(self) -> Callable:
        """Returns ``f(**values) = run(params(**values))``, picklable whatever ``command`` is (sent to workers)."""
        return functools.partial(run_task, self.run, self.params)

    def task(self, params) -> dict:
        """Returns the stored form of ``params``: a JSON-ready dict (the store key's parameters)."""
        return dataclasses.asdict(params)


def run_task(run: Callable, params: type, **values):
    """Returns ``run(params(**values))``: a protocol task as executors run it (a top-level function)."""
    return run(params(**values))

