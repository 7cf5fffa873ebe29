"""The Dask path: normalize a ledger that outgrows one machine.

``normalize_dask(ddf, column)`` (also reached through :func:`hangzhou_address.ledger.normalize_frame`
on a ``dask.dataframe.DataFrame``) maps every partition through the matcher with ``map_partitions``.
The registry and matcher are **not** shipped with each task: each worker process builds them once,
on its first partition, from a small picklable *spec* (``None`` = the embedded registry, or a city
directory path that every worker can read), and keeps them for the life of the process. On a
multi-machine cluster put the city directory on shared storage (or install the package with its
embedded data on every worker) and pass ``registry_dir=``.

A ``registry=`` or ``matcher=`` given in memory is honoured too: it enters the task graph once (one
``dask.delayed`` key, not a copy per partition). With the threaded or synchronous scheduler the very
object is used; where it crosses to another process it travels as its registry's tables (or, for a
registry opened from a directory, their file paths) and the matcher's options, and is rebuilt once per
worker on its first partition (once per partition under the ``processes`` scheduler).
"""

from __future__ import annotations

import functools
import threading
import uuid
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


class _ShippedMatcher:
    """A matcher handed to Dask tasks: used as is in this process; pickled as its class, registry and
    options (not its indexes), and rebuilt on first use where it is unpickled."""

    __slots__ = ("_matcher", "_recipe", "_lock")

    def __init__(self, matcher: Any = None, recipe: tuple | None = None) -> None:
        self._matcher = matcher
        self._recipe = recipe
        self._lock = threading.Lock()

    def __reduce__(self) -> tuple:
        m = self._matcher
        recipe = self._recipe if m is None else (
            type(m), m.registry,
            {"max_candidates": m.max_candidates, "fuzzy": m.fuzzy, "confidence_model": m.confidence_model})
        return (_ShippedMatcher, (None, recipe))

    def get(self) -> Any:
        with self._lock:
            if self._matcher is None:
                cls, registry, options = self._recipe  # type: ignore[misc]
                self._matcher = cls(registry, **options)
            return self._matcher


def _partition(pdf: pd.DataFrame, column: str, x: str | None, y: str | None, crs: Any,
               source: str | _ShippedMatcher | None, fuzzy: bool = True) -> pd.DataFrame:
    from .ledger import normalize_frame

    matcher = source.get() if isinstance(source, _ShippedMatcher) else worker_matcher(source)
    return normalize_frame(pdf, column, matcher, x=x, y=y, crs=crs, fuzzy=fuzzy)


def _source(registry_dir: Any, registry: Any, matcher: Any) -> Any:
    """What the tasks receive: a registry directory (or None, the embedded registry), or a delayed matcher."""
    from .errors import InputError
    from .matcher import Matcher, default_matcher
    from .registry import Registry

    if registry is None and matcher is None:
        return None if registry_dir is None else str(registry_dir)
    if registry_dir is not None:
        raise InputError("give registry_dir= or registry=/matcher=, not both")
    if matcher is not None:
        if not isinstance(matcher, Matcher):
            raise InputError(f"matcher must be a hangzhou_address Matcher, got {type(matcher).__name__}")
    elif not isinstance(registry, Registry):
        raise InputError(f"registry must be a hangzhou_address Registry, got {type(registry).__name__}")
    else:
        matcher = default_matcher(registry)
    import dask

    # a named leaf: dask neither tokenizes (pickles) the matcher nor copies it into every task
    return dask.delayed(_ShippedMatcher(matcher), name=f"hangzhou-address-matcher-{uuid.uuid4().hex}",
                        traverse=False)


def normalize_dask(ddf: Any, column: str, *, x: str | None = None, y: str | None = None, crs: Any = None,
                   registry_dir: str | None = None, registry: Any = None, matcher: Any = None,
                   fuzzy: bool = True) -> Any:
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
    registry : Registry, optional
        A registry in memory; its cached matcher is used (as in ``normalize_frame``).
    matcher : Matcher, optional
        The matcher to use (its registry gives the division names); takes precedence over ``registry``.
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
        A missing column, a ``fuzzy`` that is not a bool, a ``registry`` / ``matcher`` of the wrong
        type, or ``registry_dir`` together with ``registry`` or ``matcher``.
    """
    from .errors import InputError
    from .ledger import RESULT_COLUMNS
    from .matcher import _check_fuzzy

    fuzzy = _check_fuzzy(fuzzy)
    if column not in ddf.columns:
        from ._privacy import columns_hint

        raise InputError(f"column {column!r} not found; {columns_hint(ddf.columns)}")
    source = _source(registry_dir, registry, matcher)
    meta = ddf._meta.copy()
    for c in RESULT_COLUMNS:
        meta[c] = pd.Series(dtype=object)
    if x is not None:
        meta["point_grid_code"] = pd.Series(dtype=object)
    return ddf.map_partitions(_partition, column, x, y, crs, source, fuzzy, meta=meta)
