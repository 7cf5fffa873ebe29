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


def _alias_table():
    import pandas as pd

    return pd.DataFrame({
        "kind": ["road", "poi", "poi", "road", "bridge", "road", "road", "poi", "road", "road"],
        "name": ["R1", "P1", "P1", "R1", "R1", "不存在路", "R1", "P1", "R1", "R1"],
        "alias": ["旧R1", "P1简", "", "R1", "X", "Y", "R2", "P2", "旧R1b", "旧R1c"],
        "alias_kind": ["former", "short", "short", "former", "former", "former", "former", "nickname", "former",
                       "former"],
        "valid_from": [None, "", None, None, None, None, None, None, "2020-13-01", "2019-05-01"],
        "valid_to": ["2015-06-01", None, None, None, None, None, None, None, None, "2018-01-01"],
        "note": [None] * 10,
    })


def _alias_addresses():
    import pandas as pd

    return pd.DataFrame({"building_code": ["33010800100100100017", "33010800100100100025", "33010800100100100033"],
                         "district_code": ["330108"] * 3, "road": ["R1", "R2", None], "poi": [None, None, "P1"],
                         "roadno": [1, 2, None], "houseno": [None, None, 3], "text": ["a", "b", "c"]})


def test_alias_checks_name_row_and_value():
    al = _alias_table()
    rep = validate_city({"addresses": _alias_addresses(), "aliases": al})
    iss = rep.issues[rep.issues["table"] == "aliases"]
    by_row = {r: set(g["check"]) for r, g in iss.groupby("row")}
    assert 0 not in by_row and 1 not in by_row  # clean rows (an empty valid_from is open-ended)
    assert by_row[2] == {"bad_alias"}
    assert by_row[3] == {"bad_alias"}
    assert by_row[4] == {"bad_kind"}
    assert by_row[5] == {"unknown_name"}
    assert by_row[6] == {"alias_is_current_name"}
    assert by_row[7] == {"bad_kind"}
    assert by_row[8] == {"bad_date"}
    assert by_row[9] == {"bad_date"}
    detail = dict(zip(iss["row"], iss["detail"]))
    assert "'bridge'" in detail[4] and "'不存在路'" in detail[5] and "'R2'" in detail[6]
    assert "'nickname'" in detail[7] and "'2020-13-01'" in detail[8] and "2019-05-01" in detail[9]
    assert iss.loc[iss["row"] == 6, "code"].iloc[0] == "R2"
    import pytest

    from hangzhou_address import DataValidationError

    with pytest.raises(DataValidationError, match="aliases.bad_date"):
        rep.raise_if_invalid()
    assert len(al) == 10 and al.loc[2, "alias"] == ""  # nothing changed


def test_alias_checks_without_addresses_and_with_districts():
    al = _alias_table().iloc[[0, 1, 5, 6]].reset_index(drop=True)
    # without addresses, names cannot be checked: only the row-local checks run
    assert validate_city({"aliases": al}).ok
    al = al.assign(district_code=["330108", "330106", None, None])
    iss = validate_city({"addresses": _alias_addresses(), "aliases": al}).issues
    assert set(zip(iss["row"], iss["check"])) == {(1, "unknown_name"), (2, "unknown_name"),
                                                  (3, "alias_is_current_name")}
    assert "district '330106'" in iss.loc[iss["row"] == 1, "detail"].iloc[0]
    missing = validate_city({"aliases": al.drop(columns=["alias_kind"])}).issues
    assert missing["check"].tolist() == ["missing_column"] and "alias_kind" in missing["detail"].iloc[0]


def test_tiny_city_aliases_validate(tiny_city, tiny_registry):
    t = _tables(tiny_city)
    t["aliases"] = tiny_city.aliases
    assert validate_city(t).ok
    assert validate_city(tiny_registry).ok
    bad = tiny_city.aliases.copy()
    other = tiny_city.addresses["poi"].dropna().iloc[0]
    bad.loc[0, "alias"] = other if other != bad.loc[0, "name"] else tiny_city.addresses["poi"].dropna().iloc[-1]
    t["aliases"] = bad
    iss = validate_city(t).issues
    assert iss[["table", "row", "check"]].values.tolist() == [["aliases", 0, "alias_is_current_name"]]


# ----------------------------------------------------------------------------- hand-made geo tables
def _square(x0, y0, d=0.01):
    return shapely.box(x0, y0, x0 + d, y0 + d)


def _grids(geoms, crs="EPSG:4490"):
    import geopandas as gpd

    codes = [f"330108001001{i + 1:03d}" for i in range(len(geoms))]
    return gpd.GeoDataFrame({"code": codes, "community_code": ["330108001001"] * len(geoms)},
                            geometry=list(geoms), crs=crs)


def _checks(rep, table="grids"):
    iss = rep.issues[rep.issues["table"] == table]
    return sorted(zip(iss["row"].tolist(), iss["check"]))


def test_touching_grids_are_not_overlapping():
    assert validate_city({"grids": _grids([_square(120.0, 30.0), _square(120.01, 30.0)])}).ok


def test_identical_and_nested_grids_overlap():
    rep = validate_city({"grids": _grids([_square(120.0, 30.0), _square(120.0, 30.0)])})
    assert _checks(rep) == [(0, "overlapping_grids")]
    inner = shapely.box(120.002, 30.002, 120.004, 30.004)
    rep = validate_city({"grids": _grids([_square(120.0, 30.0), inner])})
    assert _checks(rep) == [(0, "overlapping_grids")]
    assert "330108001001002" in rep.issues["detail"].iloc[0]


