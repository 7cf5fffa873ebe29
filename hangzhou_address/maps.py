"""Interactive maps (folium, the optional ``[map]`` extra) of match / geocode / locate results and grids.

:func:`explore` reuses geopandas' own ``GeoDataFrame.explore`` (which draws with folium) for each layer
and adds a layer control, so the map behaves like any geopandas map in a notebook. Nothing is fetched
while building the map; only the browser showing it loads the background tiles (``tiles=None`` for none).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from .errors import InputError, InputTypeError

if TYPE_CHECKING:  # pragma: no cover
    import folium

    from .registry import Registry

__all__ = ["explore", "map_grids"]

#: tooltip columns shown for a result layer, when present
_TOOLTIP = ("input", "code", "level", "confidence", "geometry_source", "grid_code", "grid_name",
            "building_code", "distance_m")
_MAX_GRIDS = 3000


def _require_folium() -> None:
    try:
        import folium  # noqa: F401
        import mapclassify  # noqa: F401
        import matplotlib  # noqa: F401
    except ImportError as exc:
        raise ImportError(
            f"hangzhou_address.explore needs folium, mapclassify and matplotlib ({exc.name} is missing); "
            "install the map extra: pip install 'hangzhou_address[map]'") from None


def map_grids(data: Any = None, *, within: str | None = None, registry: Registry | None = None) -> Any:
    """The registry's grids to draw with ``data``: those within a division code, or near ``data``.

    Parameters
    ----------
    data : GeoDataFrame, optional
        Grids intersecting its bounding box (in EPSG:4490, widened by 10 %) are chosen.
    within : str, optional
        A division code (district, town or community): its grids. Overrides ``data``.

    Returns
    -------
    geopandas.GeoDataFrame
        ``code``, ``name``, ``community_code`` (where the table has them) and ``geometry``, EPSG:4490.
    """
    import shapely

    from .spatial import _registry

    reg = _registry(registry)
    from .spatial import _current

    grids = _current(reg, "grids")  # current grids only (re-drawn ones stay in the table, retired)
    cols = [c for c in ("code", "name", "community_code") if c in grids.columns] + ["geometry"]
    if within is not None:
        if not isinstance(within, str) or not within.isdigit():
            raise InputError(f"within must be a division code such as '330106005', got {within!r}")
        return grids.loc[grids["code"].astype(str).str.startswith(within), cols]
    if data is None:
        raise InputError("pass data= (grids near it are drawn) or within= (a division code)")
    geo = data.to_crs(4490) if data.crs is not None else data
    geoms = np.asarray(geo.geometry.values, dtype=object)
    geoms = geoms[~shapely.is_missing(geoms) & ~shapely.is_empty(geoms)]
    if len(geoms) == 0:
        return grids.iloc[:0][cols]
    minx, miny, maxx, maxy = shapely.total_bounds(geoms)
    dx, dy = max((maxx - minx) * 0.1, 1e-3), max((maxy - miny) * 0.1, 1e-3)
    tree = reg.cached("map_grid_tree", lambda: shapely.STRtree(grids.geometry.values))
    pos = np.sort(tree.query(shapely.box(minx - dx, miny - dy, maxx + dx, maxy + dy)))
    return grids.iloc[pos][cols]


def explore(data: Any = None, *, grids: bool | str = True, registry: Registry | None = None,
            m: folium.Map | None = None, column: str | None = None, name: str = "results",
            tiles: Any = "OpenStreetMap", max_grids: int = _MAX_GRIDS, **kwargs: Any) -> folium.Map:
    """An interactive folium map of results (geocode / locate / nearest frames) over the grids.

    Parameters
    ----------
    data : GeoDataFrame, optional
        Rows without a geometry are left out of the map (they stay in ``data``).
    grids : bool or str
        True (default): the grids around ``data``; a division code: that division's grids;
        False: no grid layer.
    m : folium.Map, optional
        Add the layers to this map instead of a new one.
    column : str, optional
        Colour the results by this column (default ``level`` when present).
    name : str
        The results layer's name in the layer control.
    tiles : str or None
        Background tiles, as in ``GeoDataFrame.explore`` (None: no background).
    max_grids : int
        More grids than this raise :class:`InputError` (the HTML would be too large to open).
    **kwargs
        Passed to ``GeoDataFrame.explore`` for the results layer.

    Returns
    -------
    folium.Map
        With a ``grids`` layer (when asked), a results layer (when ``data`` has geometries) and a layer
        control.
    """
    import geopandas as gpd

    _require_folium()
    import folium

    if data is not None and not isinstance(data, gpd.GeoDataFrame):
        raise InputTypeError(f"data must be a GeoDataFrame (e.g. from geocode or locate_frame), got "
                             f"{type(data).__name__}")
    if data is None and grids is True:
        raise InputError("nothing to draw: pass data=, or grids='<division code>' for a division's grids")
    layers: list[tuple[str, Any]] = []
    if grids is not False:
        g = map_grids(data, within=grids if isinstance(grids, str) else None, registry=registry)
        if len(g) > max_grids:
            raise InputError(f"{len(g):,} grids to draw (max_grids={max_grids:,}); pass grids='<division code>' "
                             "for a smaller area or grids=False")
        layers.append(("grids", g))
    if data is not None:
        shown = data[~data.geometry.isna() & ~data.geometry.is_empty]
        if shown.crs is None:
            raise InputError("data has no CRS; set it (e.g. .set_crs(4490)) before mapping")
        keep = [c for c in shown.columns if c != shown.geometry.name
                and shown[c].map(lambda v: v is None or isinstance(v, (str, int, float, bool, np.number))).all()]
        shown = shown[keep + [shown.geometry.name]]
        layers.append((name, shown))
    if m is None:
        m = folium.Map(tiles=tiles, control_scale=True)
    bounds = None
    for layer_name, frame in layers:
        if len(frame) == 0:
            continue
        if layer_name == "grids":
            tooltip = [c for c in ("code", "name") if c in frame.columns]
            frame.explore(m=m, name="grids", tooltip=tooltip, color="#555555",
                          style_kwds={"fill": False, "weight": 1})
        else:
            col = column if column is not None else ("level" if "level" in frame.columns else None)
            tooltip = [c for c in _TOOLTIP if c in frame.columns] or True
            opts = {"tooltip": tooltip, "name": layer_name, "m": m}
            if col is not None:
                opts["column"] = col
                opts["categorical"] = not np.issubdtype(frame[col].dtype, np.number)
            opts.update(kwargs)
            frame.explore(**opts)
        b = frame.to_crs(4326).total_bounds
        bounds = b if bounds is None else [min(bounds[0], b[0]), min(bounds[1], b[1]),
                                           max(bounds[2], b[2]), max(bounds[3], b[3])]
    if bounds is not None:
        m.fit_bounds([[bounds[1], bounds[0]], [bounds[3], bounds[2]]])
    folium.LayerControl().add_to(m)
    return m
