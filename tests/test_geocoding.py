"""Tests for hangzhou_address.geocoding: match results with the registry's geometries (issue 15)."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
import shapely

import hangzhou_address as hz
from hangzhou_address import InputError
from hangzhou_address.geocoding import code_geometries, geocode

BUILDING_TEXT = "上城区清波街道江城路1号"
BUILDING = "33010200105100100017"


@pytest.fixture(scope="module")
def reg():
    return hz.default_registry()


def test_one_row_per_input_in_order_with_geometry(reg):
    texts = [BUILDING_TEXT, "西湖区翠苑街道", None, "不是地址", "杭州市西湖区", BUILDING_TEXT]
    g = geocode(texts, registry=reg)
    assert isinstance(g, gpd.GeoDataFrame) and g.crs.to_epsg() == 4490
    assert g["input"].tolist() == texts and g.index.tolist() == list(range(6))
    assert g["level"].tolist() == ["building", "town", None, None, "district", "building"]
    assert g["geometry_source"].tolist() == ["building", "town", None, None, "district", "building"]
    b = reg.buildings.set_index("code").geometry
    a = reg.division_areas.set_index("code").geometry
    assert g.geometry.iloc[0].equals(b[BUILDING])          # the footprint
    assert g.geometry.iloc[1].equals(a["330106005"])       # the town polygon from division_areas
    assert g.geometry.iloc[4].equals(a["330106"])
    assert g.geometry.iloc[2] is None and g.geometry.iloc[3] is None
    # same match columns and answers as match_many
    mm = hz.match_many(texts, registry=reg)
    pd.testing.assert_frame_equal(pd.DataFrame(g.drop(columns=["geometry", "geometry_source"])), mm)


def test_series_index_kept_and_point_option(reg):
    s = pd.Series([BUILDING_TEXT, "西湖区翠苑街道"], index=["x", "y"])
    g = geocode(s, registry=reg, building_geometry="point")
    assert g.index.tolist() == ["x", "y"]
    row = reg.buildings.set_index("code").loc[BUILDING]
    assert g.geometry.loc["x"].equals(shapely.Point(row["x"], row["y"]))
    assert g.geometry.loc["y"].geom_type in ("Polygon", "MultiPolygon")  # areas stay polygons
    with pytest.raises(InputError, match="building_geometry must be one of"):
        geocode(s, registry=reg, building_geometry="centroid")
    with pytest.raises(InputError, match="not one string"):
        geocode(BUILDING_TEXT, registry=reg)


def test_code_geometries_every_level(reg):
    grid = reg.grids["code"].iloc[0]
    community = reg.division_areas.query("level == 'community'")["code"].iloc[0]
    geoms, src = code_geometries([BUILDING, grid, community, "330106005", "330106", "3301", None, 17, "33010699"],
                                 registry=reg)
    assert src.tolist() == ["building", "grid", "community", "town", "district", None, None, None, None]
    assert geoms[1].equals(reg.grids.geometry.iloc[0])
    assert all(g is None for g in geoms[5:])


def test_registry_without_geometries_gives_none(official_registry):
    g = geocode(["西湖区翠苑街道"], registry=official_registry)
    assert g["code"].tolist() == ["330106005"]
    assert g["geometry_source"].tolist() == [None] and g.geometry.isna().all()


def test_package_name_is_the_function():
    import types

    import hangzhou_address.geocoding  # noqa: F401 - importing the module must not shadow the function

    assert callable(hz.geocode) and not isinstance(hz.geocode, types.ModuleType)
