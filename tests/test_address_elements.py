"""Tests for hangzhou_address.address_elements: elements read from an address's text."""

from __future__ import annotations

import pandas as pd
import pytest

from hangzhou_address.address_elements import ELEMENT_COLUMNS, lacks_elements, read_elements, with_elements
from hangzhou_address.registry import Registry
from hangzhou_address.matching.normalize import normalize_key as _normalize_key


@pytest.fixture(scope="module")
def divisions_only(tiny_city):
    return Registry(tiny_city.divisions, lineage=tiny_city.lineage)


def _same(a, b) -> bool:
    if a is None or pd.isna(a):
        return b is None or pd.isna(b)
    return not (b is None or pd.isna(b)) and (_normalize_key(str(a)) == _normalize_key(str(b)) if isinstance(a, str)
                                               else int(a) == int(b))


def test_elements_of_the_synthetic_city_are_read_back(tiny_city, divisions_only):
    a = tiny_city.addresses
    got = with_elements(a[["building_code", "text"]], divisions_only)
    assert set(got["elements_from"]) == {"text"}
    for col in ELEMENT_COLUMNS:
        wrong = [i for i, (x, y) in enumerate(zip(a[col], got[col])) if not _same(x, y)]
        assert wrong == [], col
    assert got["form"].tolist() == a["form"].tolist()
    assert got["community_code"].tolist() == a["community_code"].tolist()


def test_village_group_chinese_numerals_and_names_as_written(divisions_only):
    texts = ["萧山区义桥镇昇光村三组十二号", "滨江区西兴街道星民村3组5号", "滨江区長河街道江南大道五十八號",
             "滨江区浦沿街道东信家园12幢3单元", "不详", ""]
    got = read_elements(texts, divisions_only)
    rows = [tuple(None if pd.isna(v) else v for v in r) for r in
            got[["form", "road", "roadno", "poi", "houseno", "group"]].itertuples(index=False)]
    assert rows == [("village", None, None, "昇光村", 12, 3),  # as written (昇), numerals read
                    ("village", None, None, "星民村", 5, 3),  # 星民社区 written with 村
                    ("road", "江南大道", 58, None, None, None),
                    ("compound", None, None, "东信家园", 12, None),
                    (None, None, None, None, None, None), (None, None, None, None, None, None)]
    assert isinstance(got.loc[0, "community_code"], str)
    assert got.loc[1, "community_code"] == "330108001011"  # 星民社区: a 社区 written 村 resolves (issue #14.1)


def test_only_rows_without_elements_are_read_and_the_input_is_kept(tiny_city, divisions_only):
    a = tiny_city.addresses.head(6).reset_index(drop=True)
    assert with_elements(a, divisions_only) is a  # complete: the same table, nothing copied
    part = a.copy()
    part.loc[[1, 3], ["road", "roadno", "poi", "houseno"]] = None
    part.loc[4, "text"] = "无门牌"
    part.loc[4, ["road", "roadno", "poi", "houseno"]] = None
    before = part.copy()
    got = with_elements(part, divisions_only)
    pd.testing.assert_frame_equal(part, before)  # the input is not modified
    assert got["elements_from"].tolist() == ["columns", "text", "columns", "text", "unread", "columns"]
    assert lacks_elements(got).tolist() == [False, False, False, False, True, False]
    for col in ELEMENT_COLUMNS:
        assert all(_same(x, y) for x, y in zip(a[col].drop(4), got[col].drop(4))), col


def test_a_text_naming_another_community_is_a_conflict(tiny_city, divisions_only):
    a = tiny_city.addresses[["building_code", "text"]].head(2).reset_index(drop=True).copy()
    comm = tiny_city.divisions
    other = comm[(comm["level"] == "town") & comm["code"].str.startswith("330108")
                 & (comm["code"] != a.loc[0, "building_code"][:9])]["name"].iloc[0]
    a.loc[0, "text"] = "滨江区" + other + a.loc[0, "text"].split("街道", 1)[1]
    got = with_elements(a, divisions_only)
    assert got["elements_from"].tolist() == ["conflict", "text"]
    assert got["poi"].notna().all() or got["road"].notna().all()
