"""Tests of hangzhou_address.matching.reading (a stretch of text read as a registry name: its cost, generic suffixes
dropped, added or exchanged)."""

from __future__ import annotations


def test_a_suffix_of_another_kind_is_not_read_as_added():
    """星长花园小区 is 星长花园 with 小区 added (both compound words); 千岛湖炸花园 is no village 千岛湖村 with
    花园 added (the text's 花园 says compound), so that reading pays for every character."""
    from hangzhou_address.matching.reading import score as _score
    from hangzhou_address.matching.similarity import SUFFIX_COST, CharCosts

    c = CharCosts()
    assert _score("P", "星长花园", "星长花园小区", c, 9.0, edits=True) == (SUFFIX_COST, 0, ("小区 added",))
    cost, _skipped, edits = _score("P", "千岛湖村", "千岛湖炸花园", c, 9.0, edits=True)
    assert cost >= 3.0 and "花园 added" not in edits


def test_search_scopes_follow_the_divisions_written():
    """The town when one is read; else the district and the pre-2021 district written for it (江干区 is 上城区 now,
    but names of its former towns, 钱塘区's 白杨街道 among them, are listed under 330104); else the whole city."""
    from hangzhou_address.io.embedded import load_official_divisions
    from hangzhou_address.matcher import Matcher
    from hangzhou_address.matching.reading import search_scopes
    from hangzhou_address.registry import Registry

    divisions, lineage = load_official_divisions()
    resolve = Matcher(Registry(divisions, lineage=lineage)).resolver.resolve
    assert search_scopes(resolve("西湖区西溪街道")) == ("330106004",)
    assert search_scopes(resolve("西湖区")) == ("330106",)
    assert search_scopes(resolve("江干区")) == ("330102", "330104")
    assert search_scopes(resolve("文三路")) == ("",)


def test_score_reads_the_end_of_the_stretch_and_counts_what_it_skips():
    from hangzhou_address.matching.reading import score
    from hangzhou_address.matching.similarity import CharCosts

    c = CharCosts()
    assert score("R", "顾家畈路", "顾家畈路", c, 9.0) == (0.0, 0, ())
    cost, skipped, edits = score("R", "顾家畈路", "某某顾佳畈路", c, 9.0, edits=True)
    assert skipped == 2 and edits == ("家→佳 same pinyin",) and 0 < cost < 1
    assert score("R", "顾家畈路", "文三路", c, 0.5) is None  # over the limit


def test_a_fragment_that_writes_a_road_is_no_compound_or_village_without_that_word():
    """桃源路100幢 (real text of the NAACL corpus) was read as the SYNTHETIC village 桃源溪村 (溪 for 路, 村 dropped) at
    0.988: the text writes a road. A village whose name has the word (官路村, 村 dropped: 官路) still reads."""
    from hangzhou_address.matching.reading import score
    from hangzhou_address.matching.similarity import CharCosts

    costs = CharCosts()
    assert score("P", "桃源溪村", "桃源路", costs, 9.0) is None
    assert score("R", "桃源大道", "桃源路", costs, 9.0) is not None  # a road for a road
    assert score("P", "官路村", "官路", costs, 9.0) is not None
    assert score("P", "横街村", "横街", costs, 9.0) is not None
