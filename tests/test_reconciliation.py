"""Tests for hangzhou_address.reconciliation."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest

from hangzhou_address import InputError
from hangzhou_address.reconciliation import reconcile

A = pd.DataFrame({"许可证号": ["L1", "L2", "L3", "L4"], "code": ["B1", "B2", "B3", "B5"], "楼层": ["3", "5", "2", "1"]})
B = pd.DataFrame({"许可证号": ["L1", "L2", "L3", "L9"], "code": ["B1", "B7", "B3", "B8"], "楼层": ["3", "5", "4", "1"]})


def test_by_key():
    r = reconcile(A, B, on="code", key="许可证号")
    assert r.moved[["许可证号", "code_a", "code_b"]].values.tolist() == [["L2", "B2", "B7"]]
    assert r.only_a["许可证号"].tolist() == ["L4"] and r.only_a["row"].tolist() == [4]
    assert r.only_b["许可证号"].tolist() == ["L9"]
    assert r.attribute_diffs.values.tolist() == [["L3", 3, 3, "楼层", "2", "4"]]
    assert r.counts()["same key, different building"] == 1
    assert set(r.to_frame()["kind"]) == {"moved", "only_a", "only_b", "attribute_diff"}


def test_by_code_only():
    r = reconcile(A, B)
    assert sorted(r.only_a["code"]) == ["B2", "B5"] and sorted(r.only_b["code"]) == ["B7", "B8"]
    assert len(r.moved) == 0
    with pytest.raises(InputError, match="has no column"):
        reconcile(A, B, key="nope")


def test_missing_column_error_shows_no_row_of_a_headerless_ledger():
    # issue #13 item 11: a headerless ledger's "column names" are its first record
    a = pd.DataFrame([["王小明", "13812345678"]], columns=["王小明", "13812345678"])
    with pytest.raises(InputError, match="2 columns") as exc:
        reconcile(a, a)
    assert "王小明" not in str(exc.value) and "138" not in str(exc.value)
    with pytest.raises(InputError, match=r"ledger B .*\['姓名', '编码'\]"):  # a header is listed
        reconcile(pd.DataFrame(columns=["code"]), pd.DataFrame(columns=["姓名", "编码"]))


# ------------------------------------------------------------------ issue 15: reconcile tells the truth
def _ledger() -> pd.DataFrame:
    """40 entities: most alone in their building, K11-K16 three to a building (two buildings), K21-K24
    unmatched (no code), as ``pd.read_csv`` gives a normalized ledger back (NaN for an empty cell)."""
    keys = [f"K{i:02d}" for i in range(1, 41)]
    codes = [f"330108001001001{i:05d}" for i in range(1, 41)]
    for i in range(11, 14):
        codes[i - 1] = "33010800100100199001"
    for i in range(14, 17):
        codes[i - 1] = "33010800100100199002"
    for i in range(21, 25):
        codes[i - 1] = ""
    df = pd.DataFrame({"编号": keys, "名称": [f"公司{i}" for i in range(1, 41)], "楼层": [str(i % 7) for i in range(40)],
                       "code": codes, "level": ["building"] * 40, "confidence": ["0.9"] * 40})
    df.loc[df["code"] == "", "level"] = "town"
    return pd.read_csv(io.StringIO(df.to_csv(index=False)), dtype=str)


def _edited(a: pd.DataFrame) -> pd.DataFrame:
    """Known edits: K05 moved to a new building, K08's floor changed, K30 removed, K41 added; rows reordered."""
    b = a.copy()
    b.loc[b["编号"] == "K05", "code"] = "33010800100100177777"
    b.loc[b["编号"] == "K08", "楼层"] = "99"
    b = b[b["编号"] != "K30"]
    added = pd.DataFrame({"编号": ["K41"], "名称": ["公司41"], "楼层": ["1"], "code": ["33010800100100188888"],
                          "level": ["building"], "confidence": ["0.8"]})
    b = pd.concat([b, added], ignore_index=True)
    return b.iloc[::-1].reset_index(drop=True)  # B lists the rows the other way round


