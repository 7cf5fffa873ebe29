"""Tests for hangzhou_address.accessor: the ``.hz`` pandas accessor (issue 15)."""

from __future__ import annotations

import subprocess
import sys

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

import hangzhou_address as hz
import hangzhou_address.accessor  # noqa: F401 - registers .hz
from hangzhou_address import InputError

TEXTS = ["上城区清波街道江城路1号", "西湖区翠苑街道", None, "不是地址"]


def test_registered_only_by_importing_the_module():
    code = ("import pandas as pd, hangzhou_address as hz; a = hasattr(pd.Series, 'hz'); "
            "import hangzhou_address.accessor; print(a, hasattr(pd.Series, 'hz'), hasattr(pd.DataFrame, 'hz'))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "True", "True"]


def test_series_match_aligned_with_index():
    s = pd.Series(TEXTS, index=[7, 3, 9, 1], name="地址")
    got = s.hz.match()
    expected = hz.match_many(list(s))  # the Series' own values (pandas may store None as NaN)
    assert got.index.tolist() == [7, 3, 9, 1]
    pd.testing.assert_frame_equal(got.reset_index(drop=True), expected)
    df = pd.DataFrame({"地址": TEXTS}, index=list("abcd"))
    assert df.hz.match("地址")["code"].tolist() == expected["code"].tolist()
    assert df.hz.match("地址").index.tolist() == list("abcd")
    with pytest.raises(InputError, match="not found"):
        df.hz.match("address")


def test_frame_normalize_is_normalize_frame():
    df = pd.DataFrame({"地址": TEXTS, "n": range(4)}, index=list("wxyz"))
    got = df.hz.normalize("地址")
    pd.testing.assert_frame_equal(got, hz.normalize_frame(df, "地址"))
    assert got.index.tolist() == list("wxyz") and got["n"].tolist() == [0, 1, 2, 3]
    assert df.columns.tolist() == ["地址", "n"]  # input unchanged


def test_geodataframe_locate_and_nearest():
    x, y = np.array([120.1357, 121.9]), np.array([30.2914, 30.0])
    gdf = gpd.GeoDataFrame({"id": [1, 2]}, geometry=gpd.points_from_xy(x, y), crs=4490, index=["a", "b"])
    got = gdf.to_crs(3857).hz.locate()
    assert isinstance(got, gpd.GeoDataFrame) and got.index.tolist() == ["a", "b"]
    assert got["grid_code"].tolist() == hz.locate(x, y).tolist()
    assert gdf.geometry.hz.locate().tolist() == hz.locate(x, y).tolist()
    near = gdf.hz.nearest_building(max_distance_m=300)
    assert near["building_code"].tolist() == hz.nearest_building(x, y, max_distance_m=300).codes.tolist()
    df = pd.DataFrame({"lon": x, "lat": y})
    assert df.hz.locate(x="lon", y="lat")["grid_code"].tolist() == hz.locate(x, y).tolist()


def test_geocode_keeps_index():
    s = pd.Series(TEXTS, index=list("pqrs"))
    g = s.hz.geocode()
    assert isinstance(g, gpd.GeoDataFrame) and g.index.tolist() == list("pqrs")
    assert g["geometry_source"].tolist() == ["building", "town", None, None]
    assert pd.DataFrame({"t": TEXTS}).hz.geocode("t")["code"].tolist() == g["code"].tolist()
