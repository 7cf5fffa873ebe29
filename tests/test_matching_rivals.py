"""Tests of hangzhou_address.matching.rivals (names one slip or two edits from a fuzzy reading that have its number
too), on the embedded SYNTHETIC city."""

from __future__ import annotations

from hangzhou_address.matching.fuzzy import fuzzy_lookup


def test_a_rival_one_slip_from_the_written_name_is_found_even_unscored():
    """桐庐县盛村2组53号 (embedded, SYNTHETIC): read as 盛村村 (村 dropped, cost 0.2), while 武盛村 — 武 dropped,
    cost 1.0, too far behind to be scored — has a 2组53号 too: the answer says so and is not confident."""
    from hangzhou_address import default_registry
    from hangzhou_address.matcher import default_matcher

    m = default_matcher(default_registry())
    res, parts = m._analyse("桐庐县盛村2组53号")
    out = fuzzy_lookup(parts.norm, res, m.resolver, m.index, m.names, m._consistent)
    assert out is not None and out.best.name == "盛村村" and out.slip_rival == "武盛村"
    assert all(o.name != "武盛村" for o in out.others)  # (the case this is about: not among the scored)
    r = m.match("桐庐县盛村2组53号")
    assert "盛村 is one character from 武盛村, which has this number too" in r.reasons
    assert r.confidence < 0.9


def test_a_rival_two_edits_from_the_written_name_keeps_the_answer_below_sure():
    """富阳区董驾村26号 (embedded, SYNTHETIC): read as 董家村 (驾 for 家, one edit), while 董家桥村 — 驾 for 家 and
    桥 dropped, too far behind to be scored — has a 26号 too: a clerk's two slips write the same text for it.
    The answer stays 董家村's (the cheaper reading), says why, and is below 0.9; the rival must be in scope."""
    from hangzhou_address import default_registry
    from hangzhou_address.matcher import default_matcher

    m = default_matcher(default_registry())
    res, parts = m._analyse("浙江省杭州市富阳区董驾村26号")
    out = fuzzy_lookup(parts.norm, res, m.resolver, m.index, m.names, m._consistent)
    assert out is not None and out.accepted and out.best.name == "董家村" and out.two_edit_rival == "董家桥村"
    assert all(o.name != "董家桥村" for o in out.others)  # found in the pool, not among the scored
    r = m.match("浙江省杭州市富阳区董驾村26号")
    assert r.level == "building" and "董驾村 is two edits from 董家桥村, which has this number too" in r.reasons
    assert r.confidence < 0.9
    # the town named (董家村's 常安镇; 董家桥村 is in another town): no rival in scope, the reading is sure
    r = m.match("浙江省杭州市富阳区常安镇董驾村26号")
    assert r.level == "building" and r.confidence >= 0.9 and not any("two edits from" in x for x in r.reasons)


def test_arbitrary_edits_count_what_no_slip_explains():
    from hangzhou_address.matching.rivals import arbitrary_edits

    assert arbitrary_edits(("驾→家 same pinyin", "桥 missing")) == 0  # two slips
    assert arbitrary_edits(("西园 swapped", "一 missing", "路 dropped")) == 0
    assert arbitrary_edits(("中→义 other character", "河→烹 other character")) == 2
    assert arbitrary_edits(("菩 added", "小区 added")) == 1  # a character the text adds; a generic suffix is a slip
    assert arbitrary_edits(("尖→剑 same pinyin",), skipped=1) == 1  # a character left unexplained


def test_a_rival_needing_more_arbitrary_characters_does_not_cap_the_reading():
    """江干区义烹中路10号 (embedded, SYNTHETIC): 义蓬中路 with one same-sounding character; 中河中路 has a 10号 too and is
    two edits away — but two arbitrary ones (中→义, 河→烹): no clerk's slips make that text of it. The reason says
    so, the reading stays sure. 董驾村's rival 董家桥村 takes two slips (a same sound, a dropped character): capped."""
    from hangzhou_address import default_registry
    from hangzhou_address.matcher import default_matcher

    m = default_matcher(default_registry())
    r = m.match("江干区义烹中路10号")
    assert "义烹中路 is two edits from 中河中路, which has this number too" in r.reasons
    assert r.confidence >= 0.9
    assert m.match("浙江省杭州市富阳区董驾村26号").confidence < 0.9


def test_a_three_character_name_one_arbitrary_edit_away_is_a_rival():
    """余杭区大戮村2组48号 (embedded, SYNTHETIC): read as 大陆村 (戮 for 陆, same sound), while 大安村 — one arbitrary
    character away — has a 2组48号 too: the reason says so and the model weighs it."""
    from hangzhou_address import default_registry
    from hangzhou_address.matcher import default_matcher

    m = default_matcher(default_registry())
    text = "余杭区大戮村2组48号"
    res, parts = m._analyse(text)
    out = fuzzy_lookup(parts.norm, res, m.resolver, m.index, m.names, m._consistent)
    assert out is not None and out.best.name == "大陆村" and out.two_edit_rival == "大安村"
    r = m.match(text)
    assert "大戮村 is one edit from 大安村, which has this number too" in r.reasons
    assert m.confidence_features(text)["fuzzy_two_edit_rival"] < 0


def test_rival_distance_is_two_edits_for_long_names_one_for_three_characters():
    from hangzhou_address.matching.rivals import _rival_distance

    assert _rival_distance("新源村", "亲源村")  # one character replaced
    assert not _rival_distance("新和村", "亲源村")  # two, in a name of three: any X源村 / 新X村 would be a rival
    assert _rival_distance("董家桥村", "董驾村")  # two, in a name of four
    assert not _rival_distance("源村", "亲源村")  # a name of two characters is never a rival


def test_characters_attached_before_an_exact_name_may_belong_to_a_longer_one(road_city):
    """滨江区西兴街道湖陈北路252号 reads 陈北路 252号 exactly, 湖 left over; 湖头陈北路 (头 dropped: one edit from 湖陈北路)
    has a 252号 too, so the answer (陈北路's, as written) is not sure, and says why. Not so when the left-over character
    repeats one of the name (陈陈北路: a key pressed twice), nor in the exact mode (today's answers)."""
    from hangzhou_address.matching.rivals import MAX_ATTACHED

    assert MAX_ATTACHED >= 1
    xi = "330108001"
    m, code = road_city([("陈北路", 252, xi), ("湖头陈北路", 252, xi)])
    r = m.match("滨江区西兴街道湖陈北路252号")
    assert (r.code, r.level) == (code["陈北路", 252], "building")
    assert "湖陈北路 is one edit from 湖头陈北路, which has this number too" in r.reasons
    assert r.confidence < 0.9
    assert m.match("滨江区西兴街道湖陈北路252号", fuzzy=False).confidence >= 0.9  # (the exact mode as before)
    assert m.match("滨江区西兴街道陈北路252号").confidence >= 0.9
    assert not any("which has this number too" in x for x in m.match("滨江区西兴街道陈陈北路252号").reasons)
