"""Tests for hangzhou_address.matching.division_spelling (misspelled division names; the division lists are the
real, official ones; everything below community level is SYNTHETIC)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hangzhou_address.matching.division_spelling import MAX_RESPELLINGS, DivisionSpeller


@pytest.fixture(scope="module")
def embedded():
    from hangzhou_address import default_registry
    from hangzhou_address.matcher import default_matcher

    m = default_matcher(default_registry())
    return m, DivisionSpeller(m.resolver)


def _respell(embedded, text):
    m, speller = embedded
    return speller.respell(text, m.resolver.resolve(text))


@pytest.mark.parametrize(("text", "name", "edit"), [
    ("杭州市拱墅区米市港街道", "米市巷街道", "巷→港 look-alike"),
    ("杭州市滨江区长和街道", "长河街道", "河→和 same pinyin"),
    ("杭州市富杨区", "富阳区", "阳→杨 same pinyin"),
    ("杭州市湖西区", "西湖区", "西湖 swapped"),
])
def test_one_slip_in_a_division_name_is_read_as_the_division(embedded, text, name, edit):
    out, found = _respell(embedded, text)
    assert len(found) == 1 and found[0].name == name and found[0].edit == edit
    assert len(out) == len(text) and name in out
    assert found[0].reason == f"fuzzy: {found[0].written} read as {name} (1 edit: {edit})"


@pytest.mark.parametrize("text", ["杭州市拱墅区米市巷街道", "西湖区花园小区3幢", "上城区老城区", "杭州市", "超市", ""])
def test_names_spelled_right_and_other_words_are_left_alone(embedded, text):
    assert _respell(embedded, text) == (text, ())


def _stub(*divisions):
    """A resolver-like object with the given (code, name, level, (district, town, community)) divisions."""
    return SimpleNamespace(codes=[d[0] for d in divisions], names=[d[1] for d in divisions],
                           levels=[d[2] for d in divisions], cur=[d[3] for d in divisions], hist_d={})


def _res(district=None, town=None, hits=(), written=frozenset()):
    return SimpleNamespace(district_code=district, town_code=town, community_code=None, hits=hits, outside=False,
                           written_districts=written)


def test_two_names_one_slip_away_leave_the_text_as_written():
    """长禾街道 is one slip from 长河街道 and from 长和街道 (both he): the text does not say which."""
    speller = DivisionSpeller(_stub(("330108002", "长河街道", 1, ("330108", "330108002", None)),
                                    ("330108009", "长和街道", 1, ("330108", "330108009", None))))
    assert speller.respell("滨江区长禾街道", _res("330108")) == ("滨江区长禾街道", ())
    assert speller.respell("滨江区长和街道", _res("330108")) == ("滨江区长和街道", ())  # (spelled: no slip)


def test_a_town_is_looked_for_in_the_district_named_and_a_community_in_the_town_named():
    speller = DivisionSpeller(_stub(("330108002", "长河街道", 1, ("330108", "330108002", None)),
                                    ("330108002001", "长河社区", 2, ("330108", "330108002", "330108002001"))))
    assert speller.respell("杭州长和街道", _res(hits=(("city", 0, 2),)))[1][0].name == "长河街道"  # (the whole city)
    assert speller.respell("长和街道", _res()) == ("长和街道", ())  # (not said to be in Hangzhou: a town elsewhere)
    assert speller.respell("西湖区长和街道", _res("330106")) == ("西湖区长和街道", ())
    assert speller.respell("长和社区", _res("330108")) == ("长和社区", ())  # (no town named)
    assert speller.respell("长和社区", _res("330108", "330108002"))[1][0].name == "长河社区"


def test_a_name_read_already_is_not_respelled():
    """The suffix or the characters before it belong to a division name the resolver read."""
    speller = DivisionSpeller(_stub(("330108002", "长河街道", 1, ("330108", "330108002", None))))
    hit = ("town", 0, 4)
    assert speller.respell("长和街道", _res(hits=(hit,))) == ("长和街道", ())


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet="长和河街道区县市镇乡社西湖富杨阳米港巷滨江0123456789 ", max_size=400))
def test_respelling_keeps_the_length_and_is_bounded(embedded, text):
    out, found = _respell(embedded, text)
    assert len(out) == len(text) and len(found) <= MAX_RESPELLINGS
    for r in found:
        assert out[r.start:r.start + len(r.written)] == r.in_text and text[r.start:r.start + len(r.written)] == r.written


def test_the_matcher_respells_in_fuzzy_mode_only(embedded):
    m, _speller = embedded
    r = m.match("杭州市萧山区宁为街道")
    assert r.code == "330109013" and "fuzzy: 宁为街道 read as 宁围街道 (1 edit: 围→为 same pinyin)" in r.reasons
    assert m.match("杭州市萧山区宁为街道", fuzzy=False).code == "330109"
    assert m.parse("杭州市萧山区宁为街道", fuzzy=True).town_code == "330109013"
    assert m.parse("杭州市萧山区宁为街道").town_code is None
    assert m.match("杭州市萧山区寧為街道").reasons[0] == "normalized: traditional characters"


@pytest.mark.parametrize("text", ["阜阳市清河西路118号", "湖北省武汉市江岸区湛家矶街道", "安徽省阜阳市颍东区", "龙港镇大桥西路70号"])
def test_a_place_outside_hangzhou_is_no_misspelled_district(embedded, text):
    """阜阳市 (Anhui) is one same-sounding character from 富阳市, 江岸区 (Wuhan) from 江干区: they are read as the
    places they are, never respelled; 龙港镇 (Wenzhou; the resolver knows no towns outside Hangzhou) is no 龙岗镇
    of 临安区 in a text that does not say it is in Hangzhou."""
    assert _respell(embedded, text) == (text, ())
    assert embedded[0].match(text).code is None


@pytest.mark.parametrize(("text", "written", "name", "district"), [
    ("浙江省笑山南环路2524号", "笑山", "萧山", "330109"),  # right after the province: where the district is expected
    ("杭州渔杭乔司鑫业路97号", "渔杭", "余杭", "330113"),  # 余杭 + 乔司: 乔司 is in 临平区 since 2021
    ("肖山城厢街道人民路5号", "肖山", "萧山", "330109"),  # at the start, a town of 萧山区 after it
])
def test_a_bare_district_name_with_one_slip_is_read_where_a_district_is_expected(embedded, text, written, name,
                                                                               district):
    m, _speller = embedded
    r = m.match(text)
    assert r.district_code == district
    assert any(x.startswith(f"fuzzy: {written} read as {name} (1 edit: ") for x in r.reasons)
    assert not any(f"{written} read as" in x for x in m.match(text, fuzzy=False).reasons)  # fuzzy mode only


@pytest.mark.parametrize("text", [
    "笑山南环路2524号",  # at the start with no town after it: may be a name (尚城国际), not a district
    "尚城国际3幢",
    "江岸湛家矶街道",  # 江岸 is a district of 武汉 (江岸区): never 江干
    "阜阳清河西路118号",
    "杭州市西湖区笑山路5号",  # a district read already: nothing to respell
    "杭州市萧山城厢街道",  # spelled right
    "杭州富盐 村37号",  # two characters before 村 name a village (富岩村, 岩 typed 盐), not 富阳 misspelled
    "杭州笑山路5号",  # nor before 路
])
def test_a_bare_district_name_is_not_read_elsewhere_or_without_confirmation(embedded, text):
    m, speller = embedded
    res = m.resolver.resolve(text)
    out, found = speller.respell(text, res)
    assert not any(f.bare and f.read_in(m.resolver.resolve(out)) for f in found)
    assert not any(" read as 萧山 " in x or " read as 江干 " in x or " read as 富阳 " in x for x in m.match(text).reasons)


@pytest.mark.parametrize(("text", "written", "name"), [
    ("余杭区星窍镇惠都家园41-6-2248", "星窍镇", "星桥镇"),  # 星桥镇 is 星桥街道 today: a town's suffix changes
    ("浙江省杭州市江干区沙下街道水云街884号", "沙下街道", "下沙街道"),  # 下沙 was in 江干区, is in 钱塘区 now
])
def test_a_town_is_read_whatever_its_suffix_and_in_the_district_it_was_in(embedded, text, written, name):
    out, found = _respell(embedded, text)
    assert [(f.written, f.name) for f in found] == [(written, name)]
    assert len(out) == len(text) and name in out


@pytest.mark.parametrize(("text", "written", "name", "town"), [
    ("杭州余杭赁平天荷路北横塘113号", "赁平", "临平", "330113001"),  # real text of the NAACL corpus, one slip
    ("余杭乔嘶鑫业路97号11幢10楼", "乔嘶", "乔司", "330113005"),
    ("浙江杭州江干区臼堡九环路万科魅力之城10幢1828", "臼堡", "九堡", "330102018"),
    ("浙江省杭州市西湖区赚塘香山创意园", "赚塘", "转塘", "330106010"),
    ("杭州乔饲三鑫工业园112号4栋9楼", "乔饲", "乔司", "330113005"),  # right after 杭州, no district: the city's towns
    ("浙江省杭州市下砂多蓝水岸碧海苑", "下砂", "下沙", "330114001"),
])
def test_a_bare_town_name_with_one_slip_after_the_district_is_read(embedded, text, written, name, town):
    """Real ledgers write the town bare after the district (余杭乔司); with one slip of the IME the town was
    lost, and 余杭区 alone answered today's 余杭区 — the wrong district for a town of 临平区 — at 0.96."""
    from hangzhou_address.matcher import Matcher

    out, found = _respell(embedded, text)
    assert [(f.written, f.name, f.bare) for f in found] == [(written, name, True)]
    assert out == text.replace(written, name, 1)
    m = Matcher(embedded[0].registry)
    r = m.match(text)
    assert r.town_code == town, r
    assert f"fuzzy: {written} read as {name} (1 edit: " in r.reasons[0]
    assert Matcher(embedded[0].registry, fuzzy=False).match(text).town_code is None  # (exact mode: as written)


