"""Tests for hangzhou_address.maps: folium maps of results and grids, checked without a browser (issue 15)."""

from __future__ import annotations

import pandas as pd
import pytest

folium = pytest.importorskip("folium")

import hangzhou_address as hz  # noqa: E402
import hangzhou_address.accessor  # noqa: E402,F401
from hangzhou_address import InputError, InputTypeError  # noqa: E402
from hangzhou_address.maps import explore, map_grids  # noqa: E402

TEXTS = ["上城区清波街道江城路1号", "上城区清波街道江城路3号", "西湖区翠苑街道", "不是地址"]


def _layers(m):
    return {getattr(c, "layer_name", None): c for c in m._children.values()}


@pytest.fixture(scope="module")
def result():
    return hz.geocode(TEXTS)


def test_results_over_grids(result):
    m = hz.explore(result)
    assert isinstance(m, folium.Map)
    layers = _layers(m)
    assert {"grids", "results"} <= set(layers)
    assert any(isinstance(c, folium.LayerControl) for c in m._children.values())
    feats = layers["results"].data["features"]
    assert len(feats) == 3  # the row without a geometry is left out of the map (it stays in the frame)
    assert sorted(f["properties"]["code"] for f in feats) == sorted(result["code"].dropna())
    grids = layers["grids"].data["features"]
    assert len(grids) == len(map_grids(result)) > 0
    html = m.get_root().render()
    assert "33010200105100100017" in html and "LayerControl" in html.replace("layer_control", "LayerControl")
    assert len(result) == 4  # input untouched


def test_accessor_options_and_errors(result):
    m = result.hz.explore(grids=False, name="geocoded")
    assert "geocoded" in _layers(m) and "grids" not in _layers(m)
    only = explore(grids="330106005")  # a town's grids, no data
    g = _layers(only)["grids"].data["features"]
    assert len(g) == int(hz.default_registry().grids["code"].str.startswith("330106005").sum())
    with pytest.raises(InputError, match="max_grids"):
        explore(grids="330106", max_grids=10)
    with pytest.raises(InputTypeError, match="GeoDataFrame"):
        explore(pd.DataFrame({"a": [1]}))
    with pytest.raises(InputError, match="nothing to draw"):
        explore()
    with pytest.raises(InputError, match="division code"):
        explore(grids="西湖区")
