"""``hzaddr`` command-line interface.

Each topic registers its sub-commands from its own module (``_codes``, ``_city``, ``_match``,
``_locate``, ``_ledger``, ``_versions``, ``_serve``); heavy imports happen inside the command functions, so ``hzaddr --help``
stays fast.

Exit codes: 0 ok, 1 invalid input (some code / address / row was invalid), 2 usage error (and per
command: 3 ``normalize`` rows failed, 4 ``city apply`` version conflict).
Errors are printed to stderr as one line starting with ``hzaddr: error:``.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from ..errors import HangzhouAddressError

__all__ = ["main", "build_parser", "EXIT_OK", "EXIT_INVALID", "EXIT_USAGE"]

EXIT_OK = 0
EXIT_INVALID = 1
EXIT_USAGE = 2

#: modules under hangzhou_address.cli that define ``register(subparsers)``
_COMMAND_MODULES = ("_codes", "_city", "_match", "_locate", "_ledger", "_versions", "_serve")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="hzaddr",
        description="Hangzhou unified address library: codes, divisions, matching, spatial look-ups, ledgers.",
    )
    from .. import __version__

    parser.add_argument("--version", action="version", version=f"hzaddr (hangzhou_address) {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in _COMMAND_MODULES:
        module = importlib.import_module(f"{__name__}.{name}")
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``hzaddr``; returns the exit code."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on usage errors, 0 on --help
        return int(exc.code or 0)
    if not getattr(args, "func", None):
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    try:
        return int(args.func(args))
    except HangzhouAddressError as exc:
        print(f"hzaddr: error: {exc}", file=sys.stderr)
        return EXIT_INVALID
    except KeyboardInterrupt:
        print("hzaddr: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except OSError as exc:
        print(f"hzaddr: error: {exc}", file=sys.stderr)
        return EXIT_INVALID


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