@pytest.mark.parametrize("text", [
    "浙江省杭州市拱墅区长青广业街孔乐长青文化创意园3栋",  # 长青 written twice: a name (one slip from 长庆)
    "杭州萧山区大村2组62号",  # the village 大村 (or a misspelled 大X村) before its group, not the town 戴村镇
    "乔饲三鑫工业园112号",  # neither a district nor 杭州 before it: not read
    "浙江省杭州市杭州市桥康8號5楼",  # city-wide, a swap (康桥) is too often another name: 桥康路 of 淳安县
    "余杭区乔司街道",  # spelled right
    "西湖区文星路5号",  # 文星 is no slip of 文新 (xing / xin)
    "杭州余杭五尝17号3单元502室",  # a number right after it: 五常大道 without 大道, not the town 五常 (the fuzzy stage's)
    "杭州余杭五尝道大9号",  # a road word right after it (五常大道 swapped)
    "浙江杭州何桥母村1组26号",  # a village (何桥母村), not the town 河桥 + 母村
])
def test_a_bare_town_name_is_not_read_where_the_text_may_mean_another_word(embedded, text):
    assert _respell(embedded, text) == (text, ())


@pytest.mark.parametrize(("text", "name", "district", "town"), [
    ("杭州市江滨区迎春路湘云雅苑", "滨江区", "330108", None),  # 江滨 is also a community: no reason to stop at 区
    ("浙江省杭州市城下区上塘路172号", "下城区", "330105", None),  # (城下村 too)
    ("浙江省杭州市疆干区下沙11号大街南1244号", "江干区", "330114", "330114001"),  # split in 2021: its town decides
    ("浙江省杭州市峪杭区临平梧桐蓝山", "余杭区", "330113", "330113001"),
])
def test_a_misspelled_district_is_read_past_a_bare_community_and_whichever_successor(embedded, text, name,
                                                                                      district, town):
    """Real corpus text with one slip in its district (bench/bench_match_real_slips.py): a swapped 滨江区 reads a
    community 江滨 first; a misspelled 江干区 / 余杭区 of 2020 is read whichever district of today its town decides."""
    from hangzhou_address.matcher import Matcher

    _out, found = _respell(embedded, text)
    assert [f.name for f in found] == [name]
    r = Matcher(embedded[0].registry).match(text)
    assert (r.district_code, r.town_code) == (district, town), r
    assert any(x.startswith(f"fuzzy: {found[0].written} read as {name}") for x in r.reasons)


