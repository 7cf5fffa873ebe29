"""Tests for hangzhou_address.io.ledger_io: encodings, ragged rows, Excel formulas and merged cells."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from hangzhou_address import DataError, InputError
from hangzhou_address.io.ledger_io import (MAX_COLUMNS, MAX_MERGED_RANGES, MAX_RECORD_LINES, detect_encoding,
                                           iter_ledger, ledger_columns, read_ledger)


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


# ------------------------------------------------------------------ unbalanced quotes (issue 13, item 5)
def _rows_csv(path, n=1000, edit=None):
    lines = ["id,地址,备注"] + [f"{i},西湖区文三路{i}号,x" for i in range(1, n + 1)]
    for i, text in (edit or {}).items():
        lines[i] = text
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _read_all(path, **kw):
    chunks = list(iter_ledger(path, **kw))
    return (pd.concat([c.frame for c in chunks], ignore_index=True),
            {k: v for c in chunks for k, v in c.problems.items()})


@pytest.mark.parametrize("closing", [None, 8, 995])  # never closed / closed by a stray quote later
def test_csv_unbalanced_quote_does_not_swallow_rows(tmp_path, closing):
    p = tmp_path / "l.csv"
    edit = {5: '5,"西湖区文三路5号,x'}
    if closing:
        edit[closing] = f'{closing},西湖区文三路{closing}号",x'
    _rows_csv(p, edit=edit)
    frame, problems = _read_all(p, chunk_rows=100)
    assert len(frame) == 1000  # was 5 rows (the rest merged into one cell)
    assert list(problems) == [5] and "unbalanced quote" in problems[5]
    assert frame["id"].tolist() == [str(i) for i in range(1, 1001)]
    assert frame.loc[5, "地址"] == "西湖区文三路6号" and not frame["地址"].str.contains("\n").any()


def test_csv_quoted_multiline_cells_are_kept(tmp_path):
    p = tmp_path / "l.csv"
    p.write_text('id,地址,备注\n1,"西湖区\n文三路1号",x\n2,b,"第一行\r\n第二行\n第三行"\n3,c,d\n', encoding="utf-8")
    frame, problems = _read_all(p)
    assert problems == {}
    assert frame.values.tolist() == [["1", "西湖区\n文三路1号", "x"], ["2", "b", "第一行\r\n第二行\n第三行"],
                                     ["3", "c", "d"]]
    # longer than MAX_RECORD_LINES: taken as an unbalanced quote (documented rule)
    p.write_text("id,地址\n1,\"" + "\n".join(["x"] * (MAX_RECORD_LINES + 2)) + "\"\n2,b\n", encoding="utf-8")
    frame, problems = _read_all(p)
    assert 1 in problems and frame["id"].tolist()[-1] == "2"


def test_csv_unclosed_quote_at_end_and_header(tmp_path):
    p = tmp_path / "l.csv"
    p.write_text('id,地址,备注\n1,a,x\n2,"b,x\n3,c,d\n', encoding="utf-8")
    frame, problems = _read_all(p)
    assert frame["id"].tolist() == ["1", "2", "3"] and list(problems) == [2]
    p.write_text('id,"地址\n1,a\n', encoding="utf-8")
    with pytest.raises(DataError, match="header"):
        list(iter_ledger(p))


# ------------------------------------------------------------------- hostile XLSX (issue 13, item 7)
_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG = "http://schemas.openxmlformats.org/package/2006/relationships"


def _xlsx(path, rows, *, after="", dimension="A1:B2"):
    """A minimal XLSX written by hand: ``rows`` is {row number: [(cell ref, text), ...]}."""
    import zipfile

    data = "".join(f'<row r="{r}">' + "".join(f'<c r="{ref}" t="inlineStr"><is><t>{v}</t></is></c>'
                                               for ref, v in cells) + "</row>" for r, cells in rows.items())
    ct = "application/vnd.openxmlformats-officedocument.spreadsheetml"
    parts = {
        "[Content_Types].xml": '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        f'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{ct}.sheet.main+xml"/>'
        f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{ct}.worksheet+xml"/></Types>',
        "_rels/.rels": f'<Relationships xmlns="{_PKG}"><Relationship Id="r1" Type="{_REL}/officeDocument" '
                       'Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": f'<workbook xmlns="{_NS}" xmlns:r="{_REL}"><sheets><sheet name="S" sheetId="1" '
                           'r:id="r1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": f'<Relationships xmlns="{_PKG}"><Relationship Id="r1" '
                                      f'Type="{_REL}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
        "xl/worksheets/sheet1.xml": f'<worksheet xmlns="{_NS}"><dimension ref="{dimension}"/><sheetData>{data}'
                                    f'</sheetData>{after}</worksheet>',
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in parts.items():
            z.writestr(name, text)
    return path


_HEADER = {1: [("A1", "编号"), ("B1", "地址")], 2: [("A2", "001"), ("B2", "文三路")]}


def _bounded(code, tmp_path, seconds=60, memory=2 << 30):
    """Run ``code`` in a child process under an address-space limit; its stdout."""
    import subprocess
    import sys

    pre = f"import resource; resource.setrlimit(resource.RLIMIT_AS, ({memory}, {memory}))\n"
    res = subprocess.run([sys.executable, "-c", pre + code], capture_output=True, text=True, timeout=seconds,
                         cwd=str(Path(__file__).resolve().parents[1]))
    assert res.returncode == 0, res.stderr[-500:]
    return res.stdout


def test_xlsx_dimension_and_merge_bombs_are_bounded(tmp_path):
    pytest.importorskip("openpyxl")
    files = {
        "dimension": _xlsx(tmp_path / "d.xlsx", _HEADER, dimension="A1:XFD1048576"),
        "merged": _xlsx(tmp_path / "m.xlsx", _HEADER,
                        after='<mergeCells count="1"><mergeCell ref="A1:XFD1048576"/></mergeCells>'),
        "far cell": _xlsx(tmp_path / "f.xlsx", {**_HEADER, 1048576: [("XFD1048576", "x")]}),
    }
    assert all(p.stat().st_size < 2_000 for p in files.values())
    code = ("import json, sys\nfrom hangzhou_address.io.ledger_io import iter_ledger, ledger_columns\n"
            "out = {}\nfor p in sys.argv[1:]:\n"
            "    out[p] = [ledger_columns(p), sum(len(c.frame) for c in iter_ledger(p))]\n"
            "print(json.dumps(out))\n")
    import json

    got = json.loads(_bounded(code.replace("sys.argv[1:]", repr([str(p) for p in files.values()])), tmp_path))
    for p in files.values():
        assert got[str(p)] == [["编号", "地址"], 1]  # was MemoryError (merged range, far cell)
    frame, problems = _read_all(files["merged"])
    assert frame.values.tolist() == [["编号", "编号"]] and "merged" in problems[1]


def test_xlsx_refuses_absurd_sheets(tmp_path):
    pytest.importorskip("openpyxl")
    wide = _xlsx(tmp_path / "w.xlsx", {1: [("A1", "编号"), ("XFD1", "x")], 2: [("A2", "1")]})
    with pytest.raises(DataError, match="16,384 columns"):
        ledger_columns(wide)
    beyond = _xlsx(tmp_path / "b.xlsx", {**_HEADER, 99_999_999: [("A99999999", "x")]})
    with pytest.raises(DataError, match="outside Excel"):
        list(iter_ledger(beyond))
    many = "".join(f'<mergeCell ref="A{r}:B{r}"/>' for r in range(3, MAX_MERGED_RANGES + 5))
    merged = _xlsx(tmp_path / "mm.xlsx", _HEADER, after=f"<mergeCells>{many}</mergeCells>")
    with pytest.raises(DataError, match="merged ranges"):
        list(iter_ledger(merged))
    (tmp_path / "z.xlsx").write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(DataError, match="not a readable Excel file"):
        ledger_columns(tmp_path / "z.xlsx")


def test_xlsx_gaps_and_trailing_empty_rows(tmp_path):
    pytest.importorskip("openpyxl")
    rows = {**_HEADER, 5: [("A5", "005"), ("B5", "拱墅区")], 8: [("B8", "x")], 9: [("A9", "")], 12: []}
    p = _xlsx(tmp_path / "g.xlsx", rows, after='<mergeCells count="1"><mergeCell ref="A5:A6"/></mergeCells>')
    frame, problems = _read_all(p)
    # data row n is Excel row n + 1: missing rows are empty (row 6 takes the merged A5), trailing empty
    # rows (9, 12) are dropped
    assert frame.values.tolist() == [["001", "文三路"], ["", ""], ["", ""], ["005", "拱墅区"], ["005", ""],
                                     ["", ""], ["", "x"]]
    assert list(problems) == [5] and "Excel row 5" in problems[5]


# ------------------------------------------------------------------ broken files (issue 13, item 16)
def test_broken_files_raise_data_error(tmp_path):
    (tmp_path / "h.csv").write_text("a,地址\n", encoding="utf-8")
    frame, problems = read_ledger(tmp_path / "h.csv")
    assert list(frame.columns) == ["a", "地址"] and len(frame) == 0 and problems == {}
    (tmp_path / "e.csv").write_bytes(b"")
    with pytest.raises(DataError, match="empty"):
        read_ledger(tmp_path / "e.csv")
    pq = tmp_path / "t.parquet"
    pd.DataFrame({"地址": ["文三路"] * 100}).to_parquet(pq)
    pq.write_bytes(pq.read_bytes()[:-40])
    with pytest.raises(DataError, match="not a readable Parquet file"):
        ledger_columns(pq)
    with pytest.raises(DataError, match="at most"):
        (tmp_path / "w.csv").write_text(",".join(f"c{i}" for i in range(MAX_COLUMNS + 1)) + "\n")
        ledger_columns(tmp_path / "w.csv")


# ------------------------------------------------------------------------ .xls, digits (issue 15)
_XLS = Path(__file__).parent / "data" / "ledger_small.xls"


def test_xls_input():
    pytest.importorskip("python_calamine")
    assert ledger_columns(_XLS) == ["编号", "地址", "身份证号", "电话", "面积", "登记日期"]
    frame, problems = read_ledger(_XLS)
    assert frame.values.tolist() == [
        ["001", "杭州市西湖区西溪街道", "330106199001011234", "13800001111", "12.5", "2023-07-01"],
        ["002", "=1+1", "03301061990010112X", "13900002222", "100", "2024-01-31"],
        ["003", "杭州市拱墅区", "3.3010619900101126e+17", "", "", ""],
        ["004", "杭州市上城区", "", "", "", ""],
        ["004", "杭州市滨江区", "", "", "", ""],  # merged A5:A6
    ]
    assert "16 or more digits" in problems[3] and "'身份证号'" in problems[3]
    assert "merged" in problems[5] and "Excel row 5" in problems[5]
    assert read_ledger(_XLS, sheet="第二页")[0].values.tolist() == [["杭州市余杭区"]]
    with pytest.raises(DataError, match="no sheet"):
        read_ledger(_XLS, sheet="nope")


def test_broken_xls_is_a_data_error(tmp_path):
    pytest.importorskip("python_calamine")
    (tmp_path / "b.xls").write_bytes(b"\xd0\xcf\x11\xe0 not really an xls")
    with pytest.raises(DataError, match="not a readable Excel file"):
        read_ledger(tmp_path / "b.xls")
    (tmp_path / "t.xls").write_bytes(_XLS.read_bytes()[:1500])
    with pytest.raises(DataError, match="not a readable Excel file"):
        read_ledger(tmp_path / "t.xls")


def test_xlsx_number_cells_of_16_digits_are_reported(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    wb.active.append(["身份证号", "电话"])
    wb.active.append([3.30106199001011e17, 13800001111])
    wb.active.append(["330106199001011234", 13800001111])
    wb.save(tmp_path / "n.xlsx")
    frame, problems = read_ledger(tmp_path / "n.xlsx")
    assert frame["电话"].tolist() == ["13800001111", "13800001111"] and frame["身份证号"][1] == "330106199001011234"
    assert list(problems) == [1] and "16 or more digits in column '身份证号'" in problems[1]


def test_xlsx_cell_values_match_openpyxl(tmp_path):
    """The lighter cell parser reads what openpyxl's own parser reads (text, rich text, numbers, dates...)."""
    import datetime

    openpyxl = pytest.importorskip("openpyxl")
    from openpyxl.cell.rich_text import CellRichText, TextBlock
    from openpyxl.cell.text import InlineFont

    values = [["文本", "数字", "小数", "日期", "布尔", "公式", "富文本"],
              ["文三路 90号 ", 42, -0.125, datetime.datetime(2023, 7, 1, 8, 30), True, "=1+1",
               CellRichText(["西湖", TextBlock(InlineFont(b=True), "区")])],
              ["", 1e20, 3.0, datetime.date(2024, 2, 29), False, "=A2&\"x\"", "plain"]]
    wb = openpyxl.Workbook()  # shared strings
    for row in values:
        wb.active.append(row)
    wb.save(tmp_path / "shared.xlsx")
    ww = openpyxl.Workbook(write_only=True)  # inline strings
    ws = ww.create_sheet("s")
    for row in values:
        ws.append(row)
    ww.save(tmp_path / "inline.xlsx")
    for name in ("shared.xlsx", "inline.xlsx"):
        ro = openpyxl.load_workbook(tmp_path / name, read_only=True, data_only=True)
        expected = [["" if v is None else str(v) for v in r] for r in ro.worksheets[0].iter_rows(values_only=True)]
        ro.close()
        frame, _ = read_ledger(tmp_path / name)
        assert [list(frame.columns)] + frame.values.tolist() == expected, name
