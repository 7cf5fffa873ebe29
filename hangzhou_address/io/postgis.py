"""PostgreSQL + PostGIS as the library of record: writing a city version (:func:`write_postgis`), reading it
back as a :class:`~hangzhou_address.registry.Registry` (:func:`read_postgis`) and applying change sets to it
(:func:`apply_postgis`). See docs/postgis.md for setting up the server and the schema.

One PostgreSQL schema (default ``hangzhou_address``) holds one city:

* the tables of a city directory (:data:`~hangzhou_address.io.city.TABLES`: ``divisions``, ``division_areas``,
  ``grids``, ``buildings``, ``addresses``, ``lineage``, ``aliases``), one column per DataFrame column plus a
  row-order column ``_ord``; geometry as ``geometry(Geometry, 4490)`` with a GiST index, btree indexes on
  the code columns;
* ``_columns``: the columns of each table and their pandas dtypes (so that reading gives back the same
  DataFrames);
* ``metadata``: the registry's metadata (``synthetic``, generator, seed …) as JSON;
* ``versions``: one row per version (``version, parent_version, date`` and the change log record of the
  change that made it); exactly one row ``is_current``; ``changed`` says what the transaction that made the
  version wrote, per table (the keys of the rows it deleted and the ``_ord`` the table had before it appended
  rows, or that it rewrote the table), so that a reader holding an older version catches up by reading only
  the rows added since (:func:`refresh_postgis`). NULL: not known (a version written by :func:`write_postgis`
  or by a library before this column); such a version is caught up by reading everything.

Transactions and concurrency:

* :func:`write_postgis` runs in one transaction: a failure writes nothing (the schema is not created);
* :func:`apply_postgis` locks the current ``versions`` row (``SELECT ... FOR UPDATE``), checks that the change
  sets were made against that version (else :class:`~hangzhou_address.errors.ChangeConflictError`, nothing
  written), applies them in memory (validation), then deletes the rows they remove (by key) and inserts the
  rows they add, and records the new version, in one transaction. Two editors applying change sets made
  against the same version: the second waits for the first's lock and then gets ChangeConflictError.
  Given the ``registry`` it holds (read with :func:`read_postgis` / :func:`refresh_postgis`, or returned by an
  earlier :func:`apply_postgis`) and still the database's current version, it applies the change sets to it
  instead of reading the city under the lock;
* :func:`refresh_postgis` brings a registry of an older version up to the current one in one snapshot,
  reading only what changed (or everything when the record of the versions between does not line up).

SQL is built only from :class:`psycopg.sql.Identifier` (schema, table and column names) and ``%s`` parameters
or ``COPY`` (values); a schema name must be a plain identifier (``[A-Za-z_][A-Za-z0-9_]*``, at most 63
characters), anything else is refused with :class:`~hangzhou_address.errors.InputError`.

Below community level the data are SYNTHETIC (the generated city): the database says so in ``metadata``.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..errors import ChangeConflictError, DataError, InputError
from .city import GEO_TABLES, TABLES

__all__ = ["write_postgis", "read_postgis", "refresh_postgis", "apply_postgis", "PostgisVersion", "schema_version",
           "safe_dsn", "DEFAULT_SCHEMA", "DSN_ENV", "SRID"]

DEFAULT_SCHEMA = "hangzhou_address"
#: the environment variable the CLI reads a DSN from when ``--dsn`` is not given
DSN_ENV = "HZADDR_POSTGIS_DSN"
SRID = 4490
_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")
_META_SKIP = ("version", "parent_version", "version_date", "changes", "manifest", "validation", "path")
#: btree-indexed columns per table (when the table has them)
_INDEXED = {
    "divisions": ("code", "parent_code"),
    "division_areas": ("code",),
    "grids": ("code", "community_code"),
    "buildings": ("code", "grid_code"),
    "addresses": ("building_code", "community_code"),
    "lineage": ("old_code", "new_code"),
    "aliases": ("alias", "name"),
}
#: the registry cache key under which :func:`read_postgis` & co. note which database version a registry holds
_SOURCE_KEY = "postgis_source"
#: apply_postgis ANALYZEs a table when the rows it deleted and inserted exceed this share of it
_ANALYZE_SHARE = 0.05
#: a change deleting more rows (keys) than this from one table records no keys: readers re-read that table
_MAX_DELTA_KEYS = 200_000


@dataclass(frozen=True)
class PostgisVersion:
    """What :func:`apply_postgis` wrote: the schema, its new version, the version it came from and the change
    log records added (one per change set), and the rows deleted / inserted per table."""

    schema: str
    version: int
    parent_version: int
    changes: tuple[dict[str, Any], ...] = ()
    rows: tuple[tuple[str, int, int], ...] = ()  # (table, deleted, inserted)
    #: the new version as a Registry (what the database now holds: answer from it without reading it back;
    #: pass it as ``registry=`` to the next :func:`apply_postgis`); not part of equality
    registry: Any = field(default=None, compare=False, repr=False)

    def text(self) -> str:
        """The new version, its change log records and the rows written, for people."""
        lines = [f"schema {self.schema}: version {self.parent_version} -> {self.version}"]
        for e in self.changes:
            counts = ", ".join(f"{k} {v:,}" for k, v in e.get("summary", {}).items())
            lines.append(f"  v{e['version']} {e['date']} {e['kind']} ({e['reason']}){': ' + counts if counts else ''}")
        for t, d, i in self.rows:
            lines.append(f"  {t}: {d:,} rows deleted, {i:,} inserted")
        return "\n".join(lines)


@dataclass(frozen=True)
class _Source:
    """Which database version a registry holds: the schema, its OID (a schema written again with
    :func:`write_postgis` is another one), the version and when its ``versions`` row was written (two databases
    cloned from one and edited apart have different rows for the same version number)."""

    schema: str
    oid: int
    version: int
    written_at: Any


# ---------------------------------------------------------------------------------------------- helpers
def _psycopg() -> Any:
    try:
        import psycopg
    except ImportError:  # pragma: no cover - depends on the install
        raise InputError("PostGIS support needs psycopg 3: pip install 'hangzhou_address[postgis]'") from None
    return psycopg


def _check_schema(schema: Any) -> str:
    if not isinstance(schema, str) or not _IDENT.match(schema):
        raise InputError(f"schema must be a plain SQL identifier ([A-Za-z_][A-Za-z0-9_]*, at most 63 characters), "
                         f"got {schema!r}")
    return schema


def safe_dsn(dsn: str) -> str:
    """``dsn`` without its password (for messages and logs): ``host=… port=… dbname=… user=…``."""
    from psycopg.conninfo import conninfo_to_dict, make_conninfo

    try:
        parts = conninfo_to_dict(dsn)
    except Exception:  # noqa: BLE001 - a malformed DSN: show nothing of it
        return "<invalid DSN>"
    return make_conninfo(**{k: v for k, v in parts.items() if k in ("host", "port", "dbname", "user")})


def _connect(dsn: str) -> Any:
    psycopg = _psycopg()
    if not isinstance(dsn, str) or not dsn:
        raise InputError("dsn must be a PostgreSQL connection string (postgresql://user:password@host/db)")
    try:
        conn = psycopg.connect(dsn, autocommit=True)
    except psycopg.Error as exc:
        msg = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise DataError(f"cannot connect to PostgreSQL ({safe_dsn(dsn)}): {msg}") from None
    conn.isolation_level = psycopg.IsolationLevel.READ_COMMITTED
    return conn


def _t(schema: str, name: str) -> Any:
    from psycopg import sql

    return sql.Identifier(schema, name)


def _pg_type(dtype: str) -> str:
    if dtype == "geometry":
        return f"geometry(Geometry, {SRID})"
    if dtype in ("bool", "boolean"):
        return "boolean"
    if dtype in ("int8", "int16", "Int8", "Int16", "uint8"):
        return "smallint"
    if dtype in ("int32", "Int32", "uint16"):
        return "integer"
    if dtype in ("int64", "Int64", "uint32"):
        return "bigint"
    if dtype.startswith("float") or dtype.startswith("Float"):
        return "double precision"
    return "text"


def _column_values(name: str, col: pd.Series, dtype: str, table: str) -> list[Any]:
    """The values of ``col`` as Python objects for COPY (missing: None; geometry: hex EWKB)."""
    if dtype == "geometry":
        import shapely

        arr = shapely.set_srid(col.to_numpy(dtype=object), SRID)
        return shapely.to_wkb(arr, hex=True, include_srid=True).tolist()  # None stays None
    missing = col.isna().to_numpy()
    kind = _pg_type(dtype)
    if kind == "boolean":
        conv: Any = bool
    elif kind in ("smallint", "integer", "bigint"):
        conv = int
    elif kind == "double precision":
        conv = float
    else:
        def conv(v: Any) -> str:
            if not isinstance(v, str):
                raise DataError(f"table {table!r} column {name!r}: a {type(v).__name__} value ({v!r:.40}); "
                                "only text, numbers, booleans and geometries can be written to PostGIS")
            return v
    values = col.to_numpy(dtype=object)
    return [None if m else conv(v) for v, m in zip(values.tolist(), missing.tolist())]


def _columns_of(df: Any) -> list[tuple[str, str]]:
    geom = df.geometry.name if hasattr(df, "geometry") and hasattr(df, "crs") else None
    return [(str(c), "geometry" if c == geom else str(df[c].dtype)) for c in df.columns]


def _copy_rows(cur: Any, schema: str, table: str, df: Any, columns: list[tuple[str, str]]) -> int:
    from psycopg import sql

    if not len(df):
        return 0
    values = [_column_values(c, df[c], dt, table) for c, dt in columns]
    stmt = sql.SQL("COPY {} ({}) FROM STDIN").format(_t(schema, table),
                                                     sql.SQL(", ").join(sql.Identifier(c) for c, _ in columns))
    with cur.copy(stmt) as cp:
        for row in zip(*values):
            cp.write_row(row)
    return int(len(df))


def _create_table(cur: Any, schema: str, table: str, columns: list[tuple[str, str]],
                  hidden: list[tuple[str, str]] | None = None) -> None:
    """Create ``table`` with ``columns`` (listed in ``_columns``) and ``hidden`` ones (stored, not listed: read
    only once a change lists them, see :data:`_HIDDEN`)."""
    from psycopg import sql

    hidden = hidden or []
    cols = [sql.SQL("{} {}").format(sql.Identifier(c), sql.SQL(_pg_type(dt))) for c, dt in [*columns, *hidden]]
    cols.append(sql.SQL("_ord bigint GENERATED BY DEFAULT AS IDENTITY"))
    cur.execute(sql.SQL("CREATE TABLE {} ({})").format(_t(schema, table), sql.SQL(", ").join(cols)))
    cur.executemany(sql.SQL("INSERT INTO {} (table_name, position, column_name, dtype, listed) "
                            "VALUES (%s, %s, %s, %s, %s)").format(_t(schema, "_columns")),
                    [(table, i, c, dt, i < len(columns)) for i, (c, dt) in enumerate([*columns, *hidden])])


def _hidden_for(name: str, df: Any) -> tuple[list[tuple[str, str]], Any]:
    """The hidden columns of table ``name`` (those of :data:`_HIDDEN` it lacks) and ``df`` with them."""
    if name == "buildings" and "building_id" not in df.columns and "code" in df.columns:
        from ..lifecycle.numbering import building_ids

        return [("building_id", "int64")], df.assign(building_id=building_ids(df))
    if name == "lineage" and "change_id" not in df.columns:
        return [("change_id", "object")], df.assign(change_id=pd.Series([None] * len(df), dtype="object",
                                                                          index=df.index))
    return [], df


def _create_indexes(cur: Any, schema: str, table: str, columns: list[tuple[str, str]]) -> None:
    from psycopg import sql

    names = {c for c, _ in columns}
    cur.execute(sql.SQL("CREATE INDEX {} ON {} (_ord)").format(sql.Identifier(f"{table}__ord"), _t(schema, table)))
    for c in _INDEXED.get(table, ()):
        if c in names:
            cur.execute(sql.SQL("CREATE INDEX {} ON {} ({})").format(
                sql.Identifier(f"{table}_{c}_idx"), _t(schema, table), sql.Identifier(c)))
    for c, dt in columns:
        if dt == "geometry":
            cur.execute(sql.SQL("CREATE INDEX {} ON {} USING gist ({})").format(
                sql.Identifier(f"{table}_{c}_gist"), _t(schema, table), sql.Identifier(c)))


def _has_postgis(cur: Any) -> None:
    cur.execute("SELECT 1 FROM pg_extension WHERE extname = 'postgis'")
    if cur.fetchone() is None:
        raise DataError("the database has no PostGIS: run `CREATE EXTENSION postgis` in it as a superuser "
                        "(docs/postgis.md)")


def _schema_exists(cur: Any, schema: str) -> bool:
    cur.execute("SELECT 1 FROM information_schema.schemata WHERE schema_name = %s", (schema,))
    return cur.fetchone() is not None


def _jsonable(v: Any) -> Any:
    return json.loads(json.dumps(v, ensure_ascii=False, default=str))


def _version_rows(registry: Any) -> list[dict[str, Any]]:
    """One record per version the registry's metadata knows: version 1 (no parent) and the change log's."""
    log = [dict(e) for e in registry.metadata.get("changes", ())]
    by_version = {int(e["version"]): e for e in log if "version" in e}
    current = int(registry.version)
    rows = []
    if 1 not in by_version:
        rows.append({"version": 1, "parent_version": None, "date": None, "entry": None})
    for v in sorted(by_version):
        e = by_version[v]
        rows.append({"version": v, "parent_version": e.get("parent_version"), "date": e.get("date"), "entry": e})
    if current not in {r["version"] for r in rows}:
        rows.append({"version": current, "parent_version": registry.metadata.get("parent_version"),
                     "date": registry.metadata.get("version_date"), "entry": None})
    return [r for r in rows if r["version"] <= current]


def _insert_versions(cur: Any, schema: str, rows: list[dict[str, Any]], current: int,
                     changed: dict[str, Any] | None = None) -> None:
    """Insert ``rows`` into ``versions`` (``current`` is the current one); ``changed``: the ``changed`` record
    of every row (None: the column is left out, for a ``versions`` table without it)."""
    from psycopg import sql
    from psycopg.types.json import Jsonb

    cols = ["version", "parent_version", "date", "change_id", "kind", "reason", "summary", "entry", "is_current"]
    extra: tuple[Any, ...] = ()
    if changed is not None:
        cols.append("changed")
        extra = (Jsonb(changed),)
    cur.executemany(
        sql.SQL("INSERT INTO {} ({}) VALUES ({})").format(
            _t(schema, "versions"), sql.SQL(", ").join(sql.Identifier(c) for c in cols),
            sql.SQL(", ").join(sql.Placeholder() for _ in cols)),
        [(r["version"], r["parent_version"], r["date"], (r["entry"] or {}).get("change_id"),
          (r["entry"] or {}).get("kind"), (r["entry"] or {}).get("reason"),
          None if r["entry"] is None else Jsonb(_jsonable(r["entry"].get("summary", {}))),
          None if r["entry"] is None else Jsonb(_jsonable(r["entry"])), r["version"] == current, *extra)
         for r in rows])


# ---------------------------------------------------------------------------------------------- writing
def write_postgis(registry: Any, dsn: str, *, schema: str = DEFAULT_SCHEMA, replace: bool = False) -> dict[str, int]:
    """Write a city version (every table of ``registry``) into schema ``schema`` of the database ``dsn``.

    Parameters
    ----------
    registry : Registry
        Any version (its change log goes into ``versions``).
    dsn : str
        A PostgreSQL connection string; the database must have the ``postgis`` extension.
    schema : str, default "hangzhou_address"
        The schema to create (a plain identifier).
    replace : bool, default False
        Drop and re-create ``schema`` when it exists (in the same transaction). Without it an existing schema
        is an error.

    Returns
    -------
    dict
        Rows written per table.

    Raises
    ------
    InputError
        A schema name that is not a plain identifier; the schema exists and ``replace`` is False.
    DataError
        No connection, no PostGIS, or a table that cannot be written (nothing is written: one transaction).
    """
    from psycopg import sql
    from psycopg.types.json import Jsonb

    from ..lifecycle.changeset import table_of

    schema = _check_schema(schema)
    counts: dict[str, int] = {}
    with _connect(dsn) as conn, conn.transaction(), conn.cursor() as cur:
        _has_postgis(cur)
        if _schema_exists(cur, schema):
            if not replace:
                raise InputError(f"schema {schema!r} exists in the database; pass replace=True (--replace) to "
                                 "overwrite it, or use apply_postgis to change it")
            cur.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(schema)))
        cur.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
        cur.execute(sql.SQL("CREATE TABLE {} (table_name text NOT NULL, position integer NOT NULL, "
                            "column_name text NOT NULL, dtype text NOT NULL, listed boolean NOT NULL DEFAULT true, PRIMARY KEY (table_name, column_name))")
                    .format(_t(schema, "_columns")))
        cur.execute(sql.SQL("CREATE TABLE {} (key text PRIMARY KEY, value jsonb)").format(_t(schema, "metadata")))
        cur.execute(sql.SQL("CREATE TABLE {} (version integer PRIMARY KEY, parent_version integer, date text, "
                            "change_id text, kind text, reason text, summary jsonb, entry jsonb, "
                            "is_current boolean NOT NULL DEFAULT false, written_at timestamptz NOT NULL DEFAULT now(), "
                            "changed jsonb)")
                    .format(_t(schema, "versions")))
        cur.execute(sql.SQL("CREATE UNIQUE INDEX {} ON {} (is_current) WHERE is_current").format(
            sql.Identifier("versions_one_current"), _t(schema, "versions")))
        meta = {k: v for k, v in registry.metadata.items() if k not in _META_SKIP}
        cur.executemany(sql.SQL("INSERT INTO {} (key, value) VALUES (%s, %s)").format(_t(schema, "metadata")),
                        [(k, Jsonb(_jsonable(v))) for k, v in sorted(meta.items())])
        for name in TABLES:
            df = table_of(registry, name)
            if df is None:
                continue
            if name in GEO_TABLES and (df.crs is None or df.crs.to_epsg() != SRID):
                df = df.to_crs(SRID)
            columns = _columns_of(df)
            hidden, full = _hidden_for(name, df)
            _create_table(cur, schema, name, columns, hidden)
            counts[name] = _copy_rows(cur, schema, name, full, [*columns, *hidden])
            _create_indexes(cur, schema, name, columns)
            cur.execute(sql.SQL("ANALYZE {}").format(_t(schema, name)))
        _insert_versions(cur, schema, _version_rows(registry), int(registry.version))
    return counts


# ---------------------------------------------------------------------------------------------- reading
def _stored_columns(cur: Any, schema: str, listed: bool = True) -> dict[str, list[tuple[str, str]]]:
    from psycopg import sql

    cur.execute(sql.SQL("SELECT table_name, column_name, dtype FROM {} WHERE listed = %s "
                        "ORDER BY table_name, position").format(_t(schema, "_columns")), (listed,))
    out: dict[str, list[tuple[str, str]]] = {}
    for t, c, dt in cur.fetchall():
        out.setdefault(t, []).append((c, dt))
    return out


def _restore(values: list[Any], dtype: str) -> Any:
    if dtype == "geometry":
        import shapely

        arr = np.empty(len(values), dtype=object)
        arr[:] = values
        return shapely.from_wkb(arr)
    arr = np.empty(len(values), dtype=object)
    arr[:] = values
    s = pd.Series(arr, dtype=object, copy=False)
    if dtype == "object":
        return s
    try:
        return s.astype(dtype)
    except (TypeError, ValueError):  # e.g. missing values in an int column: keep what the database has
        return s


def _read_table(cur: Any, schema: str, table: str, columns: list[tuple[str, str]], *, after: int | None = None,
                upto: int | None = None) -> Any:
    """Table ``table`` (its ``columns``) in row order; only the rows whose ``_ord`` is above ``after`` / at most
    ``upto`` when given."""
    from psycopg import sql

    sel = [sql.SQL("ST_AsBinary({})").format(sql.Identifier(c)) if dt == "geometry" else sql.Identifier(c)
           for c, dt in columns]
    conds = [(sql.SQL("_ord > %s"), after), (sql.SQL("_ord <= %s"), upto)]
    where = [(c, int(v)) for c, v in conds if v is not None]
    cur.execute(sql.SQL("SELECT {} FROM {}{} ORDER BY _ord").format(
        sql.SQL(", ").join(sel), _t(schema, table),
        sql.SQL(" WHERE ") + sql.SQL(" AND ").join(c for c, _ in where) if where else sql.SQL("")),
        tuple(v for _, v in where) or None)
    rows = cur.fetchall()
    cols = list(zip(*rows)) if rows else [() for _ in columns]
    data = {c: _restore(list(v), dt) for (c, dt), v in zip(columns, cols)}
    geom = [c for c, dt in columns if dt == "geometry"]
    plain = pd.DataFrame({c: v for c, v in data.items() if c not in geom}, index=pd.RangeIndex(len(rows)))
    if not geom:
        return plain
    import geopandas as gpd

    for c in geom:
        plain[c] = gpd.GeoSeries(data[c], crs=f"EPSG:{SRID}")
    out = gpd.GeoDataFrame(plain, geometry=geom[0], crs=f"EPSG:{SRID}")
    return out[[c for c, _ in columns]]


def _current_version(cur: Any, schema: str) -> int:
    from psycopg import sql

    cur.execute(sql.SQL("SELECT version FROM {} WHERE is_current").format(_t(schema, "versions")))
    row = cur.fetchone()
    if row is None:
        raise DataError(f"schema {schema!r} has no current version (not written by write_postgis?)")
    return int(row[0])


def _source(cur: Any, schema: str, version: int) -> _Source | None:
    """The :class:`_Source` of ``version`` of ``schema`` (None: no such version)."""
    from psycopg import sql

    cur.execute(sql.SQL("SELECT n.oid, v.written_at FROM pg_namespace n, {} v WHERE n.nspname = %s AND v.version = %s")
                .format(_t(schema, "versions")), (schema, int(version)))
    row = cur.fetchone()
    return None if row is None else _Source(schema, int(row[0]), int(version), row[1])


def _held_source(registry: Any) -> _Source | None:
    """The database version ``registry`` holds, as noted when it was read or made (None: not known)."""
    is_cached = getattr(registry, "is_cached", None)
    if is_cached is None or not is_cached(_SOURCE_KEY):
        return None
    got = registry.cached(_SOURCE_KEY, lambda: None)
    return got if isinstance(got, _Source) else None


def _note_source(registry: Any, source: _Source | None) -> Any:
    if source is not None:
        registry.cached(_SOURCE_KEY, lambda: source)
    return registry


def _read_meta(cur: Any, schema: str) -> tuple[dict[str, Any], int]:
    """The registry metadata of the current version (``metadata`` + the version and its change log)."""
    from psycopg import sql

    cur.execute(sql.SQL("SELECT key, value FROM {} ORDER BY key").format(_t(schema, "metadata")))
    meta: dict[str, Any] = dict(cur.fetchall())
    current = _current_version(cur, schema)
    cur.execute(sql.SQL("SELECT version, parent_version, date, entry FROM {} WHERE version <= %s ORDER BY version")
                .format(_t(schema, "versions")), (current,))
    rows = cur.fetchall()
    log = [e for _v, _p, _d, e in rows if e is not None]
    last = rows[-1]
    if current != 1 or last[1] is not None:
        meta.update({"version": current, "parent_version": last[1], "version_date": last[2]})
    if log:
        meta["changes"] = log
    meta["postgis_schema"] = schema
    return meta, current


def _read(cur: Any, schema: str) -> Any:
    from ..registry import Registry

    if not _schema_exists(cur, schema):
        raise DataError(f"schema {schema!r} does not exist in the database (write a city with write_postgis / "
                        "`hzaddr city to-postgis`)")
    stored = _stored_columns(cur, schema)
    if "divisions" not in stored:
        raise DataError(f"schema {schema!r} has no divisions table")
    tables = {name: _read_table(cur, schema, name, stored[name]) for name in TABLES if name in stored}
    meta, current = _read_meta(cur, schema)
    reg = Registry(tables.pop("divisions"), metadata=meta, **tables)
    return _note_source(reg, _source(cur, schema, current))


def _snapshot(conn: Any) -> None:
    """Make ``conn`` one read-only snapshot of every table (REPEATABLE READ)."""
    psycopg = _psycopg()
    conn.autocommit = False
    conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
    conn.read_only = True


def read_postgis(dsn: str, *, schema: str = DEFAULT_SCHEMA) -> Any:
    """The current version of the city in schema ``schema`` as a :class:`~hangzhou_address.registry.Registry`
    (every table read now, in one consistent snapshot).

    Raises
    ------
    InputError
        A schema name that is not a plain identifier.
    DataError
        No connection, or no city in ``schema``.
    """
    schema = _check_schema(schema)
    with _connect(dsn) as conn:
        _snapshot(conn)
        with conn.cursor(binary=True) as cur:
            reg = _read(cur, schema)
        conn.rollback()
    return reg


def _has_changed_column(cur: Any, schema: str) -> bool:
    cur.execute("SELECT 1 FROM information_schema.columns WHERE table_schema = %s AND table_name = 'versions' "
                "AND column_name = 'changed'", (schema,))
    return cur.fetchone() is not None


def _deltas(cur: Any, schema: str, held: int, current: int) -> dict[str, dict[str, Any]] | None:
    """What versions ``held + 1 .. current`` changed, per table: ``{"rewritten": bool, "ord_before": int,
    "removed": set}``; None when a version between has no record or the chain of versions has a gap."""
    from psycopg import sql

    if not _has_changed_column(cur, schema):
        return None
    cur.execute(sql.SQL("SELECT version, parent_version, changed FROM {} WHERE version > %s AND version <= %s "
                        "ORDER BY version").format(_t(schema, "versions")), (held, current))
    rows = cur.fetchall()
    if [int(v) for v, _p, _c in rows] != list(range(held + 1, current + 1)):
        return None
    out: dict[str, dict[str, Any]] = {}
    for v, p, changed in rows:
        if p is None or int(p) != int(v) - 1 or not isinstance(changed, dict) or \
                not isinstance(changed.get("tables"), dict):
            return None
        for name, d in changed["tables"].items():
            m = out.setdefault(name, {"rewritten": False, "ord_before": None, "removed": set()})
            if not isinstance(d, dict) or d.get("rewritten") or not isinstance(d.get("removed"), list) \
                    or not isinstance(d.get("ord_before"), int):
                m["rewritten"] = True
                continue
            m["ord_before"] = d["ord_before"] if m["ord_before"] is None else min(m["ord_before"], d["ord_before"])
            m["removed"].update(d["removed"])
    return out


def _same_columns(df: Any, name: str, columns: list[tuple[str, str]]) -> bool:
    """Whether ``df`` has exactly the ``columns`` (names, dtypes) a read of table ``name`` gives (geometry in
    EPSG:4490)."""
    if df is None or _columns_of(df) != columns:
        return False
    if any(dt == "geometry" for _c, dt in columns):
        return df.crs is not None and df.crs.to_epsg() == SRID
    return True


def _as_read(df: Any, name: str, columns: list[tuple[str, str]]) -> Any:
    """Table ``df`` as :func:`_read_table` gives table ``name`` of these ``columns``: in their order, a
    RangeIndex, a column whose dtype differs converted as a read converts it (e.g. int32 -> object once a value
    is missing), a missing value of an object column as None (a read's; pandas makes NaN of it in a concat);
    ``df`` itself when it is already so. None when it cannot be (other columns, geometry in another CRS)."""
    names = [c for c, _ in columns]
    if df is None or sorted(map(str, df.columns)) != sorted(names):
        return None
    geom = [c for c, dt in columns if dt == "geometry"]
    if geom and (getattr(df, "crs", None) is None or df.crs.to_epsg() != SRID):
        return None
    out = df
    if [str(c) for c in df.columns] != names or not isinstance(df.index, pd.RangeIndex) or df.index.start != 0:
        out = df[names].reset_index(drop=True)
    for c, dt in columns:
        if dt == "geometry":
            continue
        col = out[c]
        if str(col.dtype) != dt:
            fixed = _restore(col.to_numpy(dtype=object, na_value=None).tolist(), dt)
        elif dt == "object":
            arr = col.to_numpy(dtype=object)
            miss = pd.isna(arr)
            if not miss.any() or (arr[miss] == None).all():  # noqa: E711 - elementwise, on an object array
                continue
            arr = arr.copy()
            arr[miss] = None
            fixed = pd.Series(arr, dtype=object, copy=False)
        else:
            continue
        if out is df:
            out = df.copy(deep=False)
        out[c] = fixed.set_axis(out.index)
    if geom and not hasattr(out, "crs"):
        import geopandas as gpd

        out = gpd.GeoDataFrame(out, geometry=geom[0], crs=f"EPSG:{SRID}")
    return out if _same_columns(out, name, columns) else None


def _patch_table(cur: Any, schema: str, name: str, columns: list[tuple[str, str]], old: Any,
                 delta: dict[str, Any]) -> Any:
    """Table ``name`` now: ``old`` without the rows ``delta`` removed, then the rows appended since
    (``_ord`` above ``delta["ord_before"]``). A column listed since (a hidden one a change now lists) is read for
    the rows kept; a column whose dtype changed is converted as a read converts it. None when the result would
    not be what a read gives (columns, row count, dtypes): the caller reads the table then."""
    from psycopg import sql

    from ..lifecycle.changeset import KEYS
    from ..registry import _check_codes

    names = [c for c, _ in columns]
    geom = [c for c, dt in columns if dt == "geometry"]
    removed, before = delta["removed"], delta["ord_before"]
    key = KEYS.get(name)
    missing = [(c, dt) for c, dt in columns if c not in old.columns]
    if set(map(str, old.columns)) - set(names) or any(dt == "geometry" for _c, dt in missing) or \
            (removed and (key is None or key not in old.columns)) or \
            (geom and (getattr(old, "crs", None) is None or old.crs.to_epsg() != SRID)):
        return None
    keep = old[~old[key].isin(list(removed)).to_numpy()] if removed else old
    keep = keep.reset_index(drop=True)
    if missing:
        extra = _read_table(cur, schema, name, missing, upto=before)
        if len(extra) != len(keep):
            return None
        keep = keep.assign(**{c: extra[c] for c, _ in missing})
    added = _read_table(cur, schema, name, columns, after=before)
    cur.execute(sql.SQL("SELECT count(*) FROM {}").format(_t(schema, name)))
    if int(cur.fetchone()[0]) != len(keep) + len(added):
        return None
    _check_codes(name, added)  # the rows kept were checked when they were read
    if not len(added):
        out = keep
    elif not len(keep):
        out = added
    else:
        out = pd.concat([keep[names], added], ignore_index=True)
    return _as_read(out, name, columns)


def _catch_up(cur: Any, schema: str, registry: Any) -> Any:
    """``registry`` brought to the current version reading only what changed since its version; None when
    that cannot be done safely (another schema, version or history than recorded; a version without its
    record of changes): the caller reads everything."""
    from ..lifecycle.changeset import table_of
    from ..registry import Registry

    held = _held_source(registry)
    if held is None or held.schema != schema or not _schema_exists(cur, schema):
        return None
    current = _current_version(cur, schema)
    if current < held.version or _source(cur, schema, held.version) != held:
        return None  # the schema was written again, or its history is another one
    if current == held.version:
        return registry
    deltas = _deltas(cur, schema, held.version, current)
    if deltas is None:
        return None
    stored = _stored_columns(cur, schema)
    if "divisions" not in stored:
        return None
    tables: dict[str, Any] = {}
    checked: list[str] = []
    read: list[str] = []
    for name in TABLES:
        if name not in stored:
            continue
        old = table_of(registry, name)
        delta = deltas.get(name)
        got = None
        if delta is None and _same_columns(old, name, stored[name]):
            got = old
        elif old is not None and delta is not None and not delta["rewritten"]:
            got = _patch_table(cur, schema, name, stored[name], old, delta)
        if got is None:
            got = _read_table(cur, schema, name, stored[name])
            read.append(name)
        else:
            checked.append(name)
        tables[name] = got
    meta, now = _read_meta(cur, schema)
    logging.getLogger(__name__).debug("schema %s: caught up from version %s to %s; tables read whole: %s", schema,
                                      held.version, now, ", ".join(read) or "none")
    reg = Registry(tables.pop("divisions"), metadata=meta, _checked=tuple(checked), **tables)
    return _note_source(reg, _source(cur, schema, now))


def refresh_postgis(dsn: str, registry: Any, *, schema: str = DEFAULT_SCHEMA) -> Any:
    """The current version of the city in ``schema``, reading only what changed since ``registry``'s version.

    ``registry`` is one this module returned for ``schema`` (:func:`read_postgis`, :func:`refresh_postgis`, or
    :attr:`PostgisVersion.registry`). The tables no version since has changed are taken from it as they are;
    of a changed table, the rows the versions between deleted are dropped and the rows they appended are read
    (``versions.changed`` records both). Anything that does not line up — a registry of another schema or
    database, a schema written again, a version between without its record (written by :func:`write_postgis`
    or an older library), a table whose columns changed — is read in full instead, in the same snapshot, so
    the result is always what :func:`read_postgis` would give: the same tables, version and metadata.

    Parameters
    ----------
    dsn : str
        A PostgreSQL connection string.
    registry : Registry
        The version held now; returned unchanged when it is still the current one.
    schema : str, default "hangzhou_address"

    Returns
    -------
    Registry

    Raises
    ------
    InputError
        A schema name that is not a plain identifier.
    DataError
        No connection, or no city in ``schema``.
    """
    schema = _check_schema(schema)
    with _connect(dsn) as conn:
        _snapshot(conn)
        with conn.cursor(binary=True) as cur:
            reg = _catch_up(cur, schema, registry)
            if reg is None:
                reg = _read(cur, schema)
        conn.rollback()
    return reg


def schema_version(dsn: str, *, schema: str = DEFAULT_SCHEMA) -> int:
    """The current version of the city in ``schema``."""
    schema = _check_schema(schema)
    with _connect(dsn) as conn, conn.cursor() as cur:
        return _current_version(cur, schema)


# ---------------------------------------------------------------------------------------------- applying
def _lock_current(cur: Any, schema: str, attempts: int = 20) -> int:
    """Lock the current ``versions`` row (``FOR UPDATE``) and return its version. A writer that committed
    while we waited for the lock has made its row non-current: look again (a new statement sees it)."""
    from psycopg import sql

    for _ in range(attempts):
        v = _current_version(cur, schema)
        cur.execute(sql.SQL("SELECT is_current FROM {} WHERE version = %s FOR UPDATE").format(
            _t(schema, "versions")), (v,))
        row = cur.fetchone()
        if row is not None and row[0]:
            return v
    raise ChangeConflictError(f"schema {schema!r}: the version kept changing while waiting for the lock; try again")


def _delete_keys(cur: Any, schema: str, table: str, key: str, keys: tuple[str, ...]) -> int:
    from psycopg import sql

    if not keys:
        return 0
    cur.execute(sql.SQL("DELETE FROM {} WHERE {} = ANY(%s)").format(_t(schema, table), sql.Identifier(key)),
                (list(keys),))
    return int(cur.rowcount)


def _rewrite(cur: Any, schema: str, name: str, df: Any) -> int:
    """Replace table ``name`` entirely (its columns changed)."""
    from psycopg import sql

    cur.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(_t(schema, name)))
    cur.execute(sql.SQL("DELETE FROM {} WHERE table_name = %s").format(_t(schema, "_columns")), (name,))
    if name in GEO_TABLES and (df.crs is None or df.crs.to_epsg() != SRID):
        df = df.to_crs(SRID)
    columns = _columns_of(df)
    hidden, full = _hidden_for(name, df)
    _create_table(cur, schema, name, columns, hidden)
    n = _copy_rows(cur, schema, name, full, [*columns, *hidden])
    _create_indexes(cur, schema, name, columns)
    return n


def _record_changes(cur: Any, schema: str) -> bool:
    """Whether ``versions`` has the ``changed`` column; a table written before it gets it now (in a savepoint,
    waiting at most 5 s for the table lock: a role that may not alter it, or readers holding it, leave it
    without, and this version unrecorded — readers then catch up over it by reading everything)."""
    from psycopg import sql

    psycopg = _psycopg()
    if _has_changed_column(cur, schema):
        return True
    cur.execute("SELECT current_setting('lock_timeout')")
    before = cur.fetchone()[0]
    try:
        with cur.connection.transaction():
            cur.execute("SELECT set_config('lock_timeout', '5s', true)")
            cur.execute(sql.SQL("ALTER TABLE {} ADD COLUMN IF NOT EXISTS changed jsonb").format(
                _t(schema, "versions")))
    except (psycopg.errors.InsufficientPrivilege, psycopg.errors.LockNotAvailable):
        return False
    finally:
        cur.execute("SELECT set_config('lock_timeout', %s, true)", (before,))
    return True


#: the pandas dtype whose conversion (:func:`_column_values`) fits a column of this PostgreSQL type
_CONVERT_AS = {"smallint": "int64", "integer": "int64", "bigint": "int64", "double precision": "float64",
               "boolean": "bool", "text": "object", "USER-DEFINED": "geometry"}


def _stored_types(cur: Any, schema: str, table: str) -> dict[str, str]:
    """Per column of ``table``, the dtype to convert values as for its PostgreSQL type (the type the column
    was created with: ``_columns`` may since say ``object`` for an integer column that got a missing value)."""
    cur.execute("SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = %s "
                "AND table_name = %s", (schema, table))
    return {c: _CONVERT_AS[t] for c, t in cur.fetchall() if t in _CONVERT_AS}


def _max_ord(cur: Any, schema: str, table: str) -> int:
    from psycopg import sql

    cur.execute(sql.SQL("SELECT coalesce(max(_ord), 0) FROM {}").format(_t(schema, table)))
    return int(cur.fetchone()[0])


def _registry_as_read(stored: dict[str, list[tuple[str, str]]], reg: Any, names: list[str]) -> tuple[Any, bool]:
    """``reg`` with its tables ``names`` as a read of the database gives them (:func:`_as_read`, with the
    columns ``stored`` in ``_columns``), and whether every one could be made so."""
    from ..lifecycle.changeset import table_of
    from ..registry import LAZY_TABLES, Registry

    tables = {n: table_of(reg, n) if n == "divisions" or reg.has_table(n) else None for n in ("divisions", *LAZY_TABLES)}
    changed = False
    for n in names:
        got = _as_read(tables.get(n), n, stored[n]) if n in stored else None
        if got is None:
            return reg, False
        changed = changed or got is not tables[n]
        tables[n] = got
    if not changed:
        return reg, True
    return Registry(tables.pop("divisions"), metadata=reg.metadata, _checked=LAZY_TABLES, **tables), True


def apply_postgis(dsn: str, changes: Any, *, schema: str = DEFAULT_SCHEMA, registry: Any = None) -> PostgisVersion:
    """Apply one or several change sets to the city in schema ``schema``, in one transaction.

    Parameters
    ----------
    dsn : str
        A PostgreSQL connection string.
    changes : ChangeSet, function, or a list of them
        Change sets made against the database's current version, one after the other, or functions
        ``registry -> ChangeSet`` called with the registry of the version produced so far (as
        :func:`~hangzhou_address.io.versions.apply_to_directory`).
    schema : str, default "hangzhou_address"
    registry : Registry, optional
        The registry the caller holds, as this module returned it (:func:`read_postgis`,
        :func:`refresh_postgis`, :attr:`PostgisVersion.registry`). When it is the database's current version
        (checked under the lock: same schema, version and ``versions`` row), the change sets are applied to it
        instead of to the city read from the database under the lock; otherwise the city is read under the lock.
        Without it the city is read before the lock is taken and used the same way (other editors then wait
        for the change only, not for the read). Either way the same rows are written and the same
        :class:`PostgisVersion` is returned.

    Returns
    -------
    PostgisVersion
        With the new version as :attr:`PostgisVersion.registry`.

    Raises
    ------
    ChangeConflictError
        A change set was made against another version than the database's (another editor applied a change
        first): nothing is written; make it again against the current version.
    ChangeError
        A change fails validation (nothing is written).
    """
    from psycopg import sql

    from ..lifecycle.changeset import KEYS, ChangeSet, apply_all, table_of, touched_tables
    from .versions import _changes

    schema = _check_schema(schema)
    items = _changes(changes)
    psycopg = _psycopg()
    if registry is None:
        # read before the lock, not under it: other editors wait for the change (~1 s on the full city), not for
        # a whole read of the city (20-40 s); under the lock it is used only if it is still the current version,
        # the check a registry the caller holds gets (else the city is read there, as before)
        try:
            registry = read_postgis(dsn, schema=schema)
        except DataError:
            registry = None  # (no city there: the transaction below says so)
    with _connect(dsn) as conn:
        try:
            with conn.transaction(), conn.cursor(binary=True) as cur:
                if not _schema_exists(cur, schema):
                    raise DataError(f"schema {schema!r} does not exist in the database")
                base = _lock_current(cur, schema)
                first = items[0]
                if isinstance(first, ChangeSet) and first.parent_version != base:
                    raise ChangeConflictError(
                        f"the change set {first.change_id} was made against version {first.parent_version}, the "
                        f"database ({schema}) is at version {base}: make it again against the current version")
                held = registry is not None and _held_source(registry) == _source(cur, schema, base)
                start = registry if held else _read(cur, schema)
                # (each validated; ChangeConflictError on another parent version)
                new, applied = apply_all(start, items)
                stored = _stored_columns(cur, schema)
                hidden = _stored_columns(cur, schema, listed=False)
                counts: dict[str, list[int]] = {}
                delta: dict[str, dict[str, Any]] = {}  # what readers need to catch up (versions.changed)
                for name in sorted(touched_tables(applied)):
                    df = table_of(new, name)
                    if df is None:
                        continue
                    have = stored.get(name)
                    hid = dict(hidden.get(name, ()))
                    cols = {str(c) for c in df.columns}
                    listed = {c for c, _ in have} if have is not None else set()
                    if have is None or not (listed <= cols and cols - listed <= set(hid)):
                        old = table_of(start, name)
                        counts[name] = [0 if old is None else len(old), _rewrite(cur, schema, name, df)]
                        delta[name] = {"rewritten": True}
                        continue
                    for c in sorted(cols - listed):  # a hidden column the change set now lists: list it
                        cur.execute(sql.SQL("UPDATE {} SET listed = true, dtype = %s WHERE table_name = %s AND "
                                            "column_name = %s").format(_t(schema, "_columns")),
                                    (str(df[c].dtype), name, c))
                    dtypes = {**hid, **dict(have), **_stored_types(cur, schema, name)}
                    removed: set[str] = set()
                    delta[name] = {"ord_before": _max_ord(cur, schema, name)}
                    d = i = 0
                    for cs in applied:
                        if name == "lineage":
                            adds = [cs.lineage] if len(cs.lineage) else []
                        else:
                            tc = cs.tables.get(name)
                            if tc is None:
                                continue
                            d += _delete_keys(cur, schema, name, KEYS[name], tuple(tc.remove))
                            removed.update(str(k) for k in tc.remove)
                            adds = [tc.add] if tc.add is not None and len(tc.add) else []
                        for add in adds:
                            if name in GEO_TABLES and (add.crs is None or add.crs.to_epsg() != SRID):
                                add = add.to_crs(SRID)
                            i += _copy_rows(cur, schema, name, add, [(str(c), dtypes[str(c)]) for c in add.columns])
                    counts[name] = [d, i]
                    # None: too many to record; readers read the table whole
                    delta[name]["removed"] = sorted(removed) if len(removed) <= _MAX_DELTA_KEYS else None
                    # the dtypes pandas gives the table after the change (e.g. object once a value is missing)
                    cur.executemany(sql.SQL("UPDATE {} SET dtype = %s WHERE table_name = %s AND column_name = %s")
                                    .format(_t(schema, "_columns")),
                                    [(dt, name, c) for c, dt in _columns_of(df) if c in listed])
                    for c in sorted(set(hid) - cols):
                        # the table changed without the hidden column: it no longer describes the rows
                        cur.execute(sql.SQL("ALTER TABLE {} DROP COLUMN {}").format(_t(schema, name),
                                                                                     sql.Identifier(c)))
                        cur.execute(sql.SQL("DELETE FROM {} WHERE table_name = %s AND column_name = %s")
                                    .format(_t(schema, "_columns")), (name, c))
                    for c in sorted(cols - listed):  # listed now: the stored values must be the registry's
                        cur.execute(sql.SQL("SELECT {} FROM {} ORDER BY _ord").format(sql.Identifier(c),
                                                                                       _t(schema, name)))
                        got = _restore([r[0] for r in cur.fetchall()], str(df[c].dtype))
                        if not got.reset_index(drop=True).equals(df[c].reset_index(drop=True)):
                            old = table_of(start, name)
                            counts[name] = [0 if old is None else len(old), _rewrite(cur, schema, name, df)]
                            delta[name] = {"rewritten": True}
                            break
                for name, (d, i) in counts.items():
                    # a rewritten table has no statistics yet; a few rows changed in a large one do not need
                    # new ones (autovacuum re-analyzes once ~10 % changed): ANALYZE of the full city's buildings
                    # is ~1 s, under the lock
                    if delta[name].get("rewritten") or d + i > _ANALYZE_SHARE * max(len(table_of(new, name)), 1):
                        cur.execute(sql.SQL("ANALYZE {}").format(_t(schema, name)))
                cur.execute(sql.SQL("UPDATE {} SET is_current = false WHERE version = %s").format(
                    _t(schema, "versions")), (base,))
                log = [dict(e) for e in new.metadata.get("changes", ())]
                added = log[len(log) - (new.version - base):]
                rows = [{"version": int(e["version"]), "parent_version": e.get("parent_version"),
                         "date": e.get("date"), "entry": e} for e in added]
                changed = {"tables": delta} if _record_changes(cur, schema) else None
                _insert_versions(cur, schema, rows, int(new.version), changed)
                final, source = _stored_columns(cur, schema), _source(cur, schema, int(new.version))
        except (psycopg.errors.SerializationFailure, psycopg.errors.DeadlockDetected):
            raise ChangeConflictError(f"schema {schema!r}: another editor changed the city at the same time; "
                                      "make the change again against the current version") from None
    new, as_read = _registry_as_read(final, new, sorted(counts))  # (committed: the lock is released)
    if as_read:  # exactly what a read of the new version gives: it may stand for one
        _note_source(new, source)
    return PostgisVersion(schema, int(new.version), base, tuple(added),
                          tuple((t, int(d), int(i)) for t, (d, i) in sorted(counts.items())), registry=new)