def test_non_polygon_grids_are_invalid():
    geoms = [_square(120.0, 30.0), shapely.Point(120.05, 30.05), shapely.LineString([(120.1, 30.1), (120.11, 30.1)]),
             shapely.Polygon()]
    rep = validate_city({"grids": _grids(geoms)})
    assert _checks(rep) == [(1, "invalid_geometry"), (2, "invalid_geometry"), (3, "invalid_geometry")]
    detail = rep.issues["detail"].tolist()
    assert "got Point" in detail[0] and "got LineString" in detail[1] and "empty" in detail[2]


def test_invalid_building_footprints_are_reported():
    import geopandas as gpd

    grids = _grids([_square(120.0, 30.0, 0.1)])
    bowtie = shapely.Polygon([(120.01, 30.01), (120.02, 30.02), (120.02, 30.01), (120.01, 30.02)])
    geoms = [_square(120.01, 30.01, 0.001), shapely.Point(120.05, 30.05), bowtie, shapely.Polygon(),
             shapely.LineString([(120.03, 30.03), (120.04, 30.03)])]
    codes = ["330108001001001000" + str(i + 1) for i in range(len(geoms))]
    from hangzhou_address.codes import check_char

    codes = [c[:19] + check_char(c[:19]) for c in codes]
    b = gpd.GeoDataFrame({"code": codes, "grid_code": ["330108001001001"] * len(geoms),
                          "x": [120.015, 120.05, 120.015, 120.06, 120.035], "y": [30.015, 30.05, 30.015, 30.06, 30.03]},
                         geometry=geoms, crs="EPSG:4490")
    rep = validate_city({"grids": grids, "buildings": b})
    assert _checks(rep, "buildings") == [(2, "invalid_geometry"), (3, "invalid_geometry"), (4, "invalid_geometry")]
    detail = rep.issues.loc[rep.issues["table"] == "buildings", "detail"].tolist()
    assert "Self-intersection" in detail[0] and "empty" in detail[1] and "got LineString" in detail[2]


def test_metres_labelled_as_degrees_are_reported():
    # CGCS2000 / 3-degree Gauss-Kruger CM 120E (EPSG:4549) coordinates of Hangzhou, labelled EPSG:4490
    metres = [_square(500_000.0, 3_350_000.0, 500.0), _square(500_500.0, 3_350_000.0, 500.0)]
    rep = validate_city({"grids": _grids(metres, crs="EPSG:4490")})
    assert _checks(rep) == [(None, "outside_extent")]
    assert "area of use" in rep.issues["detail"].iloc[0]
    # the same coordinates correctly labelled are fine (they are in Hangzhou)
    assert validate_city({"grids": _grids(metres, crs="EPSG:4549")}).ok
    # degrees, but not Hangzhou's (Beijing)
    rep = validate_city({"grids": _grids([_square(116.4, 39.9)])})
    assert _checks(rep) == [(None, "outside_extent")] and "Hangzhou" in rep.issues["detail"].iloc[0]
    import pytest

    from hangzhou_address import DataValidationError

    with pytest.raises(DataValidationError, match="grids.outside_extent"):
        rep.raise_if_invalid()


def test_hangzhou_extent_is_documented():
    from hangzhou_address.io import validate

    w, s, e, n = validate.HANGZHOU_EXTENT
    assert w < 118.35 < 120.5 < e and s < 29.18 < 30.55 < n
    assert "HANGZHOU_EXTENT" in validate.__all__ and "outside_extent" in validate.__doc__


def test_addresses_only_codes_are_validated(tiny_city):
    a = tiny_city.addresses.head(10).reset_index(drop=True).copy()
    code = a.loc[2, "building_code"]
    a.loc[2, "building_code"] = code[:19] + ("0" if code[19] != "0" else "1")
    from hangzhou_address.codes import check_char

    a.loc[4, "building_code"] = "3301989990010010001" + check_char("3301989990010010001")  # no such community
    a.loc[4, ["district_code", "town_code", "community_code"]] = ["330198", "330198999", "330198999001"]
    rep = validate_city({"divisions": tiny_city.divisions, "addresses": a})
    assert _checks(rep, "addresses") == [(2, "bad_code"), (4, "unknown_division")]
    assert "expected" in rep.issues["detail"].iloc[0]


def test_unread_and_conflicting_address_rows_are_reported_by_row_without_text(tiny_city):
    """Issue #14.5: rows whose elements no column and no text gives are reported, by row number only."""
    from hangzhou_address.registry import Registry

    a = tiny_city.addresses[["building_code", "text"]].head(5).reset_index(drop=True).copy()
    a.loc[1, "text"] = "秘密地址无门牌"
    towns = tiny_city.divisions
    other = towns[(towns["level"] == "town") & towns["code"].str.startswith("330108")
                  & (towns["code"] != a.loc[3, "building_code"][:9])]["name"].iloc[0]
    a.loc[3, "text"] = "滨江区" + other + a.loc[3, "text"].split("街道", 1)[1]
    reg = Registry(tiny_city.divisions, lineage=tiny_city.lineage, addresses=a)
    rep = validate_city(reg)
    assert _checks(rep, "addresses") == [(1, "unread_address"), (3, "address_division_conflict")]
    shown = rep.summary() + " ".join(rep.issues["detail"])
    assert not any(t in shown for t in a["text"]) and "秘密" not in shown
    # a table never read by a registry: rows without element columns are unread
    rep = validate_city({"divisions": tiny_city.divisions, "addresses": a})
    assert _checks(rep, "addresses") == [(i, "unread_address") for i in range(5)]
