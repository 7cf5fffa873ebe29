"""The ``.hz`` pandas accessor: ``df["地址"].hz.match()``, ``df.hz.normalize("地址")``, ``gdf.hz.locate()``.

Registered when **this module** is imported (``import hangzhou_address.accessor``), not by
``import hangzhou_address``: the package's ``__init__`` only re-exports (no side effects, as the style
guide asks), and a program that never asked for ``.hz`` gets no new attribute on pandas' classes (nor a
clash with another library's ``.hz``). The only
state is pandas' own accessor registration; every call takes ``registry=`` (default: the embedded one).

Series (and GeoSeries) get ``.hz.match``, ``.hz.geocode``, ``.hz.locate``; DataFrames (and
GeoDataFrames) get ``.hz.normalize``, ``.hz.match``, ``.hz.geocode``, ``.hz.locate``,
``.hz.nearest_building`` and ``.hz.explore``.

Examples
--------
>>> import pandas as pd
>>> import hangzhou_address.accessor  # registers .hz
>>> df = pd.DataFrame({"地址": ["西湖区翠苑街道", "不是地址"]}, index=["a", "b"])
>>> df["地址"].hz.match()[["code", "level"]]
        code level
a  330106005  town
b       None  None
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

from .errors import InputError

if TYPE_CHECKING:  # pragma: no cover
    import folium
    import geopandas as gpd

    from .registry import Registry

__all__ = ["HzSeriesAccessor", "HzFrameAccessor"]


def _match(values: pd.Series, registry: Registry | None, fuzzy: bool, workers: int) -> pd.DataFrame:
    from .matcher import default_matcher

    df = default_matcher(registry).match_many(list(values), workers=workers, fuzzy=fuzzy)
    df.index = values.index
    return df


@pd.api.extensions.register_series_accessor("hz")
class HzSeriesAccessor:
    """``series.hz``: address matching and geocoding of a column of texts; locating a GeoSeries."""

    def __init__(self, obj: pd.Series) -> None:
        self._obj = obj

    def match(self, *, registry: Registry | None = None, fuzzy: bool = True, workers: int = 1) -> pd.DataFrame:
        """Match every text: a DataFrame of the match columns, aligned with the Series' index."""
        return _match(self._obj, registry, fuzzy, workers)

    def geocode(self, *, registry: Registry | None = None, fuzzy: bool = True, workers: int = 1,
                building_geometry: str = "footprint") -> gpd.GeoDataFrame:
        """:func:`hangzhou_address.geocode` of the texts, keeping the Series' index."""
        from .geocoding import geocode

        return geocode(self._obj, registry=registry, fuzzy=fuzzy, workers=workers,
                       building_geometry=building_geometry)  # type: ignore[arg-type]

    def locate(self, *, crs: Any = None, registry: Registry | None = None) -> pd.Series:
        """Grid code of each point of a GeoSeries (honouring its ``.crs``), aligned with its index."""
        from .spatial import locate

        return pd.Series(locate(self._obj, crs=crs, registry=registry), index=self._obj.index, dtype=object,
                         name="grid_code")


@pd.api.extensions.register_dataframe_accessor("hz")
class HzFrameAccessor:
    """``df.hz``: normalize / match / geocode an address column; locate a GeoDataFrame's points; map it."""

    def __init__(self, obj: pd.DataFrame) -> None:
        self._obj = obj

    def _column(self, column: str) -> pd.Series:
        if column not in self._obj.columns:
            from ._privacy import columns_hint

            raise InputError(f"column {column!r} not found; {columns_hint(self._obj.columns, what='the frame')}")
        return self._obj[column]

    def normalize(self, column: str, *, registry: Registry | None = None, fuzzy: bool = True,
                  x: str | None = None, y: str | None = None, crs: Any = None) -> pd.DataFrame:
        """:func:`hangzhou_address.normalize_frame` of the frame: its columns plus the result columns."""
        from .ledger import normalize_frame

        self._column(column)
        return normalize_frame(self._obj, column, registry=registry, fuzzy=fuzzy, x=x, y=y, crs=crs)

    def match(self, column: str, *, registry: Registry | None = None, fuzzy: bool = True,
              workers: int = 1) -> pd.DataFrame:
        """Match the texts of ``column``: the match columns, aligned with the frame's index."""
        return _match(self._column(column), registry, fuzzy, workers)

    def geocode(self, column: str, *, registry: Registry | None = None, fuzzy: bool = True,
                workers: int = 1) -> gpd.GeoDataFrame:
        """:func:`hangzhou_address.geocode` of ``column``, keeping the frame's index."""
        from .geocoding import geocode

        return geocode(self._column(column), registry=registry, fuzzy=fuzzy, workers=workers)

    def locate(self, *, x: str | None = None, y: str | None = None, crs: Any = None,
               registry: Registry | None = None) -> pd.DataFrame:
        """:func:`hangzhou_address.locate_frame`: a GeoDataFrame's points (its ``.crs`` honoured) or x/y columns."""
        from .spatial import locate_frame

        return locate_frame(self._obj, x=x, y=y, crs=crs, registry=registry)

    def nearest_building(self, *, max_distance_m: float | None = None, crs: Any = None,
                         registry: Registry | None = None) -> gpd.GeoDataFrame:
        """:func:`hangzhou_address.spatial.nearest_building_frame` of a GeoDataFrame of points."""
        from .spatial import nearest_building_frame

        return nearest_building_frame(self._obj, max_distance_m=max_distance_m, crs=crs, registry=registry)

    def explore(self, **kwargs: Any) -> folium.Map:
        """:func:`hangzhou_address.maps.explore` of a GeoDataFrame (needs the ``[map]`` extra)."""
        from .maps import explore

        return explore(self._obj, **kwargs)
