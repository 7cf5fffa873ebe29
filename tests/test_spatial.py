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

from hangzhou_address import CRSError, InputError, Registry
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
    nearest_building_frame,
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
    for strategy in ("auto", "index", "tree"):
        assert locate([x], [y], registry=registry, strategy=strategy).tolist() == [min(hits) if hits else None]


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


# ---------------------------------------------------------------------- geopandas input (issue 15)
def _lonlat():
    return np.array([X0 + 0.5 * D, X0 + 1.5 * D, X0 + 1.2 * D, 121.9]), np.array([Y0 + 1.5 * D, Y0 + 1.5 * D,
                                                                                   Y0 + 0.2 * D, 30.0])


@pytest.mark.parametrize("crs", [4490, "EPSG:4326", "EPSG:4549", "EPSG:3857"])
def test_locate_geoseries_honours_crs(registry, crs):
    lon, lat = _lonlat()
    x, y = from_cgcs2000(lon, lat, crs)
    gs = gpd.GeoSeries(gpd.points_from_xy(x, y), crs=crs, index=[10, 11, 12, 13])
    assert locate(gs, registry=registry).tolist() == [G1, G2, G4, None]
    assert locate(gpd.GeoDataFrame({"n": range(4)}, geometry=gs, index=gs.index), registry=registry).tolist() == [G1, G2, G4, None]
    out = locate_frame(gpd.GeoDataFrame({"n": range(4)}, geometry=gs, index=gs.index), registry=registry)
    assert out["grid_code"].tolist() == [G1, G2, G4, None] and out.index.tolist() == [10, 11, 12, 13]
    assert out.crs == gs.crs  # the input's geometry and CRS are kept


def test_geoseries_without_crs_is_an_error(registry):
    lon, lat = _lonlat()
    gs = gpd.GeoSeries(gpd.points_from_xy(lon, lat))
    for call in (lambda: locate(gs, registry=registry), lambda: nearest_building(gs, registry=registry),
                 lambda: nearest_building_frame(gs, registry=registry),
                 lambda: locate_frame(gpd.GeoDataFrame(geometry=gs), registry=registry),
                 lambda: buildings_within(gpd.GeoSeries([shapely.box(X0, Y0, X0 + D, Y0 + D)]), registry=registry)):
        with pytest.raises(CRSError, match="no CRS"):
            call()
    # crs= says what the coordinates are
    assert locate(gs, crs=4490, registry=registry).tolist() == [G1, G2, G4, None]
    # a crs= contradicting the frame's own is an error, not a silent choice
    with pytest.raises(CRSError, match="contradicts"):
        locate(gs.set_crs(4490), crs="EPSG:3857", registry=registry)
    assert locate(gs.set_crs(4490), crs="EPSG:4490", registry=registry).tolist() == [G1, G2, G4, None]


def test_geo_input_errors(registry):
    lon, lat = _lonlat()
    polys = gpd.GeoSeries([shapely.box(X0, Y0, X0 + D, Y0 + D)], crs=4490)
    with pytest.raises(InputError, match="point geometries expected, got 1 Polygon"):
        locate(polys, registry=registry)
    with pytest.raises(InputError, match="not both"):
        locate(gpd.GeoSeries(gpd.points_from_xy(lon, lat), crs=4490), lat, registry=registry)
    with pytest.raises(InputError, match="needs x and y"):
        locate(lon, registry=registry)
    with pytest.raises(InputError, match="strategy must be one of"):
        locate(lon, lat, registry=registry, strategy="fast")
    # missing and empty points are "not located", like NaN
    gs = gpd.GeoSeries([None, shapely.Point(), shapely.Point(X0 + 0.5 * D, Y0 + 1.5 * D)], crs=4490)
    assert locate(gs, registry=registry).tolist() == [None, None, G1]


def test_nearest_building_geodataframe_and_frame(registry):
    lon, lat = np.array([X0 + 0.25 * D, X0 + 1.1 * D, np.nan]), np.array([Y0 + 1.5 * D, Y0 + 0.12 * D, np.nan])
    base = nearest_building(lon, lat, registry=registry)
    x, y = from_cgcs2000(lon, lat, "EPSG:3857")
    pts = gpd.GeoDataFrame({"name": ["a", "b", "c"]}, geometry=gpd.points_from_xy(x, y), crs=3857,
                           index=["p", "q", "r"])
    res = nearest_building(pts, registry=registry)
    assert res.codes.tolist() == base.codes.tolist() == [make_building_code(G1, 1), make_building_code(G4, 1), None]
    assert np.allclose(res.distances_m[:2], base.distances_m[:2])
    frame = nearest_building_frame(pts, registry=registry)
    assert isinstance(frame, gpd.GeoDataFrame) and frame.crs == pts.crs
    assert frame.index.tolist() == ["p", "q", "r"] and frame["name"].tolist() == ["a", "b", "c"]
    assert frame["building_code"].tolist() == res.codes.tolist()
    assert np.allclose(frame["distance_m"].to_numpy()[:2], base.distances_m[:2]) and np.isnan(frame["distance_m"].iloc[2])
    assert frame.geometry.equals(pts.geometry)  # input untouched, geometry kept
    gs_frame = nearest_building_frame(pts.geometry, max_distance_m=1, registry=registry)
    assert gs_frame["building_code"].isna().all() and gs_frame.index.tolist() == ["p", "q", "r"]
    with pytest.raises(InputError, match="already has a column"):
        nearest_building_frame(frame, registry=registry)
    with pytest.raises(TypeError, match="GeoSeries or GeoDataFrame"):
        nearest_building_frame(lon, registry=registry)


