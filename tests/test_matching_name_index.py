"""Tests for hangzhou_address.matching.name_index (the fuzzy stage's candidate names; SYNTHETIC test names)."""

from hangzhou_address.matching.name_index import MAX_CANDIDATES, NameIndex

XI = "330108001"  # 西兴街道


def test_names_are_listed_under_the_districts_their_town_once_belonged_to(road_city):
    """A text naming the district a town belonged to before 2021 (余杭区 for a compound now in 临平区) searches
    that town's names too, as the exact look-up accepts its rows."""
    m, _code = road_city([("湾头路", 19, XI)])
    nid = NameIndex(m.index).names.index(("R", "湾头路"))
    assert nid not in NameIndex(m.index).candidates("湾路", "330199")
    assert nid in NameIndex(m.index, {XI: frozenset({"330199"})}).candidates("湾路", "330199")
    assert nid in NameIndex(m.index, {XI: frozenset({"330199"})}).candidates("湾路", "330108")


def test_a_look_alike_of_a_written_character_counts_as_that_character(road_city):
    """材溪路: the look-alike 材 stands for 村 in the search, so 村溪路 ranks above the 溪X路 sharing only 溪."""
    m, _code = road_city([(f"溪{x}路", 1, XI) for x in "东南西北中上下前后左右"] + [("村溪路", 5, XI)])
    names = NameIndex(m.index)
    got = names.candidates("材溪路", XI)
    assert len(got) <= MAX_CANDIDATES
    assert names.names[got[0]] == ("R", "村溪路")


def test_a_name_the_stretch_spells_exactly_is_always_a_candidate(road_city):
    """江村村 (separators removed from 江村·村): dropping the generic words leaves 江, shared with every 江X村;
    the name spelled exactly at the stretch's end comes first all the same, in its scope only."""
    m, _code = road_city([(f"江{x}村", 1, XI) for x in "东南西北中上下前后左右甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉戌亥"
                          "金木水火土天地玄黄宇宙洪荒"] + [("江村村", 5, XI)])
    names = NameIndex(m.index)
    assert names.names[names.candidates("江村村", XI)[0]][1] == "江村村"
    assert names.names[names.candidates("前江村村", XI)[0]][1] == "江村村"  # (a tail of the stretch)
    assert all(names.names[i][1] != "江村村" for i in names.candidates("江村村", "330102001"))


def test_within_finds_names_two_edits_away_whatever_they_share(road_city):
    """NameIndex.within: every name of the scope within k edits (OSA), closest first — 龙源庄村 is two edits from
    戊源村 (龙 for 戊, 庄 dropped) though the two share only 源 and 村."""
    m, _code = road_city([("龙源庄村", 1, XI), ("武源村", 1, XI), ("青山湖路", 1, XI)])
    names = NameIndex(m.index)
    got = [names.names[i][1] for i in names.within("戊源村", XI, 2)]
    assert got == ["武源村", "龙源庄村"]
    assert [names.names[i][1] for i in names.within("戊源村", XI, 1)] == ["武源村"]
    assert names.within("戊源村", "330102001", 2) == []  # another town


def test_a_stretch_of_generic_words_only_searches_their_characters(road_city):
    """渌渚镇新村3组: after the town, the stretch 新村 is a generic word whole — dropping the generic words would
    leave nothing to search, but it may be 新港村 with 港 dropped: its characters are searched then."""
    m, _code = road_city([("新港村", 1, XI), ("东港村", 1, XI)])
    names = NameIndex(m.index)
    got = [names.names[i][1] for i in names.candidates("新村", XI)]
    assert got and got[0] == "新港村"
