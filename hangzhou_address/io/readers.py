"""Read a city's authoritative tables from GeoPackage, GeoParquet/Parquet, Shapefile or CSV.

Every reader returns a table in the schema of ``docs/data-model.md``:

* columns are renamed with ``columns={"their_name": "our_name"}`` (e.g. ``{"BM": "code",
  "SSWG": "grid_code"}``); names already matching ours need no mapping;
* codes are read as **strings** (a numeric code column, as Shapefile/DBF and GeoPackage often store
  them, is converted without a decimal part; CSV columns are read as text from the start, so
  leading zeros survive);
* geometry comes from the file (GeoPackage, Shapefile, GeoParquet), from a WKT column (``wkt=``) or
  from longitude/latitude columns (``x=``, ``y=``) and is reprojected from any CRS pyproj knows to
  EPSG:4490. A file without CRS needs ``crs=``;
* missing optional columns get defaults (``status='active'``, ``synthetic=False``); missing
  required columns raise :class:`~hangzhou_address.errors.DataError` listing the columns that exist.

Nothing is fixed or dropped silently: validate what you loaded with
:func:`hangzhou_address.io.validate.validate_city`.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import DataError, InputError

__all__ = ["read_any", "read_divisions", "read_grids", "read_buildings", "read_addresses", "read_aliases",
           "REQUIRED"]

REQUIRED: dict[str, tuple[str, ...]] = {
    "divisions": ("code", "level", "name", "parent_code"),
    "grids": ("code", "community_code"),
    "buildings": ("code", "grid_code"),
    "addresses": ("building_code", "text"),
    "aliases": ("kind", "name", "alias"),
}
_CODE_COLUMNS = ("code", "parent_code", "community_code", "grid_code", "building_code", "district_code",
                 "town_code")
_GEO_SUFFIXES = {".gpkg", ".shp", ".geojson", ".json", ".fgb"}


def _as_code_strings(s: pd.Series) -> pd.Series:
    if pd.api.types.is_numeric_dtype(s):
        return pd.Series([None if pd.isna(v) else str(int(v)) for v in s], index=s.index, dtype=object)
    return pd.Series([None if (v is None or (isinstance(v, float) and np.isnan(v))) else str(v).strip()
                      for v in s], index=s.index, dtype=object)


def read_any(
    path: str | Path,
    *,
    columns: Mapping[str, str] | None = None,
    crs: Any = None,
    layer: str | int | None = None,
    x: str | None = None,
    y: str | None = None,
    wkt: str | None = None,
    geometry: bool = True,
) -> Any:
    """Read a table from any supported file; a GeoDataFrame in EPSG:4490 when it has geometry.

    Parameters
    ----------
    path : path
        ``.gpkg``, ``.shp``, ``.parquet`` / ``.geoparquet``, ``.csv`` (also ``.geojson``).
    columns : mapping, optional
        Rename user columns to ours: ``{"BM": "code"}``.
    crs : CRS, optional
        CRS of the coordinates when the file does not say (always needed for CSV with geometry;
        default EPSG:4490 there).
    layer : str or int, optional
        GeoPackage layer.
    x, y, wkt : str, optional
        CSV/Parquet geometry from lon/lat columns or a WKT column.
    geometry : bool
        False to ignore geometry (plain tables such as addresses).
    """
    import geopandas as gpd

    from ..coords import parse_crs, to_cgcs2000

    path = Path(path)
    if not path.exists():
        raise DataError(f"{path}: file not found")
    suffix = path.suffix.lower()
    try:
        if suffix in _GEO_SUFFIXES:
            df = gpd.read_file(path, layer=layer) if layer is not None else gpd.read_file(path)
        elif suffix in (".parquet", ".geoparquet", ".pq"):
            import pyarrow.parquet as pq

            meta = pq.read_schema(path).metadata or {}
            df = gpd.read_parquet(path) if b"geo" in meta and geometry else pd.read_parquet(path)
        elif suffix in (".csv", ".txt", ".tsv"):
            df = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""], encoding="utf-8-sig",
                             sep="\t" if suffix == ".tsv" else ",")
        else:
            raise DataError(f"{path}: unsupported format {suffix!r}; use .gpkg, .shp, .parquet or .csv")
    except DataError:
        raise
    except Exception as exc:  # noqa: BLE001 - any reader failure becomes one actionable error
        raise DataError(f"{path}: could not read ({type(exc).__name__}: {exc})") from None
    if columns:
        missing = [c for c in columns if c not in df.columns]
        if missing:
            raise DataError(f"{path}: column mapping names {missing} which are not in the file; "
                            f"it has {list(df.columns)}")
        df = df.rename(columns=dict(columns))
    for col in _CODE_COLUMNS:
        if col in df.columns:
            df[col] = _as_code_strings(df[col])
    if not geometry:
        return pd.DataFrame(df.drop(columns=["geometry"], errors="ignore"))
    if isinstance(df, gpd.GeoDataFrame):
        if df.crs is None:
            if crs is None:
                raise DataError(f"{path}: the file has no CRS; pass crs= (e.g. 'EPSG:4549')")
            df = df.set_crs(crs)
        if df.crs.to_epsg() != 4490:
            df = df.to_crs(4490)
        return df
    if wkt is not None or (x is not None and y is not None):
        import shapely

        key = parse_crs(crs or "EPSG:4490")
        if wkt is not None:
            if wkt not in df.columns:
                raise DataError(f"{path}: WKT column {wkt!r} not found; columns are {list(df.columns)}")
            try:
                geom = shapely.from_wkt(df[wkt].to_numpy(dtype=object))
            except Exception as exc:  # noqa: BLE001
                raise DataError(f"{path}: column {wkt!r} holds invalid WKT ({exc})") from None
            if key not in ("EPSG:4490", "EPSG:4326"):
                geom = shapely.transform(geom, lambda c: np.column_stack(to_cgcs2000(c[:, 0], c[:, 1], key)))
            df = df.drop(columns=[wkt])
        else:
            for c in (x, y):
                if c not in df.columns:
                    raise DataError(f"{path}: coordinate column {c!r} not found; columns are {list(df.columns)}")
            xs = pd.to_numeric(df[x], errors="coerce").to_numpy(dtype=float)
            ys = pd.to_numeric(df[y], errors="coerce").to_numpy(dtype=float)
            lon, lat = to_cgcs2000(xs, ys, key)
            geom = shapely.points(lon, lat)
            df[x], df[y] = lon, lat  # CGCS2000 lon/lat from here on
            if "x" not in df.columns and "y" not in df.columns:
                df["x"], df["y"] = lon, lat
        return gpd.GeoDataFrame(df, geometry=geom, crs="EPSG:4490")
    return df


def _finish(df: Any, table: str, path: Any) -> Any:
    missing = [c for c in REQUIRED[table] if c not in df.columns]
    if missing:
        raise DataError(f"{path}: {table} table is missing required column(s) {missing}; it has "
                        f"{[c for c in df.columns if c != 'geometry']}. Map yours with columns={{...}}")
    defaults: dict[str, Any] = {"status": "active", "valid_from": None, "valid_to": None}
    if table != "divisions":
        defaults["synthetic"] = False
    for col, val in defaults.items():
        if col not in df.columns:
            df[col] = pd.Series([val] * len(df), index=df.index, dtype=object if val is None else None)
    return df


def read_divisions(path: str | Path, **kwargs: Any) -> pd.DataFrame:
    """Read a divisions table (``code, level, name, parent_code``); see :func:`read_any`."""
    df = read_any(path, geometry=False, **kwargs)
    if "level" in df.columns:
        df["level"] = df["level"].replace({"village": "community"})
    return _finish(df, "divisions", path)


def read_grids(path: str | Path, **kwargs: Any) -> Any:
    """Read grid polygons (``code, community_code, geometry``); see :func:`read_any`."""
    df = read_any(path, **kwargs)
    if not hasattr(df, "geometry"):
        raise DataError(f"{path}: grids need polygons: a geo file, or a WKT column with wkt=")
    if "number" not in df.columns and "code" in df.columns:
        df["number"] = [int(c[12:15]) if isinstance(c, str) and len(c) == 15 and c[12:].isdigit() else None
                        for c in df["code"]]
    return _finish(df, "grids", path)


def read_buildings(path: str | Path, **kwargs: Any) -> Any:
    """Read buildings (``code, grid_code`` + footprint or point geometry); see :func:`read_any`."""
    import shapely

    df = read_any(path, **kwargs)
    if not hasattr(df, "geometry"):
        raise DataError(f"{path}: buildings need geometry: a geo file, a WKT column (wkt=) or x=/y= columns")
    if "x" not in df.columns or "y" not in df.columns:
        rp = shapely.point_on_surface(df.geometry.values)
        df["x"], df["y"] = shapely.get_x(rp), shapely.get_y(rp)
    if "number" not in df.columns and "code" in df.columns:
        df["number"] = [int(c[15:19]) if isinstance(c, str) and len(c) == 20 and c[15:19].isdigit() else None
                        for c in df["code"]]
    return _finish(df, "buildings", path)


def read_addresses(path: str | Path, **kwargs: Any) -> pd.DataFrame:
    """Read an addresses table (``building_code, text`` + optional components); see :func:`read_any`."""
    if kwargs.get("x") or kwargs.get("wkt"):
        raise InputError("addresses are plain tables; geometry belongs to buildings")
    df = read_any(path, geometry=False, **kwargs)
    df = _finish(df, "addresses", path)
    for col, default in (("form", None), ("primary", True)):
        if col not in df.columns:
            df[col] = default
    for col, n in (("district_code", 6), ("town_code", 9), ("community_code", 12)):
        if col not in df.columns:
            df[col] = [b[:n] if isinstance(b, str) and len(b) >= n else None for b in df["building_code"]]
    for col in ("road", "poi"):
        if col not in df.columns:
            df[col] = pd.Series([None] * len(df), dtype=object)
    for col in ("roadno", "houseno", "group"):
        if col not in df.columns:
            df[col] = pd.array([pd.NA] * len(df), dtype="Int64")
        else:
            df[col] = pd.to_numeric(df[col], errors="coerce").astype("Int64")
    return df


def _as_optional_text(s: pd.Series) -> pd.Series:
    """Strings stripped; NA, None and empty strings become None (nothing else is changed)."""
    out = []
    for v in s:
        if v is None or (not isinstance(v, str) and pd.isna(v)):
            out.append(None)
        else:
            v = str(v).strip()
            out.append(v or None)
    return pd.Series(out, index=s.index, dtype=object)


def _as_iso_dates(s: pd.Series) -> pd.Series:
    """Dates as ISO ``YYYY-MM-DD`` strings: date/datetime values (GeoPackage, Parquet) are formatted,
    text is kept as written (validation reports what does not parse), NA / empty become None."""
    import datetime as dt

    def iso(v: Any) -> Any:
        return v.strftime("%Y-%m-%d") if isinstance(v, (dt.date, pd.Timestamp)) and not pd.isna(v) else v

    return _as_optional_text(pd.Series([iso(v) for v in s], index=s.index, dtype=object))


def read_aliases(path: str | Path, **kwargs: Any) -> pd.DataFrame:
    """Read an aliases table (``kind, name, alias`` + ``alias_kind, valid_from, valid_to, note``).

    Other names of roads (``kind`` road) and compounds / villages (``kind`` poi): a former name, a
    common short form, a developer's name. A plain table (CSV, Parquet, a GeoPackage attribute
    layer via ``layer=``); see :func:`read_any`. Missing optional columns default to
    ``alias_kind='other'``, open dates (None), no note, ``synthetic=False``; dates read as dates
    become ISO strings. Nothing else is changed: :func:`~hangzhou_address.io.validate.validate_city`
    reports bad kinds, unknown names and unparseable dates.
    """
    if kwargs.get("x") or kwargs.get("wkt"):
        raise InputError("aliases are plain tables without geometry")
    df = read_any(path, geometry=False, **kwargs)
    missing = [c for c in REQUIRED["aliases"] if c not in df.columns]
    if missing:
        raise DataError(f"{path}: aliases table is missing required column(s) {missing}; it has "
                        f"{list(df.columns)}. Map yours with columns={{...}}")
    df = pd.DataFrame(df).reset_index(drop=True)
    for col in ("kind", "name", "alias", "alias_kind", "note", "district_code"):
        if col in df.columns:
            df[col] = _as_optional_text(df[col])
    if "alias_kind" not in df.columns:
        df["alias_kind"] = "other"
    for col in ("valid_from", "valid_to"):
        df[col] = _as_iso_dates(df[col]) if col in df.columns else pd.Series([None] * len(df), dtype=object)
    if "note" not in df.columns:
        df["note"] = pd.Series([None] * len(df), dtype=object)
    if "synthetic" not in df.columns:
        df["synthetic"] = False
    else:
        df["synthetic"] = [v.strip().lower() in ("true", "1", "yes") if isinstance(v, str)
                           else (False if v is None or pd.isna(v) else bool(v)) for v in df["synthetic"]]
    first = ["kind", "name", "alias", "alias_kind", "valid_from", "valid_to", "note"]
    return df[first + [c for c in df.columns if c not in first]]
