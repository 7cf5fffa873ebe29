"""Tests for hangzhou_address.io.ledger_write: CSV outputs round-trip and do not carry formulas."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest

from hangzhou_address import InputError
from hangzhou_address.io.ledger_io import read_ledger
from hangzhou_address.io.ledger_write import check_raw_cells, csv_chunk, neutralize, write_csv_chunk

_BREAKS = ["a\rb", "a\nb", "a\r\nb", "a\x0bb", "a\x0cb", "a\x1cb", "a\x1db", "a\x1eb", "a\x85b", "a\u2028b",
           "a\u2029b", 'say "hi", twice', "", "文三路90号", "\r", "x\r"]


def test_every_line_break_round_trips(tmp_path):
    df = pd.DataFrame({"编号": [f"{i:03d}" for i in range(len(_BREAKS))], "值": _BREAKS})
    text = csv_chunk(df, header=True, raw_cells=True)
    assert text.splitlines()[0] == "编号,值" and len(text.splitlines()) > len(df)  # breaks kept inside quotes
    p = tmp_path / "o.csv"
    p.write_text(text, encoding="utf-8", newline="")
    back = pd.read_csv(p, dtype=str, keep_default_na=False)
    ours, problems = read_ledger(p)
    assert back.values.tolist() == df.values.tolist() == ours.values.tolist() and problems == {}
    # pandas' own writer leaves a bare \\r unquoted: a reader splits the row (the bug fixed here)
    assert len(pd.read_csv(io.StringIO(df.to_csv(index=False, lineterminator="\n")), dtype=str)) > len(df)


def test_single_column_empty_cells_and_ordinary_output():
    df = pd.DataFrame({"a": ["x", "", None]})
    assert csv_chunk(df, header=True) == 'a\nx\n""\n""\n'  # not blank lines (readers skip those)
    df = pd.DataFrame({"a": ["1", None], "b": [0.97, float("nan")], "c": [3, 4]})
    buf = io.StringIO()
    write_csv_chunk(buf, df, header=False)
    assert buf.getvalue() == df.to_csv(index=False, header=False, lineterminator="\n") == "1,0.97,3\n,,4\n"


@pytest.mark.parametrize("cell", ["=HYPERLINK(\"http://evil\",\"点我\")", "=cmd|' /C calc'!A0", "+1+1", "-1+2",
                                  "@SUM(A1)", "\t=1", "\r=1", "\n=1", "-", "+86 138 0000 1111"])
def test_formula_cells_are_neutralized(cell):
    assert neutralize(cell) == "'" + cell
    df = pd.DataFrame({cell: [cell]})
    back = pd.read_csv(io.StringIO(csv_chunk(df, header=True)), dtype=str, keep_default_na=False)
    assert back.columns.tolist() == ["'" + cell] and back.iloc[0, 0] == "'" + cell  # header too
    back = pd.read_csv(io.StringIO(csv_chunk(df, header=True, raw_cells=True)), dtype=str, keep_default_na=False)
    assert back.iloc[0, 0] == cell


@pytest.mark.parametrize("cell", ["-12.5", "+8613800001111", "-0.5e-3", "120.15", "文三路=1", "'=x", " =1", ""])
def test_plain_numbers_and_text_are_kept(cell):
    assert neutralize(cell) == cell


def test_raw_cells_must_be_bool():
    assert check_raw_cells(True) is True
    with pytest.raises(InputError, match="raw_cells"):
        check_raw_cells("yes")


# ------------------------------------------------------------------------------ XLSX (issue 15)
def _cells(path):
    openpyxl = pytest.importorskip("openpyxl")
    ws = openpyxl.load_workbook(path).active
    return [[(c.value, c.data_type) for c in row] for row in ws.iter_rows()]


def test_xlsx_long_digits_are_text_and_formulas_neutralized(tmp_path):
    from hangzhou_address.io.ledger_write import XlsxWriter

    df = pd.DataFrame({"身份证号": ["330106199001011234", "03301061990010112X"],
                       "代码": ["12345678901234567890", "0571"], "电话": ["13800001111", "=HYPERLINK(\"x\")"],
                       "confidence": [0.975, None], "=bad": ["-12.5", "@SUM(A1)"]})
    w = XlsxWriter(tmp_path / "a.xlsx", number_columns={"confidence"})
    w.write(df, header=True)
    w.close()
    rows = _cells(tmp_path / "a.xlsx")
    assert rows[0] == [("身份证号", "s"), ("代码", "s"), ("电话", "s"), ("confidence", "s"), ("'=bad", "s")]
    assert rows[1] == [("330106199001011234", "s"), ("12345678901234567890", "s"), ("13800001111", "s"),
                       (0.975, "n"), ("-12.5", "s")]  # text cells: every digit kept, never 3.3E+17
    assert rows[2] == [("03301061990010112X", "s"), ("0571", "s"), ("'=HYPERLINK(\"x\")", "s"), (None, "n"),
                       ("'@SUM(A1)", "s")]
    w = XlsxWriter(tmp_path / "raw.xlsx", raw_cells=True)
    w.write(df[["电话"]], header=False)
    w.close()
    assert _cells(tmp_path / "raw.xlsx")[1] == [("=HYPERLINK(\"x\")", "s")]  # raw: as written, text, no formula
    import zipfile

    with zipfile.ZipFile(tmp_path / "raw.xlsx") as z:
        assert b"<f>" not in z.read("xl/worksheets/sheet1.xml")


def test_xlsx_illegal_characters_long_cells_and_row_limit(tmp_path, monkeypatch):
    from hangzhou_address.io import ledger_write
    from hangzhou_address.io.ledger_write import XLSX_MAX_CELL_CHARS, XlsxWriter

    w = XlsxWriter(tmp_path / "c.xlsx")
    w.write(pd.DataFrame({"a": ["x\x00y\x1b", "z" * (XLSX_MAX_CELL_CHARS + 5), "ok\tok\n"]}), header=True)
    w.close()
    assert [r[0][0] for r in _cells(tmp_path / "c.xlsx")] == ["a", "x\ufffdy\ufffd", "z" * XLSX_MAX_CELL_CHARS,
                                                              "ok\tok\n"]
    assert w.altered == 2
    monkeypatch.setattr(ledger_write, "XLSX_MAX_ROWS", 3)
    w = XlsxWriter(tmp_path / "d.xlsx")
    w.write(pd.DataFrame({"a": ["1", "2"]}), header=True)
    with pytest.raises(InputError, match="at most 3 rows"):
        w.write(pd.DataFrame({"a": ["3"]}), header=False)
    stream = w.ws._writer.out
    w.discard()
    assert not Path(stream).exists() and not (tmp_path / "d.xlsx").exists()
