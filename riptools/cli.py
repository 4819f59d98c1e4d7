"""The ``riptools`` console script: one subcommand per capability (see :mod:`riptools.commands`).

Start-up stays fast (``riptools --help`` and every ``riptools COMMAND --help`` under 0.5 s): the
subcommand modules import only argparse helpers at module level, and each imports what its work needs
(cvxpy, numba, sympy, matplotlib, ...) inside its handler.
"""

from __future__ import annotations

import os
import signal
import sys

from riptools import __version__
from riptools.commands import command_modules
from riptools.commands._arguments import Parser, add_allow_large, describe_subcommands, subparsers_of
from riptools.validation import InputError, one_line_text


def build_parser() -> Parser:
    """Returns the argument parser with every subcommand registered.

    Every subcommand that runs something gets ``--allow-large`` (the one rule for raising the soft
    size limits, see :func:`riptools.validation.check_size`).
    """
    parser = Parser(
        prog="riptools",
        description="Computational checks of theory for nonconvex low-rank matrix recovery.",
    )
    parser.add_argument("--version", action="version", version=f"riptools {__version__}")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in command_modules():
        module.register(subparsers)
    for child in subparsers_of(parser):
        if "handler" in child._defaults and "allow_large" not in child._defaults:
            add_allow_large(child)
        describe_subcommands(child)
    return parser


class _Interrupted:
    """Records a Ctrl-C, so that a process pool broken by it is reported as the interruption it is."""

    seen = False

    @classmethod
    def handler(cls, signum, frame):
        cls.seen = True
        raise KeyboardInterrupt


def main(argv=None) -> int:
    """Runs the command line; bad input ends with exit code 2 and a one-line message on stderr."""
    from concurrent.futures.process import BrokenProcessPool

    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as stop:  # --help, --version (0) or a malformed argument (2, its line already printed)
        return stop.code if isinstance(stop.code, int) else 2
    _Interrupted.seen = False
    previous = signal.getsignal(signal.SIGINT)
    if previous is signal.default_int_handler:  # not when Ctrl-C is ignored (a background job)
        signal.signal(signal.SIGINT, _Interrupted.handler)
    try:
        return int(args.handler(args) or 0)
    except InputError as error:
        print(f"riptools {args.command}: error: {one_line_text(error)}", file=sys.stderr)
        return 2
    except (KeyboardInterrupt, BrokenProcessPool) as error:
        if isinstance(error, BrokenProcessPool) and not _Interrupted.seen:
            raise  # a worker died on its own (out of memory?): a failure to show, not an interruption
        print(f"riptools {args.command}: interrupted; finished results are kept", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (`riptools ... | head`): stop quietly, as other Unix tools do. Output
        # still buffered would raise again when Python flushes stdout at exit, so point it at devnull.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    finally:
        if previous is signal.default_int_handler:
            signal.signal(signal.SIGINT, previous)


if __name__ == "__main__":
    sys.exit(main())