def test_nearest_building_frame_like_sjoin_nearest():
    """Same building and distance as geopandas.sjoin_nearest on the buildings' points in metres."""
    import hangzhou_address as hz

    reg = hz.default_registry()
    b = reg.buildings
    rng = np.random.default_rng(11)
    pick = rng.integers(0, len(b), 300)
    pts = gpd.GeoDataFrame({"i": range(300)}, geometry=gpd.points_from_xy(
        b["x"].to_numpy()[pick] + rng.normal(0, 0.002, 300), b["y"].to_numpy()[pick] + rng.normal(0, 0.002, 300)),
        crs=4326, index=rng.permutation(1000)[:300])
    ours = nearest_building_frame(pts, registry=reg)
    right = gpd.GeoDataFrame({"code": b["code"]}, geometry=gpd.points_from_xy(b["x"], b["y"]), crs=4490)
    theirs = gpd.sjoin_nearest(pts.to_crs(4549), right.to_crs(4549), distance_col="d")
    theirs = theirs[~theirs.index.duplicated()]
    assert ours.index.equals(pts.index)
    assert np.allclose(ours["distance_m"].to_numpy(), theirs.loc[ours.index, "d"].to_numpy(), atol=1e-6)


def test_buildings_within_geoseries_honours_crs(registry):
    box = shapely.box(X0, Y0 + D, X0 + D, Y0 + 2 * D)
    expected = sorted(buildings_within(box, registry=registry)["code"])
    assert expected == sorted([make_building_code(G1, 1), make_building_code(G1, 2)])
    gs = gpd.GeoSeries([box], crs=4490).to_crs(4549)
    assert sorted(buildings_within(gs, registry=registry)["code"]) == expected
    # several areas: each building once
    two = gpd.GeoDataFrame(geometry=[box, box.buffer(0.001), None], crs=4490).to_crs(3857)
    got = buildings_within(two, registry=registry)["code"].tolist()
    assert sorted(got) == expected and len(got) == len(set(got))
    with pytest.raises(InputError, match="shapely geometry or a GeoSeries"):
        buildings_within([1, 2], registry=registry)


# ---------------------------------------------------------------------- strategy by size (issue 15)
def test_small_batches_do_not_build_the_city_index(official_registry, monkeypatch):
    import hangzhou_address as hz
    from hangzhou_address import spatial

    emb = hz.default_registry()
    reg = Registry(official_registry.divisions, grids=emb.grids, lineage=official_registry.lineage)
    x, y = np.array([120.1357, 121.9]), np.array([30.2914, 30.0])
    first = locate(x, y, registry=reg)
    assert not reg.is_cached("grid_index") and reg.is_cached("grid_tree")  # the 2 s build was not paid
    monkeypatch.setattr(spatial, "LOCATE_INDEX_MIN_POINTS", 2)
    assert locate(x, y, registry=reg).tolist() == first.tolist()
    assert reg.is_cached("grid_index")  # large enough: the index is built, then used for every call
    monkeypatch.setattr(spatial, "LOCATE_INDEX_MIN_POINTS", 10**9)
    assert locate(x[:1], y[:1], registry=reg).tolist() == first.tolist()[:1]


def _city_points():
    import hangzhou_address as hz

    reg = hz.default_registry()
    geoms = reg.grids.geometry.values
    xy = shapely.get_coordinates(shapely.get_exterior_ring(geoms[::7]))  # vertices: on shared boundaries
    return reg, xy


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(1, 400))
def test_tree_and_index_same_answers_on_the_city(seed, n):
    """Property: the small-batch path and the GridIndex give the same code for every point."""
    reg, vertices = _city_points()
    rng = np.random.default_rng(seed)
    minx, miny, maxx, maxy = reg.grids.total_bounds
    k = rng.integers(0, len(vertices), n)
    # a third random over the bbox, a third exactly on grid vertices, a third within ~1 m of one
    x = np.concatenate([rng.uniform(minx, maxx, n), vertices[k, 0], vertices[k, 0] + rng.normal(0, 1e-5, n)])
    y = np.concatenate([rng.uniform(miny, maxy, n), vertices[k, 1], vertices[k, 1] + rng.normal(0, 1e-5, n)])
    tree = locate(x, y, registry=reg, strategy="tree")
    index = locate(x, y, registry=reg, strategy="index")
    assert tree.tolist() == index.tolist()
