"""Tests of hangzhou_address.lifecycle.buildings: new and demolished buildings (tiny SYNTHETIC city)."""

from __future__ import annotations

import pytest
from shapely.geometry import box

from hangzhou_address import lifecycle as lc
from hangzhou_address.errors import ChangeError
from hangzhou_address.matcher import Matcher


@pytest.fixture(scope="module")
def reg():
    from hangzhou_address.testing import tiny_registry

    return tiny_registry()


def _inside(reg, grid):
    return reg.grids.loc[reg.grids["code"] == grid, "geometry"].iloc[0].representative_point().buffer(2e-5)


def test_a_new_building_is_matched_by_its_addresses(reg):
    grid = reg.grids["code"].iloc[2]
    cs = lc.add_building(reg, grid, _inside(reg, grid), addresses=["测试新路8号", "测试花苑2幢"],
                         date="2024-05-01", reason="竣工验收", floors=6, units=2)
    new = reg.apply(cs)
    row = new.buildings.iloc[-1]
    assert row["grid_code"] == grid and row["status"] == "active" and row["valid_from"] == "2024-05-01"
    assert row["code"].startswith(grid) and int(row["floors"]) == 6
    m = Matcher(new)
    for text in ("滨江区测试新路8号", "滨江区测试花苑2幢"):
        r = m.match(text)
        assert (r.code, r.level) == (row["code"], "building"), r
    assert Matcher(reg).match("滨江区测试新路8号").level != "building"  # the old version does not have it
    assert lc.resolve_code(row["code"], registry=new).status == "current"
    assert cs.summary == {"buildings added": 1, "addresses added": 2}


def test_a_demolished_building_no_longer_matches_and_its_code_says_why(reg):
    row = reg.addresses.iloc[7]
    new = reg.apply(lc.retire_building(reg, row["building_code"], date="2024-06-01", reason="城中村改造拆除"))
    r = Matcher(new).match(row["text"])
    assert r.code != row["building_code"]
    s = lc.resolve_code(row["building_code"], registry=new)
    assert s.status == "retired" and s.current == () and "城中村改造拆除" in s.reason
    b = new.buildings.set_index("code").loc[row["building_code"]]
    assert (b["status"], b["valid_to"]) == ("retired", "2024-06-01")


@pytest.mark.parametrize(("make", "message"), [
    (lambda reg: lc.add_building(reg, "330108001001999", box(0, 0, 1, 1), date="2024-01-01", reason="x"),
     "does not exist"),
    (lambda reg: lc.add_building(reg, reg.grids["code"].iloc[0], box(120, 30, 120.001, 30.001),
                                 date="2024-01-01", reason="x"), "outside grid"),
    (lambda reg: lc.add_building(reg, reg.grids["code"].iloc[0], "POLYGON((0 0,1 0,1 1,0 0))",
                                 date="2024-01-01", reason="x"), "must be a valid"),
    (lambda reg: lc.add_building(reg, reg.grids["code"].iloc[0], _inside(reg, reg.grids["code"].iloc[0]),
                                 addresses=["随便写写"], date="2024-01-01", reason="x"), "cannot read the address"),
    (lambda reg: lc.retire_building(reg, "33010800100100199990", date="2024-01-01", reason="x"), "does not exist"),
])
def test_bad_changes_are_typed_errors(reg, make, message):
    with pytest.raises(ChangeError, match=message):
        make(reg)


def test_retiring_twice_is_refused(reg):
    code = reg.buildings["code"].iloc[9]
    new = reg.apply(lc.retire_building(reg, code, date="2024-06-01", reason="拆除"))
    with pytest.raises(ChangeError, match="already retired"):
        lc.retire_building(new, code, date="2024-07-01", reason="拆除")
