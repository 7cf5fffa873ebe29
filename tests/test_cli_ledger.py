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
