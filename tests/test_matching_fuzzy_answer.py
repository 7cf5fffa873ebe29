"""Tests for hangzhou_address.matching.fuzzy_answer (the fuzzy stage's answer)."""

from __future__ import annotations

from hangzhou_address.matching.fuzzy_answer import SLIPS, similarity_score, slips_only
from hangzhou_address.matching.reading import FuzzyCandidate


def test_a_name_that_exists_outside_is_read_as_another_inside_for_one_slip_or_two_in_a_named_town():
    """Against a name written exactly as one with the number outside the named divisions, the reading inside them
    may take one slip — two when the text names the town (钱塘区萧山新星家园3#: 临平区 has a 新星家园3; 兴新家园,
    swapped and typed by sound, is two slips away inside 萧山区) — and one missing character only in a named town."""
    two = ("兴新 swapped", "兴→星 same pinyin")
    assert slips_only(("文平 swapped",), town_named=False)
    assert not slips_only(two, town_named=False)
    assert slips_only(two, town_named=True)
    assert not slips_only(("教 missing",), town_named=False)
    assert slips_only(("教 missing", "文→闻 same pinyin"), town_named=True)
    assert not slips_only(("文→丈 other character",), town_named=True)


def test_every_slip_kind_is_a_slip_alone():
    for kind in SLIPS:
        assert slips_only((f"某→谋 {kind}" if kind.endswith(("pinyin", "look-alike")) else f"路 {kind}",),
                          town_named=False)


def test_similarity_score_is_one_for_the_name_as_written_and_falls_with_the_cost():
    def fc(cost):
        return FuzzyCandidate("R", "顾家畈路", "顾佳畈路", cost, (), 0, ())

    assert similarity_score(fc(0.0)) == 1.0
    assert similarity_score(fc(0.25)) == 0.938
    assert similarity_score(fc(9.0)) == 0.0
