"""Tests of hangzhou_address.resolve (division resolution on the real NBS divisions)."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hangzhou_address.errors import InputError, InputTypeError
from hangzhou_address.resolve import (
    MAX_INPUT_CHARS,
    Resolution,
    normalize_for_matching,
    resolve_divisions,
    resolver_for,
)


@pytest.fixture(scope="module")
def reg(official_registry):
    return official_registry


@pytest.mark.parametrize(
    ("text", "district", "town"),
    [
        ("浙江杭州江干区下沙街道", "330114", "330114001"),  # 江干 下沙 -> 钱塘区
        ("江干区凯旋街道", "330102", "330102011"),  # 江干 -> 上城区
        ("杭州市下城区武林街道", "330105", "330105013"),  # 下城区 -> 拱墅区
        ("萧山区河庄街道", "330114", "330114003"),  # 萧山 east -> 钱塘区
        ("余杭区临平街道", "330113", "330113001"),  # 余杭 east -> 临平区
        ("临安市锦城街道", "330112", "330112006"),  # 临安市 -> 临安区
        ("西湖区西溪", "330106", "330106004"),  # town suffix dropped
    ],
)
def test_legacy_and_short_names(reg, text, district, town):
    r = resolve_divisions(text, registry=reg)
    assert (r.district_code, r.town_code) == (district, town)
    assert r.level == "town"


@pytest.mark.parametrize(("text", "code"), [
    ("杭州市余杭区和睦桥十七组", "330113005208"),  # 余杭区 + a bare village of 临平区 (余杭区 until 2021)
    ("浙江省杭州市萧山区临江工业园区", "330114006400"),  # 萧山区 + a community of 钱塘区 (萧山区 until 2021)
    ("余杭区博陆村", "330113006210"),
])
def test_a_split_2020_district_and_a_division_of_its_other_successor(reg, text, code):
    """A 2020 district name whose territory is split (余杭区 → 余杭区 + 临平区) read as today's 余杭区 is no rival of a
    village or community of 临平区 that the text names: that reading explains the written 余杭区 too (corpus row:
    the gold is 临平区's 和睦桥; before, the district was ambiguous and nothing was returned)."""
    r = resolve_divisions(text, registry=reg)
    assert r.code == code and r.legacy
    assert resolve_divisions("余杭区", registry=reg).code == "330110"  # the name alone: today's 余杭区


def test_a_split_district_keeps_its_answer_when_the_other_evidence_does_not_decide(reg):
    """The refinement applies only when what is left decides the district: not for a weak bare name (余杭区 CBC
    时代大观: 余杭区 stays) nor when a town of a third district is named too (conflicting names stay conflicting)."""
    assert resolve_divisions("浙江省杭州余杭区CBC时代大观3号楼1422", registry=reg).code == "330110"
    r = resolve_divisions("杭州市临平余杭区新塘街道桥南沈村", registry=reg)
    assert r.town_code != "330113001"


def test_legacy_reason_is_given(reg):
    r = resolve_divisions("江干区下沙街道", registry=reg)
    assert any("江干区" in x and "钱塘区" in x for x in r.reasons)
    assert r.legacy


@pytest.mark.parametrize(
    ("text", "district", "town", "community"),
    [
        ("杭州市江干区高教园区白杨学源街18号", "330114", "330114002", None),  # 江干区 ... 白杨 -> 钱塘区
        ("江干区开发区下沙文泽路5号", "330114", "330114001", None),
        ("杭州下城区打铁关5幢", "330105", "330105017", "330105017001"),  # 下城区 + a bare community name
    ],
)
def test_bare_name_under_a_retired_district_is_read_as_under_a_current_one(reg, text, district, town, community):
    """A retired district name (江干区, 下城区) has no literal reading: a bare town or community name that
    was in it counts as fully as under a current district, so 上城区 (江干区's first successor) does not
    tie with 钱塘区 for a 下沙 text."""
    r = resolve_divisions(text, registry=reg)
    assert (r.district_code, r.town_code, r.community_code) == (district, town, community)
    assert r.legacy


@pytest.mark.parametrize("text", ["杭州市江干区笕桥横塘五区88号", "杭州市余杭区星桥街道东湖5号"])
def test_legacy_reason_names_only_what_a_name_became(reg, text):
    """A retired namesake (余杭's 横塘社区 beside 江干区's; the 2020 东湖街道 beside 星桥街道) is not said to
    have become the division decided on."""
    import re

    r = resolve_divisions(text, registry=reg)
    assert r.code is not None
    for reason in r.reasons:
        m = re.match(r"legacy name \S+ \((\d{9,})\) mapped to current \S+ \((\d+)\)", reason)
        if m:
            assert m.group(2) in reg.current(m.group(1)), reason


@pytest.mark.parametrize(
    ("text", "town"),
    [
        ("杭州市上城区望江家园12幢", "330102010"),  # 望江 + 家园
        ("杭州市拱墅区大关新苑3幢2单元", "330105007"),  # 大关 + 新苑
        ("浙江省杭州市江干区九堡名苑5排", "330102018"),  # a retired district, 九堡 + 名苑
    ],
)
def test_bare_town_before_a_compound_word_after_its_district(reg, text, town):
    """A bare town name right after its district and before a residential compound word names the town
    (a compound named after it), unlike one heading a road (西溪路)."""
    r = resolve_divisions(text, registry=reg)
    assert (r.district_code, r.town_code) == (town[:6], town)


@pytest.mark.parametrize("text", ["西湖区西溪路18号", "杭州市上城区望江路5号", "西湖区天目山路", "钱塘区下沙路"])
def test_bare_town_heading_a_road_after_its_district_is_not_the_town(reg, text):
    assert resolve_divisions(text, registry=reg).town_code is None


@pytest.mark.parametrize(
    ("text", "town", "community"),
    [
        ("萧山河上东山村", "330109101", "330109101239"),  # bare district, bare town, village
        ("余杭塘栖", "330113100", None),  # 塘栖 was in 余杭区: now 临平区
    ],
)
def test_bare_district_before_one_of_its_towns_is_not_a_word_head(reg, text, town, community):
    """萧山|河上: a bare district name followed by a town of that district is the district, though 河 could
    head a name (萧山河); the town is then read after it."""
    r = resolve_divisions(text, registry=reg)
    assert (r.town_code, r.community_code) == (town, community)


def test_bare_district_before_another_districts_town_stays_a_word_head(reg):
    # 西湖|湖滨: 湖滨 is in 上城区, so 西湖 is read as before (the lake's name heading 西湖湖…), not as 西湖区
    assert resolve_divisions("西湖湖滨", registry=reg).district_code != "330106"


@pytest.mark.parametrize(
    ("text", "town"),
    [("浙江省-杭州市-市辖区笕桥机场路5号", "330102016"), ("杭州市市辖区三墩", "330106109")],
)
def test_city_districts_placeholder_is_part_of_the_city_prefix(reg, text, town):
    """市辖区 (the NBS placeholder) after 杭州市: a bare town name after it follows the city prefix."""
    assert resolve_divisions(text, registry=reg).town_code == town


def test_retired_district_alone(reg):
    assert resolve_divisions("下城区", registry=reg).district_code == "330105"
    r = resolve_divisions("江干区", registry=reg)
    assert r.district_code == "330102" and r.split  # main successor, flagged as split


def test_division_name_inside_road_is_not_matched(reg):
    r = resolve_divisions("西湖区天目山路", registry=reg)
    assert r.level == "district" and r.town_code is None and r.community_code is None
    assert resolve_divisions("天目山路", registry=reg).level is None
    assert resolve_divisions("杭州市拱墅区余杭塘路", registry=reg).district_code == "330105"


def test_outside_hangzhou(reg):
    for text in ("江西省南昌市西湖区", "南昌市西湖区北京西路", "宁波市江北区文汇路", "浙江省温州市鹿城区"):
        r = resolve_divisions(text, registry=reg)
        assert r.outside and r.level is None
        assert r.reasons[0].startswith("outside Hangzhou")


def test_outside_decision_is_shared_by_the_outside_name(reg):
    """Texts naming the same place outside Hangzhou share one memoized decision, whatever divisions
    they also name; each result still carries its own hits, text and evidence."""
    r = resolver_for(reg)
    texts = ["南昌市西湖区北京西路", "南昌市青山湖区", "南昌市西溪街道文三路", "南昌市", "杭州市南昌市西湖区"]
    r._decisions.clear()
    r._shapes.clear()
    shared = [r.resolve(normalize_for_matching(t)[0]) for t in texts]
    assert sum(type(k) is str for k in r._decisions._data) == 1
    for t, got in zip(texts, shared):
        r._decisions.clear()
        r._shapes.clear()
        alone = r.resolve(normalize_for_matching(t)[0])
        assert got.__dict__ == alone.__dict__ and got.normalized == t
        r._decisions.clear()
        full = r._decide_core(got.evidence, ["南昌市"] if got.outside else [], got.hangzhou_prefix)
        assert (got.level, got.reasons, got.outside) == (full.level, full.reasons, full.outside)
    assert shared[0].outside and shared[0].hits != shared[1].hits
    assert not shared[-1].outside  # with the city prefix the decision is made in full


def test_foreign_name_after_hangzhou_division_is_a_shop_name(reg):
    r = resolve_divisions("临安市经济开发区南环路154号台湾联塑", registry=reg)
    assert not r.outside and r.district_code == "330112"


def test_hangzhou_bay_is_not_the_city_prefix(reg):
    r = resolve_divisions("宁波杭州湾新区", registry=reg)
    assert r.level is None


def test_repeated_elements(reg):
    r = resolve_divisions("浙江省杭州市余杭区杭州市余杭区闲林街道", registry=reg)
    assert r.town_code == "330110011"
    assert r.district_code == "330110"


def test_bare_name_alone_is_weak(reg):
    r = resolve_divisions("瓶窑", registry=reg)  # a town and a community share the bare name
    assert r.level is None
    assert r.candidates


def test_conflicting_district_falls_back(reg):
    # 仓前街道 is in 余杭区 and never was in 西湖区: keep the written district, report the conflict
    r = resolve_divisions("西湖区仓前街道", registry=reg)
    assert (r.level, r.district_code, r.town_code) == ("district", "330106", None)
    assert r.conflict and any("仓前街道" in x for x in r.reasons)


def test_type_errors(reg):
    with pytest.raises(InputTypeError):
        resolve_divisions(None, registry=reg)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        resolve_divisions(12, registry=reg)  # type: ignore[arg-type]
    assert issubclass(InputTypeError, InputError)


def test_too_long_input_is_bounded(reg):
    r = resolve_divisions("杭" * (MAX_INPUT_CHARS + 1), registry=reg)
    assert r.level is None and r.reasons[0].startswith(f"text longer than {MAX_INPUT_CHARS:,} characters")


def test_resolver_cached_per_registry(reg):
    assert resolver_for(reg) is resolver_for(reg)
    assert isinstance(resolve_divisions("西湖区", registry=reg), Resolution)


@given(st.text(max_size=80))
@settings(max_examples=300, deadline=None)
def test_resolve_never_raises_on_text(reg, text):
    r = resolve_divisions(text, registry=reg)
    assert r.level in (None, "district", "town", "community")
    if r.level is None:
        assert r.code is None


@given(st.lists(st.one_of(st.sampled_from(["西湖区", "杭州市", "文三路", "西溪街道", "翠苑", "拱墅", "余杭"]),
                          st.text(alphabet="\x00号幢区路市1 -杭州湖西", max_size=3)), max_size=8))
@settings(max_examples=150, deadline=None)
def test_scan_finds_every_key_occurrence(reg, parts):
    """The automaton's hits are exactly the occurrences of the keys (its never-matching helper keys,
    which end in a control character, included in the alphabet above, are never reported)."""
    r = resolver_for(reg)
    text = "".join(parts)
    index = {k: i for i, k in enumerate(r.key_text)}
    want = sorted((i, -(i + n), index[text[i:i + n]]) for i in range(len(text))
                  for n in range(1, min(21, len(text) - i + 1)) if text[i:i + n] in index)
    assert r.scan(text) == [(a, -b, k) for a, b, k in want]  # (start, end, key id): by start, longest first


def _division_texts(reg, n=400):
    """Texts naming real divisions in the ways people write them (full, bare, with and without the
    district / town, pre-2021 district names), a sample of the communities."""
    divs = reg.divisions.set_index("code")
    comms = divs[(divs["level"] == "community") & (divs["status"] == "active")].index[::7][:n]
    bare = {"街道": "", "社区": "", "居委会": "", "村委会": "村", "镇": "", "乡": ""}
    out = []
    for k, code in enumerate(comms):
        t, d = divs.at[code, "parent_code"], code[:6]
        cn, tn, dn = divs.at[code, "name"], divs.at[t, "name"], divs.at[d, "name"]
        tb = next((tn[: -len(s)] + r for s, r in bare.items() if tn.endswith(s)), tn)
        cb = next((cn[: -len(s)] + r for s, r in bare.items() if cn.endswith(s)), cn)
        legacy = ("江干区", "下城区", "余杭区", "萧山区")[k % 4]
        out += [f"{dn}{tn}{cn}", f"杭州市{dn}{tb}{cb}{k % 90 + 1}号", f"{tn}{cn}", f"{tb}{cb}", f"{dn}{cb}",
                f"浙江省杭州市{dn}{tn}", f"{legacy}{tn}{cb}", f"{cb}{dn}"]
    return out


def test_decisions_by_shape_agree_with_full_decisions(reg, monkeypatch):
    """A decision shared between texts of the same evidence shape (resolve.DivisionResolver._decide_by_shape)
    is exactly the decision made in full for each text."""
    r = resolver_for(reg)
    texts = _division_texts(reg)
    r._decisions.clear()
    r._shapes.clear()
    shared = [r.resolve(normalize_for_matching(t)[0]) for t in texts]
    assert len(r._shapes) >= 5  # the shape path was taken, and reused: fewer shapes than decisions
    assert len(r._shapes) < len({x.code for x in shared})
    r._decisions.clear()
    r._shapes.clear()
    monkeypatch.setattr(r, "_decide_by_shape", r._decide_core)
    full = [r.resolve(normalize_for_matching(t)[0]) for t in texts]
    assert [x.__dict__ for x in shared] == [x.__dict__ for x in full]
    r._decisions.clear()


# ----------------------------------------------------------------------------- bounds (issue 13, items 8 and 9)
def _long_texts(reg, n, length=900, seed=5):
    """Distinct texts of ``length`` characters strung from real division names (not addresses)."""
    import random

    names = reg.divisions["name"].tolist()
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        t = ""
        while len(t) < length:
            t += rng.choice(names)
        out.append(t[:length])
    return out


def test_long_texts_stay_out_of_the_decision_memos(reg):
    """Distinct long texts (each ~48 KB of memo before) leave the resolver's memos as they were."""
    import tracemalloc

    r = resolver_for(reg)
    texts = [normalize_for_matching(t)[0] for t in _long_texts(reg, 60)]
    r.resolve(texts[0])
    n_before = len(r._decisions), len(r._shapes)
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        for t in texts[1:]:
            assert r.resolve(t).normalized == t
        grown = tracemalloc.get_traced_memory()[0] - base
    finally:
        tracemalloc.stop()
    assert (len(r._decisions), len(r._shapes)) == n_before
    assert grown < 200_000, grown  # (was ~3 MB: 59 texts x ~50 KB)


def test_decision_memo_is_bounded_by_its_budget_and_evicts_incrementally(reg):
    """With a small budget the memo holds at most that much, shrinks one entry at a time (no clear that
    stalls a call), and the decisions are those of an unbounded memo."""
    from hangzhou_address.resolve import DivisionResolver
    from hangzhou_address.runtime import BoundedMemo

    small = DivisionResolver(reg)
    small._decisions = BoundedMemo(30_000)
    small._shapes = BoundedMemo(5_000)
    texts = [normalize_for_matching(t)[0] for t in _division_texts(reg, 60)]
    sizes = []
    got = []
    for t in texts:
        got.append(small.resolve(t))
        sizes.append(len(small._decisions))
    assert small._decisions.cost <= 30_000 and small._shapes.cost <= 5_000
    assert max(sizes) < len(texts) // 4  # entries were evicted
    assert sizes[-1] >= 20 and min(sizes[len(sizes) // 2:]) >= 20  # full, never emptied
    assert all(b >= a - 3 for a, b in zip(sizes, sizes[1:]))  # a call evicts a few entries at most
    full = resolver_for(reg)
    assert [x.__dict__ for x in got] == [full.resolve(t).__dict__ for t in texts]


def test_memo_cost_estimate_is_close_to_the_bytes_held(reg):
    """resolve._memo_cost (the memos' budget unit) is within a factor of two of the bytes a decision holds."""
    import tracemalloc

    from hangzhou_address.resolve import DivisionResolver

    fresh = DivisionResolver(reg)
    texts = [normalize_for_matching(t)[0] for t in _division_texts(reg, 100)]
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        for t in texts:
            fresh.resolve(t)
        held = tracemalloc.get_traced_memory()[0] - base
    finally:
        tracemalloc.stop()
    estimated = fresh._decisions.cost + fresh._shapes.cost
    assert estimated / 2 < held < estimated * 2, (held, estimated)


# ----------------------------------------------------------------------------- names older than 2020 (#14.1)
def test_old_town_name_maps_to_its_successor_with_a_reason(reg):
    r = resolve_divisions("杭州市江干区丁桥镇人民路12号", registry=reg)
    assert (r.district_code, r.town_code) == ("330102", "330102017")
    assert any(x.startswith("丁桥镇 (before 2015) → 丁兰街道 (330102017): renamed") for x in r.reasons)


@pytest.mark.parametrize("text, town", [
    ("萧山区坎山镇", "330109113"), ("萧山区党山镇", "330109113"), ("西湖区袁浦镇", "330106110"),
    ("西湖区周浦乡", "330106110"), ("余杭区乔司镇", "330113005"), ("临安市锦城街道", "330112006"),
])
def test_old_town_names(reg, text, town):
    assert resolve_divisions(text, registry=reg).town_code == town


def test_former_town_name_is_not_a_village(reg):
    # 党山村委会 (330109113267) is a village of today's 瓜沥镇: 党山镇 is the former town, not that village
    for text in ("萧山区党山镇", "萧山区党山镇新华路8号"):
        r = resolve_divisions(text, registry=reg)
        assert r.town_code == "330109113" and r.community_code is None
    import hangzhou_address as hz

    m = hz.match("萧山区党山镇新华路8号", registry=reg)
    assert m.community_code is None and m.town_code == "330109113"


def test_former_town_with_unknown_successor_is_reported(reg):
    r = resolve_divisions("富阳市高桥镇", registry=reg)
    assert r.district_code == "330111" and r.town_code is None
    assert "former town 高桥镇: successor unknown (not read as a village)" in r.reasons


def test_village_written_with_the_other_kind_word(reg):
    # 云峰社区 of 彭埠街道 written 云峰村 (义桥镇 has a real 云峰村委会)
    r = resolve_divisions("上城区彭埠街道云峰村12号", registry=reg)
    assert r.community_code == "330102015006" and not r.conflict
    # ordinary answers stay: 云峰村 without its town is 义桥镇's village
    assert resolve_divisions("萧山区云峰村", registry=reg).community_code == "330109106260"


def test_town_split_between_successors_gives_the_common_parent_with_candidates(reg):
    import pandas as pd

    from hangzhou_address.registry import Registry

    extra = pd.DataFrame([{"code": "330106199", "level": "town", "name": "旧试镇", "parent_code": "330106",
                           "status": "retired", "editions": "undated"}])
    lin = pd.concat([reg.lineage, pd.DataFrame({"old_code": ["330106199"] * 2, "new_code": ["330106010", "330106110"],
                                                "date": ["2007"] * 2, "reason": ["split"] * 2})])
    r2 = Registry(pd.concat([reg.divisions, extra], ignore_index=True), lineage=lin)
    r = resolve_divisions("西湖区旧试镇1号", registry=r2)
    assert (r.district_code, r.town_code, r.level) == ("330106", None, "district")
    assert {c[0] for c in r.candidates} == {"330106010", "330106110"}
    assert any(x.startswith("旧试镇 (before 2015) → 转塘街道 (330106010)、双浦镇 (330106110)") for x in r.reasons)


def test_every_old_town_name_resolves_to_its_successor_or_is_reported(reg):
    """Every town name of the older lists (history/): its current code, explicit candidates, or "successor
    unknown" - never a current town that is not its successor."""
    import hangzhou_address as hz
    from hangzhou_address.io.embedded import older_town_names

    names = older_town_names(reg)
    counts = {"resolved": 0, "candidates": 0, "unknown": 0}
    wrong, missed = [], []
    for old in names:
        expected, text = old.expected, old.text
        for r in (resolve_divisions(text, registry=reg), hz.match(text, registry=reg)):
            cands = {c[0] for c in r.candidates if c[1] == "town"}
            if r.town_code is not None and r.town_code not in expected:
                wrong.append((text, r.town_code))
            elif r.town_code is not None:
                counts["resolved"] += 1
            elif expected and expected <= cands:
                counts["candidates"] += 1
            elif not expected and any("successor unknown" in x for x in r.reasons):
                counts["unknown"] += 1
            else:
                missed.append(text)
    assert wrong == []
    assert len(names) == 286 and counts["unknown"] == 2 * 14
    # every name is read: 萧山经济开发区, whose code 330109401 is now named 萧山经济技术开发区, as its former name
    assert missed == []


def test_outside_counties_list():
    """The county-level names outside Hangzhou (data/divisions/china_counties_outside_hangzhou.csv): all of
    China's but Hangzhou's, each with where it is."""
    import csv

    from hangzhou_address._datapath import data_dir
    from hangzhou_address.matching.outside import outside_counties as _outside_counties

    with open(data_dir() / "divisions" / "china_counties_outside_hangzhou.csv", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) > 2800 and not any(r["code"].startswith("3301") for r in rows)
    assert all(r["name"].endswith(("区", "县", "市", "旗")) and r["province"] and r["city"] for r in rows)
    where = _outside_counties()
    assert where["万州区"] == "重庆市" and where["西湖区"] == "江西省南昌市" and where["鼓楼区"] == "4 other cities"
    assert "城区" not in where and where["渠县"] == "四川省达州市"


# ----------------------------------------------------------------------------- contradictions (issue 14.3, 13.1)
@pytest.mark.parametrize(
    ("text", "where", "town"),
    [
        ("杭州市鼓楼区瑶琳镇新华路3号", "鼓楼区 (4 other cities)", "330122110"),  # 瑶琳镇 is 桐庐县's
        ("浙江省杭州市朝阳区龙岗镇5号", "朝阳区 (北京市、吉林省长春市)", "330112117"),  # 龙岗镇 is 临安区's
        ("杭州万州区分水镇", "万州区 (重庆市)", "330122109"),
    ],
)
def test_another_citys_district_after_the_city_prefix_leaves_the_town_a_candidate(reg, text, where, town):
    """Issue #14.3: the Hangzhou prefix, then another city's district where the district is expected, then a
    Hangzhou town name: the town is a candidate only, and the reason names the outside district and where it is."""
    r = resolve_divisions(text, registry=reg)
    assert r.level is None and r.code is None and not r.outside
    assert [c[0] for c in r.candidates] == [town]
    assert any(where in x and "only a candidate" in x for x in r.reasons), r.reasons


def test_outside_name_whose_last_character_heads_a_hangzhou_name_is_not_misplaced(reg):
    # 文昌|市畈村: 文昌镇's village 市畈村, not Hainan's 文昌市
    r = resolve_divisions("杭州市文昌市畈村5组8号", registry=reg)
    assert r.community_code == "330127101232" and not r.misplaced and not r.conflict


def test_another_citys_district_beside_a_hangzhou_district_is_reported(reg):
    r = resolve_divisions("杭州市鼓楼区桐庐县瑶琳镇", registry=reg)
    assert r.town_code == "330122110" and r.conflict
    assert any("鼓楼区 (4 other cities)" in x for x in r.reasons)


@pytest.mark.parametrize("text", ["杭州市西湖区文三路1号", "杭州市桐庐县瑶琳镇", "西湖区南昌路1号", "杭州宁波大厦"])
def test_hangzhou_readings_and_shop_names_stay(reg, text):
    r = resolve_divisions(text, registry=reg)
    assert not r.misplaced and not r.outside and not any("outside" in x for x in r.reasons)
    assert r.code in (None, "330106", "330122110")


@pytest.mark.parametrize(
    ("text", "town", "names"),
    [
        ("滨江富阳区龙门镇1号", "330111112", "滨江 / 富阳区"),
        ("杭州市建德拱墅区文晖街道1号", "330105017", "建德 / 拱墅区"),
        ("余杭钱塘区下沙街道", "330114001", "余杭 / 钱塘区"),  # 余杭 never held 钱塘区's territory
    ],
)
def test_bare_district_name_contradicting_the_full_one_is_a_conflict(reg, text, town, names):
    """Issue #13.1 / #14: a bare district name right before the full name of an unrelated district: the full
    name is read, and the contradiction is reported as a conflict."""
    r = resolve_divisions(text, registry=reg)
    assert r.town_code == town and r.conflict
    assert f"conflicting district names: {names}" in r.reasons


@pytest.mark.parametrize(
    ("text", "town"),
    [
        ("余杭临平区南苑街道", "330113002"),  # 临平区 was part of 余杭区 until 2021
        ("萧山钱塘区河庄街道", "330114003"),  # 河庄 was 萧山's
        ("江干上城区凯旋街道", "330102011"),
        ("下城拱墅区武林街道", "330105013"),
        ("余杭临平街道", "330113001"),
    ],
)
def test_bare_district_name_of_a_related_district_is_no_conflict(reg, text, town):
    r = resolve_divisions(text, registry=reg)
    assert r.town_code == town and not r.clash and not r.conflict


@pytest.mark.parametrize(
    ("text", "town", "reason"),
    [
        ("淳安县大墅镇老岭村村民委员会12号", "330127110", "former village 老岭村 (2016–2019): successor unknown"),
        ("滨江区长河街道塘子堰社区3号", "330108002", "former community 塘子堰社区 (2016–2020): successor unknown"),
        # a current 新中村委会 elsewhere is not a conflict: the text names 宁围's former village
        ("萧山区宁围街道新中村委会8号", "330109013", "former village 新中村 (2016–2019): successor unknown"),
    ],
)
def test_former_village_with_unknown_successor_is_reported(reg, text, town, reason):
    """Issue #14.1: a village / community of the 2016–2019 (2020) lists with no known successor: the answer
    stays at its town, with a reason; never a guessed successor, never a conflict with a namesake elsewhere."""
    r = resolve_divisions(text, registry=reg)
    assert (r.town_code, r.community_code, r.level) == (town, None, "town")
    assert reason in r.reasons and not r.conflict
    assert not any(x.startswith("conflicting") for x in r.reasons)


def test_former_village_of_another_town_is_not_reported(reg):
    r = resolve_divisions("淳安县千岛湖镇老岭村村民委员会12号", registry=reg)  # 老岭村 was 大墅镇's
    assert r.town_code == "330127100" and not any("former village" in x for x in r.reasons)


@pytest.mark.parametrize("text, code, old", [
    ("桐庐县富春江镇上四村5组3号", "330122101210", "上四村村委会 (2016–2020)"),  # 上泗村村委会 since 2023
    ("文新街道竟舟社区", "330106013006", "竟舟社区 (2016)"),  # 竞舟社区 since 2017
    ("萧山区中心社区", "330109102001", "中心社区 (2016–2020)"),  # 凌溪社区 since 2023
])
def test_former_name_of_a_current_division_resolves_to_it_with_a_reason(reg, text, code, old):
    r = resolve_divisions(text, registry=reg)
    assert r.community_code == code
    assert any(x.startswith(f"former name: {old} is now ") and x.endswith(f"({code}), same code") for x in r.reasons)


def test_current_names_win_over_a_former_name_and_give_no_former_reason(reg):
    r = resolve_divisions("桐庐县富春江镇上泗村", registry=reg)
    assert r.community_code == "330122101210" and not any(x.startswith("former name") for x in r.reasons)
    # a former name that is today another division's name is not a key of the renamed one
    from hangzhou_address.resolve import resolver_for

    rv = resolver_for(reg)
    for key, value in rv.automaton.items():
        if value is None:  # (the root-order keys that never match)
            continue
        entries = rv.key_entries[value[0]]
        if any(k == 5 for _i, k in entries):
            assert all(k == 5 for _i, k in entries), key


def test_a_bare_district_right_after_the_city_prefix_is_read_even_late_in_the_text():
    """杭行路666号杭州拱墅万达广场 (real text of the NAACL corpus, gold district 拱墅区): after the door number a bare
    district name is usually part of a name and weighs little (文三路90号西湖保时捷中心) — but right after 杭州 it is
    written as the district. Checked with the official divisions alone (no SYNTHETIC road to help)."""
    from hangzhou_address.io.embedded import load_official_divisions
    from hangzhou_address.registry import Registry
    from hangzhou_address.resolve import DivisionResolver

    divisions, lineage = load_official_divisions()
    rv = DivisionResolver(Registry(divisions, lineage=lineage))
    assert rv.resolve("杭行路666号杭州拱墅万达广场").district_code == "330105"
    late = rv.resolve("文三路90号西湖保时捷中心")
    assert late.district_code is None or late.score < rv.resolve("杭州西湖保时捷中心").score


def test_a_bare_name_after_the_door_number_describes_it():
    """梅家巷5号（东门）: 东门 is a community of 建德市 (an official division), but after the door number a bare name
    says which gate; the building stands (the SYNTHETIC 梅家巷5号 of 建德市)."""
    from hangzhou_address import default_registry
    from hangzhou_address.matcher import default_matcher

    m = default_matcher(default_registry())
    plain = m.match("建德市梅家巷5号")
    for text in ("建德市梅家巷5号（东门）", "建德市梅家巷5号 东门", "建德市梅家巷5号东门"):
        r = m.match(text)
        assert (r.code, r.level) == (plain.code, "building") and r.confidence >= 0.9, text
    # before the number the bare name is read as the community it names
    assert m.resolver.resolve("建德市东门梅家巷").community_code is not None
