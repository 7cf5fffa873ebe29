"""Tests of hangzhou_address.matching.confusable (names one slip apart) and of its effect on the
confidence of exact answers (SYNTHETIC road names written for the tests)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hangzhou_address.matching.confusable import Confusables, one_slip_apart
from hangzhou_address.matching.similarity import CharCosts

XI = "330108001"  # 西兴街道


@pytest.fixture(scope="module")
def costs():
    return CharCosts()


@pytest.mark.parametrize(("a", "b", "apart"), [
    ("雷东村", "东村", True),      # a character dropped
    ("东村", "雷东村", True),      # ... or added
    ("昌庆路", "庆昌路", True),    # two adjacent characters swapped
    ("文三路", "文山路", True),    # san / shan: similar pinyin
    ("顾家畈路", "顾佳畈路", True),  # same pinyin
    ("浙江路", "淅江路", True),    # a look-alike
    ("文三路", "文化路", False),   # an arbitrary character
    ("文三路", "文三路", False),   # the same name
    ("顾家畈路", "畈路", False),   # two characters dropped
    ("昌庆东路", "庆昌路东", False),
])
def test_one_slip_apart(costs, a, b, apart):
    assert one_slip_apart(a, b, costs) is apart


_HAN = st.text(alphabet="东西南北中文三山庆昌家佳路村", min_size=2, max_size=6)
_COSTS = CharCosts()


@settings(max_examples=200, deadline=None)
@given(_HAN, st.integers(0, 5))
def test_one_slip_apart_is_symmetric_and_finds_every_dropped_character(name, k):
    k %= len(name)
    shorter = name[:k] + name[k + 1:]
    assert one_slip_apart(name, shorter, _COSTS) and one_slip_apart(shorter, name, _COSTS)
    other = name[::-1]
    assert one_slip_apart(name, other, _COSTS) == one_slip_apart(other, name, _COSTS)


def test_neighbours_of_a_small_index(road_city):
    m, _code = road_city([("昌庆路", 5, XI), ("庆昌路", 5, XI), ("文三路", 1, XI), ("文山路", 2, XI),
                          ("文化路", 3, XI), ("东村路", 1, XI), ("雷东村路", 1, XI)])
    c = Confusables(m.index)
    assert c.neighbours["R昌庆路"] == ("庆昌路",)
    assert c.neighbours["R文三路"] == ("文山路",)
    assert "R文化路" not in c.neighbours
    assert c.neighbours["R东村路"] == ("雷东村路",)


def test_an_exact_answer_one_slip_from_another_address_is_not_sure(road_city):
    """庆昌路5号 names a building exactly, but a clerk who swapped 昌庆 writes the same text: the answer
    stands, below 0.9, and says why."""
    m, code = road_city([("昌庆路", 5, XI), ("庆昌路", 5, XI), ("文三路", 1, XI), ("文山路", 2, XI)])
    r = m.match("滨江区西兴街道庆昌路5号")
    assert (r.code, r.level) == (code["庆昌路", 5], "building")
    assert r.confidence < 0.9
    assert "庆昌路 is one character from 昌庆路, which has this number too" in r.reasons
    # 文山路 has no 1号: nothing to confuse 文三路1号 with
    r = m.match("滨江区西兴街道文三路1号")
    assert (r.code, r.level) == (code["文三路", 1], "building")
    assert r.confidence >= 0.9
    assert not any("one character from" in x for x in r.reasons)
    assert m.confidence_features("滨江区西兴街道庆昌路5号").get("one_slip_rival")
    assert "one_slip_rival" not in m.confidence_features("滨江区西兴街道文三路1号")


def test_the_exact_mode_keeps_its_answers(road_city):
    from hangzhou_address.matcher import Matcher

    m, code = road_city([("昌庆路", 5, XI), ("庆昌路", 5, XI)])
    exact = Matcher(m.registry, fuzzy=False)
    r = exact.match("滨江区西兴街道庆昌路5号")
    assert (r.code, r.level) == (code["庆昌路", 5], "building") and r.confidence < 0.9
