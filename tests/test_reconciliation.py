"""Tests for hangzhou_address.reconciliation."""

from __future__ import annotations

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
    assert r.attribute_diffs.values.tolist() == [["B3", "楼层", "2", "4"]]
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
