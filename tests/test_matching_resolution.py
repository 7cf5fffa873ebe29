"""Tests of hangzhou_address.matching.resolution (what division resolution returns)."""

from __future__ import annotations

import dataclasses

import pytest

from hangzhou_address import resolve
from hangzhou_address.matching.resolution import LEVELS, Hit, Resolution, new_resolution


def test_a_resolution_made_fast_equals_one_made_by_the_constructor():
    fast = new_resolution(district_code="330106", town_code=None, community_code=None, level="district",
                          score=3.0, margin=1.5, candidates=(), reasons=("x",), hits=())
    slow = Resolution("330106", None, None, "district", 3.0, 1.5, (), ("x",), ())
    assert fast == slow and fast.code == "330106" and not fast.legacy and fast.written_districts == frozenset()
    with pytest.raises(dataclasses.FrozenInstanceError):
        fast.level = "town"  # type: ignore[misc]


def test_the_types_are_those_resolve_exports():
    assert resolve.Resolution is Resolution and resolve.Hit is Hit
    assert LEVELS == ("district", "town", "community")
    h = Hit("district", 0, 3, "西湖区")
    assert (h.label, h.end, h.gazetteer) == ("district", 3, False)
