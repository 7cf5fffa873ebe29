"""Tests of hangzhou_address.matching.division_notes and division_decision (stages 2 and 3 of division
resolution), on the official divisions (real NBS lists)."""

from __future__ import annotations

from hangzhou_address.matching.division_decision import IGNORED, decide
from hangzhou_address.matching.division_notes import _display_name, _period, noted
from hangzhou_address.resolve import normalize_for_matching, resolver_for


def test_names_as_people_write_them_and_periods():
    assert _display_name("洄溪村村民委员会") == "洄溪村" and _display_name("钱杭社区居委会") == "钱杭社区"
    assert _period("2016 2017 2018 2019") == "2016–2019" and _period("2016") == "2016" and _period("") == "older lists"


def test_the_decision_is_the_resolvers_and_notes_are_added_per_text(official_registry):
    rv = resolver_for(official_registry)
    got = rv.resolve(normalize_for_matching("浙江杭州江干区下沙街道")[0])
    again = decide(rv, got.evidence, [], got.hangzhou_prefix)
    assert (again.district_code, again.town_code, again.level) == (got.district_code, got.town_code, "town")
    assert again.hits == () and got.hits  # (a template: the text's own fields are the resolver's to fill in)
    clashing = rv.resolve(normalize_for_matching("上城淳安县千岛湖镇")[0])
    assert clashing.clash == ("上城", "淳安县") and any(r.startswith("conflicting district names") for r in clashing.reasons)
    assert noted(rv, got, (), ()) is got  # nothing to note: the same object


def test_ignored_names_are_said_so(official_registry):
    r = resolver_for(official_registry).resolve(normalize_for_matching("西湖区下沙街道文三路")[0])
    assert r.conflict and any(x.startswith(IGNORED) for x in r.reasons), r.reasons