@pytest.mark.parametrize(("text", "written", "name"), [
    ("杭州市拱墅区塘上镇宋家村114号", "塘上镇", "上塘镇"),  # (塘上 is read as a community first)
    ("建德市新江安街道叶家路727号", "新江安街道", "新安江街道"),
    ("浙江省-杭州市-萧山区沥瓜瓜港三路", "沥瓜", "瓜沥"),  # separators between the opening names
])
def test_a_town_is_read_past_a_bare_community_and_separators(embedded, text, written, name):
    _out, found = _respell(embedded, text)
    assert [(f.written, f.name) for f in found] == [(written, name)]


def test_hangzhou_written_after_a_town_name_does_not_make_it_a_town_of_hangzhou(embedded):
    """长安镇 of 海宁 (NAACL corpus: 长安镇农发区启潮路…杭州百联奥特莱斯广场) is no misspelled 常安镇 of 富阳区: the 杭州
    that widens the search to the whole city must come before the name."""
    text = "长安镇农发区启潮路1092号杭州百联奥特莱斯广场五楼"
    assert _respell(embedded, text) == (text, ())
    assert _respell(embedded, "杭州常按镇")[1][0].name == "常安镇"


@pytest.mark.parametrize(("text", "written", "name", "district", "town"), [
    ("浙江省杭州市江·干区新业路18号UDC时代大厦A座11楼", "江·干区", "江干区", "330102", None),
    ("浙江杭州上、城区叶家弄104幢11单元1453", "上、城区", "上城区", "330102", None),
    ("浙江省杭州市余杭区乔-司街道乔莫西路497号", "乔-司街道", "乔司街道", "330113", "330113005"),
    ("浙江省杭州市西湖区古荡街-道嘉绿西苑68幢", "古荡街-道", "古荡街道", "330106", "330106007"),
])
def test_a_separator_pasted_inside_a_division_name_is_dropped(embedded, text, written, name, district, town):
    """Real corpus text with a separator pasted inside its district or town (a PDF / Excel paste, an IME's 、):
    江·干区 read nothing, and 新业路18号 was answered in 余杭区 at 0.99."""
    from hangzhou_address.matcher import Matcher
    from hangzhou_address.matching.division_spelling import join_separated
    from hangzhou_address.matching.normalize import normalize_for_matching

    norm, offsets = normalize_for_matching(text)
    joined_norm, joined_offsets, joined = join_separated(norm, offsets, embedded[0].resolver)
    assert [(j.written, j.name) for j in joined] == [(written, name)]
    assert joined_norm == norm.replace(written, name, 1)
    assert len(joined_offsets) == len(joined_norm) + 1 and joined_offsets[joined[0].at] > joined[0].at
    r = Matcher(embedded[0].registry).match(text)
    assert (r.district_code, r.town_code if town else None) == (district, town), r
    assert f"fuzzy: {written} read as {name} (separators ignored)" in r.reasons
    assert all(v in text for v in r.elements.values())  # (elements still cut from the text as written)
    exact = Matcher(embedded[0].registry, fuzzy=False).match(text)  # (exact mode: names as written)
    assert not any("separators ignored" in x for x in exact.reasons)
    assert (exact.district_code, exact.town_code) != (r.district_code, r.town_code)


