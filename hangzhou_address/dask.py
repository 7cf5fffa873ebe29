"""The Dask path: normalize a ledger that outgrows one machine.

``normalize_dask(ddf, column)`` (also reached through :func:`hangzhou_address.ledger.normalize_frame`
on a ``dask.dataframe.DataFrame``) maps every partition through the matcher with ``map_partitions``.
The registry and matcher are **not** shipped with each task: each worker process builds them once,
on its first partition, from a small picklable *spec* (``None`` = the embedded registry, or a city
directory path that every worker can read), and keeps them for the life of the process. On a
multi-machine cluster put the city directory on shared storage (or install the package with its
embedded data on every worker) and pass ``registry_dir=``.
"""

from __future__ import annotations

import functools
from typing import Any

import pandas as pd

__all__ = ["normalize_dask", "worker_matcher"]


@functools.lru_cache(maxsize=4)
def worker_matcher(registry_dir: str | None = None) -> Any:
    """The matcher of this process for ``registry_dir`` (built once per worker process)."""
    from .ledger import _open
    from .matcher import default_matcher
    from .registry import default_registry

    reg = default_registry() if registry_dir is None else _open(registry_dir)
    return default_matcher(reg)


def _partition(pdf: pd.DataFrame, column: str, x: str | None, y: str | None, crs: Any,
               registry_dir: str | None, fuzzy: bool = True) -> pd.DataFrame:
    from .ledger import normalize_frame

    matcher = worker_matcher(registry_dir)
    return normalize_frame(pdf, column, matcher, x=x, y=y, crs=crs, fuzzy=fuzzy)


def normalize_dask(ddf: Any, column: str, *, x: str | None = None, y: str | None = None, crs: Any = None,
                   registry_dir: str | None = None, fuzzy: bool = True) -> Any:
    """Lazy Dask version of :func:`hangzhou_address.ledger.normalize_frame`.

    Parameters
    ----------
    ddf : dask.dataframe.DataFrame
        The ledger; its columns are kept unchanged.
    column : str
        The address column.
    x, y, crs : optional
        Coordinate columns, as in :func:`~hangzhou_address.ledger.normalize_frame`.
    registry_dir : str, optional
        City directory every worker can read (default: the embedded registry).
    fuzzy : bool, default True
        Fuzzy mode (misspelled names are read, with a ``fuzzy:`` reason); False is the exact mode:
        names must be spelled as in the registry.

    Returns
    -------
    dask.dataframe.DataFrame
        Lazy; ``ddf`` with :data:`~hangzhou_address.ledger.RESULT_COLUMNS` appended.

    Raises
    ------
    InputError
        A missing column or a ``fuzzy`` that is not a bool.
    """
    from .errors import InputError
    from .ledger import RESULT_COLUMNS
    from .matcher import _check_fuzzy

    fuzzy = _check_fuzzy(fuzzy)
    if column not in ddf.columns:
        from ._privacy import columns_hint

        raise InputError(f"column {column!r} not found; {columns_hint(ddf.columns)}")
    meta = ddf._meta.copy()
    for c in RESULT_COLUMNS:
        meta[c] = pd.Series(dtype=object)
    if x is not None:
        meta["point_grid_code"] = pd.Series(dtype=object)
    return ddf.map_partitions(_partition, column, x, y, crs, registry_dir, fuzzy, meta=meta)
