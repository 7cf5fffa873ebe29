"""Tests of hangzhou_address.matching.elements (assembling a parse's elements in reading order)."""

from __future__ import annotations

from types import SimpleNamespace

from hangzhou_address.matching.elements import merge_elements


def test_parse_keeps_registry_elements_where_the_tagger_finds_none():
    merged = merge_elements("西湖区文三路90号", [("district", 0, "西湖区"), ("road", 3, "文三路"), ("roadno", 6, "90号")],
                             runs=())
    assert merged == {"district": "西湖区", "road": "文三路", "roadno": "90号"}
    merged = merge_elements("西湖区文三路90号", [("district", 0, "西湖区"), ("road", 3, "文三")], runs=[("road", 3, 6)])
    assert merged == {"district": "西湖区", "road": "文三路"}  # the tagger's reading wins for its labels


def test_merge_division_elements():
    # a name the resolver read as a division inside the tagger's compound name is not a division element
    text = "金城路1号南苑国际3幢"
    merged = merge_elements(text, [("road", 0, "金城路"), ("town", 5, "南苑")],
                             runs=[("road", 0, 3), ("roadno", 3, 5), ("poi", 5, 9), ("houseno", 9, 11)])
    assert merged == {"road": "金城路", "roadno": "1号", "poi": "南苑国际", "houseno": "3幢"}
    # ... unless the name decided the town's code (a bare town name before a compound: 清波 + 亿诚嘉园)
    text = "清波亿诚嘉园14号楼"
    decided = SimpleNamespace(district_code="330102", town_code="330102008", community_code=None)
    merged = merge_elements(text, [("town", 0, "清波")], runs=[("poi", 0, 6), ("houseno", 6, 10)], determined=decided)
    assert list(merged.items()) == [("poi", "清波亿诚嘉园"), ("town", "清波"), ("houseno", "14号楼")]
    assert "town" not in merge_elements(text, [("town", 0, "清波")], runs=[("poi", 0, 6), ("houseno", 6, 10)])
    # divisions the resolver does not read (outside Hangzhou) come from the tagger, in reading order
    text = "江西省南昌市西湖区北京西路100号镇"
    merged = merge_elements(text, [], runs=[("prov", 0, 3), ("city", 3, 6), ("district", 6, 9), ("road", 9, 13),
                                             ("roadno", 13, 17), ("town", 17, 18)])  # (one character: not a name)
    assert list(merged.items()) == [("prov", "江西省"), ("city", "南昌市"), ("district", "西湖区"), ("road", "北京西路"),
                                    ("roadno", "100号")]
    # the resolver's other readings (a village's group) stay, overlapping or not
    text = "沿山村1组408号"
    merged = merge_elements(text, [("group", 3, "1组")], runs=[("community", 0, 3), ("road", 3, 5), ("roadno", 5, 9)])
    assert merged == {"community": "沿山村", "road": "1组", "group": "1组", "roadno": "408号"}
    # the resolver's division wins over the tagger's reading of the same label; overlapping tagger divisions are dropped
    text = "杭州市西湖区文三路"
    merged = merge_elements(text, [("city", 0, "杭州市"), ("district", 3, "西湖区")],
                             runs=[("city", 0, 2), ("district", 2, 6), ("road", 6, 9)])
    assert merged == {"city": "杭州市", "district": "西湖区", "road": "文三路"}
