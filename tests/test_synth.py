"""Tests for hangzhou_address.synth: tiling, numbering and address invariants of the SYNTHETIC city."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import shapely

from hangzhou_address.codes import validate_codes
from hangzhou_address.synth import build_city, order_key
from hangzhou_address.synth.city import BUILDING_ROW_BAND_DEG, GRID_ROW_BAND_DEG
from hangzhou_address.synth.geometry import DISTRICTS, city_outline_km, district_polygons

REL = 1e-9  # relative area tolerance for "no gap / no overlap"


@pytest.fixture(scope="module")
def city():
    # 滨江区 (urban) and 建德市's smallest towns would be slow; 滨江 alone covers urban forms,
    # 330122 桐庐县 covers villages.
    return build_city(districts=["330108", "330122"], scale=0.05)


def test_districts_tile_the_outline():
    polys = district_polygons(sorted(DISTRICTS), seed=1)
    outline = city_outline_km()
    total = sum(p.area for p in polys.values())
    assert total == pytest.approx(outline.area, rel=REL)
    assert shapely.union_all(list(polys.values())).area == pytest.approx(outline.area, rel=REL)
    # plausible relative areas: the largest is 淳安, the smallest 滨江
    assert max(polys, key=lambda c: polys[c].area) == "330127"
    assert min(polys, key=lambda c: polys[c].area) == "330108"


def _check_tiling(parent: shapely.Geometry, children: list[shapely.Geometry]):
    areas = shapely.area(np.array(children, dtype=object))
    assert areas.sum() == pytest.approx(parent.area, rel=1e-7)
    assert shapely.union_all(children).symmetric_difference(parent).area <= parent.area * 1e-7
    tree = shapely.STRtree(children)
    left, right = tree.query(children, predicate="intersects")
    pairs = left < right
    if pairs.any():
        inter = shapely.area(shapely.intersection(np.asarray(children, dtype=object)[left[pairs]],
                                                  np.asarray(children, dtype=object)[right[pairs]]))
        assert inter.max() <= parent.area * 1e-9


def test_hierarchy_tiles_without_gaps_or_overlaps(city):
    areas = city.division_areas.set_index("code")
    grids = city.grids
    for level, child_level in (("district", "town"), ("town", "community")):
        for code in areas.index[areas["level"] == level]:
            kids = areas[(areas["level"] == child_level) & areas.index.str.startswith(code)]
            _check_tiling(areas.loc[code, "geometry"], list(kids.geometry))
    for code in areas.index[areas["level"] == "community"]:
        _check_tiling(areas.loc[code, "geometry"], list(grids.loc[grids["community_code"] == code, "geometry"]))


def test_grid_numbering(city):
    g = city.grids
    assert g["code"].is_unique
    assert (g["code"].str[:12] == g["community_code"]).all()
    for comm, grp in g.groupby("community_code"):
        assert sorted(grp["number"]) == list(range(1, len(grp) + 1))
        cent = shapely.get_coordinates(shapely.centroid(grp.geometry.values))
        order = order_key(cent[:, 0], cent[:, 1], GRID_ROW_BAND_DEG)
        assert list(grp["number"].to_numpy()[order]) == list(range(1, len(grp) + 1))
    assert g["synthetic"].all()


def test_buildings_inside_exactly_one_grid_and_numbered(city):
    b, g = city.buildings, city.grids
    assert b["code"].is_unique
    assert validate_codes(b["code"])["valid"].all()
    tree = shapely.STRtree(g.geometry.values)
    pts = shapely.points(b["x"], b["y"])
    bi, gi = tree.query(pts, predicate="within")
    counts = np.bincount(bi, minlength=len(b))
    assert (counts == 1).all()
    assert (g["code"].to_numpy()[gi] == b["grid_code"].to_numpy()[bi]).all()
    # footprints inside their grid
    gmap = dict(zip(g["code"], g.geometry))
    fp_ok = shapely.within(b.geometry.values, np.array([gmap[c] for c in b["grid_code"]], dtype=object))
    assert fp_ok.all()
    for grid, grp in b.groupby("grid_code"):
        assert list(grp["number"]) == list(range(1, len(grp) + 1))
        order = order_key(grp["x"].to_numpy(), grp["y"].to_numpy(), BUILDING_ROW_BAND_DEG)
        assert (np.diff(grp["number"].to_numpy()[order]) > 0).all()
    assert b["synthetic"].all()
    assert set(b["use"]) <= {"residential", "commercial", "industrial", "public", "mixed"}


def test_addresses(city):
    a, b = city.addresses, city.buildings
    assert set(a["form"]) == {"road", "compound", "village"}
    assert set(a["building_code"]) == set(b["code"])  # every building has at least one address
    assert a.groupby("building_code")["primary"].sum().eq(1).all()
    road = a[a["form"] == "road"]
    assert not road.duplicated(["district_code", "road", "roadno"]).any()
    assert road["text"].str.endswith("号").all()
    # door numbers: odd and even sides, growing along the road
    assert (road["roadno"] % 2 == 1).any() and (road["roadno"] % 2 == 0).any()
    comp = a[a["form"] == "compound"]
    assert comp["text"].str.endswith("幢").all()
    vil = a[a["form"] == "village"]
    assert vil["text"].str.contains("组").all()
    assert vil["poi"].str.endswith("村").all()
    assert a["text"].str.startswith(("滨江区", "桐庐县")).all()


def test_road_crosses_communities_with_consistent_numbering(city):
    a = city.addresses
    b = city.buildings.set_index("code")
    road = a[a["form"] == "road"].join(b[["x", "y"]], on="building_code")
    multi = road.groupby("road")["community_code"].nunique()
    name = multi.idxmax()
    assert multi.max() >= 2  # a road runs through several communities
    r = road[road["road"] == name]
    for parity in (0, 1):
        side = r[r["roadno"] % 2 == parity].sort_values("roadno")
        if len(side) < 3:
            continue
        # numbers follow one direction along the road: x grows (E-W road) or y falls (N-S road)
        dx, dy = np.diff(side["x"].to_numpy()), np.diff(side["y"].to_numpy())
        assert (dx >= 0).all() or (dy <= 0).all()


def test_deterministic_and_subset_independent(city):
    again = build_city(districts=["330108"], scale=0.05)
    sub = city.grids[city.grids["code"].str.startswith("330108")].reset_index(drop=True)
    pd.testing.assert_frame_equal(again.grids.drop(columns="geometry"), sub.drop(columns="geometry"))
    assert shapely.equals_exact(again.grids.geometry.values, sub.geometry.values, tolerance=0).all()
    b1 = again.buildings["code"].tolist()
    b2 = city.buildings.loc[city.buildings["code"].str.startswith("330108"), "code"].tolist()
    assert b1 == b2


def test_metadata_says_synthetic(city):
    assert city.metadata["synthetic"] is True
    assert "SYNTHETIC" in city.metadata["note"]
    assert city.metadata["ambiguities"]["shared_compounds"]
