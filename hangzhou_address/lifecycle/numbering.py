"""Numbers are never reused: the numbers ever issued under a parent, and the permanent building ids.

A grid number is unique in its community, a building number in its grid, a community number in its town —
*for ever*: a retired grid or a demolished building keeps its number, so an old code in a ledger can never
come to mean another place. "Ever issued" is what the tables hold (retired rows stay in them, with
``status="retired"``) together with every code the lineage names (old and new).

Buildings also carry a permanent id (``building_id``, UPRN-like: an integer assigned once, never changed,
never reused) besides their hierarchical code, which is the building's *locator* and changes when the
grids are redrawn. A registry whose buildings table has no ``building_id`` gets them from
:func:`building_ids`: 1 … N in code order (deterministic: every change set made against the same version
derives the same ids).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

if TYPE_CHECKING:  # pragma: no cover
    from ..registry import Registry

__all__ = ["issued_numbers", "next_numbers", "building_ids", "next_building_id", "buildings_with_ids"]

#: code length of each level and of its parent
_LENGTHS = {"community": (12, 9), "grid": (15, 12), "building": (20, 15)}
#: the largest number each level's code holds
_MAX = {"community": 999, "grid": 999, "building": 9999}


def _code_columns(registry: Registry, level: str) -> Iterable[pd.Series]:
    """The columns that hold ``level`` codes ever issued: the level's table (retired rows included) and both
    sides of the lineage."""
    table = {"community": None, "grid": "grids", "building": "buildings"}[level]
    if table is None:
        yield registry.divisions["code"]
    elif registry.has_table(table):
        yield registry.require(table)["code"]
    lin = registry.lineage
    for col in ("old_code", "new_code"):
        if col in lin:
            yield lin[col]


def issued_numbers(registry: Registry, parent: str, level: str) -> set[int]:
    """Numbers ever issued to ``level`` (``community`` / ``grid`` / ``building``) codes under ``parent``
    (a town / community / grid code), retired ones included."""
    n, p = _LENGTHS[level]
    if len(parent) != p:
        from ..errors import ChangeError

        raise ChangeError(f"a {level}'s parent has {p} characters, got {parent!r}")
    width = n - p if level != "building" else 4  # (a building code ends with its check character)
    out: set[int] = set()
    for column in _code_columns(registry, level):
        codes = column.astype("string")  # vectorized string methods (1.35 M codes: ~10 ms, not ~0.7 s)
        mine = codes[codes.str.startswith(parent, na=False) & (codes.str.len() == n)]
        out.update(int(v) for v in mine.str.slice(p, p + width))
    return out


def next_numbers(registry: Registry, parent: str, level: str, k: int, *, taken: Iterable[int] = ()) -> list[int]:
    """The ``k`` smallest numbers above every number ever issued under ``parent`` (and ``taken``).

    Raises :class:`~hangzhou_address.errors.ChangeError` when the code space of the parent is exhausted."""
    used = issued_numbers(registry, parent, level) | set(taken)
    start = max(used, default=0) + 1
    if start + k - 1 > _MAX[level]:
        from ..errors import ChangeError

        raise ChangeError(f"{parent}: no {k} {level} numbers left (numbers are never reused; "
                          f"{max(used, default=0)} of {_MAX[level]} issued)")
    return list(range(start, start + k))


def building_ids(buildings: pd.DataFrame) -> np.ndarray:
    """The permanent ids of ``buildings``: its ``building_id`` column, else 1 … N in code order."""
    if "building_id" in buildings:
        return buildings["building_id"].to_numpy(dtype=np.int64)
    # (sorted as strings where they are: converting 1.35 M codes to a numpy array first took ~0.25 s)
    order = buildings["code"].astype("string").argsort(kind="stable").to_numpy()
    ids = np.empty(len(buildings), dtype=np.int64)
    ids[order] = np.arange(1, len(buildings) + 1, dtype=np.int64)
    return ids


def buildings_with_ids(registry: Registry) -> Any:
    """The registry's buildings table with a ``building_id`` column (added when missing, without
    touching the registry's own table)."""
    b = registry.require("buildings")
    if "building_id" in b:
        return b
    return b.assign(building_id=building_ids(b))


def next_building_id(registry: Registry) -> int:
    """The next permanent building id: above every id ever assigned (retired buildings keep theirs)."""
    if not registry.has_table("buildings"):
        return 1
    b = registry.require("buildings")
    if "building_id" not in b:  # ids 1 … N in code order: the next is N + 1
        return len(b) + 1
    ids = building_ids(b)
    return int(ids.max()) + 1 if len(ids) else 1