def _differences(r) -> dict[str, int]:
    c = r.counts()
    return {k: v for k, v in c.items() if not k.startswith("unmatched")}


@pytest.mark.parametrize("key", ["编号", None])
def test_a_ledger_against_itself_has_no_difference(key):
    a = _ledger()
    assert a["code"].isna().sum() == 4  # NaN codes: NaN != NaN invented 'moved' entities before
    r = reconcile(a, a.copy(), key=key)
    assert set(_differences(r).values()) == {0}, r.summary()
    assert len(r.to_frame().query("kind not in ['unmatched_a', 'unmatched_b']")) == 0
    assert r.unmatched_a["编号"].tolist() == r.unmatched_b["编号"].tolist() == ["K21", "K22", "K23", "K24"]
    assert r.unmatched_a["row"].tolist() == [21, 22, 23, 24]
    assert set(r.unmatched_a["reason"]) == {"no building code"}
    if key:
        assert (r.compared, r.skipped) == (40, 0)
    else:  # 30 buildings alone + 2 buildings with three rows each (skipped, and said so)
        assert (r.compared, r.skipped) == (30, 2)
        assert "2 buildings skipped (several rows on a side)" in r.summary()


def test_a_ledger_against_known_edits_by_key():
    a = _ledger()
    b = _edited(a)
    r = reconcile(a, b, key="编号")
    assert r.moved.to_dict("list") == {"编号": ["K05"], "code_a": ["33010800100100100005"],
                                       "code_b": ["33010800100100177777"], "row_a": [5], "row_b": [36]}
    assert r.attribute_diffs.to_dict("list") == {"编号": ["K08"], "row_a": [8], "row_b": [33], "column": ["楼层"],
                                                 "value_a": ["0"], "value_b": ["99"]}
    assert r.only_a["编号"].tolist() == ["K30"] and r.only_a["row"].tolist() == [30]
    assert r.only_b["编号"].tolist() == ["K41"] and r.only_b["row"].tolist() == [1]
    assert len(r.unmatched_a) == len(r.unmatched_b) == 4
    assert (r.compared, r.skipped) == (39, 0)
    for t in (r.moved, r.attribute_diffs):  # integers, never 13309.0
        assert str(t["row_a"].dtype) == str(t["row_b"].dtype) == "Int64"
    assert str(r.only_a["row"].dtype) == "Int64"


def test_a_ledger_against_known_edits_by_building():
    a = _ledger()
    b = _edited(a)
    r = reconcile(a, b)
    assert len(r.moved) == 0  # no key: no entity identity
    # K05's old building is left in A only, its new one (and K41's) in B only; K30's building is gone
    assert r.only_a["编号"].tolist() == ["K05", "K30"]
    assert r.only_b["编号"].tolist() == ["K41", "K05"]
    assert r.attribute_diffs[["code", "column", "value_a", "value_b"]].values.tolist() == [
        ["33010800100100100008", "楼层", "0", "99"]]
    # the three-row buildings are not compared row by row (K11 against K12 would invent differences)
    assert (r.compared, r.skipped) == (28, 2)


def test_shared_building_is_not_an_attribute_difference_with_a_key():
    # two companies at one building, listed in the other order in B: each is compared with itself
    a = pd.DataFrame({"id": ["119", "16932"], "code": ["B1", "B1"], "名称": ["甲公司", "乙公司"]})
    b = a.iloc[::-1].reset_index(drop=True)
    r = reconcile(a, b, key="id")
    assert set(_differences(r).values()) == {0}
    r = reconcile(a, b)
    assert set(_differences(r).values()) == {0} and (r.compared, r.skipped) == (0, 1)


