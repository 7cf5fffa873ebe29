"""Tests of hangzhou_address.matching.gazetteer (the resolver's keys and automaton, on the real NBS divisions)."""

from __future__ import annotations

import pytest

from hangzhou_address.matching.gazetteer import (
    F_CITY,
    F_DIV,
    F_FORMER,
    F_OUT_COUNTY,
    F_POI,
    F_ROAD,
    build_gazetteer,
    older_divisions,
)
from hangzhou_address.resolve import DivisionResolver


@pytest.fixture(scope="module")
def resolver(official_registry):
    return DivisionResolver(official_registry)


def _flags(g, key):
    got = g.automaton.get(key, None)
    return 0 if got is None else g.key_flags[got[0]]


def test_keys_and_their_flags(resolver, official_registry):
    g = build_gazetteer(resolver, official_registry, [("文三路", "road"), ("西湖区文化广场", "poi"), ("文鼎苑", "poi")])
    assert _flags(g, "西湖区") & F_DIV and _flags(g, "杭州市") == F_CITY
    assert _flags(g, "万州区") == F_OUT_COUNTY and g.outside_where["万州区"] == "重庆市"
    assert not _flags(g, "西湖区") & F_OUT_COUNTY  # Hangzhou's name wins over Nanchang's
    assert _flags(g, "文三路") == F_ROAD and _flags(g, "文鼎苑") == F_POI | F_DIV  # also 文鼎苑社区
    assert _flags(g, "西湖区文化广场") == 0  # would hide the full district name it starts with
    assert _flags(g, "高桥镇") == F_FORMER and g.has_former  # 富阳's former town, successor unknown
    kid, n = g.automaton.get("西湖区")
    assert g.key_text[kid] == "西湖区" and n == 3 and g.key_dcodes[kid] == frozenset({"330106"})


def test_former_villages_are_looked_up_apart(resolver, official_registry):
    g = build_gazetteer(resolver, official_registry, [])
    i = resolver.by_code["330127109218"]  # 洄溪村村民委员会 (2016-2019), no successor
    assert i in g.former_villages["洄溪村"] and g.editions[i] == "2016 2017 2018 2019"
    assert g.automaton.get("洄溪村", None) is None  # not a key: it changes no reading
    assert [k for _e, k in g.former_ac.iter("淳安县中洲镇洄溪村5号")] == ["洄溪村"]


def test_older_divisions_give_period_and_reason(official_registry):
    older = older_divisions(official_registry)
    assert older and all(isinstance(p, str) and p for p, _why in older.values())
