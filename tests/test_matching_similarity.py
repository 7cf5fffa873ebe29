"""Tests of hangzhou_address.matching.similarity (the weighted edit distance of names)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rapidfuzz.distance import OSA, Levenshtein

from hangzhou_address.matching.similarity import (
    LOOKALIKE,
    SAME_PINYIN,
    TRANSPOSE,
    CharCosts,
    align,
    strip_generic_suffix,
)
from hangzhou_address.matching.similarity import DOUBLED


@pytest.fixture(scope="module")
def costs():
    return CharCosts()


@pytest.mark.parametrize(("name", "text", "cost", "kind"), [
    ("顾家畈路", "顾佳畈路", SAME_PINYIN, "same pinyin"),   # 家 jia / 佳 jia
    ("翠苑", "翠园", SAME_PINYIN, "same pinyin"),           # 苑 yuan / 园 yuan
    ("浙江", "淅江", LOOKALIKE, "look-alike"),
    ("文三路", "文山路", 0.5, "similar pinyin"),            # san / shan
    ("顾家畈路", "顾畈路", 1.0, "missing"),
    ("顾家畈路", "顾家畈路口", 1.0, "added"),
    ("顾家畈路", "顾家畈路路", DOUBLED, "doubled"),       # a key pressed twice
    ("联荣路", "联荣荣路", DOUBLED, "doubled"),
    ("横村", "横村村", 1.0, "added"),                     # (村村 is no slip: 横村村 is a village)
    ("顾家畈路", "家顾畈路", TRANSPOSE, "swapped"),
])
def test_edit_costs(costs, name, text, cost, kind):
    a = align(name, text, costs)
    assert a.cost == pytest.approx(cost)
    assert a.skipped == 0
    assert len(a.edits) == 1 and kind.split()[0] in a.edits[0]


@pytest.mark.parametrize(("name", "text", "cost", "edits"), [
    ("永西村", "西勇村", TRANSPOSE + SAME_PINYIN, ("永西 swapped", "永→勇 same pinyin")),
    ("红旗路", "旗虹路", TRANSPOSE + SAME_PINYIN, ("红旗 swapped", "红→虹 same pinyin")),
    ("顾家畈路", "佳顾畈路", TRANSPOSE + SAME_PINYIN, ("顾家 swapped", "家→佳 same pinyin")),
])
def test_a_swap_may_type_one_of_its_characters_by_sound(costs, name, text, cost, edits):
    """Two characters written in the other order, one of them typed as a similar character: one transposition
    plus that substitution (not two unrelated substitutions)."""
    a = align(name, text, costs)
    assert (a.cost, a.edits) == (pytest.approx(cost), edits)


def test_a_swap_of_two_characters_both_replaced_is_no_transposition(costs):
    a = align("永西村", "兄勇村", costs)  # neither 永 nor 西 written: two substitutions
    assert "swapped" not in " ".join(a.edits)


def test_unexplained_prefix_is_skipped_not_charged(costs):
    a = align("顾家畈路", "某某公司顾家畈路", costs)
    assert (a.cost, a.skipped, a.edits) == (0.0, 4, ())


def test_max_cost_stops_early(costs):
    assert align("顾家畈路", "文三路", costs, max_cost=0.5).cost == float("inf")
    assert align("顾家畈路", "家顾畈路", costs, max_cost=TRANSPOSE + 1e-6).cost == pytest.approx(TRANSPOSE)


def test_strip_generic_suffix():
    assert strip_generic_suffix("顾家畈路", "R") == "顾家畈"
    assert strip_generic_suffix("丽景花园", "P") == "丽景"
    assert strip_generic_suffix("和顺村", "P") == "和顺"
    assert strip_generic_suffix("翠苑", "P") == "翠苑"  # nothing of two characters would remain


def test_costs_memo_is_per_instance():
    a, b = CharCosts(), CharCosts()
    a.substitution("家", "佳")
    assert ("家", "佳") in a._pairs and not b._pairs


_HAN = st.text(alphabet="顾家佳畈路文三山翠苑园浙淅江城成河长和", min_size=1, max_size=7)


@settings(max_examples=300, deadline=None)
@given(name=_HAN, text=_HAN)
def test_cost_between_a_quarter_of_osa_and_levenshtein(name, text):
    """Every edit costs between 0.25 and 1 per plain edit: the weighted cost lies between a quarter of
    the best plain OSA distance to a suffix of the text and the plain Levenshtein distance."""
    c = CharCosts()
    a = align(name, text, c)
    assert a.cost <= Levenshtein.distance(name, text) + 1e-9
    lower = min(OSA.distance(name, text[k:]) for k in range(len(text) + 1))
    assert a.cost >= 0.25 * lower - 1e-9
    assert 0 <= a.skipped <= len(text)
    assert align(name, name, c).cost == 0.0


def _edit_cost(edit: str, c: CharCosts) -> float:
    """The cost of one edit as :func:`align` lists it."""
    if edit.endswith(" swapped"):
        return TRANSPOSE
    if edit.endswith(" missing") or edit.endswith(" added"):
        return 1.0
    if edit.endswith(" doubled"):
        return DOUBLED
    return c.substitution(edit[0], edit[2])


@settings(max_examples=300, deadline=None)
@given(name=_HAN, text=st.text(alphabet="顾家佳畈路文三山翠苑园浙淅江城成河长和古贾", min_size=1, max_size=7))
def test_the_edits_listed_add_up_to_the_cost(name, text):
    """The backtrace lists the edits the cost is made of (a swap that types one of its characters as a similar
    one listed as the swap and that substitution)."""
    c = CharCosts()
    a = align(name, text, c)
    assert sum(_edit_cost(e, c) for e in a.edits) == pytest.approx(a.cost)
