"""Tests for hangzhou_address.io.validate: every check triggered by deliberately broken data."""

from __future__ import annotations

import shapely

from hangzhou_address.io.validate import validate_city


def _tables(tiny_city):
    return {"divisions": tiny_city.divisions, "grids": tiny_city.grids.copy(),
            "buildings": tiny_city.buildings.copy(), "addresses": tiny_city.addresses.copy()}


def test_clean_city_has_no_issues(tiny_city):
    rep = validate_city(_tables(tiny_city))
    assert rep.ok, rep.summary()
    assert rep.summary() == "validation: no issues"


def test_each_check_names_the_offending_row(tiny_city):
    t = _tables(tiny_city)
    g, b, a = t["grids"], t["buildings"], t["addresses"]
    # 1 duplicate building code, 2 bad check character, 3 building outside its grid
    b.loc[1, "code"] = b.loc[0, "code"]
    b.loc[2, "code"] = b.loc[2, "code"][:19] + ("0" if b.loc[2, "code"][19] != "0" else "1")
    b.loc[3, "x"] = b.loc[3, "x"] + 0.5
    # 4 grid code not in its community, 5 unknown community, 6 overlapping grid, 7 invalid geometry
    g.loc[1, "community_code"] = "330108001999"
    g.loc[2, "geometry"] = shapely.buffer(g.loc[2, "geometry"], 0.001)
    bowtie = shapely.Polygon([(120, 30), (120.01, 30.01), (120.01, 30), (120, 30.01)])
    g.loc[3, "geometry"] = bowtie
    # 8 address pointing to a building that does not exist
    a.loc[0, "building_code"] = "33010800100100199999"
    rep = validate_city(t)
    iss = rep.issues
    got = set(zip(iss["table"], iss["check"]))
    for expected in [("buildings", "duplicate_code"), ("buildings", "bad_code"), ("buildings", "building_outside_grid"),
                     ("grids", "grid_not_in_community"), ("grids", "unknown_division"),
                     ("grids", "overlapping_grids"), ("grids", "invalid_geometry"), ("addresses", "unknown_division")]:
        assert expected in got, expected
    assert set(iss.loc[iss["check"] == "duplicate_code", "row"]) == {0, 1}
    assert "expected" in iss.loc[iss["check"] == "bad_code", "detail"].iloc[0]
    outside = iss.loc[iss["check"] == "building_outside_grid"]
    assert 3 in outside["row"].tolist()  # moved building (others may sit in the grid replaced by a bowtie)
    assert set(outside["row"]) - {3} <= set(b.index[b["grid_code"] == g.loc[3, "code"]])
    assert iss.loc[iss["check"] == "invalid_geometry", "row"].tolist() == [3]
    assert not rep.ok and "issue" in rep.summary()
    # nothing was changed or dropped
    assert len(t["buildings"]) == len(tiny_city.buildings)
