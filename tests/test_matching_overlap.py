"""Tests of hangzhou_address.matching.overlap (a name that starts inside a division name of the text the answer
is not in), on the embedded SYNTHETIC city."""

from __future__ import annotations

import pytest

from hangzhou_address import default_registry
from hangzhou_address.matcher import default_matcher
from hangzhou_address.matching.overlap import overlapped_division

OVERLAP = "starts inside"


@pytest.fixture(scope="module")
def matcher():
    return default_matcher(default_registry())


@pytest.mark.parametrize("text, name, division", [
    ("萧山桥花园1号楼", "山桥花园", "萧山"),  # 山桥花园 is a compound of 西湖区 (SYNTHETIC)
    ("杭州临安山村2组52号", "安山村", "临安"),  # 安山村 is a village of 萧山区 (SYNTHETIC)
    ("常安溪村49号5楼", "安溪村", "常安"),  # 安溪村 of 余杭区, while 常安 is a town of 富阳区
])
def test_a_building_whose_name_starts_inside_a_division_of_the_text_is_not_sure(matcher, text, name, division):
    r = matcher.match(text)
    assert r.level == "building"
    assert f"{name} starts inside {division}, which the answer is not in: the text may mean {division} and " \
           "another name" in r.reasons
    assert r.confidence < 0.9
    assert matcher.confidence_features(text)["name_overlaps_division"] < 0  # the fitted weight lowers it


def test_a_fuzzy_reading_that_takes_characters_of_the_town_named_is_not_sure(matcher):
    """临浦一村: 浦一村 (of 浦阳镇) read out of 临浦 + 一村, while 临浦镇's 横一村 has the number too."""
    r = matcher.match("浙江省杭州市萧山区临浦一村3组65号")
    assert any(x.startswith("浦一村 starts inside 临浦") for x in r.reasons)
    assert r.confidence < 0.9


@pytest.mark.parametrize("text", [
    "上城区凯旋街道市民街17号",  # no overlap at all
    "杭州市民街17号",  # 市 of the city prefix heads 市民街: the prefix is no division, every answer is in it
    "西湖区文三路90号",
])
def test_names_that_overlap_no_division_or_one_the_answer_is_in_raise_no_doubt(matcher, text):
    r = matcher.match(text)
    assert not any(OVERLAP in x for x in r.reasons)


def test_overlapped_division_needs_the_answer_outside_it():
    rv = default_matcher(default_registry()).resolver
    assert overlapped_division("萧山桥花园1号楼", "山桥花园", "33010601003600200015", rv) == "萧山"
    assert overlapped_division("萧山桥花园1号楼", "山桥花园", "330109", rv) is None  # an answer in 萧山区
    assert overlapped_division("萧山桥花园1号楼", "山桥花园", "330114", rv) is None  # 钱塘区: once 萧山's
    assert overlapped_division("萧山桥花园1号楼", "", "330106", rv) is None
    assert overlapped_division("萧山桥花园1号楼", "文三路", "330106", rv) is None  # the name is not in the text


def test_a_division_name_inside_a_name_the_resolver_read_does_not_count(matcher):
    """戴村镇东凤村: the bare community name 镇东 (余杭区) starts inside 戴村镇, which the resolver read: no reading
    of the text, and the answer (东风村 of 戴村镇, read from the misspelled 东凤村) is not doubted for it."""
    norm = "萧山区戴村镇东凤村2号"
    rv = matcher.resolver
    assert [key for key, _s, _c in rv.divisions_across(norm, norm.index("东凤村"), len(norm))] == ["镇东"]
    res = rv.resolve(norm)
    assert overlapped_division(norm, "东凤村", "330109102264", rv) == "镇东"  # without the resolver's hits
    assert overlapped_division(norm, "东凤村", "330109102264", rv, res.hits) is None
    r = matcher.match(norm)
    assert r.level == "building" and r.confidence >= 0.9 and not any(OVERLAP in x for x in r.reasons)


def test_divisions_across_reports_start_and_current_codes():
    rv = default_matcher(default_registry()).resolver
    got = rv.divisions_across("萧山桥花园1号楼", 1, 5)
    assert got and got[0][0] == "萧山" and got[0][1] == 0
    assert {"330109", "330114"} <= got[0][2]  # 萧山区, and 钱塘区 that holds former towns of it
    assert rv.divisions_across("萧山桥花园1号楼", 0, 5) == []  # starting where the name starts: no overlap