@pytest.mark.parametrize(("text", "written", "name", "town"), [
    ("余杭区良渚渚街道", "良渚渚街道", "良渚街道", "330110010"),  # (良渚村 was read from the bare 良渚, at 0.9985)
    ("滨江区长河河街道", "长河河街道", "长河街道", "330108002"),
    ("杭州市西湖湖区西溪街道", "西湖湖区", "西湖区", "330106004"),
])
def test_a_character_typed_twice_inside_a_division_name_is_dropped(embedded, text, written, name, town):
    """A key pressed twice (良渚渚街道): the second character is dropped where division names then read more."""
    from hangzhou_address.matcher import Matcher

    r = Matcher(embedded[0].registry).match(text)
    assert (r.code, r.level) == (town, "town"), r
    doubled = next(a for a, b in zip(written, written[1:]) if a == b)
    assert f"fuzzy: {written} read as {name} (doubled {doubled} ignored)" in r.reasons


@pytest.mark.parametrize("text", ["西湖湖滨街道", "杭州市西湖区文三三路", "濮院镇上上城14栋", "建德市横村村3组5号"])
def test_a_doubled_character_shared_by_two_names_or_outside_division_names_stays(embedded, text):
    """西湖湖滨街道 is 西湖 and 湖滨街道 (dropping a 湖 would read fewer division names); 文三三路 is no division;
    上上城 (real text: a compound of 桐乡) is no bare 上城, 横村村 a village (the fuzzy stage's)."""
    from hangzhou_address.matching.division_spelling import join_separated
    from hangzhou_address.matching.normalize import normalize_for_matching

    norm, offsets = normalize_for_matching(text)
    assert join_separated(norm, offsets, embedded[0].resolver) == (norm, offsets, ())


