"""The division / grid / building registry.

A :class:`Registry` holds the tables described in ``docs/data-model.md``: official divisions
(city → district → town → community), and optionally grids, buildings, addresses, a lineage
table and an aliases table (other names of roads and compounds). Tables other than ``divisions``
may be given as zero-argument callables; they are loaded on first access (and then kept on the
instance), so building a registry is cheap.

The codes a registry hands out are checked when a table arrives (at construction for tables given in
memory, on first access for lazy ones): division codes, levels and parents, grid and building codes and
the addresses' building codes (check character included) with their division columns. A table with a bad
code is refused with :class:`~hangzhou_address.errors.DataValidationError`, counts per check in the message,
so matching never answers with a code :func:`~hangzhou_address.codes.validate_code` rejects.

An ``addresses`` table may hold only ``building_code, text``: on first access, the rows without a road +
door number or a compound / village + number get them read from their text, against the registry's
divisions (:func:`hangzhou_address.address_elements.with_elements`; the column ``elements_from`` says how
each row was read, and :func:`~hangzhou_address.io.validate.validate_city` reports the rows it could not read).

:func:`default_registry` returns the embedded registry (real NBS 2023 divisions plus the
embedded synthetic city), built once and cached.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd

from .errors import DataNotAvailableError, DataValidationError, InputError, UnknownDivisionError

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd

__all__ = ["Division", "DivisionHistory", "Registry", "default_registry", "DIVISION_LEVELS", "LAZY_TABLES"]

DIVISION_LEVELS = ("city", "district", "town", "community")
LAZY_TABLES = ("grids", "buildings", "addresses", "lineage", "division_areas", "aliases")


@dataclass(frozen=True)
class Division:
    """One division, grid or building as known to a registry."""

    code: str
    level: str
    name: str
    parent_code: str | None
    status: str = "active"

    @property
    def is_active(self) -> bool:
        return self.status == "active"


@dataclass(frozen=True)
class DivisionHistory:
    """What a registry knows of a division's past (see :meth:`Registry.history`).

    ``editions`` are the NBS editions (and older lists: ``undated``, ``c2014``) the code appears in, oldest
    first (empty when the registry has no ``editions`` column); ``successors`` its current codes (empty for an
    active division's own code... it is itself, and for a retired one whose successor is unknown); ``reasons``
    the lineage reason of each successor (with its date and, for a curated one, the source); ``former_names``
    the other names an older edition gives the same code, with those editions (``(("上四村村委会", "2016 2020"),)``;
    from the divisions' optional ``former_names`` column).
    """

    code: str
    name: str
    level: str
    status: str
    editions: tuple[str, ...]
    successors: tuple[str, ...]
    reasons: tuple[str, ...]
    former_names: tuple[tuple[str, str], ...] = ()

    @property
    def period(self) -> str | None:
        """When the code was last listed: ``'before 2015'`` (only in the undated lists), ``'until 2019'``,
        or None for an active division."""
        if self.status == "active":
            return None
        dated = [e for e in self.editions if e.isdigit()]
        if not dated:
            return "before 2015" if self.editions else None
        return f"until {dated[-1]}"

    def describe(self, names: Mapping[str, str] | None = None) -> str:
        """One line: ``丁桥镇 (before 2015) → 丁兰街道 (330102017): renamed (2014-12); source: ...``."""
        names = names or {}
        when = f" ({self.period})" if self.period else ""
        if self.status == "active":
            formerly = "; ".join(f"{n} ({e})" if e else n for n, e in self.former_names)
            return (f"{self.name} ({self.code}): current" + (f"; editions {' '.join(self.editions)}"
                                                             if self.editions else "")
                    + (f"; formerly {formerly}" if formerly else ""))
        if not self.successors:
            kind = {"town": "former town", "community": "former village / community"}.get(self.level, "former")
            return f"{kind} {self.name}{when}: successor unknown"
        news = "、".join(f"{names.get(c, '?')} ({c})" for c in self.successors)
        why = "; ".join(dict.fromkeys(r for r in self.reasons if r))
        return f"{self.name}{when} → {news}" + (f": {why}" if why else "")


class Registry:
    """Hierarchical registry of Hangzhou divisions, grids, buildings and addresses.

    Parameters
    ----------
    divisions : pandas.DataFrame
        Columns ``code, level, name, parent_code`` and optionally ``status, valid_from, valid_to``.
    grids, buildings, addresses, lineage, division_areas, aliases : DataFrame, callable or None
        The optional tables of ``docs/data-model.md``. A callable is called (once) on first access.
    metadata : mapping, optional
        Free-form facts about the data (source, date, synthetic flag, manifest).

    Raises
    ------
    DataValidationError
        A table holds codes the registry would hand out malformed (see the module notes); raised here for
        tables given in memory and on first access for lazy ones.

    Examples
    --------
    >>> import pandas as pd
    >>> reg = Registry(pd.DataFrame({"code": ["3301", "330106"], "level": ["city", "district"],
    ...                              "name": ["杭州市", "西湖区"], "parent_code": [None, "3301"]}))
    >>> reg.get("330106").name
    '西湖区'
    """

    def __init__(
        self,
        divisions: pd.DataFrame,
        *,
        grids: Any = None,
        buildings: Any = None,
        addresses: Any = None,
        lineage: Any = None,
        division_areas: Any = None,
        aliases: Any = None,
        metadata: Mapping[str, Any] | None = None,
        _checked: Iterable[str] = (),
    ) -> None:
        # _checked: tables already checked by the registry they come from (lifecycle.apply passes the
        # tables a change did not touch, and checks the rows it adds itself)
        self._divisions = _normalize_divisions(divisions)
        _check_codes("divisions", self._divisions)
        self._sources: dict[str, Any] = {
            "grids": grids,
            "buildings": buildings,
            "addresses": addresses,
            "lineage": lineage,
            "division_areas": division_areas,
            "aliases": aliases,
        }
        checked = frozenset(_checked)
        for name, src in self._sources.items():
            if src is not None and not callable(src) and name not in checked:
                _check_codes(name, src)
        self._loaded: dict[str, Any] = {}
        self._lock = threading.RLock()
        self.metadata: dict[str, Any] = dict(metadata or {})
        by_code = self._divisions.set_index("code", drop=False)
        self._by_code: dict[str, Division] = {
            c: Division(c, lv, n, p, s)
            for c, lv, n, p, s in zip(
                by_code["code"], by_code["level"], by_code["name"], by_code["parent_code"], by_code["status"]
            )
        }
        children: dict[str, list[str]] = {}
        for c, p in zip(self._divisions["code"], self._divisions["parent_code"]):
            if p is not None:
                children.setdefault(p, []).append(c)
        self._children = {k: tuple(sorted(v)) for k, v in children.items()}
        self._caches: dict[str, Any] = {}

    def __reduce__(self) -> tuple:
        # pickled as its tables (or their loaders) and metadata, rebuilt by __init__ where unpickled:
        # a Dask worker gets the registry it was given; caches, loaded copies and the lock are not shipped
        return (functools.partial(Registry, **self._sources, metadata=self.metadata), (self._divisions,))

    # ------------------------------------------------------------------ constructors
    @classmethod
    def from_directory(cls, directory: Any, *, verify: bool = False) -> Registry:
        """Open a city directory (``manifest.json`` + Parquet files) lazily; see :mod:`hangzhou_address.io.city`."""
        from .io.city import open_city

        return open_city(directory, verify=verify)

    @classmethod
    def from_postgis(cls, dsn: str, *, schema: str = "hangzhou_address") -> Registry:
        """The current version of the city in PostgreSQL + PostGIS schema ``schema``; see
        :mod:`hangzhou_address.io.postgis` (needs the ``[postgis]`` extra)."""
        from .io.postgis import read_postgis

        return read_postgis(dsn, schema=schema)

    @classmethod
    def from_files(
        cls,
        *,
        divisions: Any = None,
        grids: Any = None,
        buildings: Any = None,
        addresses: Any = None,
        aliases: Any = None,
        columns: Mapping[str, Mapping[str, str]] | None = None,
        options: Mapping[str, Mapping[str, Any]] | None = None,
        validate: bool | str = True,
    ) -> Registry:
        """Build a registry from a city's own files (GeoPackage, GeoParquet, Shapefile, CSV).

        Parameters
        ----------
        divisions, grids, buildings, addresses, aliases : path, optional
            Files for each table. Without ``divisions`` the embedded official NBS divisions are used.
            ``aliases`` (other names of roads and compounds) is a plain table like ``addresses``.
        columns : mapping, optional
            Per table, a mapping of the file's column names to ours, e.g.
            ``{"grids": {"WGBM": "code", "SQBM": "community_code"}}``.
        options : mapping, optional
            Per table, extra reader options (``crs``, ``layer``, ``x``, ``y``, ``wkt``), e.g.
            ``{"buildings": {"x": "lon", "y": "lat", "crs": "EPSG:4326"}}``.
        validate : True, "warn" or False
            True raises :class:`~hangzhou_address.errors.DataValidationError` (with ``.report``) when
            validation finds issues; "warn" emits a warning with the summary; False skips validation.
        """
        from .io import readers
        from .io.embedded import load_official_divisions

        columns = columns or {}
        options = options or {}

        def kw(table: str) -> dict[str, Any]:
            return {"columns": columns.get(table), **dict(options.get(table, {}))}

        lineage = None
        if divisions is None:
            div_table, lineage = load_official_divisions()
        else:
            div_table = readers.read_divisions(divisions, **kw("divisions"))
        g = readers.read_grids(grids, **kw("grids")) if grids is not None else None
        b = readers.read_buildings(buildings, **kw("buildings")) if buildings is not None else None
        a = readers.read_addresses(addresses, **kw("addresses")) if addresses is not None else None
        al = readers.read_aliases(aliases, **kw("aliases")) if aliases is not None else None
        given = (("divisions", divisions), ("grids", grids), ("buildings", buildings), ("addresses", addresses),
                 ("aliases", aliases))
        reg = cls(div_table, grids=g, buildings=b, addresses=a, lineage=lineage, aliases=al,
                  metadata={"source": {k: str(v) for k, v in given if v is not None}, "synthetic": False})
        if validate:
            from .io.validate import validate_city

            report = validate_city(reg)
            reg.metadata["validation"] = report
            if not report.ok:
                if validate == "warn":
                    import warnings

                    warnings.warn(report.summary(), stacklevel=2)
                else:
                    report.raise_if_invalid()
        return reg

    # ------------------------------------------------------------------ tables
    @property
    def divisions(self) -> pd.DataFrame:
        """The division table (see ``docs/data-model.md``)."""
        return self._divisions

    def _table(self, name: str) -> Any:
        with self._lock:
            if name in self._loaded:
                return self._loaded[name]
            src = self._sources.get(name)
            if callable(src):
                src = src()
                _check_codes(name, src)
            if name == "addresses" and src is not None:
                from .address_elements import with_elements

                src = with_elements(src, self)
            self._loaded[name] = src
            return src

    def release(self, name: str) -> bool:
        """Drop loaded table ``name`` from memory; it is read again from its file when next used.

        Long-running workers call this once their indexes are built (the matcher keeps what it
        needs of ``addresses``). Returns False, keeping the table, when it was given in memory
        (there is nothing to read it back from).
        """
        if name not in LAZY_TABLES:
            raise InputError(f"unknown table {name!r}; expected one of {LAZY_TABLES}")
        with self._lock:
            if not callable(self._sources.get(name)):
                return False
            dropped = self._loaded.pop(name, None)
        if dropped is not None:
            del dropped
            try:  # give Arrow's freed buffers back to the OS (its allocator keeps them otherwise)
                import pyarrow as pa

                pa.default_memory_pool().release_unused()
            except Exception:  # noqa: BLE001 - best effort
                pass
        return True

    def has_table(self, name: str) -> bool:
        """Whether table ``name`` is available (without loading it)."""
        if name not in LAZY_TABLES:
            raise InputError(f"unknown table {name!r}; expected one of {LAZY_TABLES}")
        return self._sources.get(name) is not None

    def require(self, name: str) -> Any:
        """Return table ``name``, raising :class:`DataNotAvailableError` when absent."""
        table = self._table(name)
        if table is None:
            raise DataNotAvailableError(
                f"this registry has no {name!r} table; load a city with "
                "hangzhou_address.io.read_city(...) or Registry.from_files(...)"
            )
        return table

    @property
    def grids(self) -> gpd.GeoDataFrame | None:
        return self._table("grids")

    @property
    def buildings(self) -> gpd.GeoDataFrame | None:
        return self._table("buildings")

    @property
    def addresses(self) -> pd.DataFrame | None:
        return self._table("addresses")

    @property
    def lineage(self) -> pd.DataFrame:
        table = self._table("lineage")
        if table is None:
            return pd.DataFrame({"old_code": [], "new_code": [], "date": [], "reason": []}, dtype=object)
        return table

    @property
    def division_areas(self) -> gpd.GeoDataFrame | None:
        return self._table("division_areas")

    @property
    def aliases(self) -> pd.DataFrame | None:
        """Other names of roads and compounds (``kind, name, alias, alias_kind, valid_from, valid_to, note``),
        or None when the registry has none; see ``docs/data-model.md``."""
        return self._table("aliases")

    def cached(self, key: str, factory: Callable[[], Any]) -> Any:
        """Per-registry cache for derived indexes (name index, spatial index, matcher...).

        ``factory`` is called once per key and registry; the result lives as long as the registry.
        """
        with self._lock:
            if key not in self._caches:
                self._caches[key] = factory()
            return self._caches[key]

    def is_cached(self, key: str) -> bool:
        """Whether :meth:`cached` has built ``key`` already (lets a caller choose a cheaper path before)."""
        with self._lock:
            return key in self._caches

    # ------------------------------------------------------------------ lookups
    def __contains__(self, code: object) -> bool:
        return isinstance(code, str) and self.lookup(code) is not None

    def __len__(self) -> int:
        return len(self._by_code)

    def __repr__(self) -> str:
        active = self._divisions[self._divisions["status"] == "active"]
        counts = active["level"].value_counts().to_dict()
        parts = ", ".join(f"{lv}={counts.get(lv, 0)}" for lv in DIVISION_LEVELS)
        loaded = [n for n in LAZY_TABLES if self._sources.get(n) is not None]
        return f"<Registry {parts}; tables={loaded}>"

    def lookup(self, code: str) -> Division | None:
        """Return the division, grid or building with ``code``, or None."""
        if not isinstance(code, str):
            return None
        div = self._by_code.get(code)
        if div is not None:
            return div
        if len(code) == 15 and self._sources.get("grids") is not None:
            return self._grid_lookup().get(code)
        if len(code) == 20 and self._sources.get("buildings") is not None:
            return self._building_lookup(code)
        return None

    def get(self, code: str) -> Division:
        """Return the division, grid or building with ``code``.

        Raises
        ------
        UnknownDivisionError
            If the code is not in the registry.
        """
        div = self.lookup(code)
        if div is None:
            raise UnknownDivisionError(f"code {code!r} is not in the registry")
        return div

    def name_of(self, code: str) -> str | None:
        div = self.lookup(code)
        return None if div is None else div.name

    def children(self, code: str) -> tuple[str, ...]:
        """Codes of the direct children of ``code`` (towns of a district, grids of a community...)."""
        self.get(code)
        if len(code) == 12 and self._sources.get("grids") is not None:
            return self.cached("grid_children", self._grid_children).get(code, ())
        if len(code) == 15 and self._sources.get("buildings") is not None:
            return self.cached("building_children", self._building_children).get(code, ())
        return self._children.get(code, ())

    def ancestors(self, code: str) -> tuple[Division, ...]:
        """The chain from the city down to (and including) ``code``."""
        chain = [self.get(code)]
        while chain[-1].parent_code is not None and chain[-1].parent_code in self:
            chain.append(self.get(chain[-1].parent_code))
        return tuple(reversed(chain))

    def codes(self, level: str, *, include_retired: bool = False) -> tuple[str, ...]:
        """All codes at ``level`` (a division level)."""
        if level not in DIVISION_LEVELS:
            raise InputError(f"level must be one of {DIVISION_LEVELS}, got {level!r}")
        df = self._divisions
        mask = df["level"] == level
        if not include_retired:
            mask &= df["status"] == "active"
        return tuple(df.loc[mask, "code"])

    # ------------------------------------------------------------------ names
    def name_index(self) -> Mapping[str, tuple[tuple[Division, str], ...]]:
        """Variant text → ((division, variant kind), ...) over all divisions, built once per registry.

        Kinds are those of :func:`hangzhou_address.names.name_variants`: 'official', 'full', 'short'; and
        'former' for the variants of a current division's former names (the divisions' ``former_names``).
        """

        def build() -> dict[str, tuple[tuple[Division, str], ...]]:
            from .names import name_variants

            index: dict[str, list[tuple[Division, str]]] = {}
            former = self.former_names()
            for div in self._by_code.values():
                if div.level == "city":
                    variants = [(div.name, "official"), (div.name.removesuffix("市"), "short")]
                else:
                    variants = [(v.text, v.kind) for v in name_variants(div.name, div.level)]
                    for old, _editions in former.get(div.code, ()):
                        variants += [(v.text, "former") for v in name_variants(old, div.level)]
                for text, kind in variants:
                    entries = index.setdefault(text, [])
                    if not any(d is div for d, _k in entries):
                        entries.append((div, kind))
            return {k: tuple(sorted(v, key=_division_sort_key)) for k, v in index.items()}

        return self.cached("name_index", build)

    def find(
        self, name: str, *, level: str | None = None, include_retired: bool = True
    ) -> tuple[Division, ...]:
        """All divisions called ``name`` (official name or any variant), active first, then by code.

        Returns every candidate when the name is ambiguous (a town and a village sharing a name,
        a district's short name that is also a village's...), and an empty tuple when nothing matches.

        Examples
        --------
        >>> from hangzhou_address import default_registry
        >>> [d.code for d in default_registry().find("西湖", level="district")]
        ['330106']
        """
        if not isinstance(name, str):
            raise InputError(f"name must be a string, got {type(name).__name__}")
        if level is not None and level not in DIVISION_LEVELS:
            raise InputError(f"level must be one of {DIVISION_LEVELS} or None, got {level!r}")
        hits = self.name_index().get(name.strip(), ())
        seen: dict[str, Division] = {}
        for div, _kind in hits:
            if level is not None and div.level != level:
                continue
            if not include_retired and not div.is_active:
                continue
            seen.setdefault(div.code, div)
        return tuple(sorted(seen.values(), key=lambda d: (not d.is_active, d.code)))

    def current(self, code: str) -> tuple[str, ...]:
        """Current code(s) for ``code``: itself when active, else its successors through ``lineage``.

        A retired district can have several successors (江干区 330104 → 上城区 330102 and 钱塘区 330114).
        """
        div = self.get(code)
        if div.is_active:
            return (code,)
        return self.cached("successors", self._successors).get(code, ())

    def history(self, code: str) -> DivisionHistory:
        """The editions, current successors and lineage reasons of division ``code`` (active or retired).

        Raises
        ------
        UnknownDivisionError
            If the code is not a division of the registry.

        Examples
        --------
        >>> from hangzhou_address import default_registry
        >>> reg = default_registry()
        >>> [reg.name_of(c) for c in reg.history(reg.find("丁桥镇")[0].code).successors]
        ['丁兰街道']
        """
        div = self.get(code)
        if div.level not in DIVISION_LEVELS:
            raise UnknownDivisionError(f"code {code!r} is not a division")
        editions = self.cached("editions", self._editions).get(code, ())
        succ = self.current(code) if not div.is_active else ()
        reasons: tuple[str, ...] = ()
        if succ:
            lin = self.cached("lineage_reasons", self._lineage_reasons)
            reasons = tuple(lin.get((code, c), "") for c in succ)
        former = self.former_names().get(code, ())
        return DivisionHistory(div.code, div.name, div.level, div.status, editions, succ, reasons, former)

    def former_names(self) -> Mapping[str, tuple[tuple[str, str], ...]]:
        """Division code → its former names with their editions (``(("上四村村委会", "2016 2020"),)``), for the
        divisions whose optional ``former_names`` column names some (parsed once, cached)."""
        return self.cached("former_names", self._former_names)

    def _former_names(self) -> dict[str, tuple[tuple[str, str], ...]]:
        df = self._divisions
        if "former_names" not in df:
            return {}
        from .io.embedded import former_names

        return {c: former_names(f) for c, f in zip(df["code"], df["former_names"]) if isinstance(f, str) and f}

    def _editions(self) -> dict[str, tuple[str, ...]]:
        df = self._divisions
        if "editions" not in df:
            return {}
        return {c: tuple(str(e).split()) for c, e in zip(df["code"], df["editions"]) if e}

    def _lineage_reasons(self) -> dict[tuple[str, str], str]:
        lin = self.lineage
        out: dict[tuple[str, str], str] = {}
        for o, n, d, r in zip(lin["old_code"], lin["new_code"], lin["date"], lin["reason"]):
            r = str(r) if isinstance(r, str) else ""
            d = str(d) if isinstance(d, str) else ""
            out[(o, n)] = r if (not d or d in r) else f"{r} ({d})"
        return out

    def _successors(self) -> dict[str, tuple[str, ...]]:
        from .io.embedded import DISTRICT_SUCCESSORS

        lin = self.lineage
        out: dict[str, list[str]] = {}
        for old, new in zip(lin["old_code"], lin["new_code"]):
            out.setdefault(old, []).append(new)
        for old, news in DISTRICT_SUCCESSORS.items():
            if old in self._by_code and not self._by_code[old].is_active:
                out[old] = [n for n in news if n in self._by_code]
        return {k: tuple(dict.fromkeys(v)) for k, v in out.items()}

    # ------------------------------------------------------------------ versions
    @property
    def version(self) -> int:
        """The registry's version: 1 until a change is applied, then one more per change
        (:mod:`hangzhou_address.lifecycle`)."""
        return int(self.metadata.get("version", 1))

    def apply(self, change: Any) -> Registry:
        """A new registry version with ``change`` (a :class:`~hangzhou_address.lifecycle.ChangeSet`)
        applied; this registry is unchanged (see :func:`hangzhou_address.lifecycle.apply`)."""
        from .lifecycle.changeset import apply

        return apply(self, change)

    # ------------------------------------------------------------------ internals
    def _grid_lookup(self) -> dict[str, Division]:
        def build() -> dict[str, Division]:
            g = self.require("grids")
            status = g["status"] if "status" in g else ["active"] * len(g)
            names = g["name"] if "name" in g else g["code"]
            return {
                c: Division(c, "grid", n, p, s)
                for c, n, p, s in zip(g["code"], names, g["community_code"], status)
            }

        return self.cached("grid_lookup", build)

    def _building_lookup(self, code: str) -> Division | None:
        def build() -> pd.Series:
            b = self.require("buildings")
            return pd.Series(range(len(b)), index=pd.Index(b["code"]))

        pos = self.cached("building_pos", build)
        i = pos.get(code)
        if i is None:
            return None
        b = self.require("buildings")
        row = b.iloc[int(i)]
        return Division(code, "building", f"{row['grid_code']}#{int(row['number']):04d}", row["grid_code"],
                        row.get("status", "active"))

    def _grid_children(self) -> dict[str, tuple[str, ...]]:
        g = self.require("grids")
        return {k: tuple(sorted(v)) for k, v in g.groupby("community_code")["code"]}

    def _building_children(self) -> dict[str, tuple[str, ...]]:
        b = self.require("buildings")
        return {k: tuple(sorted(v)) for k, v in b.groupby("grid_code")["code"]}


def _check_codes(name: str, table: Any) -> None:
    """Refuse table ``name`` when codes the registry would hand out from it are malformed."""
    if name not in ("divisions", "grids", "buildings", "addresses") or table is None:
        return
    from .io.validate import registry_code_issues

    report = registry_code_issues(name, table)
    if report.ok:
        return
    iss = report.issues
    counts = ", ".join(f"{check} {n:,}" for check, n in iss["check"].value_counts(sort=False).items())
    first = iss.iloc[0]
    raise DataValidationError(
        f"the {name} table holds {len(iss):,} malformed code(s) the registry would hand out, so it is refused "
        f"({counts}; first: row {first['row']}, {first['detail']}). "
        "Fix the table; hangzhou_address.io.validate_city lists every row.",
        report=report,
    )


def _division_sort_key(item: tuple[Division, str]) -> tuple[bool, int, str]:
    div, kind = item
    return (not div.is_active, ("official", "full", "short", "former").index(kind), div.code)


def _normalize_divisions(df: pd.DataFrame) -> pd.DataFrame:
    required = {"code", "level", "name", "parent_code"}
    missing = required - set(df.columns)
    if missing:
        raise InputError(
            f"divisions table is missing columns {sorted(missing)}; it has {list(df.columns)}"
        )
    out = pd.DataFrame(
        {
            "code": df["code"].astype(str).str.strip(),
            "level": df["level"].astype(str).str.strip().replace({"village": "community"}),
            "name": df["name"].astype(str).str.strip(),
            "parent_code": pd.Series(
                [None if (p is None or pd.isna(p) or str(p).strip() == "") else str(p).strip()
                 for p in df["parent_code"]],
                dtype=object,
                index=df.index,
            ),
            "status": df["status"].astype(str) if "status" in df else "active",
            "valid_from": df["valid_from"] if "valid_from" in df else None,
            "valid_to": df["valid_to"] if "valid_to" in df else None,
        }
    )
    if "editions" in df:  # the NBS editions a division appears in (the embedded divisions have them)
        out["editions"] = [e if isinstance(e, str) else "" for e in df["editions"]]
    if "former_names" in df:  # other names of the same code in older editions: "上四村村委会 (2016 2020); ..."
        out["former_names"] = [f if isinstance(f, str) else "" for f in df["former_names"]]
    out = out.astype({"valid_from": object, "valid_to": object})
    return out.reset_index(drop=True)


@functools.lru_cache(maxsize=1)
def default_registry() -> Registry:
    """The embedded registry: real NBS 2023 divisions (with retired 2020 codes and their
    lineage) plus the embedded **synthetic** grids, buildings and addresses.

    Built on first call and cached; nothing is read at import time.
    """
    from .io.embedded import load_embedded_registry

    return load_embedded_registry()
