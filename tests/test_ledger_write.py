"""Tests for hangzhou_address.io.ledger_write: CSV outputs round-trip and do not carry formulas."""

from __future__ import annotations

import io

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