@pytest.mark.parametrize("text", ["杭州市·西湖区文三路", "西湖区文三路·90号", "杭州市西湖区文、三路"])
def test_a_separator_between_names_or_inside_other_words_stays(embedded, text):
    from hangzhou_address.matching.division_spelling import join_separated
    from hangzhou_address.matching.normalize import normalize_for_matching

    norm, offsets = normalize_for_matching(text)
    assert join_separated(norm, offsets, embedded[0].resolver) == (norm, offsets, ())


@pytest.mark.parametrize(("text", "written", "name", "town"), [
    ("杭州市滨江区长街道长河路和瑞科技广场", "长街道", "长河街道", "330108002"),  # real text, 河 dropped
    ("浙江省杭州市西湖区翠街道文一路727号", "翠街道", "翠苑街道", "330106005"),
    ("杭州电子科技大学杭州青湖街道胜联路237号", "青湖街道", "青山湖街道", "330112008"),  # after 杭州: the city's towns
    ("淳安县千岛镇新安大街139号中行", "千岛镇", "千岛湖镇", "330127100"),  # real text, 湖 dropped: read bare, 千岛湖
    ("桐庐县富江镇红旗路6号", "富江镇", "富春江镇", "330122101"),
])
def test_a_town_one_character_short_before_its_suffix_is_read(embedded, text, written, name, town):
    """长街道 for 长河街道: the one town of the district named (of the city, after 杭州) one character longer."""
    out, found = _respell(embedded, text)
    assert [(f.written, f.name, f.edit.endswith(" missing")) for f in found] == [(written, name, True)]
    assert len(out) == len(text) and found[0].in_text in out
    m, _speller = embedded
    r = m.match(text)
    assert r.town_code == town and f"fuzzy: {written} read as {name} (1 edit: {found[0].edit})" in r.reasons
    assert r.reasons[0] != "normalized: " + text  # (the respelled 镇 is no normalization of the text)


@pytest.mark.parametrize("text", [
    "桐庐县南街道迎春南路306号",  # 城南 and 江南 are both towns of 桐庐县 one character longer
    "杭州市长街道",  # 长河, 长安, 长口...: the city has several
    "滨江区长镇",  # one character alone only before 街道
    "长街道",  # not said to be in Hangzhou
    "浙江省淳安县市县阳街道八一新村48幢",  # (real text) one character alone, after a word nothing reads
])
def test_a_town_one_character_short_is_not_read_when_the_text_does_not_say_which(embedded, text):
    assert _respell(embedded, text) == (text, ())


def test_a_misspelled_district_where_the_district_is_expected_outweighs_a_later_name(embedded):
    """下诚区 opens the text; 西湖 later names a shop (杭州西湖保时捷中心): the misspelled district is read, not
    dropped for the district that the later name made the resolver read."""
    m, _speller = embedded
    r = m.match("浙江省杭州市下诚区石桥路杭州西湖保时捷中心")
    assert r.district_code == "330105"  # 下城区 of 2020 is in 拱墅区 today
    assert "fuzzy: 下诚区 read as 下城区 (1 edit: 城→诚 same pinyin)" in r.reasons
    # elsewhere in the text, a district one slip away is still read only within the district read
    assert _respell(embedded, "西湖区文三路上诚区")[1] == ()


def test_a_misspelled_district_and_another_district_name_leave_the_district_undecided(embedded):
    """杭州市上成区解放路西湖区: two districts, as 上城区…西湖区 would be — not 西湖区, as if 上成区 were no name."""
    m, _speller = embedded
    spelled = m.match("杭州市上城区解放路西湖区")
    r = m.match("杭州市上成区解放路西湖区")
    assert spelled.code is None and r.code is None
    assert {c.code for c in r.candidates} == {c.code for c in spelled.candidates} == {"330102", "330106"}
    assert "fuzzy: 上成区 read as 上城区 (1 edit: 城→成 same pinyin)" in r.reasons


@pytest.mark.parametrize(("text", "written", "name", "community"), [
    ("杭州市萧山区新街镇_新胜村工业园区2810号", "新胜村", "新盛村", "330109014215"),  # real corpus text
    ("萧山区靖江镇协议村村委会门口电联", "协议村", "协谊村", "330109005203"),  # real corpus text
    ("西湖区双浦镇灵珊村3组", "灵珊村", "灵山村", "330106110218"),  # a group alone is no house number
    ("西湖区灵珊村", "灵珊村", "灵山村", "330106110218"),  # the district's villages, when no town is named
    ("余杭区鹤睦桥村14组", "鹤睦桥村", "和睦桥村", "330113005208"),  # in 余杭区 until 2021, in 临平区 now
])
def test_a_misspelled_village_of_the_town_named_is_read(embedded, text, written, name, community):
    m, _speller = embedded
    r = m.match(text)
    assert r.community_code == community, r
    assert any(x.startswith(f"fuzzy: {written} read as {name} (1 edit: ") for x in r.reasons), r.reasons


