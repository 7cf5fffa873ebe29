"""Tests for hangzhou_address.lifecycle.divisions: renames, moves, merges, splits and the 2021 replay.

The grids, buildings and addresses of the tiny city are SYNTHETIC; the divisions are real (NBS)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hangzhou_address import lifecycle as lc
from hangzhou_address.errors import ChangeError
from hangzhou_address.lifecycle.divisions import (REORG_2021_DISTRICTS, issued_division_codes, registry_2020,
                                                  replay_2021_reorganization)

DATE = "2026-03-01"


@pytest.fixture(scope="module")
def reg():
    from hangzhou_address.testing import tiny_registry

    return tiny_registry()


def _community_with_buildings(reg, town="330108001"):
    b = reg.buildings
    return next(c for c in reg.codes("community") if c.startswith(town) and b["grid_code"].str.startswith(c).any())


# --------------------------------------------------------------------------- renames
def test_rename_road_old_text_still_matches_with_a_former_name_reason(reg):
    from hangzhou_address.matcher import Matcher

    a = reg.addresses
    row = a[a["road"] == "宏图路"].sort_values("roadno").iloc[0]
    new = reg.apply(lc.rename_road(reg, "宏图路", "宏图大道", district="330108", date=DATE,
                                   reason="renamed by the city"))
    na = new.addresses
    assert not (na["road"] == "宏图路").any()
    assert (na["road"] == "宏图大道").sum() == (a["road"] == "宏图路").sum()
    assert na.loc[na["road"] == "宏图大道", "text"].str.contains("宏图大道").all()
    al = new.aliases
    hit = al[(al["alias"] == "宏图路") & (al["name"] == "宏图大道")]
    assert len(hit) == 1 and hit["alias_kind"].iloc[0] == "former" and hit["valid_to"].iloc[0] == DATE
    assert hit["kind"].iloc[0] == "road" and hit["district_code"].iloc[0] == "330108"
    m = Matcher(new, fuzzy=False)
    r = m.match(f"滨江区宏图路{int(row['roadno'])}号")
    assert r.code == row["building_code"] and r.level == "building"
    assert any("宏图路 is a former name of 宏图大道" in x for x in r.reasons), r.reasons
    assert Matcher(new, fuzzy=False).match(f"滨江区宏图大道{int(row['roadno'])}号").code == row["building_code"]
    assert (reg.addresses["road"] == "宏图路").any()  # the input registry is unchanged


def test_rename_compound_keeps_its_other_names(reg):
    al = reg.aliases
    name = al.loc[al["kind"] == "poi", "name"].iloc[0]
    others = set(al.loc[(al["kind"] == "poi") & (al["name"] == name), "alias"])
    new = reg.apply(lc.rename_compound(reg, name, name + "新苑", date=DATE, reason="developer renamed it"))
    nal = new.aliases
    assert others <= set(nal.loc[nal["name"] == name + "新苑", "alias"])  # the short / developer names follow
    assert name in set(nal.loc[nal["name"] == name + "新苑", "alias"])
    assert not (nal["name"] == name).any()
    assert (new.addresses["poi"] == name + "新苑").sum() == (reg.addresses["poi"] == name).sum()


def test_rename_errors(reg):
    with pytest.raises(ChangeError, match="no address"):
        lc.rename_road(reg, "不存在路", "新路", date=DATE, reason="x")
    with pytest.raises(ChangeError, match="same name"):
        lc.rename_road(reg, "宏图路", "宏图路", date=DATE, reason="x")
    with pytest.raises(ChangeError, match="already a road"):
        lc.rename_road(reg, "宏图路", "长河路", date=DATE, reason="x")
    with pytest.raises(ChangeError, match="no address"):
        lc.rename_road(reg, "宏图路", "新路", district="330106", date=DATE, reason="x")  # not in 西湖区
    poi = reg.addresses["poi"].dropna()
    with pytest.raises(ChangeError, match="already a compound"):
        lc.rename_compound(reg, poi.iloc[0], poi.iloc[1], date=DATE, reason="x")
    with pytest.raises(ChangeError, match="date"):
        lc.rename_road(reg, "宏图路", "新路", date="2026-13-01", reason="x")


# --------------------------------------------------------------------------- moves
def test_move_community_recodes_everything_below_and_old_codes_resolve(reg):
    from hangzhou_address.codes import is_valid_code

    c = _community_with_buildings(reg)
    before = issued_division_codes(reg, "330108002", "community")
    cs = lc.move_community(reg, c, "330108002", date=DATE, reason="boundary adjusted")
    new = reg.apply(cs)
    st = lc.resolve_code(c, registry=new)
    assert st.status == "recoded"
    nc = st.current_code
    assert nc[:9] == "330108002" and nc not in before and int(nc[9:]) > max(int(x[9:]) for x in before)
    old_row, new_row = new.get(c), new.get(nc)
    assert old_row.status == "retired" and new_row.is_active and new_row.name == old_row.name
    assert new_row.parent_code == "330108002"
    d = new.divisions.set_index("code")
    assert d.loc[c, "valid_to"] == DATE and d.loc[nc, "valid_from"] == DATE
    g_old = reg.grids[reg.grids["community_code"] == c]
    g_new = new.grids[new.grids["community_code"] == nc]
    assert sorted(g_old["number"]) == sorted(g_new["number"]) and not new.grids["community_code"].eq(c).any()
    b_old = reg.buildings[reg.buildings["grid_code"].str.startswith(c)]
    for code in b_old["code"]:
        s = lc.resolve_code(code, registry=new)
        assert s.status == "recoded" and s.current_code.startswith(nc)
        assert s.current_code[15:19] == code[15:19] and is_valid_code(s.current_code)
    ids_old = set(lc.numbering.buildings_with_ids(reg).loc[b_old.index, "building_id"])
    b_new = new.buildings[new.buildings["grid_code"].str.startswith(nc)]
    assert set(b_new["building_id"]) == ids_old  # the permanent ids stay
    a = new.addresses[new.addresses["community_code"] == nc]
    assert len(a) and (a["town_code"] == "330108002").all()
    assert a["text"].str.startswith("滨江区" + reg.name_of("330108002")).all()
    assert set(a["building_code"]) <= set(b_new["code"])
    assert nc in set(new.division_areas["code"]) and c not in set(new.division_areas["code"])
    lin = new.lineage
    assert len(lin[lin["old_code"].isin(set(b_old["code"]) | set(g_old["code"]) | {c})]) == len(b_old) + len(g_old) + 1


def test_move_community_given_code_is_validated_and_numbers_never_reused(reg):
    c = _community_with_buildings(reg)
    taken = next(iter(issued_division_codes(reg, "330108002", "community")))
    with pytest.raises(ChangeError, match="already issued"):
        lc.move_community(reg, c, "330108002", new_code=taken, date=DATE, reason="x")
    with pytest.raises(ChangeError, match="not a community code under"):
        lc.move_community(reg, c, "330108002", new_code="330108003900", date=DATE, reason="x")
    with pytest.raises(ChangeError, match="already in town"):
        lc.move_community(reg, c, c[:9], date=DATE, reason="x")
    with pytest.raises(ChangeError, match="does not exist"):
        lc.move_community(reg, "330108001999", "330108002", date=DATE, reason="x")
    one = reg.apply(lc.move_community(reg, c, "330108002", new_code="330108002900", date=DATE, reason="x"))
    assert one.get("330108002900").is_active
    back = one.apply(lc.move_community(one, "330108002900", c[:9], date=DATE, reason="moved back"))
    nc = lc.resolve_code(c, registry=back).current_code
    assert nc != c and nc[:9] == c[:9]  # back in its town, under a new number: the old one is never reused
    assert lc.resolve_code("330108002900", registry=back).current_code == nc


def test_merge_towns(reg):
    towns = [t for t in reg.codes("town") if t.startswith("330108")]
    into, gone = towns[0], towns[1]
    n_before = len([c for c in reg.children(gone) if reg.get(c).is_active])
    new = reg.apply(lc.merge_towns(reg, [gone], into=into, date=DATE, reason="merged"))
    assert new.get(gone).status == "retired"
    assert lc.resolve_code(gone, registry=new).current == (into,)
    kids = [c for c in new.children(into) if new.get(c).is_active]
    assert len(kids) == len([c for c in reg.children(into) if reg.get(c).is_active]) + n_before
    assert not [c for c in new.children(gone) if new.get(c).is_active]
    area = dict(zip(new.division_areas["code"], new.division_areas.geometry))[into]
    old = dict(zip(reg.division_areas["code"], reg.division_areas.geometry))
    assert area.area == pytest.approx(old[into].union(old[gone]).area)
    with pytest.raises(ChangeError, match="distinct"):
        lc.merge_towns(reg, [into], into=into, date=DATE, reason="x")


def test_split_town(reg):
    town = "330108001"
    comms = [c for c in reg.children(town) if reg.get(c).is_active]
    parts = {"西兴东街道": comms[: len(comms) // 2], "西兴西街道": comms[len(comms) // 2:]}
    new = reg.apply(lc.split_town(reg, town, parts, date=DATE, reason="split"))
    st = lc.resolve_code(town, registry=new)
    assert st.status == "split" and len(st.current) == 2
    issued = issued_division_codes(reg, "330108", "town")
    assert all(c not in issued and c.startswith("330108") for c in st.current)
    assert sorted(new.name_of(c) for c in st.current) == ["西兴东街道", "西兴西街道"]
    for nm, cs in parts.items():
        for c in cs:
            now = lc.resolve_code(c, registry=new).current_code
            assert new.name_of(now[:9]) == nm
    with pytest.raises(ChangeError, match="exactly once"):
        lc.split_town(reg, town, {"甲街道": comms[:1], "乙街道": comms[1:2]}, date=DATE, reason="x")
    with pytest.raises(ChangeError, match="already issued"):
        lc.split_town(reg, town, parts, codes={"西兴东街道": "330108002"}, date=DATE, reason="x")


def test_add_and_retire_district(reg):
    with pytest.raises(ChangeError, match="already issued"):
        lc.add_district(reg, "330106", "新区", date=DATE, reason="x")
    with pytest.raises(ChangeError, match="current children"):
        lc.retire_division(reg, "330108", date=DATE, reason="x")
    new = reg.apply(lc.add_district(reg, "330199", "新区", date=DATE, reason="x"))
    assert new.get("330199").is_active and new.get("330199").parent_code == "3301"
    gone = new.apply(lc.retire_division(new, "330199", date=DATE, reason="never mind"))
    assert lc.resolve_code("330199", registry=gone).status == "retired"


# --------------------------------------------------------------------------- the 2021 reorganization
@pytest.fixture(scope="module")
def replayed():
    return replay_2021_reorganization()


def test_replay_2021_gives_the_official_2023_towns(replayed):
    from hangzhou_address._datapath import data_dir
    from hangzhou_address.io.embedded import _read

    reg, log = replayed
    assert log["skipped"] == [] and log["changes"] == 2 + 31 + 2  # 2 new districts, 31 towns moved, 2 retired
    new = _read(data_dir() / "divisions" / "hangzhou_divisions_2023.csv")
    touched = set(REORG_2021_DISTRICTS)
    official = {(c, n, p) for c, n, p, lv in zip(new["code"], new["name"], new["parent_code"], new["level"])
                if lv == "town" and p in touched}
    d = reg.divisions
    got = {(c, n, p) for c, n, p, lv, s in zip(d["code"], d["name"], d["parent_code"], d["level"], d["status"])
           if lv == "town" and p in touched and s == "active"}
    assert len(official) == 86 and got == official
    assert reg.get("330104").status == "retired" and reg.get("330103").status == "retired"
    assert set(reg.codes("district")) == set(new.loc[new["level"] == "district", "code"])


def test_replay_2021_old_codes_resolve_like_the_embedded_lineage(replayed):
    from hangzhou_address import default_registry

    reg, _log = replayed
    official = default_registry()
    for old in ("330103001", "330104009", "330109007"):  # 下城区 / 江干区 → 钱塘区 / 萧山区 → 钱塘区
        assert lc.resolve_code(old, registry=reg).current == lc.resolve_code(old, registry=official).current
    assert set(lc.resolve_code("330104", registry=reg).current) == {"330102", "330114"}
    assert registry_2020().get("330104").is_active  # the 2020 registry itself is unchanged


def test_move_town_to_another_district_takes_its_district_aliases(reg):
    """A town moved to another district: codes, addresses and the district-scoped (SYNTHETIC) aliases of its
    compounds follow, so that an alias still finds the building under the new district's name."""
    from hangzhou_address.io.validate import validate_city
    from hangzhou_address.matcher import Matcher

    town = "330108003"  # 浦沿街道
    cs = lc.move_town(reg, town, "330106", date=DATE, reason="moved")
    new = reg.apply(cs)
    nt = lc.resolve_code(town, registry=new).current_code
    assert nt[:6] == "330106" and nt not in issued_division_codes(reg, "330106", "town")
    assert new.get(nt).name == reg.get(town).name and new.get(nt).parent_code == "330106"
    a = new.addresses[new.addresses["town_code"] == nt]
    assert len(a) and a["text"].str.startswith("西湖区浦沿街道").all() and (a["district_code"] == "330106").all()
    assert len(validate_city(new).issues) == 0
    al = new.aliases
    row = al[(al["alias"] == "万科·平凤")].iloc[0]
    assert row["district_code"] == "330106"
    x = a[a["poi"] == row["name"]].sort_values("houseno").iloc[0]
    r = Matcher(new, fuzzy=False).match(f"西湖区万科·平凤{int(x['houseno'])}幢")
    assert r.code == x["building_code"], r
    with pytest.raises(ChangeError, match="already issued"):
        lc.move_town(reg, town, "330106", new_code="330106005", date=DATE, reason="x")
    with pytest.raises(ChangeError, match="already in district"):
        lc.move_town(reg, town, "330108", date=DATE, reason="x")


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_moves_never_reuse_a_code_and_keep_every_building(reg, data):
    """Invariant: after any two community moves, every new code was never issued before, every building
    keeps its permanent id, and every old code of a moved building resolves to exactly one current code."""
    comms = [c for c in reg.codes("community") if c.startswith("330108")]
    towns = [t for t in reg.codes("town") if t.startswith("330108")]
    cur = reg
    for k in range(2):
        active = [c for c in cur.codes("community") if c.startswith("330108")]
        c = data.draw(st.sampled_from(active), label=f"community {k}")
        t = data.draw(st.sampled_from([x for x in towns if x != c[:9]]), label=f"town {k}")
        before = issued_division_codes(cur, t, "community") | set(cur.grids["code"]) | set(cur.buildings["code"])
        cs = cur.apply(lc.move_community(cur, c, t, date=DATE, reason="moved"))
        added = set(cs.divisions["code"]) - set(cur.divisions["code"])
        added |= set(cs.grids["code"]) - set(cur.grids["code"])
        added |= set(cs.buildings["code"]) - set(cur.buildings["code"])
        assert added and not (added & before)
        cur = cs
    ids = lc.numbering.buildings_with_ids(reg).set_index("code")["building_id"]
    now = cur.buildings.set_index("building_id")["code"]
    assert sorted(now.index) == sorted(ids)
    for code, bid in ids.items():
        s = lc.resolve_code(code, registry=cur)
        assert s.current == (now[bid],), (code, s)
    assert len([c for c in cur.codes("community") if c.startswith("330108")]) == len(comms)
