"""Tests of hangzhou_address.matching.building_part (the building part read after the names: door, building,
group + house number), on the embedded SYNTHETIC city."""

from __future__ import annotations

import pytest

from hangzhou_address import default_registry
from hangzhou_address.matcher import default_matcher


@pytest.fixture(scope="module")
def matcher():
    return default_matcher(default_registry())


@pytest.fixture(scope="module")
def village(matcher):
    """A village address of the embedded city with a group (SYNTHETIC): (district town, village, group, house,
    building code)."""
    reg = matcher.registry
    a = reg.addresses
    row = a[a["group"].notna() & a["poi"].str.endswith("村") & ~a["poi"].str.endswith("新村")].iloc[0]
    names = dict(zip(reg.divisions["code"], reg.divisions["name"]))
    return (names[row["district_code"]] + names[row["town_code"]], row["poi"], int(row["group"]), int(row["houseno"]),
            row["building_code"])


@pytest.mark.parametrize("form", ["{g}组{h}号", "第{g}组{h}号", "{g}队{h}号", "{g}-{h}号", "{g} - {h}号"])
def test_a_village_group_and_house_number_in_the_forms_clerks_write(matcher, village, form):
    """5组971号, 第5组971号, 5队971号 (a production team: the group), 5-971号 (号 after the second number: group 5,
    house 971 — not house 5, room 971)."""
    prefix, name, g, h, code = village
    text = prefix + name + form.format(g=g, h=h)
    r = matcher.match(text)
    assert (r.code, r.level) == (code, "building") and r.confidence >= 0.9, text
    assert r.elements["poi"] == name


def test_a_dash_after_a_compound_is_still_building_unit_room(matcher):
    """47-6-746 after a compound: building 47, unit 6, room 746 (a compound's 新村 is no village)."""
    from hangzhou_address.matching.building_part import BuildingPart, _is_village

    assert _is_village("拔山村") and not _is_village("翠苑新村") and not _is_village("江湖花园")
    reg = matcher.registry
    a = reg.addresses
    row = a[(a["form"] == "compound") & a["poi"].notna()].iloc[0]
    text = f"{row['poi']}{int(row['houseno'])}-2-501"
    res, parts = matcher._analyse(text)
    assert isinstance(parts, BuildingPart)
    assert parts.values.get("houseno") == int(row["houseno"]) and parts.values.get("roomno") == 501


def test_a_door_number_written_with_di(matcher):
    """北德路第33号: 第 (ordinal) before the door number, as clerks write it."""
    reg = matcher.registry
    a = reg.addresses
    row = a[a["road"].notna() & a["roadno"].notna()].iloc[0]
    names = dict(zip(reg.divisions["code"], reg.divisions["name"]))
    text = f"{names[row['district_code']]}{row['road']}第{int(row['roadno'])}号"
    r = matcher.match(text)
    assert (r.code, r.level) == (row["building_code"], "building") and r.confidence >= 0.9


def test_a_text_naming_two_buildings_says_so_and_returns_what_they_share(matcher):
    """江城路1号；江城路3号 / 江城路1号、3号 / 江城路1至3号 (SYNTHETIC road): two buildings (or more), and the text
    does not say which one the row is about — never one of them "sure"; the common level, both as candidates. The
    same address written twice is one building."""
    reg = matcher.registry
    a = reg.addresses
    rr = a[a["road"].notna() & a["roadno"].notna()]
    first = rr.iloc[0]
    second = rr[(rr["road"] == first["road"]) & (rr["district_code"] == first["district_code"])
                & (rr["roadno"] != first["roadno"])].iloc[0]
    names = dict(zip(reg.divisions["code"], reg.divisions["name"]))
    d, road, n1, n2 = names[first["district_code"]], first["road"], int(first["roadno"]), int(second["roadno"])
    for text in (f"{d}{road}{n1}号；{d}{road}{n2}号", f"{d}{road}{n1}号、{n2}号", f"{d}{road}{n1}号和{n2}号",
                 f"{d}{road}{n1}至{n2}号", f"{d}{road}{n1}号~{n2}号"):  # (a range: 23至25号)
        r = matcher.match(text)
        assert r.level != "building", text
        assert first["building_code"].startswith(r.code) and second["building_code"].startswith(r.code)
        assert {c.code for c in r.candidates} == {first["building_code"], second["building_code"]}
        assert any(x.startswith(f"the text names two addresses ({road}{n1}, {road}{n2})") for x in r.reasons)
    r = matcher.match(f"{d}{road}{n1}号；{d}{road}{n1}号")
    assert (r.code, r.level) == (first["building_code"], "building")
