"""``hzaddr city apply|diff|log`` and ``hzaddr upgrade`` end to end on the tiny SYNTHETIC city."""

from __future__ import annotations

import json
import shutil

import openpyxl
import pandas as pd
import pytest
import shapely
import shapely.geometry

from hangzhou_address import lifecycle as lc
from hangzhou_address.cli import main
from hangzhou_address.cli._versions import EXIT_CONFLICT
from hangzhou_address.io.changes import write_changeset
from hangzhou_address.io.city import open_city, read_manifest


@pytest.fixture()
def city(tmp_path, tiny_city_dir):
    d = tmp_path / "city"
    shutil.copytree(tiny_city_dir, d)
    return d


def _snapshot(d):
    return {p.name: p.read_bytes() for p in sorted(d.iterdir()) if p.is_file() and not p.name.startswith(".")}


def _request(tmp_path, city, name="req.json"):
    reg = open_city(city)
    g = reg.grids[reg.grids["status"] == "active"].iloc[2]
    p = g.geometry.representative_point()
    fp = shapely.box(p.x - 1e-5, p.y - 1e-5, p.x + 1e-5, p.y + 1e-5)
    codes = list(reg.buildings["code"].iloc[:2])
    doc = [{"op": "retire_building", "code": codes[0], "date": "2026-03-01", "reason": "拆除"},
           {"op": "retire_building", "code": codes[1], "date": "2026-03-01", "reason": "拆除"},
           {"op": "add_building", "grid": g["code"], "footprint": shapely.geometry.mapping(fp),
            "addresses": ["江南大道1001号"], "date": "2026-03-02", "reason": "新建"}]
    path = tmp_path / name
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return path, codes


def test_apply_log_diff(city, tmp_path, capsys):
    v1 = tmp_path / "v1"
    shutil.copytree(city, v1)
    req, codes = _request(tmp_path, city)
    assert main(["city", "apply", str(city), str(req)]) == 0
    out = capsys.readouterr().out
    assert "version 1 -> 4" in out and "v4 2026-03-02 add_building (新建): buildings added 1" in out
    assert open_city(city).version == 4

    assert main(["city", "log", str(city)]) == 0
    out = capsys.readouterr().out
    assert "version 4, 3 change(s) (SYNTHETIC data)" in out
    assert "v1" in out and "initial" in out and out.count("retire_building") == 2
    assert main(["city", "log", str(city), "--json"]) == 0
    log = json.loads(capsys.readouterr().out)
    assert [e["version"] for e in log] == [1, 2, 3, 4] and log[3]["kind"] == "add_building"

    assert main(["city", "diff", str(v1), str(city)]) == 0
    out = capsys.readouterr().out
    assert "buildings: 1 added, 2 retired, 0 re-coded" in out and codes[0] in out
    assert "grids: 0 added, 0 retired, 0 re-coded" in out
    assert main(["city", "diff", str(v1), str(city), "--json", "--limit", "1"]) == 0
    j = json.loads(capsys.readouterr().out)
    assert j["levels"]["buildings"]["counts"] == {"added": 1, "retired": 2, "recoded": 0, "recoded_pairs": 0}
    assert len(j["levels"]["buildings"]["retired"]) == 1 and (j["old_version"], j["new_version"]) == (1, 4)


def test_apply_change_set_to_new_directory(city, tmp_path, capsys):
    reg = open_city(city)
    cs = lc.retire_building(reg, reg.buildings["code"].iloc[4], date="2026-01-01", reason="拆除")
    path = write_changeset(cs, tmp_path / "cs")
    before = _snapshot(city)
    assert main(["city", "apply", str(city), str(path), "-o", str(tmp_path / "v2")]) == 0
    assert _snapshot(city) == before
    assert open_city(tmp_path / "v2").version == 2
    assert main(["city", "apply", str(city), str(path), "-o", str(tmp_path / "v2")]) == 1
    assert "not an empty directory" in capsys.readouterr().err


