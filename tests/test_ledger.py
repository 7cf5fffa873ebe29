"""Tests for hangzhou_address.ledger: normalize_frame / normalize_file on a tiny SYNTHETIC city."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from hangzhou_address import InputError
from hangzhou_address.ledger import RESULT_COLUMNS, mask_pattern, normalize_file, normalize_frame, summary_json
from hangzhou_address.matcher import Matcher


@pytest.fixture(scope="module")
def matcher(tiny_registry):
    return Matcher(tiny_registry)


def test_normalize_frame(ledger_frame, matcher):
    df = ledger_frame.drop(columns="_expected")
    out = normalize_frame(df, "地址", matcher)
    assert list(out.columns) == list(df.columns) + list(RESULT_COLUMNS)
    pd.testing.assert_frame_equal(out[df.columns], df)  # input columns unchanged
    ok = out["level"] == "building"
    assert ok.sum() >= 55
    assert (out.loc[ok, "code"] == ledger_frame.loc[ok, "_expected"]).all()
    assert out.loc[5, "level"] is None and out.loc[5, "reasons"]
    assert out.loc[0, "district_name"] == "滨江区"
    with pytest.raises(InputError, match="columns"):
        normalize_frame(df, "address", matcher)


def test_normalize_file_end_to_end(tmp_path, ledger_frame, tiny_city_dir):
    src = tmp_path / "ledger.csv"
    ledger_frame.drop(columns="_expected").to_csv(src, index=False, encoding="gb18030")
    with open(src, "a", encoding="gb18030") as fh:
        fh.write("9999,滨江区,张三,多余\n")  # a ragged row
    before = src.read_bytes()
    out, review, report = tmp_path / "out.csv", tmp_path / "review.csv", tmp_path / "r.html"
    s = normalize_file(src, out, column="地址", registry_dir=tiny_city_dir, review_path=review,
                       report_path=report, chunk_rows=17, progress=False)
    assert src.read_bytes() == before  # input never modified
    res = pd.read_csv(out, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert len(res) == 61 and res["编号"].tolist()[:2] == ["0000", "0001"]  # order and leading zeros kept
    assert s.rows == 61 and s.failed_rows == 1 and s.levels["building"] >= 55
    rv = pd.read_csv(review, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert {"6", "7", "61"} <= set(rv["row"])  # empty row, junk row, ragged row (1-based)
    assert "ragged" in rv.loc[rv["row"] == "61", "reasons"].iloc[0]
    html = report.read_text(encoding="utf-8")
    assert "<svg" in html and "张三" not in html  # charts, and no personal data
    # re-run: byte-identical output
    out2 = tmp_path / "out2.csv"
    normalize_file(src, out2, column="地址", registry_dir=tiny_city_dir, chunk_rows=17, progress=False)
    assert out.read_bytes() == out2.read_bytes()


def test_normalize_file_parquet_output_and_errors(tmp_path, ledger_frame, tiny_city_dir):
    src = tmp_path / "ledger.parquet"
    ledger_frame.drop(columns="_expected").to_parquet(src)
    out = tmp_path / "out.parquet"
    normalize_file(src, out, column="地址", registry_dir=tiny_city_dir, progress=False)
    assert len(pd.read_parquet(out)) == 60
    with pytest.raises(InputError, match="columns"):
        normalize_file(src, tmp_path / "o.csv", column="addr", registry_dir=tiny_city_dir)
    with pytest.raises(InputError, match="overwrite"):
        normalize_file(src, src, column="地址", registry_dir=tiny_city_dir)


def test_mask_pattern_hides_digits():
    assert mask_pattern("电联13800001111") == "字#"  # a shape only: no character of the text (issue #13 item 11)
    assert mask_pattern("") == "<empty>"


_HOMOPHONE = "滨江区长和路5号"  # 和 for 河: the SYNTHETIC city has 长河路5号


def test_normalize_frame_fuzzy_and_exact(matcher):
    df = pd.DataFrame({"地址": [_HOMOPHONE, "滨江区长河路5号"]})
    fuzzy = normalize_frame(df, "地址", matcher)  # default: fuzzy
    assert fuzzy["level"].tolist() == ["building", "building"]
    assert fuzzy.loc[0, "code"] == fuzzy.loc[1, "code"]
    assert fuzzy.loc[0, "reasons"].startswith("fuzzy:")
    exact = normalize_frame(df, "地址", matcher, fuzzy=False)
    assert exact["level"].tolist() == ["district", "building"]  # the correctly spelled row still matches
    assert "fuzzy:" not in exact.loc[0, "reasons"]
    # the keyword (default True) decides, whatever the matcher's own mode (documented)
    assert normalize_frame(df, "地址", Matcher(matcher.registry, fuzzy=False)).loc[0, "level"] == "building"
    with pytest.raises(InputError, match="'no'"):
        normalize_frame(df, "地址", matcher, fuzzy="no")
    with pytest.raises(InputError, match="got 0"):
        normalize_frame(df, "地址", matcher, fuzzy=0)


def test_normalize_file_fuzzy_and_exact(tmp_path, tiny_city_dir):
    src = tmp_path / "ledger.csv"
    pd.DataFrame({"编号": ["0001"], "地址": [_HOMOPHONE]}).to_csv(src, index=False)
    levels = []
    for fuzzy in (True, False):
        out = tmp_path / f"out_{fuzzy}.csv"
        s = normalize_file(src, out, column="地址", registry_dir=tiny_city_dir, progress=False, fuzzy=fuzzy)
        levels.append((s.levels["building"], pd.read_csv(out, dtype=str, keep_default_na=False,
                                                         encoding="utf-8-sig").loc[0, "level"]))
    assert levels == [(1, "building"), (0, "district")]
    with pytest.raises(InputError, match="None"):
        normalize_file(src, tmp_path / "o.csv", column="地址", registry_dir=tiny_city_dir, fuzzy=None)


@pytest.mark.slow
def test_normalize_file_exact_with_workers(tmp_path, tiny_city_dir):
    src = tmp_path / "ledger.csv"
    pd.DataFrame({"地址": [_HOMOPHONE] * 6}).to_csv(src, index=False)
    out = tmp_path / "out.csv"
    s = normalize_file(src, out, column="地址", registry_dir=tiny_city_dir, progress=False, workers=2,
                       chunk_rows=2, fuzzy=False)
    assert s.levels["district"] == 6 and s.levels["building"] == 0


def test_normalize_file_refuses_review_or_report_over_the_input(tmp_path, tiny_city_dir):
    # issue #13 item 3: every output is checked, as files (a symlink to the input counts)
    src = tmp_path / "in.csv"
    pd.DataFrame({"地址": ["滨江区长河路5号"]}).to_csv(src, index=False)
    before = src.read_bytes()
    (tmp_path / "link.csv").symlink_to(src)
    out = tmp_path / "o.csv"
    for kw in ({"review_path": src}, {"report_path": src}, {"review_path": tmp_path / "link.csv"},
               {"review_path": out}, {"review_path": tmp_path / "r.csv", "report_path": tmp_path / "r.csv"}):
        with pytest.raises(InputError, match="same file"):
            normalize_file(src, out, column="地址", registry_dir=tiny_city_dir, progress=False, **kw)
        assert src.read_bytes() == before and not out.exists()


def test_summary_json_holds_no_row_content(tmp_path, tiny_city_dir):
    # issue #13 item 11: the summary's patterns are shapes of character classes
    from hangzhou_address.ledger import summary_json

    src = tmp_path / "in.csv"
    pd.DataFrame({"地址": ["李华的秘密住址在这里", "王小明家 电话13800001111"]}).to_csv(src, index=False)
    doc = summary_json(normalize_file(src, tmp_path / "o.csv", column="地址", registry_dir=tiny_city_dir,
                                      progress=False))
    assert '"字"' in doc and '"字_字#"' in doc
    for secret in ("李华", "秘密", "住址", "王小明", "电话", "138000"):
        assert secret not in doc, secret
    with pytest.raises(InputError, match="2 columns") as exc:  # headerless: no name shown
        normalize_frame(pd.DataFrame([["李华", "13900001111"]], columns=["王小明", "13812345678"]), "地址")
    assert "王小明" not in str(exc.value) and "138" not in str(exc.value)


# ------------------------------------------------------------------------- issue 13: ledger outputs
def _read_back(path):
    from hangzhou_address.io.ledger_io import read_ledger

    theirs = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    ours, problems = read_ledger(path)
    assert problems == {} and theirs.values.tolist() == ours.values.tolist()
    return theirs


def test_normalize_file_outputs_round_trip_line_breaks(tmp_path, tiny_city_dir):
    src = tmp_path / "l.parquet"
    notes = ["第一行\r第二行", "a\nb", "c\r\nd", "e\u2028f", 'g"h,i']
    pd.DataFrame({"编号": [f"{i:04d}" for i in range(5)], "地址": ["没有这个地方"] * 5, "备注": notes}).to_parquet(src)
    out, review = tmp_path / "o.csv", tmp_path / "r.csv"
    normalize_file(src, out, column="地址", registry_dir=tiny_city_dir, review_path=review, progress=False)
    for path in (out, review):
        back = _read_back(path)
        assert len(back) == 5 and back["备注"].tolist() == notes  # a bare \r split the row (2 in -> 3 back)


def test_normalize_file_neutralizes_formula_cells(tmp_path, tiny_city_dir):
    src = tmp_path / "l.csv"
    evil = ['=HYPERLINK("http://evil","点我")', "=cmd|' /C calc'!A0", "@SUM(1)", "-12.5", "+1+1"]
    pd.DataFrame({"编号": evil, "地址": ["滨江区长河路5号"] * 5, "x": ["-12.5"] * 5}).to_csv(src, index=False)
    out, review, pq = tmp_path / "o.csv", tmp_path / "r.csv", tmp_path / "o.parquet"
    s = normalize_file(src, out, column="地址", registry_dir=tiny_city_dir, review_path=review, progress=False)
    expected = ["'" + e if e != "-12.5" else e for e in evil]  # plain numbers are data, not formulas
    back = _read_back(out)
    assert back["编号"].tolist() == expected and set(back["x"]) == {"-12.5"}
    assert s.rows == 5
    normalize_file(src, out, column="地址", registry_dir=tiny_city_dir, progress=False, raw_cells=True)
    assert _read_back(out)["编号"].tolist() == evil
    normalize_file(src, pq, column="地址", registry_dir=tiny_city_dir, progress=False)
    assert pd.read_parquet(pq)["编号"].tolist() == evil  # Parquet is not a spreadsheet: raw
    with pytest.raises(InputError, match="raw_cells"):
        normalize_file(src, out, column="地址", registry_dir=tiny_city_dir, raw_cells=1)


def test_normalize_file_header_only_and_unbalanced_quote(tmp_path, tiny_city_dir):
    src, out = tmp_path / "l.csv", tmp_path / "o.csv"
    src.write_text("编号,地址\n", encoding="utf-8")
    s = normalize_file(src, out, column="地址", registry_dir=tiny_city_dir, progress=False)  # was a TypeError
    assert s.rows == 0 and out.read_text(encoding="utf-8-sig").startswith("编号,地址,code,")
    lines = ["编号,地址"] + [f"{i:04d},滨江区长河路5号" for i in range(1000)]
    lines[5] = '0004,"滨江区长河路5号'
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    review = tmp_path / "r.csv"
    s = normalize_file(src, out, column="地址", registry_dir=tiny_city_dir, review_path=review, progress=False)
    back = _read_back(out)
    assert len(back) == 1000 and s.rows == 1000 and s.failed_rows == 1  # was 5 rows, "1 failed row"
    assert not back["地址"].str.contains("\n").any() and (back["level"] == "building").sum() == 1000
    rv = _read_back(review)
    assert rv["row"].tolist() == ["5"] and "unbalanced quote" in rv["reasons"].iloc[0]


def test_city_level_rows_go_to_review(tmp_path):
    """A compound in two districts is matched to the city only (issue 14.4): counted, and left for a person."""
    src, out, review = tmp_path / "in.csv", tmp_path / "out.csv", tmp_path / "review.csv"
    pd.DataFrame({"地址": ["阳光花园3幢", "西湖区北山街道阳光花园3幢"]}).to_csv(src, index=False)
    s = normalize_file(src, out, column="地址", review_path=review, progress=False)
    assert s.levels["city"] == 1 and s.levels["building"] == 1 and "city 1" in s.text()
    rv = pd.read_csv(review, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert rv["row"].tolist() == ["1"]


def test_summary_counts_towns_buildings_and_review_reasons(tmp_path, tiny_city_dir, tiny_registry):
    # issue #15 (the report): counts by district / town / level, building codes, review reasons masked
    a = tiny_registry.addresses
    road = a[a["form"] == "road"].iloc[0]
    src = tmp_path / "in.csv"
    texts = ["杭州市" + road["text"], "杭州市" + road["text"], f"滨江区{road['road']}", "王小明 13812345678"]
    pd.DataFrame({"地址": texts}).to_csv(src, index=False)
    s = normalize_file(src, tmp_path / "o.csv", column="地址", registry_dir=tiny_city_dir, progress=False)
    assert s.buildings == {road["building_code"]: 2}
    assert s.by_town[("330108", road["town_code"], "building")] == 2
    assert s.by_town[("", "", "none")] == 1 and sum(s.by_town.values()) == 4
    assert s.review_kinds["unmatched"] == 1
    assert s.review_reasons["no Hangzhou division, road or compound name found"] == 1
    doc = summary_json(s)
    for secret in ("王小明", "13812345678", road["road"]):
        assert secret not in doc, secret
    assert json.loads(doc)["by_town"][0][:2] == ["", ""]


# ------------------------------------------------------------------- the clerk's Excel (issue 15)
def _sheet(path):
    openpyxl = pytest.importorskip("openpyxl")
    ws = openpyxl.load_workbook(path).active
    rows = [[c.value for c in r] for r in ws.iter_rows()]
    types = [[c.data_type for c in r] for r in ws.iter_rows()]
    return rows, types


def test_normalize_file_xlsx_output_in_chinese(tmp_path, tiny_city_dir):
    src = tmp_path / "台账.csv"
    pd.DataFrame({"身份证号": ["330106199001011234", "03301061990010112X", "330106199001019999"],
                  "代码": ["12345678901234567890", "0571", "=1+1"],
                  "地址": ["杭州市西湖区西溪街道", "北京市朝阳区", "=HYPERLINK(\"x\")"]}).to_csv(
        src, index=False, encoding="gbk")
    out, review = tmp_path / "结果.xlsx", tmp_path / "待核对.xlsx"
    s = normalize_file(src, out, column="地址", registry_dir=tiny_city_dir, review_path=review, lang="zh",
                       progress=False)
    rows, types = _sheet(out)
    assert rows[0][:3] == ["身份证号", "代码", "地址"]  # the ledger's own headers are kept
    assert rows[0][3:] == ["编码", "匹配级别", "置信度", "区县编码", "区县", "镇街编码", "镇街", "村社编码", "村社", "原因"]
    assert [r[0] for r in rows[1:]] == ["330106199001011234", "03301061990010112X", "330106199001019999"]
    assert all(t[0] == "s" and t[1] == "s" for t in types[1:])  # text cells, never numbers
    assert rows[1][1] == "12345678901234567890" and rows[2][1] == "0571"
    assert rows[3][1] == "'=1+1" and rows[3][2] == "'=HYPERLINK(\"x\")"  # neutralized
    assert rows[1][3:5] == ["330106004", "镇街"] and types[1][3] == "s"
    assert isinstance(rows[1][5], float) and types[1][5] == "n"  # the confidence is a number
    assert rows[1][9] == "西溪街道" and rows[2][12] == "不在杭州：北京市"
    rrows, rtypes = _sheet(review)
    assert rrows[0][0] == "行号" and [r[0] for r in rrows[1:]] == [2, 3] and rtypes[1][0] == "n"
    assert s.rows == 3
    # English stays the default for programs; raw cells are text, not formulas
    normalize_file(src, tmp_path / "en.xlsx", column="地址", registry_dir=tiny_city_dir, progress=False,
                   raw_cells=True)
    rows, types = _sheet(tmp_path / "en.xlsx")
    assert rows[0][3:6] == ["code", "level", "confidence"] and rows[1][4] == "town"
    assert rows[3][1] == "=1+1" and types[3][1] == "s"
    with pytest.raises(InputError, match=r"\.csv, \.xlsx, \.parquet"):
        normalize_file(src, tmp_path / "x.xls", column="地址", registry_dir=tiny_city_dir, progress=False)
    with pytest.raises(InputError, match="lang"):
        normalize_file(src, tmp_path / "x.xlsx", column="地址", registry_dir=tiny_city_dir, lang="cn")


def test_normalize_file_xlsx_too_many_rows_publishes_nothing(tmp_path, tiny_city_dir, monkeypatch):
    from hangzhou_address.io import ledger_write

    src = tmp_path / "l.csv"
    pd.DataFrame({"地址": ["杭州市西湖区"] * 5}).to_csv(src, index=False)
    monkeypatch.setattr(ledger_write, "XLSX_MAX_ROWS", 4)
    with pytest.raises(InputError, match="at most 4 rows"):
        normalize_file(src, tmp_path / "o.xlsx", column="地址", registry_dir=tiny_city_dir, progress=False,
                       chunk_rows=2)
    assert list(tmp_path.iterdir()) == [src]  # no output, no temporary left


def test_normalize_file_reads_an_xlsx_once(tmp_path, tiny_city_dir, monkeypatch):
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    wb.active.append(["编号", "地址"])
    wb.active.append(["001", "杭州市西湖区西溪街道"])
    src = tmp_path / "l.xlsx"
    wb.save(src)
    calls = []
    real = openpyxl.load_workbook
    monkeypatch.setattr(openpyxl, "load_workbook", lambda *a, **k: calls.append(a) or real(*a, **k))
    s = normalize_file(src, tmp_path / "o.csv", column="地址", registry_dir=tiny_city_dir, progress=False)
    assert s.rows == 1 and len(calls) == 1  # was 2 (the header, then the rows)
    with pytest.raises(InputError, match="column 'nope' not found"):
        normalize_file(src, tmp_path / "o.csv", column="nope", registry_dir=tiny_city_dir, progress=False)


def test_normalize_file_xls_input(tmp_path, tiny_city_dir):
    from pathlib import Path

    src = Path(__file__).parent / "data" / "ledger_small.xls"
    out = tmp_path / "o.csv"
    s = normalize_file(src, out, column="地址", registry_dir=tiny_city_dir, progress=False, lang="zh")
    res = pd.read_csv(out, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert res["编号"].tolist() == ["001", "002", "003", "004", "004"] and s.rows == 5
    assert res["身份证号"].tolist()[:2] == ["330106199001011234", "03301061990010112X"]
    assert "16 位以上" in res["原因"].tolist()[2] and "合并单元格" in res["原因"].tolist()[4]


def test_normalize_frame_lang_zh(ledger_frame, matcher):
    df = ledger_frame.drop(columns="_expected")
    out = normalize_frame(df, "地址", matcher, lang="zh")
    en = normalize_frame(df, "地址", matcher)
    assert list(out.columns) == list(df.columns) + ["编码", "匹配级别", "置信度", "区县编码", "区县", "镇街编码", "镇街",
                                                    "村社编码", "村社", "原因"]
    assert out["编码"].tolist() == en["code"].tolist()  # same answers
    assert set(out["匹配级别"].dropna()) <= {"楼栋", "网格", "村社", "镇街", "区县", "市"}
    assert (out["匹配级别"] == "楼栋").sum() == (en["level"] == "building").sum()
    with pytest.raises(InputError, match="lang"):
        normalize_frame(df, "地址", matcher, lang="EN")
