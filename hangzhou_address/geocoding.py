"""Geocoding (``hangzhou_address.geocode``): address texts → match columns + a geometry, as a GeoDataFrame (EPSG:4490).

The geometry of an answer comes from the registry's own tables, by the answer's code:

=============  ==========================================================================
level          geometry (``geometry_source``)
=============  ==========================================================================
building       the building footprint (``buildings``) or its point (``building_geometry='point'``)
grid           the grid polygon (``grids``)
community,     the division's polygon (``division_areas``)
town, district
city / none    None (no code, or a code the registry has no geometry for)
=============  ==========================================================================

Nothing is computed from the text: a row gets the geometry of exactly the code the matcher gave it, so a
town-level answer is drawn as the whole town, never as a guessed point.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from .errors import InputError

if TYPE_CHECKING:  # pragma: no cover
    import geopandas as gpd

    from .matcher import Matcher
    from .registry import Registry

__all__ = ["geocode", "code_geometries", "GEOCODE_COLUMNS"]

#: columns :func:`geocode` adds to the match columns (besides ``geometry``)
GEOCODE_COLUMNS = ("geometry_source",)
_BUILDING_GEOMETRY = ("footprint", "point")
# code length → (table, source label); community / town / district polygons live in division_areas
_TABLE_BY_LENGTH = {20: ("buildings", "building"), 15: ("grids", "grid"), 12: ("division_areas", "community"),
                    9: ("division_areas", "town"), 6: ("division_areas", "district")}


def _code_lookup(reg: Registry, table: str) -> tuple[Any, np.ndarray] | None:
    """(pandas Index of codes, geometry array) of a registry table, cached; None without the table."""
    if not reg.has_table(table):
        return None

    def build() -> tuple[Any, np.ndarray]:
        import pandas as pd

        t = reg.require(table)
        return pd.Index(t["code"].astype(str)), np.asarray(t.geometry.values, dtype=object)

    return reg.cached(f"geocode_lookup_{table}", build)


def code_geometries(codes: Any, *, registry: Registry | None = None,
                    building_geometry: Literal["footprint", "point"] = "footprint") -> tuple[np.ndarray, np.ndarray]:
    """Geometries (EPSG:4490) of codes of any level, from the registry's tables.

    Parameters
    ----------
    codes : array-like of str or None
    registry : Registry, optional
        Default: :func:`hangzhou_address.default_registry`.
    building_geometry : {'footprint', 'point'}
        Building codes give the footprint polygon, or the building's point (its ``x``/``y``).

    Returns
    -------
    (geometries, sources) : two object arrays, one entry per code
        The shapely geometry (None where there is none) and where it came from (``'building'``,
        ``'grid'``, ``'community'``, ``'town'``, ``'district'`` or None).

    Examples
    --------
    >>> geoms, src = code_geometries(["330106005", "33010600700900400016", None, "3301"])
    >>> [g.geom_type if g is not None else None for g in geoms], src.tolist()
    (['Polygon', 'Polygon', None, None], ['town', 'building', None, None])
    """
    import shapely

    from .spatial import _registry

    if building_geometry not in _BUILDING_GEOMETRY:
        raise InputError(f"building_geometry must be one of {_BUILDING_GEOMETRY}, got {building_geometry!r}")
    reg = _registry(registry)
    arr = np.asarray([c if isinstance(c, str) else None for c in codes], dtype=object)
    geoms = np.full(len(arr), None, dtype=object)
    sources = np.full(len(arr), None, dtype=object)
    lengths = np.array([len(c) if c is not None else 0 for c in arr], dtype=np.int64)
    for n, (table, label) in _TABLE_BY_LENGTH.items():
        rows = np.flatnonzero(lengths == n)
        if len(rows) == 0:
            continue
        lookup = _code_lookup(reg, table)
        if lookup is None:
            continue
        index, table_geoms = lookup
        pos = index.get_indexer(arr[rows].astype(str))
        found = pos >= 0
        if table == "buildings" and building_geometry == "point":
            b = reg.require("buildings")
            if "x" in b.columns and "y" in b.columns:
                xs, ys = b["x"].to_numpy(dtype=float), b["y"].to_numpy(dtype=float)
                geoms[rows[found]] = shapely.points(xs[pos[found]], ys[pos[found]])
            else:
                geoms[rows[found]] = shapely.point_on_surface(table_geoms[pos[found]])
        else:
            geoms[rows[found]] = table_geoms[pos[found]]
        sources[rows[found]] = label
    return geoms, sources


def geocode(texts: Any, *, registry: Registry | None = None, matcher: Matcher | None = None,
            fuzzy: bool = True, workers: int = 1,
            building_geometry: Literal["footprint", "point"] = "footprint") -> gpd.GeoDataFrame:
    """Match address texts and give each answer its geometry, as a GeoDataFrame in EPSG:4490.

    Parameters
    ----------
    texts : iterable of str, or pandas.Series
        One row per text, in input order; a Series keeps its index.
    registry : Registry, optional
        Default: :func:`hangzhou_address.default_registry`. Its tables give the geometries.
    matcher : Matcher, optional
        Default: the registry's cached matcher.
    fuzzy, workers
        As in :func:`hangzhou_address.match_many`.
    building_geometry : {'footprint', 'point'}
        Building answers as the footprint polygon (default) or the building's point.

    Returns
    -------
    geopandas.GeoDataFrame
        The match columns (:data:`hangzhou_address.matcher.MATCH_COLUMNS`), ``geometry_source``
        (``'building'``, ``'grid'``, ``'community'``, ``'town'``, ``'district'`` or None) and
        ``geometry`` (None where there is no code, or for a city-level answer); ``crs`` EPSG:4490.

    Examples
    --------
    >>> g = geocode(["西湖区翠苑街道", "不是地址"])
    >>> g[["code", "level", "geometry_source"]].to_dict("list")
    {'code': ['330106005', None], 'level': ['town', None], 'geometry_source': ['town', None]}
    >>> g.crs.to_epsg(), g.geometry.isna().tolist()
    (4490, [False, True])
    """
    import geopandas as gpd
    import pandas as pd

    from .matcher import default_matcher
    from .spatial import _registry

    if isinstance(texts, (str, bytes)):
        raise InputError("texts must be a list or Series of address texts, not one string; use [text]")
    if building_geometry not in _BUILDING_GEOMETRY:
        raise InputError(f"building_geometry must be one of {_BUILDING_GEOMETRY}, got {building_geometry!r}")
    reg = _registry(registry if matcher is None else (registry or matcher.registry))
    index = texts.index if isinstance(texts, pd.Series) else None
    m = matcher if matcher is not None else default_matcher(reg)
    df = m.match_many(list(texts), workers=workers, fuzzy=fuzzy)
    if index is not None:
        df.index = index
    geoms, sources = code_geometries(df["code"].to_numpy(dtype=object), registry=reg,
                                     building_geometry=building_geometry)
    df["geometry_source"] = pd.Series(sources, index=df.index, dtype=object)
    return gpd.GeoDataFrame(df, geometry=gpd.GeoSeries(geoms, index=df.index, crs=4490), crs=4490)
