"""Tests for hangzhou_address.io.ledger_io: encodings, ragged rows, Excel formulas and merged cells."""

from __future__ import annotations

import pandas as pd
import pytest

from hangzhou_address import DataError, InputError
from hangzhou_address.io.ledger_io import detect_encoding, iter_ledger, ledger_columns


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_encodings(tmp_path, encoding):
    p = tmp_path / "l.csv"
    pd.DataFrame({"编号": ["007"], "地址": ["杭州市西湖区文三路90号"]}).to_csv(p, index=False, encoding=encoding)
    chunk = next(iter_ledger(p))
    assert list(chunk.frame.columns) == ["编号", "地址"]
    assert chunk.frame.iloc[0].tolist() == ["007", "杭州市西湖区文三路90号"]
    assert detect_encoding(p) in ("utf-8-sig", "gb18030")


def test_wrong_encoding_is_clear(tmp_path):
    p = tmp_path / "l.csv"
    pd.DataFrame({"编号": ["1"], "地址": ["文三路"]}).to_csv(p, index=False, encoding="gb18030")
    with pytest.raises(DataError, match="--encoding"):
        list(iter_ledger(p, encoding="utf-8"))
    with pytest.raises(InputError, match="unknown encoding"):
        list(iter_ledger(p, encoding="klingon"))


def test_ragged_and_empty_rows(tmp_path):
    p = tmp_path / "l.csv"
    p.write_text("a,地址\n1,文三路\n2,x,extra\n\n3\n", encoding="utf-8")
    chunks = list(iter_ledger(p, chunk_rows=2))
    frame = pd.concat([c.frame for c in chunks], ignore_index=True)
    problems = {k: v for c in chunks for k, v in c.problems.items()}
    assert frame["a"].tolist() == ["1", "2", "", "3"]
    assert set(problems) == {2, 3, 4} and "ragged" in problems[2]
    assert [c.first_row for c in chunks] == [1, 3]


def test_xlsx_formulas_and_merged_cells(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["编号", "地址"])
    ws.append(["001", "西湖区文三路90号"])
    ws.append(["002", "=CONCAT(\"文\",\"三路\")"])  # no cached value: openpyxl does not compute formulas
    ws.append(["003", None])
    ws.merge_cells("A4:A5")
    ws.append(["", "拱墅区"])
    p = tmp_path / "l.xlsx"
    wb.save(p)
    chunk = next(iter_ledger(p))
    assert chunk.frame["编号"].tolist()[:3] == ["001", "002", "003"]
    assert chunk.frame["编号"].tolist()[3] == "003"  # merged A4:A5 takes the top-left value
    assert "formula" in chunk.problems[2] and "merged" in chunk.problems[4]
    assert ledger_columns(p) == ["编号", "地址"]


def test_parquet_and_unsupported(tmp_path):
    p = tmp_path / "l.parquet"
    pd.DataFrame({"n": [1, 2], "地址": ["a", None]}).to_parquet(p)
    chunk = next(iter_ledger(p))
    assert chunk.frame["n"].tolist() == ["1", "2"] and chunk.frame["地址"].tolist() == ["a", ""]
    with pytest.raises(InputError, match="unsupported"):
        list(iter_ledger(tmp_path / "x.doc") if (tmp_path / "x.doc").write_text("x") else [])
    with pytest.raises(DataError, match="not found"):
        list(iter_ledger(tmp_path / "nope.csv"))
