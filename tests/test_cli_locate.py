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
