"""``--city DIR`` for every command that uses a registry: one option, opened one way.

A city directory is opened as ``hzaddr normalize --city`` (and its worker processes, and
:mod:`hangzhou_address.dask`) open it: the directory's tables with the official NBS divisions and
their lineage. Without ``--city`` a command uses the embedded registry.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

__all__ = ["add_city_option", "open_registry", "city_inputs"]

CITY_HELP = ("city directory (built by `hzaddr city build`, or your own) to use instead of the small "
             "embedded SYNTHETIC city")


def add_city_option(parser: argparse.ArgumentParser) -> None:
    """Add ``--city DIR`` to a sub-command."""
    parser.add_argument("--city", type=Path, metavar="DIR", help=CITY_HELP)


def open_registry(city: Path | None) -> Any:
    """The registry of ``--city`` (or the embedded one); a bad directory raises a one-line
    :class:`~hangzhou_address.errors.DataError`."""
    if city is None:
        from ..registry import default_registry

        return default_registry()
    from ..errors import DataError
    from ..ledger import _open

    if not city.is_dir():
        raise DataError(f"--city {city}: not a directory (a city directory, see `hzaddr city build`)")
    return _open(str(city))


def city_inputs(city: Path | None) -> dict[str, Path]:
    """The files of ``--city`` as inputs for :func:`~hangzhou_address.io._atomic.check_outputs` (no
    output may overwrite them), named as ``normalize`` names them."""
    if city is None or not city.is_dir():
        return {}
    return {f"the city directory's {p.name}": p for p in city.iterdir() if p.is_file()}
