"""Locate the data files shipped with the package (wheel) or the source tree (editable)."""

from __future__ import annotations

from pathlib import Path

__all__ = ["data_dir"]


def data_dir() -> Path:
    """Return the directory holding the embedded data.

    In a wheel the top-level ``data/`` folder is installed as ``hangzhou_address/_data``;
    in a source checkout (editable install) it is ``<repo>/data``.
    """
    here = Path(__file__).resolve().parent
    for candidate in (here / "_data", here.parent / "data"):
        if (candidate / "divisions").is_dir():
            return candidate
    from .errors import DataNotAvailableError

    raise DataNotAvailableError(
        f"embedded data not found (looked in {here / '_data'} and {here.parent / 'data'}); "
        "reinstall the package"
    )
