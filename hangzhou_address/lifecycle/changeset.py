"""Change sets: what one change to the city does to each table, and applying it (:func:`apply`).

A :class:`ChangeSet` is data, made by the functions of :mod:`hangzhou_address.lifecycle` (``regrid``,
``add_building``, ``retire_building`` …) against one version of a registry and applied to exactly that
version: per table, the keys of the rows it removes and the rows it adds (a re-coded building is its old
row removed and a new row added with the same permanent ``building_id``; a retired one is its row
replaced by one with ``status="retired"`` and ``valid_to``), plus the lineage rows linking every old code
to its successor(s) (``new_code`` missing: retired without successor).

Applying never modifies the registry it is given: it returns a new :class:`~hangzhou_address.registry.Registry`
whose metadata records the new ``version``, its ``parent_version``, the ``version_date`` and the change log
(``changes``, append-only).
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd

from ..errors import ChangeConflictError, ChangeError

if TYPE_CHECKING:  # pragma: no cover
    from ..registry import Registry

__all__ = ["ChangeSet", "TableChange", "KEYS", "LINEAGE_COLUMNS", "apply", "apply_all", "touched_tables", "table_of",
           "version_of", "version_date_of", "check_date", "change_log"]

#: the key column of each table a change set may touch (the rows it removes are named by it)
KEYS: dict[str, str] = {
    "divisions": "code",
    "division_areas": "code",
    "grids": "code",
    "buildings": "code",
    "addresses": "building_code",  # every address row of the building
    "aliases": "alias",
}
LINEAGE_COLUMNS = ("old_code", "new_code", "date", "reason", "change_id")


@dataclass(frozen=True)
class TableChange:
    """Rows of one table removed (by their key, :data:`KEYS`) and added."""

    remove: tuple[str, ...] = ()
    add: Any = None  # a (Geo)DataFrame with the table's columns, or None

    @property
    def n_added(self) -> int:
        return 0 if self.add is None else int(len(self.add))


@dataclass(frozen=True)
class ChangeSet:
    """One change to the city, made against registry version ``parent_version``.

    Attributes
    ----------
    kind : str
        ``regrid``, ``add_building``, ``retire_building``, ``rename``, ``move_community``, ``merge_towns``,
        ``split_town`` … (or ``batch`` for several combined by :meth:`then`).
    date : str
        ISO date the change takes effect (``valid_from`` of what it adds, ``valid_to`` of what it retires).
    reason : str
        Why (kept in the lineage and the change log).
    parent_version : int
        The registry version it was made against; :func:`apply` refuses any other.
    tables : mapping
        Table name → :class:`TableChange`.
    lineage_rows : DataFrame
        ``old_code, new_code, date, reason`` (``new_code`` missing: retired, no successor).
    summary : mapping
        Counts for people (``{"buildings recoded": 412, …}``).
    applied_by : str or None
        Who applied it (the API key's name, for an edit through the service): kept in the change log, written
        with the version itself; not part of :attr:`change_id`.
    """

    kind: str
    date: str
    reason: str
    parent_version: int
    tables: Mapping[str, TableChange] = field(default_factory=dict)
    lineage_rows: Any = None
    summary: Mapping[str, int] = field(default_factory=dict)
    applied_by: str | None = None

    def __post_init__(self) -> None:
        for name in self.tables:
            if name not in KEYS:
                raise ChangeError(f"a change set cannot change table {name!r}; known: {sorted(KEYS)}")
        _iso(self.date)

    @property
    def change_id(self) -> str:
        """A short content hash: the same change made twice against the same version has the same id."""
        h = hashlib.sha256()
        h.update(json.dumps([self.kind, self.date, self.reason, self.parent_version], ensure_ascii=False).encode())
        for name in sorted(self.tables):
            tc = self.tables[name]
            h.update(name.encode())
            h.update("\x1f".join(tc.remove).encode())
            if tc.add is not None and len(tc.add):
                h.update(pd.util.hash_pandas_object(_hashable(tc.add), index=False).to_numpy().tobytes())
        if self.lineage_rows is not None and len(self.lineage_rows):
            h.update(pd.util.hash_pandas_object(self.lineage_rows.astype(str), index=False).to_numpy().tobytes())
        return h.hexdigest()[:16]

    @property
    def lineage(self) -> pd.DataFrame:
        """The lineage this change adds: ``old_code, new_code, date, reason, change_id``."""
        rows = self.lineage_rows
        if rows is None or not len(rows):
            return pd.DataFrame({c: pd.Series(dtype="object") for c in LINEAGE_COLUMNS})
        out = rows.loc[:, ["old_code", "new_code", "date", "reason"]].copy()
        out["change_id"] = self.change_id
        return out.reset_index(drop=True)

    def describe(self) -> str:
        """One line for people: kind, date, reason and the counts."""
        counts = ", ".join(f"{k} {v:,}" for k, v in self.summary.items())
        return f"{self.kind} {self.date} ({self.reason}){': ' + counts if counts else ''}"

    def log_entry(self, version: int) -> dict[str, Any]:
        """The change log's record of this change once applied as ``version``."""
        entry = {"version": version, "parent_version": self.parent_version, "change_id": self.change_id,
                 "kind": self.kind, "date": self.date, "reason": self.reason,
                 "summary": {k: int(v) for k, v in self.summary.items()}}
        if self.applied_by is not None:
            entry["applied_by"] = self.applied_by
        return entry


def _hashable(df: Any) -> pd.DataFrame:
    out = pd.DataFrame(index=range(len(df)))
    for c in df.columns:
        col = df[c]
        out[c] = col.to_wkb(hex=True).to_numpy(dtype=object) if c == "geometry" else col.astype(str).to_numpy()
    return out


def _iso(date: Any) -> str:
    try:
        return _dt.date.fromisoformat(str(date)).isoformat()
    except ValueError:
        raise ChangeError(f"a change's date must be an ISO date (YYYY-MM-DD), got {date!r}") from None


def version_of(registry: Registry) -> int:
    """The registry's version (1 for a registry no change was ever applied to)."""
    return int(registry.metadata.get("version", 1))


def version_date_of(registry: Registry) -> str | None:
    """The date of the last change applied (None for a registry no change was applied to)."""
    d = registry.metadata.get("version_date")
    return str(d) if d else None


def change_log(registry: Registry) -> list[dict[str, Any]]:
    """The change log: one record per change applied, oldest first."""
    return [dict(e) for e in registry.metadata.get("changes", ())]


def check_date(registry: Registry, date: Any) -> str:
    """``date`` as an ISO string; a :class:`ChangeError` when it is not a date or lies before the date of
    the registry's version (changes are applied in time order)."""
    iso = _iso(date)
    last = version_date_of(registry)
    if last is not None and iso < last:
        raise ChangeError(f"the change's date {iso} is before the registry version's date {last} "
                          f"(version {version_of(registry)}): changes are applied in time order")
    return iso


def _apply_table(df: Any, change: TableChange, key: str) -> Any:
    if df is None:
        if change.add is None:
            return None
        return change.add.reset_index(drop=True)
    out = df
    if change.remove:
        present = df[key].isin(change.remove)
        if key != "building_code":
            missing = set(change.remove) - set(df.loc[present, key])
            if missing:
                raise ChangeError(f"the change removes rows that do not exist ({key})", tuple(sorted(missing))[:20])
        out = df[~present]
    if change.add is not None and len(change.add):
        add = change.add
        if "geometry" in getattr(df, "columns", ()) and hasattr(df, "crs") and getattr(add, "crs", None) != df.crs:
            add = add.to_crs(df.crs)
        out = pd.concat([out, add[[c for c in add.columns]]], ignore_index=True)
        if hasattr(df, "crs"):
            import geopandas as gpd

            out = gpd.GeoDataFrame(out, geometry="geometry", crs=df.crs)
    return out.reset_index(drop=True)


def apply(registry: Registry, change: ChangeSet) -> Registry:
    """A new registry: ``registry`` with ``change`` applied; ``registry`` is unchanged.

    Raises
    ------
    ChangeConflictError
        ``change`` was made against another version than ``registry``'s.
    ChangeError
        The change removes rows that do not exist, or its date is before the version's.
    """
    from ..registry import Registry, _check_codes

    if not isinstance(change, ChangeSet):
        raise ChangeError(f"apply() takes a ChangeSet, got {type(change).__name__}")
    have = version_of(registry)
    if change.parent_version != have:
        raise ChangeConflictError(f"the change set {change.change_id} was made against version "
                                  f"{change.parent_version}, the registry is at version {have}: make it again "
                                  "against the current version")
    check_date(registry, change.date)
    tables: dict[str, Any] = {}
    for name in ("divisions", "grids", "buildings", "addresses", "division_areas", "aliases"):
        current = table_of(registry, name)
        tc = change.tables.get(name)
        if (name == "buildings" and tc is not None and current is not None and "building_id" not in current
                and tc.add is not None and "building_id" in tc.add):
            from .numbering import building_ids

            current = current.assign(building_id=building_ids(current))  # the ids the change was made with
        if tc is not None and tc.add is not None and len(tc.add):
            _check_codes(name, tc.add)  # the rows it adds; the others were checked when they came in
        tables[name] = current if tc is None else _apply_table(current, tc, KEYS[name])
    lin = registry.lineage
    added = change.lineage
    if len(added):
        if "change_id" not in lin:
            lin = lin.assign(change_id=pd.Series([None] * len(lin), dtype="object"))
        lin = pd.concat([lin, added], ignore_index=True)
    version = have + 1
    meta = {k: v for k, v in registry.metadata.items() if k not in ("manifest", "validation")}
    meta.update({"version": version, "parent_version": have, "version_date": change.date,
                 "changes": [*change_log(registry), change.log_entry(version)]})
    divisions = tables.pop("divisions")
    # every row was checked: the kept ones when this registry read them, the added ones above
    return Registry(divisions, lineage=lin, metadata=meta, _checked=tuple(tables), **tables)


def table_of(registry: Registry, name: str) -> Any:
    """Table ``name`` of ``registry`` (``divisions``, ``lineage`` or an optional one; None when it has none)."""
    if name == "divisions":
        return registry.divisions
    if name == "lineage":
        return registry.lineage
    return getattr(registry, name) if registry.has_table(name) else None


def apply_all(registry: Registry, changes: list[Any]) -> tuple[Registry, list[ChangeSet]]:
    """``registry`` with ``changes`` applied one after the other: change sets, or functions
    ``registry -> ChangeSet`` called with the version the previous ones produced; the new registry and
    the change sets applied (each validated by :func:`apply`)."""
    applied: list[ChangeSet] = []
    for item in changes:
        cs = item if isinstance(item, ChangeSet) else item(registry)
        if not isinstance(cs, ChangeSet):
            raise ChangeError(f"a change function returned {type(cs).__name__}, not a ChangeSet")
        registry = apply(registry, cs)
        applied.append(cs)
    return registry, applied


def touched_tables(applied: list[ChangeSet]) -> set[str]:
    """The tables the change sets ``applied`` change (``lineage`` when one adds lineage rows)."""
    out = {t for cs in applied for t in cs.tables}
    if any(len(cs.lineage) for cs in applied):
        out.add("lineage")
    return out
