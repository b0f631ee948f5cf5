"""The ``gamesim`` command line.

Each subcommand lives in its own module with a ``register(subparsers)``
function. User errors (:class:`gamesim.errors.GamesimError`) end the command
with one line on standard error and exit status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys

from gamesim.errors import GamesimError

# subcommand modules, in the order ``gamesim --help`` lists them
SUBCOMMANDS = (
    "gamesim.cli.listing",
    "gamesim.cli.run",
    "gamesim.cli.equilibria",
    "gamesim.cli.analyze",
    "gamesim.cli.compare",
    "gamesim.cli.report",
    "gamesim.cli.bench",
)


class _Parser(argparse.ArgumentParser):
    """An argument parser whose usage errors exit with status 2 in one line."""

    def error(self, message):
        self.exit(2, f"gamesim: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``gamesim`` command."""
    from gamesim import __version__

    parser = _Parser(
        prog="gamesim",
        description="Simulate learning in games: GANs, bilinear and matrix games.",
    )
    parser.add_argument("--version", action="version", version=f"gamesim {__version__}")
    parser.add_argument("-v", "--verbose", action="count", default=0,
                        help="log progress (-v info, -vv debug)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name in SUBCOMMANDS:
        importlib.import_module(name).register(sub)
    return parser


def _log_verbosely(count: int) -> None:
    """Show warnings always; gamesim's INFO for ``-v``, DEBUG for ``-vv``.

    Warnings and errors reach standard error even without ``-v`` (the
    ``gamesim`` logger's NullHandler would otherwise swallow them). Only the
    ``gamesim`` logger (and its children) is lowered; the root logger stays
    at WARNING, so third-party libraries (numba's compiler, distributed,
    matplotlib) still log warnings and errors only.
    """
    logging.basicConfig(level=logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    if not count:
        return
    level = logging.DEBUG if count > 1 else logging.INFO
    logging.getLogger("gamesim").setLevel(level)


def main(argv=None) -> int:
    """Entry point of the ``gamesim`` command; returns the exit status."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # usage errors (exit 2), --help and --version
        return int(exc.code or 0)
    _log_verbosely(args.verbose)
    if not getattr(args, "func", None):
        if args.command is None and "gamesim.cli.compare" in SUBCOMMANDS:
            # the main job: `gamesim compare` with no arguments
            args = parser.parse_args(["compare"])
        else:
            parser.print_help()
            return 2
    try:
        return int(args.func(args) or 0)
    except GamesimError as exc:
        print(f"gamesim: error: {exc}", file=sys.stderr)
        return 2
    except NotImplementedError as exc:
        print(f"gamesim: not implemented: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("gamesim: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # output piped into a reader that stopped (head)
        sys.stderr.close()
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
