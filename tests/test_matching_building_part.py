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