def test_change_against_an_old_version_conflicts(city, tmp_path, capsys):
    reg = open_city(city)
    a = write_changeset(lc.retire_building(reg, reg.buildings["code"].iloc[0], date="2026-01-01", reason="a"),
                        tmp_path / "a")
    b = write_changeset(lc.retire_building(reg, reg.buildings["code"].iloc[1], date="2026-01-01", reason="b"),
                        tmp_path / "b")
    assert main(["city", "apply", str(city), str(a)]) == 0
    capsys.readouterr()
    before = _snapshot(city)
    assert main(["city", "apply", str(city), str(b)]) == EXIT_CONFLICT
    err = capsys.readouterr().err
    assert err.startswith("hzaddr: error: ") and "made against version 1" in err and "version 2" in err
    assert _snapshot(city) == before


def test_retire_twice_fails_and_writes_nothing(city, tmp_path, capsys):
    code = open_city(city).buildings["code"].iloc[0]
    req = tmp_path / "req.json"
    req.write_text(json.dumps([{"op": "retire_building", "code": code, "date": "2026-01-01", "reason": "x"}] * 2))
    before = _snapshot(city)
    assert main(["city", "apply", str(city), str(req)]) == 1
    assert f"building {code} is already retired" in capsys.readouterr().err
    assert _snapshot(city) == before