def test_unmatched_rows_on_both_sides():
    a = pd.DataFrame({"id": ["1", "2", "3", None, "5"], "code": ["B1", None, "", "B4", np.nan],
                      "x": ["a", "b", "c", "d", "e"]})
    b = pd.DataFrame({"id": ["1", "2", "3", "4", "5"], "code": [None, "B2", "  ", "B4", np.nan],
                      "x": ["a", "b", "c", "d", "e"]})
    r = reconcile(a, b, key="id")
    assert len(r.moved) == len(r.attribute_diffs) == len(r.only_a) == 0  # a code on one side only is no move
    assert r.only_b["id"].tolist() == ["4"]  # A's row 4 has no key: B's key 4 is in B only
    assert r.unmatched_a[["row", "reason"]].values.tolist() == [
        [2, "no building code"], [3, "no building code"], [4, "no key"], [5, "no building code"]]
    assert r.unmatched_b[["row", "reason"]].values.tolist() == [
        [1, "no building code"], [3, "no building code"], [5, "no building code"]]
    r = reconcile(a, b)
    assert r.only_a["code"].tolist() == ["B1"] and r.only_b["code"].tolist() == ["B2"]
    assert len(r.moved) == 0 and r.compared == 1  # B4, where A's id is missing
    assert r.attribute_diffs[["code", "column", "value_a", "value_b"]].values.tolist() == [["B4", "id", "", "4"]]
    assert r.unmatched_a["row"].tolist() == [2, 3, 5] and r.unmatched_b["row"].tolist() == [1, 3, 5]


def test_duplicate_keys_are_skipped_not_paired():
    a = pd.DataFrame({"id": ["1", "1", "2"], "code": ["B1", "B2", "B3"]})
    b = pd.DataFrame({"id": ["1", "2"], "code": ["B9", "B3"]})
    r = reconcile(a, b, key="id")
    assert len(r.moved) == 0 and (r.compared, r.skipped) == (1, 1)
    assert "1 keys skipped" in r.summary()


def test_a_ledger_column_named_row_is_kept():
    a = pd.DataFrame({"row": ["r1"], "code": ["B1"]})
    r = reconcile(a, pd.DataFrame({"row": ["r2"], "code": ["B2"]}))
    assert r.only_a.columns.tolist() == ["row_", "row", "code"] and r.only_a.iloc[0].tolist() == [1, "r1", "B1"]


def test_reconcile_two_chinese_outputs_of_normalize():
    """Two outputs of ``hzaddr normalize --lang zh``: the code column is 编码 and the normalizer's own columns
    (匹配级别, 置信度, 原因 ...) are not attributes of the entities."""
    a = pd.DataFrame({"编号": ["1", "2"], "编码": ["B1", "B2"], "匹配级别": ["楼栋", "楼栋"], "置信度": ["0.99", "0.98"],
                      "原因": ["", ""], "楼层": ["3", "5"]})
    b = a.assign(置信度=["0.97", "0.98"], 原因=["已规范化：繁体字", ""], 楼层=["3", "6"])
    r = reconcile(a, b, key="编号")
    assert r.attribute_diffs[["编号", "column", "value_a", "value_b"]].values.tolist() == [["2", "楼层", "5", "6"]]
    assert len(r.moved) == 0


def test_a_code_above_the_building_places_no_building():
    """Rows matched to a district / town only are unmatched, never paired as one "building" (two people of
    one district compared) nor counted as a move to or from a building."""
    a = pd.DataFrame({"k": ["1", "2"], "code": ["33010600205100100017", "330106"], "name": ["甲", "王秘密"]})
    b = pd.DataFrame({"k": ["1", "2"], "code": ["330106", "330106"], "name": ["甲", "赵机密"]})
    r = reconcile(a, b)
    assert len(r.attribute_diffs) == 0 and len(r.moved) == 0
    assert r.unmatched_a["reason"].tolist() == ["code of a division or grid, not of a building"]
    assert len(r.unmatched_b) == 2
    assert len(reconcile(a, b, key="k").moved) == 0  # building -> district is no move


def test_ledger_columns_named_like_the_result_columns_are_refused():
    a = pd.DataFrame({"code": ["B1"], "kind": ["shop"]})
    with pytest.raises(InputError, match="kind"):
        reconcile(a, a)
    with pytest.raises(InputError, match="column"):
        reconcile(pd.DataFrame({"code": ["B1"], "column": ["x"]}), pd.DataFrame({"code": ["B1"], "column": ["x"]}),
                  key="column")
