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
