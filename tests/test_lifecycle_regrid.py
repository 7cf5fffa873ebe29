"""lifecycle.regrid / subdivide_grids: re-drawing grids (the embedded city's grids and buildings are SYNTHETIC)."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import hangzhou_address as ha
from hangzhou_address import spatial
from hangzhou_address import lifecycle as lc
from hangzhou_address.errors import ChangeError

TOWN = "330105013"  # 武林街道
COMM = "330105013001"  # 中北社区
DATE = "2024-03-01"
WHY = "片区治理: 网格细分"


@pytest.fixture(scope="module")
def reg():
    return ha.default_registry()


@pytest.fixture(scope="module")
def town_change(reg):
    new = lc.subdivide_grids(reg, TOWN, factor=1.45)
    cs = lc.regrid(reg, TOWN, new, date=DATE, reason=WHY)
    return new, cs, reg.apply(cs)


def _grids(r, prefix, status="active"):
    g = r.grids
    return g[g["code"].str.startswith(prefix) & (g["status"] == status)]


def _buildings(r, prefix):
    b = lc.numbering.buildings_with_ids(r)
    return b[b["code"].str.startswith(prefix) & (b["status"] == "active")]


# ---------------------------------------------------------------------- subdivide_grids
def test_subdivide_tiles_each_community(reg):
    new = lc.subdivide_grids(reg, TOWN, factor=1.45)
    old = _grids(reg, TOWN)
    assert len(new) == round(len(old) * 1.45)
    assert new.crs.to_epsg() == 4490 and "community_code" in new
    for c, part in new.groupby("community_code"):
        cg = shapely.union_all(old[old["community_code"] == c].geometry.values)
        assert shapely.union_all(part.geometry.values).symmetric_difference(cg).area < 1e-9 * cg.area
        assert shapely.area(part.geometry.values).sum() == pytest.approx(cg.area, rel=1e-9)  # no overlap


def test_subdivide_needs_one_of_factor_target(reg):
    with pytest.raises(ChangeError):
        lc.subdivide_grids(reg, COMM)
    with pytest.raises(ChangeError):
        lc.subdivide_grids(reg, COMM, target=2)  # fewer than today


# ---------------------------------------------------------------------- a valid regrid
def test_town_regrid_grids_and_numbers(reg, town_change):
    new, cs, reg2 = town_change
    old = _grids(reg, TOWN)
    assert cs.kind == "regrid" and cs.summary["grids retired"] == len(old) and cs.summary["grids added"] == len(new)
    cur = _grids(reg2, TOWN)
    gone = _grids(reg2, TOWN, "retired")
    assert len(cur) == len(new) and set(gone["code"]) == set(old["code"])
    assert (gone["valid_to"] == DATE).all() and (cur["valid_from"] == DATE).all()
    for c in old["community_code"].unique():
        top = old.loc[old["community_code"] == c, "number"].max()
        assert (cur.loc[cur["community_code"] == c, "number"] > top).all()  # never reused
        name = reg.name_of(c)
        assert all(n == f"{name}第{k}网格" for n, k in zip(cur.loc[cur["community_code"] == c, "name"],
                                                      cur.loc[cur["community_code"] == c, "number"]))
    assert reg2.metadata["version"] == 2 and len(reg.grids) == 12000  # the old version is unchanged


def test_households_preserved_per_community(reg, town_change):
    _, _, reg2 = town_change
    before = _grids(reg, TOWN).groupby("community_code")["households"].sum()
    after = _grids(reg2, TOWN).groupby("community_code")["households"].sum()
    assert before.to_dict() == after.to_dict()
    assert (_grids(reg2, TOWN)["households"] >= 0).all()


def test_every_building_rehomed_once(reg, town_change):
    _, cs, reg2 = town_change
    b1, b2 = _buildings(reg, TOWN), _buildings(reg2, TOWN)
    assert len(b1) == len(b2) == cs.summary["buildings recoded"]
    assert set(b1["building_id"]) == set(b2["building_id"])
    assert not set(b1["code"]) & set(b2["code"])
    cur = _grids(reg2, TOWN)
    assert set(b2["grid_code"]) <= set(cur["code"])
    # each building lies (by footprint) mostly in its new grid
    geo = dict(zip(cur["code"], cur.geometry.values))
    for fp, g in zip(b2.geometry.values, b2["grid_code"]):
        assert fp.intersection(geo[g]).area >= 0.5 * fp.area - 1e-15
    # numbers 1..k in each new grid in the order of the old codes
    m = b1[["building_id", "code"]].merge(b2[["building_id", "grid_code", "number"]], on="building_id")
    for _, part in m.sort_values("code").groupby("grid_code"):
        assert part["number"].tolist() == list(range(1, len(part) + 1))
    # the codes carry valid check characters
    assert all(ha.codes.make_building_code(g, int(n)) == c for c, g, n in zip(b2["code"], b2["grid_code"], b2["number"]))


def test_lineage_and_resolution(reg, town_change):
    _, cs, reg2 = town_change
    lin = cs.lineage
    assert list(lin.columns) == ["old_code", "new_code", "date", "reason", "change_id"]
    assert (lin["date"] == DATE).all() and (lin["reason"] == WHY).all()
    b1 = _buildings(reg, TOWN)
    b2 = _buildings(reg2, TOWN).set_index("building_id")
    want = {c: b2.loc[i, "code"] for c, i in zip(b1["code"], b1["building_id"])}
    up = lc.upgrade_codes(list(want), registry=reg2)
    assert up["current_code"].tolist() == list(want.values()) and set(up["status"]) == {"recoded"}
    one = next(iter(want))
    assert lc.resolve_code(one, registry=reg2).current == (want[one],)
    # every old grid has successor(s), all current
    for g in _grids(reg, TOWN)["code"]:
        s = lc.resolve_code(g, registry=reg2)
        assert s.status in ("recoded", "split") and set(s.current) <= set(_grids(reg2, TOWN)["code"])


def test_match_and_locate_give_new_codes(reg, town_change):
    _, _, reg2 = town_change
    b1 = _buildings(reg, TOWN)
    b2 = _buildings(reg2, TOWN).set_index("building_id")
    old = b1.iloc[0]
    new_code = b2.loc[old["building_id"], "code"]
    text = reg.addresses.loc[reg.addresses["building_code"] == old["code"], "text"].iloc[0]
    assert ha.match(text, registry=reg).code == old["code"]
    assert ha.match(text, registry=reg2).code == new_code
    # point in grid: the new grid, for both locate strategies; nearest building: the new code
    pt = shapely.point_on_surface(b2.loc[old["building_id"]].geometry)
    for strategy in ("tree", "index"):
        got = spatial.locate([pt.x], [pt.y], registry=reg2, strategy=strategy)[0]
        assert got in set(_grids(reg2, TOWN)["code"]), strategy
    x, y = b2.loc[old["building_id"], ["x", "y"]]
    assert spatial.nearest_building([x], [y], registry=reg2).codes[0] == new_code
    near = spatial.buildings_near(x, y, 50, registry=reg2)
    assert old["code"] not in set(near["code"]) and new_code in set(near["code"])


# ---------------------------------------------------------------------- rejections
def _comm_new(reg, n=7):
    return lc.subdivide_grids(reg, COMM, target=n)


def test_reject_gap(reg):
    new = _comm_new(reg)
    with pytest.raises(ChangeError, match="gap") as e:
        lc.regrid(reg, COMM, new.drop(index=3), date=DATE, reason=WHY)
    assert any("next to new grid #" in p for p in e.value.problems)


def test_reject_overlap(reg):
    new = _comm_new(reg).copy()
    new.loc[2, "geometry"] = new.geometry[2].union(new.geometry[3].buffer(-1e-5))
    with pytest.raises(ChangeError) as e:
        lc.regrid(reg, COMM, new, date=DATE, reason=WHY)
    assert any("new grid #2 and new grid #3 overlap" in p for p in e.value.problems)


def test_reject_outside(reg):
    new = _comm_new(reg).copy()
    far = gpd.GeoDataFrame(geometry=[shapely.box(120.0, 30.0, 120.001, 30.001)], crs=4490, index=[99])
    with pytest.raises(ChangeError) as e:
        lc.regrid(reg, COMM, gpd.pd.concat([new, far]), date=DATE, reason=WHY)
    assert any("new grid #99 lies outside" in p for p in e.value.problems)
    grown = new.copy()
    grown.loc[0, "geometry"] = new.geometry[0].buffer(3e-4)  # spills over the community border
    with pytest.raises(ChangeError) as e:
        lc.regrid(reg, COMM, grown, date=DATE, reason=WHY)
    assert any(p.startswith("new grid #0 lies") and "outside its community" in p for p in e.value.problems)


def test_reject_unknown_retired_and_early(reg, town_change):
    new = _comm_new(reg)
    with pytest.raises(ChangeError, match="not a division"):
        lc.regrid(reg, "330105013999", new, date=DATE, reason=WHY)
    retired = reg.divisions[(reg.divisions["level"] == "community") & (reg.divisions["status"] != "active")]
    assert len(retired)
    with pytest.raises(ChangeError, match="re-draw the grids of a current one"):
        lc.regrid(reg, retired["code"].iloc[0], new, date=DATE, reason=WHY)
    _, _, reg2 = town_change
    with pytest.raises(ChangeError, match="before the registry version"):
        lc.regrid(reg2, COMM, lc.subdivide_grids(reg2, COMM, target=20), date="2024-01-01", reason=WHY)
    with pytest.raises(ChangeError, match="ISO date"):
        lc.regrid(reg, COMM, new, date="2024/03/01", reason=WHY)


def test_nothing_changed_on_rejection(reg):
    before = len(reg.grids), reg.metadata.get("version", 1)
    with pytest.raises(ChangeError):
        lc.regrid(reg, COMM, _comm_new(reg).iloc[:-1], date=DATE, reason=WHY)
    assert (len(reg.grids), reg.metadata.get("version", 1)) == before


def test_regrid_twice_never_reuses(reg):
    cs1 = lc.regrid(reg, COMM, _comm_new(reg, 7), date=DATE, reason=WHY)
    r1 = reg.apply(cs1)
    first = set(_grids(r1, COMM)["number"])
    cs2 = lc.regrid(r1, COMM, lc.subdivide_grids(r1, COMM, target=4 + 5), date="2024-06-01", reason="again")
    r2 = r1.apply(cs2)
    second = _grids(r2, COMM)
    assert second["number"].min() > max(first | set(_grids(reg, COMM)["number"]))
    assert len(_grids(r2, COMM, "retired")) == 5 + 7
    # a first-generation building code resolves through both changes to the current one
    b0 = _buildings(reg, COMM).iloc[0]
    cur = _buildings(r2, COMM).set_index("building_id").loc[b0["building_id"], "code"]
    assert lc.resolve_code(b0["code"], registry=r2).current == (cur,)
    # a stale change set is refused
    with pytest.raises(lc.changeset.ChangeConflictError):
        r2.apply(cs2)


# ---------------------------------------------------------------------- property
@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(extra=st.integers(min_value=0, max_value=12), comm=st.sampled_from(
    ["330105013001", "330105013003", "330105013005", "330105013007"]))
def test_property_random_subdivision_keeps_every_building_once(reg, extra, comm):
    n = len(_grids(reg, comm))
    new = lc.subdivide_grids(reg, comm, target=n + extra)
    cs = lc.regrid(reg, comm, new, date=DATE, reason=WHY)
    b = cs.tables["buildings"].add
    before = _buildings(reg, comm)
    assert sorted(b["building_id"]) == sorted(before["building_id"])
    assert b["code"].is_unique and set(b["grid_code"]) <= set(cs.tables["grids"].add["code"])
    assert int(cs.tables["grids"].add.query("status == 'active'")["households"].sum()) == int(
        _grids(reg, comm)["households"].sum())
    assert np.isin(b["grid_code"], cs.lineage["new_code"]).all()


def test_upgrade_codes_missing_is_none(reg, town_change):
    _, _, reg2 = town_change
    up = lc.upgrade_codes(["33010501300100100013", "330105013999001"], registry=reg2)
    assert up["current_code"].tolist()[1] is None and up["status"].tolist() == ["recoded", "unknown"]


def test_spatial_answers_skip_retired_buildings(reg):
    b = _buildings(reg, COMM).iloc[0]
    assert spatial.nearest_building([b["x"]], [b["y"]], registry=reg).codes[0] == b["code"]
    r1 = reg.apply(lc.retire_building(reg, b["code"], date=DATE, reason="demolished"))
    assert (r1.buildings.loc[r1.buildings["code"] == b["code"], "status"] == "retired").all()
    assert spatial.nearest_building([b["x"]], [b["y"]], registry=r1).codes[0] != b["code"]
    assert b["code"] not in set(spatial.buildings_within(b.geometry, registry=r1)["code"])
    assert b["code"] not in set(spatial.buildings_near(b["x"], b["y"], 100, registry=r1)["code"])
    # a retired grid stays in the table but a point inside it is located in the current grid only
    new = lc.subdivide_grids(reg, COMM, target=6)
    r2 = reg.apply(lc.regrid(reg, COMM, new, date=DATE, reason=WHY))
    pt = shapely.point_on_surface(_grids(reg, COMM).geometry.iloc[0])
    got = spatial.locate([pt.x], [pt.y], registry=r2, strategy="tree")[0]
    assert got in set(_grids(r2, COMM)["code"]) and got not in set(_grids(reg, COMM)["code"])
