"""Tests for hangzhou_address.matching.relative (a place written relative to a building)."""

from __future__ import annotations

import pytest

from hangzhou_address.matching.building_part import BuildingPart
from hangzhou_address.matching.relative import relative_place


def _parts(norm: str, spans: list[tuple[str, int, int]]) -> BuildingPart:
    p = BuildingPart(norm, None)
    p.spans = spans
    return p


@pytest.mark.parametrize(("norm", "word"), [
    ("江城路23号对面", "对面"),
    ("江城路23号 斜对面", "斜对面"),
    ("江城路23号旁边小卖部", "旁边"),
    ("江城路23号(附近)", "附近"),
    ("江城路23号往东50米", "往东50米"),
    ("江城路23号东侧商铺", "东侧"),
])
def test_a_word_right_after_the_building_number_places_the_address_relative_to_it(norm, word):
    assert relative_place(_parts(norm, [("road", 0, 3), ("roadno", 3, 6)])) == word


@pytest.mark.parametrize("norm", [
    "江城路23号",
    "江城路23号(快递柜)",
    "江城路23号附近七古登宿舍5-7-1242",  # another building named after it
    "江城路23号的对面",  # not right after the number
])
def test_no_relative_place(norm):
    assert relative_place(_parts(norm, [("road", 0, 3), ("roadno", 3, 6)])) is None


def test_a_word_after_a_room_is_inside_the_building():
    """3单元502室对面: the flat across the landing, in the same building."""
    norm = "江城路23号3单元502室对面"
    assert relative_place(_parts(norm, [("roadno", 3, 6), ("cell", 6, 9), ("roomno", 9, 13)])) is None
    assert relative_place(_parts("江城路", [])) is None


def test_the_matcher_keeps_the_building_as_a_locator_at_a_low_confidence(tiny_registry):
    from hangzhou_address.matcher import Matcher

    a = tiny_registry.addresses
    row = a[a["form"] == "road"].iloc[0]
    m = Matcher(tiny_registry)
    plain = m.match(row.text)
    r = m.match(row.text + "对面")
    assert plain.level == "building" and plain.confidence >= 0.9
    assert (r.code, r.level) == (plain.code, "building")
    assert r.confidence <= 0.3
    assert any("relative to the building read (对面)" in x for x in r.reasons)
