"""The ``riptools`` console script: one subcommand per capability (see :mod:`riptools.commands`)."""

from __future__ import annotations

import argparse
import os
import sys

from riptools.commands import command_modules
from riptools.validation import InputError


def build_parser() -> argparse.ArgumentParser:
    """Returns the argument parser with every subcommand registered."""
    parser = argparse.ArgumentParser(
        prog="riptools",
        description="Computational checks of theory for nonconvex low-rank matrix recovery.",
    )
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in command_modules():
        module.register(subparsers)
    return parser


def main(argv=None) -> int:
    """Runs the command line; bad input ends with exit code 2 and a one-line message on stderr."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args) or 0)
    except InputError as error:
        print(f"riptools {args.command}: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"riptools {args.command}: interrupted; finished results are kept", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (`riptools ... | head`): stop quietly, as other Unix tools do. Output
        # still buffered would raise again when Python flushes stdout at exit, so point it at devnull.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141


if __name__ == "__main__":
    sys.exit(main())
