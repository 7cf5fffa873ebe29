"""Tests of hangzhou_address.matching.confidence (the fitted confidence model)."""

from __future__ import annotations

import json

import pytest

from hangzhou_address.errors import InputError
from hangzhou_address.matcher import Matcher
from hangzhou_address.matching.confidence import (
    FEATURES,
    GROUPS,
    ConfidenceModel,
    LogisticPart,
    default_model,
    features,
    group_of,
)
from hangzhou_address.resolve import Resolution


def _res(**kw) -> Resolution:
    base = dict(district_code="330108", town_code="330108002", community_code=None, level="town", score=6.0,
                margin=float("inf"), candidates=(), reasons=(), hits=())
    base.update(kw)
    return Resolution(**base)


def test_shipped_model_is_fitted_and_documented():
    m = default_model()
    assert set(m.parts) == set(GROUPS)
    meta = m.metadata
    # fitted on another seed's city than the embedded one (seed 20231), by the script in bench/
    assert meta["script"] == "bench/fit_confidence.py" and meta["city_seed"] != 20231
    for part in m.parts.values():
        assert len(part.weights) == len(FEATURES)
        assert list(part.calibration_x) == sorted(part.calibration_x)
        assert list(part.calibration_y) == sorted(part.calibration_y)  # isotonic: monotone


def test_features_and_groups():
    x = features("building", "unique", _res())
    assert len(x) == len(FEATURES) and x[0] == 1.0
    assert group_of(x) == "exact"
    assert group_of(features("town", "division", _res())) == "division"
    assert group_of(features("grid", "near", _res())) == "lower"


def test_predictions_are_probabilities_and_respond_to_evidence():
    m = default_model()
    clean = m.predict(features("building", "unique", _res()))
    conflict = m.predict(features("building", "unique", _res(conflict=True), contradicted=(1, 0)))
    assert 0.0 <= conflict < clean <= 1.0
    split = m.predict(features("building", "unique", _res(), number_separator=True))
    assert split < clean


def test_round_trip_and_validation():
    m = default_model()
    again = ConfidenceModel.from_json(m.to_json())
    x = features("building", "unique", _res())
    assert again.predict(x) == pytest.approx(m.predict(x))
    doc = json.loads(m.to_json())
    doc["features"] = doc["features"][:-1]
    with pytest.raises(InputError):
        ConfidenceModel.from_json(json.dumps(doc))
    with pytest.raises(InputError):
        LogisticPart((0.0,) * len(FEATURES), (0.5, 0.2), (0.1, 0.2))  # x not increasing
    with pytest.raises(InputError):
        LogisticPart((0.0,) * 3)
    with pytest.raises(InputError):
        ConfidenceModel({"exact": LogisticPart((0.0,) * len(FEATURES))}, {})


def test_calibration_interpolates():
    part = LogisticPart((0.0,) * len(FEATURES), (0.2, 0.8), (0.1, 0.9))
    x = (0.0,) * len(FEATURES)  # score 0.5: half way between the points
    assert part.predict(x) == pytest.approx(0.5)


def test_matcher_uses_a_given_model_and_explains(tiny_registry):
    flat = ConfidenceModel({g: LogisticPart((0.0,) * len(FEATURES)) for g in GROUPS}, {})
    m = Matcher(tiny_registry, confidence_model=flat)
    assert m.match("滨江区长河路5号").confidence == pytest.approx(0.5)
    why = Matcher(tiny_registry).confidence_features("滨江区长和路5号")
    assert why["group"] == "fuzzy" and "fuzzy_sound_alike" in why


def _outcome(name: str, written: str, edits: tuple[str, ...], *, skipped: int = 0, inside: bool = False):
    from hangzhou_address.matching.fuzzy import FuzzyCandidate, FuzzyOutcome

    best = FuzzyCandidate("P", name, written, 1.0 if edits else 0.0, edits, skipped, (0,))
    return FuzzyOutcome(best, (), True, float("inf"), 31, _res(), False, 1, 0, 0, inside)


