"""Tests for ``hzaddr normalize`` and ``hzaddr reconcile``."""

from __future__ import annotations

import pandas as pd

from hangzhou_address.cli import main


def test_normalize_and_reconcile(tmp_path, ledger_frame, tiny_city_dir, capsys):
    src = tmp_path / "l.csv"
    ledger_frame.drop(columns="_expected").to_csv(src, index=False)
    out = tmp_path / "o.csv"
    assert main(["normalize", str(src), "-o", str(out), "--column", "地址", "--city", str(tiny_city_dir)]) == 0
    err = capsys.readouterr().err
    assert "match level" in err and "张三" not in err  # summary without personal data
    assert main(["normalize", str(src), "-o", str(out), "--column", "nope", "--city", str(tiny_city_dir)]) == 1
    assert "地址" in capsys.readouterr().err  # lists the existing columns
    with open(src, "a", encoding="utf-8") as fh:
        fh.write("1,2\n")
    assert main(["normalize", str(src), "-o", str(out), "--column", "地址", "--city", str(tiny_city_dir),
                 "--quiet"]) == 3
    b = pd.read_csv(out, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    b.loc[0, "code"] = "33010800100100100000"
    b.to_csv(tmp_path / "b.csv", index=False)
    assert main(["reconcile", str(out), str(tmp_path / "b.csv"), "--key", "编号", "-o", str(tmp_path / "r.csv"),
                 "--report", str(tmp_path / "r.html")]) == 0
    assert "same key, different building: 1" in capsys.readouterr().out
    assert (tmp_path / "r.html").exists()


def test_normalize_exact_flag(tmp_path, tiny_city_dir, capsys):
    src = tmp_path / "l.csv"
    # homophone 和 for 河: the SYNTHETIC city has 长河路5号
    pd.DataFrame({"编号": ["0001"], "地址": ["滨江区长和路5号"]}).to_csv(src, index=False)
    levels = {}
    for flags in ([], ["--exact"]):
        out = tmp_path / f"o{len(flags)}.csv"
        assert main(["normalize", str(src), "-o", str(out), "--column", "地址", "--city", str(tiny_city_dir),
                     "--quiet", *flags]) == 0
        res = pd.read_csv(out, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        levels[bool(flags)] = (res.loc[0, "level"], res.loc[0, "reasons"])
    assert levels[False][0] == "building" and levels[False][1].startswith("fuzzy:")
    assert levels[True][0] == "district" and "fuzzy:" not in levels[True][1]


# ---------------------------------------------------------------- issue #13 item 3: no output over an input
def _ledger_file(tmp_path):
    src = tmp_path / "in.csv"
    pd.DataFrame({"编号": ["0001", "0002"], "地址": ["滨江区长河路5号", "不知道"]}).to_csv(src, index=False)
    return src, src.read_bytes()


def test_normalize_refuses_outputs_over_the_input(tmp_path, tiny_city_dir, capsys):
    src, before = _ledger_file(tmp_path)
    (tmp_path / "link.csv").symlink_to(src)
    base = ["normalize", str(src), "--column", "地址", "--city", str(tiny_city_dir), "--quiet"]
    out = str(tmp_path / "o.csv")
    for extra in (["-o", out, "--review", str(src)], ["-o", out, "--report", str(src)],
                  ["-o", str(tmp_path / "link.csv")], ["-o", out, "--review", str(tmp_path / "link.csv")],
                  ["-o", out, "--review", out], ["-o", out, "--report", str(tmp_path / "." / "o.csv")],
                  ["-o", str(tiny_city_dir / "manifest.json")]):
        assert main([*base, *extra]) == 1, extra
        assert "same file" in capsys.readouterr().err
        assert src.read_bytes() == before and not (tmp_path / "o.csv").exists()
    assert main([*base, "-o", out, "--review", str(tmp_path / "r.csv"), "--report", str(tmp_path / "r.html")]) == 0


def test_reconcile_refuses_outputs_over_the_inputs(tmp_path, capsys):
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    pd.DataFrame({"code": ["33010800100100100000"], "x": ["1"]}).to_csv(a, index=False)
    pd.DataFrame({"code": ["33010800100100100001"], "x": ["2"]}).to_csv(b, index=False)
    (tmp_path / "link.csv").symlink_to(b)
    before = a.read_bytes(), b.read_bytes()
    r = str(tmp_path / "r.csv")
    for extra in (["-o", str(a)], ["-o", str(tmp_path / "link.csv")], ["--report", str(b)],
                  ["-o", r, "--report", r]):
        assert main(["reconcile", str(a), str(b), *extra]) == 1, extra
        assert "same file" in capsys.readouterr().err
        assert (a.read_bytes(), b.read_bytes()) == before
    assert main(["reconcile", str(a), str(b), "-o", r]) == 0


# ---------------------------------------------------------------- issue #13 item 11: no ledger content printed
_SECRETS = ("王小明", "13812345678", "330106199001011234", "杭州市西湖区文三路12号", "李华", "13900001111",
            "330106198505051234", "李华的秘密住址在这里", "王小明家 电话13800001111")


def _assert_no_secret(text):
    import re

    for s in _SECRETS:  # no two adjacent CJK characters of a value, no six of its digits
        pieces = [s[i:i + 2] for i in range(len(s) - 1) if not s[i:i + 2].isascii()]
        pieces += [d[i:i + 6] for d in re.findall(r"\d{6,}", s) for i in range(len(d) - 5)]
        leaked = [p for p in pieces if p in text]
        assert not leaked, (s, leaked)


def test_headerless_ledger_error_shows_no_row(tmp_path, tiny_city_dir, capsys):
    src = tmp_path / "noheader.csv"
    src.write_text("王小明,13812345678,330106199001011234,杭州市西湖区文三路12号\n"
                   "李华,13900001111,330106198505051234,李华的秘密住址在这里\n", encoding="utf-8")
    assert main(["normalize", str(src), "-o", str(tmp_path / "o.csv"), "--column", "地址",
                 "--city", str(tiny_city_dir)]) == 1
    out = capsys.readouterr()
    assert "4 columns" in out.err and "header" in out.err
    _assert_no_secret(out.out + out.err)


def test_normalize_summary_and_report_show_shapes_only(tmp_path, tiny_city_dir, capsys):
    src = tmp_path / "l.csv"
    pd.DataFrame({"姓名": ["王小明", "李华"], "电话": ["13812345678", "13900001111"],
                  "身份证号": ["330106199001011234", "330106198505051234"],
                  "地址": ["王小明家 电话13800001111", "李华的秘密住址在这里"]}).to_csv(src, index=False)
    report, review = tmp_path / "r.html", tmp_path / "review.csv"
    assert main(["normalize", str(src), "-o", str(tmp_path / "o.csv"), "--column", "地址",
                 "--city", str(tiny_city_dir), "--report", str(report), "--review", str(review)]) == 0
    out = capsys.readouterr()
    lines = [line.split() for line in out.err.splitlines()]
    assert ["1", "字_字#"] in lines and ["1", "字"] in lines  # the two shapes, one row each
    _assert_no_secret(out.out + out.err)
    _assert_no_secret(report.read_text(encoding="utf-8"))
    assert "李华的秘密住址在这里" in review.read_text(encoding="utf-8-sig")  # asked for: rows to review


# ------------------------------------------------------------ issue 13: broken files, formula cells
def _broken_files(d):
    import zipfile

    files = {}
    files["empty.csv"] = b""
    files["header_only.csv"] = "编号,地址,lon,lat\n".encode()
    files["junk.csv"] = bytes(range(256)) * 40
    files["gbk.csv"] = "编号,地址,lon,lat,code\n0001,滨江区长河路5号,120.2,30.2,\n".encode("gbk")
    quote = '"'
    rows = [f"{i:04d},{quote if i == 3 else ''}滨江区长河路5号,120.2,30.2\n" for i in range(30)]
    files["quote.csv"] = ("编号,地址,lon,lat\n" + "".join(rows)).encode()
    p = d / "ok.parquet"
    pd.DataFrame({"地址": ["滨江区长河路5号"] * 50, "lon": ["120.2"] * 50, "lat": ["30.2"] * 50}).to_parquet(p)
    files["truncated.parquet"] = p.read_bytes()[: len(p.read_bytes()) // 2]
    files["junk.parquet"] = b"PAR1" + bytes(range(256)) + b"PAR1"
    files["bad_zip.xlsx"] = b"PK\x03\x04" + bytes(100)
    with zipfile.ZipFile(d / "nosheet.xlsx", "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
    files["not_excel.xlsx"] = (d / "nosheet.xlsx").read_bytes()
    out = {}
    for name, data in files.items():
        out[name] = d / name
        out[name].write_bytes(data)
    return out


def test_cli_broken_files_give_one_line_errors(tmp_path, tiny_city_dir, capsys):
    good = tmp_path / "good.csv"
    pd.DataFrame({"编号": ["0001"], "地址": ["滨江区长河路5号"], "code": [""]}).to_csv(good, index=False)
    for name, path in _broken_files(tmp_path).items():
        commands = [
            ["normalize", str(path), "-o", str(tmp_path / "o.csv"), "--column", "地址", "--city", str(tiny_city_dir),
             "--quiet"],
            ["reconcile", str(path), str(good), "-o", str(tmp_path / "r.csv")],
            ["reconcile", str(good), str(path)],
            ["locate", "--input", str(path), "-o", str(tmp_path / "l.csv")],
        ]
        for argv in commands:
            rc = main(argv)  # an untyped exception (a traceback in the shell) fails the test here
            err = capsys.readouterr().err
            assert rc in (0, 1, 3), (name, argv[0], rc)
            assert "Traceback" not in err and "张三" not in err
            lines = err.strip().splitlines()
            assert all(line.startswith(("hzaddr: warning: ", "hzaddr: error: ", "located ")) for line in lines)
            failed = rc == 1 and not (argv[0] == "locate" and (tmp_path / "l.csv").exists())  # 1: not located
            assert sum(line.startswith("hzaddr: error: ") for line in lines) == failed, (name, argv[0], err)
            (tmp_path / "l.csv").unlink(missing_ok=True)


def test_cli_reconcile_reads_gbk_and_neutralizes(tmp_path, capsys):
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    pd.DataFrame({"编号": ["=1+1", "2"], "code": ["33010800100100100000", ""]}).to_csv(a, index=False, encoding="gbk")
    pd.DataFrame({"编号": ["=1+1", "2"], "code": ["33010800100100100001", ""]}).to_csv(b, index=False)
    out = tmp_path / "r.csv"
    assert main(["reconcile", str(a), str(b), "--key", "编号", "-o", str(out)]) == 0  # was UnicodeDecodeError
    assert "same key, different building: 1" in capsys.readouterr().out
    res = pd.read_csv(out, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert res["编号"].tolist()[0] == "'=1+1"
    assert main(["reconcile", str(a), str(b), "--key", "编号", "-o", str(out), "--raw-cells"]) == 0
    assert pd.read_csv(out, dtype=str, encoding="utf-8-sig")["编号"].tolist()[0] == "=1+1"


def test_cli_normalize_and_locate_raw_cells(tmp_path, tiny_city_dir, capsys):
    from hangzhou_address import default_registry
    from hangzhou_address.io.ledger_write import csv_chunk

    src = tmp_path / "p.csv"
    b = default_registry().buildings
    df = pd.DataFrame({"id": ["@SUM(1)"], "地址": ["滨江区长河路5号\r"], "lon": [str(b["x"].iloc[0])],
                       "lat": [str(b["y"].iloc[0])]})
    src.write_text(csv_chunk(df, header=True, raw_cells=True), encoding="utf-8")  # pandas leaves \r unquoted
    for flags, expected in (([], "'@SUM(1)"), (["--raw-cells"], "@SUM(1)")):
        out = tmp_path / "l.csv"
        assert main(["locate", "--input", str(src), "-o", str(out), *flags]) == 0
        res = pd.read_csv(out, dtype=str, keep_default_na=False)
        assert len(res) == 1 and res["id"].tolist() == [expected] and res["地址"].tolist() == ["滨江区长河路5号\r"]
        out = tmp_path / "n.csv"
        assert main(["normalize", str(src), "-o", str(out), "--column", "地址", "--city", str(tiny_city_dir),
                     "--quiet", *flags]) == 0
        res = pd.read_csv(out, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        assert len(res) == 1 and res["id"].tolist() == [expected]
    capsys.readouterr()


# ------------------------------------------------------------ issue 15: reconcile tells the truth (CLI)
def _normalized_ledger():
    codes = [f"330108001001001{i:05d}" for i in range(1, 13)]
    codes[3] = codes[4] = ""  # two unmatched rows
    codes[6] = codes[7] = "33010800100100199999"  # two companies in one building
    return pd.DataFrame({"编号": [f"{i:04d}" for i in range(1, 13)], "名称": [f"公司{i}" for i in range(1, 13)],
                         "楼层": [str(i) for i in range(1, 13)], "code": codes})


def test_cli_reconcile_gbk_and_xlsx_against_itself_and_known_edits(tmp_path, capsys):
    a = _normalized_ledger()
    gbk, xlsx = tmp_path / "a.csv", tmp_path / "a.xlsx"
    a.to_csv(gbk, index=False, encoding="gbk")
    a.to_excel(xlsx, index=False)
    for key in (["--key", "编号"], []):
        assert main(["reconcile", str(gbk), str(xlsx), *key, "-o", str(tmp_path / "r.csv")]) == 0
        out = capsys.readouterr().out
        for label in ("same key, different building", "only in A", "only in B", "attribute differences"):
            assert f"{label}: 0\n" in out, (key, out)
        assert "unmatched in A: 2\nunmatched in B: 2\n" in out
        if not key:
            assert "1 buildings skipped" in out
        r = pd.read_csv(tmp_path / "r.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
        assert r["kind"].tolist() == ["unmatched_a"] * 2 + ["unmatched_b"] * 2
        assert r["row"].tolist() == ["4", "5", "4", "5"]  # integers, not 4.0
    b = a.copy()
    b.loc[0, "code"] = "33010800100100188888"  # 0001 moved
    b.loc[1, "楼层"] = "99"  # 0002's floor
    b = pd.concat([b.drop(index=10), pd.DataFrame({"编号": ["0013"], "名称": ["公司13"], "楼层": ["1"],
                                                   "code": ["33010800100100177777"]})], ignore_index=True)
    b.to_excel(tmp_path / "b.xlsx", index=False)
    assert main(["reconcile", str(gbk), str(tmp_path / "b.xlsx"), "--key", "编号", "-o", str(tmp_path / "r.csv")]) == 0
    out = capsys.readouterr().out
    assert "same key, different building: 1\nonly in A: 1\nonly in B: 1\nattribute differences: 1\n" in out
    r = pd.read_csv(tmp_path / "r.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    r = r[~r["kind"].str.startswith("unmatched")]
    assert r[["kind", "编号", "row", "row_a", "row_b"]].values.tolist() == [
        ["moved", "0001", "", "1", "1"], ["only_a", "0011", "11", "", ""], ["only_b", "0013", "12", "", ""],
        ["attribute_diff", "0002", "", "2", "2"]]
    assert r.loc[r["kind"] == "attribute_diff", ["column", "value_a", "value_b"]].values.tolist() == [["楼层", "2", "99"]]


def test_cli_reconcile_unreadable_input_is_one_line(tmp_path, capsys):
    good = tmp_path / "a.csv"
    _normalized_ledger().to_csv(good, index=False)
    bad = tmp_path / "b.xlsx"
    bad.write_bytes(b"PK\x03\x04" + bytes(64))
    assert main(["reconcile", str(good), str(bad)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("hzaddr: error: ") and len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_normalize_xlsx_out_in_chinese(tmp_path, tiny_city_dir, capsys):
    """The clerk's one-line command (README): Excel in, Chinese columns, Excel out."""
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active.append(["编号", "身份证号", "地址"])
    wb.active.append(["001", "330106199001011234", "杭州市西湖区西溪街道"])
    src = tmp_path / "台账.xlsx"
    wb.save(src)
    out = tmp_path / "结果.xlsx"
    assert main(["normalize", str(src), "--column", "地址", "--lang", "zh", "-o", str(out), "--city",
                 str(tiny_city_dir), "--review", str(tmp_path / "待核对.xlsx")]) == 0  # was "output must be .csv"
    rows = [[c.value for c in r] for r in openpyxl.load_workbook(out).active.iter_rows()]
    assert rows[0][:6] == ["编号", "身份证号", "地址", "编码", "匹配级别", "置信度"] and "原因" in rows[0]
    assert rows[1][:5] == ["001", "330106199001011234", "杭州市西湖区西溪街道", "330106004", "镇街"]
    assert main(["normalize", str(src), "--column", "地址", "--lang", "fr", "-o", str(out)]) == 2


def test_normalize_help_says_what_comes_out(capsys):
    assert main(["normalize", "--help"]) == 0
    text = capsys.readouterr().out
    for word in ("编码", "匹配级别", "置信度", "原因", "楼栋", "网格", "村社", "镇街", "区县", ".xlsx", ".xls", "--lang",
                 "--review"):
        assert word in text, word


def test_cli_reconcile_report_with_city_and_chinese(tmp_path, tiny_city_dir, tiny_registry, capsys):
    """``--city`` on reconcile (its report names divisions and draws the map from that registry) and ``--lang zh``."""
    codes = tiny_registry.addresses["building_code"].drop_duplicates().head(3).tolist()
    a = pd.DataFrame({"编号": ["1", "2", "3"], "code": codes})
    b = a.assign(code=[codes[0], codes[2], codes[1]])
    a.to_csv(tmp_path / "a.csv", index=False)
    b.to_csv(tmp_path / "b.csv", index=False)
    report = tmp_path / "r.html"
    assert main(["reconcile", str(tmp_path / "a.csv"), str(tmp_path / "b.csv"), "--key", "编号", "--report",
                 str(report), "--lang", "zh", "--city", str(tiny_city_dir), "--quiet"]) == 0
    assert "same key, different building: 2" in capsys.readouterr().out
    html = report.read_text(encoding="utf-8")
    assert 'lang="zh' in html and "<svg" in html
    # the city directory is an input: no output may overwrite its files
    victim = next(p for p in tiny_city_dir.iterdir() if p.is_file())
    assert main(["reconcile", str(tmp_path / "a.csv"), str(tmp_path / "b.csv"), "--report", str(victim),
                 "--city", str(tiny_city_dir)]) == 1


def test_normalize_with_workers_and_a_bad_city_is_one_error(tmp_path, capsys):
    """A bad --city with --workers 2 made every pool worker's initializer fail and restart forever."""
    src = tmp_path / "a.csv"
    pd.DataFrame({"地址": ["西湖区文三路90号"]}).to_csv(src, index=False)
    assert main(["normalize", str(src), "--column", "地址", "-o", str(tmp_path / "o.csv"), "--workers", "2",
                 "--city", str(tmp_path / "nodir"), "--quiet"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("hzaddr: error: ") and len(err.strip().splitlines()) == 1
    assert not list(tmp_path.glob(".*hzaddr-tmp")) and not (tmp_path / "o.csv").exists()


def test_cli_reconcile_xlsx_output_bad_suffix_and_bad_city_first(tmp_path, capsys):
    import openpyxl

    a = pd.DataFrame({"编号": ["1"], "code": ["33010600205100100017"], "楼层": ["3"]})
    b = a.assign(code=["33010600205100100018"])
    a.to_csv(tmp_path / "a.csv", index=False)
    b.to_csv(tmp_path / "b.csv", index=False)
    out = tmp_path / "r.xlsx"
    assert main(["reconcile", str(tmp_path / "a.csv"), str(tmp_path / "b.csv"), "--key", "编号", "-o", str(out),
                 "--quiet"]) == 0
    rows = [[c.value for c in r] for r in openpyxl.load_workbook(out).active.iter_rows()]
    assert rows[0][:4] == ["kind", "编号", "code_a", "code_b"] and rows[1][:4] == ["moved", "1", a.code[0], b.code[0]]
    assert main(["reconcile", str(tmp_path / "a.csv"), str(tmp_path / "b.csv"), "-o", str(tmp_path / "r.txt")]) == 1
    # a bad --city is refused before any output is written
    assert main(["reconcile", str(tmp_path / "a.csv"), str(tmp_path / "b.csv"), "-o", str(tmp_path / "r2.csv"),
                 "--city", str(tmp_path / "nodir")]) == 1
    assert not (tmp_path / "r2.csv").exists()
    capsys.readouterr()


def test_normalize_refuses_result_columns_in_the_ledger_by_their_chinese_names(tmp_path, capsys):
    src = tmp_path / "c.csv"
    pd.DataFrame({"地址": ["西湖区"], "编码": ["X1"], "row": ["r1"]}).to_csv(src, index=False)
    assert main(["normalize", str(src), "--column", "地址", "-o", str(tmp_path / "o.csv"), "--lang", "zh",
                 "--quiet"]) == 1
    assert "编码" in capsys.readouterr().err and not (tmp_path / "o.csv").exists()
    assert main(["normalize", str(src), "--column", "地址", "-o", str(tmp_path / "o.csv"), "--review",
                 str(tmp_path / "r.csv"), "--quiet"]) == 1  # the review file's row column
    assert "['row']" in capsys.readouterr().err


def test_normalize_checks_every_output_before_the_run(tmp_path, capsys):
    src = tmp_path / "a.csv"
    pd.DataFrame({"地址": ["西湖区文三路90号"]}).to_csv(src, index=False)
    (tmp_path / "adir").mkdir()
    for extra in (["--review", str(tmp_path / "r.parquet")], ["--report", str(tmp_path / "adir")]):
        assert main(["normalize", str(src), "--column", "地址", "-o", str(tmp_path / "o.csv"), *extra, "--quiet"]) == 1
        assert capsys.readouterr().err.startswith("hzaddr: error: ")
        assert not (tmp_path / "o.csv").exists()


def test_cli_package_runs_as_a_module():
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-m", "hangzhou_address.cli", "--version"], capture_output=True, text=True)
    assert out.returncode == 0 and out.stdout.startswith("hzaddr (hangzhou_address)")
