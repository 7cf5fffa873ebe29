"""Tests for hangzhou_address.spatial: exactness rules, CRS handling, nearest building."""

from __future__ import annotations

import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from hangzhou_address import InputError, Registry
from hangzhou_address.codes import make_building_code
from hangzhou_address.coords import from_cgcs2000
from hangzhou_address.spatial import (
    GridIndex,
    SwappedAxesWarning,
    buildings_near,
    buildings_within,
    locate,
    locate_frame,
    nearest_building,
)

C = "330106005001"  # a real community (西湖区 翠苑街道)
G1, G2, G3, G4 = (f"{C}{i:03d}" for i in range(1, 5))
X0, Y0, D = 120.10, 30.27, 0.01


@pytest.fixture(scope="module")
def registry(official_registry):
    # four square grids in a 2x2 block; G4 has a hole in its middle
    b1 = shapely.box(X0, Y0 + D, X0 + D, Y0 + 2 * D)  # north-west
    b2 = shapely.box(X0 + D, Y0 + D, X0 + 2 * D, Y0 + 2 * D)  # north-east
    b3 = shapely.box(X0, Y0, X0 + D, Y0 + D)  # south-west
    hole = shapely.box(X0 + 1.4 * D, Y0 + 0.4 * D, X0 + 1.6 * D, Y0 + 0.6 * D)
    b4 = shapely.box(X0 + D, Y0, X0 + 2 * D, Y0 + D).difference(hole)
    grids = gpd.GeoDataFrame({"code": [G4, G2, G3, G1], "community_code": C, "name": ["g4", "g2", "g3", "g1"]},
                             geometry=[b4, b2, b3, b1], crs=4490)
    codes = [make_building_code(G1, 1), make_building_code(G1, 2), make_building_code(G4, 1)]
    xs = np.array([X0 + 0.2 * D, X0 + 0.8 * D, X0 + 1.1 * D])
    ys = np.array([Y0 + 1.5 * D, Y0 + 1.5 * D, Y0 + 0.1 * D])
    buildings = gpd.GeoDataFrame({"code": codes, "grid_code": [G1, G1, G4], "number": [1, 2, 1], "x": xs, "y": ys},
                                 geometry=shapely.buffer(shapely.points(xs, ys), 0.0001, cap_style="square"), crs=4490)
    return Registry(official_registry.divisions, grids=grids, buildings=buildings, lineage=official_registry.lineage)


def test_interior_points(registry):
    x = [X0 + 0.5 * D, X0 + 1.5 * D, X0 + 0.5 * D, X0 + 1.2 * D]
    y = [Y0 + 1.5 * D, Y0 + 1.5 * D, Y0 + 0.5 * D, Y0 + 0.2 * D]
    assert locate(x, y, registry=registry).tolist() == [G1, G2, G3, G4]
    assert locate(X0 + 0.5 * D, Y0 + 1.5 * D, registry=registry).tolist() == [G1]  # scalars


def test_boundary_rule_smallest_code(registry):
    # shared edge G1|G2, shared corner of all four, outer edge of G3, edge G3|G4
    x = [X0 + D, X0 + D, X0, X0 + D]
    y = [Y0 + 1.5 * D, Y0 + D, Y0 + 0.5 * D, Y0 + 0.5 * D]
    for _ in range(3):  # same answer every run
        assert locate(x, y, registry=registry).tolist() == [G1, G1, G3, G3]


def test_hole_outside_nan(registry):
    x = [X0 + 1.5 * D, 121.5, np.nan, np.inf, X0 - 1e-9]
    y = [Y0 + 0.5 * D, 30.0, Y0, Y0, Y0 + 0.5 * D]
    assert locate(x, y, registry=registry).tolist() == [None] * 5
    # the hole's boundary belongs to G4 (closed polygon)
    assert locate([X0 + 1.4 * D], [Y0 + 0.5 * D], registry=registry).tolist() == [G4]


def test_swapped_axes_warn_and_do_not_swap(registry):
    with pytest.warns(SwappedAxesWarning):
        out = locate([Y0 + 0.5 * D], [X0 + 0.5 * D], registry=registry)
    assert out.tolist() == [None]
    df = pd.DataFrame({"lon": [Y0 + 0.5 * D, X0 + 0.5 * D, None], "lat": [X0 + 0.5 * D, Y0 + 1.5 * D, 30.0]})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SwappedAxesWarning)
        res = locate_frame(df, x="lon", y="lat", registry=registry)
    assert res["locate_reason"].tolist() == ["swapped_axes", None, "missing_or_not_finite"]
    assert res["grid_code"].tolist()[1] == G1
    assert res["district_name"].tolist()[1] == "西湖区" and res["town_name"].tolist()[1] == "翠苑街道"


@pytest.mark.parametrize("crs", ["EPSG:4326", "EPSG:4549", "EPSG:3857", "GCJ02", "BD09"])
def test_crs(registry, crs):
    lon, lat = np.array([X0 + 0.5 * D, X0 + 1.5 * D]), np.array([Y0 + 1.5 * D, Y0 + 1.5 * D])
    x, y = from_cgcs2000(lon, lat, crs)
    assert locate(x, y, crs=crs, registry=registry).tolist() == [G1, G2]


