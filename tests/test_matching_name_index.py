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