@pytest.mark.parametrize("text, message", [
    ("[{\"op\": \"move\"}]", "unknown op 'move'"),
    ("not json", "not a JSON change request"),
    ("[{\"op\": \"retire_building\", \"code\": \"x\"}]", "missing date, reason"),
])
def test_bad_request_file(city, tmp_path, capsys, text, message):
    req = tmp_path / "bad.json"
    req.write_text(text, encoding="utf-8")
    before = _snapshot(city)
    assert main(["city", "apply", str(city), str(req)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("hzaddr: error: ") and message in err and len(err.strip().splitlines()) == 1
    assert _snapshot(city) == before


def test_missing_changes_path(city, tmp_path, capsys):
    assert main(["city", "apply", str(city), str(tmp_path / "nothing")]) == 1
    assert "no such change set" in capsys.readouterr().err


# ------------------------------------------------------------------ upgrade
@pytest.fixture()
def ledger(tmp_path):
    p = tmp_path / "台账.csv"
    p.write_text("编号,编码,备注\n0001,330104,a\n0002,330106,b\n0003,,c\n0004,330103001,d\n0005,99999,e\n",
                 encoding="utf-8")
    return p


def test_upgrade_csv_zh_with_review(ledger, tmp_path, capsys):
    out, review = tmp_path / "新.csv", tmp_path / "待核对.csv"
    assert main(["upgrade", str(ledger), "--column", "编码", "-o", str(out), "--review", str(review),
                 "--lang", "zh"]) == 0
    assert "5 rows" in capsys.readouterr().err
    df = pd.read_csv(out, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert list(df.columns) == ["编号", "编码", "备注", "现编码", "编码状态", "编码说明"]
    assert list(df["编号"]) == ["0001", "0002", "0003", "0004", "0005"]  # every row, in order, as written
    assert list(df["编码状态"]) == ["已拆分", "现行", "未登记", "已改码", "未登记"]
    assert df["现编码"].iloc[0] == "330102;330114" and df["现编码"].iloc[1] == "330106"
    rev = pd.read_csv(review, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert list(rev["行号"]) == ["1"] and list(rev["编号"]) == ["0001"]


def test_upgrade_xlsx_en_with_city(ledger, city, tmp_path):
    reg = open_city(city)
    code = reg.buildings["code"].iloc[0]
    cs = lc.retire_building(reg, code, date="2026-01-01", reason="demolished")
    v2 = tmp_path / "v2"
    from hangzhou_address.io.versions import apply_to_directory

    apply_to_directory(city, cs, out=v2)
    src = tmp_path / "in.csv"
    src.write_text(f"id,code\n1,{code}\n2,{reg.buildings['code'].iloc[1]}\n", encoding="utf-8")
    out = tmp_path / "out.xlsx"
    assert main(["upgrade", str(src), "--column", "code", "-o", str(out), "--city", str(v2), "--quiet"]) == 0
    rows = [[c.value for c in r] for r in openpyxl.load_workbook(out).active.iter_rows()]
    assert rows[0] == ["id", "code", "current_code", "code_status", "code_reason"]
    assert rows[1][3] == "retired" and "demolished" in rows[1][4]
    assert rows[2][3] == "current" and rows[2][2] == rows[2][1]


def test_upgrade_refuses_to_overwrite_the_input(ledger, capsys):
    before = ledger.read_bytes()
    assert main(["upgrade", str(ledger), "--column", "编码", "-o", str(ledger)]) == 1
    assert "same file as the input ledger" in capsys.readouterr().err
    assert ledger.read_bytes() == before


def test_upgrade_bad_column_and_suffix(ledger, tmp_path, capsys):
    assert main(["upgrade", str(ledger), "--column", "code", "-o", str(tmp_path / "o.csv")]) == 1
    assert "no column 'code'" in capsys.readouterr().err
    assert not (tmp_path / "o.csv").exists()
    assert main(["upgrade", str(ledger), "--column", "编码", "-o", str(tmp_path / "o.txt")]) == 1
    assert "must be .csv or .xlsx" in capsys.readouterr().err


def test_info_shows_the_version(city, tmp_path, capsys):
    req, _codes = _request(tmp_path, city)
    assert main(["city", "apply", str(city), str(req)]) == 0
    capsys.readouterr()
    assert main(["city", "info", str(city)]) == 0
    assert "version 4 (from 3, 2026-03-02)" in capsys.readouterr().out


def test_a_request_that_regrids_and_renames_end_to_end(city, tmp_path, capsys):
    """Issue #16: a clerk's request re-draws a community's grids and renames a road; the old building
    codes upgrade to the new ones, the old road name still matches, the diff counts the re-coded."""
    from hangzhou_address.matcher import Matcher

    reg = open_city(city)
    b = reg.buildings[reg.buildings["status"] == "active"]
    community = b["grid_code"].str[:12].value_counts().index[0]
    grids = lc.subdivide_grids(reg, community, factor=1.5)
    grids.to_file(tmp_path / "new_grids.geojson", driver="GeoJSON")
    road = reg.addresses.dropna(subset=["road"])
    road = road[road["community_code"] == community].iloc[0] if (road["community_code"] == community).any() \
        else road.iloc[0]
    doc = [{"op": "regrid", "code": community, "grids": "new_grids.geojson", "date": "2026-04-01",
            "reason": "片区治理: 网格细分"},
           {"op": "rename_road", "name": road["road"], "new_name": "测试更名路", "date": "2026-04-02",
            "reason": "道路更名"}]
    req = tmp_path / "req.json"
    req.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    new = tmp_path / "v3"
    assert main(["city", "apply", str(city), str(req), "-o", str(new)]) == 0
    assert "version 1 -> 3" in capsys.readouterr().out
    reg3 = open_city(new)
    assert reg3.version == 3 and open_city(city).version == 1  # -o leaves the input directory alone
    old = b.loc[b["grid_code"].str.startswith(community), "code"].tolist()
    up = lc.upgrade_codes(old, registry=reg3)
    assert set(up["status"]) == {"recoded"}
    now = reg3.buildings.set_index("building_id")["code"]
    ids = reg.buildings.assign(building_id=lc.numbering.building_ids(reg.buildings)).set_index("code")["building_id"]
    assert [now[ids[c]] for c in old] == up["current_code"].tolist()  # the same buildings, new codes
    r = Matcher(reg3).match(road["text"])  # the old road name, in the old text
    assert r.level == "building" and r.code == now[ids[road["building_code"]]]
    assert any("测试更名路" in x for x in r.reasons)
    # the CLI's --city reads the versioned directory's own lineage: the old text gives the new code
    assert main(["match", "--json", "--city", str(new), road["text"]]) == 0
    assert json.loads(capsys.readouterr().out.splitlines()[0])["code"] == r.code
    assert main(["city", "diff", str(city), str(new), "--json"]) == 0
    diff = json.loads(capsys.readouterr().out)["levels"]
    assert diff["buildings"]["counts"]["recoded"] == len(old)
    n_old_grids = int(((reg.grids["community_code"] == community) & (reg.grids["status"] == "active")).sum())
    assert diff["grids"]["counts"]["recoded"] == n_old_grids  # every grid of the community re-drawn
    assert diff["grids"]["counts"]["recoded_pairs"] >= len(grids)  # each new grid has a predecessor