def test_locate_frame_geodataframe(registry):
    pts = gpd.GeoDataFrame({"id": [1, 2]}, geometry=gpd.points_from_xy([X0 + 0.5 * D, 121.9], [Y0 + 0.5 * D, 30.0]),
                           crs=4326)
    out = locate_frame(pts, registry=registry)
    assert isinstance(out, gpd.GeoDataFrame)
    assert out["grid_code"].tolist() == [G3, None]
    assert out["community_code"].tolist() == [C, None]
    assert out["locate_reason"].tolist() == [None, "outside_grids"]
    with pytest.raises(InputError, match="not found"):
        locate_frame(pd.DataFrame({"a": [1]}), x="lon", y="lat", registry=registry)


@settings(max_examples=200, deadline=None)
@given(st.floats(X0 - 0.002, X0 + 2 * D + 0.002), st.floats(Y0 - 0.002, Y0 + 2 * D + 0.002))
def test_matches_brute_force(registry, x, y):
    grids = registry.grids.sort_values("code")
    hits = [c for c, g in zip(grids["code"], grids.geometry) if shapely.intersects_xy(g, x, y)]
    assert locate([x], [y], registry=registry).tolist() == [min(hits) if hits else None]


def test_index_on_many_grids_matches_sjoin():
    rng = np.random.default_rng(3)
    seeds = shapely.multipoints(rng.uniform(0, 1, (300, 2)))
    cells = shapely.get_parts(shapely.voronoi_polygons(seeds, extend_to=shapely.box(0, 0, 1, 1)))
    cells = shapely.intersection(cells, shapely.box(0, 0, 1, 1))
    g = gpd.GeoDataFrame({"code": [f"{C}{i:03d}" for i in range(1, len(cells) + 1)]}, geometry=cells, crs=4490)
    idx = GridIndex(g, cell_deg=0.013)
    x, y = rng.uniform(-0.1, 1.1, 20000), rng.uniform(-0.1, 1.1, 20000)
    ours = idx.locate(x, y)
    j = gpd.sjoin(gpd.GeoDataFrame(geometry=gpd.points_from_xy(x, y), crs=4490), g, predicate="within", how="left")
    j = j[~j.index.duplicated()]
    theirs = np.array([c if isinstance(c, str) else None for c in j["code"]], dtype=object)
    assert (ours == theirs).all()


def test_nearest_and_near_and_within(registry):
    res = nearest_building([X0 + 0.25 * D, X0 + 1.1 * D], [Y0 + 1.5 * D, Y0 + 0.12 * D], registry=registry)
    assert res.codes.tolist() == [make_building_code(G1, 1), make_building_code(G4, 1)]
    assert res.distances_m[0] == pytest.approx(0.05 * D * 111_320 * np.cos(np.radians(Y0 + 1.5 * D)), rel=0.01)
    far = nearest_building([X0 + 0.5 * D], [Y0 + 0.5 * D], max_distance_m=10, registry=registry)
    assert far.codes.tolist() == [None] and np.isnan(far.distances_m[0])
    near = buildings_near(X0 + 0.5 * D, Y0 + 1.5 * D, 400, registry=registry)
    assert near["code"].tolist() == [make_building_code(G1, 1), make_building_code(G1, 2)]
    assert near["distance_m"].is_monotonic_increasing
    inside = buildings_within(shapely.box(X0, Y0 + D, X0 + D, Y0 + 2 * D), registry=registry)
    assert sorted(inside["code"]) == sorted([make_building_code(G1, 1), make_building_code(G1, 2)])
    with pytest.raises(InputError):
        buildings_near(X0, Y0, -1, registry=registry)


def test_nearest_matches_strtree_on_random_buildings():
    from hangzhou_address.spatial import BuildingIndex

    rng = np.random.default_rng(5)
    n = 3000
    xs, ys = 120.1 + rng.uniform(0, 0.05, n), 30.2 + rng.uniform(0, 0.05, n)
    codes = [f"B{i}" for i in range(n)]
    idx = BuildingIndex(gpd.GeoDataFrame({"code": codes, "x": xs, "y": ys},
                                         geometry=gpd.points_from_xy(xs, ys), crs=4490))
    qx, qy = from_cgcs2000(120.09 + rng.uniform(0, 0.07, 5000), 30.19 + rng.uniform(0, 0.07, 5000), "EPSG:4549")
    c, d = idx.nearest(qx, qy, None)
    qi, ti = idx.tree.query_nearest(shapely.points(qx, qy), all_matches=False)
    assert np.allclose(d[qi], np.hypot(idx.mx[ti] - qx[qi], idx.my[ti] - qy[qi]))


def test_incremental_add_and_retire(registry):
    from hangzhou_address.spatial import _building_index

    idx = _building_index(registry)
    new = make_building_code(G3, 1)
    idx.add(new, X0 + 0.5 * D, Y0 + 0.5 * D)
    res = nearest_building([X0 + 0.5 * D], [Y0 + 0.5 * D], registry=registry)
    assert res.codes.tolist() == [new] and res.distances_m[0] < 1
    idx.retire(new)
    res = nearest_building([X0 + 0.5 * D], [Y0 + 0.5 * D], registry=registry)
    assert res.codes.tolist() != [new]