def test_fuzzy_reading_features():
    ix = FEATURES.index
    plain = features("building", "fuzzy", _res(), fuzzy=_outcome("郎范村", "范村", ("郎 missing",)))
    assert plain[ix("fuzzy_inside_division")] == 0 and plain[ix("fuzzy_suffix_doubled")] == 0
    assert plain[ix("fuzzy_missing_share")] == pytest.approx(1 / 3) and plain[ix("fuzzy_skip_and_missing")] == 0
    assert plain[ix("fuzzy_stem_lost")] == pytest.approx(0.5)  # 郎 of the stem 郎范 is not written
    # 范村 read as 范村村: the written stretch is itself a complete name
    doubled = features("building", "fuzzy", _res(), fuzzy=_outcome("范村村", "范村", ("村 dropped",)))
    assert doubled[ix("fuzzy_suffix_doubled")] == 1 and doubled[ix("fuzzy_missing_share")] == 0
    assert doubled[ix("fuzzy_stem_lost")] == 0
    # 下涯镇华路 read as 振华路: 镇 read twice (the town's and the road's)
    inside = features("building", "fuzzy", _res(), fuzzy=_outcome("振华路", "镇华路", ("振→镇 same pinyin",),
                                                                      inside=True))
    assert inside[ix("fuzzy_inside_division")] == 1
    skip = features("building", "fuzzy", _res(), fuzzy=_outcome("方桥小区", "方小区", ("桥 missing",), skipped=1))
    assert skip[ix("fuzzy_skip_and_missing")] == 1
    out = features("town", "division", _res(), fuzzy_undecided=True, candidates_outside=1.0)
    assert out[ix("fuzzy_candidates_outside")] == 1.0 and out[ix("fuzzy_undecided")] == 1
    # the fitted model weighs the doubled suffix against the reading (范家 read as 范家村 is not doubled)
    single = features("building", "fuzzy", _res(), fuzzy=_outcome("范家村", "范家", ("村 dropped",)))
    assert single[ix("fuzzy_suffix_doubled")] == 0
    assert default_model().predict(doubled) < default_model().predict(single)


def test_division_name_before_a_number_is_a_feature():
    """西湖1组16号: a district name followed directly by a group number (the village 西湖村 written without 村;
    embedded city)."""
    from hangzhou_address import default_registry
    from hangzhou_address.matcher import default_matcher

    m = default_matcher(default_registry())
    i = FEATURES.index("division_before_number")
    r, x = m._match("杭州市西湖1组16号", True, want_features=True)
    assert r.level == "district" and x is not None and x[i] == 1.0
    r, x = m._match("杭州市西湖区西溪街道", True, want_features=True)
    assert r.level == "town" and x is not None and x[i] == 0.0


def test_a_division_answer_the_fuzzy_stage_left_undecided_with_a_candidate_outside_it_is_not_sure():
    """杭州文新村1#2单元1101 (embedded, SYNTHETIC): 文新村 fits thirty X文新村 / 文X新村, and the text's bare 文新 reads
    文新街道; one of the candidates (茂文新村, 拱墅区) lies outside that town. Such answers were right 91 % of the time on
    the development variants: capped at 0.89, below "confident"."""
    from hangzhou_address import default_registry
    from hangzhou_address.matcher import default_matcher

    m = default_matcher(default_registry())
    r = m.match("杭州文新村1#2单元1101")
    assert r.level == "town" and r.confidence <= 0.89, r
    assert "fuzzy_candidates_outside" in m.confidence_features("杭州文新村1#2单元1101")


def test_cun_cun_written_where_the_name_read_has_one_cun_lowers_the_confidence():
    """建德大慈岩村村1组1号: read as 大慈岩村 with 村 added, while 村村 ends the names of villages named after a place
    (李村村, 横村村) — perhaps one of those with a character dropped: the fitted weight is negative."""
    from hangzhou_address import default_registry
    from hangzhou_address.matcher import default_matcher

    m = default_matcher(default_registry())
    assert m.confidence_features("建德大慈岩村村1组一号5楼")["fuzzy_written_cun_cun"] < 0
    assert "fuzzy_written_cun_cun" not in m.confidence_features("浙江杭州萧山区楼塔管村村村2组31号")  # (管村村 read)
