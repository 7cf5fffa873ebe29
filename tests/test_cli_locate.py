"""Tests for ``hzaddr locate`` on the embedded (synthetic) city."""

from __future__ import annotations

import json

import pandas as pd

from hangzhou_address import default_registry
from hangzhou_address.cli import main


def _a_building():
    b = default_registry().buildings
    return float(b["x"].iloc[0]), float(b["y"].iloc[0]), str(b["grid_code"].iloc[0])


def test_locate_point(capsys):
    x, y, grid = _a_building()
    assert main(["locate", str(x), str(y)]) == 0
    assert capsys.readouterr().out.startswith(grid)
    assert main(["locate", "--json", str(x), str(y)]) == 0
    assert json.loads(capsys.readouterr().out)["grid_code"] == grid
    assert main(["locate", "0", "0"]) == 1
    assert "not located" in capsys.readouterr().out
    assert main(["locate"]) == 2


def test_locate_csv(tmp_path, capsys):
    x, y, grid = _a_building()
    src = tmp_path / "points.csv"
    pd.DataFrame({"id": ["007", "008"], "lon": [x, 150.0], "lat": [y, 10.0]}).to_csv(src, index=False)
    before = src.read_bytes()
    out = tmp_path / "out.csv"
    assert main(["locate", "--input", str(src), "--x", "lon", "--y", "lat", "-o", str(out)]) == 1
    res = pd.read_csv(out, dtype=str)
    assert res["id"].tolist() == ["007", "008"]  # leading zeros kept
    assert res["grid_code"].tolist()[0] == grid
    assert res["locate_reason"].tolist()[1] == "outside_grids"
    assert src.read_bytes() == before
    assert main(["locate", "--input", str(src), "--x", "nope"]) == 1
    assert "nope" in capsys.readouterr().err


def test_locate_refuses_output_over_input(tmp_path, capsys):
    x, y, _ = _a_building()
    src = tmp_path / "points.csv"
    pd.DataFrame({"lon": [x], "lat": [y]}).to_csv(src, index=False)
    (tmp_path / "link.csv").symlink_to(src)
    before = src.read_bytes()
    for out in (src, tmp_path / "." / "points.csv", tmp_path / "link.csv"):
        assert main(["locate", "--input", str(src), "-o", str(out)]) == 1
        assert "same file" in capsys.readouterr().err
        assert src.read_bytes() == before
    assert main(["locate", "--input", str(tmp_path / "link.csv"), "-o", str(src)]) == 1
    assert src.read_bytes() == before


def test_locate_headerless_points_error_shows_no_row(tmp_path, capsys):
    src = tmp_path / "points.csv"
    src.write_text("王小明,120.123456,30.654321\n", encoding="utf-8")
    assert main(["locate", "--input", str(src)]) == 1
    err = capsys.readouterr().err
    assert "3 columns" in err and "王小明" not in err and "120.123456" not in err and "30.654321" not in err


# ------------------------------------------------------------------ issue 15: BOM, GBK input, --city
def test_locate_output_has_a_bom_and_reads_gbk(tmp_path, capsys):
    x, y, grid = _a_building()
    src = tmp_path / "points.csv"
    pd.DataFrame({"名称": ["西湖店"], "lon": [x], "lat": [y]}).to_csv(src, index=False, encoding="gbk")
    out = tmp_path / "out.csv"
    assert main(["locate", "--input", str(src), "-o", str(out)]) == 0
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf" + "名称,".encode())  # UTF-8 BOM, as normalize writes: Excel reads UTF-8
    res = pd.read_csv(out, dtype=str, encoding="utf-8-sig")
    assert res["名称"].tolist() == ["西湖店"] and res["grid_code"].tolist() == [grid]
    assert main(["locate", "--input", str(src)]) == 0  # stdout: no BOM
    assert capsys.readouterr().out.startswith("名称,")


def test_locate_city(tmp_path, capsys, tiny_city, tiny_city_dir):
    b = default_registry().buildings
    outside = b[~b["code"].str.startswith("330108")].iloc[0]  # an embedded building outside 滨江区
    x, y = str(float(outside["x"])), str(float(outside["y"]))
    assert main(["locate", x, y]) == 0
    assert capsys.readouterr().out.startswith(str(outside["grid_code"]))
    assert main(["locate", "--city", str(tiny_city_dir), x, y]) == 1  # the tiny city has 滨江区 only
    assert "outside_grids" in capsys.readouterr().out
    t = tiny_city.buildings.iloc[0]
    assert main(["locate", "--city", str(tiny_city_dir), str(float(t["x"])), str(float(t["y"]))]) == 0
    assert capsys.readouterr().out.startswith(str(t["grid_code"]))
    src = tmp_path / "p.csv"
    pd.DataFrame({"lon": [x], "lat": [y]}).to_csv(src, index=False)
    manifest = tiny_city_dir / "manifest.json"
    before = manifest.read_bytes()
    assert main(["locate", "--input", str(src), "--city", str(tiny_city_dir), "-o", str(manifest)]) == 1
    assert "same file" in capsys.readouterr().err and manifest.read_bytes() == before
