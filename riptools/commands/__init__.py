"""Subcommands of the ``riptools`` console script, one module each.

Each module defines ``register(subparsers)``, which adds its parser and sets ``handler`` (a function
of the parsed arguments returning an exit code) with ``parser.set_defaults(handler=...)``.
"""

from __future__ import annotations

import importlib
import pkgutil


def command_modules():
    """Returns the subcommand modules of this package, in name order."""
    return [importlib.import_module(f"{__name__}.{info.name}") for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name)]
