"""Subcommands of the ``riptools`` console script, one module each.

Each module defines ``register(subparsers)``, which adds its parser and sets ``handler`` (a function
of the parsed arguments returning an exit code) with ``parser.set_defaults(handler=...)``.
A module imports only :mod:`riptools.commands._arguments` and
:mod:`riptools.validation` at its top, and what its work needs inside its handler, so that
``riptools --help`` stays fast.
"""

from __future__ import annotations

import importlib
import pkgutil


def command_modules():
    """Returns the subcommand modules of this package, in name order (``_``-prefixed helpers excluded)."""
    names = sorted(info.name for info in pkgutil.iter_modules(__path__) if not info.name.startswith("_"))
    return [importlib.import_module(f"{__name__}.{name}") for name in names]
