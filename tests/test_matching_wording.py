"""Tests of hangzhou_address.matching.wording (how an answer's reasons say what was read)."""

from __future__ import annotations

from hangzhou_address.matching.fuzzy import FuzzyOutcome
from hangzhou_address.matching.reading import FuzzyCandidate
from hangzhou_address.matching.wording import apart, as_written, candidate_names, edits_said, normalization_said
from hangzhou_address.resolve import normalize_for_matching


def test_normalization_says_what_changed_and_only_that():
    for text, said in (("西湖区文三路90号", ""), ("西湖區文三路90號", "traditional characters"),
                       ("西湖区文三路９０号", "full-width characters"), ("西湖区文三路九十号", "Chinese numerals")):
        norm, _offsets = normalize_for_matching(text)
        assert normalization_said(text, norm) == said, text
    assert as_written("西湖区文三路90号", ()) == "西湖区文三路90号"  # nothing respelled or joined


def test_how_far_and_which_edits():
    assert apart("湖陈北路", "湖头陈北路") == "one edit"
    assert apart("头糊陈北路", "湖头陈北路") == "two edits"
    fc = FuzzyCandidate("R", "顾家畈路", "顾佳畈路", 0.25, ("家→佳 same pinyin",), 0, ())
    assert edits_said(fc) == "1 edit: 家→佳 same pinyin"
    assert edits_said(FuzzyCandidate("R", "顾家畈路", "顾家畈路", 0.0, (), 0, ())) == "separators ignored"


def test_a_long_list_of_candidate_names_is_cut():
    others = tuple(FuzzyCandidate("P", f"{ch}村", "村", 1.0, (), 0, ()) for ch in "一二三四五六七八九十")
    out = FuzzyOutcome(others[0], others[1:] + others[:1], False, 0.0, 1, None, False, 10)  # type: ignore[arg-type]
    assert candidate_names(out) == "一村、二村、三村、四村、五村、六村、七村、八村…(+2)"
    assert candidate_names(out, most=20).count("、") == 9  # (each name once)
