"""Tests for hangzhou_address.matching.zones (Hangzhou's functional zones, read as the district they lie in; the
division lists are the real, official ones; everything below community level is SYNTHETIC)."""

from __future__ import annotations

import pytest

from hangzhou_address.matching.zones import functional_zones


@pytest.fixture(scope="module")
def matcher():
    from hangzhou_address import default_registry
    from hangzhou_address.matcher import default_matcher

    return default_matcher(default_registry())


def test_every_zone_lies_in_a_current_district_and_cites_a_source(matcher):
    reg = matcher.registry
    districts = set(reg.divisions.loc[(reg.divisions["level"] == "district")
                                      & (reg.divisions["status"] == "active"), "code"])
    names = [n for z in functional_zones() for n in z.written]
    assert len(names) == len(set(names))  # (no name of two zones)
    division_names = set(reg.divisions["name"])
    for z in functional_zones():
        assert z.district_code in districts, z
        assert z.source.strip() and z.kind.strip()
        assert not division_names & set(z.written), z  # a zone is no division: the NBS lists do not have it


@pytest.mark.parametrize(("text", "district", "zone"), [
    ("杭州市经济技术开发区14号大街71号", "330114", "杭州经济技术开发区"),  # real corpus text: 杭州市 + the zone's name
    ("浙江省杭州市经济开发区松乔街9号146栋", "330114", "杭州经济技术开发区"),  # real corpus text
    ("杭州市大江东产业集聚区", "330114", "大江东产业集聚区"),
    ("杭州高新区（滨江）江南大道3850号", "330108", "杭州高新技术产业开发区"),
    ("杭州市钱江新城富春路", "330102", "钱江新城"),  # in 江干区 until 2021, in 上城区 since
    ("之江国家旅游度假区", "330106", "之江国家旅游度假区"),
    ("萧山临江高新技术产业开发区经八路", "330114", "萧山临江高新技术产业开发区"),  # named after 萧山, in 钱塘区 now
])
def test_a_functional_zone_is_read_as_the_district_it_lies_in(matcher, text, district, zone):
    r = matcher.match(text)
    assert r.district_code == district and r.confidence >= 0.9, r
    assert any(x.startswith(f"{zone}: a functional zone in ") for x in r.reasons), r.reasons
    assert matcher.match(text, fuzzy=False).district_code == district  # (no fuzzy reading: a name of the table)


@pytest.mark.parametrize(("text", "district"), [
    ("杭州市西湖区文三路杭州高新区", "330106"),  # 杭州高新区 had a block north of the river, in 西湖区
    ("杭州余杭未来科技城海创园98幢952室", "330110"),  # real corpus text: 余杭 is the district, not 余杭街道
])
def test_a_district_name_written_outweighs_a_zone(matcher, text, district):
    r = matcher.match(text)
    assert r.district_code == district and r.town_code is None, r


@pytest.mark.parametrize("text", ["杭州大江东路", "浙江省杭州市江干区经济技术开发区"])
def test_a_road_named_after_a_zone_or_a_generic_zone_word_is_no_zone(matcher, text):
    """大江东路 is a road; a bare 经济技术开发区 could be any district's."""
    assert not any("functional zone" in x for x in matcher.match(text).reasons)


def test_a_compound_named_like_a_zone_keeps_its_buildings(matcher):
    """The (SYNTHETIC) embedded city has a compound 钱江新城 in 清波街道: before a building number the name is read as
    the compound, as a division name is (building_part's fallback), elsewhere as the zone."""
    r = matcher.match("上城區清波街道錢江新城1棟")
    assert r.level == "building" and r.code.startswith("330102001"), r
    assert not any("functional zone" in x for x in r.reasons)
    assert matcher.match("杭州市钱江新城富春路").level == "district"