@pytest.mark.parametrize("text", [
    "萧山区瓜沥镇航明村12号",  # a house number follows: the fuzzy stage's, which weighs it
    "灵珊村",  # neither district nor town named
    "拱墅区米市巷街道翠苑新村",  # (a compound's 新村)
])
def test_a_village_is_not_respelled_before_a_house_number_or_without_its_district(embedded, text):
    assert not any(r.level == 2 and r.name.endswith("村") for r in _respell(embedded, text)[1])


@pytest.mark.parametrize(("text", "written", "name", "town"), [
    ("西湖区山墩镇都市水乡水秀苑2592", "山墩镇", "三墩镇", "330106109"),  # real corpus text: san / shan
    ("萧山区晋江镇航都大酒店门口电联", "晋江镇", "靖江镇", "330109005"),  # real corpus text: jin / jing
    ("浙江省杭州市农坞镇大爬11972号", "农坞镇", "龙坞镇", "330106010"),  # real corpus text: n / l; 龙坞镇 is in 转塘 now
])
def test_a_similar_sound_in_a_division_name_is_a_slip(embedded, text, written, name, town):
    """Southern speakers and fuzzy-pinyin IMEs confuse in/ing, an/ang, s/sh, n/l…: one such character is read as a
    slip where no same-sound or look-alike name is in scope."""
    m, _speller = embedded
    r = m.match(text)
    assert r.town_code == town, r
    assert f"fuzzy: {written} read as {name} (1 edit: " in " ".join(r.reasons) and "similar pinyin" in " ".join(r.reasons)


def test_a_same_sound_name_is_preferred_to_a_similar_sound_one(embedded):
    """浦咽 is 浦沿 (yan, same sound), not 浦阳 (yang, similar): the similar sound counts only where nothing closer is
    in scope."""
    _out, found = _respell(embedded, "杭州市浦咽街道云桥苑1幢")
    assert [f.name for f in found] == ["浦沿街道"]


def test_a_similar_sound_is_no_slip_of_a_bare_town_read_city_wide(embedded):
    """杭州市东星，苑: 东星 is a compound's name cut by a comma, not 东新街道 written bare."""
    assert _respell(embedded, "浙江省杭州市东星，苑2栋")[1] == ()


def test_a_misspelled_district_right_after_the_city_written_again_is_read(embedded):
    """Real corpus text naming two addresses, the second one's district misspelled (余杭区 → 余贩区): it answered 西湖区
    at 0.999, with 良渚街道 ignored as conflicting; 杭州市 written again says a district follows."""
    from hangzhou_address.matcher import Matcher

    text = "浙江省杭州市西湖区浙江省杭州市余贩区良渚街道通济北路金地自在城东苑171-2300"
    r = Matcher(embedded[0].registry).match(text)
    assert (r.code, r.level) == ("330110010", "town") and r.confidence < 0.9, r  # (two districts named)
    assert "fuzzy: 余贩区 read as 余杭区 (1 edit: 杭→贩 similar pinyin)" in r.reasons


def test_doubled_characters_far_from_any_division_suffix_cost_no_resolver_reading(embedded):
    """A text of doubled characters (a pasted column of 良渚渚良渚渚…) is bounded: a pair is tried only where a district
    or town suffix follows within the longest such name."""
    from hangzhou_address.matching.division_spelling import join_separated
    from hangzhou_address.matching.normalize import normalize_for_matching

    calls = []

    class Counting:
        def __init__(self, resolver):
            self._r = resolver

        def resolve(self, text):
            calls.append(text)
            return self._r.resolve(text)

    norm, offsets = normalize_for_matching("西湖区" + "良渚渚" * 300)
    assert join_separated(norm, offsets, Counting(embedded[0].resolver)) == (norm, offsets, ())
    assert calls == []
    norm, offsets = normalize_for_matching("余杭区良渚渚街道")
    assert join_separated(norm, offsets, Counting(embedded[0].resolver))[2] and len(calls) == 2
